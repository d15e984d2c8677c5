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

use crate::cluster::apply::to_dynamic;
use crate::pipeline::{Context, StageFuture};
use crate::setup::certs::{EcKeyPair, FulcioCa, FulcioCaOptions, secret_keys};
use crate::setup::secret::Password;
use crate::ui::StageLine;
use crate::values::{LABEL_COMPONENT, LABEL_NAME};

/// The MariaDB passwords (namespace trillian): keys `root-password` and `password` (of the
/// Trillian user, `mysql.user`).
pub const MYSQL_SECRET: &str = "trillian-mysql";
pub const MYSQL_ROOT_PASSWORD_KEY: &str = "root-password";
pub const MYSQL_PASSWORD_KEY: &str = "password";
/// Fulcio's file CA (namespace fulcio): keys `cert`, `private` (encrypted), `password`, `public`.
pub const FULCIO_SECRET: &str = "fulcio-secret";
/// The CT log's keys and config (namespace ctlog): `private` (unencrypted PKCS#8 PEM),
/// `public`, `rootca` (Fulcio's root) and `config` (written by the "trees" stage, holding the key).
/// Secrets written by earlier versions hold `private` encrypted (RFC 1423) and its `password`;
/// the "trees" stage rewrites them to this form.
pub const CTLOG_SECRET: &str = "ctlog-secrets";
pub const CTLOG_PRIVATE_KEY: &str = "private";
/// Only in Secrets written by earlier versions: the password of their encrypted `private`.
pub const CTLOG_LEGACY_PASSWORD_KEY: &str = "password";
pub const CTLOG_PUBLIC_KEY: &str = "public";
pub const CTLOG_ROOTCA_KEY: &str = "rootca";
pub const CTLOG_CONFIG_KEY: &str = "config";
/// Public copy of the CT log's key (namespace ctlog), key `public`.
pub const CTLOG_PUBLIC_SECRET: &str = "ctlog-public-key";
/// Rekor's signing key (namespace rekor), key `private`: unencrypted PKCS#8, what
/// `--rekor_server.signer=<file>` loads. A stable key: a restarted Rekor keeps it.
pub const REKOR_KEY_SECRET: &str = "rekor-signing-key";
pub const REKOR_PRIVATE_KEY: &str = "private";
/// Public copy of Rekor's key (namespace rekor), key `public`.
pub const REKOR_PUBLIC_SECRET: &str = "rekor-public-key";
pub const PUBLIC_KEY: &str = "public";

/// Every Secret this stage writes, as `(namespace of values, name)`, for preflight and teardown.
pub fn secret_names(values: &crate::values::Values) -> Vec<(String, &'static str)> {
    let ns = &values.namespaces;
    vec![
        (ns.trillian.clone(), MYSQL_SECRET),
        (ns.fulcio.clone(), FULCIO_SECRET),
        (ns.ctlog.clone(), CTLOG_SECRET),
        (ns.ctlog.clone(), CTLOG_PUBLIC_SECRET),
        (ns.rekor.clone(), REKOR_KEY_SECRET),
        (ns.rekor.clone(), REKOR_PUBLIC_SECRET),
    ]
}

/// The MariaDB passwords, as read from (or stored into) Secret `trillian-mysql`.
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
    /// The Secret holds the key in the encrypted form of earlier versions (with `password`):
    /// the "trees" stage stores it unencrypted along with the config.
    pub legacy_encrypted: bool,
}

