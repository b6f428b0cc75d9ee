//! The STIX knowledge base as the entity page uses it: the relationships (`uses`, `targets`,
//! `attributed-to`...) of the objects that carry an entity's name or one of its aliases.
//!
//! The knowledge base (store documents `stix_object`, written by `muninn import stix|misp` and
//! `muninn taxii pull`) is loaded once and kept while its size stays the same (the server holds
//! the data directory; nothing else adds to it while it runs). Its objects were brought in by
//! the deployment itself, so each is marked from its canonical TLP marking as material of
//! [`LOCAL_ORG`]; an object without one stays inside that organisation (AMBER+STRICT), as the
//! TAXII server does with objects that carry no TLP. A relationship is shown only when the
//! caller may see it and both its ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use muninn_access::{Principal, can_see};
use muninn_model::{LOCAL_ORG, Markings, Tlp};
use muninn_stix::{LATEST_TABLE, StixObject};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use crate::catalog;
use crate::error::{ApiError, ApiResult};

/// Most relationships an entity answers with.
pub const MAX_RELATIONSHIPS: usize = 100;

/// A named object of the knowledge base.
#[derive(Debug)]
struct Named {
    kind: String,
    name: String,
    markings: Markings,
}

/// A relationship object.
#[derive(Debug)]
struct Link {
    kind: String,
    source: String,
    target: String,
    markings: Markings,
}

/// The knowledge base's names and relationships.
#[derive(Debug, Default)]
pub struct Knowledge {
    objects: HashMap<String, Named>,
    links: Vec<Link>,
    /// Relationships by the id of either end.
    by_end: HashMap<String, Vec<usize>>,
    /// Object ids by folded name or alias.
    by_name: HashMap<String, Vec<String>>,
}

fn markings_of(object: &StixObject) -> Markings {
    Markings {
        originator: Some(LOCAL_ORG.to_owned()),
        ..Markings::tlp(object.tlp().unwrap_or(Tlp::AmberStrict))
    }
}

fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

impl Knowledge {
    /// Reads every stored object (objects that no longer parse are left out, with a line in
    /// the log: their import checked them).
    pub fn load(store: &dyn ItemStore) -> ApiResult<Knowledge> {
        let mut knowledge = Knowledge::default();
        for (key, bytes) in catalog::all_documents(store, LATEST_TABLE)? {
            let parsed = std::str::from_utf8(&bytes).map_err(|e| e.to_string()).and_then(|text| {
                StixObject::from_json(text).map_err(|e| e.to_string()).map(|object| (text, object))
            });
            let (text, object) = match parsed {
                Ok(parsed) => parsed,
                Err(error) => {
                    tracing::warn!(object = %key, %error, "stored STIX object left out of the entity graph");
                    continue;
                }
            };
            knowledge.add(text, &object);
        }
        Ok(knowledge)
    }

    fn add(&mut self, text: &str, object: &StixObject) {
        let id = object.id().as_str().to_owned();
        if let Some(ends) = object.relationship() {
            let at = self.links.len();
            self.links.push(Link {
                kind: ends.relationship_type.clone(),
                source: ends.source.as_str().to_owned(),
                target: ends.target.as_str().to_owned(),
                markings: markings_of(object),
            });
            for end in [ends.source.as_str(), ends.target.as_str()] {
                self.by_end.entry(end.to_owned()).or_default().push(at);
            }
            return;
        }
        let Some(name) = object.name().filter(|name| !name.trim().is_empty()) else { return };
        let aliases: Vec<String> = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|value| {
                let list = value.get("aliases").or_else(|| value.get("x_mitre_aliases"))?.as_array()?.clone();
                Some(list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            })
            .unwrap_or_default();
        for form in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
            let ids = self.by_name.entry(fold(form)).or_default();
            if !ids.contains(&id) {
                ids.push(id.clone());
            }
        }
        let named = Named {
            kind: object.object_type().to_owned(),
            name: name.to_owned(),
            markings: markings_of(object),
        };
        self.objects.insert(id, named);
    }

    /// The relationships of the objects named `names` (an entity's name and aliases) that
    /// `principal` may see, with both ends visible: type, direction, and the other end.
    pub fn relationships(&self, principal: &Principal, names: &[&str]) -> Vec<Value> {
        let mut seeds: Vec<&str> = names
            .iter()
            .filter_map(|name| self.by_name.get(&fold(name)))
            .flatten()
            .map(String::as_str)
            .filter(|id| self.objects.get(*id).is_some_and(|object| can_see(principal, &object.markings)))
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for seed in &seeds {
            for &at in self.by_end.get(*seed).map_or(&[][..], Vec::as_slice) {
                let link = &self.links[at];
                let (outgoing, other_id) =
                    if link.source == *seed { (true, &link.target) } else { (false, &link.source) };
                let Some(other) = self.objects.get(other_id) else { continue };
                if !can_see(principal, &link.markings) || !can_see(principal, &other.markings) {
                    continue;
                }
                if !seen.insert((link.kind.as_str(), outgoing, other_id.as_str())) {
                    continue;
                }
                out.push(json!({
                    "type": link.kind, "direction": if outgoing { "out" } else { "in" },
                    "other": {"id": other_id, "type": other.kind, "name": other.name},
                }));
                if out.len() >= MAX_RELATIONSHIPS {
                    return out;
                }
            }
        }
        out
    }
}

