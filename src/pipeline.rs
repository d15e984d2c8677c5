//! Install is an ordered list of small named stages over one shared context, built in code from
//! the profile (as kind builds its create actions). Each stage prints one status line with its
//! elapsed time (through `ui`) and returns a typed [`Outcome`]; a converged re-run shows
//! "exists"/"unchanged" everywhere.
//!
//! To add a stage: write `stages/<name>.rs` with `pub fn run<'a>(ctx: &'a mut Context, line:
//! &'a StageLine) -> StageFuture<'a>`, put it in [`install_stages`] at its place; objects it
//! creates are catalog objects with `MadeBy::Stage(name)`, so preflight checks them for
//! conflicts and teardown finds them. Work that can overlap runs inside one stage with
//! `tokio::join!`.

use std::time::Duration;

use kube::core::DynamicObject;

use crate::catalog::{Profile, Tier};
use crate::render::Manifest;
use crate::stages::{self, Context, Outcome, Stage};
use crate::values::Values;

/// The install pipeline of a profile, in order. Every profile starts and ends with the same
/// stages; between them, classic waits for MariaDB's first start, then Trillian, then Rekor and
/// the CT log (Fulcio needs no tree, so it is applied early and starts meanwhile), while modern
/// has no database and no trees: every key exists after "secrets", so everything is applied at
/// once and the waits overlap. Stage "tuf" signs in-process and applies the TUF server: classic
/// runs it once MariaDB is applied, so its work overlaps the database's first start; modern
/// runs it before its applies, so the TUF server starts with the others (applied after them,
/// it was ready last, about 2 s after them, on 2 CPUs).
///
/// Stage "compare" comes first: when nothing changed since the last install, only the stages
/// on the fast path (`on_fast_path`) run after it (see `stages::compare`).
pub fn install_stages(profile: Profile) -> Vec<Stage> {
    let stage = |name, run, applies| Stage {
        name,
        run,
        applies,
        on_fast_path: false,
    };
    let first = [
        Stage {
            on_fast_path: true,
            ..stage("compare", stages::compare::run as StageFn, None)
        },
        stage("preflight", stages::preflight::run, None),
        stage("lock", stages::lock::run, None),
        stage(
            "namespaces",
            stages::namespaces::run,
            Some(Tier::Namespaces),
        ),
        stage("secrets", stages::secrets::run, None),
    ];
    let tuf = || stage("tuf", stages::tuf::run, Some(Tier::Tuf));
    let middle = match profile {
        Profile::Classic | Profile::ClassicWithTsa => vec![
            stage(
                "apply databases",
                stages::apply::databases,
                Some(Tier::Databases),
            ),
            stage("apply fulcio", stages::apply::fulcio, Some(Tier::Fulcio)),
            tuf(),
            stage("wait databases", stages::wait::databases, None),
            stage("schema", stages::schema::run, None),
            stage(
                "apply trillian",
                stages::apply::trillian,
                Some(Tier::Trillian),
            ),
            stage("wait trillian", stages::wait::trillian, None),
            stage("trees", stages::trees::run, None),
            stage("apply rekor, ctlog", stages::apply::logs, Some(Tier::Logs)),
            stage(
                "wait rekor, ctlog, fulcio",
                stages::wait::logs_and_fulcio,
                None,
            ),
        ],
        Profile::Modern => vec![
            tuf(),
            stage(
                "apply fulcio, tsa",
                stages::apply::fulcio,
                Some(Tier::Fulcio),
            ),
            stage(
                "apply rekor, ctlog",
                stages::apply::tile_logs,
                Some(Tier::Logs),
            ),
            stage(
                "wait rekor, ctlog, fulcio, tsa",
                stages::wait::logs_and_fulcio,
                None,
            ),
        ],
    };
    let last = [
        stage("wait tuf", stages::wait::tuf, None),
        // The files on this host may be gone, whatever the cluster holds.
        Stage {
            on_fast_path: true,
            ..stage("trust", stages::trust::run, None)
        },
        stage("signable", stages::signable::run, None),
    ];
    first.into_iter().chain(middle).chain(last).collect()
}

