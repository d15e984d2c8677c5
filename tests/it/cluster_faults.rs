//! Faults on the REAL test cluster: any component's pod deleted after install. For each
//! component in turn: `status` reports it not ready while it is down (exit 4, its row not
//! ready, the others ready), the stack heals by itself (its Deployment makes a new pod), then
//! cosign signs again through the same detached `forward`, and both the new bundle and one
//! signed before the first deletion verify.
//!
//! One component at a time rather than all at once: each deletion tests another reconnection
//! (ct_server and Rekor to Trillian, Rekor to Redis, Fulcio to ct_server, the forward's
//! tunnels to a new pod), and a failure then names the component whose loss the stack did not
//! survive. To hold a component down long enough for `status` to be asked (a new pod is ready
//! within 1-3 s), the node is cordoned while its pod is deleted: the replacement stays Pending
//! until the node is uncordoned (a guard uncordons it should the test fail).
//!
//! Left out, on purpose: MariaDB (without `mysql.persistence` its data goes with its pod; the
//! data-loss case has tests of its own). In the modern profile Rekor v2's tiles and TesseraCT's
//! log live on emptyDirs unless persistence is on, so deleting those pods starts an empty log
//! (old bundles still verify offline, but the log the clients saw is gone), and
//! `rekor_tiles.persistence=true` needs a storage class the test cluster does not have: the
//! modern test deletes Fulcio's, the TSA's and the TUF repository's pods.
//!
//! #[ignore]d; tests/run runs it inside the cluster's network namespace (see e2e_keyless).

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};
use sigstore_up::catalog::Component;
use sigstore_up::cluster::Cluster;
use sigstore_up::cluster::wait::{
    DeploymentRef, deployment_is_ready, deployments_ready, watch_until,
};
use sigstore_up::values::Values;

use crate::support::cluster::*;
use crate::support::e2e::*;

