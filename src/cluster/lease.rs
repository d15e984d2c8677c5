//! A lock held through a coordination.k8s.io Lease: one holder at a time, renewed in the
//! background while held, taken over only once it expired (its holder died without releasing),
//! released by deleting it. Optimistic concurrency (resourceVersion) decides between racers.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{DeleteParams, PostParams, Preconditions};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::client::Cluster;
use crate::error::Failure;

/// How long a lease lives without renewal; it is renewed every third of it.
pub const LEASE_DURATION: Duration = Duration::from_secs(15);
/// How often a waiter looks again.
const POLL: Duration = Duration::from_millis(500);

/// Who holds a lease, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub identity: String,
    /// Seconds since it acquired the lease, if it says.
    pub held_for: Option<u64>,
}

/// A held lease; renewed until [`LeaseLock::release`] (or dropped: then it expires).
pub struct LeaseLock {
    api: Api<Lease>,
    name: String,
    identity: String,
    renewer: JoinHandle<()>,
}

impl Drop for LeaseLock {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into())
}

/// A name for this process as a lease holder: `<host> pid <pid> (<random>)`.
pub fn holder_identity() -> String {
    format!(
        "{} pid {} ({:08x})",
        host_name(),
        std::process::id(),
        rand::random::<u32>()
    )
}

/// A holder on this machine whose process is gone (killed before it could release): its lease
/// need not be waited out.
fn holder_died_here(identity: &str) -> bool {
    let Some((host, rest)) = identity.split_once(" pid ") else {
        return false;
    };
    let Some(pid) = rest
        .split_whitespace()
        .next()
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return false;
    };
    host == host_name()
        && pid != std::process::id()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl LeaseLock {
    /// Takes the lease `namespace/name` (creating it with `labels`), waiting while another
    /// holder renews it; `waiting` is called each time a different holder is seen. Gives up at
    /// `deadline` with a [`Failure::NotReady`] naming the holder.
    pub async fn acquire(
        cluster: &Cluster,
        namespace: &str,
        name: &str,
        labels: BTreeMap<String, String>,
        deadline: Instant,
        mut waiting: impl FnMut(&Holder),
    ) -> anyhow::Result<LeaseLock> {
        let api: Api<Lease> = Api::namespaced(cluster.client.clone(), namespace);
        let identity = holder_identity();
        let mut seen: Option<String> = None;
        loop {
            let now = Timestamp::now();
            let spec = LeaseSpec {
                holder_identity: Some(identity.clone()),
                lease_duration_seconds: Some(LEASE_DURATION.as_secs() as i32),
                acquire_time: Some(MicroTime(now)),
                renew_time: Some(MicroTime(now)),
                ..Default::default()
            };
            let live = api
                .get_opt(name)
                .await
                .map_err(|e| cluster.access_error(&e))?;
            let attempt = match live {
                None => {
                    let lease = Lease {
                        metadata: ObjectMeta {
                            name: Some(name.to_string()),
                            namespace: Some(namespace.to_string()),
                            labels: Some(labels.clone()),
                            ..Default::default()
                        },
                        spec: Some(spec),
                    };
                    api.create(&PostParams::default(), &lease).await
                }
                Some(mut lease) => {
                    let current = lease.spec.clone().unwrap_or_default();
                    let dead = current
                        .holder_identity
                        .as_deref()
                        .is_some_and(holder_died_here);
                    if !dead && !expired(&current, now) {
                        let holder = Holder {
                            identity: current.holder_identity.clone().unwrap_or_default(),
                            held_for: current
                                .acquire_time
                                .map(|t| now.duration_since(t.0).as_secs().max(0) as u64),
                        };
                        if seen.as_ref() != Some(&holder.identity) {
                            waiting(&holder);
                            seen = Some(holder.identity.clone());
                        }
                        if Instant::now() + POLL > deadline {
                            return Err(Failure::NotReady(format!(
                                "lease {namespace}/{name} is still held by {} (another install of \
                                 this instance); wait for it to finish and run install again, or \
                                 give a longer --timeout",
                                holder.identity
                            ))
                            .into());
                        }
                        tokio::time::sleep(POLL).await;
                        continue;
                    }
                    // Free or expired: take it over (resourceVersion guards against racers).
                    let transitions = current.lease_transitions.unwrap_or(0) + 1;
                    lease.spec = Some(LeaseSpec {
                        lease_transitions: Some(transitions),
                        ..spec
                    });
                    api.replace(name, &PostParams::default(), &lease).await
                }
            };
            match attempt {
                Ok(_) => break,
                // Someone else created or took it first: look again.
                Err(kube::Error::Api(status)) if status.code == 409 => continue,
                Err(e) => return Err(cluster.access_error(&e)),
            }
        }
        let renewer = tokio::spawn(renew(api.clone(), name.to_string(), identity.clone()));
        Ok(LeaseLock {
            api,
            name: name.to_string(),
            identity,
            renewer,
        })
    }

    /// Stops renewing and deletes the lease if it is still ours.
    pub async fn release(self) {
        self.renewer.abort();
        if let Ok(Some(lease)) = self.api.get_opt(&self.name).await
            && lease.spec.and_then(|s| s.holder_identity).as_deref() == Some(&self.identity)
        {
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    resource_version: lease.metadata.resource_version,
                    uid: lease.metadata.uid,
                }),
                ..DeleteParams::default()
            };
            // An error leaves a lease that expires by itself.
            let _ = self.api.delete(&self.name, &params).await;
        }
    }
}

