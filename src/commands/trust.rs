//! `trust`: write the client trust files on demand (install's "trust" stage writes the same
//! files to the default directory). Prints the directories written, one per line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

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
    let tuf_root = crate::tuf_instance::root_json(&cluster, &values).await?;
    let ports = args.ports.ports(&values.instance)?;
    let written: Vec<PathBuf> = match args.audience {
        None => {
            write_both_audiences(
                &material,
                &values,
                &ports,
                &issuer,
                tuf_root.as_deref(),
                &dir,
            )?;
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
            let bundle = TrustBundle::new(&material, endpoints);
            let bundle = crate::tuf_instance::attach(
                bundle,
                &values,
                audience,
                &ports,
                tuf_root.as_deref(),
            )?
            .write_to_dir(&dir)?;
            vec![bundle.dir]
        }
    };
    for dir in &written {
        ui.output(&format!("{}\n", dir.display()));
    }
    if let Some(path) = &args.policy_controller {
        let Some(root) = &tuf_root else {
            return crate::error::bad_input(
                "--policy-controller: this profile serves no TUF repository to describe",
            );
        };
        let files = crate::tuf_instance::stored_files(&cluster, &values).await?;
        let repository = crate::tuf_instance::audience_files(&files, Audience::Cluster);
        if repository.is_empty() {
            return Err(crate::error::Failure::NotReady(format!(
                "ConfigMap {} holds no TUF repository yet: run `sigstore-up install`",
                crate::catalog::tuf::REPOSITORY.name
            ))
            .into());
        }
        let manifest = crate::tuf::policy::trust_root_manifest(
            &values.instance,
            &values.ownership_labels(),
            root,
            &repository,
        )?;
        std::fs::write(path, manifest)
            .with_context(|| format!("writing the TrustRoot manifest {}", path.display()))?;
        ui.info(&format!(
            "policy-controller TrustRoot {:?} written to {} (apply it with `kubectl apply -f`; \
             again after an install re-signed the repository)",
            values.instance,
            path.display()
        ));
        ui.output(&format!("{}\n", absolute(path).display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `path` made absolute (it exists: the bundle was just written there).
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
