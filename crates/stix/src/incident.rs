//! Incident records as STIX 2.1 `incident` objects (see the README's "Incidents" for the custom
//! properties). STIX 2.1 gives an incident only a name and a description, so what an analyst
//! records of one (date, place, country, actor, targets, type, casualties, sources) goes into
//! documented `x_muninn_*` properties, the sources into `external_references`, and the actor and
//! targets, when the knowledge base knows them, into `x_muninn_actor_ref` and
//! `x_muninn_target_refs`, which the graph follows like any embedded reference.
//!
//! Pure: the caller gives the clock (`now`, `created`, `modified`); ids are derived from the
//! record's key by SHA-256, so importing the same record again names the same object.

use muninn_model::{ContentHash, Tlp};
use serde_json::{Map, Value, json};

use crate::id::StixId;
use crate::object::StixObject;
use crate::timestamp::StixTimestamp;

/// Longest text accepted in one field (a narrative may be long; a name may not).
pub const MAX_FIELD_CHARS: usize = 20_000;
/// Longest name, place, actor, target or type.
pub const MAX_SHORT_CHARS: usize = 300;

/// One incident as read (for instance one CSV row): every field as text, empty when absent.
/// Lists (`targets`, `sources`) are `|`-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFields {
    /// The record's own reference (`INC-2024-017`) or a STIX `incident--` id; optional. When
    /// given it is the key of the incident; otherwise date, place, country, type, actor and name
    /// are.
    pub id: String,
    /// A title; default: "TYPE in PLACE, DATE".
    pub name: String,
    /// `YYYY-MM-DD` or a STIX timestamp (`2024-02-03T14:00:00Z`). Required.
    pub date: String,
    /// Where (town, site, region).
    pub place: String,
    /// An ISO 3166-1 country: alpha-2 (`UA`, `ml`), alpha-3 (`UKR`) or English short name
    /// (`Ukraine`); stored as the alpha-2 code, upper case.
    pub country: String,
    /// Who did it, by name (resolved against the knowledge base by the caller).
    pub actor: String,
    /// Who or what was targeted, `|`-separated.
    pub targets: String,
    /// What kind of incident (`bombing`, `ransomware`, `kidnapping`...). Required.
    pub incident_type: String,
    /// Number of people killed or injured: a whole number, or empty when unknown.
    pub casualties: String,
    /// What happened.
    pub narrative: String,
    /// Where it is reported: URLs or citations, `|`-separated.
    pub sources: String,
    /// `TLP:AMBER`, `amber+strict`, ... (optional).
    pub tlp: String,
}

/// A checked incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Its STIX id.
    pub id: StixId,
    /// The record's own reference, when it had one that is not a STIX id.
    pub reference: Option<String>,
    /// Its name.
    pub name: String,
    /// When it happened.
    pub date: StixTimestamp,
    /// Where.
    pub place: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// Who did it.
    pub actor: Option<String>,
    /// Who or what was targeted.
    pub targets: Vec<String>,
    /// Its type.
    pub incident_type: String,
    /// People killed or injured, when known.
    pub casualties: Option<u64>,
    /// What happened.
    pub narrative: Option<String>,
    /// Where it is reported.
    pub sources: Vec<String>,
    /// The record's own TLP, when it gave one.
    pub tlp: Option<Tlp>,
}

/// Why a record is not an incident: names the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct IncidentError {
    /// The field (`date`, `country`...).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

fn refuse(field: &'static str, reason: impl Into<String>) -> IncidentError {
    IncidentError { field, reason: reason.into() }
}

/// What the caller decides about the object: its version and marking, and what the knowledge
/// base resolved the actor and targets to.
#[derive(Debug, Clone, Default)]
pub struct IncidentStamp {
    /// `created` (the first import's time, kept by later versions).
    pub created: Option<StixTimestamp>,
    /// `modified`.
    pub modified: Option<StixTimestamp>,
    /// The TLP marking (canonical TLP 2.0 definition).
    pub tlp: Option<Tlp>,
    /// The knowledge-base object the actor's name resolved to.
    pub actor_ref: Option<StixId>,
    /// The knowledge-base objects targets resolved to.
    pub target_refs: Vec<StixId>,
}

