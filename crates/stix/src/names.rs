//! Names in the knowledge base: an object's name and aliases, the lookup from any of them (folded:
//! case and spacing) to object ids, and an object's profile (what it is, what it is called, what
//! it is linked to). These feed `muninn entity`, the extraction gazetteer and watchlists.

use std::collections::BTreeMap;

use muninn_model::Tlp;
use serde_json::Value;

use crate::graph::{Graph, TraversalConfig};
use crate::object::StixObject;

/// Properties that hold other names of an object: STIX's `aliases` (intrusion-set,
/// threat-actor, campaign, malware, tool, infrastructure, location...), ATT&CK's
/// `x_mitre_aliases` (software) and Muninn's `x_muninn_aliases` (identities, which STIX gives
/// no aliases: a sanctioned person's other names); `x_misp_synonyms`-style lists are not read.
pub const ALIAS_PROPERTIES: [&str; 3] = ["aliases", "x_mitre_aliases", "x_muninn_aliases"];

/// An object that has a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedObject {
    /// Its id.
    pub id: String,
    /// Its type.
    pub object_type: String,
    /// `name`.
    pub name: String,
    /// Other names, without the name itself and without repeats (folded), in their order.
    pub aliases: Vec<String>,
    /// Its TLP (the most restrictive canonical TLP among its markings), if it has one.
    pub tlp: Option<Tlp>,
}

/// The folded form under which names are looked up: lower case, runs of white space as one
/// space, trimmed.
pub fn fold_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn json_of(object: &StixObject) -> Value {
    serde_json::from_str(object.json()).unwrap_or(Value::Null)
}

/// The other names of an object (see [`ALIAS_PROPERTIES`]), without its name and repeats.
pub fn aliases(object: &StixObject) -> Vec<String> {
    aliases_in(&json_of(object), object.name().unwrap_or(""))
}

fn aliases_in(value: &Value, name: &str) -> Vec<String> {
    let mut seen = vec![fold_name(name)];
    let mut out = Vec::new();
    for property in ALIAS_PROPERTIES {
        for alias in value.get(property).and_then(Value::as_array).into_iter().flatten() {
            let Some(alias) = alias.as_str().map(str::trim).filter(|alias| !alias.is_empty()) else {
                continue;
            };
            let folded = fold_name(alias);
            if !seen.contains(&folded) {
                seen.push(folded);
                out.push(alias.to_owned());
            }
        }
    }
    out
}

/// The named objects among `objects` whose type is in `types` (every type when empty), by id;
/// relationships, revoked and deprecated objects, and objects without a name are left out.
pub fn named_objects<'a>(
    objects: impl IntoIterator<Item = &'a StixObject>,
    types: &[&str],
) -> Vec<NamedObject> {
    let mut out: Vec<NamedObject> = objects
        .into_iter()
        .filter(|object| types.is_empty() || types.contains(&object.object_type()))
        .filter(|object| object.relationship().is_none() && !object.revoked() && !object.deprecated())
        .filter_map(|object| {
            let name = object.name()?.trim();
            if name.is_empty() {
                return None;
            }
            Some(NamedObject {
                id: object.id().to_string(),
                object_type: object.object_type().to_owned(),
                name: name.to_owned(),
                aliases: aliases(object),
                tlp: object.tlp(),
            })
        })
        .collect();
    out.sort_by(|left, right| left.id.cmp(&right.id));
    out.dedup_by(|right, left| right.id == left.id);
    out
}

/// Object ids by folded name and alias.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    by_name: BTreeMap<String, Vec<String>>,
}

impl NameIndex {
    /// Indexes the names and aliases of `named`.
    pub fn build(named: &[NamedObject]) -> NameIndex {
        let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for object in named {
            for form in std::iter::once(&object.name).chain(&object.aliases) {
                let ids = by_name.entry(fold_name(form)).or_default();
                if !ids.contains(&object.id) {
                    ids.push(object.id.clone());
                }
            }
        }
        for ids in by_name.values_mut() {
            ids.sort();
        }
        NameIndex { by_name }
    }

