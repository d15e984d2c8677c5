//! The sigstore-up binary the tests run, and showing what a command said in the test's log.

use std::path::Path;
use std::process::{Command, Output};

use super::{clean_command, stderr, stdout};

/// The sigstore-up binary cargo built for these tests.
pub const SIGSTORE_UP: &str = env!("CARGO_BIN_EXE_sigstore-up");

/// sigstore-up with a clean environment: HOME is `home`, PATH is kept, nothing else (see
/// [`clean_command`]). Add the arguments and variables the test wants.
pub fn sigstore_up(home: &Path) -> Command {
    clean_command(SIGSTORE_UP, home)
}

/// Prints a finished command to the test's log (shown when it fails): `$ what`, stdout, stderr
/// and the exit code.
pub fn show(what: &str, out: &Output) {
    eprintln!(
        "$ {what}\n{}{}-> {:?}",
        stdout(out),
        stderr(out),
        out.status.code()
    );
}

/// [`show`] for a command whose stdout may be a secret (a token): stdout is left out.
pub fn show_hiding_stdout(what: &str, out: &Output) {
    eprintln!(
        "$ {what}\n<stdout not shown>\n{}-> {:?}",
        stderr(out),
        out.status.code()
    );
}
