//! Integration tests of the audit trail: chains, tampering, checkpoints, the schema and the
//! stored format.

mod chain;
mod checkpoint;
mod compat;
mod schema;

use muninn_audit::{
    Actor, AuditAction, AuditRecord, Chain, ChainHead, Change, LoginMethod, Outcome, TokenId,
};

/// The number of `AuditAction` variants; `action_index` must cover `0..ACTION_VARIANTS`.
pub(crate) const ACTION_VARIANTS: usize = 28;

/// The position of `action`'s variant. The match has no wildcard arm, so adding a variant fails
/// to compile here until `sample_action` (and so the schema test) covers it.
pub(crate) fn action_index(action: &AuditAction) -> usize {
    match action {
        AuditAction::Login { .. } => 0,
        AuditAction::Logout => 1,
        AuditAction::TokenIssued { .. } => 2,
        AuditAction::TokenRevoked { .. } => 3,
        AuditAction::UserCreated { .. } => 4,
        AuditAction::UserRoleChanged { .. } => 5,
        AuditAction::UserDisabled { .. } => 6,
        AuditAction::OrgCreated { .. } => 7,
        AuditAction::ItemRead { .. } => 8,
        AuditAction::Search { .. } => 9,
        AuditAction::Correlation { .. } => 10,
        AuditAction::EntityRead { .. } => 11,
        AuditAction::AlertRead { .. } => 12,
        AuditAction::AlertTriaged { .. } => 13,
        AuditAction::Export { .. } => 14,
        AuditAction::Share { .. } => 15,
        AuditAction::TaxiiRead { .. } => 16,
        AuditAction::TaxiiAdd { .. } => 17,
        AuditAction::Import { .. } => 18,
        AuditAction::Ingest { .. } => 19,
        AuditAction::WatchlistChanged { .. } => 20,
        AuditAction::MarkingWidened { .. } => 21,
        AuditAction::CheckpointSigned { .. } => 22,
        AuditAction::AuditRead => 23,
        AuditAction::WebhookChanged { .. } => 24,
        AuditAction::TaxiiDelete { .. } => 25,
        AuditAction::CollectionChanged { .. } => 26,
        AuditAction::SameAsChanged { .. } => 27,
    }
}

/// An action of variant `index % ACTION_VARIANTS`, its fields filled from `text` and `count`
/// (optional fields present when `count` is odd).
pub(crate) fn sample_action(index: usize, text: &str, count: u64) -> AuditAction {
    let name = || text.to_owned();
    let token_id = TokenId::new(&format!("tok{}", count % 1_000_000)).expect("a valid token id");
    match index % ACTION_VARIANTS {
        0 => AuditAction::Login {
            method: if count.is_multiple_of(2) { LoginMethod::Password } else { LoginMethod::Token },
        },
        1 => AuditAction::Logout,
        2 => AuditAction::TokenIssued { token_id },
        3 => AuditAction::TokenRevoked { token_id },
        4 => AuditAction::UserCreated { user: name(), org: name(), role: "analyst".to_owned() },
        5 => {
            AuditAction::UserRoleChanged { user: name(), from: "analyst".to_owned(), to: "admin".to_owned() }
        }
        6 => AuditAction::UserDisabled { user: name() },
        7 => AuditAction::OrgCreated { org: name() },
        8 => AuditAction::ItemRead { item: name() },
        9 => AuditAction::Search { query: name(), hits: count },
        10 => AuditAction::Correlation { subject: name() },
        11 => AuditAction::EntityRead { entity: name() },
        12 => AuditAction::AlertRead { alert: name() },
        13 => AuditAction::AlertTriaged { alert: name(), state: "acknowledged".to_owned() },
        14 => AuditAction::Export {
            format: "stix".to_owned(),
            objects: count,
            query: (count % 2 == 1).then(name),
        },
        15 => AuditAction::Share { collection: name(), objects: count },
        16 => AuditAction::TaxiiRead { collection: name(), objects: count },
        17 => AuditAction::TaxiiAdd { collection: name(), accepted: count, rejected: count / 2 },
        18 => AuditAction::Import { kind: "un-consolidated".to_owned(), objects: count },
        19 => AuditAction::Ingest { items: count },
        20 => AuditAction::WatchlistChanged {
            list: name(),
            change: [Change::Created, Change::Updated, Change::Deleted][(count % 3) as usize],
        },
        21 => AuditAction::MarkingWidened {
            object: name(),
            from: "TLP:AMBER".to_owned(),
            to: "TLP:GREEN".to_owned(),
        },
        22 => AuditAction::CheckpointSigned { seq: count },
        24 => AuditAction::WebhookChanged {
            webhook: name(),
            change: [Change::Created, Change::Updated, Change::Deleted][(count % 3) as usize],
        },
        25 => AuditAction::TaxiiDelete { collection: name(), object: name() },
        26 => AuditAction::CollectionChanged {
            collection: name(),
            change: [Change::Created, Change::Updated, Change::Deleted][(count % 3) as usize],
        },
        27 => AuditAction::SameAsChanged {
            a: name(),
            b: name(),
            verdict: (count % 2 == 1).then(|| "accepted".to_owned()),
            change: [Change::Deleted, Change::Created][(count % 2) as usize],
        },
        _ => AuditAction::AuditRead,
    }
}

/// A record of `action` at `second` (Unix time), with every optional field present when
/// `count` is odd.
pub(crate) fn sample_record(action: AuditAction, second: i64, text: &str, count: u64) -> AuditRecord {
    let full = count % 2 == 1;
    AuditRecord {
        at: jiff::Timestamp::from_second(second).expect("a timestamp in range"),
        actor: if count.is_multiple_of(5) {
            Actor::Local
        } else {
            Actor::User { user: text.to_owned(), org: full.then(|| "acme".to_owned()) }
        },
        request_id: full.then(|| format!("req-{count}")),
        outcome: [Outcome::Allowed, Outcome::Denied, Outcome::Failed][(count % 3) as usize],
        action,
    }
}

/// The stored form of a chain: `(key sequence number, entry bytes)` in key order, and its head.
pub(crate) fn build_chain(records: &[AuditRecord]) -> (Vec<(u64, Vec<u8>)>, ChainHead) {
    let mut chain = Chain::resume(ChainHead::GENESIS);
    let entries = records
        .iter()
        .map(|record| {
            let seq = chain.head().next_seq;
            (seq, chain.append(record).0)
        })
        .collect();
    (entries, chain.head())
}
