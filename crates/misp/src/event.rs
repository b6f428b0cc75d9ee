//! The MISP event structure, as MISP writes it (`{"Event": {...}}`): the fields Muninn uses;
//! other fields are ignored, duplicate keys refused.

use serde::Deserialize;

use crate::{MAX_ATTRIBUTES, MAX_VALUE_BYTES, MispError};

/// A MISP event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// Its UUID.
    pub uuid: String,
    /// Its title ("info").
    pub info: String,
    /// The day it is about (`YYYY-MM-DD`).
    #[serde(default)]
    pub date: Option<String>,
    /// Last change, seconds since the epoch (MISP writes it as a string).
    #[serde(default, deserialize_with = "number_or_string")]
    pub timestamp: Option<i64>,
    /// 1 high .. 4 undefined.
    #[serde(default)]
    pub threat_level_id: Option<String>,
    /// 0 initial, 1 ongoing, 2 completed.
    #[serde(default)]
    pub analysis: Option<String>,
    /// MISP distribution level (0 your organisation only .. 4 sharing group).
    #[serde(default, deserialize_with = "id_text")]
    pub distribution: Option<String>,
    /// A sharing group's id when distribution is 4.
    #[serde(default, deserialize_with = "id_text")]
    pub sharing_group_id: Option<String>,
    /// The creating organisation.
    #[serde(default, rename = "Orgc")]
    pub orgc: Option<Org>,
    /// Tags (TLP among them).
    #[serde(default, rename = "Tag")]
    pub tags: Vec<Tag>,
    /// Attributes.
    #[serde(default, rename = "Attribute")]
    pub attributes: Vec<Attribute>,
    /// Objects (grouped attributes).
    #[serde(default, rename = "Object")]
    pub objects: Vec<MispObject>,
    /// Galaxies with their clusters (threat actors, tools...).
    #[serde(default, rename = "Galaxy")]
    pub galaxies: Vec<Galaxy>,
    /// Sightings.
    #[serde(default, rename = "Sighting")]
    pub sightings: Vec<Sighting>,
}

/// An organisation.
#[derive(Debug, Clone, Deserialize)]
pub struct Org {
    /// Its name.
    pub name: String,
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
}

/// A tag.
#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    /// Its name (`tlp:amber`, `misp-galaxy:threat-actor="APT28"`...).
    pub name: String,
}

