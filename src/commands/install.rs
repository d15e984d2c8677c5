//! `install`: run the install pipeline (see `pipeline::INSTALL`).

use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{GlobalArgs, InstallArgs};
use crate::pipeline::{self, Context, INSTALL, NOT_YET_WIRED};
use crate::render::render;
use crate::ui::{Ui, format_elapsed};

pub async fn run(global: &GlobalArgs, args: &InstallArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let values = super::load_values(&args.values, args.image_registry.as_ref())?;
    let manifests = render(&values)?;
    let cluster = super::connect_cluster(global).await?;
    let mut ctx = Context::new(ui.clone(), cluster, values, manifests, args.timeout);
    let timings = pipeline::run(INSTALL, &mut ctx, args.stop_after.as_deref()).await?;
    let ran: Vec<&str> = timings.iter().map(|t| t.name).collect();
    ui.info(&format!(
        "done in {} ({} stages: {})",
        format_elapsed(started.elapsed()),
        timings.len(),
        ran.join(", ")
    ));
    if args.stop_after.is_none() && !NOT_YET_WIRED.is_empty() {
        ui.warn(&format!("not wired yet: {}", NOT_YET_WIRED.join(", ")));
    }
    Ok(ExitCode::SUCCESS)
}
