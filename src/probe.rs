//! End-to-end probes: ask the running servers what they sign and serve, and check it against the
//! trust material clients are given. A client whose trusted_root.json names a key the server does
//! not use fails verification much later and with a vague message; this says at once what
//! differs.
//!
//! Knows nothing about Kubernetes: each probe takes the address of a server (a tunnel's local
//! end, or a server on loopback in tests) and the [`TrustMaterial`].
//!
//! - Fulcio: `GET /api/v2/trustBundle` must contain our root certificate.
//! - Rekor: `GET /api/v1/log/publicKey` must be our key, and the checkpoint in `GET /api/v1/log`
//!   must verify with it (a signed note: ECDSA over the note text).
//! - CT log: `GET /<prefix>/ct/v1/get-sth` must carry an RFC 6962 tree head signature that
//!   verifies with our CT key.
//! - Rekor v2 and TesseraCT: the published `checkpoint` file (served by the static file server
//!   beside each) must be signed under the log's origin by our key: Ed25519 for Rekor v2, an
//!   RFC 6962 tree head signature inside a signed note for TesseraCT (static-ct-api).
//! - Timestamp authority: `GET /api/v1/timestamp/certchain` must be our chain.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use serde::Serialize;

use crate::catalog::ProbeCheck;
use crate::tuf::hex;
use sha2::{Digest as _, Sha256};

use crate::trust::{CertificateChain, PublicKey, TrustMaterial};

/// How long one HTTP exchange may take before the server counts as unavailable.
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);
/// Larger answers are not what these endpoints return.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. "rekor public key".
    pub name: &'static str,
    pub outcome: Outcome,
    /// What was found (or what differs, or why it could not be checked).
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The server serves or signs with exactly the trusted material.
    Ok,
    /// The server answered, with something other than the trusted material.
    Mismatch,
    /// No usable answer (not reachable, an HTTP error, an unreadable body).
    Unavailable,
}

/// Why a check did not pass.
enum Problem {
    Mismatch(String),
    Unavailable(anyhow::Error),
}

impl From<anyhow::Error> for Problem {
    fn from(error: anyhow::Error) -> Self {
        Problem::Unavailable(error)
    }
}

fn check(name: &'static str, result: Result<String, Problem>) -> Check {
    let (outcome, detail) = match result {
        Ok(detail) => (Outcome::Ok, detail),
        Err(Problem::Mismatch(detail)) => (Outcome::Mismatch, detail),
        Err(Problem::Unavailable(error)) => (Outcome::Unavailable, format!("{error:#}")),
    };
    Check {
        name,
        outcome,
        detail,
    }
}

/// Fulcio's trust bundle contains our root certificate.
pub async fn fulcio_root(fulcio: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::FulcioRoot.name(),
        fulcio_root_inner(fulcio, material).await,
    )
}

async fn fulcio_root_inner(
    fulcio: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let body = http_get_ok(fulcio, "/api/v2/trustBundle").await?;
    let bundle: serde_json::Value =
        serde_json::from_slice(&body).context("Fulcio's trust bundle is not JSON")?;
    let chains = bundle["chains"]
        .as_array()
        .context("Fulcio's trust bundle has no \"chains\"")?;
    let mut served = Vec::new();
    for chain in chains {
        let pems: Vec<&str> = chain["certificates"]
            .as_array()
            .context("a chain in Fulcio's trust bundle has no \"certificates\"")?
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let chain = CertificateChain::parse(pems.concat().as_bytes())
            .context("reading a chain of Fulcio's trust bundle")?;
        served.push(chain);
    }
    let ours = &material.fulcio_chain;
    if served
        .iter()
        .any(|chain| chain.root_der() == ours.root_der())
    {
        return Ok(format!("serves the trusted root ({})", describe_root(ours)));
    }
    let served_text = served
        .iter()
        .map(describe_root)
        .collect::<Vec<_>>()
        .join("; ");
    Err(Problem::Mismatch(format!(
        "Fulcio serves a different CA: {}; clients trust {}",
        if served_text.is_empty() {
            "no chain".to_string()
        } else {
            served_text
        },
        describe_root(ours)
    )))
}

