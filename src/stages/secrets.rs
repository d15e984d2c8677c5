//! "secrets": mint every password, key and certificate in-process and store them as Secrets,
//! before any pod that mounts them is applied (the kubelet retries a missing volume on a
//! doubling back-off, so a pod that starts first waits seconds for nothing), and so that Fulcio
//! and the CT log can start together instead of one waiting on the other.
//!
//! Converging: a Secret that exists is kept as it is, never re-minted (MariaDB was initialised
//! with its passwords; the trust material clients hold names its keys). It is parsed and checked
//! instead, and a broken one is reported with how to recover. Only copies of public material
//! (`ctlog-public-key`, `rekor-public-key`, the CT log's copy of Fulcio's root) are re-applied
//! from the keys they copy.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{ObjectMeta, Patch, PatchParams, PostParams};

use super::{Context, Made, Outcome, SecretOutcome, StageFuture};
use crate::catalog::{
    Component, Key, Object, ctlog, fulcio, mariadb, rekor, rekor_tiles, tesseract, tsa,
};
use crate::cluster::apply::to_dynamic;
use crate::setup::certs::{EcKeyPair, Ed25519Key, FulcioCa, FulcioCaOptions, TsaSigner};
use crate::setup::secret::Password;
use crate::ui::StageLine;

/// The MariaDB passwords, as read from (or stored into) the MariaDB credentials Secret.
#[derive(Clone)]
pub struct MysqlCredentials {
    pub root_password: String,
    /// Password of the Trillian user (`mysql.user`).
    pub password: String,
}

impl std::fmt::Debug for MysqlCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MysqlCredentials { <redacted> }")
    }
}

/// What the "trees" stage needs of the CT log's key to write its config.
#[derive(Debug, Clone)]
pub struct CtlogKey {
    pub key: EcKeyPair,
    /// The Secret holds the key in the encrypted form of earlier versions (with a password):
    /// the "trees" stage stores it unencrypted along with the config.
    pub legacy_encrypted: bool,
}

pub type SecretData = BTreeMap<String, Vec<u8>>;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        // Each component of the profile that owns keys gets them, in this order: the CT logs
        // copy Fulcio's root, so Fulcio's CA comes first.
        let profile = ctx.values.profile();
        let has = |component: &Component| profile.component(component.id).is_some();
        let mut report = Vec::new();
        if has(&mariadb::COMPONENT) {
            report.push(mariadb_credentials(ctx, line).await?);
        }
        let (outcome, fulcio_ca) = fulcio_ca(ctx, line).await?;
        report.push(outcome);
        let root_pem = fulcio_ca.cert_pem().as_bytes().to_vec();
        if has(&ctlog::COMPONENT) {
            report.push(ctlog_secrets(ctx, line, &root_pem).await?);
        }
        if has(&tesseract::COMPONENT) {
            report.push(tesseract_secrets(ctx, line, &root_pem).await?);
        }
        if has(&rekor::COMPONENT) {
            report.push(rekor_key(ctx, line).await?);
        }
        if has(&rekor_tiles::COMPONENT) {
            report.push(rekor_tiles_key(ctx, line).await?);
        }
        if has(&tsa::COMPONENT) {
            report.push(tsa_signer(ctx, line).await?);
        }
        Ok(Outcome::Secrets(report))
    })
}

fn done(name: &'static str, made: Made) -> SecretOutcome {
    SecretOutcome {
        name,
        made,
        updated: None,
    }
}

async fn mariadb_credentials(ctx: &mut Context, line: &StageLine) -> anyhow::Result<SecretOutcome> {
    let secret = mariadb::CREDENTIALS;
    line.progress(secret.name);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &mariadb::COMPONENT, secret), || {
        Ok(BTreeMap::from([
            (
                mariadb::ROOT_PASSWORD.name.into(),
                Password::generate().expose().into(),
            ),
            (
                mariadb::PASSWORD.name.into(),
                Password::generate().expose().into(),
            ),
        ]))
    })
    .await?;
    let mysql = MysqlCredentials {
        root_password: utf8_entry(&data, mariadb::ROOT_PASSWORD.name, secret.name)?,
        password: utf8_entry(&data, mariadb::PASSWORD.name, secret.name)?,
    };
    ctx.redact.push(mysql.root_password.clone());
    ctx.redact.push(mysql.password.clone());
    ctx.mysql.set(mysql);
    Ok(done(secret.name, made))
}

