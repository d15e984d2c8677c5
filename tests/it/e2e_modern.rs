//! The modern profile end to end, on the REAL test cluster: `install --profile modern` (Rekor v2
//! on tiles, TesseraCT, a timestamp authority, Fulcio) → a second install changes nothing →
//! `forward --detach` → cosign v3 signs a blob keyless with only the emitted signing config and
//! trusted root (it picks Rekor v2 and the TSA from the signing config; the bundle carries a
//! Rekor v2 entry and a signed timestamp) → `verify-blob` with the trusted root and identity
//! (no insecure or skip flag) → a tampered blob fails → sigstore-python signs with
//! `--rekor-version 2` through the ClientTrustConfig and verifies → every log of both trusted
//! roots is named as its checkpoints name it → `status --probe` → teardown leaves nothing.
//! And the classic profile with `tsa.enabled`: its bundles carry a signed timestamp.
//!
//! #[ignore]d; tests/run runs it inside the cluster's network namespace (see e2e_keyless).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sigstore_up::cluster::Tunnel;

use crate::support::cluster::*;
use crate::support::e2e::*;
use crate::support::trust::IDENTITY;
use crate::support::{self, clean_command, raw_http_get, sigstore_python};

const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of the trust directory, by relative path.
fn trust_files(state: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for audience in ["cluster", "host"] {
        let dir = state.join(audience);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "env")
            .collect();
        names.sort();
        for name in names {
            files.push((
                format!("{audience}/{name}"),
                std::fs::read(dir.join(&name)).unwrap(),
            ));
        }
    }
    files
}

/// A checkpoint's origin line and its signatures: (signer name, 4-byte key hint).
fn checkpoint_signers(note: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let (text, signatures) = note.split_once("\n\n").expect("a signed note");
    let origin = text.lines().next().unwrap().to_string();
    let signers = signatures
        .lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, encoded) = line
                .strip_prefix("\u{2014} ")
                .and_then(|rest| rest.rsplit_once(' '))
                .unwrap_or_else(|| panic!("signature line {line:?}"));
            let bytes = BASE64.decode(encoded).unwrap();
            (name.to_string(), bytes[..4].to_vec())
        })
        .collect();
    (origin, signers)
}

