//! Failures callers branch on, and the exit code each one maps to.
//!
//! Everything else travels as `anyhow::Error` with context; `main` walks the error chain for a
//! [`Failure`] and exits with its code, or with 1 when there is none.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success (`status`: every component is ready) |
//! | 1 | any other failure (a server error, an I/O error, a bug); `status --probe`: a server serves other keys than the trust material |
//! | 2 | bad input: an unknown flag or subcommand, a bad `--set` key or value, an unreadable or invalid `-f` values file, a refused confirmation (`teardown` without `--yes` and without a terminal) |
//! | 3 | the cluster cannot be used: no kubeconfig, unknown context, API server unreachable, credentials rejected, missing permissions, unsupported Kubernetes version |
//! | 4 | not ready: a workload did not become ready before `--timeout` (the message names the pod, its phase or reason and the end of its log), objects were not deleted in time, `status` found a component missing or not ready, or `trust`/`env` found no installed keys |
//! | 5 | conflict: an object `install` would create already exists and is not ours (it lacks `app.kubernetes.io/managed-by=sigstore-up` with our instance); nothing was applied |
//! | 130 | `teardown` interrupted by Ctrl-C while deleting (see `commands::teardown`) |

use std::process::ExitCode;

/// A failure whose kind decides the exit code. The message names the cause and the fix.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Exit 2: the user's input is wrong.
    #[error("{0}")]
    BadInput(String),
    /// Exit 3: the cluster cannot be reached or used with these credentials.
    #[error("{0}")]
    ClusterAccess(String),
    /// Exit 4: something did not become ready (or go away) in time.
    #[error("{0}")]
    NotReady(String),
    /// Exit 5: objects we would touch belong to someone else.
    #[error("{0}")]
    Conflict(String),
}

impl Failure {
    /// The process exit code for this failure (see the module documentation).
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::ClusterAccess(_) => 3,
            Failure::NotReady(_) => 4,
            Failure::Conflict(_) => 5,
        }
    }
}

/// Exit code 1: a failure that is none of the kinds above.
pub const GENERIC_FAILURE: u8 = 1;

/// The exit code for an error: the code of the first [`Failure`] in its chain, else 1.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    ExitCode::from(failure_of(error).map_or(GENERIC_FAILURE, Failure::exit_code))
}

/// The first [`Failure`] in an error's chain, if any.
pub fn failure_of(error: &anyhow::Error) -> Option<&Failure> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
}

/// Shorthand for `Err(Failure::BadInput(..).into())`.
pub fn bad_input<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(Failure::BadInput(message.into()).into())
}
