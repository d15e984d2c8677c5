//! The template engine: manifests under templates/ (embedded in the binary) filled from
//! [`Values::placeholders`].
//!
//! Rules, all of them here and none in the templates:
//! - A template is YAML (one or more documents) and is parsed BEFORE substitution, so a value can
//!   never inject YAML structure.
//! - A string scalar that is exactly `"{{ key }}"` becomes the value itself with its type
//!   (a number stays a number, a derived mapping becomes a mapping). If that value is null the
//!   mapping entry (or list item) is left out.
//! - `{{ key }}` inside a longer string is replaced by the value's text (scalars only).
//! - An unknown key, or an unclosed `{{`, is an error naming the template and the key.
//! - Every object gets the ownership labels (managed-by, part-of, instance) on its metadata and,
//!   for workloads, on its pod template; templates carry the name and component labels.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value};

use crate::values::Values;

/// Groups of objects applied (and waited for) together, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The namespaces everything else lives in.
    Namespaces,
    /// MariaDB and Redis. Trillian exits at start when MariaDB does not answer, so the
    /// databases are applied and waited for first.
    Databases,
    /// The Trillian log server and signer.
    Trillian,
    /// Fulcio (and what only it needs). It needs no tree, so it starts beside the data tier.
    Fulcio,
    /// Rekor and the CT log: they start once their Trillian trees exist.
    Logs,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Namespaces,
        Tier::Databases,
        Tier::Trillian,
        Tier::Fulcio,
        Tier::Logs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Namespaces => "namespaces",
            Tier::Databases => "databases",
            Tier::Trillian => "trillian",
            Tier::Fulcio => "fulcio",
            Tier::Logs => "rekor, ctlog",
        }
    }
}

/// One template file.
pub struct Template {
    /// Path relative to the repository root, e.g. `templates/trillian/mysql-deployment.yaml`.
    pub path: &'static str,
    pub tier: Tier,
    pub text: &'static str,
    /// When present, the template is rendered only if this returns true.
    pub only_if: Option<fn(&Values) -> bool>,
}

macro_rules! template {
    ($tier:expr, $path:literal) => {
        template!($tier, $path, None)
    };
    ($tier:expr, $path:literal, $only_if:expr) => {
        Template {
            path: concat!("templates/", $path),
            tier: $tier,
            text: include_str!(concat!("../templates/", $path)),
            only_if: $only_if,
        }
    };
}

/// Every template, in apply order within its tier.
pub static TEMPLATES: &[Template] = &[
    template!(Tier::Namespaces, "trillian/namespace.yaml"),
    template!(Tier::Namespaces, "rekor/namespace.yaml"),
    template!(Tier::Namespaces, "ctlog/namespace.yaml"),
    template!(Tier::Namespaces, "fulcio/namespace.yaml"),
    template!(
        Tier::Databases,
        "trillian/mysql-pvc.yaml",
        Some(|v: &Values| v.mysql.persistence)
    ),
    template!(Tier::Databases, "trillian/mysql-service.yaml"),
    template!(Tier::Databases, "trillian/mysql-deployment.yaml"),
    template!(Tier::Databases, "rekor/redis-service.yaml"),
    template!(Tier::Databases, "rekor/redis-deployment.yaml"),
    template!(Tier::Trillian, "trillian/logserver-service.yaml"),
    template!(Tier::Trillian, "trillian/logserver-deployment.yaml"),
    template!(Tier::Trillian, "trillian/logsigner-service.yaml"),
    template!(Tier::Trillian, "trillian/logsigner-deployment.yaml"),
    template!(Tier::Logs, "rekor/rekor-service.yaml"),
    template!(Tier::Logs, "rekor/rekor-deployment.yaml"),
    template!(Tier::Logs, "ctlog/ctlog-service.yaml"),
    template!(Tier::Logs, "ctlog/ctlog-deployment.yaml"),
    template!(Tier::Fulcio, "fulcio/fulcio-config.yaml"),
    template!(
        Tier::Fulcio,
        "fulcio/oidc-discovery-clusterrolebinding.yaml",
        Some(|v: &Values| v.fulcio.anonymous_oidc_discovery)
    ),
    template!(Tier::Fulcio, "fulcio/fulcio-service.yaml"),
    template!(Tier::Fulcio, "fulcio/fulcio-deployment.yaml"),
];

/// One rendered Kubernetes object.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template it came from.
    pub source: &'static str,
    pub tier: Tier,
    /// The object, keys in template order.
    pub object: Value,
}

impl Manifest {
    fn field(&self, path: &[&str]) -> Option<&str> {
        path.iter()
            .try_fold(&self.object, |node, key| node.get(*key))?
            .as_str()
    }
    pub fn api_version(&self) -> &str {
        self.field(&["apiVersion"]).unwrap_or_default()
    }
    pub fn kind(&self) -> &str {
        self.field(&["kind"]).unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.field(&["metadata", "name"]).unwrap_or_default()
    }
    /// None for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        self.field(&["metadata", "namespace"])
    }
    /// `Kind namespace/name`, for messages.
    pub fn describe(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{} {ns}/{}", self.kind(), self.name()),
            None => format!("{} {}", self.kind(), self.name()),
        }
    }
    /// The object as kube-rs's dynamic type, for applying.
    pub fn to_dynamic(&self) -> anyhow::Result<kube::api::DynamicObject> {
        let json = serde_json::to_value(&self.object)?;
        serde_json::from_value(json)
            .with_context(|| format!("{}: not a Kubernetes object", self.source))
    }
}

