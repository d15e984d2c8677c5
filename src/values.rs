//! The one typed set of values every template is filled from, and how users change it:
//! `-f values.yaml` files (merged in order), then `--set key=value`, then `--image-registry`.
//!
//! Keys are the dotted paths of the YAML form of [`Values`] (`images.rekor`, `mysql.database`,
//! `replicas.fulcio`, ...). An unknown key or a value of the wrong type is a [`Failure::BadInput`]
//! naming the key and listing the valid ones. [`Values::placeholders`] flattens the values into the
//! map the template engine (`render`) looks placeholders up in.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};

use crate::duration::DurationError;
use crate::error::{Failure, bad_input};

/// The value of `app.kubernetes.io/managed-by` (and `part-of`) on everything we create, and the
/// server-side apply field manager.
pub const MANAGER: &str = "sigstore-up";
/// Label keys stamped on every object (see `render`).
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const LABEL_PART_OF: &str = "app.kubernetes.io/part-of";
pub const LABEL_INSTANCE: &str = "app.kubernetes.io/instance";
pub const LABEL_NAME: &str = "app.kubernetes.io/name";
pub const LABEL_COMPONENT: &str = "app.kubernetes.io/component";

/// Where the CT log pod finds its files: Secret `ctlog-secrets` is mounted under
/// [`CTLOG_KEYS_DIR`] with keys `private`, `public`, `rootca` (Fulcio's root) and `config`. The
/// config (text proto) lives in the Secret, not in ConfigMap `ctlog-config` (which holds only
/// `treeID`), because it carries the private key itself (`keyspb.PrivateKey { der }`).
pub const CTLOG_CONFIG_FILE: &str = "/ctfe-keys/config";
pub const CTLOG_KEYS_DIR: &str = "/ctfe-keys";

/// The issuer URL `render` uses when `fulcio.issuer_url` is empty and there is no cluster to
/// ask (install discovers the real one).
pub const FALLBACK_ISSUER_URL: &str = "https://kubernetes.default.svc.cluster.local";

/// Default image references. They must equal the IMAGE_* entries of tests/cluster/versions.env
/// (tests/render_versions.rs checks it).
pub mod default_images {
    pub const MARIADB: &str = "docker.io/library/mariadb:10.11";
    pub const REDIS: &str = "docker.io/library/redis:7.0";
    pub const TRILLIAN_LOG_SERVER: &str = "gcr.io/trillian-opensource-ci/log_server:v1.7.3";
    pub const TRILLIAN_LOG_SIGNER: &str = "gcr.io/trillian-opensource-ci/log_signer:v1.7.3";
    pub const CTLOG: &str = "gcr.io/trillian-opensource-ci/ctfe:v1.3.3";
    pub const REKOR: &str = "ghcr.io/sigstore/rekor/rekor-server:v1.5.4";
    pub const FULCIO: &str = "ghcr.io/sigstore/fulcio:v1.8.8";
}

/// Everything a user may change. Field names are the keys of `-f`/`--set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    /// Name of this installation: the `app.kubernetes.io/instance` label on every object.
    /// `status` and `teardown` only look at objects carrying it.
    pub instance: String,
    pub namespaces: Namespaces,
    pub images: Images,
    pub replicas: Replicas,
    pub resources: Resources,
    pub mysql: Mysql,
    pub trillian: Trillian,
    pub rekor: Rekor,
    pub ctlog: Ctlog,
    pub fulcio: Fulcio,
    pub lifetimes: Lifetimes,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespaces {
    pub trillian: String,
    pub rekor: String,
    pub ctlog: String,
    pub fulcio: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Images {
    pub mariadb: String,
    pub redis: String,
    pub trillian_log_server: String,
    pub trillian_log_signer: String,
    pub ctlog: String,
    pub rekor: String,
    pub fulcio: String,
}

/// Replica counts of the stateless servers. MariaDB, Redis and the Trillian signer (which runs
/// with `--force_master`) always run exactly one replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replicas {
    pub trillian_log_server: u32,
    pub rekor: u32,
    pub ctlog: u32,
    pub fulcio: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub mysql: ContainerResources,
    pub redis: ContainerResources,
    pub trillian_log_server: ContainerResources,
    pub trillian_log_signer: ContainerResources,
    pub rekor: ContainerResources,
    pub ctlog: ContainerResources,
    pub fulcio: ContainerResources,
}

