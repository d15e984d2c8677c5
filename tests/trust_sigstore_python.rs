//! sigstore-python (the real client, `python -m sigstore`) loads our client_trust_config.json.
//!
//! No Sigstore services run here, so the checks stop where a real service would be needed,
//! and assert that the client got *past* loading our files to a point that uses their content:
//! - verify: a bundle whose signing certificate was issued by our Fulcio root fails at the SCT
//!   check, i.e. after the certificate chain was verified against the root from our file; the
//!   same bundle under a foreign root fails at the chain instead, and a broken trust config
//!   fails while loading. Distinguishing the three makes the first one meaningful.
//! - sign: with a (syntactically valid, unsigned) token the client picks Fulcio from our
//!   signing config and tries to reach it: the connection error names our Fulcio URL.
//!
//! The venv: SIGSTORE_UP_TEST_SIGSTORE_PYTHON names its python, default
//! target/sigstore-python/bin/python (see `sigstore_python()` for how to create it).

#[path = "trust_support.rs"]
mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sigstore_up::trust::{Endpoints, TrustBundle, file_names};
use support::*;

const IDENTITY: &str = "https://kubernetes.io/namespaces/default/serviceaccounts/default";

fn sigstore_python() -> PathBuf {
    let python = std::env::var_os("SIGSTORE_UP_TEST_SIGSTORE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sigstore-python/bin/python")
        });
    assert!(
        python.is_file(),
        "sigstore-python not found at {}: create it with\n  python3 -m venv target/sigstore-python \
         && target/sigstore-python/bin/pip install sigstore==4.5.1\nor point \
         SIGSTORE_UP_TEST_SIGSTORE_PYTHON at a python that has it",
        python.display()
    );
    python
}

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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn now() -> i64 {
    sigstore_up::trust::Timestamp::from(std::time::SystemTime::now()).unix_seconds()
}

/// A v0.3 bundle for `artifact` signed by a leaf certificate that `ca` issued: everything a
/// Fulcio + Rekor signing would produce, except that there is no SCT in the certificate and the
/// Rekor entry's promise and checkpoint are not real signatures (we run no Rekor). It is well
/// formed, so verification proceeds in order: time from the entry, chain, SCT, ...
fn bundle_signed_under(ca: &TestCa, rekor_log_id_b64: &str, artifact: &[u8]) -> String {
    let signing_time = now() - 60;
    let key = new_p256_key();
    let leaf = ca.issue_code_signing_leaf(
        &key,
        IDENTITY,
        OIDC_ISSUER,
        sigstore_up::trust::Timestamp::from_unix_seconds(signing_time - 60),
    );
    let signature: p256::ecdsa::Signature = key.sign(artifact);
    let signature_der = signature.to_der().as_bytes().to_vec();
    let digest = Sha256::digest(artifact);
    let leaf_pem = pem::encode(&pem::Pem::new("CERTIFICATE", leaf.clone()));
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": "sha256", "value": hex(&digest) } },
            "signature": {
                "content": b64(&signature_der),
                "publicKey": { "content": b64(leaf_pem.as_bytes()) }
            }
        }
    });
    let unsigned = b64(&[0u8; 71]);
    json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": { "rawBytes": b64(&leaf) },
            "tlogEntries": [{
                "logIndex": "0",
                "logId": { "keyId": rekor_log_id_b64 },
                "kindVersion": { "kind": "hashedrekord", "version": "0.0.1" },
                "integratedTime": signing_time.to_string(),
                "inclusionPromise": { "signedEntryTimestamp": unsigned },
                "inclusionProof": {
                    "logIndex": "0",
                    "rootHash": b64(&[0u8; 32]),
                    "treeSize": "1",
                    "hashes": [],
                    "checkpoint": { "envelope": "rekor.example - 1\n1\nAAAA\n\n— rekor.example AAAA\n" }
                },
                "canonicalizedBody": b64(body.to_string().as_bytes())
            }]
        },
        "messageSignature": {
            "messageDigest": { "algorithm": "SHA2_256", "digest": b64(&digest) },
            "signature": b64(&signature_der)
        }
    })
    .to_string()
}

fn text(output: &Output) -> String {
    format!(
        "exit {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
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

    // Issued by our root: the chain verifies, the (missing) SCT is what fails.
    let ours = verify(
        &bundle_signed_under(&stack.fulcio_root, &rekor_log_id, &artifact_bytes),
        &trust_config,
    );
    assert!(
        ours.contains("failed to verify SCT on signing certificate"),
        "{ours}"
    );
    assert!(!ours.contains("certificate chain"), "{ours}");

    // Issued by a root that is not in our file: the chain is what fails.
    let foreign_ca = TestCa::root("elsewhere", "foreign root", (2025, 12, 31));
    let foreign = verify(
        &bundle_signed_under(&foreign_ca, &rekor_log_id, &artifact_bytes),
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
        &bundle_signed_under(&stack.fulcio_root, &rekor_log_id, &artifact_bytes),
        &broken_path,
    );
    assert!(!unreadable.contains("failed to verify SCT"), "{unreadable}");
    assert!(!unreadable.contains("certificate chain"), "{unreadable}");
    assert!(
        unreadable.contains("validation error for ClientTrustConfig"),
        "{unreadable}"
    );
}

/// A JWT that passes sigstore-python's unverified claim checks (aud, iss, sub, iat, exp).
fn unsigned_token() -> String {
    let url = |value: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let now = now();
    format!(
        "{}.{}.{}",
        url(json!({ "alg": "RS256", "kid": "test", "typ": "JWT" })),
        url(json!({
            "aud": ["sigstore"],
            "iss": OIDC_ISSUER,
            "sub": "system:serviceaccount:default:default",
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 600,
        })),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0u8; 64]),
    )
}

/// A loopback port with nothing listening on it: bound, then released.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn sign_picks_fulcio_from_our_signing_config() {
    let stack = TestStack::generate();
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let port = closed_port();
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
