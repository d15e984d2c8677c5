//! `env`: the environment a CI job signs with: the host URLs (`sigstore-up forward`'s ports),
//! the trust file paths and a fresh OIDC token, as a `KEY=value` file in the host trust
//! directory, and appended to `$GITHUB_ENV` / `$GITHUB_OUTPUT` when those are set (the token
//! never goes to `$GITHUB_OUTPUT`). Prints the env file's path on stdout.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::catalog::ForwardPorts;
use crate::cli::{EnvArgs, GlobalArgs, TokenArgs};
use crate::cluster::Cluster;
use crate::instance::{
    Audience, HOST_SUBDIR, endpoints, gather_trust_material, issuer_url, state_dir,
};
use crate::trust::{GithubFilesWritten, TrustBundle, WrittenBundle, file_names};
use crate::ui::Ui;
use crate::values::Values;

pub async fn run(global: &GlobalArgs, args: &EnvArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    super::token::check_args(&args.token)?;
    let mut values = super::load_values(global, &args.values, None)?;
    let ports = args.ports.ports(&values.instance)?;
    let trust_dir = match &args.trust_dir {
        Some(dir) => dir.clone(),
        None => state_dir(&values.instance)?,
    };
    let cluster = super::connect_cluster(global).await?;
    crate::instance::adopt_installed(&cluster, &mut values).await?;
    let written = write_host_env(&cluster, &values, &ports, &args.token, &trust_dir).await?;
    let mut env_file = written.dir.join(file_names::ENV);
    if let Some(output) = &args.output {
        write_private(output, written.env.to_env_file().as_bytes())?;
        env_file = output.clone();
    }
    let github = written.env.append_to_github_files()?;
    ui.info(&summary(&env_file, &args.token, &github));
    ui.output(&format!("{}\n", env_file.display()));
    Ok(ExitCode::SUCCESS)
}

/// Mints a token and writes the host trust files with it into `trust_dir/host` (its env file
/// then holds OIDC_TOKEN and SIGSTORE_ID_TOKEN, mode 0600).
pub async fn write_host_env(
    cluster: &Cluster,
    values: &Values,
    ports: &ForwardPorts,
    token: &TokenArgs,
    trust_dir: &Path,
) -> anyhow::Result<WrittenBundle> {
    let (material, issuer, token, tuf_root) = tokio::try_join!(
        gather_trust_material(cluster, values),
        issuer_url(cluster, values),
        super::token::mint(cluster, token),
        crate::tuf_instance::root_json(cluster, values),
    )?;
    let endpoints = endpoints(values, Audience::Host, ports, &issuer)?;
    let bundle = TrustBundle::new(&material, endpoints).with_oidc_token(token);
    crate::tuf_instance::attach(bundle, values, Audience::Host, ports, tuf_root.as_deref())?
        .write_to_dir(&trust_dir.join(HOST_SUBDIR))
}

/// One line: where the environment went and whose token it holds.
pub fn summary(env_file: &Path, token: &TokenArgs, github: &GithubFilesWritten) -> String {
    let mut line = format!(
        "environment written to {} (token of {}/{} for audience {:?}, valid {}s; load with: set -a; . {}; set +a)",
        env_file.display(),
        token.namespace,
        token.service_account,
        token.audience,
        token.duration.as_secs(),
        env_file.display()
    );
    let appended: Vec<&str> = [
        github.github_env.as_ref().map(|_| "$GITHUB_ENV"),
        github.github_output.as_ref().map(|_| "$GITHUB_OUTPUT"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !appended.is_empty() {
        line.push_str(&format!("; appended to {}", appended.join(" and ")));
    }
    line
}

/// Writes a file only its owner can read (it holds the token).
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    result.with_context(|| format!("writing the env file {}", path.display()))
}
