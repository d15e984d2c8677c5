//! The installed instance's TUF repository as commands see it: its root (read from the Secret
//! install minted), where each audience reaches the mirror, the repository files (its
//! ConfigMap), what the repository must hold for the current trust material, and the
//! `status --probe` check of what is served. The repository logic itself is `tuf`'s.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::Context as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;

use crate::catalog::{self, ForwardPorts, ProbeCheck};
use crate::cluster::Cluster;
use crate::error::Failure;
use crate::instance::{Audience, endpoints, service_url};
use crate::probe::{Check, Outcome};
use crate::trust::{ServiceUrl, TrustBundle, TrustMaterial, TufMirror};
use crate::tuf::keys::secret_keys;
use crate::tuf::mirror::{Audience as MirrorAudience, from_config_map_data, subtree};
use crate::tuf::repository::Files;
use crate::tuf::sigstore::targets_of;
use crate::values::Values;

/// The audiences, each with its own repository on the mirror.
pub const AUDIENCES: [Audience; 2] = [Audience::Cluster, Audience::Host];

/// Whether this instance's profile serves a TUF repository.
pub fn has_tuf(values: &Values) -> bool {
    values
        .profile()
        .component(catalog::tuf::COMPONENT.id)
        .is_some()
}

/// The mirror URL one audience uses: `http://tuf.<ns>.svc/cluster`, `http://127.0.0.1:<port>/host`.
pub fn mirror_url(
    values: &Values,
    audience: Audience,
    ports: &ForwardPorts,
) -> anyhow::Result<ServiceUrl> {
    service_url(values, audience, ports, &catalog::tuf::COMPONENT, "tuf")
}

/// The root.json install minted (public: only that key of the Secret is kept), or None when the
/// profile has no TUF repository. A missing Secret means install has not run (or not to the end).
pub async fn root_json(cluster: &Cluster, values: &Values) -> anyhow::Result<Option<Vec<u8>>> {
    if !has_tuf(values) {
        return Ok(None);
    }
    let namespace = catalog::tuf::COMPONENT.namespace(values);
    let name = catalog::tuf::SIGNING_KEYS.name;
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    let secret = api
        .get_opt(name)
        .await
        .map_err(|e| cluster.access_error(&e))
        .with_context(|| format!("reading Secret {namespace}/{name}"))?
        .ok_or_else(|| {
            Failure::NotReady(format!(
                "Secret {namespace}/{name} (the TUF keys) does not exist: the stack is not \
                 installed (completely); run `sigstore-up install` (with the same -f/--set values)"
            ))
        })?;
    let root = secret
        .data
        .and_then(|mut data| data.remove(secret_keys::ROOT_JSON))
        .map(|v| v.0)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Failure::NotReady(format!(
                "Secret {namespace}/{name} has no {:?}: run `sigstore-up install` again",
                secret_keys::ROOT_JSON
            ))
        })?;
    Ok(Some(root))
}

/// `bundle` with the TUF mirror of `audience` and `root` attached (root.json is then written with
/// the trust files, TUF_MIRROR and TUF_ROOT_JSON go into the environment).
pub fn attach(
    bundle: TrustBundle,
    values: &Values,
    audience: Audience,
    ports: &ForwardPorts,
    root: Option<&[u8]>,
) -> anyhow::Result<TrustBundle> {
    Ok(match root {
        Some(root) => bundle.with_tuf(TufMirror {
            mirror: mirror_url(values, audience, ports)?,
            root_json: root.to_vec(),
        }),
        None => bundle,
    })
}

/// The repository files as install stored them (the ConfigMap's data), empty if there are none.
pub async fn stored_files(cluster: &Cluster, values: &Values) -> anyhow::Result<Files> {
    let namespace = catalog::tuf::COMPONENT.namespace(values);
    let api: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), namespace);
    let config_map = api
        .get_opt(catalog::tuf::REPOSITORY.name)
        .await
        .map_err(|e| cluster.access_error(&e))?;
    Ok(config_map
        .and_then(|c| c.data)
        .map(|data| from_config_map_data(&data))
        .unwrap_or_default())
}

