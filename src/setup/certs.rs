//! Keys and certificates, minted in-process: the Fulcio file CA ([`FulcioCa`]) and the P-256
//! signing keys of the CT log and Rekor ([`EcKeyPair`]).
//!
//! Formats, as the servers load them (checked against the real binaries in tests/setup_*.rs):
//! - Fulcio `--ca fileca` reads the key with sigstore's `cryptoutils.UnmarshalPEMToPrivateKey`,
//!   which accepts an `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2); that is what we write, with
//!   PBKDF2-HMAC-SHA256 and AES-256-CBC. The certificate file holds the single self-signed root
//!   (no intermediate): fileca requires certs[0] to be a CA whose key is the private key.
//! - ct_server takes its key inside its config, as `keyspb.PrivateKey { der }`: unencrypted
//!   PKCS#8 DER, [`EcKeyPair::to_pkcs8_der`] (Trillian's `der.UnmarshalPrivateKey` reads SEC1,
//!   PKCS#8 or PKCS#1). Its other loader, `keyspb.PEMKeyFile`, refuses a key file without a
//!   password, which would mean the legacy RFC 1423 encryption; CT log Secrets written that way
//!   by earlier versions are still read ([`EcKeyPair::from_legacy_encrypted_pem`]).
//! - rekor-server's file signer reads an unencrypted PKCS#8 `PRIVATE KEY`:
//!   [`EcKeyPair::to_pkcs8_pem`]; the CT log's Secret stores its key the same way.
//!
//! Secret-holding types print only public facts in `Debug`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use aes::Aes256;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use p256::elliptic_curve::Generate;
use p256::pkcs8::der::Decode;
use p256::pkcs8::der::pem::PemLabel;
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey,
    EncryptedPrivateKeyInfoRef, LineEnding, PrivateKeyInfoRef,
};
use p256::{PublicKey, SecretKey};
use rand::RngExt;
use sha2::Sha256;
use time::OffsetDateTime;
use x509_cert::der::Encode as _;
use x509_cert::ext::pkix::BasicConstraints;

use super::secret::Password;

