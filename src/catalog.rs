//! The component catalog: one description per component of a stack, and the one place each of its
//! names, ports, labels, Secrets, ConfigMaps and keys is defined.
//!
//! Everything else reads from here:
//! - templates, through the `catalog.*` placeholders of [`placeholders`] (`{{ catalog.rekor.name }}`,
//!   `{{ catalog.trillian_log_server.port.grpc }}`, `{{ catalog.mariadb.credentials.password }}`),
//! - the setup stages (which Secret to mint, which Service to tunnel to),
//! - preflight and teardown (which objects stages create, which kinds may exist),
//! - `status` (which workloads to report), `forward` (which ports, which flags), the trust
//!   outputs (which Secret holds which public key, which URL a client is told).
//!
//! The tests of this module render every profile and verify that each `secretName`,
//! `secretKeyRef`, `configMapKeyRef`, Service and port name a manifest refers to is produced by
//! a catalog entry.
//!
//! ## Adding a component
//! 1. A `Component` constant here (names, ports, objects, templates, tier, trust, forwards) and
//!    its place in a [`Profile`]'s list; its values keys (`images.<id>`, `resources.<id>`,
//!    `replicas.<id>`) in `values`.
//! 2. Its templates in `templates/<id>/`, naming things only through `catalog.*` placeholders.
//! 3. Its setup module in `setup/` (what upstream does in Jobs) and, if it mints or writes
//!    objects, a stage in `stages/` placed in the profile's pipeline (`pipeline::stages_for`).
//! 4. Its tests: the catalog tests below cover references; a real-server test in tests/.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

use crate::setup::certs::secret_keys as fulcio_keys;
use crate::trust::env_names;
use crate::values::Values;

/// Groups of objects applied (and waited for) together, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The namespaces everything else lives in (one generic template, rendered per namespace).
    Namespaces,
    /// MariaDB and Redis. Trillian exits at start when MariaDB does not answer, so the
    /// databases are applied and waited for first.
    Databases,
    /// The Trillian log server and signer.
    Trillian,
    /// Fulcio and the timestamp authority: they need no tree, so they start beside the data tier.
    Fulcio,
    /// Rekor and the CT log: on Trillian (classic) they start once their trees exist; on tiles
    /// (modern) as soon as their keys do.
    Logs,
    /// The TUF repository server: applied once the trust material is known (stage "tuf").
    Tuf,
}

impl Tier {
    pub const ALL: [Tier; 6] = [
        Tier::Namespaces,
        Tier::Databases,
        Tier::Trillian,
        Tier::Fulcio,
        Tier::Logs,
        Tier::Tuf,
    ];
}

/// Which `namespaces.*` value a component lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NamespaceKey {
    Trillian,
    Rekor,
    Ctlog,
    Fulcio,
    Tuf,
    Tsa,
}

impl NamespaceKey {
    pub const ALL: [NamespaceKey; 6] = [
        NamespaceKey::Trillian,
        NamespaceKey::Rekor,
        NamespaceKey::Ctlog,
        NamespaceKey::Fulcio,
        NamespaceKey::Tuf,
        NamespaceKey::Tsa,
    ];

    /// The values key under `namespaces.` (and the namespace's `app.kubernetes.io/name`).
    pub fn key(self) -> &'static str {
        match self {
            NamespaceKey::Trillian => "trillian",
            NamespaceKey::Rekor => "rekor",
            NamespaceKey::Ctlog => "ctlog",
            NamespaceKey::Fulcio => "fulcio",
            NamespaceKey::Tuf => "tuf",
            NamespaceKey::Tsa => "tsa",
        }
    }

    /// The namespace's name in these values, to change.
    pub fn of_mut(self, values: &mut Values) -> &mut String {
        let ns = &mut values.namespaces;
        match self {
            NamespaceKey::Trillian => &mut ns.trillian,
            NamespaceKey::Rekor => &mut ns.rekor,
            NamespaceKey::Ctlog => &mut ns.ctlog,
            NamespaceKey::Fulcio => &mut ns.fulcio,
            NamespaceKey::Tuf => &mut ns.tuf,
            NamespaceKey::Tsa => &mut ns.tsa,
        }
    }

    /// The namespace's name in these values.
    pub fn of(self, values: &Values) -> &str {
        let ns = &values.namespaces;
        match self {
            NamespaceKey::Trillian => &ns.trillian,
            NamespaceKey::Rekor => &ns.rekor,
            NamespaceKey::Ctlog => &ns.ctlog,
            NamespaceKey::Fulcio => &ns.fulcio,
            NamespaceKey::Tuf => &ns.tuf,
            NamespaceKey::Tsa => &ns.tsa,
        }
    }
}

/// A named port: the container listens on `container`, the Service exposes it as `service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    pub name: &'static str,
    pub container: u16,
    pub service: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    Secret,
    ConfigMap,
}

impl ObjectKind {
    pub fn kind(self) -> &'static str {
        match self {
            ObjectKind::Secret => "Secret",
            ObjectKind::ConfigMap => "ConfigMap",
        }
    }
}

/// Who creates an object a component mounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeBy {
    /// An install stage, before any pod that mounts it is applied.
    Stage(&'static str),
    /// One of the component's templates.
    Template,
    /// Kubernetes itself (e.g. `kube-root-ca.crt` in every namespace).
    Cluster,
}

/// One key of a Secret or ConfigMap: `id` is its placeholder name, `name` the key in the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub id: &'static str,
    pub name: &'static str,
}

/// A Secret or ConfigMap in the component's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    /// Placeholder name: `catalog.<component>.<id>.name`, `catalog.<component>.<id>.<key id>`.
    pub id: &'static str,
    pub kind: ObjectKind,
    pub name: &'static str,
    pub keys: &'static [Key],
    pub made_by: MadeBy,
}

impl Object {
    /// The key whose placeholder name is `id` (a catalog bug if there is none).
    pub fn key(&self, id: &str) -> &'static str {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| k.name)
            .unwrap_or_else(|| panic!("catalog: {} has no key {id}", self.name))
    }
}

/// What a component contributes to the clients' trust material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRole {
    /// The certificate authority's chain (PEM certificates).
    CertificateAuthority,
    /// Rekor's public key (PEM SubjectPublicKeyInfo), and which major version of the Rekor API
    /// it serves (1: Rekor on Trillian; 2: Rekor on tiles).
    TransparencyLog { major_api_version: u32 },
    /// A CT log's public key (PEM SubjectPublicKeyInfo).
    CtLog,
    /// A timestamp authority's certificate chain (PEM, signing certificate first, root last).
    TimestampAuthority,
}

/// Where the public part of a component's trust contribution is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trust {
    pub role: TrustRole,
    /// The Secret (one of the component's objects) and the key holding the public PEM.
    pub secret: Object,
    pub key: &'static str,
}

