//! `render`: the manifests install would apply, as YAML on stdout. No cluster involved.

use std::process::ExitCode;

use crate::cli::{GlobalArgs, RenderArgs};
use crate::render::{render, to_yaml};
use crate::ui::Ui;
use crate::values::FALLBACK_ISSUER_URL;

pub fn run(global: &GlobalArgs, args: &RenderArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let values = super::load_values(global, &args.values, args.image_registry.as_ref())?;
    if values.fulcio.issuer_url.is_empty() {
        ui.info(&format!(
            "fulcio.issuer_url is not set: the Fulcio config uses {FALLBACK_ISSUER_URL} \
             (install asks the cluster; set it with --set fulcio.issuer_url=URL)"
        ));
    }
    ui.output(&to_yaml(&render(&values)?)?);
    Ok(ExitCode::SUCCESS)
}
