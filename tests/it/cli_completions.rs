//! The completion scripts and the man page committed in completions/ must be what the binary
//! generates today. After changing the command line, regenerate them with
//! `SIGSTORE_UP_BLESS=1 cargo test --test it cli_completions::` (or
//! `cargo run -- completions <shell> > completions/<file>` and `cargo run -- man`).

use std::path::PathBuf;
use std::process::Command;

use crate::support::cli::SIGSTORE_UP;
use clap_complete::Shell;
use sigstore_up::commands::completions::{file_name, man_page, script};

const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

fn completions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// Compares `generated` with the committed file, or rewrites it when blessing.
fn check(name: &str, generated: &[u8]) -> Option<String> {
    let path = completions_dir().join(name);
    if std::env::var_os("SIGSTORE_UP_BLESS").is_some() {
        std::fs::create_dir_all(completions_dir()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return None;
    }
    match std::fs::read(&path) {
        Ok(committed) if committed == generated => None,
        Ok(_) => Some(format!("{} is out of date", path.display())),
        Err(e) => Some(format!("{}: {e}", path.display())),
    }
}

#[test]
fn committed_completions_and_man_page_are_current() {
    let mut stale: Vec<String> = SHELLS
        .iter()
        .filter_map(|shell| check(&file_name(*shell), &script(*shell)))
        .collect();
    stale.extend(check("sigstore-up.1", &man_page()));
    assert!(
        stale.is_empty(),
        "{}\nregenerate with: SIGSTORE_UP_BLESS=1 cargo test --test it cli_completions::",
        stale.join("\n")
    );
}

#[test]
fn the_binary_prints_the_same_scripts() {
    for (shell, arg) in [
        (Shell::Bash, "bash"),
        (Shell::Zsh, "zsh"),
        (Shell::Fish, "fish"),
        (Shell::PowerShell, "powershell"),
        (Shell::Elvish, "elvish"),
    ] {
        let out = Command::new(SIGSTORE_UP)
            .args(["completions", arg])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{arg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, script(shell), "{arg}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("teardown"),
            "{arg} completes subcommands"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = Command::new(SIGSTORE_UP)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tcsh") && stderr.contains("bash") && stderr.contains("zsh"),
        "{stderr}"
    );
}
