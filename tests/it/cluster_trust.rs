//! `token`, `forward`, `trust` and `env` against the REAL test cluster (tests/cluster/up). They
//! are #[ignore]d so a plain `cargo test` does not need a cluster; run them inside the cluster's
//! network namespace:
//!
//! ```text
//! nsenter --net=/run/netns/sigstore-up-test env \
//!   SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!   cargo test --test it cluster_trust:: -- --ignored --test-threads=1
//! ```
//!
//! They do not install the stack: `forward` goes to a throw-away namespace whose Services
//! `rekor`, `fulcio` and `ctlog` front a small HTTP server (the harness image that answers "ok"),
//! and the trust files are built from hand-made Secrets in throw-away namespaces, named through
//! `--set namespaces.*`. Every namespace is `sigstore-up-test-ci6-*`, deleted by a Drop guard.

use crate::support::cluster::*;
use crate::support::{self, KillOnDrop, cli, free_port, loopback, raw_http_get, stderr, stdout};

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret, Service};
use kube::Api;
use kube::api::{ObjectMeta, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use serde_json::json;
use sigstore_up::cluster::Cluster;

use sigstore_up::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions};

const HTTP_IMAGE: &str = "localhost/sigstore-up-test/http:1";
/// Only a guard against hanging forever when something is broken; not a speed assertion.
const READY_LIMIT: Duration = Duration::from_secs(120);

/// The binary with the test cluster's kubeconfig, HOME in `home`, and `env` added.
fn command(home: &Path, args: &[&str], env: &[(&str, &OsStrLike)]) -> Command {
    let mut command = cli::sigstore_up(home);
    command
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .envs(env.iter().copied());
    command
}

type OsStrLike = std::ffi::OsStr;

/// Runs sigstore-up (see [`command`]); its stdout is not shown in the log (`token` prints one).
fn run(home: &Path, args: &[&str], env: &[(&str, &OsStrLike)]) -> Output {
    let out = support::run(&mut command(home, args, env));
    cli::show_hiding_stdout(&format!("sigstore-up {}", args.join(" ")), &out);
    out
}

/// Deletes the namespaces (and waits until they are gone) when dropped, also when a test fails.
struct Namespaces(Vec<String>);

impl Namespaces {
    async fn create(names: &[&str]) -> Namespaces {
        let guard = Namespaces(names.iter().map(|n| n.to_string()).collect());
        let cluster = cluster().await;
        let api: Api<Namespace> = Api::all(cluster.client.clone());
        for name in names {
            delete_namespace(&cluster, name).await; // leftovers of an aborted run
            let namespace = Namespace {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    labels: Some(BTreeMap::from([(
                        "pod-security.kubernetes.io/enforce".to_string(),
                        "restricted".to_string(),
                    )])),
                    ..Default::default()
                },
                ..Default::default()
            };
            api.create(&PostParams::default(), &namespace)
                .await
                .unwrap();
        }
        guard
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        delete_namespaces_now(std::mem::take(&mut self.0));
    }
}

