//! Offline tests of building and refreshing repositories; every repository is read back with
//! tough's own client (signatures, hashes, versions and expiry as a client checks them).

use std::sync::Arc;
use std::time::Duration;

use super::mirror::{Audience, refresh_all, subtree};
use super::repository::{Files, Inputs, TargetFile, refresh};
use super::sigstore::{Usage, document, legacy};
use super::verify::{Loaded, MemoryTransport, load};
use super::*;

const DAY: i64 = 86_400;

struct Fixture {
    keys: RoleKeys,
    root: Vec<u8>,
    lifetimes: Lifetimes,
}

async fn fixture() -> Fixture {
    let keys = RoleKeys::generate();
    let lifetimes = Lifetimes::default();
    let root = keys
        .sign_root(now() + lifetimes.root.as_secs() as i64)
        .await
        .unwrap();
    Fixture {
        keys,
        root,
        lifetimes,
    }
}

fn targets(rekor: &str) -> Vec<TargetFile> {
    vec![
        document("trusted_root.json", "{\"mediaType\":\"x\"}\n".into()),
        document("signing_config.v0.2.json", "{}\n".into()),
        legacy(
            "rekor.pub",
            rekor.to_string(),
            Usage::Rekor,
            "http://rekor.rekor-system.svc",
        ),
    ]
}

impl Fixture {
    fn inputs<'a>(&'a self, targets: &'a [TargetFile], now: i64) -> Inputs<'a> {
        Inputs {
            root_json: &self.root,
            keys: &self.keys,
            targets,
            lifetimes: &self.lifetimes,
            now,
        }
    }

    async fn load(&self, files: &Files) -> anyhow::Result<Loaded> {
        let base = url::Url::parse("http://mirror.invalid/").unwrap();
        load(&self.root, &base, MemoryTransport(Arc::new(files.clone()))).await
    }
}

fn role_files(files: &Files) -> Vec<&String> {
    files
        .keys()
        .filter(|p| !p.starts_with("targets/"))
        .collect()
}

#[tokio::test]
async fn a_new_repository_verifies_with_toughs_client() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let built = refresh(&f.inputs(&targets, now()), &Files::new())
        .await
        .unwrap();
    assert!(built.signed.targets && built.signed.snapshot && built.signed.timestamp);
    assert_eq!(
        role_files(&built.files),
        [
            "1.root.json",
            "1.snapshot.json",
            "1.targets.json",
            "root.json",
            "timestamp.json"
        ]
    );
    assert_eq!(built.files["root.json"], f.root);

    let loaded = f.load(&built.files).await.unwrap();
    assert_eq!(loaded.files.len(), 3);
    assert_eq!(loaded.files["rekor.pub"].0, b"REKOR KEY 1\n");
    assert_eq!(
        loaded.files["rekor.pub"].1,
        serde_json::json!({"sigstore": {"usage": "Rekor", "status": "Active",
            "uri": "http://rekor.rekor-system.svc"}})
    );
    assert_eq!(loaded.files["trusted_root.json"].1, serde_json::json!({}));
    let day = DAY;
    let within = |(_, expires): (u64, i64), days: i64| (expires - now() - days * day).abs() < 60;
    assert!(within(loaded.timestamp, 180));
    assert!(within(loaded.snapshot, 365));
    assert!(within(loaded.targets, 365));
    assert!(within(loaded.root, 3650));
    // Targets are served by hash, as consistent snapshots require.
    assert!(
        built
            .files
            .keys()
            .any(|p| p.starts_with("targets/") && p.ends_with(".rekor.pub"))
    );
}

#[tokio::test]
async fn nothing_changes_when_nothing_is_due() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let first = refresh(&f.inputs(&targets, now()), &Files::new())
        .await
        .unwrap();
    // A month later everything still has more than half its life.
    let again = refresh(&f.inputs(&targets, now() + 30 * DAY), &first.files)
        .await
        .unwrap();
    assert!(!again.signed.any());
    assert_eq!(again.files, first.files);
}

#[tokio::test]
async fn a_timestamp_near_expiry_is_signed_again_alone() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let first = refresh(&f.inputs(&targets, now()), &Files::new())
        .await
        .unwrap();
    // 100 days on: the 180-day timestamp has less than half left, the 365-day roles more.
    let later = now() + 100 * DAY;
    let again = refresh(&f.inputs(&targets, later), &first.files)
        .await
        .unwrap();
    assert_eq!(
        again.signed,
        repository::SignedRoles {
            targets: false,
            snapshot: false,
            timestamp: true
        }
    );
    assert_eq!(again.state.timestamp.0, 2);
    assert_eq!(again.state.timestamp.1, later + 180 * DAY);
    for (path, bytes) in &again.files {
        if path != "timestamp.json" {
            assert_eq!(Some(bytes), first.files.get(path), "{path} changed");
        }
    }
    assert_ne!(again.files["timestamp.json"], first.files["timestamp.json"]);
    f.load(&again.files).await.unwrap();
}

