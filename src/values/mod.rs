//! The one typed set of values every template is filled from, and how users change it:
//! `-f values.yaml` files (merged in order), then `--set key=value`, then `--image-registry`.
//!
//! Keys are the dotted paths of the YAML form of [`Values`] (`images.rekor`, `mysql.database`,
//! `replicas.fulcio`, ...). An unknown key or a value of the wrong type is a [`Failure::BadInput`]
//! naming the key and listing the valid ones. [`Values::placeholders`] flattens the values into the
//! map the template engine (`render`) looks placeholders up in.

use std::collections::BTreeMap;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;

use crate::catalog::{self, NamespaceKey, Profile};
use crate::error::{Failure, bad_input};

mod overrides;
mod validate;

use overrides::{apply_set, merge_file};

/// The value of `app.kubernetes.io/managed-by` (and `part-of`) on everything we create, and the
/// server-side apply field manager.
pub const MANAGER: &str = "sigstore-up";
/// Label keys stamped on every object (see `render`).
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const LABEL_PART_OF: &str = "app.kubernetes.io/part-of";
pub const LABEL_INSTANCE: &str = "app.kubernetes.io/instance";
pub const LABEL_NAME: &str = "app.kubernetes.io/name";
pub const LABEL_COMPONENT: &str = "app.kubernetes.io/component";

/// The issuer URL `render` uses when `fulcio.issuer_url` is empty and there is no cluster to
/// ask (install discovers the real one).
pub const FALLBACK_ISSUER_URL: &str = "https://kubernetes.default.svc.cluster.local";

/// Everything a user may change. Field names are the keys of `-f`/`--set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    /// Which stack to run: `classic` (MariaDB, Trillian, Rekor v1, ct_server, Fulcio) or `modern`
    /// (Rekor v2 on tiles, TesseraCT, a timestamp authority, Fulcio; no database). Recorded on
    /// the instance's namespaces at install; the other commands read it from there.
    pub profile: String,
    /// Name of this installation (the same as `--name`): the `app.kubernetes.io/instance` label
    /// on every object, the state directory `~/.local/state/sigstore-up/<instance>/`, and the
    /// prefix of the namespaces not set explicitly (`<instance>-rekor-system`; the default
    /// instance `sigstore` keeps the plain names). `status` and `teardown` only look at objects
    /// carrying it.
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
    pub tsa: Tsa,
    pub rekor_tiles: RekorTiles,
    pub tesseract: Tesseract,
    pub lifetimes: Lifetimes,
    pub tuf: Tuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespaces {
    pub trillian: String,
    pub rekor: String,
    pub ctlog: String,
    pub fulcio: String,
    pub tuf: String,
    pub tsa: String,
}

/// Image reference of each component, by catalog id (`images.<id>`).
pub type Images = BTreeMap<String, String>;

/// Replica counts of the components that may run several (by catalog id). MariaDB, Redis and
/// the Trillian signer (which runs with `--force_master`) always run exactly one replica.
pub type Replicas = BTreeMap<String, u32>;

/// Requests and memory limit of each component's container, by catalog id.
pub type Resources = BTreeMap<String, ContainerResources>;

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
    /// Opt-in: bind `system:service-account-issuer-discovery` to `system:unauthenticated` for
    /// the whole cluster, so Fulcio fetches the issuer's discovery document and keys without a
    /// token (as sigstore/scaffolding). Off by default: Fulcio then sends its own projected
    /// service-account token (see [`Values::oidc_discovery`]).
    pub anonymous_oidc_discovery: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tsa {
    /// Run a timestamp authority in the classic profile too (the modern profile always runs one):
    /// its chain joins the trust files and clients get signed timestamps.
    pub enabled: bool,
}

/// Rekor v2 (modern profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RekorTiles {
    /// false: tiles on an emptyDir (lost with the pod); true: on PVC `rekor-tiles`.
    pub persistence: bool,
    pub storage_size: String,
    /// Storage class of the PVC; empty means the cluster's default class.
    pub storage_class: String,
    /// How often a new checkpoint is published; a write returns once its checkpoint is out
    /// (rekor-tiles looks for it once a second), so this bounds signing latency (a Go duration;
    /// short by default: a test stack's log is small, and every signature waits for it).
    pub checkpoint_interval: String,
}