/// Errors reading keys and certificates back, or minting them.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the secret data has no `{0}` entry")]
    MissingEntry(&'static str),
    #[error("{what} is not valid: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("{what} cannot be decrypted with the stored password (wrong password or damaged key)")]
    WrongPassword { what: &'static str },
    #[error("{what} does not belong to {other}")]
    Mismatch {
        what: &'static str,
        other: &'static str,
    },
    #[error("the CA certificate is not a CA (basicConstraints CA:TRUE is missing)")]
    NotCa,
    #[error("the CA validity must be more than zero and at most 100 years, not {0:?}")]
    BadValidity(Duration),
    #[error("minting {what} failed: {detail}")]
    Mint { what: &'static str, detail: String },
}

/// The keys of [`FulcioCa::to_secret_data`], as the contract names them.
pub mod secret_keys {
    /// PEM of the self-signed root certificate.
    pub const CERT: &str = "cert";
    /// `ENCRYPTED PRIVATE KEY` PEM of the CA key.
    pub const PRIVATE: &str = "private";
    /// The password of `private`.
    pub const PASSWORD: &str = "password";
    /// SPKI `PUBLIC KEY` PEM of the CA key.
    pub const PUBLIC: &str = "public";
}

/// How to mint the Fulcio root.
#[derive(Debug, Clone)]
pub struct FulcioCaOptions {
    pub common_name: String,
    pub organization: String,
    /// How long the root is valid from now. Fulcio refuses to start with an expired CA and
    /// cannot issue certificates that outlive it, so the default is long (ten years).
    pub validity: Duration,
}

impl Default for FulcioCaOptions {
    fn default() -> Self {
        FulcioCaOptions {
            common_name: "sigstore-up Fulcio root CA".to_owned(),
            organization: "sigstore-up".to_owned(),
            validity: Duration::from_secs(10 * 365 * 24 * 60 * 60),
        }
    }
}

/// Far enough for any real use, and keeps dates well inside what X.509 can encode.
const MAX_VALIDITY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// The CA certificate starts this much in the past, so nodes whose clocks run a little behind
/// still accept it (and the certificates Fulcio issues under it).
const BACKDATE: Duration = Duration::from_secs(5 * 60);

/// PBKDF2 rounds for the encrypted CA key. The password is 32 random characters (~190 bits),
/// so key stretching adds nothing; a modest count keeps every install's decrypt fast.
const PBKDF2_ITERATIONS: u32 = 10_000;

/// Fulcio's file CA: a self-signed P-256 root that Fulcio signs with directly.
pub struct FulcioCa {
    key: SecretKey,
    cert_pem: String,
    /// Kept as minted (or as read back), so writing the Secret again changes nothing.
    encrypted_key_pem: String,
    password: Password,
    not_after: SystemTime,
}

impl FulcioCa {
    /// Mints a new key, self-signed root certificate and random password.
    pub fn generate(options: &FulcioCaOptions) -> Result<FulcioCa, KeyError> {
        if options.validity.is_zero() || options.validity > MAX_VALIDITY {
            return Err(KeyError::BadValidity(options.validity));
        }
        let key = SecretKey::generate_from_rng(&mut rand::rng());
        let now = SystemTime::now();
        let not_before = now - BACKDATE;
        let not_after = now + options.validity;
        let cert_pem = self_signed_ca_pem(&key, options, not_before, not_after)?;
        let password = Password::generate();
        let encrypted_key_pem = encrypt_pkcs8_pem(&key, &password)?;
        Ok(FulcioCa {
            key,
            cert_pem,
            encrypted_key_pem,
            password,
            not_after: truncate_to_seconds(not_after).into(),
        })
    }

    /// Reads back what [`FulcioCa::to_secret_data`] wrote, decrypting the key and checking that
    /// it belongs to the certificate, that the certificate is a CA, and that `public` (if
    /// present) is its public key.
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<FulcioCa, KeyError> {
        let entry = |name: &'static str| data.get(name).ok_or(KeyError::MissingEntry(name));
        let cert_pem = utf8(entry(secret_keys::CERT)?, "the CA certificate")?;
        let encrypted_key_pem = utf8(entry(secret_keys::PRIVATE)?, "the CA private key")?;
        let password = Password::from_bytes(entry(secret_keys::PASSWORD)?).map_err(|e| {
            KeyError::Malformed {
                what: "the CA key password",
                detail: e.to_string(),
            }
        })?;

        let cert = CaCertFacts::from_pem(&cert_pem)?;
        let key = decrypt_pkcs8_pem(&encrypted_key_pem, &password, "the CA private key")?;
        if key.public_key() != cert.public_key {
            return Err(KeyError::Mismatch {
                what: "the CA private key",
                other: "the CA certificate",
            });
        }
        if let Some(public_pem) = data.get(secret_keys::PUBLIC) {
            let public = PublicKey::from_public_key_pem(&utf8(public_pem, "the CA public key")?)
                .map_err(|e| malformed("the CA public key", e))?;
            if public != cert.public_key {
                return Err(KeyError::Mismatch {
                    what: "the CA public key",
                    other: "the CA certificate",
                });
            }
        }
        Ok(FulcioCa {
            key,
            cert_pem,
            encrypted_key_pem,
            password,
            not_after: cert.not_after,
        })
    }

    /// The Secret's data: `cert`, `private` (encrypted), `password`, `public`.
    pub fn to_secret_data(&self) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([
            (
                secret_keys::CERT.to_owned(),
                self.cert_pem.clone().into_bytes(),
            ),
            (
                secret_keys::PRIVATE.to_owned(),
                self.encrypted_key_pem.clone().into_bytes(),
            ),
            (
                secret_keys::PASSWORD.to_owned(),
                self.password.expose().as_bytes().to_vec(),
            ),
            (
                secret_keys::PUBLIC.to_owned(),
                public_key_pem(&self.key.public_key()).into_bytes(),
            ),
        ])
    }

    /// The root certificate (PEM): Fulcio's `--fileca-cert`, the CT log's roots file and the
    /// clients' trust anchor.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The root certificate as DER.
    pub fn cert_der(&self) -> Vec<u8> {
        // The PEM was produced or validated by us, so it always decodes.
        pem::parse(&self.cert_pem)
            .map(pem::Pem::into_contents)
            .unwrap_or_default()
    }

    /// When the root stops being valid (Fulcio will not start after this).
    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }
}

