//! What the end-to-end tests on the real cluster share: running sigstore-up and the clients
//! with a scratch HOME, and finding what of ours is left on the cluster.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};

use super::cli::{self, SIGSTORE_UP};
use super::cluster::kubeconfig;
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
            needles.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= 12 && !l.starts_with("-----"))
                    .map(|l| (format!("{name}/{key}"), l.to_string())),
            );
        }
    }
    // A SEC1 private key's PEM ends with its public point: a line of it may equal a line of the
    // public key's PEM, which is public.
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
