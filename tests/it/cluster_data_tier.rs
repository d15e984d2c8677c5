//! Integration tests against the REAL test cluster (tests/cluster/up). They are #[ignore]d so a
//! plain `cargo test` does not need a cluster; run them, inside the cluster's network namespace:
//!
//! ```text
//! nsenter --net=/run/netns/sigstore-up-test env \
//!   SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!   cargo test --test it cluster_data_tier:: -- --ignored --test-threads=1
//! ```
//!
//! Run with --ignored but without SIGSTORE_UP_TEST_KUBECONFIG they fail, saying so. They use the
//! namespaces trillian-system, rekor-system, ctlog-system, fulcio-system and a few of their own
//! (sigstore-up-test-*), and leave the cluster as they found it (teardown in a Drop guard).

use crate::support::cluster::*;
use crate::support::{cli, raw_http_get, run, stderr};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, ServiceAccount};
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams};
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};
use sigstore_up::cluster::wait::{deployment_is_ready, watch_until};
use sigstore_up::cluster::{Cluster, Tunnel};
use sigstore_up::values::{LABEL_INSTANCE, LABEL_MANAGED_BY};

const NAMESPACES: [&str; 4] = [
    "trillian-system",
    "rekor-system",
    "ctlog-system",
    "fulcio-system",
];
const DATA_TIER: [(&str, &str); 4] = [
    ("trillian-system", "mysql"),
    ("rekor-system", "redis"),
    ("trillian-system", "trillian-logserver"),
    ("trillian-system", "trillian-logsigner"),
];

/// Runs the binary against the test cluster with the given kubeconfig.
fn sigstore_up_with(kubeconfig: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let out = run(cli::sigstore_up(home.path())
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig));
    cli::show(&format!("sigstore-up {}", args.join(" ")), &out);
    out
}

fn sigstore_up(args: &[&str]) -> Output {
    sigstore_up_with(&kubeconfig(), args)
}

/// On drop (also when a test fails): tears the instance down and deletes the namespaces the test
/// created itself.
struct Cleanup {
    extra_namespaces: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let out = sigstore_up(&["teardown", "--yes"]);
        delete_namespaces_now(std::mem::take(&mut self.extra_namespaces));
        if !std::thread::panicking() {
            assert!(
                out.status.success(),
                "cleanup teardown failed: {}",
                stderr(&out)
            );
        }
    }
}

async fn create_namespace(cluster: &Cluster, name: &str, labels: BTreeMap<String, String>) {
    let api: Api<Namespace> = Api::all(cluster.client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(labels),
            ..Default::default()
        },
        ..Default::default()
    };
    api.create(&PostParams::default(), &ns).await.unwrap();
}

async fn create_config_map(cluster: &Cluster, namespace: &str, name: &str) {
    let api: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), namespace);
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            "owner".to_string(),
            "someone else".to_string(),
        )])),
        ..Default::default()
    };
    api.create(&PostParams::default(), &cm).await.unwrap();
}

async fn exists<K>(api: &Api<K>, name: &str) -> bool
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.get_opt(name).await.unwrap().is_some()
}

