//! "trust": the files a signing client needs (trusted_root.json, signing_config.json, PEMs, env),
//! for both audiences, read back from what install stored in the cluster.
//!
//! One stack has one set of public keys but two kinds of clients: pods inside the cluster reach
//! the services by Service DNS names (`cluster/`), programs on this machine through
//! `sigstore-up forward`'s fixed loopback ports (`host/`). Both directories live in the instance's
//! state directory ([`state_dir`]), next to forward's pid and log files:
//!
//! ```text
//! $XDG_STATE_HOME/sigstore-up/<instance>/     (default ~/.local/state/sigstore-up/<instance>/)
//!   cluster/  trusted_root.json signing_config.json client_trust_config.json
//!             fulcio_root.pem ctlog_public.pem rekor_public.pem env
//!   host/     the same files, with http://127.0.0.1:<port> URLs
//!   forward.pid, forward.log
//! ```
//!
//! Everything is read from public material only: the Fulcio root certificate (Secret
//! `fulcio-secret` key `cert`; the other keys of that Secret are dropped unread) and the public
//! keys of Rekor and the CT log (Secrets `rekor-public-key`, `ctlog-public-key`, key `public`).
//! A key's validity starts at its Secret's creationTimestamp (when install minted it; it never
//! changes on re-runs), so the files are byte-identical every time.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;

use crate::cluster::Cluster;
use crate::error::Failure;
use crate::pipeline::{Context, StageFuture};
use crate::trust::{
    CertificateChain, Endpoints, PublicKey, ServiceUrl, Timestamp, TrustBundle, TrustMaterial,
};
use crate::ui::StageLine;
use crate::values::Values;

/// Secret holding the Fulcio CA; only its `cert` key (PEM root certificate) is used here.
pub const FULCIO_SECRET: &str = "fulcio-secret";
pub const FULCIO_CERT_KEY: &str = "cert";
/// Secrets holding the logs' public keys (PEM SubjectPublicKeyInfo) under [`PUBLIC_KEY_KEY`].
pub const REKOR_PUBLIC_SECRET: &str = "rekor-public-key";
pub const CTLOG_PUBLIC_SECRET: &str = "ctlog-public-key";
pub const PUBLIC_KEY_KEY: &str = "public";

/// Service names and ports the services are reached at (the templates define them).
pub const REKOR_SERVICE: &str = "rekor";
pub const FULCIO_SERVICE: &str = "fulcio";
pub const CTLOG_SERVICE: &str = "ctlog";
pub const HTTP_SERVICE_PORT: u16 = 80;
pub const FULCIO_GRPC_SERVICE_PORT: u16 = 5554;

/// Subdirectories of the trust directory, one per audience.
pub const CLUSTER_SUBDIR: &str = "cluster";
pub const HOST_SUBDIR: &str = "host";

/// The loopback ports `sigstore-up forward` listens on, which the host audience's URLs name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardPorts {
    pub rekor: u16,
    pub fulcio: u16,
    pub fulcio_grpc: u16,
    pub ctlog: u16,
}

impl ForwardPorts {
    /// The ports the services listen on in their containers (and sigstore/scaffolding's local
    /// setup uses), so URLs look familiar.
    pub const DEFAULT: ForwardPorts = ForwardPorts {
        rekor: 3000,
        fulcio: 5555,
        fulcio_grpc: 5554,
        ctlog: 6962,
    };
}

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

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress("reading public keys and the Fulcio root");
        let material = gather_trust_material(&ctx.cluster, &ctx.values).await?;
        let issuer = issuer_url(&ctx.cluster, &ctx.values).await?;
        let dir = match state_dir(&ctx.values.instance) {
            Ok(dir) => dir,
            // Everything is installed; only the local copy has no default place. Not worth
            // failing the install for: say how to get the files.
            Err(error) => {
                ctx.ui.warn(&format!(
                    "{error:#}; write the trust files with `sigstore-up trust -o DIR`"
                ));
                return Ok("skipped (no directory)".to_string());
            }
        };
        line.progress(&format!("writing {}", dir.display()));
        write_both_audiences(
            &material,
            &ctx.values,
            &ForwardPorts::DEFAULT,
            &issuer,
            &dir,
        )?;
        Ok(format!("written to {}", dir.display()))
    })
}

