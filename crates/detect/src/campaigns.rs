//! New actor-campaign links: a name written as a run of capitalised words ("Operation Frozen
//! Lighthouse") that keeps appearing together with one known actor, and hardly ever without
//! it. The actors are the entities the caller found in each item (a gazetteer's matches).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::Doc;

/// What makes a link.
#[derive(Debug, Clone, Copy)]
pub struct CampaignConfig {
    /// Least items naming both.
    pub min_items: usize,
    /// Least share of the name's items that also name the actor.
    pub min_share: f64,
    /// Names in more than this share of all items are not new.
    pub max_share: f64,
}

impl Default for CampaignConfig {
    fn default() -> CampaignConfig {
        CampaignConfig { min_items: 3, min_share: 0.8, max_share: 0.05 }
    }
}

/// An actor and the new name it appears with.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignLink {
    /// The actor (an entity name as the caller gave it).
    pub actor: String,
    /// The name, as first written.
    pub name: String,
    /// The items naming both, by time.
    pub items: Vec<usize>,
    /// When the name was first seen (seconds since the epoch).
    pub first_seen: i64,
}

/// Runs of 2 to 5 capitalised Latin words in a text (maximal runs; a run that starts a
/// sentence keeps its first word).
fn capitalised_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let close = |current: &mut Vec<&str>, runs: &mut Vec<String>| {
        if (2..=5).contains(&current.len()) {
            runs.push(current.join(" "));
        }
        current.clear();
    };
    for token in text.split(|c: char| c.is_whitespace() || "«»\"“”()[],.;:!?".contains(c)) {
        let capitalised = token.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && token.chars().skip(1).all(|c| c.is_ascii_lowercase() || c == '-')
            && token.len() >= 3;
        if capitalised {
            current.push(token);
        } else {
            close(&mut current, &mut runs);
        }
    }
    close(&mut current, &mut runs);
    runs
}

/// The links of a flow, strongest first.
pub fn campaign_links(docs: &[Doc<'_>], config: &CampaignConfig) -> Vec<CampaignLink> {
    let mut name_items: HashMap<String, (String, BTreeSet<usize>)> = HashMap::new();
    for (index, doc) in docs.iter().enumerate() {
        let known: BTreeSet<String> =
            doc.entities.iter().chain(doc.known).map(|e| e.to_lowercase()).collect();
        let texts = doc.title.into_iter().chain(std::iter::once(doc.body));
        for run in texts.flat_map(capitalised_runs) {
            let key = run.to_lowercase();
            // A known entity's own name is not a new name.
            if known.contains(&key) || known.iter().any(|entity| key.contains(entity.as_str())) {
                continue;
            }
            name_items.entry(key).or_insert_with(|| (run.clone(), BTreeSet::new())).1.insert(index);
        }
    }
    let max_items = (docs.len() as f64 * config.max_share).max(config.min_items as f64);
    let mut links = Vec::new();
    for (written, items) in name_items.into_values() {
        if items.len() < config.min_items || items.len() as f64 > max_items {
            continue;
        }
        let mut with_actor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &index in &items {
            for actor in docs[index].entities {
                with_actor.entry(actor.as_str()).or_default().push(index);
            }
        }
        for (actor, mut together) in with_actor {
            together.dedup();
            if together.len() >= config.min_items
                && together.len() as f64 >= config.min_share * items.len() as f64
            {
                together.sort_by_key(|&i| (docs[i].time, i));
                let first_seen = items.iter().map(|&i| docs[i].time).min().unwrap_or(0);
                links.push(CampaignLink {
                    actor: actor.to_owned(),
                    name: written.clone(),
                    items: together,
                    first_seen,
                });
            }
        }
    }
    // A name inside a longer linked name ("Frozen Lighthouse" in "Operation Frozen
    // Lighthouse") is the same link.
    let names: Vec<(String, String)> =
        links.iter().map(|l| (l.actor.clone(), l.name.to_lowercase())).collect();
    links.retain(|link| {
        let name = link.name.to_lowercase();
        !names
            .iter()
            .any(|(actor, other)| *actor == link.actor && other.len() > name.len() && other.contains(&name))
    });
    links.sort_by(|a, b| b.items.len().cmp(&a.items.len()).then_with(|| a.name.cmp(&b.name)));
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_maximal_capitalised_word_sequences() {
        assert_eq!(
            capitalised_runs("Researchers tie Operation Frozen Lighthouse to the group, said Mandiant."),
            ["Operation Frozen Lighthouse"]
        );
        assert_eq!(
            capitalised_runs("the «Operation Frozen Lighthouse» campaign"),
            ["Operation Frozen Lighthouse"]
        );
    }

    #[test]
    fn a_new_name_always_seen_with_one_actor_is_linked_and_a_common_one_is_not() {
        let sandworm = vec!["Sandworm".to_owned()];
        let lazarus = vec!["Lazarus Group".to_owned()];
        let mut texts: Vec<(String, &[String])> = Vec::new();
        for n in 0..4 {
            texts.push((
                format!("Analysts attribute Operation Frozen Lighthouse to Sandworm ({n})"),
                &sandworm,
            ));
        }
        for n in 0..40 {
            let who: &[String] = if n % 2 == 0 { &sandworm } else { &lazarus };
            texts.push((format!("Incident Response Team notes activity {n}"), who));
        }
        let docs: Vec<Doc<'_>> = texts
            .iter()
            .enumerate()
            .map(|(n, (text, entities))| Doc {
                time: n as i64,
                title: None,
                body: text,
                entities,
                known: &[],
            })
            .collect();
        let links = campaign_links(&docs, &CampaignConfig { max_share: 0.5, ..CampaignConfig::default() });
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(
            (links[0].actor.as_str(), links[0].name.as_str()),
            ("Sandworm", "Operation Frozen Lighthouse")
        );
        assert_eq!(links[0].items, [0, 1, 2, 3]);
    }
}
