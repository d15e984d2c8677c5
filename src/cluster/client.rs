//! A kube client from a kubeconfig and context, with errors that say what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::error::Failure;

/// Where to find the cluster: `--kubeconfig` and `--context`.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Explicit kubeconfig file; else $KUBECONFIG (a path list), else ~/.kube/config.
    pub kubeconfig: Option<PathBuf>,
    /// Context name; else the kubeconfig's current-context.
    pub context: Option<String>,
}

/// A client and what it points at (for messages).
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    /// The context used.
    pub context: String,
    /// The API server URL.
    pub server: String,
}

/// The API server's answer to /version.
#[derive(Debug, Clone)]
pub struct ServerVersion {
    pub git_version: String,
    pub major: u32,
    pub minor: u32,
}

/// How to get a cluster, for the errors of a first run without one.
const GET_A_CLUSTER: &str = "`kind create cluster` makes one (https://kind.sigs.k8s.io); in a \
     checkout of sigstore-up, `sudo tests/cluster/up` starts the test cluster and prints its \
     kubeconfig, usable from this machine with --kubeconfig";

/// How [`Cluster::access_error`]'s message for a server that did not answer starts (no
/// connection, or one that broke): what [`Cluster::lost`] recognizes.
const UNREACHABLE: &str = "cannot reach the Kubernetes API server";

/// How long to wait for a TCP+TLS connection to the API server before calling it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Loads the kubeconfig and builds a client. Does not contact the server (see
/// [`Cluster::server_version`]).
/// Requests in flight at once, over all of a client's users. kube speaks HTTP/1.1, one request
/// per connection at a time: without a limit, preflight's ~100 concurrent access reviews opened
/// ~100 TLS connections, each a handshake on both ends. A permit is held until the response's
/// headers arrive, so a watch or a port-forward holds none while it streams.
const CONCURRENT_REQUESTS: usize = 8;

pub async fn connect(options: &ConnectOptions) -> anyhow::Result<Cluster> {
    // rustls is built with two crypto providers (ring, ours and kube's; aws-lc-rs, tough's), so
    // none is the default: name ring before kube builds its TLS configuration.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (kubeconfig, sources) = load_kubeconfig(options)?;
    let sources_text = sources
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let available = || {
        let names: Vec<&str> = kubeconfig
            .contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        if names.is_empty() {
            "it defines no contexts".to_string()
        } else {
            format!("available contexts: {}", names.join(", "))
        }
    };
    let context = match (&options.context, &kubeconfig.current_context) {
        (Some(name), _) => name.clone(),
        (None, Some(name)) if !name.is_empty() => name.clone(),
        _ => {
            return Err(Failure::ClusterAccess(format!(
                "the kubeconfig ({sources_text}) has no current context; choose one with --context ({})",
                available()
            ))
            .into());
        }
    };
    if !kubeconfig.contexts.iter().any(|c| c.name == context) {
        return Err(Failure::ClusterAccess(format!(
            "context {context:?} is not in the kubeconfig ({sources_text}); {}; choose one with --context",
            available()
        ))
        .into());
    }
    let kube_options = KubeConfigOptions {
        context: Some(context.clone()),
        ..Default::default()
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &kube_options)
        .await
        .map_err(|e| {
            Failure::ClusterAccess(format!(
                "cannot use context {context:?} from {sources_text}: {e}"
            ))
        })?;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| Failure::ClusterAccess(format!("cannot build a client for {server}: {e}")))?
        .with_layer(&tower::limit::ConcurrencyLimitLayer::new(
            CONCURRENT_REQUESTS,
        ))
        .build();
    Ok(Cluster {
        client,
        context,
        server,
    })
}

