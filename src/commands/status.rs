//! `status`: one row per component (Deployment) of what install creates today: present, ready
//! replicas, image, age, restarts. Exit 0 only when every component is ready, else 4.
//!
//! `--probe` adds end-to-end checks (see `probe`): through tunnels, Fulcio must serve the root
//! certificate of Secret `fulcio-secret`, Rekor must serve and sign its checkpoint with the key
//! of `rekor-public-key`, and the CT log must sign its tree head with the key of
//! `ctlog-public-key`. A server that answers with other material makes the exit code 1 (the
//! row names what differs); one that cannot be asked makes it 4.
//!
//! With Trillian (classic), status also asks Trillian whether the trees install recorded are
//! still in its database (`log_data`): when MariaDB came back empty it says so, and what
//! `install` will do about it, and exits 4.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use futures::future::try_join_all;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::{Api, ResourceExt};
use serde::Serialize;

use crate::catalog::{Component, ProbeCheck, trillian_log_server};
use crate::cli::{GlobalArgs, OutputFormat, StatusArgs};
use crate::cluster::wait::{deployment_is_ready, pod_selector};
use crate::cluster::{Cluster, Ownership, Tunnel};
use crate::error::Failure;
use crate::instance::gather_trust_material;
use crate::log_data::{LogDataCheck, LogDataState};
use crate::probe::{self, Check, Outcome};
use crate::ui::{Ui, format_age};
use crate::values::Values;

/// The state of one component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentStatus {
    pub name: String,
    pub namespace: String,
    /// A Deployment with our labels exists.
    pub present: bool,
    pub ready: bool,
    pub ready_replicas: i32,
    pub desired_replicas: i32,
    pub images: Vec<String>,
    pub age_seconds: Option<u64>,
    /// Container restarts summed over the component's pods.
    pub restarts: i32,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub instance: String,
    pub context: String,
    pub server: String,
    pub ready: bool,
    pub components: Vec<ComponentStatus>,
    /// What is ready but will not stay signable (also printed as warnings): a Fulcio whose CT
    /// client backs off long (see `fulcio_ct`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Whether the trees install recorded are still in Trillian's database (classic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_data: Option<LogDataCheck>,
    /// The end-to-end checks, with --probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<Vec<Check>>,
}

