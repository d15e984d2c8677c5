//! `forward`: port-forwards to Rekor, Fulcio (HTTP and gRPC) and the CT log on the instance's
//! loopback ports (recorded per instance, see `ports`), the URLs the host trust files name.
//!
//! - In the foreground it runs until Ctrl-C, SIGTERM or SIGHUP. With `--pid-file` it writes its
//!   pid there once every port accepts connections, and removes the file when it ends.
//! - `--detach` starts the same command again in the background (its own session, stdin from
//!   /dev/null, stderr to a log file beside the pid file) and returns once the background
//!   process has its ports open: the child prints the URLs on stdout (a pipe to this process)
//!   only after its pid file is written and every port listens.
//! - `--stop` ends the process named by the pid file, after checking that it is a
//!   `sigstore-up forward` writing that very pid file (so a stale file never kills a stranger).
//!
//! Each port is a [`Tunnel`]: every connection goes through the API server to a ready pod behind
//! the Service, picked again when a pod goes away. The pid file, detaching, the checks of what a
//! pid runs and the signals are [`crate::supervise`]'s.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use futures::future::try_join_all;

use crate::catalog::ForwardPorts;
use crate::cli::{ForwardArgs, GlobalArgs, ValuesArgs};
use crate::cluster::{Cluster, Tunnel};
use crate::error::{Failure, bad_input};
use crate::instance::{Audience, service_url, state_dir};
use crate::supervise::{
    DetachOutcome, PidFile, ProcessState, Supervised, read_pid, remove_pid_file, spawn_detached,
    wait_for_stop_signal,
};
use crate::ui::Ui;
use crate::values::Values;

/// How long `--detach` waits for the background process to have its ports open. Each tunnel
/// itself waits up to a minute for a ready pod.
const DETACH_READY_LIMIT: Duration = Duration::from_secs(150);
/// How long `--stop` waits for the process to exit after SIGTERM before sending SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub const PID_FILE_NAME: &str = "forward.pid";

pub async fn run(global: &GlobalArgs, args: &ForwardArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let values = super::load_values(global, &args.values, None)?;
    let pid_file = match &args.pid_file {
        Some(path) => Some(absolute(path)?),
        None if args.detach || args.stop => Some(default_pid_file(&values)?),
        None => None,
    };
    if args.stop {
        let pid_file = pid_file.expect("--stop always has a pid file");
        stop(&pid_file, ui).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let ports = args.ports.ports(&values.instance)?;
    if let Some(pid_file) = &pid_file
        && let Some(pid) = running_forward(pid_file)?
    {
        return bad_input(format!(
            "a forward is already running (pid {pid}, pid file {}); stop it with `sigstore-up forward --stop{}`",
            pid_file.display(),
            pid_file_flag(args.pid_file.as_ref(), pid_file, &values),
        ));
    }
    check_ports(&values, &ports)?;
    // The ports, their flags and the URL lines are the installed profile's (which may forward
    // more services than the values say: check its ports too).
    let mut values = values;
    let cluster = super::connect_cluster(global).await?;
    crate::instance::adopt_installed(&cluster, &mut values).await?;
    check_ports(&values, &ports)?;
    if args.detach {
        let pid_file = pid_file.expect("--detach always has a pid file");
        let started = start_detached(global, &args.values, &values, &ports, &pid_file).await?;
        ui.output(&started.url_lines);
        ui.info(&format!(
            "forward running in the background (pid {}, log {}); stop it with `sigstore-up forward --stop{}`",
            started.pid,
            started.log_file.display(),
            pid_file_flag(args.pid_file.as_ref(), &pid_file, &values),
        ));
        return Ok(ExitCode::SUCCESS);
    }
    run_foreground(&cluster, &values, &ports, pid_file.as_deref(), ui).await?;
    Ok(ExitCode::SUCCESS)
}

/// The default pid file: `forward.pid` in the instance's state directory.
pub fn default_pid_file(values: &Values) -> anyhow::Result<PathBuf> {
    Ok(state_dir(&values.instance)?.join(PID_FILE_NAME))
}

/// What `--stop` needs to find this pid file, for the hints we print: ` --pid-file P` when the
/// user chose it, ` --name NAME` for another instance's default pid file.
fn pid_file_flag(given: Option<&PathBuf>, pid_file: &Path, values: &Values) -> String {
    if given.is_some() {
        format!(" --pid-file {}", pid_file.display())
    } else if values.instance != Values::default().instance {
        format!(" --name {}", values.instance)
    } else {
        String::new()
    }
}

/// One forwarded port: the flag that sets it, and where it goes.
struct Forward {
    flag: String,
    local_port: u16,
    namespace: String,
    service: &'static str,
    service_port: u16,
}

/// The flag of each forward of the profile, with its port.
fn port_flags(values: &Values, ports: &ForwardPorts) -> Vec<(String, u16)> {
    values
        .profile()
        .forwards()
        .into_iter()
        .map(|(_, f)| (format!("--{}-port", f.id), ports.get(f.id)))
        .collect()
}

fn forwards(values: &Values, ports: &ForwardPorts) -> Vec<Forward> {
    values
        .profile()
        .forwards()
        .into_iter()
        .map(|(component, f)| Forward {
            flag: format!("--{}-port", f.id),
            local_port: ports.get(f.id),
            namespace: component.namespace(values).to_string(),
            service: component.name,
            service_port: component.port(f.port).service,
        })
        .collect()
}

/// Refuses a port given twice or one that something already listens on, naming its flag.
pub fn check_ports(values: &Values, ports: &ForwardPorts) -> anyhow::Result<()> {
    let flags = port_flags(values, ports);
    for (i, (flag, port)) in flags.iter().enumerate() {
        if let Some((other, _)) = flags[..i].iter().find(|(_, p)| p == port) {
            return bad_input(format!(
                "{other} and {flag} are both {port}: each service needs its own port; change one of them"
            ));
        }
    }
    for (flag, port) in flags {
        if let Err(error) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            let why = if error.kind() == std::io::ErrorKind::AddrInUse {
                "is already in use".to_string()
            } else {
                format!("cannot be opened ({error})")
            };
            return bad_input(format!(
                "port {port} on 127.0.0.1 {why}: stop what listens there (another `sigstore-up forward`? \
                 see `sigstore-up forward --stop`), or choose another port with {flag} PORT"
            ));
        }
    }
    Ok(())
}