fn describe_root(chain: &CertificateChain) -> String {
    format!(
        "CN={}, not before {}, SHA-256 {}",
        chain.root_common_name().unwrap_or("?"),
        chain.root_not_before(),
        &hex(&Sha256::digest(chain.root_der()))[..16]
    )
}

/// Rekor serves our public key.
pub async fn rekor_public_key(rekor: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::RekorKey.name(),
        rekor_public_key_inner(rekor, material).await,
    )
}

async fn rekor_public_key_inner(
    rekor: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let body = http_get_ok(rekor, "/api/v1/log/publicKey").await?;
    let served = PublicKey::parse(&body).context("Rekor's /api/v1/log/publicKey")?;
    let ours = &material.rekor_public_key;
    if &served == ours {
        Ok(format!("log ID {}", ours.log_id().to_hex()))
    } else {
        Err(Problem::Mismatch(format!(
            "Rekor serves the key with log ID {}; clients trust log ID {}",
            served.log_id().to_hex(),
            ours.log_id().to_hex()
        )))
    }
}

/// Rekor's current checkpoint (signed tree head) verifies with our key.
pub async fn rekor_checkpoint(rekor: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::RekorCheckpoint.name(),
        rekor_checkpoint_inner(rekor, material).await,
    )
}

async fn rekor_checkpoint_inner(
    rekor: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let body = http_get_ok(rekor, "/api/v1/log").await?;
    let info: serde_json::Value =
        serde_json::from_slice(&body).context("Rekor's /api/v1/log is not JSON")?;
    let note = info["signedTreeHead"]
        .as_str()
        .context("Rekor's /api/v1/log has no signedTreeHead")?;
    let tree_size = info["treeSize"].as_u64().unwrap_or_default();
    let key = &material.rekor_public_key;
    verify_signed_note(note, key, None, &key.log_id().as_bytes()[..4])?;
    Ok(format!(
        "tree size {tree_size}, signed with the trusted key"
    ))
}

/// Rekor v2's published checkpoint is signed under its origin with our key.
pub async fn rekor_tiles_checkpoint(tiles: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::RekorTilesCheckpoint.name(),
        rekor_tiles_checkpoint_inner(tiles, material).await,
    )
}

async fn rekor_tiles_checkpoint_inner(
    tiles: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let body = http_get_ok(tiles, "/checkpoint").await?;
    let note = String::from_utf8(body).context("Rekor's checkpoint is not UTF-8")?;
    let origin = material.rekor_origin();
    let key = &material.rekor_public_key;
    let log_id = material.rekor_log_id();
    verify_signed_note(&note, key, Some(origin), &log_id.as_bytes()[..4])?;
    Ok(format!(
        "tree size {}, signed as {origin} with the trusted key (log ID {})",
        checkpoint_size(&note),
        log_id.to_hex()
    ))
}

/// TesseraCT's published checkpoint is signed under its origin with our CT key.
pub async fn tesseract_checkpoint(tiles: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::TesseractCheckpoint.name(),
        tesseract_checkpoint_inner(tiles, material).await,
    )
}

