//! `teardown`: delete exactly the objects that carry this instance's ownership labels
//! (managed-by, part-of, instance), wait until they are gone, touch nothing else. Namespaces go
//! last (with whatever is left inside them) unless --keep-namespaces. Safe to run twice.

use std::collections::BTreeMap;
use std::process::ExitCode;

use kube::ResourceExt as _;
use tokio::time::Instant;

use crate::cli::{GlobalArgs, TeardownArgs};
use crate::cluster::inventory::{OwnedObject, delete_then_wait, list_owned, list_owned_in};
use crate::cluster::{Applier, Ownership};
use crate::error::bad_input;
use crate::instance::{remove_trust_files, state_dir};
use crate::pipeline::kinds_created_by_stages;
use crate::render::all_kinds;
use crate::ui::Ui;
use crate::values::{MANAGER, Values};

pub async fn run(global: &GlobalArgs, args: &TeardownArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let mut values = super::load_values(global, &args.values, None)?;
    if !args.yes && !ui.can_prompt() {
        return bad_input(format!(
            "teardown deletes every object of sigstore-up instance {:?}; there is no terminal to confirm on, so pass --yes",
            values.instance
        ));
    }
    let deadline = Instant::now() + args.timeout;
    let cluster = super::connect_cluster(global).await?;
    crate::instance::adopt_installed(&cluster, &mut values).await?;
    // A detached forward of this instance would only fail once its Services are gone.
    if let Ok(pid_file) = super::forward::default_pid_file(&values)
        && super::forward::running_forward(&pid_file)?.is_some()
    {
        super::forward::stop(&pid_file, ui).await?;
    }
    let applier = Applier::new(&cluster, MANAGER);
    let ownership = Ownership::new(values.ownership_labels());

    let line = ui.stage("find owned objects");
    line.progress(&format!("{} on {}", ownership.selector(), cluster.server));
    cluster.server_version().await?;
    let (namespaces, objects) = find_owned(&applier, &ownership).await?;
    let namespaces = if args.keep_namespaces {
        Vec::new()
    } else {
        namespaces
    };
    if objects.is_empty() && namespaces.is_empty() {
        line.done("nothing to delete");
        // A teardown killed after the cluster side was done leaves only the local files.
        forget_trust_files(&values, ui);
        return Ok(ExitCode::SUCCESS);
    }
    line.done(&count_by_kind(objects.iter().chain(&namespaces)));

    if !args.yes {
        for object in objects.iter().chain(&namespaces) {
            ui.info(&format!("  {}", object.describe()));
        }
        let question = format!(
            "Delete these {} objects of instance {:?} on {}{}?",
            objects.len() + namespaces.len(),
            values.instance,
            cluster.server,
            if namespaces.is_empty() {
                ""
            } else {
                " (namespaces with everything in them)"
            }
        );
        if !ui.confirm(&question)? {
            return bad_input("teardown cancelled; nothing was deleted");
        }
    }

    // Everything at once: objects outside the namespaces being deleted, and the namespaces,
    // whose deletion takes what is in them along. The pods in them are ours and about to lose
    // their data anyway, so they stop at once instead of after their grace period; the waits
    // for pods, the garbage collector and the namespace controller then overlap instead of
    // adding up (they took 7 s and then 6 s one after the other).
    let doomed: Vec<String> = namespaces.iter().map(|n| n.object.name_any()).collect();
    let (inside, outside): (Vec<OwnedObject>, Vec<OwnedObject>) =
        objects.into_iter().partition(|o| {
            o.object
                .metadata
                .namespace
                .as_ref()
                .is_some_and(|ns| doomed.contains(ns))
        });
    let line = ui.stage("delete");
    line.progress(&format!(
        "{} objects and {} namespaces, waiting until gone",
        inside.len() + outside.len(),
        namespaces.len()
    ));
    let mut waited = outside;
    waited.extend(namespaces);
    let report = count_by_kind(waited.iter().chain(&inside));
    if doomed.is_empty() {
        waited.extend(inside);
    }
    // The pods stop only once their namespaces are terminating: before, their ReplicaSets
    // replaced them at once, and the replacements stopped after their full grace period.
    let deleting = delete_then_wait(
        &cluster,
        &waited,
        stop_pods_now(&cluster, &doomed),
        deadline,
    );
    // Ctrl-C (caught only from here on: before, nothing is deleted yet and SIGINT just ends
    // the process, also at the confirmation prompt) stops the waiting, not the deletions the
    // API server already accepted: say what is left and how to finish.
    tokio::select! {
        result = deleting => result?,
        _ = tokio::signal::ctrl_c() => {
            line.failed();
            interrupted(&applier, &ownership, &values, ui).await;
            return Ok(ExitCode::from(INTERRUPTED));
        }
    }
    line.done(&format!("deleted {report}"));
    forget_trust_files(&values, ui);
    Ok(ExitCode::SUCCESS)
}

