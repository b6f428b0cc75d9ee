//! JSON Lines: one object per line. Conventional keys fill the record (see `fields.rs`); the
//! others are kept as attributes.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::readers::ReadContext;
use crate::readers::fields::{self, Target};
use crate::{Diagnostic, Location, Record};

/// A JSON object whose keys are unique: a repeated key is refused, never "last one wins".
struct StrictObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StrictObject, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = StrictObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictObject, A::Error> {
                let mut entries: Vec<(String, Value)> = Vec::new();
                while let Some((key, value)) = access.next_entry::<String, Value>()? {
                    if entries.iter().any(|(existing, _)| *existing == key) {
                        return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
                    }
                    entries.push((key, value));
                }
                Ok(StrictObject(entries))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

pub(crate) fn parse_line(
    context: &ReadContext,
    line: u64,
    offset: u64,
    bytes: &[u8],
) -> Option<Result<Record, Diagnostic>> {
    let location = Location::Line { line, offset };
    let reject = |message: String| Some(Err(Diagnostic::new(&context.input, location.clone(), message)));
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return None;
    }
    // Checked once, with SIMD; serde_json then parses the `str` without checking each string
    // again (the two checks were a visible share of a screened feed's parsing).
    let text = match simdutf8::compat::from_utf8(trimmed) {
        Ok(text) => text,
        Err(error) => {
            return reject(format!(
                "invalid UTF-8 at byte {} of the line; JSON Lines must be UTF-8",
                error.valid_up_to()
            ));
        }
    };
    let object = match serde_json::from_str::<StrictObject>(text) {
        Ok(object) => object,
        Err(error) => {
            return reject(format!("malformed JSON at column {}: {error}", error.column()));
        }
    };
    let keys: Vec<&str> = object.0.iter().map(|(key, _)| key.as_str()).collect();
    let mapped = fields::resolve(&context.fields, &keys);
    let mut record = Record::default();
    let mut has_body = false;
    for (index, (key, value)) in object.0.iter().enumerate() {
        let Some((target, _)) = mapped.iter().find(|(_, position)| *position == index) else {
            record.attributes.insert(key.clone(), value.clone());
            continue;
        };
        // Borrowed: `fields::assign` copies what it keeps.
        let text: std::borrow::Cow<'_, str> = match (target, value) {
            (_, Value::String(text)) => text.as_str().into(),
            (Target::EventTime, Value::Number(number)) => number.to_string().into(),
            (_, Value::Null) => continue,
            (_, other) => {
                return reject(format!("field {key:?} must be a string, found {}", kind_of(other)));
            }
        };
        if text.len() > context.limits.max_field_bytes {
            return reject(format!(
                "field {key:?} is {} bytes, over the field limit of {} bytes (--max-field-bytes)",
                text.len(),
                context.limits.max_field_bytes
            ));
        }
        has_body |= *target == Target::Body;
        if let Err(message) = fields::assign(&mut record, *target, key, &text) {
            return reject(message);
        }
    }
    if !has_body || record.body.trim().is_empty() {
        return reject(format!(
            "no text: none of the keys {keys:?} is a body field (body, text, content, ...); map one with --map body=KEY"
        ));
    }
    record.raw = Some((trimmed.to_vec(), "application/json"));
    Some(Ok(record))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
