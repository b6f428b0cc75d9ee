//! Watchlists as analysts write them: named lists of entries, each a name, an indicator value, a
//! pattern or a rule, with a severity and a note.

use muninn_model::Tlp;
use serde::{Deserialize, Serialize};

/// The most entries one list may hold. A list is compiled into memory with everything else;
/// OpenSanctions' whole default dataset is about a million entities.
pub const MAX_ENTRIES_PER_LIST: usize = 2_000_000;

/// The longest name, indicator or pattern accepted, in bytes.
pub const MAX_ENTRY_TEXT: usize = 4096;

/// A named list of entries with an owner and markings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watchlist {
    /// Unique name, e.g. `UN-1267`.
    pub name: String,
    /// Who maintains it (a user or team).
    pub owner: String,
    /// Its own marking: alerts from it are never marked lower.
    pub tlp: Tlp,
    /// Raised by one each time the list is replaced.
    pub version: u64,
    /// What it watches for.
    pub entries: Vec<Entry>,
}

/// One thing a watchlist looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique within the list (the import's reference number, or one made up).
    pub id: String,
    /// What to look for.
    #[serde(flatten)]
    pub kind: EntryKind,
    /// How urgent a hit is.
    #[serde(default)]
    pub severity: Severity,
    /// Why it is listed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What an entry looks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EntryKind {
    /// A person, organisation or group, by any of its names, in any script.
    Name {
        /// The main name.
        name: String,
        /// Other names, spellings and original-script forms.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
    },
    /// An indicator value (IP address, domain, URL, hash, e-mail...), matched whole and also
    /// in its defanged forms (`evil[.]example`, `hxxp://`).
    Indicator {
        /// The value.
        value: String,
    },
    /// A regular expression (linear-time engine, size-limited) over title and body.
    Pattern {
        /// The expression, in the syntax of the `regex` crate.
        regex: String,
    },
    /// A query over the item (the search language, plus `watchlist:NAME`), e.g.
    /// `watchlist:"UN-1267" AND lang:ar AND NOT source:partner-x`.
    Rule {
        /// The query text.
        query: String,
    },
}

impl EntryKind {
    /// The kind's name, as in the JSON form.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Name { .. } => "name",
            EntryKind::Indicator { .. } => "indicator",
            EntryKind::Pattern { .. } => "pattern",
            EntryKind::Rule { .. } => "rule",
        }
    }

    /// What the entry looks for, in one line.
    pub fn describe(&self) -> String {
        match self {
            EntryKind::Name { name, aliases } if aliases.is_empty() => name.clone(),
            EntryKind::Name { name, aliases } => format!("{name} (+{} aliases)", aliases.len()),
            EntryKind::Indicator { value } => value.clone(),
            EntryKind::Pattern { regex } => format!("/{regex}/"),
            EntryKind::Rule { query } => query.clone(),
        }
    }
}

/// How urgent a hit on an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Look today.
    High,
    /// Look now.
    Critical,
}

impl Severity {
    /// The severity's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses `low`, `medium`, `high` or `critical` (any case).
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" | "" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
