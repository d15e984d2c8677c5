//! An installed instance as its clients see it: the trust material read back from the cluster,
//! the URLs each audience reaches the services at, and the local state directory.
//!
//! One stack has one set of public keys but two kinds of clients: pods inside the cluster reach
//! the services by Service DNS names (`cluster/`), programs on this machine through
//! `sigstore-up forward`'s loopback ports (`host/`; chosen once per instance, see `ports`). Both
//! directories live in the instance's state directory ([`state_dir`]), next to forward's pid and
//! log files:
//!
//! ```text
//! $XDG_STATE_HOME/sigstore-up/<instance>/     (default ~/.local/state/sigstore-up/<instance>/)
//!   cluster/  trusted_root.json signing_config.json client_trust_config.json
//!             fulcio_root.pem ctlog_public.pem rekor_public.pem env
//!   host/     the same files, with http://127.0.0.1:<port> URLs
//!   forward.pid, forward.log
//!   ports.json   the instance's forward ports (see `ports`)
//! ```
//!
//! Everything is read from public material only, from the Secret and key each component's
//! catalog entry names as its trust contribution (Fulcio's root certificate: the other keys of
//! its Secret are dropped unread; the public keys of Rekor and the CT log).
//! A key's validity starts at its Secret's creationTimestamp (when install minted it; it never
//! changes on re-runs), so the files are byte-identical every time.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::{Api, ResourceExt as _};

use crate::catalog::{self, Component, ForwardPorts, NamespaceKey, TrustRole};
use crate::cluster::Cluster;
use crate::error::Failure;
use crate::trust::{
    CertificateChain, Endpoints, PublicKey, ServiceUrl, Timestamp, TrustBundle, TrustMaterial,
};
use crate::values::{ProfileChoice, Values};

/// Subdirectories of the trust directory, one per audience.
pub const CLUSTER_SUBDIR: &str = "cluster";
pub const HOST_SUBDIR: &str = "host";

/// Which clients a set of trust files is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Pods in the cluster: `http://<service>.<namespace>.svc` URLs.
    Cluster,
    /// Programs on this machine: `http://127.0.0.1:<port>` URLs of `sigstore-up forward`.
    Host,
}

impl Audience {
    pub fn subdir(self) -> &'static str {
        match self {
            Audience::Cluster => CLUSTER_SUBDIR,
            Audience::Host => HOST_SUBDIR,
        }
    }
}

