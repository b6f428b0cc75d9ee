//! The ground truth is right: each signal lists the right number of items, each listed item
//! carries the planted text (in the records and in the files), and no unlisted item does.

use std::collections::{BTreeMap, BTreeSet};

use muninn_exercise::{
    Generator, GroundTruth, Item, ItemKey, Lang, Scenario, Signal, Stream, TRUTH_FORMAT, demo_scenario,
    small_scenario,
};

use crate::Flow;
use crate::formats::check_xml;
use crate::mail;

fn scenarios() -> Vec<(Scenario, u64)> {
    vec![(demo_scenario(), 1), (demo_scenario(), 2026), (small_scenario(), 5)]
}

fn key(text: &str) -> ItemKey {
    text.parse().expect("an item key")
}

/// Every item of the flow, with its key.
fn all_items(generator: &Generator) -> Vec<(ItemKey, Item)> {
    Stream::ALL
        .into_iter()
        .flat_map(|stream| (0..generator.volume(stream)).map(move |index| ItemKey { stream, index }))
        .map(|key| (key, generator.item(key)))
        .collect()
}

#[test]
fn each_signal_lists_its_count_of_items_and_each_carries_the_planted_text() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        assert_eq!(truth.format, TRUTH_FORMAT);
        assert_eq!(truth.signals.len(), scenario.signals.len());
        for (signal, planted) in scenario.signals.iter().zip(&truth.signals) {
            assert_eq!(&planted.signal, signal);
            assert_eq!(planted.items.len() as u64, signal.planted_items(), "{}", planted.id);
            let keys: BTreeSet<&str> = planted.items.iter().map(|i| i.key.as_str()).collect();
            assert_eq!(keys.len(), planted.items.len(), "{}: distinct items", planted.id);
            for listed in &planted.items {
                let item = generator.item(key(&listed.key));
                assert_eq!(item.title(), listed.title);
                assert_eq!(item.lang(), listed.lang);
                assert!(!listed.planted.is_empty());
                assert!(
                    item.contains(&listed.planted),
                    "{} {}: {:?} not in {:?} / {:?}",
                    planted.id,
                    listed.key,
                    listed.planted,
                    item.title(),
                    item.body()
                );
            }
        }
    }
}

#[test]
fn person_variants_appear_in_every_spelling_and_nowhere_unlisted() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        let items = all_items(&generator);
        for planted in &truth.signals {
            let Signal::PersonVariants(person) = &planted.signal else {
                continue;
            };
            for spelling in person.spellings() {
                let carriers: Vec<_> = planted.items.iter().filter(|i| i.planted == spelling).collect();
                assert!(!carriers.is_empty(), "{spelling} is planted");
                for carrier in carriers {
                    assert_eq!(carrier.lang, Lang::of_script(spelling), "{spelling}");
                }
            }
            let listed: BTreeSet<String> = planted.items.iter().map(|i| i.key.clone()).collect();
            for (item_key, item) in &items {
                if person.spellings().any(|spelling| item.contains(spelling)) {
                    assert!(listed.contains(&item_key.to_string()), "unlisted {item_key}");
                }
            }
        }
    }
}

#[test]
fn reused_indicator_spans_kinds_of_source_and_is_nowhere_else() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        let items = all_items(&generator);
        for planted in &truth.signals {
            let Signal::IndicatorReuse(reuse) = &planted.signal else {
                continue;
            };
            let streams: BTreeSet<Stream> = planted.items.iter().map(|i| key(&i.key).stream).collect();
            assert!(streams.len() >= 3, "{streams:?}");
            let forms: BTreeSet<&str> = planted.items.iter().map(|i| i.planted.as_str()).collect();
            assert!(forms.contains(reuse.indicator.as_str()));
            let listed: BTreeSet<String> = planted.items.iter().map(|i| i.key.clone()).collect();
            let carriers: BTreeSet<String> = items
                .iter()
                .filter(|(_, item)| forms.iter().any(|form| item.contains(form)))
                .map(|(item_key, _)| item_key.to_string())
                .collect();
            assert_eq!(carriers, listed);
        }
    }
}

