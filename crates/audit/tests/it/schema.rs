//! The audit schema has no place for a secret: every field name of every record is on an
//! allow-list that names no secret.

use std::collections::BTreeSet;

use muninn_audit::{AuditRecord, Chain, ChainHead, decode_entry};
use serde_json::Value;

use crate::{ACTION_VARIANTS, action_index, sample_action, sample_record};

/// Every field name a record may have, anywhere in its JSON. Extending this list is a security
/// review: a new name must not hold, or be able to hold, a secret.
const ALLOWED_FIELDS: &[&str] = &[
    // The record.
    "at",
    "actor",
    "request_id",
    "outcome",
    "action",
    // The actor.
    "kind",
    "user",
    "org",
    // The actions.
    "method",
    "token_id",
    "role",
    "from",
    "to",
    "item",
    "query",
    "hits",
    "subject",
    "entity",
    "alert",
    "state",
    "format",
    "objects",
    "collection",
    "accepted",
    "rejected",
    "items",
    "list",
    "change",
    "object",
    "seq",
    "webhook",
    "a",
    "b",
    "verdict",
];

/// Parts of names that mean a secret or something derived from one.
const FORBIDDEN_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "hash",
    "key",
    "seed",
    "signature",
    "credential",
    "cookie",
    "salt",
];

/// The one name that contains a forbidden part on purpose: a token's short public id, whose
/// type (`TokenId`, at most 16 characters) cannot hold a token.
const EXEMPT: &[&str] = &["token_id"];

fn every_variant() -> Vec<AuditRecord> {
    // Odd counts fill every optional field, so that it is checked too.
    (0..ACTION_VARIANTS)
        .flat_map(|index| {
            [1, 10]
                .map(|count| sample_record(sample_action(index, "name", count), 1_717_243_200, "name", count))
        })
        .collect()
}

fn collect_field_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                names.insert(name.clone());
                collect_field_names(field, names);
            }
        }
        Value::Array(elements) => elements.iter().for_each(|element| collect_field_names(element, names)),
        _ => {}
    }
}

#[test]
fn every_variant_is_sampled() {
    let covered: BTreeSet<usize> =
        every_variant().iter().map(|record| action_index(&record.action)).collect();
    assert_eq!(covered, (0..ACTION_VARIANTS).collect::<BTreeSet<_>>());
}

#[test]
fn no_record_has_a_field_outside_the_allow_list() {
    let allowed: BTreeSet<&str> = ALLOWED_FIELDS.iter().copied().collect();
    for record in every_variant() {
        let json = serde_json::to_value(&record).expect("serialises");
        assert_eq!(json["action"], record.action.name(), "the tag is the action's name");
        let mut names = BTreeSet::new();
        collect_field_names(&json, &mut names);
        for name in &names {
            assert!(
                allowed.contains(name.as_str()),
                "{} has field {name:?}, which is not on the allow-list (could it hold a secret?)",
                record.action.name()
            );
        }
    }
}

#[test]
fn the_allow_list_names_no_secret() {
    for name in ALLOWED_FIELDS.iter().filter(|name| !EXEMPT.contains(name)) {
        for part in FORBIDDEN_PARTS {
            assert!(!name.contains(part), "allowed field {name:?} contains {part:?}");
        }
    }
}

#[test]
fn every_variant_round_trips_through_an_entry() {
    let mut chain = Chain::resume(ChainHead::GENESIS);
    for record in every_variant() {
        let (bytes, _) = chain.append(&record);
        assert_eq!(decode_entry(&bytes).expect("decodes").record, record);
    }
}
