//! Trust from TUF only, on the REAL test cluster: `install --ci` (its environment names the host
//! mirror and root.json) → cosign in a scratch HOME runs `initialize --mirror --root`, then signs
//! and verifies a blob keyless with neither --trusted-root nor --signing-config (both come from
//! the repository) → sigstore-python 4.5.1 `trust-instance`, then `--instance <mirror>` sign and
//! `verify identity` → `status --probe` checks the served repository → `trust
//! --policy-controller` writes a TrustRoot whose mirrorFS verifies → a second install keeps
//! root.json byte for byte and signs nothing → a short timestamp lifetime lets the timestamp
//! expire (clients refuse the repository, the probe says so) → install makes it valid again,
//! with the same root.json. The modern profile's clients trust it through TUF alone too.
//!
//! #[ignore]d; run inside the cluster's network namespace (tests/run does):
//!   nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!     cargo test --test it cluster_tuf:: -- --ignored --test-threads=1
//! It uses the default instance and forward's default ports (3000, 5555, 5554, 6962, 8080).

use crate::support::cli::{self, SIGSTORE_UP};
use crate::support::cluster::*;
use crate::support::trust::IDENTITY;
use crate::support::{self, clean_command, sigstore_python, test_binary};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// Runs a command with its output in the test log (never a token: tokens go by file or env).
fn run(what: &str, command: &mut Command) -> Output {
    let out = support::run(command);
    cli::show(what, &out);
    out
}

fn sigstore_up(home: &Path, args: &[&str]) -> Output {
    run(
        &format!("sigstore-up {}", args.join(" ")),
        clean_command(SIGSTORE_UP, home)
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig())
            .env("CI", "true"),
    )
}

fn ok(out: &Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed");
    support::stdout(out)
}

/// cosign with a HOME of its own (its TUF cache is `$HOME/.sigstore`).
fn cosign(home: &Path, args: &[&str]) -> Output {
    run(
        &format!("cosign {}", args.join(" ")),
        clean_command(test_binary("cosign"), home).args(args),
    )
}

/// `python -m sigstore` with a HOME of its own (its TUF data is under `$HOME/.local`); the token
/// (when given) in SIGSTORE_IDENTITY_TOKEN, never on the command line.
fn sigstore_python_run(home: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut command = clean_command(sigstore_python(), home);
    command
        .args(["-m", "sigstore"])
        .args(args)
        .env("COLUMNS", "400");
    if let Some(token) = token {
        command.env("SIGSTORE_IDENTITY_TOKEN", token);
    }
    run(
        &format!("python -m sigstore {}", args.join(" ")),
        &mut command,
    )
}

/// `KEY=value` lines of an env file.
fn read_env(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn scratch(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Stops the detached forward and tears the stack down, also when the test fails.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        sigstore_up(&self.0, &["forward", "--stop"]);
        let out = sigstore_up(&self.0, &["teardown", "--yes"]);
        if !std::thread::panicking() {
            assert!(out.status.success(), "cleanup teardown failed");
        }
    }
}

/// When the host repository's timestamp expires (Unix seconds), as served through the forward.
fn served_timestamp_expiry(mirror: &str) -> i64 {
    let (status, body) = support::http_get(&format!("{mirror}/timestamp.json")).unwrap();
    assert_eq!(status, 200, "{body}");
    let timestamp: serde_json::Value = serde_json::from_str(&body).unwrap();
    let expires = timestamp["signed"]["expires"].as_str().unwrap();
    expires.parse::<jiff::Timestamp>().unwrap().as_second()
}

