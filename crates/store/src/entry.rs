//! The entries a log frame carries. Every table row is derived from these.

use muninn_model::{Item, ItemId, Source, SourceId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::document::{check_key, check_table};

const KIND_ITEM: u8 = 1;
const KIND_DUPLICATE: u8 = 2;
const KIND_CHECKPOINT: u8 = 3;
const KIND_SOURCE: u8 = 4;
/// Documents exist from format 2 on.
const KIND_DOCUMENT: u8 = 5;

/// One fact in the log.
// Items are nearly every entry; boxing them would add an allocation per item for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    /// A new item, with the raw bytes it was read from.
    Item { item: Item, raw: Option<Vec<u8>> },
    /// The same content arrived again.
    Duplicate(DuplicateEntry),
    /// An input has been consumed up to a position.
    Checkpoint(CheckpointEntry),
    /// A source was defined or redefined.
    Source(Source),
    /// A document was set or deleted.
    Document(DocumentEntry),
}

/// A version of a keyed document. Checked ([`crate::Document::validate`]) before it is logged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DocumentEntry {
    pub table: String,
    pub key: String,
    /// `None`: the key was deleted.
    pub value: Option<Vec<u8>>,
}

/// A sighting of content already stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DuplicateEntry {
    pub item: ItemId,
    pub source: SourceId,
    pub collected_at: Timestamp,
}

/// How far an input has been ingested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CheckpointEntry {
    pub input: String,
    pub position: u64,
}

impl Entry {
    /// Appends the encoded entry to `out`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match self {
            Entry::Item { item, raw } => {
                out.push(KIND_ITEM);
                let length_at = out.len();
                out.extend_from_slice(&[0u8; 4]);
                serde_json::to_writer(&mut *out, item)?;
                let json_len = (out.len() - length_at - 4) as u32;
                out[length_at..length_at + 4].copy_from_slice(&json_len.to_le_bytes());
                if let Some(raw) = raw {
                    out.extend_from_slice(raw);
                }
            }
            Entry::Duplicate(duplicate) => {
                out.push(KIND_DUPLICATE);
                serde_json::to_writer(&mut *out, duplicate)?;
            }
            Entry::Checkpoint(checkpoint) => {
                out.push(KIND_CHECKPOINT);
                serde_json::to_writer(&mut *out, checkpoint)?;
            }
            Entry::Source(source) => {
                out.push(KIND_SOURCE);
                serde_json::to_writer(&mut *out, source)?;
            }
            Entry::Document(document) => {
                // Binary, not JSON: values are opaque and may be large.
                out.push(KIND_DOCUMENT);
                out.push(document.table.len() as u8);
                out.extend_from_slice(document.table.as_bytes());
                out.extend_from_slice(&(document.key.len() as u16).to_le_bytes());
                out.extend_from_slice(document.key.as_bytes());
                match &document.value {
                    Some(value) => {
                        out.push(1);
                        out.extend_from_slice(value);
                    }
                    None => out.push(0),
                }
            }
        }
        Ok(())
    }

    /// Drops what the record tables never need (raw bytes, document values), which can be
    /// large: the tables point into the log instead. A document keeps `Some` (empty) for "set".
    pub(crate) fn drop_payload(&mut self) {
        match self {
            Entry::Item { raw, .. } => *raw = None,
            Entry::Document(DocumentEntry { value: Some(value), .. }) => *value = Vec::new(),
            _ => {}
        }
    }

    /// [`Entry::decode`] of a body it may keep: a document's value is cut out of the body in
    /// place rather than copied, which matters for large values.
    pub(crate) fn decode_owned(mut body: Vec<u8>) -> Result<Entry, String> {
        if body.first() != Some(&KIND_DOCUMENT) {
            return Entry::decode(&body);
        }
        let (mut document, value_start) = decode_document_head(&body[1..])?;
        if document.value.is_some() {
            body.drain(..1 + value_start);
            document.value = Some(body);
        }
        Ok(Entry::Document(document))
    }

    pub(crate) fn decode(body: &[u8]) -> Result<Entry, String> {
        let (&kind, rest) = body.split_first().ok_or("empty frame body")?;
        let json_error = |error: serde_json::Error| format!("entry kind {kind}: {error}");
        match kind {
            KIND_ITEM => {
                if rest.len() < 4 {
                    return Err("item entry shorter than its header".to_owned());
                }
                let json_len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                let payload = &rest[4..];
                if payload.len() < json_len {
                    return Err("item entry shorter than its JSON length".to_owned());
                }
                // UTF-8 checked once for the whole entry, with SIMD: serde_json's check of each
                // string was ~2% of re-indexing's CPU (3% faster in an A/B).
                let json = simdutf8::basic::from_utf8(&payload[..json_len])
                    .map_err(|_| format!("entry kind {kind}: item JSON is not UTF-8"))?;
                let item: Item = serde_json::from_str(json).map_err(json_error)?;
                let raw = item.raw.as_ref().map(|_| payload[json_len..].to_vec());
                Ok(Entry::Item { item, raw })
            }
            KIND_DUPLICATE => serde_json::from_slice(rest).map(Entry::Duplicate).map_err(json_error),
            KIND_CHECKPOINT => serde_json::from_slice(rest).map(Entry::Checkpoint).map_err(json_error),
            KIND_SOURCE => serde_json::from_slice(rest).map(Entry::Source).map_err(json_error),
            KIND_DOCUMENT => decode_document(rest).map(Entry::Document),
            other => Err(format!("unknown entry kind {other}")),
        }
    }
}

