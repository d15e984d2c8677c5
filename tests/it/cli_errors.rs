//! Bad input through the real binary: each case exits non-zero with the documented code and a
//! message that names the cause and the fix. No cluster is needed: the "unreachable" case points
//! at 127.0.0.1:1, where nothing listens.

use std::path::Path;
use std::process::Output;

use crate::support::{cli, run, stderr};

/// Runs the binary with a clean environment: HOME is an empty directory, no KUBECONFIG, no CI.
fn sigstore_up(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    run(cli::sigstore_up(home).args(args).envs(env.iter().copied()))
}

/// A kubeconfig with contexts `alpha` (current) and `beta`, both pointing at `server`.
fn write_kubeconfig(dir: &Path, server: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {server}
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: not-a-real-token
contexts:
- name: alpha
  context: {{cluster: c, user: u}}
- name: beta
  context: {{cluster: c, user: u}}
current-context: alpha
"
        ),
    )
    .unwrap();
    path
}

#[test]
fn no_kubeconfig_names_the_paths_tried_and_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nowhere/kubeconfig");
    let out = sigstore_up(
        home.path(),
        &["status"],
        &[("KUBECONFIG", missing.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(missing.to_str().unwrap()),
        "names the path tried: {message}"
    );
    assert!(
        message.contains("--kubeconfig") && message.contains("KUBECONFIG"),
        "names the fix: {message}"
    );
    assert!(
        message.contains("kind create cluster") && message.contains("tests/cluster/up"),
        "says how to get a cluster: {message}"
    );

    // Without KUBECONFIG the default location is tried.
    let out = sigstore_up(home.path(), &["install"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains(".kube/config"), "{}", stderr(&out));

    // An explicit --kubeconfig that does not exist.
    let out = sigstore_up(
        home.path(),
        &["teardown", "--yes", "--kubeconfig", "/nonexistent/kc"],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("/nonexistent/kc"), "{}", stderr(&out));
}

#[test]
fn unknown_context_lists_the_available_ones() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(home.path(), "https://127.0.0.1:1");
    let out = sigstore_up(
        home.path(),
        &[
            "status",
            "--context",
            "gamma",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("\"gamma\""), "{message}");
    assert!(message.contains("alpha, beta"), "lists contexts: {message}");
    assert!(message.contains("--context"), "{message}");
}

#[test]
fn unreachable_api_server_names_the_url() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(home.path(), "https://127.0.0.1:1");
    for args in [&["status"][..], &["install"], &["teardown", "--yes"]] {
        let out = sigstore_up(
            home.path(),
            args,
            &[("KUBECONFIG", kubeconfig.to_str().unwrap())],
        );
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(
            message.contains("https://127.0.0.1:1"),
            "{args:?}: {message}"
        );
        assert!(
            message.contains("cannot reach") && message.contains("alpha"),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn bad_set_is_exit_2_before_touching_any_cluster() {
    let home = tempfile::tempdir().unwrap();
    // No kubeconfig at all: a values error must come first.
    for command in ["render", "install", "status"] {
        let out = sigstore_up(home.path(), &[command, "--set", "replicas.rekr=2"], &[]);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(
            message.contains("replicas.rekr") && message.contains("replicas.rekor"),
            "{message}"
        );
    }
    let out = sigstore_up(
        home.path(),
        &["render", "--set", "replicas.rekor=lots"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("whole number"));
    let out = sigstore_up(
        home.path(),
        &["render", "-f", "/nonexistent/values.yaml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/values.yaml"));
}

#[test]
fn usage_errors_are_exit_2() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["install", "--timeout", "soon"],
        &["status", "-o", "xml"],
        &["--quiet", "--verbose", "render"],
    ] {
        let out = sigstore_up(home.path(), args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn teardown_without_yes_and_without_a_terminal_asks_for_yes() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(home.path(), &["teardown"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
}

#[test]
fn render_needs_no_cluster_and_writes_yaml_to_stdout_only() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(
        home.path(),
        &[
            "render",
            "--set",
            "fulcio.issuer_url=https://issuer.example",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let yaml = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        serde_yaml_ng::Deserializer::from_str(&yaml).count(),
        yaml.matches("\n---\n").count() + 1
    );
    assert!(yaml.contains("kind: Deployment") && yaml.contains("https://issuer.example"));
    assert!(
        stderr(&out).is_empty(),
        "nothing on stderr: {}",
        stderr(&out)
    );
}

/// An issuer URL the trust files could not carry is refused while the values load: `render` and
/// `install` exit 2 before anything is applied (install does not even contact the cluster: its
/// kubeconfig names 127.0.0.1:1, which would be exit 3).
#[test]
fn an_unusable_issuer_url_is_refused_before_anything_is_applied() {
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(home.path(), "https://127.0.0.1:1");
    let kubeconfig = kubeconfig.to_str().unwrap();
    for url in [
        "https://x/",
        "https://x?a=b",
        "ftp://x",
        "https://user:pw@x",
    ] {
        let set = format!("fulcio.issuer_url={url}");
        for args in [
            vec!["render", "--set", &set],
            vec!["--kubeconfig", kubeconfig, "install", "--set", &set],
        ] {
            let out = sigstore_up(home.path(), &args, &[]);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains("fulcio.issuer_url"), "{args:?}: {err}");
            assert!(err.contains(url), "{args:?}: {err}");
        }
    }
}

/// `images` lists the profile's images, one a line, with the registry rewritten; no cluster.
#[test]
fn images_lists_every_image_of_the_profile() {
    let home = tempfile::tempdir().unwrap();
    let out = sigstore_up(
        home.path(),
        &["images", "--image-registry", "mirror.example:5000/m"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(
        lines.contains(&"mirror.example:5000/m/sigstore/fulcio:v1.8.8"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"mirror.example:5000/m/library/mariadb:10.11"),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("mirror.example:5000/m/")),
        "{stdout}"
    );
}