/// `NAME=url` lines for the forwarded services, the same as the host trust files name.
fn url_lines(values: &Values, ports: &ForwardPorts) -> anyhow::Result<String> {
    let mut lines = String::new();
    for (component, forward) in values.profile().forwards() {
        let url = service_url(values, Audience::Host, ports, component, forward.id)?;
        lines.push_str(&format!("{}={url}\n", forward.env));
    }
    Ok(lines)
}

async fn run_foreground(
    cluster: &Cluster,
    values: &Values,
    ports: &ForwardPorts,
    pid_file: Option<&Path>,
    ui: &Ui,
) -> anyhow::Result<()> {
    cluster.server_version().await?;
    let tunnels = open_tunnels(cluster, values, ports).await?;
    let pid_guard = match pid_file {
        Some(path) => Some(PidFile::write(path)?),
        None => None,
    };
    // Only now: a detaching parent takes these lines as the sign that every port listens.
    ui.output(&url_lines(values, ports)?);
    ui.info(&format!(
        "forwarding {} ports through {} (context {}); press Ctrl-C to stop",
        tunnels.len(),
        cluster.server,
        cluster.context
    ));
    let signal = wait_for_stop_signal().await?;
    ui.info(&format!("{signal}: closing the forwards"));
    drop(tunnels);
    drop(pid_guard);
    Ok(())
}

async fn open_tunnels(
    cluster: &Cluster,
    values: &Values,
    ports: &ForwardPorts,
) -> anyhow::Result<Vec<Tunnel>> {
    try_join_all(forwards(values, ports).into_iter().map(|f| async move {
        Tunnel::to_service(
            cluster,
            &f.namespace,
            f.service,
            f.service_port,
            f.local_port,
        )
        .await
        .with_context(|| {
            format!(
                "forwarding 127.0.0.1:{} ({}) to service {}/{} port {}; is the stack \
                     installed and ready? (`sigstore-up install`, `sigstore-up status`)",
                f.local_port, f.flag, f.namespace, f.service, f.service_port
            )
        })
    }))
    .await
}

/// The forward that `pid_file` belongs to.
fn supervised(pid_file: &Path) -> Supervised<'_> {
    Supervised {
        subcommand: "forward",
        pid_file,
    }
}

