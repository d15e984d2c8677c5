//! The four TUF role keys (ECDSA P-256, as the public Sigstore repository uses) and the signed
//! root that names them: minted once, kept together in one Secret, never printed.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::num::NonZeroU64;

use aws_lc_rs::rand::SystemRandom;
use tough::async_trait;
use tough::editor::signed::SignedRole;
use tough::key_source::KeySource;
use tough::schema::{KeyHolder, RoleKeys as Threshold, RoleType, Root, Signed};
use tough::sign::Sign;

use super::TufError;
use crate::setup::certs::EcKeyPair;

/// The TUF specification version our metadata declares (the one tough and every Sigstore
/// client implement).
pub const SPEC_VERSION: &str = "1.0.0";

/// Secret keys under which [`RoleKeys::to_secret_data`] stores each role's key, and the root.
pub mod secret_keys {
    pub const ROOT_KEY: &str = "root.pem";
    pub const TARGETS_KEY: &str = "targets.pem";
    pub const SNAPSHOT_KEY: &str = "snapshot.pem";
    pub const TIMESTAMP_KEY: &str = "timestamp.pem";
    /// The signed root.json (public; kept here so that it is minted exactly once).
    pub const ROOT_JSON: &str = "root.json";
}

/// One private key per top-level role. Debug shows nothing of them.
#[derive(Clone, PartialEq)]
pub struct RoleKeys {
    pub root: EcKeyPair,
    pub targets: EcKeyPair,
    pub snapshot: EcKeyPair,
    pub timestamp: EcKeyPair,
}

impl fmt::Debug for RoleKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RoleKeys(<redacted>)")
    }
}

impl RoleKeys {
    pub fn generate() -> RoleKeys {
        RoleKeys {
            root: EcKeyPair::generate(),
            targets: EcKeyPair::generate(),
            snapshot: EcKeyPair::generate(),
            timestamp: EcKeyPair::generate(),
        }
    }

    pub fn key(&self, role: RoleType) -> &EcKeyPair {
        match role {
            RoleType::Root => &self.root,
            RoleType::Targets => &self.targets,
            RoleType::Snapshot => &self.snapshot,
            // Delegated targets roles are not used here.
            RoleType::Timestamp | RoleType::DelegatedTargets => &self.timestamp,
        }
    }

    /// PKCS#8 PEM of each key, under [`secret_keys`].
    pub fn to_secret_data(&self) -> Result<BTreeMap<String, Vec<u8>>, TufError> {
        let mut data = BTreeMap::new();
        for (name, key) in [
            (secret_keys::ROOT_KEY, &self.root),
            (secret_keys::TARGETS_KEY, &self.targets),
            (secret_keys::SNAPSHOT_KEY, &self.snapshot),
            (secret_keys::TIMESTAMP_KEY, &self.timestamp),
        ] {
            let pem = key
                .to_pkcs8_pem()
                .map_err(|e| TufError::Keys(format!("encoding the {name} key: {e}")))?;
            data.insert(name.to_string(), pem.into_bytes());
        }
        Ok(data)
    }

    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<RoleKeys, TufError> {
        let key = |name: &str| {
            let pem = data
                .get(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| TufError::Keys(format!("it has no {name:?}")))?;
            EcKeyPair::from_pem(pem).map_err(|e| TufError::Keys(format!("{name:?}: {e}")))
        };
        Ok(RoleKeys {
            root: key(secret_keys::ROOT_KEY)?,
            targets: key(secret_keys::TARGETS_KEY)?,
            snapshot: key(secret_keys::SNAPSHOT_KEY)?,
            timestamp: key(secret_keys::TIMESTAMP_KEY)?,
        })
    }

    /// A tough key source for one role's key.
    pub(super) fn source(&self, role: RoleType) -> Vec<Box<dyn KeySource>> {
        vec![Box::new(MemoryKey(self.key(role).to_pkcs8_der()))]
    }

    /// The public key of a role as TUF metadata names it.
    fn tuf_key(&self, role: RoleType) -> Result<tough::schema::key::Key, TufError> {
        let signer = tough::sign::parse_keypair(&self.key(role).to_pkcs8_der())
            .map_err(|e| TufError::Keys(format!("the {role} key: {e}")))?;
        Ok(signer.tuf_key())
    }

    /// A new root (version 1, consistent snapshots) naming one key per role with threshold 1,
    /// expiring at `expires` (Unix seconds), signed by the root key. Its bytes are what clients
    /// are handed as root.json.
    pub async fn sign_root(&self, expires: i64) -> Result<Vec<u8>, TufError> {
        let mut keys = HashMap::new();
        let mut roles = HashMap::new();
        for role in [
            RoleType::Root,
            RoleType::Targets,
            RoleType::Snapshot,
            RoleType::Timestamp,
        ] {
            let key = self.tuf_key(role)?;
            let id = key
                .key_id()
                .map_err(|e| TufError::Keys(format!("the {role} key's ID: {e}")))?;
            keys.insert(id.clone(), key);
            roles.insert(
                role,
                Threshold {
                    keyids: vec![id],
                    threshold: NonZeroU64::MIN,
                    _extra: HashMap::new(),
                },
            );
        }
        let root = Root {
            spec_version: SPEC_VERSION.to_string(),
            consistent_snapshot: true,
            version: NonZeroU64::MIN,
            expires: super::timestamp(expires)?,
            keys,
            roles,
            _extra: HashMap::new(),
        };
        let holder = KeyHolder::Root(root.clone());
        let signed = SignedRole::new(
            root,
            &holder,
            &self.source(RoleType::Root),
            &SystemRandom::new(),
        )
        .await
        .map_err(|e| TufError::Sign(format!("root: {e}")))?;
        Ok(signed.buffer().clone())
    }

    /// Whether `root` names exactly these keys for its roles (a root and keys from different
    /// installs do not belong together).
    pub fn match_root(&self, root: &Signed<Root>) -> Result<(), TufError> {
        for role in [
            RoleType::Root,
            RoleType::Targets,
            RoleType::Snapshot,
            RoleType::Timestamp,
        ] {
            let id = self
                .tuf_key(role)?
                .key_id()
                .map_err(|e| TufError::Keys(e.to_string()))?;
            let named = root.signed.roles.get(&role).map(|r| &r.keyids);
            if named.is_none_or(|ids| !ids.contains(&id)) {
                return Err(TufError::Keys(format!(
                    "root.json does not name its {role} key"
                )));
            }
        }
        Ok(())
    }
}

/// A private key held in memory (PKCS#8 DER), as tough's [`KeySource`].
struct MemoryKey(Vec<u8>);

impl fmt::Debug for MemoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryKey(<redacted>)")
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[async_trait]
impl KeySource for MemoryKey {
    async fn as_sign(&self) -> Result<Box<dyn Sign>, BoxError> {
        Ok(Box::new(tough::sign::parse_keypair(&self.0)?))
    }

    async fn write(&self, _value: &str, _key_id_hex: &str) -> Result<(), BoxError> {
        Err("the TUF keys are kept in a Secret; they are never written elsewhere".into())
    }
}
