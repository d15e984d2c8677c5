//! "wait <tier>": watch the tier's Deployments until they are ready (or the install deadline).

use crate::cluster::DeploymentRef;
use crate::cluster::wait::deployments_ready;
use crate::pipeline::{Context, StageFuture};
use crate::render::Tier;
use crate::ui::StageLine;

pub fn databases<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tier(ctx, line, Tier::Databases))
}

pub fn trillian<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(wait_tier(ctx, line, Tier::Trillian))
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

pub async fn wait_tier(ctx: &mut Context, line: &StageLine, tier: Tier) -> anyhow::Result<String> {
    let targets = deployments(ctx, tier);
    let progress = |pending: &[DeploymentRef]| {
        let names: Vec<&str> = pending.iter().map(|d| d.name.as_str()).collect();
        if !names.is_empty() {
            line.progress(&format!("waiting for {}", names.join(", ")));
        }
    };
    deployments_ready(&ctx.cluster, &targets, ctx.deadline, &progress, &ctx.redact).await?;
    let names: Vec<&str> = targets.iter().map(|d| d.name.as_str()).collect();
    Ok(format!("{} ready", names.join(", ")))
}