impl fmt::Debug for FulcioCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FulcioCa")
            .field(
                "public_key_sha256",
                &public_key_fingerprint(&self.key.public_key()),
            )
            .field("not_after", &self.not_after)
            .field("private_key", &"<redacted>")
            .field("password", &self.password)
            .finish()
    }
}

/// A P-256 signing key (the CT log's or Rekor's).
#[derive(Clone)]
pub struct EcKeyPair {
    key: SecretKey,
}

impl EcKeyPair {
    pub fn generate() -> EcKeyPair {
        EcKeyPair {
            key: SecretKey::generate_from_rng(&mut rand::rng()),
        }
    }

    /// Unencrypted PKCS#8 `PRIVATE KEY` PEM: what `rekor-server --rekor_server.signer=<file>`
    /// loads.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| KeyError::Mint {
                what: "a PKCS#8 PEM",
                detail: e.to_string(),
            })
    }

    /// SEC1 `EC PRIVATE KEY` PEM (RFC 5915): what TesseraCT's `--private_key` reads
    /// (`x509.ParseECPrivateKey`).
    pub fn to_sec1_pem(&self) -> Result<String, KeyError> {
        self.key
            .to_sec1_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| KeyError::Mint {
                what: "a SEC1 PEM",
                detail: e.to_string(),
            })
    }

    /// Unencrypted PKCS#8 DER: what ct_server's `keyspb.PrivateKey { der }` holds.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        self.key
            .to_pkcs8_der()
            .map(|der| der.as_bytes().to_vec())
            .expect("a P-256 key always encodes as PKCS#8")
    }

    /// Reads an unencrypted `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1) PEM.
    pub fn from_pem(pem_text: &[u8]) -> Result<EcKeyPair, KeyError> {
        let block = parse_single_pem(pem_text, "the private key")?;
        if block.headers().get("DEK-Info").is_some() {
            return Err(KeyError::Malformed {
                what: "the private key",
                detail: "it is encrypted; read it with from_legacy_encrypted_pem".to_owned(),
            });
        }
        let key = key_from_der(block.tag(), block.contents())?;
        Ok(EcKeyPair { key })
    }

    /// True for a PEM key encrypted the legacy RFC 1423 way (a `DEK-Info` header).
    pub fn is_legacy_encrypted(pem_text: &[u8]) -> bool {
        pem::parse(pem_text).is_ok_and(|block| block.headers().get("DEK-Info").is_some())
    }

    /// Reads a PEM key encrypted the legacy RFC 1423 way with AES-256-CBC (`Proc-Type` and
    /// `DEK-Info` headers, OpenSSL's MD5 key derivation): how versions before the CT log took
    /// its key unencrypted stored it in Secret `ctlog-secrets`. Only for reading those back;
    /// nothing is written this way any more.
    pub fn from_legacy_encrypted_pem(
        pem_text: &[u8],
        password: &Password,
    ) -> Result<EcKeyPair, KeyError> {
        let block = parse_single_pem(pem_text, "the private key")?;
        let der = rfc1423::decrypt(&block, password)?;
        let key = key_from_der(block.tag(), &der)?;
        Ok(EcKeyPair { key })
    }

    /// SPKI `PUBLIC KEY` PEM.
    pub fn public_key_pem(&self) -> String {
        public_key_pem(&self.key.public_key())
    }

    /// SPKI DER (what ct_server's `public_key { der }` and trusted_root.json carry).
    pub fn public_key_der(&self) -> Vec<u8> {
        public_key_der(&self.key.public_key())
    }
}

impl fmt::Debug for EcKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcKeyPair")
            .field(
                "public_key_sha256",
                &public_key_fingerprint(&self.key.public_key()),
            )
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl PartialEq for EcKeyPair {
    fn eq(&self, other: &Self) -> bool {
        self.key.public_key() == other.key.public_key()
    }
}

const PKCS8_TAG: &str = "PRIVATE KEY";
const SEC1_TAG: &str = "EC PRIVATE KEY";

fn malformed(what: &'static str, error: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        what,
        detail: error.to_string(),
    }
}

