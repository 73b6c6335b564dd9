//! `GeneralizedTime` with fractional seconds, as TSTInfo `genTime` needs it.
//!
//! RFC 3161 §2.4.2: "genTime GeneralizedTime ... The syntax is: YYYYMMDDhhmmss[.s...]Z ...
//! The ending Z MUST be used ... If the precision is finer than one second, the fraction
//! of a second MUST NOT contain trailing zeros". `der`'s own `GeneralizedTime` (like
//! `x509-tsp` 0.1, rust-stack P1) refuses any fraction, so tokens from OpenSSL with
//! `clock_precision_digits` or from many commercial TSAs would not parse.
//!
//! Decoding accepts 1..9 fraction digits (nanosecond precision) and tolerates trailing zeros
//! (unambiguous, and strictness here would only lose real tokens); it requires seconds and
//! `Z`. Encoding writes the DER form: no fraction for whole seconds, otherwise the digits
//! without trailing zeros (X.690 §11.7).

use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer};

/// Longest accepted value: 14 digits, '.', 9 fraction digits, 'Z'.
pub(crate) const MAX_LEN: usize = 25;

/// A UTC `GeneralizedTime` with up to nanosecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GeneralizedTimeFrac {
    unix_secs: i64,
    nanos: u32,
}

impl GeneralizedTimeFrac {
    /// From seconds since the Unix epoch and nanoseconds (`None` if `nanos` ≥ 10^9 or the
    /// year is outside 0000..=9999).
    pub fn new(unix_secs: i64, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            return None;
        }
        let (year, ..) = civil_from_days(unix_secs.div_euclid(86_400));
        if !(0..=9999).contains(&year) {
            return None;
        }
        Some(Self { unix_secs, nanos })
    }

    /// Seconds since the Unix epoch.
    pub fn unix_secs(&self) -> i64 {
        self.unix_secs
    }

    /// Fraction of the second in nanoseconds.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses the value octets (`YYYYMMDDhhmmss[.f{1,9}]Z`).
    pub fn parse(value: &[u8]) -> Option<Self> {
        if value.len() < 15 || value.len() > MAX_LEN || value.last() != Some(&b'Z') {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = value.get(r)?;
            s.iter().try_fold(0i64, |acc, b| {
                b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
            })
        };
        let year = digits(0..4)?;
        let month = digits(4..6)?;
        let day = digits(6..8)?;
        let hour = digits(8..10)?;
        let minute = digits(10..12)?;
        let second = digits(12..14)?;
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let nanos = match value.len() {
            15 => 0,
            _ => {
                // ".f...Z": at least one digit after the point.
                let frac = value.get(15..value.len() - 1)?;
                if value.get(14) != Some(&b'.') || frac.is_empty() || frac.len() > 9 {
                    return None;
                }
                let mut n: u32 = 0;
                for b in frac {
                    if !b.is_ascii_digit() {
                        return None;
                    }
                    n = n * 10 + u32::from(b - b'0');
                }
                for _ in frac.len()..9 {
                    n *= 10;
                }
                n
            }
        };
        let days = days_from_civil(year, month, day);
        let unix_secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Self { unix_secs, nanos })
    }

    /// The DER value octets.
    pub fn to_value_string(&self) -> String {
        let (bytes, len) = self.value_octets();
        bytes
            .get(..len)
            .map(|v| v.iter().map(|&b| char::from(b)).collect())
            .unwrap_or_default()
    }

    /// The DER value octets in a stack buffer, and how many are used: the TSA encodes one
    /// genTime per token, so this does not allocate. `new` keeps the year in 0..=9999, so
    /// four digits always suffice.
    pub(crate) fn value_octets(&self) -> ([u8; MAX_LEN], usize) {
        let days = self.unix_secs.div_euclid(86_400);
        let secs_of_day = self.unix_secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut out = [b'0'; MAX_LEN];
        let fields = [
            (y, 4),
            (m, 2),
            (d, 2),
            (secs_of_day / 3600, 2),
            ((secs_of_day / 60) % 60, 2),
            (secs_of_day % 60, 2),
        ];
        let mut at = 0;
        for (value, width) in fields {
            put_digits(&mut out, at, u64::try_from(value).unwrap_or(0), width);
            at += width;
        }
        if self.nanos != 0 {
            // X.690 §11.7: no trailing zeros.
            let (mut frac, mut width) = (self.nanos, 9);
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            out[at] = b'.';
            put_digits(&mut out, at + 1, u64::from(frac), width);
            at += 1 + width;
        }
        out[at] = b'Z';
        (out, at + 1)
    }
}

