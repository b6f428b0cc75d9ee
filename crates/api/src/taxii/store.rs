//! What TAXII keeps in the store, and the keys that order it.
//!
//! - [`COLLECTION_TABLE`]: a [`Collection`] per id.
//! - [`OBJECT_TABLE`]: one document per stored object version, keyed
//!   `COLLECTION/DATE_ADDED` with `DATE_ADDED` the microseconds since the epoch in 20 digits,
//!   so a collection's objects page in the order they were added.
//! - [`HEAD_TABLE`]: per object, keyed `COLLECTION/OBJECT_ID`, the list of its versions with
//!   their `date_added` and markings (version lookups, `first`/`last`, conflicts).
//! - [`STATUS_TABLE`]: the status resource of each add request, with who made it.
//! - [`CLOCK_TABLE`]: the last `date_added` handed out (so that it never goes back, even when
//!   the wall clock does).

use muninn_model::Markings;
use muninn_store::Document;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::catalog;
use crate::error::{ApiError, ApiResult};

/// Collections, keyed by id.
pub const COLLECTION_TABLE: &str = "taxii_collection";
/// Object versions, keyed `COLLECTION/DATE_ADDED` (see the module documentation).
pub const OBJECT_TABLE: &str = "taxii_object";
/// Each object's versions, keyed `COLLECTION/OBJECT_ID`.
pub const HEAD_TABLE: &str = "taxii_head";
/// Status resources of add requests, keyed by id.
pub const STATUS_TABLE: &str = "taxii_status";
/// The last `date_added` handed out (key [`CLOCK_KEY`]).
pub const CLOCK_TABLE: &str = "taxii_clock";
/// The key of the clock.
pub const CLOCK_KEY: &str = "last_date_added";
/// In a collection's `readers` or `writers`: every organisation.
pub const EVERYONE: &str = "*";

/// A TAXII collection: who reads it and who writes to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// A UUID.
    pub id: String,
    /// Shown to clients.
    pub title: String,
    /// Shown to clients.
    #[serde(default)]
    pub description: String,
    /// Organisations that may read it, or [`EVERYONE`].
    pub readers: Vec<String>,
    /// Organisations that may add to it, or [`EVERYONE`].
    pub writers: Vec<String>,
}

/// What [`create_collection`] needs.
#[derive(Debug, Clone)]
pub struct NewCollection {
    /// Shown to clients.
    pub title: String,
    /// Shown to clients.
    pub description: String,
    /// Organisations that may read it, or [`EVERYONE`].
    pub readers: Vec<String>,
    /// Organisations that may add to it, or [`EVERYONE`].
    pub writers: Vec<String>,
}

/// A new collection with a random id, and the documents that store it (write them with the
/// store, or through `AppState::write` with an audit entry).
pub fn create_collection(new: NewCollection) -> ApiResult<(Collection, Vec<Document>)> {
    if new.title.trim().is_empty() {
        return Err(ApiError::BadRequest("a collection needs a title".to_owned()));
    }
    for org in new.readers.iter().chain(&new.writers) {
        if org != EVERYONE && catalog::org_id(org).is_none() {
            return Err(ApiError::BadRequest(format!("{org:?} is not an organisation id")));
        }
    }
    let collection = Collection {
        id: random_uuid()?,
        title: new.title,
        description: new.description,
        readers: new.readers,
        writers: new.writers,
    };
    let document = catalog::document(COLLECTION_TABLE, &collection.id, &collection)?;
    Ok((collection, vec![document]))
}

/// A random (version 4) UUID.
pub(crate) fn random_uuid() -> ApiResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    let id = muninn_stix::StixId::bundle_v4(bytes);
    Ok(id.as_str().trim_start_matches("bundle--").to_owned())
}

/// Whether `text` is a UUID in its canonical lower-case form (ids of collections and status
/// resources; anything else cannot name one).
pub(crate) fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(at, byte)| match at {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(byte),
        })
}

/// The key of an object version: sorts by `date_added` within the collection.
pub(crate) fn object_key(collection: &str, date_added: u64) -> String {
    format!("{collection}/{date_added:020}")
}

/// The `date_added` of an object key of `collection`, or `None` for a key of another one.
pub(crate) fn date_added_of(collection: &str, key: &str) -> Option<u64> {
    key.strip_prefix(collection)?.strip_prefix('/')?.parse().ok()
}

