//! "wait <tier>": watch the tier's Deployments until they are ready (or the install deadline).

use super::{Context, Outcome, StageFuture};
use crate::cluster::DeploymentRef;
use crate::cluster::wait::deployments_ready;
use crate::render::Tier;
use crate::ui::StageLine;

pub fn databases<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tier(ctx, line, Tier::Databases))
}

pub fn trillian<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tier(ctx, line, Tier::Trillian))
}

/// Rekor, the CT log and Fulcio together: Fulcio was applied long before, so this usually
/// waits for the logs alone.
pub fn logs_and_fulcio<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tiers(ctx, line, &[Tier::Logs, Tier::Fulcio]))
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
    let progress = |pending: &[DeploymentRef]| {
        let names: Vec<&str> = pending.iter().map(|d| d.name.as_str()).collect();
        if !names.is_empty() {
            line.progress(&format!("waiting for {}", names.join(", ")));
        }
    };
    deployments_ready(&ctx.cluster, &targets, ctx.deadline, &progress, &ctx.redact).await?;
    Ok(Outcome::Ready(
        targets.into_iter().map(|d| d.name).collect(),
    ))
}
