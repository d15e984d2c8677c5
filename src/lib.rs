//! sigstore-up: stand up a private Sigstore stack (Trillian, Rekor, CT log, Fulcio) on any
//! Kubernetes cluster with one command, report its health, and tear it down.
//!
//! # The house
//!
//! ```text
//! main.rs ─ cli (clap only) ─ commands/<command>.rs          thin: load values, call below
//!                                 │
//!        ┌────────────────────────┼──────────────────────────┐
//!     pipeline ── stages/*     instance (trust read back,   probe (status --probe)
//!        │          │           URLs per audience,
//!        │          │           state directory)
//!        ▼          ▼
//!     catalog ◄── render ◄── values (schema, overrides, validation)
//!        │
//!   cluster/ (kube: client, apply, waits, tunnels, inventory)   setup/ (schema, trees, keys,
//!                                                                CT config: no Kubernetes)
//!                               trust/ (trusted_root, signing_config, env: bytes in, files out)
//!                               ui (every line printed; never a secret)
//! ```
//!
//! - [`catalog`] is the one description of each component: names, ports, labels, the Secrets
//!   and ConfigMaps it mounts and who makes them, its templates and tier, its trust
//!   contribution, forwarded ports and probes. Templates (`templates/<component>/`) name things
//!   only through its `catalog.*` placeholders; stages, status, teardown, forward, trust and env
//!   read the same entries. A profile is a list of components.
//! - [`pipeline`] builds install's stage list from the profile and runs it; each stage in
//!   [`stages`] owns one status line, returns a typed [`stages::Outcome`], and hands values to
//!   later stages through typed [`stages::Handoff`]s. Stages never import the pipeline.
//! - [`cluster`] knows Kubernetes and nothing of Sigstore; [`setup`] and [`trust`] know Sigstore
//!   and nothing of Kubernetes (they take socket addresses and bytes), so they are tested
//!   against real servers without a cluster. Unit tests of the pipeline's decisions run against
//!   a mocked API server (`cluster::fake`); the real-cluster tests are in tests/.
//! - Errors carry their exit code ([`error::Failure`]); [`ui`] prints everything.
//! - Small shared helpers: [`duration`] (Go durations, for flags and values), [`retry`] (the one
//!   retry loop), [`supervise`] (our background processes: pid file, detaching, signals),
//!   [`ports`] (each instance's forward ports, chosen once and recorded in its state directory).
//!
//! # Adding a component
//! 1. Its entry in [`catalog`] (a `Component` constant and its place in a profile's list) and
//!    its values keys (`images.<id>`, `resources.<id>`) in [`values`].
//! 2. Its templates in `templates/<id>/`, names and ports through `catalog.*` placeholders.
//! 3. Its setup module in [`setup`] and, if it mints or writes objects, a stage in [`stages`]
//!    placed in [`pipeline::install_stages`]; the objects it makes are catalog objects with
//!    `MadeBy::Stage`, so preflight and teardown know them without further code.
//! 4. Its tests: the catalog's reference test covers the templates; a real-server test in
//!    tests/ covers the setup module, and the cluster tests cover the install.

pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod duration;
pub mod error;
pub mod fulcio_ct;
pub mod instance;
pub mod log_data;
pub mod pipeline;
pub mod ports;
pub mod probe;
pub mod render;
pub mod retry;
pub mod setup;
pub mod signable;
pub mod stages;
pub mod supervise;
pub mod trust;
pub mod tuf;
pub mod tuf_instance;
pub mod ui;
pub mod values;
