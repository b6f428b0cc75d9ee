//! Muninn's search query language, parsed into a [`Query`] tree.
//!
//! ```
//! use muninn_query::{Field, Query, parse};
//!
//! let now = jiff::Timestamp::UNIX_EPOCH;
//! let query = parse(r#"title:sandworm -"fancy bear""#, now)?;
//! assert_eq!(
//!     query,
//!     Query::And(vec![
//!         Query::Term { field: Some(Field::Title), text: "sandworm".to_owned() },
//!         Query::Not(Box::new(Query::Phrase { field: None, text: "fancy bear".to_owned() })),
//!     ])
//! );
//! assert_eq!(query.to_string(), r#"title:sandworm NOT "fancy bear""#);
//! # Ok::<(), muninn_query::QueryError>(())
//! ```
//!
//! The syntax is documented for analysts in this crate's `README.md`. In short: words, phrases,
//! `AND`/`OR`/`NOT` (precedence NOT > AND > OR, adjacent clauses joined by AND), `-` and `+`,
//! parentheses, `field:value` for a fixed set of fields, wildcards, fuzzy words, and ranges on
//! `date:` and `tlp:`.
//!
//! The parser is strict: anything it cannot read exactly is an error naming the position and
//! what was expected, never a silent reinterpretation.
//!
//! **Invariant:** pure. No IO, no global state (the clock is a parameter), no panics on any
//! input; recursion is bounded by [`MAX_DEPTH`] and input length by [`MAX_QUERY_CHARS`].

mod ast;
mod display;
mod error;
mod fields;
mod parser;
mod value;
mod word;

pub use ast::{DateRange, Field, GradeFilter, Query, Tlp, TlpRange};
pub use error::QueryError;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 10_000;

/// How deeply parentheses, `NOT` and `-` may nest.
pub const MAX_DEPTH: usize = 32;

/// Parses a query. `now` resolves relative dates (`date:>now-7d`), so that the same query and
/// clock always give the same tree; the tree holds absolute timestamps only.
///
/// An empty or blank query is [`Query::All`].
pub fn parse(input: &str, now: jiff::Timestamp) -> Result<Query, QueryError> {
    parser::parse(input, now)
}
