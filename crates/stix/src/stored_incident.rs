//! Incidents as stored, read back from their `x_muninn_*` properties: what the REST API, the UI
//! and `muninn entity profile` show of an incident, and whether an entity is its actor or one of
//! its targets. One reader for all of them, so they cannot disagree on what an incident says.

use serde_json::{Value, json};

use crate::country::country_by_alpha2;
use crate::object::StixObject;

/// What a stored `incident` object records (absent properties are `None` or empty; values of
/// the wrong JSON type are read as absent: the object passed the import's checks, and this is
/// for display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    /// The STIX id.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `x_muninn_incident_date`: a STIX timestamp.
    pub date: Option<String>,
    /// `x_muninn_incident_type`.
    pub incident_type: Option<String>,
    /// `x_muninn_place`.
    pub place: Option<String>,
    /// `x_muninn_country`: ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// `x_muninn_actor`: the actor's name as recorded.
    pub actor: Option<String>,
    /// `x_muninn_actor_ref`.
    pub actor_ref: Option<String>,
    /// `x_muninn_targets`.
    pub targets: Vec<String>,
    /// `x_muninn_target_refs`.
    pub target_refs: Vec<String>,
    /// `x_muninn_casualties`.
    pub casualties: Option<u64>,
    /// `description`.
    pub narrative: Option<String>,
    /// `x_muninn_reference`.
    pub reference: Option<String>,
    /// Each external reference's URL, else its description, else its source name.
    pub sources: Vec<String>,
}

/// How an entity takes part in an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentRole {
    /// It did it.
    Actor,
    /// It was targeted.
    Target,
}

impl IncidentRole {
    /// `actor` or `target`.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentRole::Actor => "actor",
            IncidentRole::Target => "target",
        }
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn texts(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn fold(text: &str) -> String {
    crate::names::fold_name(text)
}

impl StoredIncident {
    /// The incident `object` records; `None` when it is not an `incident`.
    pub fn read(object: &StixObject) -> Option<StoredIncident> {
        if object.object_type() != "incident" {
            return None;
        }
        let value: Value = serde_json::from_str(object.json()).ok()?;
        let sources = value
            .get("external_references")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|reference| {
                        text(reference, "url")
                            .or_else(|| text(reference, "description"))
                            .or_else(|| text(reference, "source_name"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(StoredIncident {
            id: object.id().as_str().to_owned(),
            name: object.name().unwrap_or_default().to_owned(),
            date: text(&value, "x_muninn_incident_date"),
            incident_type: text(&value, "x_muninn_incident_type"),
            place: text(&value, "x_muninn_place"),
            country: text(&value, "x_muninn_country"),
            actor: text(&value, "x_muninn_actor"),
            actor_ref: text(&value, "x_muninn_actor_ref"),
            targets: texts(&value, "x_muninn_targets"),
            target_refs: texts(&value, "x_muninn_target_refs"),
            casualties: value.get("x_muninn_casualties").and_then(Value::as_u64),
            narrative: text(&value, "description"),
            reference: text(&value, "x_muninn_reference"),
            sources,
        })
    }

    /// The day of the incident (`YYYY-MM-DD`), or `""` when it has no date.
    pub fn day(&self) -> &str {
        self.date.as_deref().and_then(|date| date.get(..10)).unwrap_or("")
    }

    /// Whether the entity with these ids, or with these names and aliases (compared folded),
    /// is the incident's actor (first) or one of its targets.
    pub fn role_of(&self, ids: &[&str], names: &[&str]) -> Option<IncidentRole> {
        let folded: Vec<String> = names.iter().map(|name| fold(name)).filter(|n| !n.is_empty()).collect();
        let named = |text: &str| folded.contains(&fold(text));
        let actor_by_ref = self.actor_ref.as_deref().is_some_and(|id| ids.contains(&id));
        if actor_by_ref || self.actor.as_deref().is_some_and(named) {
            return Some(IncidentRole::Actor);
        }
        let target_by_ref = self.target_refs.iter().any(|id| ids.contains(&id.as_str()));
        if target_by_ref || self.targets.iter().any(|target| named(target)) {
            return Some(IncidentRole::Target);
        }
        None
    }

    /// The incident as JSON (the REST API's and `muninn entity profile --json`'s form), with
    /// the country's English name when the code is in the ISO table.
    pub fn to_json(&self) -> Value {
        let country_name = self.country.as_deref().and_then(country_by_alpha2).map(|c| c.name);
        json!({
            "id": self.id, "name": self.name, "date": self.date, "type": self.incident_type,
            "place": self.place, "country": self.country, "country_name": country_name,
            "actor": self.actor, "actor_ref": self.actor_ref,
            "targets": self.targets, "target_refs": self.target_refs,
            "casualties": self.casualties, "narrative": self.narrative,
            "reference": self.reference, "sources": self.sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{Incident, IncidentFields, IncidentStamp};
    use crate::{StixId, StixTimestamp};

    fn stored(fields: IncidentFields, stamp: &IncidentStamp) -> StoredIncident {
        let now = StixTimestamp::parse("2025-01-01T00:00:00Z").expect("now");
        let incident = Incident::parse(&fields, now).expect("valid record");
        StoredIncident::read(&incident.to_stix(stamp)).expect("an incident")
    }

    #[test]
    fn a_written_incident_reads_back_and_names_its_actor_and_targets() {
        let actor = StixId::parse("intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c").expect("id");
        let target = StixId::parse("identity--6b616fc1-1505-48e3-8b2c-0d19337bff38").expect("id");
        let stamp = IncidentStamp { actor_ref: Some(actor), target_refs: vec![target], ..Default::default() };
        let incident = stored(
            IncidentFields {
                date: "2016-12-17".into(),
                incident_type: "sabotage".into(),
                country: "Ukraine".into(),
                actor: "Voodoo Bear".into(),
                targets: "Ukrenergo|Kyiv".into(),
                casualties: "0".into(),
                sources: "https://example.org/a|Field report".into(),
                ..Default::default()
            },
            &stamp,
        );
        assert_eq!(incident.day(), "2016-12-17");
        assert_eq!(incident.country.as_deref(), Some("UA"));
        assert_eq!(incident.sources, ["https://example.org/a", "Field report"]);
        assert_eq!(incident.to_json()["country_name"], "Ukraine");
        // Each way an entity can be found in it, and the role it has.
        let cases: [(&[&str], &[&str], Option<IncidentRole>); 6] = [
            (&["intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c"], &[], Some(IncidentRole::Actor)),
            (&[], &["VOODOO  bear"], Some(IncidentRole::Actor)),
            (&["identity--6b616fc1-1505-48e3-8b2c-0d19337bff38"], &[], Some(IncidentRole::Target)),
            (&[], &["kyiv"], Some(IncidentRole::Target)),
            (&[], &["Sandworm Team", ""], None),
            (&["malware--6b616fc1-1505-48e3-8b2c-0d19337bff38"], &[], None),
        ];
        for (ids, names, expected) in cases {
            assert_eq!(incident.role_of(ids, names), expected, "{ids:?} {names:?}");
        }
    }

    #[test]
    fn other_objects_are_not_incidents() {
        let object = StixObject::from_json(
            r#"{"type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c",
                "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "name": "x"}"#,
        )
        .expect("valid");
        assert_eq!(StoredIncident::read(&object), None);
    }
}
