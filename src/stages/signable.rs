//! "signable": install's last gate. Ready means a keyless signing round trip works through the
//! servers clients use (see `signable` for the requests and checks):
//! OIDC token (TokenRequest, as `token` does) → Fulcio (OIDC discovery; the CT log, and for the
//! classic profile Trillian and MariaDB behind it) → Rekor (an entry with an inclusion proof up to
//! a checkpoint signed by the trusted key; v1 reads it back) → the timestamp authority, if the
//! profile runs one. Each hop is asked by short attempts until it answers or install's deadline.
//!
//! It runs after "trust": it checks the answers against exactly the material the trust files
//! were written from (handed over by "trust"), and when it fails, those files are already there
//! to debug with (`status --probe`, cosign).
//!
//! What it writes: one certificate into the CT log and one entry into Rekor per round trip. A
//! converged re-run (every earlier stage changed nothing) writes nothing, when ConfigMap
//! `sigstore-up-signable` records a round trip that passed: it then only checks, read-only, that
//! the servers serve the trusted material (what `status --probe` checks), and makes the round
//! trip after all if one of those checks fails. The record is written only after a round trip
//! passed, so a re-run after a failed gate proves it again.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::ObjectMeta;

use super::compare::State;
use super::{Context, Outcome, StageFuture};
use crate::catalog::{self, Component};
use crate::cli::TokenArgs;
use crate::cluster::Tunnel;
use crate::cluster::apply::to_dynamic;
use crate::pipeline::object_ref;
use crate::probe;
use crate::retry::{Backoff, retry};
use crate::signable::{
    EphemeralKey, Hop, HopFailure, Included, fulcio_request, probe_artifact, read_fulcio_answer,
    read_rekor_v1_entry, read_rekor_v2_entry, read_timestamp_answer, rekor_v1_request,
    rekor_v2_request, sha256, timestamp_nonce, timestamp_request, token_subject,
};
use crate::trust::{OidcToken, TrustMaterial};
use crate::ui::StageLine;

/// Between attempts at one hop: short, so a server that just became ready is used at once.
const BACKOFF: Backoff = Backoff::exponential(Duration::from_millis(250), Duration::from_secs(2));

/// The service account whose token signs (in Fulcio's namespace, which install owns).
pub const SERVICE_ACCOUNT: &str = "default";

/// What the gate proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// A round trip now.
    RoundTrip(RoundTrip),
    /// A converged re-run: nothing written to the logs; an earlier round trip is on record,
    /// and the servers are checked as the record says.
    Converged { record: String, checks: Checked },
}

/// How a converged re-run knows the servers still serve what the record proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The pods that served the record's round trip (or its last read-only checks) all still
    /// run, none restarted.
    SamePods,
    /// Some pod changed: this many read-only checks (what `status --probe` asks) passed.
    Servers(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTrip {
    /// The certificate's identity (SAN).
    pub identity: String,
    pub rekor_major: u32,
    pub rekor_index: u64,
    pub rekor_tree_size: u64,
    pub timestamped: bool,
}

impl RoundTrip {
    /// The record's text.
    fn describe(&self) -> String {
        format!(
            "{} as {}, Rekor v{} entry {}",
            jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%SZ"),
            self.identity,
            self.rekor_major,
            self.rekor_index
        )
    }
}

impl Proof {
    /// A round trip wrote to the logs (and the record).
    pub fn changed_nothing(&self) -> bool {
        matches!(self, Proof::Converged { .. })
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proof::RoundTrip(trip) => {
                write!(
                    f,
                    "signed as {}: Fulcio certificate chained to the trusted root with an SCT \
                     from the trusted CT log; Rekor v{} entry {} included in a tree of size {} \
                     (checkpoint signed by the trusted key{})",
                    trip.identity,
                    trip.rekor_major,
                    trip.rekor_index,
                    trip.rekor_tree_size,
                    if trip.rekor_major == 1 {
                        ", read back"
                    } else {
                        ""
                    }
                )?;
                if trip.timestamped {
                    f.write_str("; timestamped by the TSA")?;
                }
                Ok(())
            }
            Proof::Converged { record, checks } => {
                f.write_str("converged: nothing written to the logs; ")?;
                match checks {
                    Checked::SamePods => {
                        f.write_str("the same server pods as at the last check, none restarted")?
                    }
                    Checked::Servers(count) => write!(f, "{count} read-only checks passed")?,
                }
                write!(f, "; last round trip: {record}")
            }
        }
    }
}

