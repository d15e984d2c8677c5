//! "wait <tier>": watch the tier's Deployments until they are ready (or the install deadline).

use std::time::Duration;

use super::{Context, Outcome, StageFuture};
use crate::catalog::{mariadb, trillian_log_server};
use crate::cluster::DeploymentRef;
use crate::cluster::wait::{deployments_ready, remaining};
use crate::render::Tier;
use crate::retry::{Backoff, retry};
use crate::setup::schema::wait_until_accepting;
use crate::setup::trillian::{TrillianAdmin, TrillianError};
use crate::ui::StageLine;

/// MariaDB and Redis. MariaDB counts as up as soon as it accepts the Trillian user through a
/// tunnel to its running pod: that is up to a readiness-probe period (1 s) before the kubelet
/// reports it Ready, on the critical path of every classic install. Its Service publishes
/// not-ready addresses, so Trillian, applied next, reaches it the same way (and kube-proxy has
/// long had its rules, written when the pod got its address). The readiness wait runs beside it
/// and ends the stage too; it alone explains a pod that never comes up.
pub fn databases<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let ctx = &*ctx;
        let all = deployments(ctx, Tier::Databases);
        let mariadb_name = mariadb::COMPONENT.name;
        let others: Vec<DeploymentRef> = all
            .iter()
            .filter(|d| d.name != mariadb_name)
            .cloned()
            .collect();
        let progress = waiting_for(line);
        let all_ready = deployments_ready(&ctx.cluster, &all, ctx.deadline, &progress, &ctx.redact);
        let mariadb_accepts = async {
            or_leave_it_to_readiness(mariadb_accepts(ctx)).await;
            let quiet = |_: &[DeploymentRef]| {};
            deployments_ready(&ctx.cluster, &others, ctx.deadline, &quiet, &ctx.redact).await
        };
        tokio::select! {
            ready = all_ready => ready?,
            accepts = mariadb_accepts => accepts?,
        }
        Ok(Outcome::Ready(all.into_iter().map(|d| d.name).collect()))
    })
}

/// Ends when `check` succeeds, never when it fails: a failed check is not an answer, and the
/// readiness wait it runs beside decides and explains (it alone names a pod that never comes up).
async fn or_leave_it_to_readiness(check: impl Future<Output = anyhow::Result<()>>) {
    if check.await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Waits until MariaDB accepts the Trillian user (see [`databases`]).
async fn mariadb_accepts(ctx: &Context) -> anyhow::Result<()> {
    let (_tunnel, url) = super::schema::trillian_user_tunnel(ctx).await?;
    wait_until_accepting(&url, remaining(ctx.deadline)).await?;
    Ok(())
}

/// Trillian's log server and signer. The stages after this one need only the log server ("trees"
/// asks its admin API; Rekor and the CT log connect to it), and it counts as up as soon as its
/// admin API answers through a tunnel to its running pod: up to a readiness-probe period (1 s)
/// before the kubelet reports it ready, on the critical path of every classic install (its
/// Service publishes not-ready addresses, so the logs reach it the same way). The signer is
/// needed only once entries are written: the last wait includes it. The readiness wait of both
/// runs beside the tunnel and ends the stage too; it alone explains a pod that never comes up.
pub fn trillian<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let ctx = &*ctx;
        let all = deployments(ctx, Tier::Trillian);
        let progress = waiting_for(line);
        let all_ready = deployments_ready(&ctx.cluster, &all, ctx.deadline, &progress, &ctx.redact);
        tokio::select! {
            ready = all_ready => ready?,
            () = or_leave_it_to_readiness(trillian_answers(ctx)) => {},
        }
        Ok(Outcome::Ready(vec![
            trillian_log_server::COMPONENT.name.to_string(),
        ]))
    })
}

/// Waits until the Trillian log server's admin API lists its trees (see [`trillian`]).
async fn trillian_answers(ctx: &Context) -> anyhow::Result<()> {
    let tunnel = crate::log_data::tunnel_to_log_server(&ctx.cluster, &ctx.values).await?;
    let addr = tunnel.local_addr();
    retry(
        ctx.deadline,
        Backoff::fixed(Duration::from_millis(50)),
        |_: &TrillianError| true,
        || async move { TrillianAdmin::connect(addr).await?.live_trees().await },
    )
    .await?;
    Ok(())
}

/// Rekor, the CT log and Fulcio together (and Trillian's signer, which the Trillian wait leaves
/// to this one): Fulcio was applied long before, so this usually waits for the logs alone.
pub fn logs_and_fulcio<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tiers(
        ctx,
        line,
        &[Tier::Trillian, Tier::Logs, Tier::Fulcio],
    ))
}

/// The TUF server, applied early by stage "tuf": ready long before, unless its image is missing.
pub fn tuf<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tier(ctx, line, Tier::Tuf))
}

/// The Deployments among `tier`'s manifests.
pub fn deployments(ctx: &Context, tier: Tier) -> Vec<DeploymentRef> {
    ctx.manifests
        .iter()
        .filter(|m| m.tier == tier && m.kind() == "Deployment")
        .map(|m| DeploymentRef {
            namespace: m.namespace().unwrap_or_default().to_string(),
            name: m.name().to_string(),
        })
        .collect()
}

pub async fn wait_tier(ctx: &mut Context, line: &StageLine, tier: Tier) -> anyhow::Result<Outcome> {
    wait_tiers(ctx, line, &[tier]).await
}

pub async fn wait_tiers(
    ctx: &mut Context,
    line: &StageLine,
    tiers: &[Tier],
) -> anyhow::Result<Outcome> {
    let targets: Vec<DeploymentRef> = tiers
        .iter()
        .flat_map(|&tier| deployments(ctx, tier))
        .collect();
    let progress = waiting_for(line);
    deployments_ready(&ctx.cluster, &targets, ctx.deadline, &progress, &ctx.redact).await?;
    Ok(Outcome::Ready(
        targets.into_iter().map(|d| d.name).collect(),
    ))
}

/// The progress callback of a wait: the stage line names the Deployments still pending.
fn waiting_for(line: &StageLine) -> impl Fn(&[DeploymentRef]) + Send + Sync + '_ {
    move |pending: &[DeploymentRef]| {
        let names: Vec<&str> = pending.iter().map(|d| d.name.as_str()).collect();
        if !names.is_empty() {
            line.progress(&format!("waiting for {}", names.join(", ")));
        }
    }
}
