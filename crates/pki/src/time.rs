//! [`Time`]: a UTC instant with nanosecond precision, RFC 3339 text and X.509 conversions.
//!
//! RFC 3339 §5.6 grammar accepted by [`Time::parse_rfc3339`]:
//!
//! ```text
//! date-time     = full-date "T" full-time        ; "t", " " also accepted for "T"
//! full-time     = partial-time time-offset
//! partial-time  = time-hour ":" time-minute ":" time-second [time-secfrac]
//! time-secfrac  = "." 1*DIGIT                    ; at most 9 digits kept (nanoseconds)
//! time-offset   = "Z" / time-numoffset           ; "z" accepted
//! ```
//!
//! Leap seconds (`:60`) are refused: X.509 and RFC 3161 times never carry them.
//! Formatting always writes UTC with `Z`, and a fraction only when it is non-zero, with
//! trailing zeros removed (`2026-11-22T01:02:03.5Z`).

use std::fmt;
use std::time::Duration;

use crate::error::Error;

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: u32 = 1_000_000_000;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range RFC 3339 can express.
const MIN_UNIX_SECONDS: i64 = -62_167_219_200;
const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

/// A point in time with nanosecond precision, UTC. Supports dates before 1970.
///
/// Invariant: `nanos < 1_000_000_000` and `secs` within years 0000..=9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    secs: i64,
    nanos: u32,
}

impl Time {
    /// Seconds and nanoseconds since 1970-01-01T00:00:00Z. `None` if `nanos` is not below
    /// one second or the instant is outside years 0000..=9999.
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Time> {
        if nanos >= NANOS_PER_SECOND || !(MIN_UNIX_SECONDS..=MAX_UNIX_SECONDS).contains(&secs) {
            return None;
        }
        Some(Time { secs, nanos })
    }

    /// Whole seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`Time::unix_seconds`].
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The current time of the system clock.
    ///
    /// This is the single place in the libraries that reads the clock; everything else
    /// takes a `Time` as input so that verification is reproducible.
    #[allow(clippy::disallowed_methods)] // the one allowed clock read, see the doc comment
    pub fn now() -> Time {
        let now = std::time::SystemTime::now();
        let result = match now.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs())
                .ok()
                .and_then(|s| Time::from_unix(s, after.subsec_nanos())),
            Err(before) => {
                let d = before.duration();
                Time::from_unix(0, 0).and_then(|epoch| epoch.checked_sub(d))
            }
        };
        // A clock outside years 0000..=9999 is clamped rather than panicking.
        result.unwrap_or(Time {
            secs: MAX_UNIX_SECONDS,
            nanos: 0,
        })
    }

    /// `self + d`, or `None` when the result leaves the representable range.
    pub fn checked_add(&self, d: Duration) -> Option<Time> {
        let add_secs = i64::try_from(d.as_secs()).ok()?;
        let mut secs = self.secs.checked_add(add_secs)?;
        let mut nanos = self.nanos.checked_add(d.subsec_nanos())?;
        if nanos >= NANOS_PER_SECOND {
            nanos -= NANOS_PER_SECOND;
            secs = secs.checked_add(1)?;
        }
        Time::from_unix(secs, nanos)
    }

    /// `self - d`, or `None` when the result leaves the representable range.
    pub fn checked_sub(&self, d: Duration) -> Option<Time> {
        let sub_secs = i64::try_from(d.as_secs()).ok()?;
        let mut secs = self.secs.checked_sub(sub_secs)?;
        let nanos = if self.nanos >= d.subsec_nanos() {
            self.nanos - d.subsec_nanos()
        } else {
            secs = secs.checked_sub(1)?;
            self.nanos + NANOS_PER_SECOND - d.subsec_nanos()
        };
        Time::from_unix(secs, nanos)
    }

    /// Parses RFC 3339 (`2026-01-02T03:04:05Z`, `2026-01-02T03:04:05.123+01:00`).
    pub fn parse_rfc3339(s: &str) -> Result<Time, Error> {
        parse(s).map_err(|reason| Error::InvalidTime {
            input: s.chars().take(64).collect(),
            reason,
        })
    }

    /// From an X.509 `Time` (UTCTime or GeneralizedTime, always whole seconds after 1970
    /// in `der`'s model).
    pub fn from_x509(t: &x509_cert::time::Time) -> Time {
        let d = t.to_unix_duration();
        // der's DateTime is limited to years 1970..=9999, so this never falls back.
        i64::try_from(d.as_secs())
            .ok()
            .and_then(|s| Time::from_unix(s, d.subsec_nanos()))
            .unwrap_or(Time {
                secs: MAX_UNIX_SECONDS,
                nanos: 0,
            })
    }

    /// For rustls-webpki, which only validates at whole seconds after 1970.
    pub(crate) fn to_webpki(self) -> rustls_pki_types::UnixTime {
        let secs = u64::try_from(self.secs).unwrap_or(0);
        rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    /// (year, month, day, hour, minute, second) in UTC.
    fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(SECONDS_PER_DAY);
        let rem = self.secs.rem_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        // rem is in 0..86400, so these fit in u32.
        let rem = u32::try_from(rem).unwrap_or(0);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if self.nanos != 0 {
            // Fraction digits without trailing zeros, without allocating (the TSA server
            // formats one genTime per token).
            let (mut digits, mut width) = (self.nanos, 9);
            while digits % 10 == 0 {
                digits /= 10;
                width -= 1;
            }
            write!(f, ".{digits:0width$}")?;
        }
        f.write_str("Z")
    }
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian.
/// Howard Hinnant's `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// (year, month, day) -> days since 1970-01-01. Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Reads exactly `n` ASCII digits at `pos`.
fn digits(b: &[u8], pos: usize, n: usize) -> Result<u32, &'static str> {
    let part = b.get(pos..pos + n).ok_or("truncated")?;
    part.iter().try_fold(0u32, |acc, c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err("expected a digit")
        }
    })
}

