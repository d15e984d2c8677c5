//! Instances on the real test cluster (#[ignore]d; tests/run runs them):
//! - two instances installed at the same time by two processes, forwarded on the host at once
//!   on different ports, each signing and verifying keyless (cosign) with its own trust files;
//!   `list` shows both; tearing one down leaves the other signable (and the ClusterRoleBinding
//!   of its anonymous discovery opt-in);
//! - a service account bound to exactly README's RBAC (the yaml block under "Clusters you do not
//!   control") installs, runs status, lists and tears down; with a RoleBinding missing in one
//!   namespace install is refused naming the missing rights, and applies nothing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding};
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
    PostParams,
};
use kube::{Api, Client};

use crate::support::cli::SIGSTORE_UP;
use crate::support::cluster::{ExplainOnFailure, cluster, delete_namespaces_now, kubeconfig};
use crate::support::e2e::{ok, owned_objects, run, show, sigstore_up};
use crate::support::trust::IDENTITY;
use crate::support::{clean_command, test_binary};

const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// Tears both instances down if the test fails.
struct CleanupInstances(PathBuf, Vec<Option<&'static str>>);

impl Drop for CleanupInstances {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for name in &self.1 {
                let with = |args: &[&str]| -> Vec<String> {
                    name.map(|n| vec!["--name".to_string(), n.to_string()])
                        .unwrap_or_default()
                        .into_iter()
                        .chain(args.iter().map(|s| s.to_string()))
                        .collect()
                };
                for args in [with(&["forward", "--stop"]), with(&["teardown", "--yes"])] {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    sigstore_up(&self.0, &args);
                }
            }
        }
    }
}

fn with_name<'a>(name: Option<&'a str>, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = Vec::new();
    if let Some(name) = name {
        all.extend(["--name", name]);
    }
    all.extend(args);
    all
}

/// The host trust directory of an instance under `home`.
fn host_dir(home: &Path, name: Option<&str>) -> PathBuf {
    home.join(".local/state/sigstore-up")
        .join(name.unwrap_or("sigstore"))
        .join("host")
}

fn cosign(home: &Path, args: &[&OsStr]) -> Output {
    run(home, &test_binary("cosign"), args)
}

