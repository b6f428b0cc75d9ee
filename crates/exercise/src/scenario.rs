//! Scenarios: what flow to write and which signals to plant in it, read from TOML.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ExerciseError;
use crate::clock::DAY;
use crate::plan;

/// A scenario: the time span of the flow, how many items of each kind, and the planted signals.
/// Build one with [`Scenario::from_toml`], or construct it and call [`Scenario::validate`]
/// ([`crate::generate`] validates again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// A short slug naming the scenario (`demo`), written into the ground truth.
    pub name: String,
    /// The first instant of the flow, a whole second.
    pub start: Timestamp,
    /// How many days the flow spans.
    pub days: u32,
    /// How many items of each kind.
    pub volume: Volume,
    /// The signals to plant, in the order they are reported.
    pub signals: Vec<Signal>,
}

/// How many items of each kind the flow holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// News reports in `news.jsonl`.
    #[serde(default)]
    pub news: u64,
    /// Analyst notes, one Markdown file each under `notes/`.
    #[serde(default)]
    pub notes: u64,
    /// E-mails in `mail/inbox.mbox`.
    #[serde(default)]
    pub mail: u64,
    /// Chat messages in `chat/messages.jsonl`.
    #[serde(default)]
    pub chat: u64,
    /// Entries in each of the two feeds, `feeds/feed.rss` and `feeds/feed.atom`.
    #[serde(default)]
    pub feed_entries: u64,
    /// Partners' STIX 2.1 bundles, one report each, under `partners/stix/`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stix_bundles: u64,
    /// Partners' MISP events under `partners/misp/`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub misp_events: u64,
}

/// Leaves a count out of `truth.json` when it is zero, as flows without partners' files wrote it.
fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// A signal to plant: written as `[[signal]]` tables, told apart by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signal {
    /// A watchlisted person named under variant spellings, some in other scripts.
    PersonVariants(PersonVariants),
    /// One indicator of compromise reported by several sources.
    IndicatorReuse(IndicatorReuse),
    /// Many items about one place within a few hours.
    Burst(Burst),
    /// A known actor tied to a campaign name not seen before.
    ActorCampaign(ActorCampaign),
    /// Reports copied with small edits, and exact copies.
    NearDuplicates(NearDuplicates),
}

/// `kind = "person-variants"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonVariants {
    /// The name as the watchlist writes it.
    pub person: String,
    /// Other spellings; a spelling in Cyrillic, Arabic or Han script is planted in an item of
    /// that language.
    pub variants: Vec<String>,
    /// How many items name the person; at least one per spelling.
    pub count: u32,
}

/// `kind = "indicator-reuse"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorReuse {
    /// The indicator: an address, domain, URL or hash. Addresses, domains and URLs are
    /// sometimes written defanged (`198.51.100[.]77`).
    pub indicator: String,
    /// How many items carry it, spread over as many kinds of source as possible.
    pub count: u32,
}

/// `kind = "burst"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// The place; a city the generator knows (Odesa, Kharkiv, Mosul, ...) is written in each
    /// language's own form, any other name as given.
    pub place: String,
    /// The day of the flow the burst happens on, 1 being the first.
    pub day: u32,
    /// How many news reports and chat messages mention the place within the window.
    pub count: u32,
    /// The length of the window in hours.
    #[serde(default = "default_window_hours")]
    pub window_hours: u32,
}

fn default_window_hours() -> u32 {
    6
}

/// `kind = "actor-campaign"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorCampaign {
    /// The actor, by its common name.
    pub actor: String,
    /// The new campaign's name.
    pub campaign: String,
    /// How many items tie the two together.
    pub count: u32,
}

/// `kind = "near-duplicates"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearDuplicates {
    /// How many news reports repeat an earlier report with small edits.
    pub count: u32,
    /// How many news reports repeat an earlier report's title and body exactly.
    #[serde(default)]
    pub exact_duplicates: u32,
}

impl Signal {
    /// The `kind` string of the TOML table.
    pub fn kind(&self) -> &'static str {
        match self {
            Signal::PersonVariants(_) => "person-variants",
            Signal::IndicatorReuse(_) => "indicator-reuse",
            Signal::Burst(_) => "burst",
            Signal::ActorCampaign(_) => "actor-campaign",
            Signal::NearDuplicates(_) => "near-duplicates",
        }
    }

    /// How many items carry the signal (for duplicates: near and exact copies together).
    pub fn planted_items(&self) -> u64 {
        let count = match self {
            Signal::PersonVariants(signal) => signal.count,
            Signal::IndicatorReuse(signal) => signal.count,
            Signal::Burst(signal) => signal.count,
            Signal::ActorCampaign(signal) => signal.count,
            Signal::NearDuplicates(signal) => signal.count + signal.exact_duplicates,
        };
        u64::from(count)
    }
}

impl PersonVariants {
    /// The person's name followed by the variants: every spelling that is planted.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.person.as_str()).chain(self.variants.iter().map(String::as_str))
    }
}

/// The TOML shape, before the start time is parsed and the values checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    start: String,
    days: u32,
    #[serde(default)]
    volume: Volume,
    #[serde(default, rename = "signal")]
    signals: Vec<Signal>,
}

/// The last second jiff (and RFC 3339 with a four-digit year) can write.
const LATEST_SECOND: i64 = 253_402_300_799;
const MAX_DAYS: u32 = 36_500;

