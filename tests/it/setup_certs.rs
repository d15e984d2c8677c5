//! Keys and certificates: parsed back independently (x509-parser), then loaded by a real Fulcio.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::support::http_get;
use crate::support::servers::Fulcio;
use sigstore_up::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions, KeyError};
use sigstore_up::setup::secret::Password;
use x509_parser::prelude::*;

/// Words in Fulcio's log that mean it did not like something.
const FULCIO_TROUBLE: &[&str] = &["error", "fatal", "panic"];

const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

fn der_of(pem_text: &[u8]) -> Vec<u8> {
    ::pem::parse(pem_text).expect("PEM").into_contents()
}

fn unix(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn fulcio_root_has_what_fileca_requires() {
    let before = SystemTime::now();
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let der = ca.cert_der();
    let (rest, cert) = parse_x509_certificate(&der).expect("an X.509 certificate");
    assert!(rest.is_empty());

    assert_eq!(cert.version(), X509Version::V3);
    assert_eq!(cert.subject(), cert.issuer(), "self-signed");
    assert!(
        cert.subject()
            .to_string()
            .contains("CN=sigstore-up Fulcio root CA"),
        "{}",
        cert.subject()
    );
    assert_eq!(
        cert.signature_algorithm.algorithm,
        x509_parser::oid_registry::OID_SIG_ECDSA_WITH_SHA256
    );
    assert!(cert.serial.bits() > 64, "a random serial");

    let constraints = cert.basic_constraints().unwrap().expect("basicConstraints");
    assert!(constraints.critical);
    assert!(constraints.value.ca);
    assert_eq!(constraints.value.path_len_constraint, Some(1));

    let usage = cert.key_usage().unwrap().expect("keyUsage");
    assert!(usage.critical);
    assert!(usage.value.key_cert_sign() && usage.value.crl_sign());
    assert!(!usage.value.digital_signature());
    assert!(
        cert.extended_key_usage().unwrap().is_none(),
        "a root without EKU passes fileca's chain check"
    );
    let has_ski = cert.extensions().iter().any(|ext| {
        matches!(
            ext.parsed_extension(),
            ParsedExtension::SubjectKeyIdentifier(_)
        )
    });
    assert!(has_ski, "subjectKeyIdentifier");

    // Valid from a few minutes ago for ten years.
    let not_before = cert.validity().not_before.timestamp();
    let not_after = cert.validity().not_after.timestamp();
    assert!(not_before < unix(before), "backdated for clock skew");
    assert!(unix(before) - not_before <= 10 * 60);
    assert!(not_after >= unix(before) + TEN_YEARS.as_secs() as i64 - 1);
    assert!(not_after <= unix(SystemTime::now()) + TEN_YEARS.as_secs() as i64);
    assert_eq!(unix(ca.not_after()), not_after);

    // The certificate's key is the CA's public key, and it is P-256.
    let data = ca.to_secret_data();
    assert_eq!(cert.public_key().raw, der_of(&data["public"]).as_slice());
    let spki = cert.public_key();
    assert_eq!(
        spki.algorithm.algorithm,
        x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY
    );
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .unwrap()
        .as_oid()
        .unwrap();
    assert_eq!(curve, x509_parser::oid_registry::OID_EC_P256);
}

#[test]
fn validity_is_configurable() {
    let options = FulcioCaOptions {
        validity: Duration::from_secs(3 * 24 * 60 * 60),
        ..FulcioCaOptions::default()
    };
    let ca = FulcioCa::generate(&options).unwrap();
    let der = ca.cert_der();
    let (_, cert) = parse_x509_certificate(&der).unwrap();
    let lifetime = cert.validity().not_after.timestamp() - unix(SystemTime::now());
    assert!(
        lifetime <= 3 * 24 * 60 * 60 && lifetime > 3 * 24 * 60 * 60 - 600,
        "{lifetime}"
    );

    for validity in [
        Duration::ZERO,
        Duration::from_secs(101 * 365 * 24 * 60 * 60),
    ] {
        let options = FulcioCaOptions {
            validity,
            ..FulcioCaOptions::default()
        };
        assert!(matches!(
            FulcioCa::generate(&options),
            Err(KeyError::BadValidity(_))
        ));
    }
}

#[test]
fn secret_data_round_trips_unchanged() {
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let data = ca.to_secret_data();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["cert", "password", "private", "public"]
    );

    let private = String::from_utf8(data["private"].clone()).unwrap();
    assert!(
        private.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
        "{}",
        &private[..40]
    );
    let password = String::from_utf8(data["password"].clone()).unwrap();
    assert!(password.len() >= 32 && password.chars().all(|c| c.is_ascii_alphanumeric()));

    // The encrypted key decrypts with the password (PBES2) to the certificate's key.
    let block = ::pem::parse(&private).unwrap();
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(block.contents()).unwrap();
    let decrypted = info
        .decrypt(&password)
        .expect("decrypts with the stored password");
    let key =
        <p256::SecretKey as pkcs8::DecodePrivateKey>::from_pkcs8_der(decrypted.as_bytes()).unwrap();
    let public =
        <p256::PublicKey as pkcs8::EncodePublicKey>::to_public_key_der(&key.public_key()).unwrap();
    let cert_der = der_of(&data["cert"]);
    let (_, cert) = parse_x509_certificate(&cert_der).unwrap();
    assert_eq!(cert.public_key().raw, public.as_bytes());
    assert!(info.decrypt("not the password").is_err());

    let back = FulcioCa::from_secret_data(&data).unwrap();
    assert_eq!(
        back.to_secret_data(),
        data,
        "reading back and writing again changes nothing"
    );
    assert_eq!(back.cert_pem(), ca.cert_pem());
}

