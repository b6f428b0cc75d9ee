//! Verifying a stored chain against what the verifier trusts.

use std::collections::BTreeMap;

use crate::entry::{entry_hash, parse_header};
use crate::record::parse_record;
use crate::{AuditError, ChainHead, Checkpoint, verify_checkpoint};

/// What the verifier trusts besides the entries themselves. Without any of it, [`verify`] can
/// only show that the entries it was given form an intact chain from entry 0: a chain cut short
/// at its tail looks just like a shorter chain.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The stored head record: the chain must end exactly there.
    pub head: Option<ChainHead>,
    /// Signed checkpoints: the chain must reach each one's entry count and have its hash there.
    pub checkpoints: Vec<Checkpoint>,
    /// The public key (hex) the checkpoints must be signed with. Without it a checkpoint's
    /// signature is checked against the key the checkpoint names, which shows it is intact
    /// but not who signed it.
    pub public_key: Option<String>,
}

/// A chain that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// How many entries were checked (all of them, from entry 0).
    pub entries: u64,
    /// Where the chain ends.
    pub head: ChainHead,
    /// How many checkpoints matched the chain.
    pub checkpoints: u64,
}

/// The first place where the chain is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {problem}")]
pub struct VerifyError {
    /// The first sequence number at which something is wrong: the bad, missing or misplaced
    /// entry; for a truncated chain, the first entry missing at the end; for a head or
    /// checkpoint that does not match, the last entry it covers.
    pub seq: u64,
    /// What is wrong there.
    pub problem: Problem,
}

/// What [`verify`] found wrong at an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// No entry is stored under this number, but a later one is.
    #[error("missing: the next entry stored is {next} (deleted, or stored out of order)")]
    Missing {
        /// The key of the entry found in its place.
        next: u64,
    },
    /// An entry stored after one with an equal or higher number.
    #[error("stored after entry {after} (out of order or duplicated)")]
    OutOfOrder {
        /// The number of the entry before it.
        after: u64,
    },
    /// The entry's header names another sequence number than its key.
    #[error("stored under this number but its header says entry {header} (moved, renumbered or swapped)")]
    KeyMismatch {
        /// The sequence number in the header.
        header: u64,
    },
    /// The bytes are not an entry (too short, wrong magic).
    #[error("not an audit entry: {0}")]
    Malformed(&'static str),
    /// The stored hash is not the hash of the entry's contents.
    #[error("hash does not match its contents (edited)")]
    Edited,
    /// The entry's `prev` is not the hash of the entry before it.
    #[error("does not link to the entry before it (an entry was deleted, reordered, inserted or rewritten)")]
    BrokenLink,
    /// The hash matches but the record is not one this version knows.
    #[error("record does not parse although its hash matches: {0}")]
    Record(String),
    /// The chain ends before the head record says it does.
    #[error(
        "missing: the chain ends here but the head record says it has {head_entries} entries (truncated)"
    )]
    TruncatedBeforeHead {
        /// The entry count in the head record.
        head_entries: u64,
    },
    /// The chain goes on past the head record.
    #[error(
        "beyond the head record, which says the chain has {head_entries} entries (appended, or head rolled back)"
    )]
    BeyondHead {
        /// The entry count in the head record.
        head_entries: u64,
    },
    /// The head record's hash is not the chain's at the entry count it names.
    #[error("the head record's hash differs from this entry's (an entry up to here was rewritten)")]
    HeadMismatch,
    /// The chain ends before a checkpoint's entry count.
    #[error("missing: the chain ends here but the checkpoint of {date} covers {covers} entries (truncated)")]
    TruncatedBeforeCheckpoint {
        /// The checkpoint's date.
        date: String,
        /// Its entry count.
        covers: u64,
    },
    /// A checkpoint's hash is not the chain's at its entry count.
    #[error("the checkpoint of {date} has another hash for this entry (an entry up to here was rewritten)")]
    CheckpointMismatch {
        /// The checkpoint's date.
        date: String,
    },
    /// A checkpoint that does not verify on its own.
    #[error("the checkpoint of {date} covering {covers} entries is refused: {error}")]
    BadCheckpoint {
        /// The checkpoint's date.
        date: String,
        /// Its entry count.
        covers: u64,
        /// Why it is refused.
        error: AuditError,
    },
}

