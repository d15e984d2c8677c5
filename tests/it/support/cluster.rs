//! What the tests on the real test cluster share: where its kubeconfig is, a client for it, and
//! deleting the namespaces a test made.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::DeleteParams;
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};
use sigstore_up::cluster::wait::watch_until;
use sigstore_up::cluster::{Cluster, ConnectOptions, connect};

/// The test cluster's admin kubeconfig (tests/cluster/up prints it); the tests run inside the
/// cluster's network namespace.
pub fn kubeconfig() -> PathBuf {
    match std::env::var_os("SIGSTORE_UP_TEST_KUBECONFIG") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "SIGSTORE_UP_TEST_KUBECONFIG is not set: start the test cluster with tests/cluster/up, then run \
             `nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
             cargo test --test it <this test> -- --ignored --test-threads=1` (tests/run does all of it)"
        ),
    }
}

pub async fn cluster() -> Cluster {
    connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig()),
        context: None,
    })
    .await
    .expect("connecting to the test cluster")
}

/// Deletes a namespace if it exists and waits until it is gone.
pub async fn delete_namespace(cluster: &Cluster, name: &str) {
    let api: Api<Namespace> = Api::all(cluster.client.clone());
    let Some(ns) = api.get_opt(name).await.unwrap() else {
        return;
    };
    let _ = api.delete(name, &DeleteParams::default()).await;
    let uid = ns.uid().unwrap_or_default();
    watch_until(cluster, api, name, conditions::is_deleted(&uid))
        .await
        .unwrap();
}

/// [`delete_namespace`] for each name, from a Drop guard (which cannot await): on a runtime of
/// its own, in a thread of its own, waiting until all are gone.
pub fn delete_namespaces_now(names: Vec<String>) {
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let cluster = cluster().await;
                for name in names {
                    delete_namespace(&cluster, &name).await;
                }
            })
    })
    .join()
    .unwrap();
}
