//! What the end-to-end tests on the real cluster share: running sigstore-up and the clients
//! with a scratch HOME, and finding what of ours is left on the cluster.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};

use super::cli::{self, SIGSTORE_UP};
use super::cluster::kubeconfig;
use super::trust::{IDENTITY, OIDC_ISSUER};
use super::{self as support, clean_command};

/// Everything the commands of this test process printed (but the token `token` was asked for),
/// for [`assert_no_secret_leaks`].
static PRINTED: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Prints a command's output for the test log; the output of `token` is a secret and is not shown.
pub fn show(what: &str, out: &Output) {
    let mut printed = PRINTED.lock().unwrap_or_else(|e| e.into_inner());
    if what.contains("\"token\"") {
        cli::show_hiding_stdout(what, out)
    } else {
        cli::show(what, out);
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    printed.push_str(&String::from_utf8_lossy(&out.stderr));
}

/// No secret install minted (passwords, private keys: every value of every Secret of ours, line
/// by line) appears in anything a command printed, nor in the files under `home` (trust files,
/// forward's log), except the env files, which hold the OIDC token on purpose (mode 0600).
pub async fn assert_no_secret_leaks(client: &Client, home: &Path) {
    use k8s_openapi::api::core::v1::Secret;
    let secrets: Api<Secret> = Api::all(client.clone());
    let list = secrets
        .list(&ListParams::default().labels("app.kubernetes.io/managed-by=sigstore-up"))
        .await
        .unwrap();
    let mut needles = Vec::new();
    let mut public = String::new();
    for secret in &list.items {
        let name = secret.metadata.name.clone().unwrap_or_default();
        for (key, value) in secret.data.iter().flatten() {
            let text = String::from_utf8_lossy(&value.0);
            // Public copies (PEM public keys, certificates) are not secrets.
            if text.contains("PUBLIC KEY") || text.contains("CERTIFICATE") || key == "public" {
                public.push_str(&text);
                continue;
            }
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= 12 && !l.starts_with("-----"))
                .collect();
            // A PEM private key of an EC key ends with its public point, which certificates and
            // public keys carry too (at any base64 offset): only its first two lines, which hold
            // the private scalar, are secret.
            let secret_lines = if text.contains("PRIVATE KEY") {
                &lines[..lines.len().min(2)]
            } else {
                &lines[..]
            };
            needles.extend(
                secret_lines
                    .iter()
                    .map(|l| (format!("{name}/{key}"), l.to_string())),
            );
        }
    }
    // Lines that are public anyway (a key's PEM line equal to its public copy's) do not count.
    needles.retain(|(_, line)| !public.contains(line.as_str()));
    assert!(!needles.is_empty(), "no secret values found to look for");
    let mut haystacks = vec![(
        "command output".to_string(),
        PRINTED.lock().unwrap_or_else(|e| e.into_inner()).clone(),
    )];
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| n != "env" && n != "oidc-token")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                haystacks.push((path.display().to_string(), text));
            }
        }
    }
    let mut leaks = Vec::new();
    for (secret, needle) in &needles {
        for (place, text) in &haystacks {
            if text.contains(needle.as_str()) {
                leaks.push(format!("a line of {secret} in {place}"));
            }
        }
    }
    eprintln!(
        "secret-leak scan: {} secret lines of {} Secrets against {} outputs and files",
        needles.len(),
        list.items.len(),
        haystacks.len()
    );
    assert!(leaks.is_empty(), "secrets leaked: {leaks:?}");
}

/// Runs a program with a scratch HOME (so no client finds another trust root or TUF cache).
pub fn run(home: &Path, program: &Path, args: &[&OsStr]) -> Output {
    let out = support::run(clean_command(program, home).args(args).env("CI", "true"));
    show(&format!("{} {args:?}", program.display()), &out);
    out
}

pub fn sigstore_up(home: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let kubeconfig = kubeconfig();
    all.extend([OsStr::new("--kubeconfig"), kubeconfig.as_os_str()]);
    run(home, Path::new(SIGSTORE_UP), &all)
}

pub fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Everything on the cluster that carries our managed-by label, by kind.
pub async fn owned_objects(client: &Client) -> Vec<String> {
    let mut found = Vec::new();
    for (group, version, kind, plural) in [
        ("", "v1", "Namespace", "namespaces"),
        ("", "v1", "Secret", "secrets"),
        ("", "v1", "ConfigMap", "configmaps"),
        ("", "v1", "Service", "services"),
        ("", "v1", "Pod", "pods"),
        ("apps", "v1", "Deployment", "deployments"),
        (
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
        ),
    ] {
        let resource =
            ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
        let list = api
            .list(&ListParams::default().labels("app.kubernetes.io/managed-by=sigstore-up"))
            .await
            .unwrap();
        found.extend(
            list.items
                .into_iter()
                .map(|o| format!("{kind} {}", o.metadata.name.unwrap_or_default())),
        );
    }
    found
}

/// Stops the detached forward and tears the stack down, also when the test fails.
pub struct Cleanup(pub PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if std::thread::panicking() {
            sigstore_up(&self.0, &["forward", "--stop"]);
            sigstore_up(&self.0, &["teardown", "--yes"]);
        }
    }
}

/// `cosign sign-blob`, keyless, with only what install wrote for one audience (`trust`: its
/// signing config and trusted root) and a token file (cosign reads the token from the file, so
/// that it never appears in a command line or a test log). Panics when cosign fails.
pub fn cosign_sign(home: &Path, trust: &Path, token_file: &Path, file: &Path, bundle: &Path) {
    let signing_config = trust.join("signing_config.json");
    let trusted_root = trust.join("trusted_root.json");
    ok(
        run(
            home,
            &support::test_binary("cosign"),
            &[
                "sign-blob".as_ref(),
                "--yes".as_ref(),
                "--signing-config".as_ref(),
                signing_config.as_os_str(),
                "--trusted-root".as_ref(),
                trusted_root.as_os_str(),
                "--identity-token".as_ref(),
                token_file.as_os_str(),
                "--bundle".as_ref(),
                bundle.as_os_str(),
                file.as_os_str(),
            ],
        ),
        &format!("cosign sign-blob {}", file.display()),
    );
}

/// `cosign verify-blob` of `file` against `bundle` with the audience's trusted root, the test
/// token's identity and the cluster's issuer (no skip or insecure flag): did cosign say
/// "Verified OK"?
pub fn cosign_verify(home: &Path, trust: &Path, file: &Path, bundle: &Path) -> bool {
    let trusted_root = trust.join("trusted_root.json");
    let out = run(
        home,
        &support::test_binary("cosign"),
        &[
            "verify-blob".as_ref(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            "--trusted-root".as_ref(),
            trusted_root.as_os_str(),
            "--certificate-identity".as_ref(),
            IDENTITY.as_ref(),
            "--certificate-oidc-issuer".as_ref(),
            OIDC_ISSUER.as_ref(),
            file.as_os_str(),
        ],
    );
    out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Verified OK")
}

/// A fresh token from `sigstore-up token` (service account `default` of namespace `default`,
/// the identity [`cosign_verify`] expects), written to `home/oidc-token` for [`cosign_sign`].
pub fn token_file(home: &Path) -> PathBuf {
    let token = ok(sigstore_up(home, &["token"]), "token")
        .trim()
        .to_string();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let path = home.join("oidc-token");
    std::fs::write(&path, &token).unwrap();
    path
}