async fn fulcio_ca(
    ctx: &mut Context,
    line: &StageLine,
) -> anyhow::Result<(SecretOutcome, FulcioCa)> {
    let secret = fulcio::CA;
    line.progress(secret.name);
    let validity = Duration::from_secs(u64::from(ctx.values.lifetimes.fulcio_ca_days) * 86_400);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &fulcio::COMPONENT, secret), || {
        let options = FulcioCaOptions {
            validity,
            ..FulcioCaOptions::default()
        };
        Ok(FulcioCa::generate(&options)?.to_secret_data())
    })
    .await?;
    let fulcio_ca = FulcioCa::from_secret_data(&data).map_err(|e| broken(secret.name, &e))?;
    ctx.redact
        .push(utf8_entry(&data, fulcio::PASSWORD.name, secret.name)?);
    Ok((done(secret.name, made), fulcio_ca))
}

/// ct_server's key, with Fulcio's root as the root it accepts.
async fn ctlog_secrets(
    ctx: &mut Context,
    line: &StageLine,
    root_pem: &[u8],
) -> anyhow::Result<SecretOutcome> {
    let secret = ctlog::SECRETS;
    line.progress(secret.name);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &ctlog::COMPONENT, secret), || {
        let key = EcKeyPair::generate();
        Ok(BTreeMap::from([
            (ctlog::PRIVATE.name.into(), key.to_pkcs8_pem()?.into()),
            (ctlog::PUBLIC.name.into(), key.public_key_pem().into()),
            (ctlog::ROOTCA.name.into(), root_pem.to_vec()),
        ]))
    })
    .await?;
    let private = entry(&data, ctlog::PRIVATE.name, secret.name)?;
    let legacy_encrypted = EcKeyPair::is_legacy_encrypted(private);
    let ctlog_key = if legacy_encrypted {
        let password = entry(&data, ctlog::LEGACY_PASSWORD.name, secret.name)?;
        let password = Password::from_bytes(password).map_err(|e| broken(secret.name, &e))?;
        ctx.redact.push(password.expose().to_string());
        EcKeyPair::from_legacy_encrypted_pem(private, &password)
    } else {
        EcKeyPair::from_pem(private)
    }
    .map_err(|e| broken(secret.name, &e))?;
    let mut outcome = done(secret.name, made);
    outcome.updated = update_root_copy(
        ctx,
        &ctlog::COMPONENT,
        secret,
        ctlog::ROOTCA,
        &data,
        root_pem,
    )
    .await?;
    apply_public_copy(
        ctx,
        Owner::new(ctx, &ctlog::COMPONENT, ctlog::PUBLIC_KEY),
        ctlog::PUBLIC.name,
        &ctlog_key.public_key_pem(),
    )
    .await?;
    ctx.ctlog_key.set(CtlogKey {
        key: ctlog_key,
        legacy_encrypted,
    });
    Ok(outcome)
}

/// Brings a CT log's copy of Fulcio's root (key `key` of its Secret) up to date: Fulcio's root
/// was re-minted when its Secret was deleted, and the CT log must accept the new one. Returns the
/// key when it was updated.
async fn update_root_copy(
    ctx: &Context,
    component: &Component,
    secret: Object,
    key: Key,
    data: &SecretData,
    root_pem: &[u8],
) -> anyhow::Result<Option<&'static str>> {
    if data.get(key.name).map(Vec::as_slice) == Some(root_pem) {
        return Ok(None);
    }
    merge_secret_data(
        ctx,
        component.namespace(&ctx.values),
        secret.name,
        key.name,
        root_pem,
    )
    .await?;
    Ok(Some(key.name))
}