async fn tesseract_checkpoint_inner(
    tiles: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let body = http_get_ok(tiles, "/checkpoint").await?;
    let note = String::from_utf8(body).context("the CT log's checkpoint is not UTF-8")?;
    let origin = material.ctlog_url.without_scheme();
    let (text, signatures) = split_note(&note)?;
    let mut lines = text.lines();
    let (Some(checkpoint_origin), Some(size), Some(root)) =
        (lines.next(), lines.next(), lines.next())
    else {
        return Err(Problem::Unavailable(anyhow::anyhow!(
            "the CT log's checkpoint has fewer than three lines"
        )));
    };
    let tree_size: u64 = size
        .parse()
        .context("the checkpoint's tree size is not a number")?;
    let root_hash = BASE64
        .decode(root)
        .ok()
        .filter(|hash| hash.len() == 32)
        .context("the checkpoint's root hash is not 32 bytes of base64")?;
    let key = &material.ctlog_public_key;
    let mut names = Vec::new();
    for (name, bytes) in signatures {
        names.push(name.clone());
        // static-ct-api: an RFC 6962 note signature is the 4-byte key ID, the tree head's
        // 8-byte timestamp, then its TLS DigitallySigned TreeHeadSignature.
        if name != origin || bytes.len() < 12 {
            continue;
        }
        let timestamp = u64::from_be_bytes(bytes[4..12].try_into().expect("8 bytes"));
        let Ok(signature) = digitally_signed_ecdsa_sha256(&bytes[12..]) else {
            continue;
        };
        let message = tree_head_signature_input(timestamp, tree_size, &root_hash);
        if verifying_key(key).verify(&message, &signature).is_ok() {
            if checkpoint_origin != origin {
                return Err(Problem::Mismatch(format!(
                    "the CT log's checkpoint names origin {checkpoint_origin:?}; clients know it as {origin:?}"
                )));
            }
            return Ok(format!(
                "tree size {tree_size}, signed as {origin} with the trusted key (log ID {})",
                key.log_id().to_hex()
            ));
        }
    }
    Err(Problem::Mismatch(format!(
        "the CT log's checkpoint is not signed as {origin} by the trusted key (log ID {}); its \
         signatures are by [{}]",
        key.log_id().to_hex(),
        names.join(", ")
    )))
}

/// The timestamp authority serves exactly the chain clients trust.
pub async fn tsa_cert_chain(tsa: SocketAddr, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::TsaCertChain.name(),
        tsa_cert_chain_inner(tsa, material).await,
    )
}

async fn tsa_cert_chain_inner(
    tsa: SocketAddr,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let ours = material
        .tsa_chain
        .as_ref()
        .context("the trust material has no timestamp authority")?;
    let body = http_get_ok(tsa, "/api/v1/timestamp/certchain").await?;
    let served = CertificateChain::parse(&body).context("the TSA's certificate chain")?;
    if served.certificates_der() == ours.certificates_der() {
        Ok(format!(
            "{} certificates, root {}",
            ours.certificates_der().len(),
            describe_root(ours)
        ))
    } else {
        Err(Problem::Mismatch(format!(
            "the TSA serves a chain with root {}; clients trust root {}",
            describe_root(&served),
            describe_root(ours)
        )))
    }
}

/// Verifies a checkpoint Rekor returned with an entry (a signed note) with the trusted Rekor
/// key: Rekor v1 signs under any name with the key's log ID as hint; Rekor v2 under its origin.
pub fn verify_rekor_checkpoint(note: &str, material: &TrustMaterial) -> anyhow::Result<()> {
    let key = &material.rekor_public_key;
    let result = if material.rekor_major_api_version >= 2 {
        let log_id = material.rekor_log_id();
        verify_signed_note(
            note,
            key,
            Some(material.rekor_origin()),
            &log_id.as_bytes()[..4],
        )
    } else {
        verify_signed_note(note, key, None, &key.log_id().as_bytes()[..4])
    };
    result.map_err(|problem| match problem {
        Problem::Mismatch(detail) => anyhow::anyhow!(detail),
        Problem::Unavailable(error) => error,
    })
}

/// The second line of a checkpoint: its tree size.
fn checkpoint_size(note: &str) -> &str {
    note.lines().nth(1).unwrap_or("?")
}

/// One signature line of a signed note: the signer's name and the decoded bytes (4-byte key hint,
/// then the signature).
type NoteSignature = (String, Vec<u8>);

/// A signed note's text (through its final newline) and its signatures.
fn split_note(note: &str) -> Result<(&str, Vec<NoteSignature>), Problem> {
    let split = note
        .rfind("\n\n")
        .context("the checkpoint is not a signed note (no blank line before the signatures)")?;
    let (text, signature_lines) = (&note[..=split], &note[split + 2..]);
    let mut signatures = Vec::new();
    for line in signature_lines.lines().filter(|l| !l.is_empty()) {
        let (name, encoded) = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.rsplit_once(' '))
            .with_context(|| format!("unreadable signature line in the checkpoint: {line:?}"))?;
        let bytes = BASE64
            .decode(encoded)
            .context("a checkpoint signature is not base64")?;
        if bytes.len() < 5 {
            return Err(Problem::Unavailable(anyhow::anyhow!(
                "a checkpoint signature is too short"
            )));
        }
        signatures.push((name.to_string(), bytes));
    }
    Ok((text, signatures))
}

