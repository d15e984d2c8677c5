//! Install is an ordered list of small named stages over one shared [`Context`]. Each stage
//! prints one status line with its elapsed time (through `ui`) and says "exists" or "unchanged"
//! when it found nothing to do, so running install again converges and shows that it did.
//!
//! To add a stage: write `stages/<name>.rs` with `pub fn run<'a>(ctx: &'a mut Context, line:
//! &'a StageLine) -> StageFuture<'a>`, put it in [`INSTALL`] at its place, and (if it creates
//! objects) list them in [`created_by_stages`] so preflight checks them for conflicts.
//! Work that can overlap (minting keys while MariaDB starts) can run inside one stage with
//! `tokio::join!`, or be spawned by an early stage into a `Context` field and awaited by a
//! later one.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use kube::core::DynamicObject;
use tokio::time::Instant;

use crate::cluster::{Applier, Cluster, Ownership};
use crate::render::{Manifest, Tier};
use crate::setup::trillian::TreeId;
use crate::stages;
use crate::stages::secrets::{CtlogKey, MysqlCredentials};
use crate::ui::{StageLine, Ui};
use crate::values::{MANAGER, Values};

/// Everything the stages share.
pub struct Context {
    pub ui: Ui,
    pub cluster: Cluster,
    /// Server-side apply under field manager `sigstore-up`.
    pub applier: Applier,
    pub values: Values,
    /// What marks objects as ours (managed-by, part-of, instance labels).
    pub ownership: Ownership,
    /// Every rendered manifest (all tiers); stages pick theirs by [`Tier`].
    pub manifests: Vec<Manifest>,
    /// When waits must give up (install's --timeout, counted from the start).
    pub deadline: Instant,
    /// Secret strings (passwords) stages have read or minted: blanked out of any pod log shown
    /// in an error.
    pub redact: Vec<String>,
    /// The Kubernetes version preflight found, e.g. "v1.34.12".
    pub server_version: Option<String>,
    /// The MariaDB passwords, once the "secrets" stage has run.
    pub mysql: Option<MysqlCredentials>,
    /// The CT log's public key and key password (from stage "secrets", for "trees").
    pub ctlog_key: Option<CtlogKey>,
    /// The Trillian trees of Rekor and the CT log (from stage "trees").
    pub trees: Option<Trees>,
}

/// The Trillian tree of each log.
#[derive(Debug, Clone, Copy)]
pub struct Trees {
    pub rekor: TreeId,
    pub ctlog: TreeId,
}

impl Context {
    pub fn new(
        ui: Ui,
        cluster: Cluster,
        values: Values,
        manifests: Vec<Manifest>,
        timeout: Duration,
    ) -> Context {
        Context {
            applier: Applier::new(&cluster, MANAGER),
            ownership: Ownership::new(values.ownership_labels()),
            ui,
            cluster,
            values,
            manifests,
            deadline: Instant::now() + timeout,
            redact: Vec::new(),
            server_version: None,
            mysql: None,
            ctlog_key: None,
            trees: None,
        }
    }

    /// The manifests of one tier, as objects to apply.
    pub fn objects(&self, tier: Tier) -> anyhow::Result<Vec<DynamicObject>> {
        self.manifests
            .iter()
            .filter(|m| m.tier == tier)
            .map(Manifest::to_dynamic)
            .collect()
    }
}

/// What a stage returns: its one-line outcome ("created 4", "exists", "unchanged", ...).
pub type StageFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<String>> + Send + 'a>>;

/// One named step of install.
pub struct Stage {
    pub name: &'static str,
    pub run: for<'a> fn(&'a mut Context, &'a StageLine) -> StageFuture<'a>,
    /// The tier this stage applies, if it applies one (status and teardown derive what an
    /// install creates from this).
    pub applies: Option<Tier>,
}

