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

/// When a cluster test fails, says why in its log: each component's Deployment and pods
/// (phase, restarts, container states), the warning events of our namespaces, the last lines of
/// every container's log (with this instance's secret values blanked), and the log of
/// `sigstore-up forward` if the test ran one. Declare it after the test's cleanup guard, so it
/// runs first (locals drop in reverse order).
pub struct ExplainOnFailure {
    /// The test's HOME (its state directory holds forward.log), if it has one of its own.
    pub home: Option<PathBuf>,
}

impl Drop for ExplainOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let home = self.home.clone();
        let report = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(explain(home))
        })
        .join()
        .unwrap_or_else(|_| "(explaining the failure failed too)".to_string());
        eprintln!("\n===== state of the stack at the failure =====\n{report}\n=====");
    }
}

async fn explain(home: Option<PathBuf>) -> String {
    use k8s_openapi::api::core::v1::{Event, Pod, Secret};
    use kube::api::{ListParams, LogParams};
    use sigstore_up::cluster::DeploymentRef;
    use sigstore_up::cluster::wait::diagnose_deployment;
    use sigstore_up::values::Values;

    let cluster = cluster().await;
    // The stack as installed (its profile), else the defaults.
    let mut values = Values::default();
    let _ = sigstore_up::instance::adopt_installed(&cluster, &mut values).await;
    let mut lines = Vec::new();
    // Blank every value of our Secrets (passwords, private keys) in what is shown.
    let mut secrets_shown = Vec::new();
    for key in sigstore_up::catalog::NamespaceKey::ALL {
        let api: Api<Secret> = Api::namespaced(cluster.client.clone(), key.of(&values));
        if let Ok(list) = api.list(&ListParams::default()).await {
            for secret in list.items {
                for value in secret.data.into_iter().flatten().map(|(_, v)| v.0) {
                    if let Ok(text) = String::from_utf8(value) {
                        secrets_shown
                            .extend(text.lines().filter(|l| l.len() >= 8).map(String::from));
                    }
                }
            }
        }
    }
    let blank = |text: &str| {
        secrets_shown.iter().fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), "<secret>")
        })
    };
    for component in values.profile().components() {
        let namespace = component.namespace(&values).to_string();
        let target = DeploymentRef {
            namespace: namespace.clone(),
            name: component.name.to_string(),
        };
        lines.push(diagnose_deployment(&cluster, &target, &secrets_shown).await);
        let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), &namespace);
        let selector = format!("app.kubernetes.io/name={}", component.name);
        let Ok(list) = pods.list(&ListParams::default().labels(&selector)).await else {
            continue;
        };
        for pod in list.items {
            let name = pod.name_any();
            let restarts: i32 = pod
                .status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
                .map(|c| c.restart_count)
                .sum();
            let phase = pod.status.as_ref().and_then(|s| s.phase.clone());
            lines.push(format!("  pod {name}: {phase:?}, {restarts} restarts"));
            let containers = pod.spec.iter().flat_map(|s| s.containers.iter());
            for container in containers {
                let params = LogParams {
                    tail_lines: Some(15),
                    container: Some(container.name.clone()),
                    ..LogParams::default()
                };
                if let Ok(log) = pods.logs(&name, &params).await {
                    lines.push(format!("    container {}:", container.name));
                    lines.extend(log.lines().map(|l| format!("    | {}", blank(l))));
                }
            }
        }
    }
    for key in sigstore_up::catalog::NamespaceKey::ALL {
        let events: Api<Event> = Api::namespaced(cluster.client.clone(), key.of(&values));
        if let Ok(list) = events.list(&ListParams::default()).await {
            for event in list
                .items
                .iter()
                .filter(|e| e.type_.as_deref() == Some("Warning"))
            {
                lines.push(format!(
                    "  event {}: {} {}",
                    key.of(&values),
                    event.reason.clone().unwrap_or_default(),
                    blank(event.message.as_deref().unwrap_or_default())
                ));
            }
        }
    }
    if let Some(home) = home {
        let log = home.join(".local/state/sigstore-up/sigstore/forward.log");
        match std::fs::read_to_string(&log) {
            Ok(text) => {
                lines.push(format!("forward log {}:", log.display()));
                lines.extend(
                    text.lines()
                        .rev()
                        .take(30)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .map(|l| format!("    | {}", blank(l))),
                );
            }
            Err(_) => lines.push(format!("(no forward log at {})", log.display())),
        }
    }
    lines.join("\n")
}
