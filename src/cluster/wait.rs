//! Waiting by watching: readiness of Deployments, disappearance of objects. No sleeps, no
//! polling timers; a timeout turns into a diagnosis of what is stuck.

use std::fmt::Debug;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{ListParams, LogParams};
use kube::core::Selector;
use kube::runtime::WatchStreamExt;
use kube::runtime::wait::Condition;
use kube::runtime::watcher::watch_object;
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::client::Cluster;
use crate::error::Failure;

/// How many log lines of a stuck container a timeout message shows.
const LOG_TAIL_LINES: i64 = 20;

/// A Deployment to wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRef {
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for DeploymentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Waits until `condition` holds for the named object, following a watch (re-established with
/// backoff when it breaks). Fails on missing rights; never returns on its own otherwise, so
/// callers bound it with a timeout.
pub async fn watch_until<K>(
    cluster: &Cluster,
    api: Api<K>,
    name: &str,
    condition: impl Condition<K>,
) -> anyhow::Result<Option<K>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let mut events = std::pin::pin!(watch_object(api, name).default_backoff());
    while let Some(event) = events.next().await {
        match event {
            Ok(object) if condition.matches_object(object.as_ref()) => return Ok(object),
            Ok(_) => {}
            Err(kube::runtime::watcher::Error::InitialListFailed(e))
            | Err(kube::runtime::watcher::Error::WatchStartFailed(e))
                if matches!(&e, kube::Error::Api(s) if s.code == 401 || s.code == 403) =>
            {
                return Err(cluster.access_error(&e));
            }
            // Anything else is transient: the backoff re-establishes the watch.
            Err(_) => {}
        }
    }
    anyhow::bail!("the watch of {name} ended unexpectedly")
}

/// True when every desired replica runs the current template and is ready, and no old pod is
/// left.
pub fn deployment_is_ready(deployment: Option<&Deployment>) -> bool {
    let Some(deployment) = deployment else {
        return false;
    };
    let Some(status) = &deployment.status else {
        return false;
    };
    let desired = deployment
        .spec
        .as_ref()
        .and_then(|s| s.replicas)
        .unwrap_or(1);
    let observed =
        status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(1);
    observed
        && status.updated_replicas.unwrap_or(0) == desired
        && status.ready_replicas.unwrap_or(0) == desired
        && status.replicas.unwrap_or(0) == desired
}

/// Waits (by watching) until every Deployment is ready, or `deadline` passes; then the error
/// names each stuck Deployment's pods, their phase or reason, and the end of their logs.
/// `progress` is called with the names still pending each time one becomes ready.
/// Every string in `redact` is blanked out of the logs shown.
pub async fn deployments_ready(
    cluster: &Cluster,
    deployments: &[DeploymentRef],
    deadline: Instant,
    progress: &(dyn Fn(&[DeploymentRef]) + Send + Sync),
    redact: &[String],
) -> anyhow::Result<()> {
    let mut pending: Vec<DeploymentRef> = deployments.to_vec();
    progress(&pending);
    let mut waits: FuturesUnordered<_> = deployments
        .iter()
        .map(|target| async move {
            let api: Api<Deployment> = Api::namespaced(cluster.client.clone(), &target.namespace);
            watch_until(cluster, api, &target.name, deployment_is_ready)
                .await
                .map(|_| target.clone())
        })
        .collect();
    let all_ready = async {
        while let Some(ready) = waits.next().await {
            let ready = ready?;
            pending.retain(|p| *p != ready);
            progress(&pending);
        }
        anyhow::Ok(())
    };
    let namespaces: Vec<&str> = {
        let mut names: Vec<&str> = deployments.iter().map(|d| d.namespace.as_str()).collect();
        names.sort();
        names.dedup();
        names
    };
    // An image that cannot be pulled, or a container that keeps crashing, never becomes ready:
    // say so at once, not at the deadline.
    let all_ready = async {
        tokio::select! {
            result = all_ready => result,
            failure = hopeless_pod(cluster, &namespaces, deployments, redact) => Err(failure),
        }
    };
    match tokio::time::timeout_at(deadline, all_ready).await {
        Ok(result) => result,
        Err(_timeout) => {
            drop(waits);
            let mut report = Vec::new();
            for target in deployments {
                let api: Api<Deployment> =
                    Api::namespaced(cluster.client.clone(), &target.namespace);
                let ready = api.get_opt(&target.name).await.ok().flatten();
                if !deployment_is_ready(ready.as_ref()) {
                    report.push(diagnose_deployment(cluster, target, redact).await);
                }
            }
            if report.is_empty() {
                // Everything became ready in the instant after the deadline.
                return Ok(());
            }
            Err(Failure::NotReady(format!(
                "not ready in time:\n{}\nFix the cause above and run the command again (it continues where it stopped); \
                 a slow cluster may need a longer --timeout.",
                report.join("\n")
            ))
            .into())
        }
    }
}

