//! Command-line definitions (clap derive). Nothing here runs anything.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "sigstore-up",
    version,
    about = "Stand up a private Sigstore stack (Trillian, Rekor, CT log, Fulcio) on any Kubernetes cluster",
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 ok, 1 failure, 2 bad input, 3 cluster unreachable or access denied, \
                  4 not ready in time, 5 conflict with objects sigstore-up does not own."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use [default: the current context]
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Print more detail (repeat for even more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only warnings, errors and results
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Kubernetes manifests as multi-document YAML (no cluster needed)
    Render(RenderArgs),
    /// Install (or converge) the stack on the cluster
    Install(InstallArgs),
    /// Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)
    Status(StatusArgs),
    /// Delete everything this instance created, and wait until it is gone
    Teardown(TeardownArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

/// Which values to use: defaults, then files, then --set.
#[derive(Debug, Args, Clone, Default)]
pub struct ValuesArgs {
    /// YAML file of values to override (repeatable; later files win)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values_files: Vec<PathBuf>,
    /// Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Replace the registry host of every image, e.g. registry.example.com:5000/mirror
    #[arg(long, value_name = "REGISTRY")]
    pub image_registry: Option<String>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Replace the registry host of every image, e.g. registry.example.com:5000/mirror
    #[arg(long, value_name = "REGISTRY")]
    pub image_registry: Option<String>,
    /// How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Stop after the named stage (for debugging and for partial installs)
    #[arg(long, value_name = "STAGE", hide = true)]
    pub stop_after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct TeardownArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(short, long)]
    pub yes: bool,
    /// Delete the objects inside the namespaces but keep the namespaces themselves
    #[arg(long)]
    pub keep_namespaces: bool,
    /// How long to wait for everything to be gone
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses `90`, `90s`, `5m`, `1h30m`, `500ms` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let invalid = || format!("invalid duration {text:?}: use e.g. 90s, 5m, 1h30m or 500ms");
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        let unit_end = rest[digits..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| digits + i);
        total += match &rest[digits..unit_end] {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            _ => return Err(invalid()),
        };
        rest = &rest[unit_end..];
    }
    Ok(total)
}
