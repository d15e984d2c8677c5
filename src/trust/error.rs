//! Bad input to the trust builders. Every message names what is wrong and how to fix it.

/// Returned when keys, certificates, URLs or environment entries given to `trust` cannot be
/// used. Writing files reports `std::io` problems through `anyhow` instead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrustInputError {
    #[error("public key: {0}")]
    PublicKey(String),

    #[error("certificate chain: {0}")]
    CertificateChain(String),

    #[error("URL {url:?}: {reason}")]
    Url { url: String, reason: String },

    #[error("environment variable {name:?}: {reason}")]
    EnvEntry { name: String, reason: String },
}
