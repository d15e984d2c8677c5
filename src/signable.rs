//! The keyless round trip of install's last stage ("signable"), as pure functions: the requests a
//! signing client sends, and the checks on what the servers answer. The stage
//! (`stages::signable`) sends them through tunnels; this module knows nothing about Kubernetes
//! or HTTP, so its shapes are tested offline.
//!
//! The hops, in the order a client makes them:
//! 1. Fulcio `POST /api/v2/signingCert` (JSON of `CreateSigningCertificateRequest`): the OIDC
//!    token, the ephemeral public key (PEM) and a proof of possession, an ECDSA signature over
//!    the token's `sub` claim. Fulcio answers a chain, leaf first, whose leaf carries the SCT the
//!    CT log returned (`signedCertificateEmbeddedSct`).
//! 2. Rekor v1 `POST /api/v1/log/entries` (a hashedrekord 0.0.1 entry) or Rekor v2
//!    `POST /api/v2/log/entries` (`hashedRekordRequestV002`): the artifact's SHA-256 digest, the
//!    signature, and the certificate. Both answer the entry with an inclusion proof.
//! 3. A timestamp authority, `POST /api/v1/timestamp` with an RFC 3161 `TimeStampReq` over the
//!    signature.

use std::fmt;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use x509_cert::der::Decode as _;

use crate::trust::{OidcToken, PublicKey, TrustMaterial};
use crate::tuf::hex;

/// Which server a failure is at: what the user looks at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// The token request to the API server.
    Token,
    Fulcio,
    CtLog,
    Rekor,
    Tsa,
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Hop::Token => "OIDC token",
            Hop::Fulcio => "Fulcio",
            Hop::CtLog => "CT log",
            Hop::Rekor => "Rekor",
            Hop::Tsa => "timestamp authority",
        })
    }
}

/// A failed hop: where, what the server answered (or what was wrong with the answer), and what
/// to do about it. Never holds the token or the ephemeral key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopFailure {
    pub hop: Hop,
    pub answer: String,
    pub fix: String,
    /// Worth asking again before the deadline (the server is starting, a 5xx).
    pub retryable: bool,
}

impl fmt::Display for HopFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "signing round trip failed at {}: {}; {}",
            self.hop, self.answer, self.fix
        )
    }
}

impl std::error::Error for HopFailure {}

impl HopFailure {
    pub fn new(hop: Hop, answer: impl Into<String>, fix: impl Into<String>) -> HopFailure {
        HopFailure {
            hop,
            answer: answer.into(),
            fix: fix.into(),
            retryable: false,
        }
    }

    pub fn retryable(mut self) -> HopFailure {
        self.retryable = true;
        self
    }
}

/// The signing key of one round trip: made for it, used once, never stored or printed.
pub struct EphemeralKey(SigningKey);

impl fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EphemeralKey(<redacted>)")
    }
}

impl EphemeralKey {
    pub fn generate() -> EphemeralKey {
        let secret = p256::SecretKey::generate_from_rng(&mut rand::rng());
        EphemeralKey(SigningKey::from(&secret))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_p256(&p256::PublicKey::from(self.0.verifying_key()))
    }

    /// ECDSA P-256 over SHA-256 of `message`, ASN.1 DER (what Fulcio, Rekor and clients use).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.0.sign(message);
        signature.to_der().as_bytes().to_vec()
    }
}

/// The `sub` claim of a JWT (read, not verified: Fulcio verifies it).
pub fn token_subject(token: &OidcToken) -> anyhow::Result<String> {
    let payload = token
        .expose_secret()
        .split('.')
        .nth(1)
        .context("the token is not a JWT (no payload part)")?;
    let claims: Value = serde_json::from_slice(
        &BASE64URL
            .decode(payload.trim_end_matches('='))
            .context("the token's payload is not base64url")?,
    )
    .context("the token's payload is not JSON")?;
    claims["sub"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .context("the token has no \"sub\" claim")
}

/// Fulcio's `CreateSigningCertificateRequest` as JSON (gRPC-gateway names; bytes as base64).
pub fn fulcio_request(token: &OidcToken, public_key_pem: &str, proof: &[u8]) -> Value {
    json!({
        "credentials": { "oidcIdentityToken": token.expose_secret() },
        "publicKeyRequest": {
            "publicKey": { "algorithm": "ECDSA", "content": public_key_pem },
            "proofOfPossession": BASE64.encode(proof),
        },
    })
}

/// The certificate Fulcio issued, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The chain, leaf first, DER.
    pub chain_der: Vec<Vec<u8>>,
    /// The leaf as PEM (what Rekor v1 is given).
    pub leaf_pem: String,
    /// The SAN URI or email (the signing identity).
    pub identity: String,
}

