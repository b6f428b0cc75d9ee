//! The STIX knowledge base as the entity page uses it: the relationships (`uses`, `targets`,
//! `attributed-to`...) of the objects that carry an entity's name or one of its aliases.
//!
//! The knowledge base (store documents `stix_object`, written by `muninn import stix|misp` and
//! `muninn taxii pull`) is loaded once and kept until its size changes or it is invalidated
//! ([`KnowledgeCache::invalidate`]): an embedded server holds the data directory alone, and a
//! cluster's servers invalidate it when another process wrote objects or same-as assertions (an
//! import may replace an object by a newer version under stricter markings, which leaves the
//! count as it was). The analysts' same-as assertions are kept here too. Its objects were
//! brought in by the deployment itself, so each is marked from its canonical TLP marking as
//! material of [`LOCAL_ORG`]; an object without one stays inside that organisation
//! (AMBER+STRICT), as the TAXII server does with objects that carry no TLP. A relationship is
//! shown only when the caller may see it and both its ends.
//!
//! Incidents (`muninn import incidents`) are kept here too, newest first, for the incident
//! routes and pages and the entity page's incidents and map of places: an incident is shown
//! only to those who may see it, and the places of an entity are the countries of the visible
//! incidents it took part in and of the visible locations its visible relationships reach.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use muninn_access::{Principal, can_see};
use muninn_model::{LOCAL_ORG, Markings, Tlp};
use muninn_stix::{
    IncidentRole, LATEST_TABLE, NamedObject, SAME_AS_TABLE, SameAs, StixObject, StoredIncident,
    country_by_alpha2,
};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use crate::catalog;
use crate::error::{ApiError, ApiResult};

/// Most relationships an entity answers with.
pub const MAX_RELATIONSHIPS: usize = 100;
/// Most incidents an entity answers with.
pub const MAX_ENTITY_INCIDENTS: usize = 100;

/// A named object of the knowledge base.
#[derive(Debug)]
struct Named {
    kind: String,
    name: String,
    markings: Markings,
    /// A `location`'s `country` (ISO 3166-1 alpha-2 in STIX 2.1).
    country: Option<String>,
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
    /// Incidents, newest first (then by id).
    incidents: Vec<IncidentEntry>,
    /// The named objects (not relationships, not revoked or deprecated) with their aliases, by
    /// id: what entity resolution compares.
    named: Vec<NamedObject>,
}

/// A stored incident and its markings.
#[derive(Debug)]
pub struct IncidentEntry {
    /// What it records.
    pub incident: StoredIncident,
    /// Its markings (from its TLP, as the deployment's own material).
    pub markings: Markings,
}