fn utf8(bytes: &[u8], what: &'static str) -> Result<String, KeyError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed(what, "not UTF-8 text"))
}

fn parse_single_pem(text: &[u8], what: &'static str) -> Result<pem::Pem, KeyError> {
    let mut blocks = pem::parse_many(text).map_err(|e| malformed(what, e))?;
    match blocks.len() {
        1 => Ok(blocks.remove(0)),
        n => Err(malformed(
            what,
            format!("expected one PEM block, found {n}"),
        )),
    }
}

fn key_from_der(tag: &str, der: &[u8]) -> Result<SecretKey, KeyError> {
    match tag {
        PKCS8_TAG => SecretKey::from_pkcs8_der(der).map_err(|e| malformed("the private key", e)),
        SEC1_TAG => SecretKey::from_sec1_der(der).map_err(|e| malformed("the private key", e)),
        other => Err(malformed(
            "the private key",
            format!("PEM type `{other}` is not `{PKCS8_TAG}` or `{SEC1_TAG}`"),
        )),
    }
}

fn public_key_der(key: &PublicKey) -> Vec<u8> {
    // Encoding a valid P-256 point as SPKI cannot fail.
    key.to_public_key_der()
        .map(|doc| doc.into_vec())
        .unwrap_or_default()
}

fn public_key_pem(key: &PublicKey) -> String {
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

fn public_key_fingerprint(key: &PublicKey) -> String {
    Sha256::digest(public_key_der(key))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `time` is within a century of now (see [`MAX_VALIDITY`]), well inside what `time` represents.
fn truncate_to_seconds(time: SystemTime) -> OffsetDateTime {
    OffsetDateTime::from(time)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond")
}

fn self_signed_ca_pem(
    key: &SecretKey,
    options: &FulcioCaOptions,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<String, KeyError> {
    let mint = |detail: String| KeyError::Mint {
        what: "the CA certificate",
        detail,
    };
    let pkcs8 = key.to_pkcs8_der().map_err(|e| mint(e.to_string()))?;
    let signing_key =
        rcgen::KeyPair::try_from(pkcs8.as_bytes()).map_err(|e| mint(e.to_string()))?;

    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(
        rcgen::DnType::OrganizationName,
        options.organization.as_str(),
    );
    name.push(rcgen::DnType::CommonName, options.common_name.as_str());
    params.distinguished_name = name;
    // Path length 1 as upstream's scaffolding: Fulcio issues leaves directly, and an
    // intermediate stays possible later without a new root.
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(1));
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    params.not_before = truncate_to_seconds(not_before);
    params.not_after = truncate_to_seconds(not_after);
    params.serial_number = Some(random_serial());
    Ok(params
        .self_signed(&signing_key)
        .map_err(|e| mint(e.to_string()))?
        .pem())
}

/// 16 random bytes, high bit clear so the DER INTEGER is positive, never zero-led.
fn random_serial() -> rcgen::SerialNumber {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    rcgen::SerialNumber::from_slice(&bytes)
}

/// The facts from the CA certificate that [`FulcioCa::from_secret_data`] checks.
struct CaCertFacts {
    public_key: PublicKey,
    not_after: SystemTime,
}

impl CaCertFacts {
    fn from_pem(cert_pem: &str) -> Result<CaCertFacts, KeyError> {
        const WHAT: &str = "the CA certificate";
        let block = parse_single_pem(cert_pem.as_bytes(), WHAT)?;
        if block.tag() != "CERTIFICATE" {
            return Err(malformed(
                WHAT,
                format!("PEM type `{}` is not `CERTIFICATE`", block.tag()),
            ));
        }
        let cert =
            x509_cert::Certificate::from_der(block.contents()).map_err(|e| malformed(WHAT, e))?;
        let tbs = cert.tbs_certificate();
        let constraints = tbs
            .get_extension::<BasicConstraints>()
            .map_err(|e| malformed(WHAT, e))?;
        if !constraints.is_some_and(|(_, constraints)| constraints.ca) {
            return Err(KeyError::NotCa);
        }
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| malformed(WHAT, e))?;
        let public_key = PublicKey::from_public_key_der(&spki).map_err(|e| malformed(WHAT, e))?;
        Ok(CaCertFacts {
            public_key,
            // X.509 times are whole seconds.
            not_after: tbs.validity().not_after.to_system_time(),
        })
    }
}

fn encrypt_pkcs8_pem(key: &SecretKey, password: &Password) -> Result<String, KeyError> {
    let mint = |e: &dyn fmt::Display| KeyError::Mint {
        what: "the encrypted CA key",
        detail: e.to_string(),
    };
    let der = key.to_pkcs8_der().map_err(|e| mint(&e))?;
    let info = PrivateKeyInfoRef::from_der(der.as_bytes()).map_err(|e| mint(&e))?;
    let mut rng = rand::rng();
    let salt: [u8; 16] = rng.random();
    let iv: [u8; 16] = rng.random();
    let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
        PBKDF2_ITERATIONS,
        &salt,
        iv,
    )
    .map_err(|e| mint(&e))?;
    let encrypted = info
        .encrypt_with_params(params, password.expose())
        .map_err(|e| mint(&e))?;
    encrypted
        .to_pem(EncryptedPrivateKeyInfoRef::PEM_LABEL, LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| mint(&e))
}

