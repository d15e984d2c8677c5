//! Least privilege on the REAL test cluster (#[ignore]d; tests/run runs them): Fulcio reads the
//! service-account issuer's discovery document and keys with its own projected token, so install
//! makes keyless signing work without letting anyone read discovery anonymously; the opt-in
//! `fulcio.anonymous_oidc_discovery` still works, binds exactly that, and teardown removes it.
//!
//! The test cluster grants no anonymous access to discovery (tests/cluster/up) and advertises the
//! keys on the issuer's host (`--service-account-jwks-uri`). Install's exit 0 is the proof that
//! signing works: its last stage makes a keyless round trip, in which Fulcio verifies the token
//! against the issuer's keys.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kube::api::ListParams;
use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig};
use kube::{Api, Client};

use crate::support::cluster::{ExplainOnFailure, cluster, kubeconfig};
use crate::support::e2e::{ok, owned_objects, sigstore_up};

/// The ClusterRoleBindings that let the unauthenticated read something, as `name -> role`,
/// but Kubernetes' own `system:public-info-viewer` (/healthz, /livez, /readyz, /version).
async fn anonymous_bindings(client: &Client) -> Vec<String> {
    let bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    bindings
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|b| b.role_ref.name != "system:public-info-viewer")
        .filter(|b| {
            b.subjects.iter().flatten().any(|s| {
                (s.kind == "Group" && s.name == "system:unauthenticated")
                    || (s.kind == "User" && s.name == "system:anonymous")
            })
        })
        .map(|b| {
            format!(
                "{} -> {}",
                b.metadata.name.unwrap_or_default(),
                b.role_ref.name
            )
        })
        .collect()
}

/// GET `path` on the API server without any credentials: Ok(body) or Err(HTTP status).
async fn anonymous_get(path: &str) -> Result<String, u16> {
    let kubeconfig = Kubeconfig::read_from(kubeconfig()).unwrap();
    let mut config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .unwrap();
    config.auth_info = AuthInfo::default();
    let client = Client::try_from(config).unwrap();
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    match client.request_text(request).await {
        Ok(text) => Ok(text),
        Err(kube::Error::Api(status)) => Err(status.code),
        Err(other) => panic!("anonymous GET {path}: {other}"),
    }
}

/// The Fulcio Deployment's pod spec: does it mount a service-account token?
async fn fulcio_mounts_a_token(client: &Client, namespace: &str) -> bool {
    let deployment = Api::<Deployment>::namespaced(client.clone(), namespace)
        .get("fulcio")
        .await
        .unwrap();
    let pod = deployment.spec.unwrap().template.spec.unwrap();
    assert_eq!(pod.automount_service_account_token, Some(false));
    let token_volumes: Vec<String> = pod
        .volumes
        .iter()
        .flatten()
        .filter(|v| {
            v.projected.as_ref().is_some_and(|p| {
                p.sources
                    .iter()
                    .flatten()
                    .any(|s| s.service_account_token.is_some())
            })
        })
        .map(|v| v.name.clone())
        .collect();
    pod.containers[0].volume_mounts.iter().flatten().any(|m| {
        token_volumes.contains(&m.name)
            && m.mount_path == "/var/run/secrets/kubernetes.io/serviceaccount"
    })
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn keyless_signing_works_without_any_anonymous_binding() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let client = cluster().await.client;
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };

    // The cluster lets no one read discovery without credentials: a Fulcio that asked
    // anonymously would fail below.
    assert_eq!(anonymous_bindings(&client).await, Vec::<String>::new());
    assert_eq!(
        anonymous_get("/.well-known/openid-configuration")
            .await
            .err(),
        Some(403)
    );
    assert_eq!(anonymous_get("/openid/v1/jwks").await.err(), Some(403));

    let out = sigstore_up(home, &["install"]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "install failed");
    // The gate signed now, or an earlier test left this very stack and the fast path found it
    // unchanged since that install's gate signed.
    assert!(
        log.contains("signable") || log.contains("unchanged since the last install"),
        "{log}"
    );

    assert!(fulcio_mounts_a_token(&client, "fulcio-system").await);
    assert_eq!(anonymous_bindings(&client).await, Vec::<String>::new());
    // Nothing cluster-scoped of ours but the namespaces.
    let cluster_scoped: Vec<String> = owned_objects(&client)
        .await
        .into_iter()
        .filter(|o| o.starts_with("ClusterRoleBinding"))
        .collect();
    assert_eq!(cluster_scoped, Vec::<String>::new());
    assert_eq!(
        anonymous_get("/.well-known/openid-configuration")
            .await
            .err(),
        Some(403)
    );

    ok(sigstore_up(home, &["teardown", "--yes"]), "teardown");
    assert_eq!(owned_objects(&client).await, Vec::<String>::new());
}

#[tokio::test]
#[ignore = "needs the test cluster (tests/cluster/up); see the module doc"]
async fn the_anonymous_opt_in_binds_discovery_for_everyone_until_teardown() {
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path();
    let client = cluster().await.client;
    let _explain = ExplainOnFailure {
        home: Some(home.to_path_buf()),
    };
    assert_eq!(anonymous_bindings(&client).await, Vec::<String>::new());

    let out = sigstore_up(
        home,
        &[
            "--name",
            "anon",
            "install",
            "--set",
            "fulcio.anonymous_oidc_discovery=true",
        ],
    );
    assert!(out.status.success(), "install with the opt-in failed");
    // Fulcio asks without a token, through the binding the opt-in made.
    assert!(!fulcio_mounts_a_token(&client, "anon-fulcio-system").await);
    assert_eq!(
        anonymous_bindings(&client).await,
        vec![
            "sigstore-up-anon-oidc-discovery -> system:service-account-issuer-discovery"
                .to_string()
        ]
    );
    let document = anonymous_get("/.well-known/openid-configuration")
        .await
        .expect("readable anonymously with the opt-in");
    assert!(document.contains("jwks_uri"), "{document}");

    ok(
        sigstore_up(home, &["--name", "anon", "teardown", "--yes"]),
        "teardown",
    );
    assert_eq!(anonymous_bindings(&client).await, Vec::<String>::new());
    assert_eq!(
        anonymous_get("/.well-known/openid-configuration")
            .await
            .err(),
        Some(403)
    );
    assert_eq!(owned_objects(&client).await, Vec::<String>::new());
}
