//! Shared fixtures for the trust tests (trust_*.rs): keys, CAs, trust material, bundles.

use std::path::Path;

use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use serde_json::json;
use sha2::{Digest as _, Sha256};

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
/// The identity Fulcio puts in certificates for the `default` service account.
pub const IDENTITY: &str = "https://kubernetes.io/namespaces/default/serviceaccounts/default";

/// 2026-01-02T03:04:05Z
pub const REKOR_VALID_FROM: Timestamp = Timestamp::from_unix_seconds(1_767_323_045);
/// 2026-01-01T00:00:00Z
pub const CTLOG_VALID_FROM: Timestamp = Timestamp::from_unix_seconds(1_767_225_600);

/// How the test logs know themselves (their `baseUrl` in every audience's trusted root).
pub const REKOR_IDENTITY: &str = "http://rekor.rekor-system.svc";
pub const CTLOG_IDENTITY: &str = "http://ctlog.ctlog-system.svc/sigstorescaffolding";

pub fn url(text: &str) -> ServiceUrl {
    ServiceUrl::parse(text).unwrap()
}

pub fn in_cluster_endpoints() -> Endpoints {
    Endpoints {
        fulcio: url("http://fulcio.fulcio-system.svc"),
        fulcio_grpc: Some(url("http://fulcio-grpc.fulcio-system.svc:5554")),
        rekor: url("http://rekor.rekor-system.svc"),
        ctlog: url("http://ctlog.ctlog-system.svc/sigstorescaffolding"),
        tsa: None,
        oidc_issuer: url(OIDC_ISSUER),
    }
}

pub fn host_endpoints() -> Endpoints {
    Endpoints {
        fulcio: url("http://127.0.0.1:41001"),
        fulcio_grpc: None,
        rekor: url("http://127.0.0.1:41002"),
        ctlog: url("http://127.0.0.1:41003/sigstorescaffolding"),
        tsa: None,
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

    /// A Fulcio-style code-signing leaf for `key`: SAN URI identity, OIDC issuer extensions,
    /// valid from `not_before` for a day. With `ct_log`, it carries
    /// an embedded SCT signed by that key, made the way RFC 6962 describes (a CT log would
    /// sign the precertificate; here the TBS without the SCT extension stands in for it).
    pub fn issue_code_signing_leaf(
        &self,
        key: &SigningKey,
        identity_uri: &str,
        oidc_issuer: &str,
        not_before: Timestamp,
        ct_log: Option<&SigningKey>,
    ) -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&rand::random::<[u8; 16]>()));
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.not_before = offset_date_time(not_before);
        params.not_after = offset_date_time(Timestamp::from_unix_seconds(
            not_before.unix_seconds() + 86_400,
        ));
        params.subject_alt_names = vec![SanType::URI(identity_uri.try_into().unwrap())];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        params.use_authority_key_identifier_extension = true;
        // Fulcio writes the issuer twice: raw bytes under the deprecated .1.1, a DER UTF8String
        // under .1.8; cosign reads .1.8, sigstore-python .1.1.
        params.custom_extensions.extend([
            rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 1],
                oidc_issuer.as_bytes().to_vec(),
            ),
            rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 57264, 1, 8],
                der_utf8_string(oidc_issuer),
            ),
        ]);
        let leaf_key = KeyPair::try_from(key.to_pkcs8_der().unwrap().as_bytes()).unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let sign = |params: &CertificateParams| {
            params.signed_by(&leaf_key, &issuer).unwrap().der().to_vec()
        };
        let Some(ct_log) = ct_log else {
            return sign(&params);
        };
        let precert_tbs = tbs_der(&sign(&params));
        let issuer_spki = rcgen::PublicKeyData::subject_public_key_info(&self.key);
        let issuer_key_hash: [u8; 32] = Sha256::digest(issuer_spki).into();
        let sct = signed_certificate_timestamp(
            ct_log,
            &issuer_key_hash,
            &precert_tbs,
            (not_before.unix_seconds() as u64 + 1) * 1000,
        );
        // SignedCertificateTimestampList: u16 length, then each SCT as u16 length + bytes.
        let mut list = Vec::new();
        list.extend_from_slice(&((sct.len() + 2) as u16).to_be_bytes());
        list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
        list.extend_from_slice(&sct);
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
                der_octet_string(&list),
            ));
        sign(&params)
    }
}

fn tbs_der(certificate_der: &[u8]) -> Vec<u8> {
    use x509_cert::der::{Decode as _, Encode as _};
    x509_cert::Certificate::from_der(certificate_der)
        .unwrap()
        .tbs_certificate()
        .to_der()
        .unwrap()
}

