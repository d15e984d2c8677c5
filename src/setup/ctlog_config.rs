//! The CT log's configuration: a text-format `configpb.LogMultiConfig` for ct_server
//! (certificate-transparency-go v1.3.3, started without `--log_rpc_server`), with one Trillian
//! backend and one log.
//!
//! The rendered text holds the private key itself (`keyspb.PrivateKey { der }`), so treat it
//! as secret material.

use super::certs::EcKeyPair;
use super::trillian::TreeId;

/// Everything the CT log's configuration names.
#[derive(Debug, Clone)]
pub struct CtLogConfig {
    /// `host:port` of the Trillian log server's gRPC endpoint, as ct_server will dial it.
    pub trillian_address: String,
    /// The Trillian tree that stores this log.
    pub tree_id: TreeId,
    /// URL prefix of the log: its API is served under `/<prefix>/ct/v1/`.
    pub prefix: String,
    /// Paths (inside ct_server's filesystem) of PEM files with the roots the log accepts
    /// chains to: Fulcio's root.
    pub roots_pem_files: Vec<String>,
    /// The signing key, rendered into the config as unencrypted PKCS#8 DER.
    pub private_key: EcKeyPair,
    /// SPKI DER of the signing key; ct_server refuses to start if it does not match the key.
    pub public_key_der: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CtLogConfigError {
    #[error(
        "the CT log prefix {0:?} must be non-empty and use only letters, digits, '-', '_' and '.'"
    )]
    BadPrefix(String),
    #[error("the CT log needs a Trillian tree id (got 0)")]
    NoTree,
    #[error("the CT log needs at least one roots PEM file (Fulcio's root)")]
    NoRoots,
    #[error("the CT log configuration is missing {0}")]
    Missing(&'static str),
}

/// The name of the single Trillian backend in the rendered config.
const BACKEND_NAME: &str = "trillian";

/// Renders the text proto. Pure: the same input gives the same text.
pub fn render(config: &CtLogConfig) -> Result<String, CtLogConfigError> {
    validate(config)?;
    let mut out = String::new();
    out.push_str("backends {\n  backend {\n");
    out.push_str(&format!("    name: {}\n", quote(BACKEND_NAME.as_bytes())));
    out.push_str(&format!(
        "    backend_spec: {}\n",
        quote(config.trillian_address.as_bytes())
    ));
    out.push_str("  }\n}\n");
    out.push_str("log_configs {\n  config {\n");
    out.push_str(&format!("    log_id: {}\n", config.tree_id.0));
    out.push_str(&format!(
        "    prefix: {}\n",
        quote(config.prefix.as_bytes())
    ));
    for root in &config.roots_pem_files {
        out.push_str(&format!("    roots_pem_file: {}\n", quote(root.as_bytes())));
    }
    out.push_str("    private_key {\n      [type.googleapis.com/keyspb.PrivateKey] {\n");
    out.push_str(&format!(
        "        der: {}\n",
        quote(&config.private_key.to_pkcs8_der())
    ));
    out.push_str("      }\n    }\n");
    out.push_str(&format!(
        "    public_key {{\n      der: {}\n    }}\n",
        quote(&config.public_key_der)
    ));
    // Fulcio's certificates carry the code-signing EKU; the log takes nothing else.
    out.push_str(&format!("    ext_key_usages: {}\n", quote(b"CodeSigning")));
    out.push_str(&format!(
        "    log_backend_name: {}\n",
        quote(BACKEND_NAME.as_bytes())
    ));
    out.push_str("  }\n}\n");
    Ok(out)
}

fn validate(config: &CtLogConfig) -> Result<(), CtLogConfigError> {
    let prefix_ok = !config.prefix.is_empty()
        && config
            .prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !prefix_ok {
        return Err(CtLogConfigError::BadPrefix(config.prefix.clone()));
    }
    if config.tree_id.0 == 0 {
        return Err(CtLogConfigError::NoTree);
    }
    if config.roots_pem_files.is_empty() {
        return Err(CtLogConfigError::NoRoots);
    }
    let required = [
        (config.trillian_address.is_empty(), "the Trillian address"),
        (config.public_key_der.is_empty(), "the public key"),
    ];
    if let Some((_, what)) = required.into_iter().find(|(missing, _)| *missing) {
        return Err(CtLogConfigError::Missing(what));
    }
    Ok(())
}

/// A text-format string literal. Printable ASCII stays as it is (except `"` and `\`); every
/// other byte becomes `\xHH`, which protobuf's text parser reads back as that byte.
fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &byte in bytes {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
    out
}