/// Starts from a clean slate: no instance, no leftovers.
fn clean_start() -> Cleanup {
    let out = sigstore_up(&["teardown", "--yes"]);
    assert!(out.status.success(), "initial teardown: {}", stderr(&out));
    Cleanup {
        extra_namespaces: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn install_status_reinstall_tunnel_and_teardown() {
    let mut cleanup = clean_start();
    let cluster = cluster().await;
    let foreign = "sigstore-up-test-foreign";
    cleanup.extra_namespaces.push(foreign.into());
    create_namespace(&cluster, foreign, BTreeMap::new()).await;
    create_config_map(&cluster, foreign, "not-ours").await;

    // Install the data tier.
    let out = sigstore_up(&["install", "--timeout", "180s"]);
    assert!(out.status.success(), "install: {}", stderr(&out));
    for stage in [
        "preflight",
        "namespaces",
        "secrets",
        "apply databases",
        "wait databases",
        "apply trillian",
        "wait trillian",
    ] {
        assert!(stderr(&out).contains(stage), "one line per stage: {stage}");
    }
    for (namespace, name) in DATA_TIER {
        let api: Api<Deployment> = Api::namespaced(cluster.client.clone(), namespace);
        let deployment = api.get(name).await.unwrap();
        assert!(
            deployment_is_ready(Some(&deployment)),
            "{namespace}/{name} ready"
        );
        assert_eq!(
            deployment
                .labels()
                .get(LABEL_MANAGED_BY)
                .map(String::as_str),
            Some("sigstore-up")
        );
    }
    let namespaces: Api<Namespace> = Api::all(cluster.client.clone());
    for name in NAMESPACES {
        let ns = namespaces.get(name).await.unwrap();
        assert_eq!(
            ns.labels()["pod-security.kubernetes.io/enforce"],
            "restricted"
        );
    }

    // Status: everything ready, exit 0, in text and JSON.
    let out = sigstore_up(&["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    for (_, name) in DATA_TIER {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(name) && l.contains("1/1")),
            "{name} in {table}"
        );
    }
    let out = sigstore_up(&["status", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ready"], true);
    // every component of the profile: the data tier above, Rekor, the CT log, Fulcio, TUF
    assert_eq!(
        report["components"].as_array().unwrap().len(),
        sigstore_up::values::Values::default()
            .profile()
            .components()
            .len()
    );

    // A second install running every stage (--full: no fast path) changes nothing: the same
    // Secret, the same resource versions.
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), "trillian-system");
    let secret_before = secrets.get("trillian-mysql").await.unwrap();
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), "trillian-system");
    let mysql_before = deployments.get("mysql").await.unwrap();
    let out = sigstore_up(&["install", "--full"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains("trillian-mysql exists"), "{log}");
    for stage in [
        "namespaces",
        "apply databases",
        "apply fulcio",
        "apply trillian",
        "apply rekor, ctlog",
    ] {
        let marker = format!(" ok   {stage} ");
        let line = log
            .lines()
            .find(|l| l.contains(&marker))
            .unwrap_or_default();
        assert!(line.contains("unchanged"), "{stage} not unchanged: {log}");
    }
    let secret_after = secrets.get("trillian-mysql").await.unwrap();
    assert_eq!(
        secret_before.data, secret_after.data,
        "passwords are never regenerated"
    );
    let mysql_after = deployments.get("mysql").await.unwrap();
    assert_eq!(
        mysql_before.resource_version(),
        mysql_after.resource_version()
    );

    // Tunnels: HTTP to the Trillian log server, SQL to MariaDB, and a re-picked pod.
    tunnel_to_trillian_http(&cluster).await;
    tunnel_to_mariadb(&cluster, &secret_after).await;

    // Teardown keeping namespaces: our objects go, a foreign object in our namespace stays.
    create_config_map(&cluster, "trillian-system", "not-ours").await;
    let out = sigstore_up(&["teardown", "--yes", "--keep-namespaces"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (namespace, name) in DATA_TIER {
        let api: Api<Deployment> = Api::namespaced(cluster.client.clone(), namespace);
        assert!(!exists(&api, name).await, "{namespace}/{name} deleted");
    }
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), "trillian-system");
    assert!(
        pods.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "pods gone before teardown returns"
    );
    assert!(!exists(&secrets, "trillian-mysql").await);
    let ours_cm: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "trillian-system");
    assert!(
        exists(&ours_cm, "not-ours").await,
        "a ConfigMap without our labels is untouched"
    );
    for name in NAMESPACES {
        assert!(
            exists(&namespaces, name).await,
            "--keep-namespaces keeps {name}"
        );
    }

    // Full teardown: namespaces go; the foreign namespace and its ConfigMap stay.
    let out = sigstore_up(&["teardown", "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in NAMESPACES {
        assert!(!exists(&namespaces, name).await, "{name} deleted");
    }
    let foreign_cm: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), foreign);
    assert!(exists(&foreign_cm, "not-ours").await);

    // Twice is fine.
    let out = sigstore_up(&["teardown", "--yes"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("nothing to delete"),
        "{}",
        stderr(&out)
    );
    let out = sigstore_up(&["status"]);
    assert_eq!(out.status.code(), Some(4), "nothing installed: not ready");
}

