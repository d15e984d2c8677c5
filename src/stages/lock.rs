//! "lock": one install of an instance at a time. Two installs of the same instance at once would
//! mint two sets of keys or trees and mix them; so install holds a Lease per instance
//! (`<Fulcio's namespace>/sigstore-up-install`, renewed while it runs, deleted at the end) from
//! before it writes anything but that namespace until it is done. A second install waits, saying
//! who holds it, then continues against what the first one made (every later stage finds it).
//!
//! The lease needs a namespace before the "namespaces" stage applies them: Fulcio's (every
//! profile has it) is created here if missing, create-only, so that of two racing first installs
//! with different profiles the first one's profile label stands and the second is refused after
//! the wait, as preflight refuses a profile change.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::PostParams;
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};

use super::{Context, Outcome, StageFuture};
use crate::catalog::NamespaceKey;
use crate::cluster::lease::LeaseLock;
use crate::cluster::wait::watch_until;
use crate::error::Failure;
use crate::render::Tier;
use crate::ui::{StageLine, format_elapsed};

/// The Lease's name in the instance's Fulcio namespace.
pub const LEASE_NAME: &str = "sigstore-up-install";

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let namespace = NamespaceKey::Fulcio.of(&ctx.values).to_string();
        ensure_namespace(ctx, line, &namespace).await?;
        let started = tokio::time::Instant::now();
        let mut waited_for = None;
        let instance = ctx.values.instance.clone();
        let lock = LeaseLock::acquire(
            &ctx.cluster,
            &namespace,
            LEASE_NAME,
            ctx.values.ownership_labels(),
            ctx.deadline,
            |holder| {
                let since = holder
                    .held_for
                    .map_or(String::new(), |s| format!(" for {s}s"));
                let message = format!(
                    "another install of instance {instance:?} is running (lease \
                     {namespace}/{LEASE_NAME} held by {}{since}); waiting for it to finish",
                    holder.identity
                );
                line.progress(&message);
                ctx.ui.info(&message);
                waited_for = Some(holder.identity.clone());
            },
        )
        .await?;
        ctx.install_lock = Some(lock);

        // What the other install made is now final: the profile on the namespaces must be ours.
        if let Some(installed) = crate::instance::installed(&ctx.cluster, &ctx.values).await?
            && installed.profile != ctx.values.profile_choice()
        {
            return Err(Failure::BadInput(format!(
                "instance {:?} was installed with profile {} by another install meanwhile; it \
                 cannot be changed to {} in place. Run `sigstore-up teardown --yes` first, or \
                 install as another instance (--name NAME)",
                ctx.values.instance,
                installed.profile.name(),
                ctx.values.profile
            ))
            .into());
        }
        Ok(Outcome::Locked(match waited_for {
            Some(holder) => format!(
                "lease {namespace}/{LEASE_NAME} held, after waiting {} for {holder}",
                format_elapsed(started.elapsed())
            ),
            None => format!("lease {namespace}/{LEASE_NAME} held"),
        }))
    })
}

/// Creates the namespace from its rendered manifest unless it exists; waits for one still
/// terminating from an earlier teardown.
async fn ensure_namespace(ctx: &Context, line: &StageLine, namespace: &str) -> anyhow::Result<()> {
    let api: Api<Namespace> = Api::all(ctx.cluster.client.clone());
    let access = |e: kube::Error| ctx.cluster.access_error(&e);
    if let Some(live) = api.get_opt(namespace).await.map_err(access)? {
        if live.metadata.deletion_timestamp.is_none() {
            return Ok(());
        }
        line.progress(&format!(
            "waiting for namespace {namespace} to finish terminating"
        ));
        let uid = live.uid().unwrap_or_default();
        let gone = watch_until(
            &ctx.cluster,
            api.clone(),
            namespace,
            conditions::is_deleted(&uid),
        );
        tokio::time::timeout_at(ctx.deadline, gone).await.map_err(|_| {
            Failure::NotReady(format!(
                "namespace {namespace} is still terminating (from an earlier teardown); wait for \
                 it to go, then install again"
            ))
        })??;
    }
    let object = ctx
        .objects(Tier::Namespaces)?
        .into_iter()
        .find(|o| o.name_any() == namespace)
        .ok_or_else(|| anyhow::anyhow!("namespace {namespace} is not rendered (a catalog bug)"))?;
    let dynamic = ctx.applier.api_for(&object).await?;
    match dynamic.create(&PostParams::default(), &object).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(e) => Err(access(e)),
    }
}