#[test]
fn a_burst_falls_in_its_window_with_a_quiet_day_around_it() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        let items = all_items(&generator);
        for planted in &truth.signals {
            let Signal::Burst(burst) = &planted.signal else {
                continue;
            };
            let window = planted.window.as_ref().expect("a burst has a window");
            let start: jiff::Timestamp = window.start.parse().expect("RFC 3339");
            let end: jiff::Timestamp = window.end.parse().expect("RFC 3339");
            assert_eq!((end.as_second() - start.as_second()) / 3600, i64::from(burst.window_hours));
            let day_start =
                scenario.start + jiff::SignedDuration::from_hours(24 * (i64::from(burst.day) - 1));
            assert!(start >= day_start && end <= day_start + jiff::SignedDuration::from_hours(24));
            let names: BTreeSet<&str> = planted.items.iter().map(|i| i.planted.as_str()).collect();
            if planted.items.len() >= 10 {
                assert!(names.len() >= 2, "the place in several languages: {names:?}");
            }
            let listed: BTreeSet<String> = planted.items.iter().map(|i| i.key.clone()).collect();
            for listed_item in &planted.items {
                let published: jiff::Timestamp = listed_item.published.parse().expect("time");
                assert!(published >= start && published < end, "{}", listed_item.key);
            }
            let quiet_from = start - jiff::SignedDuration::from_hours(24);
            let quiet_to = end + jiff::SignedDuration::from_hours(24);
            for (item_key, item) in &items {
                let near = item.published() >= quiet_from && item.published() < quiet_to;
                if near && names.iter().any(|name| item.contains(name)) {
                    assert!(listed.contains(&item_key.to_string()), "unlisted {item_key}");
                }
            }
        }
    }
}

#[test]
fn campaign_names_appear_only_in_listed_items_with_their_actor() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        let items = all_items(&generator);
        for planted in &truth.signals {
            let Signal::ActorCampaign(link) = &planted.signal else {
                continue;
            };
            let listed: BTreeSet<String> = planted.items.iter().map(|i| i.key.clone()).collect();
            for (item_key, item) in &items {
                if item.contains(&link.campaign) {
                    assert!(listed.contains(&item_key.to_string()), "unlisted {item_key}");
                    assert!(item.contains(&link.actor), "{item_key} names the actor");
                }
            }
        }
    }
}

#[test]
fn duplicates_copy_earlier_reports_and_no_other_report_repeats() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let truth = generator.ground_truth();
        let mut declared_exact = BTreeSet::new();
        for planted in &truth.signals {
            let Signal::NearDuplicates(duplicates) = &planted.signal else {
                continue;
            };
            let mut near_texts = BTreeSet::new();
            let mut exact = 0;
            for listed in &planted.items {
                let copy = generator.news(key(&listed.key).index);
                let of = key(listed.duplicate_of.as_deref().expect("names its original"));
                assert_eq!(of.stream, Stream::News);
                let original = generator.news(of.index);
                assert!(original.published < copy.published, "{}", listed.key);
                assert_eq!(original.lang, copy.lang);
                assert_ne!(original.url, copy.url);
                if listed.exact == Some(true) {
                    exact += 1;
                    assert_eq!((&copy.title, &copy.body), (&original.title, &original.body));
                    declared_exact.insert(listed.key.clone());
                } else {
                    assert!(copy.title.contains(&original.title));
                    assert_ne!(copy.body, original.body);
                    assert!(overlap(&copy.body, &original.body) >= 0.5, "{}", listed.key);
                    assert!(near_texts.insert(copy.body.clone()), "near copies differ");
                }
            }
            assert_eq!(exact, duplicates.exact_duplicates);
        }
        // Apart from the declared exact copies, no two news reports share title and body.
        let mut seen = BTreeMap::new();
        for item in generator.news_items() {
            let text = (item.title.clone(), item.body.clone());
            if let Some(first) = seen.insert(text, item.key) {
                assert!(
                    declared_exact.contains(&item.key.to_string())
                        || declared_exact.contains(&first.to_string()),
                    "{} repeats {first}",
                    item.key
                );
            }
        }
    }
}

