//! Why a query was refused.

use crate::Field;

/// The names of the known fields, as error messages list them (a test holds it equal to
/// [`Field::ALL`]).
const KNOWN_FIELDS: &str =
    "title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist";

#[cfg(test)]
mod tests {
    #[test]
    fn known_fields_lists_every_field() {
        let names: Vec<&str> = crate::Field::ALL.iter().map(|field| field.name()).collect();
        assert_eq!(super::KNOWN_FIELDS, names.join(", "));
    }
}

/// A query that could not be parsed. Every variant is the user's fault (the parser has no other
/// kind) and carries the position, in characters from 0, where the problem was found; the
/// message starts with it: `at 14: expected ')' to close the '(' at 3, found end of query`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The query has more characters than [`MAX_QUERY_CHARS`](crate::MAX_QUERY_CHARS).
    #[error("at {position}: the query is longer than {limit} characters")]
    TooLong {
        /// Where the excess starts: the limit itself.
        position: usize,
        /// The limit.
        limit: usize,
    },
    /// Parentheses, `NOT` and `-` are nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error("at {position}: the query nests more than {limit} levels deep (parentheses, NOT and '-')")]
    TooDeep {
        /// The opening that goes one level too deep.
        position: usize,
        /// The limit.
        limit: usize,
    },
    /// A control character (other than tab and line breaks, which count as spaces).
    #[error("at {position}: unexpected control character U+{code:04X}")]
    ControlCharacter {
        /// Where it is.
        position: usize,
        /// Its code point.
        code: u32,
    },
    /// Something other than what the grammar allows at this point.
    #[error("at {position}: expected {expected}, found {found}")]
    Expected {
        /// Where the unexpected thing starts.
        position: usize,
        /// What would have been accepted.
        expected: String,
        /// What is there instead: `end of query`, `a space` or a quoted excerpt.
        found: String,
    },
    /// A `)` that closes nothing.
    #[error("at {position}: found ')' without a matching '('")]
    UnmatchedClose {
        /// Where the `)` is.
        position: usize,
    },
    /// A phrase without its closing quote.
    #[error(
        "at {position}: unterminated phrase: expected '\"' to close the phrase that starts at {start}, found end of query"
    )]
    UnterminatedPhrase {
        /// The end of the query.
        position: usize,
        /// Where the opening quote is.
        start: usize,
    },
    /// `""`, or a phrase of nothing but spaces.
    #[error("at {position}: empty phrase")]
    EmptyPhrase {
        /// Where the opening quote is.
        position: usize,
    },
    /// A `*` or `?` inside a phrase.
    #[error(
        "at {position}: wildcards ('*', '?') are not allowed inside a phrase; remove the quotes to use a wildcard, or leave the character out"
    )]
    WildcardInPhrase {
        /// Where the wildcard is.
        position: usize,
    },
    /// `name:` where `name` is no known field.
    #[error(
        "at {position}: unknown field '{name}' (known fields: {KNOWN_FIELDS}); to search the text, quote it: \"{word}\""
    )]
    UnknownField {
        /// Where the name starts.
        position: usize,
        /// The name before the colon.
        name: String,
        /// The whole word, for the quoting suggestion.
        word: String,
    },
    /// A known field written with capitals, as in `Title:x` or `TLP:AMBER`.
    #[error(
        "at {position}: field names are lowercase: write '{field}:' to search the field, or quote the word (\"{word}\") to search the text"
    )]
    FieldCase {
        /// Where the name starts.
        position: usize,
        /// The field meant.
        field: Field,
        /// The whole word, for the quoting suggestion.
        word: String,
    },
    /// A field inside a field group, as in `title:(body:x)`.
    #[error(
        "at {position}: '{inner}:' cannot be used inside '{outer}:( )', which applies '{outer}:' to every word in it"
    )]
    NestedField {
        /// Where the inner field's name starts.
        position: usize,
        /// The field of the group.
        outer: Field,
        /// The field inside it.
        inner: Field,
    },
    /// A value that the field does not accept, as in `tlp:purple` or `lang:EN`.
    #[error("at {position}: invalid value '{value}' for '{field}:', expected {expected}")]
    InvalidValue {
        /// Where the value starts.
        position: usize,
        /// The field.
        field: Field,
        /// The value as written.
        value: String,
        /// What the field accepts.
        expected: &'static str,
    },
    /// A date, or a relative date once resolved, outside the years -9999 to 9999.
    #[error("at {position}: '{value}' is outside the supported dates (years -9999 to 9999)")]
    DateOutOfRange {
        /// Where the value starts.
        position: usize,
        /// The value as written.
        value: String,
    },
    /// A kind of value that this field does not take, as in `title:[a TO b]` or `tlp:amb*`.
    #[error("at {position}: '{field}:' does not take {what}; {hint}")]
    NotForField {
        /// Where the value starts.
        position: usize,
        /// The field.
        field: Field,
        /// What was written: `a range`, `a wildcard`...
        what: &'static str,
        /// What the field takes instead.
        hint: &'static str,
    },
    /// A range that contains nothing, as in `date:[2024-03-01 TO 2024-01-01]`.
    #[error("at {position}: empty range: nothing lies between its lower and its upper bound")]
    EmptyRange {
        /// Where the range (or comparison) starts.
        position: usize,
    },
    /// A fuzzy distance other than 1 or 2, as in `sandwrm~3`.
    #[error("at {position}: fuzzy distance must be 1 or 2, found {found}")]
    FuzzyDistance {
        /// Where the distance starts.
        position: usize,
        /// The distance as written.
        found: String,
    },
    /// A word with both a wildcard and a `~`, as in `sand*~1`.
    #[error("at {position}: a word cannot be both a wildcard and fuzzy")]
    WildcardAndFuzzy {
        /// Where the word starts.
        position: usize,
    },
    /// Syntax that other query languages have and this one refuses rather than misread:
    /// `&&`, `||`, `!`, boosts (`^2`), proximity (`"a b"~3`), ranges without a field.
    #[error("at {position}: {what} is not supported; {hint}")]
    Unsupported {
        /// Where it is.
        position: usize,
        /// What was written.
        what: &'static str,
        /// What to write instead.
        hint: &'static str,
    },
}

impl QueryError {
    /// Where the problem was found, in characters (not bytes) from the start of the query.
    pub fn position(&self) -> usize {
        match self {
            QueryError::TooLong { position, .. }
            | QueryError::TooDeep { position, .. }
            | QueryError::ControlCharacter { position, .. }
            | QueryError::Expected { position, .. }
            | QueryError::UnmatchedClose { position }
            | QueryError::UnterminatedPhrase { position, .. }
            | QueryError::EmptyPhrase { position }
            | QueryError::WildcardInPhrase { position }
            | QueryError::UnknownField { position, .. }
            | QueryError::FieldCase { position, .. }
            | QueryError::NestedField { position, .. }
            | QueryError::InvalidValue { position, .. }
            | QueryError::DateOutOfRange { position, .. }
            | QueryError::NotForField { position, .. }
            | QueryError::EmptyRange { position }
            | QueryError::FuzzyDistance { position, .. }
            | QueryError::WildcardAndFuzzy { position }
            | QueryError::Unsupported { position, .. } => *position,
        }
    }
}
