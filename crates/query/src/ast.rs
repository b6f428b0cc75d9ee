//! The syntax tree a query parses into.

use std::fmt;
use std::ops::{Bound, RangeBounds};

use jiff::Timestamp;

/// A parsed query.
///
/// The parser only produces *normalised* trees: `And` and `Or` have at least two clauses and
/// never directly contain a clause of their own kind (`a AND (b AND c)` is one `And` of three),
/// and parentheses leave no trace. Printing a tree with [`Display`](fmt::Display) gives its
/// canonical query string, and parsing that string gives the same tree back.
///
/// Which fields appear where:
/// - `Term`, `Phrase`, `Wildcard` and `Fuzzy` carry a text field (`title`, `body`, `source`,
///   `entity`, `indicator`, `indicator.type`, `id`) or `None` for "the default fields".
///   `Term` may also carry [`Field::Lang`], whose text is then a validated language code.
/// - `date:` values are always a [`Query::DateRange`], `tlp:` values a [`Query::TlpRange`] and
///   `grade:` values a [`Query::Grade`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Matches every item: the empty query and `*`.
    All,
    /// A single word, matched as the index's analyser matches words.
    Term {
        /// The field searched, `None` for the default fields.
        field: Option<Field>,
        /// The word as written. URLs are kept whole, with any `*`, `?` or `~` in them.
        text: String,
    },
    /// A quoted phrase: its words in this order.
    Phrase {
        /// The field searched, `None` for the default fields.
        field: Option<Field>,
        /// The text between the quotes, with `\"` already turned into `"`.
        text: String,
    },
    /// A word with `*` (any run of characters, maybe none) or `?` (exactly one character).
    Wildcard {
        /// The field searched, `None` for the default fields.
        field: Option<Field>,
        /// The pattern as written, e.g. `sandw*`.
        pattern: String,
        /// The pattern starts with `*` or `?`: the index cannot narrow it by prefix and has
        /// to scan the whole term dictionary, which is expensive.
        leading: bool,
    },
    /// A word matched with typos: at most `distance` edits (1 or 2).
    Fuzzy {
        /// The field searched, `None` for the default fields.
        field: Option<Field>,
        /// The word without its `~N` suffix.
        text: String,
        /// The greatest edit distance: 1 or 2.
        distance: u8,
    },
    /// Items whose date lies in a range (from `date:`).
    DateRange(DateRange),
    /// Items whose TLP label lies in a range (from `tlp:`).
    TlpRange(TlpRange),
    /// Items with an Admiralty grade (from `grade:`).
    Grade(GradeFilter),
    /// All clauses match.
    And(Vec<Query>),
    /// At least one clause matches.
    Or(Vec<Query>),
    /// The clause does not match. A query that is only a `Not` means "everything except".
    Not(Box<Query>),
}

