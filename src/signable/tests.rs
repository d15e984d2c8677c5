//! The round trip's requests and answer checks, offline. The answers here are built the way the
//! servers build theirs (a CA-issued leaf with an SCT list, a signed checkpoint, an RFC 6962
//! tree); that they match the real servers is proven by the cluster tests, which run install.

use p256::ecdsa::VerifyingKey;
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;

use super::*;
use crate::trust::{CertificateChain, ServiceUrl, Timestamp};

struct Fixture {
    material: TrustMaterial,
    rekor: EphemeralKey,
    root: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

fn fixture(rekor_major: u32) -> Fixture {
    let rekor = EphemeralKey::generate();
    let ctlog = EphemeralKey::generate();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "test root");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let root =
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap();
    let material = TrustMaterial {
        rekor_public_key: rekor.public_key(),
        rekor_valid_from: Timestamp::from_unix_seconds(1_700_000_000),
        rekor_url: ServiceUrl::parse("http://rekor.rekor-system.svc").unwrap(),
        rekor_major_api_version: rekor_major,
        ctlog_public_key: ctlog.public_key(),
        ctlog_valid_from: Timestamp::from_unix_seconds(1_700_000_000),
        ctlog_url: ServiceUrl::parse("http://ctlog.ctlog-system.svc/test").unwrap(),
        fulcio_chain: CertificateChain::parse(root.pem().as_bytes()).unwrap(),
        tsa_chain: None,
    };
    Fixture {
        material,
        rekor,
        root,
    }
}

/// A JWT with these claims (unsigned: only Fulcio verifies it).
fn jwt(claims: serde_json::Value) -> OidcToken {
    let part = |v: &serde_json::Value| BASE64URL.encode(serde_json::to_vec(v).unwrap());
    OidcToken::new(format!(
        "{}.{}.c2lnbmF0dXJl",
        part(&json!({"alg": "RS256"})),
        part(&claims)
    ))
    .unwrap()
}

