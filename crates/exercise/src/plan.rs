//! Where the signals go: which items carry them, in which language and at what time.
//!
//! **Invariant:** the plan holds one entry per planted item (and per original of a duplicate),
//! never anything per item of the flow, so memory is bounded by the signal counts whatever the
//! volume.

use std::collections::BTreeMap;

use crate::ExerciseError;
use crate::clock::DAY;
use crate::indicators;
use crate::lexicon::Lang;
use crate::records::{ItemKey, Stream};
use crate::rng::{Rng, mix64};
use crate::scenario::{Scenario, Signal};
use crate::world;

const PLAN_SALT: u64 = 0x706c_616e;

/// What a planted item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Names the person with spelling number `spelling` (0 is the watchlist's).
    Person {
        spelling: usize,
    },
    Indicator,
    Burst,
    Campaign,
    /// Repeats news item `of` with small edits.
    NearCopy {
        of: u64,
    },
    /// Repeats news item `of` exactly.
    ExactCopy {
        of: u64,
    },
    /// A background news item that is copied later; kept free of every planted term.
    Original,
}

/// One planted item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) signal: usize,
    pub(crate) role: Role,
    /// The item's language, when the signal decides it.
    pub(crate) lang: Option<Lang>,
    /// The item's time, when the signal decides it (a burst).
    pub(crate) time: Option<i64>,
    /// The exact text planted (empty for copies and originals).
    pub(crate) text: String,
}

/// The planted items of a flow.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) slots: BTreeMap<ItemKey, Slot>,
    /// Per signal, its items in the order they were planted.
    pub(crate) items: Vec<Vec<ItemKey>>,
    /// Per signal, the burst window `[start, end)` in Unix seconds.
    pub(crate) windows: Vec<Option<(i64, i64)>>,
}

/// The streams that can carry occurrence `occurrence` of a signal, in order of preference.
fn eligible(signal: &Signal, occurrence: usize) -> &'static [Stream] {
    const ANY: &[Stream] =
        &[Stream::News, Stream::Mail, Stream::Chat, Stream::Note, Stream::Atom, Stream::Rss];
    const MULTILINGUAL: &[Stream] = &[Stream::News, Stream::Mail, Stream::Chat, Stream::Atom];
    match signal {
        Signal::PersonVariants(person) => {
            let spelling = person.spellings().nth(occurrence % (person.variants.len() + 1));
            match spelling.map(Lang::of_script) {
                Some(Lang::En) | None => ANY,
                Some(_) => MULTILINGUAL,
            }
        }
        // Partners share indicators in STIX and MISP too: the reuse that crosses formats.
        Signal::IndicatorReuse(_) => &[
            Stream::News,
            Stream::Mail,
            Stream::Chat,
            Stream::Note,
            Stream::Atom,
            Stream::Rss,
            Stream::Stix,
            Stream::Misp,
        ],
        Signal::Burst(_) => &[Stream::Chat, Stream::News],
        Signal::ActorCampaign(_) => &[Stream::News, Stream::Note, Stream::Atom, Stream::Mail, Stream::Rss],
        Signal::NearDuplicates(_) => &[Stream::News],
    }
}

pub(crate) fn volume_of(scenario: &Scenario, stream: Stream) -> u64 {
    let volume = scenario.volume;
    match stream {
        Stream::News => volume.news,
        Stream::Note => volume.notes,
        Stream::Mail => volume.mail,
        Stream::Chat => volume.chat,
        Stream::Rss | Stream::Atom => volume.feed_entries,
        Stream::Stix => volume.stix_bundles,
        Stream::Misp => volume.misp_events,
    }
}

/// How many originals the copies of a near-duplicates signal share: about three copies each.
fn originals_for(copies: u64) -> u64 {
    copies.div_ceil(3)
}

