//! The crate's one error type: why a bundle or an object was refused.

/// Why a bundle could not be read, or why one object of it was rejected. Values quoted from the
/// input are cut to [`QUOTE_LIMIT`] characters so that a hostile object cannot flood a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StixError {
    /// The bundle is not JSON, or not a JSON object with an `objects` array; nothing is imported.
    #[error("malformed bundle: {0}")]
    MalformedBundle(String),
    /// The bundle holds more objects than the configured limit; nothing is imported.
    #[error("the bundle holds more than {limit} objects")]
    TooManyObjects {
        /// The configured limit.
        limit: usize,
    },
    /// One element of `objects` is not a well-formed JSON object.
    #[error("malformed object: {0}")]
    Malformed(String),
    /// A JSON object (at any depth) repeats a key: refused, never "last one wins".
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    /// The object nests deeper than the limit.
    #[error("nested deeper than {limit} levels")]
    TooDeep {
        /// The nesting limit.
        limit: usize,
    },
    /// The object's JSON text is larger than the configured limit.
    #[error("object of {bytes} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the object's JSON text.
        bytes: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A required property is absent.
    #[error("missing required property {0:?}")]
    MissingProperty(&'static str),
    /// None of a set of properties of which at least one is required is present.
    #[error("at least one of {0:?} is required")]
    MissingOneOf(&'static [&'static str]),
    /// A property has the wrong JSON type or an invalid value.
    #[error("property {property:?}: {reason}")]
    InvalidProperty {
        /// The property (a path for nested ones).
        property: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `type` is not a valid STIX type name.
    #[error("invalid type {value:?}: {reason}")]
    InvalidType {
        /// The type as given (cut).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A type that is neither a STIX 2.1 type, nor `x-` custom, nor declared by a `new-*`
    /// extension definition.
    #[error("unknown object type {0:?} (not STIX 2.1, not x- custom, no new-object extension)")]
    UnknownType(String),
    /// An identifier that is not `type--UUID`.
    #[error("property {property:?}: invalid identifier {value:?}: {reason}")]
    InvalidId {
        /// The property holding it.
        property: String,
        /// The identifier as given (cut).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `id` prefix differs from the `type`.
    #[error("id {id:?} does not begin with the object's type {object_type:?}")]
    IdTypeMismatch {
        /// The id.
        id: String,
        /// The type.
        object_type: String,
    },
    /// A reference that must point at a given object type points elsewhere.
    #[error("property {property:?} must reference an object of type {expected}, not {value:?}")]
    WrongRefType {
        /// The property.
        property: String,
        /// The referenced id (cut).
        value: String,
        /// The required type.
        expected: &'static str,
    },
    /// `spec_version` is not `2.1`.
    #[error("unsupported spec_version {0:?} (only 2.1)")]
    UnsupportedSpecVersion(String),
    /// A timestamp that is not a valid STIX timestamp.
    #[error("property {property:?}: invalid timestamp {value:?}: {reason}")]
    InvalidTimestamp {
        /// The property.
        property: String,
        /// The value as given (cut).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `modified` is earlier than `created`.
    #[error("modified {modified} is before created {created}")]
    ModifiedBeforeCreated {
        /// `created` as given.
        created: String,
        /// `modified` as given.
        modified: String,
    },
    /// An object uses a canonical TLP marking-definition id with content other than the
    /// canonical definition's.
    #[error("forged redefinition of the canonical {label} marking definition: {reason}")]
    ForgedTlpMarking {
        /// The TLP label the id stands for.
        label: &'static str,
        /// What differs.
        reason: String,
    },
    /// A new version whose TLP is less restrictive than the latest stored version's.
    #[error("marking downgrade: the latest version {version} is {stored}, this one is {incoming}")]
    MarkingDowngrade {
        /// The latest known version's timestamp.
        version: String,
        /// The latest known version's TLP.
        stored: &'static str,
        /// This version's TLP (`no TLP` when it has none).
        incoming: &'static str,
    },
    /// A granular-marking selector that does not resolve, or a malformed granular marking.
    #[error("granular marking {index}: {reason}")]
    GranularMarking {
        /// Index of the granular marking in `granular_markings`.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Same id and version as a known object, different content.
    #[error("version conflict: {id} version {version} is already known with different content")]
    VersionConflict {
        /// The id.
        id: String,
        /// The version (`modified`, or `created`, or `unversioned`).
        version: String,
    },
}

/// The longest quotation of input kept in an error, in characters.
pub const QUOTE_LIMIT: usize = 120;

/// Cuts `text` for quotation in an error.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