/// TesseraCT (modern profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tesseract {
    /// How often a new checkpoint is published; Fulcio's SCT request waits for it (TesseraCT
    /// looks for it every 200 ms), so every certificate waits for it (a Go duration).
    pub checkpoint_interval: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    /// Validity of the Fulcio root CA certificate, in days.
    pub fulcio_ca_days: u32,
    /// Validity of the timestamp authority's root and signing certificates, in days.
    pub tsa_ca_days: u32,
    /// Lifetime of identity tokens minted for signing, in seconds.
    pub identity_token_seconds: u32,
}

/// The TUF repository of the stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tuf {
    /// How long each role's metadata is valid (`30d`, `720h`, ...); see `tuf::lifetimes`.
    pub lifetimes: crate::tuf::LifetimeValues,
}

impl Default for Values {
    fn default() -> Self {
        // Each component's image, resources and replicas come from its catalog entry.
        let components = || catalog::ALL_COMPONENTS.iter();
        Values {
            profile: ProfileChoice::Classic.name().into(),
            instance: DEFAULT_INSTANCE.into(),
            namespaces: Namespaces {
                trillian: "trillian-system".into(),
                rekor: "rekor-system".into(),
                ctlog: "ctlog-system".into(),
                fulcio: "fulcio-system".into(),
                tuf: "tuf-system".into(),
                tsa: "tsa-system".into(),
            },
            images: components()
                .map(|c| (c.id.to_string(), c.image.to_string()))
                .chain(
                    components()
                        .flat_map(|c| c.sidecars)
                        .map(|s| (s.id.to_string(), s.image.to_string())),
                )
                .collect(),
            replicas: components()
                .filter_map(|c| Some((c.id.to_string(), c.replicas?)))
                .collect(),
            resources: components()
                .map(|c| {
                    let r = c.resources;
                    let resources = ContainerResources {
                        cpu: r.cpu.into(),
                        memory: r.memory.into(),
                        memory_limit: r.memory_limit.into(),
                    };
                    (c.id.to_string(), resources)
                })
                .collect(),
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
                anonymous_oidc_discovery: false,
            },
            tsa: Tsa { enabled: false },
            rekor_tiles: RekorTiles {
                persistence: false,
                storage_size: "1Gi".into(),
                storage_class: String::new(),
                checkpoint_interval: "250ms".into(),
            },
            tesseract: Tesseract {
                checkpoint_interval: "250ms".into(),
            },
            lifetimes: Lifetimes {
                fulcio_ca_days: 3650,
                tsa_ca_days: 3650,
                identity_token_seconds: 600,
            },
            tuf: Tuf {
                lifetimes: crate::tuf::LifetimeValues::default(),
            },
        }
    }
}

/// The values of `profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileChoice {
    Classic,
    Modern,
}

impl ProfileChoice {
    pub const ALL: [ProfileChoice; 2] = [ProfileChoice::Classic, ProfileChoice::Modern];

    pub fn name(self) -> &'static str {
        match self {
            ProfileChoice::Classic => "classic",
            ProfileChoice::Modern => "modern",
        }
    }

    pub fn parse(text: &str) -> Option<ProfileChoice> {
        Self::ALL.into_iter().find(|p| p.name() == text)
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
    /// `--name`: the instance name (the same as `instance=`, which may not contradict it).
    pub name: Option<String>,
}

/// The instance install uses when none is named; its namespaces keep their plain names.
pub const DEFAULT_INSTANCE: &str = "sigstore";

/// The longest instance name whose derived namespaces (`<name>-trillian-system`, ...) are still
/// DNS labels (63 characters).
pub const MAX_DERIVED_NAME: usize = 63 - "-trillian-system".len();

/// A placeholder no user value can equal: what is left of it after the files and `--set` were
/// applied was not given explicitly.
const UNSET: &str = "\0unset";

