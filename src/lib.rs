//! sigstore-up: stand up a private Sigstore stack (Trillian, Rekor, CT log, Fulcio) on any
//! Kubernetes cluster with one command, report its health, and tear it down.
//!
//! Layout (see ../shared/design.md): `cli` holds the clap definitions, `commands` one module per
//! command, `pipeline` + `stages` the install pipeline, `cluster` everything that talks to
//! Kubernetes, `setup` the work upstream runs as Jobs (schema, trees, keys, CT config; no
//! Kubernetes types), `trust` the client trust material, `values` + `render` the templates,
//! `ui` all terminal output, `probe` the end-to-end checks of `status --probe` (no Kubernetes
//! types: it asks servers at a socket address), `supervise` background processes of ours (pid
//! file, detaching, signals; `forward --detach`), and small shared helpers: `duration` (Go
//! durations), `retry` (the one retry loop).

pub mod cli;
pub mod cluster;
pub mod commands;
pub mod duration;
pub mod error;
pub mod pipeline;
pub mod probe;
pub mod render;
pub mod retry;
pub mod setup;
pub mod stages;
pub mod supervise;
pub mod trust;
pub mod ui;
pub mod values;
