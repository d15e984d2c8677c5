//! A mocked API server for unit tests of the pipeline's decisions (preflight conflicts, secret
//! convergence, apply summaries, teardown, failure diagnosis): an in-memory object store behind
//! a `tower::Service`, handed to `kube::Client::new` as kube-rs's own tests do with tower-test.
//!
//! It speaks just enough of the API for our calls: /version, discovery of the kinds we use, get /
//! list (with label selectors) / create / server-side apply / delete of objects, pod logs,
//! SelfSubjectAccessReview (allowed unless denied with [`FakeApi::deny`]) and the issuer
//! discovery document. It is NOT a proof that a real API server accepts what we send; the
//! real-cluster tests are (tests/cluster_*.rs).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};

use super::Cluster;

/// Kinds the fake serves: (group, version, kind, plural, namespaced).
const RESOURCES: &[(&str, &str, &str, &str, bool)] = &[
    ("", "v1", "Namespace", "namespaces", false),
    ("", "v1", "Secret", "secrets", true),
    ("", "v1", "ConfigMap", "configmaps", true),
    ("", "v1", "Service", "services", true),
    ("", "v1", "Pod", "pods", true),
    ("", "v1", "Event", "events", true),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
    ),
    ("apps", "v1", "Deployment", "deployments", true),
    ("apps", "v1", "ReplicaSet", "replicasets", true),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
];

#[derive(Default)]
struct State {
    /// Object path (e.g. `/api/v1/namespaces/x/secrets/y`) → object.
    objects: BTreeMap<String, Value>,
    /// Pod log path → log text.
    logs: BTreeMap<String, String>,
    /// `verb resource namespace` triples SelfSubjectAccessReview denies.
    denied: Vec<(String, String, String)>,
    /// Every request, as `METHOD path`.
    requests: Vec<String>,
    resource_version: u64,
    /// The OIDC discovery document, when not the default one (see [`FakeApi::set_discovery`]).
    discovery: Option<Value>,
}

/// The fake API server; clones share one store.
#[derive(Clone, Default)]
pub struct FakeApi {
    state: Arc<Mutex<State>>,
}

impl FakeApi {
    pub fn new() -> FakeApi {
        FakeApi::default()
    }

    /// A [`Cluster`] whose client talks to this fake.
    pub fn cluster(&self) -> Cluster {
        Cluster {
            client: kube::Client::new(self.clone(), "default"),
            context: "fake".into(),
            server: "https://fake.invalid".into(),
        }
    }

    /// Stores an object as if someone had created it (any kind the fake serves).
    pub fn insert(&self, object: Value) {
        let path = object_path(&object).expect("a kind the fake serves");
        let mut state = self.state.lock().unwrap();
        let object = stamp(&mut state, object, None);
        state.objects.insert(path, object);
    }

    pub fn get(&self, path: &str) -> Option<Value> {
        self.state.lock().unwrap().objects.get(path).cloned()
    }

    pub fn remove(&self, path: &str) {
        self.state.lock().unwrap().objects.remove(path);
    }

    pub fn set_log(&self, namespace: &str, pod: &str, text: &str) {
        self.state.lock().unwrap().logs.insert(
            format!("/api/v1/namespaces/{namespace}/pods/{pod}/log"),
            text.into(),
        );
    }

    /// Makes `/.well-known/openid-configuration` name this issuer and `jwks_uri`.
    pub fn set_discovery(&self, issuer: &str, jwks_uri: &str) {
        self.state.lock().unwrap().discovery =
            Some(json!({ "issuer": issuer, "jwks_uri": jwks_uri }));
    }

    /// Makes SelfSubjectAccessReview answer "not allowed" for this verb on this resource.
    pub fn deny(&self, verb: &str, resource: &str, namespace: &str) {
        self.state
            .lock()
            .unwrap()
            .denied
            .push((verb.into(), resource.into(), namespace.into()));
    }

    /// The requests served so far, as `METHOD path`.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Paths of the stored objects.
    pub fn paths(&self) -> Vec<String> {
        self.state.lock().unwrap().objects.keys().cloned().collect()
    }

