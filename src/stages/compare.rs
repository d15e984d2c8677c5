//! "compare": install's fast path. A full install that proved signing records, with its proof,
//! what it left behind (stage "signable" writes it into its record, key `state`): a
//! fingerprint of its inputs (sigstore-up's version, the values with the cluster's issuer, every
//! object install writes, as rendered), the version of each of those objects as the cluster
//! holds it, and when the TUF metadata is next due to be signed again. With the pods that
//! served the proof (key `pods`), that is everything install would find.
//!
//! A re-run that renders the same inputs, finds every object at its recorded version and the
//! same server pods (none restarted, all ready), no install running, nothing due in TUF and no
//! long CT back-off in Fulcio has nothing to do: every later stage would find what it finds
//! and change nothing. Then only "trust" runs (the files on this host may be gone). Anything
//! else, or any error while comparing, runs every stage (preflight then reports the error).
//! `install --full` runs every stage regardless.
//!
//! What it cannot see: changes behind the servers that leave every object and pod as it was
//! (say, a Trillian tree deleted through its admin API). `install --full` or `status --probe`
//! checks those.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use futures::future::try_join_all;
use k8s_openapi::api::coordination::v1::Lease;
use kube::ResourceExt;
use kube::api::ListParams;
use kube::core::DynamicObject;

use super::{Context, Outcome, StageFuture};
use crate::catalog::{self, NamespaceKey};
use crate::cluster::{Applier, Ownership};
use crate::pipeline::{object_ref, objects_install_writes};
use crate::render::{Manifest, render};
use crate::ui::StageLine;
use crate::values::Values;

/// How long comparing may take before install runs every stage instead: the fast path is a
/// few reads; a cluster slower than this gains nothing from it.
const BUDGET: Duration = Duration::from_secs(3);

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing changed since the recorded install: the proof on record, how many objects and
    /// pods were compared.
    Unchanged {
        proof: String,
        objects: usize,
        pods: usize,
    },
    /// Something differs (what, for the status line): every stage runs.
    Changed(String),
}

impl Verdict {
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Verdict::Unchanged { .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Unchanged {
                proof,
                objects,
                pods,
            } => write!(
                f,
                "unchanged since the last install: {objects} objects and {pods} server pods as \
                 recorded, nothing due; last round trip: {proof}"
            ),
            Verdict::Changed(what) => write!(f, "{what}: running every stage"),
        }
    }
}

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        if ctx.full {
            return Ok(Outcome::Compared(Verdict::Changed("--full".into())));
        }
        line.progress("comparing with the last install's record");
        let verdict = match tokio::time::timeout(BUDGET, compare(ctx)).await {
            Ok(Ok(Compared::Same {
                verdict,
                values,
                manifests,
            })) => {
                // What preflight would have completed, for the stages that still run.
                ctx.values = *values;
                ctx.manifests = manifests;
                verdict
            }
            Ok(Ok(Compared::Differs(what))) => Verdict::Changed(what),
            Ok(Err(error)) => {
                ctx.ui.detail(&format!("comparing failed: {error:#}"));
                Verdict::Changed("could not compare (-v says why)".into())
            }
            Err(_) => Verdict::Changed(format!("comparing took over {} s", BUDGET.as_secs())),
        };
        ctx.unchanged = verdict.is_unchanged();
        Ok(Outcome::Compared(verdict))
    })
}

/// What [`compare`] found, with the completed values and their manifests when nothing changed.
enum Compared {
    Same {
        verdict: Verdict,
        values: Box<Values>,
        manifests: Vec<Manifest>,
    },
    Differs(String),
}

