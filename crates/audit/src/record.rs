//! What an audit entry records: who did what, when, and whether it was allowed. Why none of
//! it can be a secret is explained in the crate documentation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::AuditError;

/// One audited action: the part of an entry that the caller supplies.
///
/// Its JSON form is the entry's record bytes (see the crate README): the fields below, with
/// the action's own fields inline beside its `"action"` tag, absent optional fields left out.
/// Reading a stored record back is strict: besides parsing, the JSON must be exactly what this
/// version writes for the record it parses to (no unknown field, no `null` for an absent one,
/// timestamps as written), so that one record has one form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When the action happened (the caller's clock; this crate reads none).
    pub at: jiff::Timestamp,
    /// Who acted.
    pub actor: Actor,
    /// The request id the server gave the request, to join the entry with its logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Whether it was allowed, refused, or failed after being allowed.
    pub outcome: Outcome,
    /// What was done, with what.
    #[serde(flatten)]
    pub action: AuditAction,
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Actor {
    /// A user of the server, signed in; for a refused login, the account named, and only if
    /// it exists (people type passwords into the user name field).
    User {
        /// The user's name.
        user: String,
        /// The user's organisation; `None` for server administrators outside any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<String>,
    },
    /// The `muninn` command line on the host, run by whoever can open the data directory.
    Local,
}

/// Whether the action was carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Allowed and done.
    Allowed,
    /// Refused by access control (or a failed login).
    Denied,
    /// Allowed, but it failed (invalid input, store error).
    Failed,
}

/// How a user signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// User name and password (the password is never recorded).
    Password,
    /// An API token (recorded by its [`TokenId`] elsewhere, never the token).
    Token,
}

/// What happened to a watchlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// It was created.
    Created,
    /// Its entries or settings were changed.
    Updated,
    /// It was deleted.
    Deleted,
}

/// A token's public id: a short handle shown in listings and used to revoke it, never the
/// token or its hash.
///
/// 1 to 16 characters of `A-Z`, `a-z`, `0-9`, `-` and `_`. The bound is the point: a token of
/// 128 random bits needs at least 22 such characters and its hex SHA-256 needs 64, so neither
/// fits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenId(String);

impl TokenId {
    /// The longest token id.
    pub const MAX_LEN: usize = 16;

