//! What follows `field:`: a group, a phrase, a range, a comparison or a value, checked against
//! what the field takes.

use std::ops::{Bound, RangeBounds};

use jiff::Timestamp;

use crate::ast::FieldKind;
use crate::parser::Parser;
use crate::value::{
    self, DateError, DateValue, GRADE_EXPECTED, Inclusivity, LANG_EXPECTED, TLP_EXPECTED, is_empty_range,
};
use crate::word::{check_word, classify};
use crate::{DateRange, Field, Query, QueryError, Tlp, TlpRange};

/// Which end of a range a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Lower,
    Upper,
}

/// What the fields that take no ranges are told.
const RANGE_HINT: &str = "ranges and comparisons work on date: and tlp: only";

impl Parser {
    /// The value of `field`, with the cursor just after its colon (or at a word in a group).
    pub(crate) fn field_value(&mut self, field: Field) -> Result<Query, QueryError> {
        let start = self.pos;
        match self.peek() {
            Some('(') => self.group(Some(field)),
            Some('"') => self.phrase_clause(Some(field)),
            Some('[' | '{') => self.range(field),
            Some('>' | '<') => self.comparison(field),
            Some(sign @ ('-' | '+')) => {
                let hint =
                    format!("a value after '{field}:' ('{sign}' goes before the field: {sign}{field}:…)");
                Err(self.expected(start, hint))
            }
            Some(c) if !c.is_whitespace() && c != ')' => self.value_word(field),
            _ => Err(self.expected(start, format!("a value after '{field}:'"))),
        }
    }

    /// A phrase as the value of `field`: only text fields take phrases.
    pub(crate) fn field_phrase(&self, field: Field, text: String, start: usize) -> Result<Query, QueryError> {
        match field.kind() {
            FieldKind::Text => Ok(Query::Phrase { field: Some(field), text }),
            kind => Err(QueryError::Expected {
                position: start,
                expected: value::expected_for(kind).to_owned(),
                found: "a phrase".to_owned(),
            }),
        }
    }

    /// A single word as the value of `field`.
    fn value_word(&mut self, field: Field) -> Result<Query, QueryError> {
        let start = self.pos;
        let word = self.take_word()?;
        let text: String = word.iter().collect();
        let invalid =
            |expected| QueryError::InvalidValue { position: start, field, value: text.clone(), expected };
        match field.kind() {
            FieldKind::Text => {
                check_word(&word, start)?;
                if word == ['*'] {
                    return Ok(Query::Wildcard { field: Some(field), pattern: text, leading: true });
                }
                classify(Some(field), &word, start)
            }
            FieldKind::Lang if value::is_lang(&text) => Ok(Query::Term { field: Some(field), text }),
            FieldKind::Lang => Err(invalid(LANG_EXPECTED)),
            FieldKind::Tlp => match value::parse_tlp(&text) {
                Some(tlp) => Ok(Query::TlpRange(TlpRange { lowest: tlp, highest: tlp })),
                None => Err(invalid(TLP_EXPECTED)),
            },
            FieldKind::Grade => {
                value::parse_grade(&text).map(Query::Grade).ok_or_else(|| invalid(GRADE_EXPECTED))
            }
            FieldKind::Date => {
                let date = self.date_value(&text, start)?;
                if let DateValue::Relative(_) = date {
                    return Err(QueryError::Unsupported {
                        position: start,
                        what: "a relative date on its own",
                        hint: "compare with it, as in date:>now-7d, or use it in a range",
                    });
                }
                let lower = date_bound(date, Side::Lower, Inclusivity::Inclusive, &text, start)?;
                let upper = date_bound(date, Side::Upper, Inclusivity::Inclusive, &text, start)?;
                Ok(Query::DateRange(DateRange { lower, upper }))
            }
        }
    }

    /// `range := ("[" | "{") bound "TO" bound ("]" | "}")`, a bound being a value or `*`.
    fn range(&mut self, field: Field) -> Result<Query, QueryError> {
        let open = self.pos;
        let kind = field.kind();
        if !matches!(kind, FieldKind::Date | FieldKind::Tlp) {
            return Err(QueryError::NotForField { position: open, field, what: "a range", hint: RANGE_HINT });
        }
        let (opener, lower_inclusivity) = match self.peek() {
            Some('[') => ('[', Inclusivity::Inclusive),
            _ => ('{', Inclusivity::Exclusive),
        };
        self.pos += 1;
        self.skip_blanks();
        let (lower_text, lower_position) = match self.at_range_to() {
            true => (String::new(), self.pos),
            false => self.range_token(),
        };
        if lower_text.is_empty() {
            return Err(self.expected(self.pos, format!("a lower bound after '{opener}'")));
        }
        self.skip_blanks();
        if !self.at_range_to() {
            return Err(self.expected(self.pos, "'TO' between the bounds of the range"));
        }
        self.pos += 2;
        self.skip_blanks();
        let (upper_text, upper_position) = self.range_token();
        if upper_text.is_empty() {
            return Err(self.expected(self.pos, "an upper bound after 'TO'"));
        }
        self.skip_blanks();
        let upper_inclusivity = match self.peek() {
            Some(']') => Inclusivity::Inclusive,
            Some('}') => Inclusivity::Exclusive,
            _ => {
                return Err(
                    self.expected(self.pos, format!("']' or '}}' to close the range that starts at {open}"))
                );
            }
        };
        self.pos += 1;
        self.boundary("the range")?;
        let lower = (lower_text.as_str(), lower_position, lower_inclusivity);
        let upper = (upper_text.as_str(), upper_position, upper_inclusivity);
        self.range_query(field, open, lower, upper)
    }

