//! URLs of the stack's services as clients are told about them.

use std::fmt;

use super::error::TrustInputError;

/// An `http` or `https` URL with a host and no query, fragment, credentials or trailing `/`,
/// kept exactly as given. Clients append API paths to it (`/api/v2/signingCert`,
/// `/api/v1/log/entries`), and an OIDC issuer must match a token's `iss` claim character for
/// character, so nothing is rewritten; what cannot be used as such is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceUrl(String);

impl ServiceUrl {
    pub fn parse(text: &str) -> Result<Self, TrustInputError> {
        let refuse = |reason: &str| TrustInputError::Url {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("contains whitespace; give the URL alone"));
        }
        let parsed = url::Url::parse(text).map_err(|error| {
            refuse(&format!(
                "not a URL ({error}); e.g. http://rekor.rekor-system.svc"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(refuse("scheme must be http or https"));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(refuse("has no host"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse("must not carry credentials"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(refuse("must not have a query (?) or fragment (#)"));
        }
        if text.ends_with('/') {
            return Err(refuse(
                "ends with '/'; clients append API paths to it, remove the trailing slash",
            ));
        }
        Ok(ServiceUrl(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This URL with a fixed API path appended (plain segments: no '?', '#', or trailing '/',
    /// so the result keeps every rule above).
    pub fn with_path(&self, path: &'static str) -> Self {
        debug_assert!(!path.contains(['?', '#']) && !path.ends_with('/'));
        ServiceUrl(format!("{}/{}", self.0, path.trim_start_matches('/')))
    }

    /// The URL without `http://` or `https://`: a log's origin when the URL is its identity.
    pub fn without_scheme(&self) -> &str {
        self.0
            .strip_prefix("https://")
            .or_else(|| self.0.strip_prefix("http://"))
            .unwrap_or(&self.0)
    }
}

impl fmt::Display for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ServiceUrl {
    type Err = TrustInputError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ServiceUrl::parse(text)
    }
}