async fn compare(ctx: &Context) -> anyhow::Result<Compared> {
    let changed = |what: &str| Ok(Compared::Differs(what.to_string()));
    let (record, values, lease, pods, backoff) = tokio::try_join!(
        super::signable::read_record(ctx),
        with_issuer(ctx),
        install_running(ctx),
        super::signable::serving_pods(ctx),
        crate::fulcio_ct::of_fulcio(&ctx.cluster, &ctx.values),
    )?;
    let Some(record) = record else {
        return changed("no install on record");
    };
    let Some(recorded) = record.state.as_deref().and_then(State::parse) else {
        return changed("the record has no state");
    };
    if lease {
        return changed("another install is running");
    }
    if backoff.needs_restart() {
        return changed("Fulcio's CT client backs off");
    }
    match pods {
        None => return changed("a server pod is not ready"),
        Some(pods) if Some(&pods) != record.pods.as_ref() => {
            return changed("the server pods changed");
        }
        Some(_) => {}
    }
    if crate::tuf::now() >= recorded.tuf_due {
        return changed("TUF metadata is due to be signed again");
    }
    let manifests = render(&values)?;
    let objects = objects_install_writes(&values, &manifests)?;
    if inputs_fingerprint(&values, &objects)? != recorded.inputs {
        return changed("the values or sigstore-up changed");
    }
    let versions = observed_versions(&ctx.applier, &ctx.ownership, &objects).await?;
    if let Some(what) = first_difference(&recorded.objects, &versions) {
        return Ok(Compared::Differs(what));
    }
    let verdict = Verdict::Unchanged {
        proof: record.proof,
        objects: versions.len(),
        pods: record.pods.as_deref().map_or(0, |p| p.lines().count()),
    };
    Ok(Compared::Same {
        verdict,
        values: Box::new(values),
        manifests,
    })
}

/// The values as preflight completes them (see `preflight::complete_issuer`).
async fn with_issuer(ctx: &Context) -> anyhow::Result<Values> {
    let mut values = ctx.values.clone();
    super::preflight::complete_issuer(&ctx.cluster, &mut values).await?;
    Ok(values)
}

/// Whether the install lease of the instance exists (install deletes it when it ends; one left
/// by a killed install expires, and the full path takes it over).
async fn install_running(ctx: &Context) -> anyhow::Result<bool> {
    let namespace = NamespaceKey::Fulcio.of(&ctx.values);
    let leases: kube::Api<Lease> = kube::Api::namespaced(ctx.cluster.client.clone(), namespace);
    let lease = leases
        .get_opt(super::lock::LEASE_NAME)
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?;
    Ok(lease.is_some())
}

/// What a full install records for the fast path (see the module docs), as the text of key
/// `state`: `inputs <hex>`, `tuf-due <unix seconds>`, then one `<kind> <namespace/name>
/// <version>` line per object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub inputs: String,
    pub tuf_due: i64,
    pub objects: BTreeMap<String, String>,
}

impl State {
    /// The state of the cluster now, for the record (stage "signable", at the end of a full
    /// install, when the values are complete and "tuf" has said when it is next due).
    pub async fn now(ctx: &Context) -> anyhow::Result<State> {
        let objects = objects_install_writes(&ctx.values, &ctx.manifests)?;
        Ok(State {
            inputs: inputs_fingerprint(&ctx.values, &objects)?,
            tuf_due: *ctx.tuf_due.get()?,
            objects: observed_versions(&ctx.applier, &ctx.ownership, &objects).await?,
        })
    }

    pub fn to_text(&self) -> String {
        let mut text = format!("inputs {}\ntuf-due {}\n", self.inputs, self.tuf_due);
        for (object, version) in &self.objects {
            text.push_str(&format!("{object} {version}\n"));
        }
        text
    }

    pub fn parse(text: &str) -> Option<State> {
        let mut lines = text.lines();
        let inputs = lines.next()?.strip_prefix("inputs ")?.to_string();
        let tuf_due = lines.next()?.strip_prefix("tuf-due ")?.parse().ok()?;
        let objects = lines
            .map(|line| {
                let (object, version) = line.rsplit_once(' ')?;
                Some((object.to_string(), version.to_string()))
            })
            .collect::<Option<_>>()?;
        Some(State {
            inputs,
            tuf_due,
            objects,
        })
    }
}

/// A digest of everything install's result depends on that is not in the cluster: this
/// sigstore-up, the values, and every object it writes as rendered from them.
fn inputs_fingerprint(values: &Values, objects: &[DynamicObject]) -> anyhow::Result<String> {
    let mut bytes = format!("sigstore-up {}\n", env!("CARGO_PKG_VERSION")).into_bytes();
    bytes.extend(serde_json::to_vec(values)?);
    for object in objects {
        bytes.push(b'\n');
        bytes.extend(serde_json::to_vec(object)?);
    }
    Ok(crate::tuf::hex(&crate::signable::sha256(&bytes)))
}