/// The record of the last round trip that passed.
pub const RECORD: &catalog::Object = &catalog::fulcio::SIGNABLE_RECORD;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let material = ctx.trust_material.get()?.clone();
        // A Fulcio whose CT client already backs off long (see fulcio_ct) is restarted first;
        // then signing is proved by a round trip, not by the record.
        let restarted = clear_ct_backoff(ctx, line).await?;
        if !restarted
            && ctx.changed.is_empty()
            && let Some(record) = read_record(ctx).await?
        {
            // The same pods, none restarted, all ready: the processes that passed the record's
            // checks still serve, from unchanged Secrets, ConfigMaps and trees (earlier stages
            // changed nothing), so asking them again would prove nothing new.
            let pods = serving_pods(ctx).await?;
            if pods.is_some() && pods == record.pods {
                // The state for the fast path, if the record lacks it or it moved (a
                // re-apply of an object nothing changed in, an upgrade of sigstore-up).
                let state = State::now(ctx).await?.to_text();
                if record.state.as_deref() != Some(state.as_str()) {
                    write_record(
                        ctx,
                        &record.proof,
                        pods.as_deref().unwrap_or_default(),
                        &state,
                    )
                    .await?;
                }
                return Ok(Outcome::Signable(Proof::Converged {
                    record: record.proof,
                    checks: Checked::SamePods,
                }));
            }
            line.progress("converged: checking read-only");
            match read_only_checks(ctx, &material).await {
                Ok(count) => {
                    if let Some(pods) = &pods {
                        let state = State::now(ctx).await?.to_text();
                        write_record(ctx, &record.proof, pods, &state).await?;
                    }
                    return Ok(Outcome::Signable(Proof::Converged {
                        record: record.proof,
                        checks: Checked::Servers(count),
                    }));
                }
                Err(problem) => ctx.ui.warn(&format!(
                    "{problem}; making a signing round trip (writes one probe entry)"
                )),
            }
        }
        let mut trip = round_trip(ctx, line, &material)
            .await
            .map_err(out_of_time)?;
        // The round trip itself may have met a flaky CT log (each failure Fulcio retried is
        // one more doubling): hand over a Fulcio without that, proved once more.
        if clear_ct_backoff(ctx, line).await? {
            trip = round_trip(ctx, line, &material)
                .await
                .map_err(out_of_time)?;
        }
        let pods = serving_pods(ctx).await?.unwrap_or_default();
        let state = State::now(ctx).await?.to_text();
        write_record(ctx, &trip.describe(), &pods, &state).await?;
        Ok(Outcome::Signable(Proof::RoundTrip(trip)))
    })
}

/// Restarts Fulcio when its CT client's back-off has grown so long that one more CT log
/// hiccup would stall a signature (`fulcio_ct::RESTART_AT`); says so. Whether it did.
async fn clear_ct_backoff(ctx: &Context, line: &StageLine) -> anyhow::Result<bool> {
    let backoff = crate::fulcio_ct::of_fulcio(&ctx.cluster, &ctx.values).await?;
    if !backoff.needs_restart() {
        return Ok(false);
    }
    ctx.ui.warn(&format!("{backoff}; restarting Fulcio"));
    line.progress("restarting Fulcio (its CT client backs off)");
    crate::fulcio_ct::restart_fulcio(&ctx.cluster, &ctx.values, ctx.deadline).await?;
    Ok(true)
}

