//! Building and refreshing one TUF repository: from the root, the role keys, the targets (with
//! their custom metadata), the lifetimes, the time, and the files the repository had before,
//! to the files it has now (path → bytes, paths relative to the repository's base URL).
//!
//! Layout (consistent snapshots, as the public Sigstore repository):
//!
//! ```text
//! root.json  1.root.json          the root, never re-signed (clients were handed these bytes)
//! timestamp.json                  always the current one
//! <N>.snapshot.json <M>.targets.json
//! targets/<sha256>.<name>         each target, named by its SHA-256
//! ```
//!
//! Only the current version of each role is kept: clients always start from timestamp.json.
//! What is re-signed, and when, is [`super::lifetimes`]'s rule; a role that is not due keeps
//! its bytes, so a refresh with nothing due returns exactly the files it was given.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;

use aws_lc_rs::rand::SystemRandom;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tough::TargetName;
use tough::editor::signed::SignedRole;
use tough::schema::decoded::Decoded;
use tough::schema::{
    Hashes, KeyHolder, Metafile, Role, Root, Signed, Snapshot, Targets, Timestamp,
};

use super::keys::{RoleKeys, SPEC_VERSION};
use super::lifetimes::{Lifetimes, is_due};
use super::{TufError, hex};

/// The files of a repository: path relative to its base URL → contents.
pub type Files = BTreeMap<String, Vec<u8>>;

pub const ROOT: &str = "root.json";
pub const TIMESTAMP: &str = "timestamp.json";
/// Where targets live under the base URL (what clients and policy-controller default to).
pub const TARGETS_DIR: &str = "targets";

/// One target file: its name in targets.json, its bytes, and its `custom` metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub custom: serde_json::Map<String, Value>,
}

/// Which roles a refresh signed anew.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignedRoles {
    pub targets: bool,
    pub snapshot: bool,
    pub timestamp: bool,
}

impl SignedRoles {
    pub fn any(self) -> bool {
        self.targets || self.snapshot || self.timestamp
    }
}

/// The outcome of [`refresh`].
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub files: Files,
    pub signed: SignedRoles,
    /// Versions and expiry (Unix seconds) of the current metadata.
    pub state: State,
}

/// What the current metadata says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub root_expires: i64,
    pub targets: (u64, i64),
    pub snapshot: (u64, i64),
    pub timestamp: (u64, i64),
}

impl State {
    /// When the first of targets, snapshot and timestamp becomes due to be signed again
    /// (Unix seconds; [`is_due`] from then on): its expiry less half its lifetime.
    pub fn next_due(&self, lifetimes: &Lifetimes) -> i64 {
        let due = |expires: i64, lifetime: std::time::Duration| {
            let half = i64::try_from(lifetime.as_secs() / 2).unwrap_or(i64::MAX);
            expires.saturating_sub(half)
        };
        due(self.targets.1, lifetimes.targets)
            .min(due(self.snapshot.1, lifetimes.snapshot))
            .min(due(self.timestamp.1, lifetimes.timestamp))
    }
}

/// What refresh needs: everything but the previous files.
pub struct Inputs<'a> {
    /// The signed root.json, exactly as clients hold it.
    pub root_json: &'a [u8],
    pub keys: &'a RoleKeys,
    pub targets: &'a [TargetFile],
    pub lifetimes: &'a Lifetimes,
    /// Unix seconds.
    pub now: i64,
}

/// The current, verified metadata of a repository.
struct Current {
    timestamp: (Signed<Timestamp>, Vec<u8>),
    snapshot: (Signed<Snapshot>, Vec<u8>),
    targets: (Signed<Targets>, Vec<u8>),
}