/// Reads the stack's public trust material from the Secrets install created (each component's
/// trust contribution in the catalog). A missing Secret or key is an error telling the user to
/// run install.
pub async fn gather_trust_material(
    cluster: &Cluster,
    values: &Values,
) -> anyhow::Result<TrustMaterial> {
    let profile = values.profile();
    let read = |role: fn(TrustRole) -> bool, what: &'static str| async move {
        let (component, trust) = profile
            .trust_component(role)
            .ok_or_else(|| anyhow::anyhow!("the profile has no {what} (a catalog bug)"))?;
        let value = read_secret_key(
            cluster,
            component.namespace(values),
            trust.secret.name,
            trust.key,
        )
        .await?;
        anyhow::Ok((trust.role, value))
    };
    let tsa = async {
        match profile.trust_component(|r| r == TrustRole::TimestampAuthority) {
            Some(_) => read(
                |r| r == TrustRole::TimestampAuthority,
                "timestamp authority",
            )
            .await
            .map(Some),
            None => Ok(None),
        }
    };
    let (fulcio, (rekor_role, rekor), (_, ctlog), tsa) = tokio::try_join!(
        read(
            |r| r == TrustRole::CertificateAuthority,
            "certificate authority"
        ),
        read(
            |r| matches!(r, TrustRole::TransparencyLog { .. }),
            "transparency log"
        ),
        read(|r| r == TrustRole::CtLog, "CT log"),
        tsa,
    )?;
    let (_, fulcio) = fulcio;
    let unusable = |what: &SecretValue, error: crate::trust::TrustInputError| {
        anyhow::anyhow!(
            "Secret {} key {:?} is not usable: {error}; it was changed after install created it \
             (delete it and run `sigstore-up install` to mint a new one)",
            what.name,
            what.key
        )
    };
    let TrustRole::TransparencyLog { major_api_version } = rekor_role else {
        unreachable!("selected by role")
    };
    let identity = |text: String| {
        ServiceUrl::parse(&text).map_err(|e| {
            Failure::BadInput(format!(
                "{e}: check namespaces.*, rekor.hostname and ctlog.prefix"
            ))
        })
    };
    Ok(TrustMaterial {
        rekor_public_key: PublicKey::parse(&rekor.bytes).map_err(|e| unusable(&rekor, e))?,
        rekor_valid_from: rekor.created,
        rekor_url: identity(format!("http://{}", values.rekor_origin()))?,
        rekor_major_api_version: major_api_version,
        ctlog_public_key: PublicKey::parse(&ctlog.bytes).map_err(|e| unusable(&ctlog, e))?,
        ctlog_valid_from: ctlog.created,
        ctlog_url: identity(catalog::ct_log_url(values))?,
        fulcio_chain: CertificateChain::parse(&fulcio.bytes).map_err(|e| unusable(&fulcio, e))?,
        tsa_chain: match tsa {
            Some((_, tsa)) => {
                Some(CertificateChain::parse(&tsa.bytes).map_err(|e| unusable(&tsa, e))?)
            }
            None => None,
        },
    })
}

/// One value read from a Secret, with when the Secret was created.
struct SecretValue {
    /// `namespace/name`, for messages.
    name: String,
    key: &'static str,
    bytes: Vec<u8>,
    created: Timestamp,
}

async fn read_secret_key(
    cluster: &Cluster,
    namespace: &str,
    name: &str,
    key: &'static str,
) -> anyhow::Result<SecretValue> {
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    let qualified = format!("{namespace}/{name}");
    let secret = api
        .get_opt(name)
        .await
        .map_err(|e| cluster.access_error(&e))
        .with_context(|| format!("reading Secret {qualified}"))?
        .ok_or_else(|| {
            Failure::NotReady(format!(
                "Secret {qualified} does not exist on {} (context {:?}): the stack is not \
                 installed there; run `sigstore-up install` first (with the same -f/--set values)",
                cluster.server, cluster.context
            ))
        })?;
    let created = secret
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|time| Timestamp::from_unix_seconds(time.0.as_second()))
        .with_context(|| format!("Secret {qualified} has no creationTimestamp"))?;
    // Take the one key and let the rest of the Secret (a private key, for fulcio-secret) go.
    let bytes = secret
        .data
        .and_then(|mut data| data.remove(key))
        .map(|value| value.0)
        .filter(|bytes| !bytes.is_empty())
        .ok_or_else(|| {
            Failure::NotReady(format!(
                "Secret {qualified} has no key {key:?}: it was not created by a complete \
                 `sigstore-up install`; run install again"
            ))
        })?;
    Ok(SecretValue {
        name: qualified,
        key,
        bytes,
        created,
    })
}

/// The OIDC issuer Fulcio trusts, exactly as install configured it: `fulcio.issuer_url` when
/// set, else the cluster's service-account issuer.
pub async fn issuer_url(cluster: &Cluster, values: &Values) -> anyhow::Result<ServiceUrl> {
    let text = if values.fulcio.issuer_url.is_empty() {
        cluster.service_account_issuer().await?
    } else {
        values.fulcio.issuer_url.clone()
    };
    ServiceUrl::parse(&text).map_err(|e| {
        Failure::BadInput(format!(
            "the OIDC issuer cannot be used in the trust files: {e}; set fulcio.issuer_url"
        ))
        .into()
    })
}

