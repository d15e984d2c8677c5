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

/// Rekor and the CT log read their tree ID once, at start (from ConfigMap `rekor-config`, and from
/// the config in Secret `ctlog-secrets`). Their pod templates carry the tree ID as an annotation,
/// so that if a tree is ever replaced (MariaDB lost its data), applying rolls them onto the new one.
pub fn logs<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let trees = ctx
            .trees
            .expect("stage trees runs before the logs are applied");
        let mut objects = ctx.objects(Tier::Logs)?;
        for object in &mut objects {
            let tree = match (
                object.types.as_ref().map(|t| t.kind.as_str()),
                object.metadata.name.as_deref(),
            ) {
                (Some("Deployment"), Some("rekor")) => trees.rekor,
                (Some("Deployment"), Some("ctlog")) => trees.ctlog,
                _ => continue,
            };
            // indexing creates the missing maps
            object.data["spec"]["template"]["metadata"]["annotations"][TREE_ID_ANNOTATION] =
                tree.to_string().into();
        }
        line.progress(&format!("applying {} objects", objects.len()));
        Ok(ctx.applier.apply_all(&objects).await?.to_string())
    })
}

/// The pod-template annotation naming the Trillian tree a log serves.
pub const TREE_ID_ANNOTATION: &str = "sigstore-up.dev/tree-id";

/// Applies every manifest of `tier`; the outcome counts created, configured and unchanged objects.
pub async fn apply_tier(ctx: &mut Context, line: &StageLine, tier: Tier) -> anyhow::Result<String> {
    let objects = ctx.objects(tier)?;
    line.progress(&format!("applying {} objects", objects.len()));
    let summary = ctx.applier.apply_all(&objects).await?;
    Ok(summary.to_string())
}
