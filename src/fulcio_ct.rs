//! Fulcio's CT client never forgets a failure.
//!
//! Fulcio submits every precertificate to the CT log with certificate-transparency-go's
//! `jsonclient`, which keeps ONE back-off for the whole process: each failed submission that it
//! retries (connection refused, HTTP 503 or 429) doubles it (1 s, 2 s, 4 s, … up to 128 s), and
//! nothing ever lowers it again (upstream: google/certificate-transparency-go#1696; Fulcio has
//! no flag for it). So a Fulcio that lived through a few short CT-log outages — the CT log or
//! Trillian restarted, or a request raced kube-proxy right after the CT log became ready —
//! answers the next request that meets a single failure only after 32 s, 64 s, 128 s: longer
//! than cosign waits (30 s). Measured on the test cluster: after a 25 s Trillian outage with
//! signing going on, one more Trillian pod deletion (new pod ready in ~2 s) made the next
//! `cosign sign-blob` time out after 30 s (Fulcio logged "backing-off for 1m4s"); a restarted
//! Fulcio signed at once.
//!
//! Fulcio logs each such failure ("Request to <CT log> failed, backing-off <wait>: …"), so the
//! state is visible: `status` warns about it, and install's last gate restarts Fulcio (a new
//! process starts with no back-off) before it proves the round trip.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ListParams, LogParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use tokio::time::Instant;

use crate::catalog;
use crate::cluster::Cluster;
use crate::cluster::wait::{DeploymentRef, deployments_ready};
use crate::values::Values;

/// What Fulcio logs for each failed CT submission it will retry.
const MARKER: &str = "failed, backing-off ";

/// jsonclient's ceiling (2^7 s).
const CEILING: Duration = Duration::from_secs(128);

/// From this next wait on, Fulcio is restarted: two failed attempts of one request then
/// already cost 8 + 16 s, close to cosign's 30 s; below it a restart (a few seconds of Fulcio
/// not answering) costs more than it saves. A fresh install typically leaves 1 s (its gate's
/// first submission can race kube-proxy routing the CT log's Service), next wait 2 s.
pub const RESTART_AT: Duration = Duration::from_secs(8);

/// The annotation whose change on the pod template makes the Deployment roll Fulcio's pod (as
/// `kubectl rollout restart` does with its own).
pub const RESTARTED_AT: &str = "sigstore-up.dev/restarted-at";

/// Fulcio's CT back-off as its log tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CtBackoff {
    /// Failed CT submissions logged since the process started.
    pub failures: usize,
    /// The longest wait it logged.
    pub longest: Duration,
}

impl CtBackoff {
    /// How long the next failed submission will at least make a request wait: double the
    /// longest so far (each failure doubles it; a wait logged while one was pending is shorter),
    /// at most the ceiling.
    pub fn next_wait(&self) -> Duration {
        if self.failures == 0 {
            return Duration::ZERO;
        }
        (self.longest * 2).min(CEILING)
    }

    pub fn needs_restart(&self) -> bool {
        self.next_wait() >= RESTART_AT
    }

    fn merge(self, other: CtBackoff) -> CtBackoff {
        CtBackoff {
            failures: self.failures + other.failures,
            longest: self.longest.max(other.longest),
        }
    }
}

impl std::fmt::Display for CtBackoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Fulcio's CT client failed {} submission(s) since it started and backs off for good \
             (certificate-transparency-go#1696): a request that meets one more CT log failure \
             waits {}s or longer",
            self.failures,
            self.next_wait().as_secs()
        )
    }
}

/// Reads Fulcio's log text. Pure.
pub fn read_log(log: &str) -> CtBackoff {
    let mut backoff = CtBackoff::default();
    for line in log.lines() {
        let Some((_, rest)) = line.split_once(MARKER) else {
            continue;
        };
        let rest = rest.strip_prefix("for ").unwrap_or(rest);
        let wait = rest.split(':').next().unwrap_or_default();
        backoff.failures += 1;
        if let Ok(wait) = crate::duration::parse(wait) {
            backoff.longest = backoff.longest.max(wait);
        }
    }
    backoff
}