/// Chooses the stream of every planted item, round-robin over the eligible streams so that a
/// signal spreads over kinds of source, and at most half of any stream planted. Depends on the
/// scenario only, not on the seed, so validation can run it.
pub(crate) fn allocate(scenario: &Scenario) -> Result<Vec<Vec<Stream>>, ExerciseError> {
    let mut used: BTreeMap<Stream, u64> = BTreeMap::new();
    let capacity = |stream: Stream| volume_of(scenario, stream) / 2;
    let mut allocation = Vec::with_capacity(scenario.signals.len());
    for (index, signal) in scenario.signals.iter().enumerate() {
        let planted = signal.planted_items();
        let mut streams = Vec::with_capacity(planted.min(1 << 16) as usize);
        for occurrence in 0..planted as usize {
            let candidates = eligible(signal, occurrence);
            let chosen = (0..candidates.len())
                .map(|offset| candidates[(occurrence + offset) % candidates.len()])
                .find(|stream| used.get(stream).copied().unwrap_or(0) < capacity(*stream));
            let Some(stream) = chosen else {
                let names: Vec<&str> = candidates.iter().map(|stream| stream.prefix()).collect();
                return Err(ExerciseError::invalid(
                    format!("signal[{index}].count"),
                    format!(
                        "asks for {planted} items, but only {occurrence} fit: a {} signal goes \
                         in {} items, and at most half of each kind of item is planted",
                        signal.kind(),
                        names.join(", ")
                    ),
                ));
            };
            *used.entry(stream).or_insert(0) += 1;
            streams.push(stream);
        }
        if let Signal::NearDuplicates(_) = signal {
            let news = used.entry(Stream::News).or_insert(0);
            *news += originals_for(planted);
            if *news > capacity(Stream::News) {
                return Err(ExerciseError::invalid(
                    format!("signal[{index}].count"),
                    "leaves no room in the news for the reports being copied",
                ));
            }
        }
        allocation.push(streams);
    }
    Ok(allocation)
}

/// Builds the plan for a validated scenario.
pub(crate) fn build(scenario: &Scenario, seed: u64) -> Result<Plan, ExerciseError> {
    let allocation = allocate(scenario)?;
    let mut rng = Rng::new(mix64(seed ^ PLAN_SALT));
    let mut plan = Plan {
        slots: BTreeMap::new(),
        items: Vec::with_capacity(allocation.len()),
        windows: Vec::with_capacity(allocation.len()),
    };
    let start = scenario.start.as_second();
    for (signal_index, (signal, streams)) in scenario.signals.iter().zip(allocation).enumerate() {
        let mut keys = Vec::with_capacity(streams.len());
        let mut window = None;
        if let Signal::Burst(burst) = signal {
            let length = i64::from(burst.window_hours) * 3600;
            let day_start = start + i64::from(burst.day - 1) * DAY;
            let offset = rng.below((DAY - length + 1) as u64) as i64;
            let window_start = day_start + offset - offset % 60;
            window = Some((window_start, window_start + length));
        }
        let originals = match signal {
            Signal::NearDuplicates(_) => {
                let count = originals_for(streams.len() as u64);
                let originals = plant_originals(&mut plan, &mut rng, scenario, signal_index, count);
                if originals.is_empty() {
                    return Err(crowded(signal_index));
                }
                originals
            }
            _ => Vec::new(),
        };
        for (occurrence, stream) in streams.into_iter().enumerate() {
            let volume = volume_of(scenario, stream);
            let (low, role) = match signal {
                Signal::NearDuplicates(duplicates) => {
                    let of = originals[occurrence % originals.len()];
                    let role = if (occurrence as u32) < duplicates.count {
                        Role::NearCopy { of }
                    } else {
                        Role::ExactCopy { of }
                    };
                    (of + 1, role)
                }
                Signal::PersonVariants(_) => {
                    (0, Role::Person { spelling: occurrence % (signal_spellings(signal)) })
                }
                Signal::IndicatorReuse(_) => (0, Role::Indicator),
                Signal::Burst(_) => (0, Role::Burst),
                Signal::ActorCampaign(_) => (0, Role::Campaign),
            };
            let index =
                free_index(&plan, &mut rng, stream, low, volume).ok_or_else(|| crowded(signal_index))?;
            let lang = slot_lang(signal, role, stream, &mut rng);
            let time = window.map(|(from, to)| from + rng.below((to - from) as u64) as i64);
            let text = planted_text(signal, role, occurrence, lang);
            let key = ItemKey { stream, index };
            plan.slots.insert(key, Slot { signal: signal_index, role, lang, time, text });
            keys.push(key);
        }
        plan.items.push(keys);
        plan.windows.push(window);
    }
    Ok(plan)
}

