//! A small gRPC client for Trillian's admin and log APIs (Trillian v1.7.3): enough to find or
//! create a log tree by display name and initialise it, like upstream's `createtree` does, but
//! idempotent.
//!
//! The messages are our own prost structs carrying only the fields we use, with upstream's field
//! numbers and types (`trillian.proto`, `trillian_admin_api.proto`, `trillian_log_api.proto`);
//! fields we leave out are skipped on decode, as protobuf allows.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;
use tonic::Code;
use tonic::client::Grpc;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};
use tonic_prost::ProstCodec;

use crate::retry::{Backoff, retry};

/// A Trillian tree id. Never zero (Trillian assigns random positive ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeId(pub i64);

impl std::fmt::Display for TreeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What [`TrillianAdmin::ensure_tree`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeOutcome {
    /// A new tree was created and initialised.
    Created,
    /// A live tree with that display name existed and is now (still) initialised.
    Exists,
}

/// The newest signed log root of a tree, decoded from Trillian's `LogRootV1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRoot {
    pub tree_size: u64,
    pub root_hash: Vec<u8>,
    pub timestamp_nanos: u64,
    pub revision: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum TrillianError {
    #[error("cannot connect to the Trillian log server at {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        #[source]
        source: tonic::transport::Error,
    },
    #[error("Trillian {method} failed: {status}")]
    Rpc {
        method: &'static str,
        #[source]
        status: tonic::Status,
    },
    #[error("tree display name {name:?} cannot be used: {reason}")]
    BadDisplayName { name: String, reason: &'static str },
    #[error(
        "tree {id} named {name:?} exists but is {what}; sigstore-up only uses ACTIVE LOG trees. \
         Delete or rename that tree, or choose another display name"
    )]
    UnusableTree {
        id: TreeId,
        name: String,
        what: String,
    },
    #[error("Trillian returned a log root that cannot be decoded: {0}")]
    BadLogRoot(&'static str),
}

impl TrillianError {
    /// Trillian answered that its tables do not exist: its database is empty (MySQL error 1146,
    /// ER_NO_SUCH_TABLE, which Trillian passes on in the message of an Unknown status).
    pub fn is_missing_schema(&self) -> bool {
        matches!(self, TrillianError::Rpc { status, .. }
            if status.message().contains("Error 1146") || status.message().contains("doesn't exist"))
    }
}

/// Trillian stores display names in a `VARCHAR(20)` column.
const MAX_DISPLAY_NAME_LENGTH: usize = 20;

/// How long the signer lets a tree go without a new root; what upstream `createtree` sets by
/// default.
const MAX_ROOT_DURATION: Duration = Duration::from_secs(60 * 60);

/// Per-call deadline, as `createtree --rpc_deadline` defaults to.
const RPC_DEADLINE: Duration = Duration::from_secs(10);

/// A connection to one Trillian log server, which serves both the admin and the log API.
/// Clones share the connection.
#[derive(Clone)]
pub struct TrillianAdmin {
    grpc: Grpc<Channel>,
}