/// A port `sigstore-up forward` exposes on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    /// The flag is `--<id>-port`; also the key of [`ForwardPorts`].
    pub id: &'static str,
    /// The component's port (by name) it forwards to.
    pub port: &'static str,
    /// The default local port (the container's own port, as in sigstore/scaffolding).
    pub default_local: u16,
    /// What it reaches, for `--help`.
    pub help: &'static str,
    /// The environment variable `env`, `forward` and `install --ci` give its host URL in.
    pub env: &'static str,
}

/// End-to-end checks `status --probe` runs against a component (see `probe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeCheck {
    /// Fulcio serves the root certificate of its Secret.
    FulcioRoot,
    /// Rekor serves its public key, and signs its checkpoint with it.
    RekorKey,
    RekorCheckpoint,
    /// The CT log signs its tree head with its key.
    CtlogTreeHead,
    /// The TUF repository verifies from the root handed out, nothing in it has expired, and its
    /// targets are the trust material (see `tuf::verify`).
    TufRepository,
    /// Rekor v2's published checkpoint (its tiles) is signed by its key under its origin.
    RekorTilesCheckpoint,
    /// TesseraCT's published checkpoint is signed by its key under its origin.
    TesseractCheckpoint,
    /// The timestamp authority serves the certificate chain of its Secret.
    TsaCertChain,
}

impl ProbeCheck {
    /// The component's port (by name) it asks: the read path of the tile logs is served by
    /// the file server beside them.
    pub fn port(self) -> &'static str {
        match self {
            ProbeCheck::RekorTilesCheckpoint | ProbeCheck::TesseractCheckpoint => "tiles",
            _ => "http",
        }
    }

    /// How `status --probe` names it.
    pub fn name(self) -> &'static str {
        match self {
            ProbeCheck::FulcioRoot => "fulcio root certificate",
            ProbeCheck::RekorKey => "rekor public key",
            ProbeCheck::RekorCheckpoint => "rekor signed checkpoint",
            ProbeCheck::CtlogTreeHead => "ctlog signed tree head",
            ProbeCheck::TufRepository => "tuf repository",
            ProbeCheck::RekorTilesCheckpoint => "rekor v2 signed checkpoint",
            ProbeCheck::TesseractCheckpoint => "ctlog signed checkpoint",
            ProbeCheck::TsaCertChain => "tsa certificate chain",
        }
    }
}

/// One manifest template of a component.
pub struct Template {
    /// Path relative to the repository root, e.g. `templates/mariadb/deployment.yaml`.
    pub path: &'static str,
    pub text: &'static str,
    /// When present, the template is rendered only if this returns true.
    pub only_if: Option<fn(&Values) -> bool>,
}

macro_rules! template {
    ($path:literal) => {
        template!($path, None)
    };
    ($path:literal, $only_if:expr) => {
        Template {
            path: concat!("templates/", $path),
            text: include_str!(concat!("../templates/", $path)),
            only_if: $only_if,
        }
    };
}

/// One component of a stack.
pub struct Component {
    /// Its values key (`images.<id>`, `resources.<id>`) and placeholder prefix (`catalog.<id>`).
    pub id: &'static str,
    /// Name of its Deployment and Service, and its `app.kubernetes.io/name` label.
    pub name: &'static str,
    /// Its `app.kubernetes.io/component` label.
    pub role: &'static str,
    pub namespace: NamespaceKey,
    pub tier: Tier,
    pub ports: &'static [Port],
    /// Secrets and ConfigMaps it owns (in its namespace), with who makes them.
    pub objects: &'static [Object],
    /// Fixed file locations inside its pods that code relies on: `catalog.<id>.path.<name>`.
    pub paths: &'static [(&'static str, &'static str)],
    /// In apply order.
    pub templates: &'static [Template],
    /// Components that must be ready before it can start (ids).
    pub depends_on: &'static [&'static str],
    /// When it is ready, in words (the probe itself is in its Deployment template).
    pub readiness: &'static str,
    pub trust: Option<Trust>,
    pub forwards: &'static [Forward],
    pub probes: &'static [ProbeCheck],
    /// Default of `images.<id>`. Must equal the IMAGE_* entry of tests/cluster/versions.env
    /// (tests/it/render_versions.rs checks it).
    pub image: &'static str,
    /// Helper containers in its pods with their own image.
    pub sidecars: &'static [Sidecar],
    /// Defaults of `resources.<id>.{cpu,memory,memory_limit}`.
    pub resources: Resources,
    /// Default of `replicas.<id>`, for components that may run several replicas; `None` for
    /// those that must run exactly one (a database, a signer with no election).
    pub replicas: Option<u32>,
}

/// A helper container with its own image (`images.<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sidecar {
    pub id: &'static str,
    /// Default of `images.<id>` (an IMAGE_* entry of tests/cluster/versions.env).
    pub image: &'static str,
}

/// Serves a log's storage directory (checkpoint, tiles) read-only over HTTP: the POSIX flavours
/// of rekor-tiles and TesseraCT write their read path as files and serve none of it.
pub const TILES_SERVER: Sidecar = Sidecar {
    id: "tiles_server",
    image: "docker.io/library/caddy:2.11.9",
};

/// Requests (what the scheduler reserves) and a memory limit, as Kubernetes quantities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    pub cpu: &'static str,
    pub memory: &'static str,
    pub memory_limit: &'static str,
}

/// What most of our servers need at rest.
const SMALL: Resources = Resources {
    cpu: "50m",
    memory: "64Mi",
    memory_limit: "512Mi",
};

impl Component {
    pub fn port(&self, name: &str) -> Port {
        *self
            .ports
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("catalog: {} has no port {name}", self.id))
    }

    pub fn object(&self, id: &str) -> Object {
        *self
            .objects
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("catalog: {} has no object {id}", self.id))
    }

    pub fn path(&self, name: &str) -> &'static str {
        self.paths
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| panic!("catalog: {} has no path {name}", self.id))
    }

    /// The namespace it runs in, with these values.
    pub fn namespace<'v>(&self, values: &'v Values) -> &'v str {
        self.namespace.of(values)
    }

    /// Its Service's in-cluster DNS name: `<name>.<namespace>.svc`.
    pub fn host(&self, values: &Values) -> String {
        format!("{}.{}.svc", self.name, self.namespace(values))
    }

    /// The label selector of this instance's pods of the component (its Deployment's selector).
    pub fn pod_selector(&self, values: &Values) -> String {
        format!(
            "{}={},{}={}",
            crate::values::LABEL_NAME,
            self.name,
            crate::values::LABEL_INSTANCE,
            values.instance
        )
    }

    /// `app.kubernetes.io/name` and `app.kubernetes.io/component`, for objects stages create.
    pub fn labels(&self) -> [(&'static str, &'static str); 2] {
        [
            (crate::values::LABEL_NAME, self.name),
            (crate::values::LABEL_COMPONENT, self.role),
        ]
    }
}

// ---- the components ----

pub mod mariadb {
    use super::*;

