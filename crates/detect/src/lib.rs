//! Detectors that look at a flow of items as a whole, where screening looks at one item at a
//! time: reports that repeat an earlier one with small edits (near-duplicates), a name that
//! suddenly appears in many items within hours (a burst of activity around a place or a
//! group), and a new name that keeps appearing with one known actor (an actor linked to a new
//! campaign).
//!
//! Pure: the caller passes the items' texts, times and the entities found in them; no IO, no
//! clock. Each detector says which items carry what it found, so that an analyst (or the
//! exercise scorer) can check it.

mod bursts;
mod campaigns;
mod duplicates;
mod terms;

pub use bursts::{Burst, BurstConfig, bursts};
pub use campaigns::{CampaignConfig, CampaignLink, campaign_links};
pub use duplicates::{NearDuplicate, NearDuplicateConfig, near_duplicates};

/// One item as the detectors see it.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    /// When it happened (event time, else collection time), in seconds since the epoch.
    pub time: i64,
    /// Its title, if any.
    pub title: Option<&'a str>,
    /// Its text.
    pub body: &'a str,
    /// The names of the known entities (actors, organisations) found in it.
    pub entities: &'a [String],
    /// How those entities are written in it (their matched forms, aliases included): a name
    /// already known is never a new one.
    pub known: &'a [String],
}