impl Values {
    /// Defaults, then `overrides`, validated.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Values> {
        let defaults = to_yaml_value(&Values::default());
        // The same overrides applied to a copy whose instance and namespaces are UNSET tell
        // which of those were given explicitly.
        let mut unset = Values {
            instance: UNSET.into(),
            ..Values::default()
        };
        for key in NamespaceKey::ALL {
            *key.of_mut(&mut unset) = UNSET.into();
        }
        let mut tree = defaults.clone();
        let mut probe = to_yaml_value(&unset);
        for file in &overrides.files {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Failure::BadInput(format!("cannot read values file {}: {e}", file.display()))
            })?;
            merge_file(&mut tree, &defaults, &text, file)?;
            merge_file(&mut probe, &defaults, &text, file)?;
        }
        for assignment in &overrides.sets {
            apply_set(&mut tree, &defaults, assignment)?;
            apply_set(&mut probe, &defaults, assignment)?;
        }
        let mut values: Values = serde_yaml_ng::from_value(tree)
            .context("values do not fit the values structure (a bug: keys were checked)")?;
        let probe: Values = serde_yaml_ng::from_value(probe)
            .context("values do not fit the values structure (a bug: keys were checked)")?;
        values.name_instance(overrides.name.as_deref(), &probe)?;
        if let Some(registry) = &overrides.image_registry {
            rewrite_registry(&mut values.images, registry)?;
        }
        values.validate()?;
        Ok(values)
    }

    /// Applies `--name` and derives the namespaces not given explicitly from the instance name
    /// (`explicit` holds [`UNSET`] where nothing was given): the default instance keeps the
    /// plain names (`rekor-system`), another instance `<name>-rekor-system`.
    fn name_instance(&mut self, name: Option<&str>, explicit: &Values) -> anyhow::Result<()> {
        let given = |value: &str| value != UNSET;
        if let Some(name) = name {
            check_instance_name("--name", name)?;
            if given(&explicit.instance) && explicit.instance != name {
                return bad_input(format!(
                    "--name {name} contradicts instance={} (from -f/--set): they name the same \
                     thing; drop one of them",
                    explicit.instance
                ));
            }
            self.instance = name.to_string();
        }
        let derive: Vec<NamespaceKey> = NamespaceKey::ALL
            .into_iter()
            .filter(|key| !given(key.of(explicit)))
            .collect();
        if self.instance == DEFAULT_INSTANCE || derive.is_empty() {
            return Ok(());
        }
        if name.is_none() {
            check_instance_name("instance", &self.instance)?;
        }
        let plain = Values::default();
        for key in derive {
            *key.of_mut(self) = derived_namespace(&self.instance, key.of(&plain));
        }
        Ok(())
    }

    /// Every settable key with its current value, in declaration order.
    pub fn keys(&self) -> Vec<(String, Value)> {
        let mut leaves = Vec::new();
        flatten("", &to_yaml_value(self), &mut leaves);
        leaves
    }

    /// The image of each component of the profile (`images.<component id>`) and of its
    /// sidecars, in profile order, each once.
    pub fn images_of_profile(&self) -> Vec<String> {
        let mut images: Vec<String> = Vec::new();
        for component in self.profile().components() {
            let ids = std::iter::once(component.id).chain(component.sidecars.iter().map(|s| s.id));
            for id in ids {
                if let Some(image) = self.images.get(id)
                    && !images.contains(image)
                {
                    images.push(image.clone());
                }
            }
        }
        images
    }

    /// Which components this instance runs (`profile`, and `tsa.enabled` for classic).
    pub fn profile(&self) -> Profile {
        match self.profile_choice() {
            ProfileChoice::Modern => Profile::Modern,
            ProfileChoice::Classic if self.tsa.enabled => Profile::ClassicWithTsa,
            ProfileChoice::Classic => Profile::Classic,
        }
    }

    /// The `profile` value (checked by `validate`; an unknown name reads as classic here).
    pub fn profile_choice(&self) -> ProfileChoice {
        ProfileChoice::parse(&self.profile).unwrap_or(ProfileChoice::Classic)
    }

    /// The name Rekor signs its checkpoints as: `rekor.hostname`, else its Service's DNS name.
    pub fn rekor_origin(&self) -> String {
        if self.rekor.hostname.is_empty() {
            catalog::rekor::COMPONENT.host(self)
        } else {
            self.rekor.hostname.clone()
        }
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

    /// How Fulcio reads the issuer's discovery document and signing keys (JWKS).
    pub fn oidc_discovery(&self) -> OidcDiscovery {
        if self.fulcio.anonymous_oidc_discovery {
            OidcDiscovery::Anonymous
        } else if issuer_is_api_server(self.issuer_url_or_fallback()) {
            OidcDiscovery::OwnToken
        } else {
            OidcDiscovery::Public
        }
    }

    /// The map templates are filled from: every key of [`Values::keys`], plus
    /// - `derived.*`: values computed from others (so templates stay free of logic),
    /// - `catalog.*`: every component's names, ports, Secrets, keys and paths (see `catalog`).
    pub fn placeholders(&self) -> BTreeMap<String, Value> {
        let mut map: BTreeMap<String, Value> = self.keys().into_iter().collect();
        let mut derived = |key: &str, value: Value| map.insert(format!("derived.{key}"), value);

        let data_volume = if self.mysql.persistence {
            serde_yaml_ng::from_str(&format!(
                "{{name: data, persistentVolumeClaim: {{claimName: {}}}}}",
                catalog::mariadb::DATA_CLAIM
            ))
        } else {
            serde_yaml_ng::from_str("{name: data, emptyDir: {}}")
        };
        derived(
            "mysql_data_volume",
            data_volume.expect("literal YAML parses"),
        );
        derived(
            "mysql_data_claim",
            Value::String(catalog::mariadb::DATA_CLAIM.into()),
        );
        derived(
            "mysql_storage_class",
            if self.mysql.storage_class.is_empty() {
                Value::Null
            } else {
                Value::String(self.mysql.storage_class.clone())
            },
        );
        // Trillian's DSN (the user, password and database come from the pod's environment).
        // The timeouts bound what a connection to a MariaDB pod that is gone can hang:
        // without them Trillian's signer waited 40-70 s on one (until its mastership was
        // renewed) after MariaDB's pod was replaced, and integrated nothing meanwhile. Healthy
        // reads and writes take milliseconds.
        let mariadb = &catalog::mariadb::COMPONENT;
        derived(
            "trillian_mysql_uri",
            Value::String(format!(
                "$(MYSQL_USER):$(MYSQL_PASSWORD)@tcp({}:{})/$(MYSQL_DATABASE)\
                 ?timeout=5s&readTimeout=10s&writeTimeout=10s",
                mariadb.host(self),
                mariadb.port("mysql").service
            )),
        );
        derived("rekor_hostname", Value::String(self.rekor_origin()));
        let tiles_volume = if self.rekor_tiles.persistence {
            serde_yaml_ng::from_str(&format!(
                "{{name: tiles, persistentVolumeClaim: {{claimName: {}}}}}",
                catalog::rekor_tiles::DATA_CLAIM
            ))
        } else {
            serde_yaml_ng::from_str("{name: tiles, emptyDir: {}}")
        };
        derived(
            "rekor_tiles_data_volume",
            tiles_volume.expect("literal YAML parses"),
        );
        derived(
            "rekor_tiles_data_claim",
            Value::String(catalog::rekor_tiles::DATA_CLAIM.into()),
        );
        derived(
            "rekor_tiles_storage_class",
            if self.rekor_tiles.storage_class.is_empty() {
                Value::Null
            } else {
                Value::String(self.rekor_tiles.storage_class.clone())
            },
        );
        derived("ct_log_url", Value::String(catalog::ct_log_url(self)));
        derived(
            "fulcio_issuer_url",
            Value::String(self.issuer_url_or_fallback().to_string()),
        );

        // Fulcio sends the token in this file with its discovery requests to the issuer's host
        // (its fixed path), so the pod gets one only when Fulcio should send it.
        let (token_volume, token_mount) = if self.oidc_discovery() == OidcDiscovery::OwnToken {
            let fulcio = &catalog::fulcio::COMPONENT;
            (
                serde_yaml_ng::from_str(&format!(
                    // 3607 s is the lifetime of the token Kubernetes itself mounts: the API
                    // server (--service-account-extend-token-expiration, on by default) makes
                    // such a pod-bound token valid for a year. Fulcio reads the file once, when
                    // it builds the issuer's verifier at start, and sends that token whenever
                    // it fetches the keys again (on a key it has not seen).
                    "{{name: {name}, projected: {{sources: [{{serviceAccountToken: \
                     {{path: {file}, expirationSeconds: 3607}}}}]}}}}",
                    name = catalog::fulcio::TOKEN_VOLUME,
                    file = catalog::fulcio::TOKEN_FILE,
                )),
                serde_yaml_ng::from_str(&format!(
                    "{{name: {name}, mountPath: {dir}, readOnly: true}}",
                    name = catalog::fulcio::TOKEN_VOLUME,
                    dir = fulcio.path("token_dir"),
                )),
            )
        } else {
            (Ok(Value::Null), Ok(Value::Null))
        };
        derived(
            "fulcio_token_volume",
            token_volume.expect("literal YAML parses"),
        );
        derived(
            "fulcio_token_mount",
            token_mount.expect("literal YAML parses"),
        );

        map.extend(catalog::placeholders(self));
        map
    }
}

