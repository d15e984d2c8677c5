//! What the integration tests share.

pub mod cluster;
pub mod servers;
pub mod trust;

use std::process::Command;

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
    let out = Command::new(&exe)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(OWN_PROCESS, name)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} {name}: {e}", exe.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
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
