//! Public key material the trust files are built from: a log's public key and the Fulcio
//! certificate chain, each accepted as PEM or DER bytes.

use base64::Engine as _;
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _};
use sha2::{Digest as _, Sha256};
use x509_cert::Certificate;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::name::DirectoryString;

use super::error::TrustInputError;
use super::timestamp::Timestamp;

/// The `PublicKeyDetails` a key is announced with in trusted_root.json. sigstore-up mints
/// ECDSA P-256 keys for Rekor v1 and the CT logs, and an Ed25519 key for Rekor v2 (the
/// algorithm rekor-tiles signs checkpoints with upstream); those are the kinds accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDetails {
    PkixEcdsaP256Sha256,
    PkixEd25519,
}

impl KeyDetails {
    /// The protobuf enum name, as the JSON mapping writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyDetails::PkixEcdsaP256Sha256 => "PKIX_ECDSA_P256_SHA_256",
            KeyDetails::PkixEd25519 => "PKIX_ED25519",
        }
    }
}

/// The DER SubjectPublicKeyInfo of an Ed25519 key is this prefix (SEQUENCE, AlgorithmIdentifier
/// id-Ed25519 without parameters, BIT STRING of 33 bytes) and the 32-byte key (RFC 8410).
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Signature type byte of Ed25519 in C2SP signed notes.
const NOTE_ED25519: u8 = 0x01;

/// A transparency log's ID: SHA-256 over the DER SubjectPublicKeyInfo of its key. For Rekor v1
/// this is the `logID` Rekor puts in every entry; for a CT log it is the RFC 6962 log ID inside
/// every SCT. Clients look logs up by it, so it must be exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogId([u8; 32]);

impl LogId {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Standard base64 with padding, the form `logId.keyId` takes in JSON.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Lower-case hex, the form Rekor's API and cosign print.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// An ECDSA P-256 or Ed25519 public key, kept as canonical DER SubjectPublicKeyInfo
/// (uncompressed point, named curve for P-256): the encoding Go's `x509.MarshalPKIXPublicKey`
/// produces, which the logs hash into their log IDs. Any other encoding of the same key is
/// re-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki_der: Vec<u8>,
}

impl PublicKey {
    /// Accepts PEM (`-----BEGIN PUBLIC KEY-----`) or DER SubjectPublicKeyInfo.
    pub fn parse(bytes: &[u8]) -> Result<Self, TrustInputError> {
        if looks_like_pem(bytes) {
            let block = pem::parse(bytes).map_err(|error| {
                TrustInputError::PublicKey(format!("not readable as PEM ({error})"))
            })?;
            if block.tag() != "PUBLIC KEY" {
                return Err(TrustInputError::PublicKey(format!(
                    "PEM block is {:?}; expected a \"PUBLIC KEY\" block (SubjectPublicKeyInfo). \
                     If this is a private key, pass its public half instead",
                    block.tag()
                )));
            }
            Self::from_spki_der(block.contents())
        } else {
            Self::from_spki_der(bytes)
        }
    }

    pub fn from_spki_der(der: &[u8]) -> Result<Self, TrustInputError> {
        if der.len() == ED25519_SPKI_PREFIX.len() + 32 && der.starts_with(&ED25519_SPKI_PREFIX) {
            return Ok(PublicKey {
                spki_der: der.to_vec(),
            });
        }
        let key = p256::PublicKey::from_public_key_der(der).map_err(|error| {
            TrustInputError::PublicKey(format!(
                "not an ECDSA P-256 or Ed25519 SubjectPublicKeyInfo ({error}); sigstore-up's \
                 log keys are one of those, give the PEM \"PUBLIC KEY\" of such a key"
            ))
        })?;
        Ok(Self::from_p256(&key))
    }