/// Container waiting reasons that mean the image will not arrive without a change.
const IMAGE_PULL_FAILURES: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
];

/// From this many restarts on, a container the kubelet holds back in CrashLoopBackOff counts as
/// one that will not come up by itself: it crashed four times over about 30 s (the kubelet waits
/// 10 s, then 20 s, before the second and third restarts). A container that exits once because
/// a peer was not there yet (Trillian before MariaDB answered) is restarted at once and lives.
pub const CRASH_LOOP_RESTARTS: i32 = 3;

/// Resolves (with the error to report) as soon as a pod in `namespaces` waits for an image that
/// cannot be pulled, or a pod of the current revision of one of `deployments` keeps crashing
/// (see [`CRASH_LOOP_RESTARTS`]); never resolves otherwise.
async fn hopeless_pod(
    cluster: &Cluster,
    namespaces: &[&str],
    deployments: &[DeploymentRef],
    redact: &[String],
) -> anyhow::Error {
    use kube::runtime::watcher;
    let streams = namespaces.iter().map(|namespace| {
        let api: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
        watcher(api, watcher::Config::default())
            .default_backoff()
            .applied_objects()
            .boxed()
    });
    let mut pods = futures::stream::select_all(streams);
    while let Some(event) = pods.next().await {
        let Ok(pod) = event else { continue };
        if let Some(message) = pull_failure_of(&pod) {
            // Name the Deployment too: its pods are named `<deployment>-<hash>-<id>`.
            let owner = deployments.iter().find(|d| {
                pod.namespace().as_deref() == Some(d.namespace.as_str())
                    && pod.name_any().starts_with(&format!("{}-", d.name))
            });
            let message = match owner {
                Some(deployment) => format!("deployment {deployment}: {message}"),
                None => message,
            };
            return Failure::NotReady(message).into();
        }
        if let Some((container, restarts)) = crash_loop_of(&pod)
            && let Some(deployment) = deployments.iter().find(|d| {
                pod.namespace().as_deref() == Some(d.namespace.as_str())
                    && pod.name_any().starts_with(&format!("{}-", d.name))
            })
            && is_of_current_revision(cluster, &pod, deployment).await
        {
            let report = diagnose_deployment(cluster, deployment, redact).await;
            return Failure::NotReady(format!(
                "deployment {deployment} keeps crashing: container {container} of pod {} \
                 restarted {restarts} times:\n{report}\nFix the cause above and run the command \
                 again (it continues where it stopped).",
                pod.name_any()
            ))
            .into();
        }
    }
    std::future::pending().await
}

/// The container of `pod` the kubelet holds back in CrashLoopBackOff after at least
/// [`CRASH_LOOP_RESTARTS`] restarts, and its restart count.
pub fn crash_loop_of(pod: &Pod) -> Option<(String, i32)> {
    let status = pod.status.as_ref()?;
    status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .find_map(|container| {
            let waiting = container.state.as_ref()?.waiting.as_ref()?;
            (waiting.reason.as_deref() == Some("CrashLoopBackOff")
                && container.restart_count >= CRASH_LOOP_RESTARTS)
                .then(|| (container.name.clone(), container.restart_count))
        })
}

/// Whether `pod` is of the Deployment's only pod template: a crashing pod beside pods of
/// another template is in a rollout, which may replace it, and is not a reason to give up (the
/// wait then runs to its deadline). Reads pods only (no ReplicaSets: the permissions README
/// lists do not include them).
async fn is_of_current_revision(cluster: &Cluster, pod: &Pod, target: &DeploymentRef) -> bool {
    const TEMPLATE_HASH: &str = "pod-template-hash";
    let Some(hash) = pod.labels().get(TEMPLATE_HASH) else {
        return false;
    };
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let Ok(Some(deployment)) = deployments.get_opt(&target.name).await else {
        return false;
    };
    let Ok(selector) = pod_selector(deployment.spec.as_ref().map(|s| &s.selector)) else {
        return false;
    };
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let Ok(list) = pods
        .list(&ListParams::default().labels_from(&selector))
        .await
    else {
        return false;
    };
    list.items
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .all(|p| p.labels().get(TEMPLATE_HASH) == Some(hash))
}