/// Verifies a signed note (text, a blank line, then `— <name> <base64(4-byte key hint ‖
/// signature)>` lines) over the text including its final newline: ECDSA P-256 over SHA-256 (as
/// Rekor v1 and rekor-tiles with an ECDSA key sign), or Ed25519 (rekor-tiles upstream). With
/// `name`, only a signature under that name counts (a log's origin).
fn verify_signed_note(
    note: &str,
    key: &PublicKey,
    name: Option<&str>,
    our_hint: &[u8],
) -> Result<(), Problem> {
    let (text, signatures) = split_note(note)?;
    let mut seen = Vec::new();
    for (signer, bytes) in &signatures {
        let (hint, signature) = bytes.split_at(4);
        seen.push(format!("{signer} {}", hex(hint)));
        if hint != our_hint || name.is_some_and(|n| n != signer) {
            continue;
        }
        let verified = match key.ed25519_raw() {
            Some(raw) => {
                let raw: [u8; 32] = raw.try_into().expect("an Ed25519 key is 32 bytes");
                let signature = ed25519_dalek::Signature::from_slice(signature);
                ed25519_dalek::VerifyingKey::from_bytes(&raw).is_ok_and(|k| {
                    signature.is_ok_and(|s| k.verify_strict(text.as_bytes(), &s).is_ok())
                })
            }
            None => Signature::from_der(signature)
                .is_ok_and(|s| verifying_key(key).verify(text.as_bytes(), &s).is_ok()),
        };
        if verified {
            return Ok(());
        }
    }
    Err(Problem::Mismatch(format!(
        "the checkpoint is not signed{} by the trusted key (key hint {}); its signatures are [{}]",
        name.map(|n| format!(" as {n}")).unwrap_or_default(),
        hex(our_hint),
        seen.join(", ")
    )))
}

/// The CT log's signed tree head verifies with our CT key.
pub async fn ctlog_tree_head(ctlog: SocketAddr, prefix: &str, material: &TrustMaterial) -> Check {
    check(
        ProbeCheck::CtlogTreeHead.name(),
        ctlog_tree_head_inner(ctlog, prefix, material).await,
    )
}

async fn ctlog_tree_head_inner(
    ctlog: SocketAddr,
    prefix: &str,
    material: &TrustMaterial,
) -> Result<String, Problem> {
    let path = format!("/{}/ct/v1/get-sth", prefix.trim_matches('/'));
    let body = http_get_ok(ctlog, &path).await?;
    let sth: serde_json::Value =
        serde_json::from_slice(&body).with_context(|| format!("{path} is not JSON"))?;
    let tree_size = sth["tree_size"]
        .as_u64()
        .context("the tree head has no tree_size")?;
    let timestamp = sth["timestamp"]
        .as_u64()
        .context("the tree head has no timestamp")?;
    let root_hash = BASE64
        .decode(sth["sha256_root_hash"].as_str().unwrap_or_default())
        .ok()
        .filter(|hash| hash.len() == 32)
        .context("the tree head's sha256_root_hash is not 32 bytes of base64")?;
    let signed = BASE64
        .decode(sth["tree_head_signature"].as_str().unwrap_or_default())
        .context("the tree head's signature is not base64")?;
    let signature = digitally_signed_ecdsa_sha256(&signed)?;

    let message = tree_head_signature_input(timestamp, tree_size, &root_hash);
    let key = &material.ctlog_public_key;
    if verifying_key(key).verify(&message, &signature).is_ok() {
        Ok(format!(
            "tree size {tree_size}, signed with the trusted key (log ID {})",
            key.log_id().to_hex()
        ))
    } else {
        Err(Problem::Mismatch(format!(
            "the CT log's tree head signature does not verify with the trusted CT key (log ID \
             {}): the CT log signs with another key",
            key.log_id().to_hex()
        )))
    }
}

