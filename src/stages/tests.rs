//! The pipeline's decisions against a mocked API server (`cluster::fake`): fast, no cluster.
//! The same behaviour is proven on a real cluster by tests/cluster_*.rs.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::catalog::{ctlog, fulcio, mariadb, rekor, tesseract, tsa};
use crate::cluster::fake::FakeApi;
use crate::error::{Failure, failure_of};
use crate::render::render;

fn context(fake: &FakeApi) -> Context {
    context_with(fake, Values::default())
}

fn context_with(fake: &FakeApi, values: Values) -> Context {
    let manifests = render(&values).unwrap();
    Context::new(
        Ui::new(true, 0),
        fake.cluster(),
        values,
        manifests,
        Duration::from_secs(30),
    )
}

async fn run_stage(
    ctx: &mut Context,
    stage: for<'a> fn(&'a mut Context, &'a StageLine) -> StageFuture<'a>,
) -> anyhow::Result<Outcome> {
    let line = ctx.ui.stage("test");
    stage(ctx, &line).await
}

fn secret_path(namespace: &str, name: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/secrets/{name}")
}

fn writes(fake: &FakeApi) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET ") && !r.contains("/selfsubject"))
        .collect()
}

#[tokio::test]
async fn preflight_passes_on_an_empty_cluster_and_writes_nothing() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let outcome = run_stage(&mut ctx, preflight::run).await.unwrap();
    assert!(matches!(outcome, Outcome::Checked { ref version, .. } if version == "v1.34.12"));
    assert_eq!(writes(&fake), Vec::<String>::new());
    // The issuer was discovered from the API server and rendered into Fulcio's config.
    assert_eq!(
        ctx.values.fulcio.issuer_url,
        "https://kubernetes.default.svc.cluster.local"
    );
}

#[tokio::test]
async fn preflight_by_default_needs_no_cluster_wide_binding_and_fulcio_gets_its_token() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    run_stage(&mut ctx, preflight::run).await.unwrap();
    assert_eq!(
        ctx.values.oidc_discovery(),
        crate::values::OidcDiscovery::OwnToken
    );
    let kinds: Vec<&str> = ctx.manifests.iter().map(|m| m.kind()).collect();
    assert!(!kinds.contains(&"ClusterRoleBinding"), "{kinds:?}");
    let deployment = ctx
        .manifests
        .iter()
        .find(|m| m.kind() == "Deployment" && m.name() == fulcio::COMPONENT.name)
        .unwrap();
    let mounts = &deployment.object["spec"]["template"]["spec"]["containers"][0]["volumeMounts"];
    assert!(
        mounts
            .as_sequence()
            .unwrap()
            .iter()
            .any(|m| m["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"),
        "{mounts:?}"
    );
}

#[tokio::test]
async fn preflight_refuses_keys_on_another_host_and_names_both_fixes() {
    let fake = FakeApi::new();
    // kube-apiserver's default jwks_uri (kind, minikube): its own address
    fake.set_discovery(
        "https://kubernetes.default.svc.cluster.local",
        "https://172.18.0.2:6443/openid/v1/jwks",
    );
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, preflight::run).await.unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::ClusterAccess(_))),
        "{error:#}"
    );
    let message = format!("{error:#}");
    for part in [
        "https://172.18.0.2:6443/openid/v1/jwks",
        "--service-account-jwks-uri=https://kubernetes.default.svc.cluster.local/openid/v1/jwks",
        "--set fulcio.anonymous_oidc_discovery=true",
        "sigstore-up-sigstore-oidc-discovery",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert_eq!(writes(&fake), Vec::<String>::new());

    // An explicit port differs for Fulcio too (it compares host:port as written).
    fake.set_discovery(
        "https://kubernetes.default.svc.cluster.local",
        "https://kubernetes.default.svc.cluster.local:443/openid/v1/jwks",
    );
    let mut ctx = context(&fake);
    run_stage(&mut ctx, preflight::run).await.unwrap_err();

    // The opt-in does not need the keys on the issuer's host, and renders its binding.
    let mut values = Values::default();
    values.fulcio.anonymous_oidc_discovery = true;
    let mut ctx = context_with(&fake, values);
    run_stage(&mut ctx, preflight::run).await.unwrap();
    assert!(
        ctx.manifests
            .iter()
            .any(|m| m.kind() == "ClusterRoleBinding"
                && m.name() == "sigstore-up-sigstore-oidc-discovery")
    );
}