/// The published checkpoint of a tile log, through a tunnel to its file server.
async fn tile_checkpoint(namespace: &str, service: &str) -> String {
    let cluster = cluster().await;
    let tunnel = Tunnel::to_service(&cluster, namespace, service, 8080, 0)
        .await
        .unwrap();
    let address = tunnel.local_addr();
    let response = tokio::task::spawn_blocking(move || raw_http_get(address, "/checkpoint"))
        .await
        .unwrap();
    let (_, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP body: {response}"));
    body.to_string()
}

/// In both audiences' trusted roots, each log's `baseUrl` contains the name its checkpoints
/// are signed as, and (for Rekor) the signature's key hint is the start of the log ID.
fn assert_logs_named_by_origin(state: &Path, rekor_note: &str, ctlog_note: &str) {
    for audience in ["cluster", "host"] {
        let root = json(&state.join(audience).join("trusted_root.json"));
        let (origin, signers) = checkpoint_signers(rekor_note);
        let tlog = &root["tlogs"][0];
        let base_url = tlog["baseUrl"].as_str().unwrap();
        let log_id = BASE64
            .decode(tlog["logId"]["keyId"].as_str().unwrap())
            .unwrap();
        assert!(
            signers
                .iter()
                .any(|(name, hint)| base_url.contains(name.as_str())
                    && *name == origin
                    && hint[..] == log_id[..4]),
            "{audience}: Rekor's baseUrl {base_url} / log ID do not match its checkpoint signers {signers:?}"
        );
        let (origin, signers) = checkpoint_signers(ctlog_note);
        let base_url = root["ctlogs"][0]["baseUrl"].as_str().unwrap();
        assert!(
            signers
                .iter()
                .any(|(name, _)| base_url.contains(name.as_str()) && *name == origin),
            "{audience}: the CT log's baseUrl {base_url} does not name its checkpoint signer {signers:?}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn modern_profile_signs_with_rekor_v2_and_a_signed_timestamp() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let state = home.join(".local/state/sigstore-up/sigstore");

    let install = sigstore_up(home, &["install", "--profile", "modern"]);
    let log = support::stderr(&install);
    ok(install, "install --profile modern");
    let gate = log
        .lines()
        .find(|l| l.contains(" signable "))
        .unwrap_or_default();
    for proved in ["signed as", "Rekor v2 entry", "timestamped by the TSA"] {
        assert!(
            gate.contains(proved),
            "{proved:?} not in the gate's line:\n{log}"
        );
    }
    let first = trust_files(&state);
    // Converges: same keys, same log IDs, byte-identical trust files.
    let again = sigstore_up(home, &["install", "--profile", "modern"]);
    assert!(again.status.success(), "second install failed");
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("created"),
        "a second install created something"
    );
    // Nothing changed since the first install: the fast path (only "compare" and "trust").
    assert!(
        support::stderr(&again).contains("unchanged since the last install"),
        "{}",
        support::stderr(&again)
    );
    assert_eq!(trust_files(&state), first, "the trust files changed");
    // The other profile on this instance is refused before anything changes.
    let other = sigstore_up(home, &["install", "--profile", "classic"]);
    assert_eq!(other.status.code(), Some(2));
    assert!(support::stderr(&other).contains("installed with profile modern"));

    let host = state.join("host");
    let signing_config = json(&host.join("signing_config.json"));
    assert_eq!(signing_config["rekorTlogUrls"][0]["majorApiVersion"], 2);
    assert!(
        signing_config["tsaUrls"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/timestamp")
    );
    let trusted_root = json(&host.join("trusted_root.json"));
    assert_eq!(
        trusted_root["tlogs"][0]["publicKey"]["keyDetails"],
        "PKIX_ED25519"
    );
    assert!(trusted_root["timestampAuthorities"][0]["certChain"].is_object());

    // Other commands act on the installed profile without being told.
    let forward = ok(
        sigstore_up(home, &["forward", "--detach"]),
        "forward --detach",
    );
    assert!(
        forward.contains("TSA_URL=http://127.0.0.1:3004"),
        "{forward}"
    );
    assert!(
        forward.contains("CTLOG_URL=http://127.0.0.1:6962"),
        "{forward}"
    );
    let env_file = ok(sigstore_up(home, &["env"]), "env");
    let env = std::fs::read_to_string(env_file.trim()).unwrap();
    assert!(
        env.contains("TSA_URL=http://127.0.0.1:3004"),
        "no TSA_URL in the env file"
    );
    let token = ok(sigstore_up(home, &["token"]), "token")
        .trim()
        .to_string();
    let token_file = home.join("oidc-token");
    std::fs::write(&token_file, &token).unwrap();

    let artifact = home.join("artifact.txt");
    std::fs::write(&artifact, "signed through Rekor v2\n").unwrap();
    let bundle = home.join("artifact.sigstore.json");
    cosign_sign(home, &host, &token_file, &artifact, &bundle);
    let bundle_json = json(&bundle);
    let entry = &bundle_json["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(
        entry["logId"]["keyId"], trusted_root["tlogs"][0]["logId"]["keyId"],
        "the entry names the Rekor v2 log: {bundle_json}"
    );
    assert_eq!(entry["kindVersion"]["version"], "0.0.2", "{bundle_json}");
    assert!(
        bundle_json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            [0]["signedTimestamp"]
            .is_string(),
        "the bundle carries a signed timestamp: {bundle_json}"
    );
    assert!(cosign_verify(home, &host, &artifact, &bundle));
    let tampered = home.join("tampered.txt");
    std::fs::write(&tampered, "signed through Rekor v2!\n").unwrap();
    assert!(
        !cosign_verify(home, &host, &tampered, &bundle),
        "cosign accepted a tampered blob"
    );

    // sigstore-python 4.5.1 signs with Rekor v2 and verifies, through the ClientTrustConfig.
    let trust_config = host.join("client_trust_config.json");
    let python_bundle = home.join("python.sigstore.json");
    let python = |args: &[&std::ffi::OsStr]| {
        let mut command = clean_command(sigstore_python(), home);
        command
            .args(["-m", "sigstore", "--trust-config"])
            .arg(&trust_config)
            .args(args)
            .env("SIGSTORE_IDENTITY_TOKEN", &token);
        let out = support::run(&mut command);
        crate::support::cli::show(&format!("sigstore-python {args:?}"), &out);
        out
    };
    let out = python(&[
        "sign".as_ref(),
        "--rekor-version".as_ref(),
        "2".as_ref(),
        "--bundle".as_ref(),
        python_bundle.as_os_str(),
        artifact.as_os_str(),
    ]);
    assert!(out.status.success(), "sigstore-python sign failed");
    let out = python(&[
        "verify".as_ref(),
        "identity".as_ref(),
        "--bundle".as_ref(),
        python_bundle.as_os_str(),
        "--cert-identity".as_ref(),
        IDENTITY.as_ref(),
        "--cert-oidc-issuer".as_ref(),
        ISSUER.as_ref(),
        artifact.as_os_str(),
    ]);
    assert!(out.status.success(), "sigstore-python verify failed");

    assert_logs_named_by_origin(
        &state,
        &tile_checkpoint("rekor-system", "rekor").await,
        &tile_checkpoint("ctlog-system", "ctlog").await,
    );
    assert_no_secret_leaks(&cluster().await.client, home).await;
    ok(sigstore_up(home, &["status", "--probe"]), "status --probe");

    ok(sigstore_up(home, &["forward", "--stop"]), "forward --stop");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn classic_with_a_tsa_signs_with_a_signed_timestamp() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let state = home.join(".local/state/sigstore-up/sigstore");
    let install = sigstore_up(home, &["install", "--set", "tsa.enabled=true"]);
    let log = support::stderr(&install);
    ok(install, "install with tsa.enabled");
    assert!(
        log.lines().any(|l| l.contains(" signable ")
            && l.contains("Rekor v1 entry")
            && l.contains("timestamped by the TSA")),
        "the gate's line:\n{log}"
    );
    ok(
        sigstore_up(home, &["forward", "--detach"]),
        "forward --detach",
    );
    let token = ok(sigstore_up(home, &["token"]), "token")
        .trim()
        .to_string();
    let token_file = home.join("oidc-token");
    std::fs::write(&token_file, &token).unwrap();
    let host = state.join("host");
    assert_eq!(
        json(&host.join("signing_config.json"))["rekorTlogUrls"][0]["majorApiVersion"],
        1
    );
    let artifact = home.join("artifact.txt");
    std::fs::write(&artifact, "classic, timestamped\n").unwrap();
    let bundle = home.join("artifact.sigstore.json");
    cosign_sign(home, &host, &token_file, &artifact, &bundle);
    let bundle_json = json(&bundle);
    assert!(
        bundle_json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            [0]["signedTimestamp"]
            .is_string(),
        "the bundle carries a signed timestamp: {bundle_json}"
    );
    assert!(cosign_verify(home, &host, &artifact, &bundle));
    ok(sigstore_up(home, &["status", "--probe"]), "status --probe");
    ok(sigstore_up(home, &["forward", "--stop"]), "forward --stop");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}
