//! "apply <tier>": server-side apply of one tier's manifests.

use super::{Context, Outcome, StageFuture};
use crate::catalog;
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

/// Rekor and the CT log read their tree ID once, at start (Rekor from its config ConfigMap, the
/// CT log from the config in its Secret). Their pod templates carry the tree ID as an annotation,
/// so that if a tree is ever replaced (MariaDB lost its data), applying rolls them onto the new one.
pub fn logs<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let trees = *ctx.trees.get()?;
        let mut objects = ctx.objects(Tier::Logs)?;
        for object in &mut objects {
            let is_deployment = object
                .types
                .as_ref()
                .is_some_and(|t| t.kind == "Deployment");
            let name = object.metadata.name.as_deref();
            let tree = if !is_deployment {
                continue;
            } else if name == Some(catalog::rekor::COMPONENT.name) {
                trees.rekor
            } else if name == Some(catalog::ctlog::COMPONENT.name) {
                trees.ctlog
            } else {
                continue;
            };
            // indexing creates the missing maps
            object.data["spec"]["template"]["metadata"]["annotations"][TREE_ID_ANNOTATION] =
                tree.to_string().into();
        }
        line.progress(&format!("applying {} objects", objects.len()));
        Ok(Outcome::Applied(ctx.applier.apply_all(&objects).await?))
    })
}

/// Rekor v2 and TesseraCT: their keys are all they need, so they are applied as they are.
pub fn tile_logs<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(apply_tier(ctx, line, Tier::Logs))
}

/// The pod-template annotation naming the Trillian tree a log serves.
pub const TREE_ID_ANNOTATION: &str = "sigstore-up.dev/tree-id";

/// Applies every manifest of `tier`; the outcome counts created, configured and unchanged objects.
pub async fn apply_tier(
    ctx: &mut Context,
    line: &StageLine,
    tier: Tier,
) -> anyhow::Result<Outcome> {
    let objects = ctx.objects(tier)?;
    line.progress(&format!("applying {} objects", objects.len()));
    Ok(Outcome::Applied(ctx.applier.apply_all(&objects).await?))
}