/// Signs `file` with the instance's host trust files, returning the bundle's path.
fn sign(home: &Path, name: Option<&str>, token_file: &Path, file: &Path) -> PathBuf {
    let dir = host_dir(home, name);
    let bundle = file.with_extension(format!("{}.sigstore.json", name.unwrap_or("sigstore")));
    let out = cosign(
        home,
        &[
            "sign-blob".as_ref(),
            "--yes".as_ref(),
            "--signing-config".as_ref(),
            dir.join("signing_config.json").as_os_str(),
            "--trusted-root".as_ref(),
            dir.join("trusted_root.json").as_os_str(),
            "--identity-token".as_ref(),
            token_file.as_os_str(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            file.as_os_str(),
        ],
    );
    assert!(
        out.status.success(),
        "cosign sign-blob with {name:?} failed"
    );
    bundle
}

fn verify(home: &Path, name: Option<&str>, bundle: &Path, file: &Path) -> bool {
    let trusted_root = host_dir(home, name).join("trusted_root.json");
    cosign(
        home,
        &[
            "verify-blob".as_ref(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            "--trusted-root".as_ref(),
            trusted_root.as_os_str(),
            "--certificate-identity".as_ref(),
            IDENTITY.as_ref(),
            "--certificate-oidc-issuer".as_ref(),
            ISSUER.as_ref(),
            file.as_os_str(),
        ],
    )
    .status
    .success()
}

/// `REKOR_URL=http://127.0.0.1:PORT` of forward's output: the port.
fn rekor_port(forward_output: &str) -> u16 {
    forward_output
        .lines()
        .find_map(|l| l.strip_prefix("REKOR_URL=http://127.0.0.1:"))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no REKOR_URL in {forward_output}"))
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn two_instances_side_by_side_each_signs_and_one_survives_the_others_teardown() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let (first, second): (Option<&str>, Option<&str>) = (None, Some("second"));
    let _cleanup = CleanupInstances(home.to_path_buf(), vec![first, second]);
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };

    // Two processes at once, one per instance.
    let started = std::time::Instant::now();
    // The second with the anonymous discovery opt-in: its ClusterRoleBinding is its own.
    let spawn = |name: Option<&str>| {
        let install: &[&str] = match name {
            None => &["install"],
            Some(_) => &["install", "--set", "fulcio.anonymous_oidc_discovery=true"],
        };
        let mut args: Vec<&OsStr> = with_name(name, install)
            .into_iter()
            .map(OsStr::new)
            .collect();
        let config = kubeconfig();
        args.extend([OsStr::new("--kubeconfig"), config.as_os_str()]);
        clean_command(SIGSTORE_UP, home)
            .args(&args)
            .env("CI", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(first), spawn(second));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    show("install (default instance, in parallel)", &a);
    show("--name second install (in parallel)", &b);
    assert!(
        a.status.success() && b.status.success(),
        "parallel installs"
    );
    eprintln!("both installs took {:?}", started.elapsed());

    let listed = |home: &Path| -> Vec<serde_json::Value> {
        let text = ok(sigstore_up(home, &["list", "-o", "json"]), "list -o json");
        serde_json::from_str(&text).unwrap()
    };
    // `list` reads each Deployment's readiness as it is now. Once (one CI run; never in about 50
    // local tries, some beside two CPU hogs) a component of the default instance was listed
    // not ready right after its install had proved a signature; the cause was not found. So
    // this waits (up to 60 s) for both to be listed ready, and says which component was not,
    // with `status`, each time one is not: a stack that never gets there still fails.
    let mut list = listed(home);
    let patience = std::time::Instant::now();
    loop {
        assert_eq!(list.len(), 2, "{list:?}");
        let not_ready: Vec<String> = list
            .iter()
            .filter(|entry| entry["ready"] != true)
            .map(|entry| entry["name"].as_str().unwrap_or_default().to_string())
            .collect();
        if not_ready.is_empty() {
            break;
        }
        let mut report = String::new();
        for name in &not_ready {
            // `--name sigstore` names the default instance as well.
            let out = sigstore_up(home, &with_name(Some(name), &["status"]));
            report.push_str(&String::from_utf8_lossy(&out.stdout));
            report.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        assert!(
            patience.elapsed() < Duration::from_secs(60),
            "not listed ready 60 s after install: {not_ready:?}\n{report}"
        );
        eprintln!(
            "listed not ready {:?} after install: {not_ready:?}\n{report}",
            patience.elapsed()
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        list = listed(home);
    }
    for (entry, name) in list.iter().zip(["second", "sigstore"]) {
        assert_eq!(entry["name"], name, "{list:?}");
        assert_eq!(entry["profile"], "classic", "{list:?}");
    }
    let table = ok(sigstore_up(home, &["list"]), "list");
    assert!(
        table.starts_with("NAME") && table.contains("second"),
        "{table}"
    );

    // Both forwarded on the host at once, on different ports; the default instance on its
    // default ports.
    let forward_a = ok(
        sigstore_up(home, &with_name(first, &["forward", "--detach"])),
        "forward --detach",
    );
    let forward_b = ok(
        sigstore_up(home, &with_name(second, &["forward", "--detach"])),
        "--name second forward --detach",
    );
    assert_eq!(rekor_port(&forward_a), 3000, "{forward_a}");
    assert_ne!(rekor_port(&forward_a), rekor_port(&forward_b));
    // The host trust files name the ports forward listens on.
    let config_b =
        std::fs::read_to_string(host_dir(home, second).join("signing_config.json")).unwrap();
    assert!(
        config_b.contains(&format!("http://127.0.0.1:{}", rekor_port(&forward_b))),
        "{config_b}"
    );

    let token = ok(sigstore_up(home, &["token"]), "token")
        .trim()
        .to_string();
    let token_file = home.join("oidc-token");
    std::fs::write(&token_file, &token).unwrap();
    let artifact = home.join("artifact.txt");
    std::fs::write(&artifact, "signed by two private stacks\n").unwrap();
    let bundle_a = sign(home, first, &token_file, &artifact);
    let bundle_b = sign(home, second, &token_file, &artifact);
    assert!(
        verify(home, first, &bundle_a, &artifact),
        "a verifies with a"
    );
    assert!(
        verify(home, second, &bundle_b, &artifact),
        "b verifies with b"
    );
    assert!(
        !verify(home, first, &bundle_b, &artifact),
        "b's bundle must not verify with a's trust root: the stacks have their own keys"
    );

    // Only the opt-in made a binding.
    let bindings: Api<ClusterRoleBinding> = Api::all(cluster().await.client);
    let binding = |name: &'static str| {
        let bindings = bindings.clone();
        async move { bindings.get_opt(name).await.unwrap() }
    };
    assert!(
        binding("sigstore-up-sigstore-oidc-discovery")
            .await
            .is_none()
    );
    assert!(binding("sigstore-up-second-oidc-discovery").await.is_some());

    // Tear the default instance down: the second keeps working, its binding stays.
    ok(
        sigstore_up(home, &with_name(first, &["teardown", "--yes"])),
        "teardown",
    );
    assert!(binding("sigstore-up-second-oidc-discovery").await.is_some());
    ok(
        sigstore_up(home, &with_name(second, &["status"])),
        "--name second status",
    );
    let again = home.join("after-teardown.txt");
    std::fs::write(&again, "the other instance is gone\n").unwrap();
    let bundle = sign(home, second, &token_file, &again);
    assert!(verify(home, second, &bundle, &again), "b still signs");
    let list = listed(home);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["name"], "second", "{list:?}");

    ok(
        sigstore_up(home, &with_name(second, &["forward", "--stop"])),
        "forward --stop",
    );
    ok(
        sigstore_up(home, &with_name(second, &["teardown", "--yes"])),
        "--name second teardown",
    );
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}

/// README's RBAC block, as objects.
fn readme_rbac() -> Vec<DynamicObject> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n# sigstore-up RBAC")
        .expect("README has the RBAC block");
    let block = &readme[start + "```yaml\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    serde_yaml_ng::Deserializer::from_str(block)
        .map(|doc| {
            let value: serde_json::Value = serde::Deserialize::deserialize(doc).unwrap();
            serde_json::from_value(value).unwrap()
        })
        .collect()
}

const RBAC_NAME: &str = "rbac";
const RBAC_SA_NAMESPACE: &str = "sigstore-up-test-ci";
const RBAC_SA: &str = "sigstore-up";
const RBAC_NAMESPACES: [&str; 5] = [
    "rbac-trillian-system",
    "rbac-rekor-system",
    "rbac-ctlog-system",
    "rbac-fulcio-system",
    "rbac-tuf-system",
];

/// Removes what the RBAC test made as admin (also when it fails).
struct CleanupRbac;

impl Drop for CleanupRbac {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let home = tempfile::tempdir().unwrap();
            sigstore_up(home.path(), &["--name", RBAC_NAME, "teardown", "--yes"]);
        }
        std::thread::spawn(|| {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let client = cluster().await.client;
                let bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
                let _ = bindings
                    .delete("sigstore-up-test-ci", &DeleteParams::default())
                    .await;
                for object in readme_rbac() {
                    let _ = cluster_roles(&client)
                        .delete(
                            object.metadata.name.as_deref().unwrap(),
                            &DeleteParams::default(),
                        )
                        .await;
                }
            })
        })
        .join()
        .unwrap();
        let mut namespaces: Vec<String> = RBAC_NAMESPACES.iter().map(|s| s.to_string()).collect();
        namespaces.push(RBAC_SA_NAMESPACE.to_string());
        delete_namespaces_now(namespaces);
    }
}