/// How long a deleted component may take to be ready again (a new pod on a warm node is ready
/// in seconds; this only bounds a stack that does not heal).
const HEAL_BOUND: Duration = Duration::from_secs(180);

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn classic_heals_after_any_pod_is_deleted() {
    heals_after_any_pod_is_deleted(&[], Values::default(), &["mariadb"]).await;
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn modern_heals_after_any_pod_is_deleted() {
    let values = Values {
        profile: "modern".into(),
        ..Values::default()
    };
    heals_after_any_pod_is_deleted(
        &["--profile", "modern"],
        values,
        &["rekor_tiles", "tesseract"],
    )
    .await;
}

async fn heals_after_any_pod_is_deleted(install_args: &[&str], values: Values, spared: &[&str]) {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let trust = home.join(".local/state/sigstore-up/sigstore/host");
    let cluster = cluster().await;

    let install: Vec<&str> = ["install"].iter().chain(install_args).copied().collect();
    ok(sigstore_up(home, &install), "install");
    ok(
        sigstore_up(home, &["forward", "--detach"]),
        "forward --detach",
    );
    let token_file = token_file(home);
    let old = home.join("before.txt");
    std::fs::write(&old, "signed before any pod was deleted\n").unwrap();
    let old_bundle = home.join("before.sigstore.json");
    cosign_sign(home, &trust, &token_file, &old, &old_bundle);

    let components: Vec<&Component> = values
        .profile()
        .components()
        .iter()
        .copied()
        .filter(|c| !spared.contains(&c.id))
        .collect();
    assert!(components.len() >= 3, "{} components", components.len());
    let every: Vec<DeploymentRef> = values
        .profile()
        .components()
        .iter()
        .map(|c| DeploymentRef {
            namespace: c.namespace(&values).to_string(),
            name: c.name.to_string(),
        })
        .collect();
    for component in components {
        let namespace = component.namespace(&values).to_string();
        let name = component.name;
        eprintln!("--- deleting the pod of {namespace}/{name}");
        {
            let _cordon = Cordon::new(&cluster).await;
            delete_pods(&cluster, &values, &namespace, name).await;
            // The Deployment notices (its controller counts only pods not being deleted)...
            let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), &namespace);
            tokio::time::timeout(
                HEAL_BOUND,
                watch_until(&cluster, deployments, name, |d: Option<&Deployment>| {
                    !deployment_is_ready(d)
                }),
            )
            .await
            .unwrap_or_else(|_| panic!("{name} still counted ready after its pod was deleted"))
            .unwrap();
            // ... and so does status. (Components that need it may be reported not ready too:
            // the CT log's readiness reads its tree head from Trillian.)
            let status = sigstore_up(home, &["status", "-o", "json"]);
            assert_eq!(status.status.code(), Some(4), "status with {name} down");
            let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
            assert_eq!(report["ready"], false);
            let row = report["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["name"] == name)
                .unwrap_or_else(|| panic!("no status row of {name}: {report}"));
            assert_eq!(row["ready"], false, "status row of {name}: {row}");
            assert_eq!(row["ready_replicas"], 0, "status row of {name}: {row}");
        } // uncordoned: the new pod is scheduled

        // Healed: every Deployment of the stack ready again (watched, bounded).
        deployments_ready(
            &cluster,
            &every,
            tokio::time::Instant::now() + HEAL_BOUND,
            &|_| {},
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("the stack did not heal after {name}'s pod was deleted: {e:#}"));
        ok(sigstore_up(home, &["status"]), "status after healing");

        // Ready means signable: the first signature after healing works, through the forward
        // started before the deletion.
        let new = home.join(format!("after-{name}.txt"));
        std::fs::write(&new, format!("signed after {name}'s pod was deleted\n")).unwrap();
        let new_bundle = home.join(format!("after-{name}.sigstore.json"));
        cosign_sign(home, &trust, &token_file, &new, &new_bundle);
        assert!(
            cosign_verify(home, &trust, &new, &new_bundle),
            "the bundle signed after {name} healed"
        );
        assert!(
            cosign_verify(home, &trust, &old, &old_bundle),
            "the bundle signed before {name} was deleted"
        );
    }
    // The servers still serve the keys of the trust files.
    ok(sigstore_up(home, &["status", "--probe"]), "status --probe");
    ok(sigstore_up(home, &["forward", "--stop"]), "forward --stop");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
}

