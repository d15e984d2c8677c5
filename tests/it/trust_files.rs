//! trusted_root.json, signing_config.json, client_trust_config.json and the PEM files: their
//! structure, the log IDs (computed independently here with openssl and sha2), and that
//! writing them is deterministic and atomic.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use crate::support::run_ok;
use crate::support::trust::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use sigstore_up::trust::{
    CertificateChain, OidcToken, PublicKey, ServiceUrl, Timestamp, TrustBundle, file_names,
};

fn keys_of(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    run_ok(Command::new("openssl").current_dir(dir).args(args)).stdout
}

#[test]
fn log_id_is_sha256_of_the_der_public_key_as_openssl_computes_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem",
        ],
    );
    openssl(d, &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
    openssl(
        d,
        &[
            "pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der",
        ],
    );
    // The same key with a compressed point: a different SPKI encoding of the same key.
    openssl(
        d,
        &[
            "pkey",
            "-pubin",
            "-in",
            "pub.pem",
            "-pubout",
            "-ec_conv_form",
            "compressed",
            "-out",
            "pub-compressed.pem",
        ],
    );
    let expected_id = openssl(d, &["dgst", "-sha256", "-binary", "pub.der"]);
    assert_eq!(expected_id.len(), 32);
    let expected_der = std::fs::read(d.join("pub.der")).unwrap();

    for input in ["pub.pem", "pub.der", "pub-compressed.pem"] {
        let key = PublicKey::parse(&std::fs::read(d.join(input)).unwrap()).unwrap();
        assert_eq!(
            key.spki_der(),
            expected_der,
            "{input}: canonical uncompressed SPKI"
        );
        assert_eq!(key.log_id().as_bytes().as_slice(), expected_id, "{input}");
        assert_eq!(key.log_id().to_base64(), b64(&expected_id), "{input}");
        let hex: String = expected_id.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(key.log_id().to_hex(), hex, "{input}");
        // The PEM we write back is what openssl writes.
        assert_eq!(
            key.to_pem(),
            std::fs::read_to_string(d.join("pub.pem")).unwrap()
        );
    }
}

#[test]
fn keys_that_are_not_p256_public_keys_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "p384.pem",
        ],
    );
    openssl(
        d,
        &["pkey", "-in", "p384.pem", "-pubout", "-out", "p384.pub.pem"],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "p256.pem",
        ],
    );

    let p384 = PublicKey::parse(&std::fs::read(d.join("p384.pub.pem")).unwrap()).unwrap_err();
    assert!(p384.to_string().contains("P-256"), "{p384}");

    let private_pem = std::fs::read_to_string(d.join("p256.pem")).unwrap();
    let private = PublicKey::parse(private_pem.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        private.contains("PRIVATE KEY") && private.contains("public half"),
        "{private}"
    );
    let body_line = private_pem.lines().nth(1).unwrap();
    assert!(
        !private.contains(body_line),
        "the error must not echo key material"
    );

    let garbage = PublicKey::parse(b"not a key").unwrap_err().to_string();
    assert!(
        garbage.starts_with("public key: not an ECDSA P-256"),
        "{garbage}"
    );
}

#[test]
fn trusted_root_has_exactly_the_fields_clients_parse() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), in_cluster_endpoints());
    let root: Value = serde_json::from_str(&bundle.trusted_root.to_json()).unwrap();

    assert_eq!(
        keys_of(&root),
        set(&["mediaType", "tlogs", "certificateAuthorities", "ctlogs"])
    );
    assert_eq!(
        root["mediaType"],
        "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
    );

    let check_log = |log: &Value, url: &str, key: &p256::ecdsa::SigningKey, start: &str| {
        assert_eq!(
            keys_of(log),
            set(&["baseUrl", "hashAlgorithm", "publicKey", "logId"])
        );
        assert_eq!(log["baseUrl"], url);
        assert_eq!(log["hashAlgorithm"], "SHA2_256");
        assert_eq!(
            keys_of(&log["publicKey"]),
            set(&["rawBytes", "keyDetails", "validFor"])
        );
        let spki = spki_der_of(key);
        assert_eq!(log["publicKey"]["rawBytes"], b64(&spki));
        assert_eq!(log["publicKey"]["keyDetails"], "PKIX_ECDSA_P256_SHA_256");
        assert_eq!(
            log["publicKey"]["validFor"],
            serde_json::json!({ "start": start })
        );
        assert_eq!(
            log["logId"],
            serde_json::json!({ "keyId": b64(&Sha256::digest(&spki)) })
        );
    };
    let tlogs = root["tlogs"].as_array().unwrap();
    assert_eq!(tlogs.len(), 1);
    check_log(
        &tlogs[0],
        "http://rekor.rekor-system.svc",
        &stack.rekor_key,
        "2026-01-02T03:04:05Z",
    );
    let ctlogs = root["ctlogs"].as_array().unwrap();
    assert_eq!(ctlogs.len(), 1);
    check_log(
        &ctlogs[0],
        "http://ctlog.ctlog-system.svc/sigstorescaffolding",
        &stack.ctlog_key,
        "2026-01-01T00:00:00Z",
    );

    let cas = root["certificateAuthorities"].as_array().unwrap();
    assert_eq!(cas.len(), 1);
    let ca = &cas[0];
    assert_eq!(
        keys_of(ca),
        set(&["subject", "uri", "certChain", "validFor"])
    );
    assert_eq!(
        ca["subject"],
        serde_json::json!({ "organization": "sigstore-up", "commonName": "sigstore-up test root" })
    );
    assert_eq!(ca["uri"], "http://fulcio.fulcio-system.svc");
    assert_eq!(
        ca["certChain"],
        serde_json::json!({ "certificates": [{ "rawBytes": b64(&stack.fulcio_root.der) }] })
    );
    assert_eq!(
        ca["validFor"],
        serde_json::json!({ "start": "2025-12-31T00:00:00Z" })
    );
}

