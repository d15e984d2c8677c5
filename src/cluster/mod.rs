//! Talking to Kubernetes: client, server-side apply, readiness waits, port-forward tunnels,
//! ownership labels. Knows nothing about Sigstore: callers pass names, labels and objects.

pub mod access;
pub mod apply;
pub mod client;
#[cfg(test)]
pub mod fake;
pub mod inventory;
pub mod lease;
pub mod tunnel;
pub mod wait;

pub use apply::{Applied, Applier, ApplySummary};
pub use client::{Cluster, ConnectOptions, ServerVersion, connect};
pub use inventory::Ownership;
pub use tunnel::Tunnel;
pub use wait::DeploymentRef;
