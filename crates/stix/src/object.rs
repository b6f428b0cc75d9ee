//! One STIX object: its exact JSON text (the source of truth, so custom properties, extensions
//! and unknown properties survive untouched) and the common properties parsed and checked.

use muninn_model::Tlp;
use serde_json::{Map, Value};

use crate::StixError;
use crate::error::quote;
use crate::id::{StixId, check_type_name};
use crate::marking::{self, MAX_SELECTORS};
use crate::strict;
use crate::timestamp::StixTimestamp;
use crate::types::{self, ObjectClass, Requirement};

/// A checked STIX object.
#[derive(Debug, Clone, PartialEq)]
pub struct StixObject {
    json: Box<str>,
    class: ObjectClass,
    id: StixId,
    created: Option<StixTimestamp>,
    modified: Option<StixTimestamp>,
    created_by_ref: Option<StixId>,
    revoked: bool,
    deprecated: bool,
    labels: Vec<String>,
    confidence: Option<u8>,
    name: Option<String>,
    external_references: Vec<ExternalReference>,
    object_marking_refs: Vec<StixId>,
    granular_markings: Vec<GranularMarking>,
    extensions: Vec<String>,
    refs: Vec<EmbeddedRef>,
    relationship: Option<RelationshipEnds>,
    warnings: Vec<String>,
}

/// An entry of `external_references`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalReference {
    /// `source_name` (required).
    pub source_name: String,
    /// `external_id`, e.g. an ATT&CK technique id or a CVE.
    pub external_id: Option<String>,
    /// `url`.
    pub url: Option<String>,
}

/// An entry of `granular_markings`: exactly one of a marking or a language, on selectors that
/// resolve in the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GranularMarking {
    /// `marking_ref`.
    pub marking_ref: Option<StixId>,
    /// `lang`.
    pub lang: Option<String>,
    /// `selectors`.
    pub selectors: Vec<String>,
}

/// A reference to another object embedded in this one (`created_by_ref`, `object_refs`,
/// `sighting_of_ref`, custom `x_*_ref`...). Marking references are kept apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedRef {
    /// The property's name (the last key of its path).
    pub property: String,
    /// The referenced id.
    pub target: StixId,
}

/// The ends of a `relationship`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationshipEnds {
    /// `relationship_type`.
    pub relationship_type: String,
    /// `source_ref`.
    pub source: StixId,
    /// `target_ref`.
    pub target: StixId,
}

impl StixObject {
    /// Parses and checks one object from its JSON text. The text is kept exactly as given.
    pub fn from_json(text: &str) -> Result<StixObject, StixError> {
        let value = strict::parse(text)?;
        let Value::Object(map) = value else {
            return Err(StixError::Malformed("not a JSON object".to_owned()));
        };
        check(text, &map)
    }

    /// The object's JSON text, exactly as received.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The object's `type`.
    pub fn object_type(&self) -> &str {
        self.id.object_type()
    }

    /// What kind of object it is.
    pub fn class(&self) -> ObjectClass {
        self.class
    }

    /// `id`.
    pub fn id(&self) -> &StixId {
        &self.id
    }

    /// `created`, when the type has it.
    pub fn created(&self) -> Option<StixTimestamp> {
        self.created
    }

    /// `modified`, when the type has it.
    pub fn modified(&self) -> Option<StixTimestamp> {
        self.modified
    }

    /// The version: `modified`, else `created` (marking definitions), else none (observables,
    /// which STIX does not version).
    pub fn version(&self) -> Option<StixTimestamp> {
        self.modified.or(self.created)
    }

    /// `created_by_ref`.
    pub fn created_by_ref(&self) -> Option<&StixId> {
        self.created_by_ref.as_ref()
    }

    /// `revoked`.
    pub fn revoked(&self) -> bool {
        self.revoked
    }

    /// `x_mitre_deprecated` (ATT&CK's flag for withdrawn objects).
    pub fn deprecated(&self) -> bool {
        self.deprecated
    }

    /// `labels`.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `confidence` (0 to 100).
    pub fn confidence(&self) -> Option<u8> {
        self.confidence
    }

    /// `name`, or `value` for observables that have one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// `external_references`.
    pub fn external_references(&self) -> &[ExternalReference] {
        &self.external_references
    }

    /// `object_marking_refs`.
    pub fn object_marking_refs(&self) -> &[StixId] {
        &self.object_marking_refs
    }

    /// `granular_markings`.
    pub fn granular_markings(&self) -> &[GranularMarking] {
        &self.granular_markings
    }

    /// The keys of `extensions`.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// References to other objects, markings excepted.
    pub fn refs(&self) -> &[EmbeddedRef] {
        &self.refs
    }

    /// The ends of a relationship.
    pub fn relationship(&self) -> Option<&RelationshipEnds> {
        self.relationship.as_ref()
    }