#[test]
fn the_fulcio_request_proves_possession_over_the_tokens_subject() {
    let token = jwt(json!({
        "iss": "https://kubernetes.default.svc.cluster.local",
        "sub": "system:serviceaccount:fulcio-system:default",
        "aud": ["sigstore"],
    }));
    let subject = token_subject(&token).unwrap();
    assert_eq!(subject, "system:serviceaccount:fulcio-system:default");
    let key = EphemeralKey::generate();
    let pem = key.public_key().to_pem();
    let request = fulcio_request(&token, &pem, &key.sign(subject.as_bytes()));
    assert_eq!(
        request["credentials"]["oidcIdentityToken"],
        token.expose_secret()
    );
    let public_key = &request["publicKeyRequest"]["publicKey"];
    assert_eq!(public_key["algorithm"], "ECDSA");
    assert!(
        public_key["content"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    // What Fulcio checks: an ASN.1 ECDSA signature over SHA-256 of `sub`, by the key sent.
    let proof = BASE64
        .decode(
            request["publicKeyRequest"]["proofOfPossession"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let verifier = VerifyingKey::from_public_key_pem(&pem).unwrap();
    verifier
        .verify(subject.as_bytes(), &Signature::from_der(&proof).unwrap())
        .unwrap();
    // The key never shows in its Debug form.
    assert_eq!(format!("{key:?}"), "EphemeralKey(<redacted>)");
}

#[test]
fn a_token_without_a_subject_is_refused() {
    assert!(token_subject(&jwt(json!({"iss": "x"}))).is_err());
    assert!(token_subject(&OidcToken::new("not-a-jwt").unwrap()).is_err());
}

/// A TLS `SignedCertificateTimestampList` holding one SCT from `log_id`, in an OCTET STRING.
fn sct_extension(log_id: &[u8; 32]) -> Vec<u8> {
    let mut sct = vec![0u8];
    sct.extend_from_slice(log_id);
    sct.extend_from_slice(&1_700_000_000_000u64.to_be_bytes());
    sct.extend_from_slice(&[0, 0, 4, 3, 0, 2, 0xab, 0xcd]);
    let mut list = (sct.len() as u16 + 2).to_be_bytes().to_vec();
    list.extend_from_slice(&(sct.len() as u16).to_be_bytes());
    list.extend_from_slice(&sct);
    let mut value = vec![0x04, list.len() as u8];
    value.extend_from_slice(&list);
    value
}

/// Fulcio's answer: a leaf for `leaf_key` issued by the fixture's root, with `extensions`.
fn fulcio_answer(
    fixture: &Fixture,
    leaf_key: &rcgen::KeyPair,
    extensions: Vec<rcgen::CustomExtension>,
) -> Vec<u8> {
    let mut params = rcgen::CertificateParams::default();
    params.subject_alt_names = vec![rcgen::SanType::URI(
        "https://kubernetes.io/namespaces/fulcio-system/serviceaccounts/default"
            .try_into()
            .unwrap(),
    )];
    params.custom_extensions = extensions;
    let leaf = params.signed_by(leaf_key, &fixture.root).unwrap();
    serde_json::to_vec(&json!({
        "signedCertificateEmbeddedSct": {
            "chain": { "certificates": [leaf.pem(), fixture.root.pem()] }
        }
    }))
    .unwrap()
}

fn sct_from(key: &PublicKey) -> rcgen::CustomExtension {
    rcgen::CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2],
        sct_extension(key.log_id().as_bytes()),
    )
}

#[test]
fn fulcios_answer_must_chain_to_our_root_hold_our_key_and_an_sct_from_our_ct_log() {
    let fixture = fixture(1);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let ours = PublicKey::parse(leaf_key.public_key_pem().as_bytes()).unwrap();
    let ct = &fixture.material.ctlog_public_key;

    let issued = read_fulcio_answer(
        &fulcio_answer(&fixture, &leaf_key, vec![sct_from(ct)]),
        &ours,
        &fixture.material,
    )
    .unwrap();
    assert_eq!(
        issued.identity,
        "https://kubernetes.io/namespaces/fulcio-system/serviceaccounts/default"
    );
    assert_eq!(issued.chain_der.len(), 2);
    assert!(issued.leaf_pem.starts_with("-----BEGIN CERTIFICATE-----"));

    // No SCT: the CT log hop.
    let error = read_fulcio_answer(
        &fulcio_answer(&fixture, &leaf_key, vec![]),
        &ours,
        &fixture.material,
    )
    .unwrap_err();
    assert_eq!(error.hop, Hop::CtLog, "{error}");
    // An SCT from another log.
    let other = EphemeralKey::generate().public_key();
    let error = read_fulcio_answer(
        &fulcio_answer(&fixture, &leaf_key, vec![sct_from(&other)]),
        &ours,
        &fixture.material,
    )
    .unwrap_err();
    assert_eq!(error.hop, Hop::CtLog);
    assert!(error.answer.contains(&ct.log_id().to_hex()), "{error}");
    // Another key than the one sent.
    let error = read_fulcio_answer(
        &fulcio_answer(&fixture, &leaf_key, vec![sct_from(ct)]),
        &other,
        &fixture.material,
    )
    .unwrap_err();
    assert_eq!(error.hop, Hop::Fulcio);
    // Another root than the trust files'.
    let elsewhere = self::fixture(1);
    let error = read_fulcio_answer(
        &fulcio_answer(&elsewhere, &leaf_key, vec![sct_from(ct)]),
        &ours,
        &fixture.material,
    )
    .unwrap_err();
    assert_eq!(error.hop, Hop::Fulcio);
    assert!(error.answer.contains("root"), "{error}");
    // A detached SCT.
    let error = read_fulcio_answer(
        br#"{"signedCertificateDetachedSct": {"chain": {"certificates": []}}}"#,
        &ours,
        &fixture.material,
    )
    .unwrap_err();
    assert_eq!(error.hop, Hop::CtLog);
}

#[test]
fn the_rekor_requests_have_the_shapes_the_servers_take() {
    let digest = sha256(b"artifact");
    let v1 = rekor_v1_request(&digest, b"sig", "-----BEGIN CERTIFICATE-----\n");
    assert_eq!(v1["kind"], "hashedrekord");
    assert_eq!(v1["apiVersion"], "0.0.1");
    assert_eq!(v1["spec"]["data"]["hash"]["algorithm"], "sha256");
    assert_eq!(v1["spec"]["data"]["hash"]["value"], hex(&digest));
    assert_eq!(v1["spec"]["signature"]["content"], BASE64.encode(b"sig"));
    assert_eq!(
        v1["spec"]["signature"]["publicKey"]["content"],
        BASE64.encode("-----BEGIN CERTIFICATE-----\n")
    );

    let v2 = rekor_v2_request(&digest, b"sig", b"der");
    let request = &v2["hashedRekordRequestV002"];
    assert_eq!(request["digest"], BASE64.encode(digest));
    assert_eq!(request["signature"]["content"], BASE64.encode(b"sig"));
    let verifier = &request["signature"]["verifier"];
    assert_eq!(
        verifier["x509Certificate"]["rawBytes"],
        BASE64.encode(b"der")
    );
    assert_eq!(verifier["keyDetails"], "PKIX_ECDSA_P256_SHA_256");
}

/// RFC 6962 section 2.1: the tree hash of `leaves`.
fn tree_hash(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split(leaves.len());
    node_hash(&tree_hash(&leaves[..k]), &tree_hash(&leaves[k..]))
}

/// The largest power of two below `n`.
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 section 2.1.1: the audit path of leaf `m`.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<Vec<u8>> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(tree_hash(&leaves[k..]).to_vec());
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(tree_hash(&leaves[..k]).to_vec());
        p
    }
}

