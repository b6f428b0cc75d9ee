//! The store's document tables that are not items, and how they are read: watchlists, alerts,
//! the gazetteer's entity lists, organisations, users, API tokens and the audit trail. The
//! command line and the server read them through these functions, so the two agree on what a
//! table holds.

use muninn_access::{Directory, Org, OrgId, TokenRecord, User, UserId};
use muninn_index::{Entity, Gazetteer};
use muninn_model::ItemId;
use muninn_screen::{Alert, Watchlist};
use muninn_store::{Document, ItemStore, StoreError};
use serde::{Deserialize, Serialize};

/// The store table of watchlists, keyed by name.
pub const WATCHLIST_TABLE: &str = "watchlist";
/// The store table of alerts, keyed by [`Alert::key`].
pub const ALERT_TABLE: &str = "alert";
/// The store table of entity lists, keyed by list name.
pub const GAZETTEER_TABLE: &str = "gazetteer";
/// Organisations, keyed by id.
pub const ORG_TABLE: &str = "org";
/// Users, keyed by id.
pub const USER_TABLE: &str = "user";
/// API tokens, keyed by the hex SHA-256 of the token (the token itself is never stored).
pub const TOKEN_TABLE: &str = "token";
/// MISP warning lists (known benign indicator values), keyed by list name; values are the
/// lists' JSON as imported.
pub const WARNINGLIST_TABLE: &str = "warninglist";

const PAGE: usize = 1000;

/// A table that does not read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored document does not decode.
    #[error("stored {table} document {key:?} does not decode: {source}")]
    Decode {
        /// Its table.
        table: &'static str,
        /// Its key.
        key: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A value could not be encoded.
    #[error("cannot encode a {table} document: {source}")]
    Encode {
        /// Its table.
        table: &'static str,
        /// Why.
        source: serde_json::Error,
    },
}

