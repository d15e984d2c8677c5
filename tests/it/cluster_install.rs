//! The whole install on the REAL test cluster (tests/cluster/up): every component becomes Ready,
//! a second install is a no-op that keeps every identity (keys, certificates, passwords, trees)
//! and restarts no pod, the servers accept what install minted (no error in their logs), and an
//! install killed with SIGKILL after any stage completes on the next run, reusing
//! what exists. #[ignore]d: run inside the cluster's network namespace, as cluster_data_tier.rs
//! says.

use crate::support::cli::{self, SIGSTORE_UP};
use crate::support::cluster::*;
use crate::support::{run, stderr};
use sigstore_up::catalog::Profile;
use sigstore_up::pipeline::install_stages;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret};
use kube::api::{ListParams, LogParams};
use kube::{Api, Client};

const KEY_SECRETS: [(&str, &str); 7] = [
    ("trillian-system", "trillian-mysql"),
    ("fulcio-system", "fulcio-secret"),
    ("ctlog-system", "ctlog-secrets"),
    ("ctlog-system", "ctlog-public-key"),
    ("rekor-system", "rekor-signing-key"),
    ("rekor-system", "rekor-public-key"),
    ("tuf-system", "tuf-signing-keys"),
];
const TREE_CONFIG_MAPS: [(&str, &str); 2] = [
    ("rekor-system", "rekor-config"),
    ("ctlog-system", "ctlog-config"),
];
const SERVERS: [(&str, &str); 3] = [
    ("fulcio-system", "fulcio"),
    ("ctlog-system", "ctlog"),
    ("rekor-system", "rekor"),
];

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(SIGSTORE_UP);
    command
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .env("CI", "true");
    command
}

fn sigstore_up(args: &[&str]) -> Output {
    let out = run(&mut command(args));
    cli::show(&format!("sigstore-up {}", args.join(" ")), &out);
    out
}

fn succeeded(args: &[&str]) -> String {
    let out = sigstore_up(args);
    assert!(
        out.status.success(),
        "sigstore-up {} failed",
        args.join(" ")
    );
    stderr(&out)
}

async fn client() -> Client {
    cluster().await.client
}

/// What must never change once minted: every key Secret's data and every tree ID.
async fn identities(client: &Client) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    let mut found = BTreeMap::new();
    for (namespace, name) in KEY_SECRETS {
        let secret = Api::<Secret>::namespaced(client.clone(), namespace)
            .get(name)
            .await
            .unwrap();
        let data = secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect();
        found.insert(format!("Secret {namespace}/{name}"), data);
    }
    for (namespace, name) in TREE_CONFIG_MAPS {
        let config_map = Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .get(name)
            .await
            .unwrap();
        let data = config_map
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.into_bytes()))
            .collect();
        found.insert(format!("ConfigMap {namespace}/{name}"), data);
    }
    found
}

/// Every pod of the stack: its name, uid and restart count.
async fn pods(client: &Client) -> Vec<(String, String, i32)> {
    let mut found = Vec::new();
    for namespace in [
        "trillian-system",
        "rekor-system",
        "ctlog-system",
        "fulcio-system",
        "tuf-system",
    ] {
        let list = Api::<Pod>::namespaced(client.clone(), namespace)
            .list(&ListParams::default())
            .await
            .unwrap();
        for pod in list {
            let restarts = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .map_or(0, |statuses| statuses.iter().map(|c| c.restart_count).sum());
            found.push((
                pod.metadata.name.unwrap(),
                pod.metadata.uid.unwrap(),
                restarts,
            ));
        }
    }
    found.sort();
    found
}

/// A server that rejected what install minted says so in its log: no error line is allowed, but
/// for one start-up race that is not about our material: a log applied right after Trillian
/// became ready may reach the Trillian Service before kube-proxy has written its rules (up to
/// half a second), and logs that first refused connection.
async fn assert_servers_accept_their_material(client: &Client) {
    for (namespace, name) in SERVERS {
        let pods = Api::<Pod>::namespaced(client.clone(), namespace);
        let list = pods
            .list(&ListParams::default().labels(&format!("app.kubernetes.io/name={name}")))
            .await
            .unwrap();
        for pod in list {
            let log = pods
                .logs(&pod.metadata.name.unwrap(), &LogParams::default())
                .await
                .unwrap();
            let bad: Vec<&str> = log
                .lines()
                .filter(|line| {
                    let lower = line.to_lowercase();
                    line.starts_with('E')
                        && line
                            .get(1..5)
                            .is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
                        || lower.contains("\"severity\":\"error\"")
                        || lower.contains("\"level\":\"error\"")
                        || lower.contains("fatal")
                        || lower.contains("panic")
                })
                .filter(|line| !line.contains("connect: connection refused"))
                .collect();
            assert!(
                bad.is_empty(),
                "{namespace}/{name} logged errors:\n{}",
                bad.join("\n")
            );
        }
    }
}