fn jwt_claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn cluster_issuer(cluster: &Cluster) -> String {
    let request = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .unwrap();
    let text = cluster.client.request_text(request).await.unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["issuer"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn token_is_a_service_account_jwt_from_the_cluster_issuer() {
    let home = tempfile::tempdir().unwrap();
    let cluster = cluster().await;
    let issuer = cluster_issuer(&cluster).await;

    let out = run(home.path(), &["token"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "only the token: {text:?}");
    let token = text.trim_end();
    assert!(!stderr(&out).contains(token), "never logged");
    let claims = jwt_claims(token);
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["aud"], json!(["sigstore"]));
    assert_eq!(claims["sub"], "system:serviceaccount:default:default");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let out = run(
        home.path(),
        &["token", "--audience", "other", "--duration", "1h"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let claims = jwt_claims(stdout(&out).trim_end());
    assert_eq!(claims["aud"], json!(["other"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let out = run(
        home.path(),
        &["token", "--service-account", "no-such-account"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let message = stderr(&out);
    assert!(
        message.contains("default/no-such-account does not exist")
            && message.contains("--service-account"),
        "{message}"
    );
}

/// Five free loopback ports, as strings for the flags.
fn free_ports() -> [String; 5] {
    std::array::from_fn(|_| free_port().to_string())
}

/// HTTP/1.0 GET on a loopback port; the whole response.
fn http_get(port: &str, path: &str) -> String {
    raw_http_get(loopback(port.parse().unwrap()), path)
}

fn is_closed(port: &str) -> bool {
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    TcpStream::connect_timeout(&address, Duration::from_secs(5)).is_err()
}

/// Whether `pid` runs (a zombie has ended; only its reaper has not collected it yet).
fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let exists = unsafe { libc::kill(pid, 0) == 0 };
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    });
    exists && !zombie
}

/// Kills the forward named in the pid file when dropped (if a test fails before --stop).
struct PidFileGuard(PathBuf);

impl Drop for PidFileGuard {
    fn drop(&mut self) {
        if let Ok(text) = std::fs::read_to_string(&self.0)
            && let Ok(pid) = text.trim().parse::<i32>()
        {
            // SAFETY: plain kill(2).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Services rekor, fulcio (80 and 5554), ctlog and tuf in `namespace`, all in front of one HTTP
/// pod.
async fn deploy_fake_services(cluster: &Cluster, namespace: &str) {
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), namespace);
    let deployment = serde_json::from_value(json!({
        "metadata": {"name": "http"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "http"}},
            "template": {"metadata": {"labels": {"app": "http"}},
                "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
                    "name": "http", "image": HTTP_IMAGE, "imagePullPolicy": "Never",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1},
                    "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                        "runAsNonRoot": true, "runAsUser": 65532, "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"}}}]}}}
    }))
    .unwrap();
    deployments
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();
    let services: Api<Service> = Api::namespaced(cluster.client.clone(), namespace);
    for (name, ports) in [
        (
            "rekor",
            json!([{"name": "http", "port": 80, "targetPort": 8080}]),
        ),
        (
            "fulcio",
            json!([{"name": "http", "port": 80, "targetPort": "http"},
                   {"name": "grpc", "port": 5554, "targetPort": 8080}]),
        ),
        (
            "ctlog",
            json!([{"name": "http", "port": 80, "targetPort": 8080}]),
        ),
        (
            "tuf",
            json!([{"name": "http", "port": 80, "targetPort": 8080}]),
        ),
    ] {
        let service = serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"selector": {"app": "http"}, "ports": ports}
        }))
        .unwrap();
        services
            .create(&PostParams::default(), &service)
            .await
            .unwrap();
    }
    let ready = await_condition(deployments, "http", conditions::is_deployment_completed());
    tokio::time::timeout(READY_LIMIT, ready)
        .await
        .expect("the http deployment did not become ready")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn forward_detached_and_in_the_foreground() {
    let namespace = "sigstore-up-test-ci6-forward";
    let _namespaces = Namespaces::create(&[namespace]).await;
    let cluster = cluster().await;
    deploy_fake_services(&cluster, namespace).await;

    let home = tempfile::tempdir().unwrap();
    let pid_file = home.path().join("run/forward.pid");
    let _guard = PidFileGuard(pid_file.clone());
    let ports = free_ports();
    let set_rekor = format!("namespaces.rekor={namespace}");
    let set_fulcio = format!("namespaces.fulcio={namespace}");
    let set_ctlog = format!("namespaces.ctlog={namespace}");
    let set_tuf = format!("namespaces.tuf={namespace}");
    let mut args = vec![
        "forward",
        "--set",
        &set_rekor,
        "--set",
        &set_fulcio,
        "--set",
        &set_ctlog,
        "--set",
        &set_tuf,
        "--rekor-port",
        &ports[0],
        "--fulcio-port",
        &ports[1],
        "--fulcio-grpc-port",
        &ports[2],
        "--ctlog-port",
        &ports[3],
        "--tuf-port",
        &ports[4],
    ];
    let pid_file_text = pid_file.to_str().unwrap();
    args.extend(["--pid-file", pid_file_text]);

    // Detached: returns with the URLs once every port listens.
    let detach = [&args[..], &["--detach"]].concat();
    let out = run(home.path(), &detach, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "REKOR_URL=http://127.0.0.1:{}\nFULCIO_URL=http://127.0.0.1:{}\nFULCIO_GRPC_URL=http://127.0.0.1:{}\n\
             CTLOG_URL=http://127.0.0.1:{}/sigstorescaffolding\nTUF_MIRROR=http://127.0.0.1:{}/host\n",
            ports[0], ports[1], ports[2], ports[3], ports[4]
        )
    );
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(process_exists(pid));
    assert!(
        pid_file.with_extension("log").is_file(),
        "log beside the pid file"
    );
    for port in &ports {
        let response = http_get(port, "/");
        assert!(
            response.starts_with("HTTP/1.0 200") && response.ends_with("ok"),
            "{response}"
        );
    }

    // A second one on the same pid file is refused.
    let out = run(home.path(), &detach, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("already running (pid {pid}")),
        "{}",
        stderr(&out)
    );

    // --stop ends it, removes the pid file and frees the ports.
    let out = run(
        home.path(),
        &["forward", "--stop", "--pid-file", pid_file_text],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("stopped the forward (pid {pid})")));
    assert!(!pid_file.exists());
    assert!(!process_exists(pid), "the forward process is gone");
    assert!(ports.iter().all(|p| is_closed(p)));

    // Foreground: URLs on stdout once listening; SIGTERM ends it cleanly.
    let mut child = KillOnDrop(
        command(home.path(), &args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(first, format!("REKOR_URL=http://127.0.0.1:{}", ports[0]));
    for _ in 0..4 {
        lines.next().unwrap().unwrap();
    }
    let response = http_get(&ports[3], "/sigstorescaffolding/ct/v1/get-sth");
    assert!(response.ends_with("ok"), "{response}");
    assert_eq!(
        std::fs::read_to_string(&pid_file).unwrap().trim(),
        child.0.id().to_string(),
        "the foreground forward writes the pid file it was given"
    );
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.0.id() as i32, libc::SIGTERM) };
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!pid_file.exists(), "removed on exit");
    assert!(ports.iter().all(|p| is_closed(p)));

    // No such services: a clear error, nothing left listening.
    let missing = [
        &detach[..],
        &["--set", "namespaces.rekor=sigstore-up-test-ci6-missing"],
    ]
    .concat();
    let out = run(home.path(), &missing, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("service sigstore-up-test-ci6-missing/rekor does not exist")
            && message.contains("sigstore-up install"),
        "{message}"
    );
    assert!(!pid_file.exists());
    assert!(ports.iter().all(|p| is_closed(p)));
}

