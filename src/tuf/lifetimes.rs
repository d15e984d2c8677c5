//! How long each role's metadata stays valid, and when install signs it again.
//!
//! Nothing signs the repository between installs (the keys live in a Secret, not in a running
//! signer), so the defaults are long enough that a stack left alone for weeks, or a CI job that
//! runs for hours, never meets an expired repository:
//!
//! | role      | default | re-signed by install                                            |
//! |-----------|---------|-----------------------------------------------------------------|
//! | root      | 3650d   | never: root.json is the trust anchor clients were handed        |
//! | targets   | 365d    | when the trust material changed, or under half its life is left |
//! | snapshot  | 365d    | with targets, or when under half its life is left               |
//! | timestamp | 180d    | with snapshot, or when under half its life is left              |
//!
//! A role whose metadata expires further out than its (shortened) lifetime allows is signed
//! again too, so lowering a lifetime takes effect at the next install.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::duration::DurationError;

/// The lifetimes as the values file writes them: a Go duration (`720h`, `90m`) or whole days
/// (`30d`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifetimeValues {
    pub root: String,
    pub targets: String,
    pub snapshot: String,
    pub timestamp: String,
}

impl Default for LifetimeValues {
    fn default() -> Self {
        LifetimeValues {
            root: "3650d".into(),
            targets: "365d".into(),
            snapshot: "365d".into(),
            timestamp: "180d".into(),
        }
    }
}

/// The shortest lifetime accepted: a timestamp must outlive the install that signs it and the
/// first client that reads it.
pub const MINIMUM: Duration = Duration::from_secs(10);

/// Parsed lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub root: Duration,
    pub targets: Duration,
    pub snapshot: Duration,
    pub timestamp: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes::parse(&LifetimeValues::default()).expect("the defaults parse")
    }
}

/// Why a lifetime is refused: the key (`tuf.lifetimes.<role>`) and what is wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tuf.lifetimes.{role}={value:?}: {problem}")]
pub struct LifetimeError {
    pub role: &'static str,
    pub value: String,
    pub problem: String,
}

impl Lifetimes {
    pub fn parse(values: &LifetimeValues) -> Result<Lifetimes, LifetimeError> {
        let lifetimes = Lifetimes {
            root: parse_one("root", &values.root)?,
            targets: parse_one("targets", &values.targets)?,
            snapshot: parse_one("snapshot", &values.snapshot)?,
            timestamp: parse_one("timestamp", &values.timestamp)?,
        };
        // A role that expires after the root would outlive the keys that vouch for it.
        for (role, lifetime, value) in [
            ("targets", lifetimes.targets, &values.targets),
            ("snapshot", lifetimes.snapshot, &values.snapshot),
            ("timestamp", lifetimes.timestamp, &values.timestamp),
        ] {
            if lifetime > lifetimes.root {
                return Err(LifetimeError {
                    role,
                    value: value.clone(),
                    problem: format!(
                        "longer than the root's lifetime ({}); no role may outlive the root",
                        values.root
                    ),
                });
            }
        }
        Ok(lifetimes)
    }
}

fn parse_one(role: &'static str, value: &str) -> Result<Duration, LifetimeError> {
    let error = |problem: String| LifetimeError {
        role,
        value: value.to_string(),
        problem,
    };
    let duration = parse_lifetime(value).map_err(|e| {
        error(match e {
            DurationError::Empty => "the lifetime must not be empty".to_string(),
            DurationError::TooLong(_) => "longer than a lifetime can be".to_string(),
            DurationError::Invalid(_) => {
                "expected a duration such as 30d, 720h or 90m (units: d, h, m, s)".to_string()
            }
        })
    })?;
    if duration < MINIMUM {
        return Err(error(format!(
            "shorter than the minimum of {}s",
            MINIMUM.as_secs()
        )));
    }
    Ok(duration)
}

/// `<N>d` (whole days), or a Go duration (see [`crate::duration::parse`]).
pub fn parse_lifetime(text: &str) -> Result<Duration, DurationError> {
    if let Some(days) = text.strip_suffix('d')
        && !days.is_empty()
        && days.chars().all(|c| c.is_ascii_digit())
    {
        return days
            .parse::<u64>()
            .ok()
            .and_then(|days| days.checked_mul(86_400))
            .filter(|seconds| *seconds <= 100 * 365 * 86_400)
            .map(Duration::from_secs)
            .ok_or_else(|| DurationError::TooLong(text.to_string()));
    }
    crate::duration::parse(text)
}

/// Whether metadata expiring at `expires` (Unix seconds) must be signed again at `now`, for a
/// role whose lifetime is `lifetime`: under half of it is left (or it expired), or it expires
/// later than a fresh signature would (the lifetime was shortened).
pub fn is_due(expires: i64, now: i64, lifetime: Duration) -> bool {
    let lifetime = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    let left = expires.saturating_sub(now);
    left < lifetime / 2 || left > lifetime.saturating_add(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_long_and_ordered() {
        let lifetimes = Lifetimes::default();
        assert_eq!(lifetimes.root, Duration::from_secs(3650 * 86_400));
        assert_eq!(lifetimes.timestamp, Duration::from_secs(180 * 86_400));
        assert!(lifetimes.timestamp <= lifetimes.snapshot);
        assert!(lifetimes.snapshot <= lifetimes.root);
    }

    #[test]
    fn days_and_go_durations_parse() {
        assert_eq!(parse_lifetime("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_lifetime("720h"), Ok(Duration::from_secs(720 * 3600)));
        assert_eq!(parse_lifetime("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_lifetime("45s"), Ok(Duration::from_secs(45)));
        assert!(parse_lifetime("d").is_err());
        assert!(parse_lifetime("1.5d").is_err());
        assert!(parse_lifetime("30 days").is_err());
        assert!(matches!(
            parse_lifetime("99999999999d"),
            Err(DurationError::TooLong(_))
        ));
    }

    #[test]
    fn errors_name_the_key_and_the_fix() {
        let mut values = LifetimeValues {
            timestamp: "1w".into(),
            ..LifetimeValues::default()
        };
        let error = Lifetimes::parse(&values).unwrap_err().to_string();
        assert_eq!(
            error,
            "tuf.lifetimes.timestamp=\"1w\": expected a duration such as 30d, 720h or 90m (units: d, h, m, s)"
        );
        values.timestamp = "5s".into();
        assert!(
            Lifetimes::parse(&values)
                .unwrap_err()
                .to_string()
                .contains("shorter than the minimum of 10s")
        );
        values.timestamp = "3651d".into();
        assert!(
            Lifetimes::parse(&values)
                .unwrap_err()
                .to_string()
                .contains("no role may outlive the root")
        );
    }

    #[test]
    fn due_when_half_is_spent_expired_or_too_far_out() {
        let day = Duration::from_secs(86_400);
        let now = 1_000_000_000;
        let lifetime = 10 * day;
        let in_days = |days: i64| now + days * 86_400;
        assert!(!is_due(in_days(10), now, lifetime), "fresh");
        assert!(!is_due(in_days(6), now, lifetime), "more than half left");
        assert!(is_due(in_days(4), now, lifetime), "less than half left");
        assert!(is_due(in_days(-1), now, lifetime), "expired");
        assert!(
            is_due(in_days(30), now, lifetime),
            "the lifetime was shortened"
        );
    }
}