/// The status line install printed for `stage`.
fn stage_line<'a>(output: &'a str, stage: &str) -> &'a str {
    let marker = format!(" ok   {stage} ");
    output
        .lines()
        .find(|line| line.contains(&marker))
        .unwrap_or_else(|| panic!("no line for stage {stage}:\n{output}"))
}

fn teardown() {
    succeeded(&["teardown", "--yes"]);
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn install_brings_everything_up_and_a_second_install_changes_nothing() {
    let _explain = ExplainOnFailure { home: None };
    let client = client().await;
    teardown();
    let first = succeeded(&["install"]);
    assert!(first.contains("Trillian tables created"), "{first}");
    assert!(
        first.contains("rekor tree") && first.contains("created"),
        "{first}"
    );
    // The gate made a keyless round trip through Fulcio, the CT log and Rekor.
    let gate = stage_line(&first, "signable");
    for proved in [
        "signed as https://kubernetes.io/namespaces/",
        "SCT from the trusted CT log",
        "Rekor v1 entry",
        "read back",
    ] {
        assert!(gate.contains(proved), "{proved:?} not in:\n{first}");
    }
    succeeded(&["status"]);
    assert_servers_accept_their_material(&client).await;

    // (On a freshly started cluster the Trillian pods may restart once during the first install:
    // they can start before kube-proxy routes the mysql Service. The second install must not
    // restart or replace anything, which is what is checked below.)
    let before = identities(&client).await;
    let pods_before = pods(&client).await;

    // Every stage, though nothing changed (--full: no fast path).
    let second = succeeded(&["install", "--full"]);
    for expected in [
        "trillian-mysql exists",
        "fulcio-secret exists",
        "ctlog-secrets exists",
        "rekor-signing-key exists",
        "ctlog config unchanged",
        "keys exists; cluster unchanged",
    ] {
        assert!(
            second.contains(expected),
            "second install lacks {expected:?}:\n{second}"
        );
    }
    assert!(stage_line(&second, "schema").contains("exists"), "{second}");
    // Converged: the gate writes nothing into the logs.
    assert!(
        stage_line(&second, "signable").contains("converged: nothing written to the logs"),
        "{second}"
    );
    assert!(
        !second.contains("created"),
        "second install created something:\n{second}"
    );
    assert_eq!(
        before,
        identities(&client).await,
        "identities changed on a second install"
    );
    assert_eq!(
        pods_before,
        pods(&client).await,
        "pods were replaced or restarted by a second install"
    );

    // The fast path: nothing changed since the record, so only "compare" and "trust" run.
    let third = succeeded(&["install"]);
    assert!(
        stage_line(&third, "compare").contains("unchanged since the last install"),
        "{third}"
    );
    assert!(
        stage_line(&third, "trust").contains("written to"),
        "{third}"
    );
    assert!(
        !third.contains("preflight"),
        "the fast path ran preflight:\n{third}"
    );

    // Drift: an object install writes is gone. The next install sees it, runs every stage
    // and puts it back, without touching anything else.
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "fulcio-system");
    config_maps
        .delete("fulcio-config", &Default::default())
        .await
        .unwrap();
    let repaired = succeeded(&["install"]);
    assert!(
        stage_line(&repaired, "compare")
            .contains("ConfigMap fulcio-system/fulcio-config is gone: running every stage"),
        "{repaired}"
    );
    assert!(
        stage_line(&repaired, "apply fulcio").contains("created 1"),
        "{repaired}"
    );
    config_maps.get("fulcio-config").await.unwrap();
    assert_eq!(before, identities(&client).await, "identities changed");
    // ... and records the repaired state: the run after it takes the fast path again.
    let after_repair = succeeded(&["install"]);
    assert!(
        stage_line(&after_repair, "compare").contains("unchanged since the last install"),
        "{after_repair}"
    );
    teardown();
}

/// Starts install and SIGKILLs it as soon as stage `stage` reports done; returns what it printed.
fn install_killed_after(stage: &str) -> String {
    install_killed_after_with(stage, &[])
}

fn install_killed_after_with(stage: &str, flags: &[&str]) -> String {
    let mut child = command(&[&["install"][..], flags].concat())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let marker = format!(" ok   {stage} ");
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains(&marker) {
            child.kill().unwrap();
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "install finished before it could be killed after {stage}:\n{printed}"
    );
    eprintln!("killed after {stage}:\n{printed}");
    printed
}

