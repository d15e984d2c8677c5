//! "May I?" before doing anything: SelfSubjectAccessReviews for every right a command needs, so
//! a missing right is reported up front, all at once, instead of half-way through.

use futures::future::try_join_all;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Api;
use kube::api::PostParams;

use super::client::Cluster;

/// One right: `verb` on `group/resource[/subresource]`, in `namespace` (None: cluster-wide or
/// cluster-scoped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: Option<String>,
}

impl Permission {
    pub fn new(verb: &str, group: &str, resource: &str, namespace: Option<&str>) -> Permission {
        let (resource, subresource) = match resource.split_once('/') {
            Some((r, s)) => (r.to_string(), Some(s.to_string())),
            None => (resource.to_string(), None),
        };
        Permission {
            verb: verb.into(),
            group: group.into(),
            resource,
            subresource,
            namespace: namespace.map(str::to_string),
        }
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if let Some(sub) = &self.subresource {
            write!(f, "/{sub}")?;
        }
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " in namespace {ns}"),
            None => write!(f, " (cluster-wide)"),
        }
    }
}

/// The permissions among `needed` that the current credentials do not have.
pub async fn missing_permissions(
    cluster: &Cluster,
    needed: &[Permission],
) -> anyhow::Result<Vec<Permission>> {
    let api: Api<SelfSubjectAccessReview> = Api::all(cluster.client.clone());
    let checks = needed.iter().map(|permission| {
        let api = api.clone();
        async move {
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        verb: Some(permission.verb.clone()),
                        group: Some(permission.group.clone()),
                        resource: Some(permission.resource.clone()),
                        subresource: permission.subresource.clone(),
                        namespace: permission.namespace.clone(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                ..Default::default()
            };
            let answer = api
                .create(&PostParams::default(), &review)
                .await
                .map_err(|e| cluster.access_error(&e))?;
            let allowed = answer.status.is_some_and(|s| s.allowed);
            anyhow::Ok((!allowed).then(|| permission.clone()))
        }
    });
    Ok(try_join_all(checks).await?.into_iter().flatten().collect())
}

/// Who the API server thinks we are (for messages); None when it will not say.
pub async fn whoami(cluster: &Cluster) -> Option<String> {
    let api: Api<SelfSubjectReview> = Api::all(cluster.client.clone());
    let review = api
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .ok()?;
    review.status?.user_info?.username
}