#[tokio::test]
async fn preflight_with_an_issuer_outside_the_cluster_needs_neither_token_nor_binding() {
    let fake = FakeApi::new();
    // EKS: the issuer is the provider's public host, and so are its keys
    fake.set_discovery(
        "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/keys",
    );
    let mut ctx = context(&fake);
    run_stage(&mut ctx, preflight::run).await.unwrap();
    assert_eq!(
        ctx.values.oidc_discovery(),
        crate::values::OidcDiscovery::Public
    );
    let rendered = serde_yaml_ng::to_string(
        &ctx.manifests
            .iter()
            .map(|m| m.object.clone())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!rendered.contains("serviceAccountToken"), "{rendered}");
    assert!(!rendered.contains("ClusterRoleBinding"), "{rendered}");
}

#[tokio::test]
async fn preflight_refuses_an_object_that_is_not_ours_and_writes_nothing() {
    let fake = FakeApi::new();
    fake.insert(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": ctlog::SECRETS.name, "namespace": "ctlog-system",
                     "labels": {"app.kubernetes.io/managed-by": "helm"}},
    }));
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, preflight::run).await.unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::Conflict(_))),
        "{error:#}"
    );
    let message = format!("{error:#}");
    assert!(
        message.contains("Secret ctlog-system/ctlog-secrets"),
        "{message}"
    );
    assert!(message.contains("managed-by=helm"), "{message}");
    assert_eq!(writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn preflight_names_each_missing_permission() {
    let fake = FakeApi::new();
    fake.deny("create", "secrets", "fulcio-system");
    fake.deny("create", "pods/portforward", "trillian-system");
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, preflight::run).await.unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::ClusterAccess(_))),
        "{error:#}"
    );
    let message = format!("{error:#}");
    assert!(
        message.contains("create secrets in namespace fulcio-system"),
        "{message}"
    );
    assert!(message.contains("pods/portforward"), "{message}");
    assert_eq!(writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn secrets_are_minted_once_and_found_on_a_rerun() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let first = run_stage(&mut ctx, secrets::run).await.unwrap();
    let Outcome::Secrets(made) = &first else {
        panic!("{first:?}")
    };
    assert!(made.iter().all(|s| s.made == Made::Created), "{first:?}");
    assert_eq!(made.len(), 4);
    let paths = [
        secret_path("trillian-system", mariadb::CREDENTIALS.name),
        secret_path("fulcio-system", fulcio::CA.name),
        secret_path("ctlog-system", ctlog::SECRETS.name),
        secret_path("ctlog-system", ctlog::PUBLIC_KEY.name),
        secret_path("rekor-system", rekor::SIGNING_KEY.name),
        secret_path("rekor-system", rekor::PUBLIC_KEY.name),
    ];
    let stored: Vec<_> = paths
        .iter()
        .map(|path| fake.get(path).unwrap_or_else(|| panic!("{path} missing")))
        .collect();
    // Labelled as the catalog says, so status, teardown and preflight know them.
    assert_eq!(
        stored[2]["metadata"]["labels"]["app.kubernetes.io/component"],
        ctlog::COMPONENT.role
    );

    let mut again = context(&fake);
    let second = run_stage(&mut again, secrets::run).await.unwrap();
    assert!(second.changed_nothing(), "{second:?}");
    for (before, path) in stored.iter().zip(&paths) {
        assert_eq!(before, &fake.get(path).unwrap(), "{path} changed");
    }
    // The passwords are handed on, and blanked from any log shown.
    let mysql = again.mysql.get().unwrap();
    assert!(again.redact.contains(&mysql.password));
    assert!(again.redact.contains(&mysql.root_password));
    assert!(again.ctlog_key.get().is_ok());
    // and Fulcio's key password
    assert_eq!(again.redact.len(), 3);
}

