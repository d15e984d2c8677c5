//! The install stages: one module per stage, and what they share — the [`Context`], the
//! [`Stage`] type, each stage's typed [`Outcome`], and the typed [`Handoff`]s from one stage to a
//! later one. The order is `pipeline`'s (built from the profile); stages never import it.

pub mod apply;
pub mod compare;
pub mod lock;
pub mod namespaces;
pub mod preflight;
pub mod schema;
pub mod secrets;
pub mod signable;
pub mod trees;
pub mod trust;
pub mod tuf;
pub mod wait;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use kube::core::DynamicObject;
use tokio::time::Instant;

use crate::cluster::{Applier, ApplySummary, Cluster, Ownership};
use crate::render::{Manifest, Tier};
use crate::setup::schema::SchemaOutcome;
use crate::setup::trillian::{TreeId, TreeOutcome};
use crate::ui::{StageLine, Ui};
use crate::values::{MANAGER, Values};

pub use secrets::{CtlogKey, MysqlCredentials};

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
    /// The MariaDB passwords (from stage "secrets", for "schema").
    pub mysql: Handoff<MysqlCredentials>,
    /// The CT log's public key and key password (from stage "secrets", for "trees").
    pub ctlog_key: Handoff<CtlogKey>,
    /// The Trillian trees of Rekor and the CT log (from stage "trees", for "apply rekor, ctlog").
    pub trees: Handoff<Trees>,
    /// The instance's install lease (from stage "lock"), released when install ends.
    pub install_lock: Option<crate::cluster::lease::LeaseLock>,
    /// The material the trust files were written from (from stage "trust", for "signable").
    pub trust_material: Handoff<crate::trust::TrustMaterial>,
    /// When the TUF metadata is next due to be signed again, Unix seconds (from stage "tuf",
    /// for the record "signable" writes).
    pub tuf_due: Handoff<i64>,
    /// `install --full`: stage "compare" takes no fast path.
    pub full: bool,
    /// Set by stage "compare" when nothing changed since the last install: only the stages on
    /// the fast path run after it.
    pub unchanged: bool,
    /// The stages so far whose outcome changed something (`pipeline::run` fills it): empty on a
    /// converged re-run.
    pub changed: Vec<&'static str>,
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
            mysql: Handoff::from_stage("secrets"),
            ctlog_key: Handoff::from_stage("secrets"),
            trees: Handoff::from_stage("trees"),
            install_lock: None,
            trust_material: Handoff::from_stage("trust"),
            tuf_due: Handoff::from_stage("tuf"),
            full: false,
            unchanged: false,
            changed: Vec::new(),
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

/// A value one stage hands a later one. Reading it before the stage that makes it has run is
/// an error naming that stage (a pipeline built in the wrong order), never a panic.
pub struct Handoff<T> {
    value: Option<T>,
    /// The stage that provides it.
    pub from: &'static str,
}

impl<T> Handoff<T> {
    pub fn from_stage(from: &'static str) -> Handoff<T> {
        Handoff { value: None, from }
    }

    pub fn set(&mut self, value: T) {
        self.value = Some(value);
    }

    pub fn get(&self) -> anyhow::Result<&T> {
        self.value.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "stage {:?} has not run yet; the pipeline is built in the wrong order (a bug)",
                self.from
            )
        })
    }
}

/// The Trillian tree of each log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trees {
    pub rekor: TreeId,
    pub ctlog: TreeId,
}

/// Whether a stage made something or found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Created,
    Exists,
}

impl fmt::Display for Made {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Made::Created => "created",
            Made::Exists => "exists",
        })
    }
}

impl From<TreeOutcome> for Made {
    fn from(outcome: TreeOutcome) -> Made {
        match outcome {
            TreeOutcome::Created => Made::Created,
            TreeOutcome::Exists => Made::Exists,
        }
    }
}

impl From<SchemaOutcome> for Made {
    fn from(outcome: SchemaOutcome) -> Made {
        match outcome {
            SchemaOutcome::Created => Made::Created,
            SchemaOutcome::Exists => Made::Exists,
        }
    }
}