/// The repository's files after signing what is due (see the module docs). `previous` is the
/// repository as it was (empty for a new one); anything in it that does not verify against
/// `root_json` is replaced, never trusted.
pub async fn refresh(inputs: &Inputs<'_>, previous: &Files) -> Result<Refreshed, TufError> {
    let root: Signed<Root> = serde_json::from_slice(inputs.root_json)
        .map_err(|e| TufError::Root(format!("root.json is not TUF root metadata: {e}")))?;
    root.signed
        .verify_role(&root)
        .map_err(|e| TufError::Root(format!("root.json is not signed by its root key: {e}")))?;
    inputs.keys.match_root(&root)?;
    let root_expires = root.signed.expires.as_second();
    if root_expires <= inputs.now {
        return Err(TufError::RootExpired {
            expired: root.signed.expires.to_string(),
        });
    }
    let current = current(&root.signed, previous);
    let holder = KeyHolder::Root(root.signed.clone());
    let rng = SystemRandom::new();
    let lifetimes = inputs.lifetimes;
    let now = inputs.now;

    // Versions go on from what was there, even if it no longer verifies (clients that saw a
    // version never accept a lower one).
    let seen = |role: &str| highest_version(previous, role);
    let desired = desired_targets(inputs.targets)?;

    let mut signed = SignedRoles::default();
    let targets = match &current {
        Some(c)
            if same_targets(&c.targets.0.signed, &desired)
                && !is_due(expires(&c.targets.0), now, lifetimes.targets) =>
        {
            c.targets.clone()
        }
        _ => {
            signed.targets = true;
            let version = next(seen("targets"));
            let mut role = Targets::new(
                SPEC_VERSION.into(),
                version,
                super::timestamp(now + secs(lifetimes.targets))?,
            );
            role.targets = desired.clone();
            sign(role, &holder, inputs.keys, &rng).await?
        }
    };
    let snapshot = match &current {
        Some(c) if !signed.targets && !is_due(expires(&c.snapshot.0), now, lifetimes.snapshot) => {
            c.snapshot.clone()
        }
        _ => {
            signed.snapshot = true;
            let mut role = Snapshot::new(
                SPEC_VERSION.into(),
                next(seen("snapshot")),
                super::timestamp(now + secs(lifetimes.snapshot))?,
            );
            role.meta.insert(
                "targets.json".into(),
                metafile(targets.0.signed.version, &targets.1),
            );
            sign(role, &holder, inputs.keys, &rng).await?
        }
    };
    let timestamp = match &current {
        Some(c)
            if !signed.snapshot && !is_due(expires(&c.timestamp.0), now, lifetimes.timestamp) =>
        {
            c.timestamp.clone()
        }
        _ => {
            signed.timestamp = true;
            let mut role = Timestamp::new(
                SPEC_VERSION.into(),
                next(seen("timestamp")),
                super::timestamp(now + secs(lifetimes.timestamp))?,
            );
            role.meta.insert(
                "snapshot.json".into(),
                metafile(snapshot.0.signed.version, &snapshot.1),
            );
            sign(role, &holder, inputs.keys, &rng).await?
        }
    };

    let mut files = Files::new();
    files.insert(ROOT.into(), inputs.root_json.to_vec());
    files.insert(
        format!("{}.root.json", root.signed.version),
        inputs.root_json.to_vec(),
    );
    files.insert(TIMESTAMP.into(), timestamp.1.clone());
    files.insert(
        format!("{}.snapshot.json", snapshot.0.signed.version),
        snapshot.1.clone(),
    );
    files.insert(
        format!("{}.targets.json", targets.0.signed.version),
        targets.1.clone(),
    );
    for target in inputs.targets {
        files.insert(target_path(target), target.bytes.clone());
    }
    let state = State {
        root_expires,
        targets: (targets.0.signed.version.get(), expires(&targets.0)),
        snapshot: (snapshot.0.signed.version.get(), expires(&snapshot.0)),
        timestamp: (timestamp.0.signed.version.get(), expires(&timestamp.0)),
    };
    Ok(Refreshed {
        files,
        signed,
        state,
    })
}

/// `targets/<sha256 hex>.<name>`: where a consistent-snapshot client fetches a target.
pub fn target_path(target: &TargetFile) -> String {
    format!(
        "{TARGETS_DIR}/{}.{}",
        hex(&Sha256::digest(&target.bytes)),
        target.name
    )
}

fn secs(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2)
}

fn expires<T: Role>(role: &Signed<T>) -> i64 {
    role.signed.expires().as_second()
}

fn next(seen: Option<u64>) -> NonZeroU64 {
    NonZeroU64::new(seen.unwrap_or(0).saturating_add(1)).expect("at least 1")
}

fn metafile(version: NonZeroU64, bytes: &[u8]) -> Metafile {
    Metafile {
        length: Some(bytes.len() as u64),
        hashes: Some(Hashes {
            sha256: Decoded::from(Sha256::digest(bytes).to_vec()),
            _extra: HashMap::new(),
        }),
        version,
        _extra: HashMap::new(),
    }
}

