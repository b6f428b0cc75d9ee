//! The canonical query string of a tree, and a readable outline of it.

use std::fmt::{self, Write};
use std::ops::Bound;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::Offset;

use crate::{DateRange, Field, Query, Tlp, TlpRange};

/// Prints the canonical query string: `AND` is implicit (a space), `NOT` is spelled out,
/// parentheses appear only where precedence needs them, ranges are written `[a TO b}` with
/// RFC 3339 timestamps in UTC. For every tree the parser produces, parsing this string gives the
/// same tree back.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::All => f.write_str("*"),
            Query::Term { field, text } => write!(f, "{}{text}", prefix(*field)),
            Query::Phrase { field, text } => {
                write!(f, "{}\"{}\"", prefix(*field), text.replace('"', "\\\""))
            }
            Query::Wildcard { field, pattern, .. } => write!(f, "{}{pattern}", prefix(*field)),
            Query::Fuzzy { field, text, distance } => write!(f, "{}{text}~{distance}", prefix(*field)),
            Query::DateRange(range) => write!(f, "date:{range}"),
            Query::TlpRange(range) => write!(f, "tlp:{range}"),
            Query::Grade(grade) => write!(f, "grade:{grade}"),
            Query::And(clauses) if clauses.is_empty() => f.write_str("*"),
            Query::And(clauses) => {
                join(f, clauses, " ", |clause| matches!(clause, Query::And(_) | Query::Or(_)))
            }
            Query::Or(clauses) if clauses.is_empty() => f.write_str("NOT *"),
            Query::Or(clauses) => join(f, clauses, " OR ", |clause| matches!(clause, Query::Or(_))),
            Query::Not(inner) => match inner.as_ref() {
                Query::And(_) | Query::Or(_) => write!(f, "NOT ({inner})"),
                _ => write!(f, "NOT {inner}"),
            },
        }
    }
}

/// Writes `clauses` separated by `separator`, in parentheses where `needs_parentheses` says.
fn join(
    f: &mut fmt::Formatter<'_>,
    clauses: &[Query],
    separator: &str,
    needs_parentheses: impl Fn(&Query) -> bool,
) -> fmt::Result {
    for (index, clause) in clauses.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        if needs_parentheses(clause) {
            write!(f, "({clause})")?;
        } else {
            write!(f, "{clause}")?;
        }
    }
    Ok(())
}

fn prefix(field: Option<Field>) -> String {
    field.map(|field| format!("{field}:")).unwrap_or_default()
}

/// The shortest form: `amber`, `>=amber`, `<=green` or `[green TO amber+strict]`.
impl fmt::Display for TlpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (low, high) = (self.lowest.short(), self.highest.short());
        match (self.lowest, self.highest) {
            _ if self.lowest == self.highest => write!(f, "{low}"),
            (Tlp::Clear, Tlp::Red) => write!(f, "[{low} TO {high}]"),
            (_, Tlp::Red) => write!(f, ">={low}"),
            (Tlp::Clear, _) => write!(f, "<={high}"),
            _ => write!(f, "[{low} TO {high}]"),
        }
    }
}

/// The shortest form that parses back to the same bounds: a bound at midnight UTC is written as
/// a day where a day means exactly that bound, anything else as an RFC 3339 timestamp in UTC.
/// `2024-03-01` (the whole day), `>=2024-01-01`, `<2024-03-01T12:00:00Z`,
/// `[2024-01-01 TO 2024-03-31]`, `{2024-03-08T12:00:00Z TO 2024-03-15T12:00:00Z]`.
impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (lower_text(self.lower), upper_text(self.upper)) {
            (Some((lower, true)), Some((upper, true))) if lower == upper && !lower.starts_with('-') => {
                f.write_str(&lower)
            }
            (Some((lower, inclusive)), None) => write!(f, ">{}{lower}", if inclusive { "=" } else { "" }),
            (None, Some((upper, inclusive))) => write!(f, "<{}{upper}", if inclusive { "=" } else { "" }),
            (None, None) => f.write_str("[* TO *]"),
            (Some((lower, lower_inclusive)), Some((upper, upper_inclusive))) => {
                let open = if lower_inclusive { '[' } else { '{' };
                let close = if upper_inclusive { ']' } else { '}' };
                write!(f, "{open}{lower} TO {upper}{close}")
            }
        }
    }
}

