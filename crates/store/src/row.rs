//! The binary encoding of an item's row in the record tables. Rows are written for every item,
//! so they are compact and cheap: fixed-width fields, then length-prefixed strings.
//!
//! Layout (little-endian): id (16), segment (8), offset (8), frame length (4), collected at in
//! ms (8), event time present (1) and in ms (8), TLP (1), grade letter and digit (2), duplicates
//! (8), then source, language and title, each a `u16` length and UTF-8 bytes.

use muninn_model::{AdmiraltyGrade, Tlp};

/// What the tables keep of an item: its place in the log and what listings show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ItemRow {
    pub id: [u8; 16],
    pub segment: u64,
    pub offset: u64,
    pub len: u32,
    pub source: String,
    pub collected_ms: i64,
    pub event_ms: Option<i64>,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub tlp: Tlp,
    pub grade: AdmiraltyGrade,
    pub duplicates: u64,
}

/// Titles in rows are cut to this many characters; the item in the log keeps the whole title.
pub(crate) const ROW_TITLE_CHARS: usize = 200;

impl ItemRow {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let title = self.title.as_deref().unwrap_or("");
        let lang = self.lang.as_deref().unwrap_or("");
        let mut out = Vec::with_capacity(70 + self.source.len() + lang.len() + title.len());
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&self.segment.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
        out.extend_from_slice(&self.collected_ms.to_le_bytes());
        out.push(u8::from(self.event_ms.is_some()));
        out.extend_from_slice(&self.event_ms.unwrap_or(0).to_le_bytes());
        out.push(Tlp::ALL.iter().position(|t| *t == self.tlp).unwrap_or(4) as u8);
        out.extend_from_slice(self.grade.to_string().as_bytes());
        out.extend_from_slice(&self.duplicates.to_le_bytes());
        for text in [self.source.as_str(), lang, title] {
            let bytes = &text.as_bytes()[..text.len().min(u16::MAX as usize)];
            out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            out.extend_from_slice(bytes);
        }
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<ItemRow> {
        let mut reader = Reader(bytes);
        let id: [u8; 16] = reader.take(16)?.try_into().ok()?;
        let segment = u64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        let offset = u64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        let len = u32::from_le_bytes(reader.take(4)?.try_into().ok()?);
        let collected_ms = i64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        let has_event = reader.take(1)?[0] == 1;
        let event = i64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        let tlp = *Tlp::ALL.get(usize::from(reader.take(1)?[0]))?;
        let grade: AdmiraltyGrade = std::str::from_utf8(reader.take(2)?).ok()?.parse().ok()?;
        let duplicates = u64::from_le_bytes(reader.take(8)?.try_into().ok()?);
        let source = reader.text()?;
        let lang = reader.text()?;
        let title = reader.text()?;
        Some(ItemRow {
            id,
            segment,
            offset,
            len,
            source,
            collected_ms,
            event_ms: has_event.then_some(event),
            title: (!title.is_empty()).then_some(title),
            lang: (!lang.is_empty()).then_some(lang),
            tlp,
            grade,
            duplicates,
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn text(&mut self) -> Option<String> {
        let len = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        std::str::from_utf8(self.take(usize::from(len))?).ok().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn rows_round_trip(
            id in any::<[u8; 16]>(),
            numbers in any::<(u64, u64, u32, i64, u64)>(),
            event in proptest::option::of(any::<i64>()),
            texts in ("[a-z-]{1,20}", proptest::option::of("[a-z]{2,3}"), proptest::option::of("\\\\PC{1,50}")),
            tlp in 0usize..5,
        ) {
            let row = ItemRow {
                id,
                segment: numbers.0,
                offset: numbers.1,
                len: numbers.2,
                source: texts.0,
                collected_ms: numbers.3,
                event_ms: event,
                title: texts.2,
                lang: texts.1,
                tlp: Tlp::ALL[tlp],
                grade: "C3".parse().expect("grade"),
                duplicates: numbers.4,
            };
            prop_assert_eq!(ItemRow::decode(&row.encode()), Some(row));
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = ItemRow::decode(&bytes);
        }
    }
}