async fn sign<T: Role + Serialize + Clone>(
    role: T,
    holder: &KeyHolder,
    keys: &RoleKeys,
    rng: &SystemRandom,
) -> Result<(Signed<T>, Vec<u8>), TufError> {
    let kind = T::TYPE;
    let signed = SignedRole::new(role, holder, &keys.source(kind), rng)
        .await
        .map_err(|e| TufError::Sign(format!("{kind}: {e}")))?;
    Ok((signed.signed().clone(), signed.buffer().clone()))
}

fn desired_targets(
    targets: &[TargetFile],
) -> Result<HashMap<TargetName, tough::schema::Target>, TufError> {
    let mut map = HashMap::new();
    for target in targets {
        let name = TargetName::new(target.name.clone())
            .map_err(|e| TufError::Target(format!("{:?}: {e}", target.name)))?;
        let entry = tough::schema::Target {
            length: target.bytes.len() as u64,
            hashes: Hashes {
                sha256: Decoded::from(Sha256::digest(&target.bytes).to_vec()),
                _extra: HashMap::new(),
            },
            custom: target.custom.clone().into_iter().collect(),
            _extra: HashMap::new(),
        };
        if map.insert(name, entry).is_some() {
            return Err(TufError::Target(format!("{:?} twice", target.name)));
        }
    }
    Ok(map)
}

/// The same names, lengths, hashes and custom metadata.
fn same_targets(targets: &Targets, desired: &HashMap<TargetName, tough::schema::Target>) -> bool {
    targets
        .delegations
        .as_ref()
        .is_none_or(|d| d.roles.is_empty())
        && targets.targets.len() == desired.len()
        && desired.iter().all(|(name, want)| {
            targets.targets.get(name).is_some_and(|have| {
                have.length == want.length
                    && have.hashes.sha256 == want.hashes.sha256
                    && have.custom == want.custom
            })
        })
}

/// The highest version of `role` among the files (`<N>.<role>.json`, or inside timestamp.json).
fn highest_version(files: &Files, role: &str) -> Option<u64> {
    let suffix = format!(".{role}.json");
    let mut versions: Vec<u64> = files
        .keys()
        .filter_map(|path| path.strip_suffix(&suffix)?.parse().ok())
        .collect();
    if role == "timestamp"
        && let Some(bytes) = files.get(TIMESTAMP)
        && let Ok(value) = serde_json::from_slice::<Value>(bytes)
        && let Some(version) = value["signed"]["version"].as_u64()
    {
        versions.push(version);
    }
    versions.into_iter().max()
}

/// The chain timestamp → snapshot → targets of `files`, each signed by its key in `root` and
/// matching the hash its parent names. None if any link is missing or wrong (the repository is
/// then signed afresh).
fn current(root: &Root, files: &Files) -> Option<Current> {
    fn parse<T: Role + Serialize + serde::de::DeserializeOwned>(
        root: &Root,
        bytes: &[u8],
    ) -> Option<Signed<T>> {
        let signed: Signed<T> = serde_json::from_slice(bytes).ok()?;
        root.verify_role(&signed).ok()?;
        Some(signed)
    }
    fn matches(meta: &Metafile, bytes: &[u8]) -> bool {
        meta.length.is_none_or(|l| l == bytes.len() as u64)
            && meta
                .hashes
                .as_ref()
                .is_none_or(|h| h.sha256.as_ref() == Sha256::digest(bytes).as_slice())
    }
    let timestamp_bytes = files.get(TIMESTAMP)?;
    let timestamp: Signed<Timestamp> = parse(root, timestamp_bytes)?;
    let snapshot_meta = timestamp.signed.meta.get("snapshot.json")?;
    let snapshot_bytes = files.get(&format!("{}.snapshot.json", snapshot_meta.version))?;
    if !matches(snapshot_meta, snapshot_bytes) {
        return None;
    }
    let snapshot: Signed<Snapshot> = parse(root, snapshot_bytes)?;
    let targets_meta = snapshot.signed.meta.get("targets.json")?;
    let targets_bytes = files.get(&format!("{}.targets.json", targets_meta.version))?;
    if !matches(targets_meta, targets_bytes) || snapshot.signed.version != snapshot_meta.version {
        return None;
    }
    let targets: Signed<Targets> = parse(root, targets_bytes)?;
    if targets.signed.version != targets_meta.version {
        return None;
    }
    Some(Current {
        timestamp: (timestamp, timestamp_bytes.clone()),
        snapshot: (snapshot, snapshot_bytes.clone()),
        targets: (targets, targets_bytes.clone()),
    })
}
