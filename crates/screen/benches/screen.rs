//! `cargo xtask bench screen`: screening throughput of Muninn's screener against raw daachorse
//! over the same messages and names, and hit-for-hit agreement with a slow, obviously correct
//! reference on a sample, and the share of planted misspellings the near-miss tier finds. Writes the messages and patterns for the C/grep baselines that xtask
//! runs next (Hyperscan, GNU grep -F).
//!
//! Usage: `screen OUTPUT.json WORK_DIR MESSAGES`

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::time::Instant;

use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder, MatchKind};
use jiff::Timestamp;
use muninn_model::Tlp;
use muninn_screen::{Entry, EntryKind, ScreenScratch, Screener, Severity, Watchlist, refang};
use muninn_text::{fold, is_particle, skeleton, skeleton::to_latin};
use rayon::prelude::*;

const NAMES: usize = 100_000;
const INDICATORS: usize = 1_000;
const MESSAGE_BYTES: usize = 200;
const REFERENCE_SAMPLE: usize = 50_000;
const RUNS: usize = 3;

/// SplitMix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const LATIN_ONSETS: [&str; 24] = [
    "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "r", "s", "t", "z", "sh", "kh", "br", "dr", "gr", "st",
    "ch", "v", "p", "q",
];
const LATIN_VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ai", "ou", "ia"];
const CYRILLIC: [&str; 20] =
    ["б", "д", "г", "к", "л", "м", "н", "р", "с", "т", "з", "в", "п", "ш", "ж", "х", "ф", "ц", "ч", "й"];
const CYRILLIC_VOWELS: [&str; 6] = ["а", "е", "и", "о", "у", "я"];
const ARABIC: [&str; 22] = [
    "ب", "ت", "ج", "ح", "خ", "د", "ر", "ز", "س", "ش", "ص", "ط", "ع", "غ", "ف", "ق", "ك", "ل", "م", "ن", "ه",
    "ي",
];
const ARABIC_LONG: [&str; 3] = ["ا", "و", "ي"];
/// Given-name characters, distinct from the surnames: a surname and two of these make a
/// three-character name, as most Chinese names on lists are.
const HAN_GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华玉兰萍红鹏辉玲桂芝丹凤慧春梅琳颖婷雪飞浩宇轩鑫博彬斌鸿志泽瑞佳晨欣怡梓涵思雨嘉琪子豪俊峰";
const HAN: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";