    pub const PASSWORD: Key = Key {
        id: "password",
        name: "password",
    };
    pub const ROOT_PASSWORD: Key = Key {
        id: "root_password",
        name: "root-password",
    };
    /// The MariaDB passwords: of root, and of the Trillian user (`mysql.user`).
    pub const CREDENTIALS: Object = Object {
        id: "credentials",
        kind: ObjectKind::Secret,
        name: "trillian-mysql",
        keys: &[ROOT_PASSWORD, PASSWORD],
        made_by: MadeBy::Stage("secrets"),
    };
    /// The PersistentVolumeClaim of its data (with `mysql.persistence`).
    pub const DATA_CLAIM: &str = "mysql-data";
    pub const COMPONENT: Component = Component {
        id: "mariadb",
        name: "mysql",
        role: "database",
        namespace: NamespaceKey::Trillian,
        tier: Tier::Databases,
        ports: &[Port {
            name: "mysql",
            container: 3306,
            service: 3306,
        }],
        objects: &[CREDENTIALS],
        paths: &[],
        templates: &[
            template!("mariadb/pvc.yaml", Some(|v: &Values| v.mysql.persistence)),
            template!("mariadb/service.yaml"),
            template!("mariadb/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "port mysql accepts connections (the entrypoint's init server listens on no port)",
        trust: None,
        forwards: &[],
        probes: &[],
        image: "docker.io/library/mariadb:10.11",
        sidecars: &[],
        resources: Resources {
            cpu: "100m",
            memory: "256Mi",
            memory_limit: "1Gi",
        },
        replicas: None,
    };
}

pub mod redis {
    use super::*;

    pub const COMPONENT: Component = Component {
        id: "redis",
        name: "redis",
        role: "search-index",
        namespace: NamespaceKey::Rekor,
        tier: Tier::Databases,
        ports: &[Port {
            name: "redis",
            container: 6379,
            service: 6379,
        }],
        objects: &[],
        paths: &[],
        templates: &[
            template!("redis/service.yaml"),
            template!("redis/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "port redis accepts connections",
        trust: None,
        forwards: &[],
        probes: &[],
        image: "docker.io/library/redis:7.0",
        sidecars: &[],
        resources: Resources {
            cpu: "50m",
            memory: "32Mi",
            memory_limit: "256Mi",
        },
        replicas: None,
    };
}

pub mod trillian_log_server {
    use super::*;

    pub const COMPONENT: Component = Component {
        id: "trillian_log_server",
        name: "trillian-logserver",
        role: "log-server",
        namespace: NamespaceKey::Trillian,
        tier: Tier::Trillian,
        ports: &[
            Port {
                name: "grpc",
                container: 8090,
                service: 8090,
            },
            Port {
                name: "http",
                container: 8091,
                service: 8091,
            },
        ],
        objects: &[],
        paths: &[],
        templates: &[
            template!("trillian_log_server/service.yaml"),
            template!("trillian_log_server/deployment.yaml"),
        ],
        depends_on: &["mariadb"],
        readiness: "GET /healthz on http (checks the database)",
        trust: None,
        forwards: &[],
        probes: &[],
        image: "gcr.io/trillian-opensource-ci/log_server:v1.7.3",
        sidecars: &[],
        resources: SMALL,
        replicas: Some(1),
    };
}

pub mod trillian_log_signer {
    use super::*;

    pub const COMPONENT: Component = Component {
        id: "trillian_log_signer",
        name: "trillian-logsigner",
        role: "log-signer",
        namespace: NamespaceKey::Trillian,
        tier: Tier::Trillian,
        ports: &[
            Port {
                name: "grpc",
                container: 8090,
                service: 8090,
            },
            Port {
                name: "http",
                container: 8091,
                service: 8091,
            },
        ],
        objects: &[],
        paths: &[],
        templates: &[
            template!("trillian_log_signer/service.yaml"),
            template!("trillian_log_signer/deployment.yaml"),
        ],
        depends_on: &["mariadb"],
        readiness: "GET /healthz on http",
        trust: None,
        forwards: &[],
        probes: &[],
        image: "gcr.io/trillian-opensource-ci/log_signer:v1.7.3",
        sidecars: &[],
        resources: SMALL,
        replicas: None,
    };
}

pub mod rekor {
    use super::*;

    pub const PRIVATE: Key = Key {
        id: "private",
        name: "private",
    };
    pub const PUBLIC: Key = Key {
        id: "public",
        name: "public",
    };
    pub const TREE_ID: Key = Key {
        id: "tree_id",
        name: "treeID",
    };
    /// Rekor's signing key: unencrypted PKCS#8 PEM, what `--rekor_server.signer=<file>` loads.
    pub const SIGNING_KEY: Object = Object {
        id: "signing_key",
        kind: ObjectKind::Secret,
        name: "rekor-signing-key",
        keys: &[PRIVATE],
        made_by: MadeBy::Stage("secrets"),
    };
    /// The public copy of the signing key (what the trust outputs read).
    pub const PUBLIC_KEY: Object = Object {
        id: "public_key",
        kind: ObjectKind::Secret,
        name: "rekor-public-key",
        keys: &[PUBLIC],
        made_by: MadeBy::Stage("secrets"),
    };
    /// The Trillian tree Rekor serves.
    pub const CONFIG: Object = Object {
        id: "config",
        kind: ObjectKind::ConfigMap,
        name: "rekor-config",
        keys: &[TREE_ID],
        made_by: MadeBy::Stage("trees"),
    };
    pub const COMPONENT: Component = Component {
        id: "rekor",
        name: "rekor",
        role: "transparency-log",
        namespace: NamespaceKey::Rekor,
        tier: Tier::Logs,
        ports: &[Port {
            name: "http",
            container: 3000,
            service: 80,
        }],
        objects: &[SIGNING_KEY, PUBLIC_KEY, CONFIG],
        paths: &[("signing_key_dir", "/var/run/rekor-key")],
        templates: &[
            template!("rekor/service.yaml"),
            template!("rekor/deployment.yaml"),
        ],
        depends_on: &["trillian_log_server", "trillian_log_signer", "redis"],
        readiness: "GET /api/v1/log on http (answers once its tree is reachable through Trillian)",
        trust: Some(Trust {
            role: TrustRole::TransparencyLog {
                major_api_version: 1,
            },
            secret: PUBLIC_KEY,
            key: PUBLIC.name,
        }),
        forwards: &[Forward {
            id: "rekor",
            port: "http",
            default_local: 3000,
            help: "Rekor",
            env: env_names::REKOR_URL,
        }],
        probes: &[ProbeCheck::RekorKey, ProbeCheck::RekorCheckpoint],
        image: "ghcr.io/sigstore/rekor/rekor-server:v1.5.4",
        sidecars: &[],
        resources: SMALL,
        replicas: Some(1),
    };
}

pub mod ctlog {
    use super::*;

    pub const PRIVATE: Key = Key {
        id: "private",
        name: "private",
    };
    /// Only in Secrets written by earlier versions: the password of their RFC 1423 encrypted
    /// `private`. The "trees" stage rewrites such a Secret to the unencrypted form.
    pub const LEGACY_PASSWORD: Key = Key {
        id: "legacy_password",
        name: "password",
    };
    pub const PUBLIC: Key = Key {
        id: "public",
        name: "public",
    };
    pub const ROOTCA: Key = Key {
        id: "rootca",
        name: "rootca",
    };
    pub const CONFIG_FILE: Key = Key {
        id: "config",
        name: "config",
    };
    pub const TREE_ID: Key = Key {
        id: "tree_id",
        name: "treeID",
    };
    /// The CT log's key (unencrypted PKCS#8 PEM), its accepted root (Fulcio's) and its config:
    /// the config (a text proto naming the tree, the prefix and the roots file, written by stage
    /// "trees") lives in the Secret, not a ConfigMap, because it carries the private key itself
    /// (`keyspb.PrivateKey { der }`).
    pub const SECRETS: Object = Object {
        id: "secrets",
        kind: ObjectKind::Secret,
        name: "ctlog-secrets",
        keys: &[PRIVATE, PUBLIC, ROOTCA, CONFIG_FILE],
        made_by: MadeBy::Stage("secrets"),
    };
    pub const PUBLIC_KEY: Object = Object {
        id: "public_key",
        kind: ObjectKind::Secret,
        name: "ctlog-public-key",
        keys: &[PUBLIC],
        made_by: MadeBy::Stage("secrets"),
    };
    /// The CT log's tree ID, for people and tools (the server reads it from its config).
    pub const CONFIG: Object = Object {
        id: "config",
        kind: ObjectKind::ConfigMap,
        name: "ctlog-config",
        keys: &[TREE_ID],
        made_by: MadeBy::Stage("trees"),
    };
    /// Where the pod mounts [`SECRETS`].
    pub const KEYS_DIR: &str = "/ctfe-keys";
    pub const COMPONENT: Component = Component {
        id: "ctlog",
        name: "ctlog",
        role: "certificate-transparency",
        namespace: NamespaceKey::Ctlog,
        tier: Tier::Logs,
        ports: &[Port {
            name: "http",
            container: 6962,
            service: 80,
        }],
        objects: &[SECRETS, PUBLIC_KEY, CONFIG],
        paths: &[("keys_dir", KEYS_DIR)],
        templates: &[
            template!("ctlog/service.yaml"),
            template!("ctlog/deployment.yaml"),
        ],
        depends_on: &["trillian_log_server", "trillian_log_signer"],
        readiness: "GET /healthz on http",
        trust: Some(Trust {
            role: TrustRole::CtLog,
            secret: PUBLIC_KEY,
            key: PUBLIC.name,
        }),
        forwards: &[Forward {
            id: "ctlog",
            port: "http",
            default_local: 6962,
            help: "the CT log",
            env: env_names::CTLOG_URL,
        }],
        probes: &[ProbeCheck::CtlogTreeHead],
        image: "gcr.io/trillian-opensource-ci/ctfe:v1.3.3",
        sidecars: &[],
        resources: SMALL,
        replicas: Some(1),
    };
}

pub mod fulcio {
    use super::*;

    pub const CERT: Key = Key {
        id: "cert",
        name: fulcio_keys::CERT,
    };
    pub const PRIVATE: Key = Key {
        id: "private",
        name: fulcio_keys::PRIVATE,
    };
    pub const PASSWORD: Key = Key {
        id: "password",
        name: fulcio_keys::PASSWORD,
    };
    pub const PUBLIC: Key = Key {
        id: "public",
        name: fulcio_keys::PUBLIC,
    };
    /// The file CA: root certificate, encrypted key, its password, public key.
    pub const CA: Object = Object {
        id: "ca",
        kind: ObjectKind::Secret,
        name: "fulcio-secret",
        keys: &[CERT, PRIVATE, PASSWORD, PUBLIC],
        made_by: MadeBy::Stage("secrets"),
    };
    pub const CONFIG_YAML: Key = Key {
        id: "config",
        name: "config.yaml",
    };
    /// Which identity tokens Fulcio accepts.
    pub const CONFIG: Object = Object {
        id: "config",
        kind: ObjectKind::ConfigMap,
        name: "fulcio-config",
        keys: &[CONFIG_YAML],
        made_by: MadeBy::Template,
    };
    pub const SIGNABLE_PROOF: Key = Key {
        id: "proof",
        name: "proof",
    };
    /// The servers' pods when the record was last proven: one `namespace/name uid restarts`
    /// line each.
    pub const SIGNABLE_PODS: Key = Key {
        id: "pods",
        name: "pods",
    };
    /// What install left behind when it recorded the proof, for its fast path (stage
    /// "compare"): the inputs' fingerprint, when TUF is next due, each object's version.
    pub const SIGNABLE_STATE: Key = Key {
        id: "state",
        name: "state",
    };
    /// The last keyless round trip install's gate made that passed (stage "signable"): a
    /// converged re-run with this record writes no probe entry into the logs.
    pub const SIGNABLE_RECORD: Object = Object {
        id: "signable",
        kind: ObjectKind::ConfigMap,
        name: "sigstore-up-signable",
        keys: &[SIGNABLE_PROOF, SIGNABLE_PODS, SIGNABLE_STATE],
        made_by: MadeBy::Stage("signable"),
    };
    pub const CA_CRT: Key = Key {
        id: "ca_crt",
        name: "ca.crt",
    };
    /// The projected volume with Fulcio's own service-account token, and its file (Fulcio's
    /// fixed name, in `path("token_dir")`).
    pub const TOKEN_VOLUME: &str = "sa-token";
    pub const TOKEN_FILE: &str = "token";
    /// The cluster CA, published by Kubernetes in every namespace.
    pub const CLUSTER_CA: Object = Object {
        id: "cluster_ca",
        kind: ObjectKind::ConfigMap,
        name: "kube-root-ca.crt",
        keys: &[CA_CRT],
        made_by: MadeBy::Cluster,
    };
    pub const COMPONENT: Component = Component {
        id: "fulcio",
        name: "fulcio",
        role: "certificate-authority",
        namespace: NamespaceKey::Fulcio,
        tier: Tier::Fulcio,
        ports: &[
            Port {
                name: "http",
                container: 5555,
                service: 80,
            },
            Port {
                name: "grpc",
                container: 5554,
                service: 5554,
            },
        ],
        objects: &[CA, CONFIG, CLUSTER_CA, SIGNABLE_RECORD],
        // Fulcio reads the cluster CA from this fixed path for a kubernetes-type issuer, and
        // sends the token in the standard service-account path with its discovery requests.
        paths: &[
            ("cluster_ca_dir", "/var/run/fulcio"),
            ("token_dir", "/var/run/secrets/kubernetes.io/serviceaccount"),
        ],
        templates: &[
            template!("fulcio/config.yaml"),
            template!(
                "fulcio/oidc-discovery-clusterrolebinding.yaml",
                Some(|v: &Values| v.fulcio.anonymous_oidc_discovery)
            ),
            template!("fulcio/service.yaml"),
            template!("fulcio/deployment.yaml"),
        ],
        depends_on: &["ctlog"],
        readiness: "GET /healthz on http",
        trust: Some(Trust {
            role: TrustRole::CertificateAuthority,
            secret: CA,
            key: fulcio_keys::CERT,
        }),
        forwards: &[
            Forward {
                id: "fulcio",
                port: "http",
                default_local: 5555,
                help: "Fulcio's HTTP API",
                env: env_names::FULCIO_URL,
            },
            Forward {
                id: "fulcio-grpc",
                port: "grpc",
                default_local: 5554,
                help: "Fulcio's gRPC API",
                env: env_names::FULCIO_GRPC_URL,
            },
        ],
        probes: &[ProbeCheck::FulcioRoot],
        image: "ghcr.io/sigstore/fulcio:v1.8.8",
        sidecars: &[],
        resources: SMALL,
        replicas: Some(1),
    };
}

pub mod rekor_tiles {
    //! Rekor v2 (rekor-tiles, POSIX flavour). Its signing key Secrets are Rekor's (the same
    //! objects as Rekor v1's: one instance runs one Rekor).
    use super::*;

    /// The PersistentVolumeClaim of its tiles (with `rekor_tiles.persistence`).
    pub const DATA_CLAIM: &str = "rekor-tiles";
    /// Where the tiles, entry bundles and checkpoint live in the pod.
    pub const TILES_DIR: &str = "/tiles";
    pub const COMPONENT: Component = Component {
        id: "rekor_tiles",
        name: "rekor",
        role: "transparency-log",
        namespace: NamespaceKey::Rekor,
        tier: Tier::Logs,
        ports: &[
            Port {
                name: "http",
                container: 3000,
                service: 80,
            },
            Port {
                name: "grpc",
                container: 3001,
                service: 3001,
            },
            // The read path (checkpoint, tiles): the POSIX flavour writes it as files and serves
            // none of it, so a static file server beside it serves the storage directory.
            Port {
                name: "tiles",
                container: 8080,
                service: 8080,
            },
        ],
        objects: &[rekor::SIGNING_KEY, rekor::PUBLIC_KEY],
        paths: &[
            ("signing_key_dir", "/var/run/rekor-key"),
            ("tiles_dir", TILES_DIR),
        ],
        templates: &[
            template!(
                "rekor_tiles/pvc.yaml",
                Some(|v: &Values| v.rekor_tiles.persistence)
            ),
            template!("rekor_tiles/service.yaml"),
            template!("rekor_tiles/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "port http accepts connections and the first checkpoint is published",
        trust: Some(Trust {
            role: TrustRole::TransparencyLog {
                major_api_version: 2,
            },
            secret: rekor::PUBLIC_KEY,
            key: rekor::PUBLIC.name,
        }),
        forwards: &[Forward {
            id: "rekor",
            port: "http",
            default_local: 3000,
            help: "Rekor",
            env: env_names::REKOR_URL,
        }],
        probes: &[ProbeCheck::RekorTilesCheckpoint],
        image: "ghcr.io/sigstore/rekor-tiles/posix:v2.3.0",
        sidecars: &[TILES_SERVER],
        resources: SMALL,
        // One writer per storage directory.
        replicas: None,
    };
}

pub mod tesseract {
    //! TesseraCT (POSIX flavour): the static-ct-api CT log Fulcio submits to in the modern profile.
    use super::*;

    pub const PRIVATE: Key = Key {
        id: "private",
        name: "private",
    };
    pub const ROOTS: Key = Key {
        id: "roots",
        name: "roots",
    };
    /// Its key (SEC1 `EC PRIVATE KEY` PEM: TesseraCT reads it with `x509.ParseECPrivateKey`) and
    /// the roots it accepts chains to (Fulcio's root).
    pub const SECRETS: Object = Object {
        id: "secrets",
        kind: ObjectKind::Secret,
        name: "tesseract-secrets",
        keys: &[PRIVATE, ROOTS],
        made_by: MadeBy::Stage("secrets"),
    };
    pub const KEYS_DIR: &str = "/tesseract-keys";
    pub const STORAGE_DIR: &str = "/storage";
    pub const COMPONENT: Component = Component {
        id: "tesseract",
        name: "ctlog",
        role: "certificate-transparency",
        namespace: NamespaceKey::Ctlog,
        tier: Tier::Logs,
        ports: &[
            Port {
                name: "http",
                container: 6962,
                service: 80,
            },
            // The read path (checkpoint, tiles), written as files: served by a static file server.
            Port {
                name: "tiles",
                container: 8080,
                service: 8080,
            },
        ],
        objects: &[SECRETS, ctlog::PUBLIC_KEY],
        paths: &[("keys_dir", KEYS_DIR), ("storage_dir", STORAGE_DIR)],
        templates: &[
            template!("tesseract/service.yaml"),
            template!("tesseract/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "GET /ct/v1/get-roots on http",
        trust: Some(Trust {
            role: TrustRole::CtLog,
            secret: ctlog::PUBLIC_KEY,
            key: ctlog::PUBLIC.name,
        }),
        forwards: &[Forward {
            id: "ctlog",
            port: "http",
            default_local: 6962,
            help: "the CT log",
            env: env_names::CTLOG_URL,
        }],
        probes: &[ProbeCheck::TesseractCheckpoint],
        image: "ghcr.io/transparency-dev/tesseract/posix:v0.1.1",
        sidecars: &[TILES_SERVER],
        resources: Resources {
            cpu: "50m",
            memory: "64Mi",
            memory_limit: "512Mi",
        },
        replicas: None,
    };
}

pub mod tsa {
    //! The timestamp authority (sigstore/timestamp-authority), with a file signer.
    use super::*;

    pub const PRIVATE: Key = Key {
        id: "private",
        name: "private",
    };
    pub const CHAIN: Key = Key {
        id: "chain",
        name: "chain",
    };
    /// The signing key (unencrypted PKCS#8 PEM) and its chain (PEM: the signing certificate with
    /// the critical timeStamping extended key usage, then the root).
    pub const SIGNER: Object = Object {
        id: "signer",
        kind: ObjectKind::Secret,
        name: "tsa-signer",
        keys: &[PRIVATE, CHAIN],
        made_by: MadeBy::Stage("secrets"),
    };
    pub const KEYS_DIR: &str = "/var/run/tsa-signer";
    pub const COMPONENT: Component = Component {
        id: "tsa",
        name: "tsa",
        role: "timestamp-authority",
        namespace: NamespaceKey::Tsa,
        tier: Tier::Fulcio,
        ports: &[Port {
            name: "http",
            container: 3000,
            service: 80,
        }],
        objects: &[SIGNER],
        paths: &[("keys_dir", KEYS_DIR)],
        templates: &[
            template!("tsa/service.yaml"),
            template!("tsa/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "GET /ping on http",
        trust: Some(Trust {
            role: TrustRole::TimestampAuthority,
            secret: SIGNER,
            key: CHAIN.name,
        }),
        forwards: &[Forward {
            id: "tsa",
            port: "http",
            default_local: 3004,
            help: "the timestamp authority",
            env: env_names::TSA_URL,
        }],
        probes: &[ProbeCheck::TsaCertChain],
        image: "ghcr.io/sigstore/timestamp-server:v2.1.3",
        sidecars: &[],
        resources: SMALL,
        replicas: Some(1),
    };
}

pub mod tuf {
    use super::*;

    /// The TUF role keys and the signed root (see `tuf::keys::secret_keys` for the keys).
    pub const SIGNING_KEYS: Object = Object {
        id: "signing_keys",
        kind: ObjectKind::Secret,
        name: "tuf-signing-keys",
        keys: &[
            Key {
                id: "root_key",
                name: crate::tuf::keys::secret_keys::ROOT_KEY,
            },
            Key {
                id: "targets_key",
                name: crate::tuf::keys::secret_keys::TARGETS_KEY,
            },
            Key {
                id: "snapshot_key",
                name: crate::tuf::keys::secret_keys::SNAPSHOT_KEY,
            },
            Key {
                id: "timestamp_key",
                name: crate::tuf::keys::secret_keys::TIMESTAMP_KEY,
            },
            Key {
                id: "root_json",
                name: crate::tuf::keys::secret_keys::ROOT_JSON,
            },
        ],
        made_by: MadeBy::Stage("tuf"),
    };
    /// The repositories' files (public), keys are paths with '/' as `__` (`tuf::mirror`); the
    /// stage maps each key back to its path with the volume's `items`.
    pub const REPOSITORY: Object = Object {
        id: "repository",
        kind: ObjectKind::ConfigMap,
        name: "tuf-repository",
        keys: &[],
        made_by: MadeBy::Stage("tuf"),
    };
    /// The directory the server serves (Caddy's `file-server --root`).
    pub const WEB_DIR: &str = "/web";
    pub const COMPONENT: Component = Component {
        id: "tuf",
        name: "tuf",
        role: "tuf-repository",
        namespace: NamespaceKey::Tuf,
        tier: Tier::Tuf,
        ports: &[Port {
            name: "http",
            container: 8080,
            service: 80,
        }],
        objects: &[SIGNING_KEYS, REPOSITORY],
        paths: &[("web_dir", WEB_DIR)],
        templates: &[
            template!("tuf/service.yaml"),
            template!("tuf/deployment.yaml"),
        ],
        depends_on: &[],
        readiness: "GET /cluster/timestamp.json on http (the repository is mounted)",
        trust: None,
        forwards: &[Forward {
            id: "tuf",
            port: "http",
            default_local: 8080,
            help: "the TUF repository",
            env: env_names::TUF_MIRROR,
        }],
        probes: &[ProbeCheck::TufRepository],
        image: "docker.io/library/caddy:2.11.9",
        sidecars: &[],
        resources: Resources {
            cpu: "10m",
            memory: "16Mi",
            memory_limit: "64Mi",
        },
        replicas: Some(1),
    };
}

/// The namespace template, rendered once per namespace a profile uses, with
/// `namespace.name` and `namespace.key` placeholders.
pub const NAMESPACE_TEMPLATE: Template = template!("namespace.yaml");

/// A set of components installed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// MariaDB, Redis, Trillian, Rekor v1, ct_server, Fulcio.
    Classic,
    /// The classic stack and a timestamp authority (`tsa.enabled`).
    ClassicWithTsa,
    /// Rekor v2 on tiles, TesseraCT, a timestamp authority, Fulcio: no database.
    Modern,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Classic, Profile::ClassicWithTsa, Profile::Modern];

    pub fn components(self) -> &'static [&'static Component] {
        match self {
            Profile::Classic => CLASSIC,
            Profile::ClassicWithTsa => CLASSIC_WITH_TSA,
            Profile::Modern => MODERN,
        }
    }

    /// Its `profile` value.
    pub fn choice(self) -> crate::values::ProfileChoice {
        match self {
            Profile::Classic | Profile::ClassicWithTsa => crate::values::ProfileChoice::Classic,
            Profile::Modern => crate::values::ProfileChoice::Modern,
        }
    }

    /// The component playing `role` in trust, if the profile has one.
    pub fn trust_component(
        self,
        role: fn(TrustRole) -> bool,
    ) -> Option<(&'static Component, Trust)> {
        self.components()
            .iter()
            .find_map(|c| c.trust.filter(|t| role(t.role)).map(|t| (*c, t)))
    }

    /// The namespaces its components live in, in [`NamespaceKey::ALL`] order.
    pub fn namespaces(self) -> Vec<NamespaceKey> {
        NamespaceKey::ALL
            .into_iter()
            .filter(|key| self.components().iter().any(|c| c.namespace == *key))
            .collect()
    }

    /// The component with this id, if the profile has it.
    pub fn component(self, id: &str) -> Option<&'static Component> {
        self.components().iter().copied().find(|c| c.id == id)
    }

    /// Every forwarded port, in component order.
    pub fn forwards(self) -> Vec<(&'static Component, Forward)> {
        self.components()
            .iter()
            .flat_map(|c| c.forwards.iter().map(move |f| (*c, *f)))
            .collect()
    }

    /// Every Secret and ConfigMap a stage creates, with its namespace.
    pub fn stage_objects(self, values: &Values) -> Vec<(String, Object)> {
        self.components()
            .iter()
            .flat_map(|c| {
                c.objects
                    .iter()
                    .filter(|o| matches!(o.made_by, MadeBy::Stage(_)))
                    .map(|o| (c.namespace(values).to_string(), *o))
            })
            .collect()
    }
}

/// The local port of each forward (by [`Forward::id`]): what `forward` listens on and the host
/// trust files name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardPorts(pub BTreeMap<&'static str, u16>);

impl ForwardPorts {
    /// Each forward's default port, for every component of every profile.
    pub fn defaults() -> ForwardPorts {
        ForwardPorts(
            all_forwards()
                .map(|(_, f)| (f.id, f.default_local))
                .collect(),
        )
    }

    /// The local port of forward `id` (a catalog bug if there is none).
    pub fn get(&self, id: &str) -> u16 {
        *self
            .0
            .get(id)
            .unwrap_or_else(|| panic!("no forward port {id}"))
    }
}

/// Every forward of every component (the `--<id>-port` flags), once per id: components that
/// play the same part in different profiles (Rekor v1 and v2) share their forward.
pub fn all_forwards() -> impl Iterator<Item = (&'static Component, Forward)> {
    let mut seen = std::collections::BTreeSet::new();
    ALL_COMPONENTS
        .iter()
        .flat_map(|c| c.forwards.iter().map(move |f| (*c, *f)))
        .filter(move |(_, f)| seen.insert(f.id))
}

/// The URL Fulcio submits certificates to, which is also how the CT log knows itself: ct_server
/// serves under `ctlog.prefix`; TesseraCT's origin is its host name, and the static-ct-api makes
/// the submission prefix equal to the origin.
pub fn ct_log_url(values: &Values) -> String {
    match values.profile() {
        Profile::Classic | Profile::ClassicWithTsa => format!(
            "http://{}/{}",
            ctlog::COMPONENT.host(values),
            values.ctlog.prefix.trim_matches('/')
        ),
        Profile::Modern => format!("http://{}", tesseract::COMPONENT.host(values)),
    }
}

/// The `catalog.*` placeholders of every component (see the module docs for the names).
pub fn placeholders(values: &Values) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    let mut put = |key: String, value: Value| map.insert(format!("catalog.{key}"), value);
    let text = |s: &str| Value::String(s.to_string());
    // Placeholders exist for every component, whichever profile renders.
    for component in ALL_COMPONENTS {
        let id = component.id;
        put(format!("{id}.name"), text(component.name));
        put(format!("{id}.role"), text(component.role));
        put(format!("{id}.namespace"), text(component.namespace(values)));
        put(format!("{id}.host"), text(&component.host(values)));
        for port in component.ports {
            put(format!("{id}.port.{}", port.name), port.service.into());
            put(
                format!("{id}.container_port.{}", port.name),
                port.container.into(),
            );
        }
        for object in component.objects {
            put(format!("{id}.{}.name", object.id), text(object.name));
            for key in object.keys {
                put(format!("{id}.{}.{}", object.id, key.id), text(key.name));
            }
        }
        for (name, path) in component.paths {
            put(format!("{id}.path.{name}"), text(path));
        }
    }
    map
}

/// Every component of every profile.
pub const ALL_COMPONENTS: &[&Component] = &[
    &mariadb::COMPONENT,
    &redis::COMPONENT,
    &trillian_log_server::COMPONENT,
    &trillian_log_signer::COMPONENT,
    &rekor::COMPONENT,
    &fulcio::COMPONENT,
    &ctlog::COMPONENT,
    &tsa::COMPONENT,
    &rekor_tiles::COMPONENT,
    &tesseract::COMPONENT,
    &tuf::COMPONENT,
];

/// The classic profile, in apply order within each tier.
const CLASSIC: &[&Component] = &[
    &mariadb::COMPONENT,
    &redis::COMPONENT,
    &trillian_log_server::COMPONENT,
    &trillian_log_signer::COMPONENT,
    &rekor::COMPONENT,
    &fulcio::COMPONENT,
    &ctlog::COMPONENT,
    &tuf::COMPONENT,
];

const CLASSIC_WITH_TSA: &[&Component] = &[
    &mariadb::COMPONENT,
    &redis::COMPONENT,
    &trillian_log_server::COMPONENT,
    &trillian_log_signer::COMPONENT,
    &rekor::COMPONENT,
    &fulcio::COMPONENT,
    &tsa::COMPONENT,
    &ctlog::COMPONENT,
    &tuf::COMPONENT,
];

/// The modern profile, as sigstore/scaffolding runs it since Feb 2026.
const MODERN: &[&Component] = &[
    &fulcio::COMPONENT,
    &tsa::COMPONENT,
    &rekor_tiles::COMPONENT,
    &tesseract::COMPONENT,
    &tuf::COMPONENT,
];

#[cfg(test)]
mod tests {
    //! Offline proof that the catalog and the templates agree: every Secret, ConfigMap, key,
    //! Service and port a rendered manifest refers to is produced by a catalog entry (a stage, a
    //! template, or the cluster), with the catalog's name and number.

    use std::collections::{BTreeMap, BTreeSet};

    use serde_yaml_ng::Value;

    use super::*;
    use crate::render::{Manifest, render};

    /// `(namespace, kind, name)` → the keys it has.
    type Produced = BTreeMap<(String, &'static str, String), BTreeSet<String>>;

    fn produced(values: &Values, manifests: &[Manifest]) -> Produced {
        let mut produced = Produced::new();
        for component in values.profile().components() {
            for object in component.objects {
                let keys = object.keys.iter().map(|k| k.name.to_string()).collect();
                produced.insert(
                    (
                        component.namespace(values).to_string(),
                        object.kind.kind(),
                        object.name.to_string(),
                    ),
                    keys,
                );
            }
        }
        // Services come from templates; their ports are checked against the catalog below.
        for m in manifests.iter().filter(|m| m.kind() == "Service") {
            let ports = m.object["spec"]["ports"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            produced.insert(
                (m.namespace().unwrap().into(), "Service", m.name().into()),
                ports,
            );
        }
        produced
    }

    fn text(value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// Every reference that points at nothing the catalog (or a template) produces.
    fn dangling_references(values: &Values, manifests: &[Manifest]) -> Vec<String> {
        let produced = produced(values, manifests);
        let mut problems = Vec::new();
        for m in manifests {
            let ns = m.namespace().unwrap_or_default().to_string();
            let what = m.describe();
            let component = m.component.and_then(|id| values.profile().component(id));
            // Template-made objects: the catalog's name and keys are what the template renders.
            if let Some(component) = component {
                for object in component
                    .objects
                    .iter()
                    .filter(|o| o.made_by == MadeBy::Template)
                {
                    if m.kind() == object.kind.kind() && m.name() == object.name {
                        for key in object.keys {
                            if m.object["data"].get(key.name).is_none() {
                                problems.push(format!("{what}: has no key {:?}", key.name));
                            }
                        }
                    }
                }
            }
            if m.kind() == "Service" {
                let component = component.expect("every Service belongs to a component");
                if m.name() != component.name {
                    problems.push(format!("{what}: not named {}", component.name));
                }
                for port in m.object["spec"]["ports"].as_sequence().unwrap() {
                    let name = port["name"].as_str().unwrap();
                    match component.ports.iter().find(|p| p.name == name) {
                        Some(p) if text(&port["port"]) == p.service.to_string() => {}
                        _ => problems.push(format!("{what}: port {name} is not the catalog's")),
                    }
                }
            }
            let Some(pod) = m.object.get("spec").and_then(|s| s.get("template")) else {
                continue;
            };
            let pod = &pod["spec"];
            for volume in pod["volumes"].as_sequence().into_iter().flatten() {
                for (field, kind, name_field) in [
                    ("secret", "Secret", "secretName"),
                    ("configMap", "ConfigMap", "name"),
                ] {
                    let Some(source) = volume.get(field) else {
                        continue;
                    };
                    let name = source[name_field].as_str().unwrap();
                    let items = source["items"].as_sequence().cloned().unwrap_or_default();
                    problems.extend(missing(
                        &produced,
                        format!("{what} volume"),
                        &ns,
                        kind,
                        name,
                        None,
                    ));
                    for item in items {
                        problems.extend(missing(
                            &produced,
                            format!("{what} volume"),
                            &ns,
                            kind,
                            name,
                            item["key"].as_str(),
                        ));
                    }
                }
            }
            for container in pod["containers"].as_sequence().into_iter().flatten() {
                for env in container["env"].as_sequence().into_iter().flatten() {
                    for (field, kind) in
                        [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")]
                    {
                        if let Some(reference) = env.get("valueFrom").and_then(|v| v.get(field)) {
                            problems.extend(missing(
                                &produced,
                                format!("{what} env {}", text(&env["name"])),
                                &ns,
                                kind,
                                reference["name"].as_str().unwrap(),
                                reference["key"].as_str(),
                            ));
                        }
                    }
                }
                let component = component.expect("every workload belongs to a component");
                let mut port_names = BTreeSet::new();
                for port in container["ports"].as_sequence().into_iter().flatten() {
                    let name = port["name"].as_str().unwrap();
                    port_names.insert(name.to_string());
                    match component.ports.iter().find(|p| p.name == name) {
                        Some(p) if text(&port["containerPort"]) == p.container.to_string() => {}
                        _ => problems.push(format!(
                            "{what}: container port {name} is not the catalog's"
                        )),
                    }
                }
                for probe in ["readinessProbe", "livenessProbe"] {
                    let probe = &container[probe];
                    for action in ["httpGet", "tcpSocket"] {
                        if let Some(port) = probe.get(action).map(|a| &a["port"])
                            && !port_names.contains(&text(port))
                        {
                            problems.push(format!("{what}: a probe names port {}", text(port)));
                        }
                    }
                }
                // Every in-cluster host an argument names is a component's Service, with one
                // of its ports.
                for arg in container["args"].as_sequence().into_iter().flatten() {
                    problems.extend(check_hosts(values, &what, &text(arg)));
                }
            }
        }
        problems
    }

    /// What is wrong with a reference to `kind ns/name` (and `key`), if anything.
    fn missing(
        produced: &Produced,
        what: String,
        ns: &str,
        kind: &'static str,
        name: &str,
        key: Option<&str>,
    ) -> Option<String> {
        match produced.get(&(ns.to_string(), kind, name.to_string())) {
            None => Some(format!("{what}: no {kind} {ns}/{name} is produced")),
            Some(keys) => key
                .filter(|key| !keys.contains(*key))
                .map(|key| format!("{what}: {kind} {ns}/{name} has no key {key:?}")),
        }
    }

    /// `<name>.<namespace>.svc[:port]` in `arg` must be a catalog Service and port.
    fn check_hosts(values: &Values, what: &str, arg: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for (at, _) in arg.match_indices(".svc") {
            let start = arg[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
                .map_or(0, |i| i + 1);
            let host = &arg[start..at + 4];
            let port: String = arg[at + 4..]
                .strip_prefix(':')
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let component = values
                .profile()
                .components()
                .iter()
                .find(|c| c.host(values) == host);
            match component {
                None => problems.push(format!("{what}: {arg:?} names unknown host {host}")),
                Some(c)
                    if !port.is_empty()
                        && !c.ports.iter().any(|p| p.service.to_string() == port) =>
                {
                    problems.push(format!("{what}: {arg:?}: {host} has no port {port}"))
                }
                Some(_) => {}
            }
        }
        problems
    }

    fn variants() -> Vec<Values> {
        let mut persistent = Values::default();
        persistent.mysql.persistence = true;
        let mut elsewhere = Values::default();
        elsewhere.namespaces.trillian = "t".into();
        elsewhere.namespaces.ctlog = "c".into();
        elsewhere.fulcio.anonymous_oidc_discovery = true;
        let mut with_tsa = Values::default();
        with_tsa.tsa.enabled = true;
        let modern = Values {
            profile: "modern".into(),
            ..Values::default()
        };
        let mut modern_persistent = modern.clone();
        modern_persistent.rekor_tiles.persistence = true;
        modern_persistent.namespaces.tsa = "t".into();
        vec![
            Values::default(),
            persistent,
            elsewhere,
            with_tsa,
            modern,
            modern_persistent,
        ]
    }

    #[test]
    fn every_reference_in_the_manifests_is_produced_by_the_catalog() {
        for values in variants() {
            let manifests = render(&values).unwrap();
            let problems = dangling_references(&values, &manifests);
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    }

    /// The check above finds what it is for: each kind of broken reference is reported.
    #[test]
    fn a_broken_reference_is_reported() {
        let values = Values::default();
        type Breakage = (&'static str, fn(&mut Manifest));
        let breakages: [Breakage; 5] = [
            ("no Secret", |m| {
                m.object["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] =
                    "ctlog-secret".into()
            }),
            ("has no key", |m| {
                m.object["spec"]["template"]["spec"]["volumes"][0]["secret"]["items"] =
                    serde_yaml_ng::from_str("[{key: passwd, path: x}]").unwrap()
            }),
            ("container port", |m| {
                m.object["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] =
                    6963.into()
            }),
            ("a probe names port", |m| {
                m.object["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]
                    ["port"] = "web".into()
            }),
            ("unknown host", |m| {
                m.object["spec"]["template"]["spec"]["containers"][0]["args"][0] =
                    "--log_config=http://trillian-log-server.trillian-system.svc:8090".into()
            }),
        ];
        for (expected, breakage) in breakages {
            let mut manifests = render(&values).unwrap();
            let ctlog = manifests
                .iter_mut()
                .find(|m| m.kind() == "Deployment" && m.name() == "ctlog")
                .unwrap();
            breakage(ctlog);
            let problems = dangling_references(&values, &manifests);
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected}: {problems:?}"
            );
        }
    }

    #[test]
    fn names_are_unique_and_valid() {
        // Within a profile, names are unique; across profiles a name may be shared by
        // components that play the same part (Rekor v1 and v2 are both `rekor`).
        for profile in Profile::ALL {
            let mut services = BTreeSet::new();
            let mut objects = BTreeMap::new();
            for component in profile.components() {
                assert!(services.insert((component.namespace, component.name)));
                for object in component.objects {
                    let previous =
                        objects.insert((component.namespace, object.kind, object.name), object);
                    assert!(
                        previous.is_none_or(|p| p == object),
                        "{profile:?}: {} is defined twice, differently",
                        object.name
                    );
                }
            }
        }
        for component in ALL_COMPONENTS {
            for dependency in component.depends_on {
                assert!(
                    ALL_COMPONENTS.iter().any(|c| c.id == *dependency),
                    "{} depends on unknown {dependency}",
                    component.id
                );
            }
            if let Some(trust) = component.trust {
                assert!(component.objects.contains(&trust.secret));
                assert!(trust.secret.keys.iter().any(|k| k.name == trust.key));
            }
            for forward in component.forwards {
                component.port(forward.port);
            }
        }
        let ids: BTreeSet<&str> = all_forwards().map(|(_, f)| f.id).collect();
        assert_eq!(ids.len(), all_forwards().count(), "forward ids repeat");
    }

    #[test]
    fn every_component_has_values_keys() {
        let keys: BTreeSet<String> = Values::default()
            .keys()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for component in ALL_COMPONENTS {
            assert!(
                keys.contains(&format!("images.{}", component.id)),
                "{}",
                component.id
            );
            assert!(
                keys.contains(&format!("resources.{}.cpu", component.id)),
                "{}",
                component.id
            );
        }
    }
}