    /// The object's TLP: the most restrictive canonical TLP among its object markings (granular
    /// ones included: an export of the object carries them). `None` without a canonical TLP.
    pub fn tlp(&self) -> Option<Tlp> {
        let granular = self.granular_markings.iter().filter_map(|marking| marking.marking_ref.as_ref());
        self.object_marking_refs
            .iter()
            .chain(granular)
            .filter_map(|id| marking::canonical_tlp(id.as_str()))
            .max()
    }

    /// Every marking-definition id the object references (object and granular).
    pub fn marking_refs(&self) -> impl Iterator<Item = &StixId> {
        let granular = self.granular_markings.iter().filter_map(|marking| marking.marking_ref.as_ref());
        self.object_marking_refs.iter().chain(granular)
    }

    /// Remarks that do not reject the object (a marking named like TLP without a canonical id).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

fn check(text: &str, map: &Map<String, Value>) -> Result<StixObject, StixError> {
    let object_type = required_str(map, "type")?;
    check_type_name(object_type)
        .map_err(|reason| StixError::InvalidType { value: quote(object_type), reason })?;
    let id_text = required_str(map, "id")?;
    let id = parse_id("id", id_text)?;
    if id.object_type() != object_type {
        return Err(StixError::IdTypeMismatch { id: quote(id_text), object_type: quote(object_type) });
    }
    let class = match types::classify(object_type) {
        Some(class) => class,
        None if object_type.starts_with("x-") || declares_new_object(map) => ObjectClass::Custom,
        None => return Err(StixError::UnknownType(quote(object_type))),
    };
    match map.get("spec_version") {
        Some(Value::String(version)) if version == "2.1" => {}
        Some(Value::String(version)) => return Err(StixError::UnsupportedSpecVersion(quote(version))),
        Some(_) => return Err(invalid("spec_version", "must be a string")),
        None if class == ObjectClass::Observable => {}
        None => return Err(StixError::MissingProperty("spec_version")),
    }
    let created = optional_timestamp(map, "created")?;
    let modified = optional_timestamp(map, "modified")?;
    let needs_created = !matches!(class, ObjectClass::Observable | ObjectClass::Custom);
    let needs_modified = needs_created && object_type != "marking-definition";
    if needs_created && created.is_none() {
        return Err(StixError::MissingProperty("created"));
    }
    if needs_modified && modified.is_none() {
        return Err(StixError::MissingProperty("modified"));
    }
    if let (Some(created_at), Some(modified_at)) = (created, modified)
        && modified_at < created_at
    {
        return Err(StixError::ModifiedBeforeCreated {
            created: created_at.to_string(),
            modified: modified_at.to_string(),
        });
    }
    for requirement in types::requirements(object_type) {
        match requirement {
            Requirement::Present(property) if !map.contains_key(*property) => {
                return Err(StixError::MissingProperty(property));
            }
            Requirement::OneOf(properties)
                if !properties.iter().any(|property| map.contains_key(*property)) =>
            {
                return Err(StixError::MissingOneOf(properties));
            }
            _ => {}
        }
    }
    if object_type == "malware"
        && map.get("is_family") == Some(&Value::Bool(true))
        && !map.contains_key("name")
    {
        return Err(StixError::MissingProperty("name"));
    }
    for property in types::STRING_PROPERTIES {
        if map.get(property).is_some_and(|value| !value.is_string()) {
            return Err(invalid(property, "must be a string"));
        }
    }
    for property in types::BOOLEAN_PROPERTIES {
        if map.get(property).is_some_and(|value| !value.is_boolean()) {
            return Err(invalid(property, "must be true or false"));
        }
    }
    for property in types::TIMESTAMP_PROPERTIES {
        optional_timestamp(map, property)?;
    }
    let created_by_ref = match map.get("created_by_ref") {
        None => None,
        Some(Value::String(text)) => Some(typed_ref("created_by_ref", text, "identity")?),
        Some(_) => return Err(invalid("created_by_ref", "must be a string")),
    };
    let revoked = optional_bool(map, "revoked")?;
    let deprecated = map.get("x_mitre_deprecated") == Some(&Value::Bool(true));
    let labels = string_list(map, "labels")?;
    let confidence = match map.get("confidence") {
        None => None,
        Some(value) => match value.as_u64().and_then(|number| u8::try_from(number).ok()) {
            Some(number) if number <= 100 => Some(number),
            _ => return Err(invalid("confidence", "must be an integer from 0 to 100")),
        },
    };
    let name =
        ["name", "value"].iter().find_map(|key| map.get(*key).and_then(Value::as_str)).map(str::to_owned);
    let external_references = external_references(map)?;
    let object_marking_refs = match map.get("object_marking_refs") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => typed_ref("object_marking_refs", text, "marking-definition"),
                _ => Err(invalid("object_marking_refs", "must hold strings")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("object_marking_refs", "must be a list")),
    };
    let granular_markings = granular_markings(map)?;
    let extensions = match map.get("extensions") {
        None => Vec::new(),
        Some(Value::Object(entries)) => {
            if let Some((key, _)) = entries.iter().find(|(_, value)| !value.is_object()) {
                return Err(invalid(&format!("extensions.{}", quote(key)), "must be an object"));
            }
            entries.keys().cloned().collect()
        }
        Some(_) => return Err(invalid("extensions", "must be an object")),
    };
    let mut refs = Vec::new();
    for (key, value) in map {
        if key == "object_marking_refs" || key == "granular_markings" || key == "external_references" {
            continue;
        }
        let strict_refs = !key.starts_with("x_") && key != "extensions";
        collect_refs(key, value, strict_refs, 0, &mut refs)?;
    }
    let relationship = if object_type == "relationship" {
        Some(RelationshipEnds {
            relationship_type: required_str(map, "relationship_type")?.to_owned(),
            source: parse_id("source_ref", required_str(map, "source_ref")?)?,
            target: parse_id("target_ref", required_str(map, "target_ref")?)?,
        })
    } else {
        None
    };
    let mut warnings = Vec::new();
    if object_type == "marking-definition" {
        marking::check_canonical(id.as_str(), map)?;
        check_marking_definition(map)?;
        if marking::canonical_tlp(id.as_str()).is_none()
            && let Some(label) = marking::tlp_lookalike(map)
        {
            warnings.push(format!(
                "marking definition named or typed like {label} is not a canonical TLP id: it carries no TLP meaning"
            ));
        }
    }
    Ok(StixObject {
        json: text.into(),
        class,
        id,
        created,
        modified,
        created_by_ref,
        revoked,
        deprecated,
        labels,
        confidence,
        name,
        external_references,
        object_marking_refs,
        granular_markings,
        extensions,
        refs,
        relationship,
        warnings,
    })
}

