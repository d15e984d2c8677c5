//! Interruptions on the REAL test cluster (issue 13's fault items):
//!
//! - the kube-apiserver restarted in the middle of an install (tests/cluster/restart-apiserver,
//!   at three moments: while install applies objects, while it waits for workloads, and during
//!   its last stage `signable`, which works through port-forwards): install completes, or fails
//!   with an error naming the lost API server and saying to run it again, never panics and never
//!   hangs past its --timeout; a re-run of install then completes, and its last stage is a
//!   keyless round trip, so the stack signs.
//! - teardown killed (SIGKILL) partway, then run again: exit 0, nothing of ours left, the objects
//!   that are not ours (a ConfigMap in `default`, a namespace `bystander` with a ConfigMap)
//!   untouched, the instance's local trust files gone. And teardown interrupted with SIGINT
//!   (Ctrl-C): it stops, says what is left and how to finish, and a re-run finishes.
//!
//! Each test prints a `REPORT` line with what happened, for the log. #[ignore]d; run inside the
//! cluster's network namespace, as root (the restart script stops and starts the cluster's
//! apiserver):
//!   nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!     cargo test --test it cluster_interruptions:: -- --ignored --test-threads=1

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{ObjectMeta, PostParams};
use kube::{Api, ResourceExt as _};

use crate::support::cli::SIGSTORE_UP;
use crate::support::cluster::*;
use crate::support::e2e::*;
use crate::support::{self, clean_command};

/// The fault: the test cluster's apiserver stopped and started again (see the script's header).
fn restart_apiserver(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/restart-apiserver");
    let out = support::run(Command::new(&script).args(args));
    eprintln!(
        "$ {} {args:?}\n{}-> {:?}",
        script.display(),
        support::stderr(&out),
        out.status.code()
    );
    assert!(out.status.success(), "restarting the apiserver failed");
}

/// A sigstore-up command running in the background, its stderr (stage lines; -v adds progress
/// lines) copied to the test's log line by line and collected.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    started: Instant,
}

impl Running {
    fn start(home: &Path, args: &[&str]) -> Running {
        let mut child = clean_command(SIGSTORE_UP, home)
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig())
            .env("CI", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        eprintln!(
            "$ sigstore-up {args:?} (pid {}, in the background)",
            child.id()
        );
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("  | {line}");
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Waits for a line that `wanted` accepts; false if the command ended first.
    fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> bool {
        while let Ok(line) = self.lines.recv() {
            let found = wanted(&line);
            self.seen.push(line);
            if found {
                return true;
            }
        }
        false
    }

    /// Waits for the command's end (killing it after `bound`: a hang), with all it printed.
    fn finish(mut self, bound: Duration) -> (Option<ExitStatus>, String, Duration) {
        let end = self.started + bound;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let elapsed = self.started.elapsed();
        // The reader thread ends when the pipe closes.
        self.seen.extend(self.lines.iter());
        (status, self.seen.join("\n"), elapsed)
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signalling {pid}");
    }
}

/// The line install prints when `stage` ended well (plain style: `<time> ok   <stage> ...`).
fn stage_done(stage: &str) -> impl Fn(&str) -> bool {
    let needle = format!(" ok   {stage} ");
    move |line| line.contains(&needle)
}

/// install's --timeout in these tests, and how long a test waits for install before calling it
/// hung (the timeout, plus the stages that do not wait under it).
const INSTALL_TIMEOUT: &str = "5m";
const INSTALL_HANG: Duration = Duration::from_secs(8 * 60);

/// Starts a cold install, restarts the apiserver once the stage `after` has ended (so the next
/// stage runs into it), and checks what install did, then that a re-run completes.
async fn install_through_an_apiserver_restart(after: &str, restart: &[&str]) {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown first");

    let mut install = Running::start(home, &["install", "--timeout", INSTALL_TIMEOUT]);
    let reached = install.wait_for_line(stage_done(after));
    assert!(reached, "install ended before stage {after:?} was done");
    let restart_at = install.started.elapsed();
    restart_apiserver(restart);
    let (status, printed, took) = install.finish(INSTALL_HANG);
    let Some(status) = status else {
        panic!(
            "install hung: still running {} s after it started (--timeout {INSTALL_TIMEOUT}); it printed:\n{printed}",
            INSTALL_HANG.as_secs()
        );
    };
    assert!(
        !printed.contains("panicked"),
        "install panicked:\n{printed}"
    );
    let error: Vec<&str> = printed
        .lines()
        .skip_while(|l| !l.contains(" error: "))
        .collect();
    let error = error.join("\n");
    let failed_stage = printed
        .lines()
        .find(|l| l.contains(" FAIL "))
        .unwrap_or_default()
        .to_string();
    if !status.success() {
        // The message names the problem and the fix.
        assert!(
            error.contains("API server") && error.contains("again"),
            "install failed without saying that the API server went away and to run it again:\n{printed}"
        );
    }
    let retried: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains("lost the connection"))
        .collect();
    eprintln!(
        "REPORT apiserver restart ({restart:?}) after stage {after:?} ({:.1} s into install): {} stage re-runs {retried:?}; install {} after {:.1} s{}",
        restart_at.as_secs_f64(),
        retried.len(),
        match status.code() {
            Some(0) => "completed (exit 0)".to_string(),
            code => format!("failed (exit {code:?}) in {failed_stage:?}"),
        },
        took.as_secs_f64(),
        if error.is_empty() {
            String::new()
        } else {
            format!(", saying:\n{error}")
        }
    );