#[tokio::test]
async fn a_snapshot_near_expiry_is_signed_again_with_the_timestamp() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let first = refresh(&f.inputs(&targets, now()), &Files::new())
        .await
        .unwrap();
    let mut lifetimes = f.lifetimes;
    lifetimes.snapshot = Duration::from_secs(20 * DAY as u64);
    lifetimes.timestamp = Duration::from_secs(20 * DAY as u64);
    // The snapshot lifetime was shortened: it now expires too far out, and is signed again.
    let inputs = Inputs {
        lifetimes: &lifetimes,
        ..f.inputs(&targets, now())
    };
    let again = refresh(&inputs, &first.files).await.unwrap();
    assert!(!again.signed.targets && again.signed.snapshot && again.signed.timestamp);
    assert_eq!(
        role_files(&again.files),
        [
            "1.root.json",
            "1.targets.json",
            "2.snapshot.json",
            "root.json",
            "timestamp.json"
        ]
    );
    assert_eq!(again.files["1.targets.json"], first.files["1.targets.json"]);
    f.load(&again.files).await.unwrap();
}

#[tokio::test]
async fn changed_trust_material_re_signs_targets_snapshot_and_timestamp_never_the_root() {
    let f = fixture().await;
    let first = refresh(&f.inputs(&targets("REKOR KEY 1\n"), now()), &Files::new())
        .await
        .unwrap();
    let changed = targets("REKOR KEY 2\n");
    let again = refresh(&f.inputs(&changed, now()), &first.files)
        .await
        .unwrap();
    assert!(again.signed.targets && again.signed.snapshot && again.signed.timestamp);
    assert_eq!(again.state.targets.0, 2);
    assert_eq!(again.files["root.json"], first.files["root.json"]);
    assert_eq!(again.files["1.root.json"], first.files["1.root.json"]);
    assert!(!again.files.contains_key("1.targets.json"), "only current");
    let loaded = f.load(&again.files).await.unwrap();
    assert_eq!(loaded.files["rekor.pub"].0, b"REKOR KEY 2\n");
    assert_eq!(loaded.targets.0, 2);

    // Custom metadata alone is a change too (a service moved).
    let mut moved = changed.clone();
    moved[2] = legacy(
        "rekor.pub",
        "REKOR KEY 2\n".into(),
        Usage::Rekor,
        "http://127.0.0.1:3000",
    );
    let third = refresh(&f.inputs(&moved, now()), &again.files)
        .await
        .unwrap();
    assert!(third.signed.targets);
}

#[tokio::test]
async fn an_expired_repository_is_valid_again_after_a_refresh() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let mut lifetimes = f.lifetimes;
    lifetimes.timestamp = Duration::from_secs(DAY as u64);
    // Signed two days ago with a one-day timestamp: expired now.
    let inputs = Inputs {
        lifetimes: &lifetimes,
        ..f.inputs(&targets, now() - 2 * DAY)
    };
    let old = refresh(&inputs, &Files::new()).await.unwrap();
    let refused = f.load(&old.files).await.unwrap_err().to_string();
    assert!(refused.contains("expired"), "{refused}");

    let inputs = Inputs {
        lifetimes: &lifetimes,
        ..f.inputs(&targets, now())
    };
    let renewed = refresh(&inputs, &old.files).await.unwrap();
    assert!(renewed.signed.timestamp && !renewed.signed.targets);
    assert_eq!(renewed.files["root.json"], old.files["root.json"]);
    f.load(&renewed.files).await.unwrap();
}

#[tokio::test]
async fn tampered_metadata_is_replaced_and_versions_go_on() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let first = refresh(&f.inputs(&targets, now()), &Files::new())
        .await
        .unwrap();
    let mut tampered = first.files.clone();
    let snapshot = tampered.get_mut("1.snapshot.json").unwrap();
    let text = String::from_utf8(snapshot.clone())
        .unwrap()
        .replace("\"version\": 1", "\"version\": 7");
    *snapshot = text.into_bytes();
    let again = refresh(&f.inputs(&targets, now()), &tampered)
        .await
        .unwrap();
    assert!(again.signed.targets && again.signed.snapshot && again.signed.timestamp);
    assert_eq!(again.state.targets.0, 2);
    assert_eq!(again.state.snapshot.0, 2);
    assert_eq!(again.state.timestamp.0, 2);
    f.load(&again.files).await.unwrap();
}

