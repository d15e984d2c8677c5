//! Port-forward tunnels: a local TCP listener whose every connection is carried through the API
//! server's `pods/portforward` subresource to a pod behind a Service: a READY pod, or for a
//! Service that publishes not-ready addresses (`publishNotReadyAddresses`, MariaDB's) any
//! running pod, as the Service itself routes.
//!
//! Why a pod and not the Service: a Service is routable only after kube-proxy has written its
//! rules, which can lag readiness; and the API server can reach a pod from anywhere the
//! kubeconfig works. The pod is picked from the Service's selector among the pods it serves;
//! when a forward fails (pod gone, port closed), or a watch of the Service's pods sees it stop
//! being served or start terminating (a rolling update replaced it), the tunnel forgets it and
//! the next connection picks again. A connection already established cannot be moved to another
//! pod: its client sees the connection close and reconnects.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Pod, Service, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::ListParams;
use kube::core::Selector;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::client::Cluster;
use super::wait::{pod_is_ready, pod_is_running};

/// How long one connection (or opening the tunnel) waits for a pod the Service serves.
const READY_POD_WAIT: Duration = Duration::from_secs(60);
/// How many pods one connection tries before giving up.
const ATTEMPTS_PER_CONNECTION: usize = 3;

/// A running tunnel; closed when dropped.
pub struct Tunnel {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
    watch_task: JoinHandle<()>,
}

struct Shared {
    cluster: Cluster,
    namespace: String,
    service: String,
    service_port: u16,
    /// The pod connections currently go to, and its container port.
    current: Mutex<Option<(String, u16)>>,
    /// The last forwarding error, for callers whose connection failed.
    last_error: Mutex<Option<String>>,
}

impl Tunnel {
    /// Listens on 127.0.0.1:`bind_port` (0: any free port) and forwards each connection to a pod
    /// that `namespace/service` serves (see the module doc), port `service_port` (the Service's
    /// port, resolved to the pod's container port through its targetPort). Waits up to a minute
    /// for such a pod, so the returned tunnel is usable at once.
    pub async fn to_service(
        cluster: &Cluster,
        namespace: &str,
        service: &str,
        service_port: u16,
        bind_port: u16,
    ) -> anyhow::Result<Tunnel> {
        let shared = Arc::new(Shared {
            cluster: cluster.clone(),
            namespace: namespace.to_string(),
            service: service.to_string(),
            service_port,
            current: Mutex::new(None),
            last_error: Mutex::new(None),
        });
        shared.target(false).await?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, bind_port))
            .await
            .with_context(|| {
                format!("binding 127.0.0.1:{bind_port} for a tunnel to {namespace}/{service}")
            })?;
        let local_addr = listener.local_addr()?;
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        let watch_task = tokio::spawn(forget_pods_that_go(shared.clone()));
        Ok(Tunnel {
            local_addr,
            shared,
            accept_task,
            watch_task,
        })
    }

    /// The local address to connect to (127.0.0.1 and the bound port).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The pod connections currently go to, if one is chosen.
    pub fn pod(&self) -> Option<String> {
        self.shared
            .current
            .lock()
            .expect("tunnel lock")
            .as_ref()
            .map(|(pod, _)| pod.clone())
    }

    /// The last error forwarding a connection, if any (for explaining a failed connection).
    pub fn last_error(&self) -> Option<String> {
        self.shared.last_error.lock().expect("tunnel lock").clone()
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.watch_task.abort();
    }
}

/// Watches the Service's pods and forgets the current one as soon as the Service no longer
/// serves it (see [`Serves`]) or it is terminating, so that no new connection is sent to a pod a rolling update is replacing.
async fn forget_pods_that_go(shared: Arc<Shared>) {
    let Ok((_, selector, serves)) = shared.service().await else {
        // The connections' own error handling still applies.
        return;
    };
    let pods: Api<Pod> = Api::namespaced(shared.cluster.client.clone(), &shared.namespace);
    let config = watcher::Config::default().labels_from(&selector);
    let mut events = watcher(pods, config).default_backoff().boxed();
    while let Some(event) = events.next().await {
        match event {
            Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod))
                if !serves.pod(&pod) =>
            {
                shared.forget(&pod.name_any());
            }
            Ok(watcher::Event::Delete(pod)) => shared.forget(&pod.name_any()),
            _ => {}
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(forward_connection(shared.clone(), socket));
            }
            Err(e) => shared.record_error(format!("accepting a local connection: {e}")),
        }
    }
}

/// Carries one local connection to a pod the Service serves, trying other pods if opening the forward fails.
async fn forward_connection(shared: Arc<Shared>, mut socket: TcpStream) {
    let _ = socket.set_nodelay(true);
    for attempt in 0..ATTEMPTS_PER_CONNECTION {
        let (pod, port) = match shared.target(attempt > 0).await {
            Ok(target) => target,
            Err(e) => {
                shared.record_error(format!("{e:#}"));
                return;
            }
        };
        let pods: Api<Pod> = Api::namespaced(shared.cluster.client.clone(), &shared.namespace);
        let mut forwarder = match pods.portforward(&pod, &[port]).await {
            Ok(forwarder) => forwarder,
            Err(e) => {
                shared.record_error(format!(
                    "opening a port-forward to pod {pod} port {port}: {e}"
                ));
                shared.forget(&pod);
                continue;
            }
        };
        let (Some(mut upstream), Some(errors)) =
            (forwarder.take_stream(port), forwarder.take_error(port))
        else {
            shared.record_error(format!(
                "the port-forward to pod {pod} did not offer port {port}"
            ));
            return;
        };
        // The API server reports problems inside the pod (e.g. nothing listens on the port) on
        // the error channel; such a pod is forgotten so the next connection picks again.
        let error_watch = {
            let shared = shared.clone();
            let pod = pod.clone();
            tokio::spawn(async move {
                if let Some(message) = errors.await {
                    shared.record_error(format!("pod {pod} port {port}: {message}"));
                    shared.forget(&pod);
                }
            })
        };
        let _ = tokio::io::copy_bidirectional(&mut socket, &mut upstream).await;
        drop(upstream);
        let _ = forwarder.join().await;
        let _ = error_watch.await;
        return;
    }
}

