//! Muninn's STIX 2.1 layer: objects checked against the specification and kept as the exact JSON
//! they came in, streaming bundle import with a per-object outcome (stored, updated, duplicate,
//! rejected with the reason), versions by (id, modified), markings (canonical TLP 1.0 and 2.0
//! built in, forgeries and downgrades refused), the mapping onto keyed documents, bundle export,
//! the object graph, names and aliases, and incidents.
//!
//! Pure: no IO, no clock, no randomness (the caller passes a bundle UUID's bytes), no panics on
//! input. See `README.md` for the storage mapping and the choices made.

mod country;
mod documents;
mod error;
mod export;
mod graph;
mod id;
mod import;
mod incident;
mod marking;
mod names;
mod object;
mod report_text;
mod resolution;
mod set;
mod stored_incident;
mod strict;
mod timestamp;
mod types;

pub use country::{Country, ISO_3166_1_TSV, countries, country, country_by_alpha2};
pub use documents::{LATEST_TABLE, StixDocument, VERSION_TABLE, documents, version_key};
pub use error::{QUOTE_LIMIT, StixError};
pub use export::{ExportedBundle, export_bundle};
pub use graph::{Edge, Graph, Neighbourhood, Path, TraversalConfig};
pub use id::{StixId, check_type_name};
pub use import::{
    ImportConfig, ImportCounts, ImportReport, KnownObjects, KnownVersion, NoObjects, ObjectReport, Outcome,
    Warning, import_bundle,
};
pub use incident::{
    Incident, IncidentError, IncidentFields, IncidentStamp, MAX_FIELD_CHARS, MAX_SHORT_CHARS, derived_id,
    parse_incident_date,
};
pub use marking::{MAX_SELECTORS, canonical_definition, canonical_tlp};
pub use names::{
    ALIAS_PROPERTIES, NameIndex, NamedObject, Profile, ProfileLink, aliases, fold_name, named_objects,
    profile,
};
pub use object::{EmbeddedRef, ExternalReference, GranularMarking, RelationshipEnds, StixObject};
pub use report_text::{ReportText, SkippedObject, report_texts};
pub use resolution::{
    SAME_AS_TABLE, SameAs, Suggestion, Verdict, assertion_key, duplicate_suggestions, same_as_groups,
    same_as_members,
};
pub use set::ObjectSet;
pub use stored_incident::{IncidentRole, StoredIncident};
pub use strict::MAX_DEPTH;
pub use timestamp::StixTimestamp;
pub use types::{DOMAIN_TYPES, META_TYPES, OBSERVABLE_TYPES, ObjectClass, RELATIONSHIP_TYPES, classify};