/// A hop that kept failing in a way worth asking again until the deadline is "not ready in
/// time" (exit 4); a final refusal stays a failure (exit 1).
fn out_of_time(error: anyhow::Error) -> anyhow::Error {
    match error.downcast::<HopFailure>() {
        Ok(failure) if failure.retryable => crate::error::Failure::NotReady(format!(
            "{failure} (still failing when install's --timeout ran out)"
        ))
        .into(),
        Ok(failure) => failure.into(),
        Err(error) => error,
    }
}

/// The record of the last round trip that passed, the pods that served then, and the state
/// for install's fast path (see `compare`).
pub(super) struct Record {
    pub proof: String,
    pub pods: Option<String>,
    pub state: Option<String>,
}

pub(super) async fn read_record(ctx: &Context) -> anyhow::Result<Option<Record>> {
    let namespace = catalog::fulcio::COMPONENT.namespace(&ctx.values);
    let found = ctx
        .applier
        .get(&object_ref("v1", "ConfigMap", Some(namespace), RECORD.name))
        .await?;
    Ok(found.and_then(|object| {
        let data = &object.data["data"];
        Some(Record {
            proof: data[catalog::fulcio::SIGNABLE_PROOF.name]
                .as_str()?
                .to_string(),
            pods: data[catalog::fulcio::SIGNABLE_PODS.name]
                .as_str()
                .map(str::to_string),
            state: data[catalog::fulcio::SIGNABLE_STATE.name]
                .as_str()
                .map(str::to_string),
        })
    }))
}

/// The pods of the profile's servers, one `namespace/name uid restarts` line each, sorted;
/// None when one of them is not ready (then nothing is taken for granted).
pub(super) async fn serving_pods(ctx: &Context) -> anyhow::Result<Option<String>> {
    use k8s_openapi::api::core::v1::Pod;
    let lists = ctx.values.profile().components().iter().map(|component| {
        let namespace = component.namespace(&ctx.values);
        let pods: kube::Api<Pod> = kube::Api::namespaced(ctx.cluster.client.clone(), namespace);
        let selector = component.pod_selector(&ctx.values);
        async move {
            let list = pods
                .list(&kube::api::ListParams::default().labels(&selector))
                .await
                .map_err(|e| ctx.cluster.access_error(&e))?;
            anyhow::Ok((namespace, list.items))
        }
    });
    let mut lines = Vec::new();
    for (namespace, pods) in futures::future::try_join_all(lists).await? {
        for pod in pods {
            if !crate::cluster::wait::pod_is_ready(&pod) {
                return Ok(None);
            }
            let restarts: i32 = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum());
            lines.push(format!(
                "{namespace}/{} {} {restarts}",
                pod.metadata.name.as_deref().unwrap_or_default(),
                pod.metadata.uid.as_deref().unwrap_or_default(),
            ));
        }
    }
    lines.sort();
    Ok(Some(lines.join("\n")))
}

async fn write_record(ctx: &Context, proof: &str, pods: &str, state: &str) -> anyhow::Result<()> {
    let component = &catalog::fulcio::COMPONENT;
    let mut labels = ctx.values.ownership_labels();
    for (key, value) in component.labels() {
        labels.insert(key.into(), value.into());
    }
    let record = ConfigMap {
        metadata: ObjectMeta {
            name: Some(RECORD.name.into()),
            namespace: Some(component.namespace(&ctx.values).to_string()),
            labels: Some(labels),
            ..Default::default()
        },
        data: Some(BTreeMap::from([
            (
                catalog::fulcio::SIGNABLE_PROOF.name.to_string(),
                proof.into(),
            ),
            (catalog::fulcio::SIGNABLE_PODS.name.to_string(), pods.into()),
            (
                catalog::fulcio::SIGNABLE_STATE.name.to_string(),
                state.into(),
            ),
        ])),
        ..Default::default()
    };
    ctx.applier.apply(&to_dynamic(&record)?).await?;
    Ok(())
}