#[test]
fn secret_data_that_does_not_fit_together_is_refused() {
    let ca = FulcioCa::generate(&FulcioCaOptions::default())
        .unwrap()
        .to_secret_data();
    let other = FulcioCa::generate(&FulcioCaOptions::default())
        .unwrap()
        .to_secret_data();
    let with = |key: &str, value: &[u8]| {
        let mut data = ca.clone();
        data.insert(key.to_owned(), value.to_vec());
        FulcioCa::from_secret_data(&data).unwrap_err()
    };

    let mut missing = ca.clone();
    missing.remove("password");
    assert!(matches!(
        FulcioCa::from_secret_data(&missing),
        Err(KeyError::MissingEntry("password"))
    ));
    assert!(matches!(
        with("password", b"wrong"),
        KeyError::WrongPassword { .. }
    ));
    assert!(matches!(
        with("cert", &other["cert"]),
        KeyError::Mismatch { .. }
    ));
    assert!(matches!(
        with("public", &other["public"]),
        KeyError::Mismatch { .. }
    ));
    assert!(matches!(
        with("private", b"not a key"),
        KeyError::Malformed { .. }
    ));

    // A certificate that is not a CA.
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["leaf.example".to_owned()])
        .unwrap()
        .self_signed(&leaf_key)
        .unwrap();
    assert!(matches!(
        with("cert", leaf.pem().as_bytes()),
        KeyError::NotCa
    ));
}

