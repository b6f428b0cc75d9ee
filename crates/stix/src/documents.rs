//! How objects map to the caller's keyed documents (see the crate README). This crate never
//! calls a store; it says what to write.

use crate::import::{ImportReport, Outcome};
use crate::object::StixObject;

/// The table of latest versions: key = `id`.
pub const LATEST_TABLE: &str = "stix_object";
/// The table of every version: key = `id|version` (see [`version_key`]).
pub const VERSION_TABLE: &str = "stix_version";

/// One document to write: table, key, value (the object's JSON text, exactly as received).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixDocument {
    /// [`LATEST_TABLE`] or [`VERSION_TABLE`].
    pub table: &'static str,
    /// The key.
    pub key: String,
    /// The object's JSON.
    pub value: Vec<u8>,
}

/// The key of one version: `id|` then the version timestamp in the fixed-width form
/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (so keys of one id sort oldest first), or `id|-` for an
/// unversioned object (an observable).
pub fn version_key(object: &StixObject) -> String {
    match object.version() {
        Some(version) => format!("{}|{}", object.id(), version.key_form()),
        None => format!("{}|-", object.id()),
    }
}

/// The documents of an import, in the order to write them: a stored or updated object writes its
/// version and the latest entry; an older version writes its version only.
pub fn documents(report: &ImportReport) -> Vec<StixDocument> {
    let mut documents = Vec::new();
    for entry in &report.objects {
        let (object, is_latest) = match &entry.outcome {
            Outcome::Stored(object) | Outcome::Updated(object) => (object, true),
            Outcome::OlderVersion(object) => (object, false),
            Outcome::Duplicate | Outcome::Rejected(_) => continue,
        };
        let value = object.json().as_bytes().to_vec();
        if is_latest {
            documents.push(StixDocument {
                table: LATEST_TABLE,
                key: object.id().to_string(),
                value: value.clone(),
            });
        }
        documents.push(StixDocument { table: VERSION_TABLE, key: version_key(object), value });
    }
    documents
}
