//! The reports of a STIX bundle as text: what a partner's bundle says, for ingest to make items
//! of (searched, screened, extracted like any other material), beside the objects the knowledge
//! base keeps.
//!
//! A `report` becomes its name and description followed by one line per object it refers to
//! that the bundle carries (`indicator: NAME [PATTERN]`, `intrusion-set: NAME`,
//! `ipv4-addr: VALUE`...), so the indicators and names in a report are in its text; a `note`
//! becomes its abstract and content. Markings: the most restrictive canonical TLP of the object;
//! a marking that is neither a canonical TLP nor a statement the bundle defines makes the text
//! RED (an unknown marking is the most restrictive label, never no label).

use std::collections::HashMap;

use muninn_model::Tlp;
use serde_json::Value;

use crate::import::{ImportConfig, check_raw, read_bundle};
use crate::marking::canonical_tlp;
use crate::{StixError, StixObject};

/// The text of one report or note of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText {
    /// The object's id.
    pub id: String,
    /// Its name (a note: its abstract, else the start of its content).
    pub title: String,
    /// Its text, then the objects it refers to, a line each.
    pub body: String,
    /// `published` (a report), else `created`, as written.
    pub published: Option<String>,
    /// The most restrictive TLP of its markings (RED for a marking not understood).
    pub tlp: Option<Tlp>,
    /// Its `lang`, if given.
    pub lang: Option<String>,
}

/// An object of the bundle that has no text (it failed its checks), by position.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedObject {
    /// Its position in `objects`.
    pub index: usize,
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// Why.
    pub error: StixError,
}

/// The reports and notes of a bundle as text, in bundle order, and the reports and notes that
/// failed their checks. `Err` only when the bundle itself cannot be read.
pub fn report_texts(
    bytes: &[u8],
    config: &ImportConfig,
) -> Result<(Vec<ReportText>, Vec<SkippedObject>), StixError> {
    let bundle = read_bundle(bytes, config)?;
    let mut objects: Vec<(StixObject, Value)> = Vec::with_capacity(bundle.objects.len());
    let mut skipped = Vec::new();
    for (index, raw) in bundle.objects.iter().enumerate() {
        match check_raw(raw, config) {
            (_, Ok(object)) => {
                let value = serde_json::from_str(object.json()).unwrap_or(Value::Null);
                objects.push((object, value));
            }
            (id, Err(error)) => {
                // Only refused reports and notes concern the text; their type is read leniently,
                // as the import's report reads a refused object's id.
                let kind = serde_json::from_str::<Value>(raw.get())
                    .ok()
                    .and_then(|value| value.get("type").and_then(Value::as_str).map(str::to_owned));
                if matches!(kind.as_deref(), Some("report" | "note")) {
                    skipped.push(SkippedObject { index, id, error });
                }
            }
        }
    }
    let by_id: HashMap<&str, &(StixObject, Value)> =
        objects.iter().map(|entry| (entry.0.id().as_str(), entry)).collect();
    let statements: Vec<&str> = objects
        .iter()
        .filter(|(object, value)| {
            object.object_type() == "marking-definition"
                && value.get("definition_type").and_then(Value::as_str) == Some("statement")
        })
        .map(|(object, _)| object.id().as_str())
        .collect();
    let mut texts = Vec::new();
    for (object, value) in &objects {
        let kind = object.object_type();
        if (kind != "report" && kind != "note") || object.revoked() {
            continue;
        }
        let field =
            |name: &str| value.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let (title, text) = if kind == "report" {
            (field("name").unwrap_or("").to_owned(), field("description").unwrap_or("").to_owned())
        } else {
            let content = field("content").unwrap_or("");
            let title = field("abstract").map_or_else(|| content.chars().take(80).collect(), str::to_owned);
            (title, content.to_owned())
        };
        let mut body = text;
        let refs = value
            .get("object_refs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for reference in refs {
            if let Some(line) = by_id.get(reference).and_then(|(target, value)| describe(target, value)) {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(&line);
            }
        }
        let understood = |id: &str| canonical_tlp(id).is_some() || statements.contains(&id);
        let tlp = if object.marking_refs().any(|id| !understood(id.as_str())) {
            Some(Tlp::Red)
        } else {
            object.tlp()
        };
        texts.push(ReportText {
            id: object.id().to_string(),
            title,
            body,
            published: field("published").or_else(|| field("created")).map(str::to_owned),
            tlp,
            lang: field("lang").map(str::to_owned),
        });
    }
    Ok((texts, skipped))
}

/// One line for an object a report refers to: its type and what names it.
fn describe(object: &StixObject, value: &Value) -> Option<String> {
    let kind = object.object_type();
    let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    match kind {
        "indicator" => {
            let pattern = field("pattern")?;
            Some(match field("name") {
                Some(name) => format!("indicator: {name} {pattern}"),
                None => format!("indicator: {pattern}"),
            })
        }
        "relationship" | "sighting" | "marking-definition" => None,
        _ => field("name").or_else(|| field("value")).map(|name| format!("{kind}: {name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

    fn bundle(objects: &[Value]) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": objects
        }))
        .expect("json")
    }

    #[test]
    fn a_report_reads_as_its_text_and_what_it_refers_to() {
        let indicator = serde_json::json!({
            "type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "C2",
            "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": "2026-01-02T00:00:00Z"
        });
        let actor = serde_json::json!({
            "type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c",
            "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "APT28"
        });
        let report = serde_json::json!({
            "type": "report", "spec_version": "2.1", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
            "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "Lure wave",
            "description": "Lures reached ministries.", "published": "2026-01-02T10:00:00Z",
            "object_refs": [indicator["id"], actor["id"], "identity--00000000-0000-4000-8000-000000000000"],
            "object_marking_refs": [GREEN]
        });
        let unknown_marking = serde_json::json!({
            "type": "note", "spec_version": "2.1", "id": "note--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
            "created": "2026-01-03T00:00:00.000Z", "modified": "2026-01-03T00:00:00.000Z",
            "content": "Seen again.", "object_refs": [actor["id"]],
            "object_marking_refs": ["marking-definition--11111111-1111-4111-8111-111111111111"]
        });
        let broken = serde_json::json!({"type": "report", "id": "report--not-a-uuid"});
        let (texts, skipped) = report_texts(
            &bundle(&[indicator, actor, report, unknown_marking, broken]),
            &ImportConfig::default(),
        )
        .expect("reads");
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[0].title, "Lure wave");
        assert_eq!(
            texts[0].body,
            "Lures reached ministries.\nindicator: C2 [ipv4-addr:value = '198.51.100.7']\nintrusion-set: APT28"
        );
        assert_eq!(texts[0].tlp, Some(Tlp::Green));
        assert_eq!(texts[0].published.as_deref(), Some("2026-01-02T10:00:00Z"));
        assert_eq!(texts[1].title, "Seen again.");
        assert_eq!(texts[1].tlp, Some(Tlp::Red), "an unknown marking is the most restrictive");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].index, 4);
        assert!(report_texts(b"[1, 2]", &ImportConfig::default()).is_err());
    }
}