impl TrillianAdmin {
    /// Connects (plain-text HTTP/2, as inside the cluster) to the log server's gRPC port.
    pub async fn connect(addr: SocketAddr) -> Result<TrillianAdmin, TrillianError> {
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|source| TrillianError::Connect { addr, source })?
            .connect_timeout(RPC_DEADLINE)
            .timeout(RPC_DEADLINE)
            .connect()
            .await
            .map_err(|source| TrillianError::Connect { addr, source })?;
        Ok(TrillianAdmin {
            grpc: Grpc::new(channel),
        })
    }

    /// Returns the id of the live LOG tree called `display_name`, creating and initialising it
    /// if there is none. An existing tree is initialised too if it is not yet (an earlier run may
    /// have stopped between CreateTree and InitLog), so the result is always ready to use.
    /// If several live trees share the name, the oldest wins, so every run picks the same one.
    pub async fn ensure_tree(
        &mut self,
        display_name: &str,
    ) -> Result<(TreeId, TreeOutcome), TrillianError> {
        check_display_name(display_name)?;
        let existing = self.find_tree(display_name).await?;
        let (id, outcome) = match existing {
            Some(tree) => {
                let id = TreeId(tree.tree_id);
                if tree.tree_type != TreeType::Log as i32
                    || tree.tree_state != TreeState::Active as i32
                {
                    return Err(TrillianError::UnusableTree {
                        id,
                        name: display_name.to_owned(),
                        what: format!(
                            "{} in state {}",
                            type_name(tree.tree_type),
                            state_name(tree.tree_state)
                        ),
                    });
                }
                (id, TreeOutcome::Exists)
            }
            None => (self.create_tree(display_name).await?, TreeOutcome::Created),
        };
        self.init_log(id).await?;
        self.wait_for_log_root(id).await?;
        Ok((id, outcome))
    }

    /// The newest signed log root of `tree`.
    pub async fn latest_log_root(&mut self, tree: TreeId) -> Result<LogRoot, TrillianError> {
        let request = GetLatestSignedLogRootRequest {
            log_id: tree.0,
            first_tree_size: 0,
        };
        let response: GetLatestSignedLogRootResponse = self
            .call(Method::GET_LATEST_SIGNED_LOG_ROOT, request)
            .await?;
        let signed = response.signed_log_root.ok_or(TrillianError::BadLogRoot(
            "the response has no signed_log_root",
        ))?;
        decode_log_root(&signed.log_root)
    }

    /// The IDs of every live (not deleted) tree.
    pub async fn live_trees(&mut self) -> Result<Vec<TreeId>, TrillianError> {
        Ok(self
            .list_trees()
            .await?
            .into_iter()
            .filter(|tree| !tree.deleted)
            .map(|tree| TreeId(tree.tree_id))
            .collect())
    }

    async fn list_trees(&mut self) -> Result<Vec<Tree>, TrillianError> {
        let response: ListTreesResponse = self
            .call(
                Method::LIST_TREES,
                ListTreesRequest {
                    show_deleted: false,
                },
            )
            .await?;
        Ok(response.tree)
    }

    async fn find_tree(&mut self, display_name: &str) -> Result<Option<Tree>, TrillianError> {
        Ok(self
            .list_trees()
            .await?
            .into_iter()
            .filter(|tree| tree.display_name == display_name && !tree.deleted)
            .min_by_key(|tree| (tree.create_time.map(|t| (t.seconds, t.nanos)), tree.tree_id)))
    }

    async fn create_tree(&mut self, display_name: &str) -> Result<TreeId, TrillianError> {
        let tree = Tree {
            tree_state: TreeState::Active as i32,
            tree_type: TreeType::Log as i32,
            display_name: display_name.to_owned(),
            description: "created by sigstore-up".to_owned(),
            max_root_duration: Some(ProtoDuration {
                seconds: MAX_ROOT_DURATION.as_secs() as i64,
                nanos: 0,
            }),
            ..Tree::default()
        };
        let created: Tree = self
            .call(Method::CREATE_TREE, CreateTreeRequest { tree: Some(tree) })
            .await?;
        if created.tree_id == 0 {
            return Err(TrillianError::Rpc {
                method: Method::CREATE_TREE.name,
                status: tonic::Status::internal("the server returned tree id 0"),
            });
        }
        Ok(TreeId(created.tree_id))
    }

    /// Writes the tree's first (empty) signed root. Trillian answers AlreadyExists ("log is
    /// already initialised") for a tree that has one, which is success here.
    async fn init_log(&mut self, tree: TreeId) -> Result<(), TrillianError> {
        match self
            .call::<_, InitLogResponse>(Method::INIT_LOG, InitLogRequest { log_id: tree.0 })
            .await
        {
            Ok(_) => Ok(()),
            Err(TrillianError::Rpc { status, .. }) if status.code() == Code::AlreadyExists => {
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Upstream's `createtree` waits the same way: a just-initialised log may briefly answer
    /// FailedPrecondition until its root is visible.
    async fn wait_for_log_root(&mut self, tree: TreeId) -> Result<(), TrillianError> {
        let not_yet = |error: &TrillianError| {
            matches!(error, TrillianError::Rpc { status, .. }
                if status.code() == Code::FailedPrecondition)
        };
        let admin = &*self;
        retry(
            Instant::now() + RPC_DEADLINE,
            Backoff::fixed(Duration::from_millis(100)),
            not_yet,
            || {
                let mut admin = admin.clone();
                async move { admin.latest_log_root(tree).await }
            },
        )
        .await
        .map(|_| ())
    }

    async fn call<Request, Response>(
        &mut self,
        method: Method,
        request: Request,
    ) -> Result<Response, TrillianError>
    where
        Request: prost::Message + Send + Sync + 'static,
        Response: prost::Message + Default + Send + Sync + 'static,
    {
        let rpc_error = |status| TrillianError::Rpc {
            method: method.name,
            status,
        };
        self.grpc
            .ready()
            .await
            .map_err(|e| rpc_error(tonic::Status::unavailable(e.to_string())))?;
        let response = self
            .grpc
            .unary(
                tonic::Request::new(request),
                PathAndQuery::from_static(method.path),
                ProstCodec::<Request, Response>::default(),
            )
            .await
            .map_err(rpc_error)?;
        Ok(response.into_inner())
    }
}

fn check_display_name(name: &str) -> Result<(), TrillianError> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.chars().count() > MAX_DISPLAY_NAME_LENGTH {
        "Trillian stores at most 20 characters"
    } else {
        return Ok(());
    };
    Err(TrillianError::BadDisplayName {
        name: name.to_owned(),
        reason,
    })
}

fn state_name(value: i32) -> String {
    TreeState::try_from(value).map_or_else(
        |_| format!("unknown state {value}"),
        |s| s.as_str_name().to_owned(),
    )
}

fn type_name(value: i32) -> String {
    TreeType::try_from(value).map_or_else(
        |_| format!("unknown type {value}"),
        |t| t.as_str_name().to_owned(),
    )
}

/// `LogRootV1` in TLS presentation language: version u16 (= 1), tree_size u64,
/// root_hash opaque<0..128> (u8 length), timestamp_nanos u64, revision u64,
/// metadata opaque<0..65535> (u16 length, not needed here).
fn decode_log_root(bytes: &[u8]) -> Result<LogRoot, TrillianError> {
    struct Reader<'a>(&'a [u8]);
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Result<&[u8], TrillianError> {
            if self.0.len() < n {
                return Err(TrillianError::BadLogRoot("it is truncated"));
            }
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            Ok(head)
        }
        fn u64(&mut self) -> Result<u64, TrillianError> {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(self.take(8)?);
            Ok(u64::from_be_bytes(bytes))
        }
    }
    let mut reader = Reader(bytes);
    if reader.take(2)? != [0, 1] {
        return Err(TrillianError::BadLogRoot("its version is not 1"));
    }
    let tree_size = reader.u64()?;
    let hash_length = usize::from(reader.take(1)?[0]);
    let root_hash = reader.take(hash_length)?.to_vec();
    let timestamp_nanos = reader.u64()?;
    let revision = reader.u64()?;
    Ok(LogRoot {
        tree_size,
        root_hash,
        timestamp_nanos,
        revision,
    })
}