/// The signed certificate timestamp extension (RFC 6962 section 3.3).
const SCT_LIST_OID: &str = "1.3.6.1.4.1.11129.2.4.2";
const SUBJECT_ALT_NAME_OID: &str = "2.5.29.17";

/// Reads Fulcio's answer: a chain ending in our root whose leaf holds our key and an SCT from our
/// CT log.
pub fn read_fulcio_answer(
    body: &[u8],
    ours: &PublicKey,
    material: &TrustMaterial,
) -> Result<Issued, HopFailure> {
    let refuse = |answer: String| {
        HopFailure::new(
            Hop::Fulcio,
            answer,
            "Fulcio answered, but not with a certificate clients accept: check that it runs \
             with Secret fulcio-secret (`sigstore-up status --probe`)",
        )
    };
    let answer: Value = serde_json::from_slice(body)
        .map_err(|e| refuse(format!("its answer is not JSON ({e})")))?;
    if answer.get("signedCertificateDetachedSct").is_some() {
        return Err(HopFailure::new(
            Hop::CtLog,
            "Fulcio issued a certificate without an embedded SCT (detached SCT)",
            "Fulcio must run with --ct-log-url pointing at the CT log; re-run install",
        ));
    }
    let certificates = answer["signedCertificateEmbeddedSct"]["chain"]["certificates"]
        .as_array()
        .ok_or_else(|| {
            refuse("its answer has no signedCertificateEmbeddedSct.chain.certificates".into())
        })?;
    let mut chain_der = Vec::new();
    for pem_text in certificates {
        let block = pem::parse(pem_text.as_str().unwrap_or_default())
            .map_err(|e| refuse(format!("a certificate of the chain is not PEM ({e})")))?;
        chain_der.push(block.contents().to_vec());
    }
    let (Some(leaf_der), Some(root_der)) = (chain_der.first(), chain_der.last()) else {
        return Err(refuse("the chain is empty".into()));
    };
    if chain_der.len() < 2 || root_der.as_slice() != material.fulcio_chain.root_der() {
        return Err(HopFailure::new(
            Hop::Fulcio,
            "the chain Fulcio issued does not end in the root certificate of the trust files",
            "Fulcio signs with another CA than Secret fulcio-secret: restart it (kubectl \
             rollout restart deployment/fulcio) and check `sigstore-up status --probe`",
        ));
    }
    let leaf = x509_cert::Certificate::from_der(leaf_der)
        .map_err(|e| refuse(format!("the leaf certificate is not DER X.509 ({e})")))?;
    let tbs = leaf.tbs_certificate();
    let spki = x509_cert::der::Encode::to_der(tbs.subject_public_key_info())
        .map_err(|e| refuse(format!("the leaf's public key does not encode ({e})")))?;
    if spki != ours.spki_der() {
        return Err(refuse(
            "the leaf certificate holds another public key than the one sent".into(),
        ));
    }
    let extensions = tbs.extensions().map(|e| e.as_slice()).unwrap_or_default();
    let sct_list = extensions
        .iter()
        .find(|e| e.extn_id.to_string() == SCT_LIST_OID)
        .ok_or_else(|| {
            HopFailure::new(
                Hop::CtLog,
                "the leaf certificate carries no SCT",
                "Fulcio must run with --ct-log-url pointing at the CT log; re-run install",
            )
        })?;
    let log_ids = sct_log_ids(sct_list.extn_value.as_bytes()).map_err(|e| {
        HopFailure::new(
            Hop::CtLog,
            format!("the leaf's SCT list is unreadable ({e:#})"),
            "check the CT log's and Fulcio's versions",
        )
    })?;
    let ctlog_id = material.ctlog_public_key.log_id();
    if !log_ids.iter().any(|id| id == ctlog_id.as_bytes()) {
        return Err(HopFailure::new(
            Hop::CtLog,
            format!(
                "the leaf's SCT is from log ID(s) [{}], not from the CT log of the trust files \
                 (log ID {})",
                log_ids
                    .iter()
                    .map(|id| hex(id))
                    .collect::<Vec<_>>()
                    .join(", "),
                ctlog_id.to_hex()
            ),
            "Fulcio submits to another CT log, or the CT log signs with another key than \
             Secret ctlog-public-key: check `sigstore-up status --probe`",
        ));
    }
    let identity = extensions
        .iter()
        .find(|e| e.extn_id.to_string() == SUBJECT_ALT_NAME_OID)
        .and_then(|e| x509_cert::ext::pkix::SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .and_then(|san| {
            san.0.into_iter().find_map(|name| match name {
                x509_cert::ext::pkix::name::GeneralName::UniformResourceIdentifier(uri) => {
                    Some(uri.to_string())
                }
                x509_cert::ext::pkix::name::GeneralName::Rfc822Name(email) => {
                    Some(email.to_string())
                }
                _ => None,
            })
        })
        .unwrap_or_else(|| "?".to_string());
    let leaf_pem = pem::encode(&pem::Pem::new("CERTIFICATE", leaf_der.clone()));
    Ok(Issued {
        chain_der,
        leaf_pem,
        identity,
    })
}

/// The log IDs of a `SignedCertificateTimestampList`, from the extension's value (a DER OCTET
/// STRING around the TLS-encoded list: a 2-byte length, then each SCT with a 2-byte length;
/// an SCT is version (1 byte), log ID (32 bytes), ...).
pub fn sct_log_ids(extension_value: &[u8]) -> anyhow::Result<Vec<[u8; 32]>> {
    let (tag, list, _) = der_tlv(extension_value)?;
    if tag != 0x04 {
        bail!("not an OCTET STRING");
    }
    let total = read_u16(list, 0)?;
    let mut rest = list.get(2..2 + total).context("the list is truncated")?;
    let mut ids = Vec::new();
    while !rest.is_empty() {
        let length = read_u16(rest, 0)?;
        let sct = rest.get(2..2 + length).context("an SCT is truncated")?;
        if sct.len() < 33 {
            bail!("an SCT is too short");
        }
        ids.push(sct[1..33].try_into().expect("32 bytes"));
        rest = &rest[2 + length..];
    }
    if ids.is_empty() {
        bail!("the list is empty");
    }
    Ok(ids)
}

fn read_u16(bytes: &[u8], at: usize) -> anyhow::Result<usize> {
    let two = bytes.get(at..at + 2).context("truncated")?;
    Ok(usize::from(u16::from_be_bytes([two[0], two[1]])))
}

/// One DER TLV (single-byte tags): the tag, the content, what follows.
fn der_tlv(bytes: &[u8]) -> anyhow::Result<(u8, &[u8], &[u8])> {
    let tag = *bytes.first().context("empty DER")?;
    let first = *bytes.get(1).context("DER without a length")?;
    let (length, start) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            bail!("unsupported DER length");
        }
        let digits = bytes.get(2..2 + count).context("truncated DER length")?;
        (
            digits
                .iter()
                .fold(0usize, |n, d| (n << 8) | usize::from(*d)),
            2 + count,
        )
    };
    let content = bytes
        .get(start..start + length)
        .context("DER content shorter than its length")?;
    Ok((tag, content, &bytes[start + length..]))
}

