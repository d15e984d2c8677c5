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

/// Prints a command's output for the test log; the output of `token` is a secret and is not shown.
pub fn show(what: &str, out: &Output) {
    if what.contains("\"token\"") {
        cli::show_hiding_stdout(what, out)
    } else {
        cli::show(what, out)
    }
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