/// The modern profile mints its own keys (Rekor v2's Ed25519 key, TesseraCT's SEC1 key with
/// Fulcio's root, the TSA chain), no database password, and nothing on a re-run; preflight
/// refuses the other profile over it without writing.
#[tokio::test]
async fn modern_secrets_are_minted_once_and_the_other_profile_is_refused() {
    let fake = FakeApi::new();
    let modern = Values {
        profile: "modern".into(),
        ..Values::default()
    };
    let mut ctx = context_with(&fake, modern.clone());
    let first = run_stage(&mut ctx, secrets::run).await.unwrap();
    let Outcome::Secrets(made) = &first else {
        panic!("{first:?}")
    };
    let names: Vec<&str> = made.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            fulcio::CA.name,
            tesseract::SECRETS.name,
            rekor::SIGNING_KEY.name,
            tsa::SIGNER.name
        ]
    );
    assert!(
        fake.get(&secret_path("trillian-system", mariadb::CREDENTIALS.name))
            .is_none()
    );
    let rekor_public = fake
        .get(&secret_path("rekor-system", rekor::PUBLIC_KEY.name))
        .unwrap();
    let public_pem = crate::trust::PublicKey::parse(
        &base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            rekor_public["data"][rekor::PUBLIC.name].as_str().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        public_pem.key_details(),
        crate::trust::KeyDetails::PkixEd25519
    );
    let mut again = context_with(&fake, modern);
    let second = run_stage(&mut again, secrets::run).await.unwrap();
    assert!(second.changed_nothing(), "{second:?}");

    // Recorded as modern on its namespaces (as the "namespaces" stage applies them) ...
    let mut ns_ctx = context_with(
        &fake,
        Values {
            profile: "modern".into(),
            ..Values::default()
        },
    );
    run_stage(&mut ns_ctx, namespaces::run).await.unwrap();
    // ... a classic install stops in preflight, before writing anything.
    let before = writes(&fake).len();
    let mut classic = context(&fake);
    let error = run_stage(&mut classic, preflight::run).await.unwrap_err();
    assert_eq!(failure_of(&error).map(Failure::exit_code), Some(2));
    assert!(format!("{error:#}").contains("installed with profile modern"));
    assert_eq!(writes(&fake).len(), before);
}

#[tokio::test]
async fn a_new_fulcio_root_is_handed_to_the_ct_log() {
    let fake = FakeApi::new();
    run_stage(&mut context(&fake), secrets::run).await.unwrap();
    fake.remove(&secret_path("fulcio-system", fulcio::CA.name));
    let outcome = run_stage(&mut context(&fake), secrets::run).await.unwrap();
    let Outcome::Secrets(made) = &outcome else {
        panic!("{outcome:?}")
    };
    let by_name = |name: &str| made.iter().find(|s| s.name == name).unwrap().clone();
    assert_eq!(by_name(fulcio::CA.name).made, Made::Created);
    assert_eq!(by_name(ctlog::SECRETS.name).made, Made::Exists);
    assert_eq!(
        by_name(ctlog::SECRETS.name).updated,
        Some(ctlog::ROOTCA.name)
    );
    assert!(!outcome.changed_nothing());
}

#[tokio::test]
async fn a_broken_secret_of_ours_is_reported_and_left_alone() {
    let fake = FakeApi::new();
    run_stage(&mut context(&fake), secrets::run).await.unwrap();
    let path = secret_path("rekor-system", rekor::SIGNING_KEY.name);
    let mut broken = fake.get(&path).unwrap();
    broken["data"]["private"] = json!("bm90IGEga2V5"); // "not a key"
    fake.insert(broken.clone());
    let error = run_stage(&mut context(&fake), secrets::run)
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("rekor-signing-key exists but cannot be used"),
        "{message}"
    );
    assert!(message.contains("teardown"), "{message}");
    assert_eq!(fake.get(&path).unwrap()["data"], broken["data"]);
}

