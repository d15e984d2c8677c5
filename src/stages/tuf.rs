//! "tuf": the stack's TUF repository. Mints the role keys and the root once (Secret
//! `tuf-signing-keys`), signs both audiences' repositories from the trust material (which exists
//! as soon as stage "secrets" ran), keeps the files in ConfigMap `tuf-repository` and applies the
//! server that serves them. It does not wait for the server: it starts while the rest of the
//! stack does, and stage "wait tuf" checks it is ready before the trust files name it.
//!
//! Converging: the keys and the root are never minted again; of the metadata only what is due is
//! signed again (see `tuf::lifetimes`), so a re-run with nothing due changes nothing, and a
//! repository whose timestamp expired is valid again afterwards.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::ObjectMeta;
use sha2::{Digest as _, Sha256};

use super::secrets::{Owner, ensure_secret};
use super::{Context, Made, Outcome, StageFuture};
use crate::catalog::{self, Tier};
use crate::cluster::apply::{Applied, to_dynamic};
use crate::instance::{gather_trust_material, issuer_url};
use crate::tuf::keys::secret_keys;
use crate::tuf::mirror::{key_of, refresh_all, to_config_map_data};
use crate::tuf::repository::{Inputs, Refreshed};
use crate::tuf::{Lifetimes, RoleKeys};
use crate::tuf_instance::{audiences, stored_files};
use crate::ui::StageLine;

/// The pod-template annotation holding a hash of the repository's files.
pub const CONTENT_ANNOTATION: &str = "sigstore-up.dev/tuf-repository-sha256";

/// What stage "tuf" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TufOutcome {
    /// The keys and the root: minted now, or found.
    pub keys: Made,
    /// For each audience: its directory and what was signed anew.
    pub audiences: Vec<(String, AudienceOutcome)>,
    /// Objects created or changed by the apply (ConfigMap, Service, Deployment).
    pub applied_changes: usize,
}

/// What one audience's refresh did, in short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceOutcome {
    pub signed: Vec<&'static str>,
    pub timestamp_version: u64,
    /// Unix seconds.
    pub timestamp_expires: i64,
}

impl From<&Refreshed> for AudienceOutcome {
    fn from(refreshed: &Refreshed) -> Self {
        let mut signed = Vec::new();
        for (role, done) in [
            ("targets", refreshed.signed.targets),
            ("snapshot", refreshed.signed.snapshot),
            ("timestamp", refreshed.signed.timestamp),
        ] {
            if done {
                signed.push(role);
            }
        }
        AudienceOutcome {
            signed,
            timestamp_version: refreshed.state.timestamp.0,
            timestamp_expires: refreshed.state.timestamp.1,
        }
    }
}

impl TufOutcome {
    pub fn changed_nothing(&self) -> bool {
        self.keys == Made::Exists
            && self.applied_changes == 0
            && self.audiences.iter().all(|(_, a)| a.signed.is_empty())
    }
}

impl fmt::Display for TufOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keys {}", self.keys)?;
        for (dir, audience) in &self.audiences {
            let expires = jiff::Timestamp::from_second(audience.timestamp_expires)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string())
                .unwrap_or_default();
            let what = if audience.signed.is_empty() {
                "unchanged".to_string()
            } else {
                format!("signed {}", audience.signed.join(", "))
            };
            write!(
                f,
                "; {dir} {what} (timestamp v{} until {expires})",
                audience.timestamp_version
            )?;
        }
        Ok(())
    }
}

pub fn run<'a>(ctx: &'a mut Context, line: &'a StageLine) -> StageFuture<'a> {
    Box::pin(async move {
        let component = &catalog::tuf::COMPONENT;
        let lifetimes = Lifetimes::parse(&ctx.values.tuf.lifetimes)?;

        line.progress(catalog::tuf::SIGNING_KEYS.name);
        // Minting takes milliseconds; the Secret is created only if it does not exist.
        let minted = RoleKeys::generate();
        let root = minted
            .sign_root(crate::tuf::now() + lifetime_seconds(lifetimes.root))
            .await?;
        let mut fresh = minted.to_secret_data()?;
        fresh.insert(secret_keys::ROOT_JSON.into(), root);
        let owner = Owner::new(ctx, component, catalog::tuf::SIGNING_KEYS);
        let (data, keys_made) = ensure_secret(ctx, owner, move || Ok(fresh)).await?;
        let broken = |problem: &dyn fmt::Display| {
            anyhow::anyhow!(
                "Secret {} exists but cannot be used: {problem}. sigstore-up never overwrites \
                 existing keys; to start the TUF repository over, delete Secret {} and ConfigMap \
                 {} in namespace {} and install again (clients must then be handed the new \
                 root.json)",
                catalog::tuf::SIGNING_KEYS.name,
                catalog::tuf::SIGNING_KEYS.name,
                catalog::tuf::REPOSITORY.name,
                component.namespace(&ctx.values)
            )
        };
        let keys = RoleKeys::from_secret_data(&data).map_err(|e| broken(&e))?;
        let root_json = data
            .get(secret_keys::ROOT_JSON)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| broken(&format!("it has no {:?}", secret_keys::ROOT_JSON)))?
            .clone();

        line.progress("signing the repositories");
        let material = gather_trust_material(&ctx.cluster, &ctx.values).await?;
        let issuer = issuer_url(&ctx.cluster, &ctx.values).await?;
        let audiences = audiences(&material, &ctx.values, &issuer)?;
        let previous = stored_files(&ctx.cluster, &ctx.values).await?;
        let inputs = Inputs {
            root_json: &root_json,
            keys: &keys,
            targets: &[],
            lifetimes: &lifetimes,
            now: crate::tuf::now(),
        };
        let (files, reports) = refresh_all(&inputs, &audiences, &previous).await?;
        let data = to_config_map_data(&files)?;

        line.progress("applying the repository and its server");
        let config_map = config_map(ctx, data.clone());
        let mut objects = vec![to_dynamic(&config_map)?];
        for mut object in ctx.objects(Tier::Tuf)? {
            if object
                .types
                .as_ref()
                .is_some_and(|t| t.kind == "Deployment")
            {
                serve(&mut object.data, &data);
            }
            objects.push(object);
        }
        let next_due = reports
            .iter()
            .map(|(_, refreshed)| refreshed.state.next_due(&lifetimes))
            .min()
            .unwrap_or_default();
        ctx.tuf_due.set(next_due);
        let mut applied_changes = 0;
        for object in &objects {
            if ctx.applier.apply(object).await? != Applied::Unchanged {
                applied_changes += 1;
            }
        }
        Ok(Outcome::Tuf(TufOutcome {
            keys: keys_made,
            audiences: reports
                .iter()
                .map(|(dir, refreshed)| (dir.clone(), refreshed.into()))
                .collect(),
            applied_changes,
        }))
    })
}

