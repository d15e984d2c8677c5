//! "apply <tier>": server-side apply of one tier's manifests.

use crate::pipeline::{Context, StageFuture};
use crate::render::Tier;
use crate::ui::StageLine;

pub fn databases<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(apply_tier(ctx, line, Tier::Databases))
}

pub fn trillian<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(apply_tier(ctx, line, Tier::Trillian))
}

pub fn fulcio<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(apply_tier(ctx, line, Tier::Fulcio))
}

pub fn logs<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(apply_tier(ctx, line, Tier::Logs))
}

/// Applies every manifest of `tier`; the outcome counts created, configured and unchanged objects.
pub async fn apply_tier(ctx: &mut Context, line: &StageLine, tier: Tier) -> anyhow::Result<String> {
    let objects = ctx.objects(tier)?;
    line.progress(&format!("applying {} objects", objects.len()));
    let summary = ctx.applier.apply_all(&objects).await?;
    Ok(summary.to_string())
}
