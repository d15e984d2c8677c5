//! `install`: run the install pipeline of the values' profile (see `pipeline::install_stages`).

use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{GlobalArgs, InstallArgs};
use crate::pipeline::{self, install_stages};
use crate::render::render;
use crate::stages::Context;
use crate::ui::{Ui, format_elapsed};

pub async fn run(global: &GlobalArgs, args: &InstallArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let values = super::load_values(global, &args.values, args.image_registry.as_ref())?;
    let manifests = render(&values)?;
    let cluster = super::connect_cluster(global).await?;
    let mut ctx = Context::new(ui.clone(), cluster, values, manifests, args.timeout);
    // A partial install is for looking at the stages: it runs them.
    ctx.full = args.full || args.stop_after.is_some();
    let stages = install_stages(ctx.values.profile());
    let result = pipeline::run(&stages, &mut ctx, args.stop_after.as_deref()).await;
    // Also on failure: a second install waiting for the lease goes on at once.
    if let Some(lock) = ctx.install_lock.take() {
        lock.release().await;
    }
    let reports = result?;
    let ran: Vec<&str> = reports.iter().map(|r| r.name).collect();
    ui.info(&format!(
        "done in {} ({} stages: {})",
        format_elapsed(started.elapsed()),
        reports.len(),
        ran.join(", ")
    ));
    if let Some(path) = std::env::var_os(TIMINGS_ENV) {
        write_timings(path.as_ref(), &reports)?;
    }
    if args.ci {
        ci_environment(global, args, &ctx).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// When this names a file, install appends one line per stage to it, `<stage>\t<seconds>` (what
/// tests/bench reads: stage names hold spaces and commas, so the plain stage lines cannot be split).
const TIMINGS_ENV: &str = "SIGSTORE_UP_TIMINGS";

fn write_timings(path: &std::path::Path, timings: &[pipeline::StageReport]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let lines: String = timings
        .iter()
        .map(|t| format!("{}\t{:.3}\n", t.name, t.elapsed.as_secs_f64()))
        .collect();
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(lines.as_bytes()))
        .with_context(|| {
            format!(
                "writing stage timings to {} (${TIMINGS_ENV})",
                path.display()
            )
        })
}

/// `install --ci`, after the pipeline: a detached `forward` on the instance's ports (kept if one
/// already runs for this instance), a fresh token for the `default` service account of
/// namespace `default` (audience `fulcio.client_id`, lifetime `lifetimes.identity_token_seconds`)
/// and the env file in the host trust directory, also appended to $GITHUB_ENV/$GITHUB_OUTPUT.
async fn ci_environment(
    global: &GlobalArgs,
    args: &InstallArgs,
    ctx: &Context,
) -> anyhow::Result<()> {
    use super::{env, forward};
    use crate::cli::TokenArgs;
    use crate::instance::state_dir;
    use anyhow::Context as _;

    let values = &ctx.values;
    let ports = crate::ports::for_instance(&values.instance, &Default::default())?;
    let pid_file = forward::default_pid_file(values)?;
    let forward_note = match forward::running_forward(&pid_file)? {
        Some(pid) => format!("forward already running (pid {pid})"),
        None => {
            forward::check_ports(values, &ports).context(
                "install --ci forwards on the instance's recorded ports (see ports.json in its state \
                 directory); for others run `sigstore-up forward \
                 --detach` and `sigstore-up env` with the same --*-port flags instead of --ci",
            )?;
            let started =
                forward::start_detached(global, &args.values, values, &ports, &pid_file).await?;
            format!(
                "forward started (pid {}, log {})",
                started.pid,
                started.log_file.display()
            )
        }
    };
    let token = TokenArgs {
        audience: values.fulcio.client_id.clone(),
        namespace: "default".into(),
        service_account: "default".into(),
        duration: std::time::Duration::from_secs(values.lifetimes.identity_token_seconds.into()),
    };
    super::token::check_args(&token)?;
    let written = env::write_host_env(
        &ctx.cluster,
        values,
        &ports,
        &token,
        &state_dir(&values.instance)?,
    )
    .await?;
    let github = written.env.append_to_github_files()?;
    let env_file = written.dir.join(crate::trust::file_names::ENV);
    ctx.ui.info(&format!(
        "{forward_note}; {}",
        env::summary(&env_file, &token, &github)
    ));
    Ok(())
}