    /// The ids of the objects called `name` (any case and spacing), in id order.
    pub fn lookup(&self, name: &str) -> &[String] {
        self.by_name.get(&fold_name(name)).map_or(&[], Vec::as_slice)
    }
}

/// One link of a profile: an edge at the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileLink {
    /// `relationship_type`, or the referring property (`created_by_ref`, `x_muninn_actor_ref`).
    pub label: String,
    /// `out` when the object is the source (or the referring object), else `in`.
    pub outgoing: bool,
    /// The other end's id.
    pub other: String,
    /// The relationship's id, for relationship edges.
    pub relationship: Option<String>,
}

/// What the knowledge base says of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Its id.
    pub id: String,
    /// Its type.
    pub object_type: String,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its other names.
    pub aliases: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `created` (STIX form).
    pub created: Option<String>,
    /// `modified` (STIX form).
    pub modified: Option<String>,
    /// Its TLP.
    pub tlp: Option<Tlp>,
    /// Revoked or deprecated.
    pub retired: bool,
    /// `external_references`: (source name, external id, url).
    pub references: Vec<(String, Option<String>, Option<String>)>,
    /// Relationships first (by label, then other end), then embedded references.
    pub links: Vec<ProfileLink>,
}

/// The profile of `object` with its edges in `graph` (every edge at it: the object is where the
/// traversal starts, so hubs are listed too).
pub fn profile(object: &StixObject, graph: &Graph) -> Profile {
    let value = json_of(object);
    let id = object.id().as_str();
    let mut links: Vec<ProfileLink> = Vec::new();
    let config = TraversalConfig { depth: 1, hub_degree: usize::MAX };
    if let Some(around) = graph.neighbourhood(id, &config) {
        for edge in around.edges() {
            let outgoing = edge.source == id;
            let other = if outgoing { edge.target } else { edge.source };
            links.push(ProfileLink {
                label: edge.label.to_owned(),
                outgoing,
                other: other.to_owned(),
                relationship: edge.relationship.map(str::to_owned),
            });
        }
    }
    links.sort_by(|left, right| {
        (left.relationship.is_none(), &left.label, !left.outgoing, &left.other).cmp(&(
            right.relationship.is_none(),
            &right.label,
            !right.outgoing,
            &right.other,
        ))
    });
    let references = object
        .external_references()
        .iter()
        .map(|reference| {
            (reference.source_name.clone(), reference.external_id.clone(), reference.url.clone())
        })
        .collect();
    Profile {
        id: id.to_owned(),
        object_type: object.object_type().to_owned(),
        name: object.name().map(str::to_owned),
        aliases: aliases_in(&value, object.name().unwrap_or("")),
        description: value.get("description").and_then(Value::as_str).map(str::to_owned),
        created: object.created().map(|t| t.to_string()),
        modified: object.modified().map(|t| t.to_string()),
        tlp: object.tlp(),
        retired: object.revoked() || object.deprecated(),
        references,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> StixObject {
        StixObject::from_json(json).expect("valid object")
    }

    #[test]
    fn names_and_aliases_are_looked_up_folded() {
        let objects = [
            object(
                r#"{"type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "APT28", "aliases": ["APT28", "Fancy  Bear", "fancy bear", "Sofacy"]}"#,
            ),
            object(
                r#"{"type": "malware", "spec_version": "2.1", "id": "malware--6b616fc1-1505-48e3-8b2c-0d19337bff38", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "X-Agent", "is_family": true, "x_mitre_aliases": ["Sofacy"]}"#,
            ),
            object(
                r#"{"type": "malware", "spec_version": "2.1", "id": "malware--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6", "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "Old", "is_family": true, "revoked": true}"#,
            ),
        ];
        let named = named_objects(&objects, &[]);
        assert_eq!(named.len(), 2, "the revoked one is left out");
        assert_eq!(named[0].aliases, ["Fancy  Bear", "Sofacy"]);
        let index = NameIndex::build(&named);
        assert_eq!(index.lookup("FANCY BEAR"), ["intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c"]);
        assert_eq!(index.lookup("sofacy").len(), 2, "an alias two objects share names both");
        assert!(index.lookup("Cozy Bear").is_empty());
        assert_eq!(named_objects(&objects, &["malware"]).len(), 1);
    }
}