/// The URL one audience reaches a forwarded port of a component at: the Service's DNS name (with
/// the port unless it is 80) in the cluster, the forward's loopback port on the host; plus the
/// component's URL path (the CT log's prefix).
pub fn service_url(
    values: &Values,
    audience: Audience,
    ports: &ForwardPorts,
    component: &Component,
    forward_id: &str,
) -> anyhow::Result<ServiceUrl> {
    let forward = component
        .forwards
        .iter()
        .find(|f| f.id == forward_id)
        .unwrap_or_else(|| panic!("catalog: {} has no forward {forward_id}", component.id));
    let base = match audience {
        Audience::Cluster => match component.port(forward.port).service {
            80 => format!("http://{}", component.host(values)),
            port => format!("http://{}:{port}", component.host(values)),
        },
        Audience::Host => format!("http://127.0.0.1:{}", ports.get(forward_id)),
    };
    let text = match url_path(values, audience, component) {
        Some(path) => format!("{base}/{path}"),
        None => base,
    };
    ServiceUrl::parse(&text).map_err(|e| {
        Failure::BadInput(format!(
            "{e}: check namespaces.* and ctlog.prefix in the values"
        ))
        .into()
    })
}

/// The path under which a component serves its API, if any (ct_server's `ctlog.prefix`;
/// TesseraCT serves at the root, its origin being its host name; the audience's own repository
/// on the TUF mirror).
fn url_path(values: &Values, audience: Audience, component: &Component) -> Option<String> {
    if component.id == catalog::tuf::COMPONENT.id {
        return Some(audience.subdir().to_string());
    }
    (component.id == catalog::ctlog::COMPONENT.id)
        .then(|| values.ctlog.prefix.trim_matches('/').to_string())
}

/// The URLs one audience reaches the services at.
pub fn endpoints(
    values: &Values,
    audience: Audience,
    ports: &ForwardPorts,
    issuer: &ServiceUrl,
) -> anyhow::Result<Endpoints> {
    // Each URL is of the profile's component that has the forward (Rekor v1 or v2, ...).
    let profile = values.profile();
    let url = |forward: &str| -> anyhow::Result<Option<ServiceUrl>> {
        profile
            .forwards()
            .into_iter()
            .find(|(_, f)| f.id == forward)
            .map(|(component, _)| service_url(values, audience, ports, component, forward))
            .transpose()
    };
    let required = |forward: &str| {
        url(forward)?.ok_or_else(|| anyhow::anyhow!("the profile has no {forward} (a catalog bug)"))
    };
    Ok(Endpoints {
        rekor: required("rekor")?,
        fulcio: required("fulcio")?,
        fulcio_grpc: url("fulcio-grpc")?,
        ctlog: required("ctlog")?,
        tsa: url("tsa")?,
        oidc_issuer: issuer.clone(),
    })
}

/// Writes the files of both audiences into `dir/cluster` and `dir/host`; with the TUF root
/// (see `tuf_instance::root_json`), also root.json and the audience's mirror in the env file.
pub fn write_both_audiences(
    material: &TrustMaterial,
    values: &Values,
    ports: &ForwardPorts,
    issuer: &ServiceUrl,
    tuf_root: Option<&[u8]>,
    dir: &Path,
) -> anyhow::Result<()> {
    for audience in [Audience::Cluster, Audience::Host] {
        let endpoints = endpoints(values, audience, ports, issuer)?;
        let bundle = TrustBundle::new(material, endpoints);
        crate::tuf_instance::attach(bundle, values, audience, ports, tuf_root)?
            .write_to_dir(&dir.join(audience.subdir()))?;
    }
    Ok(())
}