/// Fulcio's CT client never lowers its back-off (see src/fulcio_ct.rs): signing while the CT
/// log is down leaves a Fulcio that would stall the next signature meeting a CT hiccup past
/// cosign's 30 s. `status` warns about it, and `install` restarts Fulcio and proves a round trip.
#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn install_restarts_a_fulcio_whose_ct_client_backs_off() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let trust = home.join(".local/state/sigstore-up/sigstore/host");
    let cluster = cluster().await;
    let values = Values::default();
    ok(sigstore_up(home, &["install"]), "install");
    ok(
        sigstore_up(home, &["forward", "--detach"]),
        "forward --detach",
    );
    let token_file = token_file(home);
    let artifact = home.join("artifact.txt");
    std::fs::write(&artifact, "signed while the CT log is down\n").unwrap();
    let bundle = home.join("artifact.sigstore.json");
    let ctlog = sigstore_up::catalog::Profile::Classic
        .component("ctlog")
        .unwrap();
    let namespace = ctlog.namespace(&values).to_string();
    {
        let _cordon = Cordon::new(&cluster).await;
        delete_pods(&cluster, &values, &namespace, ctlog.name).await;
        let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), &namespace);
        tokio::time::timeout(
            HEAL_BOUND,
            watch_until(
                &cluster,
                deployments,
                ctlog.name,
                |d: Option<&Deployment>| !deployment_is_ready(d),
            ),
        )
        .await
        .expect("the CT log still counted ready after its pod was deleted")
        .unwrap();
        // A signature needs an SCT: with the CT log down it cannot be made. Fulcio retries the
        // submission, doubling its back-off, until cosign gives up.
        let out = run(
            home,
            &crate::support::test_binary("cosign"),
            &[
                "sign-blob".as_ref(),
                "--yes".as_ref(),
                "--signing-config".as_ref(),
                trust.join("signing_config.json").as_os_str(),
                "--trusted-root".as_ref(),
                trust.join("trusted_root.json").as_os_str(),
                "--identity-token".as_ref(),
                token_file.as_os_str(),
                "--bundle".as_ref(),
                bundle.as_os_str(),
                artifact.as_os_str(),
            ],
        );
        assert!(!out.status.success(), "cosign signed with the CT log down");
    }
    let every: Vec<DeploymentRef> = values
        .profile()
        .components()
        .iter()
        .map(|c| DeploymentRef {
            namespace: c.namespace(&values).to_string(),
            name: c.name.to_string(),
        })
        .collect();
    deployments_ready(
        &cluster,
        &every,
        tokio::time::Instant::now() + HEAL_BOUND,
        &|_| {},
        &[],
    )
    .await
    .unwrap();

    // Every component is ready, and status says what is wrong all the same.
    let status = sigstore_up(home, &["status", "-o", "json"]);
    assert_eq!(status.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("CT client"), "{report}");

    // install restarts Fulcio and proves signing by a round trip.
    let again = sigstore_up(home, &["install"]);
    let log = crate::support::stderr(&again);
    ok(again, "install after the CT log outage");
    assert!(log.contains("restarting Fulcio"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains(" signable ") && l.contains("signed as")),
        "{log}"
    );
    let status = sigstore_up(home, &["status", "-o", "json"]);
    assert_eq!(status.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(report.get("warnings").is_none(), "{report}");

    cosign_sign(home, &trust, &token_file, &artifact, &bundle);
    assert!(cosign_verify(home, &trust, &artifact, &bundle));
    ok(sigstore_up(home, &["forward", "--stop"]), "forward --stop");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
}

/// Deletes the component's pods (those of this instance) and waits until they are gone: a
/// terminating pod may still serve (kube-proxy falls back to terminating endpoints while a
/// Service has no ready one), so the component is down only once its pods are.
async fn delete_pods(cluster: &Cluster, values: &Values, namespace: &str, name: &str) {
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let selector = format!(
        "app.kubernetes.io/name={name},app.kubernetes.io/instance={}",
        values.instance
    );
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .unwrap();
    assert!(!list.items.is_empty(), "no pod of {namespace}/{name}");
    for pod in &list.items {
        pods.delete(&pod.name_any(), &DeleteParams::default())
            .await
            .unwrap();
    }
    for pod in &list.items {
        let uid = pod.uid().unwrap_or_default();
        tokio::time::timeout(
            HEAL_BOUND,
            watch_until(
                cluster,
                pods.clone(),
                &pod.name_any(),
                conditions::is_deleted(&uid),
            ),
        )
        .await
        .unwrap_or_else(|_| panic!("pod {namespace}/{} is still there", pod.name_any()))
        .unwrap();
    }
}

/// The test cluster's node, unschedulable while this lives (so a deleted pod's replacement
/// stays Pending); schedulable again when it is dropped, also on a failure.
struct Cordon {
    node: String,
}

impl Cordon {
    async fn new(cluster: &Cluster) -> Cordon {
        let nodes: Api<Node> = Api::all(cluster.client.clone());
        let list = nodes.list(&ListParams::default()).await.unwrap();
        assert_eq!(list.items.len(), 1, "the test cluster has one node");
        let node = list.items[0].name_any();
        set_unschedulable(nodes, &node, true).await;
        Cordon { node }
    }
}

async fn set_unschedulable(nodes: Api<Node>, node: &str, unschedulable: bool) {
    nodes
        .patch(
            node,
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({ "spec": { "unschedulable": unschedulable } })),
        )
        .await
        .unwrap();
}

impl Drop for Cordon {
    fn drop(&mut self) {
        let node = self.node.clone();
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let nodes: Api<Node> = Api::all(cluster().await.client.clone());
                set_unschedulable(nodes, &node, false).await;
            })
        })
        .join()
        .unwrap();
    }
}
