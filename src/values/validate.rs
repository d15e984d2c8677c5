//! What types cannot check: names Kubernetes accepts, quantities, durations, URLs, images.

use serde_yaml_ng::Value;

use super::Values;
use crate::catalog::NamespaceKey;
use crate::duration::DurationError;
use crate::error::{Failure, bad_input};
use crate::trust::ServiceUrl;

impl Values {
    /// Checks what types cannot: names Kubernetes accepts, quantities, URLs.
    pub fn validate(&self) -> anyhow::Result<()> {
        if super::ProfileChoice::parse(&self.profile).is_none() {
            let names: Vec<&str> = super::ProfileChoice::ALL.iter().map(|p| p.name()).collect();
            return bad_input(format!(
                "profile={:?}: no such profile; choose one of {}",
                self.profile,
                names.join(", ")
            ));
        }
        check_label_value("instance", &self.instance)?;
        for key in NamespaceKey::ALL {
            check_dns_label(&format!("namespaces.{}", key.key()), key.of(self))?;
        }
        for (key, value) in self.keys() {
            let Value::String(text) = value else { continue };
            if key.starts_with("images.") {
                check_image(&key, &text)?;
            } else if key.starts_with("resources.")
                || key == "mysql.storage_size"
                || key == "rekor_tiles.storage_size"
            {
                check_quantity(&key, &text)?;
            }
        }
        for (id, count) in &self.replicas {
            if !(1..=20).contains(count) {
                return bad_input(format!("replicas.{id}={count}: replicas must be 1 to 20"));
            }
        }
        check_identifier("mysql.database", &self.mysql.database)?;
        check_identifier("mysql.user", &self.mysql.user)?;
        if !self.mysql.storage_class.is_empty() {
            check_dns_subdomain("mysql.storage_class", &self.mysql.storage_class)?;
        }
        if !self.rekor_tiles.storage_class.is_empty() {
            check_dns_subdomain("rekor_tiles.storage_class", &self.rekor_tiles.storage_class)?;
        }
        check_go_duration(
            "trillian.sequencer_interval",
            &self.trillian.sequencer_interval,
        )?;
        check_go_duration(
            "rekor_tiles.checkpoint_interval",
            &self.rekor_tiles.checkpoint_interval,
        )?;
        check_go_duration(
            "tesseract.checkpoint_interval",
            &self.tesseract.checkpoint_interval,
        )?;
        if self.trillian.batch_size == 0 {
            return bad_input("trillian.batch_size=0: the batch size must be at least 1");
        }
        if !self.rekor.hostname.is_empty() {
            check_dns_subdomain("rekor.hostname", &self.rekor.hostname)?;
        }
        check_label_value("rekor.tree_name", &self.rekor.tree_name)?;
        check_label_value("ctlog.tree_name", &self.ctlog.tree_name)?;
        if self.ctlog.prefix.is_empty()
            || !self
                .ctlog
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return bad_input(format!(
                "ctlog.prefix={:?}: the CT log prefix must be non-empty and use only letters, digits, '-' and '_'",
                self.ctlog.prefix
            ));
        }
        if !self.fulcio.issuer_url.is_empty() {
            // The same type the trust files use: what passes here is what clients are given.
            ServiceUrl::parse(&self.fulcio.issuer_url).map_err(|e| {
                Failure::BadInput(format!(
                    "fulcio.issuer_url: {e}; e.g. https://kubernetes.default.svc.cluster.local"
                ))
            })?;
        }
        check_label_value("fulcio.client_id", &self.fulcio.client_id)?;
        if self.lifetimes.fulcio_ca_days == 0
            || self.lifetimes.tsa_ca_days == 0
            || self.lifetimes.identity_token_seconds < 600
        {
            return bad_input(
                "lifetimes: fulcio_ca_days and tsa_ca_days must be at least 1 and identity_token_seconds at least 600 (the Kubernetes minimum)",
            );
        }
        crate::tuf::Lifetimes::parse(&self.tuf.lifetimes)
            .map_err(|e| Failure::BadInput(e.to_string()))?;
        Ok(())
    }
}

// ---- checks for strings Kubernetes (or the servers) will interpret ----

fn check_dns_label(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be a DNS label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)"
        ))
    }
}

fn check_dns_subdomain(key: &str, value: &str) -> anyhow::Result<()> {
    if value.len() <= 253
        && value
            .split('.')
            .all(|part| check_dns_label(key, part).is_ok())
    {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be a DNS name (dot-separated DNS labels)"
        ))
    }
}

fn check_label_value(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
        ))
    }
}

fn check_identifier(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 32
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: must be 1-32 letters, digits or '_'"
        ))
    }
}

fn check_image(key: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && !value.contains(char::is_whitespace)
        && !value.contains(['"', '\'', '\\', '{', '}'])
        && !value.starts_with(['/', ':', '@']);
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: expected an image reference such as registry.example.com/org/name:tag"
        ))
    }
}

/// A Kubernetes quantity: a decimal number with an optional suffix (m, k, M, G, T, Ki, Mi, Gi, Ti).
fn check_quantity(key: &str, value: &str) -> anyhow::Result<()> {
    const SUFFIXES: [&str; 10] = ["Ki", "Mi", "Gi", "Ti", "m", "k", "M", "G", "T", ""];
    let ok = SUFFIXES.iter().any(|suffix| {
        value.strip_suffix(suffix).is_some_and(|number| {
            !number.is_empty()
                && number.chars().all(|c| c.is_ascii_digit() || c == '.')
                && number.starts_with(|c: char| c.is_ascii_digit())
                && number.matches('.').count() <= 1
        })
    });
    if ok {
        Ok(())
    } else {
        bad_input(format!(
            "{key}={value:?}: expected a Kubernetes quantity such as 100m, 0.5, 256Mi or 1Gi"
        ))
    }
}

/// A Go duration as the Trillian flags take it (see [`crate::duration::parse`]).
fn check_go_duration(key: &str, value: &str) -> anyhow::Result<()> {
    match crate::duration::parse(value) {
        Ok(_) => Ok(()),
        Err(DurationError::Empty) => bad_input(format!("{key}: the duration must not be empty")),
        Err(_) => bad_input(format!(
            "{key}={value:?}: expected a duration such as 100ms, 1s or 1m30s"
        )),
    }
}
