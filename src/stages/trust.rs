//! "trust": write the files a signing client needs, for both audiences, into the instance's
//! state directory (see `instance` for what they hold and where they go).

use super::{Context, Outcome, StageFuture};
use crate::instance::{gather_trust_material, issuer_url, state_dir, write_both_audiences};
use crate::ui::StageLine;

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        line.progress("reading public keys and the Fulcio root");
        let material = gather_trust_material(&ctx.cluster, &ctx.values).await?;
        let issuer = issuer_url(&ctx.cluster, &ctx.values).await?;
        let tuf_root = crate::tuf_instance::root_json(&ctx.cluster, &ctx.values).await?;
        ctx.trust_material.set(material.clone());
        let dir = match state_dir(&ctx.values.instance) {
            Ok(dir) => dir,
            // Everything is installed; only the local copy has no default place. Not worth
            // failing the install for: say how to get the files.
            Err(error) => {
                ctx.ui.warn(&format!(
                    "{error:#}; write the trust files with `sigstore-up trust -o DIR`"
                ));
                return Ok(Outcome::Skipped("no directory".to_string()));
            }
        };
        line.progress(&format!("writing {}", dir.display()));
        let ports = crate::ports::resolve_in(&dir, &ctx.values.instance, &Default::default())?;
        write_both_audiences(
            &material,
            &ctx.values,
            &ports,
            &issuer,
            tuf_root.as_deref(),
            &dir,
        )?;
        Ok(Outcome::TrustWritten(dir))
    })
}
