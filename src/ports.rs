//! The loopback ports of each instance's forwards, chosen once per machine and recorded in the
//! instance's state directory (`ports.json`), so that `install`'s host trust files, `forward`,
//! `env` and `trust` of one instance agree without flags, and two instances never collide.
//!
//! - The default instance (`sigstore`) gets each forward's catalog default (Rekor 3000, Fulcio
//!   5555, ...) when that port is free the first time it is needed; any other instance gets free
//!   ports the system hands out, never a catalog default (those stay the default instance's).
//! - No two instances recorded under the same state base get the same port: the choice is made
//!   under a lock file (`<state base>/ports.lock`) against every other instance's record.
//! - An explicit `--<forward>-port` flag wins for that command and is not recorded.
//!
//! Ports are a property of the machine (what is free here), not of the cluster, so they live
//! beside the host trust files, not on the cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::catalog::{ForwardPorts, all_forwards};
use crate::instance::state_dir;
use crate::values::DEFAULT_INSTANCE;

/// The file in an instance's state directory that records its ports.
pub const PORTS_FILE: &str = "ports.json";
/// The lock file in the state base directory, held while ports are chosen.
const LOCK_FILE: &str = "ports.lock";

/// The ports of `instance`: `explicit` (from flags) first, then the recorded ones, then new ones
/// chosen and recorded. Without a state directory (no HOME) the catalog defaults stand in for
/// the record.
pub fn for_instance(
    instance: &str,
    explicit: &BTreeMap<&'static str, u16>,
) -> anyhow::Result<ForwardPorts> {
    match state_dir(instance) {
        Ok(dir) => resolve_in(&dir, instance, explicit),
        Err(_) => {
            let mut ports = ForwardPorts::defaults();
            ports.0.extend(explicit);
            Ok(ports)
        }
    }
}

/// [`for_instance`] with the instance's state directory given (its parent holds the others).
pub fn resolve_in(
    dir: &Path,
    instance: &str,
    explicit: &BTreeMap<&'static str, u16>,
) -> anyhow::Result<ForwardPorts> {
    let base = dir
        .parent()
        .context("the state directory has no parent")?
        .to_path_buf();
    std::fs::create_dir_all(&base)
        .with_context(|| format!("creating the directory {}", base.display()))?;
    let lock_path = base.join(LOCK_FILE);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening the lock file {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("locking {}", lock_path.display()))?;

    let file = dir.join(PORTS_FILE);
    let mut recorded = read_record(&file)?;
    let before = recorded.clone();
    let mut taken: BTreeSet<u16> = other_instances_ports(&base, dir)?;
    taken.extend(explicit.values());
    taken.extend(recorded.values());
    let defaults: BTreeSet<u16> = all_forwards().map(|(_, f)| f.default_local).collect();
    for (_, forward) in all_forwards() {
        if recorded.contains_key(forward.id) {
            continue;
        }
        let port = if instance == DEFAULT_INSTANCE
            && !taken.contains(&forward.default_local)
            && is_free(forward.default_local)
        {
            forward.default_local
        } else {
            free_port(&taken, &defaults)?
        };
        taken.insert(port);
        recorded.insert(forward.id.to_string(), port);
    }
    if recorded != before {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the directory {}", dir.display()))?;
        let text = serde_json::to_string_pretty(&recorded).expect("a map of ports serializes");
        let temporary = file.with_extension("json.tmp");
        std::fs::write(&temporary, format!("{text}\n"))
            .and_then(|()| std::fs::rename(&temporary, &file))
            .with_context(|| format!("recording the forward ports in {}", file.display()))?;
    }
    drop(lock);

    let mut ports = ForwardPorts(
        all_forwards()
            .map(|(_, f)| (f.id, recorded[f.id]))
            .collect(),
    );
    ports.0.extend(explicit);
    Ok(ports)
}

/// The ports recorded in `file` (none when it does not exist), by forward id.
fn read_record(file: &Path) -> anyhow::Result<BTreeMap<String, u16>> {
    match std::fs::read_to_string(file) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a map of forward names to ports; delete it and the ports are chosen again",
                file.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
    }
}

