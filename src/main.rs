//! The `sigstore-up` binary: parse the arguments, run the command, exit with its code
//! (documented in `sigstore_up::error`).

use std::process::ExitCode;

use clap::Parser;
use sigstore_up::cli::Cli;
use sigstore_up::ui::Ui;
use sigstore_up::{commands, error};

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2.
    let cli = Cli::parse();
    let ui = Ui::new(cli.global.quiet, cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            ui.error(&anyhow::Error::new(e).context("starting the async runtime"));
            return ExitCode::from(error::GENERIC_FAILURE);
        }
    };
    match runtime.block_on(commands::run(cli, &ui)) {
        Ok(code) => code,
        Err(e) => {
            ui.error(&e);
            error::exit_code(&e)
        }
    }
}
