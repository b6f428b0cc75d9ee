//! Bundle import: the `objects` array is streamed (each element borrowed as raw JSON from the
//! input, never copied into a tree of the whole bundle), each object checked on its own, then
//! versions, duplicates, conflicts and markings decided in bundle order against what the caller
//! already knows.

use std::collections::{HashMap, HashSet};
use std::fmt;

use muninn_model::Tlp;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::quote;
use crate::marking::canonical_tlp;
use crate::object::StixObject;
use crate::timestamp::StixTimestamp;
use crate::{StixError, strict};

/// What the caller's store already holds. Only the latest version's summary and, on a version
/// collision, the stored JSON of that version are asked for.
pub trait KnownObjects {
    /// The latest stored version of `id`.
    fn latest(&self, id: &str) -> Option<KnownVersion>;
    /// The JSON text of the stored version `(id, version)`; `version` is `None` for unversioned
    /// objects (observables).
    fn version_json(&self, id: &str, version: Option<StixTimestamp>) -> Option<String>;
}

/// The summary of a stored version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownVersion {
    /// Its version (`modified`, else `created`).
    pub version: Option<StixTimestamp>,
    /// Its TLP (see [`StixObject::tlp`]).
    pub tlp: Option<Tlp>,
}

/// Knows nothing: for a first import.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObjects;

impl KnownObjects for NoObjects {
    fn latest(&self, _id: &str) -> Option<KnownVersion> {
        None
    }

    fn version_json(&self, _id: &str, _version: Option<StixTimestamp>) -> Option<String> {
        None
    }
}

/// Limits of one import.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// Most objects in one bundle; above it the whole bundle is refused.
    pub max_objects: usize,
    /// Largest JSON text of one object; a larger object is rejected.
    pub max_object_bytes: usize,
}

impl Default for ImportConfig {
    fn default() -> ImportConfig {
        ImportConfig { max_objects: 1_000_000, max_object_bytes: 16 << 20 }
    }
}

/// What happened to each object of a bundle, in bundle order.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The bundle's `id`, if it had a valid one.
    pub bundle_id: Option<String>,
    /// One entry per element of `objects`.
    pub objects: Vec<ObjectReport>,
}

/// The outcome for one element of `objects`.
#[derive(Debug, Clone)]
pub struct ObjectReport {
    /// Position in the `objects` array, from 0.
    pub index: usize,
    /// The `id` as given, when there was a string one (cut).
    pub id: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Remarks on an accepted object: dangling references, unknown markings.
    pub warnings: Vec<Warning>,
}

/// What happened to one object.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// A new object: no version of its id was known.
    Stored(StixObject),
    /// A new version, newer than the latest known: it becomes the latest.
    Updated(StixObject),
    /// A version older than the latest known and not yet known: kept as history.
    OlderVersion(StixObject),
    /// The same id and version with the same content is already known (or is a canonical TLP
    /// definition, which is built in).
    Duplicate,
    /// Refused, with the reason.
    Rejected(StixError),
}

/// A remark on an accepted object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A reference to an object neither in the bundle nor known. The object is kept.
    DanglingRef {
        /// The property.
        property: String,
        /// The referenced id.
        target: String,
    },
    /// A marking that is neither canonical TLP nor a definition in the bundle or the store. The
    /// object is kept, and must be handled as the most restrictive (quarantined: visible to the
    /// submitting organisation only) until the marking is resolved.
    UnknownMarking(String),
    /// A remark of the object check (e.g. a marking named like TLP with a non-canonical id).
    Object(String),
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// [`Outcome::Stored`].
    pub stored: usize,
    /// [`Outcome::Updated`].
    pub updated: usize,
    /// [`Outcome::OlderVersion`].
    pub older: usize,
    /// [`Outcome::Duplicate`].
    pub duplicate: usize,
    /// [`Outcome::Rejected`].
    pub rejected: usize,
    /// Warnings over all objects.
    pub warnings: usize,
}

impl ImportReport {
    /// Counts the outcomes.
    pub fn counts(&self) -> ImportCounts {
        let mut counts = ImportCounts::default();
        for report in &self.objects {
            counts.warnings += report.warnings.len();
            match report.outcome {
                Outcome::Stored(_) => counts.stored += 1,
                Outcome::Updated(_) => counts.updated += 1,
                Outcome::OlderVersion(_) => counts.older += 1,
                Outcome::Duplicate => counts.duplicate += 1,
                Outcome::Rejected(_) => counts.rejected += 1,
            }
        }
        counts
    }

    /// The objects to store, in bundle order.
    pub fn accepted(&self) -> impl Iterator<Item = &StixObject> {
        self.objects.iter().filter_map(|report| report.outcome.object())
    }
}