/// What runs a stage.
type StageFn = for<'a> fn(&'a mut Context, &'a crate::ui::StageLine) -> stages::StageFuture<'a>;

/// The tiers a profile's install applies.
pub fn installed_tiers(profile: Profile) -> Vec<Tier> {
    install_stages(profile)
        .iter()
        .filter_map(|stage| stage.applies)
        .collect()
}

/// Objects stages create themselves (not from templates), so preflight can check them for
/// conflicts. Each is `(apiVersion, kind, namespace, name)`.
pub fn created_by_stages(
    values: &Values,
) -> Vec<(&'static str, &'static str, String, &'static str)> {
    values
        .profile()
        .stage_objects(values)
        .into_iter()
        .map(|(namespace, object)| ("v1", object.kind.kind(), namespace, object.name))
        .collect()
}

/// Every object install writes: the rendered objects of the tiers the profile applies, and
/// the objects stages make (identity only).
pub fn objects_install_writes(
    values: &Values,
    manifests: &[Manifest],
) -> anyhow::Result<Vec<DynamicObject>> {
    let tiers = installed_tiers(values.profile());
    let mut objects: Vec<DynamicObject> = manifests
        .iter()
        .filter(|m| tiers.contains(&m.tier))
        .map(Manifest::to_dynamic)
        .collect::<anyhow::Result<_>>()?;
    for (api_version, kind, namespace, name) in created_by_stages(values) {
        objects.push(object_ref(api_version, kind, Some(&namespace), name));
    }
    Ok(objects)
}