#[test]
fn fulcio_chain_is_written_root_last_whatever_the_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = TestCa::root("Example Org", "example root", (2024, 2, 29));
    let intermediate = root.intermediate("example intermediate", (2025, 6, 1));
    let leaf_first = format!("{}{}", intermediate.pem(), root.pem());
    let root_first = format!("{}{}", root.pem(), intermediate.pem());

    // The CA starts at the root's notBefore, as openssl reads it.
    write(&dir.path().join("root.pem"), root.pem());
    let start = openssl(
        dir.path(),
        &[
            "x509",
            "-in",
            "root.pem",
            "-noout",
            "-startdate",
            "-dateopt",
            "iso_8601",
        ],
    );
    assert_eq!(
        String::from_utf8(start).unwrap().trim(),
        "notBefore=2024-02-29 00:00:00Z"
    );

    let crlf = leaf_first.replace('\n', "\r\n");
    for input in [&leaf_first, &root_first, &crlf] {
        let chain = CertificateChain::parse(input.as_bytes()).unwrap();
        assert_eq!(
            chain.certificates_der(),
            [intermediate.der.clone(), root.der.clone()]
        );
        assert_eq!(chain.root_not_before().to_rfc3339(), "2024-02-29T00:00:00Z");
        assert_eq!(chain.root_organization(), Some("Example Org"));
        assert_eq!(chain.root_common_name(), Some("example root"));
        assert_eq!(chain.to_pem(), leaf_first);
    }
    let der_only = CertificateChain::parse(&root.der).unwrap();
    assert_eq!(der_only.certificates_der(), std::slice::from_ref(&root.der));
}

#[test]
fn certificates_that_do_not_form_a_chain_are_refused() {
    let one = TestCa::root("A", "root a", (2025, 1, 1));
    let other = TestCa::root("B", "root b", (2025, 1, 1));
    let error = CertificateChain::parse(format!("{}{}", one.pem(), other.pem()).as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("do not form a chain"), "{error}");

    let empty = CertificateChain::parse(b"").unwrap_err().to_string();
    assert!(empty.contains("no certificate found"), "{empty}");
    let garbage = CertificateChain::parse(b"garbage").unwrap_err().to_string();
    assert!(
        garbage.starts_with("certificate chain: certificate 0 is not a DER X.509"),
        "{garbage}"
    );

    let key_pem = pem::encode(&pem::Pem::new("PUBLIC KEY", spki_der_of(&new_p256_key())));
    let wrong_block = CertificateChain::parse(key_pem.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        wrong_block.contains("\"PUBLIC KEY\"") && wrong_block.contains("CERTIFICATE"),
        "{wrong_block}"
    );
}