impl Outcome {
    /// The object to store, if any.
    pub fn object(&self) -> Option<&StixObject> {
        match self {
            Outcome::Stored(object) | Outcome::Updated(object) | Outcome::OlderVersion(object) => {
                Some(object)
            }
            Outcome::Duplicate | Outcome::Rejected(_) => None,
        }
    }
}

/// One line per object: `#3 indicator--… rejected: reason`, warnings indented below.
impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for report in &self.objects {
            let id = report.id.as_deref().unwrap_or("(no id)");
            let outcome = match &report.outcome {
                Outcome::Stored(_) => "stored".to_owned(),
                Outcome::Updated(_) => "updated".to_owned(),
                Outcome::OlderVersion(_) => "older version".to_owned(),
                Outcome::Duplicate => "duplicate".to_owned(),
                Outcome::Rejected(reason) => format!("rejected: {reason}"),
            };
            writeln!(f, "#{} {id} {outcome}", report.index)?;
            for warning in &report.warnings {
                writeln!(f, "    warning: {warning}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DanglingRef { property, target } => write!(f, "{property} references unknown {target}"),
            Warning::UnknownMarking(id) => write!(f, "unknown marking {id}: treat as most restrictive"),
            Warning::Object(remark) => f.write_str(remark),
        }
    }
}

/// Imports a STIX 2.1 bundle. `Err` only when the bundle itself cannot be read (not JSON, not a
/// bundle, too many objects): then nothing may be stored. Otherwise every element of `objects`
/// gets an outcome, and the accepted ones are what the caller stores, in order (see
/// [`crate::documents`]).
pub fn import_bundle(
    bytes: &[u8],
    known: &dyn KnownObjects,
    config: &ImportConfig,
) -> Result<ImportReport, StixError> {
    let bundle = read_bundle(bytes, config)?;
    let checked: Vec<(Option<String>, Result<StixObject, StixError>)> =
        bundle.objects.iter().map(|raw| check_raw(raw, config)).collect();
    let present: HashSet<&str> = checked
        .iter()
        .filter_map(|(_, result)| result.as_ref().ok())
        .map(|object| object.id().as_str())
        .collect();
    let exists = |id: &str| present.contains(id) || canonical_tlp(id).is_some() || known.latest(id).is_some();

    let mut state = BundleState::default();
    let mut reports = Vec::with_capacity(checked.len());
    for (index, (id, result)) in checked.iter().enumerate() {
        let outcome = match result {
            Err(error) => Outcome::Rejected(error.clone()),
            Ok(object) => state.decide(object, index, &checked, known),
        };
        let warnings = match outcome.object() {
            Some(object) => warnings_of(object, &exists),
            None => Vec::new(),
        };
        reports.push(ObjectReport { index, id: id.clone(), outcome, warnings });
    }
    Ok(ImportReport { bundle_id: bundle.id, objects: reports })
}

pub(crate) fn check_raw(
    raw: &RawValue,
    config: &ImportConfig,
) -> (Option<String>, Result<StixObject, StixError>) {
    let text = raw.get();
    if text.len() > config.max_object_bytes {
        return (None, Err(StixError::TooLarge { bytes: text.len(), limit: config.max_object_bytes }));
    }
    let result = StixObject::from_json(text);
    let id = match &result {
        Ok(object) => Some(object.id().to_string()),
        // Two ids: naming either would repeat the parser-differential trick in the report.
        Err(StixError::DuplicateKey(key)) if key == "id" => None,
        Err(_) => id_of_rejected(text),
    };
    (id, result)
}

/// The `id` of an object that failed its check, for the report only (best effort: a lenient
/// parse, so that an object refused for a repeated key elsewhere is still named).
fn id_of_rejected(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id").and_then(|id| id.as_str()).map(quote)
}

fn warnings_of(object: &StixObject, exists: &dyn Fn(&str) -> bool) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = object.warnings().iter().cloned().map(Warning::Object).collect();
    for reference in object.refs() {
        if !exists(reference.target.as_str()) {
            warnings.push(Warning::DanglingRef {
                property: reference.property.clone(),
                target: reference.target.to_string(),
            });
        }
    }
    let mut seen = HashSet::new();
    for marking in object.marking_refs() {
        if !exists(marking.as_str()) && seen.insert(marking.as_str()) {
            warnings.push(Warning::UnknownMarking(marking.to_string()));
        }
    }
    warnings
}

/// What this bundle has established so far, object by object.
#[derive(Default)]
struct BundleState {
    /// Latest version accepted in this bundle, by id.
    latest: HashMap<String, KnownVersion>,
    /// Index of the accepted object of each (id, version).
    versions: HashMap<(String, Option<StixTimestamp>), usize>,
}

