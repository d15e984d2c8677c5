//! Command-line definitions (clap derive). Nothing here runs anything.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::{ForwardPorts, all_forwards};
use crate::duration::parse_flag as parse_duration_flag;

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
    /// Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore`
    /// uses rekor-system, ...), its state directory and its forward ports; the same as
    /// --set instance=NAME [default: sigstore]
    #[arg(long, global = true, value_name = "NAME")]
    pub name: Option<String>,
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
    /// Print every image the stack runs, one a line (for mirroring; no cluster needed)
    Images(RenderArgs),
    /// Install (or converge) the stack on the cluster
    Install(InstallArgs),
    /// Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)
    Status(StatusArgs),
    /// Delete everything this instance created, and wait until it is gone
    Teardown(TeardownArgs),
    /// List the sigstore-up instances on the cluster: profile, ready components, age
    List(ListArgs),
    /// Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)
    Trust(TrustArgs),
    /// Keep port-forwards to Rekor, Fulcio and the CT log open on the instance's 127.0.0.1 ports
    Forward(ForwardArgs),
    /// Print an OIDC identity token for signing (a service-account token; only the token, on stdout)
    Token(TokenArgs),
    /// Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV
    Env(EnvArgs),
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
    /// Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a
    /// timestamp authority); the same as --set profile=NAME. Commands other than install and
    /// render use the installed one
    #[arg(long, value_name = "PROFILE", value_parser = ["classic", "modern"])]
    pub profile: Option<String>,
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
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration_flag)]
    pub timeout: Duration,
    /// Run every stage even when nothing changed since the last install (by default a re-run
    /// that finds every object, pod and input as the last install recorded them only writes the
    /// trust files)
    #[arg(long)]
    pub full: bool,
    /// Stop after the named stage (for debugging and for partial installs)
    #[arg(long, value_name = "STAGE", hide = true)]
    pub stop_after: Option<String>,
    /// For CI: afterwards start `forward --detach` (default ports), mint a token and write the
    /// environment (like `env`), also to $GITHUB_ENV and $GITHUB_OUTPUT when set
    #[arg(long, conflicts_with = "stop_after")]
    pub ci: bool,
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
    /// Also check, through tunnels, that Fulcio, Rekor and the CT log serve and sign with the
    /// keys in the trust files (exit 1 naming what differs)
    #[arg(long)]
    pub probe: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
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
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration_flag)]
    pub timeout: Duration,
}

/// The loopback ports `forward` listens on (and the host trust files name): one
/// `--<forward>-port` flag per forward of the catalog. Without the flag, the instance's recorded
/// port (see `ports`).
#[derive(Debug, Clone, Default)]
pub struct ForwardPortArgs {
    /// The ports given on the command line, by forward id.
    pub explicit: BTreeMap<&'static str, u16>,
}

impl ForwardPortArgs {
    /// The instance's ports, with the flags given here winning.
    pub fn ports(&self, instance: &str) -> anyhow::Result<ForwardPorts> {
        crate::ports::for_instance(instance, &self.explicit)
    }
}

impl clap::FromArgMatches for ForwardPortArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut explicit = BTreeMap::new();
        for (_, forward) in all_forwards() {
            if let Some(port) = matches.get_one::<u16>(forward.id) {
                explicit.insert(forward.id, *port);
            }
        }
        Ok(ForwardPortArgs { explicit })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ForwardPortArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        all_forwards().fold(command, |command, (component, forward)| {
            command.arg(
                clap::Arg::new(forward.id)
                    .long(format!("{}-port", forward.id))
                    .value_name("PORT")
                    .value_parser(port)
                    .help(format!(
                        "Local port forwarded to {} (service {}, port {}) [default: the \
                         instance's recorded port; {} for the default instance when free]",
                        forward.help,
                        component.name,
                        component.port(forward.port).service,
                        forward.default_local
                    )),
            )
        })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

fn port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!(
            "invalid port {text:?}: use a number from 1 to 65535"
        )),
    }
}

/// Which clients the trust files are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AudienceArg {
    /// Programs on this machine, through `sigstore-up forward` (http://127.0.0.1:PORT)
    Host,
    /// Pods in the cluster (http://SERVICE.NAMESPACE.svc)
    Cluster,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else
    /// ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its
    /// subdirectories cluster/ and host/
    #[arg(short, long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Write only this audience's files, directly into the directory
    #[arg(long, value_enum)]
    pub audience: Option<AudienceArg>,
    /// Also write a policy-controller TrustRoot manifest of this instance to FILE (the TUF root
    /// and a snapshot of the in-cluster repository as mirrorFS), ready for `kubectl apply -f`
    #[arg(long, value_name = "FILE")]
    pub policy_controller: Option<PathBuf>,
    #[command(flatten)]
    pub ports: ForwardPortArgs,
}

#[derive(Debug, Args)]
pub struct ForwardArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub ports: ForwardPortArgs,
    /// Run in the background: return once the ports accept connections (log next to the pid file)
    #[arg(long, conflicts_with = "stop")]
    pub detach: bool,
    /// Pid file of a detached forward [default: $XDG_STATE_HOME/sigstore-up/INSTANCE/forward.pid,
    /// else ~/.local/state/sigstore-up/INSTANCE/forward.pid]
    #[arg(long, value_name = "PATH")]
    pub pid_file: Option<PathBuf>,
    /// Stop the detached forward named by the pid file, and remove the pid file
    #[arg(long)]
    pub stop: bool,
}

/// Which service-account token to request.
#[derive(Debug, Args, Clone)]
pub struct TokenArgs {
    /// Audience (aud) of the token: Fulcio's client ID
    #[arg(long, value_name = "AUDIENCE", default_value = "sigstore")]
    pub audience: String,
    /// Namespace of the service account
    #[arg(long, value_name = "NAMESPACE", default_value = "default")]
    pub namespace: String,
    /// Service account the token identifies (the signing identity is
    /// https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub service_account: String,
    /// Lifetime of the token (at least 10m; the API server may shorten it)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration_flag)]
    pub duration: Duration,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Also write the env file here (it holds the token: mode 0600)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory of the trust files [default: the state directory, see `trust`]; the host
    /// files and the env file go to its subdirectory host/
    #[arg(long, value_name = "DIR")]
    pub trust_dir: Option<PathBuf>,
    #[command(flatten)]
    pub ports: ForwardPortArgs,
    #[command(flatten)]
    pub token: TokenArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
