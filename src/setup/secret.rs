//! A password that never shows up in `Debug` output or logs.

use std::fmt;

use rand::RngExt;
use rand::distr::Alphanumeric;

/// A password for an encrypted private key. `Debug` prints `<redacted>`; there is deliberately
/// no `Display`, so the only way to the text is [`Password::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Letters and digits only, so the password survives URLs, text protos and shell quoting
/// unchanged; 32 of them are about 190 bits.
const GENERATED_LENGTH: usize = 32;

impl Password {
    /// A new random password from the operating system's CSPRNG (via `rand::rng`).
    pub fn generate() -> Password {
        let text = rand::rng()
            .sample_iter(Alphanumeric)
            .take(GENERATED_LENGTH)
            .map(char::from)
            .collect();
        Password(text)
    }

    /// Wraps an existing password, e.g. one read back from a Secret. It must be non-empty UTF-8
    /// (Trillian's key loader and Fulcio's `--fileca-key-passwd` both reject an empty one).
    pub fn from_bytes(bytes: &[u8]) -> Result<Password, PasswordError> {
        let text = std::str::from_utf8(bytes).map_err(|_| PasswordError::NotUtf8)?;
        if text.is_empty() {
            return Err(PasswordError::Empty);
        }
        Ok(Password(text.to_owned()))
    }

    /// The password itself, for handing to the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is empty")]
    Empty,
    #[error("the password is not UTF-8 text")]
    NotUtf8,
}
