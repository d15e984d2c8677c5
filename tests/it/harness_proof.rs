//! Proof that the test cluster (tests/cluster/up) is a working Kubernetes: in a fresh namespace, a pod
//! from a locally built image runs behind a Service; a second pod resolves that Service by DNS and gets
//! an answer through it; and this test process reaches the pod through a port-forward made with the
//! Kubernetes API (kube-rs, WebSocket), not a kubectl subprocess.
//!
//! Needs a running test cluster: `tests/cluster/up`, then run inside its network namespace:
//!   nsenter --net=/run/netns/sigstore-up-test env SIGSTORE_UP_TEST_KUBECONFIG=/var/tmp/sigstore-up-test/kubeconfig \
//!     cargo test --test it harness_proof:: -- --ignored
//! It is #[ignore]d so that a plain `cargo test` does not need a cluster; .ci/run runs it.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{DeleteParams, LogParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Api, Client, Config};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::cluster::kubeconfig;

const IMAGE: &str = "localhost/sigstore-up-test/http:1";

/// A client made with kube-rs directly, not with sigstore-up's `connect`.
async fn client() -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig())
        .expect("reading the test cluster's kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kubeconfig");
    // Two rustls crypto providers are linked (ring, aws-lc-rs): name one, as `connect` does.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::try_from(config).expect("client")
}

fn restricted_container(name: &str, args: &[&str]) -> serde_json::Value {
    json!({
        "name": name, "image": IMAGE, "imagePullPolicy": "Never", "args": args,
        "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
            "runAsNonRoot": true, "runAsUser": 65532, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}
    })
}

#[tokio::test]
#[ignore = "needs the test cluster: tests/cluster/up (see the module doc)"]
async fn service_dns_and_api_port_forward_work() {
    let client = client().await;
    let ns = format!("harness-proof-{}", std::process::id());
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace = serde_json::from_value(json!({"metadata": {"name": ns,
        "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}))
    .unwrap();
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .expect("create namespace");

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let mut server = restricted_container("http", &[]);
    server["readinessProbe"] = json!({"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1});
    let web = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"terminationGracePeriodSeconds": 1, "containers": [server]}}}
    }))
    .unwrap();
    deployments
        .create(&PostParams::default(), &web)
        .await
        .expect("create deployment");
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let svc = serde_json::from_value(json!({"metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}))
    .unwrap();
    services
        .create(&PostParams::default(), &svc)
        .await
        .expect("create service");

    let ready = await_condition(
        deployments.clone(),
        "web",
        conditions::is_deployment_completed(),
    );
    tokio::time::timeout(Duration::from_secs(120), ready)
        .await
        .expect("deployment web did not become ready within 120 s")
        .expect("watching deployment web");

    // DNS + Service routing from another pod. kube-proxy writes the Service's rules asynchronously after
    // the pod is ready, so the client retries a few times inside the pod.
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let url = format!("http://web.{ns}.svc.cluster.local/");
    let probe = serde_json::from_value(json!({"metadata": {"name": "dns-client"}, "spec": {
        "restartPolicy": "OnFailure", "terminationGracePeriodSeconds": 1,
        "containers": [restricted_container("get", &["get", &url])]}}))
    .unwrap();
    pods.create(&PostParams::default(), &probe)
        .await
        .expect("create client pod");
    let done = await_condition(pods.clone(), "dns-client", |pod: Option<&Pod>| {
        pod.and_then(|p| p.status.as_ref())
            .and_then(|s| s.phase.as_deref())
            == Some("Succeeded")
    });
    tokio::time::timeout(Duration::from_secs(120), done)
        .await
        .expect("the client pod did not reach the Service by DNS within 120 s")
        .expect("watching the client pod");
    let log = pods
        .logs("dns-client", &LogParams::default())
        .await
        .expect("client pod log");
    assert!(
        log.contains(&format!("web.{ns}.svc.cluster.local -> [10.96.")),
        "DNS answer in: {log}"
    );
    assert!(log.contains(": 200 ok"), "HTTP answer in: {log}");

    // port-forward through the API to the web pod, from this process
    let web_pod = pods
        .list(&kube::api::ListParams::default().labels("app=web"))
        .await
        .expect("list web pods")
        .items
        .remove(0);
    let mut forwarder = pods
        .portforward(web_pod.metadata.name.as_deref().unwrap(), &[8080])
        .await
        .expect("portforward");
    let mut stream = forwarder.take_stream(8080).expect("port 8080 stream");
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: web\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.starts_with("HTTP/1.0 200 OK"),
        "response through port-forward: {response}"
    );
    assert!(
        response.ends_with("\r\n\r\nok"),
        "response through port-forward: {response}"
    );
    // the pod side has closed the stream; kube-rs then fails to send its own close frame, which is harmless
    forwarder.abort();

    namespaces
        .delete(&ns, &DeleteParams::default())
        .await
        .expect("delete namespace");
}