    /// Checks `id` and wraps it.
    pub fn new(id: &str) -> Result<TokenId, AuditError> {
        let valid_char = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
        if id.is_empty() || id.len() > TokenId::MAX_LEN || !id.bytes().all(valid_char) {
            return Err(AuditError::InvalidTokenId(id.to_owned()));
        }
        Ok(TokenId(id.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TokenId {
    type Error = AuditError;

    fn try_from(id: String) -> Result<TokenId, AuditError> {
        TokenId::new(&id)
    }
}

impl From<TokenId> for String {
    fn from(id: TokenId) -> String {
        id.0
    }
}

/// What was done. Serialised with its name in the `"action"` field (snake case) and its own
/// fields beside it.
///
/// Names (users, organisations, roles, lists, collections) are the names the server shows;
/// object ids (items, entities, alerts, STIX objects) are their public ids. See the module
/// documentation for why none of these can be a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuditAction {
    /// A sign-in attempt.
    Login {
        /// How the user signed in.
        method: LoginMethod,
    },
    /// A sign-out.
    Logout,
    /// An API token was issued.
    TokenIssued {
        /// Its public id.
        token_id: TokenId,
    },
    /// An API token was revoked.
    TokenRevoked {
        /// Its public id.
        token_id: TokenId,
    },
    /// A user account was created.
    UserCreated {
        /// The new user's name.
        user: String,
        /// The organisation it belongs to.
        org: String,
        /// The role it was given.
        role: String,
    },
    /// A user's role was changed.
    UserRoleChanged {
        /// The user's name.
        user: String,
        /// The role before.
        from: String,
        /// The role after.
        to: String,
    },
    /// A user account was disabled.
    UserDisabled {
        /// The user's name.
        user: String,
    },
    /// An organisation was created.
    OrgCreated {
        /// Its name.
        org: String,
    },
    /// An item was read.
    ItemRead {
        /// The item's id.
        item: String,
    },
    /// A search was run.
    Search {
        /// The query as typed.
        query: String,
        /// How many hits the caller could see.
        hits: u64,
    },
    /// Correlations of an item or indicator were asked for.
    Correlation {
        /// The item id or indicator value correlated.
        subject: String,
    },
    /// An entity of the knowledge base was read.
    EntityRead {
        /// The entity's id.
        entity: String,
    },
    /// An alert was read.
    AlertRead {
        /// The alert's key.
        alert: String,
    },
    /// An alert's triage state was changed.
    AlertTriaged {
        /// The alert's key.
        alert: String,
        /// The state it was given.
        state: String,
    },
    /// Objects were exported.
    Export {
        /// The export format.
        format: String,
        /// How many objects were exported.
        objects: u64,
        /// The query that selected them, if one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
    },
    /// Objects were shared into a collection.
    Share {
        /// The collection shared to.
        collection: String,
        /// How many objects.
        objects: u64,
    },
    /// A TAXII collection was read.
    TaxiiRead {
        /// The collection's id.
        collection: String,
        /// How many objects were returned.
        objects: u64,
    },
    /// Objects were added to a TAXII collection.
    TaxiiAdd {
        /// The collection's id.
        collection: String,
        /// How many objects were accepted.
        accepted: u64,
        /// How many were refused.
        rejected: u64,
    },
    /// A list or bundle was imported.
    Import {
        /// What was imported (e.g. `un-consolidated`, `stix-bundle`).
        kind: String,
        /// How many objects.
        objects: u64,
    },
    /// Items were ingested.
    Ingest {
        /// How many items were stored.
        items: u64,
    },
    /// A watchlist was created, changed or deleted.
    WatchlistChanged {
        /// The watchlist's name.
        list: String,
        /// What happened to it.
        change: Change,
    },
    /// An object's marking was made less restrictive.
    MarkingWidened {
        /// The object's id.
        object: String,
        /// The marking before.
        from: String,
        /// The marking after.
        to: String,
    },
    /// A daily checkpoint was signed.
    CheckpointSigned {
        /// How many entries it covers.
        seq: u64,
    },
    /// The audit trail was read or verified.
    AuditRead,
    /// An alert webhook was registered or removed (its URL and secret are not recorded).
    WebhookChanged {
        /// The webhook's id.
        webhook: String,
        /// What happened to it.
        change: Change,
    },
    /// An object version was deleted from a TAXII collection.
    TaxiiDelete {
        /// The collection.
        collection: String,
        /// The object's id.
        object: String,
    },
    /// A TAXII collection was created, changed (its readers or writers) or deleted.
    CollectionChanged {
        /// The collection's id.
        collection: String,
        /// What happened to it.
        change: Change,
    },
    /// A same-as decision about two knowledge-base objects was recorded or withdrawn.
    SameAsChanged {
        /// The smaller object id.
        a: String,
        /// The larger object id.
        b: String,
        /// `accepted` or `rejected` (absent when withdrawn).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verdict: Option<String>,
        /// Recorded (`created`) or withdrawn (`deleted`).
        change: Change,
    },
}

impl AuditAction {
    /// The action's name: the value of its `"action"` field.
    pub fn name(&self) -> &'static str {
        match self {
            AuditAction::Login { .. } => "login",
            AuditAction::Logout => "logout",
            AuditAction::TokenIssued { .. } => "token_issued",
            AuditAction::TokenRevoked { .. } => "token_revoked",
            AuditAction::UserCreated { .. } => "user_created",
            AuditAction::UserRoleChanged { .. } => "user_role_changed",
            AuditAction::UserDisabled { .. } => "user_disabled",
            AuditAction::OrgCreated { .. } => "org_created",
            AuditAction::ItemRead { .. } => "item_read",
            AuditAction::Search { .. } => "search",
            AuditAction::Correlation { .. } => "correlation",
            AuditAction::EntityRead { .. } => "entity_read",
            AuditAction::AlertRead { .. } => "alert_read",
            AuditAction::AlertTriaged { .. } => "alert_triaged",
            AuditAction::Export { .. } => "export",
            AuditAction::Share { .. } => "share",
            AuditAction::TaxiiRead { .. } => "taxii_read",
            AuditAction::TaxiiAdd { .. } => "taxii_add",
            AuditAction::Import { .. } => "import",
            AuditAction::Ingest { .. } => "ingest",
            AuditAction::WatchlistChanged { .. } => "watchlist_changed",
            AuditAction::MarkingWidened { .. } => "marking_widened",
            AuditAction::CheckpointSigned { .. } => "checkpoint_signed",
            AuditAction::AuditRead => "audit_read",
            AuditAction::WebhookChanged { .. } => "webhook_changed",
            AuditAction::TaxiiDelete { .. } => "taxii_delete",
            AuditAction::CollectionChanged { .. } => "collection_changed",
            AuditAction::SameAsChanged { .. } => "same_as_changed",
        }
    }
}

/// Parses a stored record strictly: it must be exactly the JSON that this version writes for
/// the record it parses to, key order and white space aside. (Serde cannot refuse unknown
/// fields beside a flattened enum, hence the comparison.) The error says what is wrong.
pub(crate) fn parse_record(bytes: &[u8]) -> Result<AuditRecord, String> {
    let record: AuditRecord = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let stored: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let written = serde_json::to_value(&record).map_err(|error| error.to_string())?;
    if stored == written {
        return Ok(record);
    }
    if let (Some(stored_fields), Some(written_fields)) = (stored.as_object(), written.as_object())
        && let Some(unknown) = stored_fields.keys().find(|name| !written_fields.contains_key(*name))
    {
        return Err(format!("unknown field {unknown:?}"));
    }
    Err("not in the form this version writes (an unknown nested field, a null for an absent field, \
         or a value spelled another way)"
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: AuditAction) -> AuditRecord {
        AuditRecord {
            at: jiff::Timestamp::from_second(1_700_000_000).expect("timestamp"),
            actor: Actor::User { user: "alice".to_owned(), org: Some("acme".to_owned()) },
            request_id: None,
            outcome: Outcome::Allowed,
            action,
        }
    }

    #[test]
    fn json_form_has_action_fields_inline() {
        let search = record(AuditAction::Search { query: "apt \"28\"".to_owned(), hits: u64::MAX });
        let json = serde_json::to_string(&search).expect("serialises");
        assert_eq!(
            json,
            r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"user","user":"alice","org":"acme"},"outcome":"allowed","action":"search","query":"apt \"28\"","hits":18446744073709551615}"#
        );
        assert_eq!(serde_json::from_str::<AuditRecord>(&json).expect("parses"), search);

        let logout = AuditRecord { actor: Actor::Local, ..record(AuditAction::Logout) };
        let json = serde_json::to_string(&logout).expect("serialises");
        assert_eq!(
            json,
            r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local"},"outcome":"allowed","action":"logout"}"#
        );
        assert_eq!(serde_json::from_str::<AuditRecord>(&json).expect("parses"), logout);
    }