/// Every (key, value) of a document table, in key order.
pub fn all_documents(store: &dyn ItemStore, table: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    loop {
        let after = out.last().map(|(key, _)| key.clone());
        let page = store.documents(table, after.as_deref(), PAGE)?;
        let done = page.len() < PAGE;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// Decodes a stored document of `table`.
pub fn decode<T: for<'de> Deserialize<'de>>(
    table: &'static str,
    key: &str,
    value: &[u8],
) -> Result<T, CatalogError> {
    serde_json::from_slice(value).map_err(|source| CatalogError::Decode {
        table,
        key: key.to_owned(),
        source,
    })
}

/// Every document of `table`, decoded.
pub fn load_all<T: for<'de> Deserialize<'de>>(
    store: &dyn ItemStore,
    table: &'static str,
) -> Result<Vec<T>, CatalogError> {
    all_documents(store, table)?.into_iter().map(|(key, value)| decode(table, &key, &value)).collect()
}

/// One document of `table`, decoded.
pub fn load_one<T: for<'de> Deserialize<'de>>(
    store: &dyn ItemStore,
    table: &'static str,
    key: &str,
) -> Result<Option<T>, CatalogError> {
    store.document(table, key)?.map(|value| decode(table, key, &value)).transpose()
}

/// A document of `table` holding `value`.
pub fn document<T: Serialize>(table: &'static str, key: &str, value: &T) -> Result<Document, CatalogError> {
    let bytes = serde_json::to_vec(value).map_err(|source| CatalogError::Encode { table, source })?;
    Ok(Document::put(table, key, bytes))
}

/// The stored watchlists.
pub fn load_watchlists(store: &dyn ItemStore) -> Result<Vec<Watchlist>, CatalogError> {
    load_all(store, WATCHLIST_TABLE)
}

/// The document of an alert, kept only if `if_new_item` is stored new in the same batch.
pub fn alert_document(alert: &Alert, if_new_item: Option<ItemId>) -> Result<Document, CatalogError> {
    let mut document = document(ALERT_TABLE, &alert.key(), alert)?;
    document.if_new_item = if_new_item;
    Ok(document)
}

/// The alerts raised on one item: a range of the alert table (keys start with the item's id),
/// not a scan of every alert.
pub fn alerts_of_item(store: &dyn ItemStore, item: &str) -> Result<Vec<Alert>, CatalogError> {
    let prefix = format!("{item}/");
    let mut alerts = Vec::new();
    // The item's id sorts just before its first alert key.
    let mut after = item.to_owned();
    loop {
        let page = store.documents(ALERT_TABLE, Some(&after), 256)?;
        let done = page.len() < 256;
        for (key, value) in page {
            if !key.starts_with(&prefix) {
                return Ok(alerts);
            }
            alerts.push(decode(ALERT_TABLE, &key, &value)?);
            after = key;
        }
        if done {
            return Ok(alerts);
        }
    }
}

/// One imported list of entities, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityList {
    /// Unique name, e.g. `threat-actors`.
    pub name: String,
    /// The format it was imported from.
    pub format: String,
    /// Raised by one each time the list is replaced.
    pub version: u64,
    /// The entities, ids already prefixed with the list's name.
    pub entities: Vec<Entity>,
}

/// The stored entity lists.
pub fn load_entity_lists(store: &dyn ItemStore) -> Result<Vec<EntityList>, CatalogError> {
    load_all(store, GAZETTEER_TABLE)
}

/// The gazetteer of every stored list. Entities that cannot be used are left out with a
/// debug line in the log (their import reported them already).
pub fn load_gazetteer(store: &dyn ItemStore) -> Result<Gazetteer, CatalogError> {
    let entities = load_entity_lists(store)?.into_iter().flat_map(|list| list.entities).collect();
    let (gazetteer, warnings) = Gazetteer::new(entities);
    for warning in warnings {
        tracing::debug!(warning = %crate::error::LogText(&warning.to_string()), "gazetteer entry left out");
    }
    Ok(gazetteer)
}

/// Organisations, users and tokens.
pub fn load_directory(store: &dyn ItemStore) -> Result<Directory, CatalogError> {
    let mut directory = Directory::default();
    for org in load_all::<Org>(store, ORG_TABLE)? {
        directory.orgs.insert(org.id.clone(), org);
    }
    for user in load_all::<User>(store, USER_TABLE)? {
        directory.users.insert(user.id.clone(), user);
    }
    for token in load_all::<TokenRecord>(store, TOKEN_TABLE)? {
        directory.tokens.insert(token.hash.clone(), token);
    }
    Ok(directory)
}

/// The document of an organisation.
pub fn org_document(org: &Org) -> Result<Document, CatalogError> {
    document(ORG_TABLE, org.id.as_str(), org)
}

/// The document of a user.
pub fn user_document(user: &User) -> Result<Document, CatalogError> {
    document(USER_TABLE, user.id.as_str(), user)
}

/// The document of a token record.
pub fn token_document(token: &TokenRecord) -> Result<Document, CatalogError> {
    document(TOKEN_TABLE, &token.hash, token)
}

/// A user's id, checked.
pub fn user_id(text: &str) -> Option<UserId> {
    text.parse().ok()
}

/// An organisation's id, checked.
pub fn org_id(text: &str) -> Option<OrgId> {
    text.parse().ok()
}

/// The stored warning lists, parsed, and the fingerprint of their content (empty: none). A list
/// that no longer parses is left out with a warning in the log (its import checked it).
pub fn load_warning_lists(
    store: &dyn ItemStore,
) -> Result<(muninn_extract::WarningLists, String), CatalogError> {
    use sha2::Digest;
    let mut lists = muninn_extract::WarningLists::new();
    let mut hasher = sha2::Sha256::new();
    let stored = all_documents(store, WARNINGLIST_TABLE)?;
    for (name, bytes) in &stored {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
        match std::str::from_utf8(bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| muninn_extract::WarningList::from_json(text).map_err(|e| e.to_string()))
        {
            Ok(list) => lists.add(list),
            Err(error) => {
                tracing::warn!(list = %crate::error::LogText(name), %error, "stored warning list left out")
            }
        }
    }
    let fingerprint = if stored.is_empty() { String::new() } else { crate::hex::encode(&hasher.finalize()) };
    Ok((lists, fingerprint))
}
