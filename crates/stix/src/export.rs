//! Bundle export: objects written back as the exact JSON they came in, plus the marking
//! definitions they reference.

use std::collections::HashSet;

use crate::id::StixId;
use crate::import::KnownObjects;
use crate::marking::canonical_definition;
use crate::object::StixObject;

/// An exported bundle.
#[derive(Debug, Clone)]
pub struct ExportedBundle {
    /// The bundle's id (`bundle--` and a version 4 UUID).
    pub id: StixId,
    /// The bundle's JSON text.
    pub json: String,
    /// Objects written, marking definitions included.
    pub object_count: usize,
    /// Marking definitions referenced but found neither built in nor in `known`: the objects are
    /// exported, and a receiver will hold them as the most restrictive.
    pub missing_markings: Vec<String>,
}

/// Writes a STIX 2.1 bundle of `objects` (each (id, version) once, in the order given). The
/// marking definitions they reference are added: canonical TLP 1.0 and 2.0 definitions from the
/// built-in table (never from input), others from `known` (their latest version). `random` is
/// the bundle UUID's randomness: the caller owns it, so the function stays pure.
pub fn export_bundle(objects: &[&StixObject], known: &dyn KnownObjects, random: [u8; 16]) -> ExportedBundle {
    let id = StixId::bundle_v4(random);
    let mut written: HashSet<(&str, Option<crate::StixTimestamp>)> = HashSet::new();
    let mut texts: Vec<String> = Vec::new();
    let mut marking_ids: Vec<&str> = Vec::new();
    let mut ids_written: HashSet<&str> = HashSet::new();
    let mut json_len = 0;
    for object in objects {
        if !written.insert((object.id().as_str(), object.version())) {
            continue;
        }
        ids_written.insert(object.id().as_str());
        json_len += object.json().len() + 2;
        for marking in object.marking_refs() {
            if !marking_ids.contains(&marking.as_str()) {
                marking_ids.push(marking.as_str());
            }
        }
    }
    let mut missing_markings = Vec::new();
    for marking in &marking_ids {
        if ids_written.contains(marking) {
            continue;
        }
        if let Some(definition) = canonical_definition(marking) {
            texts.push(definition.to_string());
        } else if let Some(json) =
            known.latest(marking).and_then(|latest| known.version_json(marking, latest.version))
        {
            texts.push(json);
        } else {
            missing_markings.push((*marking).to_owned());
        }
    }
    let mut json = String::with_capacity(json_len + texts.iter().map(String::len).sum::<usize>() + 128);
    json.push_str("{\"type\":\"bundle\",\"id\":\"");
    json.push_str(id.as_str());
    json.push_str("\",\"objects\":[");
    let mut first = true;
    let mut seen: HashSet<(&str, Option<crate::StixTimestamp>)> = HashSet::new();
    let object_texts = objects.iter().filter(|object| seen.insert((object.id().as_str(), object.version())));
    let all = texts.iter().map(String::as_str).chain(object_texts.map(|object| object.json()));
    let mut object_count = 0;
    for text in all {
        if !first {
            json.push(',');
        }
        first = false;
        json.push('\n');
        json.push_str(text.trim());
        object_count += 1;
    }
    json.push_str("\n]}\n");
    ExportedBundle { id, json, object_count, missing_markings }
}