pub async fn run(global: &GlobalArgs, args: &StatusArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let mut values = super::load_values(global, &args.values, None)?;
    let cluster = super::connect_cluster(global).await?;
    crate::instance::adopt_installed(&cluster, &mut values).await?;
    cluster.server_version().await?;
    let ownership = Ownership::new(values.ownership_labels());
    let components: Vec<(String, String)> = values
        .profile()
        .components()
        .iter()
        .map(|c| (c.namespace(&values).to_string(), c.name.to_string()))
        .collect();
    let statuses = try_join_all(
        components
            .iter()
            .map(|(namespace, name)| component_status(&cluster, &ownership, namespace, name)),
    )
    .await?;
    // Fulcio's CT back-off (its log) and the trees (a tunnel to Trillian) at once.
    let fulcio_present = statuses
        .iter()
        .any(|s| s.name == crate::catalog::fulcio::COMPONENT.name && s.present);
    let trillian_ready = statuses
        .iter()
        .any(|s| s.name == trillian_log_server::COMPONENT.name && s.ready);
    let backoff = async {
        if fulcio_present {
            crate::fulcio_ct::of_fulcio(&cluster, &values)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    };
    let (backoff, log_data) = tokio::join!(
        backoff,
        crate::log_data::check(&cluster, &values, trillian_ready)
    );
    let (backoff, log_data) = (backoff?, log_data?);
    let mut warnings = Vec::new();
    if let Some(backoff) = backoff
        && backoff.needs_restart()
    {
        warnings.push(format!("{backoff}; `sigstore-up install` restarts Fulcio"));
    }
    let probes = if args.probe {
        Some(probe(&cluster, &ownership, &values).await?)
    } else {
        None
    };
    let report = StatusReport {
        instance: values.instance.clone(),
        context: cluster.context.clone(),
        server: cluster.server.clone(),
        ready: statuses.iter().all(|s| s.ready),
        components: statuses,
        warnings,
        log_data,
        probes,
    };
    match args.output {
        OutputFormat::Json => ui.output(&(serde_json::to_string_pretty(&report)? + "\n")),
        OutputFormat::Text => ui.output(&text_table(&report)),
    }
    let probes = report.probes.as_deref().unwrap_or_default();
    let mismatches: Vec<&Check> = probes
        .iter()
        .filter(|c| c.outcome == Outcome::Mismatch)
        .collect();
    for warning in &report.warnings {
        ui.warn(warning);
    }
    for check in &mismatches {
        ui.warn(&format!("{}: {}", check.name, check.detail));
    }
    let data_lost = report
        .log_data
        .as_ref()
        .is_some_and(|c| c.state == LogDataState::Lost);
    if data_lost {
        ui.warn(crate::log_data::AFTER_LOSS);
    }
    Ok(if !mismatches.is_empty() {
        ExitCode::from(crate::error::GENERIC_FAILURE)
    } else if report.ready && !data_lost && probes.iter().all(|c| c.outcome == Outcome::Ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(Failure::NotReady(String::new()).exit_code())
    })
}

/// The end-to-end checks. Each server is asked through its own tunnel, only when its Deployment
/// is ready (a tunnel would otherwise wait for a ready pod).
async fn probe(
    cluster: &Cluster,
    ownership: &Ownership,
    values: &Values,
) -> anyhow::Result<Vec<Check>> {
    let material = match gather_trust_material(cluster, values).await {
        Ok(material) => material,
        Err(error)
            if crate::error::failure_of(&error)
                .is_some_and(|f| matches!(f, Failure::NotReady(_))) =>
        {
            return Ok(vec![Check {
                name: "trust material",
                outcome: Outcome::Unavailable,
                detail: format!("{error:#}"),
            }]);
        }
        Err(error) => return Err(error),
    };
    let checks = values
        .profile()
        .components()
        .iter()
        .filter(|c| !c.probes.is_empty())
        .map(|component| async {
            let mut checks = Vec::new();
            for &check in component.probes {
                let tunnel =
                    probe_tunnel(cluster, ownership, values, component, check.port()).await;
                checks.push(match &tunnel {
                    Ok(tunnel) => {
                        run_check(check, tunnel.local_addr(), cluster, values, &material).await
                    }
                    Err(error) => Check {
                        name: check.name(),
                        outcome: Outcome::Unavailable,
                        detail: format!("{error:#}"),
                    },
                });
            }
            checks
        });
    Ok(futures::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect())
}

/// A tunnel to the component's HTTP port, only when its Deployment is ready.
async fn probe_tunnel(
    cluster: &Cluster,
    ownership: &Ownership,
    values: &Values,
    component: &Component,
    port_name: &str,
) -> anyhow::Result<Tunnel> {
    let namespace = component.namespace(values);
    let status = component_status(cluster, ownership, namespace, component.name).await?;
    if !status.ready {
        anyhow::bail!(
            "deployment {namespace}/{} is {}",
            component.name,
            if status.present {
                "not ready"
            } else {
                "missing"
            }
        );
    }
    let port = component.port(port_name).service;
    Tunnel::to_service(cluster, namespace, component.name, port, 0).await
}

/// Runs one probe check against a server at `address` (a tunnel's local end). Install's
/// converged gate runs the same checks.
pub(crate) async fn run_check(
    check: ProbeCheck,
    address: std::net::SocketAddr,
    cluster: &Cluster,
    values: &Values,
    material: &crate::trust::TrustMaterial,
) -> Check {
    match check {
        ProbeCheck::FulcioRoot => probe::fulcio_root(address, material).await,
        ProbeCheck::RekorKey => probe::rekor_public_key(address, material).await,
        ProbeCheck::RekorCheckpoint => probe::rekor_checkpoint(address, material).await,
        ProbeCheck::CtlogTreeHead => {
            probe::ctlog_tree_head(address, &values.ctlog.prefix, material).await
        }
        ProbeCheck::TufRepository => {
            crate::tuf_instance::probe(address, cluster, values, material).await
        }
        ProbeCheck::RekorTilesCheckpoint => probe::rekor_tiles_checkpoint(address, material).await,
        ProbeCheck::TesseractCheckpoint => probe::tesseract_checkpoint(address, material).await,
        ProbeCheck::TsaCertChain => probe::tsa_cert_chain(address, material).await,
    }
}

async fn component_status(
    cluster: &Cluster,
    ownership: &Ownership,
    namespace: &str,
    name: &str,
) -> anyhow::Result<ComponentStatus> {
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), namespace);
    let deployment = deployments
        .get_opt(name)
        .await
        .map_err(|e| cluster.access_error(&e))?
        .filter(|d| ownership.owns(d.labels()));
    let mut status = ComponentStatus {
        name: name.to_string(),
        namespace: namespace.to_string(),
        present: deployment.is_some(),
        ready: deployment_is_ready(deployment.as_ref()),
        ready_replicas: 0,
        desired_replicas: 0,
        images: Vec::new(),
        age_seconds: None,
        restarts: 0,
    };
    let Some(deployment) = deployment else {
        return Ok(status);
    };
    let spec = deployment.spec.clone().unwrap_or_default();
    status.desired_replicas = spec.replicas.unwrap_or(1);
    status.ready_replicas = deployment
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    status.images = spec
        .template
        .spec
        .iter()
        .flat_map(|pod| pod.containers.iter())
        .filter_map(|c| c.image.clone())
        .collect();
    status.age_seconds = deployment
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|created| {
            SystemTime::now()
                .duration_since(SystemTime::from(created.0))
                .map_or(0, |age| age.as_secs())
        });
    let selector = pod_selector(Some(&spec.selector))
        .with_context(|| format!("the selector of deployment {namespace}/{name}"))?;
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
    let pod_list = pods
        .list(&ListParams::default().labels_from(&selector))
        .await
        .map_err(|e| cluster.access_error(&e))?;
    status.restarts = pod_list
        .items
        .iter()
        .flat_map(|p| {
            p.status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
        })
        .map(|c| c.restart_count)
        .sum();
    Ok(status)
}

