//! The stored format is pinned by a fixture: a chain of format 1 written by an earlier build,
//! with its head record and a signed checkpoint. It must keep verifying, and today's encoder
//! must still write exactly those bytes. Refresh (only for a deliberate change, which also
//! needs a new format version and a new fixture) with `UPDATE_EXPECT=1`.

use std::fs;
use std::path::{Path, PathBuf};

use muninn_audit::{
    Actor, AuditAction, AuditRecord, ChainHead, Checkpoint, Outcome, TokenId, Trust, entry_key,
    parse_entry_key, public_key_of, sign_checkpoint, verify,
};

use crate::build_chain;

/// The signing seed of the fixture's checkpoint (a test key, never a real one).
const FIXTURE_SEED: [u8; 32] = [0x5e; 32];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/compat-v1")
}

fn fixture_records() -> Vec<AuditRecord> {
    let at = |text: &str| text.parse::<jiff::Timestamp>().expect("timestamp");
    let alice = Actor::User { user: "alice".to_owned(), org: Some("acme".to_owned()) };
    vec![
        AuditRecord {
            at: at("2024-06-01T08:00:00Z"),
            actor: Actor::Local,
            request_id: None,
            outcome: Outcome::Allowed,
            action: AuditAction::UserCreated {
                user: "alice".to_owned(),
                org: "acme".to_owned(),
                role: "analyst".to_owned(),
            },
        },
        AuditRecord {
            at: at("2024-06-01T08:01:02.5Z"),
            actor: alice.clone(),
            request_id: Some("req-7f3a".to_owned()),
            outcome: Outcome::Allowed,
            action: AuditAction::TokenIssued { token_id: TokenId::new("tok_7f3a91").expect("valid") },
        },
        AuditRecord {
            at: at("2024-06-01T09:15:00Z"),
            actor: alice.clone(),
            request_id: Some("req-80c1".to_owned()),
            outcome: Outcome::Allowed,
            action: AuditAction::Search { query: "\"Абу Бакр\" AND tlp:amber".to_owned(), hits: 12 },
        },
        AuditRecord {
            at: at("2024-06-01T09:20:00Z"),
            actor: alice,
            request_id: Some("req-80c2".to_owned()),
            outcome: Outcome::Denied,
            action: AuditAction::Export {
                format: "stix".to_owned(),
                objects: 0,
                query: Some("apt28".to_owned()),
            },
        },
        AuditRecord {
            at: at("2024-06-02T00:00:00Z"),
            actor: Actor::Local,
            request_id: None,
            outcome: Outcome::Allowed,
            action: AuditAction::CheckpointSigned { seq: 4 },
        },
    ]
}

/// The fixture as today's code writes it: entries by key, the head record, the checkpoint.
fn fixture_now() -> (Vec<(String, Vec<u8>)>, String, String) {
    let (entries, head) = build_chain(&fixture_records());
    let checkpoint_head =
        ChainHead { next_seq: 4, hash: muninn_audit::decode_entry(&entries[3].1).expect("decodes").hash };
    let checkpoint =
        sign_checkpoint(&FIXTURE_SEED, jiff::civil::date(2024, 6, 1), &checkpoint_head).expect("signs");
    let entries = entries.into_iter().map(|(seq, bytes)| (entry_key(seq), bytes)).collect();
    let head_json = serde_json::to_string(&head).expect("serialises") + "\n";
    let checkpoint_json = serde_json::to_string_pretty(&checkpoint).expect("serialises") + "\n";
    (entries, head_json, checkpoint_json)
}

fn read_fixture() -> (Vec<(String, Vec<u8>)>, String, String) {
    let dir = fixture_dir();
    let mut entries: Vec<(String, Vec<u8>)> = fs::read_dir(dir.join("entries"))
        .expect("the fixture's entries directory")
        .map(|file| {
            let path = file.expect("a directory entry").path();
            let key = path.file_name().and_then(|name| name.to_str()).expect("a UTF-8 name").to_owned();
            (key, fs::read(&path).expect("an entry file"))
        })
        .collect();
    entries.sort();
    let head = fs::read_to_string(dir.join("head.json")).expect("head.json");
    let checkpoint = fs::read_to_string(dir.join("checkpoint.json")).expect("checkpoint.json");
    (entries, head, checkpoint)
}

#[test]
fn encoder_still_writes_the_format_1_fixture() {
    let now = fixture_now();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let dir = fixture_dir();
        let _ = fs::remove_dir_all(dir.join("entries"));
        fs::create_dir_all(dir.join("entries")).expect("create the fixture directory");
        for (key, bytes) in &now.0 {
            fs::write(dir.join("entries").join(key), bytes).expect("write an entry");
        }
        fs::write(dir.join("head.json"), &now.1).expect("write head.json");
        fs::write(dir.join("checkpoint.json"), &now.2).expect("write checkpoint.json");
    }
    assert_eq!(read_fixture(), now, "the encoder no longer writes format 1 as the fixture has it");
}

#[test]
fn the_format_1_fixture_verifies() {
    let (entries, head, checkpoint) = read_fixture();
    let head: ChainHead = serde_json::from_str(&head).expect("head.json parses");
    let checkpoint: Checkpoint = serde_json::from_str(&checkpoint).expect("checkpoint.json parses");
    let entries =
        entries.into_iter().map(|(key, bytes)| (parse_entry_key(&key).expect("an entry key"), bytes));
    let trust = Trust {
        head: Some(head),
        checkpoints: vec![checkpoint],
        public_key: Some(public_key_of(&FIXTURE_SEED)),
    };
    let verified = verify(entries, &trust).expect("the fixture verifies");
    assert_eq!((verified.entries, verified.checkpoints), (5, 1));
}