/// The Secrets install's "secrets" stage creates, with freshly minted material; returns the
/// Fulcio root PEM and the Rekor and CT public key PEMs.
async fn create_trust_secrets(
    cluster: &Cluster,
    fulcio_ns: &str,
    rekor_ns: &str,
    ctlog_ns: &str,
) -> (String, String, String) {
    let ca = FulcioCa::generate(&FulcioCaOptions::default()).unwrap();
    let rekor = EcKeyPair::generate();
    let ctlog = EcKeyPair::generate();
    let secret = |name: &str, data: BTreeMap<String, Vec<u8>>| Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
        ..Default::default()
    };
    let public = |key: &EcKeyPair| {
        BTreeMap::from([("public".to_string(), key.public_key_pem().into_bytes())])
    };
    for (namespace, object) in [
        (fulcio_ns, secret("fulcio-secret", ca.to_secret_data())),
        (rekor_ns, secret("rekor-public-key", public(&rekor))),
        (ctlog_ns, secret("ctlog-public-key", public(&ctlog))),
    ] {
        let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
        api.create(&PostParams::default(), &object).await.unwrap();
    }
    (
        ca.cert_pem().to_string(),
        rekor.public_key_pem(),
        ctlog.public_key_pem(),
    )
}

/// The Secret install's "tuf" stage creates (fresh keys and root); returns the root.json.
async fn create_tuf_secret(cluster: &Cluster, namespace: &str) -> Vec<u8> {
    let keys = sigstore_up::tuf::RoleKeys::generate();
    let root = keys
        .sign_root(sigstore_up::tuf::now() + 86_400)
        .await
        .unwrap();
    let mut data = keys.to_secret_data().unwrap();
    data.insert("root.json".into(), root.clone());
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some("tuf-signing-keys".into()),
            ..Default::default()
        },
        data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
        ..Default::default()
    };
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    api.create(&PostParams::default(), &secret).await.unwrap();
    root
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn pem_der(pem_text: &str) -> String {
    STANDARD.encode(pem::parse(pem_text).unwrap().contents())
}

/// Every file under `dir` with its bytes.
/// The trust files under `dir` (not the instance's recorded forward ports, ports.json).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else if path.file_name().is_some_and(|n| n != "ports.json") {
            files.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    files
}

