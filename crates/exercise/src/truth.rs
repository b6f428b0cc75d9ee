//! The ground truth: every planted signal and the items that carry it (`truth.json`).

use serde::{Deserialize, Serialize};

use crate::clock;
use crate::generator::Generator;
use crate::lexicon::Lang;
use crate::plan::Role;
use crate::records::{ItemKey, Stream};
use crate::scenario::{Signal, Volume};

/// The version tag of the ground-truth format.
pub const TRUTH_FORMAT: &str = "muninn-exercise-truth/1";

/// What was planted where. Serialised as `truth.json`; the format is described in the crate's
/// README and tagged by [`TRUTH_FORMAT`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// [`TRUTH_FORMAT`].
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// The seed the flow was generated with.
    pub seed: u64,
    /// The first instant of the flow (RFC 3339).
    pub start: String,
    /// The first instant after the flow (RFC 3339).
    pub end: String,
    /// How many items of each kind the flow holds.
    pub volume: Volume,
    /// The planted signals, in scenario order.
    pub signals: Vec<TruthSignal>,
}

/// One planted signal: its scenario entry (flattened: `kind` and its fields), a description, and
/// the items that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthSignal {
    /// `signal-1`, `signal-2`, ... in scenario order.
    pub id: String,
    /// The scenario's signal.
    #[serde(flatten)]
    pub signal: Signal,
    /// A sentence saying what was planted.
    pub description: String,
    /// For a burst: the window the items fall in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TruthWindow>,
    /// The items that carry the signal.
    pub items: Vec<TruthItem>,
}

/// A time window, `[start, end)`, RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthWindow {
    /// The first instant.
    pub start: String,
    /// The first instant after.
    pub end: String,
}

/// An item that carries a signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthItem {
    /// The item's key, such as `news:000123`.
    pub key: String,
    /// The file that holds it, relative to the output directory.
    pub file: String,
    /// Its title (for chat: the message), to find it by.
    pub title: String,
    /// When it was published (RFC 3339).
    pub published: String,
    /// Its language.
    pub lang: Lang,
    /// The exact text planted in it: the spelling, the indicator as written (perhaps
    /// defanged), the place name in the item's language, the campaign name; for a duplicate,
    /// the original's title, which the copy's title contains.
    pub planted: String,
    /// For a duplicate, the key of the report it copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// For a duplicate, whether it is an exact copy (`true`) or has small edits (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<bool>,
}

impl Generator {
    /// The ground truth of the flow. Regenerates the planted items (a number bounded by the
    /// signal counts) to report their titles.
    pub fn ground_truth(&self) -> GroundTruth {
        let scenario = self.scenario();
        let plan = self.plan();
        let signals = scenario
            .signals
            .iter()
            .enumerate()
            .map(|(index, signal)| {
                let keys = plan.items.get(index).map_or(&[][..], Vec::as_slice);
                let items = keys.iter().map(|key| self.truth_item(*key)).collect();
                let window = plan.windows.get(index).copied().flatten();
                TruthSignal {
                    id: format!("signal-{}", index + 1),
                    signal: signal.clone(),
                    description: describe(signal, keys.len()),
                    window: window.map(|(start, end)| TruthWindow {
                        start: clock::rfc3339(start),
                        end: clock::rfc3339(end),
                    }),
                    items,
                }
            })
            .collect();
        GroundTruth {
            format: TRUTH_FORMAT.to_owned(),
            scenario: scenario.name.clone(),
            seed: self.seed(),
            start: clock::rfc3339(scenario.start.as_second()),
            end: clock::rfc3339(scenario.end().as_second()),
            volume: scenario.volume,
            signals,
        }
    }

    fn truth_item(&self, key: ItemKey) -> TruthItem {
        let item = self.item(key);
        let slot = self.plan().slots.get(&key);
        let copied = slot.and_then(|slot| match slot.role {
            Role::NearCopy { of } => Some((of, false)),
            Role::ExactCopy { of } => Some((of, true)),
            _ => None,
        });
        let (planted, duplicate_of, exact) = match copied {
            Some((of, exact)) => {
                let original = ItemKey { stream: Stream::News, index: of };
                let title = self.news(of).title;
                (title, Some(original.to_string()), Some(exact))
            }
            None => (slot.map(|slot| slot.text.clone()).unwrap_or_default(), None, None),
        };
        TruthItem {
            key: key.to_string(),
            file: key.file(),
            title: item.title().to_owned(),
            published: clock::rfc3339(item.published().as_second()),
            lang: item.lang(),
            planted,
            duplicate_of,
            exact,
        }
    }
}

fn describe(signal: &Signal, items: usize) -> String {
    match signal {
        Signal::PersonVariants(person) => format!(
            "watchlisted person {:?} named in {items} items under {} spellings",
            person.person,
            person.variants.len() + 1
        ),
        Signal::IndicatorReuse(reuse) => format!(
            "indicator {:?} reported in {items} items from different kinds of source",
            reuse.indicator
        ),
        Signal::Burst(burst) => format!(
            "burst of {items} reports and messages about {:?} within {} hours on day {}",
            burst.place, burst.window_hours, burst.day
        ),
        Signal::ActorCampaign(link) => {
            format!("actor {:?} tied to the new campaign {:?} in {items} items", link.actor, link.campaign)
        }
        Signal::NearDuplicates(duplicates) => format!(
            "{} near-duplicate and {} exact-duplicate news reports of earlier reports",
            duplicates.count, duplicates.exact_duplicates
        ),
    }
}