/// Verifies a stored chain: `entries` are `(sequence number from the store key, stored bytes)`
/// in key order, from entry 0.
///
/// Each entry must sit under its own number with none missing, have the magic, hash to its
/// stored hash over its stored bytes, link to the hash of the entry before, and hold a record
/// that parses. The chain must then end exactly at `trust.head` if one is given, and reach and
/// match every checkpoint in `trust.checkpoints`, each of which must carry a valid signature
/// (by `trust.public_key`, if given). Stops at the first problem, in chain order; checkpoint
/// signatures are checked before any entry.
pub fn verify<I, B>(entries: I, trust: &Trust) -> Result<Verified, VerifyError>
where
    I: IntoIterator<Item = (u64, B)>,
    B: AsRef<[u8]>,
{
    let mut pending = BTreeMap::<u64, Vec<&Checkpoint>>::new();
    for checkpoint in &trust.checkpoints {
        if let Err(error) = verify_checkpoint(checkpoint, trust.public_key.as_deref()) {
            let problem =
                Problem::BadCheckpoint { date: checkpoint.date.clone(), covers: checkpoint.seq, error };
            return Err(VerifyError { seq: checkpoint.seq.saturating_sub(1), problem });
        }
        pending.entry(checkpoint.seq).or_default().push(checkpoint);
    }

    let mut head = ChainHead::GENESIS;
    let mut checkpoints_matched = 0;
    checkpoints_matched += check_trusted_heads(&head, trust, &mut pending)?;
    for (key_seq, bytes) in entries {
        let expected_seq = head.next_seq;
        if key_seq > expected_seq {
            return Err(VerifyError { seq: expected_seq, problem: Problem::Missing { next: key_seq } });
        }
        if key_seq < expected_seq {
            let problem = Problem::OutOfOrder { after: expected_seq - 1 };
            return Err(VerifyError { seq: key_seq, problem });
        }
        let fail = |problem| Err(VerifyError { seq: key_seq, problem });
        if let Some(trusted) = trust.head
            && key_seq >= trusted.next_seq
        {
            return fail(Problem::BeyondHead { head_entries: trusted.next_seq });
        }
        let header = match parse_header(bytes.as_ref()) {
            Ok(header) => header,
            Err(reason) => return fail(Problem::Malformed(reason)),
        };
        if header.seq != key_seq {
            return fail(Problem::KeyMismatch { header: header.seq });
        }
        if entry_hash(header.seq, &header.prev, header.record_bytes) != header.hash {
            return fail(Problem::Edited);
        }
        if header.prev != head.hash {
            return fail(Problem::BrokenLink);
        }
        if let Err(reason) = parse_record(header.record_bytes) {
            return fail(Problem::Record(reason));
        }
        head = ChainHead { next_seq: key_seq.saturating_add(1), hash: header.hash };
        checkpoints_matched += check_trusted_heads(&head, trust, &mut pending)?;
    }

    if let Some(trusted) = trust.head
        && trusted.next_seq > head.next_seq
    {
        let problem = Problem::TruncatedBeforeHead { head_entries: trusted.next_seq };
        return Err(VerifyError { seq: head.next_seq, problem });
    }
    if let Some((&covers, checkpoints)) = pending.first_key_value()
        && let Some(checkpoint) = checkpoints.first()
    {
        let problem = Problem::TruncatedBeforeCheckpoint { date: checkpoint.date.clone(), covers };
        return Err(VerifyError { seq: head.next_seq, problem });
    }
    Ok(Verified { entries: head.next_seq, head, checkpoints: checkpoints_matched })
}

/// Compares the chain, having reached `head`, with the head record and the checkpoints of the
/// same entry count; returns how many checkpoints matched.
fn check_trusted_heads(
    head: &ChainHead,
    trust: &Trust,
    pending: &mut BTreeMap<u64, Vec<&Checkpoint>>,
) -> Result<u64, VerifyError> {
    let last_covered = head.next_seq.saturating_sub(1);
    if let Some(trusted) = trust.head
        && trusted.next_seq == head.next_seq
        && trusted.hash != head.hash
    {
        return Err(VerifyError { seq: last_covered, problem: Problem::HeadMismatch });
    }
    let Some(checkpoints) = pending.remove(&head.next_seq) else {
        return Ok(0);
    };
    if let Some(mismatch) = checkpoints.iter().find(|checkpoint| checkpoint.head != head.hash) {
        let problem = Problem::CheckpointMismatch { date: mismatch.date.clone() };
        return Err(VerifyError { seq: last_covered, problem });
    }
    Ok(checkpoints.len() as u64)
}