/// A lower bound as written, and whether it is inclusive. An included midnight is its day.
fn lower_text(bound: Bound<Timestamp>) -> Option<(String, bool)> {
    match bound {
        Bound::Included(at) => {
            Some((midnight_day(at).map_or_else(|| at.to_string(), |day| day.to_string()), true))
        }
        Bound::Excluded(at) => Some((at.to_string(), false)),
        Bound::Unbounded => None,
    }
}

/// An upper bound as written, and whether it is inclusive. An excluded midnight is the day
/// before it, included: `<2024-04-01T00:00:00Z` is `<=2024-03-31`.
fn upper_text(bound: Bound<Timestamp>) -> Option<(String, bool)> {
    match bound {
        Bound::Included(at) => Some((at.to_string(), true)),
        Bound::Excluded(at) => {
            match midnight_day(at).and_then(|day| day.yesterday().ok()).filter(writable_day) {
                Some(day) => Some((day.to_string(), true)),
                None => Some((at.to_string(), false)),
            }
        }
        Bound::Unbounded => None,
    }
}

/// The day that starts at `at`, if `at` is a midnight UTC of a day written `YYYY-MM-DD`.
fn midnight_day(at: Timestamp) -> Option<Date> {
    let civil = Offset::UTC.to_datetime(at);
    (civil.time() == Time::midnight()).then(|| civil.date()).filter(writable_day)
}

/// Days of years 0 to 9999: those the parser reads as `YYYY-MM-DD`.
fn writable_day(day: &Date) -> bool {
    (0..=9999).contains(&day.year())
}

impl Query {
    /// An indented outline of the tree, one clause per line, for explain views, logs and tests:
    ///
    /// ```text
    /// And
    ///   Term title "sandworm"
    ///   Not
    ///     Phrase "fancy bear"
    ///   Date from 2024-01-01T00:00:00Z (included) to * (unbounded)
    /// ```
    pub fn outline(&self) -> String {
        let mut out = String::new();
        outline_into(self, 0, &mut out);
        out
    }
}

fn outline_into(query: &Query, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let field = |field: &Option<Field>| field.map(|field| format!(" {field}")).unwrap_or_default();
    // Writing to a String cannot fail.
    let _ = match query {
        Query::All => writeln!(out, "{indent}All"),
        Query::Term { field: name, text } => writeln!(out, "{indent}Term{} {text:?}", field(name)),
        Query::Phrase { field: name, text } => writeln!(out, "{indent}Phrase{} {text:?}", field(name)),
        Query::Wildcard { field: name, pattern, leading } => {
            let cost = if *leading { " (leading wildcard)" } else { "" };
            writeln!(out, "{indent}Wildcard{} {pattern:?}{cost}", field(name))
        }
        Query::Fuzzy { field: name, text, distance } => {
            writeln!(out, "{indent}Fuzzy{} {text:?} within {distance}", field(name))
        }
        Query::DateRange(range) => writeln!(
            out,
            "{indent}Date from {} to {}",
            outline_bound(range.lower),
            outline_bound(range.upper)
        ),
        Query::TlpRange(range) => {
            let labels: Vec<&str> = range.labels().into_iter().map(Tlp::short).collect();
            writeln!(out, "{indent}Tlp {}", labels.join(", "))
        }
        Query::Grade(grade) => match grade.credibility() {
            Some(_) => writeln!(out, "{indent}Grade {grade}"),
            None => writeln!(out, "{indent}Grade {grade} (any credibility)"),
        },
        Query::And(clauses) | Query::Or(clauses) => {
            let name = if matches!(query, Query::And(_)) { "And" } else { "Or" };
            let _ = writeln!(out, "{indent}{name}");
            for clause in clauses {
                outline_into(clause, depth + 1, out);
            }
            Ok(())
        }
        Query::Not(inner) => {
            let _ = writeln!(out, "{indent}Not");
            outline_into(inner, depth + 1, out);
            Ok(())
        }
    };
}

fn outline_bound<T: fmt::Display>(bound: Bound<T>) -> String {
    match bound {
        Bound::Included(value) => format!("{value} (included)"),
        Bound::Excluded(value) => format!("{value} (excluded)"),
        Bound::Unbounded => "* (unbounded)".to_owned(),
    }
}
