//! signing_config.json (v0.2): which services a client signs with. And the ClientTrustConfig
//! that carries trusted root and signing config in one file (sigstore-python `--trust-config`).
//!
//! Same JSON mapping rules as trusted_root.json (see there).

use serde::Serialize;

use super::service_url::ServiceUrl;
use super::timestamp::Timestamp;
use super::trusted_root::{TrustedRoot, WireTimeRange, WireTrustedRoot, to_pretty_json};

/// The only SigningConfig media type sigstore-go (cosign) and sigstore-python 4 accept.
pub const SIGNING_CONFIG_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

pub const CLIENT_TRUST_CONFIG_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

/// Who runs the services, as a scheme-less URI. Clients use at most one service per operator.
pub const DEFAULT_OPERATOR: &str = "sigstore-up.local";

/// Fulcio, the OIDC issuer, Rekor (v1 or v2) and the timestamp authority (if any) of one
/// stack, as one audience reaches them (in-cluster Service DNS names, or forwarded ports on the
/// host). Without a TSA `tsaUrls` is empty, which clients read as "do not timestamp".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningConfig {
    /// Fulcio's base URL (clients append `/api/v2/signingCert`).
    pub fulcio_url: ServiceUrl,
    /// The OIDC issuer, exactly as it appears in tokens' `iss`. Used only by interactive
    /// logins; a client given a token does not contact it.
    pub oidc_issuer: ServiceUrl,
    /// Rekor's base URL (clients append `/api/v1/log/entries` or `/api/v2/log/entries`).
    pub rekor_url: ServiceUrl,
    /// 1 for Rekor on Trillian, 2 for Rekor on tiles: clients pick the API by it.
    pub rekor_major_api_version: u32,
    /// The timestamp authority's full timestamping URL (`…/api/v1/timestamp`), if any.
    pub tsa_url: Option<ServiceUrl>,
    /// Start of every service's validity. Clients skip services whose start is later than
    /// their clock, so this must be a fixed time in the past, never "now".
    pub valid_from: Timestamp,
    pub operator: String,
}

impl SigningConfig {
    /// Pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        to_pretty_json(&self.to_wire())
    }

    fn to_wire(&self) -> WireSigningConfig {
        // Fulcio v1 (serving /api/v2), OIDC and the TSA speak major API version 1; Rekor 1 or 2.
        let service = |url: &ServiceUrl, major_api_version: u32| WireService {
            url: url.to_string(),
            major_api_version,
            valid_for: WireTimeRange::starting(self.valid_from),
            operator: self.operator.clone(),
        };
        WireSigningConfig {
            media_type: SIGNING_CONFIG_MEDIA_TYPE,
            ca_urls: vec![service(&self.fulcio_url, 1)],
            oidc_urls: vec![service(&self.oidc_issuer, 1)],
            rekor_tlog_urls: vec![service(&self.rekor_url, self.rekor_major_api_version)],
            rekor_tlog_config: WireServiceConfiguration { selector: "ANY" },
            tsa_urls: self.tsa_url.iter().map(|url| service(url, 1)).collect(),
            tsa_config: WireServiceConfiguration { selector: "ANY" },
        }
    }
}

/// Trusted root and signing config in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTrustConfig {
    pub trusted_root: TrustedRoot,
    pub signing_config: SigningConfig,
}

impl ClientTrustConfig {
    /// Pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        to_pretty_json(&WireClientTrustConfig {
            media_type: CLIENT_TRUST_CONFIG_MEDIA_TYPE,
            trusted_root: self.trusted_root.to_wire(),
            signing_config: self.signing_config.to_wire(),
        })
    }
}

// Wire shapes: protobuf-specs `SigningConfig`, `Service`, `ServiceConfiguration`,
// `ClientTrustConfig`, fields in field-number order.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSigningConfig {
    media_type: &'static str,
    ca_urls: Vec<WireService>,
    oidc_urls: Vec<WireService>,
    rekor_tlog_urls: Vec<WireService>,
    rekor_tlog_config: WireServiceConfiguration,
    tsa_urls: Vec<WireService>,
    tsa_config: WireServiceConfiguration,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireService {
    url: String,
    major_api_version: u32,
    valid_for: WireTimeRange,
    operator: String,
}

#[derive(Serialize)]
struct WireServiceConfiguration {
    selector: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireClientTrustConfig {
    media_type: &'static str,
    trusted_root: WireTrustedRoot,
    signing_config: WireSigningConfig,
}