/// Requests (what the scheduler reserves) and a memory limit, as Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerResources {
    pub cpu: String,
    pub memory: String,
    pub memory_limit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mysql {
    /// Database and user Trillian uses (the passwords are minted into Secret `trillian-mysql`).
    pub database: String,
    pub user: String,
    /// false: data on an emptyDir (lost when the pod goes); true: on PVC `mysql-data`.
    pub persistence: bool,
    pub storage_size: String,
    /// Storage class of the PVC; empty means the cluster's default class.
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trillian {
    /// How often the signer integrates queued entries (a Go duration).
    pub sequencer_interval: String,
    pub batch_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rekor {
    /// Origin string of Rekor's signed checkpoints; empty means `rekor.<namespace>.svc`.
    pub hostname: String,
    /// Display name of Rekor's Trillian tree (how install finds it again).
    pub tree_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ctlog {
    /// URL path prefix of the CT log (`/<prefix>/ct/v1/...`).
    pub prefix: String,
    pub tree_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fulcio {
    /// OIDC issuer of the cluster's service-account tokens; empty means "discover it from the
    /// API server's /.well-known/openid-configuration at install time".
    pub issuer_url: String,
    /// Audience Fulcio expects in identity tokens.
    pub client_id: String,
    /// Bind `system:service-account-issuer-discovery` to `system:unauthenticated` so Fulcio can
    /// fetch the issuer's discovery document and keys without a token (as sigstore/scaffolding).
    pub anonymous_oidc_discovery: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    /// Validity of the Fulcio root CA certificate, in days.
    pub fulcio_ca_days: u32,
    /// Lifetime of identity tokens minted for signing, in seconds.
    pub identity_token_seconds: u32,
}

impl Default for Values {
    fn default() -> Self {
        let resources = |cpu: &str, memory: &str, memory_limit: &str| ContainerResources {
            cpu: cpu.into(),
            memory: memory.into(),
            memory_limit: memory_limit.into(),
        };
        Values {
            instance: "sigstore".into(),
            namespaces: Namespaces {
                trillian: "trillian-system".into(),
                rekor: "rekor-system".into(),
                ctlog: "ctlog-system".into(),
                fulcio: "fulcio-system".into(),
            },
            images: Images {
                mariadb: default_images::MARIADB.into(),
                redis: default_images::REDIS.into(),
                trillian_log_server: default_images::TRILLIAN_LOG_SERVER.into(),
                trillian_log_signer: default_images::TRILLIAN_LOG_SIGNER.into(),
                ctlog: default_images::CTLOG.into(),
                rekor: default_images::REKOR.into(),
                fulcio: default_images::FULCIO.into(),
            },
            replicas: Replicas {
                trillian_log_server: 1,
                rekor: 1,
                ctlog: 1,
                fulcio: 1,
            },
            resources: Resources {
                mysql: resources("100m", "256Mi", "1Gi"),
                redis: resources("50m", "32Mi", "256Mi"),
                trillian_log_server: resources("50m", "64Mi", "512Mi"),
                trillian_log_signer: resources("50m", "64Mi", "512Mi"),
                rekor: resources("50m", "64Mi", "512Mi"),
                ctlog: resources("50m", "64Mi", "512Mi"),
                fulcio: resources("50m", "64Mi", "512Mi"),
            },
            mysql: Mysql {
                database: "trillian".into(),
                user: "trillian".into(),
                persistence: false,
                storage_size: "1Gi".into(),
                storage_class: String::new(),
            },
            trillian: Trillian {
                sequencer_interval: "100ms".into(),
                batch_size: 1000,
            },
            rekor: Rekor {
                hostname: String::new(),
                tree_name: "rekor".into(),
            },
            ctlog: Ctlog {
                prefix: "sigstorescaffolding".into(),
                tree_name: "ctlog".into(),
            },
            fulcio: Fulcio {
                issuer_url: String::new(),
                client_id: "sigstore".into(),
                anonymous_oidc_discovery: true,
            },
            lifetimes: Lifetimes {
                fulcio_ca_days: 3650,
                identity_token_seconds: 600,
            },
        }
    }
}

/// How the user asked to change the defaults, in the order they apply.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// YAML files, merged in order (later files win).
    pub files: Vec<std::path::PathBuf>,
    /// `key=value` assignments, applied after the files, in order.
    pub sets: Vec<String>,
    /// Registry (host, optionally with a path) that replaces the registry of every image.
    pub image_registry: Option<String>,
}

impl Values {
    /// Defaults, then `overrides`, validated.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Values> {
        let defaults = to_yaml_value(&Values::default());
        let mut tree = defaults.clone();
        for file in &overrides.files {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Failure::BadInput(format!("cannot read values file {}: {e}", file.display()))
            })?;
            merge_file(&mut tree, &defaults, &text, file)?;
        }
        for assignment in &overrides.sets {
            apply_set(&mut tree, &defaults, assignment)?;
        }
        let mut values: Values = serde_yaml_ng::from_value(tree)
            .context("values do not fit the values structure (a bug: keys were checked)")?;
        if let Some(registry) = &overrides.image_registry {
            values.images.rewrite_registry(registry)?;
        }
        values.validate()?;
        Ok(values)
    }

    /// Every settable key with its current value, in declaration order.
    pub fn keys(&self) -> Vec<(String, Value)> {
        let mut leaves = Vec::new();
        flatten("", &to_yaml_value(self), &mut leaves);
        leaves
    }

    /// The labels that mark an object as ours (managed-by, part-of, instance).
    pub fn ownership_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL_MANAGED_BY.to_string(), MANAGER.to_string()),
            (LABEL_PART_OF.to_string(), MANAGER.to_string()),
            (LABEL_INSTANCE.to_string(), self.instance.clone()),
        ])
    }

    /// The issuer Fulcio trusts: the configured one, else [`FALLBACK_ISSUER_URL`].
    pub fn issuer_url_or_fallback(&self) -> &str {
        if self.fulcio.issuer_url.is_empty() {
            FALLBACK_ISSUER_URL
        } else {
            &self.fulcio.issuer_url
        }
    }

    /// The map templates are filled from: every key of [`Values::keys`], plus
    /// - `derived.*`: values computed from others (so templates stay free of logic),
    /// - `paths.*`: fixed file locations inside pods that code elsewhere relies on.
    pub fn placeholders(&self) -> BTreeMap<String, Value> {
        let mut map: BTreeMap<String, Value> = self.keys().into_iter().collect();
        let mut derived = |key: &str, value: Value| map.insert(format!("derived.{key}"), value);

        let data_volume = if self.mysql.persistence {
            serde_yaml_ng::from_str("{name: data, persistentVolumeClaim: {claimName: mysql-data}}")
        } else {
            serde_yaml_ng::from_str("{name: data, emptyDir: {}}")
        };
        derived(
            "mysql_data_volume",
            data_volume.expect("literal YAML parses"),
        );
        derived(
            "mysql_storage_class",
            if self.mysql.storage_class.is_empty() {
                Value::Null
            } else {
                Value::String(self.mysql.storage_class.clone())
            },
        );
        let rekor_hostname = if self.rekor.hostname.is_empty() {
            format!("rekor.{}.svc", self.namespaces.rekor)
        } else {
            self.rekor.hostname.clone()
        };
        derived("rekor_hostname", Value::String(rekor_hostname));
        derived(
            "fulcio_issuer_url",
            Value::String(self.issuer_url_or_fallback().to_string()),
        );

        for (key, path) in [
            ("ctlog_config_file", CTLOG_CONFIG_FILE),
            ("ctlog_keys_dir", CTLOG_KEYS_DIR),
        ] {
            map.insert(format!("paths.{key}"), Value::String(path.into()));
        }
        map
    }

    /// Checks what types cannot: names Kubernetes accepts, quantities, URLs.
    pub fn validate(&self) -> anyhow::Result<()> {
        check_label_value("instance", &self.instance)?;
        let ns = &self.namespaces;
        for (key, name) in [
            ("namespaces.trillian", &ns.trillian),
            ("namespaces.rekor", &ns.rekor),
            ("namespaces.ctlog", &ns.ctlog),
            ("namespaces.fulcio", &ns.fulcio),
        ] {
            check_dns_label(key, name)?;
        }
        for (key, value) in self.keys() {
            let Value::String(text) = value else { continue };
            if key.starts_with("images.") {
                check_image(&key, &text)?;
            } else if key.starts_with("resources.") || key == "mysql.storage_size" {
                check_quantity(&key, &text)?;
            }
        }
        for (key, count) in [
            (
                "replicas.trillian_log_server",
                self.replicas.trillian_log_server,
            ),
            ("replicas.rekor", self.replicas.rekor),
            ("replicas.ctlog", self.replicas.ctlog),
            ("replicas.fulcio", self.replicas.fulcio),
        ] {
            if !(1..=20).contains(&count) {
                return bad_input(format!("{key}={count}: replicas must be 1 to 20"));
            }
        }
        check_identifier("mysql.database", &self.mysql.database)?;
        check_identifier("mysql.user", &self.mysql.user)?;
        if !self.mysql.storage_class.is_empty() {
            check_dns_subdomain("mysql.storage_class", &self.mysql.storage_class)?;
        }
        check_go_duration(
            "trillian.sequencer_interval",
            &self.trillian.sequencer_interval,
        )?;
        if self.trillian.batch_size == 0 {
            return bad_input("trillian.batch_size=0: the batch size must be at least 1");
        }
        if !self.rekor.hostname.is_empty() {
            check_dns_subdomain("rekor.hostname", &self.rekor.hostname)?;
        }
        check_label_value("rekor.tree_name", &self.rekor.tree_name)?;
        check_label_value("ctlog.tree_name", &self.ctlog.tree_name)?;
        if self.ctlog.prefix.is_empty()
            || !self
                .ctlog
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return bad_input(format!(
                "ctlog.prefix={:?}: the CT log prefix must be non-empty and use only letters, digits, '-' and '_'",
                self.ctlog.prefix
            ));
        }
        if !self.fulcio.issuer_url.is_empty() {
            check_url("fulcio.issuer_url", &self.fulcio.issuer_url)?;
        }
        check_label_value("fulcio.client_id", &self.fulcio.client_id)?;
        if self.lifetimes.fulcio_ca_days == 0 || self.lifetimes.identity_token_seconds < 600 {
            return bad_input(
                "lifetimes: fulcio_ca_days must be at least 1 and identity_token_seconds at least 600 (the Kubernetes minimum)",
            );
        }
        Ok(())
    }
}