/// TesseraCT's key (SEC1 PEM), with Fulcio's root as the root it accepts.
async fn tesseract_secrets(
    ctx: &mut Context,
    line: &StageLine,
    root_pem: &[u8],
) -> anyhow::Result<SecretOutcome> {
    let secret = tesseract::SECRETS;
    line.progress(secret.name);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &tesseract::COMPONENT, secret), || {
        Ok(BTreeMap::from([
            (
                tesseract::PRIVATE.name.into(),
                EcKeyPair::generate().to_sec1_pem()?.into(),
            ),
            (tesseract::ROOTS.name.into(), root_pem.to_vec()),
        ]))
    })
    .await?;
    let key = EcKeyPair::from_pem(entry(&data, tesseract::PRIVATE.name, secret.name)?)
        .map_err(|e| broken(secret.name, &e))?;
    let mut outcome = done(secret.name, made);
    outcome.updated = update_root_copy(
        ctx,
        &tesseract::COMPONENT,
        secret,
        tesseract::ROOTS,
        &data,
        root_pem,
    )
    .await?;
    apply_public_copy(
        ctx,
        Owner::new(ctx, &tesseract::COMPONENT, ctlog::PUBLIC_KEY),
        ctlog::PUBLIC.name,
        &key.public_key_pem(),
    )
    .await?;
    Ok(outcome)
}

/// Rekor v1's P-256 key.
async fn rekor_key(ctx: &mut Context, line: &StageLine) -> anyhow::Result<SecretOutcome> {
    let secret = rekor::SIGNING_KEY;
    line.progress(secret.name);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &rekor::COMPONENT, secret), || {
        Ok(BTreeMap::from([(
            rekor::PRIVATE.name.into(),
            EcKeyPair::generate().to_pkcs8_pem()?.into(),
        )]))
    })
    .await?;
    let rekor_key = EcKeyPair::from_pem(entry(&data, rekor::PRIVATE.name, secret.name)?)
        .map_err(|e| broken(secret.name, &e))?;
    apply_public_copy(
        ctx,
        Owner::new(ctx, &rekor::COMPONENT, rekor::PUBLIC_KEY),
        rekor::PUBLIC.name,
        &rekor_key.public_key_pem(),
    )
    .await?;
    Ok(done(secret.name, made))
}

/// Rekor v2's Ed25519 key.
async fn rekor_tiles_key(ctx: &mut Context, line: &StageLine) -> anyhow::Result<SecretOutcome> {
    let secret = rekor::SIGNING_KEY;
    line.progress(secret.name);
    let (data, made) = ensure_secret(
        ctx,
        Owner::new(ctx, &rekor_tiles::COMPONENT, secret),
        || {
            Ok(BTreeMap::from([(
                rekor::PRIVATE.name.into(),
                Ed25519Key::generate().to_pkcs8_pem()?.into(),
            )]))
        },
    )
    .await?;
    let key = Ed25519Key::from_pem(entry(&data, rekor::PRIVATE.name, secret.name)?)
        .map_err(|e| broken(secret.name, &e))?;
    apply_public_copy(
        ctx,
        Owner::new(ctx, &rekor_tiles::COMPONENT, rekor::PUBLIC_KEY),
        rekor::PUBLIC.name,
        &key.public_key_pem(),
    )
    .await?;
    Ok(done(secret.name, made))
}

/// The timestamp authority's key and chain.
async fn tsa_signer(ctx: &mut Context, line: &StageLine) -> anyhow::Result<SecretOutcome> {
    let secret = tsa::SIGNER;
    line.progress(secret.name);
    let validity = Duration::from_secs(u64::from(ctx.values.lifetimes.tsa_ca_days) * 86_400);
    let (data, made) = ensure_secret(ctx, Owner::new(ctx, &tsa::COMPONENT, secret), || {
        let signer = TsaSigner::generate(validity)?;
        Ok(BTreeMap::from([
            (tsa::PRIVATE.name.into(), signer.private_key_pem()?.into()),
            (tsa::CHAIN.name.into(), signer.chain_pem().into()),
        ]))
    })
    .await?;
    TsaSigner::from_secret_data(
        entry(&data, tsa::PRIVATE.name, secret.name)?,
        entry(&data, tsa::CHAIN.name, secret.name)?,
    )
    .map_err(|e| broken(secret.name, &e))?;
    Ok(done(secret.name, made))
}

/// Where a Secret lives and how it is labelled: a catalog object of a component.
pub struct Owner {
    pub namespace: String,
    pub name: &'static str,
    pub component: &'static Component,
}

impl Owner {
    pub fn new(ctx: &Context, component: &'static Component, object: Object) -> Owner {
        Owner {
            namespace: component.namespace(&ctx.values).to_string(),
            name: object.name,
            component,
        }
    }

