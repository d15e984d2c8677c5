//! Whether the log data an install recorded is still there. The classic profile keeps its logs
//! in Trillian's MariaDB; with `mysql.persistence=false` (the default) that database lives on an
//! emptyDir, so a MariaDB pod that is deleted, evicted or rescheduled comes back empty: the
//! trees whose IDs install recorded (each log's config ConfigMap) are gone, and Rekor and the CT
//! log serve nothing. `status` asks Trillian's admin API which trees are live and compares them
//! with the recorded IDs; `install` then creates new trees (found by display name, so it needs
//! nothing from here) and rolls the logs onto them.

use std::fmt;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use serde::Serialize;

use crate::catalog::{Component, Object, ctlog, rekor, trillian_log_server};
use crate::cluster::{Cluster, Tunnel};
use crate::setup::trillian::{TreeId, TrillianAdmin};
use crate::values::Values;

/// What `status` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogDataState {
    /// Every recorded tree is live in Trillian.
    Intact,
    /// A recorded tree (or Trillian's whole schema) is gone from the database.
    Lost,
    /// Trillian could not be asked (not ready, not answering).
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogDataCheck {
    pub state: LogDataState,
    pub detail: String,
}

impl fmt::Display for LogDataCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            LogDataState::Intact => write!(f, "log data: intact ({})", self.detail),
            LogDataState::Lost => write!(f, "log data: LOST: {}", self.detail),
            LogDataState::Unknown => write!(f, "log data: unknown ({})", self.detail),
        }
    }
}

/// What losing the data means and what `install` does about it (status prints it).
pub const AFTER_LOSS: &str = "the log data was lost (MariaDB came back without its data); \
    `sigstore-up install` will create new trees and roll Rekor and the CT log onto them (keys, \
    certificates and trust files stay as they are); signatures made before are no longer in the \
    log. To keep the log when the MariaDB pod goes, install with --set mysql.persistence=true \
    (a PersistentVolumeClaim)";

/// A log on a Trillian tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrillianLog {
    Rekor,
    CtLog,
}

impl TrillianLog {
    pub const ALL: [TrillianLog; 2] = [TrillianLog::Rekor, TrillianLog::CtLog];

    /// Its component, and the ConfigMap in which install records its tree ID.
    fn recorded_in(self) -> (&'static Component, Object) {
        match self {
            TrillianLog::Rekor => (&rekor::COMPONENT, rekor::CONFIG),
            TrillianLog::CtLog => (&ctlog::COMPONENT, ctlog::CONFIG),
        }
    }
}

impl fmt::Display for TrillianLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrillianLog::Rekor => "Rekor",
            TrillianLog::CtLog => "the CT log",
        })
    }
}

/// The tree IDs install recorded, by log; empty when install never got as far as the trees.
pub async fn recorded_trees(
    cluster: &Cluster,
    values: &Values,
) -> anyhow::Result<Vec<(TrillianLog, TreeId)>> {
    let mut trees = Vec::new();
    for log in TrillianLog::ALL {
        let (component, object) = log.recorded_in();
        let api: Api<ConfigMap> =
            Api::namespaced(cluster.client.clone(), component.namespace(values));
        let recorded = api
            .get_opt(object.name)
            .await
            .map_err(|e| cluster.access_error(&e))?
            .and_then(|c| c.data)
            .and_then(|data| data.get(object.key("tree_id")).cloned())
            .and_then(|id| id.trim().parse().ok());
        if let Some(id) = recorded {
            trees.push((log, TreeId(id)));
        }
    }
    Ok(trees)
}

/// A tunnel to the Trillian log server's gRPC port (its admin and log API), through its Service.
pub async fn tunnel_to_log_server(cluster: &Cluster, values: &Values) -> anyhow::Result<Tunnel> {
    let server = &trillian_log_server::COMPONENT;
    Tunnel::to_service(
        cluster,
        server.namespace(values),
        server.name,
        server.port("grpc").service,
        0,
    )
    .await
}

/// Compares the recorded trees with Trillian's live ones. `None` when the profile has no
/// Trillian or install recorded no tree yet. `trillian_ready`: the log server's Deployment is
/// ready (a tunnel would otherwise wait for a ready pod).
pub async fn check(
    cluster: &Cluster,
    values: &Values,
    trillian_ready: bool,
) -> anyhow::Result<Option<LogDataCheck>> {
    let server = &trillian_log_server::COMPONENT;
    if !values
        .profile()
        .components()
        .iter()
        .any(|c| c.id == server.id)
    {
        return Ok(None);
    }
    let recorded = recorded_trees(cluster, values).await?;
    if recorded.is_empty() {
        return Ok(None);
    }
    let unknown = |detail: String| {
        Ok(Some(LogDataCheck {
            state: LogDataState::Unknown,
            detail,
        }))
    };
    if !trillian_ready {
        return unknown("the Trillian log server is not ready".into());
    }
    let tunnel = match tunnel_to_log_server(cluster, values).await {
        Ok(tunnel) => tunnel,
        Err(error) => return unknown(format!("{error:#}")),
    };
    let live = match TrillianAdmin::connect(tunnel.local_addr()).await {
        Ok(mut admin) => admin.live_trees().await,
        Err(error) => Err(error),
    };
    let named = |trees: &[(TrillianLog, TreeId)]| {
        trees
            .iter()
            .map(|(log, id)| format!("tree {id} ({log})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(Some(match live {
        Err(error) if error.is_missing_schema() => LogDataCheck {
            state: LogDataState::Lost,
            detail: format!(
                "Trillian's tables are gone from MariaDB, and with them {}",
                named(&recorded)
            ),
        },
        Err(error) => return unknown(error.to_string()),
        Ok(live) => {
            let missing: Vec<(TrillianLog, TreeId)> = recorded
                .iter()
                .filter(|(_, id)| !live.contains(id))
                .copied()
                .collect();
            if missing.is_empty() {
                LogDataCheck {
                    state: LogDataState::Intact,
                    detail: named(&recorded),
                }
            } else {
                LogDataCheck {
                    state: LogDataState::Lost,
                    detail: format!("{} not in Trillian's database", named(&missing)),
                }
            }
        }
    }))
}
