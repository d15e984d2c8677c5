//! What the integration tests share. Here: the programs they run (ours, the upstream ones from
//! the harness cache, sigstore-python), running them, loopback ports and HTTP, and guards that
//! clean up when a test fails. Beside it:
//! - [`cli`]: the sigstore-up binary with a clean environment, and showing what it said;
//! - [`servers`]: real MariaDB, Redis, Trillian, ct_server, Rekor and Fulcio on loopback;
//! - [`cluster`]: the test cluster's kubeconfig, a client for it, namespace deletion;
//! - [`trust`]: keys, CAs, trust material and bundles for the trust tests.
//!
//! All tests run in threads of one process (`cargo test` runs the offline ones in parallel), so
//! nothing here hands out a fixed port, directory or environment variable: ports come from
//! [`free_port`], directories from `tempfile`, and a test that must change the process
//! environment runs [`in_own_process`].

pub mod cli;
pub mod cluster;
pub mod e2e;
pub mod servers;
pub mod trust;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Directory of the upstream programs tests/cluster/build makes (Trillian, ct_server, Rekor,
/// Fulcio, cosign, ...): `$SIGSTORE_UP_TEST_BIN`, by default `/root/.cache/sigstore-up-test/bin`.
pub fn bin_dir() -> PathBuf {
    std::env::var_os("SIGSTORE_UP_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/sigstore-up-test/bin"))
}

/// A program from [`bin_dir`], e.g. cosign. Missing means the test run is broken, so this fails
/// loudly instead of skipping.
pub fn test_binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "missing test binary {}: build it with tests/cluster/build, or point SIGSTORE_UP_TEST_BIN \
         at a directory holding it",
        path.display()
    );
    path
}

/// sigstore-python's interpreter: `$SIGSTORE_UP_TEST_SIGSTORE_PYTHON`, by default the venv
/// tests/run makes (target/sigstore-python).
pub fn sigstore_python() -> PathBuf {
    let python = std::env::var_os("SIGSTORE_UP_TEST_SIGSTORE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sigstore-python/bin/python")
        });
    assert!(
        python.is_file(),
        "sigstore-python not found at {}: create it with\n  python3 -m venv target/sigstore-python \
         && target/sigstore-python/bin/pip install sigstore==4.5.1\nor point \
         SIGSTORE_UP_TEST_SIGSTORE_PYTHON at a python that has it",
        python.display()
    );
    python
}

/// `program` with a clean environment: HOME is `home`, PATH is kept, nothing else of the caller's
/// (no KUBECONFIG, CI, XDG_*, GITHUB_*, SIGSTORE_*) reaches it.
pub fn clean_command(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command
}

/// Runs a command to its end, panicking if it cannot start.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

/// [`run`], panicking with the output unless the command succeeded.
pub fn run_ok(command: &mut Command) -> Output {
    let output = run(command);
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit status, stdout and stderr, for an assertion's message.
pub fn text(output: &Output) -> String {
    format!(
        "exit {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A child process killed (and reaped) when dropped, also when a test fails.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port with nothing listening on it right now: bound, then released. Never the same
/// port twice in this process, so tests running in parallel do not get each other's ports.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral loopback port");
        let port = listener.local_addr().expect("local address").port();
        if given.insert(port) {
            return port;
        }
    }
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// `GET url` over plain HTTP: (status, body). Non-2xx statuses are answers, not errors.
pub fn http_get(url: &str) -> Result<(u16, String), ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut response = agent.get(url).call()?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    Ok((status, body))
}

/// `GET path` as HTTP/1.0 over a plain TCP stream: the whole response, status line and headers
/// included (the test's own minimal client, for what a forward or tunnel passes through).
pub fn raw_http_get(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Names the test a child process of [`in_own_process`] is to run.
const OWN_PROCESS: &str = "SIGSTORE_UP_TEST_OWN_PROCESS";

/// For a test that changes what the whole process shares (its environment), which the other
/// tests, running in parallel threads of this process, must not see change under them.
///
/// `test` is the test's path, `concat!(module_path!(), "::name")`. In the test process this runs
/// that one test again in a child process of its own (this binary, filtered to exactly that
/// test, one thread), fails if it failed there, and returns false: the caller returns at once.
/// In that child it returns true: the caller runs the test's body, alone in its process.
pub fn in_own_process(test: &str) -> bool {
    // module_path!() starts with the crate (`it`), test names do not.
    let name = test.split_once("::").map_or(test, |(_, name)| name);
    if std::env::var_os(OWN_PROCESS).is_some_and(|running| running == name) {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = run(Command::new(&exe)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(OWN_PROCESS, name));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        out.status.success(),
        "{name} in a process of its own:\n{text}"
    );
    assert!(
        text.contains("1 passed"),
        "{name} did not run in its own process:\n{text}"
    );
    false
}