fn invalid(property: &str, reason: &str) -> StixError {
    StixError::InvalidProperty { property: property.to_owned(), reason: reason.to_owned() }
}

fn required_str<'a>(map: &'a Map<String, Value>, property: &'static str) -> Result<&'a str, StixError> {
    match map.get(property) {
        None => Err(StixError::MissingProperty(property)),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(invalid(property, "must be a string")),
    }
}

fn parse_id(property: &str, text: &str) -> Result<StixId, StixError> {
    StixId::parse(text).map_err(|reason| StixError::InvalidId {
        property: property.to_owned(),
        value: quote(text),
        reason,
    })
}

fn typed_ref(property: &str, text: &str, expected: &'static str) -> Result<StixId, StixError> {
    let id = parse_id(property, text)?;
    if id.object_type() != expected {
        return Err(StixError::WrongRefType { property: property.to_owned(), value: quote(text), expected });
    }
    Ok(id)
}

fn optional_timestamp(map: &Map<String, Value>, property: &str) -> Result<Option<StixTimestamp>, StixError> {
    match map.get(property) {
        None => Ok(None),
        Some(Value::String(text)) => StixTimestamp::parse(text).map(Some).map_err(|reason| {
            StixError::InvalidTimestamp { property: property.to_owned(), value: quote(text), reason }
        }),
        Some(_) => Err(invalid(property, "must be a timestamp string")),
    }
}

fn optional_bool(map: &Map<String, Value>, property: &str) -> Result<bool, StixError> {
    match map.get(property) {
        None => Ok(false),
        Some(Value::Bool(flag)) => Ok(*flag),
        Some(_) => Err(invalid(property, "must be true or false")),
    }
}

fn string_list(map: &Map<String, Value>, property: &str) -> Result<Vec<String>, StixError> {
    match map.get(property) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| invalid(property, "must hold strings"))
            })
            .collect(),
        Some(_) => Err(invalid(property, "must be a list of strings")),
    }
}

fn declares_new_object(map: &Map<String, Value>) -> bool {
    let Some(Value::Object(extensions)) = map.get("extensions") else {
        return false;
    };
    extensions.iter().any(|(key, value)| {
        key.starts_with("extension-definition--")
            && value
                .get("extension_type")
                .and_then(Value::as_str)
                .is_some_and(|kind| kind.starts_with("new-"))
    })
}

fn external_references(map: &Map<String, Value>) -> Result<Vec<ExternalReference>, StixError> {
    let items = match map.get("external_references") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("external_references", "must be a list")),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let property = format!("external_references.[{index}]");
            let Value::Object(entry) = item else {
                return Err(invalid(&property, "must be an object"));
            };
            let text = |key: &str| -> Result<Option<String>, StixError> {
                match entry.get(key) {
                    None => Ok(None),
                    Some(Value::String(text)) => Ok(Some(text.clone())),
                    Some(_) => Err(invalid(&format!("{property}.{key}"), "must be a string")),
                }
            };
            let source_name = text("source_name")?
                .ok_or_else(|| invalid(&format!("{property}.source_name"), "is required"))?;
            Ok(ExternalReference { source_name, external_id: text("external_id")?, url: text("url")? })
        })
        .collect()
}