/// Where an instance's local files go: `$XDG_STATE_HOME/sigstore-up/<instance>`, else
/// `$HOME/.local/state/sigstore-up/<instance>` (the XDG default). Not created here.
pub fn state_dir(instance: &str) -> anyhow::Result<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("state")))
        .ok_or_else(|| {
            Failure::BadInput(
                "neither XDG_STATE_HOME nor HOME is set to an absolute path, so there is no \
                 default place for sigstore-up's local files; set one of them, or pass a \
                 directory explicitly (-o/--trust-dir/--pid-file)"
                    .to_string(),
            )
        })?;
    Ok(base.join("sigstore-up").join(instance))
}

/// Removes the trust files install wrote for the instance (`cluster/` and `host/` of its state
/// directory `dir`): once its stack is deleted they name keys that no longer exist, and a new
/// install mints new ones. Only the files sigstore-up writes go, and a directory only when that
/// leaves it empty; the rest of the state directory (`ports.json`, so a new install gets the same
/// ports, and forward's log) stays. Returns the directories emptied of trust files.
pub fn remove_trust_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for audience in [Audience::Cluster, Audience::Host] {
        let subdir = dir.join(audience.subdir());
        let mut any = false;
        for name in crate::trust::file_names::ALL {
            let file = subdir.join(name);
            match std::fs::remove_file(&file) {
                Ok(()) => any = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {}", file.display())),
            }
        }
        // Not empty (a file of the user's): left as it is.
        let _ = std::fs::remove_dir(&subdir);
        if any {
            removed.push(subdir);
        }
    }
    Ok(removed)
}

/// The label on an instance's namespaces recording which profile install ran.
pub const PROFILE_LABEL: &str = "sigstore-up.dev/profile";

/// What install recorded on the cluster: the profile (a label on the instance's namespaces, read
/// from Fulcio's, which every profile has) and whether a timestamp authority runs (its namespace
/// exists). `None` when the instance is not installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installed {
    pub profile: ProfileChoice,
    pub tsa: bool,
}

pub async fn installed(cluster: &Cluster, values: &Values) -> anyhow::Result<Option<Installed>> {
    let api: Api<Namespace> = Api::all(cluster.client.clone());
    let ownership = crate::cluster::Ownership::new(values.ownership_labels());
    let owned = |name: String| {
        let api = api.clone();
        let ownership = ownership.clone();
        async move {
            let namespace = api
                .get_opt(&name)
                .await
                .map_err(|e| cluster.access_error(&e))?;
            anyhow::Ok(namespace.filter(|ns| ownership.owns(ns.labels())))
        }
    };
    let (fulcio, tsa) = tokio::try_join!(
        owned(NamespaceKey::Fulcio.of(values).to_string()),
        owned(NamespaceKey::Tsa.of(values).to_string()),
    )?;
    let Some(fulcio) = fulcio else {
        return Ok(None);
    };
    // Instances installed before profiles existed carry no label: they are classic.
    let profile = fulcio
        .labels()
        .get(PROFILE_LABEL)
        .and_then(|name| ProfileChoice::parse(name))
        .unwrap_or(ProfileChoice::Classic);
    Ok(Some(Installed {
        profile,
        tsa: tsa.is_some(),
    }))
}

/// Makes `values` describe the instance as installed, for the commands that act on what is
/// there (status, teardown, trust, forward, env, token): its recorded profile and TSA replace
/// the defaults. A profile asked for explicitly (`--profile`, `profile=`) that differs is an
/// error naming the installed one.
pub async fn adopt_installed(cluster: &Cluster, values: &mut Values) -> anyhow::Result<()> {
    let Some(installed) = installed(cluster, values).await? else {
        return Ok(());
    };
    let asked = values.profile_choice();
    if asked != installed.profile && values.profile != Values::default().profile {
        return Err(Failure::BadInput(format!(
            "instance {:?} is installed with profile {}, not {}; drop --profile (the installed \
             profile is used), or name another instance (--name NAME)",
            values.instance,
            installed.profile.name(),
            asked.name()
        ))
        .into());
    }
    values.profile = installed.profile.name().to_string();
    values.tsa.enabled = installed.tsa;
    Ok(())
}