#[test]
fn timestamps_are_rfc3339_utc_as_date_prints_them() {
    let samples = [
        0,
        -1,
        951_782_400,   // 2000-02-29 (leap day of a year divisible by 400)
        4_107_542_399, // 2100-02-28T23:59:59 (2100 is not a leap year)
        4_107_542_400, // 2100-03-01
        1_767_323_045,
        253_402_300_799, // 9999-12-31T23:59:59
        -62_135_596_800, // 0001-01-01
    ];
    for seconds in samples {
        let date = run_ok(Command::new("date").args([
            "-u",
            "-d",
            &format!("@{seconds}"),
            "+%Y-%m-%dT%H:%M:%SZ",
        ]));
        let expected = String::from_utf8(date.stdout).unwrap();
        assert_eq!(
            Timestamp::from_unix_seconds(seconds).to_rfc3339(),
            expected.trim(),
            "{seconds}"
        );
    }
    let before_epoch = std::time::UNIX_EPOCH - std::time::Duration::from_millis(1500);
    assert_eq!(Timestamp::from_system_time(before_epoch).unix_seconds(), -2);
    let after_epoch = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1500);
    assert_eq!(Timestamp::from(after_epoch).unix_seconds(), 1);
    assert_eq!(
        Timestamp::from_unix_seconds(-2).to_system_time(),
        before_epoch - std::time::Duration::from_millis(500)
    );
}

#[test]
fn signing_config_is_v0_2_with_one_service_of_each_kind_and_no_tsa() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), host_endpoints());
    let config: Value = serde_json::from_str(&bundle.signing_config.to_json()).unwrap();

    // The earliest of the three starts (Fulcio root notBefore 2025-12-31).
    let service = |url: &str| {
        serde_json::json!({
            "url": url,
            "majorApiVersion": 1,
            "validFor": { "start": "2025-12-31T00:00:00Z" },
            "operator": "sigstore-up.local",
        })
    };
    let expected = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
        "caUrls": [service("http://127.0.0.1:41001")],
        "oidcUrls": [service(OIDC_ISSUER)],
        "rekorTlogUrls": [service("http://127.0.0.1:41002")],
        "rekorTlogConfig": { "selector": "ANY" },
        "tsaUrls": [],
        "tsaConfig": { "selector": "ANY" },
    });
    assert_eq!(config, expected);
}

#[test]
fn client_trust_config_carries_the_same_trusted_root_and_signing_config() {
    let stack = TestStack::generate();
    let bundle = TrustBundle::new(&stack.material(), in_cluster_endpoints());
    let combined: Value = serde_json::from_str(&bundle.client_trust_config().to_json()).unwrap();
    assert_eq!(
        keys_of(&combined),
        set(&["mediaType", "trustedRoot", "signingConfig"])
    );
    assert_eq!(
        combined["mediaType"],
        "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
    );
    let root: Value = serde_json::from_str(&bundle.trusted_root.to_json()).unwrap();
    let signing: Value = serde_json::from_str(&bundle.signing_config.to_json()).unwrap();
    assert_eq!(combined["trustedRoot"], root);
    assert_eq!(combined["signingConfig"], signing);
}

