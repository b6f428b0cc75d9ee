//! Property tests: a checkpoint verifies as signed, and any change to it is refused.

use muninn_audit::{
    AuditError, ChainHead, Checkpoint, Digest, Problem, Trust, VerifyError, public_key_of, sign_checkpoint,
    verify, verify_checkpoint,
};
use proptest::prelude::*;
use proptest::sample::Index;

fn date_strategy() -> impl Strategy<Value = jiff::civil::Date> {
    (1970i16..2200, 1i8..=12, 1i8..=28).prop_map(|(year, month, day)| jiff::civil::date(year, month, day))
}

fn signed() -> impl Strategy<Value = ([u8; 32], Checkpoint)> {
    (any::<[u8; 32]>(), date_strategy(), any::<u64>(), any::<[u8; 32]>()).prop_map(
        |(seed, date, seq, hash)| {
            let head = ChainHead { next_seq: seq, hash: Digest(hash) };
            (seed, sign_checkpoint(&seed, date, &head).expect("signs"))
        },
    )
}

fn flip_hex(hex: &str, index: usize, mask: u8) -> String {
    let mut bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|pair| u8::from_str_radix(&hex[pair * 2..pair * 2 + 2], 16).expect("hex"))
        .collect();
    let index = index % bytes.len();
    bytes[index] ^= mask;
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_signed_checkpoint_verifies(signed in signed()) {
        let (seed, checkpoint) = signed;
        prop_assert_eq!(&checkpoint.public_key, &public_key_of(&seed));
        prop_assert_eq!(verify_checkpoint(&checkpoint, Some(&public_key_of(&seed))), Ok(()));
        let json = serde_json::to_string(&checkpoint).expect("serialises");
        prop_assert_eq!(serde_json::from_str::<Checkpoint>(&json).expect("parses"), checkpoint);
    }

    #[test]
    fn any_change_to_its_fields_is_refused(
        signed in signed(),
        field in 0..4usize,
        index in any::<Index>(),
        mask in 1u8..,
        other_date in date_strategy(),
    ) {
        let (seed, mut checkpoint) = signed;
        match field {
            0 => checkpoint.signature = flip_hex(&checkpoint.signature, index.index(64), mask),
            1 => checkpoint.head.0[index.index(32)] ^= mask,
            2 => checkpoint.seq ^= u64::from(mask) << (8 * index.index(8)),
            _ => {
                prop_assume!(other_date.to_string() != checkpoint.date);
                checkpoint.date = other_date.to_string();
            }
        }
        prop_assert_eq!(verify_checkpoint(&checkpoint, Some(&public_key_of(&seed))), Err(AuditError::BadSignature));
        prop_assert!(verify_checkpoint(&checkpoint, None).is_err());
    }

    #[test]
    fn any_byte_change_to_its_json_is_refused(signed in signed(), index in any::<Index>(), mask in 1u8..) {
        let (seed, checkpoint) = signed;
        let mut json = serde_json::to_vec(&checkpoint).expect("serialises");
        let index = index.index(json.len());
        json[index] ^= mask;
        if let Ok(altered) = serde_json::from_slice::<Checkpoint>(&json) {
            prop_assert!(verify_checkpoint(&altered, Some(&public_key_of(&seed))).is_err(), "{:?}", altered);
        }
    }

    #[test]
    fn a_checkpoint_of_another_key_is_refused(signed in signed(), other_seed in any::<[u8; 32]>()) {
        let (seed, checkpoint) = signed;
        prop_assume!(seed != other_seed);
        let forged = sign_checkpoint(&other_seed, jiff::civil::date(2024, 6, 1), &checkpoint.chain_head()).expect("signs");
        prop_assert!(
            matches!(
                verify_checkpoint(&forged, Some(&public_key_of(&seed))),
                Err(AuditError::UntrustedKey { .. })
            ),
            "accepted a checkpoint of another key"
        );
        // Swapping in the trusted key does not help: the signature is not its.
        let relabelled = Checkpoint { public_key: public_key_of(&seed), ..forged };
        prop_assert_eq!(verify_checkpoint(&relabelled, Some(&public_key_of(&seed))), Err(AuditError::BadSignature));
    }
}

#[test]
fn verify_refuses_a_tampered_checkpoint_before_reading_entries() {
    let seed = [5; 32];
    let mut checkpoint =
        sign_checkpoint(&seed, jiff::civil::date(2024, 6, 1), &ChainHead::GENESIS).expect("signs");
    checkpoint.seq = 3;
    let trust = Trust { checkpoints: vec![checkpoint], public_key: Some(public_key_of(&seed)), head: None };
    let entries: Vec<(u64, Vec<u8>)> = Vec::new();
    assert_eq!(
        verify(entries.clone(), &trust),
        Err(VerifyError {
            seq: 2,
            problem: Problem::BadCheckpoint {
                date: "2024-06-01".to_owned(),
                covers: 3,
                error: AuditError::BadSignature
            },
        })
    );
    assert_eq!(
        verify(entries, &trust).map_err(|error| error.to_string()),
        Err("entry 2: the checkpoint of 2024-06-01 covering 3 entries is refused: checkpoint signature does not verify (date, entry count, head or signature altered)".to_owned())
    );
}