fn deployment(values: &Values) -> DeploymentRef {
    let fulcio = &catalog::fulcio::COMPONENT;
    DeploymentRef {
        namespace: fulcio.namespace(values).to_string(),
        name: fulcio.name.to_string(),
    }
}

/// The back-off of the running Fulcio pods (not those being deleted), from their current
/// containers' logs.
pub async fn of_fulcio(cluster: &Cluster, values: &Values) -> anyhow::Result<CtBackoff> {
    let target = deployment(values);
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let selector = catalog::fulcio::COMPONENT.pod_selector(values);
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| cluster.access_error(&e))?;
    let mut backoff = CtBackoff::default();
    for pod in list
        .items
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        // A pod whose container has not started yet has no log: nothing backed off.
        if let Ok(log) = pods.logs(&pod.name_any(), &LogParams::default()).await {
            backoff = backoff.merge(read_log(&log));
        }
    }
    Ok(backoff)
}

/// Rolls Fulcio's pod (a new process, no back-off) and waits until the Deployment is ready.
pub async fn restart_fulcio(
    cluster: &Cluster,
    values: &Values,
    deadline: Instant,
) -> anyhow::Result<()> {
    let target = deployment(values);
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), &target.namespace);
    let patch = serde_json::json!({
        "spec": { "template": { "metadata": { "annotations": {
            RESTARTED_AT: jiff::Timestamp::now().to_string()
        } } } }
    });
    deployments
        .patch(&target.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| cluster.access_error(&e))?;
    deployments_ready(cluster, &[target], deadline, &|_| {}, &[]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as Fulcio v1.8.8 logged them on the test cluster (JSON, zap).
    const LOG: &str = r#"{"severity":"info","ts":1796038935.27,"caller":"app/serve.go:164","message":"Request to http://ctlog.ctlog-system.svc/sigstorescaffolding failed, backing-off 1s: Post \"http://ctlog.ctlog-system.svc/sigstorescaffolding/ct/v1/add-pre-chain\": dial tcp 10.96.78.73:80: connect: connection refused"}
{"severity":"info","ts":1796038939.90,"caller":"app/serve.go:164","message":"Request to http://ctlog.ctlog-system.svc/sigstorescaffolding failed, backing-off for 2s: got HTTP status 503 Service Unavailable"}
{"severity":"INFO","message":"some other line"}
{"severity":"info","ts":1796038996.05,"caller":"app/serve.go:164","message":"Request to http://ctlog.ctlog-system.svc/sigstorescaffolding failed, backing-off for 17.742759542s: got HTTP status 503 Service Unavailable"}
"#;

    #[test]
    fn counts_failures_and_the_longest_wait() {
        let backoff = read_log(LOG);
        assert_eq!(backoff.failures, 3);
        assert_eq!(backoff.longest, Duration::from_nanos(17_742_759_542));
        assert_eq!(backoff.next_wait(), Duration::from_nanos(35_485_519_084));
        assert!(backoff.needs_restart());
    }

    #[test]
    fn a_fresh_install_s_single_failure_is_left_alone() {
        let backoff = read_log(LOG.lines().next().unwrap());
        assert_eq!(backoff.failures, 1);
        assert_eq!(backoff.next_wait(), Duration::from_secs(2));
        assert!(!backoff.needs_restart());
        assert_eq!(read_log("").next_wait(), Duration::ZERO);
    }

    #[test]
    fn the_wait_is_capped() {
        let log = "x failed, backing-off for 2m8s: y\n".repeat(3);
        assert_eq!(read_log(&log).next_wait(), CEILING);
        assert!(read_log("a failed, backing-off 4s: b").needs_restart());
        assert!(!read_log("a failed, backing-off 2s: b").needs_restart());
    }
}
