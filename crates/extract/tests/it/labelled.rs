//! The labelled set (`test_data/labelled.jsonl`, written by `test_data/make_labelled.py`):
//! realistic texts with every kind, defanged forms, IDNs and hard negatives.

use crate::score;

const LABELLED: &str = include_str!("../../test_data/labelled.jsonl");

#[test]
fn labelled_set_f1_is_at_least_0_99() {
    let set = score::load(LABELLED);
    let scores = score::score(&set, muninn_extract::indicators);
    eprintln!("{}", score::table(&scores));
    for mistake in &scores.mistakes {
        eprintln!("{mistake}");
    }
    assert!(scores.expected_total >= 500, "only {} labelled indicators", scores.expected_total);
    for kind in muninn_extract::IndicatorKind::ALL {
        assert!(scores.per_kind.contains_key(&kind), "no {kind} in the labelled set");
    }
    assert!(scores.overall.f1() >= 0.99, "F1 {:.4}", scores.overall.f1());
}