fn latin_word(rng: &mut Rng) -> String {
    let syllables = 2 + rng.below(2);
    let mut word = String::new();
    for _ in 0..syllables {
        word.push_str(LATIN_ONSETS[rng.below(LATIN_ONSETS.len())]);
        word.push_str(LATIN_VOWELS[rng.below(LATIN_VOWELS.len())]);
    }
    if rng.chance(50) {
        word.push_str(LATIN_ONSETS[rng.below(14)]);
    }
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn script_word(rng: &mut Rng, consonants: &[&str], vowels: &[&str]) -> String {
    let mut word = String::new();
    for _ in 0..2 + rng.below(2) {
        word.push_str(consonants[rng.below(consonants.len())]);
        word.push_str(vowels[rng.below(vowels.len())]);
    }
    word.push_str(consonants[rng.below(consonants.len())]);
    word
}

/// 100k distinct names in Latin (persons, with Arabic particles sometimes, and organisations),
/// Cyrillic, Arabic and Han script.
fn names(rng: &mut Rng) -> Vec<String> {
    let han: Vec<char> = HAN.chars().collect();
    let given: Vec<char> = HAN_GIVEN.chars().collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(NAMES);
    while out.len() < NAMES {
        let name = match rng.below(100) {
            0..=54 => format!("{} {}", latin_word(rng), latin_word(rng)),
            55..=64 => format!("{} al-{}", latin_word(rng), latin_word(rng)),
            65..=74 => format!("{} {} Trading Co", latin_word(rng), latin_word(rng)),
            75..=84 => format!(
                "{} {}",
                script_word(rng, &CYRILLIC, &CYRILLIC_VOWELS),
                script_word(rng, &CYRILLIC, &CYRILLIC_VOWELS)
            ),
            85..=94 => format!(
                "{} {}",
                script_word(rng, &ARABIC, &ARABIC_LONG),
                script_word(rng, &ARABIC, &ARABIC_LONG)
            ),
            _ => [han[rng.below(han.len())], given[rng.below(given.len())], given[rng.below(given.len())]]
                .into_iter()
                .collect(),
        };
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

fn indicators(rng: &mut Rng) -> Vec<String> {
    (0..INDICATORS)
        .map(|i| match i % 3 {
            0 => format!(
                "{}.{}.{}.{}",
                11 + rng.below(200),
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            ),
            1 => format!(
                "{}.{}",
                latin_word(rng).to_lowercase(),
                ["com", "net", "org", "ru", "info"][rng.below(5)]
            ),
            _ => (0..64).map(|_| char::from(b"0123456789abcdef"[rng.below(16)])).collect(),
        })
        .collect()
}

fn defang(value: &str) -> String {
    value.replace('.', "[.]")
}

/// A Latin-script rendering in Cyrillic letters, the way a Russian text would spell a name.
fn cyrillic_of(latin: &str) -> String {
    let lower = latin.to_lowercase();
    let mut out = String::new();
    let mut chars = lower.chars().peekable();
    while let Some(c) = chars.next() {
        let two = chars.peek().map(|n| format!("{c}{n}"));
        let digraph = match two.as_deref() {
            Some("sh") => Some("ш"),
            Some("kh") => Some("х"),
            Some("ch") => Some("ч"),
            Some("ou") => Some("у"),
            _ => None,
        };
        if let Some(cyrillic) = digraph {
            out.push_str(cyrillic);
            chars.next();
            continue;
        }
        let mapped = match c {
            'a' => "а",
            'b' => "б",
            'd' => "д",
            'e' => "е",
            'f' => "ф",
            'g' => "г",
            'h' => "х",
            'i' => "и",
            'j' => "дж",
            'k' => "к",
            'l' => "л",
            'm' => "м",
            'n' => "н",
            'o' => "о",
            'p' => "п",
            'q' => "к",
            'r' => "р",
            's' => "с",
            't' => "т",
            'u' => "у",
            'v' => "в",
            'z' => "з",
            '-' => "-",
            ' ' => " ",
            _ => "",
        };
        out.push_str(mapped);
    }
    out
}

/// One misspelling of a name, as a hurried writer makes it: in one word of five letters or
/// more, never its first letter, two neighbours swapped, a letter dropped, doubled or replaced
/// by its neighbour in the word. None when no word is long enough.
fn misspell(name: &str, rng: &mut Rng) -> Option<String> {
    let words: Vec<&str> = name.split(' ').collect();
    let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].chars().count() >= 5).collect();
    let chosen = *long.get(rng.below(long.len().max(1)))?;
    let mut letters: Vec<char> = words[chosen].chars().collect();
    let at = 1 + rng.below(letters.len() - 2);
    match rng.below(4) {
        0 if letters[at] != letters[at + 1] => letters.swap(at, at + 1),
        1 => {
            letters.remove(at);
        }
        2 => letters.insert(at, letters[at]),
        _ if letters[at] != letters[at - 1] => letters[at] = letters[at - 1],
        _ => {
            letters.remove(at);
        }
    }
    let misspelt: String = letters.into_iter().collect();
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out[chosen] = misspelt;
    Some(out.join(" "))
}

/// Generated multilingual news texts of about 200 bytes; 2% carry a listed name (as listed,
/// upper-cased, in Cyrillic letters, or misspelt) and 0.5% a listed indicator (a third
/// defanged). Also returns the misspelt plantings: (message, name).
fn messages(count: usize, names: &[String], indicators: &[String]) -> (Vec<String>, Vec<(usize, usize)>) {
    let mut misspelt = Vec::new();
    let mut raw = Vec::new();
    muninn_exercise::write_jsonl_items(&mut raw, count as u64, MESSAGE_BYTES + 80, 17).unwrap();
    let mut rng = Rng(99);
    let messages = raw
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(index, line)| {
            let value: serde_json::Value = serde_json::from_slice(line).unwrap();
            let mut text = format!(
                "{}. {}",
                value["title"].as_str().unwrap_or(""),
                value["body"].as_str().unwrap_or("")
            );
            let planted = if rng.chance(2) {
                let chosen = rng.below(names.len());
                let name = &names[chosen];
                Some(match rng.below(4) {
                    0 => name.clone(),
                    1 => name.to_uppercase(),
                    2 if name.is_ascii() => cyrillic_of(name),
                    3 => match misspell(name, &mut rng) {
                        Some(wrong) => {
                            misspelt.push((index, chosen));
                            wrong
                        }
                        None => name.clone(),
                    },
                    _ => name.clone(),
                })
            } else if rng.below(200) == 0 {
                let value = &indicators[rng.below(indicators.len())];
                Some(if rng.chance(33) { defang(value) } else { value.clone() })
            } else {
                None
            };
            if let Some(planted) = planted {
                let mut cut = (MESSAGE_BYTES / 2).min(text.len());
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str(" — ");
                text.push_str(&planted);
                text.push_str(" said. ");
            }
            let mut cut = MESSAGE_BYTES.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.replace('\n', " ")
        })
        .collect();
    (messages, misspelt)
}

