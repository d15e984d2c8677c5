//! `status --probe`'s checks (sigstore_up::probe) against REAL servers on loopback: Fulcio with
//! our file CA, Rekor with our signing key, ct_server with our CT key, on a real Trillian. With
//! the matching trust material every check passes; with another set of keys every check reports
//! a mismatch naming what differs; a server that does not answer is "unavailable".
//! rekor-server always binds :2112 for metrics, so a Rekor waits for any other to stop first
//! (support/servers.rs).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::support::servers::{CtServer, Fulcio, Redis, Rekor, TrillianStack, write_file};
use crate::support::{free_port, loopback};
use sigstore_up::probe::{self, Check, Outcome};
use sigstore_up::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions};
use sigstore_up::setup::ctlog_config::{CtLogConfig, render};
use sigstore_up::setup::trillian::TrillianAdmin;
use sigstore_up::trust::{CertificateChain, PublicKey, ServiceUrl, Timestamp, TrustMaterial};

const PREFIX: &str = "sigstorescaffolding";

fn material(ca: &FulcioCa, rekor: &EcKeyPair, ctlog: &EcKeyPair) -> TrustMaterial {
    TrustMaterial {
        rekor_public_key: PublicKey::parse(rekor.public_key_pem().as_bytes()).unwrap(),
        rekor_valid_from: Timestamp::from_unix_seconds(1_700_000_000),
        rekor_url: ServiceUrl::parse("http://rekor.rekor-system.svc").unwrap(),
        rekor_major_api_version: 1,
        ctlog_public_key: PublicKey::parse(ctlog.public_key_pem().as_bytes()).unwrap(),
        ctlog_valid_from: Timestamp::from_unix_seconds(1_700_000_000),
        ctlog_url: ServiceUrl::parse(&format!("http://ctlog.ctlog-system.svc/{PREFIX}")).unwrap(),
        fulcio_chain: CertificateChain::parse(ca.cert_pem().as_bytes()).unwrap(),
        tsa_chain: None,
    }
}

fn address(url: &str) -> SocketAddr {
    url.strip_prefix("http://").unwrap().parse().unwrap()
}

async fn all_checks(
    fulcio: SocketAddr,
    rekor: SocketAddr,
    ctlog: SocketAddr,
    material: &TrustMaterial,
) -> Vec<Check> {
    vec![
        probe::fulcio_root(fulcio, material).await,
        probe::rekor_public_key(rekor, material).await,
        probe::rekor_checkpoint(rekor, material).await,
        probe::ctlog_tree_head(ctlog, PREFIX, material).await,
    ]
}

#[tokio::test]
async fn probes_pass_with_the_servers_keys_and_name_every_difference() {
    let stack = TrillianStack::start().await;
    let mut admin = TrillianAdmin::connect(stack.rpc).await.unwrap();
    let (rekor_tree, _) = admin.ensure_tree("rekor").await.unwrap();
    let (ctlog_tree, _) = admin.ensure_tree("ctlog").await.unwrap();
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let rekor_key = EcKeyPair::generate();
    let ctlog_key = EcKeyPair::generate();

    let ca_data: BTreeMap<String, Vec<u8>> = ca.to_secret_data();
    let password = String::from_utf8(ca_data["password"].clone()).unwrap();
    let mut fulcio = Fulcio::spawn(&ca_data["cert"], &ca_data["private"], &password);

    let redis = Redis::start();
    let mut rekor = Rekor::spawn(
        stack.rpc,
        rekor_tree.0,
        redis.port,
        rekor_key.to_pkcs8_pem().unwrap().as_bytes(),
    );

    let dir = tempfile::tempdir().unwrap();
    let config = CtLogConfig {
        trillian_address: stack.rpc.to_string(),
        tree_id: ctlog_tree,
        prefix: PREFIX.to_owned(),
        roots_pem_files: vec![write_file(dir.path(), "roots", ca.cert_pem().as_bytes())],
        private_key: ctlog_key.clone(),
        public_key_der: ctlog_key.public_key_der(),
    };
    let config_path = write_file(dir.path(), "config", render(&config).unwrap().as_bytes());
    let mut ctlog = CtServer::spawn(&config_path, dir.path());

    fulcio.wait_ready();
    rekor.wait_ready();
    ctlog.wait_ready();
    let (fulcio_at, rekor_at, ctlog_at) = (
        address(&fulcio.url),
        address(&rekor.url),
        address(&ctlog.url),
    );

    // The servers' own keys: everything matches.
    let trusted = material(&ca, &rekor_key, &ctlog_key);
    let checks = all_checks(fulcio_at, rekor_at, ctlog_at, &trusted).await;
    for check in &checks {
        assert_eq!(check.outcome, Outcome::Ok, "{check:?}");
    }
    assert!(
        checks[1]
            .detail
            .contains(&trusted.rekor_public_key.log_id().to_hex())
    );
    assert!(checks[2].detail.contains("tree size 0"), "{:?}", checks[2]);
    assert!(checks[3].detail.contains("tree size 0"), "{:?}", checks[3]);

    // Keys the servers do not use: every check says what differs.
    let other_ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let other = material(&other_ca, &EcKeyPair::generate(), &EcKeyPair::generate());
    let checks = all_checks(fulcio_at, rekor_at, ctlog_at, &other).await;
    for check in &checks {
        assert_eq!(check.outcome, Outcome::Mismatch, "{check:?}");
    }
    assert!(
        checks[0].detail.contains("Fulcio serves a different CA"),
        "{:?}",
        checks[0]
    );
    assert!(
        checks[1]
            .detail
            .contains(&trusted.rekor_public_key.log_id().to_hex())
            && checks[1]
                .detail
                .contains(&other.rekor_public_key.log_id().to_hex()),
        "names both log IDs: {:?}",
        checks[1]
    );
    assert!(
        checks[2].detail.contains("not signed by the trusted key"),
        "{:?}",
        checks[2]
    );
    assert!(
        checks[3].detail.contains("signs with another key"),
        "{:?}",
        checks[3]
    );

    // Only the Rekor key differs: only the Rekor checks fail.
    let mixed = material(&ca, &EcKeyPair::generate(), &ctlog_key);
    let outcomes: Vec<Outcome> = all_checks(fulcio_at, rekor_at, ctlog_at, &mixed)
        .await
        .iter()
        .map(|c| c.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Ok,
            Outcome::Mismatch,
            Outcome::Mismatch,
            Outcome::Ok
        ]
    );

    // Nothing listening, or the wrong path: unavailable, not a mismatch.
    let nobody = loopback(free_port());
    let check = probe::rekor_public_key(nobody, &trusted).await;
    assert_eq!(check.outcome, Outcome::Unavailable, "{check:?}");
    assert!(check.detail.contains("connecting to"), "{check:?}");
    let check = probe::ctlog_tree_head(ctlog_at, "no-such-prefix", &trusted).await;
    assert_eq!(check.outcome, Outcome::Unavailable, "{check:?}");
    assert!(check.detail.contains("404"), "{check:?}");

    for server in [&mut fulcio.server, &mut rekor.server, &mut ctlog.server] {
        server.assert_running();
    }
}
