//! Mapping named fields (JSON keys, CSV columns) to record fields, shared by the JSON Lines and
//! CSV readers.

use jiff::Timestamp;
use muninn_model::{AdmiraltyGrade, Tlp};

use crate::Record;

/// The record fields a key can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Title,
    Body,
    EventTime,
    Language,
    Tlp,
    Grade,
    Source,
}

const DEFAULT_NAMES: [(Target, &[&str]); 7] = [
    (Target::Title, &["title", "subject", "headline", "name"]),
    (Target::Body, &["body", "text", "content", "description", "message", "summary"]),
    (
        Target::EventTime,
        &["event_time", "published", "date", "time", "timestamp", "created", "sent", "pubdate"],
    ),
    (Target::Language, &["lang", "language"]),
    (Target::Tlp, &["tlp", "marking"]),
    (Target::Grade, &["grade", "admiralty"]),
    (Target::Source, &["source"]),
];

/// Which key fills which field: the user's mapping first, then the conventional names.
pub(crate) fn resolve(map: &FieldMap, keys: &[&str]) -> Vec<(Target, usize)> {
    let mut resolved = Vec::new();
    for (target, defaults) in DEFAULT_NAMES {
        let wanted = map.get(target);
        let position = match wanted {
            Some(name) => keys.iter().position(|key| *key == name),
            None => {
                defaults.iter().find_map(|name| keys.iter().position(|key| key.eq_ignore_ascii_case(name)))
            }
        };
        if let Some(position) = position {
            resolved.push((target, position));
        }
    }
    resolved
}

/// Parses the time formats feeds and exports use: RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`
/// (taken as UTC) and Unix seconds.
pub(crate) fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    if let Ok(zoned) = jiff::fmt::rfc2822::parse(text) {
        return Some(zoned.timestamp());
    }
    if let Ok(datetime) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::TimeZone::UTC.to_timestamp(datetime).ok();
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return jiff::tz::TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).ok();
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Timestamp::from_second(seconds).ok();
    }
    None
}

/// Puts a text value into its record field. Errors name the field and the value.
pub(crate) fn assign(record: &mut Record, target: Target, key: &str, value: &str) -> Result<(), String> {
    match target {
        Target::Title => record.title = non_empty(value),
        Target::Body => record.body = value.to_owned(),
        Target::EventTime => {
            if !value.trim().is_empty() {
                match parse_time(value) {
                    Some(time) => record.event_time = Some(time),
                    None => {
                        record.attributes.insert(key.to_owned(), serde_json::Value::String(value.to_owned()));
                    }
                }
            }
        }
        Target::Language => record.language = non_empty(value),
        Target::Tlp => {
            if !value.trim().is_empty() {
                record.tlp = Some(value.parse::<Tlp>().map_err(|error| format!("field {key:?}: {error}"))?);
            }
        }
        Target::Grade => {
            if !value.trim().is_empty() {
                record.grade =
                    Some(value.parse::<AdmiraltyGrade>().map_err(|error| format!("field {key:?}: {error}"))?);
            }
        }
        Target::Source => record.source = non_empty(value),
    }
    Ok(())
}

fn non_empty(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The user's mapping from record fields to input keys (`--map title=headline,body=text`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {
    entries: Vec<(Target, String)>,
}

impl FieldMap {
    pub(crate) fn get(&self, target: Target) -> Option<&str> {
        self.entries.iter().find(|(t, _)| *t == target).map(|(_, name)| name.as_str())
    }
}

impl std::str::FromStr for FieldMap {
    type Err = String;

    /// Parses `field=key` pairs separated by commas. Fields: title, body, event_time, lang, tlp,
    /// grade, source.
    fn from_str(text: &str) -> Result<FieldMap, String> {
        let mut map = FieldMap::default();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, key) = pair
                .split_once('=')
                .ok_or_else(|| format!("mapping {pair:?} is not of the form field=key"))?;
            let target = match field.trim() {
                "title" => Target::Title,
                "body" => Target::Body,
                "event_time" | "date" => Target::EventTime,
                "lang" | "language" => Target::Language,
                "tlp" => Target::Tlp,
                "grade" => Target::Grade,
                "source" => Target::Source,
                other => {
                    return Err(format!(
                        "unknown field {other:?} in mapping: expected title, body, event_time, lang, tlp, grade or source"
                    ));
                }
            };
            map.entries.retain(|(t, _)| *t != target);
            map.entries.push((target, key.trim().to_owned()));
        }
        Ok(map)
    }
}
