//! Watchlists from the formats sanctions and threat-intelligence lists are published in.
//!
//! - [`csv()`]: our own simple CSV (`id,kind,value,aliases,severity,note`), for lists analysts
//!   keep in a spreadsheet.
//! - [`un_consolidated`]: the UN Security Council consolidated list (XML).
//! - [`ofac_sdn`]: OFAC's SDN list in its legacy CSV files (`sdn.csv`, `alt.csv`), digital
//!   currency addresses in the remarks becoming indicator entries of their own.
//! - [`misp_galaxy`]: MISP galaxy clusters (JSON), such as the threat actors.
//!
//! Parsers take bytes and do no IO. A problem with one record becomes an [`ImportWarning`]
//! naming it, and the other records are imported; only an input that cannot be read as its
//! format at all is an [`ImportError`]. The formats and how each field is used are described in
//! the crate README, section "Watchlist import formats".

mod misp;
mod ofac;
mod simple_csv;
mod un;

pub use misp::misp_galaxy;
pub use ofac::ofac_sdn;
pub use simple_csv::csv;
pub use un::un_consolidated;

use std::collections::HashSet;

use crate::watchlist::Entry;

/// The longest note an import writes, in characters (the start of a list's comments or a
/// description is kept, cut at a word).
pub const MAX_NOTE_CHARS: usize = 300;

/// What an import produced: the entries, and the records that were left out or changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// The entries, in the order of the input.
    pub entries: Vec<Entry>,
    /// Problems with single records, in the order of the input.
    pub warnings: Vec<ImportWarning>,
}

/// A problem with one record of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// Which record: `line 12`, `INDIVIDUAL QDi.299`, `alt.csv line 7`, `values[3]`.
    pub record: String,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.record, self.message)
    }
}

/// An input that cannot be read as its format at all. Problems with single records are
/// [`ImportWarning`]s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The bytes are not UTF-8 (after an optional byte-order mark).
    #[error("not UTF-8 text: byte 0x{byte:02X} at offset {offset} (line {line}) does not decode")]
    NotUtf8 {
        /// Offset of the first byte that does not decode, from the start of the input.
        offset: usize,
        /// Its line, from 1.
        line: u64,
        /// The byte.
        byte: u8,
    },
    /// The XML is not well-formed.
    #[error("malformed XML at line {line} (byte {offset}): {message}")]
    Xml {
        /// Line of the problem, from 1.
        line: u64,
        /// Byte offset of the problem.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// The XML has a document type declaration, which could declare entities that expand
    /// without bound or read outside files; it is refused rather than parsed.
    #[error(
        "a DOCTYPE declaration at line {line} (byte {offset}) is refused: \
         its entities could expand without bound or read outside files"
    )]
    DocType {
        /// Line of the declaration, from 1.
        line: u64,
        /// Byte offset of the declaration.
        offset: u64,
    },
    /// The JSON is not well-formed.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// Line of the problem, from 1.
        line: u64,
        /// Column of the problem, from 1.
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// The CSV cannot be read.
    #[error("malformed CSV at line {line}: {message}")]
    Csv {
        /// Line of the problem, from 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The input is well-formed but not the format asked for.
    #[error("not {expected}: {message}")]
    WrongShape {
        /// The format expected, e.g. `a UN consolidated list`.
        expected: &'static str,
        /// What was found instead, and where.
        message: String,
    },
}

/// Strict UTF-8 after an optional byte-order mark; the error names the first bad byte.
fn utf8_text(input: &[u8]) -> Result<&str, ImportError> {
    let (bom_len, body) = match input.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (3, rest),
        None => (0, input),
    };
    std::str::from_utf8(body).map_err(|error| {
        let offset = bom_len + error.valid_up_to();
        ImportError::NotUtf8 {
            offset,
            line: line_at(input, offset),
            byte: input.get(offset).copied().unwrap_or(0),
        }
    })
}

/// The line (from 1) of a byte offset.
fn line_at(input: &[u8], offset: usize) -> u64 {
    let end = offset.min(input.len());
    input[..end].iter().filter(|&&byte| byte == b'\n').count() as u64 + 1
}

/// Lines of records, counted on from one record's byte offset to the next (so a whole input
/// is counted once). For CSV: the csv crate's own line numbers lag by one after each CRLF, as
/// OFAC's files have, and a record's offset may point at the line break before it.
#[derive(Debug)]
struct Lines<'a> {
    text: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Lines<'a> {
        Lines { text, counted_to: 0, line: 1 }
    }

    /// The line of the record at `position`.
    fn line(&mut self, position: Option<&::csv::Position>) -> u64 {
        let Some(position) = position else { return self.line };
        let mut start = usize::try_from(position.byte()).unwrap_or(usize::MAX).min(self.text.len());
        while self.text.get(start).is_some_and(|byte| matches!(byte, b'\r' | b'\n')) {
            start += 1;
        }
        self.at(start)
    }

    /// The line of byte `offset`, counting on from the last offset asked about.
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset > self.counted_to {
            self.line +=
                self.text[self.counted_to..offset].iter().filter(|&&byte| byte == b'\n').count() as u64;
            self.counted_to = offset;
        }
        self.line
    }
}

/// Whitespace runs (including line breaks) as one space, trimmed.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// At most `max` characters of `text`, cut at a word boundary with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    let text = collapse_whitespace(text);
    if text.chars().count() <= max {
        return text;
    }
    let cut = text.char_indices().nth(max.saturating_sub(1)).map_or(text.len(), |(index, _)| index);
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if space > cut / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

/// A name's aliases in order, each once: blanks, repeats and the name itself (ignoring case)
/// are dropped.
#[derive(Debug)]
struct AliasSet {
    seen: HashSet<String>,
    aliases: Vec<String>,
}

impl AliasSet {
    fn new(name: &str) -> AliasSet {
        AliasSet { seen: HashSet::from([name.to_lowercase()]), aliases: Vec::new() }
    }

    fn add(&mut self, alias: &str) {
        let alias = collapse_whitespace(alias);
        // `"KOMID"`: quotation marks around a whole alias are not part of it.
        let alias = match alias.strip_prefix(['"', '“']).and_then(|rest| rest.strip_suffix(['"', '”'])) {
            Some(inner) => inner.trim().to_owned(),
            None => alias,
        };
        if !alias.is_empty() && self.seen.insert(alias.to_lowercase()) {
            self.aliases.push(alias);
        }
    }

    fn into_vec(self) -> Vec<String> {
        self.aliases
    }
}

/// Record ids already taken in one import; a repeat is a warning and the later record is left
/// out.
#[derive(Debug, Default)]
struct IdSet(HashSet<String>);

impl IdSet {
    /// Whether `id` is new (and takes it).
    fn take(&mut self, id: &str) -> bool {
        self.0.insert(id.to_owned())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_at_a_word_and_says_so() {
        assert_eq!(clip("short  text\n here", 300), "short text here");
        assert_eq!(clip("one two three four", 10), "one two…");
        assert_eq!(clip("abcdefghijklmnop", 5), "abcd…");
        assert_eq!(clip("", 5), "");
    }

    #[test]
    fn utf8_errors_name_the_byte_and_its_line() {
        assert_eq!(utf8_text(b"\xEF\xBB\xBFok").unwrap(), "ok");
        let error = utf8_text(b"ab\ncd\xE9").unwrap_err();
        assert_eq!(error.to_string(), "not UTF-8 text: byte 0xE9 at offset 5 (line 2) does not decode");
    }
}