/// Every port recorded by the instances beside `dir` under `base`.
fn other_instances_ports(base: &Path, dir: &Path) -> anyhow::Result<BTreeSet<u16>> {
    let mut ports = BTreeSet::new();
    let entries = match std::fs::read_dir(base) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ports),
        Err(e) => return Err(e).with_context(|| format!("reading {}", base.display())),
    };
    for entry in entries.flatten() {
        let other: PathBuf = entry.path();
        if other == dir || !other.is_dir() {
            continue;
        }
        // Someone else's broken record is not ours to fail on; its ports are just unknown.
        if let Ok(record) = read_record(&other.join(PORTS_FILE)) {
            ports.extend(record.values());
        }
    }
    Ok(ports)
}

fn is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A port the system says is free now, not in `taken` nor one of the catalog `defaults`.
fn free_port(taken: &BTreeSet<u16>, defaults: &BTreeSet<u16>) -> anyhow::Result<u16> {
    for _ in 0..100 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("asking the system for a free port on 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        if !taken.contains(&port) && !defaults.contains(&port) {
            return Ok(port);
        }
    }
    anyhow::bail!("found no free port on 127.0.0.1 in 100 tries")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeMap<&'static str, u16> {
        BTreeMap::new()
    }

    #[test]
    fn the_default_instance_keeps_the_default_ports_when_free_and_others_get_their_own() {
        let base = tempfile::tempdir().unwrap();
        let default_dir = base.path().join(DEFAULT_INSTANCE);
        let defaults = ForwardPorts::defaults();
        // Hold one default port so the default instance must choose another for it.
        let held = TcpListener::bind((Ipv4Addr::LOCALHOST, defaults.get("ctlog"))).ok();
        let main = resolve_in(&default_dir, DEFAULT_INSTANCE, &none()).unwrap();
        for (id, port) in &defaults.0 {
            if *id == "ctlog" && held.is_some() {
                assert_ne!(main.get(id), *port, "a busy default is not taken");
            } else if is_free(*port) || main.get(id) == *port {
                assert_eq!(main.get(id), *port, "{id} keeps its default");
            }
        }
        drop(held);
        // Recorded: asked again, the same ports, even though ctlog's default is free now.
        assert_eq!(
            resolve_in(&default_dir, DEFAULT_INSTANCE, &none()).unwrap(),
            main
        );
        assert!(default_dir.join(PORTS_FILE).is_file());

        let a = resolve_in(&base.path().join("a"), "a", &none()).unwrap();
        let b = resolve_in(&base.path().join("b"), "b", &none()).unwrap();
        let mut all: Vec<u16> = [&main, &a, &b]
            .iter()
            .flat_map(|p| p.0.values().copied())
            .collect();
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count, "no port is shared: {main:?} {a:?} {b:?}");
        for port in a.0.values().chain(b.0.values()) {
            assert!(
                !defaults.0.values().any(|d| d == port),
                "another instance never gets a default port"
            );
        }
        assert_eq!(resolve_in(&base.path().join("a"), "a", &none()).unwrap(), a);
    }

    #[test]
    fn an_explicit_port_wins_and_is_not_recorded() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("x");
        let recorded = resolve_in(&dir, "x", &none()).unwrap();
        let explicit = BTreeMap::from([("rekor", 4321u16)]);
        let ports = resolve_in(&dir, "x", &explicit).unwrap();
        assert_eq!(ports.get("rekor"), 4321);
        assert_eq!(ports.get("fulcio"), recorded.get("fulcio"));
        assert_eq!(resolve_in(&dir, "x", &none()).unwrap(), recorded);
    }

    #[test]
    fn a_broken_record_is_named_with_the_fix() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("x");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(PORTS_FILE), "not json").unwrap();
        let message = format!("{:#}", resolve_in(&dir, "x", &none()).unwrap_err());
        assert!(message.contains("delete it"), "{message}");
    }
}