/// A country on an entity's map: how many of its incidents and located relationships are
/// there.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// ISO 3166-1 alpha-2.
    pub country: &'static muninn_stix::Country,
    /// Visible incidents of the entity in the country.
    pub incidents: u64,
    /// Visible relationships of the entity to locations in the country.
    pub locations: u64,
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
        knowledge.sort_incidents();
        knowledge.named.sort_by(|left, right| left.id.cmp(&right.id));
        Ok(knowledge)
    }

    /// Newest first, then by id, so pages of the list are stable.
    fn sort_incidents(&mut self) {
        self.incidents.sort_by(|a, b| {
            b.incident.date.cmp(&a.incident.date).then_with(|| a.incident.id.cmp(&b.incident.id))
        });
    }

    fn add(&mut self, text: &str, object: &StixObject) {
        let id = object.id().as_str().to_owned();
        self.named.extend(muninn_stix::named_objects(std::iter::once(object), &[]));
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
        if let Some(incident) = StoredIncident::read(object) {
            self.incidents.push(IncidentEntry { incident, markings: markings_of(object) });
        }
        let Some(name) = object.name().filter(|name| !name.trim().is_empty()) else { return };
        let value = serde_json::from_str::<Value>(text).ok();
        let aliases: Vec<String> = value
            .as_ref()
            .and_then(|value| {
                let list = value.get("aliases").or_else(|| value.get("x_mitre_aliases"))?.as_array()?.clone();
                Some(list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            })
            .unwrap_or_default();
        let country = value
            .as_ref()
            .filter(|_| object.object_type() == "location")
            .and_then(|value| value.get("country")?.as_str())
            .map(|code| code.trim().to_ascii_uppercase());
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
            country,
        };
        self.objects.insert(id, named);
    }

    /// The relationships of the objects named `names` (an entity's name and aliases) that
    /// `principal` may see, with both ends visible: type, direction, and the other end.
    pub fn relationships(&self, principal: &Principal, names: &[&str]) -> Vec<Value> {
        let seeds = self.visible_ids_named(principal, names);
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

impl Knowledge {
    /// The ids of the objects named `names` (names or aliases, folded) that `principal` may see.
    pub fn visible_ids_named(&self, principal: &Principal, names: &[&str]) -> Vec<&str> {
        let mut ids: Vec<&str> = names
            .iter()
            .filter_map(|name| self.by_name.get(&fold(name)))
            .flatten()
            .map(String::as_str)
            .filter(|id| self.objects.get(*id).is_some_and(|object| can_see(principal, &object.markings)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The named objects the caller may see, by id.
    pub fn visible_named(&self, principal: &Principal) -> Vec<NamedObject> {
        self.named
            .iter()
            .filter(|object| self.visible_markings(principal, &object.id).is_some())
            .cloned()
            .collect()
    }

    /// A named object by id, if the caller may see it.
    pub fn named_object(&self, principal: &Principal, id: &str) -> Option<&NamedObject> {
        self.visible_markings(principal, id)?;
        let at = self.named.binary_search_by(|object| object.id.as_str().cmp(id)).ok()?;
        self.named.get(at)
    }

    /// The markings of a named object, if the caller may see it.
    pub fn visible_markings(&self, principal: &Principal, id: &str) -> Option<&Markings> {
        self.objects.get(id).map(|named| &named.markings).filter(|markings| can_see(principal, markings))
    }

    /// The type and name of a stored object `principal` may see.
    pub fn visible_object(&self, principal: &Principal, id: &str) -> Option<(&str, &str)> {
        let object = self.objects.get(id).filter(|object| can_see(principal, &object.markings))?;
        Some((object.kind.as_str(), object.name.as_str()))
    }

    /// The incidents `principal` may see, newest first.
    pub fn visible_incidents<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> impl Iterator<Item = &'a IncidentEntry> {
        self.incidents.iter().filter(|entry| can_see(principal, &entry.markings))
    }

    /// The incident with this id, whoever may see it (the caller authorises).
    pub fn incident(&self, id: &str) -> Option<&IncidentEntry> {
        self.incidents.iter().find(|entry| entry.incident.id == id)
    }

    /// The visible incidents in which the entity named `names` (its name and aliases) is the
    /// actor or a target, newest first, at most [`MAX_ENTITY_INCIDENTS`].
    pub fn incidents_of<'a>(
        &'a self,
        principal: &'a Principal,
        names: &[&str],
    ) -> Vec<(&'a IncidentEntry, IncidentRole)> {
        let ids = self.visible_ids_named(principal, names);
        self.visible_incidents(principal)
            .filter_map(|entry| Some((entry, entry.incident.role_of(&ids, names)?)))
            .take(MAX_ENTITY_INCIDENTS)
            .collect()
    }

    /// The countries involved with the entity named `names`: those of its visible incidents
    /// and of the visible locations its visible relationships reach, each with its counts,
    /// most involved first. Codes not in the ISO 3166-1 table are left out (nowhere to draw
    /// them).
    pub fn places(&self, principal: &Principal, names: &[&str]) -> Vec<Place> {
        let mut places: Vec<Place> = Vec::new();
        let mut count = |code: &str, incident: bool| {
            let Some(country) = country_by_alpha2(code) else { return };
            let at = match places.iter().position(|place| place.country.alpha2 == country.alpha2) {
                Some(at) => at,
                None => {
                    places.push(Place { country, incidents: 0, locations: 0 });
                    places.len() - 1
                }
            };
            if incident {
                places[at].incidents += 1;
            } else {
                places[at].locations += 1;
            }
        };
        for (entry, _) in self.incidents_of(principal, names) {
            if let Some(code) = &entry.incident.country {
                count(code, true);
            }
        }
        for seed in self.visible_ids_named(principal, names) {
            for &at in self.by_end.get(seed).map_or(&[][..], Vec::as_slice) {
                let link = &self.links[at];
                let other_id = if link.source == seed { &link.target } else { &link.source };
                let Some(other) = self.objects.get(other_id) else { continue };
                if !can_see(principal, &link.markings) || !can_see(principal, &other.markings) {
                    continue;
                }
                if let Some(code) = &other.country {
                    count(code, false);
                }
            }
        }
        places.sort_by(|a, b| {
            (b.incidents + b.locations)
                .cmp(&(a.incidents + a.locations))
                .then_with(|| a.country.alpha2.cmp(b.country.alpha2))
        });
        places
    }
}

impl Place {
    /// The place as JSON, for the entity route and page.
    pub fn to_json(&self) -> Value {
        json!({
            "country": self.country.alpha2, "name": self.country.name,
            "latitude": self.country.latitude, "longitude": self.country.longitude,
            "incidents": self.incidents, "locations": self.locations,
        })
    }
}

/// The server's knowledge base (a first load reads every stored object: off the async threads).
pub async fn knowledge_of(state: &crate::state::AppState) -> ApiResult<Arc<Knowledge>> {
    let (store, cache) = (Arc::clone(&state.store), Arc::clone(&state.knowledge));
    tokio::task::spawn_blocking(move || {
        let store = store.read().map_err(|_| ApiError::internal("store lock poisoned"))?;
        cache.get(store.as_ref())
    })
    .await
    .map_err(ApiError::internal)?
}

/// The knowledge base and the same-as assertions, loaded on first use and again when the
/// number of stored objects changes or after [`KnowledgeCache::invalidate`].
#[derive(Debug, Default)]
pub struct KnowledgeCache {
    /// (objects counted, generation, knowledge base) as last loaded.
    loaded: Mutex<Option<(u64, u64, Arc<Knowledge>)>>,
    /// (generation, assertions) as last loaded.
    assertions: Mutex<Option<(u64, Arc<Vec<SameAs>>)>>,
    /// Moves on with every invalidation; what was loaded under an earlier one is loaded again.
    generation: AtomicU64,
}

impl KnowledgeCache {
    /// The knowledge base of `store` (call from a blocking thread: a first load reads every
    /// object).
    pub fn get(&self, store: &dyn ItemStore) -> ApiResult<Arc<Knowledge>> {
        // Read before loading: a change made while loading leaves what is loaded stale, and the
        // generation it is kept under then says so.
        let generation = self.generation.load(Ordering::Acquire);
        let count = store.document_count(LATEST_TABLE)?;
        let mut loaded = self.loaded.lock().map_err(|_| ApiError::internal("knowledge lock poisoned"))?;
        if let Some((known, loaded_in, knowledge)) = loaded.as_ref()
            && *known == count
            && *loaded_in == generation
        {
            return Ok(Arc::clone(knowledge));
        }
        let knowledge = Arc::new(Knowledge::load(store)?);
        *loaded = Some((count, generation, Arc::clone(&knowledge)));
        Ok(knowledge)
    }

    /// Every stored same-as assertion (the entity page asks on every view; reading them all
    /// from the store each time grew with the analysts' decisions).
    pub fn assertions(&self, store: &dyn ItemStore) -> ApiResult<Arc<Vec<SameAs>>> {
        let generation = self.generation.load(Ordering::Acquire);
        let mut loaded =
            self.assertions.lock().map_err(|_| ApiError::internal("assertions lock poisoned"))?;
        if let Some((loaded_in, assertions)) = loaded.as_ref()
            && *loaded_in == generation
        {
            return Ok(Arc::clone(assertions));
        }
        let assertions: Vec<SameAs> = catalog::all_documents(store, SAME_AS_TABLE)?
            .into_iter()
            .map(|(key, value)| {
                serde_json::from_slice(&value)
                    .map_err(|error| ApiError::internal(format!("stored same-as assertion {key}: {error}")))
            })
            .collect::<ApiResult<_>>()?;
        let assertions = Arc::new(assertions);
        *loaded = Some((generation, Arc::clone(&assertions)));
        Ok(assertions)
    }

    /// Says that objects or assertions were written: the next use loads them again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether a write of `table` changes what is kept here.
    pub fn is_kept(table: &str) -> bool {
        table == LATEST_TABLE || table == SAME_AS_TABLE
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

    /// An incident of `INC-n`, dated on day n of May 2024.
    fn incident(label: &str, tlp: Tlp, country: &str, actor: &str, actor_ref: Option<&Value>) -> Value {
        let now = muninn_stix::StixTimestamp::parse("2026-01-01T00:00:00Z").expect("now");
        let fields = muninn_stix::IncidentFields {
            id: label.to_owned(),
            date: format!("2024-05-0{}", &label[4..]),
            incident_type: "sabotage".to_owned(),
            country: country.to_owned(),
            actor: actor.to_owned(),
            ..Default::default()
        };
        let actor_ref =
            actor_ref.map(|value| muninn_stix::StixId::parse(value["id"].as_str().expect("id")).expect("id"));
        let stamp = muninn_stix::IncidentStamp { tlp: Some(tlp), actor_ref, ..Default::default() };
        let object = muninn_stix::Incident::parse(&fields, now).expect("valid").to_stix(&stamp);
        serde_json::from_str(object.json()).expect("json")
    }

    #[test]
    fn incidents_and_places_of_an_entity_show_only_what_the_caller_sees() {
        let actor = sdo("intrusion-set", 1, "Sandworm Team", Some(Tlp::Green), &["Voodoo Bear"]);
        let mut kyiv = sdo("location", 2, "Kyiv", Some(Tlp::Green), &[]);
        kyiv["country"] = json!("ua");
        let mut paris = sdo("location", 3, "Paris", Some(Tlp::Green), &[]);
        paris["country"] = json!("FR");
        let mut knowledge = Knowledge::default();
        for value in [
            actor.clone(),
            kyiv.clone(),
            paris.clone(),
            relationship(10, "targets", &actor, &kyiv, Some(Tlp::Green)),
            relationship(11, "targets", &actor, &paris, Some(Tlp::AmberStrict)),
            incident("INC-1", Tlp::Green, "UA", "someone", Some(&actor)),
            incident("INC-2", Tlp::AmberStrict, "ML", "voodoo  BEAR", None),
            incident("INC-3", Tlp::Clear, "DE", "Someone Else", None),
        ] {
            let (text, parsed) = object(value);
            knowledge.add(&text, &parsed);
        }
        knowledge.sort_incidents();
        let seen = |org: &str| -> (Vec<String>, Vec<String>) {
            let who = principal(org);
            let incidents = knowledge
                .incidents_of(&who, &["Sandworm Team", "Voodoo Bear"])
                .iter()
                .map(|(entry, role)| {
                    format!("{} {}", entry.incident.reference.as_deref().unwrap_or(""), role.as_str())
                })
                .collect();
            let places = knowledge
                .places(&who, &["Sandworm Team"])
                .iter()
                .map(|place| format!("{} {} {}", place.country.alpha2, place.incidents, place.locations))
                .collect();
            (incidents, places)
        };
        // Newest first; by its id (INC-1) or as recorded by an alias (INC-2); the deployment sees its
        // AMBER+STRICT material, a partner only the GREEN. Places by the name alone: INC-2 names
        // an alias only, so it is not among them.
        assert_eq!(
            seen(LOCAL_ORG),
            (
                vec!["INC-2 actor".to_owned(), "INC-1 actor".to_owned()],
                vec!["UA 1 1".to_owned(), "FR 0 1".to_owned()]
            )
        );
        assert_eq!(seen("partner-x"), (vec!["INC-1 actor".to_owned()], vec!["UA 1 1".to_owned()]));
    }

    #[test]
    fn the_cache_loads_again_once_invalidated_though_the_count_is_unchanged() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut store = muninn_store::EmbeddedStore::open(dir.path(), muninn_store::StoreConfig::default())
            .expect("store");
        let put = |store: &mut muninn_store::EmbeddedStore, value: &Value| {
            let id = value["id"].as_str().expect("id");
            let document = muninn_store::Document::put(LATEST_TABLE, id, value.to_string().into_bytes());
            store.put_documents(vec![document]).expect("written");
        };
        let actor = sdo("intrusion-set", 1, "Sandworm Team", Some(Tlp::Green), &[]);
        put(&mut store, &actor);
        let cache = KnowledgeCache::default();
        let partner = principal("partner-x");
        let id = actor["id"].as_str().expect("id");
        assert!(cache.get(&store).expect("loaded").visible_markings(&partner, id).is_some());
        assert!(cache.assertions(&store).expect("loaded").is_empty());

        // A newer version under stricter markings (what an import on another server of a
        // cluster writes): the same number of objects.
        let mut stricter = sdo("intrusion-set", 1, "Sandworm Team", Some(Tlp::Red), &[]);
        stricter["modified"] = json!("2024-02-01T00:00:00.000Z");
        put(&mut store, &stricter);
        let assertion = SameAs {
            a: id.to_owned(),
            b: "intrusion-set--00000000-0000-4000-8000-000000000002".to_owned(),
            verdict: muninn_stix::Verdict::Accepted,
            score: 0.0,
            method: "analyst".to_owned(),
            by: "someone".to_owned(),
            at: "2024-02-01T00:00:00Z".to_owned(),
            note: String::new(),
        };
        let key = muninn_stix::assertion_key(&assertion.a, &assertion.b);
        let bytes = serde_json::to_vec(&assertion).expect("serialised");
        store.put_documents(vec![muninn_store::Document::put(SAME_AS_TABLE, &key, bytes)]).expect("written");

        cache.invalidate();
        assert!(cache.get(&store).expect("loaded").visible_markings(&partner, id).is_none());
        assert_eq!(*cache.assertions(&store).expect("loaded"), vec![assertion]);
    }
}
