//! Rekor's signing key, loaded by a real rekor-server on a real Trillian tree.
//! rekor-server always binds :2112 for metrics, so a Rekor waits for any other to stop first
//! (support/servers.rs).

use crate::support::http_get;
use crate::support::servers::{Redis, Rekor, TrillianStack};
use p256::PublicKey;
use p256::pkcs8::DecodePublicKey;
use sigstore_up::setup::certs::EcKeyPair;
use sigstore_up::setup::trillian::TrillianAdmin;

#[tokio::test]
async fn real_rekor_signs_with_our_key() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (tree, _) = admin.ensure_tree("rekor").await.unwrap();
    let redis = Redis::start();
    let key = EcKeyPair::generate();

    let mut rekor = Rekor::spawn(
        stack.rpc,
        tree.0,
        redis.port,
        key.to_pkcs8_pem().unwrap().as_bytes(),
    );
    rekor.wait_ready();

    let (status, served) = http_get(&format!("{}/api/v1/log/publicKey", rekor.url)).unwrap();
    assert_eq!(status, 200, "{served}");
    let served = PublicKey::from_public_key_pem(&served).expect("a PEM public key");
    let ours = PublicKey::from_public_key_pem(&key.public_key_pem()).unwrap();
    assert_eq!(served, ours);

    // The log answers for our tree.
    let (status, info) = http_get(&format!("{}/api/v1/log", rekor.url)).unwrap();
    assert_eq!(status, 200, "{info}");
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["treeID"], tree.to_string());
    assert_eq!(info["treeSize"], 0);

    rekor.server.assert_running();
    rekor
        .server
        .assert_log_free_of(&[r#""level":"error""#, r#""level":"fatal""#, "panic"]);
}
