//! `TrustEnv::append_to_github_files` finds its files through the GITHUB_ENV and GITHUB_OUTPUT
//! environment variables. The test changes its process's environment, which the other tests
//! share (they run concurrently in threads of one process), so it runs in a process of its own.

use std::path::Path;

use crate::support::in_own_process;
use sigstore_up::trust::{GithubFilesWritten, TrustEnv};

fn set_var(name: &str, value: &Path) {
    // SAFETY: the only test in its process (`in_own_process`), so no other thread reads the
    // environment meanwhile.
    unsafe { std::env::set_var(name, value) }
}

fn remove_var(name: &str) {
    // SAFETY: as in set_var.
    unsafe { std::env::remove_var(name) }
}

#[test]
fn appends_to_the_files_github_actions_names_and_to_nothing_outside_it() {
    if !in_own_process(concat!(
        module_path!(),
        "::appends_to_the_files_github_actions_names_and_to_nothing_outside_it"
    )) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let github_env = dir.path().join("set_env_1");
    let github_output = dir.path().join("set_output_1");
    let mut env = TrustEnv::new();
    env.set("REKOR_URL", "http://127.0.0.1:41002").unwrap();

    remove_var("GITHUB_ENV");
    remove_var("GITHUB_OUTPUT");
    assert_eq!(
        env.append_to_github_files().unwrap(),
        GithubFilesWritten::default()
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    set_var("GITHUB_ENV", &github_env);
    set_var("GITHUB_OUTPUT", &github_output);
    let written = env.append_to_github_files().unwrap();
    remove_var("GITHUB_ENV");
    remove_var("GITHUB_OUTPUT");

    assert_eq!(
        written,
        GithubFilesWritten {
            github_env: Some(github_env.clone()),
            github_output: Some(github_output.clone()),
        }
    );
    assert_eq!(
        std::fs::read_to_string(&github_env).unwrap(),
        "REKOR_URL=http://127.0.0.1:41002\n"
    );
    assert_eq!(
        std::fs::read_to_string(&github_output).unwrap(),
        "rekor-url=http://127.0.0.1:41002\n"
    );
}
