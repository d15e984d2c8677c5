//! "secrets": every Secret a pod mounts must exist before the pod is applied (the kubelet
//! retries a missing volume on a doubling back-off). Converging: an existing Secret is kept as
//! it is, never regenerated (the database was initialised with its passwords).
//!
//! Today this creates Secret `trillian-mysql` (keys `root-password`, `password`); the keys and
//! certificates of Rekor, the CT log and Fulcio join here when the setup library is wired.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{ObjectMeta, PostParams};
use rand::RngExt;
use rand::distr::Alphanumeric;

use crate::pipeline::{Context, StageFuture};
use crate::ui::StageLine;
use crate::values::{LABEL_COMPONENT, LABEL_NAME};

/// Name of the Secret holding the MariaDB passwords.
pub const MYSQL_SECRET: &str = "trillian-mysql";
/// Its keys: the root password and the password of the Trillian user (`mysql.user`).
pub const MYSQL_ROOT_PASSWORD_KEY: &str = "root-password";
pub const MYSQL_PASSWORD_KEY: &str = "password";

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

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress(MYSQL_SECRET);
        let outcome = ensure_mysql_secret(ctx).await?;
        Ok(format!("{MYSQL_SECRET} {outcome}"))
    })
}

/// Creates the MariaDB password Secret unless it exists; returns "created" or "exists".
async fn ensure_mysql_secret(ctx: &mut Context) -> anyhow::Result<&'static str> {
    let namespace = ctx.values.namespaces.trillian.clone();
    let api: Api<Secret> = Api::namespaced(ctx.cluster.client.clone(), &namespace);
    if let Some(existing) = api
        .get_opt(MYSQL_SECRET)
        .await
        .map_err(|e| ctx.cluster.access_error(&e))?
    {
        remember_passwords(ctx, &existing, &namespace)?;
        return Ok("exists");
    }
    let mut labels = ctx.values.ownership_labels();
    labels.insert(LABEL_NAME.into(), "mysql".into());
    labels.insert(LABEL_COMPONENT.into(), "database".into());
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(MYSQL_SECRET.into()),
            namespace: Some(namespace.clone()),
            labels: Some(labels),
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        data: Some(BTreeMap::from([
            (
                MYSQL_ROOT_PASSWORD_KEY.to_string(),
                ByteString(random_password().into_bytes()),
            ),
            (
                MYSQL_PASSWORD_KEY.to_string(),
                ByteString(random_password().into_bytes()),
            ),
        ])),
        ..Default::default()
    };
    // create, not apply: if another run created it meanwhile, theirs wins and is reused.
    let stored = match api.create(&PostParams::default(), &secret).await {
        Ok(created) => created,
        Err(kube::Error::Api(status)) if status.code == 409 => api
            .get(MYSQL_SECRET)
            .await
            .map_err(|e| ctx.cluster.access_error(&e))?,
        Err(e) => return Err(ctx.cluster.access_error(&e)),
    };
    remember_passwords(ctx, &stored, &namespace)?;
    Ok("created")
}

/// Reads both passwords from the Secret into the context (and into the strings never shown in
/// logs); a Secret missing one is an error naming the fix.
fn remember_passwords(ctx: &mut Context, secret: &Secret, namespace: &str) -> anyhow::Result<()> {
    let read = |key: &str| {
        secret
            .data
            .as_ref()
            .and_then(|data| data.get(key))
            .filter(|v| !v.0.is_empty())
            .map(|v| String::from_utf8_lossy(&v.0).into_owned())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "Secret {namespace}/{MYSQL_SECRET} has no {key:?}; delete it and the MariaDB pod (its data is initialised from it) and install again"
                )
            })
    };
    let credentials = MysqlCredentials {
        root_password: read(MYSQL_ROOT_PASSWORD_KEY)?,
        password: read(MYSQL_PASSWORD_KEY)?,
    };
    ctx.redact.push(credentials.root_password.clone());
    ctx.redact.push(credentials.password.clone());
    ctx.mysql = Some(credentials);
    Ok(())
}

/// 32 random letters and digits: safe in a MySQL DSN, a shell and YAML without quoting.
fn random_password() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}