fn lifetime_seconds(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2)
}

fn config_map(ctx: &Context, data: BTreeMap<String, String>) -> ConfigMap {
    let component = &catalog::tuf::COMPONENT;
    let mut labels = ctx.values.ownership_labels();
    for (key, value) in component.labels() {
        labels.insert(key.into(), value.into());
    }
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(catalog::tuf::REPOSITORY.name.into()),
            namespace: Some(component.namespace(&ctx.values).to_string()),
            labels: Some(labels),
            ..Default::default()
        },
        data: Some(data),
        ..Default::default()
    }
}

/// Points the Deployment's repository volume at each file by its path (`items`), and puts a
/// hash of the content on the pod template, so that a re-signed repository rolls the pod.
pub fn serve(deployment: &mut serde_json::Value, data: &BTreeMap<String, String>) {
    let items: Vec<serde_json::Value> = data
        .keys()
        .map(|key| serde_json::json!({ "key": key, "path": crate::tuf::mirror::path_of(key) }))
        .collect();
    let pod = &mut deployment["spec"]["template"];
    if let Some(volumes) = pod["spec"]["volumes"].as_array_mut() {
        for volume in volumes {
            if volume["configMap"]["name"] == catalog::tuf::REPOSITORY.name {
                volume["configMap"]["items"] = items.clone().into();
            }
        }
    }
    pod["metadata"]["annotations"][CONTENT_ANNOTATION] = content_hash(data).into();
}

/// SHA-256 over every key and value, in key order.
pub fn content_hash(data: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in data {
        hasher.update(key_of(key).as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    crate::tuf::hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deployment_serves_each_file_at_its_path_and_rolls_when_it_changes() {
        let values = crate::values::Values::default();
        let manifests = crate::render::render(&values).unwrap();
        let deployment = manifests
            .iter()
            .find(|m| m.tier == Tier::Tuf && m.kind() == "Deployment")
            .unwrap();
        let mut object = serde_json::to_value(&deployment.object).unwrap();
        // What the API server's typed apply needs (env values are strings, ...).
        let typed: k8s_openapi::api::apps::v1::Deployment =
            serde_json::from_value(object.clone()).expect("a valid Deployment");
        let container = &typed.spec.unwrap().template.spec.unwrap().containers[0];
        let env = |name: &str| {
            container
                .env
                .iter()
                .flatten()
                .find(|e| e.name == name)
                .and_then(|e| e.value.clone())
        };
        let port = catalog::tuf::COMPONENT.port("http").container;
        let args = container.args.clone().unwrap_or_default();
        assert!(args.contains(&format!("--listen=:{port}")), "{args:?}");
        assert!(
            args.contains(&format!("--root={}", catalog::tuf::WEB_DIR)),
            "{args:?}"
        );
        assert_eq!(env("XDG_DATA_HOME").as_deref(), Some("/tmp/data"));
        let data = BTreeMap::from([
            ("cluster__timestamp.json".to_string(), "{}".to_string()),
            ("host__targets__ab.rekor.pub".to_string(), "k".to_string()),
        ]);
        serve(&mut object, &data);
        let volume = &object["spec"]["template"]["spec"]["volumes"][0]["configMap"];
        assert_eq!(volume["name"], "tuf-repository");
        assert_eq!(
            volume["items"],
            serde_json::json!([
                {"key": "cluster__timestamp.json", "path": "cluster/timestamp.json"},
                {"key": "host__targets__ab.rekor.pub", "path": "host/targets/ab.rekor.pub"},
            ])
        );
        let hash = object["spec"]["template"]["metadata"]["annotations"][CONTENT_ANNOTATION]
            .as_str()
            .unwrap()
            .to_string();
        let mut changed = data.clone();
        changed.insert("cluster__timestamp.json".into(), "{ }".into());
        assert_ne!(content_hash(&changed), hash);
        assert_eq!(content_hash(&data), hash);
    }
}
