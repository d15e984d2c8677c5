//! What a stack's TUF repository holds for one audience: the trust files themselves (byte for
//! byte) and the legacy targets with Sigstore's custom metadata, the TSA chain only where the
//! stack runs a timestamp authority.

use crate::support::trust::*;
use serde_json::json;
use sigstore_up::trust::{CertificateChain, Endpoints, TrustBundle};
use sigstore_up::tuf::sigstore::targets_of;

fn by_name(bundle: &TrustBundle) -> Vec<(String, String, serde_json::Value)> {
    targets_of(bundle)
        .into_iter()
        .map(|t| {
            (
                t.name,
                String::from_utf8(t.bytes).unwrap(),
                serde_json::Value::Object(t.custom),
            )
        })
        .collect()
}

#[test]
fn the_targets_are_the_trust_files_and_the_legacy_keys() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), host_endpoints());
    let targets = by_name(&bundle);
    let names: Vec<&str> = targets.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "trusted_root.json",
            "signing_config.v0.2.json",
            "fulcio_v1.crt.pem",
            "rekor.pub",
            "ctfe.pub"
        ]
    );
    assert_eq!(targets[0].1, bundle.trusted_root.to_json());
    assert_eq!(targets[1].1, bundle.signing_config.to_json());
    assert_eq!(
        targets[0].2,
        json!({}),
        "no custom metadata on the documents"
    );
    assert_eq!(targets[3].1, stack.material().rekor_public_key.to_pem());
    assert_eq!(
        targets[3].2,
        json!({"sigstore": {"usage": "Rekor", "status": "Active", "uri": "http://127.0.0.1:41002"}})
    );
    assert_eq!(targets[2].2["sigstore"]["usage"], "Fulcio");
    assert_eq!(
        targets[4].2["sigstore"]["uri"],
        "http://127.0.0.1:41003/sigstorescaffolding"
    );
}

#[test]
fn a_timestamp_authority_adds_its_chain() {
    let stack = TestStack::generate();
    let tsa = TestCa::root("sigstore-up", "test TSA root", (2025, 12, 31));
    let mut material = stack.material();
    material.tsa_chain = Some(CertificateChain::parse(tsa.pem().as_bytes()).unwrap());
    let endpoints = Endpoints {
        tsa: Some(url("http://127.0.0.1:3004/api/v1/timestamp")),
        ..host_endpoints()
    };
    let targets = by_name(&TrustBundle::new(&material, endpoints));
    let (name, pem, custom) = targets.last().unwrap();
    assert_eq!(name, "tsa.certchain.pem");
    assert_eq!(pem, &tsa.pem());
    assert_eq!(custom["sigstore"]["usage"], "TSA");
    assert_eq!(
        custom["sigstore"]["uri"],
        "http://127.0.0.1:3004/api/v1/timestamp"
    );
}
