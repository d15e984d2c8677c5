//! `images`: every image reference the stack's profile runs, after `--image-registry`, one a
//! line, in component order: what a mirroring script or `kind load` needs. No cluster involved.

use std::process::ExitCode;

use crate::cli::{GlobalArgs, RenderArgs};
use crate::ui::Ui;

pub fn run(global: &GlobalArgs, args: &RenderArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let values = super::load_values(global, &args.values, args.image_registry.as_ref())?;
    let mut lines = String::new();
    for image in values.images_of_profile() {
        lines.push_str(&image);
        lines.push('\n');
    }
    ui.output(&lines);
    Ok(ExitCode::SUCCESS)
}