impl Scenario {
    /// Parses and validates a scenario.
    pub fn from_toml(text: &str) -> Result<Scenario, ExerciseError> {
        let raw: RawScenario = toml::from_str(text).map_err(|error| ExerciseError::ScenarioSyntax {
            message: error.to_string().trim_end().to_owned(),
        })?;
        let start = raw.start.parse::<Timestamp>().map_err(|error| {
            ExerciseError::invalid(
                "start",
                format!("is not an RFC 3339 time such as \"2026-01-01T00:00:00Z\": {error}"),
            )
        })?;
        let scenario =
            Scenario { name: raw.name, start, days: raw.days, volume: raw.volume, signals: raw.signals };
        scenario.validate()?;
        Ok(scenario)
    }

    /// Checks every field, and that the signals fit in the volume: each signal's items must find
    /// room in the kinds of item that can carry it, and at most half of any kind is planted.
    pub fn validate(&self) -> Result<(), ExerciseError> {
        let name_ok = (1..=64).contains(&self.name.len())
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !name_ok {
            return Err(ExerciseError::invalid("name", "must be 1-64 characters of a-z, 0-9, '-' or '_'"));
        }
        if self.start.subsec_nanosecond() != 0 {
            return Err(ExerciseError::invalid("start", "must be a whole second"));
        }
        if !(1..=MAX_DAYS).contains(&self.days) {
            return Err(ExerciseError::invalid("days", format!("must be between 1 and {MAX_DAYS}")));
        }
        let start = self.start.as_second();
        if start < 0 || start + i64::from(self.days) * DAY > LATEST_SECOND {
            return Err(ExerciseError::invalid(
                "start",
                "must lie between 1970 and the end of 9999, with the whole span",
            ));
        }
        let volume = self.volume;
        let total = [
            volume.news,
            volume.notes,
            volume.mail,
            volume.chat,
            volume.feed_entries,
            volume.stix_bundles,
            volume.misp_events,
        ]
        .iter()
        .try_fold(0u64, |sum, count| sum.checked_add(*count));
        match total {
            Some(0) => return Err(ExerciseError::invalid("volume", "must hold some items")),
            None => return Err(ExerciseError::invalid("volume", "is too large")),
            Some(_) => {}
        }
        for (index, signal) in self.signals.iter().enumerate() {
            validate_signal(signal, self.days, &format!("signal[{index}]"))?;
        }
        plan::allocate(self).map(|_| ())
    }

    /// The first instant after the flow.
    pub fn end(&self) -> Timestamp {
        let end = self.start.as_second() + i64::from(self.days) * DAY;
        Timestamp::from_second(end).unwrap_or(self.start)
    }
}

fn validate_signal(signal: &Signal, days: u32, path: &str) -> Result<(), ExerciseError> {
    let field = |name: &str| format!("{path}.{name}");
    let require_text = |name: &str, value: &str, min_chars: usize| {
        if value.trim().chars().count() < min_chars || value.contains(['\n', '\r']) {
            return Err(ExerciseError::invalid(
                field(name),
                format!("must be a single line of at least {min_chars} characters"),
            ));
        }
        Ok(())
    };
    if signal.planted_items() == 0 || signal_count(signal) == 0 {
        return Err(ExerciseError::invalid(field("count"), "must be at least 1"));
    }
    match signal {
        Signal::PersonVariants(person) => {
            require_text("person", &person.person, 3)?;
            for (index, variant) in person.variants.iter().enumerate() {
                require_text(&format!("variants[{index}]"), variant, 3)?;
                let earlier = person.spellings().take(index + 1).any(|seen| seen == variant);
                if earlier {
                    return Err(ExerciseError::invalid(
                        field(&format!("variants[{index}]")),
                        "repeats an earlier spelling",
                    ));
                }
            }
            let spellings = person.variants.len() + 1;
            if (person.count as usize) < spellings {
                return Err(ExerciseError::invalid(
                    field("count"),
                    format!("must be at least {spellings} so that every spelling appears"),
                ));
            }
        }
        Signal::IndicatorReuse(reuse) => {
            require_text("indicator", &reuse.indicator, 4)?;
            if reuse.indicator.chars().any(char::is_whitespace) {
                return Err(ExerciseError::invalid(field("indicator"), "must not contain blanks"));
            }
        }
        Signal::Burst(burst) => {
            require_text("place", &burst.place, 2)?;
            if !(1..=days).contains(&burst.day) {
                return Err(ExerciseError::invalid(
                    field("day"),
                    format!("must be between 1 and {days} (the scenario's days)"),
                ));
            }
            if !(1..=24).contains(&burst.window_hours) {
                return Err(ExerciseError::invalid(field("window_hours"), "must be between 1 and 24"));
            }
        }
        Signal::ActorCampaign(link) => {
            require_text("actor", &link.actor, 2)?;
            require_text("campaign", &link.campaign, 3)?;
        }
        Signal::NearDuplicates(_) => {}
    }
    Ok(())
}

/// The `count` field itself (for duplicates, without the exact copies).
fn signal_count(signal: &Signal) -> u32 {
    match signal {
        Signal::PersonVariants(signal) => signal.count,
        Signal::IndicatorReuse(signal) => signal.count,
        Signal::Burst(signal) => signal.count,
        Signal::ActorCampaign(signal) => signal.count,
        Signal::NearDuplicates(signal) => signal.count,
    }
}
