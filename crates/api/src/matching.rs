//! Name matching over HTTP in the request and response shapes of OpenSanctions' yente
//! (`POST /match/{dataset}`), so screening clients written for yente work unchanged. A dataset
//! is a watchlist (or `default`: every watchlist the caller may see); its name entries are the
//! entities. Every score comes with its explanation (an extra field yente clients ignore).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use muninn_names::{BirthDate, Entity, Gender, MatchOptions, Matcher, NameKind, Properties, Query, Scratch};
use muninn_screen::Watchlist;
use muninn_screen::watchlist::EntryKind;
use serde::Deserialize;
use serde_json::{Value, json};

/// A watchlist's name entries, filed for matching, with what a result shows of each.
#[derive(Debug)]
pub struct ListMatcher {
    /// The matcher over the list's name entries (ids `LIST/ENTRY`).
    pub matcher: Matcher,
    /// Each entity's names, primary first.
    pub names: HashMap<String, Vec<String>>,
}

/// The name entries of `list` as entities.
pub fn list_entities(list: &Watchlist) -> impl Iterator<Item = Entity> + '_ {
    list.entries.iter().filter_map(move |entry| match &entry.kind {
        EntryKind::Name { name, aliases } => Some(Entity {
            id: format!("{}/{}", list.name, entry.id),
            kind: NameKind::Unknown,
            names: std::iter::once(name.clone()).chain(aliases.iter().cloned()).collect(),
            properties: Properties::default(),
        }),
        _ => None,
    })
}

impl ListMatcher {
    /// Files the name entries of `list`.
    pub fn build(list: &Watchlist) -> ListMatcher {
        let entities: Vec<Entity> = list_entities(list).collect();
        let names = entities.iter().map(|entity| (entity.id.clone(), entity.names.clone())).collect();
        let (matcher, warnings) = Matcher::build(entities);
        for warning in &warnings {
            tracing::warn!(warning = %crate::error::LogText(&warning.to_string()), "name left out of matching");
        }
        ListMatcher { matcher, names }
    }
}

/// Matchers by (list name, version), built on first use.
#[derive(Debug, Default)]
pub struct MatcherCache {
    built: Mutex<HashMap<(String, u64), Arc<ListMatcher>>>,
}

impl MatcherCache {
    /// The matcher of `list` at its version.
    pub fn get(&self, list: &Watchlist) -> Arc<ListMatcher> {
        let key = (list.name.clone(), list.version);
        if let Some(found) = self.built.lock().ok().and_then(|built| built.get(&key).cloned()) {
            return found;
        }
        let matcher = Arc::new(ListMatcher::build(list));
        if let Ok(mut built) = self.built.lock() {
            built.retain(|(name, _), _| name != &list.name);
            built.insert(key, Arc::clone(&matcher));
        }
        matcher
    }
}

/// One query of a yente match request.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct EntityExample {
    /// The client's id for the entity (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `Person`, `Organization`, `Company`, `LegalEntity`...
    pub schema: String,
    /// FollowTheMoney properties: `name`, `birthDate`, `nationality`, `country`, `gender`...
    /// (each a string or a list of strings).
    pub properties: BTreeMap<String, Value>,
}

/// A yente match request body.
#[derive(Debug, Deserialize)]
pub struct MatchRequest {
    /// Feature weights (accepted for compatibility; the scorer's weights are fixed).
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Queries by the client's key.
    pub queries: BTreeMap<String, EntityExample>,
}

