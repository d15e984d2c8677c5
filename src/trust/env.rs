//! The CI environment: where the services are and where the trust files lie, as environment
//! variables. Written as a plain `KEY=value` file and appended to GitHub Actions' `$GITHUB_ENV`
//! and `$GITHUB_OUTPUT` files.
//!
//! Names follow sigstore/scaffolding's setup actions (REKOR_URL, FULCIO_URL, ..., OIDC_TOKEN,
//! TRUSTED_ROOT, SIGNING_CONFIG, TRUST_CONFIG) and cosign's own variables (SIGSTORE_ROOT_FILE,
//! SIGSTORE_CT_LOG_PUBLIC_KEY_FILE, SIGSTORE_REKOR_PUBLIC_KEY, SIGSTORE_ID_TOKEN), so existing CI
//! scripts work unchanged. The only secret is the OIDC token: it goes only into the files a
//! caller writes this environment to, is never part of `$GITHUB_OUTPUT`, and its Debug is
//! redacted.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::error::TrustInputError;

/// The variable names, one place.
pub mod names {
    /// Rekor's base URL.
    pub const REKOR_URL: &str = "REKOR_URL";
    /// Fulcio's HTTP base URL.
    pub const FULCIO_URL: &str = "FULCIO_URL";
    /// Fulcio's gRPC URL (only when the caller knows one).
    pub const FULCIO_GRPC_URL: &str = "FULCIO_GRPC_URL";
    /// The CT log's URL, including its prefix.
    pub const CTLOG_URL: &str = "CTLOG_URL";
    /// The timestamp authority's base URL (clients append `/api/v1/timestamp`), when the stack
    /// runs one.
    pub const TSA_URL: &str = "TSA_URL";
    /// The OIDC issuer Fulcio trusts (the `iss` of tokens), also what to pass as
    /// `--certificate-oidc-issuer` when verifying.
    pub const ISSUER_URL: &str = "ISSUER_URL";
    /// Path of trusted_root.json (`cosign --trusted-root`).
    pub const TRUSTED_ROOT: &str = "TRUSTED_ROOT";
    /// Path of signing_config.json (`cosign --signing-config`).
    pub const SIGNING_CONFIG: &str = "SIGNING_CONFIG";
    /// Path of client_trust_config.json (`python -m sigstore --trust-config`).
    pub const TRUST_CONFIG: &str = "TRUST_CONFIG";
    /// Path of the Fulcio chain PEM; cosign reads it instead of TUF.
    pub const SIGSTORE_ROOT_FILE: &str = "SIGSTORE_ROOT_FILE";
    /// Path of the CT log public key PEM; cosign reads it instead of TUF.
    pub const SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: &str = "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE";
    /// Path of the Rekor public key PEM; cosign reads it instead of TUF.
    pub const SIGSTORE_REKOR_PUBLIC_KEY: &str = "SIGSTORE_REKOR_PUBLIC_KEY";
    /// The OIDC token itself (secret; only when given).
    pub const OIDC_TOKEN: &str = "OIDC_TOKEN";
    /// The same token under the name cosign's environment token provider reads (secret).
    pub const SIGSTORE_ID_TOKEN: &str = "SIGSTORE_ID_TOKEN";
    /// The TUF repository of this audience (scaffolding's name; cosign reads it too).
    pub const TUF_MIRROR: &str = "TUF_MIRROR";
    /// Path of the TUF root.json: with TUF_MIRROR, cosign trusts the mirror without
    /// `cosign initialize` (cosign's name; TUF_ROOT is cosign's cache directory, not a file).
    pub const TUF_ROOT_JSON: &str = "TUF_ROOT_JSON";
}

/// An OIDC identity token (a JWT). Secret: Debug shows nothing of it, there is no Display.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcToken(String);

impl OidcToken {
    pub fn new(token: impl Into<String>) -> Result<Self, TrustInputError> {
        let token = token.into();
        // Messages never include the token itself.
        let refuse = |reason: &str| TrustInputError::EnvEntry {
            name: names::OIDC_TOKEN.to_string(),
            reason: reason.to_string(),
        };
        if token.is_empty() {
            return Err(refuse(
                "the token is empty; request one with audience \"sigstore\"",
            ));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse(
                "the token contains whitespace or control characters; pass the bare JWT",
            ));
        }
        Ok(OidcToken(token))
    }

    /// The token text, for writing it where the caller asked. Never log this.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OidcToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OidcToken(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EnvValue {
    Public(String),
    Secret(OidcToken),
}

impl EnvValue {
    fn text(&self) -> &str {
        match self {
            EnvValue::Public(value) => value,
            EnvValue::Secret(token) => token.expose_secret(),
        }
    }
}

/// An ordered list of environment variables, some of them secret. Debug redacts secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustEnv {
    entries: Vec<(String, EnvValue)>,
}

/// Which GitHub Actions files [`TrustEnv::append_to_github_files`] wrote to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubFilesWritten {
    pub github_env: Option<PathBuf>,
    pub github_output: Option<PathBuf>,
}

impl TrustEnv {
    pub fn new() -> Self {
        TrustEnv::default()
    }

