//! The CT log configuration, key and roots, loaded by a real ct_server on a real Trillian tree.

use crate::support::http_get;
use crate::support::servers::{CtServer, TrillianStack, legacy_ctlog_secret, write_file};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use sigstore_up::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions};
use sigstore_up::setup::ctlog_config::{CtLogConfig, CtLogConfigError, render};
use sigstore_up::setup::secret::Password;
use sigstore_up::setup::trillian::{TreeId, TrillianAdmin};

const PREFIX: &str = "sigstorescaffolding";

/// Writes roots and rendered config (which holds the key) into `dir`; returns the config path.
fn write_ctlog_files(
    dir: &std::path::Path,
    trillian: std::net::SocketAddr,
    tree: TreeId,
    key: &EcKeyPair,
    public_key_der: Vec<u8>,
    root_pem: &str,
) -> String {
    let roots = write_file(dir, "fulcio-0", root_pem.as_bytes());
    let config = CtLogConfig {
        trillian_address: trillian.to_string(),
        tree_id: tree,
        prefix: PREFIX.to_owned(),
        roots_pem_files: vec![roots],
        private_key: key.clone(),
        public_key_der,
    };
    write_file(dir, "config", render(&config).unwrap().as_bytes())
}

/// Checks an RFC 6962 STH signature: DigitallySigned(SHA-256, ECDSA) over
/// version(0) ‖ signature_type(1 = tree_hash) ‖ timestamp u64 ‖ tree_size u64 ‖ root hash.
fn verify_sth(sth: &serde_json::Value, public_key_der: &[u8]) {
    let timestamp = sth["timestamp"].as_u64().expect("timestamp");
    let tree_size = sth["tree_size"].as_u64().expect("tree_size");
    let root_hash = BASE64
        .decode(sth["sha256_root_hash"].as_str().unwrap())
        .unwrap();
    let signed = BASE64
        .decode(sth["tree_head_signature"].as_str().unwrap())
        .unwrap();
    assert_eq!(&signed[..2], &[4, 3], "SHA-256 with ECDSA");
    let length = usize::from(u16::from_be_bytes([signed[2], signed[3]]));
    let signature = Signature::from_der(&signed[4..4 + length]).expect("DER signature");

    let mut message = vec![0u8, 1u8];
    message.extend_from_slice(&timestamp.to_be_bytes());
    message.extend_from_slice(&tree_size.to_be_bytes());
    message.extend_from_slice(&root_hash);
    let key = VerifyingKey::from_public_key_der(public_key_der).unwrap();
    key.verify(&message, &signature)
        .expect("the STH is signed with our CT key");
}

#[tokio::test]
async fn real_ct_server_runs_on_our_config_key_and_roots() {
    let key = EcKeyPair::generate();
    ct_server_signs_with(key).await;
}

#[tokio::test]
async fn real_ct_server_runs_on_the_key_of_an_old_encrypted_secret() {
    // What converging an install of an earlier version does: read the encrypted key with its
    // password, then render it into the config unencrypted.
    let private = legacy_ctlog_secret::PRIVATE.as_bytes();
    assert!(EcKeyPair::is_legacy_encrypted(private));
    let password = Password::from_bytes(legacy_ctlog_secret::PASSWORD.as_bytes()).unwrap();
    let key = EcKeyPair::from_legacy_encrypted_pem(private, &password).unwrap();
    assert_eq!(key.public_key_pem(), legacy_ctlog_secret::PUBLIC);
    ct_server_signs_with(key).await;
}

/// Runs the real ct_server with `key` in our rendered config; checks that its tree head is
/// signed with `key` and that it serves exactly our roots.
async fn ct_server_signs_with(key: EcKeyPair) {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (tree, _) = admin.ensure_tree("ctlog").await.unwrap();
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = write_ctlog_files(
        dir.path(),
        stack.rpc,
        tree,
        &key,
        key.public_key_der(),
        ca.cert_pem(),
    );
    let mut ct = CtServer::spawn(&config, dir.path());
    ct.wait_ready();

    let (status, body) = http_get(&format!("{}/{PREFIX}/ct/v1/get-sth", ct.url)).unwrap();
    assert_eq!(status, 200, "{body}");
    let sth: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sth["tree_size"], 0);
    verify_sth(&sth, &key.public_key_der());

    let (status, body) = http_get(&format!("{}/{PREFIX}/ct/v1/get-roots", ct.url)).unwrap();
    assert_eq!(status, 200, "{body}");
    let roots: serde_json::Value = serde_json::from_str(&body).unwrap();
    let roots: Vec<Vec<u8>> = roots["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| BASE64.decode(c.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(roots, vec![ca.cert_der()], "exactly our Fulcio root");

    ct.server.assert_running();
    ct.server.assert_no_klog_errors();
}

#[tokio::test]
async fn real_ct_server_refuses_a_public_key_that_is_not_the_private_keys() {
    // Proves ct_server really reads the public key bytes we render (escaping and all).
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (tree, _) = admin.ensure_tree("ctlog").await.unwrap();
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let key = EcKeyPair::generate();
    let other = EcKeyPair::generate().public_key_der();

    let dir = tempfile::tempdir().unwrap();
    let config = write_ctlog_files(dir.path(), stack.rpc, tree, &key, other, ca.cert_pem());
    let mut ct = CtServer::spawn(&config, dir.path());
    let log = ct.server.wait_for_exit();
    assert!(
        log.contains("public key is not consistent with private key"),
        "{log}"
    );
    // The error-line check used on the good run does see ct_server's refusals.
    let detected = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ct.server.assert_no_klog_errors()
    }));
    assert!(detected.is_err(), "assert_no_klog_errors missed:\n{log}");
}

#[test]
fn rendering_refuses_incomplete_input() {
    let key = EcKeyPair::generate();
    let good = CtLogConfig {
        trillian_address: "trillian-logserver.trillian-system.svc:8090".to_owned(),
        tree_id: TreeId(42),
        prefix: PREFIX.to_owned(),
        roots_pem_files: vec!["/ctfe-keys/fulcio-0".to_owned()],
        private_key: key.clone(),
        public_key_der: key.public_key_der(),
    };
    let text = render(&good).unwrap();
    assert_eq!(render(&good).unwrap(), text, "pure");
    assert!(text.contains("log_id: 42\n"), "{text}");
    assert!(
        text.contains("[type.googleapis.com/keyspb.PrivateKey]"),
        "{text}"
    );
    assert!(!text.contains("password"), "{text}");
    assert!(format!("{good:?}").contains("<redacted>"));

    let broken = |change: fn(&mut CtLogConfig)| {
        let mut config = good.clone();
        change(&mut config);
        render(&config).unwrap_err()
    };
    assert!(matches!(
        broken(|c| c.prefix = "a/b".to_owned()),
        CtLogConfigError::BadPrefix(_)
    ));
    assert!(matches!(
        broken(|c| c.prefix.clear()),
        CtLogConfigError::BadPrefix(_)
    ));
    assert_eq!(broken(|c| c.tree_id = TreeId(0)), CtLogConfigError::NoTree);
    assert_eq!(
        broken(|c| c.roots_pem_files.clear()),
        CtLogConfigError::NoRoots
    );
    assert!(matches!(
        broken(|c| c.trillian_address.clear()),
        CtLogConfigError::Missing(_)
    ));
}
