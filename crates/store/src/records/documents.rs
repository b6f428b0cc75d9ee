//! The document table: where the latest version of each (table, key) lives in the log.
//!
//! Rows hold a log position, not the value: values are opaque and may be large (a watchlist can
//! be 100 MB), and the log already holds them. A read is one table lookup and one frame read.

use std::collections::BTreeMap;
use std::ops::Bound;

use redb::{ReadableTable, TableHandle};

use super::writer::lock;
use super::{COUNTS, DOCUMENTS, OrRecords, Records};
use crate::StoreError;
use crate::log::FramePos;

/// Dimension of [`COUNTS`] that holds the number of keys per document table.
pub(super) const DOCUMENT_COUNT: &str = "documents";

/// A row of [`DOCUMENTS`]: segment (8), offset (8), frame length (4), little-endian.
pub(super) fn encode_position(pos: FramePos) -> [u8; 20] {
    let mut out = [0u8; 20];
    out[..8].copy_from_slice(&pos.segment.to_le_bytes());
    out[8..16].copy_from_slice(&pos.offset.to_le_bytes());
    out[16..].copy_from_slice(&pos.len.to_le_bytes());
    out
}

fn decode_position(bytes: &[u8]) -> Option<FramePos> {
    let bytes: &[u8; 20] = bytes.try_into().ok()?;
    Some(FramePos {
        segment: u64::from_le_bytes(bytes[..8].try_into().ok()?),
        offset: u64::from_le_bytes(bytes[8..16].try_into().ok()?),
        len: u32::from_le_bytes(bytes[16..].try_into().ok()?),
    })
}

impl Records {
    fn position_row(&self, bytes: &[u8]) -> Result<FramePos, StoreError> {
        decode_position(bytes).ok_or_else(|| self.corrupt(format!("unreadable {} row", DOCUMENTS.name())))
    }

    /// Where the latest version of a document is in the log; `None` if the key is absent or
    /// deleted. Sees documents applied but not yet written at once.
    pub(crate) fn document_position(&self, table: &str, key: &str) -> Result<Option<FramePos>, StoreError> {
        if let Some((_, pending)) = lock(&self.shared).documents.get(&(table.to_owned(), key.to_owned())) {
            return Ok(*pending);
        }
        self.read_written(|read| {
            let documents = read.open_table(DOCUMENTS).or_records(&self.path)?;
            let row = documents.get((table, key)).or_records(&self.path)?;
            row.map(|bytes| self.position_row(bytes.value())).transpose()
        })
    }

    /// Up to `limit` keys of a table after `after_key`, in key order, with their positions.
    pub(crate) fn document_positions(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, FramePos)>, StoreError> {
        self.read(|read| {
            let documents = read.open_table(DOCUMENTS).or_records(&self.path)?;
            let start = match after_key {
                Some(after) => Bound::Excluded((table, after)),
                None => Bound::Included((table, "")),
            };
            let mut out = Vec::new();
            for row in documents.range::<(&str, &str)>((start, Bound::Unbounded)).or_records(&self.path)? {
                if out.len() >= limit {
                    break;
                }
                let (key, bytes) = row.or_records(&self.path)?;
                let (row_table, row_key) = key.value();
                if row_table != table {
                    break;
                }
                out.push((row_key.to_owned(), self.position_row(bytes.value())?));
            }
            Ok(out)
        })
    }

    /// How many keys a table holds.
    pub(crate) fn document_count(&self, table: &str) -> Result<u64, StoreError> {
        self.read(|read| {
            let counts = read.open_table(COUNTS).or_records(&self.path)?;
            Ok(counts.get((DOCUMENT_COUNT, table)).or_records(&self.path)?.map_or(0, |v| v.value()))
        })
    }

    /// Every document row, for verification.
    pub(crate) fn all_document_positions(&self) -> Result<BTreeMap<(String, String), FramePos>, StoreError> {
        self.read(|read| {
            let documents = read.open_table(DOCUMENTS).or_records(&self.path)?;
            let mut out = BTreeMap::new();
            for row in documents.iter().or_records(&self.path)? {
                let (key, bytes) = row.or_records(&self.path)?;
                let (table, key) = key.value();
                out.insert((table.to_owned(), key.to_owned()), self.position_row(bytes.value())?);
            }
            Ok(out)
        })
    }

    /// Keys per document table, for verification.
    pub(crate) fn document_counts(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        self.read(|read| {
            let counts = read.open_table(COUNTS).or_records(&self.path)?;
            let mut out = BTreeMap::new();
            let range = counts.range((DOCUMENT_COUNT, "")..).or_records(&self.path)?;
            for row in range {
                let (key, value) = row.or_records(&self.path)?;
                let (dimension, table) = key.value();
                if dimension != DOCUMENT_COUNT {
                    break;
                }
                if value.value() > 0 {
                    out.insert(table.to_owned(), value.value());
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        let pos = FramePos { segment: 4097, offset: 1 << 33, len: 200 << 20 };
        assert_eq!(decode_position(&encode_position(pos)), Some(pos));
        assert_eq!(decode_position(&[0; 19]), None);
    }
}
