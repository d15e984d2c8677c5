//! What is ours: objects carrying a set of ownership labels. Listing them, and deleting them
//! (and only them) with a wait until they are gone.

use std::collections::BTreeMap;

use anyhow::Context as _;
use futures::future::{join_all, try_join_all};
use kube::api::{DeleteParams, ListParams};
use kube::core::{DynamicObject, Selector, SelectorExt as _};
use kube::runtime::wait::conditions;
use kube::{Api, ResourceExt};
use tokio::time::Instant;

use super::apply::{Applier, describe};
use super::client::Cluster;
use super::wait::watch_until;
use crate::error::{Failure, failure_of};

/// The labels that mark an object as ours. An object is ours only if it carries all of them with
/// exactly these values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    labels: BTreeMap<String, String>,
}

impl Ownership {
    pub fn new(labels: BTreeMap<String, String>) -> Ownership {
        Ownership { labels }
    }

    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// A label selector matching exactly our objects (`Display` writes it as the API takes it).
    pub fn selector(&self) -> Selector {
        self.labels.clone().into_iter().collect()
    }

    pub fn owns(&self, object_labels: &BTreeMap<String, String>) -> bool {
        self.selector().matches(object_labels)
    }
}

/// A live object we own, with the API handle to act on it.
pub struct OwnedObject {
    pub object: DynamicObject,
    pub api: Api<DynamicObject>,
    pub kind: String,
}

impl OwnedObject {
    pub fn describe(&self) -> String {
        describe(&self.object)
    }

    pub fn is_namespace(&self) -> bool {
        self.kind == "Namespace"
    }
}

/// Every object of the given kinds (`(apiVersion, kind)`) that carries our labels, in any
/// namespace. Kinds the cluster does not serve are skipped.
pub async fn list_owned(
    applier: &Applier,
    kinds: &[(String, String)],
    ownership: &Ownership,
) -> anyhow::Result<Vec<OwnedObject>> {
    list_owned_in(applier, kinds, ownership, None).await
}

/// [`list_owned`], with the namespaced kinds listed only in `namespaces` when given (so that
/// credentials with rights in those namespaces only suffice; cluster-scoped kinds are listed
/// cluster-wide).
pub async fn list_owned_in(
    applier: &Applier,
    kinds: &[(String, String)],
    ownership: &Ownership,
    namespaces: Option<&[String]>,
) -> anyhow::Result<Vec<OwnedObject>> {
    let cluster = applier.cluster();
    let params = ListParams::default().labels_from(&ownership.selector());
    let lists = kinds.iter().map(|(api_version, kind)| {
        let params = params.clone();
        async move {
            let (resource, namespaced) = match applier.resource(api_version, kind).await {
                Ok(found) => found,
                // A kind the cluster does not serve cannot hold anything of ours.
                Err(e) if failure_of(&e).is_none() => return anyhow::Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            let apis: Vec<(Api<DynamicObject>, Option<&str>)> = match namespaces {
                Some(names) if namespaced => names
                    .iter()
                    .map(|ns| {
                        let api = Api::namespaced_with(cluster.client.clone(), ns, &resource);
                        (api, Some(ns.as_str()))
                    })
                    .collect(),
                _ => vec![(Api::all_with(cluster.client.clone(), &resource), None)],
            };
            let lists = apis.into_iter().map(|(api, namespace)| {
                let params = params.clone();
                async move {
                    api.list(&params)
                        .await
                        .map_err(|e| cluster.access_error(&e))
                        .with_context(|| match namespace {
                            Some(ns) => format!("listing {kind} objects in namespace {ns}"),
                            None => format!("listing {kind} objects"),
                        })
                }
            });
            let items = try_join_all(lists)
                .await?
                .into_iter()
                .flat_map(|list| list.items);
            Ok(items
                .into_iter()
                // The selector already filters; this guards against a selector typo ever
                // matching more than ours.
                .filter(|object| ownership.owns(object.labels()))
                .map(|mut object| {
                    object.types = Some(kube::core::TypeMeta {
                        api_version: api_version.clone(),
                        kind: kind.clone(),
                    });
                    let api = match (namespaced, object.namespace()) {
                        (true, Some(ns)) => {
                            Api::namespaced_with(cluster.client.clone(), &ns, &resource)
                        }
                        _ => Api::all_with(cluster.client.clone(), &resource),
                    };
                    OwnedObject {
                        object,
                        api,
                        kind: kind.clone(),
                    }
                })
                .collect())
        }
    });
    Ok(try_join_all(lists).await?.into_iter().flatten().collect())
}

/// Deletes the objects (dependents first: workloads wait for their pods) and waits, by watching,
/// until each is gone or `deadline` passes. Objects already gone count as deleted.
pub async fn delete_and_wait(
    cluster: &Cluster,
    objects: &[OwnedObject],
    deadline: Instant,
) -> anyhow::Result<()> {
    delete_then_wait(cluster, objects, async { Ok(()) }, deadline).await
}

/// [`delete_and_wait`], running `meanwhile` once the API server has accepted every deletion and
/// before waiting.
pub async fn delete_then_wait(
    cluster: &Cluster,
    objects: &[OwnedObject],
    meanwhile: impl std::future::Future<Output = anyhow::Result<()>>,
    deadline: Instant,
) -> anyhow::Result<()> {
    let requests = objects.iter().map(|owned| async move {
        // Foreground: a Deployment stays until its ReplicaSets and pods are gone, so waiting for
        // it waits for them.
        let params = if owned.is_namespace() {
            DeleteParams::default()
        } else {
            DeleteParams::foreground()
        };
        match owned.api.delete(&owned.object.name_any(), &params).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(e) => Err(cluster.access_error(&e))
                .with_context(|| format!("deleting {}", owned.describe())),
        }
    });
    let requested = join_all(requests).await;
    meanwhile.await?;
    let deletions = objects
        .iter()
        .zip(requested)
        .map(|(owned, requested)| async move {
            if !requested? {
                return Ok(());
            }
            let uid = owned.object.uid().unwrap_or_default();
            let name = owned.object.name_any();
            let gone = watch_until(
                cluster,
                owned.api.clone(),
                &name,
                conditions::is_deleted(&uid),
            );
            match tokio::time::timeout_at(deadline, gone).await {
                Ok(result) => result.map(|_| ()),
                Err(_) => Err(Failure::NotReady(format!(
                    "{} was not gone in time",
                    owned.describe()
                ))
                .into()),
            }
        });
    let errors: Vec<anyhow::Error> = join_all(deletions)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let text = errors
        .iter()
        .map(|e| format!("{e:#}"))
        .collect::<Vec<_>>()
        .join("\n");
    let kinds: Vec<Option<&Failure>> = errors.iter().map(failure_of).collect();
    Err(
        if kinds
            .iter()
            .all(|k| matches!(k, Some(Failure::NotReady(_))))
        {
            Failure::NotReady(format!(
            "{text}\nDeletion was requested; run teardown again to keep waiting, or give it a longer --timeout."
        ))
        .into()
        } else if kinds
            .iter()
            .any(|k| matches!(k, Some(Failure::ClusterAccess(_))))
        {
            Failure::ClusterAccess(format!("teardown incomplete:\n{text}")).into()
        } else {
            anyhow::anyhow!("teardown incomplete:\n{text}")
        },
    )
}