/// Each audience's repository contents for this trust material: the targets of its trust bundle
/// (for the host, URLs of the instance's forward ports on this machine, as the trust stage
/// writes them; see `ports`).
pub fn audiences<'a>(
    material: &TrustMaterial,
    values: &Values,
    issuer: &ServiceUrl,
) -> anyhow::Result<Vec<MirrorAudience<'a>>> {
    let ports = crate::ports::for_instance(&values.instance, &Default::default())?;
    AUDIENCES
        .iter()
        .map(|&audience| {
            let endpoints = endpoints(values, audience, &ports, issuer)?;
            Ok(MirrorAudience {
                dir: audience.subdir(),
                targets: targets_of(&TrustBundle::new(material, endpoints)),
            })
        })
        .collect()
}

/// `status --probe`: the repository served at `address` (a tunnel to the TUF Service) verifies
/// from the root install handed out, nothing in it has expired, and each audience's targets are
/// what the trust material makes.
pub async fn probe(
    address: SocketAddr,
    cluster: &Cluster,
    values: &Values,
    material: &TrustMaterial,
) -> Check {
    let name = ProbeCheck::TufRepository.name();
    let result = async {
        let root = root_json(cluster, values)
            .await?
            .context("the profile has no TUF repository")?;
        let issuer = crate::instance::issuer_url(cluster, values).await?;
        let expected = audiences(material, values, &issuer)?;
        let mut details = Vec::new();
        for audience in &expected {
            let dir = audience.dir;
            let served_root = crate::probe::http_get(address, &format!("/{dir}/root.json")).await?;
            if served_root.1 != root {
                return Ok(Err(format!(
                    "{dir}/root.json is not the root.json install handed out (Secret {})",
                    catalog::tuf::SIGNING_KEYS.name
                )));
            }
            let base = url::Url::parse(&format!("http://tuf.invalid/{dir}/"))?;
            let loaded = match crate::tuf::verify::load(
                &root,
                &base,
                crate::tuf::verify::AddressTransport(address),
            )
            .await
            {
                Ok(loaded) => loaded,
                Err(error) => {
                    return Ok(Err(format!(
                        "a TUF client refuses the {dir} repository: {error:#}; run `sigstore-up install` to sign it again"
                    )));
                }
            };
            let served: BTreeMap<&str, &[u8]> = loaded
                .files
                .iter()
                .map(|(name, (bytes, _))| (name.as_str(), bytes.as_slice()))
                .collect();
            let wanted: BTreeMap<&str, &[u8]> = audience
                .targets
                .iter()
                .map(|t| (t.name.as_str(), t.bytes.as_slice()))
                .collect();
            if served != wanted {
                let differ: Vec<&str> = wanted
                    .keys()
                    .chain(served.keys())
                    .filter(|n| served.get(*n) != wanted.get(*n))
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                return Ok(Err(format!(
                    "the {dir} repository's targets differ from the trust material: {}; run \
                     `sigstore-up install` to sign them again",
                    differ.join(", ")
                )));
            }
            let expires = jiff::Timestamp::from_second(loaded.timestamp.1)
                .map(|t| t.to_string())
                .unwrap_or_default();
            details.push(format!(
                "{dir}: {} targets, timestamp v{} until {expires}",
                served.len(),
                loaded.timestamp.0
            ));
        }
        anyhow::Ok(Ok(details.join("; ")))
    }
    .await;
    let (outcome, detail) = match result {
        Ok(Ok(detail)) => (Outcome::Ok, detail),
        Ok(Err(detail)) => (Outcome::Mismatch, detail),
        Err(error) => (Outcome::Unavailable, format!("{error:#}")),
    };
    Check {
        name,
        outcome,
        detail,
    }
}

/// The files of one audience's repository, from all the stored files.
pub fn audience_files(files: &Files, audience: Audience) -> Files {
    subtree(files, audience.subdir())
}