impl Images {
    /// Replaces the registry part of every image reference with `registry`
    /// (`docker.io/library/redis:7.0` → `<registry>/library/redis:7.0`).
    pub fn rewrite_registry(&mut self, registry: &str) -> anyhow::Result<()> {
        let registry = registry.trim_end_matches('/');
        if registry.is_empty() || registry.contains(char::is_whitespace) || registry.contains('@') {
            return bad_input(format!(
                "--image-registry {registry:?}: expected a registry host, optionally with a port and path, e.g. registry.example.com:5000/mirror"
            ));
        }
        for image in [
            &mut self.mariadb,
            &mut self.redis,
            &mut self.trillian_log_server,
            &mut self.trillian_log_signer,
            &mut self.ctlog,
            &mut self.rekor,
            &mut self.fulcio,
        ] {
            *image = with_registry(image, registry);
        }
        Ok(())
    }
}

/// `image` with its registry host replaced by `registry`. A reference whose first path
/// component is not a host (no '.', ':' and not "localhost") has the implicit docker.io
/// registry, so `registry` is prepended.
pub fn with_registry(image: &str, registry: &str) -> String {
    match image.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            format!("{registry}/{rest}")
        }
        _ => format!("{registry}/{image}"),
    }
}

fn to_yaml_value(values: &Values) -> Value {
    serde_yaml_ng::to_value(values).expect("Values serialize to YAML")
}

