//! sigstore-python (the real client, `python -m sigstore`) loads our client_trust_config.json.
//!
//! No Sigstore services run here, so the checks stop where a real service would be needed,
//! and assert that the client got *past* loading our files to a point that uses their content:
//! - verify: a bundle whose certificate our Fulcio root issued, with an SCT from our CT log key,
//!   gets through chain, SCT and identity checks and fails only at the Rekor entry (no Rekor
//!   runs here, so its promise is not really signed). Controls show each step is real: no SCT
//!   or an SCT from another log fails at the SCT, a foreign root fails at the chain, and a
//!   broken trust config fails while loading.
//! - sign: with a (syntactically valid, unsigned) token the client picks Fulcio from our
//!   signing config and tries to reach it: the connection error names our Fulcio URL.
//!
//! The venv: SIGSTORE_UP_TEST_SIGSTORE_PYTHON names its python, default
//! target/sigstore-python/bin/python (see `support::sigstore_python()` for how to create it).

use std::path::Path;
use std::process::{Command, Output};

use crate::support::trust::*;
use crate::support::{free_port, run, sigstore_python, text};
use serde_json::json;
use sigstore_up::trust::{Endpoints, TrustBundle, file_names};

/// Runs `python -m sigstore --trust-config <config> <args>` with a scratch HOME, so no TUF
/// cache or network is involved.
fn sigstore(home: &Path, trust_config: &Path, args: &[&str]) -> Output {
    run(Command::new(sigstore_python())
        .env("HOME", home)
        // rich wraps log lines at the terminal width; keep messages on one line.
        .env("COLUMNS", "400")
        .env_remove("SIGSTORE_IDENTITY_TOKEN")
        .args(["-m", "sigstore", "--trust-config"])
        .arg(trust_config)
        .args(args))
}

#[test]
fn verify_uses_our_fulcio_root_from_the_trust_config() {
    let stack = TestStack::generate();
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let written = TrustBundle::new(&stack.material(), host_endpoints())
        .write_to_dir(&work.path().join("trust"))
        .unwrap();
    let trust_config = written.dir.join(file_names::CLIENT_TRUST_CONFIG);
    let rekor_log_id = stack.material().rekor_public_key.log_id().to_base64();

    let artifact = work.path().join("artifact.txt");
    write(&artifact, "signed by a test\n");
    let artifact_bytes = std::fs::read(&artifact).unwrap();
    let verify = |bundle: &str, trust_config: &Path| {
        let bundle_path = work.path().join("artifact.sigstore.json");
        write(&bundle_path, bundle);
        let output = sigstore(
            &home,
            trust_config,
            &[
                "verify",
                "identity",
                "--offline",
                "--bundle",
                bundle_path.to_str().unwrap(),
                "--cert-identity",
                IDENTITY,
                "--cert-oidc-issuer",
                OIDC_ISSUER,
                artifact.to_str().unwrap(),
            ],
        );
        assert!(
            !output.status.success(),
            "must not verify: {}",
            text(&output)
        );
        text(&output)
    };

    // Issued by our root, SCT from our CT log: chain, SCT and identity pass; what fails is
    // the Rekor entry, whose promise no real Rekor signed.
    let complete = verify(
        &bundle_signed_under(
            &stack.fulcio_root,
            Some(&stack.ctlog_key),
            &rekor_log_id,
            &artifact_bytes,
        ),
        &trust_config,
    );
    assert!(complete.contains("invalid log entry"), "{complete}");

    // Issued by our root without an SCT: the chain verifies, the missing SCT is what fails.
    let ours = verify(
        &bundle_signed_under(&stack.fulcio_root, None, &rekor_log_id, &artifact_bytes),
        &trust_config,
    );
    assert!(
        ours.contains("failed to verify SCT on signing certificate"),
        "{ours}"
    );
    assert!(!ours.contains("certificate chain"), "{ours}");

    // An SCT from a log that is not in our file: the SCT is what fails.
    let stranger = new_p256_key();
    let unknown_log = verify(
        &bundle_signed_under(
            &stack.fulcio_root,
            Some(&stranger),
            &rekor_log_id,
            &artifact_bytes,
        ),
        &trust_config,
    );
    assert!(
        unknown_log.contains("failed to verify SCT on signing certificate"),
        "{unknown_log}"
    );

    // Issued by a root that is not in our file: the chain is what fails.
    let foreign_ca = TestCa::root("elsewhere", "foreign root", (2025, 12, 31));
    let foreign = verify(
        &bundle_signed_under(
            &foreign_ca,
            Some(&stack.ctlog_key),
            &rekor_log_id,
            &artifact_bytes,
        ),
        &trust_config,
    );
    assert!(
        foreign.contains("failed to build timestamp certificate chain"),
        "{foreign}"
    );

    // A trust config clients cannot read fails before any of that.
    let mut broken: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&trust_config).unwrap()).unwrap();
    broken["trustedRoot"]["tlogs"][0]["publicKey"]["unknownField"] = json!(1);
    let broken_path = work.path().join("broken_trust_config.json");
    write(&broken_path, broken.to_string());
    let unreadable = verify(
        &bundle_signed_under(&stack.fulcio_root, None, &rekor_log_id, &artifact_bytes),
        &broken_path,
    );
    assert!(!unreadable.contains("failed to verify SCT"), "{unreadable}");
    assert!(!unreadable.contains("certificate chain"), "{unreadable}");
    assert!(
        unreadable.contains("validation error for ClientTrustConfig"),
        "{unreadable}"
    );
}

#[test]
fn sign_picks_fulcio_from_our_signing_config() {
    let stack = TestStack::generate();
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let port = free_port();
    let fulcio = format!("http://127.0.0.1:{port}");
    let endpoints = Endpoints {
        fulcio: url(&fulcio),
        ..host_endpoints()
    };
    let written = TrustBundle::new(&stack.material(), endpoints)
        .write_to_dir(&work.path().join("trust"))
        .unwrap();
    let artifact = work.path().join("artifact.txt");
    write(&artifact, "to be signed\n");
    let bundle = work.path().join("artifact.sigstore.json");

    let output = sigstore(
        &home,
        &written.dir.join(file_names::CLIENT_TRUST_CONFIG),
        &[
            "sign",
            "--identity-token",
            &unsigned_token(),
            "--bundle",
            bundle.to_str().unwrap(),
            artifact.to_str().unwrap(),
        ],
    );
    let text = text(&output);
    assert!(!output.status.success(), "{text}");
    // urllib3's words: "HTTPConnectionPool(host='127.0.0.1', port=N): ... url: /api/v2/signingCert".
    assert!(
        text.contains(&format!("host='127.0.0.1', port={port}")),
        "{text}"
    );
    assert!(text.contains("url: /api/v2/signingCert"), "{text}");
    assert!(!bundle.exists());
}
