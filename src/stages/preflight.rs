//! "preflight": before anything is written, check that the cluster answers, is new enough,
//! that our credentials may do everything install does, and that no object install would write
//! exists without our labels (we never take over someone else's objects).

use std::collections::BTreeSet;

use futures::future::try_join_all;
use kube::ResourceExt;
use kube::core::DynamicObject;

use super::{Context, Outcome, StageFuture};
use crate::catalog;
use crate::cluster::Cluster;
use crate::cluster::access::{Permission, missing_permissions, whoami};
use crate::cluster::client::OidcDiscoveryDocument;
use crate::error::Failure;
use crate::pipeline::objects_install_writes;
use crate::render::render;
use crate::ui::StageLine;
use crate::values::{LABEL_INSTANCE, LABEL_MANAGED_BY, OidcDiscovery, Values, url_authority};

/// The oldest Kubernetes we support: the newest API install relies on is Pod Security admission
/// (restricted profile, enforced by namespace label), GA in 1.25; the others are older
/// (server-side apply and TokenRequest 1.22, apps/v1 1.9, rbac/v1 1.8, SelfSubjectAccessReview
/// 1.6). Each kind install writes is also looked up by API discovery below, so a cluster that
/// does not serve one is named before anything is applied.
pub const MINIMUM_KUBERNETES: (u32, u32) = (1, 25);
/// The newest Kubernetes the tests ran on (the test cluster); newer ones get a warning only.
pub const NEWEST_TESTED_KUBERNETES: (u32, u32) = (1, 34);

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress(&format!("contacting {}", ctx.cluster.server));
        let version = ctx.cluster.server_version().await?;
        if (version.major, version.minor) < MINIMUM_KUBERNETES {
            return Err(Failure::ClusterAccess(format!(
                "the cluster runs Kubernetes {}; sigstore-up needs {}.{} or newer (Pod Security admission)",
                version.git_version, MINIMUM_KUBERNETES.0, MINIMUM_KUBERNETES.1
            ))
            .into());
        }
        if (version.major, version.minor) > NEWEST_TESTED_KUBERNETES {
            ctx.ui.warn(&format!(
                "the cluster runs Kubernetes {}, newer than the newest sigstore-up was tested on \
                 ({}.{}); continuing",
                version.git_version, NEWEST_TESTED_KUBERNETES.0, NEWEST_TESTED_KUBERNETES.1
            ));
        }

        // One instance runs one profile: switching means tearing down first (keys, logs and
        // trust material differ), so a different installed profile stops install here.
        // Credentials that may not even read the namespaces are reported with every other
        // missing right by the permission check below.
        let installed = match crate::instance::installed(&ctx.cluster, &ctx.values).await {
            Ok(installed) => installed,
            Err(e)
                if matches!(
                    crate::error::failure_of(&e),
                    Some(Failure::ClusterAccess(_))
                ) =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        if let Some(installed) = installed
            && installed.profile != ctx.values.profile_choice()
        {
            return Err(Failure::BadInput(format!(
                "instance {:?} is installed with profile {}; it cannot be changed to {} in place. \
                 Run `sigstore-up teardown --yes` first, or install the {} stack as another \
                 instance (`sigstore-up --name NAME install`)",
                ctx.values.instance,
                installed.profile.name(),
                ctx.values.profile,
                ctx.values.profile,
            ))
            .into());
        }

        let profile = ctx.values.profile();
        if profile.component(catalog::fulcio::COMPONENT.id).is_some() {
            if ctx.values.fulcio.issuer_url.is_empty() {
                line.progress("reading the service-account issuer");
            }
            let discovery = complete_issuer(&ctx.cluster, &mut ctx.values).await?;
            if discovery.is_some() {
                ctx.manifests = render(&ctx.values)?;
            }
            if ctx.values.oidc_discovery() == OidcDiscovery::OwnToken {
                let document = match discovery {
                    Some(document) => document,
                    None => ctx.cluster.oidc_discovery().await?,
                };
                own_token_reaches_keys(&ctx.values, &document.jwks_uri)?;
            }
        }

        let objects = objects_install_writes(&ctx.values, &ctx.manifests)?;
        line.progress("checking permissions");
        let needed = needed_permissions(ctx, &objects).await?;
        let missing = missing_permissions(&ctx.cluster, &needed).await?;
        if !missing.is_empty() {
            let who = whoami(&ctx.cluster)
                .await
                .map_or_else(String::new, |user| format!(" (user {user:?})"));
            let list: Vec<String> = missing.iter().map(|p| format!("  - {p}")).collect();
            return Err(Failure::ClusterAccess(format!(
                "context {:?}{who} lacks permissions install needs:\n{}\nAsk a cluster admin to grant them, or use another --context.",
                ctx.cluster.context,
                list.join("\n")
            ))
            .into());
        }

        line.progress("checking for objects that are not ours");
        let conflicts = foreign_objects(ctx, &objects).await?;
        if !conflicts.is_empty() {
            return Err(Failure::Conflict(format!(
                "these objects already exist and do not belong to sigstore-up instance {:?}:\n{}\n\
                 Nothing was applied. Delete them, or install elsewhere: another instance \
                 (--name NAME, which gets its own namespaces) or other namespaces \
                 (--set namespaces.trillian=NAME, ...).",
                ctx.values.instance,
                conflicts.join("\n")
            ))
            .into());
        }
        Ok(Outcome::Checked {
            version: version.git_version,
            server: ctx.cluster.server.clone(),
            context: ctx.cluster.context.clone(),
        })
    })
}

