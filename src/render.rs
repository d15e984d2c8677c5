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
//! - Every object gets the ownership labels (managed-by, part-of, instance) and its component's
//!   name and role labels (from the catalog) on its metadata and, for workloads, on its pod
//!   template; templates carry only selectors.
//! - Which templates exist, and in which order they are applied, is the catalog's: each
//!   component lists its templates (templates/<component>/), the profile lists components.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use serde::Deserialize;
use serde_yaml_ng::{Mapping, Value};

use crate::catalog::{ALL_COMPONENTS, NAMESPACE_TEMPLATE};
use crate::values::Values;

pub use crate::catalog::Tier;

/// One rendered Kubernetes object.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The template it came from.
    pub source: &'static str,
    pub tier: Tier,
    /// The catalog id of the component it belongs to (None for namespaces).
    pub component: Option<&'static str>,
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

/// Renders the namespaces and every template of the profile's components whose condition holds,
/// in tier order.
pub fn render(values: &Values) -> anyhow::Result<Vec<Manifest>> {
    let profile = values.profile();
    let mut placeholders = values.placeholders();
    let ownership = values.ownership_labels();
    let mut manifests = Vec::new();
    for key in profile.namespaces() {
        placeholders.insert("namespace.name".into(), key.of(values).into());
        placeholders.insert("namespace.key".into(), key.key().into());
        let template = &NAMESPACE_TEMPLATE;
        for object in render_template(template.path, template.text, &placeholders)? {
            manifests.push(Manifest {
                source: template.path,
                tier: Tier::Namespaces,
                component: None,
                object: stamp_labels(object, &ownership, template.path)?,
            });
        }
    }
    for tier in Tier::ALL {
        for component in profile.components().iter().filter(|c| c.tier == tier) {
            let mut labels = ownership.clone();
            labels.extend(
                component
                    .labels()
                    .map(|(key, value)| (key.to_string(), value.to_string())),
            );
            for template in component.templates {
                if template.only_if.is_some_and(|wanted| !wanted(values)) {
                    continue;
                }
                for object in render_template(template.path, template.text, &placeholders)? {
                    manifests.push(Manifest {
                        source: template.path,
                        tier,
                        component: Some(component.id),
                        object: stamp_labels(object, &labels, template.path)?,
                    });
                }
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
    let templates = ALL_COMPONENTS
        .iter()
        .flat_map(|c| c.templates.iter())
        .chain([&NAMESPACE_TEMPLATE]);
    for template in templates {
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
    if let Some(Value::Mapping(pod_template)) = object
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("template"))
    {
        let pod_metadata = pod_template
            .entry(Value::String("metadata".into()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        add(pod_metadata, labels)
            .ok_or_else(|| anyhow!("{path}: pod template metadata is not a mapping"))?;
    }
    Ok(object)
}