/// The share of the shorter text's character trigrams that the other text has (trigrams, not
/// words, because Chinese is written without spaces).
fn overlap(a: &str, b: &str) -> f64 {
    let trigrams = |text: &str| -> BTreeSet<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(3).map(|window| window.iter().collect()).collect()
    };
    let (a, b) = (trigrams(a), trigrams(b));
    let shared = a.intersection(&b).count() as f64;
    shared / a.len().min(b.len()).max(1) as f64
}

#[test]
fn written_truth_matches_and_every_listed_item_is_in_its_file() {
    let scenario = demo_scenario();
    let flow = Flow::generate(&scenario, 11);
    let generator = Generator::new(&scenario, 11).expect("valid");
    let truth: GroundTruth = serde_json::from_str(&flow.read("truth.json")).expect("truth.json parses");
    assert_eq!(truth, generator.ground_truth());
    assert_eq!(truth.seed, 11);
    let news: Vec<String> = flow.read("news.jsonl").lines().map(str::to_owned).collect();
    let chat: Vec<String> = flow.read("chat/messages.jsonl").lines().map(str::to_owned).collect();
    let messages = mail::split(&flow.read("mail/inbox.mbox"));
    let rss = flow.read("feeds/feed.rss");
    let atom = flow.read("feeds/feed.atom");
    assert!(check_xml(&rss).is_ok() && check_xml(&atom).is_ok());
    for listed in truth.signals.iter().flat_map(|signal| &signal.items) {
        let item_key = key(&listed.key);
        let index = item_key.index as usize;
        let text = match item_key.stream {
            Stream::News => json_text(&news[index], &["title", "body"]),
            Stream::Chat => json_text(&chat[index], &["text"]),
            Stream::Note => flow.read(&listed.file),
            Stream::Mail => messages[index].decoded_text(),
            Stream::Rss => unescape(&rss),
            Stream::Atom => unescape(&atom),
            Stream::Stix | Stream::Misp => json_strings(&flow.read(&listed.file)),
        };
        assert!(text.contains(&listed.planted), "{} lacks {:?}", listed.key, listed.planted);
        assert!(text.contains(&listed.title), "{} lacks its title", listed.key);
    }
}

/// Every string of a JSON document, a line each.
fn json_strings(text: &str) -> String {
    fn collect(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::String(text) => {
                out.push_str(text);
                out.push('\n');
            }
            serde_json::Value::Array(values) => values.iter().for_each(|value| collect(value, out)),
            serde_json::Value::Object(map) => map.values().for_each(|value| collect(value, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    collect(&serde_json::from_str(text).expect("JSON"), &mut out);
    out
}

fn json_text(line: &str, fields: &[&str]) -> String {
    let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
    fields
        .iter()
        .map(|field| value[*field].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn unescape(xml: &str) -> String {
    xml.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[test]
fn item_keys_round_trip() {
    for text in [
        "news:000123",
        "note:0007",
        "mail:000004",
        "chat:000000",
        "rss:000002",
        "atom:123456789",
        "stix:0003",
        "misp:0012",
    ] {
        assert_eq!(key(text).to_string(), text);
    }
    for text in ["news", "blog:000001", "news:x", "news:-1", "news:", "note:+7"] {
        let error = text.parse::<ItemKey>().expect_err(text);
        assert!(error.to_string().contains("is not an item key"), "{error}");
    }
}

/// Short chat lines may repeat, as chat does, but rarely: the planted exact duplicates should
/// stand out to a deduplication check.
#[test]
fn chat_messages_rarely_repeat() {
    for (scenario, seed) in scenarios() {
        let generator = Generator::new(&scenario, seed).expect("valid");
        let volume = generator.volume(Stream::Chat);
        let texts: BTreeSet<String> = (0..volume).map(|index| generator.chat(index).text).collect();
        let repeats = volume - texts.len() as u64;
        assert!(repeats * 20 <= volume, "{repeats} repeats among {volume} chat messages");
    }
}