fn expect(b: &[u8], pos: usize, allowed: &[u8], what: &'static str) -> Result<(), &'static str> {
    match b.get(pos) {
        Some(c) if allowed.contains(c) => Ok(()),
        _ => Err(what),
    }
}

fn parse(s: &str) -> Result<Time, &'static str> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    expect(b, 4, b"-", "expected '-' after year")?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b"-", "expected '-' after month")?;
    let day = digits(b, 8, 2)?;
    expect(b, 10, b"Tt ", "expected 'T' between date and time")?;
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b":", "expected ':' after hour")?;
    let minute = digits(b, 14, 2)?;
    expect(b, 16, b":", "expected ':' after minute")?;
    let second = digits(b, 17, 2)?;
    let year = i64::from(year);
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err("day out of range");
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("time of day out of range (leap seconds are not accepted)");
    }
    let mut pos = 19;
    let mut nanos = 0u32;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 9 {
                nanos = nanos * 10 + u32::from(b[pos] - b'0');
            }
            pos += 1;
        }
        let n = pos - start;
        if n == 0 {
            return Err("empty fraction of a second");
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(pos) {
        Some(b'Z' | b'z') => {
            pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let sign = if *sign == b'+' { 1 } else { -1 };
            let oh = digits(b, pos + 1, 2)?;
            expect(b, pos + 3, b":", "expected ':' in UTC offset")?;
            let om = digits(b, pos + 4, 2)?;
            if oh > 23 || om > 59 {
                return Err("UTC offset out of range");
            }
            pos += 6;
            sign * i64::from(oh * 3600 + om * 60)
        }
        _ => return Err("missing UTC offset ('Z' or +hh:mm)"),
    };
    if pos != b.len() {
        return Err("trailing characters");
    }
    let secs = days_from_civil(year, month, day) * SECONDS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset_secs;
    Time::from_unix(secs, nanos).ok_or("outside years 0000..=9999 after applying the offset")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_utc() {
        let t = Time::parse_rfc3339("2026-11-22T01:02:03Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_795_309_323);
        assert_eq!(t.subsec_nanos(), 0);
        assert_eq!(t.to_string(), "2026-11-22T01:02:03Z");
    }

    #[test]
    fn fraction_and_offset() {
        let t = Time::parse_rfc3339("2026-11-22T02:02:03.5+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-22T01:02:03.5Z");
        assert_eq!(t.subsec_nanos(), 500_000_000);
        let t = Time::parse_rfc3339("2026-11-22T01:02:03.123456789123Z").unwrap();
        assert_eq!(t.subsec_nanos(), 123_456_789);
        assert_eq!(t.to_string(), "2026-11-22T01:02:03.123456789Z");
        // Leading zeros of the fraction are kept, trailing ones dropped.
        for (nanos, text) in [
            (5_000, ".000005Z"),
            (50_000_000, ".05Z"),
            (1, ".000000001Z"),
        ] {
            let t = Time::from_unix(1_795_309_323, nanos).unwrap();
            assert_eq!(t.to_string(), format!("2026-11-22T01:02:03{text}"));
        }
    }

    #[test]
    fn before_1970() {
        let t = Time::parse_rfc3339("1969-12-31T23:59:59.25Z").unwrap();
        assert_eq!(t.unix_seconds(), -1);
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.25Z");
        let t = Time::parse_rfc3339("0000-01-01T00:00:00Z").unwrap();
        assert_eq!(t.unix_seconds(), MIN_UNIX_SECONDS);
        assert_eq!(t.to_string(), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn leap_day_and_round_trip_many_days() {
        assert!(Time::parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
        assert_eq!(
            Time::parse_rfc3339("2023-02-29T00:00:00Z"),
            Err(Error::InvalidTime {
                input: "2023-02-29T00:00:00Z".into(),
                reason: "day out of range"
            })
        );
        // Years 0000..=9999 span days -719_528..2_932_897 around the epoch.
        for days in (-719_528i64..2_932_000).step_by(997) {
            let t = Time::from_unix(days * SECONDS_PER_DAY + 3723, 7).unwrap();
            assert_eq!(Time::parse_rfc3339(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2026-11-22",
            "2026-11-22T01:02:03",
            "2026-11-22T01:02:60Z",
            "2026-13-01T00:00:00Z",
            "2026-11-22T01:02:03.Z",
            "2026-11-22T01:02:03Zx",
            "9999-12-31T23:59:59-01:00",
        ] {
            assert!(
                matches!(Time::parse_rfc3339(s), Err(Error::InvalidTime { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn arithmetic() {
        let t = Time::from_unix(10, 900_000_000).unwrap();
        let u = t.checked_add(Duration::from_millis(200)).unwrap();
        assert_eq!((u.unix_seconds(), u.subsec_nanos()), (11, 100_000_000));
        let v = u.checked_sub(Duration::from_millis(300)).unwrap();
        assert_eq!((v.unix_seconds(), v.subsec_nanos()), (10, 800_000_000));
        assert_eq!(
            Time::from_unix(MAX_UNIX_SECONDS, 0)
                .unwrap()
                .checked_add(Duration::from_secs(1)),
            None
        );
        assert_eq!(Time::from_unix(0, NANOS_PER_SECOND), None);
    }

    #[test]
    fn now_is_after_2020() {
        assert!(Time::now().unix_seconds() > 1_577_836_800);
    }
}