fn decrypt_pkcs8_pem(
    text: &str,
    password: &Password,
    what: &'static str,
) -> Result<SecretKey, KeyError> {
    let block = parse_single_pem(text.as_bytes(), what)?;
    if block.tag() != EncryptedPrivateKeyInfoRef::PEM_LABEL {
        return Err(malformed(
            what,
            format!("PEM type `{}` is not `ENCRYPTED PRIVATE KEY`", block.tag()),
        ));
    }
    let info =
        EncryptedPrivateKeyInfoRef::from_der(block.contents()).map_err(|e| malformed(what, e))?;
    let der = info
        .decrypt(password.expose())
        .map_err(|_| KeyError::WrongPassword { what })?;
    SecretKey::from_pkcs8_der(der.as_bytes()).map_err(|e| malformed(what, e))
}

/// Legacy "traditional OpenSSL" PEM encryption (RFC 1423 headers, OpenSSL's `EVP_BytesToKey`
/// with MD5 and one round), decryption only: see [`EcKeyPair::from_legacy_encrypted_pem`].
mod rfc1423 {
    use super::*;

    const CIPHER: &str = "AES-256-CBC";

    pub fn decrypt(block: &pem::Pem, password: &Password) -> Result<Vec<u8>, KeyError> {
        const WHAT: &str = "the encrypted private key";
        let dek_info = block
            .headers()
            .get("DEK-Info")
            .ok_or_else(|| malformed(WHAT, "no DEK-Info header; it is not an encrypted PEM"))?;
        let (cipher, hex_iv) = dek_info
            .split_once(',')
            .ok_or_else(|| malformed(WHAT, "bad DEK-Info header"))?;
        if cipher != CIPHER {
            return Err(malformed(WHAT, format!("cipher {cipher} is not {CIPHER}")));
        }
        let iv = decode_hex_iv(hex_iv.trim())
            .ok_or_else(|| malformed(WHAT, "bad IV in the DEK-Info header"))?;
        let key = derive_key(password, &iv);
        cbc::Decryptor::<Aes256>::new(&key.into(), &iv.into())
            .decrypt_padded_vec::<Pkcs7>(block.contents())
            .map_err(|_| KeyError::WrongPassword { what: WHAT })
    }

    /// MD5(prev ‖ password ‖ salt) repeated until 32 bytes, salt = the IV's first 8 bytes.
    fn derive_key(password: &Password, iv: &[u8; 16]) -> [u8; 32] {
        let salt = &iv[..8];
        let first = Md5::new()
            .chain_update(password.expose())
            .chain_update(salt)
            .finalize();
        let second = Md5::new()
            .chain_update(first)
            .chain_update(password.expose())
            .chain_update(salt)
            .finalize();
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(&first);
        key[16..].copy_from_slice(&second);
        key
    }

    fn decode_hex_iv(text: &str) -> Option<[u8; 16]> {
        if text.len() != 32 {
            return None;
        }
        let mut iv = [0u8; 16];
        for (i, byte) in iv.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(iv)
    }
}

