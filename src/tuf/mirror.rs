//! One mirror, two repositories: the signing config names other URLs for pods in the cluster than
//! for programs on the host, so each audience has its own repository (own targets, snapshot and
//! timestamp) under `<base>/cluster/` and `<base>/host/`, both under the same root (one
//! root.json for every client). This module lays both out as one set of files, stores them as
//! ConfigMap data (whose keys cannot hold '/'), and packs one audience as the tar.gz
//! policy-controller's `TrustRoot` takes.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::TufError;
use super::repository::{Files, Inputs, Refreshed, TargetFile, refresh};

/// One audience's part of the mirror.
pub struct Audience<'a> {
    /// Its directory under the mirror's base URL (`cluster`, `host`).
    pub dir: &'a str,
    pub targets: Vec<TargetFile>,
}

/// The files of every audience's repository (paths `<dir>/<path>`), after refreshing each from
/// its part of `previous`; and what each refresh did.
pub async fn refresh_all(
    inputs: &Inputs<'_>,
    audiences: &[Audience<'_>],
    previous: &Files,
) -> Result<(Files, Vec<(String, Refreshed)>), TufError> {
    let mut files = Files::new();
    let mut reports = Vec::new();
    for audience in audiences {
        let inputs = Inputs {
            targets: &audience.targets,
            ..*inputs
        };
        let refreshed = refresh(&inputs, &subtree(previous, audience.dir)).await?;
        for (path, bytes) in &refreshed.files {
            files.insert(format!("{}/{path}", audience.dir), bytes.clone());
        }
        reports.push((audience.dir.to_string(), refreshed));
    }
    Ok((files, reports))
}

/// The files under `dir/`, with paths relative to it.
pub fn subtree(files: &Files, dir: &str) -> Files {
    let prefix = format!("{dir}/");
    files
        .iter()
        .filter_map(|(path, bytes)| Some((path.strip_prefix(&prefix)?.to_string(), bytes.clone())))
        .collect()
}

/// What stands for '/' in a ConfigMap key (keys allow only letters, digits, '-', '_' and '.').
/// No path of a repository holds it: directory names are ours, file names are role names,
/// versions, hex digests and the target names of [`super::sigstore::names`].
const SLASH: &str = "__";

/// The ConfigMap key a path is stored under.
pub fn key_of(path: &str) -> String {
    path.replace('/', SLASH)
}

/// The path a ConfigMap key stands for.
pub fn path_of(key: &str) -> String {
    key.replace(SLASH, "/")
}

/// The files as ConfigMap data (UTF-8 text: every file of a Sigstore repository is JSON or PEM).
pub fn to_config_map_data(files: &Files) -> Result<BTreeMap<String, String>, TufError> {
    files
        .iter()
        .map(|(path, bytes)| {
            if path.split('/').any(|part| part.contains(SLASH)) {
                return Err(TufError::Target(format!(
                    "{path:?} holds {SLASH:?}, which stands for '/' in ConfigMap keys"
                )));
            }
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| TufError::Target(format!("{path:?} is not UTF-8 text")))?;
            Ok((key_of(path), text))
        })
        .collect()
}

/// The files stored by [`to_config_map_data`].
pub fn from_config_map_data(data: &BTreeMap<String, String>) -> Files {
    data.iter()
        .map(|(key, text)| (path_of(key), text.clone().into_bytes()))
        .collect()
}

/// The top directory of the tar.gz policy-controller reads (it strips `/repository/`).
pub const POLICY_CONTROLLER_PREFIX: &str = "repository";

/// One repository as a gzip-compressed tar with everything under `repository/`: the same bytes
/// for the same files (sorted entries, zero times and owners, mode 0644/0755).
pub fn tar_gz(files: &Files) -> Result<Vec<u8>, TufError> {
    let io = |e: std::io::Error| TufError::Target(format!("packing the repository: {e}"));
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    let mut dirs: Vec<String> = vec![POLICY_CONTROLLER_PREFIX.to_string()];
    for path in files.keys() {
        let mut dir = POLICY_CONTROLLER_PREFIX.to_string();
        let parts: Vec<&str> = path.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            dir = format!("{dir}/{part}");
            if !dirs.contains(&dir) {
                dirs.push(dir.clone());
            }
        }
    }
    dirs.sort();
    for dir in dirs {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        header.set_mtime(0);
        builder
            .append_data(&mut header, format!("{dir}/"), std::io::empty())
            .map_err(io)?;
    }
    for (path, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        header.set_mtime(0);
        builder
            .append_data(
                &mut header,
                format!("{POLICY_CONTROLLER_PREFIX}/{path}"),
                bytes.as_slice(),
            )
            .map_err(io)?;
    }
    let tar = builder.into_inner().map_err(io)?;
    let mut gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    gzip.write_all(&tar).map_err(io)?;
    gzip.finish().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_map_keys_round_trip_and_are_valid() {
        let files = Files::from([
            ("cluster/timestamp.json".to_string(), b"{}".to_vec()),
            (
                "host/targets/ab12.signing_config.v0.2.json".to_string(),
                b"{}".to_vec(),
            ),
        ]);
        let data = to_config_map_data(&files).unwrap();
        for key in data.keys() {
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    && !key.starts_with('.'),
                "{key}"
            );
        }
        assert!(data.contains_key("host__targets__ab12.signing_config.v0.2.json"));
        assert_eq!(from_config_map_data(&data), files);
        let bad = Files::from([("a__b".to_string(), b"x".to_vec())]);
        assert!(to_config_map_data(&bad).is_err());
    }

    #[test]
    fn the_tar_gz_is_deterministic_and_holds_the_files_under_repository() {
        use std::io::Read as _;
        let files = Files::from([
            ("root.json".to_string(), b"root".to_vec()),
            ("targets/ab.rekor.pub".to_string(), b"key".to_vec()),
        ]);
        let packed = tar_gz(&files).unwrap();
        assert_eq!(packed, tar_gz(&files).unwrap());
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(packed.as_slice())
            .read_to_end(&mut tar)
            .unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let mut entries = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let mut body = String::new();
            entry.read_to_string(&mut body).unwrap();
            entries.push((path, body));
        }
        assert_eq!(
            entries,
            [
                ("repository/".to_string(), String::new()),
                ("repository/targets/".to_string(), String::new()),
                ("repository/root.json".to_string(), "root".to_string()),
                (
                    "repository/targets/ab.rekor.pub".to_string(),
                    "key".to_string()
                ),
            ]
        );
    }
}