async fn tunnel_to_trillian_http(cluster: &Cluster) {
    let tunnel = Tunnel::to_service(cluster, "trillian-system", "trillian-logserver", 8091, 0)
        .await
        .unwrap();
    assert!(tunnel.local_addr().ip().is_loopback());
    let address = tunnel.local_addr();
    // Several connections at once.
    let responses = tokio::task::spawn_blocking(move || {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(move || raw_http_get(address, "/healthz")))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for response in responses {
        assert!(
            response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
            "{response}"
        );
        assert!(response.ends_with("ok"), "{response}");
    }

    // Delete the pod the tunnel uses: the next connection goes to the replacement.
    let first_pod = tunnel.pod().unwrap();
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), "trillian-system");
    let uid = pods.get(&first_pod).await.unwrap().uid().unwrap();
    pods.delete(&first_pod, &DeleteParams::default())
        .await
        .unwrap();
    watch_until(
        cluster,
        pods.clone(),
        &first_pod,
        conditions::is_deleted(&uid),
    )
    .await
    .unwrap();
    let response = tokio::task::spawn_blocking(move || raw_http_get(address, "/healthz"))
        .await
        .unwrap();
    assert!(
        response.contains(" 200 ") && response.ends_with("ok"),
        "{response}"
    );
    let second_pod = tunnel.pod().unwrap();
    assert_ne!(first_pod, second_pod, "a new pod was picked");
}

