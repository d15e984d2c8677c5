//! `token`: a service-account token for signing, from the TokenRequest API (what
//! `kubectl create token` does). Its issuer is the cluster's service-account issuer, which
//! install configures Fulcio to trust; its audience is Fulcio's client ID.
//!
//! This is the one place sigstore-up prints a secret, because the user asked for it: the token
//! alone goes to stdout, nothing of it anywhere else.

use std::process::ExitCode;
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Api;
use kube::api::PostParams;

use crate::cli::{GlobalArgs, TokenArgs};
use crate::cluster::Cluster;
use crate::error::{Failure, bad_input};
use crate::trust::OidcToken;
use crate::ui::Ui;

/// The API server refuses shorter tokens.
pub const MIN_DURATION: Duration = Duration::from_secs(600);
/// And longer ones than 2^32 seconds.
pub const MAX_DURATION: Duration = Duration::from_secs(1 << 32);

pub async fn run(global: &GlobalArgs, args: &TokenArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    check_args(args)?;
    let cluster = super::connect_cluster(global).await?;
    let token = mint(&cluster, args).await?;
    ui.output(&format!("{}\n", token.expose_secret()));
    Ok(ExitCode::SUCCESS)
}

/// Refuses what the API server would refuse, with the flag to change.
pub fn check_args(args: &TokenArgs) -> anyhow::Result<()> {
    if args.duration < MIN_DURATION || args.duration > MAX_DURATION {
        return bad_input(format!(
            "--duration {}s: tokens live at least 10 minutes (the API server refuses less) and at most 2^32 seconds; use e.g. --duration 10m or 1h",
            args.duration.as_secs()
        ));
    }
    if args.audience.is_empty() {
        return bad_input("--audience is empty: use Fulcio's client ID (default \"sigstore\")");
    }
    Ok(())
}

/// Requests a token for `args.namespace/args.service_account` with audience `args.audience`.
pub async fn mint(cluster: &Cluster, args: &TokenArgs) -> anyhow::Result<OidcToken> {
    let accounts: Api<ServiceAccount> = Api::namespaced(cluster.client.clone(), &args.namespace);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![args.audience.clone()],
            expiration_seconds: Some(args.duration.as_secs() as i64),
            ..Default::default()
        },
        ..Default::default()
    };
    let account = format!("{}/{}", args.namespace, args.service_account);
    let answer = accounts
        .create_token_request(&args.service_account, &PostParams::default(), &request)
        .await
        .map_err(|error| match &error {
            kube::Error::Api(status) if status.code == 404 => Failure::BadInput(format!(
                "service account {account} does not exist: create it (kubectl create serviceaccount {} -n {}) or name another with --service-account and --namespace",
                args.service_account, args.namespace
            ))
            .into(),
            _ => cluster.access_error(&error),
        })?;
    let token = answer.status.map(|status| status.token).unwrap_or_default();
    OidcToken::new(token).map_err(|e| {
        anyhow::anyhow!("the API server's answer to the token request for {account}: {e}")
    })
}