/// `cosign initialize` against the mirror in a fresh HOME.
fn cosign_initialize(work: &Path, name: &str, mirror: &str, root: &str) -> Output {
    let home = scratch(work, name);
    cosign(&home, &["initialize", "--mirror", mirror, "--root", root])
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn clients_trust_the_stack_through_its_tuf_repository_alone() {
    let work_dir = tempfile::tempdir().unwrap();
    let work = work_dir.path();
    let home = scratch(work, "home");
    let _cleanup = Cleanup(home.clone());
    let _explain = ExplainOnFailure {
        home: Some(home.clone()),
    };
    let state = home.join(".local/state/sigstore-up/sigstore");

    let out = sigstore_up(&home, &["install", "--ci"]);
    ok(&out, "install --ci");
    let log = support::stderr(&out);
    assert!(log.contains(" ok   tuf "), "{log}");
    assert!(log.contains("keys created"), "{log}");

    // The environment names the host mirror and the root, beside the other trust files.
    let env = read_env(&state.join("host/env"));
    let mirror = env["TUF_MIRROR"].clone();
    assert_eq!(mirror, "http://127.0.0.1:8080/host");
    let root_path = env["TUF_ROOT_JSON"].clone();
    assert_eq!(Path::new(&root_path), state.join("host/root.json"));
    let root = std::fs::read(&root_path).unwrap();
    assert_eq!(
        std::fs::read(state.join("cluster/root.json")).unwrap(),
        root
    );
    let cluster_env = read_env(&state.join("cluster/env"));
    assert_eq!(
        cluster_env["TUF_MIRROR"],
        "http://tuf.tuf-system.svc/cluster"
    );
    let token_file = work.join("oidc-token");
    std::fs::write(&token_file, &env["OIDC_TOKEN"]).unwrap();

    clients_sign_and_verify_through_tuf(
        work,
        &home,
        &mirror,
        &root_path,
        &token_file,
        &env["OIDC_TOKEN"],
    );

    // A policy-controller TrustRoot whose mirrorFS is a repository that verifies from its root.
    let manifest_path = work.join("trustroot.yaml");
    ok(
        &sigstore_up(
            &home,
            &[
                "trust",
                "--policy-controller",
                manifest_path.to_str().unwrap(),
            ],
        ),
        "trust --policy-controller",
    );
    let manifest: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["kind"].as_str(), Some("TrustRoot"));
    let repository = &manifest["spec"]["repository"];
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        b64.decode(repository["root"].as_str().unwrap()).unwrap(),
        root
    );
    let packed = b64
        .decode(repository["mirrorFS"].as_str().unwrap())
        .unwrap();
    let files = untar_repository(&packed);
    let base = url::Url::parse("http://mirror.invalid/").unwrap();
    let loaded = sigstore_up::tuf::verify::load(
        &root,
        &base,
        sigstore_up::tuf::verify::MemoryTransport(Arc::new(files)),
    )
    .await
    .expect("the TrustRoot's mirrorFS verifies from its root");
    let signing_config =
        String::from_utf8(loaded.files["signing_config.v0.2.json"].0.clone()).unwrap();
    assert!(
        signing_config.contains("http://fulcio.fulcio-system.svc"),
        "policy-controller gets the in-cluster repository: {signing_config}"
    );

    // Again, every stage (--full: no fast path): nothing is due, root.json stays byte for byte.
    let out = sigstore_up(&home, &["install", "--full"]);
    ok(&out, "second install");
    let log = support::stderr(&out);
    assert!(
        log.contains("keys exists; cluster unchanged") && log.contains("host unchanged"),
        "{log}"
    );
    assert_eq!(std::fs::read(&root_path).unwrap(), root);

    // A short timestamp lifetime: signed again at once (it was longer), then left to expire.
    let short = ["--set", "tuf.lifetimes.timestamp=30s"];
    let out = sigstore_up(&home, &[&["install"][..], &short].concat());
    ok(&out, "install with a 30s timestamp");
    assert!(support::stderr(&out).contains("host signed timestamp"));
    let expires = served_timestamp_expiry(&mirror);
    let wait = expires - sigstore_up::tuf::now() + 2;
    assert!((0..=35).contains(&wait), "expires in {wait}s");
    tokio::time::sleep(Duration::from_secs(wait as u64)).await;
    let out = cosign_initialize(work, "cosign-expired", &mirror, &root_path);
    assert!(
        !out.status.success(),
        "cosign initialize accepted an expired timestamp"
    );
    assert!(
        support::stderr(&out).to_lowercase().contains("expired"),
        "cosign says why"
    );
    let out = sigstore_up(&home, &["status", "--probe"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the probe sees the expired timestamp"
    );
    assert!(
        support::stdout(&out)
            .lines()
            .any(|l| l.starts_with("tuf repository") && l.contains("MISMATCH")),
        "{}",
        support::stdout(&out)
    );

    // Install brings it back: valid again, same root.
    let out = sigstore_up(&home, &[&["install"][..], &short].concat());
    ok(&out, "install after the timestamp expired");
    assert!(served_timestamp_expiry(&mirror) > sigstore_up::tuf::now());
    ok(
        &cosign_initialize(work, "cosign-renewed", &mirror, &root_path),
        "cosign initialize after install re-signed the timestamp",
    );
    assert_eq!(std::fs::read(&root_path).unwrap(), root);
    assert_eq!(
        std::fs::read(state.join("cluster/root.json")).unwrap(),
        root
    );
}

/// The files of a policy-controller mirrorFS (a tar.gz with everything under `repository/`).
fn untar_repository(packed: &[u8]) -> BTreeMap<String, Vec<u8>> {
    use std::io::Read as _;
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(packed)
        .read_to_end(&mut tar)
        .unwrap();
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(tar.as_slice());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let path = path
            .strip_prefix("repository/")
            .expect("under repository/")
            .to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(path, bytes);
    }
    files
}