/// Reads a document entry after its kind byte: the entry with an empty value when one is
/// present, and where the value starts in `bytes`.
fn decode_document_head(bytes: &[u8]) -> Result<(DocumentEntry, usize), String> {
    let truncated = || "document entry shorter than its header".to_owned();
    let (&table_len, rest) = bytes.split_first().ok_or_else(truncated)?;
    let (table, rest) = rest.split_at_checked(usize::from(table_len)).ok_or_else(truncated)?;
    let (key_len, rest) = rest.split_at_checked(2).ok_or_else(truncated)?;
    let key_len = u16::from_le_bytes([key_len[0], key_len[1]]);
    let (key, rest) = rest.split_at_checked(usize::from(key_len)).ok_or_else(truncated)?;
    let (&present, value_bytes) = rest.split_first().ok_or_else(truncated)?;
    let table = std::str::from_utf8(table).map_err(|_| "document table name is not UTF-8".to_owned())?;
    let key = std::str::from_utf8(key).map_err(|_| "document key is not UTF-8".to_owned())?;
    check_table(table)
        .and_then(|()| check_key(key))
        .map_err(|problem| format!("document entry: {problem}"))?;
    let value = match present {
        0 if value_bytes.is_empty() => None,
        1 => Some(Vec::new()),
        _ => return Err("document entry has a bad value marker".to_owned()),
    };
    let head = DocumentEntry { table: table.to_owned(), key: key.to_owned(), value };
    Ok((head, bytes.len() - value_bytes.len()))
}

fn decode_document(bytes: &[u8]) -> Result<DocumentEntry, String> {
    let (mut document, value_start) = decode_document_head(bytes)?;
    if let Some(value) = &mut document.value {
        value.extend_from_slice(&bytes[value_start..]);
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_entries_round_trip_and_garbage_is_refused() {
        let entries = [
            DocumentEntry {
                table: "alert".to_owned(),
                key: "k\u{e9}y".to_owned(),
                value: Some(b"{}".to_vec()),
            },
            DocumentEntry { table: "w".to_owned(), key: "x".repeat(512), value: Some(Vec::new()) },
            DocumentEntry { table: "w".to_owned(), key: "gone".to_owned(), value: None },
        ];
        for document in entries {
            let entry = Entry::Document(document);
            let mut body = Vec::new();
            entry.encode(&mut body).expect("encode");
            assert_eq!(Entry::decode(&body).as_ref(), Ok(&entry));
            assert_eq!(Entry::decode_owned(body.clone()), Ok(entry));
            for cut in 1..body.len().min(12) {
                assert!(Entry::decode(&body[..cut]).is_err(), "cut at {cut}");
            }
        }
        assert!(Entry::decode(&[KIND_DOCUMENT, 1, b'A', 1, 0, b'k', 0]).is_err(), "bad table name");
        assert!(Entry::decode(&[KIND_DOCUMENT, 1, b'a', 1, 0, b'k', 0, 7]).is_err(), "delete with a value");
        assert!(Entry::decode(&[KIND_DOCUMENT, 1, b'a', 1, 0, b'k', 2]).is_err(), "bad marker");
    }
}