    /// `comparison := (">" | ">=" | "<" | "<=") value`.
    fn comparison(&mut self, field: Field) -> Result<Query, QueryError> {
        let start = self.pos;
        if !matches!(field.kind(), FieldKind::Date | FieldKind::Tlp) {
            return Err(QueryError::NotForField {
                position: start,
                field,
                what: "a comparison",
                hint: RANGE_HINT,
            });
        }
        let or_equal = self.peek_at(start + 1) == Some('=');
        let (side, inclusivity) = match (self.peek(), or_equal) {
            (Some('>'), true) => (Side::Lower, Inclusivity::Inclusive),
            (Some('>'), false) => (Side::Lower, Inclusivity::Exclusive),
            (_, true) => (Side::Upper, Inclusivity::Inclusive),
            (_, false) => (Side::Upper, Inclusivity::Exclusive),
        };
        let operator_len = if or_equal { 2 } else { 1 };
        let operator: String = self.chars.iter().skip(start).take(operator_len).collect();
        self.pos += operator_len;
        let value_start = self.pos;
        let word = self.take_word()?;
        if word.is_empty() {
            return Err(self.expected(value_start, format!("a value after '{operator}'")));
        }
        let text: String = word.iter().collect();
        if text == "*" {
            let expected = value::expected_for(field.kind());
            return Err(QueryError::InvalidValue { position: value_start, field, value: text, expected });
        }
        let unbounded = ("*", value_start, Inclusivity::Inclusive);
        let bound = (text.as_str(), value_start, inclusivity);
        match side {
            Side::Lower => self.range_query(field, start, bound, unbounded),
            Side::Upper => self.range_query(field, start, unbounded, bound),
        }
    }

    /// The query for a range of `field` (date or tlp) from its two bounds as written.
    fn range_query(
        &self,
        field: Field,
        start: usize,
        (lower_text, lower_position, lower_inclusivity): (&str, usize, Inclusivity),
        (upper_text, upper_position, upper_inclusivity): (&str, usize, Inclusivity),
    ) -> Result<Query, QueryError> {
        if field.kind() == FieldKind::Tlp {
            let lower = tlp_bound(lower_text, lower_position, lower_inclusivity)?;
            let upper = tlp_bound(upper_text, upper_position, upper_inclusivity)?;
            let mut labels = Tlp::ALL.into_iter().filter(|tlp| (lower, upper).contains(tlp));
            let Some(lowest) = labels.next() else {
                return Err(QueryError::EmptyRange { position: start });
            };
            let highest = labels.next_back().unwrap_or(lowest);
            return Ok(Query::TlpRange(TlpRange { lowest, highest }));
        }
        let lower = match lower_text {
            "*" => Bound::Unbounded,
            text => {
                let date = self.date_value(text, lower_position)?;
                date_bound(date, Side::Lower, lower_inclusivity, text, lower_position)?
            }
        };
        let upper = match upper_text {
            "*" => Bound::Unbounded,
            text => {
                let date = self.date_value(text, upper_position)?;
                date_bound(date, Side::Upper, upper_inclusivity, text, upper_position)?
            }
        };
        if is_empty_range(&lower, &upper) {
            return Err(QueryError::EmptyRange { position: start });
        }
        Ok(Query::DateRange(DateRange { lower, upper }))
    }

    /// A bound inside `[ ]`: up to a blank, a bracket, a brace, a parenthesis or a quote.
    fn range_token(&mut self) -> (String, usize) {
        let start = self.pos;
        while self.peek().is_some_and(|c| !c.is_whitespace() && !"[]{}()\"".contains(c)) {
            self.pos += 1;
        }
        (self.chars.iter().skip(start).take(self.pos - start).collect(), start)
    }

    /// Whether the cursor is on the `TO` of a range.
    fn at_range_to(&self) -> bool {
        self.peek() == Some('T')
            && self.peek_at(self.pos + 1) == Some('O')
            && self.peek_at(self.pos + 2).is_none_or(|c| c.is_whitespace() || matches!(c, ']' | '}'))
    }

    /// A `date:` value, resolved against the parser's clock.
    fn date_value(&self, text: &str, position: usize) -> Result<DateValue, QueryError> {
        value::parse_date(text, self.now).map_err(|error| match error {
            DateError::Invalid(expected) => {
                QueryError::InvalidValue { position, field: Field::Date, value: text.to_owned(), expected }
            }
            DateError::OutOfRange => QueryError::DateOutOfRange { position, value: text.to_owned() },
        })
    }
}

/// One end of a date range; a day counts whole (see [`value::lower_bound`]).
fn date_bound(
    date: DateValue,
    side: Side,
    inclusivity: Inclusivity,
    text: &str,
    position: usize,
) -> Result<Bound<Timestamp>, QueryError> {
    let bound = match side {
        Side::Lower => value::lower_bound(date, inclusivity),
        Side::Upper => value::upper_bound(date, inclusivity),
    };
    bound.ok_or_else(|| QueryError::DateOutOfRange { position, value: text.to_owned() })
}

/// One end of a TLP range: a label or `*`.
fn tlp_bound(text: &str, position: usize, inclusivity: Inclusivity) -> Result<Bound<Tlp>, QueryError> {
    if text == "*" {
        return Ok(Bound::Unbounded);
    }
    let tlp = value::parse_tlp(text).ok_or_else(|| QueryError::InvalidValue {
        position,
        field: Field::Tlp,
        value: text.to_owned(),
        expected: TLP_EXPECTED,
    })?;
    Ok(match inclusivity {
        Inclusivity::Inclusive => Bound::Included(tlp),
        Inclusivity::Exclusive => Bound::Excluded(tlp),
    })
}
