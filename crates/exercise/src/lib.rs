//! Muninn's exercise generator: a deterministic, streaming, synthetic intelligence flow (news,
//! analyst notes, e-mail, chat, feeds, in English, Russian, Arabic and Chinese) with planted
//! signals and a ground-truth file, for `muninn demo`, benchmarks and exercises.
//!
//! The pure part, [`Generator`], makes each item as a function of (scenario, seed, stream,
//! index). The writing part ([`write_flow`] and the per-format functions) streams items into
//! files in the formats Muninn's ingest reads. [`generate`] does both. File formats and the
//! scenario TOML are described in the crate's README.
//!
//! **Invariant:** this crate knows nothing of the store or of ingest; it only writes files.
//! **Invariant:** same scenario and seed, same bytes: the random generator and the date
//! formatting are the crate's own, so a dependency upgrade cannot change the output.
//! **Invariant:** memory does not grow with the volume: items are generated and written one at a
//! time; only the plan of planted items (bounded by the signal counts) is kept.
//!
//! The content is synthetic. Threat actors, organisations, places and CVE ids are real and
//! publicly known, but every statement about them is made up; addresses and domains come from
//! ranges reserved for documentation and testing.

#![forbid(unsafe_code)]

mod bench;
mod clock;
mod compose;
mod error;
mod generator;
mod indicators;
mod lexicon;
mod plan;
mod records;
mod rng;
mod scenario;
mod truth;
mod world;
mod write;

use std::path::Path;

pub use bench::write_jsonl_items;
pub use error::ExerciseError;
pub use generator::Generator;
pub use lexicon::Lang;
pub use records::{
    Attachment, ChatMessage, Feed, FeedEntry, IndicatorKind, Item, ItemKey, MailLayout, MailMessage,
    NewsItem, Note, PartnerReport, Stream,
};
pub use scenario::{
    ActorCampaign, Burst, IndicatorReuse, NearDuplicates, PersonVariants, Scenario, Signal, Volume,
};
pub use truth::{GroundTruth, TRUTH_FORMAT, TruthItem, TruthSignal, TruthWindow};
pub use write::{
    AtomWriter, CountingWriter, FeedHeader, GenerateReport, RssWriter, misp_event, stix_bundle,
    write_chat_line, write_flow, write_json, write_mbox_message, write_news_line, write_note, write_truth,
};

/// The scenario `muninn demo` uses: a month, a few hundred items, one signal of each kind.
pub const DEMO_SCENARIO_TOML: &str = include_str!("../scenarios/demo.toml");

/// A small scenario for quick tests: a few dozen items, one signal of each kind.
pub const SMALL_SCENARIO_TOML: &str = include_str!("../scenarios/small.toml");

/// The parsed [`DEMO_SCENARIO_TOML`].
pub fn demo_scenario() -> Scenario {
    Scenario::from_toml(DEMO_SCENARIO_TOML).expect("the embedded demo scenario is valid (tested)")
}

/// The parsed [`SMALL_SCENARIO_TOML`].
pub fn small_scenario() -> Scenario {
    Scenario::from_toml(SMALL_SCENARIO_TOML).expect("the embedded small scenario is valid (tested)")
}

/// Generates the flow of `scenario` with `seed` into `out_dir`: `news.jsonl`, `notes/`,
/// `mail/inbox.mbox`, `chat/messages.jsonl`, `feeds/feed.rss`, `feeds/feed.atom` and
/// `truth.json`.
pub fn generate(scenario: &Scenario, seed: u64, out_dir: &Path) -> Result<GenerateReport, ExerciseError> {
    let generator = Generator::new(scenario, seed)?;
    write_flow(&generator, out_dir)
}