/// What `status --probe` checks, for the profile's components: each must pass.
async fn read_only_checks(ctx: &Context, material: &TrustMaterial) -> Result<usize, String> {
    // All at once: each waits mostly on its tunnel and one HTTP answer.
    let checks = ctx
        .values
        .profile()
        .components()
        .iter()
        .flat_map(|component| {
            component.probes.iter().map(move |&check| async move {
                let port = component.port(check.port()).service;
                let namespace = component.namespace(&ctx.values);
                let tunnel = Tunnel::to_service(&ctx.cluster, namespace, component.name, port, 0)
                    .await
                    .map_err(|e| format!("{}: {e:#}", check.name()))?;
                let result = crate::commands::status::run_check(
                    check,
                    tunnel.local_addr(),
                    &ctx.cluster,
                    &ctx.values,
                    material,
                )
                .await;
                if result.outcome != probe::Outcome::Ok {
                    return Err(format!("{}: {}", result.name, result.detail));
                }
                Ok(())
            })
        });
    let results = futures::future::join_all(checks).await;
    let count = results.len();
    results.into_iter().collect::<Result<Vec<()>, String>>()?;
    Ok(count)
}

/// A tunnel to a component's HTTP port.
async fn tunnel(ctx: &Context, component: &Component, hop: Hop) -> Result<Tunnel, HopFailure> {
    let namespace = component.namespace(&ctx.values);
    Tunnel::to_service(
        &ctx.cluster,
        namespace,
        component.name,
        component.port("http").service,
        0,
    )
    .await
    .map_err(|e| {
        HopFailure::new(
            hop,
            format!("no tunnel to {namespace}/{}: {e:#}", component.name),
            format!(
                "check its pods: kubectl get pods -n {namespace}; kubectl logs -n {namespace} \
                 deployment/{}",
                component.name
            ),
        )
    })
}

