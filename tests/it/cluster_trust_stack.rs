//! The whole CI path on the REAL test cluster: `install --ci` (full stack, trust files, detached
//! forward, token, env and the GitHub files), then the real cosign signs and verifies a blob
//! through the forwarded ports with nothing but that environment, `status --probe` confirms
//! the served keys, and notices when the trusted key is not the one Rekor signs with.
//!
//! Runs its own instance in its own namespaces (sigstore-up-test-ci6-stack-*), so it does not
//! touch the default instance of the other cluster tests; it tears it down in a Drop guard.
//! #[ignore]d; run inside the cluster's network namespace:
//!
//! ```text
//! nsenter --net=/run/netns/sigstore-up-test env \
//!   SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!   cargo test --test it cluster_trust_stack:: -- --ignored --test-threads=1
//! ```
//! It uses the ports recorded for its instance (ports.json in its state directory).

use crate::support::cluster::*;
use crate::support::trust::IDENTITY;
use crate::support::{cli, run, stderr, test_binary};

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::PostParams;
use sigstore_up::setup::certs::EcKeyPair;

const INSTANCE: &str = "ci6-stack";
const NAMESPACE_PREFIX: &str = "sigstore-up-test-ci6-stack";

/// A HOME, a values file naming our instance and namespaces, and the GitHub files.
struct Setup {
    home: tempfile::TempDir,
    values: PathBuf,
    github_env: PathBuf,
    github_output: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let home = tempfile::tempdir().unwrap();
        let values = home.path().join("values.yaml");
        std::fs::write(
            &values,
            format!(
                "instance: {INSTANCE}\nnamespaces:\n  trillian: {NAMESPACE_PREFIX}-trillian\n  rekor: {NAMESPACE_PREFIX}-rekor\n  \
                 ctlog: {NAMESPACE_PREFIX}-ctlog\n  fulcio: {NAMESPACE_PREFIX}-fulcio\n"
            ),
        )
        .unwrap();
        let github_env = home.path().join("github_env");
        let github_output = home.path().join("github_output");
        Setup {
            home,
            values,
            github_env,
            github_output,
        }
    }

    fn state_dir(&self) -> PathBuf {
        self.home
            .path()
            .join(".local/state/sigstore-up")
            .join(INSTANCE)
    }

    /// sigstore-up with our values, kubeconfig, HOME and GitHub files.
    fn run(&self, args: &[&str]) -> Output {
        let out = run(cli::sigstore_up(self.home.path())
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig())
            .arg("-f")
            .arg(&self.values)
            .env("GITHUB_ENV", &self.github_env)
            .env("GITHUB_OUTPUT", &self.github_output));
        cli::show(&format!("sigstore-up {}", args.join(" ")), &out);
        out
    }
}

impl Drop for Setup {
    /// Stops the forward and tears the instance down, also when the test failed.
    fn drop(&mut self) {
        let _ = self.run(&["forward", "--stop"]);
        let out = self.run(&["teardown", "--yes"]);
        if !std::thread::panicking() {
            assert!(out.status.success(), "cleanup teardown failed");
        }
    }
}

