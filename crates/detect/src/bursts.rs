//! Bursts: a word that appears in many more items within a few hours than its rate over the
//! whole flow predicts (a place in the news, a group's name in chat). Words of every script
//! count separately; bursts whose windows overlap are one event, so a place written in four
//! scripts is one burst with four names.

use std::collections::{BTreeSet, HashMap};

use crate::Doc;
use crate::terms::folded_words;

/// What counts as a burst.
#[derive(Debug, Clone, Copy)]
pub struct BurstConfig {
    /// The window's length in seconds.
    pub window_seconds: i64,
    /// Least items with the word within one window.
    pub min_items: usize,
    /// Least ratio of that count to the count the word's rate over the rest of the flow
    /// predicts for one window.
    pub min_ratio: f64,
    /// Words in more than this share of all items are too common to burst.
    pub max_share: f64,
}

impl Default for BurstConfig {
    fn default() -> BurstConfig {
        BurstConfig { window_seconds: 6 * 3600, min_items: 5, min_ratio: 8.0, max_share: 0.05 }
    }
}

/// A burst: its words, its window and its items.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    /// The words that burst together (folded), most items first.
    pub terms: Vec<String>,
    /// The window's start (seconds since the epoch).
    pub start: i64,
    /// Its end (exclusive).
    pub end: i64,
    /// The items (indexes into the input) with one of the words in the window.
    pub items: Vec<usize>,
}

struct TermBurst {
    term: String,
    start: i64,
    end: i64,
    items: Vec<usize>,
}

/// The bursts of a flow, by start time.
pub fn bursts(docs: &[Doc<'_>], config: &BurstConfig) -> Vec<Burst> {
    if docs.is_empty() {
        return Vec::new();
    }
    let mut postings: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, doc) in docs.iter().enumerate() {
        let mut words: BTreeSet<String> =
            doc.title.map(folded_words).unwrap_or_default().into_iter().collect();
        words.extend(folded_words(doc.body));
        for word in words {
            // Short Latin and Cyrillic words are mostly function words; Han characters count.
            let han = word.chars().all(muninn_text::is_han);
            if (han || word.chars().count() >= 4) && !word.chars().all(|c| c.is_numeric()) {
                postings.entry(word).or_default().push(index);
            }
        }
    }
    let first = docs.iter().map(|d| d.time).min().unwrap_or(0);
    let last = docs.iter().map(|d| d.time).max().unwrap_or(0);
    let span = (last - first).max(config.window_seconds) as f64;
    let max_items = (docs.len() as f64 * config.max_share).max(config.min_items as f64);
    let mut found: Vec<TermBurst> = Vec::new();
    for (term, mut items) in postings {
        if items.len() < config.min_items || items.len() as f64 > max_items * 4.0 {
            continue;
        }
        items.sort_by_key(|&i| (docs[i].time, i));
        // The densest window starting at one of the word's items.
        let mut best: Option<(usize, usize)> = None;
        let mut end = 0;
        for start in 0..items.len() {
            end = end.max(start);
            while end < items.len() && docs[items[end]].time < docs[items[start]].time + config.window_seconds
            {
                end += 1;
            }
            if best.is_none_or(|(s, e)| end - start > e - s) {
                best = Some((start, end));
            }
        }
        let Some((start, end)) = best else { continue };
        let count = end - start;
        let rest = (items.len() - count) as f64;
        let expected = (rest * config.window_seconds as f64 / span).max(0.25);
        if count >= config.min_items && count as f64 >= config.min_ratio * expected {
            let window_start = docs[items[start]].time;
            found.push(TermBurst {
                term,
                start: window_start,
                end: window_start + config.window_seconds,
                items: items[start..end].to_vec(),
            });
        }
    }
    // One event per overlapping set of windows.
    found.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.term.cmp(&b.term)));
    let mut events: Vec<(Vec<TermBurst>, i64)> = Vec::new();
    for burst in found {
        match events.last_mut() {
            Some((members, end)) if burst.start < *end => {
                *end = (*end).max(burst.end);
                members.push(burst);
            }
            _ => {
                let end = burst.end;
                events.push((vec![burst], end));
            }
        }
    }
    events
        .into_iter()
        .map(|(mut members, end)| {
            members.sort_by(|a, b| b.items.len().cmp(&a.items.len()).then_with(|| a.term.cmp(&b.term)));
            let start = members.iter().map(|m| m.start).min().unwrap_or(0);
            let items: BTreeSet<usize> = members.iter().flat_map(|m| m.items.iter().copied()).collect();
            Burst {
                terms: members.into_iter().map(|m| m.term).collect(),
                start,
                end,
                items: items.into_iter().collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_named_in_many_items_within_hours_bursts_and_background_words_do_not() {
        let hour = 3600;
        let background = [
            "Officials discussed the budget for roads",
            "Markets closed higher after a quiet session",
            "Rain expected across the region tomorrow",
            "Officials discussed schools and hospitals",
        ];
        let mut texts: Vec<(i64, String)> = Vec::new();
        for day in 0..30 {
            for (n, text) in background.iter().enumerate() {
                texts.push((day * 24 * hour + n as i64 * hour, (*text).to_owned()));
            }
        }
        for n in 0..6 {
            texts.push((
                17 * 24 * hour + n * 1800,
                format!("Explosions reported near the port of Odesa, report {n}"),
            ));
        }
        for n in 0..3 {
            texts.push((
                17 * 24 * hour + n * 1800 + 600,
                format!("Взрывы в районе порта Одеса, сообщение {n}"),
            ));
        }
        let docs: Vec<Doc<'_>> = texts
            .iter()
            .map(|(time, text)| Doc { time: *time, title: None, body: text, entities: &[], known: &[] })
            .collect();
        let found = bursts(&docs, &BurstConfig::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].terms.contains(&"odesa".to_owned()), "{found:?}");
        assert_eq!(found[0].items.len(), 6, "{found:?}");
    }
}