    pub fn from_p256(key: &p256::PublicKey) -> Self {
        let spki_der = key
            .to_public_key_der()
            .expect("a valid P-256 point always encodes as SubjectPublicKeyInfo")
            .into_vec();
        PublicKey { spki_der }
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Creates an Ed25519 key from its 32 bytes.
    pub fn from_ed25519(raw: &[u8; 32]) -> Self {
        let mut spki_der = ED25519_SPKI_PREFIX.to_vec();
        spki_der.extend_from_slice(raw);
        PublicKey { spki_der }
    }

    pub fn key_details(&self) -> KeyDetails {
        if self.ed25519_raw().is_some() {
            KeyDetails::PkixEd25519
        } else {
            KeyDetails::PkixEcdsaP256Sha256
        }
    }

    /// The 32 key bytes of an Ed25519 key.
    pub fn ed25519_raw(&self) -> Option<&[u8]> {
        self.spki_der.strip_prefix(&ED25519_SPKI_PREFIX[..])
    }

    /// The log ID of a Rekor v1 or CT log with this key: SHA-256 of the SubjectPublicKeyInfo.
    pub fn log_id(&self) -> LogId {
        LogId(Sha256::digest(&self.spki_der).into())
    }

    /// The log ID of a log that signs C2SP signed-note checkpoints as `origin` (Rekor v2): the
    /// untruncated key hash of the note verifier. For Ed25519 that is SHA-256(origin, '\n',
    /// 0x01, key), whose first four bytes are the key ID in every checkpoint signature line.
    /// For ECDSA rekor-tiles keeps SHA-256 of the SubjectPublicKeyInfo (its `note.KeyHash`).
    pub fn note_log_id(&self, origin: &str) -> LogId {
        match self.ed25519_raw() {
            Some(raw) => {
                let mut hasher = Sha256::new();
                hasher.update(origin.as_bytes());
                hasher.update(b"\n");
                hasher.update([NOTE_ED25519]);
                hasher.update(raw);
                LogId(hasher.finalize().into())
            }
            None => self.log_id(),
        }
    }

    /// PEM `PUBLIC KEY` with LF line endings, the form cosign's `SIGSTORE_*_PUBLIC_KEY` files take.
    pub fn to_pem(&self) -> String {
        encode_pem("PUBLIC KEY", &self.spki_der)
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("log_id", &self.log_id().to_hex())
            .finish()
    }
}

/// A CA certificate chain ordered leaf-most first, trust anchor (root) last: the order
/// trusted_root.json's `certChain` needs. Input in either order is accepted and normalized.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateChain {
    certificates_der: Vec<Vec<u8>>,
    root_not_before: Timestamp,
    root_organization: Option<String>,
    root_common_name: Option<String>,
}

impl CertificateChain {
    /// Accepts one or more PEM `CERTIFICATE` blocks, or a single DER certificate.
    pub fn parse(bytes: &[u8]) -> Result<Self, TrustInputError> {
        if bytes.trim_ascii().is_empty() {
            return Self::from_der_certificates(Vec::new());
        }
        if !looks_like_pem(bytes) {
            return Self::from_der_certificates(vec![bytes.to_vec()]);
        }
        let blocks = pem::parse_many(bytes).map_err(|error| {
            TrustInputError::CertificateChain(format!("not readable as PEM ({error})"))
        })?;
        let mut certificates_der = Vec::with_capacity(blocks.len());
        for block in blocks {
            if block.tag() != "CERTIFICATE" {
                return Err(TrustInputError::CertificateChain(format!(
                    "PEM block is {:?}; expected only \"CERTIFICATE\" blocks (the Fulcio root, \
                     and intermediates if any)",
                    block.tag()
                )));
            }
            certificates_der.push(block.into_contents());
        }
        Self::from_der_certificates(certificates_der)
    }