#[test]
fn inclusion_proofs_lead_to_the_tree_hash_for_every_leaf_of_small_trees() {
    for size in 1..=9usize {
        let leaves: Vec<[u8; 32]> = (0..size).map(|i| leaf_hash(&[i as u8])).collect();
        let root = tree_hash(&leaves);
        for index in 0..size {
            let proof = path(index, &leaves);
            let computed =
                root_from_inclusion_proof(index as u64, size as u64, leaves[index], &proof)
                    .unwrap();
            assert_eq!(computed, root, "size {size}, index {index}");
            if size > 1 {
                let wrong = (index + 1) % size;
                assert_ne!(
                    root_from_inclusion_proof(index as u64, size as u64, leaves[wrong], &proof)
                        .unwrap(),
                    root
                );
                assert!(
                    root_from_inclusion_proof(index as u64, size as u64, leaves[index], &[])
                        .is_err()
                );
            }
        }
    }
    assert!(root_from_inclusion_proof(3, 3, [0; 32], &[]).is_err());
}

/// A checkpoint over `size` and `root`, signed by the fixture's Rekor key as Rekor v1 (any name,
/// the key's log ID as hint) or v2 (under its origin, the note key hash as hint) signs.
fn checkpoint(fixture: &Fixture, size: u64, root: &[u8]) -> String {
    let origin = fixture.material.rekor_origin().to_string();
    let text = format!("{origin}\n{size}\n{}\n", BASE64.encode(root));
    let hint = if fixture.material.rekor_major_api_version >= 2 {
        fixture.material.rekor_log_id().as_bytes()[..4].to_vec()
    } else {
        fixture.material.rekor_public_key.log_id().as_bytes()[..4].to_vec()
    };
    let mut signature = hint;
    signature.extend_from_slice(&fixture.rekor.sign(text.as_bytes()));
    format!("{text}\n\u{2014} {origin} {}\n", BASE64.encode(signature))
}

/// A log of three entries; the last is ours.
fn three_entries() -> (Vec<Vec<u8>>, Vec<[u8; 32]>) {
    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("{{\"entry\":{i}}}").into_bytes())
        .collect();
    let leaves = bodies.iter().map(|b| leaf_hash(b)).collect();
    (bodies, leaves)
}

#[test]
fn rekor_v1_entries_are_checked_up_to_a_checkpoint_signed_by_our_key() {
    let fixture = fixture(1);
    let (bodies, leaves) = three_entries();
    let root = tree_hash(&leaves);
    let answer = |proof: serde_json::Value| {
        serde_json::to_vec(&json!({
            "24296fb24b8ad77a": {
                "body": BASE64.encode(&bodies[2]),
                "integratedTime": 1_700_000_000,
                "logIndex": 2,
                "verification": { "inclusionProof": proof, "signedEntryTimestamp": "" },
            }
        }))
        .unwrap()
    };
    let proof = json!({
        "logIndex": 2,
        "treeSize": 3,
        "rootHash": hex(&root),
        "hashes": path(2, &leaves).iter().map(|h| hex(h)).collect::<Vec<_>>(),
        "checkpoint": checkpoint(&fixture, 3, &root),
    });
    let included = read_rekor_v1_entry(&answer(proof.clone()), &fixture.material)
        .unwrap()
        .unwrap();
    assert_eq!(
        included,
        Included {
            uuid: Some("24296fb24b8ad77a".into()),
            log_index: 2,
            tree_size: 3
        }
    );
    // Not yet included: asked again.
    assert_eq!(
        read_rekor_v1_entry(&answer(serde_json::Value::Null), &fixture.material).unwrap(),
        None
    );
    // A checkpoint signed by another key.
    let other = self::fixture(1);
    let mut forged = proof.clone();
    forged["checkpoint"] = checkpoint(&other, 3, &root).into();
    let error = read_rekor_v1_entry(&answer(forged), &fixture.material).unwrap_err();
    assert_eq!(error.hop, Hop::Rekor);
    assert!(error.answer.contains("checkpoint"), "{error}");
    // A proof of another entry.
    let mut wrong = proof;
    wrong["logIndex"] = 1.into();
    assert!(read_rekor_v1_entry(&answer(wrong), &fixture.material).is_err());
}