/// Writes the last `width` decimal digits of `value` at `out[at..at + width]`.
fn put_digits(out: &mut [u8], at: usize, mut value: u64, width: usize) {
    for slot in out.iter_mut().skip(at).take(width).rev() {
        *slot = b"0123456789"[usize::from(u8::try_from(value % 10).unwrap_or(0))];
        value /= 10;
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl FixedTag for GeneralizedTimeFrac {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GeneralizedTimeFrac {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let len = usize::try_from(header.length())?;
        if len > MAX_LEN {
            return Err(reader.error(Tag::GeneralizedTime.length_error()));
        }
        let bytes = reader.read_slice(header.length())?;
        Self::parse(bytes).ok_or_else(|| reader.error(Tag::GeneralizedTime.value_error()))
    }
}

impl EncodeValue for GeneralizedTimeFrac {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.value_octets().1)
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        let (bytes, len) = self.value_octets();
        writer.write(bytes.get(..len).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};
    use proptest::prelude::*;

    #[test]
    fn parses_whole_and_fractional_seconds() {
        let t = GeneralizedTimeFrac::parse(b"20261121235758Z").unwrap();
        assert_eq!((t.unix_secs(), t.nanos()), (1_795_305_478, 0));
        let t = GeneralizedTimeFrac::parse(b"20261121235758.5Z").unwrap();
        assert_eq!(t.nanos(), 500_000_000);
        let t = GeneralizedTimeFrac::parse(b"20261121235758.123456789Z").unwrap();
        assert_eq!(t.nanos(), 123_456_789);
        // Trailing zeros are tolerated on input.
        assert_eq!(
            GeneralizedTimeFrac::parse(b"20261121235758.50Z")
                .unwrap()
                .nanos(),
            500_000_000
        );
        let old = GeneralizedTimeFrac::parse(b"19500101000000Z").unwrap();
        assert_eq!(old.unix_secs(), -631_152_000);
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in [
            &b"2000V101081721Z"[..],
            b"20261121235758",
            b"20261121235758.Z",
            b"202611212357Z",
            b"20261121235758.1234567890Z",
            b"20260230000000Z",
            b"20261121245758Z",
            b"20261121235758+0100",
            b"20261121235758,5Z",
            b"20261321235758Z",
        ] {
            assert_eq!(
                GeneralizedTimeFrac::parse(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn encodes_der_form() {
        let t = GeneralizedTimeFrac::new(1_795_305_478, 120_000_000).unwrap();
        assert_eq!(t.to_value_string(), "20261121235758.12Z");
        let der = t.to_der().unwrap();
        assert_eq!(der[0], 0x18);
        assert_eq!(GeneralizedTimeFrac::from_der(&der).unwrap(), t);
        assert_eq!(
            GeneralizedTimeFrac::new(0, 0).unwrap().to_value_string(),
            "19700101000000Z"
        );
        assert!(GeneralizedTimeFrac::new(0, 1_000_000_000).is_none());
    }

    proptest! {
        #[test]
        fn round_trips(secs in -62_135_596_800i64..253_402_300_799i64, nanos in 0u32..1_000_000_000) {
            let t = GeneralizedTimeFrac::new(secs, nanos).unwrap();
            let s = t.to_value_string();
            // DER: no trailing zeros in the fraction, no fraction for whole seconds.
            prop_assert!(nanos == 0 || !s.ends_with("0Z"));
            prop_assert_eq!(nanos == 0, !s.contains('.'));
            let back = GeneralizedTimeFrac::parse(s.as_bytes()).unwrap();
            prop_assert_eq!(back, t);
        }

        #[test]
        fn fraction_digit_forms_parse(secs in 0i64..4_000_000_000, digits in 1usize..=9, value in 0u32..1_000_000_000) {
            let base = GeneralizedTimeFrac::new(secs, 0).unwrap().to_value_string();
            let frac = format!("{:09}", value);
            let frac = &frac[..digits];
            let text = format!("{}.{}Z", &base[..14], frac);
            let parsed = GeneralizedTimeFrac::parse(text.as_bytes()).unwrap();
            let expected: u32 = frac.parse::<u32>().unwrap() * 10u32.pow(u32::try_from(9 - digits).unwrap());
            prop_assert_eq!(parsed.nanos(), expected);
            prop_assert_eq!(parsed.unix_secs(), secs);
        }
    }
}