/// What to tell the user about a pod whose image cannot be pulled, if that is its state.
pub fn pull_failure_of(pod: &Pod) -> Option<String> {
    let status = pod.status.as_ref()?;
    status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .find_map(|container| {
            let waiting = container.state.as_ref()?.waiting.as_ref()?;
            let reason = waiting.reason.as_deref()?;
            IMAGE_PULL_FAILURES.contains(&reason).then(|| {
                format!(
                    "pod {} (namespace {}): image {} cannot be pulled ({reason}: {}).\n\
                     Make it available to the node: list every image with `sigstore-up images`, \
                     mirror them (or `kind load docker-image`) and install with --image-registry REGISTRY, \
                     or set images.<component> to a reference the node can pull; then run install again",
                    pod.name_any(),
                    pod.namespace().unwrap_or_default(),
                    container.image,
                    waiting.message.as_deref().unwrap_or("no message from the node")
                )
            })
        })
}

/// The pods a Deployment's selector picks (matchLabels and matchExpressions), as kube's
/// [`Selector`]; no selector at all is the empty one.
pub fn pod_selector(selector: Option<&LabelSelector>) -> anyhow::Result<Selector> {
    Ok(selector
        .cloned()
        .map(Selector::try_from)
        .transpose()?
        .unwrap_or_default())
}

/// A human description of why a Deployment is not ready: its pods (phase, container state,
/// scheduling, warning events, last log lines) or, with no pods, its own conditions.
pub async fn diagnose_deployment(
    cluster: &Cluster,
    target: &DeploymentRef,
    redact: &[String],
) -> String {
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let deployment = match deployments.get_opt(&target.name).await {
        Ok(Some(d)) => d,
        Ok(None) => return format!("- deployment {target}: does not exist"),
        Err(e) => return format!("- deployment {target}: cannot read it: {e}"),
    };
    let mut lines = vec![format!(
        "- deployment {target}: {}",
        replica_summary(&deployment)
    )];
    let selector = match pod_selector(deployment.spec.as_ref().map(|s| &s.selector)) {
        Ok(selector) => selector,
        Err(e) => {
            lines.push(format!("  cannot select its pods: {e}"));
            return lines.join("\n");
        }
    };
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let pod_list = pods
        .list(&ListParams::default().labels_from(&selector))
        .await;
    let not_ready: Vec<Pod> = match pod_list {
        Ok(list) => list
            .items
            .into_iter()
            .filter(|p| !pod_is_ready(p))
            .collect(),
        Err(e) => {
            lines.push(format!("  cannot list its pods: {e}"));
            Vec::new()
        }
    };
    if not_ready.is_empty() {
        // No pod at all usually means the ReplicaSet may not create them (e.g. Pod Security).
        for condition in deployment
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
        {
            if condition.status != "True" || condition.type_ == "ReplicaFailure" {
                lines.push(format!(
                    "  condition {}={}: {}",
                    condition.type_,
                    condition.status,
                    condition.message.as_deref().unwrap_or("")
                ));
            }
        }
    }
    for pod in &not_ready {
        lines.extend(describe_pod(cluster, &target.namespace, pod, redact).await);
    }
    lines.join("\n")
}

fn replica_summary(deployment: &Deployment) -> String {
    let desired = deployment
        .spec
        .as_ref()
        .and_then(|s| s.replicas)
        .unwrap_or(1);
    let status = deployment.status.clone().unwrap_or_default();
    format!(
        "{}/{desired} ready, {} up to date",
        status.ready_replicas.unwrap_or(0),
        status.updated_replicas.unwrap_or(0)
    )
}