/// The timestamp authority's signer: a P-256 key and its chain, a self-signed root and the
/// signing certificate it issues. timestamp-server's file signer checks the chain at start
/// (`VerifyCertChain`): at least two certificates, the leaf carrying only the timeStamping
/// extended key usage, marked critical (RFC 3161), and every other certificate a CA.
pub struct TsaSigner {
    key: SecretKey,
    /// PEM: the signing certificate, then the root.
    chain_pem: String,
}

/// DER of extKeyUsage (2.5.29.37) content: SEQUENCE { id-kp-timeStamping (1.3.6.1.5.5.7.3.8) }.
const EKU_TIMESTAMPING_DER: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
];

impl TsaSigner {
    pub fn generate(validity: Duration) -> Result<TsaSigner, KeyError> {
        if validity.is_zero() || validity > MAX_VALIDITY {
            return Err(KeyError::BadValidity(validity));
        }
        let mint = |detail: String| KeyError::Mint {
            what: "the timestamp authority's chain",
            detail,
        };
        let rcgen_key = |key: &SecretKey| -> Result<rcgen::KeyPair, KeyError> {
            let pkcs8 = key.to_pkcs8_der().map_err(|e| mint(e.to_string()))?;
            rcgen::KeyPair::try_from(pkcs8.as_bytes()).map_err(|e| mint(e.to_string()))
        };
        let now = SystemTime::now();
        let name = |common_name: &str| {
            let mut name = rcgen::DistinguishedName::new();
            name.push(rcgen::DnType::OrganizationName, "sigstore-up");
            name.push(rcgen::DnType::CommonName, common_name);
            name
        };
        let window = |params: &mut rcgen::CertificateParams| {
            params.not_before = truncate_to_seconds(now - BACKDATE);
            params.not_after = truncate_to_seconds(now + validity);
            params.serial_number = Some(random_serial());
        };

        let root_key = SecretKey::generate_from_rng(&mut rand::rng());
        let mut root = rcgen::CertificateParams::default();
        root.distinguished_name = name("sigstore-up TSA root");
        root.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        root.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        window(&mut root);
        let root = rcgen::CertifiedIssuer::self_signed(root, rcgen_key(&root_key)?)
            .map_err(|e| mint(e.to_string()))?;

        let key = SecretKey::generate_from_rng(&mut rand::rng());
        let mut leaf = rcgen::CertificateParams::default();
        leaf.distinguished_name = name("sigstore-up TSA");
        leaf.is_ca = rcgen::IsCa::ExplicitNoCa;
        leaf.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let mut eku = rcgen::CustomExtension::from_oid_content(
            &[2, 5, 29, 37],
            EKU_TIMESTAMPING_DER.to_vec(),
        );
        eku.set_criticality(true);
        leaf.custom_extensions = vec![eku];
        window(&mut leaf);
        let leaf = leaf
            .signed_by(&rcgen_key(&key)?, &root)
            .map_err(|e| mint(e.to_string()))?;

        Ok(TsaSigner {
            key,
            chain_pem: format!("{}{}", leaf.pem(), root.pem()),
        })
    }

    /// Reads the Secret data back, checking that the key is the signing certificate's.
    pub fn from_secret_data(private_pem: &[u8], chain_pem: &[u8]) -> Result<TsaSigner, KeyError> {
        let key = EcKeyPair::from_pem(private_pem)?.key;
        let chain_text = utf8(chain_pem, "the timestamp authority's chain")?;
        let blocks = pem::parse_many(chain_text.as_bytes())
            .map_err(|e| malformed("the timestamp authority's chain", e))?;
        let leaf = blocks.first().ok_or(KeyError::MissingEntry("chain"))?;
        let certificate = x509_cert::Certificate::from_der(leaf.contents())
            .map_err(|e| malformed("the timestamp authority's signing certificate", e))?;
        let leaf_key = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| malformed("the timestamp authority's signing certificate", e))?;
        if leaf_key != public_key_der(&key.public_key()) || blocks.len() < 2 {
            return Err(KeyError::Mismatch {
                what: "the timestamp authority's key",
                other: "the first certificate of its chain",
            });
        }
        Ok(TsaSigner {
            key,
            chain_pem: chain_text,
        })
    }

    pub fn private_key_pem(&self) -> Result<String, KeyError> {
        Ok(self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| malformed("the timestamp authority's key", e))?
            .to_string())
    }

    pub fn chain_pem(&self) -> &str {
        &self.chain_pem
    }
}