#[tokio::test]
async fn applying_a_tier_twice_creates_then_changes_nothing() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let first = run_stage(&mut ctx, apply::databases).await.unwrap();
    let count = ctx.objects(Tier::Databases).unwrap().len();
    assert_eq!(
        first,
        Outcome::Applied(ApplySummary {
            created: count,
            configured: 0,
            unchanged: 0
        })
    );
    let second = run_stage(&mut ctx, apply::databases).await.unwrap();
    assert!(second.changed_nothing(), "{second}");
    assert_eq!(second.to_string(), format!("unchanged ({count} objects)"));
}

#[tokio::test]
async fn the_logs_cannot_be_applied_before_their_trees_exist() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, apply::logs).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("stage \"trees\" has not run"),
        "{error:#}"
    );
    assert_eq!(writes(&fake), Vec::<String>::new());
}

#[tokio::test]
async fn teardown_finds_only_this_instances_objects_and_deletes_them() {
    use crate::cluster::inventory::{delete_and_wait, list_owned};
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    run_stage(&mut ctx, secrets::run).await.unwrap();
    // Another instance's Secret and someone else's, in the same namespace.
    let mut other = fake
        .get(&secret_path("rekor-system", rekor::PUBLIC_KEY.name))
        .unwrap();
    other["metadata"]["name"] = json!("other-instance");
    other["metadata"]["labels"]["app.kubernetes.io/instance"] = json!("other");
    fake.insert(other);
    fake.insert(json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "theirs", "namespace": "rekor-system"}}));

    let kinds = vec![("v1".to_string(), "Secret".to_string())];
    let owned = list_owned(&ctx.applier, &kinds, &ctx.ownership)
        .await
        .unwrap();
    assert_eq!(
        owned.len(),
        6,
        "{:?}",
        owned.iter().map(|o| o.describe()).collect::<Vec<_>>()
    );
    delete_and_wait(&ctx.cluster, &owned, ctx.deadline)
        .await
        .unwrap();
    let left = fake.paths();
    assert_eq!(
        left,
        [
            secret_path("rekor-system", "other-instance"),
            secret_path("rekor-system", "theirs"),
        ]
    );
}

#[tokio::test]
async fn a_failing_pod_is_explained_with_its_log_and_no_secret() {
    use crate::cluster::DeploymentRef;
    use crate::cluster::wait::diagnose_deployment;
    let fake = FakeApi::new();
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "rekor", "namespace": "rekor-system"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "rekor"}},
                 "template": {"spec": {"containers": []}}},
        "status": {"replicas": 1}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "rekor-abc", "namespace": "rekor-system",
                     "labels": {"app.kubernetes.io/name": "rekor"}},
        "spec": {"containers": [{"name": "rekor"}]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "rekor", "ready": false, "restartCount": 3, "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}}));
    fake.set_log(
        "rekor-system",
        "rekor-abc",
        "connecting with password hunter2\nfatal: tree 42 not found\n",
    );
    let target = DeploymentRef {
        namespace: "rekor-system".into(),
        name: "rekor".into(),
    };
    let text = diagnose_deployment(&fake.cluster(), &target, &["hunter2".to_string()]).await;
    assert!(text.contains("rekor-abc"), "{text}");
    assert!(text.contains("CrashLoopBackOff"), "{text}");
    assert!(text.contains("tree 42 not found"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn an_image_that_cannot_be_pulled_is_reported_at_once() {
    use crate::cluster::DeploymentRef;
    use crate::cluster::wait::deployments_ready;
    let fake = FakeApi::new();
    fake.insert(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "redis", "namespace": "rekor-system"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "redis"}},
                 "template": {"spec": {"containers": []}}},
        "status": {"replicas": 1}}));
    fake.insert(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "redis-abc", "namespace": "rekor-system",
                     "labels": {"app.kubernetes.io/name": "redis"}},
        "spec": {"containers": [{"name": "redis"}]},
        "status": {"phase": "Pending", "containerStatuses": [{
            "name": "redis", "ready": false, "restartCount": 0, "imageID": "",
            "image": "registry.invalid/library/redis:7.0",
            "state": {"waiting": {"reason": "ImagePullBackOff",
                                  "message": "Back-off pulling image \"registry.invalid/library/redis:7.0\""}}}]}}));
    let target = DeploymentRef {
        namespace: "rekor-system".into(),
        name: "redis".into(),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let error = deployments_ready(&fake.cluster(), &[target], deadline, &|_| {}, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::NotReady(_))),
        "{error:#}"
    );
    let message = format!("{error:#}");
    // Reported by the pull watch, not by the deadline's diagnosis.
    assert!(!message.contains("not ready in time"), "{message}");
    assert!(
        message.contains("registry.invalid/library/redis:7.0"),
        "{message}"
    );
    assert!(message.contains("ImagePullBackOff"), "{message}");
    assert!(
        message.contains("deployment rekor-system/redis"),
        "{message}"
    );
    assert!(message.contains("--image-registry"), "{message}");
}

