//! "trees": find or create the Trillian trees of Rekor and the CT log (the upstream design's
//! CreateTree Jobs) over a tunnel to the Trillian log server's admin API, then record their IDs
//! (ConfigMaps `rekor-config` and `ctlog-config`, key `treeID`) and write the CT log's config
//! into Secret `ctlog-secrets`. Trees are found by display name, so an install killed between
//! creating a tree and recording it reuses that tree on the next run.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;
use tokio::time::Instant;

use crate::cluster::Tunnel;
use crate::cluster::apply::to_dynamic;
use crate::pipeline::{Context, StageFuture, Trees};
use crate::retry::{Backoff, retry};
use crate::setup::ctlog_config::{CtLogConfig, render};
use crate::setup::trillian::{TreeId, TreeOutcome, TrillianAdmin, TrillianError};
use crate::stages::secrets::{
    CTLOG_CONFIG_KEY, CTLOG_LEGACY_PASSWORD_KEY, CTLOG_PRIVATE_KEY, CTLOG_ROOTCA_KEY, CTLOG_SECRET,
    merge_secret_entries,
};
use crate::ui::StageLine;
use crate::values::{CTLOG_KEYS_DIR, LABEL_COMPONENT, LABEL_NAME};

/// The Trillian log server's gRPC port.
const TRILLIAN_GRPC_PORT: u16 = 8090;
pub const REKOR_CONFIG_MAP: &str = "rekor-config";
pub const CTLOG_CONFIG_MAP: &str = "ctlog-config";
pub const TREE_ID_KEY: &str = "treeID";

/// Every ConfigMap this stage writes, as `(namespace, name)`.
pub fn config_map_names(values: &crate::values::Values) -> Vec<(String, &'static str)> {
    vec![
        (values.namespaces.rekor.clone(), REKOR_CONFIG_MAP),
        (values.namespaces.ctlog.clone(), CTLOG_CONFIG_MAP),
    ]
}

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let namespace = ctx.values.namespaces.trillian.clone();
        line.progress("opening a tunnel to the Trillian log server");
        let tunnel = Tunnel::to_service(
            &ctx.cluster,
            &namespace,
            "trillian-logserver",
            TRILLIAN_GRPC_PORT,
            0,
        )
        .await?;
        let mut admin = connect(tunnel.local_addr()).await?;

        line.progress("Rekor's tree");
        let (rekor, rekor_outcome) = admin.ensure_tree(&ctx.values.rekor.tree_name).await?;
        line.progress("the CT log's tree");
        let (ctlog, ctlog_outcome) = admin.ensure_tree(&ctx.values.ctlog.tree_name).await?;
        ctx.trees = Some(Trees { rekor, ctlog });

        let rekor_ns = ctx.values.namespaces.rekor.clone();
        let ctlog_ns = ctx.values.namespaces.ctlog.clone();
        apply_tree_config_map(
            ctx,
            &rekor_ns,
            REKOR_CONFIG_MAP,
            "rekor",
            "transparency-log",
            rekor,
        )
        .await?;
        apply_tree_config_map(
            ctx,
            &ctlog_ns,
            CTLOG_CONFIG_MAP,
            "ctlog",
            "certificate-transparency",
            ctlog,
        )
        .await?;
        let config_outcome = write_ctlog_config(ctx, ctlog).await?;

        Ok(format!(
            "rekor tree {rekor} {}, ctlog tree {ctlog} {}, ctlog config {config_outcome}",
            outcome(rekor_outcome),
            outcome(ctlog_outcome)
        ))
    })
}

fn outcome(outcome: TreeOutcome) -> &'static str {
    match outcome {
        TreeOutcome::Created => "created",
        TreeOutcome::Exists => "exists",
    }
}

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

async fn apply_tree_config_map(
    ctx: &Context,
    namespace: &str,
    name: &str,
    app: &str,
    component: &str,
    tree: TreeId,
) -> anyhow::Result<()> {
    let mut labels = ctx.values.ownership_labels();
    labels.insert(LABEL_NAME.into(), app.into());
    labels.insert(LABEL_COMPONENT.into(), component.into());
    let config_map = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.into()),
            labels: Some(labels),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            TREE_ID_KEY.to_string(),
            tree.to_string(),
        )])),
        ..Default::default()
    };
    ctx.applier.apply(&to_dynamic(&config_map)?).await?;
    Ok(())
}

/// Renders the CT log's config for `tree` and stores it in Secret `ctlog-secrets` (key `config`)
/// unless it is already there: "written" or "unchanged". A Secret of an earlier version gets its
/// key stored unencrypted and loses `password` in the same patch ("written, key unencrypted"):
/// its old config named the encrypted key file and that password.
async fn write_ctlog_config(ctx: &Context, tree: TreeId) -> anyhow::Result<&'static str> {
    let key = ctx
        .ctlog_key
        .clone()
        .expect("stage secrets runs before trees and stores the CT log's key");
    let config = render(&CtLogConfig {
        trillian_address: format!(
            "trillian-logserver.{}.svc:{TRILLIAN_GRPC_PORT}",
            ctx.values.namespaces.trillian
        ),
        tree_id: tree,
        prefix: ctx.values.ctlog.prefix.clone(),
        roots_pem_files: vec![format!("{CTLOG_KEYS_DIR}/{CTLOG_ROOTCA_KEY}")],
        public_key_der: key.key.public_key_der(),
        private_key: key.key.clone(),
    })?;
    let namespace = &ctx.values.namespaces.ctlog;
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), namespace);
    let current = api
        .get(CTLOG_SECRET)
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?;
    let stored = current
        .data
        .as_ref()
        .and_then(|data| data.get(CTLOG_CONFIG_KEY));
    if !key.legacy_encrypted && stored.map(|v| v.0.as_slice()) == Some(config.as_bytes()) {
        return Ok("unchanged");
    }
    let mut entries = vec![(CTLOG_CONFIG_KEY, Some(config.as_bytes()))];
    let unencrypted = key.key.to_pkcs8_pem()?;
    if key.legacy_encrypted {
        entries.push((CTLOG_PRIVATE_KEY, Some(unencrypted.as_bytes())));
        entries.push((CTLOG_LEGACY_PASSWORD_KEY, None));
    }
    merge_secret_entries(ctx, namespace, CTLOG_SECRET, &entries).await?;
    Ok(if key.legacy_encrypted {
        "written, key unencrypted"
    } else {
        "written"
    })
}