impl fmt::Debug for TsaSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TsaSigner")
            .field(
                "public_key",
                &public_key_fingerprint(&self.key.public_key()),
            )
            .finish()
    }
}

/// Rekor v2's checkpoint signing key: Ed25519, the algorithm rekor-tiles signs with upstream
/// (newer releases accept nothing else). Stored as unencrypted PKCS#8 PEM, what its
/// `--signer-filepath` loads.
pub struct Ed25519Key(ed25519_dalek::SigningKey);

impl Ed25519Key {
    pub fn generate() -> Ed25519Key {
        let seed: [u8; 32] = rand::rng().random();
        Ed25519Key(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    pub fn from_pem(pem_text: &[u8]) -> Result<Ed25519Key, KeyError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let text = utf8(pem_text, "the Ed25519 key")?;
        ed25519_dalek::SigningKey::from_pkcs8_pem(&text)
            .map(Ed25519Key)
            .map_err(|e| malformed("the Ed25519 key (PKCS#8 PEM expected)", e))
    }

    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        Ok(self
            .0
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map_err(|e| malformed("the Ed25519 key", e))?
            .to_string())
    }

    /// The 32 bytes of the public key.
    pub fn public_key_raw(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    /// SubjectPublicKeyInfo `PUBLIC KEY` PEM.
    pub fn public_key_pem(&self) -> String {
        crate::trust::PublicKey::from_ed25519(&self.public_key_raw()).to_pem()
    }
}

impl fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Key")
            .field(
                "public_key",
                &crate::trust::PublicKey::from_ed25519(&self.public_key_raw()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use x509_cert::der::Decode as _;

    use super::*;

    /// What timestamp-server's `VerifyCertChain` requires of a file signer's chain.
    #[test]
    fn tsa_chain_is_leaf_then_root_with_a_critical_timestamping_eku() {
        let signer = TsaSigner::generate(Duration::from_secs(86_400)).unwrap();
        let blocks = pem::parse_many(signer.chain_pem()).unwrap();
        assert_eq!(blocks.len(), 2);
        let leaf = x509_cert::Certificate::from_der(blocks[0].contents()).unwrap();
        let root = x509_cert::Certificate::from_der(blocks[1].contents()).unwrap();
        assert_eq!(
            leaf.tbs_certificate().issuer(),
            root.tbs_certificate().subject()
        );
        let eku = leaf
            .tbs_certificate()
            .extensions()
            .unwrap()
            .iter()
            .find(|e| e.extn_id.to_string() == "2.5.29.37")
            .expect("the leaf has an extended key usage");
        assert!(eku.critical);
        assert_eq!(eku.extn_value.as_bytes(), EKU_TIMESTAMPING_DER);
        // Read back from the Secret's two entries, the key matches the leaf.
        let private = signer.private_key_pem().unwrap();
        TsaSigner::from_secret_data(private.as_bytes(), signer.chain_pem().as_bytes()).unwrap();
        let other = TsaSigner::generate(Duration::from_secs(86_400)).unwrap();
        assert!(
            TsaSigner::from_secret_data(private.as_bytes(), other.chain_pem().as_bytes()).is_err()
        );
    }

    #[test]
    fn ed25519_key_round_trips_through_pkcs8_pem() {
        let key = Ed25519Key::generate();
        let pem_text = key.to_pkcs8_pem().unwrap();
        assert!(pem_text.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = Ed25519Key::from_pem(pem_text.as_bytes()).unwrap();
        assert_eq!(back.public_key_raw(), key.public_key_raw());
        let public = crate::trust::PublicKey::parse(key.public_key_pem().as_bytes()).unwrap();
        assert_eq!(public.key_details(), crate::trust::KeyDetails::PkixEd25519);
    }

    #[test]
    fn sec1_pem_is_what_tesseract_reads() {
        let key = EcKeyPair::generate();
        let pem_text = key.to_sec1_pem().unwrap();
        assert!(pem_text.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        assert_eq!(EcKeyPair::from_pem(pem_text.as_bytes()).unwrap(), key);
    }
}
