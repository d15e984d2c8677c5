//! Shared fixtures for the trust tests, included by each `tests/trust_*.rs` with
//! `#[path = "trust_support.rs"] mod support;`. Compiled alone it holds no tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use sigstore_up::trust::{
    CertificateChain, Endpoints, PublicKey, ServiceUrl, Timestamp, TrustMaterial,
};

pub const OIDC_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// 2026-01-02T03:04:05Z
pub const REKOR_VALID_FROM: Timestamp = Timestamp::from_unix_seconds(1_767_323_045);
/// 2026-01-01T00:00:00Z
pub const CTLOG_VALID_FROM: Timestamp = Timestamp::from_unix_seconds(1_767_225_600);

pub fn url(text: &str) -> ServiceUrl {
    ServiceUrl::parse(text).unwrap()
}

pub fn in_cluster_endpoints() -> Endpoints {
    Endpoints {
        fulcio: url("http://fulcio.fulcio-system.svc"),
        fulcio_grpc: Some(url("http://fulcio-grpc.fulcio-system.svc:5554")),
        rekor: url("http://rekor.rekor-system.svc"),
        ctlog: url("http://ctlog.ctlog-system.svc/sigstorescaffolding"),
        oidc_issuer: url(OIDC_ISSUER),
    }
}

pub fn host_endpoints() -> Endpoints {
    Endpoints {
        fulcio: url("http://127.0.0.1:41001"),
        fulcio_grpc: None,
        rekor: url("http://127.0.0.1:41002"),
        ctlog: url("http://127.0.0.1:41003/sigstorescaffolding"),
        oidc_issuer: url(OIDC_ISSUER),
    }
}

pub fn new_p256_key() -> SigningKey {
    SigningKey::generate()
}

pub fn spki_der_of(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

pub fn public_key_of(key: &SigningKey) -> PublicKey {
    PublicKey::from_spki_der(&spki_der_of(key)).unwrap()
}

/// A CA made with rcgen, shaped like Fulcio's file CA (CA:TRUE critical, keyCertSign).
pub struct TestCa {
    pub key: KeyPair,
    pub params: CertificateParams,
    pub der: Vec<u8>,
}

impl TestCa {
    pub fn root(organization: &str, common_name: &str, not_before: (i32, u8, u8)) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(organization, common_name, not_before);
        let der = params.self_signed(&key).unwrap().der().to_vec();
        TestCa { key, params, der }
    }

    pub fn intermediate(&self, common_name: &str, not_before: (i32, u8, u8)) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut params = ca_params("sigstore-up test", common_name, not_before);
        params.use_authority_key_identifier_extension = true;
        let der = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap()
            .der()
            .to_vec();
        TestCa { key, params, der }
    }

    pub fn pem(&self) -> String {
        pem::encode_config(
            &pem::Pem::new("CERTIFICATE", self.der.clone()),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }

    /// A Fulcio-style code-signing leaf for `key`: SAN URI identity, OIDC issuer extension
    /// (1.3.6.1.4.1.57264.1.8), valid from `not_before` for a day.
    pub fn issue_code_signing_leaf(
        &self,
        key: &SigningKey,
        identity_uri: &str,
        oidc_issuer: &str,
        not_before: Timestamp,
    ) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.not_before = offset_date_time(not_before);
        params.not_after = offset_date_time(Timestamp::from_unix_seconds(
            not_before.unix_seconds() + 86_400,
        ));
        params.subject_alt_names = vec![SanType::URI(identity_uri.try_into().unwrap())];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        params.use_authority_key_identifier_extension = true;
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 8],
                der_utf8_string(oidc_issuer),
            ));
        let leaf_key = KeyPair::try_from(key.to_pkcs8_der().unwrap().as_bytes()).unwrap();
        params
            .signed_by(&leaf_key, &Issuer::from_params(&self.params, &self.key))
            .unwrap()
            .der()
            .to_vec()
    }
}

fn ca_params(
    organization: &str,
    common_name: &str,
    not_before: (i32, u8, u8),
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, organization);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = rcgen::date_time_ymd(not_before.0 + 10, 1, 1);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn offset_date_time(time: Timestamp) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(time.unix_seconds()).unwrap()
}

fn der_utf8_string(text: &str) -> Vec<u8> {
    assert!(text.len() < 128, "short-form DER length only");
    let mut der = vec![0x0c, text.len() as u8];
    der.extend_from_slice(text.as_bytes());
    der
}

/// Keys and a Fulcio root made fresh for one test.
pub struct TestStack {
    pub rekor_key: SigningKey,
    pub ctlog_key: SigningKey,
    pub fulcio_root: TestCa,
}

impl TestStack {
    pub fn generate() -> TestStack {
        TestStack {
            rekor_key: new_p256_key(),
            ctlog_key: new_p256_key(),
            fulcio_root: TestCa::root("sigstore-up", "sigstore-up test root", (2025, 12, 31)),
        }
    }

    pub fn material(&self) -> TrustMaterial {
        TrustMaterial {
            rekor_public_key: public_key_of(&self.rekor_key),
            rekor_valid_from: REKOR_VALID_FROM,
            ctlog_public_key: public_key_of(&self.ctlog_key),
            ctlog_valid_from: CTLOG_VALID_FROM,
            fulcio_chain: CertificateChain::parse(self.fulcio_root.pem().as_bytes()).unwrap(),
        }
    }
}

/// Runs a command, panicking with its output if it cannot start.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

pub fn run_ok(command: &mut Command) -> Output {
    let output = run(command);
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A binary built for the tests (cosign, rekor-server, ...). Missing means the test run is
/// broken, so this fails loudly instead of skipping.
pub fn test_binary(name: &str) -> PathBuf {
    let dir = std::env::var_os("SIGSTORE_UP_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/sigstore-up-test/bin"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{name} not found at {}: build the test binaries first (tests/cluster build), or point \
         SIGSTORE_UP_TEST_BIN at the directory holding them",
        path.display()
    );
    path
}

pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents)
        .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
}
