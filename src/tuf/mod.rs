//! A TUF repository for every stack, built in-process with the `tough` crate (awslabs): the
//! metadata schema, canonical JSON and signing are tough's; this module decides what is signed
//! and when. Knows nothing about Kubernetes: it turns keys, a root, targets, lifetimes and the
//! time into files.
//!
//! - [`keys`]: the four role keys and the root that names them (minted once);
//! - [`repository`]: build or refresh one repository (what is due is signed again, the root
//!   never);
//! - [`lifetimes`]: how long each role lives, the `tuf.lifetimes.*` values;
//! - [`sigstore`]: the targets a Sigstore client reads, by the public repository's names;
//! - [`mirror`]: both audiences' repositories under one root, as ConfigMap data;
//! - [`policy`]: the policy-controller `TrustRoot` manifest;
//! - [`verify`]: reading a served repository back with tough's own client, for tests and
//!   `status --probe`.

pub mod keys;
pub mod lifetimes;
pub mod mirror;
pub mod policy;
pub mod repository;
pub mod sigstore;
pub mod verify;

#[cfg(test)]
mod tests;

pub use keys::RoleKeys;
pub use lifetimes::{LifetimeValues, Lifetimes};
pub use repository::{Files, Inputs, Refreshed, TargetFile};

/// What can go wrong building a repository. Messages never hold key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TufError {
    #[error("the TUF keys cannot be used: {0}")]
    Keys(String),
    #[error("the TUF root cannot be used: {0}")]
    Root(String),
    #[error(
        "the TUF root expired at {expired}; sigstore-up never re-signs the root clients hold. \
         Start the repository over: delete Secret and ConfigMap of the tuf component (or run \
         `sigstore-up teardown --yes`), install again, and hand clients the new root.json"
    )]
    RootExpired { expired: String },
    #[error("signing {0}")]
    Sign(String),
    #[error("a TUF target cannot be used: {0}")]
    Target(String),
    #[error("a time out of range: {0}")]
    Time(String),
}

/// Unix seconds as the timestamp type tough's metadata uses.
pub fn timestamp(seconds: i64) -> Result<jiff::Timestamp, TufError> {
    jiff::Timestamp::from_second(seconds).map_err(|e| TufError::Time(e.to_string()))
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