#[tokio::test]
async fn a_root_of_other_keys_or_an_expired_root_is_refused() {
    let f = fixture().await;
    let targets = targets("REKOR KEY 1\n");
    let other = RoleKeys::generate();
    let inputs = Inputs {
        keys: &other,
        ..f.inputs(&targets, now())
    };
    let error = refresh(&inputs, &Files::new()).await.unwrap_err();
    assert!(matches!(error, TufError::Keys(_)), "{error}");

    let expired_root = f.keys.sign_root(now() - 10).await.unwrap();
    let inputs = Inputs {
        root_json: &expired_root,
        ..f.inputs(&targets, now())
    };
    let error = refresh(&inputs, &Files::new()).await.unwrap_err();
    assert!(matches!(error, TufError::RootExpired { .. }), "{error}");
    assert!(error.to_string().contains("install again"), "{error}");
}

#[tokio::test]
async fn keys_round_trip_through_secret_data_and_are_never_shown() {
    let keys = RoleKeys::generate();
    let data = keys.to_secret_data().unwrap();
    assert_eq!(RoleKeys::from_secret_data(&data).unwrap(), keys);
    assert_eq!(format!("{keys:?}"), "RoleKeys(<redacted>)");
    let mut broken = data.clone();
    broken.remove(keys::secret_keys::SNAPSHOT_KEY);
    let error = RoleKeys::from_secret_data(&broken).unwrap_err().to_string();
    assert!(error.contains("snapshot.pem"), "{error}");
}

#[tokio::test]
async fn both_audiences_share_one_root_and_each_verifies() {
    let f = fixture().await;
    let audiences = [
        Audience {
            dir: "cluster",
            targets: targets("KEY\n"),
        },
        Audience {
            dir: "host",
            targets: vec![document("trusted_root.json", "{\"host\":1}\n".into())],
        },
    ];
    let (files, reports) = refresh_all(&f.inputs(&[], now()), &audiences, &Files::new())
        .await
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(files["cluster/root.json"], files["host/root.json"]);
    let cluster = f.load(&subtree(&files, "cluster")).await.unwrap();
    let host = f.load(&subtree(&files, "host")).await.unwrap();
    assert_eq!(cluster.files.len(), 3);
    assert_eq!(host.files["trusted_root.json"].0, b"{\"host\":1}\n");
    let (again, _) = refresh_all(&f.inputs(&[], now()), &audiences, &files)
        .await
        .unwrap();
    assert_eq!(again, files);
    // Through the ConfigMap and back, nothing changes.
    let data = mirror::to_config_map_data(&files).unwrap();
    assert_eq!(mirror::from_config_map_data(&data), files);
}

#[tokio::test]
async fn the_policy_controller_manifest_names_root_mirror_and_targets() {
    use base64::Engine as _;
    let f = fixture().await;
    let built = refresh(&f.inputs(&targets("K\n"), now()), &Files::new())
        .await
        .unwrap();
    let text = policy::trust_root_manifest(
        "sigstore",
        &std::collections::BTreeMap::new(),
        &f.root,
        &built.files,
    )
    .unwrap();
    let manifest: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(manifest["kind"].as_str(), Some("TrustRoot"));
    assert_eq!(
        manifest["apiVersion"].as_str(),
        Some("policy.sigstore.dev/v1alpha1")
    );
    let repository = &manifest["spec"]["repository"];
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(
        b64.decode(repository["root"].as_str().unwrap()).unwrap(),
        f.root
    );
    assert_eq!(repository["targets"].as_str(), Some("targets"));
    let packed = b64
        .decode(repository["mirrorFS"].as_str().unwrap())
        .unwrap();
    assert_eq!(packed, mirror::tar_gz(&built.files).unwrap());
}

/// The fast path trusts `next_due`: nothing is due before it, and something is right after it.
#[test]
fn next_due_is_when_refresh_would_sign_again() {
    use super::lifetimes::is_due;
    use super::repository::State;
    let day = 86_400;
    let lifetimes = Lifetimes {
        root: Duration::from_secs(3650 * day as u64),
        targets: Duration::from_secs(365 * day as u64),
        snapshot: Duration::from_secs(180 * day as u64),
        timestamp: Duration::from_secs(7 * day as u64),
    };
    let now = 1_800_000_000;
    // The timestamp was signed 2 days ago, the others today.
    let state = State {
        root_expires: now + 3650 * day,
        targets: (1, now + 365 * day),
        snapshot: (1, now + 180 * day),
        timestamp: (3, now + 5 * day),
    };
    let due = state.next_due(&lifetimes);
    assert_eq!(due, now + 5 * day - 7 * day / 2);
    let any_due = |at: i64| {
        is_due(state.targets.1, at, lifetimes.targets)
            || is_due(state.snapshot.1, at, lifetimes.snapshot)
            || is_due(state.timestamp.1, at, lifetimes.timestamp)
    };
    assert!(!any_due(now));
    assert!(!any_due(due));
    assert!(any_due(due + 1));
}