/// The knowledge base, loaded on first use and again when the number of stored objects changes.
#[derive(Debug, Default)]
pub struct KnowledgeCache {
    loaded: Mutex<Option<(u64, Arc<Knowledge>)>>,
}

impl KnowledgeCache {
    /// The knowledge base of `store` (call from a blocking thread: a first load reads every
    /// object).
    pub fn get(&self, store: &dyn ItemStore) -> ApiResult<Arc<Knowledge>> {
        let count = store.document_count(LATEST_TABLE)?;
        let mut loaded = self.loaded.lock().map_err(|_| ApiError::internal("knowledge lock poisoned"))?;
        if let Some((known, knowledge)) = loaded.as_ref()
            && *known == count
        {
            return Ok(Arc::clone(knowledge));
        }
        let knowledge = Arc::new(Knowledge::load(store)?);
        *loaded = Some((count, Arc::clone(&knowledge)));
        Ok(knowledge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: Value) -> (String, StixObject) {
        let text = json.to_string();
        let object = StixObject::from_json(&text).expect("valid STIX");
        (text, object)
    }

    fn sdo(kind: &str, n: u32, name: &str, tlp: Option<Tlp>, aliases: &[&str]) -> Value {
        let mut value = json!({"type": kind, "spec_version": "2.1", "id": format!("{kind}--00000000-0000-4000-8000-{n:012}"),
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": name});
        if kind == "malware" {
            value["is_family"] = json!(true);
        }
        if !aliases.is_empty() {
            value["aliases"] = json!(aliases);
        }
        if let Some(tlp) = tlp {
            value["object_marking_refs"] = json!([tlp.stix_marking_id()]);
        }
        value
    }

    fn relationship(n: u32, kind: &str, source: &Value, target: &Value, tlp: Option<Tlp>) -> Value {
        let mut value = json!({"type": "relationship", "spec_version": "2.1",
            "id": format!("relationship--00000000-0000-4000-8000-{n:012}"),
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "relationship_type": kind, "source_ref": source["id"], "target_ref": target["id"]});
        if let Some(tlp) = tlp {
            value["object_marking_refs"] = json!([tlp.stix_marking_id()]);
        }
        value
    }

    fn principal(org: &str) -> Principal {
        Principal {
            user: "someone".parse().expect("user"),
            org: org.parse().expect("org"),
            role: muninn_access::Role::Reader,
            groups: Default::default(),
            client_of: Default::default(),
        }
    }

    #[test]
    fn relationships_of_named_objects_show_only_what_the_caller_sees_at_both_ends() {
        let actor = sdo("intrusion-set", 1, "Sandworm Team", Some(Tlp::Green), &["Voodoo Bear", "ELECTRUM"]);
        let malware = sdo("malware", 2, "Industroyer", Some(Tlp::Green), &[]);
        let victim = sdo("identity", 3, "Grid operator", Some(Tlp::AmberStrict), &[]);
        let unmarked = sdo("tool", 4, "Mimikatz", None, &[]);
        let mut knowledge = Knowledge::default();
        for value in [
            actor.clone(),
            malware.clone(),
            victim.clone(),
            unmarked.clone(),
            relationship(10, "uses", &actor, &malware, Some(Tlp::Clear)),
            relationship(11, "targets", &actor, &victim, Some(Tlp::Green)),
            relationship(12, "uses", &actor, &unmarked, Some(Tlp::Green)),
            relationship(13, "attributed-to", &malware, &actor, Some(Tlp::Red)),
        ] {
            let (text, parsed) = object(value);
            knowledge.add(&text, &parsed);
        }
        let kinds = |org: &str, names: &[&str]| -> Vec<String> {
            knowledge
                .relationships(&principal(org), names)
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r["type"].as_str().unwrap_or(""),
                        r["direction"].as_str().unwrap_or(""),
                        r["other"]["name"].as_str().unwrap_or("")
                    )
                })
                .collect()
        };
        // By an alias, case-folded. The deployment's own organisation sees its AMBER+STRICT
        // and unmarked material; RED names no recipient here, so nobody sees that link.
        assert_eq!(
            kinds(LOCAL_ORG, &["voodoo bear"]),
            ["uses out Industroyer", "targets out Grid operator", "uses out Mimikatz"]
        );
        assert_eq!(kinds("partner-x", &["Sandworm Team"]), ["uses out Industroyer"]);
        assert_eq!(kinds(LOCAL_ORG, &["Industroyer"]), ["uses in Sandworm Team"]);
        assert!(kinds(LOCAL_ORG, &["Nobody"]).is_empty());
    }
}
