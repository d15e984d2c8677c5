//! cosign (the real client, v3.1.3 from $SIGSTORE_UP_TEST_BIN) reads our files.
//!
//! - `cosign trusted-root create`, given the same keys, chain, URLs and start times, writes the
//!   same trusted root as we do (compared as JSON values): cosign computes the log IDs itself,
//!   so this also checks ours.
//! - `cosign verify-blob --trusted-root` loads our trusted_root.json and verifies with it (a
//!   key-signed blob; and a certificate bundle whose chain ends at our Fulcio root and whose SCT
//!   is signed by our CT log key, found by our log ID); broken variants of the file are refused
//!   at load time, which shows the file is really read.
//! - cosign's legacy verification reads the PEM files our env names (SIGSTORE_ROOT_FILE, ...).
//! - `cosign sign-blob --signing-config` picks Fulcio from our signing_config.json.
//!
//! No Sigstore services run here, so Rekor entries cannot be real and the tlog check is waived
//! where a bundle needs one (`--insecure-ignore-tlog`, said at each use). The keyless round
//! trip through real Fulcio, CT log and Rekor is the end-to-end test's job.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::trust::*;
use crate::support::{free_port, run, test_binary, text};
use base64::Engine as _;
use serde_json::{Value, json};
use sigstore_up::trust::{
    CertificateChain, Endpoints, TrustBundle, TrustMaterial, WrittenBundle, env_names, file_names,
};

/// A scratch HOME and TUF_ROOT so cosign neither reads nor writes a TUF cache, and no
/// SIGSTORE_* variable from the caller's environment changes what it trusts.
struct Cosign {
    work: tempfile::TempDir,
}

impl Cosign {
    fn new() -> Cosign {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir(work.path().join("home")).unwrap();
        Cosign { work }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(test_binary("cosign"));
        command
            .current_dir(self.work.path())
            .env("HOME", self.path("home"))
            .env("TUF_ROOT", self.path("home/tuf"))
            .env("COSIGN_PASSWORD", "")
            .args(args);
        for name in [
            "SIGSTORE_ROOT_FILE",
            "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE",
            "SIGSTORE_REKOR_PUBLIC_KEY",
            "SIGSTORE_TSA_CERTIFICATE_FILE",
            "SIGSTORE_ID_TOKEN",
            "TUF_MIRROR",
        ] {
            command.env_remove(name);
        }
        run(&mut command)
    }

    fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "cosign {args:?}: {}",
            text(&output)
        );
        output
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Material whose Fulcio chain has an intermediate, so chain order is checked too.
fn material_with_intermediate(stack: &TestStack) -> TrustMaterial {
    let intermediate = stack
        .fulcio_root
        .intermediate("sigstore-up intermediate", (2026, 1, 1));
    let chain = format!("{}{}", intermediate.pem(), stack.fulcio_root.pem());
    TrustMaterial {
        fulcio_chain: CertificateChain::parse(chain.as_bytes()).unwrap(),
        ..stack.material()
    }
}

