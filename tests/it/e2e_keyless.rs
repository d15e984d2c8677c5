//! The end-to-end proof, run by every CI run on the REAL test cluster: `sigstore-up install` →
//! `sigstore-up forward --detach` → `sigstore-up token` → the real cosign signs a blob keyless
//! with that token, using only the files and URLs sigstore-up wrote → `cosign verify-blob` with
//! the emitted trusted root, the service account's identity and the issuer succeeds (Fulcio
//! chain, the embedded SCT and the Rekor entry are all checked: no skip or insecure flag) → a
//! tampered blob fails → a second client from another code base (sigstore-python) verifies the
//! same bundle with the same trust material → `teardown` leaves nothing of ours.
//!
//! #[ignore]d; run inside the cluster's network namespace (tests/run does):
//!   nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!     cargo test --test it e2e_keyless:: -- --ignored
//! cosign comes from SIGSTORE_UP_TEST_BIN (default /root/.cache/sigstore-up-test/bin, built by
//! tests/cluster/build), sigstore-python from SIGSTORE_UP_TEST_SIGSTORE_PYTHON (default
//! target/sigstore-python/bin/python, made by tests/run).

use crate::support::cluster::*;
use crate::support::e2e::*;
use crate::support::trust::IDENTITY;
use crate::support::{self, sigstore_python};

use std::path::Path;

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn keyless_cosign_round_trip_with_what_sigstore_up_wrote() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = support::cluster::ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let state = home.join(".local/state/sigstore-up/sigstore/host");

    let log = sigstore_up(home, &["install"]);
    assert!(log.status.success(), "install failed");
    let gate = String::from_utf8_lossy(&log.stderr)
        .lines()
        .find(|l| l.contains(" signable "))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(
        gate.contains("signed as https://kubernetes.io/namespaces/")
            && gate.contains("Rekor v1 entry"),
        "the gate's line: {gate:?}"
    );
    assert!(
        String::from_utf8_lossy(&log.stderr)
            .contains(&format!("written to {}", state.parent().unwrap().display()))
    );
    let forward = ok(
        sigstore_up(home, &["forward", "--detach"]),
        "forward --detach",
    );
    assert!(
        forward.contains("FULCIO_URL=http://127.0.0.1:5555"),
        "{forward}"
    );
    let token_file = token_file(home);

    // sigstore-python 4.5.1 cannot parse the bundle of a log's very first entry: protobuf JSON
    // leaves out its zero logIndex and its empty inclusion-proof hashes, and its models require
    // both. cosign verifies that bundle fine. So the log gets one entry first, and the bundle
    // both clients verify is a later one. (Install's gate already wrote entry 0; this test does
    // not rely on it.)
    let first = home.join("first.txt");
    std::fs::write(&first, "the log's first entry\n").unwrap();
    cosign_sign(
        home,
        &state,
        &token_file,
        &first,
        &home.join("first.sigstore.json"),
    );

    let artifact = home.join("artifact.txt");
    std::fs::write(&artifact, "hello from the private Sigstore stack\n").unwrap();
    let bundle = home.join("artifact.sigstore.json");
    cosign_sign(home, &state, &token_file, &artifact, &bundle);
    let bundle_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let entries = &bundle_json["verificationMaterial"]["tlogEntries"];
    assert_eq!(
        entries.as_array().map(Vec::len),
        Some(1),
        "one Rekor entry in the bundle: {bundle_json}"
    );
    assert!(
        entries[0]["inclusionProof"].is_object(),
        "the entry carries an inclusion proof"
    );

    let verify = |file: &Path| cosign_verify(home, &state, file, &bundle);
    assert!(verify(&artifact), "cosign rejected the bundle");

    let tampered = home.join("tampered.txt");
    std::fs::write(&tampered, "hello from the private Sigstore stack!\n").unwrap();
    assert!(!verify(&tampered), "cosign accepted a tampered blob");

    // A second, independent client: sigstore-python, with our ClientTrustConfig (the same
    // trusted root), offline (the bundle's inclusion proof and SET, no Rekor lookup).
    let trust_config = state.join("client_trust_config.json");
    let python_verify = |file: &Path| {
        run(
            home,
            &sigstore_python(),
            &[
                "-m".as_ref(),
                "sigstore".as_ref(),
                "--trust-config".as_ref(),
                trust_config.as_os_str(),
                "verify".as_ref(),
                "identity".as_ref(),
                "--offline".as_ref(),
                "--bundle".as_ref(),
                bundle.as_os_str(),
                "--cert-identity".as_ref(),
                IDENTITY.as_ref(),
                "--cert-oidc-issuer".as_ref(),
                "https://kubernetes.default.svc.cluster.local".as_ref(),
                file.as_os_str(),
            ],
        )
    };
    let out = python_verify(&artifact);
    assert!(out.status.success(), "sigstore-python rejected the bundle");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(&format!("OK: {}", artifact.display())),
        "sigstore-python says OK"
    );
    assert!(
        !python_verify(&tampered).status.success(),
        "sigstore-python accepted a tampered blob"
    );

    assert_no_secret_leaks(&cluster().await.client, home).await;
    ok(sigstore_up(home, &["forward", "--stop"]), "forward --stop");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}