/// Appends `(dotted.key, leaf)` for every non-mapping value under `value`.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let key = key.as_str().expect("Values keys are strings");
                let path = if prefix.is_empty() {
                    key.to_string()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

fn valid_keys_list(defaults: &Value) -> String {
    let mut leaves = Vec::new();
    flatten("", defaults, &mut leaves);
    leaves
        .iter()
        .map(|(key, _)| format!("  {key}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Looks up a dotted key in the defaults tree.
fn lookup<'a>(defaults: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.')
        .try_fold(defaults, |node, part| node.as_mapping()?.get(part))
}

fn set_at(tree: &mut Value, key: &str, value: Value) {
    let mut node = tree;
    let parts: Vec<&str> = key.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        node = node
            .as_mapping_mut()
            .and_then(|map| map.get_mut(*part))
            .expect("key was checked against the defaults");
    }
    node.as_mapping_mut()
        .expect("key was checked against the defaults")
        .insert(Value::String(parts[parts.len() - 1].into()), value);
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a whole number",
        Value::String(_) => "a string",
        Value::Mapping(_) => "a section",
        _ => "a value",
    }
}

/// Applies one `key=value` assignment; the value is parsed as the type the key has.
fn apply_set(tree: &mut Value, defaults: &Value, assignment: &str) -> anyhow::Result<()> {
    let Some((key, raw)) = assignment.split_once('=') else {
        return bad_input(format!(
            "--set {assignment:?}: expected KEY=VALUE, e.g. --set mysql.database=trillian"
        ));
    };
    let key = key.trim();
    let Some(default) = lookup(defaults, key).filter(|v| !v.is_mapping()) else {
        return bad_input(format!(
            "--set {key}: unknown key. Valid keys:\n{}",
            valid_keys_list(defaults)
        ));
    };
    let value = match default {
        Value::String(_) => Value::String(raw.to_string()),
        Value::Bool(_) => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return bad_input(format!("--set {key}={raw}: expected true or false")),
        },
        Value::Number(_) => match raw.parse::<u32>() {
            Ok(n) => Value::Number(n.into()),
            Err(_) => return bad_input(format!("--set {key}={raw}: expected a whole number")),
        },
        _ => unreachable!("Values has only string, bool and number leaves"),
    };
    set_at(tree, key, value);
    Ok(())
}