fn cluster_roles(client: &Client) -> Api<DynamicObject> {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("rbac.authorization.k8s.io", "v1", "ClusterRole"),
        "clusterroles",
    );
    Api::all_with(client.clone(), &resource)
}

/// A kubeconfig for the test cluster that authenticates as `token`.
fn kubeconfig_with_token(admin: &Path, token: &str, out: &Path) {
    let admin: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(admin).unwrap()).unwrap();
    let cluster = admin["clusters"][0].clone();
    let cluster_name = cluster["name"].as_str().unwrap().to_string();
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster],
        "users": [{"name": "ci", "user": {"token": token}}],
        "contexts": [{"name": "ci", "context": {"cluster": cluster_name, "user": "ci"}}],
        "current-context": "ci",
    });
    std::fs::write(out, serde_yaml_ng::to_string(&config).unwrap()).unwrap();
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn a_service_account_with_readmes_minimal_rbac_installs_checks_and_tears_down() {
    let _cleanup = CleanupRbac;
    let client = cluster().await.client;
    let apply = PatchParams::apply("sigstore-up-test").force();
    // As admin: README's ClusterRoles, the service account, its ClusterRoleBinding, the
    // instance's namespaces (labelled as its own) and a RoleBinding in each but the CT log's.
    for object in readme_rbac() {
        let name = object.metadata.name.clone().unwrap();
        cluster_roles(&client)
            .patch(&name, &apply, &Patch::Apply(&object))
            .await
            .unwrap();
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace = |name: &str, labels: serde_json::Value| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
        })
    };
    namespaces
        .patch(
            RBAC_SA_NAMESPACE,
            &apply,
            &Patch::Apply(namespace(RBAC_SA_NAMESPACE, serde_json::json!({}))),
        )
        .await
        .unwrap();
    for ns in RBAC_NAMESPACES {
        let labels = serde_json::json!({
            "app.kubernetes.io/managed-by": "sigstore-up",
            "app.kubernetes.io/part-of": "sigstore-up",
            "app.kubernetes.io/instance": RBAC_NAME,
        });
        namespaces
            .patch(ns, &apply, &Patch::Apply(namespace(ns, labels)))
            .await
            .unwrap();
    }
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), RBAC_SA_NAMESPACE);
    let account = serde_json::json!({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": RBAC_SA},
    });
    accounts
        .patch(RBAC_SA, &apply, &Patch::Apply(account))
        .await
        .unwrap();
    let subjects = serde_json::json!([
        {"kind": "ServiceAccount", "name": RBAC_SA, "namespace": RBAC_SA_NAMESPACE}
    ]);
    let binding = serde_json::json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "sigstore-up-test-ci"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "sigstore-up"},
        "subjects": subjects,
    });
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch("sigstore-up-test-ci", &apply, &Patch::Apply(binding))
        .await
        .unwrap();
    let role_binding = async |ns: &str| {
        let binding = serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "sigstore-up", "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "sigstore-up-namespaced"},
            "subjects": subjects.clone(),
        });
        Api::<RoleBinding>::namespaced(client.clone(), ns)
            .patch("sigstore-up", &apply, &Patch::Apply(binding))
            .await
            .unwrap();
    };
    for ns in RBAC_NAMESPACES
        .iter()
        .filter(|ns| **ns != "rbac-ctlog-system")
    {
        role_binding(ns).await;
    }

    // A kubeconfig for the service account, with a TokenRequest token.
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![],
            expiration_seconds: Some(3600),
            ..Default::default()
        },
        ..Default::default()
    };
    let token = accounts
        .create_token_request(RBAC_SA, &PostParams::default(), &request)
        .await
        .unwrap()
        .status
        .unwrap()
        .token;
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let user_kubeconfig = home.join("ci.kubeconfig");
    kubeconfig_with_token(&kubeconfig(), &token, &user_kubeconfig);
    let as_ci = |args: &[&str]| -> Output {
        let mut all: Vec<&OsStr> = ["--name", RBAC_NAME, "--kubeconfig"]
            .into_iter()
            .map(OsStr::new)
            .collect();
        all.push(user_kubeconfig.as_os_str());
        all.extend(args.iter().map(OsStr::new));
        let out = crate::support::run(
            Command::new(SIGSTORE_UP)
                .env_clear()
                .env("HOME", home)
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("CI", "true")
                .args(&all),
        );
        show(&format!("(as the CI account) {all:?}"), &out);
        out
    };

    // One RoleBinding missing: refused up front, naming the rights, nothing applied.
    let out = as_ci(&["install"]);
    let message = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{message}");
    for needle in [
        "lacks permissions install needs",
        "create deployments.apps in namespace rbac-ctlog-system",
        "system:serviceaccount:sigstore-up-test-ci:sigstore-up",
    ] {
        assert!(message.contains(needle), "{needle:?} in: {message}");
    }
    let deployments: Api<Deployment> = Api::all(client.clone());
    let applied = deployments
        .list(&ListParams::default().labels("app.kubernetes.io/instance=rbac"))
        .await
        .unwrap();
    assert!(applied.items.is_empty(), "nothing applied before refusing");

    role_binding("rbac-ctlog-system").await;
    let _explain = ExplainOnFailure { home: None };
    let out = as_ci(&["install"]);
    assert!(out.status.success(), "install with README's RBAC");
    let out = as_ci(&["status"]);
    assert!(out.status.success(), "status with README's RBAC");
    let out = as_ci(&["status", "--probe"]);
    assert!(out.status.success(), "status --probe with README's RBAC");
    let out = as_ci(&["list"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("rbac"),
        "list with README's RBAC"
    );
    let out = as_ci(&["teardown", "--yes"]);
    assert!(out.status.success(), "teardown with README's RBAC");
    let left = owned_objects(&client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn two_installs_of_one_instance_are_serialised_by_its_lease() {
    use std::io::{BufRead as _, BufReader, Read as _};
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let name = Some("serial");
    let _cleanup = CleanupInstances(home.to_path_buf(), vec![name]);
    let _explain = ExplainOnFailure { home: None };
    let spawn = || {
        let config = kubeconfig();
        let mut args: Vec<&OsStr> = with_name(name, &["install"])
            .into_iter()
            .map(OsStr::new)
            .collect();
        args.extend([OsStr::new("--kubeconfig"), config.as_os_str()]);
        clean_command(SIGSTORE_UP, home)
            .args(&args)
            .env("CI", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The second starts once the first holds the lease.
    let mut first = spawn();
    let mut first_err = BufReader::new(first.stderr.take().unwrap());
    let mut first_log = String::new();
    loop {
        let mut line = String::new();
        assert!(
            first_err.read_line(&mut line).unwrap() > 0,
            "the first install ended before it held the lease:\n{first_log}"
        );
        first_log.push_str(&line);
        if line.contains(" ok   lock ") {
            break;
        }
    }
    let second = spawn();
    first_err.read_to_string(&mut first_log).unwrap();
    let first_status = first.wait().unwrap();
    let second = second.wait_with_output().unwrap();
    let second_log = String::from_utf8_lossy(&second.stderr).to_string();
    eprintln!("first install:\n{first_log}\nsecond install:\n{second_log}");
    assert!(first_status.success() && second.status.success());
    assert!(
        second_log.contains("another install of instance \"serial\" is running"),
        "the second install says it waits:\n{second_log}"
    );
    // The second found everything the first made: one set of keys and trees.
    for line in second_log
        .lines()
        .filter(|l| l.contains(" secrets ") || l.contains(" trees ") || l.contains(" schema "))
    {
        assert!(
            !line.contains("created"),
            "the second install made its own: {line}"
        );
    }
    ok(
        sigstore_up(home, &with_name(name, &["status", "--probe"])),
        "status --probe",
    );
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(cluster().await.client, "serial-fulcio-system");
    assert!(
        leases
            .get_opt("sigstore-up-install")
            .await
            .unwrap()
            .is_none(),
        "the lease is released"
    );
    ok(
        sigstore_up(home, &with_name(name, &["teardown", "--yes"])),
        "teardown",
    );
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
}