/// An attribute: one value with its type.
#[derive(Debug, Clone, Deserialize)]
pub struct Attribute {
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Its MISP type (`ip-dst`, `domain`, `sha256`, `url`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its category (`Network activity`, `Payload delivery`...).
    #[serde(default)]
    pub category: Option<String>,
    /// The value.
    pub value: String,
    /// Whether it is meant for detection.
    #[serde(default, deserialize_with = "bool_or_string")]
    pub to_ids: bool,
    /// A comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Last change, seconds since the epoch.
    #[serde(default, deserialize_with = "number_or_string")]
    pub timestamp: Option<i64>,
    /// Its own tags.
    #[serde(default, rename = "Tag")]
    pub tags: Vec<Tag>,
    /// Its own distribution level (5: as the event).
    #[serde(default, deserialize_with = "id_text")]
    pub distribution: Option<String>,
    /// Its sharing group's id when distribution is 4.
    #[serde(default, deserialize_with = "id_text")]
    pub sharing_group_id: Option<String>,
}

/// A MISP object: attributes that describe one thing together (a file, a domain-ip pair).
#[derive(Debug, Clone, Deserialize)]
pub struct MispObject {
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Its template name (`file`, `domain-ip`...).
    pub name: String,
    /// Its attributes.
    #[serde(default, rename = "Attribute")]
    pub attributes: Vec<Attribute>,
    /// References to other objects or attributes.
    #[serde(default, rename = "ObjectReference")]
    pub references: Vec<ObjectReference>,
    /// Its own distribution level (5: as the event).
    #[serde(default, deserialize_with = "id_text")]
    pub distribution: Option<String>,
    /// Its sharing group's id when distribution is 4.
    #[serde(default, deserialize_with = "id_text")]
    pub sharing_group_id: Option<String>,
}

/// A reference from an object.
#[derive(Debug, Clone, Deserialize)]
pub struct ObjectReference {
    /// The referenced object's or attribute's UUID.
    pub referenced_uuid: String,
    /// How they relate.
    pub relationship_type: String,
}

/// A galaxy attached to an event.
#[derive(Debug, Clone, Deserialize)]
pub struct Galaxy {
    /// Its type (`threat-actor`, `mitre-intrusion-set`...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its clusters.
    #[serde(default, rename = "GalaxyCluster")]
    pub clusters: Vec<GalaxyCluster>,
}

/// A galaxy cluster: a named thing with synonyms.
#[derive(Debug, Clone, Deserialize)]
pub struct GalaxyCluster {
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Its name.
    pub value: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// `synonyms`, `country`... (MISP keeps lists of strings).
    #[serde(default)]
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
}

impl GalaxyCluster {
    /// The cluster's synonyms.
    pub fn synonyms(&self) -> Vec<String> {
        self.meta
            .as_ref()
            .and_then(|meta| meta.get("synonyms"))
            .and_then(|value| value.as_array())
            .map(|values| values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// A sighting of an attribute.
#[derive(Debug, Clone, Deserialize)]
pub struct Sighting {
    /// The sighted attribute's UUID.
    #[serde(default)]
    pub attribute_uuid: Option<String>,
    /// When, seconds since the epoch.
    #[serde(default, deserialize_with = "number_or_string")]
    pub date_sighting: Option<i64>,
    /// 0 sighting, 1 false positive, 2 expiration.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    match Option::<Either>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Either::Number(n)) => Ok(Some(n)),
        Some(Either::Text(text)) if text.is_empty() => Ok(None),
        Some(Either::Text(text)) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// An id MISP writes as a string or a number, as text.
fn id_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(deserializer)? {
        None => None,
        Some(Either::Number(n)) => Some(n.to_string()),
        Some(Either::Text(text)) => Some(text),
    })
}

fn bool_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Number(i64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(deserializer)? {
        None => false,
        Some(Either::Bool(b)) => b,
        Some(Either::Number(n)) => n != 0,
        Some(Either::Text(text)) => matches!(text.as_str(), "1" | "true" | "True"),
    })
}

#[derive(Deserialize)]
struct Wrapped {
    #[serde(rename = "Event")]
    event: Event,
}

/// Parses MISP event JSON (`{"Event": {...}}`, or the bare event) and checks its limits.
pub fn parse_event(bytes: &[u8]) -> Result<Event, MispError> {
    let text =
        std::str::from_utf8(bytes).map_err(|error| MispError::Json(format!("invalid UTF-8: {error}")))?;
    let trimmed = text.trim_start();
    let event = if trimmed.starts_with('{') && trimmed[1..].trim_start().starts_with("\"Event\"") {
        serde_json::from_str::<Wrapped>(text).map(|w| w.event)
    } else {
        serde_json::from_str::<Event>(text)
    }
    .map_err(|error| MispError::Json(error.to_string()))?;
    if event.uuid.trim().is_empty() {
        return Err(MispError::Invalid { field: "uuid".to_owned(), problem: "empty".to_owned() });
    }
    // The date becomes the STIX report's `published`: refuse what is not a calendar date rather
    // than write an impossible timestamp.
    if let Some(date) = &event.date
        && (date.len() != 10 || date.parse::<jiff::civil::Date>().is_err())
    {
        return Err(MispError::Invalid {
            field: "date".to_owned(),
            problem: format!("{date:?} is not a calendar date (YYYY-MM-DD)"),
        });
    }
    let count = event.attributes.len() + event.objects.iter().map(|o| o.attributes.len()).sum::<usize>();
    if count > MAX_ATTRIBUTES {
        return Err(MispError::TooLarge { what: "attributes", count, limit: MAX_ATTRIBUTES });
    }
    let located = event.attributes.iter().enumerate().map(|(index, a)| (None, index, a)).chain(
        event.objects.iter().enumerate().flat_map(|(object, o)| {
            o.attributes.iter().enumerate().map(move |(index, a)| (Some(object), index, a))
        }),
    );
    for (object, index, attribute) in located {
        if attribute.value.len() > MAX_VALUE_BYTES {
            return Err(MispError::AttributeTooLarge {
                attribute: crate::Subject::Attribute { object, index, uuid: attribute.uuid.clone() },
                bytes: attribute.value.len(),
                limit: MAX_VALUE_BYTES,
            });
        }
    }
    Ok(event)
}
