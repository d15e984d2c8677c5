//! Running a command of ours as a background process and finding it again: the pid file it
//! writes, starting it detached (its own session) and waiting until it reports ready, telling
//! whether a pid still runs that very command (`/proc`, else `ps`), stopping it with signals,
//! and waiting for the signals that end a foreground run.
//!
//! A process counts as ours only if its command line holds the subcommand and `--pid-file` with
//! the same pid file, so a stale pid file that a stranger's pid now fills is never acted on.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::time::Instant;

use crate::error::bad_input;
use crate::retry::{Backoff, retry};

/// How often [`terminate`] looks whether the process is gone (it is not our child: no wait()).
const STOP_POLL: Duration = Duration::from_millis(50);

/// A pid file holding this process's pid; removed on drop if it still does.
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Writes this process's pid to `path` (atomically: a temporary file renamed over it).
    pub fn write(path: &Path) -> anyhow::Result<PidFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the directory of {}", path.display()))?;
        }
        let temporary = path.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&temporary, format!("{}\n", std::process::id()))
            .and_then(|()| std::fs::rename(&temporary, path))
            .with_context(|| format!("writing the pid file {}", path.display()))?;
        Ok(PidFile {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if read_pid(&self.path).ok().flatten() == Some(std::process::id()) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The pid in `pid_file`; None when there is no such file.
pub fn read_pid(pid_file: &Path) -> anyhow::Result<Option<u32>> {
    let text = match std::fs::read_to_string(pid_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("reading the pid file {}", pid_file.display()));
        }
    };
    match text.trim().parse::<u32>() {
        Ok(pid) if pid > 1 => Ok(Some(pid)),
        _ => bad_input(format!(
            "the pid file {} does not hold a process id ({:?}); remove it",
            pid_file.display(),
            text.trim()
        )),
    }
}

/// Removes `pid_file`; one that is already gone is fine.
pub fn remove_pid_file(pid_file: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(pid_file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing the pid file {}", pid_file.display()))
        }
        _ => Ok(()),
    }
}

/// What runs as a pid read from a pid file.
#[derive(Debug, PartialEq, Eq)]
pub enum ProcessState {
    /// No such process (or a zombie).
    Gone,
    /// Our command: `<subcommand>` with `--pid-file <this pid file>`.
    Ours,
    /// Some other process (its command line).
    Other(String),
}

/// Our command running detached, as `pid_file` records it: its pid file, and the subcommand
/// that appears on its command line.
#[derive(Debug, Clone, Copy)]
pub struct Supervised<'a> {
    pub subcommand: &'a str,
    pub pid_file: &'a Path,
}

impl Supervised<'_> {
    /// The pid of our command if it is running according to the pid file.
    pub fn running(&self) -> anyhow::Result<Option<u32>> {
        Ok(match read_pid(self.pid_file)? {
            Some(pid) if self.state(pid)? == ProcessState::Ours => Some(pid),
            _ => None,
        })
    }

    /// What runs as `pid`: judged by its command line, which for our command contains the
    /// subcommand and `--pid-file <pid_file>` ([`spawn_detached`]'s callers pass the absolute
    /// path).
    pub fn state(&self, pid: u32) -> anyhow::Result<ProcessState> {
        if !process_exists(pid) {
            return Ok(ProcessState::Gone);
        }
        // An empty command line is a process on its way out (its memory, and with it the
        // command line, is released before it becomes a zombie) or a kernel thread: neither runs
        // anything of ours.
        let Some(arguments) = command_line(pid)?.filter(|args| !args.is_empty()) else {
            return Ok(ProcessState::Gone);
        };
        let names_pid_file =
            |arg: &str| std::path::absolute(arg).is_ok_and(|path| path == self.pid_file);
        let ours = arguments.iter().any(|a| a == self.subcommand)
            && (arguments
                .windows(2)
                .any(|pair| pair[0] == "--pid-file" && names_pid_file(&pair[1]))
                || arguments
                    .iter()
                    .any(|a| a.strip_prefix("--pid-file=").is_some_and(names_pid_file)));
        Ok(if ours {
            ProcessState::Ours
        } else {
            ProcessState::Other(arguments.join(" "))
        })
    }

    /// Sends SIGTERM to `pid` (which [`Supervised::state`] found to be ours) and waits up to
    /// `grace` for it to end; then SIGKILL and up to `grace` again. True if SIGTERM sufficed.
    /// `what` names the process in errors ("the forward").
    pub async fn terminate(&self, pid: u32, grace: Duration, what: &str) -> anyhow::Result<bool> {
        signal(pid, libc::SIGTERM, what)?;
        let stopped = self.wait_until_gone(pid, grace).await?;
        if !stopped {
            signal(pid, libc::SIGKILL, what)?;
            self.wait_until_gone(pid, grace).await?;
        }
        Ok(stopped)
    }

    /// Waits until `pid` no longer runs our command; false if it still does after `limit`.
    async fn wait_until_gone(&self, pid: u32, limit: Duration) -> anyhow::Result<bool> {
        enum Poll {
            StillRunning,
            Failed(anyhow::Error),
        }
        let result = retry(
            Instant::now() + limit,
            Backoff::fixed(STOP_POLL),
            |poll| matches!(poll, Poll::StillRunning),
            || async {
                match self.state(pid) {
                    Ok(ProcessState::Ours) => Err(Poll::StillRunning),
                    Ok(_) => Ok(()),
                    Err(error) => Err(Poll::Failed(error)),
                }
            },
        )
        .await;
        match result {
            Ok(()) => Ok(true),
            Err(Poll::StillRunning) => Ok(false),
            Err(Poll::Failed(error)) => Err(error),
        }
    }
}

fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let alive = unsafe { libc::kill(pid, 0) } == 0
        || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    alive && !is_zombie(pid)
}

/// A zombie has exited; only its parent has not collected it yet.
fn is_zombie(pid: libc::pid_t) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // "pid (comm) S ...": the state follows the last ')'.
            let after = stat.rsplit_once(')')?.1;
            after.split_whitespace().next().map(|state| state == "Z")
        })
        .unwrap_or(false)
}

/// The arguments of process `pid` (None if it is gone): from /proc on Linux, else from `ps`.
fn command_line(pid: u32) -> anyhow::Result<Option<Vec<String>>> {
    if Path::new("/proc/self/cmdline").exists() {
        return Ok(std::fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .map(|bytes| {
                bytes
                    .split(|&b| b == 0)
                    .filter(|arg| !arg.is_empty())
                    .map(|arg| String::from_utf8_lossy(arg).into_owned())
                    .collect()
            }));
    }
    let output = std::process::Command::new("ps")
        .args(["-o", "args=", "-p", &pid.to_string()])
        .output()
        .context("running `ps` to check what the pid file's process is")?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok((!text.is_empty()).then(|| text.split_whitespace().map(str::to_string).collect()))
}

fn signal(pid: u32, signal: libc::c_int, what: &str) -> anyhow::Result<()> {
    let target = libc::pid_t::try_from(pid).context("pid out of range")?;
    // SAFETY: plain kill(2) on a pid we checked is our command.
    if unsafe { libc::kill(target, signal) } != 0 {
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::ESRCH) {
            return Err(error).with_context(|| format!("signalling {what} (pid {pid})"));
        }
    }
    Ok(())
}

/// Waits for Ctrl-C, SIGTERM or SIGHUP; returns which.
pub async fn wait_for_stop_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut hangup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = hangup.recv() => "SIGHUP",
        _ = interrupt.recv() => "interrupted",
    })
}

/// What [`spawn_detached`] saw of the background process.
pub enum DetachOutcome {
    /// It printed the expected number of lines on stdout: these.
    Ready { pid: u32, lines: String },
    /// It exited (or closed stdout) before printing them.
    Exited(ExitStatus),
    /// It printed too little within the limit; it has been killed.
    TimedOut,
}

