//! The body of an add request: checked as text (UTF-8, nesting, surrogate escapes), read as a
//! TAXII envelope, and each object checked by `muninn_stix`.

use muninn_stix::{ImportConfig, ImportReport, NoObjects};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::MAX_OBJECTS_PER_REQUEST;
use crate::body::{MAX_JSON_DEPTH, check_depth};
use crate::error::{ApiError, ApiResult};

/// Largest JSON text of one object: a larger one is refused on its own (a failure in the
/// status), the others proceed.
pub const MAX_OBJECT_BYTES: usize = 1 << 20;

/// The envelope's fields. Unknown fields are ignored; a repeated field is refused.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    objects: Option<Vec<&'a RawValue>>,
}

/// Checks the body as text (UTF-8, nesting, escapes), reads the envelope and checks each
/// object with `muninn_stix`. Returns the report and, per object, the version it claims (for
/// the status of refused objects).
pub(crate) fn check_envelope(bytes: &[u8]) -> ApiResult<(ImportReport, Vec<String>)> {
    let text = std::str::from_utf8(bytes).map_err(|error| {
        ApiError::BadRequest(format!("the body is not UTF-8 (at byte {})", error.valid_up_to()))
    })?;
    check_depth(bytes, MAX_JSON_DEPTH).map_err(|offset| {
        ApiError::BadRequest(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels (at byte {offset})"))
    })?;
    if let Some(offset) = lone_surrogate(bytes) {
        return Err(ApiError::BadRequest(format!("unpaired UTF-16 surrogate escape at byte {offset}")));
    }
    // serde would also read a struct from an array; an envelope is a JSON object.
    if !text.trim_start().starts_with('{') {
        return Err(ApiError::BadRequest("a TAXII envelope is a JSON object".to_owned()));
    }
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|error| {
        let message = error.to_string();
        let message = message.rfind(" at line ").map_or(message.as_str(), |cut| &message[..cut]);
        ApiError::BadRequest(format!(
            "invalid TAXII envelope at line {} column {}: {message}",
            error.line(),
            error.column()
        ))
    })?;
    let objects = envelope.objects.unwrap_or_default();
    if objects.len() > MAX_OBJECTS_PER_REQUEST {
        return Err(ApiError::TooManyObjects { limit: MAX_OBJECTS_PER_REQUEST });
    }
    let versions = objects.iter().map(|raw| claimed_version(raw.get())).collect();
    let mut bundle = String::with_capacity(text.len() + 80);
    bundle.push_str(r#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":["#);
    for (index, raw) in objects.iter().enumerate() {
        if index > 0 {
            bundle.push(',');
        }
        bundle.push_str(raw.get());
    }
    bundle.push_str("]}");
    let config = ImportConfig { max_objects: MAX_OBJECTS_PER_REQUEST, max_object_bytes: MAX_OBJECT_BYTES };
    let report = muninn_stix::import_bundle(bundle.as_bytes(), &NoObjects, &config)
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    Ok((report, versions))
}

/// The `modified` (else `created`) an object claims, read leniently (for the status only).
fn claimed_version(text: &str) -> String {
    let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    ["modified", "created"]
        .iter()
        .find_map(|key| value.get(key).and_then(Value::as_str))
        .map(|version| version.chars().take(64).collect())
        .unwrap_or_default()
}

/// The byte offset of the first `\uXXXX` escape that is half of a UTF-16 surrogate pair
/// without its other half (serde_json refuses these only where it decodes strings).
pub(crate) fn lone_surrogate(bytes: &[u8]) -> Option<usize> {
    let hex = |at: usize| -> Option<u32> {
        let digits = bytes.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u');
    let mut in_string = false;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if !in_string {
            in_string = byte == b'"';
            at += 1;
            continue;
        }
        match byte {
            b'"' => in_string = false,
            b'\\' if bytes.get(at + 1) == Some(&b'u') => {
                // A malformed escape ends the search: the JSON parser refuses it anyway.
                let code = hex(at + 2)?;
                if (0xDC00..=0xDFFF).contains(&code) {
                    return Some(at);
                }
                if (0xD800..=0xDBFF).contains(&code) {
                    let low = if escape_at(at + 6) { hex(at + 8) } else { None };
                    if !low.is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) {
                        return Some(at);
                    }
                    at += 12;
                    continue;
                }
                at += 6;
                continue;
            }
            b'\\' => {
                at += 2;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_are_found_and_pairs_pass() {
        assert_eq!(lone_surrogate(br#"{"a": "\ud83d\ude00"}"#), None);
        assert_eq!(lone_surrogate(br#"{"a": "\ud800"}"#), Some(7));
        assert_eq!(lone_surrogate(br#"{"a": "x\udc00"}"#), Some(8));
        assert_eq!(lone_surrogate(br#"{"a": "\ud800\u0041"}"#), Some(7));
        assert_eq!(lone_surrogate(br#"{"a": "\\ud800"}"#), None);
        assert_eq!(lone_surrogate(br#"{"\ud800": 1}"#), Some(2));
        assert_eq!(lone_surrogate(br#"["\u00e9", "\uD83D\uDE00"]"#), None);
    }
}