fn granular_markings(map: &Map<String, Value>) -> Result<Vec<GranularMarking>, StixError> {
    let items = match map.get("granular_markings") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("granular_markings", "must be a list")),
    };
    let mut selector_count = 0usize;
    let mut markings = Vec::with_capacity(items.len().min(MAX_SELECTORS));
    for (index, item) in items.iter().enumerate() {
        let fail = |reason: String| StixError::GranularMarking { index, reason };
        let Value::Object(entry) = item else {
            return Err(fail("not an object".to_owned()));
        };
        let marking_ref = match entry.get("marking_ref") {
            None => None,
            Some(Value::String(text)) => Some(
                typed_ref("marking_ref", text, "marking-definition")
                    .map_err(|error| fail(error.to_string()))?,
            ),
            Some(_) => return Err(fail("marking_ref must be a string".to_owned())),
        };
        let lang = match entry.get("lang") {
            None => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => return Err(fail("lang must be a string".to_owned())),
        };
        if marking_ref.is_some() == lang.is_some() {
            return Err(fail("exactly one of marking_ref and lang is required".to_owned()));
        }
        let Some(Value::Array(selector_values)) = entry.get("selectors") else {
            return Err(fail("selectors must be a list".to_owned()));
        };
        if selector_values.is_empty() {
            return Err(fail("selectors must not be empty".to_owned()));
        }
        selector_count += selector_values.len();
        if selector_count > MAX_SELECTORS {
            return Err(fail(format!("more than {MAX_SELECTORS} selectors in the object")));
        }
        let mut selectors = Vec::with_capacity(selector_values.len());
        for selector in selector_values {
            let Value::String(selector) = selector else {
                return Err(fail("selectors must be strings".to_owned()));
            };
            marking::resolve_selector(map, selector).map_err(fail)?;
            selectors.push(selector.clone());
        }
        markings.push(GranularMarking { marking_ref, lang, selectors });
    }
    Ok(markings)
}

/// Collects references. Properties defined by STIX (`strict`) must hold valid identifiers;
/// custom properties and extensions contribute only the values that are identifiers.
fn collect_refs(
    key: &str,
    value: &Value,
    strict: bool,
    depth: usize,
    refs: &mut Vec<EmbeddedRef>,
) -> Result<(), StixError> {
    let is_ref = key.ends_with("_ref");
    let is_refs = key.ends_with("_refs");
    match value {
        Value::String(text) if is_ref => push_ref(key, text, strict, refs)?,
        Value::Array(items) if is_refs => {
            for item in items {
                match item {
                    Value::String(text) => push_ref(key, text, strict, refs)?,
                    _ if strict => return Err(invalid(key, "must hold identifiers")),
                    _ => {}
                }
            }
        }
        _ if strict && (is_ref || is_refs) => return Err(invalid(key, "must hold identifiers")),
        Value::Object(entries) if depth < 8 => {
            for (inner_key, inner) in entries {
                collect_refs(inner_key, inner, strict && depth == 0 && key != "extensions", depth + 1, refs)?;
            }
        }
        Value::Array(items) if depth < 8 => {
            for item in items {
                collect_refs(key, item, false, depth + 1, refs)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn push_ref(key: &str, text: &str, strict: bool, refs: &mut Vec<EmbeddedRef>) -> Result<(), StixError> {
    match StixId::parse(text) {
        Ok(target) => refs.push(EmbeddedRef { property: key.to_owned(), target }),
        Err(reason) if strict => {
            return Err(StixError::InvalidId { property: key.to_owned(), value: quote(text), reason });
        }
        Err(_) => {}
    }
    Ok(())
}

fn check_marking_definition(map: &Map<String, Value>) -> Result<(), StixError> {
    let Some(kind) = map.get("definition_type") else {
        return Ok(());
    };
    let definition =
        map.get("definition").and_then(Value::as_object).ok_or(StixError::MissingProperty("definition"))?;
    match kind.as_str() {
        Some("statement") if definition.get("statement").is_some_and(Value::is_string) => Ok(()),
        Some("statement") => Err(invalid("definition.statement", "must be a string")),
        Some("tlp") => match definition.get("tlp").and_then(Value::as_str) {
            Some("white" | "green" | "amber" | "red") => Ok(()),
            _ => Err(invalid("definition.tlp", "must be white, green, amber or red")),
        },
        Some(_) => Ok(()),
        None => Err(invalid("definition_type", "must be a string")),
    }
}
