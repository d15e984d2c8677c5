//! trusted_root.json: the keys and certificates a Sigstore client verifies against.
//!
//! The format is the protobuf JSON mapping of `TrustedRoot` (sigstore/protobuf-specs): camelCase
//! field names, `bytes` as standard padded base64, enums as their names, timestamps as RFC 3339
//! UTC. Clients (sigstore-go, hence cosign; sigstore-python) refuse unknown fields, so only
//! fields of the message are written. Fields appear in proto field-number order, as protojson
//! writes them, so the output is byte-identical for the same input.

use base64::Engine as _;
use serde::Serialize;

use super::keys::{CertificateChain, LogId, PublicKey};
use super::service_url::ServiceUrl;
use super::timestamp::Timestamp;

/// The only TrustedRoot media type sigstore-go (cosign v2/v3) and sigstore-python 4 accept.
/// The newer `application/vnd.dev.sigstore.trustedroot.v0.2+json` is refused by them.
pub const TRUSTED_ROOT_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

/// A transparency log (Rekor v1 or v2, or a CT log) as clients trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransparencyLog {
    /// How the log knows itself: `http://<checkpoint origin>` for Rekor, the submission URL
    /// for a CT log. The same in every audience: verifiers match a checkpoint's signer name
    /// against it, and Rekor v2's log ID is derived from the origin.
    pub base_url: ServiceUrl,
    pub public_key: PublicKey,
    /// How entries and SCTs name the log (see `PublicKey::log_id`, `PublicKey::note_log_id`).
    pub log_id: LogId,
    /// Start of the key's validity. Must not be later than the first entry the log signed, nor
    /// later than "now" on the client (sigstore-python ignores CT keys that are not yet valid).
    pub valid_from: Timestamp,
}

/// A Fulcio CA as clients trust it. Its validity starts at the root's notBefore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateAuthority {
    pub url: ServiceUrl,
    pub chain: CertificateChain,
}

/// Everything trusted_root.json says: one Rekor log, one CT log, one Fulcio CA, and the
/// timestamp authority when the stack runs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    pub rekor: TransparencyLog,
    pub ctlog: TransparencyLog,
    pub fulcio: CertificateAuthority,
    /// Same shape as a CA (`CertificateAuthority` message): subject, uri, chain, validity.
    pub tsa: Option<CertificateAuthority>,
}

impl TrustedRoot {
    /// Pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        to_pretty_json(&self.to_wire())
    }

    pub(super) fn to_wire(&self) -> WireTrustedRoot {
        WireTrustedRoot {
            media_type: TRUSTED_ROOT_MEDIA_TYPE,
            tlogs: vec![WireTransparencyLogInstance::from(&self.rekor)],
            certificate_authorities: vec![WireCertificateAuthority::from(&self.fulcio)],
            ctlogs: vec![WireTransparencyLogInstance::from(&self.ctlog)],
            timestamp_authorities: self
                .tsa
                .iter()
                .map(WireCertificateAuthority::from)
                .collect(),
        }
    }
}

pub(super) fn to_pretty_json(value: &impl Serialize) -> String {
    let mut json = serde_json::to_string_pretty(value).expect("trust JSON always serializes");
    json.push('\n');
    json
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// The wire shapes below mirror protobuf-specs messages field for field; names are the JSON
// mapping's, fields in field-number order. Empty optional fields are left out, as protojson does.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireTrustedRoot {
    media_type: &'static str,
    tlogs: Vec<WireTransparencyLogInstance>,
    certificate_authorities: Vec<WireCertificateAuthority>,
    ctlogs: Vec<WireTransparencyLogInstance>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    timestamp_authorities: Vec<WireCertificateAuthority>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireTransparencyLogInstance {
    base_url: String,
    hash_algorithm: &'static str,
    public_key: WirePublicKey,
    log_id: WireLogId,
}

impl From<&TransparencyLog> for WireTransparencyLogInstance {
    fn from(log: &TransparencyLog) -> Self {
        WireTransparencyLogInstance {
            base_url: log.base_url.to_string(),
            // Rekor v1 (Trillian), Rekor v2 (tiles) and CT logs build RFC 6962 trees over SHA-256.
            hash_algorithm: "SHA2_256",
            public_key: WirePublicKey {
                raw_bytes: base64(log.public_key.spki_der()),
                key_details: log.public_key.key_details().as_str(),
                valid_for: WireTimeRange::starting(log.valid_from),
            },
            log_id: WireLogId {
                key_id: log.log_id.to_base64(),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WirePublicKey {
    raw_bytes: String,
    key_details: &'static str,
    valid_for: WireTimeRange,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireLogId {
    key_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireTimeRange {
    start: String,
}

impl WireTimeRange {
    pub(super) fn starting(start: Timestamp) -> Self {
        WireTimeRange {
            start: start.to_rfc3339(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireCertificateAuthority {
    subject: WireDistinguishedName,
    uri: String,
    cert_chain: WireCertificateChain,
    valid_for: WireTimeRange,
}

impl From<&CertificateAuthority> for WireCertificateAuthority {
    fn from(ca: &CertificateAuthority) -> Self {
        WireCertificateAuthority {
            subject: WireDistinguishedName {
                organization: ca.chain.root_organization().map(str::to_string),
                common_name: ca.chain.root_common_name().map(str::to_string),
            },
            uri: ca.url.to_string(),
            cert_chain: WireCertificateChain {
                certificates: ca
                    .chain
                    .certificates_der()
                    .iter()
                    .map(|der| WireCertificate {
                        raw_bytes: base64(der),
                    })
                    .collect(),
            },
            valid_for: WireTimeRange::starting(ca.chain.root_not_before()),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireDistinguishedName {
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    common_name: Option<String>,
}

#[derive(Serialize)]
struct WireCertificateChain {
    certificates: Vec<WireCertificate>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireCertificate {
    raw_bytes: String,
}