    fn handle(&self, method: &Method, path: &str, query: &str, body: &[u8]) -> (StatusCode, Value) {
        let mut state = self.state.lock().unwrap();
        state.requests.push(format!("{method} {path}"));
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if path == "/version" {
            return ok(json!({"major": "1", "minor": "34", "gitVersion": "v1.34.12"}));
        }
        if path == "/.well-known/openid-configuration" {
            return ok(state.discovery.clone().unwrap_or_else(|| {
                // as the test cluster serves it (tests/cluster/up: --service-account-jwks-uri)
                json!({
                    "issuer": "https://kubernetes.default.svc.cluster.local",
                    "jwks_uri": "https://kubernetes.default.svc.cluster.local/openid/v1/jwks",
                })
            }));
        }
        if let Some(list) = discovery(path) {
            return ok(list);
        }
        if path.ends_with("/selfsubjectaccessreviews") {
            let attributes = &body["spec"]["resourceAttributes"];
            let field = |key: &str| attributes[key].as_str().unwrap_or_default().to_string();
            let resource = match field("subresource").as_str() {
                "" => field("resource"),
                sub => format!("{}/{sub}", field("resource")),
            };
            let wanted = (field("verb"), resource, field("namespace"));
            let allowed = !state.denied.contains(&wanted);
            let mut review = body.clone();
            review["status"] = json!({ "allowed": allowed });
            return (StatusCode::CREATED, review);
        }
        if let Some(log) = state.logs.get(path) {
            return (StatusCode::OK, Value::String(log.clone()));
        }
        let Some(target) = parse_path(path) else {
            return not_found(path);
        };
        match (method.clone(), target.name.as_deref()) {
            (Method::GET, Some(_)) => match state.objects.get(path) {
                Some(object) => ok(object.clone()),
                None => not_found(path),
            },
            (Method::GET, None) if query_param(query, "watch").is_some_and(|w| w != "false") => {
                // A watch that ends at once: the watcher lists again (objects change only
                // between calls here, never during one).
                (StatusCode::OK, Value::String(String::new()))
            }
            (Method::GET, None) => {
                let selector = query_param(query, "labelSelector");
                let name = query_param(query, "fieldSelector")
                    .and_then(|f| f.strip_prefix("metadata.name=").map(str::to_string));
                let items: Vec<Value> = state
                    .objects
                    .iter()
                    .filter(|(p, o)| {
                        in_collection(p, path)
                            && selector.as_deref().is_none_or(|s| matches(o, s))
                            && name
                                .as_deref()
                                .is_none_or(|n| o["metadata"]["name"].as_str() == Some(n))
                    })
                    .map(|(_, o)| o.clone())
                    .collect();
                let rv = state.resource_version.to_string();
                ok(
                    json!({"kind": format!("{}List", target.kind), "apiVersion": target.api_version,
                          "metadata": {"resourceVersion": rv}, "items": items}),
                )
            }
            (Method::POST, None) => {
                let name = body["metadata"]["name"].as_str().unwrap_or_default();
                let object_path = format!("{path}/{name}");
                if state.objects.contains_key(&object_path) {
                    return status(StatusCode::CONFLICT, "AlreadyExists", &object_path);
                }
                let object = stamp(&mut state, body, None);
                state.objects.insert(object_path, object.clone());
                (StatusCode::CREATED, object)
            }
            (Method::PATCH, Some(_)) => {
                let previous = state.objects.get(path).cloned();
                let mut merged = previous.clone().unwrap_or(json!({}));
                if query.contains("fieldManager") && !query.contains("force") {
                    // Only apply patches are sent by us, always with force.
                    return status(StatusCode::BAD_REQUEST, "BadRequest", "apply without force");
                }
                merge(&mut merged, &body);
                let object = stamp(&mut state, merged, previous.as_ref());
                state.objects.insert(path.to_string(), object.clone());
                ok(object)
            }
            (Method::DELETE, Some(_)) => match state.objects.remove(path) {
                Some(object) => {
                    // Namespaced objects go with their namespace.
                    if target.kind == "Namespace" {
                        let prefix = format!(
                            "/namespaces/{}/",
                            target.name.as_deref().unwrap_or_default()
                        );
                        state.objects.retain(|p, _| !p.contains(&prefix));
                    }
                    ok(object)
                }
                None => not_found(path),
            },
            _ => status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", path),
        }
    }
}

impl tower_service::Service<Request<Body>> for FakeApi {
    type Response = Response<Body>;
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let fake = self.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await.unwrap_or_default();
            let (code, value) = fake.handle(
                &parts.method,
                parts.uri.path(),
                parts.uri.query().unwrap_or_default(),
                &bytes,
            );
            let bytes = match value {
                Value::String(text) => text.into_bytes(),
                other => serde_json::to_vec(&other).unwrap(),
            };
            Ok(Response::builder()
                .status(code)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap())
        })
    }
}

struct Target {
    api_version: String,
    kind: &'static str,
    name: Option<String>,
}