/// `KEY=value` lines of an env file (values are bare: URLs, paths, a JWT).
fn read_env(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn cosign_run(home: &Path, args: &[&OsStr]) -> Output {
    let out = run(Command::new(test_binary("cosign"))
        .args(args)
        .env_clear()
        .env("HOME", home));
    cli::show(&format!("cosign {args:?}"), &out);
    out
}

/// The trust files of both audiences, except the host env file (it holds a fresh token).
fn trust_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for audience in ["cluster", "host"] {
        for entry in std::fs::read_dir(dir.join(audience)).unwrap() {
            let path = entry.unwrap().path();
            if !(audience == "host" && path.ends_with("env")) {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn install_ci_signs_with_cosign_and_status_probe_checks_the_keys() {
    let setup = Setup::new();
    let state = setup.state_dir();

    let out = setup.run(&["install", "--ci", "--timeout", "300s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains(&format!("written to {}", state.display())),
        "the trust stage names its directory: {log}"
    );
    assert!(log.contains("forward started (pid"), "{log}");
    assert!(
        log.contains("appended to $GITHUB_ENV and $GITHUB_OUTPUT"),
        "{log}"
    );

    // The environment a CI step gets, and nothing else, is enough to sign and verify.
    let env = read_env(&state.join("host/env"));
    assert_eq!(env, read_env(&setup.github_env), "the same in $GITHUB_ENV");
    // Not the default instance: its forward ports were chosen and recorded in its state dir.
    let ports: std::collections::BTreeMap<String, u16> =
        serde_json::from_str(&std::fs::read_to_string(state.join("ports.json")).unwrap()).unwrap();
    assert_eq!(
        env["REKOR_URL"],
        format!("http://127.0.0.1:{}", ports["rekor"])
    );
    let token = &env["OIDC_TOKEN"];
    // cosign reads the token from a file, so that it never appears in a command line or this log
    let token_file = setup.home.path().join("oidc-token");
    std::fs::write(&token_file, token).unwrap();
    assert!(!log.contains(token.as_str()), "the token is never logged");
    assert!(
        log.lines()
            .any(|l| l.contains("signable") && l.contains("signed as")),
        "the gate's line: {log}"
    );
    assert!(
        !std::fs::read_to_string(&setup.github_output)
            .unwrap()
            .contains(token.as_str())
    );
    let artifact = setup.home.path().join("artifact.txt");
    std::fs::write(&artifact, "signed in CI\n").unwrap();
    let bundle = setup.home.path().join("artifact.sigstore.json");
    let out = cosign_run(
        setup.home.path(),
        &[
            "sign-blob".as_ref(),
            "--yes".as_ref(),
            "--signing-config".as_ref(),
            env["SIGNING_CONFIG"].as_ref(),
            "--trusted-root".as_ref(),
            env["TRUSTED_ROOT"].as_ref(),
            "--identity-token".as_ref(),
            token_file.as_os_str(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            artifact.as_os_str(),
        ],
    );
    assert!(out.status.success(), "cosign sign-blob: {}", stderr(&out));
    // Full verification: Fulcio chain, SCT from the CT log, Rekor inclusion, identity.
    let out = cosign_run(
        setup.home.path(),
        &[
            "verify-blob".as_ref(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            "--trusted-root".as_ref(),
            env["TRUSTED_ROOT"].as_ref(),
            "--certificate-identity".as_ref(),
            IDENTITY.as_ref(),
            "--certificate-oidc-issuer".as_ref(),
            env["ISSUER_URL"].as_ref(),
            artifact.as_os_str(),
        ],
    );
    assert!(out.status.success(), "cosign verify-blob: {}", stderr(&out));
    assert!(stderr(&out).contains("Verified OK"), "{}", stderr(&out));

    // The probes see the entry cosign just made, signed with the trusted keys.
    let out = setup.run(&["status", "--probe"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    for check in [
        "fulcio root certificate",
        "rekor public key",
        "rekor signed checkpoint",
        "ctlog signed tree head",
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(check) && l.contains(" ok ")),
            "{check} ok in:\n{table}"
        );
    }
    // Two entries in each log: install's gate made one round trip, cosign the other.
    assert!(table.contains("tree size 2, signed"), "{table}");

    // Again: the forward is kept, the trust files are the same bytes.
    let before = trust_files(&state);
    let out = setup.run(&["install", "--ci"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("forward already running (pid"),
        "{}",
        stderr(&out)
    );
    assert_eq!(trust_files(&state), before);

    // A Rekor key in the Secret that Rekor does not sign with: the probe says so, exit 1.
    let cluster = cluster().await;
    let secrets: Api<Secret> =
        Api::namespaced(cluster.client.clone(), &format!("{NAMESPACE_PREFIX}-rekor"));
    let mut secret = secrets.get("rekor-public-key").await.unwrap();
    secret.data = Some(BTreeMap::from([(
        "public".to_string(),
        ByteString(EcKeyPair::generate().public_key_pem().into_bytes()),
    )]));
    secrets
        .replace("rekor-public-key", &PostParams::default(), &secret)
        .await
        .unwrap();
    let out = setup.run(&["status", "--probe"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("rekor public key") && l.contains("MISMATCH")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("fulcio root certificate") && l.contains(" ok ")),
        "only Rekor differs: {table}"
    );
    assert!(
        stderr(&out).contains("rekor public key: Rekor serves the key with log ID"),
        "{}",
        stderr(&out)
    );
}