/// A stage for the pipeline's tests: applies nothing, not on the fast path.
fn stage(
    name: &'static str,
    run: for<'a> fn(&'a mut Context, &'a StageLine) -> StageFuture<'a>,
) -> Stage {
    Stage {
        name,
        run,
        applies: None,
        on_fast_path: false,
    }
}

fn found<'a>(_: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async { Ok(Outcome::Schema(Made::Exists)) })
}

fn made<'a>(_: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async { Ok(Outcome::Schema(Made::Created)) })
}

/// The gate writes a probe entry unless every earlier stage changed nothing: the pipeline
/// records which changed something.
#[tokio::test]
async fn the_pipeline_records_which_stages_changed_something() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    crate::pipeline::run(&[stage("a", found), stage("b", found)], &mut ctx, None)
        .await
        .unwrap();
    assert!(ctx.changed.is_empty());
    let mut ctx = context(&fake);
    crate::pipeline::run(&[stage("a", made), stage("b", found)], &mut ctx, None)
        .await
        .unwrap();
    assert_eq!(ctx.changed, vec!["a"]);
}

fn nothing_changed<'a>(ctx: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async {
        ctx.unchanged = true;
        Ok(Outcome::Skipped("nothing changed".into()))
    })
}

/// Once a stage found nothing changed since the last install, only the stages on the fast
/// path run; before it, every stage runs.
#[tokio::test]
async fn the_fast_path_runs_only_its_stages() {
    let fake = FakeApi::new();
    let fast = |stage: Stage| Stage {
        on_fast_path: true,
        ..stage
    };
    let stages = [
        stage("before", found),
        fast(stage("compare", nothing_changed)),
        stage("apply", made),
        fast(stage("trust", found)),
    ];
    let mut ctx = context(&fake);
    let reports = crate::pipeline::run(&stages, &mut ctx, None).await.unwrap();
    let ran: Vec<&str> = reports.iter().map(|r| r.name).collect();
    assert_eq!(ran, ["before", "compare", "trust"]);
    assert!(ctx.changed.is_empty());
}

#[tokio::test]
async fn the_gate_before_trust_is_a_pipeline_bug_not_a_panic() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, signable::run).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("stage \"trust\" has not run yet"),
        "{error:#}"
    );
    assert_eq!(writes(&fake), Vec::<String>::new());
}

/// The gate's rights are checked before anything is written: a token in Fulcio's namespace and
/// tunnels to the servers it asks.
#[tokio::test]
async fn preflight_checks_the_rights_of_the_signing_gate() {
    let fake = FakeApi::new();
    fake.deny("create", "serviceaccounts/token", "fulcio-system");
    fake.deny("create", "pods/portforward", "rekor-system");
    let mut ctx = context(&fake);
    let error = run_stage(&mut ctx, preflight::run).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("serviceaccounts/token in namespace fulcio-system"),
        "{message}"
    );
    assert!(
        message.contains("pods/portforward in namespace rekor-system"),
        "{message}"
    );
    assert_eq!(writes(&fake), Vec::<String>::new());
}