    /// Adds (or replaces) a non-secret variable. The token's names are refused here, so a
    /// token can never end up as a printable value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> Result<(), TrustInputError> {
        if [names::OIDC_TOKEN, names::SIGSTORE_ID_TOKEN].contains(&name) {
            return Err(TrustInputError::EnvEntry {
                name: name.to_string(),
                reason: "holds the OIDC token, a secret; set it with set_oidc_token".into(),
            });
        }
        self.insert(name, EnvValue::Public(value.into()))
    }

    /// Sets OIDC_TOKEN and SIGSTORE_ID_TOKEN to the token.
    pub fn set_oidc_token(&mut self, token: &OidcToken) {
        for name in [names::OIDC_TOKEN, names::SIGSTORE_ID_TOKEN] {
            self.insert(name, EnvValue::Secret(token.clone()))
                .expect("the token names are valid");
        }
    }

    fn insert(&mut self, name: &str, value: EnvValue) -> Result<(), TrustInputError> {
        check_name(name)?;
        match self
            .entries
            .iter_mut()
            .find(|(existing, _)| existing == name)
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
        Ok(())
    }

    /// The value of a non-secret variable (secrets read as None).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find_map(|(existing, value)| match value {
                EnvValue::Public(text) if existing == name => Some(text.as_str()),
                _ => None,
            })
    }

    /// All variable names in order, secrets included (names are not secret).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// Name and value of every non-secret variable: what may be printed.
    pub fn public_entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|(name, value)| match value {
            EnvValue::Public(text) => Some((name.as_str(), text.as_str())),
            EnvValue::Secret(_) => None,
        })
    }

    pub fn has_secrets(&self) -> bool {
        self.entries
            .iter()
            .any(|(_, value)| matches!(value, EnvValue::Secret(_)))
    }

    /// `KEY=value` lines, loadable by a POSIX shell (`set -a; . ./env; set +a`). Values made of
    /// URL/path characters stay bare; anything else is single-quoted. Includes secrets.
    pub fn to_env_file(&self) -> String {
        let mut text =
            String::from("# Written by sigstore-up. Load with: set -a; . ./env; set +a\n");
        for (name, value) in &self.entries {
            text.push_str(name);
            text.push('=');
            text.push_str(&shell_value(value.text()));
            text.push('\n');
        }
        text
    }

    /// The text appended to `$GITHUB_ENV`: every variable, secrets included.
    pub fn to_github_env(&self) -> String {
        self.entries
            .iter()
            .map(|(name, value)| github_command(name, value.text()))
            .collect()
    }

    /// The text appended to `$GITHUB_OUTPUT`: non-secret variables only, named in lower case
    /// with dashes (`REKOR_URL` -> `rekor-url`). Step outputs can be passed to other jobs
    /// unmasked, so the token is never one.
    pub fn to_github_output(&self) -> String {
        self.public_entries()
            .map(|(name, value)| github_command(&output_name(name), value))
            .collect()
    }

    pub fn append_to_github_env(&self, path: &Path) -> anyhow::Result<()> {
        append(path, &self.to_github_env()).with_context(|| {
            format!(
                "appending the trust environment to GITHUB_ENV file {}",
                path.display()
            )
        })
    }

    pub fn append_to_github_output(&self, path: &Path) -> anyhow::Result<()> {
        append(path, &self.to_github_output()).with_context(|| {
            format!(
                "appending trust outputs to GITHUB_OUTPUT file {}",
                path.display()
            )
        })
    }

    /// Appends to the files named by the `GITHUB_ENV` and `GITHUB_OUTPUT` environment variables,
    /// each only when it is set and not empty (that is, when running as a GitHub Actions step).
    pub fn append_to_github_files(&self) -> anyhow::Result<GithubFilesWritten> {
        let from_environment = |name: &str| {
            std::env::var_os(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        let written = GithubFilesWritten {
            github_env: from_environment("GITHUB_ENV"),
            github_output: from_environment("GITHUB_OUTPUT"),
        };
        if let Some(path) = &written.github_env {
            self.append_to_github_env(path)?;
        }
        if let Some(path) = &written.github_output {
            self.append_to_github_output(path)?;
        }
        Ok(written)
    }
}

fn check_name(name: &str) -> Result<(), TrustInputError> {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(TrustInputError::EnvEntry {
            name: name.to_string(),
            reason: "names are letters, digits and '_', not starting with a digit".into(),
        })
    }
}

fn shell_value(value: &str) -> String {
    let is_plain = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c);
    if !value.is_empty() && value.chars().all(is_plain) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn output_name(env_name: &str) -> String {
    env_name.to_ascii_lowercase().replace('_', "-")
}

/// One entry in GitHub's file-command format: `NAME=value`, or for values spanning lines
/// `NAME<<DELIMITER`, the value, `DELIMITER`. The delimiter is chosen so it occurs in neither
/// name nor value (GitHub refuses the entry otherwise); being derived from the content, the
/// output stays deterministic.
fn github_command(name: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let mut delimiter = String::from("SIGSTORE_UP_EOF");
    let mut attempt = 0u32;
    while name.contains(&delimiter) || value.contains(&delimiter) {
        attempt += 1;
        delimiter = format!("SIGSTORE_UP_EOF_{attempt}");
    }
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}