/// Merges a values file into `tree`, checking every key and leaf type against the defaults.
fn merge_file(tree: &mut Value, defaults: &Value, text: &str, file: &Path) -> anyhow::Result<()> {
    let parsed: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        Failure::BadInput(format!(
            "values file {}: not valid YAML: {e}",
            file.display()
        ))
    })?;
    let map = match parsed {
        Value::Null => return Ok(()), // an empty file changes nothing
        Value::Mapping(map) => map,
        other => {
            return bad_input(format!(
                "values file {}: expected a mapping of keys, found {}",
                file.display(),
                type_name(&other)
            ));
        }
    };
    merge_mapping(tree, defaults, "", &map, file)
}

fn merge_mapping(
    tree: &mut Value,
    defaults: &Value,
    prefix: &str,
    map: &Mapping,
    file: &Path,
) -> anyhow::Result<()> {
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            return bad_input(format!(
                "values file {}: keys must be strings, found {key:?}",
                file.display()
            ));
        };
        let path = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(default) = lookup(defaults, &path) else {
            return bad_input(format!(
                "values file {}: unknown key {path}. Valid keys:\n{}",
                file.display(),
                valid_keys_list(defaults)
            ));
        };
        let mismatch = || {
            bad_input(format!(
                "values file {}: {path}: expected {}, found {}",
                file.display(),
                type_name(default),
                type_name(value)
            ))
        };
        match (default, value) {
            (Value::Mapping(_), Value::Mapping(inner)) => {
                merge_mapping(tree, defaults, &path, inner, file)?
            }
            (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => {
                set_at(tree, &path, value.clone())
            }
            (Value::Number(_), Value::Number(n))
                if n.as_u64().is_some_and(|n| n <= u32::MAX as u64) =>
            {
                set_at(tree, &path, value.clone())
            }
            _ => return mismatch(),
        }
    }
    Ok(())
}

// ---- checks for strings Kubernetes (or the servers) will interpret ----

fn check_dns_label(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be a DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)"
        ))
    }
}

fn check_dns_subdomain(key: &str, value: &str) -> anyhow::Result<()> {
    if value.len() <= 253
        && value
            .split('.')
            .all(|part| check_dns_label(key, part).is_ok())
    {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be a DNS name (dot-separated DNS labels)"
        ))
    }
}

fn check_label_value(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        ))
    }
}

fn check_identifier(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 32
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be 1-32 letters, digits or '_'"
        ))
    }
}

fn check_image(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && !value.contains(char::is_whitespace)
        && !value.contains(['"', '\'', '\\', '{', '}'])
        && !value.starts_with(['/', ':', '@']);
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: expected an image reference such as registry.example.com/org/name:tag"
        ))
    }
}

/// A Kubernetes quantity: a decimal number with an optional suffix (m, k, M, G, T, Ki, Mi, Gi, Ti).
fn check_quantity(key: &str, value: &str) -> anyhow::Result<()> {
    const SUFFIXES: [&str; 10] = ["Ki", "Mi", "Gi", "Ti", "m", "k", "M", "G", "T", ""];
    let ok = SUFFIXES.iter().any(|suffix| {
        value.strip_suffix(suffix).is_some_and(|number| {
            !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                && number.starts_with(|c: char| c.is_ascii_digit())
                && number.matches('.').count() <= 1
        })
    });
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: expected a Kubernetes quantity such as 100m, 0.5, 256Mi or 1Gi"
        ))
    }
}

/// A Go duration as the Trillian flags take it (see [`crate::duration::parse`]).
fn check_go_duration(key: &str, value: &str) -> anyhow::Result<()> {
    match crate::duration::parse(value) {
        Ok(_) => Ok(()),
        Err(DurationError::Empty) => bad_input(format!("{key}: the duration must not be empty")),
        Err(_) => bad_input(format!(
            "{key}={value:?}: expected a duration such as 100ms, 1s or 1m30s"
        )),
    }
}

fn check_url(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > "https://".len()
        && !value
            .contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '{' | '}'));
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: expected an http(s) URL such as https://kubernetes.default.svc.cluster.local"
        ))
    }
}
