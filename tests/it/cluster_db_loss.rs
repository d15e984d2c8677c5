//! The classic profile's database pod is deleted, on the REAL test cluster (issue 13, "ready
//! means signable: faults"):
//! - with `mysql.persistence=false` (the default, an emptyDir) MariaDB comes back empty: `status`
//!   says the log data was lost and what `install` will do (exit 4); `install` creates new trees,
//!   rolls Rekor and the CT log onto them without touching keys or trust files, and signing works
//!   again; the entries logged before are not in the new log;
//! - with `mysql.persistence=true` (a PVC; the test cluster has no provisioner, so the test binds
//!   it to a hostPath PersistentVolume of its own) no entry is lost: Rekor's tree size and root
//!   hash are unchanged, the old entry is still at its index, the old bundle verifies, and the
//!   first signature after the pod came back works.
//!
//! #[ignore]d; run inside the cluster's network namespace (tests/run does):
//!   nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!     cargo test --test it cluster_db_loss:: -- --ignored --test-threads=1
//!
//! The cosign helpers here are this file's own for now (cluster_faults.rs has similar ones; they
//! belong in support::e2e once both are merged).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolume, Pod};
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, ResourceExt};
use serde_json::{Value, json};
use sigstore_up::catalog::{mariadb, rekor};
use sigstore_up::cluster::wait::pod_is_ready;
use sigstore_up::values::Values;

use crate::support::cluster::*;
use crate::support::e2e::*;
use crate::support::trust::IDENTITY;
use crate::support::{self, http_get, test_binary};