/// Starts `command` in the background in its own session (no controlling terminal, so closing
/// the terminal or Ctrl-C there does not reach it), stdin from /dev/null, stderr to `log`,
/// working directory `/` (so callers pass absolute paths). Returns once it has printed
/// `ready_lines` lines on stdout (its sign of being ready), exited, or `limit` passed.
pub async fn spawn_detached(
    mut command: tokio::process::Command,
    log: std::fs::File,
    ready_lines: usize,
    limit: Duration,
    what: &str,
) -> anyhow::Result<DetachOutcome> {
    command
        // The root directory keeps no mount busy.
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(log);
    // SAFETY: setsid is async-signal-safe and touches no memory of this process.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {what}"))?;
    let pid = child.id().context("the background process has no pid")?;
    let stdout = child
        .stdout
        .take()
        .context("no pipe from the background process")?;

    let read_lines = async {
        let mut lines = BufReader::new(stdout).lines();
        let mut received = String::new();
        while received.lines().count() < ready_lines {
            match lines.next_line().await? {
                Some(line) => {
                    received.push_str(&line);
                    received.push('\n');
                }
                None => return anyhow::Ok(None),
            }
        }
        anyhow::Ok(Some(received))
    };
    match tokio::time::timeout(limit, read_lines).await {
        Ok(Ok(Some(lines))) => Ok(DetachOutcome::Ready { pid, lines }),
        Ok(Ok(None)) | Ok(Err(_)) => {
            let status = child
                .wait()
                .await
                .context("waiting for the background process")?;
            Ok(DetachOutcome::Exited(status))
        }
        Err(_) => {
            let _ = child.kill().await;
            Ok(DetachOutcome::TimedOut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pid_file_holds_our_pid_and_goes_away_with_its_guard() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.pid");
        let guard = PidFile::write(&path).unwrap();
        assert_eq!(read_pid(&path).unwrap(), Some(std::process::id()));
        drop(guard);
        assert!(!path.exists());
        assert_eq!(read_pid(&path).unwrap(), None);
        remove_pid_file(&path).unwrap();
    }

    #[test]
    fn a_pid_file_someone_else_rewrote_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        let guard = PidFile::write(&path).unwrap();
        std::fs::write(&path, "12345\n").unwrap();
        drop(guard);
        assert_eq!(read_pid(&path).unwrap(), Some(12345));
    }

    #[test]
    fn garbage_in_a_pid_file_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        std::fs::write(&path, "one\n").unwrap();
        let error = read_pid(&path).unwrap_err();
        assert!(
            error.to_string().contains("does not hold a process id"),
            "{error}"
        );
    }

    #[test]
    fn only_our_command_line_counts_as_ours() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("x.pid");
        // This test process runs neither `forward` nor `--pid-file`.
        let supervised = Supervised {
            subcommand: "forward",
            pid_file: &pid_file,
        };
        assert!(matches!(
            supervised.state(std::process::id()).unwrap(),
            ProcessState::Other(_)
        ));
        assert_eq!(supervised.state(u32::MAX).unwrap(), ProcessState::Gone);
    }

    #[tokio::test]
    async fn a_detached_process_is_ready_after_its_lines_and_terminates() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("x.pid");
        let log = std::fs::File::create(dir.path().join("x.log")).unwrap();
        // `sh -c SCRIPT forward --pid-file P`: the shell's command line names the subcommand
        // and the pid file, as our own background command's does.
        let mut command = tokio::process::Command::new("sh");
        command
            .arg("-c")
            .arg("echo one; echo two; while :; do sleep 0.1; done")
            .arg("forward")
            .arg("--pid-file")
            .arg(&pid_file);
        let outcome = spawn_detached(command, log, 2, Duration::from_secs(20), "sh")
            .await
            .unwrap();
        let DetachOutcome::Ready { pid, lines } = outcome else {
            panic!("not ready");
        };
        assert_eq!(lines, "one\ntwo\n");
        let supervised = Supervised {
            subcommand: "forward",
            pid_file: &pid_file,
        };
        assert_eq!(supervised.state(pid).unwrap(), ProcessState::Ours);
        let other = Supervised {
            subcommand: "forward",
            pid_file: &dir.path().join("other.pid"),
        };
        assert!(matches!(other.state(pid).unwrap(), ProcessState::Other(_)));

        let by_sigterm = supervised
            .terminate(pid, Duration::from_secs(10), "the shell")
            .await
            .unwrap();
        assert!(by_sigterm);
        assert_eq!(supervised.state(pid).unwrap(), ProcessState::Gone);
    }

    #[tokio::test]
    async fn a_detached_process_that_exits_early_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("x.log")).unwrap();
        let mut command = tokio::process::Command::new("sh");
        command.arg("-c").arg("echo one; echo broken >&2; exit 3");
        let outcome = spawn_detached(command, log, 2, Duration::from_secs(20), "sh")
            .await
            .unwrap();
        let DetachOutcome::Exited(status) = outcome else {
            panic!("not reported as exited");
        };
        assert_eq!(status.code(), Some(3));
        let log = std::fs::read_to_string(dir.path().join("x.log")).unwrap();
        assert_eq!(log, "broken\n");
    }
}
