//! Values of the typed fields: `lang:`, `tlp:`, `grade:` and `date:`.

use std::ops::Bound;

use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};

use crate::ast::FieldKind;
use crate::{GradeFilter, Tlp};

/// What `lang:` accepts, for error messages.
pub(crate) const LANG_EXPECTED: &str = "a language code of 2 or 3 lowercase letters, as in en, ru, ar, zh";
/// What `tlp:` accepts.
pub(crate) const TLP_EXPECTED: &str = "a TLP label: clear (or white), green, amber, amber+strict or red";
/// What `grade:` accepts.
pub(crate) const GRADE_EXPECTED: &str =
    "an Admiralty grade: a letter A-F, optionally followed by a digit 1-6, as in B2 or B";
/// What `date:` accepts.
pub(crate) const DATE_EXPECTED: &str = "a date (2024-03-01), a timestamp with a time zone \
     (2024-03-01T12:00:00Z) or a relative date (now, now-7d)";
/// What a value starting with `now` must look like.
pub(crate) const RELATIVE_EXPECTED: &str =
    "a relative date: now, or now-N or now+N with a unit h (hours), d (days) or w (weeks), as in now-7d";

/// What a field of this kind accepts, for error messages.
pub(crate) fn expected_for(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "a word, phrase or '('",
        FieldKind::Lang => LANG_EXPECTED,
        FieldKind::Tlp => TLP_EXPECTED,
        FieldKind::Grade => GRADE_EXPECTED,
        FieldKind::Date => DATE_EXPECTED,
    }
}

/// A language code: 2 or 3 lowercase ASCII letters.
pub(crate) fn is_lang(text: &str) -> bool {
    (2..=3).contains(&text.len()) && text.bytes().all(|byte| byte.is_ascii_lowercase())
}

/// A TLP label in any case, with or without `TLP:`; `white` is `clear` and `amber-strict` or
/// `amber_strict` are `amber+strict`.
pub(crate) fn parse_tlp(text: &str) -> Option<Tlp> {
    let lower = text.to_ascii_lowercase();
    let label = lower.strip_prefix("tlp:").unwrap_or(&lower);
    match label.replace(['-', '_'], "+").as_str() {
        "clear" | "white" => Some(Tlp::Clear),
        "green" => Some(Tlp::Green),
        "amber" => Some(Tlp::Amber),
        "amber+strict" => Some(Tlp::AmberStrict),
        "red" => Some(Tlp::Red),
        _ => None,
    }
}

/// An Admiralty grade (`B2`) or a reliability letter alone (`B`); the letter in either case.
pub(crate) fn parse_grade(text: &str) -> Option<GradeFilter> {
    let mut chars = text.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(letter), credibility, None) => GradeFilter::new(letter.to_ascii_uppercase(), credibility),
        _ => None,
    }
}

/// A `date:` value before it becomes a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateValue {
    /// `2024-03-01`: a whole day in UTC.
    Day(Date),
    /// An RFC 3339 timestamp.
    Instant(Timestamp),
    /// `now` or `now-7d`, resolved against the caller's clock.
    Relative(Timestamp),
}

/// Why a `date:` value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateError {
    /// Not a date, timestamp or relative date; the message says what was expected.
    Invalid(&'static str),
    /// Well formed, but outside what a timestamp can hold.
    OutOfRange,
}

/// Parses a date value, resolving relative dates against `now`.
pub(crate) fn parse_date(text: &str, now: Timestamp) -> Result<DateValue, DateError> {
    if let Some(rest) = text.strip_prefix("now") {
        return parse_relative(rest, now).map(DateValue::Relative);
    }
    if let Some(day) = parse_day(text) {
        return day.map(DateValue::Day);
    }
    text.parse::<Timestamp>().map(DateValue::Instant).map_err(|_| DateError::Invalid(DATE_EXPECTED))
}

/// `YYYY-MM-DD`; `None` when the text does not have that shape at all.
fn parse_day(text: &str) -> Option<Result<Date, DateError>> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    fn number<T: std::str::FromStr>(text: &str, range: std::ops::Range<usize>) -> Option<T> {
        text.get(range).and_then(|digits| digits.parse().ok())
    }
    let (Some(year), Some(month), Some(day)) = (number(text, 0..4), number(text, 5..7), number(text, 8..10))
    else {
        return Some(Err(DateError::Invalid(DATE_EXPECTED)));
    };
    Some(
        Date::new(year, month, day)
            .map_err(|_| DateError::Invalid("a valid calendar date, as in 2024-02-29")),
    )
}

/// What follows `now`: nothing, or a sign, a number and a unit.
fn parse_relative(rest: &str, now: Timestamp) -> Result<Timestamp, DateError> {
    let invalid = DateError::Invalid(RELATIVE_EXPECTED);
    if rest.is_empty() {
        return Ok(now);
    }
    let (sign, amount) = match rest.split_at_checked(1) {
        Some(("-", amount)) => (-1, amount),
        Some(("+", amount)) => (1, amount),
        _ => return Err(invalid),
    };
    let (digits, unit) = amount.split_at_checked(amount.len().saturating_sub(1)).ok_or(invalid)?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid);
    }
    let hours_per_unit: i64 = match unit {
        "h" => 1,
        "d" => 24,
        "w" => 24 * 7,
        _ => return Err(invalid),
    };
    let hours = digits
        .parse::<i64>()
        .ok()
        .and_then(|count| count.checked_mul(hours_per_unit))
        .and_then(|hours| hours.checked_mul(sign))
        .and_then(SignedDuration::try_from_hours)
        .ok_or(DateError::OutOfRange)?;
    now.checked_add(hours).map_err(|_| DateError::OutOfRange)
}