/// Fulcio sends its token only to the issuer's host and refuses to fetch the keys from any
/// other (pkg/config in Fulcio: the bearer-token transport), so with its own token it can read
/// the keys only when the API server's discovery document puts them on the issuer's host. Many
/// clusters advertise the API server's own address there instead (kube-apiserver's default:
/// `https://<advertise-address>:<port>/openid/v1/jwks`, e.g. kind and minikube).
fn own_token_reaches_keys(values: &Values, jwks_uri: &str) -> anyhow::Result<()> {
    let issuer = values.issuer_url_or_fallback();
    if url_authority(jwks_uri) == url_authority(issuer) {
        return Ok(());
    }
    let suggested = format!("{}/openid/v1/jwks", issuer.trim_end_matches('/'));
    Err(Failure::ClusterAccess(format!(
        "Fulcio cannot read the cluster's service-account signing keys with its own token: the \
         API server's discovery document puts them at {jwks_uri}, on another host than the \
         issuer {issuer}, and Fulcio sends its token to the issuer's host only. Nothing was \
         applied. Either\n\
         - have the API server advertise the keys on the issuer's host: start kube-apiserver \
         with --service-account-jwks-uri={suggested} (kind: a kubeadmConfigPatches entry, see \
         README \"Fulcio and the cluster's OIDC discovery\"; minikube: \
         --extra-config=apiserver.service-account-jwks-uri={suggested}), or\n\
         - let Fulcio read them anonymously: --set fulcio.anonymous_oidc_discovery=true, which \
         creates ClusterRoleBinding sigstore-up-{instance}-oidc-discovery, letting anyone who \
         reaches the API server read the discovery document and keys (cluster-wide).",
        instance = values.instance,
    ))
    .into())
}

/// Every object the wired stages write: the manifests of the installed tiers and the objects
/// stages create themselves.
/// Fulcio trusts the cluster's service-account issuer: when the values name none and the profile
/// runs Fulcio, it is the cluster's (read once Fulcio is installed). The discovery document, when
/// it was read.
pub(super) async fn complete_issuer(
    cluster: &Cluster,
    values: &mut Values,
) -> anyhow::Result<Option<OidcDiscoveryDocument>> {
    let has_fulcio = values
        .profile()
        .component(catalog::fulcio::COMPONENT.id)
        .is_some();
    if !has_fulcio || !values.fulcio.issuer_url.is_empty() {
        return Ok(None);
    }
    let document = cluster.oidc_discovery().await?;
    values.fulcio.issuer_url = document.issuer.clone();
    Ok(Some(document))
}