/// How Fulcio reads the OIDC issuer's discovery document and keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcDiscovery {
    /// The issuer is the cluster's API server: Fulcio sends its own projected service-account
    /// token, which every service account may use to read discovery (Kubernetes binds
    /// `system:service-account-issuer-discovery` to `system:serviceaccounts` by default). Works
    /// when the discovery document's `jwks_uri` is on the issuer's host (preflight checks).
    OwnToken,
    /// `fulcio.anonymous_oidc_discovery`: no token; the ClusterRoleBinding lets anyone read
    /// discovery.
    Anonymous,
    /// The issuer is not the API server (EKS, GKE, AKS publish theirs on the provider's own
    /// public host): Fulcio reads it there without a token, and nothing on the cluster is needed
    /// (a cluster's token is not sent to another party).
    Public,
}

/// Whether `issuer` is the API server under one of its in-cluster names
/// (`https://kubernetes.default.svc`, `…svc.cluster.local`, any cluster domain): the name Fulcio
/// reaches the API server by, so the API server serves the discovery document Fulcio reads.
pub fn issuer_is_api_server(issuer: &str) -> bool {
    let host = url_authority(issuer)
        .rsplit_once(':')
        .map_or(url_authority(issuer), |(host, _port)| host);
    ["kubernetes", "kubernetes.default", "kubernetes.default.svc"].contains(&host)
        || host.starts_with("kubernetes.default.svc.")
}

