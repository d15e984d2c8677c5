//! One module per command; [`run`] dispatches.

pub mod completions;
pub mod env;
pub mod forward;
pub mod images;
pub mod install;
pub mod list;
pub mod render;
pub mod status;
pub mod teardown;
pub mod token;
pub mod trust;

use std::process::ExitCode;

use crate::cli::{Cli, Command, GlobalArgs, ValuesArgs};
use crate::cluster::{Cluster, ConnectOptions, connect};
use crate::ui::Ui;
use crate::values::{Overrides, Values};

/// Runs the parsed command. Errors carry their exit code (see `error`); `Ok` carries the code
/// of a command that ran but reports a negative result (`status` with something not ready).
pub async fn run(cli: Cli, ui: &Ui) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Render(args) => render::run(&cli.global, &args, ui),
        Command::Images(args) => images::run(&cli.global, &args, ui),
        Command::Install(args) => install::run(&cli.global, &args, ui).await,
        Command::Status(args) => status::run(&cli.global, &args, ui).await,
        Command::Teardown(args) => teardown::run(&cli.global, &args, ui).await,
        Command::List(args) => list::run(&cli.global, &args, ui).await,
        Command::Trust(args) => trust::run(&cli.global, &args, ui).await,
        Command::Forward(args) => forward::run(&cli.global, &args, ui).await,
        Command::Token(args) => token::run(&cli.global, &args, ui).await,
        Command::Env(args) => env::run(&cli.global, &args, ui).await,
        Command::Completions(args) => {
            ui.output(&String::from_utf8(completions::script(args.shell))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            ui.output(&String::from_utf8(completions::man_page())?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Defaults, then the -f files, then --set, then --image-registry; `--name` names the instance.
pub fn load_values(
    global: &GlobalArgs,
    args: &ValuesArgs,
    image_registry: Option<&String>,
) -> anyhow::Result<Values> {
    let mut sets = args.set.clone();
    if let Some(profile) = &args.profile {
        sets.push(format!("profile={profile}"));
    }
    Values::load(&Overrides {
        files: args.values_files.clone(),
        sets,
        image_registry: image_registry.cloned(),
        name: global.name.clone(),
    })
}

/// A client for the kubeconfig and context the global flags name.
pub async fn connect_cluster(global: &GlobalArgs) -> anyhow::Result<Cluster> {
    connect(&ConnectOptions {
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
    })
    .await
}
