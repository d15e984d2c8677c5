//! "namespaces": apply our namespaces (restricted Pod Security enforced), first waiting for any
//! of them still terminating from an earlier teardown.

use k8s_openapi::api::core::v1::Namespace;
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};

use super::{Context, Outcome, StageFuture};
use crate::cluster::wait::watch_until;
use crate::error::Failure;
use crate::render::Tier;
use crate::ui::StageLine;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let objects = ctx.objects(Tier::Namespaces)?;
        let api: Api<Namespace> = Api::all(ctx.cluster.client.clone());
        for object in &objects {
            let name = object.name_any();
            let live = api
                .get_opt(&name)
                .await
                .map_err(|e| ctx.cluster.access_error(&e))?;
            if let Some(live) = live.filter(|ns| ns.metadata.deletion_timestamp.is_some()) {
                line.progress(&format!(
                    "waiting for namespace {name} to finish terminating"
                ));
                let uid = live.uid().unwrap_or_default();
                let gone = watch_until(
                    &ctx.cluster,
                    api.clone(),
                    &name,
                    conditions::is_deleted(&uid),
                );
                tokio::time::timeout_at(ctx.deadline, gone).await.map_err(|_| {
                    Failure::NotReady(format!(
                        "namespace {name} is still terminating (from an earlier teardown); wait for it to go, then install again"
                    ))
                })??;
            }
        }
        line.progress("applying");
        Ok(Outcome::Applied(ctx.applier.apply_all(&objects).await?))
    })
}