/// An RFC 6962 v1 SCT over a precertificate entry, signed by `log_key`; its log ID is
/// SHA-256 of the key's DER SPKI.
fn signed_certificate_timestamp(
    log_key: &SigningKey,
    issuer_key_hash: &[u8; 32],
    precert_tbs: &[u8],
    timestamp_ms: u64,
) -> Vec<u8> {
    let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
    signed.extend_from_slice(&timestamp_ms.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
    signed.extend_from_slice(issuer_key_hash);
    signed.extend_from_slice(&(precert_tbs.len() as u32).to_be_bytes()[1..]); // u24 length
    signed.extend_from_slice(precert_tbs);
    signed.extend_from_slice(&0u16.to_be_bytes()); // no extensions
    let signature: p256::ecdsa::Signature = log_key.sign(&signed);
    let signature = signature.to_der().as_bytes().to_vec();

    let mut sct = vec![0u8]; // v1
    sct.extend_from_slice(&Sha256::digest(spki_der_of(log_key)));
    sct.extend_from_slice(&timestamp_ms.to_be_bytes());
    sct.extend_from_slice(&0u16.to_be_bytes()); // no extensions
    sct.extend_from_slice(&[4, 3]); // sha256, ecdsa
    sct.extend_from_slice(&(signature.len() as u16).to_be_bytes());
    sct.extend_from_slice(&signature);
    sct
}

fn der_octet_string(bytes: &[u8]) -> Vec<u8> {
    let mut der = vec![0x04];
    match bytes.len() {
        len @ 0..=127 => der.push(len as u8),
        len @ 128..=255 => der.extend_from_slice(&[0x81, len as u8]),
        len => der.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    der.extend_from_slice(bytes);
    der
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
            rekor_url: url(REKOR_IDENTITY),
            rekor_major_api_version: 1,
            ctlog_public_key: public_key_of(&self.ctlog_key),
            ctlog_valid_from: CTLOG_VALID_FROM,
            ctlog_url: url(CTLOG_IDENTITY),
            fulcio_chain: CertificateChain::parse(self.fulcio_root.pem().as_bytes()).unwrap(),
            tsa_chain: None,
        }
    }
}

pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents)
        .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn now() -> i64 {
    Timestamp::from(std::time::SystemTime::now()).unix_seconds()
}

/// A v0.3 bundle for `artifact` signed by a leaf certificate that `ca` issued (with an SCT from
/// `ct_log` if given): what a Fulcio + Rekor signing produces, except that the Rekor entry's
/// promise and checkpoint are not real signatures (no Rekor runs in these tests). It is well
/// formed, so verification proceeds in order: time, chain, SCT, identity, log entry.
pub fn bundle_signed_under(
    ca: &TestCa,
    ct_log: Option<&SigningKey>,
    rekor_log_id_b64: &str,
    artifact: &[u8],
) -> String {
    let signing_time = now() - 60;
    let key = new_p256_key();
    let leaf = ca.issue_code_signing_leaf(
        &key,
        IDENTITY,
        OIDC_ISSUER,
        Timestamp::from_unix_seconds(signing_time - 60),
        ct_log,
    );
    let signature: p256::ecdsa::Signature = key.sign(artifact);
    let signature_der = signature.to_der().as_bytes().to_vec();
    let digest = Sha256::digest(artifact);
    let leaf_pem = pem::encode(&pem::Pem::new("CERTIFICATE", leaf.clone()));
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": "sha256", "value": hex(&digest) } },
            "signature": {
                "content": b64(&signature_der),
                "publicKey": { "content": b64(leaf_pem.as_bytes()) }
            }
        }
    });
    let unsigned = b64(&[0u8; 71]);
    json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": { "rawBytes": b64(&leaf) },
            "tlogEntries": [{
                "logIndex": "0",
                "logId": { "keyId": rekor_log_id_b64 },
                "kindVersion": { "kind": "hashedrekord", "version": "0.0.1" },
                "integratedTime": signing_time.to_string(),
                "inclusionPromise": { "signedEntryTimestamp": unsigned },
                "inclusionProof": {
                    "logIndex": "0",
                    "rootHash": b64(&[0u8; 32]),
                    "treeSize": "1",
                    "hashes": [],
                    "checkpoint": { "envelope": "rekor.example - 1\n1\nAAAA\n\n— rekor.example AAAA\n" }
                },
                "canonicalizedBody": b64(body.to_string().as_bytes())
            }]
        },
        "messageSignature": {
            "messageDigest": { "algorithm": "SHA2_256", "digest": b64(&digest) },
            "signature": b64(&signature_der)
        }
    })
    .to_string()
}

/// A JWT that passes sigstore-python's unverified claim checks (aud, iss, sub, iat, exp).
pub fn unsigned_token() -> String {
    let url = |value: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let now = now();
    format!(
        "{}.{}.{}",
        url(json!({ "alg": "RS256", "kid": "test", "typ": "JWT" })),
        url(json!({
            "aud": ["sigstore"],
            "iss": OIDC_ISSUER,
            "sub": "system:serviceaccount:default:default",
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 600,
        })),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0u8; 64]),
    )
}
