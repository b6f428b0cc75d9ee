//! Name matching across spellings, scripts and orderings: person and organisation names
//! parsed into parts ([`parse`]), filed under blocking keys and matched with a score that
//! explains itself ([`matcher`]). See the crate README for the rules, keys, scoring and
//! threshold.
//!
//! Folding and romanisation are `muninn_text`'s (the same code screening uses: Cyrillic,
//! Arabic and Persian, Greek, Hebrew, Korean Hangul in the Revised Romanization, Japanese kana
//! in Hepburn); Han characters are romanised to pinyin here. A Hangul name written without
//! spaces is a part per syllable (김정은: gim, jeong, eun), as Latin renderings split it. Kanji
//! have no reading without a dictionary: Japanese names in kanji are compared as written.
//!
//! Pure: no IO, no clock, no global mutable state, no panics on input. Work per query is
//! bounded: at most [`parse::MAX_NAME_CHARS`] characters in [`parse::MAX_PARTS`] parts, parts
//! compared over their first [`parse::MAX_PART_BYTES`] bytes, at most
//! [`matcher::MAX_CANDIDATES`] names scored.

mod keys;
pub mod matcher;
pub mod parse;
pub mod phonetic;
pub mod properties;
pub mod score;

pub use matcher::{BuildWarning, Entity, Explanation, Match, MatchOptions, Matcher, Query, Scratch};
pub use parse::{NameKind, NamePart, ParsedName, PartRole, parse_name};
pub use properties::{BirthDate, Gender, Properties, PropertyEvidence};
pub use score::{How, NameComparison, PartMatch, compare};

/// The default lowest score reported (see the README for how it was chosen).
pub const DEFAULT_THRESHOLD: f32 = 0.85;

/// A name or property that cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// No letters or digits at all.
    #[error("empty name: no letters or digits")]
    Empty,
    /// More characters than [`parse::MAX_NAME_CHARS`].
    #[error("name too long: {chars} characters (at most {max})")]
    TooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// More words than [`parse::MAX_PARTS`].
    #[error("name has too many parts: {parts} (at most {max})")]
    TooManyParts {
        /// How many.
        parts: usize,
        /// The limit.
        max: usize,
    },
    /// A birth date not in the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error("bad birth date {value:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")]
    BadDate {
        /// The value (its first 40 characters).
        value: String,
    },
}
