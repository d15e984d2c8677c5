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

/// `images` prints exactly the images `render` puts in the manifests, for every profile.
#[test]
fn images_equals_the_images_of_render_for_every_profile() {
    let home = tempfile::tempdir().unwrap();
    for flags in [
        &[][..],
        &["--profile", "modern"],
        &["--set", "tsa.enabled=true"],
        &["--profile", "modern", "--image-registry", "mirror.example"],
    ] {
        let images = sigstore_up(home.path(), &[&["images"][..], flags].concat(), &[]);
        assert_eq!(
            images.status.code(),
            Some(0),
            "{flags:?}: {}",
            stderr(&images)
        );
        let listed: std::collections::BTreeSet<String> = String::from_utf8(images.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        let render = sigstore_up(home.path(), &[&["render"][..], flags].concat(), &[]);
        assert_eq!(
            render.status.code(),
            Some(0),
            "{flags:?}: {}",
            stderr(&render)
        );
        let rendered: std::collections::BTreeSet<String> = String::from_utf8(render.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.trim().strip_prefix("image: "))
            .map(String::from)
            .collect();
        assert_eq!(listed, rendered, "{flags:?}");
    }
}

/// One row: arguments, environment, the exit code, what the message must name.
type BadInput<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, i32, &'a [&'a str]);

/// Bad input, one table: each row is refused with the README's exit code and a message naming
/// the problem (and the fix), before any cluster is contacted (there is none here). The cases
/// that need a cluster (missing RBAC, objects owned by someone else, ports in use, an image that
/// cannot be pulled) are in the cluster tests (cluster_install, cli_forward_token).
#[test]
fn bad_input_table() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let syntax = file("syntax.yaml", "images: [unclosed\n");
    let unknown = file("unknown.yaml", "fulcio:\n  issuer: https://x\n");
    let wrong_type = file("type.yaml", "mysql:\n  persistence: sometimes\n");
    let not_a_map = file("list.yaml", "- a\n- b\n");
    let bad_kubeconfig = file("kubeconfig-bad", "this is: [not a kubeconfig\n");
    let unreachable = write_kubeconfig(dir, "https://127.0.0.1:1");
    let unreachable = unreachable.to_str().unwrap();
    #[rustfmt::skip]
    let cases: Vec<BadInput> = vec![
        // flags
        (vec!["frobnicate"], vec![], 2, &["frobnicate"]),
        (vec!["install", "--timeout", "soon"], vec![], 2, &["soon"]),
        (vec!["install", "--profile", "ancient"], vec![], 2, &["ancient", "classic", "modern"]),
        (vec!["status", "-o", "xml"], vec![], 2, &["xml"]),
        (vec!["token", "--duration", "1s"], vec![], 2, &["10 minutes"]),
        (vec!["forward", "--rekor-port", "0x"], vec![], 2, &["0x"]),
        // values files
        (vec!["render", "-f", &syntax], vec![], 2, &["syntax.yaml"]),
        (vec!["render", "-f", &unknown], vec![], 2, &["fulcio.issuer", "fulcio.issuer_url"]),
        (vec!["render", "-f", &wrong_type], vec![], 2, &["mysql.persistence"]),
        (vec!["render", "-f", &not_a_map], vec![], 2, &["list.yaml"]),
        (vec!["render", "-f", "/nonexistent/values.yaml"], vec![], 2, &["/nonexistent/values.yaml"]),
        // --set: unknown keys, wrong types, out of range
        (vec!["render", "--set", "replicas.rekr=2"], vec![], 2, &["replicas.rekr", "replicas.rekor"]),
        (vec!["render", "--set", "replicas.rekor=lots"], vec![], 2, &["whole number"]),
        (vec!["render", "--set", "replicas.rekor=0"], vec![], 2, &["1 to 20"]),
        (vec!["render", "--set", "replicas.rekor=99"], vec![], 2, &["1 to 20"]),
        (vec!["render", "--set", "profile=ancient"], vec![], 2, &["ancient", "classic, modern"]),
        (vec!["render", "--set", "noequals"], vec![], 2, &["noequals"]),
        (vec!["render", "--set", "lifetimes.identity_token_seconds=60"], vec![], 2, &["600"]),
        (vec!["render", "--set", "trillian.batch_size=0"], vec![], 2, &["batch size"]),
        // names, URLs, quantities, durations, images
        (vec!["render", "--set", "namespaces.rekor=Rekor_System"], vec![], 2, &["namespaces.rekor", "DNS label"]),
        (vec!["render", "--set", "fulcio.issuer_url=https://x/"], vec![], 2, &["fulcio.issuer_url"]),
        (vec!["render", "--set", "fulcio.issuer_url=ftp://x"], vec![], 2, &["fulcio.issuer_url", "http"]),
        (vec!["render", "--set", "resources.fulcio.memory=lots"], vec![], 2, &["resources.fulcio.memory", "quantity"]),
        (vec!["render", "--set", "rekor_tiles.storage_size=1 GB"], vec![], 2, &["rekor_tiles.storage_size"]),
        (vec!["render", "--set", "rekor_tiles.checkpoint_interval=often"], vec![], 2, &["rekor_tiles.checkpoint_interval"]),
        (vec!["render", "--set", "images.fulcio=bad image ref"], vec![], 2, &["images.fulcio", "image reference"]),
        (vec!["render", "--image-registry", "a b"], vec![], 2, &["--image-registry"]),
        // kubeconfig and context problems, an unreachable API server
        (vec!["status"], vec![], 3, &["kubeconfig"]),
        (vec!["status"], vec![("KUBECONFIG", bad_kubeconfig.as_str())], 3, &["kubeconfig-bad"]),
        (vec!["status", "--context", "gamma"], vec![("KUBECONFIG", unreachable)], 3, &["gamma", "alpha", "beta"]),
        (vec!["install"], vec![("KUBECONFIG", unreachable)], 3, &["https://127.0.0.1:1", "cannot reach"]),
        // teardown needs consent
        (vec!["teardown"], vec![], 2, &["--yes"]),
    ];
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for (args, env, code, needles) in &cases {
        let out = sigstore_up(dir, args, env);
        let message = stderr(&out);
        if out.status.code() != Some(*code) || !needles.iter().all(|n| message.contains(n)) {
            failures.push(format!(
                "{args:?}: exit {:?} (want {code}), message lacks one of {needles:?}:\n{message}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
