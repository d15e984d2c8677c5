//! `completions <shell>` and the man page, generated from the clap definitions. The committed
//! copies in completions/ are checked against these by tests/it/cli_completions.rs; regenerate them
//! with `SIGSTORE_UP_BLESS=1 cargo test --test it cli_completions::`.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub const BINARY: &str = "sigstore-up";

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BINARY, &mut out);
    out
}

/// The file name the script is committed under in completions/ (the shells' conventions).
pub fn file_name(shell: Shell) -> String {
    clap_complete::Generator::file_name(&shell, BINARY)
}

/// The man page (roff) for the whole command.
pub fn man_page() -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .expect("rendering into memory cannot fail");
    out
}
