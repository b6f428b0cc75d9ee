//! Markings: the canonical TLP 1.0 and 2.0 marking definitions (built in, never taken from
//! input), the check that refuses forged redefinitions, and granular-marking selectors.

use muninn_model::{TLP1_MARKING_IDS, TLP2_EXTENSION_ID, TLP2_MARKING_IDS, Tlp};
use serde_json::{Map, Value, json};

use crate::StixError;
use crate::timestamp::StixTimestamp;

/// `created` of the TLP 1.0 definitions (STIX 2.1 §7.2.1.4).
const TLP1_CREATED: &str = "2017-01-20T00:00:00.000Z";
/// `created` of the TLP 2.0 definitions (OASIS `cti-stix-common-objects`).
const TLP2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// Most selectors accepted in one object's granular markings: bounded work on hostile input.
pub const MAX_SELECTORS: usize = 1000;

/// The TLP a canonical TLP 1.0 or 2.0 marking-definition id stands for.
pub fn canonical_tlp(id: &str) -> Option<Tlp> {
    Tlp::from_stix_marking_id(id).ok()
}

/// The canonical marking-definition object for a canonical TLP id, as OASIS publishes it.
pub fn canonical_definition(id: &str) -> Option<Value> {
    if let Some((tlp, _)) = TLP2_MARKING_IDS.iter().find(|(_, known)| *known == id) {
        return Some(json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": id,
            "created": TLP2_CREATED,
            "name": tlp.label(),
            "extensions": {
                TLP2_EXTENSION_ID: { "extension_type": "property-extension", "tlp_2_0": tlp.short() }
            }
        }));
    }
    let (name, _, _) = TLP1_MARKING_IDS.iter().find(|(_, known, _)| *known == id)?;
    Some(json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": TLP1_CREATED,
        "definition_type": "tlp",
        "name": format!("TLP:{name}"),
        "definition": { "tlp": name.to_ascii_lowercase() }
    }))
}

/// Refuses an object that uses a canonical TLP id with content other than the canonical
/// definition's. Every property given must equal the canonical one (timestamps compared as
/// instants), and the TLP-bearing properties must be present.
pub(crate) fn check_canonical(id: &str, object: &Map<String, Value>) -> Result<(), StixError> {
    let (Some(tlp), Some(Value::Object(canonical))) = (canonical_tlp(id), canonical_definition(id)) else {
        return Ok(());
    };
    let forged = |reason: String| StixError::ForgedTlpMarking { label: tlp.label(), reason };
    for (key, value) in object {
        let Some(expected) = canonical.get(key) else {
            return Err(forged(format!(
                "property {:?} is not in the canonical definition",
                crate::error::quote(key)
            )));
        };
        let same = match (key.as_str(), value, expected) {
            ("created", Value::String(given), Value::String(wanted)) => {
                StixTimestamp::parse(given).ok() == StixTimestamp::parse(wanted).ok()
            }
            _ => value == expected,
        };
        if !same {
            return Err(forged(format!("property {key:?} differs from the canonical definition")));
        }
    }
    for required in ["definition", "extensions"] {
        if canonical.contains_key(required) && !object.contains_key(required) {
            return Err(forged(format!("property {required:?} is missing")));
        }
    }
    Ok(())
}

/// A marking definition that is not canonical but *looks* like TLP (a `tlp` definition type,
/// the TLP 2.0 extension, or a name beginning `TLP:`) carries no TLP meaning: only canonical ids
/// do. Returns the claimed label, for a warning.
pub(crate) fn tlp_lookalike(object: &Map<String, Value>) -> Option<String> {
    let named = object
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| name.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("tlp:")));
    let typed = object.get("definition_type").and_then(Value::as_str).filter(|kind| *kind == "tlp");
    let extended =
        object.get("extensions").and_then(Value::as_object).filter(|map| map.contains_key(TLP2_EXTENSION_ID));
    match (named, typed, extended) {
        (Some(name), _, _) => Some(crate::error::quote(name)),
        (None, Some(_), _) | (None, None, Some(_)) => Some("TLP".to_owned()),
        (None, None, None) => None,
    }
}

/// Resolves a granular-marking selector (`description`, `external_references.[0].url`) against
/// the object; the error says which step does not resolve.
pub(crate) fn resolve_selector(object: &Map<String, Value>, selector: &str) -> Result<(), String> {
    let mut segments = selector.split('.');
    let first = segments.next().unwrap_or_default();
    let Some(mut current) = object.get(first) else {
        return Err(format!(
            "selector {:?}: no property {:?}",
            crate::error::quote(selector),
            crate::error::quote(first)
        ));
    };
    for segment in segments {
        let next = match (segment.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')), current) {
            (Some(index), Value::Array(items)) => {
                index.parse::<usize>().ok().and_then(|index| items.get(index))
            }
            (None, Value::Object(map)) => map.get(segment),
            _ => None,
        };
        let Some(found) = next else {
            return Err(format!(
                "selector {:?} does not resolve at {:?}",
                crate::error::quote(selector),
                crate::error::quote(segment)
            ));
        };
        current = found;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_definitions_pass_their_own_check_and_forgeries_do_not() {
        for id in
            TLP2_MARKING_IDS.iter().map(|(_, id)| *id).chain(TLP1_MARKING_IDS.iter().map(|(_, id, _)| *id))
        {
            let Some(Value::Object(definition)) = canonical_definition(id) else {
                panic!("no canonical definition for {id}");
            };
            assert_eq!(check_canonical(id, &definition), Ok(()), "{id}");
        }
        let red = Tlp::Red.stix_marking_id();
        let Some(Value::Object(mut forged)) = canonical_definition(red) else { panic!("red") };
        forged.insert(
            "extensions".to_owned(),
            json!({ TLP2_EXTENSION_ID: { "extension_type": "property-extension", "tlp_2_0": "clear" } }),
        );
        assert_eq!(
            check_canonical(red, &forged).map_err(|error| error.to_string()),
            Err("forged redefinition of the canonical TLP:RED marking definition: property \"extensions\" differs from the canonical definition".to_owned())
        );
    }

    #[test]
    fn selectors_resolve_or_say_where_they_stop() {
        let Value::Object(object) = json!({"description": "x", "external_references": [{"url": "u"}]}) else {
            panic!("object")
        };
        assert_eq!(resolve_selector(&object, "external_references.[0].url"), Ok(()));
        assert_eq!(resolve_selector(&object, "description"), Ok(()));
        assert!(resolve_selector(&object, "external_references.[99999999999999999999].url").is_err());
        assert!(resolve_selector(&object, "external_references.[1]").is_err());
        assert!(resolve_selector(&object, "name").is_err());
        assert!(resolve_selector(&object, "description.[0]").is_err());
    }
}