/// RFC 6962 section 3.5: TreeHeadSignature = version v1 (0), signature_type tree_hash (1),
/// timestamp, tree_size, sha256_root_hash.
fn tree_head_signature_input(timestamp: u64, tree_size: u64, root_hash: &[u8]) -> Vec<u8> {
    let mut message = vec![0u8, 1u8];
    message.extend_from_slice(&timestamp.to_be_bytes());
    message.extend_from_slice(&tree_size.to_be_bytes());
    message.extend_from_slice(root_hash);
    message
}

/// The signature inside a TLS `DigitallySigned` (RFC 5246 section 4.7): hash algorithm (1 byte,
/// 4 = SHA-256), signature algorithm (1 byte, 3 = ECDSA), a 2-byte length, the DER signature.
fn digitally_signed_ecdsa_sha256(bytes: &[u8]) -> Result<Signature, Problem> {
    let unavailable = |why: &str| Problem::Unavailable(anyhow::anyhow!("the tree head {why}"));
    if bytes.len() < 4 {
        return Err(unavailable("signature is too short"));
    }
    if bytes[..2] != [4, 3] {
        return Err(Problem::Mismatch(format!(
            "the CT log signs with hash/signature algorithm {}/{}, not SHA-256/ECDSA (4/3) as \
             the trusted P-256 key needs",
            bytes[0], bytes[1]
        )));
    }
    let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let der = bytes
        .get(4..4 + length)
        .ok_or_else(|| unavailable("signature is shorter than its length says"))?;
    Signature::from_der(der).map_err(|_| unavailable("signature is not a DER ECDSA signature"))
}

/// The P-256 verifying key (an Ed25519 key, which no ECDSA check is given, yields an
/// always-failing stand-in rather than a panic).
fn verifying_key(key: &PublicKey) -> VerifyingKey {
    VerifyingKey::from_public_key_der(key.spki_der()).unwrap_or_else(|_| {
        VerifyingKey::from_affine(p256::AffinePoint::GENERATOR)
            .expect("the generator is a valid key")
    })
}

/// `GET path` over HTTP/1.1 (hyper, one connection per request); the body of a 200 answer,
/// else an error naming the status.
pub async fn http_get_ok(address: SocketAddr, path: &str) -> anyhow::Result<Vec<u8>> {
    http_get_ok_within(address, path, HTTP_TIMEOUT).await
}

async fn http_get_ok_within(
    address: SocketAddr,
    path: &str,
    timeout: Duration,
) -> anyhow::Result<Vec<u8>> {
    let (status, status_line, body) = http_get_within(address, path, timeout).await?;
    if status != http::StatusCode::OK {
        let snippet: String = String::from_utf8_lossy(&body).chars().take(200).collect();
        bail!("GET {path} answered {status_line:?}: {}", snippet.trim());
    }
    Ok(body.to_vec())
}

/// `GET path`: the status and body of whatever the server answered (a 404 is an answer).
pub async fn http_get(
    address: SocketAddr,
    path: &str,
) -> anyhow::Result<(http::StatusCode, Vec<u8>)> {
    let (status, _, body) = http_get_within(address, path, HTTP_TIMEOUT).await?;
    Ok((status, body.to_vec()))
}

async fn http_get_within(
    address: SocketAddr,
    path: &str,
    timeout: Duration,
) -> anyhow::Result<(http::StatusCode, String, Bytes)> {
    exchange_within(address, http::Method::GET, path, None, timeout).await
}