/// What one stage did: typed, so tests assert on it; [`fmt::Display`] is its status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The cluster answers, credentials suffice, nothing in the way.
    Checked {
        version: String,
        server: String,
        context: String,
    },
    /// Server-side apply of a set of objects.
    Applied(ApplySummary),
    /// Secrets, each minted now or found.
    Secrets(Vec<SecretOutcome>),
    /// Deployments that are now ready.
    Ready(Vec<String>),
    /// Trillian's tables.
    Schema(Made),
    /// Each log's tree, and whether the CT log's config changed.
    Trees {
        rekor: (TreeId, Made),
        ctlog: (TreeId, Made),
        ctlog_config_written: bool,
    },
    /// Trust files written to this directory.
    TrustWritten(PathBuf),
    /// The instance's install lease is held (and how it was got).
    Locked(String),
    /// The TUF keys, what was signed anew, and the server applied.
    Tuf(tuf::TufOutcome),
    /// What the signing gate proved.
    Signable(signable::Proof),
    /// Whether anything changed since the last install (the fast path).
    Compared(compare::Verdict),
    /// Nothing was done, and why.
    Skipped(String),
}

/// One Secret of stage "secrets".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretOutcome {
    pub name: &'static str,
    pub made: Made,
    /// Something in it was brought back in line (e.g. the CT log's copy of a new Fulcio root).
    pub updated: Option<&'static str>,
}

impl Outcome {
    /// True when the stage changed nothing on the cluster (what a converged re-run shows).
    pub fn changed_nothing(&self) -> bool {
        match self {
            Outcome::Applied(summary) => summary.created == 0 && summary.configured == 0,
            Outcome::Secrets(secrets) => secrets
                .iter()
                .all(|s| s.made == Made::Exists && s.updated.is_none()),
            Outcome::Schema(made) => *made == Made::Exists,
            Outcome::Trees {
                rekor,
                ctlog,
                ctlog_config_written,
            } => rekor.1 == Made::Exists && ctlog.1 == Made::Exists && !ctlog_config_written,
            Outcome::Tuf(tuf) => tuf.changed_nothing(),
            Outcome::Signable(proof) => proof.changed_nothing(),
            Outcome::Checked { .. }
            | Outcome::Ready(_)
            | Outcome::TrustWritten(_)
            | Outcome::Locked(_)
            | Outcome::Compared(_)
            | Outcome::Skipped(_) => true,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Checked {
                version,
                server,
                context,
            } => write!(
                f,
                "Kubernetes {version} at {server} (context {context}), permissions ok, no conflicts"
            ),
            Outcome::Applied(summary) => write!(f, "{summary}"),
            Outcome::Secrets(secrets) => {
                let parts: Vec<String> = secrets
                    .iter()
                    .map(|s| match s.updated {
                        Some(what) => format!("{} {}, {what} updated", s.name, s.made),
                        None => format!("{} {}", s.name, s.made),
                    })
                    .collect();
                f.write_str(&parts.join(", "))
            }
            Outcome::Ready(names) => write!(f, "{} ready", names.join(", ")),
            Outcome::Schema(Made::Created) => f.write_str("Trillian tables created"),
            Outcome::Schema(Made::Exists) => f.write_str("exists"),
            Outcome::Trees {
                rekor,
                ctlog,
                ctlog_config_written,
            } => write!(
                f,
                "rekor tree {} {}, ctlog tree {} {}, ctlog config {}",
                rekor.0,
                rekor.1,
                ctlog.0,
                ctlog.1,
                if *ctlog_config_written {
                    "written"
                } else {
                    "unchanged"
                }
            ),
            Outcome::TrustWritten(dir) => write!(f, "written to {}", dir.display()),
            Outcome::Locked(what) => f.write_str(what),
            Outcome::Tuf(tuf) => write!(f, "{tuf}"),
            Outcome::Signable(proof) => write!(f, "{proof}"),
            Outcome::Compared(verdict) => write!(f, "{verdict}"),
            Outcome::Skipped(why) => write!(f, "skipped ({why})"),
        }
    }
}

/// What a stage's function returns.
pub type StageFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<Outcome>> + Send + 'a>>;

/// One named step of install.
pub struct Stage {
    pub name: &'static str,
    pub run: for<'a> fn(&'a mut Context, &'a StageLine) -> StageFuture<'a>,
    /// The tier this stage applies, if it applies one.
    pub applies: Option<Tier>,
    /// Whether it also runs when stage "compare" found nothing changed.
    pub on_fast_path: bool,
}

#[cfg(test)]
mod tests;
