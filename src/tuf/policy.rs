//! A policy-controller `TrustRoot` (policy.sigstore.dev/v1alpha1) for this instance, in its
//! repository form: the TUF root and a snapshot of the in-cluster repository (`mirrorFS`, a
//! base64 tar.gz with everything under `repository/`), so policy-controller needs no network
//! access to the mirror. Field names are those of policy-controller's
//! `pkg/apis/policy/v1alpha1/trustroot_types.go` (`root` and `mirrorFS` are Go `[]byte`, i.e.
//! base64 in JSON/YAML; `targets` is the targets directory).
//!
//! The snapshot carries the repository's timestamp: apply the manifest again after an install
//! re-signed it (`sigstore-up trust --policy-controller FILE` writes the current one).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;

use super::TufError;
use super::mirror::tar_gz;
use super::repository::{Files, TARGETS_DIR};

/// The manifest as YAML, ready for `kubectl apply -f`. `name` is the TrustRoot's name (what a
/// ClusterImagePolicy's `trustRootRef` names); `labels` go on its metadata.
pub fn trust_root_manifest(
    name: &str,
    labels: &std::collections::BTreeMap<String, String>,
    root_json: &[u8],
    repository: &Files,
) -> Result<String, TufError> {
    let manifest = json!({
        "apiVersion": "policy.sigstore.dev/v1alpha1",
        "kind": "TrustRoot",
        "metadata": { "name": name, "labels": labels },
        "spec": {
            "repository": {
                "root": BASE64.encode(root_json),
                "mirrorFS": BASE64.encode(tar_gz(repository)?),
                "targets": TARGETS_DIR,
            }
        }
    });
    let mut text = String::from(
        "# policy-controller TrustRoot of this Sigstore instance: its TUF root and a snapshot of its\n\
         # in-cluster TUF repository. Written by `sigstore-up trust --policy-controller`; apply it\n\
         # again after an install re-signed the repository (its timestamp expires).\n",
    );
    text.push_str(
        &serde_yaml_ng::to_string(&manifest)
            .map_err(|e| TufError::Target(format!("writing the TrustRoot manifest: {e}")))?,
    );
    Ok(text)
}
