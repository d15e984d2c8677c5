//! Server-side apply of dynamic objects, resolving kinds through discovery.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::{Context as _, anyhow};
use futures::future::try_join_all;
use kube::api::{Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::discovery::{self, Scope};
use kube::{Api, ResourceExt};

use super::client::Cluster;

/// What applying one object did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Created,
    /// It existed and changed.
    Configured,
    /// It existed and applying changed nothing (the resourceVersion stayed).
    Unchanged,
}

/// Counts of what an [`Applier::apply_all`] did, e.g. "created 3, unchanged 5".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplySummary {
    pub created: usize,
    pub configured: usize,
    pub unchanged: usize,
}

impl ApplySummary {
    fn add(&mut self, applied: Applied) {
        match applied {
            Applied::Created => self.created += 1,
            Applied::Configured => self.configured += 1,
            Applied::Unchanged => self.unchanged += 1,
        }
    }
}

impl std::fmt::Display for ApplySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.created == 0 && self.configured == 0 {
            return write!(f, "unchanged ({} objects)", self.unchanged);
        }
        let parts: Vec<String> = [
            ("created", self.created),
            ("configured", self.configured),
            ("unchanged", self.unchanged),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {n}"))
        .collect();
        write!(f, "{}", parts.join(", "))
    }
}

/// Applies objects with server-side apply under one field manager, taking ownership of
/// conflicting fields (callers check beforehand that the objects are theirs).
pub struct Applier {
    cluster: Cluster,
    field_manager: String,
    /// Discovery results by group/version/kind.
    resources: Mutex<HashMap<GroupVersionKind, (ApiResource, bool)>>,
}

impl Applier {
    pub fn new(cluster: &Cluster, field_manager: &str) -> Applier {
        Applier {
            cluster: cluster.clone(),
            field_manager: field_manager.to_string(),
            resources: Mutex::new(HashMap::new()),
        }
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The API resource of `apiVersion`/`kind`, and whether it is namespaced.
    pub async fn resource(
        &self,
        api_version: &str,
        kind: &str,
    ) -> anyhow::Result<(ApiResource, bool)> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        if let Some(found) = self.resources.lock().expect("cache lock").get(&gvk) {
            return Ok(found.clone());
        }
        let (resource, capabilities) = discovery::pinned_kind(&self.cluster.client, &gvk)
            .await
            .map_err(|e| match e {
                kube::Error::Api(ref s) if s.code != 401 && s.code != 403 => {
                    anyhow!("the cluster does not serve {kind} in {api_version}: {e}")
                }
                kube::Error::Discovery(_) => {
                    anyhow!("the cluster does not serve {kind} in {api_version}: {e}")
                }
                other => self.cluster.access_error(&other),
            })?;
        let found = (resource, capabilities.scope == Scope::Namespaced);
        self.resources
            .lock()
            .expect("cache lock")
            .insert(gvk, found.clone());
        Ok(found)
    }

    /// An API handle for the object's kind and namespace.
    pub async fn api_for(&self, object: &DynamicObject) -> anyhow::Result<Api<DynamicObject>> {
        let types = object
            .types
            .as_ref()
            .ok_or_else(|| anyhow!("object {} has no apiVersion/kind", object.name_any()))?;
        let (resource, namespaced) = self.resource(&types.api_version, &types.kind).await?;
        Ok(if namespaced {
            let namespace = object
                .namespace()
                .ok_or_else(|| anyhow!("{} {} has no namespace", types.kind, object.name_any()))?;
            Api::namespaced_with(self.cluster.client.clone(), &namespace, &resource)
        } else {
            Api::all_with(self.cluster.client.clone(), &resource)
        })
    }

    /// The live version of an object, if it exists.
    pub async fn get(&self, object: &DynamicObject) -> anyhow::Result<Option<DynamicObject>> {
        let api = self.api_for(object).await?;
        api.get_opt(&object.name_any())
            .await
            .map_err(|e| self.cluster.access_error(&e))
            .with_context(|| format!("reading {}", describe(object)))
    }

    /// Server-side applies one object.
    pub async fn apply(&self, object: &DynamicObject) -> anyhow::Result<Applied> {
        let api = self.api_for(object).await?;
        let name = object.name_any();
        let before = api
            .get_opt(&name)
            .await
            .map_err(|e| self.cluster.access_error(&e))
            .with_context(|| format!("reading {}", describe(object)))?;
        let params = PatchParams::apply(&self.field_manager).force();
        let after = api
            .patch(&name, &params, &Patch::Apply(object))
            .await
            .map_err(|e| match e {
                kube::Error::Api(ref status) if status.code != 401 && status.code != 403 => {
                    anyhow!("the API server refused it: {}", status.message)
                }
                other => self.cluster.access_error(&other),
            })
            .with_context(|| format!("applying {}", describe(object)))?;
        Ok(match before {
            None => Applied::Created,
            Some(before) if before.resource_version() == after.resource_version() => {
                Applied::Unchanged
            }
            Some(_) => Applied::Configured,
        })
    }

    /// Applies objects concurrently (callers order dependent groups by calling this per group).
    pub async fn apply_all(&self, objects: &[DynamicObject]) -> anyhow::Result<ApplySummary> {
        let results = try_join_all(objects.iter().map(|object| self.apply(object))).await?;
        let mut summary = ApplySummary::default();
        for applied in results {
            summary.add(applied);
        }
        Ok(summary)
    }
}

/// `Kind namespace/name` for messages.
/// A typed object (a Secret, a ConfigMap) as a [`DynamicObject`] for [`Applier::apply`].
pub fn to_dynamic<K>(object: &K) -> anyhow::Result<DynamicObject>
where
    K: kube::Resource<DynamicType = ()> + serde::Serialize,
{
    let mut dynamic: DynamicObject = serde_json::from_value(serde_json::to_value(object)?)?;
    dynamic.types = Some(kube::core::TypeMeta {
        api_version: K::api_version(&()).into_owned(),
        kind: K::kind(&()).into_owned(),
    });
    Ok(dynamic)
}

pub fn describe(object: &DynamicObject) -> String {
    let kind = object.types.as_ref().map_or("object", |t| t.kind.as_str());
    match object.namespace() {
        Some(ns) => format!("{kind} {ns}/{}", object.name_any()),
        None => format!("{kind} {}", object.name_any()),
    }
}