#[test]
fn rekor_v2_entries_are_checked_up_to_a_checkpoint_signed_under_the_origin() {
    let fixture = fixture(2);
    let (bodies, leaves) = three_entries();
    let root = tree_hash(&leaves);
    // Proto JSON: int64 as strings, bytes as base64.
    let answer = json!({
        "logIndex": "2",
        "logId": { "keyId": "" },
        "kindVersion": { "kind": "hashedrekord", "version": "0.0.2" },
        "integratedTime": "0",
        "inclusionProof": {
            "logIndex": "2",
            "rootHash": BASE64.encode(root),
            "treeSize": "3",
            "hashes": path(2, &leaves).iter().map(|h| BASE64.encode(h)).collect::<Vec<_>>(),
            "checkpoint": { "envelope": checkpoint(&fixture, 3, &root) },
        },
        "canonicalizedBody": BASE64.encode(&bodies[2]),
    });
    let included =
        read_rekor_v2_entry(&serde_json::to_vec(&answer).unwrap(), &fixture.material).unwrap();
    assert_eq!((included.log_index, included.tree_size), (2, 3));
    // A checkpoint of another tree size than the proof's.
    let mut stale = answer.clone();
    stale["inclusionProof"]["checkpoint"]["envelope"] = checkpoint(&fixture, 4, &root).into();
    assert!(read_rekor_v2_entry(&serde_json::to_vec(&stale).unwrap(), &fixture.material).is_err());
    let mut without = answer;
    without["inclusionProof"] = serde_json::Value::Null;
    let error =
        read_rekor_v2_entry(&serde_json::to_vec(&without).unwrap(), &fixture.material).unwrap_err();
    assert!(error.answer.contains("no inclusion proof"), "{error}");
}

#[test]
fn the_timestamp_request_is_a_der_timestamp_req_and_the_answer_is_checked() {
    let digest = sha256(b"signature");
    let nonce = timestamp_nonce();
    assert!((0x40..=0x7f).contains(&(nonce >> 56)));
    let request = timestamp_request(&digest, nonce);
    // TimeStampReq ::= SEQUENCE { version 1, messageImprint, nonce, certReq TRUE }
    let (tag, content, rest) = der_tlv(&request).unwrap();
    assert_eq!((tag, rest.len()), (0x30, 0));
    let (tag, version, content) = der_tlv(content).unwrap();
    assert_eq!((tag, version), (0x02, &[1u8][..]));
    let (tag, imprint, content) = der_tlv(content).unwrap();
    assert_eq!(tag, 0x30);
    let (_, algorithm, hashed) = der_tlv(imprint).unwrap();
    let (tag, oid, _) = der_tlv(algorithm).unwrap();
    assert_eq!(tag, 0x06);
    assert_eq!(oid, [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]);
    let (tag, message, _) = der_tlv(hashed).unwrap();
    assert_eq!((tag, message), (0x04, &digest[..]));
    let (tag, nonce_bytes, content) = der_tlv(content).unwrap();
    assert_eq!((tag, nonce_bytes), (0x02, &nonce.to_be_bytes()[..]));
    assert_eq!(content, [0x01, 0x01, 0xff]);

    // TimeStampResp ::= SEQUENCE { PKIStatusInfo, timeStampToken } (the token's insides are
    // stand-ins holding the digest and nonce).
    let respond = |status: u8, token: &[u8]| {
        let mut inner = vec![0x30, 0x03, 0x02, 0x01, status];
        inner.extend_from_slice(token);
        let mut response = vec![0x30, inner.len() as u8];
        response.extend_from_slice(&inner);
        response
    };
    let mut token = vec![0x30, 42, 0x04, 32];
    token.extend_from_slice(&digest);
    token.extend_from_slice(&[0x02, 8]);
    token.extend_from_slice(&nonce.to_be_bytes());
    read_timestamp_answer(&respond(0, &token), &digest, nonce).unwrap();
    let error = read_timestamp_answer(&respond(2, &[]), &digest, nonce).unwrap_err();
    assert_eq!(error.hop, Hop::Tsa);
    assert!(error.answer.contains("PKIStatus 2"), "{error}");
    assert!(read_timestamp_answer(&respond(0, &token), &digest, nonce ^ 1).is_err());
    assert!(read_timestamp_answer(b"not der", &digest, nonce).is_err());
}

#[test]
fn sct_lists_with_several_scts_give_every_log_id() {
    let mut first = sct_extension(&[1; 32]);
    let second = sct_extension(&[2; 32]);
    // Merge the two lists' SCTs into one list.
    let sct_a = first[4..].to_vec();
    let sct_b = second[4..].to_vec();
    let mut list = ((sct_a.len() + sct_b.len()) as u16).to_be_bytes().to_vec();
    list.extend_from_slice(&sct_a);
    list.extend_from_slice(&sct_b);
    first = vec![0x04, list.len() as u8];
    first.extend_from_slice(&list);
    assert_eq!(sct_log_ids(&first).unwrap(), vec![[1; 32], [2; 32]]);
    assert!(sct_log_ids(&[0x04, 0x02, 0x00, 0x00]).is_err());
}