    /// DER certificates, leaf-most first or root first.
    pub fn from_der_certificates(certificates_der: Vec<Vec<u8>>) -> Result<Self, TrustInputError> {
        if certificates_der.is_empty() {
            return Err(TrustInputError::CertificateChain(
                "no certificate found; give the Fulcio root certificate as PEM".into(),
            ));
        }
        let mut certificates = Vec::with_capacity(certificates_der.len());
        for (index, der) in certificates_der.iter().enumerate() {
            let certificate = Certificate::from_der(der).map_err(|error| {
                TrustInputError::CertificateChain(format!(
                    "certificate {index} is not a DER X.509 certificate ({error})"
                ))
            })?;
            certificates.push(certificate);
        }

        let mut chain: Vec<(Vec<u8>, Certificate)> =
            certificates_der.into_iter().zip(certificates).collect();
        if !is_leaf_first(&chain) {
            chain.reverse();
            if !is_leaf_first(&chain) {
                return Err(TrustInputError::CertificateChain(
                    "the certificates do not form a chain (each one issued by the next); give \
                     them leaf first, root last (or the reverse)"
                        .into(),
                ));
            }
        }

        let root = &chain.last().expect("chain is not empty").1;
        let tbs = root.tbs_certificate();
        let root_not_before =
            Timestamp::from_system_time(tbs.validity().not_before.to_system_time());
        let subject = tbs.subject();
        let root_organization = name_text(subject.organization());
        let root_common_name = name_text(subject.common_name());

        Ok(CertificateChain {
            certificates_der: chain.into_iter().map(|(der, _)| der).collect(),
            root_not_before,
            root_organization,
            root_common_name,
        })
    }

    /// Leaf-most first, root last.
    pub fn certificates_der(&self) -> &[Vec<u8>] {
        &self.certificates_der
    }

    pub fn root_der(&self) -> &[u8] {
        self.certificates_der.last().expect("chain is not empty")
    }

    /// notBefore of the root: the start of the CA's validity in trusted_root.json.
    pub fn root_not_before(&self) -> Timestamp {
        self.root_not_before
    }

    pub fn root_organization(&self) -> Option<&str> {
        self.root_organization.as_deref()
    }

    pub fn root_common_name(&self) -> Option<&str> {
        self.root_common_name.as_deref()
    }

    /// PEM `CERTIFICATE` blocks, leaf-most first, root last (what `SIGSTORE_ROOT_FILE` takes).
    pub fn to_pem(&self) -> String {
        self.certificates_der
            .iter()
            .map(|der| encode_pem("CERTIFICATE", der))
            .collect()
    }
}

impl std::fmt::Debug for CertificateChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateChain")
            .field("certificates", &self.certificates_der.len())
            .field("root_common_name", &self.root_common_name)
            .field("root_not_before", &self.root_not_before.to_rfc3339())
            .finish()
    }
}

/// A name attribute as text; informational only, so an unreadable one is simply left out.
fn name_text(attribute: x509_cert::der::Result<Option<DirectoryString>>) -> Option<String> {
    attribute
        .ok()
        .flatten()
        .map(|value| value.value().into_owned())
}

/// True when every certificate's issuer is the subject of the one after it.
fn is_leaf_first(chain: &[(Vec<u8>, Certificate)]) -> bool {
    chain.windows(2).all(|pair| {
        let issued = pair[0].1.tbs_certificate();
        let issuer = pair[1].1.tbs_certificate();
        issued.issuer().to_der().ok() == issuer.subject().to_der().ok()
    })
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN ")
}

fn encode_pem(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The C2SP signed-note key ID of an Ed25519 key, worked by hand from the spec:
    /// SHA-256("origin" || "\n" || 0x01 || key), for the all-zero key.
    #[test]
    fn rekor_v2_log_id_is_the_signed_note_key_hash() {
        let key = PublicKey::from_ed25519(&[0; 32]);
        let mut input = b"rekor.rekor-system.svc\n\x01".to_vec();
        input.extend_from_slice(&[0; 32]);
        let expected: [u8; 32] = Sha256::digest(&input).into();
        assert_eq!(
            key.note_log_id("rekor.rekor-system.svc").as_bytes(),
            &expected
        );
        // Not the Rekor v1 form, and it changes with the origin.
        assert_ne!(key.note_log_id("rekor.rekor-system.svc"), key.log_id());
        assert_ne!(
            key.note_log_id("rekor.rekor-system.svc"),
            key.note_log_id("rekor.other.svc")
        );
        assert_eq!(PublicKey::parse(key.to_pem().as_bytes()).unwrap(), key);
        assert_eq!(key.key_details().as_str(), "PKIX_ED25519");
    }
}