/// A gRPC method: its full path and a short name for errors.
#[derive(Clone, Copy)]
struct Method {
    path: &'static str,
    name: &'static str,
}

impl Method {
    const LIST_TREES: Method = Method {
        path: "/trillian.TrillianAdmin/ListTrees",
        name: "ListTrees",
    };
    const CREATE_TREE: Method = Method {
        path: "/trillian.TrillianAdmin/CreateTree",
        name: "CreateTree",
    };
    const INIT_LOG: Method = Method {
        path: "/trillian.TrillianLog/InitLog",
        name: "InitLog",
    };
    const GET_LATEST_SIGNED_LOG_ROOT: Method = Method {
        path: "/trillian.TrillianLog/GetLatestSignedLogRoot",
        name: "GetLatestSignedLogRoot",
    };
}

// --- Messages: our own definitions with upstream's field numbers. ---

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
enum TreeState {
    Unknown = 0,
    Active = 1,
    Frozen = 2,
    DeprecatedSoftDeleted = 3,
    DeprecatedHardDeleted = 4,
    Draining = 5,
}

impl TreeState {
    fn as_str_name(self) -> &'static str {
        match self {
            TreeState::Unknown => "UNKNOWN_TREE_STATE",
            TreeState::Active => "ACTIVE",
            TreeState::Frozen => "FROZEN",
            TreeState::DeprecatedSoftDeleted => "DEPRECATED_SOFT_DELETED",
            TreeState::DeprecatedHardDeleted => "DEPRECATED_HARD_DELETED",
            TreeState::Draining => "DRAINING",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
enum TreeType {
    Unknown = 0,
    Log = 1,
    PreorderedLog = 3,
}

impl TreeType {
    fn as_str_name(self) -> &'static str {
        match self {
            TreeType::Unknown => "UNKNOWN_TREE_TYPE",
            TreeType::Log => "LOG",
            TreeType::PreorderedLog => "PREORDERED_LOG",
        }
    }
}

/// google.protobuf.Duration
#[derive(Clone, Copy, PartialEq, prost::Message)]
struct ProtoDuration {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

/// google.protobuf.Timestamp
#[derive(Clone, Copy, PartialEq, prost::Message)]
struct ProtoTimestamp {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

/// trillian.Tree (storage_settings = 13 left out).
#[derive(Clone, PartialEq, prost::Message)]
struct Tree {
    #[prost(int64, tag = "1")]
    tree_id: i64,
    #[prost(enumeration = "TreeState", tag = "2")]
    tree_state: i32,
    #[prost(enumeration = "TreeType", tag = "3")]
    tree_type: i32,
    #[prost(string, tag = "8")]
    display_name: String,
    #[prost(string, tag = "9")]
    description: String,
    #[prost(message, optional, tag = "15")]
    max_root_duration: Option<ProtoDuration>,
    #[prost(message, optional, tag = "16")]
    create_time: Option<ProtoTimestamp>,
    #[prost(message, optional, tag = "17")]
    update_time: Option<ProtoTimestamp>,
    #[prost(bool, tag = "19")]
    deleted: bool,
    #[prost(message, optional, tag = "20")]
    delete_time: Option<ProtoTimestamp>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ListTreesRequest {
    #[prost(bool, tag = "1")]
    show_deleted: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ListTreesResponse {
    #[prost(message, repeated, tag = "1")]
    tree: Vec<Tree>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CreateTreeRequest {
    #[prost(message, optional, tag = "1")]
    tree: Option<Tree>,
}

/// trillian.SignedLogRoot: only `log_root` = 8 remains in use upstream.
#[derive(Clone, PartialEq, prost::Message)]
struct SignedLogRoot {
    #[prost(bytes = "vec", tag = "8")]
    log_root: Vec<u8>,
}

/// charge_to = 2 left out.
#[derive(Clone, PartialEq, prost::Message)]
struct InitLogRequest {
    #[prost(int64, tag = "1")]
    log_id: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct InitLogResponse {
    #[prost(message, optional, tag = "1")]
    created: Option<SignedLogRoot>,
}

/// charge_to = 2 left out.
#[derive(Clone, PartialEq, prost::Message)]
struct GetLatestSignedLogRootRequest {
    #[prost(int64, tag = "1")]
    log_id: i64,
    #[prost(int64, tag = "3")]
    first_tree_size: i64,
}

/// proof = 3 left out.
#[derive(Clone, PartialEq, prost::Message)]
struct GetLatestSignedLogRootResponse {
    #[prost(message, optional, tag = "2")]
    signed_log_root: Option<SignedLogRoot>,
}
