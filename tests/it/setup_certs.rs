//! Keys and certificates: parsed back (x509-cert), then loaded by a real Fulcio.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::support::http_get;
use crate::support::servers::{Fulcio, legacy_ctlog_secret, openssl_rfc1423_key};
use sigstore_up::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions, KeyError};
use sigstore_up::setup::secret::Password;
use x509_cert::Certificate;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::oid::db::rfc5912::{ECDSA_WITH_SHA_256, ID_EC_PUBLIC_KEY, SECP_256_R_1};
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier};

/// Words in Fulcio's log that mean it did not like something.
const FULCIO_TROUBLE: &[&str] = &["error", "fatal", "panic"];

const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

fn der_of(pem_text: &[u8]) -> Vec<u8> {
    ::pem::parse(pem_text).expect("PEM").into_contents()
}

/// The whole DER must be one certificate (`from_der` refuses trailing bytes).
fn parse_certificate(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("an X.509 certificate")
}

fn unix_of(time: x509_cert::time::Time) -> i64 {
    time.to_unix_duration().as_secs() as i64
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
    let cert = parse_certificate(&der);
    let tbs = cert.tbs_certificate();

    assert_eq!(tbs.version(), x509_cert::Version::V3);
    assert_eq!(tbs.subject(), tbs.issuer(), "self-signed");
    assert!(
        tbs.subject()
            .to_string()
            .contains("CN=sigstore-up Fulcio root CA"),
        "{}",
        tbs.subject()
    );
    assert_eq!(cert.signature_algorithm().oid, ECDSA_WITH_SHA_256);
    assert!(tbs.serial_number().as_bytes().len() > 8, "a random serial");

    let (critical, constraints) = tbs
        .get_extension::<BasicConstraints>()
        .unwrap()
        .expect("basicConstraints");
    assert!(critical);
    assert!(constraints.ca);
    assert_eq!(constraints.path_len_constraint, Some(1));

    let (critical, usage) = tbs.get_extension::<KeyUsage>().unwrap().expect("keyUsage");
    assert!(critical);
    assert!(usage.key_cert_sign() && usage.crl_sign());
    assert!(!usage.digital_signature());
    assert!(
        tbs.get_extension::<ExtendedKeyUsage>().unwrap().is_none(),
        "a root without EKU passes fileca's chain check"
    );
    assert!(
        tbs.get_extension::<SubjectKeyIdentifier>()
            .unwrap()
            .is_some(),
        "subjectKeyIdentifier"
    );

    // Valid from a few minutes ago for ten years.
    let not_before = unix_of(tbs.validity().not_before);
    let not_after = unix_of(tbs.validity().not_after);
    assert!(not_before < unix(before), "backdated for clock skew");
    assert!(unix(before) - not_before <= 10 * 60);
    assert!(not_after >= unix(before) + TEN_YEARS.as_secs() as i64 - 1);
    assert!(not_after <= unix(SystemTime::now()) + TEN_YEARS.as_secs() as i64);
    assert_eq!(unix(ca.not_after()), not_after);

    // The certificate's key is the CA's public key, and it is P-256.
    let data = ca.to_secret_data();
    let spki = tbs.subject_public_key_info();
    assert_eq!(spki.to_der().unwrap(), der_of(&data["public"]));
    assert_eq!(spki.algorithm.oid, ID_EC_PUBLIC_KEY);
    let curve: ObjectIdentifier = spki
        .algorithm
        .parameters
        .as_ref()
        .unwrap()
        .decode_as()
        .unwrap();
    assert_eq!(curve, SECP_256_R_1);
}

#[test]
fn validity_is_configurable() {
    let options = FulcioCaOptions {
        validity: Duration::from_secs(3 * 24 * 60 * 60),
        ..FulcioCaOptions::default()
    };
    let ca = FulcioCa::generate(&options).unwrap();
    let der = ca.cert_der();
    let cert = parse_certificate(&der);
    let lifetime = unix_of(cert.tbs_certificate().validity().not_after) - unix(SystemTime::now());
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
    let cert = parse_certificate(&cert_der);
    assert_eq!(
        cert.tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap(),
        public.as_bytes()
    );
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

    // Unencrypted PKCS#8 DER, for ct_server's `keyspb.PrivateKey { der }`.
    assert_eq!(key.to_pkcs8_der(), der_of(pkcs8.as_bytes()));
    assert!(!EcKeyPair::is_legacy_encrypted(pkcs8.as_bytes()));
    assert_ne!(EcKeyPair::generate(), key);
}

#[test]
fn keys_encrypted_the_legacy_way_are_still_read() {
    // What CT log Secrets of earlier versions hold, and the same scheme as OpenSSL writes it.
    for (private, password, public) in [
        (
            legacy_ctlog_secret::PRIVATE,
            legacy_ctlog_secret::PASSWORD,
            legacy_ctlog_secret::PUBLIC,
        ),
        (
            openssl_rfc1423_key::PRIVATE,
            openssl_rfc1423_key::PASSWORD,
            openssl_rfc1423_key::PUBLIC,
        ),
    ] {
        assert!(EcKeyPair::is_legacy_encrypted(private.as_bytes()));
        let password = Password::from_bytes(password.as_bytes()).unwrap();
        let key = EcKeyPair::from_legacy_encrypted_pem(private.as_bytes(), &password).unwrap();
        assert_eq!(key.public_key_pem(), public);

        let wrong = Password::generate();
        assert!(matches!(
            EcKeyPair::from_legacy_encrypted_pem(private.as_bytes(), &wrong),
            Err(KeyError::WrongPassword { .. }) | Err(KeyError::Malformed { .. })
        ));
        assert!(
            EcKeyPair::from_pem(private.as_bytes()).is_err(),
            "encrypted needs the password"
        );
    }
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