/// Reads and merges the kubeconfig files, returning the files actually read.
fn load_kubeconfig(options: &ConnectOptions) -> anyhow::Result<(Kubeconfig, Vec<PathBuf>)> {
    let read = |path: &Path| {
        Kubeconfig::read_from(path).map_err(|e| {
            Failure::ClusterAccess(format!("cannot read kubeconfig {}: {e}", path.display()))
        })
    };
    if let Some(path) = &options.kubeconfig {
        if !path.exists() {
            return Err(Failure::ClusterAccess(format!(
                "kubeconfig {} (from --kubeconfig) does not exist; pass the path of an existing kubeconfig",
                path.display()
            ))
            .into());
        }
        return Ok((read(path)?, vec![path.clone()]));
    }
    let (candidates, origin) = match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(list) => (
            std::env::split_paths(&list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect::<Vec<_>>(),
            "$KUBECONFIG",
        ),
        None => (
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|home| PathBuf::from(home).join(".kube").join("config"))
                .into_iter()
                .collect(),
            "the default location",
        ),
    };
    // Like kubectl: files in the list that do not exist are skipped.
    let existing: Vec<PathBuf> = candidates.iter().filter(|p| p.exists()).cloned().collect();
    if existing.is_empty() {
        let tried = if candidates.is_empty() {
            "no path ($HOME is not set)".to_string()
        } else {
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Failure::ClusterAccess(format!(
            "no kubeconfig found (tried {origin}: {tried}); pass --kubeconfig PATH or set KUBECONFIG to the kubeconfig of your cluster.\n\
             No cluster yet? {GET_A_CLUSTER}"
        ))
        .into());
    }
    let mut merged = Kubeconfig::default();
    for path in &existing {
        merged = merged
            .merge(read(path)?)
            .with_context(|| format!("merging kubeconfig {}", path.display()))?;
    }
    Ok((merged, existing))
}

impl Cluster {
    /// Asks the API server for its version: the reachability and authentication check.
    pub async fn server_version(&self) -> anyhow::Result<ServerVersion> {
        let info = self
            .client
            .apiserver_version()
            .await
            .map_err(|e| self.access_error(&e))?;
        let number = |s: &str| s.trim_end_matches('+').parse::<u32>().unwrap_or(0);
        Ok(ServerVersion {
            major: number(&info.major),
            minor: number(&info.minor),
            git_version: info.git_version,
        })
    }

    /// Turns a client error into a message naming the server and context.
    pub fn access_error(&self, error: &kube::Error) -> anyhow::Error {
        let (server, context) = (&self.server, &self.context);
        let message = match error {
            kube::Error::Api(status) if status.code == 401 => format!(
                "the API server at {server} rejected the credentials of context {context:?} (401 Unauthorized); \
                 refresh them or choose another context with --context"
            ),
            kube::Error::Api(status) if status.code == 403 => format!(
                "context {context:?} is not allowed to do this on {server}: {}; ask a cluster admin for the rights or use another context",
                status.message
            ),
            kube::Error::Api(status) => {
                return anyhow::anyhow!(
                    "the API server at {server} answered {} {}: {}",
                    status.code,
                    status.reason,
                    status.message
                );
            }
            other => format!(
                "{UNREACHABLE} at {server} (context {context:?}): {}; \
                 check that the cluster is running and reachable from here, or choose another context with --context.\n\
                 No cluster yet? {GET_A_CLUSTER}",
                error_chain(other)
            ),
        };
        Failure::ClusterAccess(message).into()
    }

    /// Whether `error` (from work that had reached the API server before) came from losing the
    /// server: its message says it could not be reached (also when a caller folded that into
    /// its own text), or the server does not answer right now.
    pub async fn lost(&self, error: &anyhow::Error) -> bool {
        format!("{error:#}").contains(UNREACHABLE)
            || !matches!(
                tokio::time::timeout(CONNECT_TIMEOUT, self.client.apiserver_version()).await,
                Ok(Ok(_)) | Ok(Err(kube::Error::Api(_)))
            )
    }

    /// Waits until the API server answers again (or `deadline` passes: then the last error).
    pub async fn answers_again(&self, deadline: tokio::time::Instant) -> anyhow::Result<()> {
        use crate::retry::{Backoff, retry};
        let backoff = Backoff::exponential(Duration::from_millis(250), Duration::from_secs(5));
        retry(
            deadline,
            backoff,
            |_| true,
            || async {
                match tokio::time::timeout_at(deadline, self.server_version()).await {
                    Ok(result) => result.map(|_| ()),
                    Err(_) => Err(anyhow::anyhow!("no answer before the deadline")),
                }
            },
        )
        .await
    }

    /// The service-account token issuer the API server advertises
    /// (`/.well-known/openid-configuration` → `issuer`).
    pub async fn service_account_issuer(&self) -> anyhow::Result<String> {
        let request = http::Request::get("/.well-known/openid-configuration")
            .body(Vec::new())
            .context("building the discovery request")?;
        let text = self
            .client
            .request_text(request)
            .await
            .map_err(|e| self.access_error(&e))
            .context("reading the service-account issuer from /.well-known/openid-configuration")?;
        let document: serde_json::Value =
            serde_json::from_str(&text).context("the OIDC discovery document is not JSON")?;
        document["issuer"]
            .as_str()
            .map(str::to_string)
            .context("the OIDC discovery document has no issuer")
    }
}

/// `outer: inner: innermost` for an error and its sources.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}