/// True when the pod runs (its containers started) and is not terminating, ready or not.
pub fn pod_is_running(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

pub fn pod_is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|conditions| {
                conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
}

/// Lines describing one pod that is not ready.
async fn describe_pod(
    cluster: &Cluster,
    namespace: &str,
    pod: &Pod,
    redact: &[String],
) -> Vec<String> {
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let name = pod.name_any();
    let status = pod.status.clone().unwrap_or_default();
    let mut lines = vec![format!(
        "  pod {name}: phase {}",
        status.phase.as_deref().unwrap_or("Unknown")
    )];
    for condition in status.conditions.iter().flatten() {
        if condition.type_ == "PodScheduled" && condition.status != "True" {
            lines.push(format!(
                "    not scheduled: {} {}",
                condition.reason.as_deref().unwrap_or(""),
                condition.message.as_deref().unwrap_or("")
            ));
        }
    }
    let mut log_container = None;
    for container in status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
    {
        if container.ready {
            continue;
        }
        let state = container.state.clone().unwrap_or_default();
        let now = if let Some(waiting) = &state.waiting {
            format!(
                "waiting: {} {}",
                waiting.reason.as_deref().unwrap_or(""),
                waiting.message.as_deref().unwrap_or("")
            )
        } else if let Some(terminated) = &state.terminated {
            format!(
                "terminated: {} (exit code {})",
                terminated.reason.as_deref().unwrap_or(""),
                terminated.exit_code
            )
        } else {
            "running, not ready (readiness probe failing)".to_string()
        };
        let mut line = format!("    container {}: {}", container.name, now.trim_end());
        if container.restart_count > 0 {
            line.push_str(&format!(", {} restarts", container.restart_count));
            if let Some(last) = container
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
            {
                line.push_str(&format!(
                    ", last exit: {} (exit code {})",
                    last.reason.as_deref().unwrap_or(""),
                    last.exit_code
                ));
            }
        }
        lines.push(line);
        if log_container.is_none() {
            // A crashed container's useful log is the previous run's.
            let previous = state.running.is_none() && container.restart_count > 0;
            log_container = Some((container.name.clone(), previous));
        }
    }
    // Events often repeat the container's state; show only what adds to it.
    for (reason, message) in warning_events(cluster, namespace, &name).await {
        let core = message.strip_prefix("Error: ").unwrap_or(&message);
        if !lines.iter().any(|line| line.contains(core)) {
            lines.push(format!("    event: {reason} {message}"));
        }
    }
    if let Some((container, previous)) = log_container {
        let params = LogParams {
            container: Some(container.clone()),
            tail_lines: Some(LOG_TAIL_LINES),
            previous,
            ..Default::default()
        };
        match pods.logs(&name, &params).await {
            Ok(log) if !log.trim().is_empty() => {
                lines.push(format!(
                    "    last {LOG_TAIL_LINES} log lines of {container}{}:",
                    if previous { " (previous run)" } else { "" }
                ));
                let mut log = log;
                for secret in redact.iter().filter(|s| !s.is_empty()) {
                    log = log.replace(secret.as_str(), "<redacted>");
                }
                lines.extend(log.lines().map(|l| format!("      | {l}")));
            }
            Ok(_) => lines.push(format!("    (no log output from {container})")),
            Err(_) => lines.push(format!("    (no log from {container}: it has not started)")),
        }
    }
    lines
}

/// `(reason, message)` of the last few Warning events of a pod (FailedMount,
/// FailedScheduling, BackOff, ...); none when they cannot be read.
async fn warning_events(
    cluster: &Cluster,
    namespace: &str,
    pod_name: &str,
) -> Vec<(String, String)> {
    let events: Api<Event> = Api::namespaced(cluster.client.clone(), namespace);
    let fields = format!("involvedObject.kind=Pod,involvedObject.name={pod_name},type=Warning");
    let Ok(list) = events.list(&ListParams::default().fields(&fields)).await else {
        return Vec::new();
    };
    let mut items = list.items;
    items.sort_by_key(|e| e.last_timestamp.clone().map(|t| t.0));
    let start = items.len().saturating_sub(5);
    items[start..]
        .iter()
        .map(|e| {
            (
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default().trim().to_string(),
            )
        })
        .collect()
}

/// Time left until `deadline` (zero when passed).
pub fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_with(container_statuses: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "trillian-logsigner-5d9c-x2"},
            "status": {"phase": "Running", "containerStatuses": container_statuses},
        }))
        .unwrap()
    }

    fn waiting(reason: &str, restarts: i32) -> serde_json::Value {
        serde_json::json!([{
            "name": "log-signer", "image": "i", "imageID": "", "ready": false,
            "restartCount": restarts, "state": {"waiting": {"reason": reason}},
        }])
    }

    #[test]
    fn a_container_held_back_after_enough_restarts_is_a_crash_loop() {
        assert_eq!(
            crash_loop_of(&pod_with(waiting("CrashLoopBackOff", CRASH_LOOP_RESTARTS))),
            Some(("log-signer".to_string(), CRASH_LOOP_RESTARTS))
        );
        // One exit while a peer was not there yet, or a slow start: not given up on.
        assert_eq!(
            crash_loop_of(&pod_with(waiting(
                "CrashLoopBackOff",
                CRASH_LOOP_RESTARTS - 1
            ))),
            None
        );
        assert_eq!(
            crash_loop_of(&pod_with(waiting("ContainerCreating", 9))),
            None
        );
        let running = serde_json::json!([{
            "name": "log-signer", "image": "i", "imageID": "", "ready": false,
            "restartCount": 7, "state": {"running": {}},
        }]);
        assert_eq!(crash_loop_of(&pod_with(running)), None);
    }
}