/// `POST path` with `body` of `content_type`: the status and body of whatever the server answered
/// (an error status is an answer). Only a failed exchange (no connection, no answer in time) is
/// an error.
pub async fn http_post(
    address: SocketAddr,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> anyhow::Result<(http::StatusCode, Vec<u8>)> {
    let (status, _, body) = exchange_within(
        address,
        http::Method::POST,
        path,
        Some((content_type, body)),
        HTTP_TIMEOUT,
    )
    .await?;
    Ok((status, body.to_vec()))
}

async fn exchange_within(
    address: SocketAddr,
    method: http::Method,
    path: &str,
    content: Option<(&str, Vec<u8>)>,
    timeout: Duration,
) -> anyhow::Result<(http::StatusCode, String, Bytes)> {
    let what = format!("{method} {path}");
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .with_context(|| format!("connecting to {address}"))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        // Drives the connection; ends with it, or when this exchange is dropped (timeout).
        let connection = AbortOnDrop(tokio::spawn(connection));
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, address.to_string())
            .header(http::header::ACCEPT, "*/*");
        let body = match content {
            Some((content_type, body)) => {
                request = request.header(http::header::CONTENT_TYPE, content_type);
                Full::new(Bytes::from(body))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body)?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let status_line = format!("{:?} {status}", response.version());
        let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| anyhow::anyhow!("reading the answer: {e}"))?
            .to_bytes();
        drop(connection);
        anyhow::Ok((status, status_line, body))
    };
    let (status, status_line, body) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {timeout:?}"))?
        .with_context(|| what.clone())?;
    Ok((status, status_line, body))
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    /// Serves one connection: reads the request head, writes `answer`, returns the head.
    async fn serve_once(answer: &'static [u8]) -> (SocketAddr, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.ends_with(b"\r\n\r\n") {
                let n = socket.read(&mut buffer).await.unwrap();
                assert!(n > 0, "the client closed before the end of its request");
                head.extend_from_slice(&buffer[..n]);
            }
            // The client may hang up first (an answer it refuses): not this server's problem.
            let _ = socket.write_all(answer).await;
            let _ = socket.shutdown().await;
            String::from_utf8(head).unwrap()
        });
        (address, server)
    }

    #[tokio::test]
    async fn a_200_answer_gives_its_body() {
        let (address, server) =
            serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").await;
        let body = http_get_ok(address, "/api/v1/log").await.unwrap();
        assert_eq!(body, b"hello");
        let head = server.await.unwrap();
        assert!(head.starts_with("GET /api/v1/log HTTP/1.1\r\n"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("host: {address}\r\n")),
            "{head}"
        );
    }

    #[tokio::test]
    async fn chunked_and_close_delimited_bodies_are_read_whole() {
        let (address, _server) = serve_once(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .await;
        assert_eq!(http_get_ok(address, "/").await.unwrap(), b"abcde");
        let (address, _server) = serve_once(b"HTTP/1.0 200 OK\r\n\r\nuntil close").await;
        assert_eq!(http_get_ok(address, "/").await.unwrap(), b"until close");
    }

    #[tokio::test]
    async fn another_status_is_an_error_naming_it_and_the_body() {
        let (address, _server) =
            serve_once(b"HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n")
                .await;
        let error = http_get_ok(address, "/x/ct/v1/get-sth").await.unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "GET /x/ct/v1/get-sth answered \"HTTP/1.1 404 Not Found\": 404 page not found"
        );
    }

    #[tokio::test]
    async fn nothing_listening_and_no_answer_are_errors() {
        let unused = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = unused.local_addr().unwrap();
        drop(unused);
        let error = http_get_ok(address, "/").await.unwrap_err();
        assert!(
            format!("{error:#}").starts_with(&format!("GET /: connecting to {address}")),
            "{error:#}"
        );

        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = silent.local_addr().unwrap();
        let error = http_get_ok_within(address, "/", Duration::from_millis(200))
            .await
            .unwrap_err();
        assert_eq!(format!("{error:#}"), "no answer within 200ms");
    }

    #[tokio::test]
    async fn an_oversized_answer_is_refused() {
        static BIG: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
            let size = MAX_RESPONSE_BYTES + 1;
            let mut answer =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").into_bytes();
            answer.resize(answer.len() + size, b'x');
            answer
        });
        let (address, _server) = serve_once(BIG.as_slice()).await;
        let error = http_get_ok(address, "/").await.unwrap_err();
        assert!(
            format!("{error:#}").contains("reading the answer"),
            "{error:#}"
        );
    }
}
