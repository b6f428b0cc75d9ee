//! The log's entries as bytes, for back ends that keep the log elsewhere (the cluster's
//! JetStream stream). The bytes of one entry are exactly those of an embedded log frame's body,
//! so both back ends share one format and one decoder; this crate stays the only one that knows
//! it.
//!
//! A message carries one or more entries that must be applied together: an item with the
//! documents that are conditional on it being new, say. Layout: a version byte (1), the number
//! of entries (u32, little-endian), then per entry its length (u32, little-endian) and its body.

use muninn_model::{Item, ItemId, Source, SourceId, Timestamp};

use crate::entry::{CheckpointEntry, DocumentEntry, DuplicateEntry, Entry};
use crate::{Document, StoreError};

const MESSAGE_VERSION: u8 = 1;

/// One fact of the log, as a back end carries it.
// Items are nearly every entry; boxing them would add an allocation per item for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum LogEntry {
    /// An item with the raw bytes it was read from.
    Item {
        /// The item.
        item: Item,
        /// The raw bytes, when kept.
        raw: Option<Vec<u8>>,
    },
    /// The same content arrived again.
    Sighting {
        /// The stored item.
        item: ItemId,
        /// Who delivered it again.
        source: SourceId,
        /// When.
        collected_at: Timestamp,
    },
    /// An input was consumed up to a position.
    Checkpoint {
        /// The input's key.
        input: String,
        /// Units consumed.
        position: u64,
    },
    /// A source was defined or redefined.
    Source(Source),
    /// A document was set (`value` is `Some`) or deleted.
    Document {
        /// Its table.
        table: String,
        /// Its key.
        key: String,
        /// Its bytes; `None` deletes the key.
        value: Option<Vec<u8>>,
    },
}

impl LogEntry {
    /// A document as an entry, checked as [`crate::ItemStore::append`] checks it (its condition,
    /// if any, is the caller's to honour: it is not part of the entry).
    pub fn document(document: Document) -> Result<LogEntry, StoreError> {
        document.validate()?;
        Ok(LogEntry::Document { table: document.table, key: document.key, value: document.value })
    }

    fn into_entry(self) -> Entry {
        match self {
            LogEntry::Item { item, raw } => Entry::Item { item, raw },
            LogEntry::Sighting { item, source, collected_at } => {
                Entry::Duplicate(DuplicateEntry { item, source, collected_at })
            }
            LogEntry::Checkpoint { input, position } => {
                Entry::Checkpoint(CheckpointEntry { input, position })
            }
            LogEntry::Source(source) => Entry::Source(source),
            LogEntry::Document { table, key, value } => Entry::Document(DocumentEntry { table, key, value }),
        }
    }

    fn from_entry(entry: Entry) -> LogEntry {
        match entry {
            Entry::Item { item, raw } => LogEntry::Item { item, raw },
            Entry::Duplicate(DuplicateEntry { item, source, collected_at }) => {
                LogEntry::Sighting { item, source, collected_at }
            }
            Entry::Checkpoint(CheckpointEntry { input, position }) => {
                LogEntry::Checkpoint { input, position }
            }
            Entry::Source(source) => LogEntry::Source(source),
            Entry::Document(DocumentEntry { table, key, value }) => LogEntry::Document { table, key, value },
        }
    }
}

/// Encodes entries as one message.
pub fn encode_message(entries: Vec<LogEntry>) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![MESSAGE_VERSION];
    let count =
        u32::try_from(entries.len()).map_err(|_| StoreError::Invalid("too many entries".to_owned()))?;
    out.extend_from_slice(&count.to_le_bytes());
    for entry in entries {
        let length_at = out.len();
        out.extend_from_slice(&[0; 4]);
        entry
            .into_entry()
            .encode(&mut out)
            .map_err(|error| StoreError::Invalid(format!("cannot encode a log entry: {error}")))?;
        let length = u32::try_from(out.len() - length_at - 4)
            .map_err(|_| StoreError::Invalid("a log entry over 4 GiB".to_owned()))?;
        out[length_at..length_at + 4].copy_from_slice(&length.to_le_bytes());
    }
    Ok(out)
}

/// Decodes a message made by [`encode_message`]. `Err` names what is wrong; nothing is guessed.
pub fn decode_message(bytes: &[u8]) -> Result<Vec<LogEntry>, String> {
    let (&version, mut rest) = bytes.split_first().ok_or("empty message")?;
    if version != MESSAGE_VERSION {
        return Err(format!("message version {version}; this build reads {MESSAGE_VERSION}"));
    }
    let (count, tail) = rest.split_at_checked(4).ok_or("message cut inside its entry count")?;
    let count = u32::from_le_bytes([count[0], count[1], count[2], count[3]]) as usize;
    rest = tail;
    let mut entries = Vec::with_capacity(count.min(1024));
    while !rest.is_empty() {
        let (length, tail) = rest.split_at_checked(4).ok_or("message cut inside an entry length")?;
        let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize;
        let (body, tail) = tail.split_at_checked(length).ok_or("message cut inside an entry")?;
        entries.push(LogEntry::from_entry(Entry::decode(body)?));
        rest = tail;
    }
    if entries.is_empty() {
        return Err("message without entries".to_owned());
    }
    if entries.len() != count {
        return Err(format!("message says {count} entries and holds {}", entries.len()));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_cut_messages_are_refused() {
        let entries = vec![
            LogEntry::Checkpoint { input: "feed.jsonl".to_owned(), position: 7 },
            LogEntry::Document {
                table: "alert".to_owned(),
                key: "a1".to_owned(),
                value: Some(b"{}".to_vec()),
            },
            LogEntry::Document { table: "alert".to_owned(), key: "gone".to_owned(), value: None },
        ];
        let bytes = encode_message(entries.clone()).expect("encode");
        assert_eq!(decode_message(&bytes), Ok(entries));
        for cut in 0..bytes.len() {
            assert!(decode_message(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode_message(&[2, 0, 0, 0, 0]).is_err(), "unknown version");
    }

    #[test]
    fn documents_are_checked_before_they_become_entries() {
        let refused =
            Document { table: "Bad Table".to_owned(), key: "k".to_owned(), value: None, if_new_item: None };
        assert!(LogEntry::document(refused).is_err());
    }
}