/// The key of an object's list of versions.
pub(crate) fn head_key(collection: &str, object_id: &str) -> String {
    format!("{collection}/{object_id}")
}

/// One stored object version.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredObject {
    /// The STIX id.
    pub id: String,
    /// The STIX type.
    #[serde(rename = "type")]
    pub object_type: String,
    /// See [`VersionEntry::version`].
    pub version: Option<String>,
    /// `spec_version` (`2.1`).
    pub spec_version: String,
    /// Microseconds since the epoch; unique and increasing in the order objects were added.
    pub date_added: u64,
    /// Who may see it.
    pub markings: Markings,
    /// The user who added it.
    pub added_by: String,
    /// The object, exactly as it was received.
    pub json: Box<RawValue>,
}

/// The versions of one object in a collection, ordered by version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Head {
    pub versions: Vec<VersionEntry>,
}

/// One version of an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VersionEntry {
    /// `modified` (else `created`) in `StixTimestamp::key_form`, so that versions sort as
    /// text; `None` for objects STIX does not version (observables).
    pub version: Option<String>,
    /// Where it is: [`object_key`].
    pub date_added: u64,
    /// `spec_version`.
    pub spec_version: String,
    /// Who may see it.
    pub markings: Markings,
}

impl VersionEntry {
    /// The version TAXII shows and matches: the object's own, else (unversioned objects) the
    /// date it was added. Sortable text (`StixTimestamp::key_form`).
    pub fn taxii_version(&self) -> String {
        self.version.clone().unwrap_or_else(|| key_form_of(self.date_added))
    }
}

impl Head {
    /// Puts a version in its place (by version, then date added).
    pub fn insert(&mut self, entry: VersionEntry) {
        let at = self.versions.partition_point(|known| {
            (&known.version, known.date_added) <= (&entry.version, entry.date_added)
        });
        self.versions.insert(at, entry);
    }
}

/// A microsecond timestamp in `StixTimestamp::key_form` (nine fraction digits).
pub(crate) fn key_form_of(micros: u64) -> String {
    let micros = i64::try_from(micros).unwrap_or(i64::MAX);
    match jiff::Timestamp::from_microsecond(micros) {
        Ok(at) => format!("{at:.9}"),
        Err(_) => "9999-12-31T23:59:59.999999999Z".to_owned(),
    }
}

/// A microsecond timestamp as TAXII shows `date_added`: microsecond precision, `Z`.
pub(crate) fn taxii_timestamp(micros: u64) -> String {
    let micros = i64::try_from(micros).unwrap_or(i64::MAX);
    match jiff::Timestamp::from_microsecond(micros) {
        Ok(at) => format!("{at:.6}"),
        Err(_) => "9999-12-31T23:59:59.999999Z".to_owned(),
    }
}

/// A version in key form as STIX shows timestamps (milliseconds at least).
pub(crate) fn display_version(key_form: &str) -> String {
    muninn_stix::StixTimestamp::parse(key_form).map_or_else(|_| key_form.to_owned(), |at| at.to_string())
}

/// A status resource as stored: the resource and who may read it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredStatus {
    /// The organisation of the user who made the request: only it reads the status.
    pub org: String,
    /// The collection added to.
    pub collection: String,
    /// The TAXII status resource.
    pub resource: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_date_added_and_name_their_collection() {
        let collection = "2d1c5a4e-8f3b-4c6d-9e7f-0a1b2c3d4e5f";
        assert!(object_key(collection, 9) < object_key(collection, 10));
        assert_eq!(date_added_of(collection, &object_key(collection, 42)), Some(42));
        assert_eq!(date_added_of("other", &object_key(collection, 42)), None);
        assert!(is_uuid(collection));
        assert!(!is_uuid("2D1C5A4E-8F3B-4C6D-9E7F-0A1B2C3D4E5F"));
        assert!(!is_uuid("../../etc"));
    }

    #[test]
    fn timestamps_have_microseconds_and_key_forms_nanoseconds() {
        assert_eq!(taxii_timestamp(1_700_000_000_000_001), "2023-11-14T22:13:20.000001Z");
        assert_eq!(key_form_of(1_700_000_000_000_001), "2023-11-14T22:13:20.000001000Z");
        assert_eq!(display_version("2023-11-14T22:13:20.000001000Z"), "2023-11-14T22:13:20.000001Z");
    }
}
