use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// An input format Muninn reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON object per line.
    JsonLines,
    /// Comma-separated values with a header row.
    Csv,
    /// Plain text: one item per file.
    Text,
    /// Markdown: one item per file, title from the first heading.
    Markdown,
    /// HTML: one item per file, visible text only.
    Html,
    /// One RFC 5322 message (`.eml`).
    Eml,
    /// A mailbox of messages (`mbox`).
    Mbox,
    /// An RSS 2.0 or Atom feed: one item per entry.
    Feed,
    /// A partner's JSON document (`.json`): a STIX 2.1 bundle (an item per report or note) or
    /// a MISP event (one item), told apart by content.
    Shared,
}

impl Format {
    /// Every format, for help texts.
    pub const ALL: [Format; 9] = [
        Format::JsonLines,
        Format::Csv,
        Format::Text,
        Format::Markdown,
        Format::Html,
        Format::Eml,
        Format::Mbox,
        Format::Feed,
        Format::Shared,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Eml => "eml",
            Format::Mbox => "mbox",
            Format::Feed => "feed",
            Format::Shared => "stix-or-misp",
        }
    }

    /// Guesses the format from a file name; `None` for files Muninn does not read.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "jsonl" | "ndjson" => Format::JsonLines,
            "csv" => Format::Csv,
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "eml" => Format::Eml,
            "mbox" | "mbx" => Format::Mbox,
            "rss" | "atom" | "xml" => Format::Feed,
            "json" => Format::Shared,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(name: &str) -> Result<Format, String> {
        let lower = name.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "json" | "ndjson" | "json-lines" => "jsonl",
            "txt" | "plain" => "text",
            "md" => "markdown",
            "htm" => "html",
            "rss" | "atom" => "feed",
            "stix" | "misp" | "shared" => "stix-or-misp",
            other => other,
        };
        Format::ALL.into_iter().find(|f| f.name() == alias).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!("unknown format {name:?}: expected one of {}", names.join(", "))
        })
    }
}
