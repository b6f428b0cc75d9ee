//! Where material comes from, with the grade and marking it gets by default.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{AdmiraltyGrade, ModelError, Tlp};

/// A source's stable identifier: a short lowercase slug such as `partner-cert-fr`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceId(String);

impl SourceId {
    /// Validates a slug: 1-64 characters of `a-z 0-9 - _ .`, starting with a letter or digit.
    pub fn new(text: &str) -> Result<SourceId, ModelError> {
        let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        let starts_well = text.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if text.len() > 64 || !starts_well || !text.chars().all(valid_char) {
            return Err(ModelError::InvalidSourceId(text.to_owned()));
        }
        Ok(SourceId(text.to_owned()))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SourceId {
    type Err = ModelError;
    fn from_str(text: &str) -> Result<SourceId, ModelError> {
        SourceId::new(text)
    }
}

impl TryFrom<String> for SourceId {
    type Error = ModelError;
    fn try_from(text: String) -> Result<SourceId, ModelError> {
        SourceId::new(&text)
    }
}

impl From<SourceId> for String {
    fn from(id: SourceId) -> String {
        id.0
    }
}

/// What kind of collection a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Openly published material: news, blogs, public reports, feeds.
    OpenSource,
    /// Material shared by a partner organisation.
    Partner,
    /// A report from a person (field report, interview notes).
    HumanReport,
    /// Technical collection: sensors, honeypots, malware analysis.
    TechnicalCollection,
    /// The team's own notes and products.
    Internal,
}

impl SourceKind {
    /// Every kind, in display order.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::OpenSource,
        SourceKind::Partner,
        SourceKind::HumanReport,
        SourceKind::TechnicalCollection,
        SourceKind::Internal,
    ];

    /// The kebab-case name used on the command line and on disk.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OpenSource => "open-source",
            SourceKind::Partner => "partner",
            SourceKind::HumanReport => "human-report",
            SourceKind::TechnicalCollection => "technical-collection",
            SourceKind::Internal => "internal",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = ModelError;
    fn from_str(text: &str) -> Result<SourceKind, ModelError> {
        let normalised = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        SourceKind::ALL
            .into_iter()
            .find(|kind| {
                kind.as_str() == normalised || (normalised == "osint" && *kind == SourceKind::OpenSource)
            })
            .ok_or_else(|| ModelError::UnknownSourceKind(text.to_owned()))
    }
}

/// A source of material, with the grade and TLP its items get unless they say otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Stable identifier.
    pub id: SourceId,
    /// Human-readable name.
    pub name: String,
    /// What kind of collection this is.
    pub kind: SourceKind,
    /// The grade given to its items unless an item carries its own.
    pub default_grade: AdmiraltyGrade,
    /// The TLP given to its items unless an item carries a stricter one.
    pub default_tlp: Tlp,
    /// Free description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_are_slugs() {
        for good in ["reuters", "partner-cert.fr", "a", "x_1"] {
            assert!(SourceId::new(good).is_ok(), "{good}");
        }
        for bad in ["", "Reuters", "-x", "a b", "é", &"x".repeat(65), "../etc"] {
            assert!(SourceId::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_parse_in_cli_forms() {
        assert_eq!("partner".parse(), Ok(SourceKind::Partner));
        assert_eq!("Human_Report".parse(), Ok(SourceKind::HumanReport));
        assert_eq!("osint".parse(), Ok(SourceKind::OpenSource));
        assert!("satellite".parse::<SourceKind>().is_err());
    }
}