async fn round_trip(
    ctx: &Context,
    line: &StageLine,
    material: &TrustMaterial,
) -> anyhow::Result<RoundTrip> {
    let profile = ctx.values.profile();
    let fulcio = &catalog::fulcio::COMPONENT;
    let rekor = profile
        .component(if material.rekor_major_api_version >= 2 {
            "rekor_tiles"
        } else {
            "rekor"
        })
        .ok_or_else(|| anyhow::anyhow!("the profile has no Rekor (a catalog bug)"))?;
    let tsa = profile.component("tsa");
    let deadline = ctx.deadline;
    let places = Places::new(&ctx.values);
    // What is waited for shows on the stage's line (and with -v in plain output).
    let again = |failure: &HopFailure| {
        if failure.retryable {
            line.progress(&format!(
                "{}: {}; asking again",
                failure.hop, failure.answer
            ));
        }
        failure.retryable
    };

    line.progress("requesting an OIDC token");
    let token_args = TokenArgs {
        audience: ctx.values.fulcio.client_id.clone(),
        namespace: fulcio.namespace(&ctx.values).to_string(),
        service_account: SERVICE_ACCOUNT.to_string(),
        duration: crate::commands::token::MIN_DURATION,
    };
    let token = retry(deadline, BACKOFF, &again, || async {
        crate::commands::token::mint(&ctx.cluster, &token_args)
            .await
            .map_err(|e| {
                HopFailure::new(
                    Hop::Token,
                    format!("{e:#}"),
                    format!(
                        "the gate signs as service account {}/{}: it must exist and you \
                             must be allowed to create serviceaccounts/token there",
                        token_args.namespace, token_args.service_account
                    ),
                )
                .retryable()
            })
    })
    .await?;
    let subject = token_subject(&token).map_err(|e| {
        HopFailure::new(
            Hop::Token,
            format!("{e:#}"),
            "the API server's token is not a JWT with a sub claim",
        )
    })?;

    let key = EphemeralKey::generate();
    let public_key = key.public_key();
    let proof = key.sign(subject.as_bytes());
    let request = serde_json::to_vec(&fulcio_request(&token, &public_key.to_pem(), &proof))?;

    line.progress("Fulcio: requesting a certificate (OIDC, CT log)");
    let fulcio_tunnel = tunnel(ctx, fulcio, Hop::Fulcio).await?;
    let issued = retry(deadline, BACKOFF, &again, || async {
        let body = Exchange {
            tunnel: &fulcio_tunnel,
            hop: Hop::Fulcio,
            token: &token,
            places: &places,
        }
        .post("/api/v2/signingCert", "application/json", request.clone())
        .await?;
        read_fulcio_answer(&body, &public_key, material)
    })
    .await?;
    drop(fulcio_tunnel);

    let artifact = probe_artifact(&ctx.values.instance);
    let digest = sha256(&artifact);
    // hashedrekord: the signature is over the artifact (ECDSA hashes it: over the digest).
    let signature = key.sign(&artifact);

    line.progress(&format!(
        "Rekor v{}: adding an entry{}",
        material.rekor_major_api_version,
        if tsa.is_some() {
            "; timestamp authority: timestamping the signature"
        } else {
            ""
        }
    ));
    // The timestamp needs only the signature: it is asked while Rekor integrates the entry.
    let entry = async {
        let rekor_tunnel = tunnel(ctx, rekor, Hop::Rekor).await?;
        let included = if material.rekor_major_api_version >= 2 {
            let request =
                serde_json::to_vec(&rekor_v2_request(&digest, &signature, &issued.chain_der[0]))?;
            retry(deadline, BACKOFF, &again, || async {
                let body = Exchange {
                    tunnel: &rekor_tunnel,
                    hop: Hop::Rekor,
                    token: &token,
                    places: &places,
                }
                .post("/api/v2/log/entries", "application/json", request.clone())
                .await?;
                read_rekor_v2_entry(&body, material)
            })
            .await?
        } else {
            let request =
                serde_json::to_vec(&rekor_v1_request(&digest, &signature, &issued.leaf_pem))?;
            // Asked again only when there was no answer or a server error (Trillian not
            // reachable yet, or slow to integrate: Rekor answers only once the entry is in the
            // tree). Should an earlier attempt have created the entry after all, Rekor refuses
            // the same entry again (409) naming it; the artifact is unique, so that entry is
            // ours, and it is read back like a new one.
            let posted = retry(deadline, BACKOFF, &again, || async {
                Exchange {
                    tunnel: &rekor_tunnel,
                    hop: Hop::Rekor,
                    token: &token,
                    places: &places,
                }
                .post_entry("/api/v1/log/entries", request.clone())
                .await
            })
            .await?;
            let uuid = match posted {
                Posted::Created(body) => match read_rekor_v1_entry(&body, material)? {
                    Some(Included {
                        uuid: Some(uuid), ..
                    }) => uuid,
                    _ => read_uuid(&body)?,
                },
                Posted::Exists(uuid) => uuid,
            };
            line.progress("Rekor: reading the entry back");
            let path = format!("/api/v1/log/entries/{uuid}");
            retry(deadline, BACKOFF, &again, || async {
                let body = Exchange {
                    tunnel: &rekor_tunnel,
                    hop: Hop::Rekor,
                    token: &token,
                    places: &places,
                }
                .get(&path)
                .await?;
                read_rekor_v1_entry(&body, material)?.ok_or_else(|| {
                    HopFailure::new(
                        Hop::Rekor,
                        format!("entry {uuid} has no inclusion proof yet"),
                        format!(
                            "Trillian's log signer integrates entries: check kubectl logs -n {} \
                             deployment/trillian-log-signer",
                            catalog::trillian_log_signer::COMPONENT.namespace(&ctx.values)
                        ),
                    )
                    .retryable()
                })
            })
            .await?
        };
        drop(rekor_tunnel);
        anyhow::Ok(included)
    };

    let timestamp = async {
        let Some(tsa) = tsa else {
            return anyhow::Ok(false);
        };
        let tsa_tunnel = tunnel(ctx, tsa, Hop::Tsa).await?;
        let signature_digest = sha256(&signature);
        let nonce = timestamp_nonce();
        let request = timestamp_request(&signature_digest, nonce);
        retry(deadline, BACKOFF, &again, || async {
            let body = Exchange {
                tunnel: &tsa_tunnel,
                hop: Hop::Tsa,
                token: &token,
                places: &places,
            }
            .post(
                "/api/v1/timestamp",
                "application/timestamp-query",
                request.clone(),
            )
            .await?;
            read_timestamp_answer(&body, &signature_digest, nonce)
        })
        .await?;
        anyhow::Ok(true)
    };
    let (included, timestamped) = tokio::try_join!(entry, timestamp)?;
    Ok(RoundTrip {
        identity: issued.identity,
        rekor_major: material.rekor_major_api_version,
        rekor_index: included.log_index,
        rekor_tree_size: included.tree_size,
        timestamped,
    })
}

