//! MISP galaxy clusters (`clusters/threat-actor.json` and the like): `{"name", "type",
//! "values": [{"value", "uuid", "description", "meta": {"synonyms", "country", ...}}]}`.

use serde_json::Value;

use crate::import::{AliasSet, IdSet, ImportError, ImportWarning, Imported, MAX_NOTE_CHARS, clip, utf8_text};
use crate::watchlist::{Entry, EntryKind, Severity};

const EXPECTED: &str = "a MISP galaxy cluster file";

/// Reads a MISP galaxy cluster file. One `Name` entry per value: id = its uuid (else the value
/// itself), name = the value, aliases = `meta.synonyms`, note = the galaxy, `meta.country` and
/// the first sentence of the description; severity medium. A value without a name, or with an
/// id taken by an earlier one, is left out with a warning. Malformed JSON, or JSON without a
/// `values` array, is an error.
pub fn misp_galaxy(json: &[u8]) -> Result<Imported, ImportError> {
    let text = utf8_text(json)?;
    let document: Value = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let position = format!(" at line {} column {}", error.line(), error.column());
        let message = message.strip_suffix(&position).unwrap_or(&message).to_owned();
        ImportError::Json { line: error.line() as u64, column: error.column() as u64, message }
    })?;
    let Value::Object(galaxy) = &document else {
        return Err(ImportError::WrongShape {
            expected: EXPECTED,
            message: format!(
                "the top level is {}, not an object with a \"values\" array",
                type_name(&document)
            ),
        });
    };
    let values = match galaxy.get("values") {
        Some(Value::Array(values)) => values,
        Some(other) => {
            return Err(ImportError::WrongShape {
                expected: EXPECTED,
                message: format!("\"values\" is {}, not an array", type_name(other)),
            });
        }
        None => {
            return Err(ImportError::WrongShape {
                expected: EXPECTED,
                message: "the top-level object has no \"values\" array".to_owned(),
            });
        }
    };
    let galaxy_name = galaxy.get("name").and_then(Value::as_str).unwrap_or("MISP galaxy");
    let mut imported = Imported::default();
    let mut ids = IdSet::default();
    for (index, value) in values.iter().enumerate() {
        let label = match value.get("value").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() => format!("values[{index}] {:?}", name.trim()),
            _ => format!("values[{index}]"),
        };
        let mut warn =
            |message: String| imported.warnings.push(ImportWarning { record: label.clone(), message });
        match cluster(galaxy_name, value, &mut warn) {
            Ok(entry) if !ids.take(&entry.id) => {
                warn(format!("id {:?} is already taken by an earlier value; the value is left out", entry.id))
            }
            Ok(entry) => imported.entries.push(entry),
            Err(message) => warn(format!("{message}; the value is left out")),
        }
    }
    Ok(imported)
}

fn cluster(galaxy: &str, value: &Value, warn: &mut impl FnMut(String)) -> Result<Entry, String> {
    if !value.is_object() {
        return Err(format!("it is {}, not an object", type_name(value)));
    }
    let name = match value.get("value") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim(),
        Some(Value::String(_)) | None => return Err("no \"value\" (the cluster's name)".to_owned()),
        Some(other) => return Err(format!("\"value\" is {}, not a string", type_name(other))),
    };
    let id = match value.get("uuid").and_then(Value::as_str).map(str::trim) {
        Some(uuid) if !uuid.is_empty() => uuid.to_owned(),
        _ => name.to_owned(),
    };
    let meta = value.get("meta");
    let mut aliases = AliasSet::new(name);
    match meta.and_then(|meta| meta.get("synonyms")) {
        None | Some(Value::Null) => {}
        Some(Value::Array(synonyms)) => {
            for synonym in synonyms {
                match synonym {
                    Value::String(synonym) => aliases.add(synonym),
                    other => warn(format!("a synonym is {}, not a string; it is ignored", type_name(other))),
                }
            }
        }
        Some(Value::String(synonym)) => aliases.add(synonym),
        Some(other) => warn(format!("meta.synonyms is {}, not a list; it is ignored", type_name(other))),
    }
    let mut note = galaxy.to_owned();
    match meta.and_then(|meta| meta.get("country")) {
        Some(Value::String(country)) if !country.trim().is_empty() => {
            note.push_str(", country ");
            note.push_str(country.trim());
        }
        _ => {}
    }
    let description = value.get("description").and_then(Value::as_str).unwrap_or("");
    let sentence = clip(first_sentence(description), MAX_NOTE_CHARS);
    if !sentence.is_empty() {
        note.push_str(": ");
        note.push_str(&sentence);
    }
    Ok(Entry {
        id,
        kind: EntryKind::Name { name: name.to_owned(), aliases: aliases.into_vec() },
        severity: Severity::Medium,
        note,
    })
}

/// Up to and including the first `.`, `!` or `?` followed by whitespace (or the end).
fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    let mut characters = text.char_indices().peekable();
    while let Some((index, character)) = characters.next() {
        let ends = matches!(character, '.' | '!' | '?')
            && characters.peek().is_none_or(|(_, next)| next.is_whitespace());
        if ends {
            return &text[..index + character.len_utf8()];
        }
    }
    text
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(first_sentence("APT1 is a group. It hacks."), "APT1 is a group.");
        assert_eq!(first_sentence("Version 2.0 of it"), "Version 2.0 of it");
        assert_eq!(first_sentence("  "), "");
    }
}
