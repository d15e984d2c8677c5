//! sigstore-up's integration tests, all in one test binary (`cargo test --test it`): one link
//! instead of one per file, and one support module instead of copied helpers.
//!
//! - `cargo test` runs the offline tests in parallel threads of this one process: real MariaDB,
//!   Trillian, ct_server, Rekor, Fulcio, cosign and sigstore-python started on loopback (the
//!   upstream programs from `$SIGSTORE_UP_TEST_BIN`, built by tests/cluster/build), each with its
//!   own ports and temporary directories.
//! - The tests on the real test cluster are `#[ignore]`d; tests/run runs them inside the
//!   cluster's network namespace with `cargo test -- --ignored --test-threads=1` (see
//!   support/cluster.rs). One file's tests: `cargo test --test it cluster_trust::`.

mod support;

mod cli_completions;
mod cli_errors;
mod cli_forward_token;
mod cli_instances;
mod cluster_data_tier;
mod cluster_db_loss;
mod cluster_faults;
mod cluster_install;
mod cluster_instances;
mod cluster_interruptions;
mod cluster_oidc_discovery;
mod cluster_trust;
mod cluster_trust_stack;
mod cluster_tuf;
mod e2e_keyless;
mod e2e_modern;
mod harness_proof;
mod probe_real_servers;
mod render_pod_security;
mod render_templates;
mod render_versions;
mod setup_certs;
mod setup_ctlog;
mod setup_rekor;
mod setup_schema;
mod setup_trillian;
mod trust_cosign;
mod trust_env;
mod trust_files;
mod trust_github_actions;
mod trust_sigstore_python;
mod tuf_targets;