async fn secret_created(cluster: &Cluster, namespace: &str, name: &str) -> String {
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    let secret = api.get(name).await.unwrap();
    let created = secret.metadata.creation_timestamp.unwrap();
    serde_json::to_value(&created)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test cluster: see the module documentation"]
async fn trust_and_env_files_from_the_secrets() {
    let (fulcio_ns, rekor_ns, ctlog_ns, tuf_ns) = (
        "sigstore-up-test-ci6-fulcio",
        "sigstore-up-test-ci6-rekor",
        "sigstore-up-test-ci6-ctlog",
        "sigstore-up-test-ci6-tuf",
    );
    let _namespaces = Namespaces::create(&[fulcio_ns, rekor_ns, ctlog_ns, tuf_ns]).await;
    let cluster = cluster().await;
    let issuer = cluster_issuer(&cluster).await;
    let home = tempfile::tempdir().unwrap();
    let sets: Vec<String> = [
        ("fulcio", fulcio_ns),
        ("rekor", rekor_ns),
        ("ctlog", ctlog_ns),
        ("tuf", tuf_ns),
    ]
    .iter()
    .map(|(key, ns)| format!("namespaces.{key}={ns}"))
    .chain(["instance=ci6-test".to_string()])
    .collect();
    let with_values = |command: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        for set in &sets {
            args.extend(["--set".to_string(), set.clone()]);
        }
        args
    };
    let run_args = |args: &[String], env: &[(&str, &OsStrLike)]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(home.path(), &args, env)
    };

    // Nothing installed yet: the error names the Secret and the fix.
    let out = run_args(&with_values(&["trust"]), &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("does not exist") && message.contains("run `sigstore-up install` first"),
        "{message}"
    );

    let (fulcio_root, rekor_public, ctlog_public) =
        create_trust_secrets(&cluster, fulcio_ns, rekor_ns, ctlog_ns).await;
    let tuf_root = create_tuf_secret(&cluster, tuf_ns).await;

    // Default directory: the state directory, both audiences.
    let out = run_args(&with_values(&["trust"]), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = home.path().join(".local/state/sigstore-up/ci6-test");
    assert_eq!(
        stdout(&out),
        format!(
            "{}\n{}\n",
            dir.join("cluster").display(),
            dir.join("host").display()
        )
    );
    let first = snapshot(&dir);
    assert_eq!(first.len(), 16, "8 files per audience: {:?}", first.keys());
    for audience in ["cluster", "host"] {
        assert_eq!(
            std::fs::read(dir.join(audience).join("root.json")).unwrap(),
            tuf_root,
            "the TUF root, byte for byte, beside the {audience} files"
        );
    }
    let cluster_env = std::fs::read_to_string(dir.join("cluster/env")).unwrap();
    assert!(
        cluster_env.contains(&format!("TUF_MIRROR=http://tuf.{tuf_ns}.svc/cluster\n")),
        "{cluster_env}"
    );

    let root = read_json(&dir.join("cluster/trusted_root.json"));
    let rekor_log = &root["tlogs"][0];
    assert_eq!(rekor_log["baseUrl"], format!("http://rekor.{rekor_ns}.svc"));
    assert_eq!(rekor_log["publicKey"]["rawBytes"], pem_der(&rekor_public));
    assert_eq!(
        rekor_log["publicKey"]["validFor"]["start"],
        secret_created(&cluster, rekor_ns, "rekor-public-key").await,
        "a key is valid from its Secret's creation"
    );
    let ct_log = &root["ctlogs"][0];
    assert_eq!(
        ct_log["baseUrl"],
        format!("http://ctlog.{ctlog_ns}.svc/sigstorescaffolding")
    );
    assert_eq!(ct_log["publicKey"]["rawBytes"], pem_der(&ctlog_public));
    assert_eq!(
        ct_log["publicKey"]["validFor"]["start"],
        secret_created(&cluster, ctlog_ns, "ctlog-public-key").await
    );
    let ca = &root["certificateAuthorities"][0];
    assert_eq!(ca["uri"], format!("http://fulcio.{fulcio_ns}.svc"));
    assert_eq!(
        ca["certChain"]["certificates"][0]["rawBytes"],
        pem_der(&fulcio_root)
    );
    let signing = read_json(&dir.join("cluster/signing_config.json"));
    assert_eq!(signing["oidcUrls"][0]["url"], issuer.as_str());
    assert_eq!(
        signing["caUrls"][0]["url"],
        format!("http://fulcio.{fulcio_ns}.svc")
    );

    // The logs are named as they know themselves in every audience; the CA by the host's URL.
    let host_root = read_json(&dir.join("host/trusted_root.json"));
    assert_eq!(host_root["tlogs"][0]["baseUrl"], rekor_log["baseUrl"]);
    assert_eq!(host_root["ctlogs"][0]["baseUrl"], ct_log["baseUrl"]);
    let host_signing = read_json(&dir.join("host/signing_config.json"));
    // Instance ci6-test is not the default one: its forward ports were chosen and recorded.
    let ports: std::collections::BTreeMap<String, u16> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ports.json")).unwrap()).unwrap();
    assert!(
        ports
            .values()
            .all(|p| ![3000, 5555, 5554, 6962, 8080, 3004].contains(p))
    );
    assert_eq!(
        host_signing["rekorTlogUrls"][0]["url"],
        format!("http://127.0.0.1:{}", ports["rekor"])
    );
    assert_eq!(
        host_root["certificateAuthorities"][0]["uri"],
        format!("http://127.0.0.1:{}", ports["fulcio"])
    );
    assert_eq!(
        host_root["tlogs"][0]["publicKey"], rekor_log["publicKey"],
        "one set of keys for both audiences"
    );
    for (path, bytes) in &first {
        assert!(
            !String::from_utf8_lossy(bytes).contains("PRIVATE KEY"),
            "no private key in {}",
            path.display()
        );
    }

    // Again: byte-identical.
    let out = run_args(&with_values(&["trust"]), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(snapshot(&dir), first, "re-running writes the same bytes");

    // One audience, straight into -o, with other ports.
    let only_host = home.path().join("only-host");
    let mut args = with_values(&["trust", "--audience", "host", "--rekor-port", "4000"]);
    args.extend(["-o".to_string(), only_host.display().to_string()]);
    let out = run_args(&args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", only_host.display()));
    let signing = read_json(&only_host.join("signing_config.json"));
    assert_eq!(signing["rekorTlogUrls"][0]["url"], "http://127.0.0.1:4000");
    assert!(!only_host.join("host").exists());

    // env: a token in the env file (0600) and $GITHUB_ENV, never in $GITHUB_OUTPUT or the log.
    let github = tempfile::tempdir().unwrap();
    let github_env = github.path().join("env");
    let github_output = github.path().join("output");
    let env_file = home.path().join("ci.env");
    let mut args = with_values(&["env"]);
    args.extend(["-o".to_string(), env_file.display().to_string()]);
    let out = run_args(
        &args,
        &[
            ("GITHUB_ENV", github_env.as_os_str()),
            ("GITHUB_OUTPUT", github_output.as_os_str()),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", env_file.display()));
    let env_text = std::fs::read_to_string(&env_file).unwrap();
    let token = env_text
        .lines()
        .find_map(|l| l.strip_prefix("OIDC_TOKEN="))
        .expect("OIDC_TOKEN in the env file")
        .to_string();
    assert_eq!(jwt_claims(&token)["iss"], issuer.as_str());
    assert!(env_text.contains(&format!("SIGSTORE_ID_TOKEN={token}")));
    assert!(env_text.contains(&format!("REKOR_URL=http://127.0.0.1:{}\n", ports["rekor"])));
    assert!(env_text.contains(&format!(
        "TUF_MIRROR=http://127.0.0.1:{}/host\n",
        ports["tuf"]
    )));
    assert!(env_text.contains(&format!(
        "TUF_ROOT_JSON={}\n",
        dir.join("host/root.json").display()
    )));
    assert!(env_text.contains(&format!(
        "TRUSTED_ROOT={}\n",
        dir.join("host/trusted_root.json").display()
    )));
    use std::os::unix::fs::PermissionsExt as _;
    for private in [&env_file, &dir.join("host/env")] {
        let mode = std::fs::metadata(private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} holds the token", private.display());
    }
    let github_env_text = std::fs::read_to_string(&github_env).unwrap();
    assert!(github_env_text.contains(&format!("OIDC_TOKEN={token}\n")));
    let github_output_text = std::fs::read_to_string(&github_output).unwrap();
    assert!(
        github_output_text.contains(&format!("rekor-url=http://127.0.0.1:{}\n", ports["rekor"]))
    );
    assert!(!github_output_text.contains(&token));
    assert!(!stderr(&out).contains(&token));
    assert!(stderr(&out).contains("appended to $GITHUB_ENV and $GITHUB_OUTPUT"));

    // A Secret edited into garbage: the error names it.
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), rekor_ns);
    let mut secret = api.get("rekor-public-key").await.unwrap();
    secret.data = Some(BTreeMap::from([(
        "public".to_string(),
        ByteString(b"not a key".to_vec()),
    )]));
    api.replace("rekor-public-key", &PostParams::default(), &secret)
        .await
        .unwrap();
    let out = run_args(&with_values(&["trust"]), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "Secret {rekor_ns}/rekor-public-key key \"public\" is not usable"
        )),
        "{}",
        stderr(&out)
    );
}