type SecretData = BTreeMap<String, Vec<u8>>;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let mut report = Vec::new();

        line.progress(MYSQL_SECRET);
        let (data, outcome) = ensure_secret(ctx, Owner::mysql(ctx), || {
            Ok(BTreeMap::from([
                (
                    MYSQL_ROOT_PASSWORD_KEY.into(),
                    Password::generate().expose().into(),
                ),
                (
                    MYSQL_PASSWORD_KEY.into(),
                    Password::generate().expose().into(),
                ),
            ]))
        })
        .await?;
        let mysql = MysqlCredentials {
            root_password: utf8_entry(&data, MYSQL_ROOT_PASSWORD_KEY, MYSQL_SECRET)?,
            password: utf8_entry(&data, MYSQL_PASSWORD_KEY, MYSQL_SECRET)?,
        };
        ctx.redact.push(mysql.root_password.clone());
        ctx.redact.push(mysql.password.clone());
        ctx.mysql = Some(mysql);
        report.push(format!("{MYSQL_SECRET} {outcome}"));

        line.progress(FULCIO_SECRET);
        let validity = Duration::from_secs(u64::from(ctx.values.lifetimes.fulcio_ca_days) * 86_400);
        let (data, outcome) = ensure_secret(ctx, Owner::fulcio(ctx), || {
            let options = FulcioCaOptions {
                validity,
                ..FulcioCaOptions::default()
            };
            Ok(FulcioCa::generate(&options)?.to_secret_data())
        })
        .await?;
        let fulcio = FulcioCa::from_secret_data(&data).map_err(|e| broken(FULCIO_SECRET, &e))?;
        ctx.redact
            .push(utf8_entry(&data, secret_keys::PASSWORD, FULCIO_SECRET)?);
        report.push(format!("{FULCIO_SECRET} {outcome}"));

        line.progress(CTLOG_SECRET);
        let root_pem = fulcio.cert_pem().as_bytes().to_vec();
        let (data, outcome) = ensure_secret(ctx, Owner::ctlog(ctx, CTLOG_SECRET), || {
            let key = EcKeyPair::generate();
            Ok(BTreeMap::from([
                (CTLOG_PRIVATE_KEY.into(), key.to_pkcs8_pem()?.into()),
                (CTLOG_PUBLIC_KEY.into(), key.public_key_pem().into()),
                (CTLOG_ROOTCA_KEY.into(), root_pem.clone()),
            ]))
        })
        .await?;
        let private = entry(&data, CTLOG_PRIVATE_KEY, CTLOG_SECRET)?;
        let legacy_encrypted = EcKeyPair::is_legacy_encrypted(private);
        let ctlog_key = if legacy_encrypted {
            let password =
                Password::from_bytes(entry(&data, CTLOG_LEGACY_PASSWORD_KEY, CTLOG_SECRET)?)
                    .map_err(|e| broken(CTLOG_SECRET, &e))?;
            ctx.redact.push(password.expose().to_string());
            EcKeyPair::from_legacy_encrypted_pem(private, &password)
        } else {
            EcKeyPair::from_pem(private)
        }
        .map_err(|e| broken(CTLOG_SECRET, &e))?;
        if data.get(CTLOG_ROOTCA_KEY) != Some(&root_pem) {
            // Fulcio's root was re-minted (its Secret was deleted): the CT log must accept the new one.
            merge_secret_data(
                ctx,
                &ctx.values.namespaces.ctlog,
                CTLOG_SECRET,
                CTLOG_ROOTCA_KEY,
                &root_pem,
            )
            .await?;
            report.push(format!("{CTLOG_SECRET} {outcome}, rootca updated"));
        } else {
            report.push(format!("{CTLOG_SECRET} {outcome}"));
        }
        let public = ctlog_key.public_key_pem();
        apply_public_copy(ctx, Owner::ctlog(ctx, CTLOG_PUBLIC_SECRET), &public).await?;
        ctx.ctlog_key = Some(CtlogKey {
            key: ctlog_key,
            legacy_encrypted,
        });

        line.progress(REKOR_KEY_SECRET);
        let (data, outcome) = ensure_secret(ctx, Owner::rekor(ctx, REKOR_KEY_SECRET), || {
            Ok(BTreeMap::from([(
                REKOR_PRIVATE_KEY.into(),
                EcKeyPair::generate().to_pkcs8_pem()?.into(),
            )]))
        })
        .await?;
        let rekor_key = EcKeyPair::from_pem(entry(&data, REKOR_PRIVATE_KEY, REKOR_KEY_SECRET)?)
            .map_err(|e| broken(REKOR_KEY_SECRET, &e))?;
        apply_public_copy(
            ctx,
            Owner::rekor(ctx, REKOR_PUBLIC_SECRET),
            &rekor_key.public_key_pem(),
        )
        .await?;
        report.push(format!("{REKOR_KEY_SECRET} {outcome}"));

        Ok(report.join(", "))
    })
}

/// Where a Secret lives and how it is labelled.
struct Owner {
    namespace: String,
    name: &'static str,
    app: &'static str,
    component: &'static str,
}

impl Owner {
    fn mysql(ctx: &Context) -> Owner {
        Owner {
            namespace: ctx.values.namespaces.trillian.clone(),
            name: MYSQL_SECRET,
            app: "mysql",
            component: "database",
        }
    }
    fn fulcio(ctx: &Context) -> Owner {
        Owner {
            namespace: ctx.values.namespaces.fulcio.clone(),
            name: FULCIO_SECRET,
            app: "fulcio",
            component: "certificate-authority",
        }
    }
    fn ctlog(ctx: &Context, name: &'static str) -> Owner {
        Owner {
            namespace: ctx.values.namespaces.ctlog.clone(),
            name,
            app: "ctlog",
            component: "certificate-transparency",
        }
    }
    fn rekor(ctx: &Context, name: &'static str) -> Owner {
        Owner {
            namespace: ctx.values.namespaces.rekor.clone(),
            name,
            app: "rekor",
            component: "transparency-log",
        }
    }

    fn secret(&self, ctx: &Context, data: SecretData) -> Secret {
        let mut labels = ctx.values.ownership_labels();
        labels.insert(LABEL_NAME.into(), self.app.into());
        labels.insert(LABEL_COMPONENT.into(), self.component.into());
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
async fn ensure_secret(
    ctx: &Context,
    owner: Owner,
    mint: impl FnOnce() -> anyhow::Result<SecretData>,
) -> anyhow::Result<(SecretData, &'static str)> {
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), &owner.namespace);
    let access = |e: kube::Error| ctx.cluster.access_error(&e);
    if let Some(existing) = api.get_opt(owner.name).await.map_err(access)? {
        return Ok((data_of(&existing), "exists"));
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
    Ok((data_of(&stored), "created"))
}

/// Server-side applies a Secret holding one public key (`public`): derived from the private key,
/// so it is always brought back to match it.
async fn apply_public_copy(ctx: &Context, owner: Owner, public_pem: &str) -> anyhow::Result<()> {
    let secret = owner.secret(
        ctx,
        BTreeMap::from([(PUBLIC_KEY.into(), public_pem.as_bytes().to_vec())]),
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