#[test]
fn debug_output_never_shows_secrets() {
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let data = ca.to_secret_data();
    let password = String::from_utf8(data["password"].clone()).unwrap();
    let shown = format!(
        "{ca:?} {:?}",
        Password::from_bytes(password.as_bytes()).unwrap()
    );
    assert!(!shown.contains(&password), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");

    let key = EcKeyPair::generate();
    let pkcs8 = key.to_pkcs8_pem().unwrap();
    let secret_body: String = pkcs8.lines().filter(|l| !l.starts_with("-----")).collect();
    let shown = format!("{key:?}");
    assert!(!shown.contains(&secret_body[..20]), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

#[test]
fn ec_keys_round_trip_in_every_format() {
    let key = EcKeyPair::generate();
    let public = key.public_key_pem();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(der_of(public.as_bytes()), key.public_key_der());

    // Unencrypted PKCS#8, for Rekor.
    let pkcs8 = key.to_pkcs8_pem().unwrap();
    assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(EcKeyPair::from_pem(pkcs8.as_bytes()).unwrap(), key);

    // SEC1, as other tools write it.
    let secret = <p256::SecretKey as pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pkcs8).unwrap();
    let sec1 = ::pem::encode(&::pem::Pem::new(
        "EC PRIVATE KEY",
        secret.to_sec1_der().unwrap().to_vec(),
    ));
    assert_eq!(EcKeyPair::from_pem(sec1.as_bytes()).unwrap(), key);

    // RFC 1423 encrypted, for ct_server.
    let password = Password::generate();
    let encrypted = key.to_encrypted_pem(&password).unwrap();
    let block = ::pem::parse(&encrypted).unwrap();
    assert_eq!(block.tag(), "PRIVATE KEY");
    assert_eq!(block.headers().get("Proc-Type"), Some("4,ENCRYPTED"));
    assert!(
        block
            .headers()
            .get("DEK-Info")
            .unwrap()
            .starts_with("AES-256-CBC,")
    );
    assert_eq!(
        EcKeyPair::from_encrypted_pem(encrypted.as_bytes(), &password).unwrap(),
        key
    );
    assert_ne!(
        key.to_encrypted_pem(&password).unwrap(),
        encrypted,
        "a fresh IV each time"
    );

    let wrong = Password::generate();
    assert!(matches!(
        EcKeyPair::from_encrypted_pem(encrypted.as_bytes(), &wrong),
        Err(KeyError::WrongPassword { .. }) | Err(KeyError::Malformed { .. })
    ));
    assert!(
        EcKeyPair::from_pem(encrypted.as_bytes()).is_err(),
        "encrypted needs the password"
    );
    assert_ne!(EcKeyPair::generate(), key);
}

#[test]
fn real_fulcio_serves_our_file_ca() {
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let data: BTreeMap<String, Vec<u8>> = ca.to_secret_data();
    let password = String::from_utf8(data["password"].clone()).unwrap();
    let mut fulcio = Fulcio::spawn(&data["cert"], &data["private"], &password);
    fulcio.wait_ready();

    let (status, chain) = http_get(&format!("{}/api/v1/rootCert", fulcio.url)).unwrap();
    assert_eq!(status, 200, "{chain}");
    let served = ::pem::parse_many(chain.as_bytes()).unwrap();
    assert_eq!(served.len(), 1, "{chain}");
    assert_eq!(served[0].contents(), ca.cert_der().as_slice());

    let (status, bundle) = http_get(&format!("{}/api/v2/trustBundle", fulcio.url)).unwrap();
    assert_eq!(status, 200, "{bundle}");
    let bundle: serde_json::Value = serde_json::from_str(&bundle).unwrap();
    let certs = &bundle["chains"][0]["certificates"];
    assert_eq!(certs.as_array().map(Vec::len), Some(1), "{bundle}");
    assert_eq!(der_of(certs[0].as_str().unwrap().as_bytes()), ca.cert_der());

    fulcio.server.assert_running();
    fulcio
        .server
        .assert_log_free_of(&["error", "fatal", "panic"]);
}

#[test]
fn real_fulcio_refuses_our_key_with_the_wrong_password() {
    // Proves the key is really encrypted and checked, not ignored.
    let data = FulcioCa::generate(&FulcioCaOptions::default())
        .unwrap()
        .to_secret_data();
    let mut fulcio = Fulcio::spawn(&data["cert"], &data["private"], "not-the-password");
    let log = fulcio.server.wait_for_exit();
    assert!(log.contains("decrypt"), "{log}");
    // The log check used on the good run does see Fulcio's refusals.
    let detected = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fulcio.server.assert_log_free_of(FULCIO_TROUBLE)
    }));
    assert!(detected.is_err(), "assert_log_free_of missed:\n{log}");
}
