//! A point in time with whole-second precision, written the way protobuf's JSON mapping writes
//! `google.protobuf.Timestamp`: RFC 3339 in UTC with a `Z` suffix.
//!
//! Whole seconds keep the trust files byte-identical between runs: callers pass fixed times
//! (a certificate's notBefore, a key's creation time), never "now".

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// Seconds since the Unix epoch (UTC). Ordered, so the earliest of several times is `min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_seconds: i64,
}

impl Timestamp {
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        Timestamp { unix_seconds }
    }

    /// Sub-second parts are dropped (rounded towards the past), so the result is never later
    /// than the given time.
    pub fn from_system_time(time: SystemTime) -> Self {
        let unix_seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_secs() as i64,
            Err(before) => {
                let before = before.duration();
                let whole = before.as_secs() as i64;
                if before.subsec_nanos() > 0 {
                    -whole - 1
                } else {
                    -whole
                }
            }
        };
        Timestamp { unix_seconds }
    }

    pub const fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }

    pub fn to_system_time(self) -> SystemTime {
        if self.unix_seconds >= 0 {
            UNIX_EPOCH + Duration::from_secs(self.unix_seconds as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(self.unix_seconds.unsigned_abs())
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Timestamp::from_system_time(time)
    }
}

impl fmt::Display for Timestamp {
    /// Years 1 to 9999 (what X.509 and RFC 3339 can carry) print as RFC 3339; a time beyond
    /// what `time` represents prints as `@<unix seconds>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(utc) = OffsetDateTime::from_unix_timestamp(self.unix_seconds) else {
            return write!(f, "@{}", self.unix_seconds);
        };
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        )
    }
}
