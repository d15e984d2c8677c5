//! "trees": find or create the Trillian trees of Rekor and the CT log (the upstream design's
//! CreateTree Jobs) over a tunnel to the Trillian log server's admin API, then record their IDs
//! (each log's config ConfigMap in the catalog) and write the CT log's config into its Secret.
//! Trees are found by display name, so an install killed between creating a tree and recording
//! it reuses that tree on the next run. When a recorded tree is gone (MariaDB came back without
//! its data, see `log_data`), the same search creates a new one, and this stage says what was
//! lost; "apply rekor, ctlog" then rolls the logs onto the new trees.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;
use kube::api::{Patch, PatchParams};
use tokio::time::Instant;

use super::secrets::merge_secret_entries;
use super::{Context, Outcome, StageFuture, Trees};
use crate::catalog::{Component, Object, ctlog, rekor, trillian_log_server, trillian_log_signer};
use crate::cluster::DeploymentRef;
use crate::cluster::apply::to_dynamic;
use crate::cluster::wait::deployments_ready;
use crate::log_data::TrillianLog;
use crate::retry::{Backoff, retry};
use crate::setup::ctlog_config::{CtLogConfig, render};
use crate::setup::trillian::{TreeId, TrillianAdmin, TrillianError};
use crate::ui::StageLine;
use crate::values::MANAGER;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress("opening a tunnel to the Trillian log server");
        let tunnel = crate::log_data::tunnel_to_log_server(&ctx.cluster, &ctx.values).await?;
        let mut admin = connect(tunnel.local_addr()).await?;
        let recorded = crate::log_data::recorded_trees(&ctx.cluster, &ctx.values).await?;

        line.progress("Rekor's tree");
        let (rekor_tree, rekor_made) = admin.ensure_tree(&ctx.values.rekor.tree_name).await?;
        line.progress("the CT log's tree");
        let (ctlog_tree, ctlog_made) = admin.ensure_tree(&ctx.values.ctlog.tree_name).await?;
        ctx.trees.set(Trees {
            rekor: rekor_tree,
            ctlog: ctlog_tree,
        });
        let mut replaced = false;
        for (log, old) in recorded {
            let new = match log {
                TrillianLog::Rekor => rekor_tree,
                TrillianLog::CtLog => ctlog_tree,
            };
            if old != new {
                replaced = true;
                ctx.ui.warn(&format!(
                    "{log}'s tree {old} is no longer in Trillian's database (MariaDB lost its \
                     data): {log} now writes to tree {new}; entries logged before are not in it"
                ));
            }
        }

        apply_tree_config_map(ctx, &rekor::COMPONENT, rekor::CONFIG, rekor_tree).await?;
        apply_tree_config_map(ctx, &ctlog::COMPONENT, ctlog::CONFIG, ctlog_tree).await?;
        let ctlog_config_written = write_ctlog_config(ctx, ctlog_tree).await?;
        if replaced {
            drop(admin);
            drop(tunnel);
            restart_trillian(ctx, line, rekor_tree, ctlog_tree).await?;
        }

        Ok(Outcome::Trees {
            rekor: (rekor_tree, rekor_made.into()),
            ctlog: (ctlog_tree, ctlog_made.into()),
            ctlog_config_written,
        })
    })
}

/// Restarts Trillian's log server and signer and waits until both are ready. Called when
/// MariaDB came back empty: a Trillian process that lived through that may still wait on a
/// connection to the MariaDB that is gone (up to the DSN's read timeout, see
/// `derived.trillian_mysql_uri`; before it had one, the signer integrated nothing on the new
/// trees for 30-70 s and install's gate failed), while fresh ones start at once. The
/// annotation names the trees they were restarted for; it is patched, not applied, so
/// install's server-side apply of the Trillian tier leaves it alone (and restarts nothing).
async fn restart_trillian(
    ctx: &Context,
    line: &StageLine,
    rekor_tree: TreeId,
    ctlog_tree: TreeId,
) -> anyhow::Result<()> {
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
        RESTARTED_FOR_TREES_ANNOTATION: format!("{rekor_tree},{ctlog_tree}")
    }}}}});
    let mut targets = Vec::new();
    for component in [
        &trillian_log_server::COMPONENT,
        &trillian_log_signer::COMPONENT,
    ] {
        let namespace = component.namespace(&ctx.values);
        let api: Api<Deployment> = Api::namespaced(ctx.cluster.client.clone(), namespace);
        api.patch(
            component.name,
            &PatchParams {
                field_manager: Some(MANAGER.into()),
                ..Default::default()
            },
            &Patch::Merge(&patch),
        )
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?;
        targets.push(DeploymentRef {
            namespace: namespace.to_string(),
            name: component.name.to_string(),
        });
    }
    let progress = |pending: &[DeploymentRef]| {
        let names: Vec<&str> = pending.iter().map(|d| d.name.as_str()).collect();
        if !names.is_empty() {
            line.progress(&format!("restarting {}", names.join(", ")));
        }
    };
    deployments_ready(&ctx.cluster, &targets, ctx.deadline, &progress, &ctx.redact).await
}