/// A lease nobody holds, or whose holder has not renewed it within its duration.
fn expired(spec: &LeaseSpec, now: Timestamp) -> bool {
    let Some(holder) = spec.holder_identity.as_deref() else {
        return true;
    };
    if holder.is_empty() {
        return true;
    }
    let duration = i64::from(spec.lease_duration_seconds.unwrap_or(0));
    match spec.renew_time.as_ref().or(spec.acquire_time.as_ref()) {
        Some(renewed) => now.duration_since(renewed.0).as_secs() > duration,
        None => true,
    }
}

async fn renew(api: Api<Lease>, name: String, identity: String) {
    loop {
        tokio::time::sleep(LEASE_DURATION / 3).await;
        let Ok(Some(mut lease)) = api.get_opt(&name).await else {
            continue;
        };
        let Some(spec) = lease.spec.as_mut() else {
            return;
        };
        if spec.holder_identity.as_deref() != Some(&identity) {
            return; // lost: someone took it over after it expired
        }
        spec.renew_time = Some(MicroTime(Timestamp::now()));
        let _ = api.replace(&name, &PostParams::default(), &lease).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_expires_when_not_renewed_within_its_duration() {
        let now = Timestamp::now();
        let at = |seconds_ago: i64| {
            Some(MicroTime(
                now.checked_sub(k8s_openapi::jiff::SignedDuration::from_secs(seconds_ago))
                    .unwrap(),
            ))
        };
        let spec = |holder: Option<&str>, renewed| LeaseSpec {
            holder_identity: holder.map(str::to_string),
            lease_duration_seconds: Some(15),
            renew_time: renewed,
            ..Default::default()
        };
        assert!(!expired(&spec(Some("a"), at(3)), now));
        assert!(expired(&spec(Some("a"), at(30)), now));
        assert!(expired(&spec(None, at(3)), now));
        assert!(expired(&spec(Some(""), at(3)), now));
    }

    #[test]
    fn a_holder_whose_process_is_gone_from_this_machine_is_dead() {
        let me = holder_identity();
        assert!(!holder_died_here(&me), "this process lives");
        let host = host_name();
        // pid_max is at most 2^22: this pid cannot exist.
        assert!(holder_died_here(&format!("{host} pid 99999999 (0)")));
        assert!(!holder_died_here("elsewhere.example pid 99999999 (0)"));
        assert!(!holder_died_here("garbage"));
    }
}