/// The authority of a URL (`host[:port]`) exactly as written, as Go's `url.URL.Host` holds it
/// (Fulcio compares these strings: an explicit default port counts).
pub fn url_authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .map_or(authority, |(_userinfo, host)| host)
}

/// The namespace an instance gets for a component whose plain namespace is `plain`:
/// `plain` for the default instance, `<instance>-<plain>` for any other.
pub fn derived_namespace(instance: &str, plain: &str) -> String {
    if instance == DEFAULT_INSTANCE {
        plain.to_string()
    } else {
        format!("{instance}-{plain}")
    }
}

/// An instance name that prefixes namespaces: a DNS label short enough for the longest one.
pub fn check_instance_name(what: &str, name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_DERIVED_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{what} {name:?}: an instance name must start with a lower-case letter, use only \
             lower-case letters, digits and '-', and have at most {MAX_DERIVED_NAME} characters \
             (it prefixes the instance's namespaces, e.g. {name}-rekor-system), e.g. --name team-a"
        ))
    }
}

/// Replaces the registry part of every image reference with `registry`
/// (`docker.io/library/redis:7.0` → `<registry>/library/redis:7.0`).
pub fn rewrite_registry(images: &mut Images, registry: &str) -> anyhow::Result<()> {
    let registry = registry.trim_end_matches('/');
    if registry.is_empty() || registry.contains(char::is_whitespace) || registry.contains('@') {
        return bad_input(format!(
            "--image-registry {registry:?}: expected a registry host, optionally with a port and path, e.g. registry.example.com:5000/mirror"
        ));
    }
    for image in images.values_mut() {
        *image = with_registry(image, registry);
    }
    Ok(())
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

#[cfg(test)]
mod discovery_tests {
    use super::*;

    #[test]
    fn authority_is_host_and_port_as_written() {
        assert_eq!(url_authority("https://a.b/openid/v1/jwks"), "a.b");
        assert_eq!(url_authority("https://a.b:443/x"), "a.b:443");
        assert_eq!(
            url_authority("https://u:p@10.0.0.1:6443?q"),
            "10.0.0.1:6443"
        );
        assert_eq!(url_authority("https://a.b"), "a.b");
    }

    #[test]
    fn the_api_servers_in_cluster_names_are_recognised() {
        for issuer in [
            "https://kubernetes.default.svc",
            "https://kubernetes.default.svc.cluster.local",
            "https://kubernetes.default.svc.corp.example/",
            "https://kubernetes.default.svc:443",
        ] {
            assert!(issuer_is_api_server(issuer), "{issuer}");
        }
        for issuer in [
            "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            "https://container.googleapis.com/v1/projects/p/locations/l/clusters/c",
            "https://kubernetes.example.com",
        ] {
            assert!(!issuer_is_api_server(issuer), "{issuer}");
        }
        let mut values = Values::default();
        assert_eq!(values.oidc_discovery(), OidcDiscovery::OwnToken);
        values.fulcio.anonymous_oidc_discovery = true;
        assert_eq!(values.oidc_discovery(), OidcDiscovery::Anonymous);
        values.fulcio.anonymous_oidc_discovery = false;
        values.fulcio.issuer_url = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC".into();
        assert_eq!(values.oidc_discovery(), OidcDiscovery::Public);
    }
}