/// The rights install uses: read, create and patch (server-side apply) every object it writes;
/// watch Deployments for readiness; read pods, their logs and events to explain a failure; and
/// open port-forwards to Trillian's pods for the setup stages.
async fn needed_permissions(
    ctx: &Context,
    objects: &[DynamicObject],
) -> anyhow::Result<Vec<Permission>> {
    let mut needed: Vec<Permission> = Vec::new();
    let mut push = |permission: Permission| {
        if !needed.contains(&permission) {
            needed.push(permission);
        }
    };
    let mut namespaces = BTreeSet::new();
    for object in objects {
        let types = object
            .types
            .as_ref()
            .expect("rendered objects have apiVersion and kind");
        let (resource, namespaced) = ctx
            .applier
            .resource(&types.api_version, &types.kind)
            .await?;
        let namespace = if namespaced { object.namespace() } else { None };
        if let Some(ns) = &namespace {
            namespaces.insert(ns.clone());
        }
        for verb in ["get", "create", "patch"] {
            push(Permission::new(
                verb,
                &resource.group,
                &resource.plural,
                namespace.as_deref(),
            ));
        }
    }
    for ns in &namespaces {
        let ns = Some(ns.as_str());
        for verb in ["list", "watch"] {
            push(Permission::new(verb, "apps", "deployments", ns));
            push(Permission::new(verb, "", "pods", ns));
        }
        push(Permission::new("get", "", "pods/log", ns));
        push(Permission::new("list", "", "events", ns));
    }
    // Stage "lock" holds a Lease in Fulcio's namespace while install runs.
    let fulcio_namespace = Some(catalog::NamespaceKey::Fulcio.of(&ctx.values));
    for verb in ["get", "create", "update", "delete"] {
        push(Permission::new(
            verb,
            "coordination.k8s.io",
            "leases",
            fulcio_namespace,
        ));
    }
    // The setup stages tunnel to the components they set up (MariaDB, the Trillian log server),
    // when the profile has them (a namespace the profile does not use may not exist, and
    // credentials with rights only in the instance's namespaces have none there).
    let profile = ctx.values.profile();
    // ... and the gate "signable" tunnels to every server it asks (those `status --probe` asks).
    let probed = profile
        .components()
        .iter()
        .copied()
        .filter(|c| !c.probes.is_empty());
    for component in [
        &catalog::mariadb::COMPONENT,
        &catalog::trillian_log_server::COMPONENT,
    ]
    .into_iter()
    .filter(|c| profile.component(c.id).is_some())
    .chain(probed)
    {
        // kube's port-forward is a WebSocket upgrade (a GET): Kubernetes up to 1.34 authorizes it
        // as `get`, 1.35 and later as `create`.
        for verb in ["get", "create"] {
            push(Permission::new(
                verb,
                "",
                "pods/portforward",
                Some(component.namespace(&ctx.values)),
            ));
        }
    }
    // The gate signs with a token of a service account in Fulcio's namespace.
    push(Permission::new(
        "create",
        "",
        "serviceaccounts/token",
        Some(catalog::fulcio::COMPONENT.namespace(&ctx.values)),
    ));
    Ok(needed)
}

/// `  - Kind ns/name (why)` for each object that exists without our labels.
async fn foreign_objects(ctx: &Context, objects: &[DynamicObject]) -> anyhow::Result<Vec<String>> {
    let checks = objects.iter().map(|object| async move {
        let Some(live) = ctx.applier.get(object).await? else {
            return anyhow::Ok(None);
        };
        if ctx.ownership.owns(live.labels()) {
            return Ok(None);
        }
        let label = |key: &str| {
            live.labels()
                .get(key)
                .cloned()
                .unwrap_or_else(|| "<none>".into())
        };
        Ok(Some(format!(
            "  - {} ({LABEL_MANAGED_BY}={}, {LABEL_INSTANCE}={})",
            crate::cluster::apply::describe(object),
            label(LABEL_MANAGED_BY),
            label(LABEL_INSTANCE)
        )))
    });
    Ok(try_join_all(checks).await?.into_iter().flatten().collect())
}