/// What `--detach` started.
pub struct Detached {
    pub pid: u32,
    pub log_file: PathBuf,
    /// The `NAME=url` lines the background process printed.
    pub url_lines: String,
}

/// Starts `sigstore-up forward --pid-file P` in the background and waits until it listens.
pub async fn start_detached(
    global: &GlobalArgs,
    values_args: &ValuesArgs,
    values: &Values,
    ports: &ForwardPorts,
    pid_file: &Path,
) -> anyhow::Result<Detached> {
    let dir = pid_file
        .parent()
        .context("the pid file has no directory")?
        .to_path_buf();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the directory {}", dir.display()))?;
    let log_file = pid_file.with_extension("log");
    let log = std::fs::File::create(&log_file)
        .with_context(|| format!("creating the log file {}", log_file.display()))?;

    let exe = std::env::current_exe().context("finding the sigstore-up executable")?;
    let mut command = tokio::process::Command::new(exe);
    if let Some(kubeconfig) = &global.kubeconfig {
        command.arg("--kubeconfig").arg(absolute(kubeconfig)?);
    }
    if let Some(context) = &global.context {
        command.arg("--context").arg(context);
    }
    if let Some(name) = &global.name {
        command.arg("--name").arg(name);
    }
    command.arg("forward");
    for file in &values_args.values_files {
        command.arg("--values").arg(absolute(file)?);
    }
    for assignment in &values_args.set {
        command.arg("--set").arg(assignment);
    }
    for (flag, port) in port_flags(values, ports) {
        command.arg(flag).arg(port.to_string());
    }
    command.arg("--pid-file").arg(pid_file);
    let expected = url_lines(values, ports)?;
    let outcome = spawn_detached(
        command,
        log,
        expected.lines().count(),
        DETACH_READY_LIMIT,
        "the background sigstore-up forward",
    )
    .await?;
    let failure = |what: String| {
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        format!(
            "{what}; its log ({}):\n{}",
            log_file.display(),
            log.trim_end()
        )
    };
    match outcome {
        DetachOutcome::Ready { pid, lines } => Ok(Detached {
            pid,
            log_file,
            url_lines: lines,
        }),
        DetachOutcome::Exited(status) => Err(anyhow::anyhow!(failure(format!(
            "the background forward exited ({status}) before its ports were open"
        )))),
        DetachOutcome::TimedOut => Err(Failure::NotReady(failure(format!(
            "the background forward did not open its ports within {}s (stopped it)",
            DETACH_READY_LIMIT.as_secs()
        )))
        .into()),
    }
}

/// Stops the forward named by the pid file, or explains why there is none.
pub async fn stop(pid_file: &Path, ui: &Ui) -> anyhow::Result<()> {
    let Some(pid) = read_pid(pid_file)? else {
        return bad_input(format!(
            "no pid file at {}: no detached forward is running for this instance (start one with \
             `sigstore-up forward --detach`; if it was started with --pid-file, pass the same --pid-file)",
            pid_file.display()
        ));
    };
    let forward = supervised(pid_file);
    match forward.state(pid)? {
        ProcessState::Gone => {
            remove_pid_file(pid_file)?;
            ui.info(&format!(
                "the forward (pid {pid}) was not running any more; removed its stale pid file {}",
                pid_file.display()
            ));
        }
        ProcessState::Other(command_line) => {
            remove_pid_file(pid_file)?;
            ui.warn(&format!(
                "pid {pid} from {} is not a sigstore-up forward (it runs {command_line:?}); left \
                 it alone and removed the stale pid file",
                pid_file.display()
            ));
        }
        ProcessState::Ours => {
            let stopped = forward.terminate(pid, STOP_GRACE, "the forward").await?;
            // It removes its pid file itself when it ends cleanly.
            if pid_file.exists() && read_pid(pid_file)? == Some(pid) {
                remove_pid_file(pid_file)?;
            }
            ui.info(&format!(
                "stopped the forward (pid {pid}){}",
                if stopped { "" } else { " with SIGKILL" }
            ));
        }
    }
    Ok(())
}

/// The pid of a forward that is running according to `pid_file`, if one is.
pub fn running_forward(pid_file: &Path) -> anyhow::Result<Option<u32>> {
    supervised(pid_file).running()
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving the path {}", path.display()))
}
