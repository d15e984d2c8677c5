//! Reading a repository the way a client does, with tough's own loader: starting from a
//! root.json, following timestamp → snapshot → targets, checking every signature, hash, version
//! and expiry, then fetching each target by its hash. Used by the tests and by
//! `status --probe` (over a tunnel to the served repository).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use futures::stream;
use tough::schema::Role;
use tough::{
    IntoVec as _, RepositoryLoader, Transport, TransportError, TransportErrorKind, async_trait,
};
use url::Url;

use super::repository::Files;
use crate::cluster::client::error_chain;

/// What a client found in a repository that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Versions and expiry (Unix seconds) of the current metadata.
    pub root: (u64, i64),
    pub targets: (u64, i64),
    pub snapshot: (u64, i64),
    pub timestamp: (u64, i64),
    /// Every target, by name, with the custom metadata it is listed with.
    pub files: BTreeMap<String, (Vec<u8>, serde_json::Value)>,
}

/// Loads the repository at `base` (a URL ending in '/') through `transport`, trusting
/// `root_json`. The error says what a client would refuse.
pub async fn load(
    root_json: &[u8],
    base: &Url,
    transport: impl Transport + 'static,
) -> anyhow::Result<Loaded> {
    let targets_base = base.join("targets/")?;
    let repository = RepositoryLoader::new(&root_json, base.clone(), targets_base)
        .transport(transport)
        .load()
        .await
        .map_err(|e| anyhow::anyhow!("{}", error_chain(&e)))?;
    let version_and_expiry = |version: std::num::NonZeroU64, expires: jiff::Timestamp| {
        (version.get(), expires.as_second())
    };
    let mut files = BTreeMap::new();
    let names: Vec<_> = repository
        .all_targets()
        .map(|(name, target)| (name.clone(), target.custom.clone()))
        .collect();
    for (name, custom) in names {
        let stream = repository
            .read_target(&name)
            .await
            .map_err(|e| anyhow::anyhow!("target {}: {}", name.raw(), error_chain(&e)))?
            .ok_or_else(|| anyhow::anyhow!("target {} is listed but not served", name.raw()))?;
        let bytes = stream
            .into_vec()
            .await
            .map_err(|e| anyhow::anyhow!("target {}: {}", name.raw(), error_chain(&e)))?;
        let custom = serde_json::to_value(custom)?;
        files.insert(name.raw().to_string(), (bytes, custom));
    }
    let root = &repository.root().signed;
    let targets = &repository.targets().signed;
    let snapshot = &repository.snapshot().signed;
    let timestamp = &repository.timestamp().signed;
    Ok(Loaded {
        root: version_and_expiry(root.version, root.expires),
        targets: version_and_expiry(targets.version(), targets.expires()),
        snapshot: version_and_expiry(snapshot.version(), snapshot.expires()),
        timestamp: version_and_expiry(timestamp.version(), timestamp.expires()),
        files,
    })
}

/// Serves files from memory: `http://<any host>/<path>` is `files[path]`.
#[derive(Debug, Clone)]
pub struct MemoryTransport(pub Arc<Files>);

#[async_trait]
impl Transport for MemoryTransport {
    async fn fetch(&self, url: Url) -> Result<tough::TransportStream, TransportError> {
        let path = url.path().trim_start_matches('/');
        match self.0.get(path) {
            Some(bytes) => Ok(Box::pin(stream::once(std::future::ready(Ok(
                tough::Bytes::from(bytes.clone()),
            ))))),
            None => Err(TransportError::new(TransportErrorKind::FileNotFound, url)),
        }
    }
}

/// Fetches `http://…/<path>` from one address (a tunnel's local end), whatever the URL's host.
#[derive(Debug, Clone, Copy)]
pub struct AddressTransport(pub SocketAddr);

#[async_trait]
impl Transport for AddressTransport {
    async fn fetch(&self, url: Url) -> Result<tough::TransportStream, TransportError> {
        match crate::probe::http_get(self.0, url.path()).await {
            Ok((status, body)) if status == http::StatusCode::OK => Ok(Box::pin(stream::once(
                std::future::ready(Ok(tough::Bytes::from(body))),
            ))),
            Ok((status, _)) if status == http::StatusCode::NOT_FOUND => {
                Err(TransportError::new(TransportErrorKind::FileNotFound, url))
            }
            Ok((status, _)) => Err(TransportError::new_with_cause(
                TransportErrorKind::Other,
                url,
                std::io::Error::other(format!("answered {status}")),
            )),
            Err(error) => Err(TransportError::new_with_cause(
                TransportErrorKind::Other,
                url,
                std::io::Error::other(format!("{error:#}")),
            )),
        }
    }
}
