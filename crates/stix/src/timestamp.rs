//! STIX timestamps (STIX 2.1 §3.2): RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.

use std::fmt;

/// A STIX timestamp. Ordered by instant: the fields are compared from year to nanosecond, so
/// `2020-01-01T00:00:00Z` and `2020-01-01T00:00:00.000Z` are the same version.
///
/// Refused: any offset other than an upper-case `Z`, year 0000, impossible dates and times, the
/// leap second `:60` (its instant cannot be told from the next second's, and Muninn's
/// security reference refuses it), and fractions finer than nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StixTimestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
}

impl StixTimestamp {
    /// Parses a STIX timestamp; the error says what is wrong.
    pub fn parse(text: &str) -> Result<StixTimestamp, &'static str> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 {
            return Err("too short for YYYY-MM-DDTHH:MM:SSZ");
        }
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if separators.iter().any(|&(at, byte)| bytes[at] != byte) {
            return Err("not in the form YYYY-MM-DDTHH:MM:SS[.s]Z");
        }
        let number = |from: usize, to: usize| -> Result<u32, &'static str> {
            bytes[from..to].iter().try_fold(0u32, |value, &byte| {
                if byte.is_ascii_digit() { Ok(value * 10 + u32::from(byte - b'0')) } else { Err("non-digit") }
            })
        };
        let malformed = |_| "not in the form YYYY-MM-DDTHH:MM:SS[.s]Z";
        let year = number(0, 4).map_err(malformed)?;
        let month = number(5, 7).map_err(malformed)?;
        let day = number(8, 10).map_err(malformed)?;
        let hour = number(11, 13).map_err(malformed)?;
        let minute = number(14, 16).map_err(malformed)?;
        let second = number(17, 19).map_err(malformed)?;
        if year == 0 {
            return Err("year 0000 does not exist");
        }
        if !(1..=12).contains(&month) {
            return Err("month out of range");
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err("day out of range for the month");
        }
        if hour > 23 || minute > 59 {
            return Err("time out of range");
        }
        if second == 60 {
            return Err("leap second refused");
        }
        if second > 59 {
            return Err("time out of range");
        }
        let rest = &bytes[19..];
        let (nanos, rest) = match rest.first() {
            Some(b'.') => {
                let digits = rest[1..].iter().take_while(|byte| byte.is_ascii_digit()).count();
                if digits == 0 {
                    return Err("empty fraction");
                }
                if digits > 9 {
                    return Err("fraction finer than nanoseconds");
                }
                let mut nanos = number(20, 20 + digits).map_err(malformed)?;
                for _ in digits..9 {
                    nanos *= 10;
                }
                (nanos, &rest[1 + digits..])
            }
            _ => (0, rest),
        };
        if rest != b"Z" {
            return Err("must end in Z (UTC)");
        }
        // Every value was checked against a range of at most 9999 above.
        let narrow = |value: u32| u8::try_from(value).unwrap_or(u8::MAX);
        Ok(StixTimestamp {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month: narrow(month),
            day: narrow(day),
            hour: narrow(hour),
            minute: narrow(minute),
            second: narrow(second),
            nanos,
        })
    }

    /// The fixed-width form used in storage keys, so that keys sort by instant:
    /// `2020-01-02T03:04:05.000000000Z`.
    pub fn key_form(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.nanos
        )
    }
}

/// Canonical form: milliseconds at least, more digits only when needed.
impl fmt::Display for StixTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        let fraction = format!("{:09}", self.nanos);
        let trimmed = fraction.trim_end_matches('0');
        let shown = if trimmed.len() <= 3 { &fraction[..3] } else { trimmed };
        write!(f, ".{shown}Z")
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_stix_timestamps_and_orders_them_by_instant() {
        let plain = StixTimestamp::parse("2016-05-12T08:17:27Z").map(|t| t.to_string());
        assert_eq!(plain, Ok("2016-05-12T08:17:27.000Z".to_owned()));
        let fine = StixTimestamp::parse("2016-05-12T08:17:27.123456789Z").map(|t| t.key_form());
        assert_eq!(fine, Ok("2016-05-12T08:17:27.123456789Z".to_owned()));
        assert_eq!(
            StixTimestamp::parse("2024-02-29T23:59:59.5Z").map(|t| t.to_string()).as_deref(),
            Ok("2024-02-29T23:59:59.500Z")
        );
        assert_eq!(
            StixTimestamp::parse("2020-01-01T00:00:00Z"),
            StixTimestamp::parse("2020-01-01T00:00:00.000Z")
        );
        assert!(
            StixTimestamp::parse("2020-01-01T00:00:00.001Z") > StixTimestamp::parse("2020-01-01T00:00:00Z")
        );
    }

    #[test]
    fn refuses_impossible_timestamps_with_a_reason() {
        let cases = [
            ("2016-13-45T25:61:61Z", "month out of range"),
            ("2016-12-31T23:59:60Z", "leap second refused"),
            ("0000-01-01T00:00:00Z", "year 0000 does not exist"),
            ("10000-01-01T00:00:00Z", "not in the form YYYY-MM-DDTHH:MM:SS[.s]Z"),
            ("2023-02-29T00:00:00Z", "day out of range for the month"),
            ("2023-01-01T00:00:00+01:00", "must end in Z (UTC)"),
            ("2023-01-01T00:00:00z", "must end in Z (UTC)"),
            ("2023-01-01T00:00:00.Z", "empty fraction"),
            ("2023-01-01T00:00:00.1234567891Z", "fraction finer than nanoseconds"),
            ("2023-01-01T24:00:00Z", "time out of range"),
            ("2023-01-01", "too short for YYYY-MM-DDTHH:MM:SSZ"),
            ("２０２３-01-01T00:00:00Z", "not in the form YYYY-MM-DDTHH:MM:SS[.s]Z"),
        ];
        for (text, reason) in cases {
            assert_eq!(StixTimestamp::parse(text), Err(reason), "{text}");
        }
    }
}