impl Shared {
    fn record_error(&self, message: String) {
        *self.last_error.lock().expect("tunnel lock") = Some(message);
    }

    fn forget(&self, pod: &str) {
        let mut current = self.current.lock().expect("tunnel lock");
        if current.as_ref().is_some_and(|(p, _)| p == pod) {
            *current = None;
        }
    }

    /// The pod and container port to forward to: the remembered one, or (when `fresh` or none is
    /// remembered) a newly picked pod the Service serves.
    async fn target(&self, fresh: bool) -> anyhow::Result<(String, u16)> {
        if !fresh && let Some(target) = self.current.lock().expect("tunnel lock").clone() {
            return Ok(target);
        }
        let picked = self.pick_pod().await?;
        *self.current.lock().expect("tunnel lock") = Some(picked.clone());
        Ok(picked)
    }

    /// The Service's spec, its pod selector, and which of its pods it serves.
    async fn service(&self) -> anyhow::Result<(ServiceSpec, Selector, Serves)> {
        let what = self.what();
        let services: Api<Service> = Api::namespaced(self.cluster.client.clone(), &self.namespace);
        let service = services
            .get_opt(&self.service)
            .await
            .map_err(|e| self.cluster.access_error(&e))?
            .ok_or_else(|| anyhow!("{what} does not exist"))?;
        let spec = service.spec.unwrap_or_default();
        let serves = Serves::of(&spec);
        let selector: BTreeMap<String, String> = spec.selector.clone().unwrap_or_default();
        if selector.is_empty() {
            bail!("{what} has no pod selector to tunnel to");
        }
        Ok((spec, selector.into_iter().collect(), serves))
    }

    /// `service <namespace>/<name>`, for messages.
    fn what(&self) -> String {
        format!("service {}/{}", self.namespace, self.service)
    }

    async fn pick_pod(&self) -> anyhow::Result<(String, u16)> {
        let what = self.what();
        let (spec, selector, serves) = self.service().await?;
        let target_port = spec
            .ports
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.port == i32::from(self.service_port))
            .ok_or_else(|| anyhow!("{what} has no port {}", self.service_port))?
            .target_port
            .unwrap_or(IntOrString::Int(i32::from(self.service_port)));
        let pods: Api<Pod> = Api::namespaced(self.cluster.client.clone(), &self.namespace);

        let ready = pods
            .list(&ListParams::default().labels_from(&selector))
            .await
            .map_err(|e| self.cluster.access_error(&e))?
            .items
            .into_iter()
            .find(|pod| serves.pod(pod));
        let pod = match ready {
            Some(pod) => pod,
            None => {
                // Watch until one becomes ready rather than failing at once: a restarting
                // database is back in seconds.
                let config = watcher::Config::default().labels_from(&selector);
                let mut ready_pods = watcher(pods.clone(), config)
                    .default_backoff()
                    .applied_objects()
                    .filter_map(|pod| async move { pod.ok().filter(|pod| serves.pod(pod)) })
                    .boxed();
                tokio::time::timeout(READY_POD_WAIT, ready_pods.next())
                    .await
                    .ok()
                    .flatten()
                    .ok_or_else(|| {
                        anyhow!(
                            "no {} pod behind {what} (selector {selector})",
                            serves.what()
                        )
                    })?
            }
        };
        let port = container_port(&pod, &target_port).ok_or_else(|| {
            anyhow!(
                "pod {} has no container port {target_port:?} ({what})",
                pod.name_any()
            )
        })?;
        Ok((pod.name_any(), port))
    }
}

/// Which pods a Service sends connections to, and so the tunnel too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serves {
    /// Ready pods (the default).
    Ready,
    /// Running pods, ready or not (`publishNotReadyAddresses: true`).
    Running,
}

impl Serves {
    fn of(spec: &ServiceSpec) -> Serves {
        if spec.publish_not_ready_addresses == Some(true) {
            Serves::Running
        } else {
            Serves::Ready
        }
    }

    fn pod(self, pod: &Pod) -> bool {
        match self {
            Serves::Ready => pod_is_ready(pod),
            Serves::Running => pod_is_running(pod),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Serves::Ready => "ready",
            Serves::Running => "running",
        }
    }
}

/// The container port a Service targetPort means in this pod (a number, or a port name).
fn container_port(pod: &Pod, target: &IntOrString) -> Option<u16> {
    match target {
        IntOrString::Int(port) => u16::try_from(*port).ok(),
        IntOrString::String(name) => pod
            .spec
            .as_ref()?
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    }
}