    fn secret(&self, ctx: &Context, data: SecretData) -> Secret {
        let mut labels = ctx.values.ownership_labels();
        for (key, value) in self.component.labels() {
            labels.insert(key.into(), value.into());
        }
        Secret {
            metadata: ObjectMeta {
                name: Some(self.name.into()),
                namespace: Some(self.namespace.clone()),
                labels: Some(labels),
                ..Default::default()
            },
            type_: Some("Opaque".into()),
            data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
            ..Default::default()
        }
    }
}

/// Returns the data of Secret `owner`: the existing one's ("exists"), or `mint`'s after creating
/// it ("created"). Create, not apply: if another install created it meanwhile, theirs wins.
pub async fn ensure_secret(
    ctx: &Context,
    owner: Owner,
    mint: impl FnOnce() -> anyhow::Result<SecretData>,
) -> anyhow::Result<(SecretData, Made)> {
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), &owner.namespace);
    let access = |e: kube::Error| ctx.cluster.access_error(&e);
    if let Some(existing) = api.get_opt(owner.name).await.map_err(access)? {
        return Ok((data_of(&existing), Made::Exists));
    }
    let secret = owner.secret(
        ctx,
        mint().with_context(|| format!("minting {}", owner.name))?,
    );
    let stored = match api.create(&PostParams::default(), &secret).await {
        Ok(created) => created,
        Err(kube::Error::Api(status)) if status.code == 409 => {
            api.get(owner.name).await.map_err(access)?
        }
        Err(e) => return Err(access(e)),
    };
    Ok((data_of(&stored), Made::Created))
}

/// Server-side applies a Secret holding one public key under `key`: derived from the private
/// key, so it is always brought back to match it.
async fn apply_public_copy(
    ctx: &Context,
    owner: Owner,
    key: &str,
    public_pem: &str,
) -> anyhow::Result<()> {
    let secret = owner.secret(
        ctx,
        BTreeMap::from([(key.into(), public_pem.as_bytes().to_vec())]),
    );
    ctx.applier.apply(&to_dynamic(&secret)?).await?;
    Ok(())
}

/// Sets one key of an existing Secret (a JSON merge patch touches nothing else).
pub async fn merge_secret_data(
    ctx: &Context,
    namespace: &str,
    name: &str,
    key: &str,
    value: &[u8],
) -> anyhow::Result<()> {
    merge_secret_entries(ctx, namespace, name, &[(key, Some(value))]).await
}

/// Sets (`Some`) or removes (`None`) keys of an existing Secret in one JSON merge patch, so a
/// pod mounting it sees all of the changes or none.
pub async fn merge_secret_entries(
    ctx: &Context,
    namespace: &str,
    name: &str,
    entries: &[(&str, Option<&[u8]>)],
) -> anyhow::Result<()> {
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), namespace);
    let data: serde_json::Map<String, serde_json::Value> = entries
        .iter()
        .map(|(key, value)| {
            let value = value.map_or(serde_json::Value::Null, |v| {
                serde_json::json!(ByteString(v.to_vec()))
            });
            ((*key).to_owned(), value)
        })
        .collect();
    let patch = serde_json::json!({ "data": data });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?;
    Ok(())
}

fn data_of(secret: &Secret) -> SecretData {
    secret
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect()
}

fn entry<'d>(data: &'d SecretData, key: &str, secret: &str) -> anyhow::Result<&'d [u8]> {
    data.get(key)
        .filter(|v| !v.is_empty())
        .map(Vec::as_slice)
        .ok_or_else(|| broken(secret, &format!("it has no {key:?}")))
}

fn utf8_entry(data: &SecretData, key: &str, secret: &str) -> anyhow::Result<String> {
    String::from_utf8(entry(data, key, secret)?.to_vec())
        .map_err(|_| broken(secret, &format!("{key:?} is not UTF-8")))
}

/// A Secret of ours that exists but cannot be used: say what is wrong and how to start over.
fn broken(secret: &str, problem: &dyn std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!(
        "Secret {secret} exists but cannot be used: {problem}. sigstore-up never overwrites an existing key; \
         to start over with new keys run `sigstore-up teardown --yes` and install again \
         (clients must then fetch the new trust material)"
    )
}