/// cosign (initialize, then keyless sign-blob and verify-blob with neither --trusted-root nor
/// --signing-config) and sigstore-python (trust-instance, then --instance sign and verify
/// identity), each in a HOME of its own, with nothing but the mirror, root.json and a token; then
/// `status --probe` reads both repositories back.
fn clients_sign_and_verify_through_tuf(
    work: &Path,
    home: &Path,
    mirror: &str,
    root_path: &str,
    token_file: &Path,
    token: &str,
) {
    // cosign: trust from TUF only.
    let cosign_home = scratch(work, "cosign");
    ok(
        &cosign(
            &cosign_home,
            &["initialize", "--mirror", mirror, "--root", root_path],
        ),
        "cosign initialize",
    );
    let artifact = work.join("artifact.txt");
    std::fs::write(&artifact, "trusted through TUF\n").unwrap();
    let bundle = work.join("artifact.sigstore.json");
    let (artifact_arg, bundle_arg) = (artifact.to_str().unwrap(), bundle.to_str().unwrap());
    ok(
        &cosign(
            &cosign_home,
            &[
                "sign-blob",
                "--yes",
                "--identity-token",
                token_file.to_str().unwrap(),
                "--bundle",
                bundle_arg,
                artifact_arg,
            ],
        ),
        "cosign sign-blob (signing config from TUF)",
    );
    let verify = |file: &str| {
        cosign(
            &cosign_home,
            &[
                "verify-blob",
                "--bundle",
                bundle_arg,
                "--certificate-identity",
                IDENTITY,
                "--certificate-oidc-issuer",
                ISSUER,
                file,
            ],
        )
    };
    let out = verify(artifact_arg);
    assert!(
        out.status.success() && support::stderr(&out).contains("Verified OK"),
        "cosign verify-blob (trusted root from TUF)"
    );
    let tampered = work.join("tampered.txt");
    std::fs::write(&tampered, "trusted through TUF!\n").unwrap();
    assert!(
        !verify(tampered.to_str().unwrap()).status.success(),
        "cosign accepted a tampered blob"
    );

    // sigstore-python: trust-instance with the root, then --instance for sign and verify.
    let python_home = scratch(work, "python");
    ok(
        &sigstore_python_run(
            &python_home,
            None,
            &["--instance", mirror, "trust-instance", root_path],
        ),
        "sigstore trust-instance",
    );
    let python_artifact = work.join("python.txt");
    std::fs::write(&python_artifact, "signed by sigstore-python through TUF\n").unwrap();
    let python_bundle = work.join("python.sigstore.json");
    ok(
        &sigstore_python_run(
            &python_home,
            Some(token),
            &[
                "--instance",
                mirror,
                "sign",
                "--bundle",
                python_bundle.to_str().unwrap(),
                python_artifact.to_str().unwrap(),
            ],
        ),
        "sigstore --instance sign",
    );
    let out = sigstore_python_run(
        &python_home,
        None,
        &[
            "--instance",
            mirror,
            "verify",
            "identity",
            "--bundle",
            python_bundle.to_str().unwrap(),
            "--cert-identity",
            IDENTITY,
            "--cert-oidc-issuer",
            ISSUER,
            python_artifact.to_str().unwrap(),
        ],
    );
    ok(&out, "sigstore --instance verify identity");
    assert!(
        support::stdout(&out).contains(&format!("OK: {}", python_artifact.display()))
            || support::stderr(&out).contains(&format!("OK: {}", python_artifact.display())),
        "sigstore-python says OK"
    );

    // The probe reads the served repositories back as a client does.
    let out = sigstore_up(home, &["status", "--probe"]);
    assert_eq!(out.status.code(), Some(0), "status --probe");
    let table = support::stdout(&out);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("tuf repository") && l.contains(" ok ")),
        "{table}"
    );
}

/// The modern profile (Rekor v2, TesseraCT, a timestamp authority) serves its repository the same
/// way; its targets carry the TSA chain, and both clients sign (Rekor v2 and a signed timestamp)
/// and verify with nothing but the mirror and root.json.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn the_modern_profile_is_trusted_through_its_tuf_repository_alone() {
    let work_dir = tempfile::tempdir().unwrap();
    let work = work_dir.path();
    let home = scratch(work, "home");
    let _cleanup = Cleanup(home.clone());
    let _explain = ExplainOnFailure {
        home: Some(home.clone()),
    };
    let state = home.join(".local/state/sigstore-up/sigstore");

    let out = sigstore_up(&home, &["install", "--ci", "--profile", "modern"]);
    ok(&out, "install --ci --profile modern");
    assert!(support::stderr(&out).contains("keys created"));
    let env = read_env(&state.join("host/env"));
    let mirror = env["TUF_MIRROR"].clone();
    let root_path = env["TUF_ROOT_JSON"].clone();
    let (status, targets) = support::http_get(&format!("{mirror}/1.targets.json")).unwrap();
    assert_eq!(status, 200, "{targets}");
    let targets: serde_json::Value = serde_json::from_str(&targets).unwrap();
    let tsa = &targets["signed"]["targets"]["tsa.certchain.pem"];
    assert_eq!(tsa["custom"]["sigstore"]["usage"], "TSA", "{targets}");
    assert_eq!(tsa["custom"]["sigstore"]["status"], "Active");
    let token_file = work.join("oidc-token");
    std::fs::write(&token_file, &env["OIDC_TOKEN"]).unwrap();

    clients_sign_and_verify_through_tuf(
        work,
        &home,
        &mirror,
        &root_path,
        &token_file,
        &env["OIDC_TOKEN"],
    );
}
