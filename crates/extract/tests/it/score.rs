//! Precision, recall and F1 of the extractor over a labelled set (shared by the labelled-set
//! test and the benchmark).

use std::collections::BTreeMap;

use muninn_extract::{Indicator, IndicatorKind};

/// One labelled text.
#[derive(Debug)]
pub struct Labelled {
    pub text: String,
    pub expected: Vec<(IndicatorKind, String)>,
}

/// Reads `labelled.jsonl`: one `{"text": .., "expected": [{"kind": .., "value": ..}]}` a line.
pub fn load(jsonl: &str) -> Vec<Labelled> {
    jsonl
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let object: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let text = object["text"].as_str().expect("a text").to_owned();
            let expected = object["expected"]
                .as_array()
                .expect("an expected list")
                .iter()
                .map(|item| {
                    let kind = item["kind"].as_str().expect("a kind").parse().expect("a known kind");
                    (kind, item["value"].as_str().expect("a value").to_owned())
                })
                .collect();
            Labelled { text, expected }
        })
        .collect()
}

/// True positives, false positives, false negatives.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    pub fn f1(&self) -> f64 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) }
    }

    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

/// Scores per kind and overall, and the mistakes (for the test's report).
#[derive(Debug, Default)]
pub struct Scores {
    pub per_kind: BTreeMap<IndicatorKind, Counts>,
    pub overall: Counts,
    pub mistakes: Vec<String>,
    pub expected_total: usize,
}

/// Compares what `extract` finds in each text with its labels, as multisets of (kind, value).
pub fn score(set: &[Labelled], extract: impl Fn(&str) -> Vec<Indicator>) -> Scores {
    let mut scores = Scores::default();
    for labelled in set {
        let mut expected: BTreeMap<(IndicatorKind, &str), usize> = BTreeMap::new();
        for (kind, value) in &labelled.expected {
            *expected.entry((*kind, value.as_str())).or_default() += 1;
        }
        scores.expected_total += labelled.expected.len();
        let found_list = extract(&labelled.text);
        let mut found: BTreeMap<(IndicatorKind, &str), usize> = BTreeMap::new();
        for indicator in &found_list {
            *found.entry((indicator.kind, indicator.value.as_str())).or_default() += 1;
        }
        let mut keys: Vec<(IndicatorKind, &str)> = expected.keys().chain(found.keys()).copied().collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let wanted = expected.get(&key).copied().unwrap_or(0);
            let got = found.get(&key).copied().unwrap_or(0);
            let counts = Counts {
                true_positives: wanted.min(got),
                false_positives: got.saturating_sub(wanted),
                false_negatives: wanted.saturating_sub(got),
            };
            if counts.false_positives > 0 {
                scores.mistakes.push(format!("FP {} {:?} in {:?}", key.0, key.1, labelled.text));
            }
            if counts.false_negatives > 0 {
                scores.mistakes.push(format!("FN {} {:?} in {:?}", key.0, key.1, labelled.text));
            }
            scores.per_kind.entry(key.0).or_default().add(counts);
            scores.overall.add(counts);
        }
    }
    scores
}

/// A table of precision, recall and F1 per kind and overall.
pub fn table(scores: &Scores) -> String {
    let mut out = format!(
        "{:<8} {:>5} {:>5} {:>5} {:>9} {:>9} {:>9}\n",
        "kind", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    let rows = scores.per_kind.iter().map(|(kind, counts)| (kind.name(), counts));
    for (name, counts) in rows.chain(std::iter::once(("overall", &scores.overall))) {
        out.push_str(&format!(
            "{:<8} {:>5} {:>5} {:>5} {:>9.4} {:>9.4} {:>9.4}\n",
            name,
            counts.true_positives,
            counts.false_positives,
            counts.false_negatives,
            counts.precision(),
            counts.recall(),
            counts.f1()
        ));
    }
    out
}