impl BundleState {
    fn decide(
        &mut self,
        object: &StixObject,
        index: usize,
        checked: &[(Option<String>, Result<StixObject, StixError>)],
        known: &dyn KnownObjects,
    ) -> Outcome {
        let id = object.id().as_str();
        let version = object.version();
        if canonical_tlp(id).is_some() {
            // The check already refused any forgery: this is the built-in definition again.
            return Outcome::Duplicate;
        }
        let key = (id.to_owned(), version);
        let earlier_json = match self.versions.get(&key) {
            Some(&earlier) => {
                checked.get(earlier).and_then(|(_, result)| result.as_ref().ok()).map(|o| o.json().to_owned())
            }
            None => known.version_json(id, version),
        };
        if let Some(earlier) = earlier_json {
            return if same_content(&earlier, object.json()) {
                Outcome::Duplicate
            } else {
                Outcome::Rejected(StixError::VersionConflict {
                    id: id.to_owned(),
                    version: version.map_or_else(|| "unversioned".to_owned(), |at| at.to_string()),
                })
            };
        }
        let latest = match (self.latest.get(id).copied(), known.latest(id)) {
            (Some(here), Some(stored)) => Some(if here.version >= stored.version { here } else { stored }),
            (here, stored) => here.or(stored),
        };
        let this = KnownVersion { version, tlp: object.tlp() };
        let outcome = match latest {
            None => Outcome::Stored(object.clone()),
            Some(latest) if version > latest.version => {
                if this.tlp < latest.tlp {
                    return Outcome::Rejected(StixError::MarkingDowngrade {
                        version: latest.version.map_or_else(|| "unversioned".to_owned(), |at| at.to_string()),
                        stored: latest.tlp.map_or("no TLP", Tlp::label),
                        incoming: this.tlp.map_or("no TLP", Tlp::label),
                    });
                }
                Outcome::Updated(object.clone())
            }
            Some(_) => Outcome::OlderVersion(object.clone()),
        };
        if !matches!(outcome, Outcome::OlderVersion(_)) {
            self.latest.insert(id.to_owned(), this);
        }
        self.versions.insert(key, index);
        outcome
    }
}

/// Same JSON content, whatever the key order and white space.
fn same_content(left: &str, right: &str) -> bool {
    match (strict::parse(left), strict::parse(right)) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}

/// The parts of a bundle that matter, borrowed from the input.
pub(crate) struct RawBundle<'a> {
    pub(crate) id: Option<String>,
    pub(crate) objects: Vec<&'a RawValue>,
}

pub(crate) fn read_bundle<'a>(bytes: &'a [u8], config: &ImportConfig) -> Result<RawBundle<'a>, StixError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let bundle =
        deserializer.deserialize_map(BundleVisitor { max_objects: config.max_objects }).map_err(|error| {
            match error.to_string() {
                message if message.starts_with(TOO_MANY) => {
                    StixError::TooManyObjects { limit: config.max_objects }
                }
                message => StixError::MalformedBundle(message),
            }
        })?;
    deserializer.end().map_err(|error| StixError::MalformedBundle(error.to_string()))?;
    Ok(bundle)
}

const TOO_MANY: &str = "too many objects";

struct BundleVisitor {
    max_objects: usize,
}

impl<'de> Visitor<'de> for BundleVisitor {
    type Value = RawBundle<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a STIX bundle object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<RawBundle<'de>, A::Error> {
        use serde::de::Error;
        let mut seen: Vec<String> = Vec::new();
        let mut object_type: Option<String> = None;
        let mut id: Option<String> = None;
        let mut objects: Option<Vec<&'de RawValue>> = None;
        while let Some(key) = access.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(A::Error::custom(format!("duplicate key {:?} in the bundle", quote(&key))));
            }
            match key.as_str() {
                "type" => object_type = Some(access.next_value()?),
                "id" => id = Some(access.next_value()?),
                "objects" => {
                    objects = Some(access.next_value_seed(ObjectsSeed { max_objects: self.max_objects })?)
                }
                _ => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
            seen.push(key);
        }
        if object_type.as_deref() != Some("bundle") {
            return Err(A::Error::custom("\"type\" is not \"bundle\""));
        }
        let id = match id {
            Some(id) => match crate::StixId::parse(&id) {
                Ok(parsed) if parsed.object_type() == "bundle" => Some(id),
                _ => return Err(A::Error::custom(format!("invalid bundle id {:?}", quote(&id)))),
            },
            None => return Err(A::Error::custom("the bundle has no \"id\"")),
        };
        Ok(RawBundle { id, objects: objects.unwrap_or_default() })
    }
}

struct ObjectsSeed {
    max_objects: usize,
}

impl<'de> DeserializeSeed<'de> for ObjectsSeed {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<&'de RawValue>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ObjectsSeed {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Vec<&'de RawValue>, A::Error> {
        let mut objects = Vec::new();
        while let Some(object) = access.next_element::<&'de RawValue>()? {
            if objects.len() == self.max_objects {
                return Err(serde::de::Error::custom(TOO_MANY));
            }
            objects.push(object);
        }
        Ok(objects)
    }
}