/// Runs of the flaky stages below (each test has its own counter: tests run in parallel).
static LOSES_ONCE_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static FAILS_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn fine<'a>(_: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async { Ok(Outcome::Skipped("nothing to do".to_string())) })
}

/// What preflight returns: the server answered.
fn reaches_the_server<'a>(_: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async {
        Ok(Outcome::Checked {
            version: "v1.34.0".into(),
            server: "https://fake".into(),
            context: "fake".into(),
        })
    })
}

/// Loses the API server the first time (the error a client call gets from a restarting server).
fn loses_the_server_once<'a>(ctx: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        if LOSES_ONCE_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            let lost = kube::Error::Service("connection closed before message completed".into());
            return Err(ctx.cluster.access_error(&lost));
        }
        Ok(Outcome::Skipped("nothing to do".to_string()))
    })
}

/// Fails with an error that has nothing to do with the connection.
fn fails<'a>(_: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async {
        FAILS_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(Failure::NotReady("pod x is not ready".to_string()).into())
    })
}

#[tokio::test]
async fn a_stage_that_lost_the_api_server_runs_again_once_it_answers() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let stages = [
        stage("first", reaches_the_server),
        stage("flaky", loses_the_server_once),
    ];
    let reports = crate::pipeline::run(&stages, &mut ctx, None).await.unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(LOSES_ONCE_RUNS.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_stage_failing_otherwise_is_not_run_again() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let stages = [stage("first", fine), stage("broken", fails)];
    let error = crate::pipeline::run(&stages, &mut ctx, None)
        .await
        .unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::NotReady(_))),
        "{error:#}"
    );
    assert_eq!(FAILS_RUNS.load(std::sync::atomic::Ordering::SeqCst), 1);
}

static ALWAYS_LOSES_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn always_loses_the_server<'a>(ctx: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        ALWAYS_LOSES_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let lost = kube::Error::Service("connection reset by peer".into());
        Err(ctx.cluster.access_error(&lost))
    })
}

#[tokio::test]
async fn a_stage_that_keeps_losing_the_api_server_ends_install_saying_to_run_it_again() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let stages = [
        stage("first", reaches_the_server),
        stage("lossy", always_loses_the_server),
    ];
    let error = crate::pipeline::run(&stages, &mut ctx, None)
        .await
        .unwrap_err();
    let text = format!("{error:#}");
    assert!(
        matches!(failure_of(&error), Some(Failure::ClusterAccess(_))),
        "{text}"
    );
    assert!(
        text.contains("lost the connection") && text.contains("run install again"),
        "{text}"
    );
    assert_eq!(
        ALWAYS_LOSES_RUNS.load(std::sync::atomic::Ordering::SeqCst),
        3
    );
}

static NEVER_REACHED_RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn never_reaches_the_server<'a>(ctx: &'a mut Context, _: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        NEVER_REACHED_RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let refused = kube::Error::Service("tcp connect error: Connection refused".into());
        Err(ctx.cluster.access_error(&refused))
    })
}

/// Before any stage saw the server answer ("compare" ends well without it), failing to reach
/// it is a wrong address or a cluster that is down: reported at once, not waited for.
#[tokio::test]
async fn a_server_never_reached_is_reported_at_once() {
    let fake = FakeApi::new();
    let mut ctx = context(&fake);
    let stages = [
        stage("compare", fine),
        stage("preflight", never_reaches_the_server),
    ];
    let error = crate::pipeline::run(&stages, &mut ctx, None)
        .await
        .unwrap_err();
    assert!(
        matches!(failure_of(&error), Some(Failure::ClusterAccess(_))),
        "{error:#}"
    );
    assert_eq!(
        NEVER_REACHED_RUNS.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}