fn values(example: &EntityExample, property: &str) -> Vec<String> {
    match example.properties.get(property) {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => {
            items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

/// The queries one example asks (one per name) or why it cannot be asked.
pub fn queries_of(example: &EntityExample) -> Result<Vec<Query>, String> {
    let kind = match example.schema.as_str() {
        "Person" => NameKind::Person,
        "Organization" | "Company" | "PublicBody" => NameKind::Organization,
        "LegalEntity" | "Thing" => NameKind::Unknown,
        other => {
            return Err(format!(
                "schema {other:?} cannot be matched by name (Person, Organization, Company, LegalEntity)"
            ));
        }
    };
    let mut properties = Properties::default();
    for date in values(example, "birthDate") {
        properties
            .birth_dates
            .push(BirthDate::parse(&date).map_err(|error| format!("birthDate {date:?}: {error}"))?);
    }
    for property in ["nationality", "country", "citizenship", "jurisdiction"] {
        properties.countries.extend(values(example, property));
    }
    if let Some(gender) = values(example, "gender").first() {
        properties.gender =
            Some(Gender::parse(gender).ok_or_else(|| format!("gender {gender:?} is not male or female"))?);
    }
    let names = values(example, "name");
    if names.is_empty() {
        return Err("the query has no `name` property".to_owned());
    }
    Ok(names.into_iter().map(|name| Query { name, kind, properties: properties.clone() }).collect())
}

/// Answers one example against `lists`: yente's `EntityMatches`.
pub fn answer(
    example: &EntityExample,
    lists: &[(String, Arc<ListMatcher>)],
    threshold: f32,
    limit: usize,
) -> Value {
    let queries = match queries_of(example) {
        Ok(queries) => queries,
        Err(detail) => {
            return json!({"status": 400, "detail": detail, "results": [], "total": {"value": 0, "relation": "eq"}, "query": example});
        }
    };
    let options = MatchOptions { threshold: threshold.min(0.5), limit: limit.max(1) * 4 };
    let mut scratch = Scratch::default();
    // The best score per entity over the example's names and the lists.
    let mut best: HashMap<String, (String, muninn_names::Match)> = HashMap::new();
    for query in &queries {
        for (list, matcher) in lists {
            let Ok(found) = matcher.matcher.find(query, &options, &mut scratch) else { continue };
            for hit in found {
                let better = best.get(&hit.entity).is_none_or(|(_, current)| hit.score > current.score);
                if better {
                    best.insert(hit.entity.clone(), (list.clone(), hit));
                }
            }
        }
    }
    let mut ranked: Vec<(String, muninn_names::Match)> = best.into_values().collect();
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.1.entity.cmp(&b.1.entity)));
    let total = ranked.len();
    let results: Vec<Value> = ranked
        .into_iter()
        .take(limit)
        .map(|(list, hit)| {
            let names = lists
                .iter()
                .find(|(name, _)| *name == list)
                .and_then(|(_, matcher)| matcher.names.get(&hit.entity).cloned())
                .unwrap_or_default();
            let caption = names.first().cloned().unwrap_or_default();
            let mut features = serde_json::Map::new();
            features.insert("name_score".to_owned(), json!(hit.explanation.name_score));
            for evidence in &hit.explanation.properties {
                features.insert(evidence.property.to_owned(), json!(evidence.contribution));
            }
            json!({
                "id": hit.entity,
                "caption": caption,
                "schema": "LegalEntity",
                "properties": {"name": names.first().into_iter().collect::<Vec<_>>(), "alias": names.iter().skip(1).collect::<Vec<_>>()},
                "datasets": [list],
                "referents": [],
                "target": true,
                "first_seen": null,
                "last_seen": null,
                "last_change": null,
                "score": hit.score,
                "features": features,
                "match": hit.score >= threshold,
                "explanation": hit.explanation,
            })
        })
        .collect();
    json!({"status": 200, "results": results, "total": {"value": total, "relation": "eq"}, "query": example})
}

/// yente's `matcher` field: the features a score is made of.
pub fn feature_docs() -> Value {
    json!({
        "name_score": {"description": "Names aligned part by part across scripts, orderings, typos and initials", "coefficient": 1.0, "url": ""},
        "birth_date": {"description": "Agreement or conflict of dates of birth", "coefficient": 1.0, "url": ""},
        "country": {"description": "Agreement or conflict of nationality or country", "coefficient": 1.0, "url": ""},
        "gender": {"description": "Agreement or conflict of gender", "coefficient": 1.0, "url": ""},
    })
}
