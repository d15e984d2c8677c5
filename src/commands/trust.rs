//! `trust`: write the client trust files on demand (install's "trust" stage writes the same
//! files to the default directory). Prints the directories written, one per line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{AudienceArg, GlobalArgs, TrustArgs};
use crate::instance::{
    Audience, endpoints, gather_trust_material, issuer_url, state_dir, write_both_audiences,
};
use crate::trust::TrustBundle;
use crate::ui::Ui;

pub async fn run(global: &GlobalArgs, args: &TrustArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let mut values = super::load_values(global, &args.values, None)?;
    let dir = match &args.output_dir {
        Some(dir) => dir.clone(),
        None => state_dir(&values.instance)?,
    };
    let cluster = super::connect_cluster(global).await?;
    crate::instance::adopt_installed(&cluster, &mut values).await?;
    let material = gather_trust_material(&cluster, &values).await?;
    let issuer = issuer_url(&cluster, &values).await?;
    let ports = args.ports.ports(&values.instance)?;
    let written: Vec<PathBuf> = match args.audience {
        None => {
            write_both_audiences(&material, &values, &ports, &issuer, &dir)?;
            [Audience::Cluster, Audience::Host]
                .map(|audience| absolute(&dir.join(audience.subdir())))
                .to_vec()
        }
        Some(audience) => {
            let audience = match audience {
                AudienceArg::Host => Audience::Host,
                AudienceArg::Cluster => Audience::Cluster,
            };
            let endpoints = endpoints(&values, audience, &ports, &issuer)?;
            let bundle = TrustBundle::new(&material, endpoints).write_to_dir(&dir)?;
            vec![bundle.dir]
        }
    };
    for dir in &written {
        ui.output(&format!("{}\n", dir.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `path` made absolute (it exists: the bundle was just written there).
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
