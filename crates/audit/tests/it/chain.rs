//! Property tests: an intact chain verifies; every kind of tampering is detected at the entry
//! where it happened, or shown to need a trusted head or checkpoint.

use muninn_audit::{
    AuditError, AuditRecord, ChainHead, Problem, Trust, VerifyError, decode_entry, encode_entry,
    public_key_of, sign_checkpoint, verify,
};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::{build_chain, sample_action, sample_record};

const SEED: [u8; 32] = [42; 32];

fn record_strategy() -> impl Strategy<Value = AuditRecord> {
    (0..crate::ACTION_VARIANTS, "\\PC{0,12}", any::<u64>(), 0i64..4_000_000_000).prop_map(
        |(variant, text, count, second)| {
            sample_record(sample_action(variant, &text, count), second, &text, count)
        },
    )
}

fn records_strategy() -> impl Strategy<Value = Vec<AuditRecord>> {
    prop::collection::vec(record_strategy(), 1..40)
}

fn head_trust(head: ChainHead) -> Trust {
    Trust { head: Some(head), ..Trust::default() }
}

/// Trust in one checkpoint of `head`, signed by the trusted key.
fn checkpoint_trust(head: &ChainHead) -> Trust {
    let checkpoint = sign_checkpoint(&SEED, jiff::civil::date(2024, 6, 1), head).expect("signs");
    Trust { checkpoints: vec![checkpoint], public_key: Some(public_key_of(&SEED)), ..Trust::default() }
}

/// The head of `entries` after its first `count` entries.
fn head_after(entries: &[(u64, Vec<u8>)], count: usize) -> ChainHead {
    match count.checked_sub(1) {
        None => ChainHead::GENESIS,
        Some(last) => {
            let entry = decode_entry(&entries[last].1).expect("an intact entry");
            ChainHead { next_seq: entry.seq + 1, hash: entry.hash }
        }
    }
}

