//! `list`: the sigstore-up instances on the cluster, found by the ownership labels on their
//! namespaces (`app.kubernetes.io/managed-by=sigstore-up`, grouped by `app.kubernetes.io/instance`),
//! with the profile recorded on them, how many of the profile's components are ready, and age.
//! Needs only `list namespaces` and `list deployments` in the instances' namespaces.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use futures::future::try_join_all;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::ListParams;
use kube::{Api, ResourceExt as _};
use serde::Serialize;

use crate::catalog::{NamespaceKey, Profile};
use crate::cli::{GlobalArgs, ListArgs, OutputFormat};
use crate::cluster::wait::deployment_is_ready;
use crate::cluster::{Cluster, Ownership};
use crate::instance::PROFILE_LABEL;
use crate::ui::{Ui, format_age};
use crate::values::{LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, MANAGER, ProfileChoice};

/// One instance on the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceSummary {
    pub name: String,
    pub profile: String,
    /// Every component of the profile has a ready Deployment.
    pub ready: bool,
    pub ready_components: usize,
    pub components: usize,
    /// Age of its oldest namespace.
    pub age_seconds: Option<u64>,
    pub namespaces: Vec<String>,
}

pub async fn run(global: &GlobalArgs, args: &ListArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let cluster = super::connect_cluster(global).await?;
    cluster.server_version().await?;
    let instances = list_instances(&cluster).await?;
    match args.output {
        OutputFormat::Json => ui.output(&(serde_json::to_string_pretty(&instances)? + "\n")),
        OutputFormat::Text if instances.is_empty() => ui.info(&format!(
            "no sigstore-up instances on {} (context {})",
            cluster.server, cluster.context
        )),
        OutputFormat::Text => ui.output(&text_table(&instances)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Every instance whose namespaces carry our labels, by name.
pub async fn list_instances(cluster: &Cluster) -> anyhow::Result<Vec<InstanceSummary>> {
    let api: Api<Namespace> = Api::all(cluster.client.clone());
    let namespaces = api
        .list(&ListParams::default().labels(&format!("{LABEL_MANAGED_BY}={MANAGER}")))
        .await
        .map_err(|e| cluster.access_error(&e))?;
    let mut by_instance: BTreeMap<String, Vec<Namespace>> = BTreeMap::new();
    for namespace in namespaces.items {
        if let Some(instance) = namespace.labels().get(LABEL_INSTANCE).cloned() {
            by_instance.entry(instance).or_default().push(namespace);
        }
    }
    try_join_all(
        by_instance
            .into_iter()
            .map(|(name, namespaces)| summarize(cluster, name, namespaces)),
    )
    .await
}

async fn summarize(
    cluster: &Cluster,
    name: String,
    namespaces: Vec<Namespace>,
) -> anyhow::Result<InstanceSummary> {
    let choice = namespaces
        .iter()
        .find_map(|ns| ns.labels().get(PROFILE_LABEL))
        .and_then(|p| ProfileChoice::parse(p))
        .unwrap_or(ProfileChoice::Classic);
    let has_tsa = namespaces
        .iter()
        .any(|ns| ns.labels().get(LABEL_NAME).map(String::as_str) == Some(NamespaceKey::Tsa.key()));
    let profile = match choice {
        ProfileChoice::Modern => Profile::Modern,
        ProfileChoice::Classic if has_tsa => Profile::ClassicWithTsa,
        ProfileChoice::Classic => Profile::Classic,
    };
    let ownership = Ownership::new(BTreeMap::from([
        (LABEL_MANAGED_BY.to_string(), MANAGER.to_string()),
        (LABEL_INSTANCE.to_string(), name.clone()),
    ]));
    let lists = namespaces.iter().map(|ns| {
        let api: Api<Deployment> = Api::namespaced(cluster.client.clone(), &ns.name_any());
        let params = ListParams::default().labels_from(&ownership.selector());
        async move {
            api.list(&params)
                .await
                .map_err(|e| cluster.access_error(&e))
        }
    });
    let deployments: Vec<Deployment> = try_join_all(lists)
        .await?
        .into_iter()
        .flat_map(|list| list.items)
        .collect();
    let components = profile.components().len();
    let ready_components = profile
        .components()
        .iter()
        .filter(|c| {
            deployments
                .iter()
                .any(|d| d.name_any() == c.name && deployment_is_ready(Some(d)))
        })
        .count();
    let age_seconds = namespaces
        .iter()
        .filter_map(|ns| ns.metadata.creation_timestamp.as_ref())
        .map(|created| {
            SystemTime::now()
                .duration_since(SystemTime::from(created.0))
                .map_or(0, |age| age.as_secs())
        })
        .max();
    let mut names: Vec<String> = namespaces.iter().map(|ns| ns.name_any()).collect();
    names.sort();
    Ok(InstanceSummary {
        name,
        profile: profile.choice().name().to_string()
            + if profile == Profile::ClassicWithTsa {
                "+tsa"
            } else {
                ""
            },
        ready: ready_components == components,
        ready_components,
        components,
        age_seconds,
        namespaces: names,
    })
}

fn text_table(instances: &[InstanceSummary]) -> String {
    let mut rows = vec![[
        "NAME".to_string(),
        "PROFILE".to_string(),
        "READY".to_string(),
        "AGE".to_string(),
        "NAMESPACES".to_string(),
    ]];
    for i in instances {
        rows.push([
            i.name.clone(),
            i.profile.clone(),
            format!("{}/{}", i.ready_components, i.components),
            i.age_seconds
                .map_or("-".into(), |s| format_age(Duration::from_secs(s))),
            i.namespaces.join(","),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|col| rows.iter().map(|r| r[col].len()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:width$}"))
                .collect();
            line.join("  ").trim_end().to_string() + "\n"
        })
        .collect()
}