    #[test]
    fn stored_records_are_read_strictly() {
        let written = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local"},"outcome":"allowed","action":"login","method":"token"}"#;
        assert!(parse_record(written.as_bytes()).is_ok());
        let reordered = r#"{"action":"login","method":"token","outcome":"allowed","actor":{"kind":"local"},"at":"2023-11-14T22:13:20Z"}"#;
        assert!(parse_record(reordered.as_bytes()).is_ok());
        let extra_top = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local"},"outcome":"allowed","action":"logout","password":"x"}"#;
        assert_eq!(parse_record(extra_top.as_bytes()), Err("unknown field \"password\"".to_owned()));
        let extra_actor = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local","token":"x"},"outcome":"allowed","action":"logout"}"#;
        assert!(parse_record(extra_actor.as_bytes()).is_err());
        let unknown_action = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local"},"outcome":"allowed","action":"dump_keys"}"#;
        assert!(parse_record(unknown_action.as_bytes()).is_err());
        let null_request = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"local"},"request_id":null,"outcome":"allowed","action":"logout"}"#;
        assert!(parse_record(null_request.as_bytes()).is_err());
        let offset = r#"{"at":"2023-11-14T23:13:20+01:00","actor":{"kind":"local"},"outcome":"allowed","action":"logout"}"#;
        assert!(parse_record(offset.as_bytes()).is_err());
        let duplicate = r#"{"at":"2023-11-14T22:13:20Z","actor":{"kind":"user","user":"a","user":"b"},"outcome":"allowed","action":"logout"}"#;
        assert!(parse_record(duplicate.as_bytes()).is_err());
    }

    #[test]
    fn token_ids_are_short_public_handles() {
        assert_eq!(TokenId::new("tok_3fA9-x").map(|id| id.to_string()), Ok("tok_3fA9-x".to_owned()));
        assert!(TokenId::new("").is_err());
        assert!(TokenId::new(&"a".repeat(17)).is_err());
        assert!(TokenId::new("has space").is_err());
        assert!(TokenId::new(&"0".repeat(64)).is_err());
        let long = r#"{"action":"token_issued","token_id":"mnn_0123456789abcdef0123456789abcdef"}"#;
        assert!(serde_json::from_str::<AuditAction>(long).is_err());
    }
}