impl Query {
    /// All of `clauses`, normalised: nested `And`s are flattened into this one, a single clause
    /// stands for itself and no clause at all is [`Query::All`].
    pub fn and(clauses: Vec<Query>) -> Query {
        let mut flat = Vec::with_capacity(clauses.len());
        for clause in clauses {
            match clause {
                Query::And(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() > 1 {
            return Query::And(flat);
        }
        flat.pop().unwrap_or(Query::All)
    }

    /// Any of `clauses`, normalised: nested `Or`s are flattened into this one, a single clause
    /// stands for itself and no clause at all matches nothing (`NOT *`).
    pub fn or(clauses: Vec<Query>) -> Query {
        let mut flat = Vec::with_capacity(clauses.len());
        for clause in clauses {
            match clause {
                Query::Or(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() > 1 {
            return Query::Or(flat);
        }
        flat.pop().unwrap_or_else(|| Query::Not(Box::new(Query::All)))
    }
}

/// A field that a query can name, as in `title:sandworm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// `title`: the item's title.
    Title,
    /// `body`: the item's text.
    Body,
    /// `source`: the id of the source the item came from.
    Source,
    /// `lang`: the detected language, a code of 2 or 3 lowercase letters (`ru`, `ara`).
    Lang,
    /// `tlp`: the TLP label. Values are validated; ranges allowed.
    Tlp,
    /// `grade`: the Admiralty grade. Values are validated.
    Grade,
    /// `date`: when the item was written or collected. Values are dates, timestamps or
    /// relative dates; ranges allowed.
    Date,
    /// `entity`: a named entity (person, organisation, place, group) found in the item.
    Entity,
    /// `indicator`: an indicator of compromise (IP address, domain, hash, URL, CVE id...).
    Indicator,
    /// `indicator.type`: the kind of an indicator (`ipv4`, `domain`, `sha256`...).
    IndicatorType,
    /// `id`: the item id.
    Id,
    /// `watchlist`: in screening rules, the item hit an entry of the named watchlist.
    Watchlist,
}

/// What a field's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// Words and phrases, with wildcards and fuzziness.
    Text,
    /// A language code.
    Lang,
    /// A TLP label or range of labels.
    Tlp,
    /// An Admiralty grade.
    Grade,
    /// A date, timestamp, relative date or range of them.
    Date,
}

impl Field {
    /// Every field, in the order the documentation lists them.
    pub const ALL: [Field; 12] = [
        Field::Title,
        Field::Body,
        Field::Source,
        Field::Lang,
        Field::Tlp,
        Field::Grade,
        Field::Date,
        Field::Entity,
        Field::Indicator,
        Field::IndicatorType,
        Field::Id,
        Field::Watchlist,
    ];

    /// The name written before the colon: `title`, `indicator.type`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
            Field::Source => "source",
            Field::Lang => "lang",
            Field::Tlp => "tlp",
            Field::Grade => "grade",
            Field::Date => "date",
            Field::Entity => "entity",
            Field::Indicator => "indicator",
            Field::IndicatorType => "indicator.type",
            Field::Id => "id",
            Field::Watchlist => "watchlist",
        }
    }

    /// The field with this exact (lowercase) name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.name() == name)
    }

    pub(crate) fn kind(self) -> FieldKind {
        match self {
            Field::Lang => FieldKind::Lang,
            Field::Tlp => FieldKind::Tlp,
            Field::Grade => FieldKind::Grade,
            Field::Date => FieldKind::Date,
            Field::Title
            | Field::Body
            | Field::Source
            | Field::Entity
            | Field::Indicator
            | Field::IndicatorType
            | Field::Id
            | Field::Watchlist => FieldKind::Text,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// TLP labels are the model's: ordered by restriction, `Clear < Green < Amber < AmberStrict <
/// Red`; queries write them in their short form (`amber+strict`).
pub use muninn_model::Tlp;

/// The TLP labels matched, from the least to the most restrictive, both included. The parser
/// turns every TLP value, comparison and range into this form: `tlp:amber` is `amber` to
/// `amber`, `tlp:>amber` is `amber+strict` to `red`, `tlp:{clear TO red}` is `green` to
/// `amber+strict`. It never produces a range with `lowest` above `highest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlpRange {
    /// The least restrictive label matched.
    pub lowest: Tlp,
    /// The most restrictive label matched.
    pub highest: Tlp,
}

impl TlpRange {
    /// Whether an item labelled `tlp` matches.
    pub fn contains(&self, tlp: Tlp) -> bool {
        self.lowest <= tlp && tlp <= self.highest
    }

    /// The labels matched, least restrictive first.
    pub fn labels(&self) -> Vec<Tlp> {
        Tlp::ALL.into_iter().filter(|tlp| self.contains(*tlp)).collect()
    }
}

/// A range of instants. The parser turns a date without a time into the whole day in UTC:
/// `date:2024-03-01` is `[2024-03-01T00:00:00Z, 2024-03-02T00:00:00Z)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// The earliest instant matched.
    pub lower: Bound<Timestamp>,
    /// The latest instant matched.
    pub upper: Bound<Timestamp>,
}

impl DateRange {
    /// Whether an item dated `at` matches.
    pub fn contains(&self, at: Timestamp) -> bool {
        (self.lower, self.upper).contains(&at)
    }
}

/// An Admiralty grade to match: a reliability letter `A`-`F`, and either a credibility digit
/// `1`-`6` (`B2`: exactly that grade) or none (`B`: that reliability, any credibility).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GradeFilter {
    reliability: char,
    credibility: Option<char>,
}

impl GradeFilter {
    /// A filter from an uppercase letter `A`-`F` and an optional digit `1`-`6`; `None` for
    /// anything else.
    pub fn new(reliability: char, credibility: Option<char>) -> Option<GradeFilter> {
        let reliability_ok = ('A'..='F').contains(&reliability);
        let credibility_ok = credibility.is_none_or(|digit| ('1'..='6').contains(&digit));
        (reliability_ok && credibility_ok).then_some(GradeFilter { reliability, credibility })
    }

    /// The reliability letter, `A` to `F`.
    pub fn reliability(&self) -> char {
        self.reliability
    }

    /// The credibility digit, `1` to `6`, or `None` for any credibility.
    pub fn credibility(&self) -> Option<char> {
        self.credibility
    }

    /// Whether an item graded `reliability` and `credibility` (as in `'B'`, `'2'`) matches.
    pub fn matches(&self, reliability: char, credibility: char) -> bool {
        self.reliability == reliability && self.credibility.is_none_or(|digit| digit == credibility)
    }
}

impl fmt::Display for GradeFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reliability)?;
        match self.credibility {
            Some(digit) => write!(f, "{digit}"),
            None => Ok(()),
        }
    }
}