/// The pod-template annotation of Trillian's Deployments naming the trees (Rekor's, the CT
/// log's) they were last restarted for (see `restart_trillian`).
pub const RESTARTED_FOR_TREES_ANNOTATION: &str = "sigstore-up.dev/restarted-for-trees";

/// Connects to the admin API through the tunnel. The log server is Ready, but its gRPC side may
/// answer a moment after its HTTP health check; retry briefly.
async fn connect(addr: SocketAddr) -> anyhow::Result<TrillianAdmin> {
    retry(
        Instant::now() + Duration::from_secs(2),
        Backoff::fixed(Duration::from_millis(100)),
        |error| matches!(error, TrillianError::Connect { .. }),
        || TrillianAdmin::connect(addr),
    )
    .await
    .context("connecting to the Trillian log server's admin API")
}

/// Records `tree` in the log's config ConfigMap (its one key, the tree ID).
async fn apply_tree_config_map(
    ctx: &Context,
    component: &Component,
    object: Object,
    tree: TreeId,
) -> anyhow::Result<()> {
    let mut labels = ctx.values.ownership_labels();
    for (key, value) in component.labels() {
        labels.insert(key.into(), value.into());
    }
    let config_map = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(object.name.into()),
            namespace: Some(component.namespace(&ctx.values).into()),
            labels: Some(labels),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            object.key("tree_id").to_string(),
            tree.to_string(),
        )])),
        ..Default::default()
    };
    ctx.applier.apply(&to_dynamic(&config_map)?).await?;
    Ok(())
}

/// Renders the CT log's config for `tree` and stores it in the CT log's Secret (key `config`)
/// unless it is already there; true when it was written. A Secret of an earlier version gets its
/// key stored unencrypted and loses its password in the same patch: its old config named the
/// encrypted key file and that password.
async fn write_ctlog_config(ctx: &Context, tree: TreeId) -> anyhow::Result<bool> {
    let key = ctx.ctlog_key.get()?.clone();
    let server = &trillian_log_server::COMPONENT;
    let keys_dir = ctlog::KEYS_DIR;
    let config = render(&CtLogConfig {
        trillian_address: format!(
            "{}:{}",
            server.host(&ctx.values),
            server.port("grpc").service
        ),
        tree_id: tree,
        prefix: ctx.values.ctlog.prefix.clone(),
        roots_pem_files: vec![format!("{keys_dir}/{}", ctlog::ROOTCA.name)],
        public_key_der: key.key.public_key_der(),
        private_key: key.key.clone(),
    })?;
    let namespace = ctlog::COMPONENT.namespace(&ctx.values);
    let secret = ctlog::SECRETS.name;
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), namespace);
    let current = api
        .get(secret)
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?;
    let stored = current
        .data
        .as_ref()
        .and_then(|data| data.get(ctlog::CONFIG_FILE.name));
    if !key.legacy_encrypted && stored.map(|v| v.0.as_slice()) == Some(config.as_bytes()) {
        return Ok(false);
    }
    let mut entries = vec![(ctlog::CONFIG_FILE.name, Some(config.as_bytes()))];
    let unencrypted = key.key.to_pkcs8_pem()?;
    if key.legacy_encrypted {
        entries.push((ctlog::PRIVATE.name, Some(unencrypted.as_bytes())));
        entries.push((ctlog::LEGACY_PASSWORD.name, None));
    }
    merge_secret_entries(ctx, namespace, secret, &entries).await?;
    Ok(true)
}
