//! Keyed documents: small (or not so small) records that are not derived from items, such as
//! watchlists and alerts. The store keeps them without knowing what they mean: a table name, a
//! key and opaque bytes. Every version is a log entry; the tables keep the latest per key.

use muninn_model::ItemId;

use crate::StoreError;

/// A keyed document: the latest value per (table, key) is what reads return; every version stays
/// in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The table, e.g. `"watchlist"` or `"alert"`: 1 to [`MAX_TABLE_CHARS`] characters from
    /// `a-z`, `0-9`, `_`, `.` and `-`.
    pub table: String,
    /// The key within the table: 1 to [`MAX_KEY_BYTES`] bytes of UTF-8 without NUL. Reads page
    /// through a table in the byte order of its keys.
    pub key: String,
    /// Opaque bytes (callers store JSON), at most [`MAX_DOCUMENT_VALUE_BYTES`]; `None` deletes
    /// the key.
    pub value: Option<Vec<u8>>,
    /// Write this document only if the item with this id is stored new by the same batch (not a
    /// duplicate, not already stored). Otherwise the document is dropped without an error: this
    /// is how a caller says "an alert only for new items". Only [`crate::ItemStore::append`]
    /// accepts a condition; [`crate::ItemStore::put_documents`] refuses one.
    pub if_new_item: Option<ItemId>,
}

/// The longest table name, in characters (all ASCII).
pub const MAX_TABLE_CHARS: usize = 64;
/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// The largest document value: 256 MiB.
///
/// A value is written as one log frame, whose format limit is 1 GiB; this lower limit is a
/// policy, not a format bound. An append holds a value twice in memory (the value and the encoded
/// frame) and a read allocates it whole, so the limit keeps that bounded while leaving room for
/// the largest expected documents (a watchlist of a million names is about 100 MB of JSON). It
/// can be raised up to the frame limit without a format change.
pub const MAX_DOCUMENT_VALUE_BYTES: usize = 256 << 20;

impl Document {
    /// A document that sets `key` in `table` to `value`, unconditionally.
    pub fn put(table: &str, key: &str, value: Vec<u8>) -> Document {
        Document { table: table.to_owned(), key: key.to_owned(), value: Some(value), if_new_item: None }
    }

    /// A document that deletes `key` from `table`.
    pub fn delete(table: &str, key: &str) -> Document {
        Document { table: table.to_owned(), key: key.to_owned(), value: None, if_new_item: None }
    }

    /// Checks the table name, the key and the value's size.
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        check_table(&self.table).map_err(|problem| self.refused(problem))?;
        check_key(&self.key).map_err(|problem| self.refused(problem))?;
        if let Some(value) = &self.value
            && value.len() > MAX_DOCUMENT_VALUE_BYTES
        {
            return Err(self.refused(format!(
                "value of {} bytes exceeds the limit of {MAX_DOCUMENT_VALUE_BYTES} bytes",
                value.len()
            )));
        }
        Ok(())
    }

    pub(crate) fn refused(&self, problem: String) -> StoreError {
        StoreError::InvalidDocument { table: shorten(&self.table), key: shorten(&self.key), problem }
    }
}

/// Checks a table name; the problem otherwise.
pub(crate) fn check_table(table: &str) -> Result<(), String> {
    if table.is_empty() {
        return Err("the table name is empty".to_owned());
    }
    if table.len() > MAX_TABLE_CHARS {
        return Err(format!("the table name is longer than {MAX_TABLE_CHARS} characters"));
    }
    match table.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '_' | '.' | '-')) {
        Some(bad) => Err(format!("the table name contains {bad:?}; allowed are a-z, 0-9, '_', '.' and '-'")),
        None => Ok(()),
    }
}

/// Checks a key; the problem otherwise.
pub(crate) fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("the key is empty".to_owned());
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(format!("the key is longer than {MAX_KEY_BYTES} bytes"));
    }
    if key.contains('\0') {
        return Err("the key contains a NUL character".to_owned());
    }
    Ok(())
}

/// Names in error messages are cut, so that a refused 1 MB key does not become a 1 MB message.
fn shorten(text: &str) -> String {
    const SHOWN: usize = 80;
    match text.char_indices().nth(SHOWN) {
        Some((index, _)) => format!("{}...", &text[..index]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_and_keys_are_checked() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("alert", "k", None),
            ("watch.list-v2_x", "any key: with spaces, ünïcode", None),
            ("", "k", Some("the table name is empty")),
            ("Alert", "k", Some("contains 'A'")),
            ("a/b", "k", Some("contains '/'")),
            (&"t".repeat(65), "k", Some("longer than 64")),
            ("alert", "", Some("the key is empty")),
            ("alert", "a\0b", Some("NUL")),
            ("alert", &"k".repeat(513), Some("longer than 512 bytes")),
        ];
        for (table, key, expected) in cases {
            let result = Document::put(table, key, Vec::new()).validate();
            match (result, expected) {
                (Ok(()), None) => {}
                (Err(error), Some(expected)) => {
                    let message = error.to_string();
                    assert!(message.contains(expected), "{table:?}/{key:?}: {message}");
                    assert!(message.len() < 300, "message too long: {message}");
                }
                (result, expected) => panic!("{table:?}/{key:?}: {result:?}, expected {expected:?}"),
            }
        }
        assert!(Document::put("t", &"k".repeat(512), Vec::new()).validate().is_ok());
        assert!(Document::put(&"t".repeat(64), "k", Vec::new()).validate().is_ok());
    }
}