fn text_table(report: &StatusReport) -> String {
    let mut rows = vec![[
        "COMPONENT".to_string(),
        "NAMESPACE".to_string(),
        "READY".to_string(),
        "RESTARTS".to_string(),
        "AGE".to_string(),
        "IMAGE".to_string(),
    ]];
    for c in &report.components {
        rows.push(if c.present {
            [
                c.name.clone(),
                c.namespace.clone(),
                format!("{}/{}", c.ready_replicas, c.desired_replicas),
                c.restarts.to_string(),
                c.age_seconds
                    .map_or("-".into(), |s| format_age(Duration::from_secs(s))),
                c.images.join(","),
            ]
        } else {
            [
                c.name.clone(),
                c.namespace.clone(),
                "missing".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]
        });
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i == 5 {
                    cell.clone()
                } else {
                    format!("{cell:<width$}", width = widths[i])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if let Some(log_data) = &report.log_data {
        out.push('\n');
        out.push_str(&format!("{log_data}\n"));
    }
    if let Some(probes) = &report.probes {
        out.push('\n');
        out.push_str(&probe_table(probes));
    }
    let probe_summary = match &report.probes {
        None => String::new(),
        Some(probes) => {
            let count = |outcome| probes.iter().filter(|c| c.outcome == outcome).count();
            match (count(Outcome::Mismatch), count(Outcome::Unavailable)) {
                (0, 0) => "; served keys match the trust files".to_string(),
                (0, unavailable) => format!("; {unavailable} probe(s) UNAVAILABLE"),
                (mismatched, _) => {
                    format!("; {mismatched} probe(s) found OTHER KEYS than the trust files")
                }
            }
        }
    };
    out.push_str(&format!(
        "\ninstance {:?} on {} (context {}): {}{probe_summary}\n",
        report.instance,
        report.server,
        report.context,
        match (report.ready, &report.log_data) {
            (_, Some(c)) if c.state == LogDataState::Lost => "LOG DATA LOST",
            (true, _) => "all components ready",
            (false, _) => "NOT READY",
        }
    ));
    out
}

fn probe_table(probes: &[Check]) -> String {
    let width = probes
        .iter()
        .map(|c| c.name.len())
        .chain(["CHECK".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("{:<width$}  {:<11}  DETAIL\n", "CHECK", "RESULT");
    for check in probes {
        let result = match check.outcome {
            Outcome::Ok => "ok",
            Outcome::Mismatch => "MISMATCH",
            Outcome::Unavailable => "unavailable",
        };
        out.push_str(&format!(
            "{:<width$}  {result:<11}  {}\n",
            check.name, check.detail
        ));
    }
    out
}
