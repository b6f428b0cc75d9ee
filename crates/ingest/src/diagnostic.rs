use std::fmt;

/// Where in an input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The whole input.
    File,
    /// A 1-based line, and the byte offset of its start.
    Line {
        /// Line number, from 1.
        line: u64,
        /// Byte offset of the line's first byte.
        offset: u64,
    },
    /// A byte offset.
    Byte(u64),
    /// The n-th entry (message, feed item) starting at a byte offset.
    Entry {
        /// Entry number, from 1.
        index: u64,
        /// Byte offset of the entry.
        offset: u64,
    },
}

/// A problem with one part of an input. The part is skipped; the rest is ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The input's display name (a path, or `<stdin>`).
    pub input: String,
    /// Where.
    pub location: Location,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl Diagnostic {
    /// A problem at a location.
    pub fn new(input: &str, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic { input: input.to_owned(), location, message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.input, self.message),
            Location::Line { line, offset } => {
                write!(f, "{}:{line} (byte {offset}): {}", self.input, self.message)
            }
            Location::Byte(offset) => write!(f, "{} (byte {offset}): {}", self.input, self.message),
            Location::Entry { index, offset } => {
                write!(f, "{} entry {index} (byte {offset}): {}", self.input, self.message)
            }
        }
    }
}