async fn tunnel_to_mariadb(cluster: &Cluster, secret: &Secret) {
    use mysql_async::prelude::Queryable;
    let password = String::from_utf8(secret.data.as_ref().unwrap()["password"].0.clone()).unwrap();
    let tunnel = Tunnel::to_service(cluster, "trillian-system", "mysql", 3306, 0)
        .await
        .unwrap();
    let options = mysql_async::OptsBuilder::default()
        .ip_or_hostname("127.0.0.1")
        .tcp_port(tunnel.local_addr().port())
        .user(Some("trillian"))
        .pass(Some(password))
        .db_name(Some("trillian"));
    let mut connection = mysql_async::Conn::new(options).await.unwrap();
    let database: Option<String> = connection.query_first("SELECT DATABASE()").await.unwrap();
    assert_eq!(database.as_deref(), Some("trillian"));
    connection.disconnect().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn a_namespace_that_is_not_ours_makes_install_refuse_and_apply_nothing() {
    let mut cleanup = clean_start();
    let cluster = cluster().await;
    cleanup.extra_namespaces.push("trillian-system".into());
    // Someone else's trillian-system (labelled by another tool).
    create_namespace(
        &cluster,
        "trillian-system",
        BTreeMap::from([(LABEL_MANAGED_BY.to_string(), "helm".to_string())]),
    )
    .await;

    let out = sigstore_up(&["install"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("Namespace trillian-system") && message.contains("managed-by=helm"),
        "{message}"
    );
    assert!(message.contains("Nothing was applied"), "{message}");

    let namespaces: Api<Namespace> = Api::all(cluster.client.clone());
    for name in ["rekor-system", "ctlog-system", "fulcio-system"] {
        assert!(
            !exists(&namespaces, name).await,
            "{name} must not be created"
        );
    }
    let ns = namespaces.get("trillian-system").await.unwrap();
    assert_eq!(
        ns.labels().get(LABEL_MANAGED_BY).map(String::as_str),
        Some("helm"),
        "untouched"
    );
    assert!(ns.labels().get(LABEL_INSTANCE).is_none());
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), "trillian-system");
    assert!(
        !exists(&secrets, "trillian-mysql").await,
        "no Secret created"
    );

    // Teardown does not touch it either.
    let out = sigstore_up(&["teardown", "--yes"]);
    assert!(out.status.success());
    assert!(exists(&namespaces, "trillian-system").await);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn credentials_without_rights_are_refused_before_anything_is_applied() {
    let mut cleanup = clean_start();
    let cluster = cluster().await;
    let namespace = "sigstore-up-test-rbac";
    cleanup.extra_namespaces.push(namespace.into());
    create_namespace(&cluster, namespace, BTreeMap::new()).await;
    let accounts: Api<ServiceAccount> = Api::namespaced(cluster.client.clone(), namespace);
    let account = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("nobody".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    accounts
        .create(&PostParams::default(), &account)
        .await
        .unwrap();
    let request = TokenRequest {
        spec: TokenRequestSpec {
            expiration_seconds: Some(600),
            ..Default::default()
        },
        ..Default::default()
    };
    let token: TokenRequest = accounts
        .create_subresource("token", "nobody", &PostParams::default(), &request)
        .await
        .unwrap();
    let token = token.status.unwrap().token;

    let admin = std::fs::read_to_string(kubeconfig()).unwrap();
    let ca_data = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
        .expect("the admin kubeconfig embeds its CA");
    let dir = tempfile::tempdir().unwrap();
    let restricted = dir.path().join("kubeconfig");
    std::fs::write(
        &restricted,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {ca_data}\n\
             users:\n- name: nobody\n  user:\n    token: {token}\ncontexts:\n- name: nobody\n  context: {{cluster: c, user: nobody}}\ncurrent-context: nobody\n",
            cluster.server
        ),
    )
    .unwrap();

    let out = sigstore_up_with(&restricted, &["install"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("lacks permissions"), "{message}");
    assert!(
        message.contains("create namespaces (cluster-wide)"),
        "{message}"
    );
    assert!(
        message.contains("create deployments.apps in namespace trillian-system"),
        "{message}"
    );
    assert!(
        message.contains("system:serviceaccount:sigstore-up-test-rbac:nobody"),
        "names the user: {message}"
    );
    assert!(!message.contains(&token), "never prints the token");
    let namespaces: Api<Namespace> = Api::all(cluster.client.clone());
    assert!(
        !exists(&namespaces, "trillian-system").await,
        "nothing applied"
    );

    let out = sigstore_up_with(&restricted, &["status"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("not allowed"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn a_workload_that_cannot_start_is_named_with_its_reason() {
    let _cleanup = clean_start();
    // No registry is reachable from the test cluster, so this image can never be pulled.
    let out = sigstore_up(&[
        "install",
        // long enough that the healthy workloads are ready even on a loaded machine
        "--timeout",
        "60s",
        "--set",
        "images.redis=docker.io/library/redis:does-not-exist",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("deployment rekor-system/redis"),
        "{message}"
    );
    assert!(message.contains("pod redis-"), "names the pod: {message}");
    assert!(
        message.contains("ImagePullBackOff") || message.contains("ErrImagePull"),
        "names the reason: {message}"
    );
    assert!(
        !message.contains("deployment trillian-system/mysql"),
        "mysql was ready: {message}"
    );
    assert!(
        message.contains("docker.io/library/redis:does-not-exist")
            && message.contains("--image-registry"),
        "names the image and the fix: {message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn a_crashing_workload_is_shown_with_its_log() {
    let _cleanup = clean_start();
    // The log server image does not know the signer's flags: it exits at once, every time.
    // Install gives up once the kubelet holds it back after its third restart (about 30 s), not
    // at its deadline.
    let out = sigstore_up(&[
        "install",
        "--timeout",
        "3m",
        "--set",
        "images.trillian_log_signer=gcr.io/trillian-opensource-ci/log_server:v1.7.3",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("deployment trillian-system/trillian-logsigner keeps crashing"),
        "{message}"
    );
    assert!(message.contains("pod trillian-logsigner-"), "{message}");
    assert!(
        message.contains("CrashLoopBackOff") || message.contains("Error (exit code"),
        "names the reason: {message}"
    );
    assert!(
        message.contains("log lines of log-signer (previous run)"),
        "shows the log: {message}"
    );
    // Go's flag package ends its complaint about the unknown flag with the usage text.
    assert!(
        message.contains("      |   -tree_gc"),
        "log lines are shown: {message}"
    );
    assert!(
        !message.contains("deployment trillian-system/trillian-logserver"),
        "{message}"
    );
}