/// The version the cluster holds of each object (`absent` when missing), keyed `<kind>
/// <namespace/name>`: a Deployment's `generation` (its spec; the controllers keep rewriting its
/// status, and its pods are compared on their own), every other object's `resourceVersion`.
/// Only ours count (an object someone else put in its place is `absent`, and preflight then
/// names it). The signable record itself is left out: it is written after the state is taken.
async fn observed_versions(
    applier: &Applier,
    ownership: &Ownership,
    objects: &[DynamicObject],
) -> anyhow::Result<BTreeMap<String, String>> {
    let key = |kind: &str, namespace: Option<&str>, name: &str| match namespace {
        Some(namespace) => format!("{kind} {namespace}/{name}"),
        None => format!("{kind} {name}"),
    };
    let record = catalog::fulcio::SIGNABLE_RECORD;
    let mut wanted: BTreeMap<(String, String, Option<String>), Vec<String>> = BTreeMap::new();
    for object in objects {
        let types = object.types.clone().unwrap_or_default();
        if types.kind == record.kind.kind() && object.name_any() == record.name {
            continue;
        }
        wanted
            .entry((types.api_version, types.kind, object.namespace()))
            .or_default()
            .push(object.name_any());
    }
    // One list per kind and namespace (a handful), where one read per object would be dozens.
    let lists = wanted
        .iter()
        .map(|((api_version, kind, namespace), names)| {
            let probe = object_ref(api_version, kind, namespace.as_deref(), &names[0]);
            async move {
                let api = applier.api_for(&probe).await?;
                let listed = api
                    .list_metadata(&ListParams::default().labels_from(&ownership.selector()))
                    .await
                    .map_err(|e| applier.cluster().access_error(&e))?;
                let live: BTreeMap<String, String> = listed
                    .items
                    .into_iter()
                    .map(|item| {
                        let version = if kind == "Deployment" {
                            item.metadata.generation.unwrap_or_default().to_string()
                        } else {
                            item.metadata.resource_version.clone().unwrap_or_default()
                        };
                        (item.name_any(), version)
                    })
                    .collect();
                anyhow::Ok(
                    names
                        .iter()
                        .map(|name| {
                            let version =
                                live.get(name).cloned().unwrap_or_else(|| "absent".into());
                            (key(kind, namespace.as_deref(), name), version)
                        })
                        .collect::<Vec<_>>(),
                )
            }
        });
    Ok(try_join_all(lists).await?.into_iter().flatten().collect())
}

/// The first object whose version differs from the record's (or that either side lacks), said
/// for the status line.
fn first_difference(
    recorded: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
) -> Option<String> {
    for (object, version) in now {
        match recorded.get(object) {
            Some(was) if was == version => {}
            Some(_) if version == "absent" => return Some(format!("{object} is gone")),
            Some(_) => return Some(format!("{object} changed")),
            None => return Some(format!("{object} is not on record")),
        }
    }
    recorded
        .keys()
        .find(|object| !now.contains_key(*object))
        .map(|object| format!("{object} is no longer written"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            inputs: "ab12".into(),
            tuf_due: 1_800_000_000,
            objects: BTreeMap::from([
                ("Deployment rekor-system/rekor".into(), "2".into()),
                ("Namespace rekor-system".into(), "417".into()),
            ]),
        }
    }

    #[test]
    fn state_reads_back_what_it_writes() {
        assert_eq!(State::parse(&state().to_text()), Some(state()));
        assert_eq!(State::parse("inputs x\n"), None, "no tuf-due");
        assert_eq!(State::parse(""), None);
    }

    #[test]
    fn the_first_difference_is_named() {
        let recorded = state().objects;
        assert_eq!(first_difference(&recorded, &recorded), None);
        let mut now = recorded.clone();
        now.insert("Deployment rekor-system/rekor".into(), "3".into());
        assert_eq!(
            first_difference(&recorded, &now).as_deref(),
            Some("Deployment rekor-system/rekor changed")
        );
        now.insert("Deployment rekor-system/rekor".into(), "absent".into());
        assert_eq!(
            first_difference(&recorded, &now).as_deref(),
            Some("Deployment rekor-system/rekor is gone")
        );
        let mut fewer = recorded.clone();
        fewer.remove("Namespace rekor-system");
        assert_eq!(
            first_difference(&recorded, &fewer).as_deref(),
            Some("Namespace rekor-system is no longer written")
        );
        assert_eq!(
            first_difference(&fewer, &recorded).as_deref(),
            Some("Namespace rekor-system is not on record")
        );
    }
}
