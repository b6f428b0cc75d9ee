//! MISP event JSON, the format MISP instances exchange: parsed into typed structures (never an
//! untyped map where the last duplicate key wins), mapped to a Muninn item (the event's text,
//! so its values are extracted, indexed and screened) and to STIX 2.1 objects (a report, its
//! indicators with patterns, the creator's identity, threat actors from galaxies, sightings),
//! and written back as MISP event JSON that PyMISP loads.
//!
//! Pure: bytes in, values out.

mod check;
mod event;
mod export;
mod galaxy;
mod stix;

pub use check::{EventCheck, Finding, Problem, Subject, check_event};
pub use event::{
    Attribute, Event, Galaxy, GalaxyCluster, MispObject, ObjectReference, Org, Sighting, Tag, parse_event,
};
pub use export::{ExportAttribute, export_event};
pub use galaxy::{
    Cluster, ClusterObject, ClusterWarning, GalaxyFile, MAX_CLUSTERS, Related, galaxy_actors, parse_galaxy,
};
pub use stix::{StixMapping, to_stix};

use muninn_model::Tlp;

/// Most attributes (over the event and its objects) one event may carry.
pub const MAX_ATTRIBUTES: usize = 500_000;
/// Largest attribute value, in bytes.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// Why an event was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MispError {
    /// Not MISP event JSON (or not JSON): serde's message with line and column.
    #[error("not a MISP event: {0}")]
    Json(String),
    /// Over a limit.
    #[error("{what}: {count}, more than the {limit} allowed")]
    TooLarge {
        /// What.
        what: &'static str,
        /// How many or how big.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// One attribute's value is over [`MAX_VALUE_BYTES`].
    #[error("{attribute}: a value of {bytes} bytes, more than the {limit} allowed")]
    AttributeTooLarge {
        /// Which attribute.
        attribute: Subject,
        /// Its value's length.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A required field is empty or malformed.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        problem: String,
    },
}

/// The TLP an event's tags declare: the most restrictive `tlp:` tag (TLP 2.0 names; `white` is
/// `clear`), `None` when it has none. An unknown `tlp:` tag is the most restrictive label:
/// never read a label we do not understand as permission to share.
pub fn tlp_of_tags<'a>(tags: impl IntoIterator<Item = &'a Tag>) -> Option<Tlp> {
    tags.into_iter()
        .filter_map(|tag| tag.name.trim().to_ascii_lowercase().strip_prefix("tlp:").map(str::to_owned))
        .map(|label| match label.as_str() {
            "clear" | "white" => Tlp::Clear,
            "green" => Tlp::Green,
            "amber" => Tlp::Amber,
            "amber+strict" => Tlp::AmberStrict,
            _ => Tlp::Red,
        })
        .max()
}