fn signal_spellings(signal: &Signal) -> usize {
    match signal {
        Signal::PersonVariants(person) => person.variants.len() + 1,
        _ => 1,
    }
}

fn crowded(signal_index: usize) -> ExerciseError {
    ExerciseError::invalid(format!("signal[{signal_index}].count"), "finds no free item to plant in")
}

/// Chooses the news reports that duplicates copy, in the first half of the news so that copies
/// can come after them.
fn plant_originals(
    plan: &mut Plan,
    rng: &mut Rng,
    scenario: &Scenario,
    signal: usize,
    count: u64,
) -> Vec<u64> {
    let half = volume_of(scenario, Stream::News).div_ceil(2);
    let mut originals = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let Some(index) = free_index(plan, rng, Stream::News, 0, half) else {
            break;
        };
        let slot = Slot { signal, role: Role::Original, lang: None, time: None, text: String::new() };
        plan.slots.insert(ItemKey { stream: Stream::News, index }, slot);
        originals.push(index);
    }
    originals
}

/// A random unplanted index in `low..high`: random probes, then a scan when the range is
/// crowded.
fn free_index(plan: &Plan, rng: &mut Rng, stream: Stream, low: u64, high: u64) -> Option<u64> {
    if low >= high {
        return None;
    }
    let is_free = |index: u64| !plan.slots.contains_key(&ItemKey { stream, index });
    for _ in 0..64 {
        let index = low + rng.below(high - low);
        if is_free(index) {
            return Some(index);
        }
    }
    let first = low + rng.below(high - low);
    (first..high).chain(low..first).find(|index| is_free(*index))
}

/// The language of a planted item: a spelling's script decides for a person, the stream's
/// usual mix otherwise; copies take their original's language later.
fn slot_lang(signal: &Signal, role: Role, stream: Stream, rng: &mut Rng) -> Option<Lang> {
    match (signal, role) {
        (_, Role::NearCopy { .. } | Role::ExactCopy { .. } | Role::Original) => None,
        (Signal::PersonVariants(person), Role::Person { spelling }) => {
            person.spellings().nth(spelling).map(Lang::of_script)
        }
        _ => Some(pick_lang(stream, rng)),
    }
}

/// A language in the stream's usual proportions.
pub(crate) fn pick_lang(stream: Stream, rng: &mut Rng) -> Lang {
    let languages = stream.languages();
    if languages.len() == 1 {
        return languages[0];
    }
    let weights: &[u64] = if stream == Stream::Chat { &[50, 25, 12, 13] } else { &[55, 20, 12, 13] };
    languages[rng.weighted(weights) % languages.len()]
}

fn planted_text(signal: &Signal, role: Role, occurrence: usize, lang: Option<Lang>) -> String {
    let lang = lang.unwrap_or(Lang::En);
    match (signal, role) {
        (Signal::PersonVariants(person), Role::Person { spelling }) => {
            person.spellings().nth(spelling).unwrap_or_default().to_owned()
        }
        (Signal::IndicatorReuse(reuse), _) => {
            if occurrence % 3 == 2 && indicators::is_defangable(&reuse.indicator) {
                indicators::defang(&reuse.indicator)
            } else {
                reuse.indicator.clone()
            }
        }
        (Signal::Burst(burst), _) => place_name(&burst.place, lang).to_owned(),
        (Signal::ActorCampaign(link), _) => link.campaign.clone(),
        _ => String::new(),
    }
}

/// A place's name in a language: the gazetteer's when it knows the place, as given otherwise.
pub(crate) fn place_name(place: &str, lang: Lang) -> &str {
    world::find_place(place).map_or(place, |known| known.names.get(lang))
}

/// Every form of a place's name.
pub(crate) fn place_names(place: &str) -> Vec<String> {
    match world::find_place(place) {
        Some(known) => known.names.all().iter().map(|name| (*name).to_owned()).collect(),
        None => vec![place.to_owned()],
    }
}
