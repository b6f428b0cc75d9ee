use std::collections::BTreeMap;

use muninn_model::{AdmiraltyGrade, Timestamp, Tlp};

use crate::Diagnostic;

/// A unit of input as read, before parsing: the smallest part that is parsed and checkpointed as
/// one (a line, a CSV row, a message, a whole file). Units are numbered from 0 in reading order;
/// the pipeline's resume checkpoint is a count of units. Parsing a unit is pure, so the pipeline
/// parses many in parallel.
#[derive(Debug)]
pub struct Unit {
    /// Its number in the input, from 0.
    pub ordinal: u64,
    /// Input bytes it covers (for progress).
    pub bytes: u64,
    /// What was read.
    pub(crate) content: UnitContent,
}

#[derive(Debug)]
pub(crate) enum UnitContent {
    /// A line of a line-oriented input (JSON Lines).
    Line { line: u64, offset: u64, bytes: Vec<u8> },
    /// A CSV data row split into fields.
    CsvRow {
        line: u64,
        offset: u64,
        fields: Vec<Vec<u8>>,
        columns: std::sync::Arc<crate::readers::CsvColumns>,
    },
    /// One message of a mailbox, or one `.eml` file.
    Message { index: u64, offset: u64, bytes: Vec<u8> },
    /// A whole document (text, Markdown, HTML, feed).
    Document { bytes: Vec<u8> },
    /// Something the reader already refused.
    Rejected(Diagnostic),
}

/// What a reader extracted, before the pipeline applies defaults and computes the content hash.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Title or subject.
    pub title: Option<String>,
    /// The text.
    pub body: String,
    /// When the event happened or the document was written.
    pub event_time: Option<Timestamp>,
    /// Declared language code.
    pub language: Option<String>,
    /// Declared TLP.
    pub tlp: Option<Tlp>,
    /// Declared Admiralty grade.
    pub grade: Option<AdmiraltyGrade>,
    /// Declared source slug.
    pub source: Option<String>,
    /// Reader-specific fields.
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// The bytes it was read from and their media type.
    pub raw: Option<(Vec<u8>, &'static str)>,
}