/// Parses `/api/v1[/namespaces/NS]/PLURAL[/NAME]` and `/apis/G/V/...`.
fn parse_path(path: &str) -> Option<Target> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let rest = match rest {
        ["namespaces", _, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    let (plural, name) = match rest {
        [plural] => (*plural, None),
        [plural, name] => (*plural, Some(name.to_string())),
        _ => return None,
    };
    let (_, _, kind, _, _) = RESOURCES
        .iter()
        .find(|(g, v, _, p, _)| *g == group && *v == version && *p == plural)?;
    Some(Target {
        api_version: if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        },
        kind,
        name,
    })
}

/// Whether the object at `object_path` is in the collection at `collection` (a namespaced
/// collection, or all namespaces: `/api/v1/secrets` holds `/api/v1/namespaces/x/secrets/y`).
fn in_collection(object_path: &str, collection: &str) -> bool {
    let Some((parent, _name)) = object_path.rsplit_once('/') else {
        return false;
    };
    if parent == collection {
        return true;
    }
    let (root, plural) = collection.rsplit_once('/').unwrap_or_default();
    parent
        .strip_prefix(&format!("{root}/namespaces/"))
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_namespace, rest)| rest == plural)
}

/// Where an object lives in the API.
fn object_path(object: &Value) -> Option<String> {
    let api_version = object["apiVersion"].as_str()?;
    let kind = object["kind"].as_str()?;
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let (_, _, _, plural, namespaced) = RESOURCES
        .iter()
        .find(|(g, v, k, _, _)| *g == group && *v == version && *k == kind)?;
    let root = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let name = object["metadata"]["name"].as_str()?;
    Some(if *namespaced {
        let namespace = object["metadata"]["namespace"].as_str()?;
        format!("{root}/namespaces/{namespace}/{plural}/{name}")
    } else {
        format!("{root}/{plural}/{name}")
    })
}

fn discovery(path: &str) -> Option<Value> {
    let group_version = path.strip_prefix("/api/").map(|v| ("", v)).or_else(|| {
        let rest = path.strip_prefix("/apis/")?;
        let (group, version) = rest.split_once('/')?;
        Some((group, version))
    })?;
    if group_version.1.contains('/') {
        return None;
    }
    let resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|(g, v, ..)| (*g, *v) == group_version)
        .map(|(_, _, kind, plural, namespaced)| {
            json!({"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind,
                   "verbs": ["get", "list", "watch", "create", "patch", "delete"]})
        })
        .collect();
    if resources.is_empty() {
        return None;
    }
    let gv = match group_version {
        ("", version) => version.to_string(),
        (group, version) => format!("{group}/{version}"),
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": resources}),
    )
}

/// Sets uid, creationTimestamp and a new resourceVersion, unless nothing but those changed.
fn stamp(state: &mut State, mut object: Value, previous: Option<&Value>) -> Value {
    let strip = |o: &Value| {
        let mut o = o.clone();
        if let Some(meta) = o["metadata"].as_object_mut() {
            meta.remove("resourceVersion");
            meta.remove("uid");
            meta.remove("creationTimestamp");
            meta.remove("managedFields");
        }
        o
    };
    if let Some(previous) = previous {
        if strip(previous) == strip(&object) {
            return previous.clone();
        }
        for key in ["uid", "creationTimestamp"] {
            object["metadata"][key] = previous["metadata"][key].clone();
        }
    } else {
        object["metadata"]["uid"] = json!(format!("uid-{}", state.resource_version));
        object["metadata"]["creationTimestamp"] = json!("2026-11-30T00:00:00Z");
    }
    state.resource_version += 1;
    object["metadata"]["resourceVersion"] = json!(state.resource_version.to_string());
    object
}

/// JSON merge (RFC 7386), which is what an apply of a whole object amounts to for our tests.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// `a=b,c=d` selectors (all we send).
fn matches(object: &Value, selector: &str) -> bool {
    selector.split(',').filter(|s| !s.is_empty()).all(|term| {
        let (key, value) = term.split_once('=').unwrap_or((term, ""));
        object["metadata"]["labels"][key].as_str() == Some(value)
    })
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| {
            url::form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
    })
}

fn ok(value: Value) -> (StatusCode, Value) {
    (StatusCode::OK, value)
}

fn not_found(what: &str) -> (StatusCode, Value) {
    status(StatusCode::NOT_FOUND, "NotFound", what)
}

fn status(code: StatusCode, reason: &str, message: &str) -> (StatusCode, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
               "reason": reason, "code": code.as_u16()}),
    )
}
