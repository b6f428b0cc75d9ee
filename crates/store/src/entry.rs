//! The entries a log frame carries. Every table row is derived from these.

use muninn_model::{Item, ItemId, Source, SourceId, Timestamp};
use serde::{Deserialize, Serialize};

const KIND_ITEM: u8 = 1;
const KIND_DUPLICATE: u8 = 2;
const KIND_CHECKPOINT: u8 = 3;
const KIND_SOURCE: u8 = 4;

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
        }
        Ok(())
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
                let item: Item = serde_json::from_slice(&payload[..json_len]).map_err(json_error)?;
                let raw = item.raw.as_ref().map(|_| payload[json_len..].to_vec());
                Ok(Entry::Item { item, raw })
            }
            KIND_DUPLICATE => serde_json::from_slice(rest).map(Entry::Duplicate).map_err(json_error),
            KIND_CHECKPOINT => serde_json::from_slice(rest).map(Entry::Checkpoint).map_err(json_error),
            KIND_SOURCE => serde_json::from_slice(rest).map(Entry::Source).map_err(json_error),
            other => Err(format!("unknown entry kind {other}")),
        }
    }
}