/// What a POST of a Rekor v1 entry got: the new entry, or the UUID of the same entry made by an
/// earlier attempt.
enum Posted {
    Created(Vec<u8>),
    Exists(String),
}

/// The UUID in Rekor v1's 409 answer (`"an equivalent entry already exists in the transparency
/// log with UUID <uuid>"`).
fn conflicting_uuid(body: &[u8]) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_slice(body).ok()?;
    let uuid = answer["message"]
        .as_str()?
        .rsplit_once("with UUID ")?
        .1
        .trim();
    (!uuid.is_empty() && uuid.chars().all(|c| c.is_ascii_hexdigit())).then(|| uuid.to_string())
}

fn read_uuid(body: &[u8]) -> Result<String, HopFailure> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.as_object().and_then(|m| m.keys().next().cloned()))
        .ok_or_else(|| {
            HopFailure::new(
                Hop::Rekor,
                "its answer names no entry",
                "check Rekor's version",
            )
        })
}

/// Where each hop's Deployment runs, for the fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    pub fulcio: String,
    pub ctlog: String,
    pub rekor: String,
    pub tsa: String,
}

impl Places {
    pub fn new(values: &crate::values::Values) -> Places {
        let profile = values.profile();
        let namespace = |id: &str, default: &Component| {
            profile
                .component(id)
                .unwrap_or(default)
                .namespace(values)
                .to_string()
        };
        Places {
            fulcio: catalog::fulcio::COMPONENT.namespace(values).to_string(),
            ctlog: namespace("tesseract", &catalog::ctlog::COMPONENT),
            rekor: namespace("rekor_tiles", &catalog::rekor::COMPONENT),
            tsa: catalog::tsa::COMPONENT.namespace(values).to_string(),
        }
    }
}

struct Exchange<'a> {
    tunnel: &'a Tunnel,
    hop: Hop,
    token: &'a OidcToken,
    places: &'a Places,
}

impl Exchange<'_> {
    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, HopFailure> {
        let answer = probe::http_post(self.tunnel.local_addr(), path, content_type, body).await;
        self.answered(&format!("POST {path}"), answer)
    }

    /// POST of a Rekor v1 entry: a 409 naming the existing entry's UUID is an answer too.
    async fn post_entry(&self, path: &str, body: Vec<u8>) -> Result<Posted, HopFailure> {
        let answer =
            probe::http_post(self.tunnel.local_addr(), path, "application/json", body).await;
        if let Ok((status, body)) = &answer
            && *status == http::StatusCode::CONFLICT
            && let Some(uuid) = conflicting_uuid(body)
        {
            return Ok(Posted::Exists(uuid));
        }
        self.answered(&format!("POST {path}"), answer)
            .map(Posted::Created)
    }

    async fn get(&self, path: &str) -> Result<Vec<u8>, HopFailure> {
        let answer = probe::http_get(self.tunnel.local_addr(), path).await;
        self.answered(&format!("GET {path}"), answer)
    }

    /// A 2xx answer's body, else the failure naming the hop.
    fn answered(
        &self,
        what: &str,
        answer: anyhow::Result<(http::StatusCode, Vec<u8>)>,
    ) -> Result<Vec<u8>, HopFailure> {
        match answer {
            Ok((status, body)) if status.is_success() => Ok(body),
            Ok((status, body)) => Err(failure_for_status(
                self.hop,
                what,
                status,
                &body,
                self.token,
                self.places,
            )),
            Err(error) => {
                let cause = self
                    .tunnel
                    .last_error()
                    .map(|e| format!(" (tunnel: {e})"))
                    .unwrap_or_default();
                Err(HopFailure::new(
                    self.hop,
                    format!("{what}: {error:#}{cause}"),
                    format!("it does not answer: {}", self.places.logs(self.hop)),
                )
                .retryable())
            }
        }
    }
}