/// The exit code of a teardown stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
const INTERRUPTED: u8 = 130;

/// How long the report of an interrupted teardown may take to list what is left.
const LEFT_LISTING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Tells the user, after Ctrl-C, what of the instance is still on the cluster and how to finish.
async fn interrupted(applier: &Applier, ownership: &Ownership, values: &Values, ui: &Ui) {
    let rerun = format!(
        "sigstore-up{} teardown --yes",
        if values.instance == Values::default().instance {
            String::new()
        } else {
            format!(" --name {}", values.instance)
        }
    );
    let left = tokio::time::timeout(LEFT_LISTING_TIMEOUT, still_there(applier, ownership)).await;
    let left = match left {
        Ok(Ok(objects)) if objects.is_empty() => "nothing of it is left".to_string(),
        Ok(Ok(objects)) => format!(
            "still there (being deleted, or not yet asked to be): {}",
            count_by_kind(objects.iter())
        ),
        Ok(Err(error)) => format!("what is left could not be listed: {error:#}"),
        Err(_) => "what is left could not be listed in time".to_string(),
    };
    ui.warn(&format!(
        "interrupted: teardown of instance {:?} stopped before everything was gone; the deletions \
         the cluster already accepted go on; {left}. Run `{rerun}` to finish: it deletes what is \
         left of the instance, waits until it is gone, and touches nothing else. The instance's \
         local trust files are kept until then.",
        values.instance
    ));
}

/// The instance's namespaces, and its other objects (in those namespaces, or cluster-scoped).
async fn find_owned(
    applier: &Applier,
    ownership: &Ownership,
) -> anyhow::Result<(Vec<OwnedObject>, Vec<OwnedObject>)> {
    let mut kinds = all_kinds()?;
    // A Lease an install left behind when it was killed (see stages::lock).
    let lease = [("coordination.k8s.io/v1", "Lease")];
    for (api_version, kind) in kinds_created_by_stages().into_iter().chain(lease) {
        let kind = (api_version.to_string(), kind.to_string());
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    // Everything namespaced of ours is in our namespaces (install labels each one it uses, and
    // refuses a namespace that is not ours), so only they are searched: rights in the
    // instance's namespaces are enough (see README, "Clusters you do not control").
    let namespace_kind = [("v1".to_string(), "Namespace".to_string())];
    let namespaces = list_owned(applier, &namespace_kind, ownership).await?;
    let names: Vec<String> = namespaces.iter().map(|n| n.object.name_any()).collect();
    let others: Vec<(String, String)> = kinds
        .into_iter()
        .filter(|kind| kind.1 != "Namespace")
        .collect();
    let objects = list_owned_in(applier, &others, ownership, Some(&names)).await?;
    Ok((namespaces, objects))
}

/// Every object of the instance still on the cluster (namespaces included).
async fn still_there(applier: &Applier, ownership: &Ownership) -> anyhow::Result<Vec<OwnedObject>> {
    let (namespaces, mut objects) = find_owned(applier, ownership).await?;
    objects.extend(namespaces);
    Ok(objects)
}

/// After a complete teardown: the instance's trust files name keys that no longer exist, so they
/// go (see [`remove_trust_files`]); failing to remove them only earns a warning, the cluster
/// side is done.
fn forget_trust_files(values: &Values, ui: &Ui) {
    let Ok(dir) = state_dir(&values.instance) else {
        return;
    };
    match remove_trust_files(&dir) {
        Ok(removed) if removed.is_empty() => {}
        Ok(removed) => ui.info(&format!(
            "removed the trust files of the deleted stack from {} (kept: the instance's ports)",
            removed
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Err(error) => ui.warn(&format!(
            "{error:#}; the trust files there belong to the deleted stack, remove them by hand"
        )),
    }
}

/// "2 Deployment, 1 Secret" style summary.
/// Deletes the pods in `namespaces` without a grace period (their namespaces are being deleted).
async fn stop_pods_now(
    cluster: &crate::cluster::Cluster,
    namespaces: &[String],
) -> anyhow::Result<()> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{DeleteParams, ListParams};
    let deletions = namespaces.iter().map(|namespace| async move {
        let pods: kube::Api<Pod> = kube::Api::namespaced(cluster.client.clone(), namespace);
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            ..DeleteParams::background()
        };
        match pods
            .delete_collection(&params, &ListParams::default())
            .await
        {
            Ok(_) => Ok(()),
            // Only a speed-up: without the permission the pods stop after their grace period.
            Err(kube::Error::Api(status)) if matches!(status.code, 403 | 404) => Ok(()),
            Err(e) => Err(cluster.access_error(&e)),
        }
    });
    futures::future::try_join_all(deletions).await?;
    Ok(())
}

fn count_by_kind<'a>(objects: impl Iterator<Item = &'a OwnedObject>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for object in objects {
        *counts.entry(object.kind.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}
