//! Bad input to `forward`, `token`, `env` and `trust` through the real binary: each case fails
//! before any cluster is contacted (the kubeconfig points at 127.0.0.1:1, where nothing listens)
//! with exit code 2 and a message naming the problem and the flag that fixes it. Also `--stop`
//! on pid files that name no forward. The cases that need a cluster are in cluster_trust.rs.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::cli::{self, SIGSTORE_UP};
use crate::support::{KillOnDrop, run, stderr};

/// Runs the binary with a clean environment: HOME is `home`, a kubeconfig for an API server that
/// does not exist.
fn sigstore_up(home: &Path, args: &[&str]) -> Output {
    let kubeconfig = home.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n\
         users:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n\
         current-context: c\n",
    )
    .unwrap();
    run(cli::sigstore_up(home)
        .args(args)
        .env("KUBECONFIG", &kubeconfig))
}

fn assert_bad_input(out: &Output, needles: &[&str]) {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} in: {message}");
    }
    assert!(
        !message.contains("127.0.0.1:1"),
        "refused before contacting the cluster: {message}"
    );
}

#[test]
fn forward_on_a_port_in_use_names_the_port_and_its_flag() {
    let home = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = sigstore_up(home.path(), &["forward", "--rekor-port", &port]);
    assert_bad_input(
        &out,
        &[
            &format!("port {port} on 127.0.0.1 is already in use"),
            "--rekor-port PORT",
        ],
    );

    let out = sigstore_up(home.path(), &["forward", "--detach", "--ctlog-port", &port]);
    assert_bad_input(&out, &[&format!("port {port}"), "--ctlog-port PORT"]);
    assert!(
        !home
            .path()
            .join(".local/state/sigstore-up/sigstore/forward.pid")
            .exists(),
        "nothing started"
    );
}

#[test]
fn forward_with_one_port_twice_names_both_flags() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(
        home.path(),
        &["forward", "--fulcio-port", "7000", "--ctlog-port", "7000"],
    );
    assert_bad_input(&out, &["--fulcio-port and --ctlog-port are both 7000"]);

    let out = sigstore_up(home.path(), &["forward", "--rekor-port", "0"]);
    assert_bad_input(&out, &["--rekor-port", "1 to 65535"]);
}

#[test]
fn stop_without_a_pid_file_says_nothing_runs_and_how_to_start_one() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(home.path(), &["forward", "--stop"]);
    let default_pid_file = home
        .path()
        .join(".local/state/sigstore-up/sigstore/forward.pid");
    assert_bad_input(
        &out,
        &[
            &format!("no pid file at {}", default_pid_file.display()),
            "sigstore-up forward --detach",
        ],
    );

    // The instance decides the default place; XDG_STATE_HOME is not set here.
    let out = sigstore_up(
        home.path(),
        &["forward", "--stop", "--set", "instance=other"],
    );
    assert_bad_input(&out, &[".local/state/sigstore-up/other/forward.pid"]);

    let pid_file = home.path().join("elsewhere.pid");
    let out = sigstore_up(
        home.path(),
        &[
            "forward",
            "--stop",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ],
    );
    assert_bad_input(&out, &[&format!("no pid file at {}", pid_file.display())]);
}

#[test]
fn stop_with_an_unreadable_pid_file_names_it() {
    let home = tempfile::tempdir().unwrap();
    let pid_file = home.path().join("forward.pid");
    std::fs::write(&pid_file, "not a pid\n").unwrap();
    let out = sigstore_up(
        home.path(),
        &[
            "forward",
            "--stop",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ],
    );
    assert_bad_input(
        &out,
        &[
            &pid_file.display().to_string(),
            "does not hold a process id",
        ],
    );
    assert!(pid_file.exists(), "left for the user to look at");
}

#[test]
fn stop_never_kills_a_process_that_is_not_our_forward() {
    let home = tempfile::tempdir().unwrap();
    let pid_file = home.path().join("forward.pid");
    // A process that is not a forward; killed when dropped.
    let mut stranger = KillOnDrop(Command::new("sleep").arg("300").spawn().unwrap());
    std::fs::write(&pid_file, format!("{}\n", stranger.0.id())).unwrap();

    let out = sigstore_up(
        home.path(),
        &[
            "forward",
            "--stop",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("is not a sigstore-up forward") && message.contains("sleep 300"),
        "{message}"
    );
    assert!(
        stranger.0.try_wait().unwrap().is_none(),
        "the stranger still runs"
    );
    assert!(!pid_file.exists(), "the stale pid file is removed");
}

#[test]
fn stop_with_a_stale_pid_file_removes_it() {
    let home = tempfile::tempdir().unwrap();
    let pid_file = home.path().join("forward.pid");
    let mut gone = Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    std::fs::write(&pid_file, format!("{}\n", gone.id())).unwrap();

    let out = sigstore_up(
        home.path(),
        &[
            "forward",
            "--stop",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was not running any more"),
        "{}",
        stderr(&out)
    );
    assert!(!pid_file.exists());
}

#[test]
fn detach_and_stop_together_are_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(home.path(), &["forward", "--detach", "--stop"]);
    assert_bad_input(&out, &["--detach", "--stop"]);
}

#[test]
fn a_token_shorter_than_ten_minutes_is_refused() {
    let home = tempfile::tempdir().unwrap();
    for command in ["token", "env"] {
        let out = sigstore_up(home.path(), &[command, "--duration", "5m"]);
        assert_bad_input(
            &out,
            &["--duration 300s", "at least 10 minutes", "--duration 10m"],
        );
    }
    let out = sigstore_up(home.path(), &["token", "--duration", "ten minutes"]);
    assert_bad_input(&out, &["invalid duration", "5m"]);
    let out = sigstore_up(home.path(), &["token", "--audience", ""]);
    assert_bad_input(&out, &["--audience is empty"]);
}

#[test]
fn trust_names_the_audiences_it_knows() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(home.path(), &["trust", "--audience", "laptop"]);
    assert_bad_input(&out, &["laptop", "host", "cluster"]);
}

#[test]
fn install_ci_cannot_stop_early() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(
        home.path(),
        &["install", "--ci", "--stop-after", "namespaces"],
    );
    assert_bad_input(&out, &["--ci", "--stop-after"]);
}

#[test]
fn without_home_or_xdg_state_home_the_default_files_have_no_place() {
    let out = Command::new(SIGSTORE_UP)
        .args(["forward", "--stop"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        message.contains("XDG_STATE_HOME") && message.contains("--pid-file"),
        "{message}"
    );
}