fn cut_field(field: &'static str, text: &str, limit: usize) -> Result<Option<String>, IncidentError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > limit {
        return Err(refuse(field, format!("longer than {limit} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(refuse(field, "holds control characters"));
    }
    Ok(Some(text.to_owned()))
}

fn list_field(field: &'static str, text: &str) -> Result<Vec<String>, IncidentError> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split('|') {
        if let Some(value) = cut_field(field, part, MAX_SHORT_CHARS.max(2000))?
            && !out.contains(&value)
        {
            out.push(value);
        }
    }
    Ok(out)
}

/// Parses a date as `YYYY-MM-DD` (midnight UTC) or a STIX timestamp.
pub fn parse_incident_date(text: &str) -> Result<StixTimestamp, String> {
    let text = text.trim();
    let full = if text.len() == 10 { format!("{text}T00:00:00Z") } else { text.to_owned() };
    StixTimestamp::parse(&full)
        .map_err(|reason| format!("{text:?} is not a date (YYYY-MM-DD) or timestamp: {reason}"))
}

/// A STIX id of `object_type` derived from `key` (SHA-256 of a versioned, typed key, shaped as
/// a version 4 UUID as STIX prefers for SDOs): the same key names the same object.
pub fn derived_id(object_type: &str, key: &str) -> StixId {
    let hash = ContentHash::of_bytes(format!("muninn/stix-id/v1\n{object_type}\n{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.0[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text = format!(
        "{object_type}--{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    // The text is well formed by construction; parse it to get the checked type.
    StixId::parse(&text).unwrap_or_else(|_| unreachable!("a derived id is well formed: {text}"))
}

impl Incident {
    /// Checks a record; `now` refuses dates in the future.
    pub fn parse(fields: &IncidentFields, now: StixTimestamp) -> Result<Incident, IncidentError> {
        let date_text = fields.date.trim();
        if date_text.is_empty() {
            return Err(refuse("date", "missing (every incident needs a date)"));
        }
        let date = parse_incident_date(date_text).map_err(|reason| refuse("date", reason))?;
        if date > now {
            return Err(refuse("date", format!("{date_text:?} is in the future")));
        }
        let incident_type = cut_field("type", &fields.incident_type, MAX_SHORT_CHARS)?
            .ok_or_else(|| refuse("type", "missing (bombing, ransomware, kidnapping...)"))?;
        let country = match cut_field("country", &fields.country, MAX_SHORT_CHARS)? {
            None => None,
            Some(text) => match crate::country::country(&text) {
                Some(found) => Some(found.alpha2.to_owned()),
                None => {
                    return Err(refuse(
                        "country",
                        format!(
                            "{text:?} is not an ISO 3166-1 country (an alpha-2 code such as UA, an alpha-3 code such as UKR, or the English short name such as Ukraine)"
                        ),
                    ));
                }
            },
        };
        let casualties = match fields.casualties.trim() {
            "" => None,
            text => Some(text.parse::<u64>().map_err(|_| {
                refuse(
                    "casualties",
                    format!("{text:?} is not a whole number of people (leave empty when unknown)"),
                )
            })?),
        };
        let tlp = match fields.tlp.trim() {
            "" => None,
            text => Some(text.parse::<Tlp>().map_err(|error| refuse("tlp", error.to_string()))?),
        };
        let place = cut_field("place", &fields.place, MAX_SHORT_CHARS)?;
        let actor = cut_field("actor", &fields.actor, MAX_SHORT_CHARS)?;
        let name = match cut_field("name", &fields.name, MAX_SHORT_CHARS)? {
            Some(name) => name,
            None => {
                let day = &date.key_form()[..10];
                match &place {
                    Some(place) => format!("{incident_type} in {place}, {day}"),
                    None => format!("{incident_type}, {day}"),
                }
            }
        };
        let reference = cut_field("id", &fields.id, MAX_SHORT_CHARS)?;
        let (id, reference) = match reference {
            Some(text) if text.starts_with("incident--") => {
                let id =
                    StixId::parse(&text).map_err(|reason| refuse("id", format!("{text:?}: {reason}")))?;
                (id, None)
            }
            Some(text) if text.contains("--") => {
                return Err(refuse("id", format!("{text:?} is a STIX id of another type than incident")));
            }
            Some(text) => (derived_id("incident", &format!("ref\n{text}")), Some(text)),
            None => {
                let key = [
                    date.key_form(),
                    fold(place.as_deref().unwrap_or("")),
                    country.clone().unwrap_or_default(),
                    fold(&incident_type),
                    fold(actor.as_deref().unwrap_or("")),
                    fold(&name),
                ]
                .join("\n");
                (derived_id("incident", &format!("content\n{key}")), None)
            }
        };
        Ok(Incident {
            id,
            reference,
            name,
            date,
            place,
            country,
            actor,
            targets: list_field("targets", &fields.targets)?,
            incident_type,
            casualties,
            narrative: cut_field("narrative", &fields.narrative, MAX_FIELD_CHARS)?,
            sources: list_field("sources", &fields.sources)?,
            tlp,
        })
    }

    /// The incident as a STIX object. `created` and `modified` default to the incident's date.
    pub fn to_stix(&self, stamp: &IncidentStamp) -> StixObject {
        let created = stamp.created.unwrap_or(self.date);
        let modified = stamp.modified.unwrap_or(created).max(created);
        let mut object = Map::new();
        object.insert("type".into(), json!("incident"));
        object.insert("spec_version".into(), json!("2.1"));
        object.insert("id".into(), json!(self.id.as_str()));
        object.insert("created".into(), json!(created.to_string()));
        object.insert("modified".into(), json!(modified.to_string()));
        object.insert("name".into(), json!(self.name));
        if let Some(narrative) = &self.narrative {
            object.insert("description".into(), json!(narrative));
        }
        if !self.sources.is_empty() {
            let references: Vec<Value> =
                self.sources.iter().map(|source| external_reference(source)).collect();
            object.insert("external_references".into(), Value::Array(references));
        }
        if let Some(tlp) = stamp.tlp {
            object.insert("object_marking_refs".into(), json!([tlp.stix_marking_id()]));
        }
        object.insert("x_muninn_incident_date".into(), json!(self.date.to_string()));
        object.insert("x_muninn_incident_type".into(), json!(self.incident_type));
        let optional = [
            ("x_muninn_place", self.place.as_ref()),
            ("x_muninn_country", self.country.as_ref()),
            ("x_muninn_actor", self.actor.as_ref()),
            ("x_muninn_reference", self.reference.as_ref()),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                object.insert(key.into(), json!(value));
            }
        }
        if !self.targets.is_empty() {
            object.insert("x_muninn_targets".into(), json!(self.targets));
        }
        if let Some(casualties) = self.casualties {
            object.insert("x_muninn_casualties".into(), json!(casualties));
        }
        if let Some(actor) = &stamp.actor_ref {
            object.insert("x_muninn_actor_ref".into(), json!(actor.as_str()));
        }
        if !stamp.target_refs.is_empty() {
            let refs: Vec<&str> = stamp.target_refs.iter().map(StixId::as_str).collect();
            object.insert("x_muninn_target_refs".into(), json!(refs));
        }
        let text = Value::Object(object).to_string();
        // Every property above is checked by construction; the object parses.
        StixObject::from_json(&text)
            .unwrap_or_else(|error| unreachable!("an incident object is valid: {error}"))
    }
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A source as an external reference: a URL keeps its host as `source_name`; other text is a
/// `citation` with the text as its description.
fn external_reference(source: &str) -> Value {
    let lower = source.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !source.contains(char::is_whitespace)
    {
        let rest = source.split_once("://").map_or("", |(_, rest)| rest);
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = if host.is_empty() { "web" } else { host };
        return json!({"source_name": host, "url": source});
    }
    // STIX requires an external reference to carry an id, a URL or a description.
    json!({"source_name": "citation", "description": source})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> StixTimestamp {
        StixTimestamp::parse("2025-01-01T00:00:00Z").expect("timestamp")
    }

    fn fields(date: &str, kind: &str) -> IncidentFields {
        IncidentFields { date: date.into(), incident_type: kind.into(), ..IncidentFields::default() }
    }

    /// Each bad record and the error it gets.
    #[test]
    fn bad_records_name_the_field() {
        let cases: Vec<(IncidentFields, &str)> = vec![
            (fields("", "bombing"), "date: missing (every incident needs a date)"),
            (fields("2024-02-30", "bombing"), "date: \"2024-02-30\" is not a date (YYYY-MM-DD) or timestamp"),
            (fields("03/02/2024", "bombing"), "date: \"03/02/2024\" is not a date"),
            (fields("2026-01-01", "bombing"), "date: \"2026-01-01\" is in the future"),
            (fields("2024-02-03", " "), "type: missing"),
            (
                IncidentFields { country: "Atlantis".into(), ..fields("2024-02-03", "bombing") },
                "country: \"Atlantis\" is not an ISO 3166-1 country (an alpha-2 code such as UA",
            ),
            (
                IncidentFields { country: "XE".into(), ..fields("2024-02-03", "bombing") },
                "country: \"XE\" is not an ISO 3166-1 country",
            ),
            (
                IncidentFields { casualties: "-3".into(), ..fields("2024-02-03", "bombing") },
                "casualties: \"-3\" is not a whole number",
            ),
            (
                IncidentFields { casualties: "about 10".into(), ..fields("2024-02-03", "bombing") },
                "casualties: \"about 10\" is not a whole number",
            ),
            (IncidentFields { tlp: "purple".into(), ..fields("2024-02-03", "bombing") }, "tlp: "),
            (
                IncidentFields {
                    id: "malware--6b616fc1-1505-48e3-8b2c-0d19337bff38".into(),
                    ..fields("2024-02-03", "x")
                },
                "id: \"malware--6b616fc1-1505-48e3-8b2c-0d19337bff38\" is a STIX id of another type",
            ),
            (
                IncidentFields { place: "a\u{0}b".into(), ..fields("2024-02-03", "x") },
                "place: holds control characters",
            ),
        ];
        for (record, expected) in cases {
            let error = Incident::parse(&record, now()).expect_err(expected).to_string();
            assert!(error.starts_with(expected), "{record:?}: {error:?} does not start with {expected:?}");
        }
    }

    /// Each way of writing a country and what the incident keeps: the alpha-2 code.
    #[test]
    fn countries_are_kept_as_iso_alpha2() {
        let cases = [
            ("ua", Some("UA")),
            ("UKR", Some("UA")),
            ("Ukraine", Some("UA")),
            ("  mali ", Some("ML")),
            ("Iran (Islamic Republic of)", Some("IR")),
            ("", None),
        ];
        for (written, kept) in cases {
            let record = IncidentFields { country: written.into(), ..fields("2024-02-03", "bombing") };
            let incident = Incident::parse(&record, now()).expect(written);
            assert_eq!(incident.country.as_deref(), kept, "{written:?}");
        }
    }

    #[test]
    fn an_incident_becomes_a_stix_incident_with_documented_properties() {
        let record = IncidentFields {
            id: "INC-1".into(),
            date: "2024-02-03".into(),
            place: "Kramatorsk".into(),
            country: "ua".into(),
            actor: "Sandworm Team".into(),
            targets: "power grid | rail depot|power grid".into(),
            incident_type: "sabotage".into(),
            casualties: "2".into(),
            narrative: "Substation damaged.".into(),
            sources: "https://example.org/report?id=1|Field report 17".into(),
            tlp: "green".into(),
            ..IncidentFields::default()
        };
        let incident = Incident::parse(&record, now()).expect("valid");
        assert_eq!(incident.name, "sabotage in Kramatorsk, 2024-02-03");
        assert_eq!(incident.targets, ["power grid", "rail depot"]);
        // The same reference gives the same id, whatever else changes.
        let edited = Incident::parse(&IncidentFields { narrative: "Other".into(), ..record.clone() }, now());
        assert_eq!(edited.expect("valid").id, incident.id);
        let actor = StixId::parse("intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c").expect("id");
        let stamp =
            IncidentStamp { tlp: Some(Tlp::Green), actor_ref: Some(actor), ..IncidentStamp::default() };
        let object = incident.to_stix(&stamp);
        let value: Value = serde_json::from_str(object.json()).expect("json");
        assert_eq!(value["created"], "2024-02-03T00:00:00.000Z");
        assert_eq!(value["x_muninn_country"], "UA");
        assert_eq!(value["x_muninn_casualties"], 2);
        assert_eq!(value["x_muninn_reference"], "INC-1");
        assert_eq!(
            value["external_references"][0],
            json!({"source_name": "example.org", "url": "https://example.org/report?id=1"})
        );
        assert_eq!(
            value["external_references"][1],
            json!({"source_name": "citation", "description": "Field report 17"})
        );
        assert_eq!(object.tlp(), Some(Tlp::Green));
        assert_eq!(object.refs().len(), 1, "the actor is an edge of the graph");
    }
}