/// A Rekor v1 `hashedrekord` 0.0.1 entry: hex digest, base64 signature, base64 of the PEM
/// certificate.
pub fn rekor_v1_request(digest: &[u8; 32], signature: &[u8], leaf_pem: &str) -> Value {
    json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": "sha256", "value": hex(digest) } },
            "signature": {
                "content": BASE64.encode(signature),
                "publicKey": { "content": BASE64.encode(leaf_pem) },
            },
        },
    })
}

/// A Rekor v2 `CreateEntryRequest` with a `hashedRekordRequestV002` (proto JSON: bytes as base64,
/// the certificate as DER).
pub fn rekor_v2_request(digest: &[u8; 32], signature: &[u8], leaf_der: &[u8]) -> Value {
    json!({
        "hashedRekordRequestV002": {
            "digest": BASE64.encode(digest),
            "signature": {
                "content": BASE64.encode(signature),
                "verifier": {
                    "x509Certificate": { "rawBytes": BASE64.encode(leaf_der) },
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                },
            },
        },
    })
}

/// A log entry Rekor answered, with its inclusion proof checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Included {
    /// Rekor v1's entry UUID (to read it back); none for v2.
    pub uuid: Option<String>,
    pub log_index: u64,
    pub tree_size: u64,
}

/// Reads Rekor v1's answer to a create (`{uuid: LogEntry}`) or a read (the same shape): the
/// entry's inclusion proof must lead from its body to the root of a checkpoint signed by our
/// Rekor key. `None` when the entry has no inclusion proof yet.
pub fn read_rekor_v1_entry(
    body: &[u8],
    material: &TrustMaterial,
) -> Result<Option<Included>, HopFailure> {
    let unreadable = |why: String| HopFailure::new(Hop::Rekor, why, REKOR_FIX);
    let answer: Value = serde_json::from_slice(body)
        .map_err(|e| unreadable(format!("its answer is not JSON ({e})")))?;
    let (uuid, entry) = answer
        .as_object()
        .and_then(|entries| entries.iter().next())
        .ok_or_else(|| unreadable("its answer holds no entry".into()))?;
    let entry_body = BASE64
        .decode(entry["body"].as_str().unwrap_or_default())
        .map_err(|_| unreadable("the entry's body is not base64".into()))?;
    let proof = &entry["verification"]["inclusionProof"];
    if proof.is_null() {
        return Ok(None);
    }
    let hashes = proof["hashes"]
        .as_array()
        .map(|hashes| {
            hashes
                .iter()
                .map(|h| from_hex(h.as_str().unwrap_or_default()))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or(Some(Vec::new()))
        .ok_or_else(|| unreadable("the inclusion proof's hashes are not hex".into()))?;
    let root = from_hex(proof["rootHash"].as_str().unwrap_or_default())
        .ok_or_else(|| unreadable("the inclusion proof's root hash is not hex".into()))?;
    let checked = check_inclusion(
        &entry_body,
        number(&proof["logIndex"]),
        number(&proof["treeSize"]),
        &hashes,
        &root,
        proof["checkpoint"].as_str().unwrap_or_default(),
        material,
    )?;
    Ok(Some(Included {
        uuid: Some(uuid.clone()),
        ..checked
    }))
}

/// Reads Rekor v2's answer (a `TransparencyLogEntry`): its inclusion proof must lead from the
/// canonicalized body to the root of a checkpoint signed by our Rekor key under its origin.
pub fn read_rekor_v2_entry(body: &[u8], material: &TrustMaterial) -> Result<Included, HopFailure> {
    let unreadable = |why: String| HopFailure::new(Hop::Rekor, why, REKOR_FIX);
    let entry: Value = serde_json::from_slice(body)
        .map_err(|e| unreadable(format!("its answer is not JSON ({e})")))?;
    let entry_body = BASE64
        .decode(entry["canonicalizedBody"].as_str().unwrap_or_default())
        .map_err(|_| unreadable("the entry's canonicalizedBody is not base64".into()))?;
    let proof = &entry["inclusionProof"];
    if proof.is_null() {
        return Err(unreadable("the entry has no inclusion proof".into()));
    }
    let hashes = proof["hashes"]
        .as_array()
        .map(|hashes| {
            hashes
                .iter()
                .map(|h| BASE64.decode(h.as_str().unwrap_or_default()).ok())
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or(Some(Vec::new()))
        .ok_or_else(|| unreadable("the inclusion proof's hashes are not base64".into()))?;
    let root = BASE64
        .decode(proof["rootHash"].as_str().unwrap_or_default())
        .map_err(|_| unreadable("the inclusion proof's root hash is not base64".into()))?;
    check_inclusion(
        &entry_body,
        number(&proof["logIndex"]),
        number(&proof["treeSize"]),
        &hashes,
        &root,
        proof["checkpoint"]["envelope"].as_str().unwrap_or_default(),
        material,
    )
}

const REKOR_FIX: &str = "Rekor answered, but not with an entry clients accept: check \
                         `sigstore-up status --probe` and Rekor's log (kubectl logs \
                         deployment/rekor)";

/// A JSON integer, or a string of one (proto JSON writes int64 as a string).
fn number(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn check_inclusion(
    entry_body: &[u8],
    index: Option<u64>,
    size: Option<u64>,
    hashes: &[Vec<u8>],
    root: &[u8],
    checkpoint: &str,
    material: &TrustMaterial,
) -> Result<Included, HopFailure> {
    let fail = |why: String| HopFailure::new(Hop::Rekor, why, REKOR_FIX);
    let (Some(index), Some(size)) = (index, size) else {
        return Err(fail(
            "the inclusion proof has no logIndex or treeSize".into(),
        ));
    };
    let leaf = leaf_hash(entry_body);
    let computed = root_from_inclusion_proof(index, size, leaf, hashes)
        .map_err(|e| fail(format!("the inclusion proof is malformed ({e})")))?;
    if computed.as_slice() != root {
        return Err(fail(format!(
            "the inclusion proof of entry {index} does not lead to the root hash it names"
        )));
    }
    crate::probe::verify_rekor_checkpoint(checkpoint, material)
        .map_err(|e| fail(format!("the checkpoint of the inclusion proof: {e:#}")))?;
    // The checkpoint's third line is the root hash (base64) and its second the tree size.
    let mut lines = checkpoint.lines().skip(1);
    let (checkpoint_size, checkpoint_root) = (lines.next(), lines.next());
    if checkpoint_size.and_then(|s| s.parse::<u64>().ok()) != Some(size)
        || checkpoint_root
            .and_then(|r| BASE64.decode(r).ok())
            .as_deref()
            != Some(root)
    {
        return Err(fail(
            "the inclusion proof's checkpoint is of another tree than the proof".into(),
        ));
    }
    Ok(Included {
        uuid: None,
        log_index: index,
        tree_size: size,
    })
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ entry).
pub fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(entry);
    hasher.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root an RFC 9162 (section 2.1.3.2) inclusion proof leads to.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[Vec<u8>],
) -> anyhow::Result<[u8; 32]> {
    if index >= size {
        bail!("index {index} is not below tree size {size}");
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf;
    for p in proof {
        if p.len() != 32 {
            bail!("a proof hash is not 32 bytes");
        }
        if sn == 0 {
            bail!("the proof is longer than the tree is deep");
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        bail!("the proof is shorter than the tree is deep");
    }
    Ok(r)
}

/// An RFC 3161 `TimeStampReq` (DER): version 1, a SHA-256 message imprint, `nonce`, certReq.
/// `nonce` must have its top byte in 0x01..=0x7f (a minimal positive 8-byte INTEGER).
pub fn timestamp_request(digest: &[u8; 32], nonce: u64) -> Vec<u8> {
    let sha256_algorithm: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    let mut imprint = vec![0x30, 0x31];
    imprint.extend_from_slice(sha256_algorithm);
    imprint.extend_from_slice(&[0x04, 0x20]);
    imprint.extend_from_slice(digest);
    let mut content = vec![0x02, 0x01, 0x01];
    content.extend_from_slice(&imprint);
    content.extend_from_slice(&[0x02, 0x08]);
    content.extend_from_slice(&nonce.to_be_bytes());
    content.extend_from_slice(&[0x01, 0x01, 0xff]);
    let mut request = vec![0x30, u8::try_from(content.len()).expect("short")];
    request.extend_from_slice(&content);
    request
}

/// A nonce for [`timestamp_request`].
pub fn timestamp_nonce() -> u64 {
    (rand::random::<u64>() >> 2) | (1 << 62)
}

/// Reads a `TimeStampResp`: its status must be granted (0) or granted with modifications (1),
/// and its token must carry our digest and nonce.
pub fn read_timestamp_answer(body: &[u8], digest: &[u8; 32], nonce: u64) -> Result<(), HopFailure> {
    let fail = |why: String| {
        HopFailure::new(
            Hop::Tsa,
            why,
            "check the timestamp authority's log (kubectl logs deployment/tsa -n <tsa namespace>)",
        )
    };
    let (tag, response, _) =
        der_tlv(body).map_err(|e| fail(format!("its answer is not DER ({e:#})")))?;
    let (status_tag, status_info, token) =
        der_tlv(response).map_err(|e| fail(format!("its answer has no status ({e:#})")))?;
    let (int_tag, status, _) =
        der_tlv(status_info).map_err(|e| fail(format!("its answer has no status ({e:#})")))?;
    if tag != 0x30 || status_tag != 0x30 || int_tag != 0x02 {
        return Err(fail("its answer is not a TimeStampResp".into()));
    }
    if status != [0] && status != [1] {
        return Err(fail(format!(
            "it refused the request (PKIStatus {})",
            status.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b))
        )));
    }
    if token.is_empty() {
        return Err(fail("its answer holds no timestamp token".into()));
    }
    if !contains(token, digest) || !contains(token, &nonce.to_be_bytes()) {
        return Err(fail(
            "its timestamp token is not over the digest and nonce sent".into(),
        ));
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The artifact of a probe: unique text, so its entry never collides with another.
pub fn probe_artifact(instance: &str) -> Vec<u8> {
    format!(
        "sigstore-up signable probe of instance {instance} at {} ({:016x})\n",
        jiff::Timestamp::now(),
        rand::random::<u64>()
    )
    .into_bytes()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests;