/// Reads the stack's public trust material from the Secrets install created. A missing Secret
/// or key is an error telling the user to run install.
pub async fn gather_trust_material(
    cluster: &Cluster,
    values: &Values,
) -> anyhow::Result<TrustMaterial> {
    let namespaces = &values.namespaces;
    let (fulcio, rekor, ctlog) = tokio::try_join!(
        read_secret_key(cluster, &namespaces.fulcio, FULCIO_SECRET, FULCIO_CERT_KEY),
        read_secret_key(
            cluster,
            &namespaces.rekor,
            REKOR_PUBLIC_SECRET,
            PUBLIC_KEY_KEY
        ),
        read_secret_key(
            cluster,
            &namespaces.ctlog,
            CTLOG_PUBLIC_SECRET,
            PUBLIC_KEY_KEY
        ),
    )?;
    let unusable = |what: &SecretValue, error: crate::trust::TrustInputError| {
        anyhow::anyhow!(
            "Secret {} key {:?} is not usable: {error}; it was changed after install created it \
             (delete it and run `sigstore-up install` to mint a new one)",
            what.name,
            what.key
        )
    };
    Ok(TrustMaterial {
        rekor_public_key: PublicKey::parse(&rekor.bytes).map_err(|e| unusable(&rekor, e))?,
        rekor_valid_from: rekor.created,
        ctlog_public_key: PublicKey::parse(&ctlog.bytes).map_err(|e| unusable(&ctlog, e))?,
        ctlog_valid_from: ctlog.created,
        fulcio_chain: CertificateChain::parse(&fulcio.bytes).map_err(|e| unusable(&fulcio, e))?,
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

/// The URLs one audience reaches the services at.
pub fn endpoints(
    values: &Values,
    audience: Audience,
    ports: &ForwardPorts,
    issuer: &ServiceUrl,
) -> anyhow::Result<Endpoints> {
    let ns = &values.namespaces;
    let prefix = values.ctlog.prefix.trim_matches('/');
    let (rekor, fulcio, fulcio_grpc, ctlog) = match audience {
        Audience::Cluster => (
            format!("http://{REKOR_SERVICE}.{}.svc", ns.rekor),
            format!("http://{FULCIO_SERVICE}.{}.svc", ns.fulcio),
            format!(
                "http://{FULCIO_SERVICE}.{}.svc:{FULCIO_GRPC_SERVICE_PORT}",
                ns.fulcio
            ),
            format!("http://{CTLOG_SERVICE}.{}.svc/{prefix}", ns.ctlog),
        ),
        Audience::Host => (
            format!("http://127.0.0.1:{}", ports.rekor),
            format!("http://127.0.0.1:{}", ports.fulcio),
            format!("http://127.0.0.1:{}", ports.fulcio_grpc),
            format!("http://127.0.0.1:{}/{prefix}", ports.ctlog),
        ),
    };
    let url = |text: String| {
        ServiceUrl::parse(&text).map_err(|e| {
            Failure::BadInput(format!(
                "{e}: check namespaces.* and ctlog.prefix in the values"
            ))
        })
    };
    Ok(Endpoints {
        rekor: url(rekor)?,
        fulcio: url(fulcio)?,
        fulcio_grpc: Some(url(fulcio_grpc)?),
        ctlog: url(ctlog)?,
        oidc_issuer: issuer.clone(),
    })
}

/// Writes the files of both audiences into `dir/cluster` and `dir/host`.
pub fn write_both_audiences(
    material: &TrustMaterial,
    values: &Values,
    ports: &ForwardPorts,
    issuer: &ServiceUrl,
    dir: &Path,
) -> anyhow::Result<()> {
    for audience in [Audience::Cluster, Audience::Host] {
        let endpoints = endpoints(values, audience, ports, issuer)?;
        TrustBundle::new(material, endpoints).write_to_dir(&dir.join(audience.subdir()))?;
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