fn watchlist(names: &[String], indicators: &[String]) -> Watchlist {
    let mut entries: Vec<Entry> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Entry {
            id: format!("n{i}"),
            kind: EntryKind::Name { name: name.clone(), aliases: Vec::new() },
            severity: Severity::High,
            note: String::new(),
        })
        .collect();
    entries.extend(indicators.iter().enumerate().map(|(i, value)| Entry {
        id: format!("i{i}"),
        kind: EntryKind::Indicator { value: value.clone() },
        severity: Severity::Medium,
        note: String::new(),
    }));
    Watchlist { name: "bench".to_owned(), owner: "bench".to_owned(), tlp: Tlp::Amber, version: 1, entries }
}

/// A name in the reference's skeleton table: entry id, its non-particle words, their skeletons.
type SkeletonName = (String, Vec<String>, Vec<String>);

/// The slow, obviously correct reference: strings everywhere, no hashing, no bit filters; the
/// rules of the screening README written out directly.
struct Reference {
    /// First folded word → (entry id, folded words).
    exact: HashMap<String, Vec<(String, Vec<String>)>>,
    /// First skeleton → (entry id, the non-particle words, their skeletons).
    skeleton: HashMap<String, Vec<SkeletonName>>,
    /// Second folded word → (entry id, folded words, the name), for near misses keyed by it.
    second: HashMap<String, Vec<(String, Vec<String>, String)>>,
    names: Vec<String>,
    indicators: Vec<(String, String)>,
}

fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let han = muninn_text::is_han(c);
        let word_char = c.is_alphanumeric() || unicode_mark(c);
        if word_char && !han {
            current.push(c);
        } else {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if han {
                words.push(c.to_string());
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn unicode_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

fn kept_words(words: &[String]) -> Vec<String> {
    words.iter().filter(|w| !is_particle(&to_latin(&fold(w)))).cloned().collect()
}

impl Reference {
    fn new(names: &[String], indicators: &[String]) -> Reference {
        let mut exact: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
        let mut skeletons: HashMap<String, Vec<SkeletonName>> = HashMap::new();
        let mut second: HashMap<String, Vec<(String, Vec<String>, String)>> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let words = split_words(name);
            let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
            if let Some(word) = folded.get(1) {
                second.entry(word.clone()).or_default().push((format!("n{i}"), folded.clone(), name.clone()));
            }
            exact.entry(folded[0].clone()).or_default().push((format!("n{i}"), folded));
            let kept = kept_words(&words);
            let kept_skeletons: Vec<String> = kept.iter().map(|w| skeleton(w)).collect();
            if kept.len() >= 2 && kept_skeletons.iter().map(|s| s.chars().count()).sum::<usize>() >= 4 {
                skeletons.entry(kept_skeletons[0].clone()).or_default().push((
                    format!("n{i}"),
                    kept,
                    kept_skeletons,
                ));
            }
        }
        let indicators =
            indicators.iter().enumerate().map(|(i, v)| (format!("i{i}"), v.to_lowercase())).collect();
        Reference { exact, skeleton: skeletons, second, names: names.to_vec(), indicators }
    }

    fn hits(&self, text: &str) -> BTreeSet<String> {
        let mut hits = BTreeSet::new();
        let words = split_words(text);
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        for start in 0..folded.len() {
            for (id, name) in self.exact.get(&folded[start]).into_iter().flatten() {
                if folded.get(start..start + name.len()) == Some(name.as_slice()) {
                    hits.insert(id.clone());
                }
            }
        }
        self.near_misses(&words, &folded, &mut hits);
        let kept = kept_words(&words);
        let kept_skeletons: Vec<String> = kept.iter().map(|w| skeleton(w)).collect();
        for start in 0..kept.len() {
            for (id, name, name_skeletons) in self.skeleton.get(&kept_skeletons[start]).into_iter().flatten()
            {
                let Some(window) = kept_skeletons.get(start..start + name.len()) else { continue };
                // Every word, romanised, nearly as the name spells it; one in another script or
                // spelled exactly as listed.
                let pairs = || kept[start..start + name.len()].iter().zip(name);
                let evidence = pairs().all(|(word, name_word)| {
                    muninn_text::evidence_allows(&to_latin(&fold(word)), &to_latin(&fold(name_word)))
                }) && pairs().any(|(word, name_word)| {
                    muninn_text::script_of(word) != muninn_text::script_of(name_word)
                        || fold(word) == fold(name_word)
                });
                if window == name_skeletons.as_slice() && evidence {
                    hits.insert(id.clone());
                }
            }
        }
        let refanged = refang(text).to_lowercase();
        for (id, value) in &self.indicators {
            for (at, _) in refanged.match_indices(value.as_str()) {
                let before: Vec<char> = refanged[..at].chars().rev().take(2).collect();
                let after: Vec<char> = refanged[at + value.len()..].chars().take(2).collect();
                let continues = |c: &[char], separators: &[char]| match c.first() {
                    Some(c) if c.is_alphanumeric() || *c == '_' => true,
                    Some(s) if separators.contains(s) => c.get(1).is_some_and(|n| n.is_alphanumeric()),
                    _ => false,
                };
                if !continues(&before, &['.', '-']) && !continues(&after, &['.', '-', '@']) {
                    hits.insert(id.clone());
                }
            }
        }
        hits
    }
}

impl Reference {
    /// The near-miss rule of the screening README written out: the same number of words, one
    /// of the first two equal and the other with the listed initial, every word equal or a near
    /// miss ([`muninn_text::near_miss_allows`]), one to two differing, confirmed by the name
    /// matcher's score.
    fn near_misses(&self, words: &[String], folded: &[String], hits: &mut BTreeSet<String>) {
        let long = |w: &str| w.chars().count() >= muninn_text::NEAR_MISS_MIN_CHARS;
        let initial = |w: &str| w.chars().next();
        for start in 0..folded.len().saturating_sub(1) {
            let by_first = self.exact.get(&folded[start]).into_iter().flatten().map(|(id, listed)| {
                let name = id.strip_prefix('n').and_then(|i| i.parse::<usize>().ok()).map(|i| &self.names[i]);
                (id, listed, name)
            });
            let by_second =
                self.second.get(&folded[start + 1]).into_iter().flatten().map(|(id, l, n)| (id, l, Some(n)));
            for (id, listed, name) in by_first.chain(by_second) {
                let (Some(name), Some(window)) = (name, folded.get(start..start + listed.len())) else {
                    continue;
                };
                if listed.len() < 2 || !listed.iter().any(|w| long(w)) || hits.contains(id) {
                    continue;
                }
                // Anchored on a whole word that is not a particle; the second word anchors a
                // miss in the first when it is long enough, or any miss when the first cannot.
                let particle = |w: &str| is_particle(&to_latin(w));
                let by_first = !particle(&listed[0]);
                let by_second = !particle(&listed[1]) && (long(&listed[0]) || !by_first);
                let keyed = (by_first
                    && window[0] == listed[0]
                    && initial(&window[1]) == initial(&listed[1]))
                    || (by_second && window[1] == listed[1] && initial(&window[0]) == initial(&listed[0]));
                let differing = window.iter().zip(listed).filter(|(w, l)| w != l).count();
                let most = if listed.len() >= 4 { 2 } else { 1 };
                let near =
                    window.iter().zip(listed).all(|(w, l)| w == l || muninn_text::near_miss_allows(w, l));
                if !keyed || !near || !(1..=most).contains(&differing) {
                    continue;
                }
                let written = words[start..start + listed.len()].join(" ");
                let kind = muninn_names::NameKind::Unknown;
                let (Ok(written), Ok(listed_name)) =
                    (muninn_names::parse_name(&written, kind), muninn_names::parse_name(name, kind))
                else {
                    continue;
                };
                let comparison = muninn_names::compare(&written, &listed_name);
                if comparison.score >= muninn_names::DEFAULT_THRESHOLD
                    && comparison.unmatched_listed.is_empty()
                {
                    hits.insert(id.clone());
                }
            }
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let output = args.first().expect("output path");
    let work = std::path::PathBuf::from(args.get(1).expect("work dir"));
    let count: usize = args.get(2).map(|c| c.parse().unwrap()).unwrap_or(5_000_000);
    let mut rng = Rng(2026);
    let names = names(&mut rng);
    let indicators = indicators(&mut rng);
    let started = Instant::now();
    let (mut messages, mut misspelt) = messages(count, &names, &indicators);
    // For profiling one kind of text: MUNINN_SCREEN_ONLY=ascii or non-ascii.
    match std::env::var("MUNINN_SCREEN_ONLY").as_deref() {
        Ok("ascii") => messages.retain(|m| m.is_ascii()),
        Ok("non-ascii") => messages.retain(|m| !m.is_ascii()),
        _ => {}
    }
    if messages.len() < count {
        // The plantings' positions no longer hold.
        misspelt.clear();
    }
    let bytes: usize = messages.iter().map(String::len).sum();
    println!(
        "{} messages, {:.1} MB, generated in {:.1}s",
        messages.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    // Files for the baselines xtask runs: one message a line; one literal pattern a line.
    let mut file = std::io::BufWriter::new(std::fs::File::create(work.join("messages.txt")).unwrap());
    for message in &messages {
        writeln!(file, "{message}").unwrap();
    }
    file.flush().unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(work.join("patterns.txt")).unwrap());
    for pattern in names.iter().chain(&indicators) {
        writeln!(file, "{pattern}").unwrap();
    }
    file.flush().unwrap();

    // The watchlist too, for the alert-latency run through the real binary.
    let list = watchlist(&names, &indicators);
    std::fs::write(work.join("watchlist.json"), serde_json::to_vec(&list).unwrap()).unwrap();
    let started = Instant::now();
    let (screener, warnings) = Screener::compile(std::slice::from_ref(&list), Timestamp::UNIX_EPOCH);
    let compile_s = started.elapsed().as_secs_f64();
    assert!(warnings.is_empty(), "{warnings:?}");

    let muninn_one_core = |messages: &[String]| {
        let mut scratch = ScreenScratch::default();
        let mut hits = Vec::new();
        let mut total = 0usize;
        for message in messages {
            hits.clear();
            screener.screen_text(message, &mut scratch, &mut hits);
            total += hits.len();
        }
        total
    };
    let mut one_core = Vec::new();
    let mut total_hits = 0;
    let runs = if std::env::var_os("MUNINN_SCREEN_PROFILE").is_some() { 15 } else { RUNS };
    for _ in 0..runs {
        let started = Instant::now();
        total_hits = muninn_one_core(&messages);
        one_core.push(messages.len() as f64 / started.elapsed().as_secs_f64());
    }
    if std::env::var_os("MUNINN_SCREEN_PROFILE").is_some() {
        // Only the screener's loop, for a profiler.
        for (label, keep) in [("ascii", true), ("non-ascii", false)] {
            let part: Vec<String> = messages.iter().filter(|m| m.is_ascii() == keep).cloned().collect();
            let mut rates = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                muninn_one_core(&part);
                rates.push(part.len() as f64 / started.elapsed().as_secs_f64());
            }
            println!(
                "{label}: {} messages, best {:.0} messages/s",
                part.len(),
                rates.iter().copied().fold(0.0, f64::max)
            );
        }
        let best = one_core.iter().copied().fold(0.0, f64::max);
        println!("{:.0} messages/s on one core (median), {best:.0} (best run)", median(one_core));
        return;
    }
    let mut all_cores = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let hits: usize = messages.par_chunks(4096).map(muninn_one_core).sum();
        assert_eq!(hits, total_hits);
        all_cores.push(messages.len() as f64 / started.elapsed().as_secs_f64());
    }

    // Raw daachorse: the same names and values as literal byte strings, case-sensitive,
    // substring meaning (no word boundaries, no folding, no transliteration).
    let automaton: DoubleArrayAhoCorasick<u32> = DoubleArrayAhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(names.iter().chain(&indicators))
        .unwrap();
    let mut daachorse_rates = Vec::new();
    let mut daachorse_hits = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        daachorse_hits = messages.iter().map(|m| automaton.leftmost_find_iter(m).count()).sum::<usize>();
        daachorse_rates.push(messages.len() as f64 / started.elapsed().as_secs_f64());
    }

    // The reference on a sample: hit for hit (message, entry).
    let reference = Reference::new(&names, &indicators);
    let sample = &messages[..REFERENCE_SAMPLE.min(messages.len())];
    let mut scratch = ScreenScratch::default();
    let mut mismatches = 0;
    let mut sample_hits = 0;
    for (index, message) in sample.iter().enumerate() {
        let mut hits = Vec::new();
        screener.screen_text(message, &mut scratch, &mut hits);
        let got: BTreeSet<String> =
            hits.iter().map(|h| screener.entries()[h.entry as usize].id.clone()).collect();
        let want = reference.hits(message);
        sample_hits += want.len();
        if got != want {
            mismatches += 1;
            if mismatches <= 5 {
                let name_of = |id: &String| {
                    id.strip_prefix('n')
                        .and_then(|i| i.parse::<usize>().ok())
                        .map(|i| names[i].clone())
                        .unwrap_or_default()
                };
                let describe = |set: &BTreeSet<String>| {
                    set.iter().map(|id| format!("{id} {:?}", name_of(id))).collect::<Vec<_>>()
                };
                println!(
                    "mismatch in message {index}: {message:?}\n  muninn {:?}\n  reference {:?}",
                    describe(&got),
                    describe(&want)
                );
            }
        }
    }

    // The misspelt plantings the near-miss tier found (the planted entry among the hits).
    let misspelt_found = misspelt
        .iter()
        .filter(|&&(message, name)| {
            let mut hits = Vec::new();
            screener.screen_text(&messages[message], &mut scratch, &mut hits);
            let planted = format!("n{name}");
            hits.iter().any(|h| screener.entries()[h.entry as usize].id == planted)
        })
        .count();
    let near_miss_hits = sample
        .iter()
        .map(|message| {
            let mut hits = Vec::new();
            screener.screen_text(message, &mut scratch, &mut hits);
            hits.iter().filter(|h| h.method == muninn_screen::HitMethod::NearMiss).count()
        })
        .sum::<usize>();

    let per_core = median(one_core);
    let figures = serde_json::json!({
        "messages": messages.len(),
        "message_bytes_avg": bytes as f64 / messages.len() as f64,
        "names": NAMES,
        "indicators": INDICATORS,
        "compile_s": compile_s,
        "msgs_per_s_per_core": per_core,
        "mb_per_s_per_core": per_core * bytes as f64 / messages.len() as f64 / 1e6,
        "msgs_per_s_all_cores": median(all_cores),
        "cores": rayon::current_num_threads(),
        "hits": total_hits,
        "daachorse_msgs_per_s_per_core": median(daachorse_rates),
        "daachorse_substring_hits": daachorse_hits,
        "reference_sample_messages": sample.len(),
        "reference_sample_hits": sample_hits,
        "reference_mismatched_messages": mismatches,
        "hits_equal_reference": mismatches == 0,
        "near_miss_planted": misspelt.len(),
        "near_miss_found": misspelt_found,
        "near_miss_recall": misspelt_found as f64 / misspelt.len().max(1) as f64,
        "reference_sample_near_miss_hits": near_miss_hits,
    });
    std::fs::write(output, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
    println!("{}", serde_json::to_string_pretty(&figures).unwrap());
}