/// Whether a bound includes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inclusivity {
    /// `[`, `]`, `>=`, `<=`.
    Inclusive,
    /// `{`, `}`, `>`, `<`.
    Exclusive,
}

/// The lower bound for a value. A day is whole: after an excluded day comes the next one.
/// `None` when the bound falls outside what a timestamp can hold.
pub(crate) fn lower_bound(value: DateValue, inclusivity: Inclusivity) -> Option<Bound<Timestamp>> {
    match (value, inclusivity) {
        (DateValue::Day(day), Inclusivity::Inclusive) => start_of(day).map(Bound::Included),
        (DateValue::Day(day), Inclusivity::Exclusive) => {
            day.tomorrow().ok().and_then(start_of).map(Bound::Included)
        }
        (DateValue::Instant(at) | DateValue::Relative(at), Inclusivity::Inclusive) => {
            Some(Bound::Included(at))
        }
        (DateValue::Instant(at) | DateValue::Relative(at), Inclusivity::Exclusive) => {
            Some(Bound::Excluded(at))
        }
    }
}

/// The upper bound for a value. A day is whole: an included day ends where the next begins.
pub(crate) fn upper_bound(value: DateValue, inclusivity: Inclusivity) -> Option<Bound<Timestamp>> {
    match (value, inclusivity) {
        (DateValue::Day(day), Inclusivity::Inclusive) => {
            day.tomorrow().ok().and_then(start_of).map(Bound::Excluded)
        }
        (DateValue::Day(day), Inclusivity::Exclusive) => start_of(day).map(Bound::Excluded),
        (DateValue::Instant(at) | DateValue::Relative(at), Inclusivity::Inclusive) => {
            Some(Bound::Included(at))
        }
        (DateValue::Instant(at) | DateValue::Relative(at), Inclusivity::Exclusive) => {
            Some(Bound::Excluded(at))
        }
    }
}

/// Midnight UTC at the start of `day`.
fn start_of(day: Date) -> Option<Timestamp> {
    Offset::UTC.to_timestamp(day.to_datetime(Time::midnight())).ok()
}

/// Whether a range between these bounds contains nothing.
pub(crate) fn is_empty_range<T: Ord>(lower: &Bound<T>, upper: &Bound<T>) -> bool {
    match (lower, upper) {
        (Bound::Included(low), Bound::Included(high)) => low > high,
        (Bound::Included(low) | Bound::Excluded(low), Bound::Excluded(high))
        | (Bound::Excluded(low), Bound::Included(high)) => low >= high,
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2024-03-15T12:00:00Z".parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn relative_dates_resolve_against_now() {
        let cases = [
            ("now", "Ok(Relative(2024-03-15T12:00:00Z))"),
            ("now-7d", "Ok(Relative(2024-03-08T12:00:00Z))"),
            ("now-36h", "Ok(Relative(2024-03-14T00:00:00Z))"),
            ("now+2w", "Ok(Relative(2024-03-29T12:00:00Z))"),
            ("now-7", "Err(Invalid)"),
            ("now-d", "Err(Invalid)"),
            ("now-7m", "Err(Invalid)"),
            ("now7d", "Err(Invalid)"),
            ("now-99999999999999999999d", "Err(OutOfRange)"),
            ("now-9999999999w", "Err(OutOfRange)"),
            ("2024-02-30", "Err(Invalid)"),
            ("2024-02-29", "Ok(Day(2024-02-29))"),
            ("2024-03-01T12:00:00+02:00", "Ok(Instant(2024-03-01T10:00:00Z))"),
            ("2024-03-01T12:00:00", "Err(Invalid)"),
        ];
        for (text, expected) in cases {
            let shown = match parse_date(text, now()) {
                Ok(DateValue::Day(day)) => format!("Ok(Day({day}))"),
                Ok(DateValue::Instant(at)) => format!("Ok(Instant({at}))"),
                Ok(DateValue::Relative(at)) => format!("Ok(Relative({at}))"),
                Err(DateError::Invalid(_)) => "Err(Invalid)".to_owned(),
                Err(DateError::OutOfRange) => "Err(OutOfRange)".to_owned(),
            };
            assert_eq!(shown, expected, "{text}");
        }
    }

    #[test]
    fn tlp_and_grade_values() {
        assert_eq!(parse_tlp("TLP:AMBER+STRICT"), Some(Tlp::AmberStrict));
        assert_eq!(parse_tlp("white"), Some(Tlp::Clear));
        assert_eq!(parse_tlp("amber_strict"), Some(Tlp::AmberStrict));
        assert_eq!(parse_tlp("purple"), None);
        assert_eq!(parse_grade("b2").map(|grade| grade.to_string()), Some("B2".to_owned()));
        assert_eq!(parse_grade("F").map(|grade| grade.to_string()), Some("F".to_owned()));
        assert_eq!(parse_grade("G2"), None);
        assert_eq!(parse_grade("B7"), None);
        assert_eq!(parse_grade("2"), None);
        assert_eq!(parse_grade("B22"), None);
    }

    #[test]
    fn empty_ranges() {
        use Bound::{Excluded, Included, Unbounded};
        assert!(!is_empty_range(&Included(1), &Included(1)));
        assert!(is_empty_range(&Included(1), &Excluded(1)));
        assert!(is_empty_range(&Excluded(1), &Included(1)));
        assert!(is_empty_range(&Included(2), &Included(1)));
        assert!(!is_empty_range(&Unbounded, &Excluded(1)));
        assert!(!is_empty_range::<i32>(&Unbounded, &Unbounded));
    }
}