/// Renders every template whose condition holds, in tier order.
pub fn render(values: &Values) -> anyhow::Result<Vec<Manifest>> {
    let placeholders = values.placeholders();
    let labels = values.ownership_labels();
    let mut manifests = Vec::new();
    for tier in Tier::ALL {
        for template in TEMPLATES.iter().filter(|t| t.tier == tier) {
            if template.only_if.is_some_and(|wanted| !wanted(values)) {
                continue;
            }
            for object in render_template(template.path, template.text, &placeholders)? {
                manifests.push(Manifest {
                    source: template.path,
                    tier,
                    object: stamp_labels(object, &labels, template.path)?,
                });
            }
        }
    }
    Ok(manifests)
}

/// The manifests as one multi-document YAML stream, each headed by its source template.
pub fn to_yaml(manifests: &[Manifest]) -> anyhow::Result<String> {
    let mut out = String::new();
    for manifest in manifests {
        out.push_str("---\n# Source: ");
        out.push_str(manifest.source);
        out.push('\n');
        out.push_str(&serde_yaml_ng::to_string(&manifest.object)?);
    }
    Ok(out)
}

/// `(apiVersion, kind)` of every template, whatever the values: what `teardown` may find.
pub fn all_kinds() -> anyhow::Result<Vec<(String, String)>> {
    let mut kinds = Vec::new();
    for template in TEMPLATES {
        for document in parse_documents(template.path, template.text)? {
            let field = |key: &str| {
                document
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| anyhow!("{}: no {key}", template.path))
            };
            let kind = (field("apiVersion")?, field("kind")?);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    Ok(kinds)
}

fn parse_documents(path: &str, text: &str) -> anyhow::Result<Vec<Value>> {
    let mut documents = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let value =
            Value::deserialize(document).with_context(|| format!("{path}: not valid YAML"))?;
        if !value.is_null() {
            documents.push(value);
        }
    }
    Ok(documents)
}

/// Parses one template and fills its placeholders.
pub fn render_template(
    path: &str,
    text: &str,
    placeholders: &BTreeMap<String, Value>,
) -> anyhow::Result<Vec<Value>> {
    parse_documents(path, text)?
        .into_iter()
        .map(|document| {
            substitute(document, placeholders)
                .with_context(|| format!("rendering {path}"))
                .map(|value| value.unwrap_or(Value::Null))
        })
        .collect()
}

/// Returns None when the node rendered to null and should be left out.
fn substitute(
    node: Value,
    placeholders: &BTreeMap<String, Value>,
) -> anyhow::Result<Option<Value>> {
    Ok(match node {
        Value::String(text) => {
            if let Some(key) = whole_placeholder(&text) {
                let value = lookup(placeholders, key)?.clone();
                (!value.is_null()).then_some(value)
            } else {
                Some(Value::String(interpolate(&text, placeholders)?))
            }
        }
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (key, value) in map {
                let key = match key {
                    Value::String(text) => Value::String(interpolate(&text, placeholders)?),
                    other => other,
                };
                if let Some(value) = substitute(value, placeholders)? {
                    out.insert(key, value);
                }
            }
            Some(Value::Mapping(out))
        }
        Value::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.extend(substitute(item, placeholders)?);
            }
            Some(Value::Sequence(out))
        }
        other => Some(other),
    })
}

/// `Some(key)` when `text` is exactly one placeholder.
fn whole_placeholder(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then(|| inner.trim())
}

fn lookup<'a>(placeholders: &'a BTreeMap<String, Value>, key: &str) -> anyhow::Result<&'a Value> {
    placeholders
        .get(key)
        .ok_or_else(|| anyhow!("unknown placeholder {{{{ {key} }}}}"))
}

fn interpolate(text: &str, placeholders: &BTreeMap<String, Value>) -> anyhow::Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unclosed placeholder in {text:?}");
        };
        let key = after[..end].trim();
        match lookup(placeholders, key)? {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::Bool(b) => out.push_str(&b.to_string()),
            _ => bail!("placeholder {{{{ {key} }}}} is not a scalar and must stand alone"),
        }
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        bail!("stray '}}}}' in {text:?}");
    }
    out.push_str(rest);
    Ok(out)
}

/// Adds the ownership labels to the object's metadata and to its pod template, if any.
fn stamp_labels(
    mut object: Value,
    labels: &BTreeMap<String, String>,
    path: &str,
) -> anyhow::Result<Value> {
    fn add(metadata: &mut Value, labels: &BTreeMap<String, String>) -> Option<()> {
        let metadata = metadata.as_mapping_mut()?;
        let label_map = metadata
            .entry(Value::String("labels".into()))
            .or_insert_with(|| Value::Mapping(Mapping::new()))
            .as_mapping_mut()?;
        for (key, value) in labels {
            label_map.insert(Value::String(key.clone()), Value::String(value.clone()));
        }
        Some(())
    }
    add(
        object
            .get_mut("metadata")
            .ok_or_else(|| anyhow!("{path}: object without metadata"))?,
        labels,
    )
    .ok_or_else(|| anyhow!("{path}: metadata is not a mapping"))?;
    if let Some(pod_metadata) = object
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("template"))
        .and_then(|template| template.get_mut("metadata"))
    {
        add(pod_metadata, labels)
            .ok_or_else(|| anyhow!("{path}: pod template metadata is not a mapping"))?;
    }
    Ok(object)
}