/// Every stage boundary is a kill point, in one chain of runs: run k is SIGKILLed right after
/// stage k reports done, and the run after it resumes from what the kills before left. So each
/// stage first does its work in the run killed right after it, with every stage before it done
/// (what a cold install killed there leaves), and each run proves it got past what the last kill
/// left; the final run completes. One cold install's worth of work instead of one per stage (a
/// teardown and a cold install per kill point took 4 min of every CI run).
#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn an_install_killed_at_any_stage_completes_on_the_next_run() {
    let _explain = ExplainOnFailure { home: None };
    let client = client().await;
    let stages: Vec<&str> = install_stages(Profile::Classic)
        .iter()
        .map(|s| s.name)
        .collect();
    let position = |name: &str| stages.iter().position(|s| *s == name).unwrap();
    // What a run that began after `done` (killed after it, or the final one) printed shows that
    // it found, not re-made, what the runs before it made.
    let check_resumed = |printed: &str, done: usize, run: &str| {
        if done >= position("secrets") {
            assert!(
                printed.contains("trillian-mysql exists")
                    && printed.contains("fulcio-secret exists"),
                "{run} re-minted a password or Fulcio's CA:\n{printed}"
            );
        }
        if done >= position("schema") {
            assert!(
                stage_line(printed, "schema").contains("exists"),
                "{run} re-created the schema:\n{printed}"
            );
        }
        if done >= position("trees") {
            assert!(
                printed.contains("rekor tree") && !printed.contains("tree created"),
                "{run} re-created a tree:\n{printed}"
            );
        }
    };
    teardown();
    let mut kept = Kept::default();
    for (k, &stage) in stages[..stages.len() - 1].iter().enumerate() {
        let printed = install_killed_after(stage);
        if k > 0 {
            check_resumed(&printed, k - 1, &format!("the run killed after {stage}"));
        }
        kept.check(
            identities_present(&client).await,
            &format!("killed after {stage}"),
        );
    }
    let last = succeeded(&["install"]);
    // No round trip passed before the last kill, so the last run proves one.
    assert!(
        stage_line(&last, "signable").contains("signed as"),
        "the run after the last kill:\n{last}"
    );
    check_resumed(&last, stages.len() - 2, "the run after the last kill");
    kept.check(
        identities_present(&client).await,
        "the run after the last kill",
    );
    succeeded(&["status"]);
    assert_servers_accept_their_material(&client).await;
    teardown();
}

/// Each key Secret entry as first seen: a later look must find it unchanged.
#[derive(Default)]
struct Kept(BTreeMap<(String, String), Vec<u8>>);

impl Kept {
    fn check(&mut self, present: Vec<(String, BTreeMap<String, Vec<u8>>)>, when: &str) {
        for (name, data) in present {
            for (key, value) in data {
                let first = self
                    .0
                    .entry((name.clone(), key.clone()))
                    .or_insert(value.clone());
                assert_eq!(*first, value, "{name} key {key} changed ({when})");
            }
        }
    }
}

/// The key Secrets and tree ConfigMaps that exist right now (after a killed install), with
/// their data.
async fn identities_present(client: &Client) -> Vec<(String, BTreeMap<String, Vec<u8>>)> {
    let mut found = Vec::new();
    for (namespace, name) in KEY_SECRETS {
        if let Some(secret) = Api::<Secret>::namespaced(client.clone(), namespace)
            .get_opt(name)
            .await
            .unwrap()
        {
            let data = secret
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect();
            found.push((format!("Secret {namespace}/{name}"), data));
        }
    }
    for (namespace, name) in TREE_CONFIG_MAPS {
        if let Some(config_map) = Api::<ConfigMap>::namespaced(client.clone(), namespace)
            .get_opt(name)
            .await
            .unwrap()
        {
            let data = config_map
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect();
            found.push((format!("ConfigMap {namespace}/{name}"), data));
        }
    }
    found
}

/// Every Secret of ours, by namespace/name, with its data.
async fn all_secrets(client: &Client) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    let list = Api::<Secret>::all(client.clone())
        .list(&ListParams::default().labels("app.kubernetes.io/managed-by=sigstore-up"))
        .await
        .unwrap();
    list.items
        .into_iter()
        .map(|secret| {
            let name = format!(
                "{}/{}",
                secret.metadata.namespace.unwrap_or_default(),
                secret.metadata.name.unwrap_or_default()
            );
            let data = secret
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect();
            (name, data)
        })
        .collect()
}

/// The modern profile, killed after each of its stages in one chain of runs (as the classic
/// test above): the run after the last kill completes, and no Secret changes once written.
#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn a_modern_install_killed_at_any_stage_completes_on_the_next_run() {
    let _explain = ExplainOnFailure { home: None };
    let client = client().await;
    let stages: Vec<&str> = install_stages(Profile::Modern)
        .iter()
        .map(|s| s.name)
        .collect();
    teardown();
    // Each Secret as first seen, whole: a later look must find it exactly so.
    let mut first_seen: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut check = |secrets: BTreeMap<String, BTreeMap<String, Vec<u8>>>, when: &str| {
        for (name, data) in secrets {
            let first = first_seen.entry(name.clone()).or_insert(data.clone());
            assert_eq!(*first, data, "{name} changed ({when})");
        }
    };
    for &stage in &stages[..stages.len() - 1] {
        install_killed_after_with(stage, &["--profile", "modern"]);
        check(all_secrets(&client).await, &format!("killed after {stage}"));
    }
    let last = succeeded(&["install", "--profile", "modern"]);
    // No round trip passed before the last kill, so the last run proves one.
    assert!(
        stage_line(&last, "signable").contains("signed as"),
        "the run after the last kill:\n{last}"
    );
    check(all_secrets(&client).await, "the run after the last kill");
    succeeded(&["status", "--probe"]);
    teardown();
}
