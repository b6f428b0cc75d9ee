//! Near-duplicates: items whose word 3-shingles overlap an earlier item's by at least a
//! threshold (Jaccard similarity). Candidates come from MinHash signatures split into bands
//! (locality-sensitive hashing), so the work grows with the number of items, not its square;
//! every candidate pair is then checked exactly.

use std::collections::{BTreeSet, HashMap};

use crate::Doc;
use crate::terms::{folded_words, hash};

/// How near is near.
#[derive(Debug, Clone, Copy)]
pub struct NearDuplicateConfig {
    /// Least Jaccard similarity of the two items' shingle sets.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle: usize,
    /// Least shingles an item must have to be compared: short messages (chat lines, alerts)
    /// repeat their templates and are not reports that copy each other.
    pub min_shingles: usize,
}

impl Default for NearDuplicateConfig {
    fn default() -> NearDuplicateConfig {
        NearDuplicateConfig { threshold: 0.55, shingle: 3, min_shingles: 15 }
    }
}

/// An item that repeats an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub struct NearDuplicate {
    /// The repeating item (index into the input).
    pub item: usize,
    /// The earliest item it repeats.
    pub of: usize,
    /// Their Jaccard similarity.
    pub similarity: f64,
}

const BANDS: usize = 20;
const ROWS: usize = 3;

fn shingles(doc: &Doc<'_>, size: usize) -> BTreeSet<u64> {
    let mut words = doc.title.map(folded_words).unwrap_or_default();
    words.extend(folded_words(doc.body));
    if words.len() < size {
        return words.iter().map(|w| hash(0, w.as_bytes())).collect();
    }
    words.windows(size).map(|window| hash(0, window.join(" ").as_bytes())).collect()
}

fn jaccard(a: &BTreeSet<u64>, b: &BTreeSet<u64>) -> f64 {
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    if union == 0 { 0.0 } else { common as f64 / union as f64 }
}

/// Every item that repeats an earlier one (by time, then input order) with at least the
/// threshold's similarity; each reported once, against the earliest item it repeats.
pub fn near_duplicates(docs: &[Doc<'_>], config: &NearDuplicateConfig) -> Vec<NearDuplicate> {
    let sets: Vec<BTreeSet<u64>> = docs.iter().map(|doc| shingles(doc, config.shingle.max(1))).collect();
    let mut buckets: HashMap<(usize, Vec<u64>), Vec<usize>> = HashMap::new();
    for (index, set) in sets.iter().enumerate() {
        if set.len() < config.min_shingles.max(1) {
            continue;
        }
        for band in 0..BANDS {
            let rows: Vec<u64> = (0..ROWS)
                .map(|row| {
                    let seed = (band * ROWS + row) as u64 + 1;
                    set.iter().map(|shingle| hash(seed, &shingle.to_le_bytes())).min().unwrap_or(0)
                })
                .collect();
            buckets.entry((band, rows)).or_default().push(index);
        }
    }
    let order = |index: usize| (docs[index].time, index);
    let mut best: HashMap<usize, NearDuplicate> = HashMap::new();
    let mut checked = std::collections::HashSet::new();
    for members in buckets.values().filter(|members| members.len() > 1) {
        for (position, &a) in members.iter().enumerate() {
            for &b in &members[position + 1..] {
                let (first, later) = if order(a) <= order(b) { (a, b) } else { (b, a) };
                if !checked.insert((first, later)) {
                    continue;
                }
                let similarity = jaccard(&sets[first], &sets[later]);
                if similarity < config.threshold {
                    continue;
                }
                let candidate = NearDuplicate { item: later, of: first, similarity };
                let keep = best.get(&later).is_none_or(|current| order(first) < order(current.of));
                if keep {
                    best.insert(later, candidate);
                }
            }
        }
    }
    let mut found: Vec<NearDuplicate> = best.into_values().collect();
    found.sort_by_key(|duplicate| order(duplicate.item));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(time: i64, body: &str) -> Doc<'_> {
        Doc { time, title: None, body, entities: &[], known: &[] }
    }

    #[test]
    fn an_edited_copy_is_found_and_an_unrelated_report_is_not() {
        let original = "The energy ministry said the attack on the grid operator in Kharkiv used a new wiper and disabled three substations for six hours";
        let edited = "The energy ministry said on Tuesday the attack on the grid operator in Kharkiv used a new wiper and disabled three substations for six hours";
        let other = "A phishing campaign against banks in Lagos used invoices as lures and a loader written in Go to fetch its second stage";
        let docs = [doc(10, original), doc(20, other), doc(30, edited)];
        let found = near_duplicates(&docs, &NearDuplicateConfig::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].item, found[0].of), (2, 0));
        assert!(found[0].similarity > 0.7, "{found:?}");
    }

    #[test]
    fn the_later_item_is_the_copy_whatever_the_input_order() {
        let text = "Officials confirmed the outage lasted four hours and affected the water utility serving the northern districts of the city";
        let docs = [doc(50, text), doc(5, text)];
        let found = near_duplicates(&docs, &NearDuplicateConfig::default());
        assert_eq!((found[0].item, found[0].of), (0, 1));
    }
}