fn seq_of(result: Result<muninn_audit::Verified, VerifyError>) -> Option<u64> {
    result.err().map(|error| error.seq)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn an_intact_chain_verifies(records in records_strategy(), at in any::<Index>()) {
        let (entries, head) = build_chain(&records);
        let len = records.len() as u64;
        let verified = verify(entries.clone(), &Trust::default()).expect("verifies");
        prop_assert_eq!((verified.entries, verified.head, verified.checkpoints), (len, head, 0));
        // Borrowed bytes verify the same way as owned ones.
        let borrowed = entries.iter().map(|(seq, bytes)| (*seq, bytes.as_slice()));
        prop_assert_eq!(verify(borrowed, &head_trust(head)).map(|verified| verified.head), Ok(head));
        let checkpoint_at = head_after(&entries, at.index(records.len() + 1));
        let trust = Trust { head: Some(head), ..checkpoint_trust(&checkpoint_at) };
        prop_assert_eq!(verify(entries.clone(), &trust).map(|verified| verified.checkpoints), Ok(1));
        for (seq, bytes) in &entries {
            let entry = decode_entry(bytes).expect("decodes");
            prop_assert_eq!(entry.seq, *seq);
            prop_assert_eq!(&entry.record, &records[*seq as usize]);
        }
    }

    #[test]
    fn truncating_the_tail_needs_a_head_or_checkpoint(records in records_strategy(), keep in any::<Index>()) {
        let (mut entries, head) = build_chain(&records);
        let keep = keep.index(records.len());
        entries.truncate(keep);
        // A shorter chain is still a chain: on their own, the entries cannot tell.
        prop_assert_eq!(verify(entries.clone(), &Trust::default()).map(|verified| verified.entries), Ok(keep as u64));
        let against_head = verify(entries.clone(), &head_trust(head));
        prop_assert_eq!(
            against_head,
            Err(VerifyError { seq: keep as u64, problem: Problem::TruncatedBeforeHead { head_entries: records.len() as u64 } })
        );
        let against_checkpoint = verify(entries, &checkpoint_trust(&head));
        prop_assert_eq!(
            against_checkpoint,
            Err(VerifyError {
                seq: keep as u64,
                problem: Problem::TruncatedBeforeCheckpoint { date: "2024-06-01".to_owned(), covers: records.len() as u64 },
            })
        );
    }

    #[test]
    fn a_consistent_rewrite_is_caught_by_the_head_and_by_checkpoints_after_it(
        records in records_strategy(),
        forged in record_strategy(),
        at in any::<Index>(),
        checkpoint_at in any::<Index>(),
    ) {
        // The strongest forger: inserts a record and recomputes every hash after it. Only
        // what it cannot rewrite (the head it did not update, a checkpoint held elsewhere)
        // catches it.
        let len = records.len();
        let position = at.index(len + 1);
        let (entries, head) = build_chain(&records);
        let mut rewritten_records = records.clone();
        rewritten_records.insert(position, forged);
        let (rewritten, _) = build_chain(&rewritten_records);
        prop_assert!(verify(rewritten.clone(), &Trust::default()).is_ok());

        let expected_seq = if position < len { len as u64 - 1 } else { len as u64 };
        prop_assert_eq!(seq_of(verify(rewritten.clone(), &head_trust(head))), Some(expected_seq));

        let covered = checkpoint_at.index(len) + 1;
        let result = verify(rewritten, &checkpoint_trust(&head_after(&entries, covered)));
        if covered > position {
            prop_assert_eq!(
                result,
                Err(VerifyError {
                    seq: covered as u64 - 1,
                    problem: Problem::CheckpointMismatch { date: "2024-06-01".to_owned() },
                })
            );
        } else {
            prop_assert!(result.is_ok(), "a rewrite after the checkpoint is not its business");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn flipping_any_byte_is_detected_at_that_entry(
        records in records_strategy(),
        which in any::<Index>(),
        byte in any::<Index>(),
        mask in 1u8..,
    ) {
        let (mut entries, head) = build_chain(&records);
        let which = which.index(entries.len());
        let bytes = &mut entries[which].1;
        let byte = byte.index(bytes.len());
        bytes[byte] ^= mask;
        prop_assert_eq!(seq_of(verify(entries.clone(), &Trust::default())), Some(which as u64));
        prop_assert_eq!(seq_of(verify(entries, &head_trust(head))), Some(which as u64));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn deleting_any_entry_is_detected(records in records_strategy(), which in any::<Index>(), renumber in any::<bool>()) {
        let (mut entries, head) = build_chain(&records);
        let len = entries.len();
        let which = which.index(len);
        entries.remove(which);
        if renumber {
            // The keys closed up as well: the headers still tell.
            for (key, entry) in entries.iter_mut().enumerate() {
                entry.0 = key as u64;
            }
        }
        let alone = verify(entries.clone(), &Trust::default());
        if which + 1 < len {
            prop_assert_eq!(seq_of(alone), Some(which as u64));
        } else {
            prop_assert!(alone.is_ok(), "deleting the last entry is truncation");
        }
        prop_assert_eq!(seq_of(verify(entries, &head_trust(head))), Some(which as u64));
    }

    #[test]
    fn swapping_two_entries_is_detected(
        records in prop::collection::vec(record_strategy(), 2..40),
        first in any::<Index>(),
        second in any::<Index>(),
        move_keys in any::<bool>(),
    ) {
        let (mut entries, _) = build_chain(&records);
        let (mut low, mut high) = (first.index(entries.len()), second.index(entries.len()));
        if low == high {
            high = (high + 1) % entries.len();
        }
        if low > high {
            std::mem::swap(&mut low, &mut high);
        }
        if move_keys {
            // Each entry keeps its key, but they are listed out of order.
            entries.swap(low, high);
        } else {
            // Each key now holds the other's bytes.
            let low_bytes = std::mem::take(&mut entries[low].1);
            entries[low].1 = std::mem::replace(&mut entries[high].1, low_bytes);
        }
        prop_assert_eq!(seq_of(verify(entries, &Trust::default())), Some(low as u64));
    }

    #[test]
    fn inserting_a_forged_entry_is_detected(
        records in records_strategy(),
        forged in record_strategy(),
        at in any::<Index>(),
        linked in any::<bool>(),
    ) {
        let (mut entries, head) = build_chain(&records);
        let len = entries.len();
        let position = at.index(len + 1);
        // A well-made forgery links to the entry before it; a poor one does not.
        let prev = if linked { head_after(&entries, position).hash } else { muninn_audit::Digest([0xee; 32]) };
        let (forged_bytes, _) = encode_entry(position as u64, &prev, &forged);
        entries.insert(position, (position as u64, forged_bytes));
        for entry in &mut entries[position + 1..] {
            entry.0 += 1;
        }
        let alone = seq_of(verify(entries.clone(), &Trust::default()));
        let with_head = seq_of(verify(entries, &head_trust(head)));
        match (linked, position < len) {
            // The forgery passes; the entry it displaced does not sit under its own number.
            (true, true) => {
                prop_assert_eq!(alone, Some(position as u64 + 1));
                // Unless the forgery took the last entry's place: then the head record
                // already disagrees with it.
                let first_wrong = if position + 1 == len { position } else { position + 1 };
                prop_assert_eq!(with_head, Some(first_wrong as u64));
            }
            // Appended at the end: only the head record tells.
            (true, false) => {
                prop_assert_eq!(alone, None);
                prop_assert_eq!(with_head, Some(position as u64));
            }
            (false, _) => {
                prop_assert_eq!(alone, Some(position as u64));
                prop_assert_eq!(with_head, Some(position as u64));
            }
        }
    }

    #[test]
    fn an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(
        records in records_strategy(),
        forged in record_strategy(),
        which in any::<Index>(),
    ) {
        let (mut entries, head) = build_chain(&records);
        let which = which.index(entries.len());
        let original = decode_entry(&entries[which].1).expect("decodes");
        prop_assume!(original.record != forged);
        entries[which].1 = encode_entry(which as u64, &original.prev, &forged).0;
        let with_head = verify(entries.clone(), &head_trust(head));
        if which + 1 < entries.len() {
            prop_assert_eq!(
                verify(entries, &Trust::default()),
                Err(VerifyError { seq: which as u64 + 1, problem: Problem::BrokenLink })
            );
            prop_assert_eq!(seq_of(with_head), Some(which as u64 + 1));
        } else {
            prop_assert_eq!(with_head, Err(VerifyError { seq: which as u64, problem: Problem::HeadMismatch }));
        }
    }

    #[test]
    fn a_duplicated_entry_is_detected(records in records_strategy(), which in any::<Index>()) {
        let (mut entries, _) = build_chain(&records);
        let which = which.index(entries.len());
        entries.insert(which + 1, entries[which].clone());
        prop_assert_eq!(
            verify(entries, &Trust::default()),
            Err(VerifyError { seq: which as u64, problem: Problem::OutOfOrder { after: which as u64 } })
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), with_magic in any::<bool>()) {
        let bytes = if with_magic { [muninn_audit::ENTRY_MAGIC.as_slice(), &bytes].concat() } else { bytes };
        let decoded = decode_entry(&bytes);
        prop_assert!(decoded.is_err() || bytes.len() >= muninn_audit::ENTRY_HEADER_LEN);
        let _ = verify([(0, &bytes)], &Trust::default());
    }

    #[test]
    fn decoding_a_mangled_entry_never_panics(
        record in record_strategy(),
        cut in any::<Index>(),
        tail in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let (bytes, _) = encode_entry(0, &muninn_audit::Digest::ZERO, &record);
        let mangled = [&bytes[..cut.index(bytes.len())], tail.as_slice()].concat();
        match decode_entry(&mangled) {
            Ok(entry) => prop_assert_eq!(mangled, bytes, "only the intact entry decodes: {:?}", entry),
            Err(AuditError::Malformed(_) | AuditError::Edited { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}

#[test]
fn errors_read_clearly() {
    let records: Vec<_> = (0..3)
        .map(|index| sample_record(sample_action(index, "alice", 1), 1_717_243_200, "alice", 1))
        .collect();
    let (mut entries, head) = build_chain(&records);
    let mut edited = entries.clone();
    *edited[1].1.last_mut().expect("not empty") ^= 0x20;
    assert_eq!(
        verify(edited, &Trust::default()).map_err(|error| error.to_string()),
        Err("entry 1: hash does not match its contents (edited)".to_owned())
    );
    entries.remove(1);
    assert_eq!(
        verify(entries.clone(), &Trust::default()).map_err(|error| error.to_string()),
        Err("entry 1: missing: the next entry stored is 2 (deleted, or stored out of order)".to_owned())
    );
    entries.truncate(1);
    assert_eq!(
        verify(entries, &head_trust(head)).map_err(|error| error.to_string()),
        Err("entry 1: missing: the chain ends here but the head record says it has 3 entries (truncated)"
            .to_owned())
    );
}

#[test]
fn an_empty_chain_verifies_only_against_an_empty_head() {
    let none: Vec<(u64, Vec<u8>)> = Vec::new();
    let verified = verify(none.clone(), &head_trust(ChainHead::GENESIS)).expect("verifies");
    assert_eq!((verified.entries, verified.head), (0, ChainHead::GENESIS));
    let forged_head = ChainHead { next_seq: 0, hash: muninn_audit::Digest([1; 32]) };
    assert_eq!(
        verify(none.clone(), &head_trust(forged_head)),
        Err(VerifyError { seq: 0, problem: Problem::HeadMismatch })
    );
    assert!(verify(none, &checkpoint_trust(&ChainHead::GENESIS)).is_ok());
}