const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn without_persistence_status_reports_the_loss_and_install_starts_new_logs() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = support::cluster::ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let client = Signer::install(home, &["install"]);
    let (before, _) = client.sign("before the loss");
    let host = client.state.clone();
    let trust_before = trust_files(&host);
    let tree_before = recorded_rekor_tree().await;

    delete_mariadb_pod().await;

    // MariaDB is back, empty: Trillian answers that its tables do not exist.
    let report = status_once_trillian_answers(home);
    assert_eq!(report.0["log_data"]["state"], "lost", "{}", report.0);
    assert_eq!(
        report.1,
        Some(4),
        "status exits 4 when the log data was lost"
    );
    let out = sigstore_up(home, &["status"]);
    let (stdout, stderr) = (support::stdout(&out), support::stderr(&out));
    assert_eq!(out.status.code(), Some(4));
    assert!(stdout.contains("log data: LOST"), "{stdout}");
    assert!(
        stderr.contains("the log data was lost")
            && stderr.contains("`sigstore-up install` will create new trees")
            && stderr.contains("signatures made before are no longer in the log"),
        "status says what was lost and what install will do: {stderr}"
    );

    let out = sigstore_up(home, &["install"]);
    assert!(out.status.success(), "install after the loss failed");
    assert!(
        support::stderr(&out).contains(&format!(
            "Rekor's tree {tree_before} is no longer in Trillian's database"
        )),
        "install says which tree it replaced"
    );
    let tree_after = recorded_rekor_tree().await;
    assert_ne!(tree_after, tree_before, "install made Rekor a new tree");
    assert_eq!(
        rekor_pod_tree_annotation().await,
        tree_after.to_string(),
        "Rekor's pod runs on the new tree"
    );
    assert!(
        trillian_restarted_for()
            .await
            .starts_with(&format!("{tree_after},")),
        "install restarted Trillian for the new trees"
    );
    assert_eq!(
        trust_files(&host),
        trust_before,
        "the trust files did not change (no key was minted again)"
    );
    let report = status_once_trillian_answers(home);
    assert_eq!(report.0["log_data"]["state"], "intact", "{}", report.0);
    assert_eq!(report.1, Some(0), "status is happy again");

    // Signing works again, into the new log.
    let (after, _) = client.sign("after the loss");
    ok(client.verify(&after), "cosign verify-blob (after the loss)");

    // What was logged before is not in the new log. Its bundle still verifies: cosign checks the
    // inclusion proof against the signed checkpoint the bundle carries, not against the log.
    let old_body = before.body();
    let log = client.rekor_log();
    let size = log["treeSize"].as_u64().unwrap();
    for index in 0..size {
        assert_ne!(
            client.rekor_entry_body(index),
            old_body,
            "entry {index} of the new log is the old entry"
        );
    }
    eprintln!(
        "old bundle (log index {}) after the loss: new log has {size} entries; cosign verify-blob \
         of the old bundle: {}",
        before.log_index(),
        if client.verify(&before).status.success() {
            "still verifies (offline proof)"
        } else {
            "fails"
        }
    );

    client.finish();
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn with_persistence_no_entry_is_lost() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let volume = HostPathVolume::create().await;
    let _cleanup = Cleanup(home.to_path_buf());
    let _explain = support::cluster::ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    let client = Signer::install(home, &["install", "--set", "mysql.persistence=true"]);
    let claim = volume.claim_phase().await;
    assert_eq!(
        claim.as_deref(),
        Some("Bound"),
        "the PVC is bound to our volume"
    );
    let (before, _) = client.sign("before the pod goes");
    let log_before = client.rekor_log();
    let tree_before = recorded_rekor_tree().await;

    delete_mariadb_pod().await;

    let report = status_once_trillian_answers(home);
    assert_eq!(report.0["log_data"]["state"], "intact", "{}", report.0);
    // Rekor's readiness follows Trillian's database; it comes back by itself.
    let log_after = client.rekor_log_when_ready();
    assert_eq!(
        (
            &log_after["treeSize"],
            &log_after["rootHash"],
            &log_after["treeID"]
        ),
        (
            &log_before["treeSize"],
            &log_before["rootHash"],
            &log_before["treeID"]
        ),
        "Rekor's tree is the same, with the same entries"
    );
    assert_eq!(recorded_rekor_tree().await, tree_before);
    assert_eq!(
        client.rekor_entry_body(before.log_index()),
        before.body(),
        "the old entry is still at its index"
    );
    // The bundle's inclusion proof was made against this very root.
    let proof = &before.entry()["inclusionProof"];
    assert_eq!(
        proof["treeSize"].as_str().map(str::to_string),
        log_after["treeSize"].as_u64().map(|s| s.to_string()),
        "the bundle's proof is for the current tree size"
    );
    assert_eq!(
        hex(&base64_decode(proof["rootHash"].as_str().unwrap())),
        log_after["rootHash"].as_str().unwrap(),
        "the bundle's proof leads to the current root"
    );
    ok(
        client.verify(&before),
        "cosign verify-blob of the old bundle",
    );
    let out = sigstore_up(home, &["status"]);
    assert_eq!(out.status.code(), Some(0), "status is happy");

    // The first signature after the pod came back. Before Trillian's DSN had timeouts, its
    // signer hung 40-70 s on a connection to the replaced pod: Rekor answered cosign only after
    // cosign had given up and retried (409, the entry of its first attempt), so this failed.
    let started = std::time::Instant::now();
    let first = client.try_sign("after the pod came back");
    eprintln!(
        "first cosign sign-blob after MariaDB came back: {} after {:.1}s",
        if first.is_some() { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    let Some(after) = first else {
        show_trillian_signer_log().await;
        panic!("the first signature after MariaDB came back failed");
    };
    ok(client.verify(&after), "cosign verify-blob (after)");
    assert!(
        after.log_index() > before.log_index(),
        "the log went on where it was"
    );

    client.finish();
    drop(volume);
}

/// A signed blob: its file and bundle.
struct Signed {
    file: PathBuf,
    bundle: Value,
    bundle_path: PathBuf,
}

impl Signed {
    fn entry(&self) -> &Value {
        &self.bundle["verificationMaterial"]["tlogEntries"][0]
    }

    fn log_index(&self) -> u64 {
        // protobuf JSON writes int64 as a string and leaves out zero
        self.entry()["logIndex"]
            .as_str()
            .map_or(0, |i| i.parse().unwrap())
    }

    /// The entry's canonicalized body, base64 as Rekor serves it.
    fn body(&self) -> String {
        self.entry()["canonicalizedBody"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// An installed stack with a detached forward, a token, and cosign with the host trust files.
struct Signer {
    home: PathBuf,
    state: PathBuf,
    token_file: PathBuf,
    rekor_url: String,
}

impl Signer {
    fn install(home: &Path, install: &[&str]) -> Signer {
        ok(sigstore_up(home, install), "install");
        let forward = ok(
            sigstore_up(home, &["forward", "--detach"]),
            "forward --detach",
        );
        let rekor_url = forward
            .lines()
            .find_map(|l| l.strip_prefix("REKOR_URL="))
            .unwrap_or_else(|| panic!("forward names no REKOR_URL: {forward}"))
            .to_string();
        let token = ok(sigstore_up(home, &["token"]), "token");
        // cosign reads the token from a file, so it never appears in a command line or this log
        let token_file = home.join("oidc-token");
        std::fs::write(&token_file, token.trim()).unwrap();
        Signer {
            home: home.to_path_buf(),
            state: home.join(".local/state/sigstore-up/sigstore/host"),
            token_file,
            rekor_url,
        }
    }

    fn sign(&self, text: &str) -> (Signed, Output) {
        let (signed, out) = self.sign_output(text);
        assert!(out.status.success(), "cosign sign-blob {text:?} failed");
        (signed.unwrap(), out)
    }

    /// cosign sign-blob, whose failure is an answer.
    fn try_sign(&self, text: &str) -> Option<Signed> {
        self.sign_output(text).0
    }

    fn sign_output(&self, text: &str) -> (Option<Signed>, Output) {
        let name = text.replace(' ', "-");
        let file = self.home.join(format!("{name}.txt"));
        std::fs::write(&file, format!("{text}\n")).unwrap();
        let bundle_path = self.home.join(format!("{name}.sigstore.json"));
        let out = run(
            &self.home,
            &test_binary("cosign"),
            &[
                "sign-blob".as_ref(),
                "--yes".as_ref(),
                "--signing-config".as_ref(),
                self.state.join("signing_config.json").as_os_str(),
                "--trusted-root".as_ref(),
                self.state.join("trusted_root.json").as_os_str(),
                "--identity-token".as_ref(),
                self.token_file.as_os_str(),
                "--bundle".as_ref(),
                bundle_path.as_os_str(),
                file.as_os_str(),
            ],
        );
        if !out.status.success() {
            return (None, out);
        }
        let bundle = serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
        (
            Some(Signed {
                file,
                bundle,
                bundle_path,
            }),
            out,
        )
    }

    fn verify(&self, signed: &Signed) -> Output {
        run(
            &self.home,
            &test_binary("cosign"),
            &[
                "verify-blob".as_ref(),
                "--bundle".as_ref(),
                signed.bundle_path.as_os_str(),
                "--trusted-root".as_ref(),
                self.state.join("trusted_root.json").as_os_str(),
                "--certificate-identity".as_ref(),
                IDENTITY.as_ref(),
                "--certificate-oidc-issuer".as_ref(),
                ISSUER.as_ref(),
                signed.file.as_os_str(),
            ],
        )
    }

    /// Rekor's `GET /api/v1/log` through the forward.
    fn rekor_log(&self) -> Value {
        let (status, body) = http_get(&format!("{}/api/v1/log", self.rekor_url)).unwrap();
        assert_eq!(status, 200, "Rekor's /api/v1/log: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// [`Self::rekor_log`] once Rekor answers again (it is not ready while Trillian cannot
    /// reach its database); bounded by a number of attempts, not asserted on time.
    fn rekor_log_when_ready(&self) -> Value {
        let url = format!("{}/api/v1/log", self.rekor_url);
        for _ in 0..120 {
            if let Ok((200, body)) = http_get(&url) {
                return serde_json::from_str(&body).unwrap();
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("Rekor never answered {url} again");
    }

    /// The body of the entry at `index`, base64 as in a bundle.
    fn rekor_entry_body(&self, index: u64) -> String {
        let (status, body) = http_get(&format!(
            "{}/api/v1/log/entries?logIndex={index}",
            self.rekor_url
        ))
        .unwrap();
        assert_eq!(status, 200, "entry {index}: {body}");
        let entries: serde_json::Map<String, Value> = serde_json::from_str(&body).unwrap();
        let (_, entry) = entries.into_iter().next().expect("one entry");
        entry["body"].as_str().unwrap().to_string()
    }

    fn finish(&self) {
        ok(
            sigstore_up(&self.home, &["forward", "--stop"]),
            "forward --stop",
        );
        ok(sigstore_up(&self.home, &["teardown", "--yes"]), "teardown");
    }
}

/// The trust files of the host audience, by name.
fn trust_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        // env holds a fresh token each time
        .filter(|e| e.file_name() != "env")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `status -o json` until Trillian can be asked about the trees (MariaDB and the Trillian
/// log server may still be coming back): the report and the exit code.
fn status_once_trillian_answers(home: &Path) -> (Value, Option<i32>) {
    for _ in 0..120 {
        let out = sigstore_up(home, &["status", "-o", "json"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        if report["log_data"]["state"] != "unknown" {
            return (report, out.status.code());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("status never could ask Trillian about the trees");
}

async fn recorded_rekor_tree() -> i64 {
    let values = Values::default();
    let api: Api<ConfigMap> =
        Api::namespaced(cluster().await.client, rekor::COMPONENT.namespace(&values));
    let config = api.get(rekor::CONFIG.name).await.unwrap();
    config.data.unwrap()[rekor::CONFIG.key("tree_id")]
        .parse()
        .unwrap()
}

/// The tree annotation on Rekor's running pod (install's "apply rekor, ctlog" puts it on the
/// pod template).
async fn rekor_pod_tree_annotation() -> String {
    let values = Values::default();
    let pods: Api<Pod> =
        Api::namespaced(cluster().await.client, rekor::COMPONENT.namespace(&values));
    let list = pods
        .list(
            &ListParams::default()
                .labels(&format!("app.kubernetes.io/name={}", rekor::COMPONENT.name)),
        )
        .await
        .unwrap();
    let running: Vec<&Pod> = list
        .items
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    assert_eq!(running.len(), 1, "one Rekor pod");
    running[0].annotations()[sigstore_up::stages::apply::TREE_ID_ANNOTATION].clone()
}

/// The trees Trillian's log signer was last restarted for (install's annotation).
async fn trillian_restarted_for() -> String {
    use k8s_openapi::api::apps::v1::Deployment;
    use sigstore_up::catalog::trillian_log_signer;
    let values = Values::default();
    let api: Api<Deployment> = Api::namespaced(
        cluster().await.client,
        trillian_log_signer::COMPONENT.namespace(&values),
    );
    let deployment = api.get(trillian_log_signer::COMPONENT.name).await.unwrap();
    deployment
        .spec
        .and_then(|s| s.template.metadata)
        .and_then(|m| m.annotations)
        .and_then(|a| {
            a.get(sigstore_up::stages::trees::RESTARTED_FOR_TREES_ANNOTATION)
                .cloned()
        })
        .unwrap_or_default()
}

/// Prints the end of Trillian's log signer's log (what it did while Rekor waited), when a
/// signature failed.
async fn show_trillian_signer_log() {
    use kube::api::LogParams;
    use sigstore_up::catalog::trillian_log_signer;
    let values = Values::default();
    let pods: Api<Pod> = Api::namespaced(
        cluster().await.client,
        trillian_log_signer::COMPONENT.namespace(&values),
    );
    let list = pods
        .list(&ListParams::default().labels(&format!(
            "app.kubernetes.io/name={}",
            trillian_log_signer::COMPONENT.name
        )))
        .await
        .unwrap();
    for pod in list.items {
        let params = LogParams {
            tail_lines: Some(40),
            ..LogParams::default()
        };
        let log = pods
            .logs(&pod.name_any(), &params)
            .await
            .unwrap_or_default();
        eprintln!("log of {}:\n{log}", pod.name_any());
    }
}

/// Deletes the MariaDB pod and waits until its replacement is ready.
async fn delete_mariadb_pod() {
    let values = Values::default();
    let pods: Api<Pod> = Api::namespaced(
        cluster().await.client,
        mariadb::COMPONENT.namespace(&values),
    );
    let selector = format!("app.kubernetes.io/name={}", mariadb::COMPONENT.name);
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1, "one MariaDB pod");
    let old = list.items[0].name_any();
    pods.delete(&old, &DeleteParams::default()).await.unwrap();
    eprintln!("deleted pod {old}");
    for _ in 0..240 {
        let list = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .unwrap();
        if let Some(new) = list
            .items
            .iter()
            .find(|p| p.name_any() != old && pod_is_ready(p))
        {
            eprintln!("pod {} is ready", new.name_any());
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no new MariaDB pod became ready");
}

/// The test cluster has no storage provisioner (no StorageClass): a hostPath PersistentVolume,
/// made here and pre-bound to MariaDB's claim, is what a provisioner would have made.
struct HostPathVolume {
    name: String,
    dir: tempfile::TempDir,
}

impl HostPathVolume {
    async fn create() -> HostPathVolume {
        use std::os::unix::fs::PermissionsExt as _;
        // /var/tmp: the node's private mount namespace shares it with the host. MariaDB runs as
        // uid 999, and a hostPath volume ignores fsGroup, so the directory is open to it.
        let dir = tempfile::Builder::new()
            .prefix("sigstore-up-db-loss-")
            .tempdir_in("/var/tmp")
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let values = Values::default();
        let name = format!(
            "sigstore-up-test-{}",
            dir.path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_lowercase()
        )
        .replace('_', "-");
        let volume: PersistentVolume = serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {
                "capacity": {"storage": values.mysql.storage_size},
                "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "hostPath": {"path": dir.path(), "type": "Directory"},
                "claimRef": {
                    "namespace": mariadb::COMPONENT.namespace(&values),
                    "name": mariadb::DATA_CLAIM,
                },
            },
        }))
        .unwrap();
        let api: Api<PersistentVolume> = Api::all(cluster().await.client);
        api.create(&PostParams::default(), &volume).await.unwrap();
        HostPathVolume { name, dir }
    }

    async fn claim_phase(&self) -> Option<String> {
        use k8s_openapi::api::core::v1::PersistentVolumeClaim;
        let values = Values::default();
        let api: Api<PersistentVolumeClaim> = Api::namespaced(
            cluster().await.client,
            mariadb::COMPONENT.namespace(&values),
        );
        let claim = api.get(mariadb::DATA_CLAIM).await.unwrap();
        assert_eq!(
            claim.spec.and_then(|s| s.volume_name).as_deref(),
            Some(self.name.as_str())
        );
        claim.status.and_then(|s| s.phase)
    }
}

/// Deletes the volume also when the test fails (else its claimRef would wait for the next
/// install's claim); its directory goes with the TempDir.
impl Drop for HostPathVolume {
    fn drop(&mut self) {
        let name = self.name.clone();
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let api: Api<PersistentVolume> = Api::all(cluster().await.client);
                let _ = api.delete(&name, &DeleteParams::default()).await;
            })
        })
        .join()
        .unwrap();
        eprintln!("deleted {} ({})", self.name, self.dir.path().display());
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