#[test]
fn cosign_trusted_root_create_writes_the_same_trusted_root() {
    let stack = TestStack::generate();
    let cosign = Cosign::new();
    let endpoints = in_cluster_endpoints();
    let written = TrustBundle::new(&material_with_intermediate(&stack), endpoints.clone())
        .write_to_dir(&cosign.path("ours"))
        .unwrap();
    let file = |name: &str| written.dir.join(name).to_str().unwrap().to_string();

    cosign.run_ok(&[
        "trusted-root",
        "create",
        &format!(
            "--fulcio=url={},certificate-chain={}",
            endpoints.fulcio,
            file(file_names::FULCIO_ROOT)
        ),
        &format!(
            "--rekor=url={},public-key={},start-time={}",
            endpoints.rekor,
            file(file_names::REKOR_PUBLIC),
            REKOR_VALID_FROM
        ),
        &format!(
            "--ctfe=url={},public-key={},start-time={}",
            endpoints.ctlog,
            file(file_names::CTLOG_PUBLIC),
            CTLOG_VALID_FROM
        ),
        "--out",
        path_str(&cosign.path("cosign_trusted_root.json")),
    ]);

    let theirs: Value =
        serde_json::from_slice(&std::fs::read(cosign.path("cosign_trusted_root.json")).unwrap())
            .unwrap();
    let ours: Value =
        serde_json::from_slice(&std::fs::read(file(file_names::TRUSTED_ROOT)).unwrap()).unwrap();
    assert_eq!(ours, theirs, "ours:\n{ours:#}\ncosign's:\n{theirs:#}");
    assert_eq!(
        ours["certificateAuthorities"][0]["certChain"]["certificates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Signs `artifact` with a fresh cosign key pair, no transparency log, and returns the paths of
/// the public key and the bundle.
fn sign_with_key(cosign: &Cosign, artifact: &Path) -> (PathBuf, PathBuf) {
    cosign.run_ok(&["generate-key-pair"]);
    let bundle = cosign.path("artifact.sigstore.json");
    cosign.run_ok(&[
        "sign-blob",
        "--yes",
        "--key",
        "cosign.key",
        // Signing here does not involve our files; only verification below does.
        "--use-signing-config=false",
        "--tlog-upload=false",
        "--bundle",
        path_str(&bundle),
        path_str(artifact),
    ]);
    (cosign.path("cosign.pub"), bundle)
}

#[test]
fn cosign_verify_blob_loads_our_trusted_root_and_refuses_broken_ones() {
    let stack = TestStack::generate();
    let cosign = Cosign::new();
    let written = TrustBundle::new(&stack.material(), host_endpoints())
        .write_to_dir(&cosign.path("ours"))
        .unwrap();
    let artifact = cosign.path("artifact.txt");
    write(&artifact, "signed with a cosign key\n");
    let (public_key, bundle) = sign_with_key(&cosign, &artifact);

    // The bundle has no log entry (nothing runs Rekor here), so the tlog requirement is
    // waived; this test is about cosign reading our trusted root, nothing else.
    let verify = |trusted_root: &Path, artifact: &Path| {
        cosign.run(&[
            "verify-blob",
            "--key",
            path_str(&public_key),
            "--bundle",
            path_str(&bundle),
            "--trusted-root",
            path_str(trusted_root),
            "--insecure-ignore-tlog",
            path_str(artifact),
        ])
    };
    let ours = written.dir.join(file_names::TRUSTED_ROOT);
    let verified = verify(&ours, &artifact);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        String::from_utf8_lossy(&verified.stderr).contains("Verified OK"),
        "{}",
        text(&verified)
    );

    // Control: a different artifact fails, so success above was a real verification.
    let other = cosign.path("other.txt");
    write(&other, "not what was signed\n");
    assert!(!verify(&ours, &other).status.success());

    // Controls: cosign refuses what sigstore-go cannot parse, in this very flow.
    let original: Value = serde_json::from_slice(&std::fs::read(&ours).unwrap()).unwrap();
    /// What cosign must say, and how the file is broken.
    type Breakage = (&'static str, fn(&mut Value));
    let broken_variants: [Breakage; 5] = [
        ("unsupported TrustedRoot media type", |root| {
            root["mediaType"] = json!("application/vnd.dev.sigstore.trustedroot.v0.2+json")
        }),
        ("unknown field", |root| {
            root["tlogs"][0]["publicKey"]["keyId"] = json!("x")
        }),
        ("tlog missing log ID", |root| {
            root["tlogs"][0].as_object_mut().unwrap().remove("logId");
        }),
        (
            "unsupported tlog public key type: PKIX_ECDSA_P256_HMAC_SHA_256",
            |root| {
                root["ctlogs"][0]["publicKey"]["keyDetails"] = json!("PKIX_ECDSA_P256_HMAC_SHA_256")
            },
        ),
        (
            "failed to parse certificate for http://127.0.0.1:41001",
            |root| {
                root["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] =
                    json!("Z2FyYmFnZQ==")
            },
        ),
    ];
    for (expected, breaks) in broken_variants {
        let mut broken = original.clone();
        breaks(&mut broken);
        let path = cosign.path("broken_trusted_root.json");
        write(&path, broken.to_string());
        let output = verify(&path, &artifact);
        assert!(!output.status.success(), "{expected}: {}", text(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(expected),
            "{expected}: {}",
            text(&output)
        );
    }
}

fn write_host_bundle(cosign: &Cosign, stack: &TestStack, fulcio_port: u16) -> WrittenBundle {
    let endpoints = Endpoints {
        fulcio: url(&format!("http://127.0.0.1:{fulcio_port}")),
        ..host_endpoints()
    };
    TrustBundle::new(&stack.material(), endpoints)
        .write_to_dir(&cosign.path("ours"))
        .unwrap()
}

#[test]
fn cosign_sign_blob_picks_fulcio_from_our_signing_config() {
    let stack = TestStack::generate();
    let cosign = Cosign::new();
    let port = free_port();
    let written = write_host_bundle(&cosign, &stack, port);
    let artifact = cosign.path("artifact.txt");
    write(&artifact, "to be signed\n");
    let bundle = cosign.path("artifact.sigstore.json");

    let output = cosign.run(&[
        "sign-blob",
        "--yes",
        "--signing-config",
        path_str(&written.dir.join(file_names::SIGNING_CONFIG)),
        "--trusted-root",
        path_str(&written.dir.join(file_names::TRUSTED_ROOT)),
        "--identity-token",
        &unsigned_token(),
        "--bundle",
        path_str(&bundle),
        path_str(&artifact),
    ]);
    let text = text(&output);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}/api/v2/signingCert")),
        "cosign should have asked our Fulcio for a certificate: {text}"
    );
    assert!(!bundle.exists());
}

#[test]
fn cosign_verify_blob_trusts_our_fulcio_root_and_ct_log() {
    let stack = TestStack::generate();
    let cosign = Cosign::new();
    let written = TrustBundle::new(&stack.material(), host_endpoints())
        .write_to_dir(&cosign.path("ours"))
        .unwrap();
    let rekor_log_id = stack.material().rekor_public_key.log_id().to_base64();
    let artifact = cosign.path("artifact.txt");
    write(&artifact, "signed by a test\n");
    let artifact_bytes = std::fs::read(&artifact).unwrap();

    // The bundle's log entry is not signed by a real Rekor (none runs here), so the tlog
    // check is waived: this test is about the CA and CT log in our trusted root. The full
    // keyless round trip with real services is the end-to-end test's.
    let verify = |ca: &TestCa, ct_log: Option<&p256::ecdsa::SigningKey>| {
        let bundle = cosign.path("artifact.sigstore.json");
        write(
            &bundle,
            bundle_signed_under(ca, ct_log, &rekor_log_id, &artifact_bytes),
        );
        cosign.run(&[
            "verify-blob",
            "--bundle",
            path_str(&bundle),
            "--trusted-root",
            path_str(&written.dir.join(file_names::TRUSTED_ROOT)),
            "--certificate-identity",
            IDENTITY,
            "--certificate-oidc-issuer",
            OIDC_ISSUER,
            "--insecure-ignore-tlog",
            path_str(&artifact),
        ])
    };

    // Our root and an SCT from our CT log key: verified. cosign looks the SCT's log up by
    // `ctlogs[].logId.keyId`, so this holds only if our log ID is right.
    let verified = verify(&stack.fulcio_root, Some(&stack.ctlog_key));
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        String::from_utf8_lossy(&verified.stderr).contains("Verified OK"),
        "{}",
        text(&verified)
    );

    // An SCT from a key not in our trusted root: refused at the SCT.
    let stranger = new_p256_key();
    let unknown_log = text(&verify(&stack.fulcio_root, Some(&stranger)));
    assert!(
        unknown_log.contains("unable to meet threshold of 1"),
        "{unknown_log}"
    );

    // A certificate from a root not in our trusted root: refused at the chain.
    let foreign = TestCa::root("elsewhere", "foreign root", (2025, 12, 31));
    let foreign = text(&verify(&foreign, Some(&stack.ctlog_key)));
    assert!(
        foreign.contains("failed to verify leaf certificate"),
        "{foreign}"
    );
}

#[test]
fn cosign_verify_blob_reads_the_pem_files_named_in_our_env_without_a_trusted_root() {
    let stack = TestStack::generate();
    let cosign = Cosign::new();
    let written = TrustBundle::new(&stack.material(), host_endpoints())
        .write_to_dir(&cosign.path("ours"))
        .unwrap();
    let rekor_log_id = stack.material().rekor_public_key.log_id().to_base64();
    let artifact = cosign.path("artifact.txt");
    write(&artifact, "signed by a test\n");
    let bundle = cosign.path("artifact.sigstore.json");
    write(
        &bundle,
        bundle_signed_under(
            &stack.fulcio_root,
            Some(&stack.ctlog_key),
            &rekor_log_id,
            &std::fs::read(&artifact).unwrap(),
        ),
    );

    // The same certificate and signature as loose files, the form cosign's legacy
    // (pre-bundle) verification takes.
    let bundle_json: Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let raw = |pointer: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(bundle_json.pointer(pointer).unwrap().as_str().unwrap())
            .unwrap()
    };
    let certificate = cosign.path("leaf.pem");
    write(
        &certificate,
        pem::encode(&pem::Pem::new(
            "CERTIFICATE",
            raw("/verificationMaterial/certificate/rawBytes"),
        )),
    );
    let signature = cosign.path("artifact.sig");
    write(&signature, b64(&raw("/messageSignature/signature")));

    // cosign's legacy variables (SIGSTORE_ROOT_FILE, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE,
    // SIGSTORE_REKOR_PUBLIC_KEY) replace TUF when no --trusted-root is given (cosign v3 takes
    // them for legacy verification only; new bundles need --trusted-root). HOME and TUF_ROOT
    // are empty scratch directories, so TUF is no alternative source. No Rekor runs here,
    // hence the tlog waiver.
    let verify = |env: &sigstore_up::trust::TrustEnv| {
        let mut command = Command::new(test_binary("cosign"));
        command
            .env("HOME", cosign.path("home"))
            .env("TUF_ROOT", cosign.path("home/tuf"))
            .envs(env.public_entries())
            .args(["verify-blob", "--new-bundle-format=false"])
            .args(["--certificate", path_str(&certificate)])
            .args(["--signature", path_str(&signature)])
            .args(["--certificate-identity", IDENTITY])
            .args(["--certificate-oidc-issuer", OIDC_ISSUER])
            .args(["--insecure-ignore-tlog", path_str(&artifact)]);
        run(&mut command)
    };
    let verified = verify(&written.env);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        String::from_utf8_lossy(&verified.stderr).contains("Verified OK"),
        "{}",
        text(&verified)
    );

    // Controls: the files named are what cosign used.
    let stranger_key = cosign.path("stranger_ctlog.pem");
    write(&stranger_key, public_key_of(&new_p256_key()).to_pem());
    let mut other_ctlog = written.env.clone();
    other_ctlog
        .set(
            env_names::SIGSTORE_CT_LOG_PUBLIC_KEY_FILE,
            path_str(&stranger_key),
        )
        .unwrap();
    let refused = text(&verify(&other_ctlog));
    assert!(refused.contains("ctfe public key not found"), "{refused}");

    let foreign_root = cosign.path("foreign_root.pem");
    write(
        &foreign_root,
        TestCa::root("elsewhere", "foreign root", (2025, 12, 31)).pem(),
    );
    let mut other_root = written.env.clone();
    other_root
        .set(env_names::SIGSTORE_ROOT_FILE, path_str(&foreign_root))
        .unwrap();
    let refused = text(&verify(&other_root));
    assert!(
        refused.contains("certificate signed by unknown authority"),
        "{refused}"
    );
}
