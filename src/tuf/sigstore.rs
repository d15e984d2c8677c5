//! What a Sigstore TUF repository holds, by the names the public repository uses:
//! `trusted_root.json` and `signing_config.v0.2.json` (what cosign v3, sigstore-go and
//! sigstore-python read), plus the legacy targets older clients and policy-controller read,
//! each with Sigstore's custom metadata (`{"sigstore": {"usage", "status", "uri"}}`) saying
//! what it is for.

use serde_json::{Value, json};

use super::repository::TargetFile;
use crate::trust::TrustBundle;

/// Target names.
pub mod names {
    pub const TRUSTED_ROOT: &str = "trusted_root.json";
    pub const SIGNING_CONFIG: &str = "signing_config.v0.2.json";
    /// Fulcio's chain (PEM, root last).
    pub const FULCIO: &str = "fulcio_v1.crt.pem";
    pub const REKOR: &str = "rekor.pub";
    pub const CTFE: &str = "ctfe.pub";
    /// A timestamp authority's chain (PEM, leaf first), where the profile has one.
    pub const TSA: &str = "tsa.certchain.pem";
}

/// `usage` values of the custom metadata, as Sigstore's clients match them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Fulcio,
    Rekor,
    Ctfe,
    Tsa,
}

impl Usage {
    pub fn as_str(self) -> &'static str {
        match self {
            Usage::Fulcio => "Fulcio",
            Usage::Rekor => "Rekor",
            Usage::Ctfe => "CTFE",
            Usage::Tsa => "TSA",
        }
    }
}

/// A target that is the whole trust document (no custom metadata, as in the public repository).
pub fn document(name: &str, text: String) -> TargetFile {
    TargetFile {
        name: name.to_string(),
        bytes: text.into_bytes(),
        custom: serde_json::Map::new(),
    }
}

/// A legacy target: one key or chain, with what it is for, that it is in use, and where the
/// service it belongs to is reached.
pub fn legacy(name: &str, pem: String, usage: Usage, uri: &str) -> TargetFile {
    let custom = json!({ "sigstore": { "usage": usage.as_str(), "status": "Active", "uri": uri } });
    let Value::Object(custom) = custom else {
        unreachable!("a JSON object literal")
    };
    TargetFile {
        name: name.to_string(),
        bytes: pem.into_bytes(),
        custom,
    }
}

/// The targets of one audience's repository: its trusted root and signing config (the very
/// bytes of the trust files of that audience), and the legacy keys and chains.
pub fn targets_of(bundle: &TrustBundle) -> Vec<TargetFile> {
    let root = &bundle.trusted_root;
    let endpoints = &bundle.endpoints;
    let mut targets = vec![
        document(names::TRUSTED_ROOT, root.to_json()),
        document(names::SIGNING_CONFIG, bundle.signing_config.to_json()),
        legacy(
            names::FULCIO,
            root.fulcio.chain.to_pem(),
            Usage::Fulcio,
            endpoints.fulcio.as_str(),
        ),
        legacy(
            names::REKOR,
            root.rekor.public_key.to_pem(),
            Usage::Rekor,
            endpoints.rekor.as_str(),
        ),
        legacy(
            names::CTFE,
            root.ctlog.public_key.to_pem(),
            Usage::Ctfe,
            endpoints.ctlog.as_str(),
        ),
    ];
    if let Some(tsa) = &root.tsa {
        targets.push(legacy(
            names::TSA,
            tsa.chain.to_pem(),
            Usage::Tsa,
            tsa.url.as_str(),
        ));
    }
    targets
}