/// The install pipeline, in order. The critical path is MariaDB's first start, then Trillian,
/// then Rekor and the CT log; Fulcio needs no tree, so it is applied early and starts meanwhile.
pub static INSTALL: &[Stage] = &[
    Stage {
        name: "preflight",
        run: stages::preflight::run,
        applies: None,
    },
    Stage {
        name: "namespaces",
        run: stages::namespaces::run,
        applies: Some(Tier::Namespaces),
    },
    Stage {
        name: "secrets",
        run: stages::secrets::run,
        applies: None,
    },
    Stage {
        name: "apply databases",
        run: stages::apply::databases,
        applies: Some(Tier::Databases),
    },
    Stage {
        name: "apply fulcio",
        run: stages::apply::fulcio,
        applies: Some(Tier::Fulcio),
    },
    Stage {
        name: "wait databases",
        run: stages::wait::databases,
        applies: None,
    },
    Stage {
        name: "schema",
        run: stages::schema::run,
        applies: None,
    },
    Stage {
        name: "apply trillian",
        run: stages::apply::trillian,
        applies: Some(Tier::Trillian),
    },
    Stage {
        name: "wait trillian",
        run: stages::wait::trillian,
        applies: None,
    },
    Stage {
        name: "trees",
        run: stages::trees::run,
        applies: None,
    },
    Stage {
        name: "apply rekor, ctlog",
        run: stages::apply::logs,
        applies: Some(Tier::Logs),
    },
    Stage {
        name: "wait rekor, ctlog, fulcio",
        run: stages::wait::logs_and_fulcio,
        applies: None,
    },
    Stage {
        name: "trust",
        run: stages::trust::run,
        applies: None,
    },
];

/// The tiers install applies today (from [`INSTALL`]).
pub fn installed_tiers() -> Vec<Tier> {
    INSTALL.iter().filter_map(|stage| stage.applies).collect()
}

/// Objects stages create themselves (not from templates), so preflight can check them for
/// conflicts and teardown knows their kinds. Each is `(apiVersion, kind, namespace, name)`.
pub fn created_by_stages(
    values: &Values,
) -> Vec<(&'static str, &'static str, String, &'static str)> {
    let secrets = stages::secrets::secret_names(values)
        .into_iter()
        .map(|(namespace, name)| ("v1", "Secret", namespace, name));
    let config_maps = stages::trees::config_map_names(values)
        .into_iter()
        .map(|(namespace, name)| ("v1", "ConfigMap", namespace, name));
    secrets.chain(config_maps).collect()
}

/// Kinds stages may create (for teardown), whatever the values.
pub const KINDS_CREATED_BY_STAGES: &[(&str, &str)] = &[("v1", "Secret"), ("v1", "ConfigMap")];

/// How long one stage took.
#[derive(Debug, Clone)]
pub struct StageTiming {
    pub name: &'static str,
    pub elapsed: Duration,
}

/// Runs `stages` in order; stops at the first failure, or after the stage named `stop_after`.
pub async fn run(
    stages: &[Stage],
    ctx: &mut Context,
    stop_after: Option<&str>,
) -> anyhow::Result<Vec<StageTiming>> {
    if let Some(name) = stop_after
        && !stages.iter().any(|s| s.name == name)
    {
        let names: Vec<&str> = stages.iter().map(|s| s.name).collect();
        return crate::error::bad_input(format!(
            "--stop-after {name:?}: no such stage; stages: {}",
            names.join(", ")
        ));
    }
    let mut timings = Vec::new();
    for stage in stages {
        let line = ctx.ui.stage(stage.name);
        match (stage.run)(ctx, &line).await {
            Ok(outcome) => {
                timings.push(StageTiming {
                    name: stage.name,
                    elapsed: line.elapsed(),
                });
                line.done(&outcome);
            }
            Err(error) => {
                line.failed();
                return Err(error.context(format!("stage {:?} failed", stage.name)));
            }
        }
        if stop_after == Some(stage.name) {
            break;
        }
    }
    Ok(timings)
}

/// A minimal object (identity only), e.g. to check whether it exists.
pub fn object_ref(
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> DynamicObject {
    let mut metadata = serde_json::json!({ "name": name });
    if let Some(namespace) = namespace {
        metadata["namespace"] = namespace.into();
    }
    serde_json::from_value(serde_json::json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": metadata,
    }))
    .expect("a minimal object deserializes")
}