    // Run again: it continues where it stopped (or changes nothing), and its last stage signs.
    let again = sigstore_up(home, &["install", "--timeout", INSTALL_TIMEOUT]);
    assert!(again.status.success(), "the re-run of install failed");
    let gate = support::stderr(&again)
        .lines()
        .find(|l| l.contains(" signable ") || l.contains(" compare ") && l.contains("unchanged"))
        .map(str::to_string)
        .unwrap_or_default();
    // A round trip now, or (after an install that completed) the converged gate or the fast
    // path, which both rest on the last round trip's record; `status --probe` below checks the
    // servers against the trust files either way.
    assert!(
        gate.contains("signed as")
            || gate.contains("converged:")
            || gate.contains("unchanged since the last install"),
        "the gate's line: {gate:?}"
    );
    eprintln!("REPORT the re-run of install completed: {gate}");
    ok(sigstore_up(home, &["status", "--probe"]), "status --probe");
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up) and root; see the module doc"]
async fn apiserver_restart_while_install_applies() {
    // "secrets" done: "tuf" and the "apply" stages run while the server is away for 3 s.
    install_through_an_apiserver_restart("secrets", &["--down-for", "3"]).await;
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up) and root; see the module doc"]
async fn apiserver_killed_while_install_waits() {
    // "tuf" done: "wait databases" watches the Deployments; the server dies at once.
    install_through_an_apiserver_restart("tuf", &["--kill"]).await;
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up) and root; see the module doc"]
async fn apiserver_restart_during_the_signable_stage() {
    // "trust" done: "signable" mints a token and signs through port-forwards.
    install_through_an_apiserver_restart("trust", &[]).await;
}

/// Objects that are not ours, which teardown must leave exactly as they are.
struct Canaries {
    uids: Vec<(String, String)>,
}

const BYSTANDER: &str = "bystander";

impl Canaries {
    async fn create() -> Canaries {
        let client = cluster().await.client;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(BYSTANDER.to_string()),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        };
        let namespace = namespaces
            .create(&PostParams::default(), &namespace)
            .await
            .unwrap();
        let mut uids = vec![(
            format!("namespace {BYSTANDER}"),
            namespace.uid().unwrap_or_default(),
        )];
        // Named like ours, but without our labels: teardown goes by labels, never by name.
        for namespace in ["default", BYSTANDER] {
            let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
            let configmap = ConfigMap {
                metadata: ObjectMeta {
                    name: Some("sigstore-up-canary".to_string()),
                    ..ObjectMeta::default()
                },
                data: Some([("not".to_string(), "ours".to_string())].into()),
                ..ConfigMap::default()
            };
            let made = configmaps
                .create(&PostParams::default(), &configmap)
                .await
                .unwrap();
            uids.push((
                format!("configmap {namespace}/sigstore-up-canary"),
                made.uid().unwrap_or_default(),
            ));
        }
        Canaries { uids }
    }

    /// Each canary still exists, is the same object (uid) and is not being deleted.
    async fn assert_untouched(&self) {
        let client = cluster().await.client;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let mut found = Vec::new();
        let namespace = namespaces.get_opt(BYSTANDER).await.unwrap();
        found.push(namespace.map(|n| (n.uid(), n.metadata.deletion_timestamp.is_some())));
        for namespace in ["default", BYSTANDER] {
            let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
            let configmap = configmaps.get_opt("sigstore-up-canary").await.unwrap();
            found.push(configmap.map(|c| (c.uid(), c.metadata.deletion_timestamp.is_some())));
        }
        for ((what, uid), now) in self.uids.iter().zip(found) {
            assert_eq!(
                now,
                Some((Some(uid.clone()), false)),
                "{what} (uid {uid}) was touched: now (uid, being deleted) = {now:?}"
            );
        }
    }

    async fn remove(&self) {
        let cluster = cluster().await;
        let configmaps: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), "default");
        let _ = configmaps
            .delete("sigstore-up-canary", &Default::default())
            .await;
        delete_namespace(&cluster, BYSTANDER).await;
    }
}

