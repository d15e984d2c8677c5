//! Durations as text, in Go's `time.ParseDuration` syntax: what the upstream servers' flags take
//! (e.g. Trillian's `--sequencer_interval`), and what our own `--timeout` flags take too.

use std::time::Duration;

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("the duration is empty")]
    Empty,
    #[error("{0:?} is not a duration")]
    Invalid(String),
    #[error("{0:?} is longer than a Go duration can be (about 292 years)")]
    TooLong(String),
}

/// Nanoseconds per unit, as Go names the units (`µs` in both of Unicode's spellings).
const UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses a Go duration: one or more decimal numbers, each with an optional fraction and a
/// required unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `100ms`, `1.5s`, `1h30m`; or `0`.
/// Anything Go would reject is refused, and so is a sign (no flag of ours or upstream's wants a
/// negative duration): a value accepted here is accepted by the Go servers too.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let invalid = || DurationError::Invalid(text.to_owned());
    let mut nanos: u128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(invalid());
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let per_unit = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, nanos)| *nanos)
            .ok_or_else(invalid)?;
        // Digits only, so parsing fails only on overflow; 39 digits would overflow u128 anyway.
        let too_long = || DurationError::TooLong(text.to_owned());
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_long())?
        };
        let mut part = whole.checked_mul(per_unit).ok_or_else(too_long)?;
        // Fraction digits beyond nanosecond precision of the unit change nothing.
        let mut scale = per_unit;
        for digit in fraction.bytes() {
            scale /= 10;
            part += u128::from(digit - b'0') * scale;
        }
        nanos = nanos.checked_add(part).ok_or_else(too_long)?;
        if nanos > i64::MAX as u128 {
            return Err(too_long());
        }
        rest = next;
    }
    let seconds = u64::try_from(nanos / 1_000_000_000).expect("at most i64::MAX nanoseconds");
    let subsec = u32::try_from(nanos % 1_000_000_000).expect("less than a second");
    Ok(Duration::new(seconds, subsec))
}

/// What our `--timeout`-like flags take: a Go duration ([`parse`]), or a bare number of seconds
/// (`90`). Surrounding whitespace is ignored.
pub fn parse_flag(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse(text).map_err(|_| format!("invalid duration {text:?}: use e.g. 90s, 5m, 1h30m or 500ms"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn go_durations_parse() {
        for (text, expected) in [
            ("0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("100ms", ms(100)),
            ("1s", ms(1000)),
            ("1m30s", ms(90_000)),
            ("1h30m", ms(5_400_000)),
            ("1.5s", ms(1500)),
            (".5s", ms(500)),
            ("5.s", ms(5000)),
            ("2h45m10.5s", ms(9_910_500)),
            ("1500us", ms(1) + Duration::from_micros(500)),
            ("1\u{b5}s", Duration::from_micros(1)),
            ("1\u{3bc}s", Duration::from_micros(1)),
            ("7ns", Duration::from_nanos(7)),
            ("1.0000000001s", ms(1000)),
            ("0.1ns", Duration::ZERO),
            ("1s1s", ms(2000)),
            ("2562047h", Duration::from_secs(2_562_047 * 3600)),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn what_go_refuses_is_refused() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        for text in [
            "1", "100", "s", "ms", ".s", "1..5s", "1.2.3s", "-1s", "+1s", "1d", "1 s", " 1s",
            "1s ", "1S", "1sec", "1h-5m", "5m1",
        ] {
            assert_eq!(
                parse(text),
                Err(DurationError::Invalid(text.into())),
                "{text}"
            );
        }
        for text in [
            "2562048h",
            "9223372036854775808ns",
            "99999999999999999999999999999999999999999h",
        ] {
            assert_eq!(
                parse(text),
                Err(DurationError::TooLong(text.into())),
                "{text}"
            );
        }
    }

    #[test]
    fn flags_also_take_bare_seconds_and_whitespace() {
        assert_eq!(parse_flag("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_flag(" 5m "), Ok(Duration::from_secs(300)));
        assert_eq!(parse_flag("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_flag("500ms"), Ok(ms(500)));
        assert_eq!(
            parse_flag("5 minutes"),
            Err("invalid duration \"5 minutes\": use e.g. 90s, 5m, 1h30m or 500ms".to_owned())
        );
        assert!(parse_flag("").is_err());
        assert!(parse_flag("-5s").is_err());
    }
}