fn read_dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().into_string().unwrap(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn write_to_dir_writes_every_file_and_rewrites_them_byte_identically() {
    let stack = TestStack::generate();
    let material = stack.material();
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("trust/cluster");

    let written = TrustBundle::new(&material, in_cluster_endpoints())
        .write_to_dir(&dir)
        .unwrap();
    assert_eq!(written.dir, std::fs::canonicalize(&dir).unwrap());
    let first = read_dir_files(&dir);
    let names: Vec<&str> = first.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            file_names::CLIENT_TRUST_CONFIG,
            file_names::CTLOG_PUBLIC,
            file_names::ENV,
            file_names::FULCIO_ROOT,
            file_names::REKOR_PUBLIC,
            file_names::SIGNING_CONFIG,
            file_names::TRUSTED_ROOT,
        ],
        "exactly these files, no temporary files left behind"
    );

    // A second bundle built from the same inputs writes the same bytes.
    TrustBundle::new(&stack.material(), in_cluster_endpoints())
        .write_to_dir(&dir)
        .unwrap();
    assert_eq!(read_dir_files(&dir), first);

    let file = |name: &str| {
        String::from_utf8(first.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    assert_eq!(
        file(file_names::REKOR_PUBLIC),
        material.rekor_public_key.to_pem()
    );
    assert_eq!(
        file(file_names::CTLOG_PUBLIC),
        material.ctlog_public_key.to_pem()
    );
    assert_eq!(file(file_names::FULCIO_ROOT), stack.fulcio_root.pem());
    assert!(file(file_names::REKOR_PUBLIC).starts_with("-----BEGIN PUBLIC KEY-----\n"));
    for (name, _) in &first {
        assert_eq!(mode(&dir.join(name)), 0o644, "{name}");
    }
}

/// Logs are named as they know themselves (their origin) in both audiences: verifiers match a
/// checkpoint's signer name against `baseUrl`. Only the signing config, the CA's and TSA's
/// URIs and the env carry the forwarded URLs.
#[test]
fn the_two_audiences_differ_only_in_service_urls_and_paths() {
    let stack = TestStack::generate();
    let material = stack.material();
    let base = tempfile::tempdir().unwrap();
    let cluster = TrustBundle::new(&material, in_cluster_endpoints())
        .write_to_dir(&base.path().join("cluster"))
        .unwrap();
    let host = TrustBundle::new(&material, host_endpoints())
        .write_to_dir(&base.path().join("host"))
        .unwrap();

    let json = |dir: &Path, name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let cluster_root = json(&cluster.dir, file_names::TRUSTED_ROOT);
    let host_root = json(&host.dir, file_names::TRUSTED_ROOT);
    assert_eq!(host_root["tlogs"][0]["baseUrl"], REKOR_IDENTITY);
    assert_eq!(cluster_root["tlogs"][0]["baseUrl"], REKOR_IDENTITY);
    assert_eq!(host_root["ctlogs"][0]["baseUrl"], CTLOG_IDENTITY);
    assert_eq!(cluster_root["ctlogs"][0]["baseUrl"], CTLOG_IDENTITY);
    let host_signing = json(&host.dir, file_names::SIGNING_CONFIG);
    assert_eq!(
        host_signing["rekorTlogUrls"][0]["url"],
        "http://127.0.0.1:41002"
    );
    assert_eq!(
        cluster_root["tlogs"][0]["publicKey"],
        host_root["tlogs"][0]["publicKey"]
    );
    assert_eq!(
        cluster_root["tlogs"][0]["logId"],
        host_root["tlogs"][0]["logId"]
    );
    assert_eq!(
        cluster_root["ctlogs"][0]["logId"],
        host_root["ctlogs"][0]["logId"]
    );
    assert_eq!(
        cluster_root["certificateAuthorities"][0]["certChain"],
        host_root["certificateAuthorities"][0]["certChain"]
    );
    assert_eq!(
        cluster.env.get("REKOR_URL"),
        Some("http://rekor.rekor-system.svc")
    );
    assert_eq!(host.env.get("REKOR_URL"), Some("http://127.0.0.1:41002"));
    assert_eq!(
        host.env.get("TRUSTED_ROOT").map(Path::new),
        Some(host.dir.join("trusted_root.json").as_path())
    );
    assert_eq!(
        cluster.env.get("FULCIO_GRPC_URL"),
        Some("http://fulcio-grpc.fulcio-system.svc:5554")
    );
    assert_eq!(host.env.get("FULCIO_GRPC_URL"), None);
}

#[test]
fn env_file_with_a_token_is_private_and_without_one_is_not() {
    let stack = TestStack::generate();
    let dir = tempfile::tempdir().unwrap();
    let token = OidcToken::new("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln").unwrap();
    let bundle = TrustBundle::new(&stack.material(), host_endpoints());

    bundle
        .clone()
        .with_oidc_token(token.clone())
        .write_to_dir(dir.path())
        .unwrap();
    let env_path = dir.path().join(file_names::ENV);
    assert_eq!(mode(&env_path), 0o600);
    let env = std::fs::read_to_string(&env_path).unwrap();
    assert!(env.contains(&format!("\nOIDC_TOKEN={}\n", token.expose_secret())));
    assert!(env.contains(&format!("\nSIGSTORE_ID_TOKEN={}\n", token.expose_secret())));

    // Re-run without the token: the token is gone and the file is public again.
    bundle.write_to_dir(dir.path()).unwrap();
    assert_eq!(mode(&env_path), 0o644);
    let env = std::fs::read_to_string(&env_path).unwrap();
    assert!(!env.contains(token.expose_secret()));
    assert!(!env.contains("OIDC_TOKEN"));
}

#[test]
fn service_urls_are_checked_not_rewritten() {
    for good in [
        "http://rekor.rekor-system.svc",
        "https://kubernetes.default.svc.cluster.local",
        "http://127.0.0.1:41234",
        "http://ctlog.ctlog-system.svc/sigstorescaffolding",
        "http://[::1]:8080",
    ] {
        assert_eq!(ServiceUrl::parse(good).unwrap().as_str(), good);
    }
    for (bad, says) in [
        ("rekor.rekor-system.svc", "not a URL"),
        ("ftp://rekor", "scheme must be http or https"),
        ("http://rekor/", "trailing slash"),
        ("http://ctlog/prefix/", "trailing slash"),
        ("http://rekor?x=1", "query"),
        ("http://rekor#x", "fragment"),
        ("http://user:pw@rekor", "credentials"),
        ("http://rekor .svc", "whitespace"),
        ("", "not a URL"),
    ] {
        let error = ServiceUrl::parse(bad).unwrap_err().to_string();
        assert!(error.contains(says), "{bad:?}: {error}");
    }
}