/// Our namespaces that are being deleted right now.
async fn terminating_namespaces() -> Vec<String> {
    let client = cluster().await.client;
    let namespaces: Api<Namespace> = Api::all(client);
    let list = namespaces
        .list(&kube::api::ListParams::default().labels("app.kubernetes.io/managed-by=sigstore-up"))
        .await
        .unwrap();
    list.items
        .into_iter()
        .filter(|n| n.metadata.deletion_timestamp.is_some())
        .map(|n| n.name_any())
        .collect()
}

/// Starts `teardown --yes -v` and returns once it has begun deleting: its "delete" progress line
/// is printed and one of our namespaces is terminating.
async fn teardown_until_it_deletes(home: &Path) -> Running {
    let mut teardown = Running::start(home, &["teardown", "--yes", "-v"]);
    assert!(
        teardown.wait_for_line(|l| l.contains(" delete: ")),
        "teardown ended before it started deleting"
    );
    let waited = Instant::now();
    while terminating_namespaces().await.is_empty() {
        assert!(
            teardown.child.try_wait().unwrap().is_none(),
            "teardown ended before a namespace of ours was terminating"
        );
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "no namespace of ours began terminating"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    teardown
}

/// The instance's directory of local files (trust files, ports).
fn state_dir(home: &Path) -> PathBuf {
    home.join(".local/state/sigstore-up/sigstore")
}

/// What is in a directory, recursively, as relative paths.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

/// After a finished teardown: nothing of ours on the cluster, the canaries as they were, and no
/// trust files of the deleted stack left to trust.
async fn assert_all_gone(home: &Path, canaries: &Canaries) {
    let left = owned_objects(&cluster().await.client).await;
    assert!(left.is_empty(), "teardown left: {left:?}");
    canaries.assert_untouched().await;
    let files = files_under(&state_dir(home));
    eprintln!("REPORT local state after teardown: {files:?}");
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with("trusted_root.json") || f.ends_with("signing_config.json")),
        "the trust files of the deleted stack are still there: {files:?}"
    );
}

/// Installs, with the canaries beside the stack; the guard removes the canaries in the end.
async fn installed_with_canaries(home: &Path) -> CanaryGuard {
    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown first");
    ok(sigstore_up(home, &["install"]), "install");
    let files = files_under(&state_dir(home));
    assert!(
        files.iter().any(|f| f == "host/trusted_root.json"),
        "install wrote no trust files: {files:?}"
    );
    CanaryGuard(Canaries::create().await)
}

struct CanaryGuard(Canaries);

impl Drop for CanaryGuard {
    fn drop(&mut self) {
        let uids = std::mem::take(&mut self.0.uids);
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(Canaries { uids }.remove())
        })
        .join()
        .unwrap();
    }
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn teardown_killed_partway_then_run_again() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let canaries = installed_with_canaries(home).await;

    let teardown = teardown_until_it_deletes(home).await;
    teardown.signal(libc::SIGKILL);
    let (status, _, took) = teardown.finish(Duration::from_secs(10));
    let left = owned_objects(&cluster().await.client).await;
    let terminating = terminating_namespaces().await;
    eprintln!(
        "REPORT teardown SIGKILLed after {:.1} s ({status:?}): {} objects of ours left, namespaces terminating: {terminating:?}",
        took.as_secs_f64(),
        left.len()
    );
    assert!(
        !left.is_empty(),
        "the kill came too late to test anything: all was gone"
    );

    let again = sigstore_up(home, &["teardown", "--yes"]);
    assert!(again.status.success(), "the re-run of teardown failed");
    eprintln!(
        "REPORT the re-run of teardown: {}",
        support::stderr(&again).trim()
    );
    assert_all_gone(home, &canaries.0).await;
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn teardown_interrupted_by_ctrl_c_says_what_is_left() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let canaries = installed_with_canaries(home).await;

    let teardown = teardown_until_it_deletes(home).await;
    teardown.signal(libc::SIGINT);
    let (status, printed, took) = teardown.finish(Duration::from_secs(30));
    let status = status.expect("teardown did not stop within 30 s of SIGINT");
    eprintln!(
        "REPORT teardown after SIGINT ({:.1} s): {status:?}, printed:\n{printed}",
        took.as_secs_f64()
    );
    assert!(!printed.contains("panicked"), "teardown panicked");
    assert_eq!(
        status.code(),
        Some(130),
        "exit code of an interrupted teardown"
    );
    assert!(
        printed.contains("interrupted") && printed.contains("teardown --yes"),
        "teardown did not say what is left and how to finish:\n{printed}"
    );
    canaries.0.assert_untouched().await;

    let again = sigstore_up(home, &["teardown", "--yes"]);
    assert!(again.status.success(), "the re-run of teardown failed");
    assert_all_gone(home, &canaries.0).await;
}