/// Kinds stages may create (for teardown), whatever the values.
pub fn kinds_created_by_stages() -> Vec<(&'static str, &'static str)> {
    let mut kinds: Vec<(&str, &str)> = crate::catalog::ALL_COMPONENTS
        .iter()
        .flat_map(|c| c.objects.iter())
        .filter(|o| matches!(o.made_by, crate::catalog::MadeBy::Stage(_)))
        .map(|o| ("v1", o.kind.kind()))
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// What one stage did and how long it took.
#[derive(Debug, Clone)]
pub struct StageReport {
    pub name: &'static str,
    pub elapsed: Duration,
    pub outcome: Outcome,
}

/// Runs `stages` in order; stops at the first failure, or after the stage named `stop_after`.
pub async fn run(
    stages: &[Stage],
    ctx: &mut Context,
    stop_after: Option<&str>,
) -> anyhow::Result<Vec<StageReport>> {
    if let Some(name) = stop_after
        && !stages.iter().any(|s| s.name == name)
    {
        let names: Vec<&str> = stages.iter().map(|s| s.name).collect();
        return crate::error::bad_input(format!(
            "--stop-after {name:?}: no such stage; stages: {}",
            names.join(", ")
        ));
    }
    let mut reports = Vec::new();
    for stage in stages {
        if ctx.unchanged && !stage.on_fast_path {
            continue;
        }
        let line = ctx.ui.stage(stage.name);
        let mut attempt = 1;
        let result = loop {
            let result = (stage.run)(ctx, &line).await;
            match result {
                // Once a stage saw the server answer, a later failure to reach it is a lost
                // connection (an API server restarted, a network blip), not a wrong address.
                Err(error) if reached_server(&reports) && ctx.cluster.lost(&error).await => {
                    if attempt == STAGE_ATTEMPTS {
                        break Err(lost_connection(
                            ctx,
                            stage.name,
                            error,
                            &format!("{STAGE_ATTEMPTS} times"),
                        ));
                    }
                    ctx.ui.warn(&format!(
                        "stage {:?} lost the connection to the Kubernetes API server at {}; \
                         running it again once the server answers (-v shows the error)",
                        stage.name, ctx.cluster.server
                    ));
                    ctx.ui.detail(&format!("{error:#}"));
                    if let Err(waited) = ctx.cluster.answers_again(ctx.deadline).await {
                        let note = format!(
                            "and it did not answer before the --timeout ran out ({waited:#})"
                        );
                        break Err(lost_connection(ctx, stage.name, error, &note));
                    }
                    attempt += 1;
                }
                result => break result,
            }
        };
        match result {
            Ok(outcome) => {
                let elapsed = line.elapsed();
                line.done(&outcome.to_string());
                if !outcome.changed_nothing() {
                    ctx.changed.push(stage.name);
                }
                reports.push(StageReport {
                    name: stage.name,
                    elapsed,
                    outcome,
                });
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
    Ok(reports)
}

/// Whether a stage so far saw the API server answer: preflight, or "compare" finding the stack
/// as recorded. ("compare" also ends well when it could not reach the server at all: then the
/// failure to reach it is preflight's to report, at once.)
fn reached_server(reports: &[StageReport]) -> bool {
    reports.iter().any(|report| {
        matches!(
            report.outcome,
            Outcome::Checked { .. } | Outcome::Compared(stages::compare::Verdict::Unchanged { .. })
        )
    })
}

/// How many times a stage runs when it keeps losing the API server: a stage re-run is what an
/// install re-run would do at that point (every stage is idempotent), so a server that went away
/// and came back costs a few seconds, not the install; one that keeps going away ends it.
const STAGE_ATTEMPTS: u32 = 3;

/// The error of a stage that lost the API server for good: what happened, and that a re-run
/// continues where this one stopped.
fn lost_connection(ctx: &Context, stage: &str, error: anyhow::Error, note: &str) -> anyhow::Error {
    crate::error::Failure::ClusterAccess(format!(
        "stage {stage:?} lost the connection to the Kubernetes API server at {} {note}: {error:#}\n\
         Nothing is lost: run install again once the API server answers; it continues where it stopped.",
        ctx.cluster.server
    ))
    .into()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MadeBy;

    /// Every object a stage makes is made by a stage of the pipeline, and every stage that hands
    /// a value on runs before the stages that read it.
    #[test]
    fn stages_that_make_objects_are_in_the_pipeline() {
        for profile in Profile::ALL {
            let names: Vec<&str> = install_stages(profile).iter().map(|s| s.name).collect();
            for component in profile.components() {
                for object in component.objects {
                    if let MadeBy::Stage(stage) = object.made_by {
                        assert!(
                            names.contains(&stage),
                            "{} is made by stage {stage:?}, which {profile:?} does not run",
                            object.name
                        );
                    }
                }
            }
            let position = |name: &str| names.iter().position(|n| *n == name).unwrap();
            if profile != Profile::Modern {
                assert!(position("secrets") < position("schema"));
                assert!(position("secrets") < position("trees"));
                assert!(position("trees") < position("apply rekor, ctlog"));
            }
            // The TUF repository is signed from the public keys "secrets" stored, and served
            // before the trust files name it.
            assert!(position("secrets") < position("tuf"));
            assert!(position("tuf") < position("wait tuf"));
            assert!(position("wait tuf") < position("trust"));
            // The fast path decides before anything is read or written, and still writes
            // the trust files.
            assert_eq!(names.first(), Some(&"compare"));
            let fast: Vec<&str> = install_stages(profile)
                .iter()
                .filter(|s| s.on_fast_path)
                .map(|s| s.name)
                .collect();
            assert_eq!(fast, ["compare", "trust"]);
            // The gate checks against the material "trust" wrote, and is the last word.
            assert_eq!(names.last(), Some(&"signable"));
            assert!(position("trust") < position("signable"));
            // Pods are applied only after the Secrets they mount exist.
            for stage in install_stages(profile) {
                if let Some(tier) = stage.applies
                    && tier != Tier::Namespaces
                {
                    assert!(position("secrets") < position(stage.name), "{}", stage.name);
                }
            }
        }
    }

    #[test]
    fn every_tier_of_a_profile_is_applied() {
        for profile in Profile::ALL {
            let tiers = installed_tiers(profile);
            for component in profile.components() {
                assert!(
                    tiers.contains(&component.tier),
                    "{profile:?}: {}'s tier {:?} is never applied",
                    component.id,
                    component.tier
                );
            }
        }
    }
}