impl Places {
    /// Where to look for a hop's log.
    pub fn logs(&self, hop: Hop) -> String {
        match hop {
            Hop::Fulcio | Hop::Token => {
                format!("check kubectl logs -n {} deployment/fulcio", self.fulcio)
            }
            Hop::CtLog => format!("check kubectl logs -n {} deployment/ctlog", self.ctlog),
            Hop::Rekor => format!("check kubectl logs -n {} deployment/rekor", self.rekor),
            Hop::Tsa => format!("check kubectl logs -n {} deployment/tsa", self.tsa),
        }
    }
}

/// What a non-2xx answer means, per hop. Server errors and 401 are worth asking again (a
/// server behind is starting, discovery not yet reachable); other refusals are final.
pub fn failure_for_status(
    hop: Hop,
    what: &str,
    status: http::StatusCode,
    body: &[u8],
    token: &OidcToken,
    places: &Places,
) -> HopFailure {
    let text: String = String::from_utf8_lossy(body)
        .replace(token.expose_secret(), "<token>")
        .chars()
        .take(400)
        .collect();
    let answer = format!("{what} answered {status}: {}", text.trim());
    let lower = text.to_ascii_lowercase();
    // Fulcio answers 400 "There was an error processing the identity token" also when it could
    // not fetch the issuer's keys to check it, e.g. while the API server restarts (seen on the
    // test cluster): asked again like a 401, with the same hint when it stays so.
    let token_refused = status == http::StatusCode::UNAUTHORIZED
        || (status == http::StatusCode::BAD_REQUEST && lower.contains("identity token"));
    let failure = match hop {
        Hop::Fulcio if lower.contains("ctl") || lower.contains("ct log") => HopFailure::new(
            Hop::CtLog,
            answer,
            format!(
                "Fulcio could not enter the certificate in the CT log: {} (classic: and \
                 Trillian and MariaDB behind it), and `sigstore-up status --probe`",
                places.logs(Hop::CtLog)
            ),
        ),
        Hop::Fulcio if token_refused => HopFailure::new(
            Hop::Fulcio,
            answer,
            "Fulcio refused the service-account token: it must reach the cluster's OIDC \
             discovery and keys (the issuer in ConfigMap fulcio-config, `kubectl get --raw \
             /.well-known/openid-configuration`; Fulcio's log names the request that failed; \
             README: \"Fulcio and the cluster's OIDC discovery\") and fulcio.client_id must be \
             the token's audience",
        ),
        _ => HopFailure::new(hop, answer, places.logs(hop)),
    };
    if status.is_server_error() || token_refused || status == http::StatusCode::TOO_MANY_REQUESTS {
        failure.retryable()
    } else {
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places::new(&crate::values::Values::default())
    }

    #[test]
    fn rekors_conflict_names_the_entry_an_earlier_attempt_made() {
        let body = br#"{"code":409,"message":"an equivalent entry already exists in the transparency log with UUID 6981ff77fdc25483f54cbe41c8985efcf5b510f5943f175c262b1e8fc6d15566c116b8a00a902c28"}"#;
        assert_eq!(
            conflicting_uuid(body).as_deref(),
            Some(
                "6981ff77fdc25483f54cbe41c8985efcf5b510f5943f175c262b1e8fc6d15566c116b8a00a902c28"
            )
        );
        for other in [
            &br#"{"code":409,"message":"conflict"}"#[..],
            br#"{"code":409,"message":"with UUID ; DROP"}"#,
            b"not json",
        ] {
            assert_eq!(conflicting_uuid(other), None);
        }
    }

    #[test]
    fn a_refusal_names_the_hop_and_the_fix_and_never_the_token() {
        let token = OidcToken::new("eyJhbGciOi.secret-claims.sig").unwrap();
        let body = br#"{"code":13,"message":"error entering certificate in CTL: eyJhbGciOi.secret-claims.sig"}"#;
        let failure = failure_for_status(
            Hop::Fulcio,
            "POST /api/v2/signingCert",
            http::StatusCode::INTERNAL_SERVER_ERROR,
            body,
            &token,
            &places(),
        );
        assert_eq!(failure.hop, Hop::CtLog);
        assert!(failure.retryable);
        let text = failure.to_string();
        assert!(text.starts_with("signing round trip failed at CT log: POST /api/v2/signingCert answered 500 Internal Server Error"), "{text}");
        assert!(
            text.contains("kubectl logs -n ctlog-system deployment/ctlog"),
            "{text}"
        );
        assert!(!text.contains("secret-claims"), "{text}");

        let failure = failure_for_status(
            Hop::Fulcio,
            "POST /api/v2/signingCert",
            http::StatusCode::UNAUTHORIZED,
            br#"{"code":16,"message":"There was an error processing the identity token"}"#,
            &token,
            &places(),
        );
        assert_eq!(failure.hop, Hop::Fulcio);
        assert!(failure.retryable);
        assert!(failure.fix.contains("openid-configuration"), "{failure}");

        // What Fulcio answers while it cannot fetch the issuer's keys (the API server restarts).
        let failure = failure_for_status(
            Hop::Fulcio,
            "POST /api/v2/signingCert",
            http::StatusCode::BAD_REQUEST,
            br#"{"code":3, "message":"There was an error processing the identity token", "details":[]}"#,
            &token,
            &places(),
        );
        assert!(failure.retryable);
        assert!(failure.fix.contains("openid-configuration"), "{failure}");

        let failure = failure_for_status(
            Hop::Rekor,
            "POST /api/v1/log/entries",
            http::StatusCode::BAD_REQUEST,
            b"{\"code\":400,\"message\":\"unmarshalling entry\"}",
            &token,
            &places(),
        );
        assert_eq!(failure.hop, Hop::Rekor);
        assert!(!failure.retryable, "a malformed request is not asked again");
        assert!(failure.to_string().contains("unmarshalling entry"));
    }

    #[test]
    fn the_status_line_says_what_was_proved() {
        let trip = Proof::RoundTrip(RoundTrip {
            identity: "https://kubernetes.io/namespaces/fulcio-system/serviceaccounts/default"
                .into(),
            rekor_major: 1,
            rekor_index: 0,
            rekor_tree_size: 1,
            timestamped: true,
        });
        assert!(!trip.changed_nothing());
        assert_eq!(
            trip.to_string(),
            "signed as https://kubernetes.io/namespaces/fulcio-system/serviceaccounts/default: \
             Fulcio certificate chained to the trusted root with an SCT from the trusted CT log; \
             Rekor v1 entry 0 included in a tree of size 1 (checkpoint signed by the trusted \
             key, read back); timestamped by the TSA"
        );
        let converged = Proof::Converged {
            record: "2026-11-30 09:00:00Z as x, Rekor v2 entry 3".into(),
            checks: Checked::Servers(5),
        };
        assert!(converged.changed_nothing());
        assert!(
            converged
                .to_string()
                .starts_with("converged: nothing written to the logs; 5 read-only checks passed")
        );
        let same_pods = Proof::Converged {
            record: "2026-11-30 09:00:00Z as x, Rekor v2 entry 3".into(),
            checks: Checked::SamePods,
        };
        assert!(same_pods.to_string().contains("the same server pods"));
    }
}
