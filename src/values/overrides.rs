//! How `-f` files and `--set` assignments change the values tree: every key and leaf type is
//! checked against the defaults, so a typo is named with the list of valid keys.

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

use super::flatten;
use crate::error::{Failure, bad_input};

fn valid_keys_list(defaults: &Value) -> String {
    let mut leaves = Vec::new();
    flatten("", defaults, &mut leaves);
    leaves
        .iter()
        .map(|(key, _)| format!("  {key}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Looks up a dotted key in the defaults tree.
fn lookup<'a>(defaults: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.')
        .try_fold(defaults, |node, part| node.as_mapping()?.get(part))
}

fn set_at(tree: &mut Value, key: &str, value: Value) {
    let mut node = tree;
    let parts: Vec<&str> = key.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        node = node
            .as_mapping_mut()
            .and_then(|map| map.get_mut(*part))
            .expect("key was checked against the defaults");
    }
    node.as_mapping_mut()
        .expect("key was checked against the defaults")
        .insert(Value::String(parts[parts.len() - 1].into()), value);
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a whole number",
        Value::String(_) => "a string",
        Value::Mapping(_) => "a section",
        _ => "a value",
    }
}

/// Applies one `key=value` assignment; the value is parsed as the type the key has.
pub(super) fn apply_set(
    tree: &mut Value,
    defaults: &Value,
    assignment: &str,
) -> anyhow::Result<()> {
    let Some((key, raw)) = assignment.split_once('=') else {
        return bad_input(format!(
            "--set {assignment:?}: expected KEY=VALUE, e.g. --set mysql.database=trillian"
        ));
    };
    let key = key.trim();
    let Some(default) = lookup(defaults, key).filter(|v| !v.is_mapping()) else {
        return bad_input(format!(
            "--set {key}: unknown key. Valid keys:\n{}",
            valid_keys_list(defaults)
        ));
    };
    let value = match default {
        Value::String(_) => Value::String(raw.to_string()),
        Value::Bool(_) => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return bad_input(format!("--set {key}={raw}: expected true or false")),
        },
        Value::Number(_) => match raw.parse::<u32>() {
            Ok(n) => Value::Number(n.into()),
            Err(_) => return bad_input(format!("--set {key}={raw}: expected a whole number")),
        },
        _ => unreachable!("Values has only string, bool and number leaves"),
    };
    set_at(tree, key, value);
    Ok(())
}

/// Merges a values file into `tree`, checking every key and leaf type against the defaults.
pub(super) fn merge_file(
    tree: &mut Value,
    defaults: &Value,
    text: &str,
    file: &Path,
) -> anyhow::Result<()> {
    let parsed: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        Failure::BadInput(format!(
            "values file {}: not valid YAML: {e}",
            file.display()
        ))
    })?;
    let map = match parsed {
        Value::Null => return Ok(()), // an empty file changes nothing
        Value::Mapping(map) => map,
        other => {
            return bad_input(format!(
                "values file {}: expected a mapping of keys, found {}",
                file.display(),
                type_name(&other)
            ));
        }
    };
    merge_mapping(tree, defaults, "", &map, file)
}

fn merge_mapping(
    tree: &mut Value,
    defaults: &Value,
    prefix: &str,
    map: &Mapping,
    file: &Path,
) -> anyhow::Result<()> {
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            return bad_input(format!(
                "values file {}: keys must be strings, found {key:?}",
                file.display()
            ));
        };
        let path = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(default) = lookup(defaults, &path) else {
            return bad_input(format!(
                "values file {}: unknown key {path}. Valid keys:\n{}",
                file.display(),
                valid_keys_list(defaults)
            ));
        };
        let mismatch = || {
            bad_input(format!(
                "values file {}: {path}: expected {}, found {}",
                file.display(),
                type_name(default),
                type_name(value)
            ))
        };
        match (default, value) {
            (Value::Mapping(_), Value::Mapping(inner)) => {
                merge_mapping(tree, defaults, &path, inner, file)?
            }
            (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => {
                set_at(tree, &path, value.clone())
            }
            (Value::Number(_), Value::Number(n))
                if n.as_u64().is_some_and(|n| n <= u32::MAX as u64) =>
            {
                set_at(tree, &path, value.clone())
            }
            _ => return mismatch(),
        }
    }
    Ok(())
}
