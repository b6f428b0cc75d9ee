//! Name matching quality and speed: `cargo bench -p muninn-names --bench match -- OUTPUT.json`.
//!
//! Files a 1M-entity index (the UN consolidated list and OFAC's SDN list from
//! the shared data folder (`$MUNINN_SHARED_DATA/sanctions`, which `cargo xtask bench match` sets) when present, else the samples of `muninn-screen`; then generated
//! names drawn from the lists' own name parts and from made-up ones), builds a labelled set of
//! queries from the real entities (their names and aliases, one-edit typos, reorderings, comma
//! inversions, dropped middle names, Cyrillic and Arabic renderings) and hard negatives (a
//! listed person's family name with another person's given name, and the reverse), runs every
//! query on one thread and writes `{"queries_per_s_per_core", "recall", "precision",
//! "entities", "threshold", ...}`.
//!
//! A query counts as found when its best match at the default threshold is the entity it was
//! made from, or an entity listed under the same name (the same person on two lists); a hard
//! negative counts as a false positive when anything matches.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use muninn_names::{DEFAULT_THRESHOLD, Entity, MatchOptions, Matcher, NameKind, Query, Scratch, parse_name};
use muninn_screen::watchlist::EntryKind;

const TARGET_ENTITIES: usize = 1_000_000;

fn main() {
    let output =
        std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_else(|| "match.json".to_owned());
    let mut rng = Rng(0x5eed_1234_abcd);
    let (real, source) = real_entities();
    println!("{} real entities from {source}", real.len());
    let mut entities = real.clone();
    generate(&real, &mut entities, &mut rng);
    let known: HashSet<String> =
        entities.iter().flat_map(|e| e.names.iter()).filter_map(|n| token_set(n)).collect();

    let started = Instant::now();
    let (matcher, warnings) = Matcher::build(entities);
    let build_s = started.elapsed().as_secs_f64();
    println!(
        "built {} entities, {} names in {build_s:.1} s ({} warnings)",
        matcher.entities(),
        matcher.names(),
        warnings.len()
    );

    if let Ok(debug) = std::env::var("NAMES_BENCH_QUERY") {
        // Explains one query against the whole index (for looking into a miss).
        let options = MatchOptions { threshold: 0.5, limit: 5 };
        let found = matcher.find(
            &Query { name: debug.clone(), ..Query::default() },
            &options,
            &mut Scratch::default(),
        );
        for m in found.unwrap_or_default() {
            println!("{:.2} {} {}", m.score, m.entity, m.explanation.render());
        }
        return;
    }
    let (labelled, ambiguous) = labelled_queries(&real, &known, &mut rng);
    let positives = labelled.iter().filter(|q| q.expected.is_some()).count();
    println!(
        "{} queries: {} positive, {} hard negative ({ambiguous} ambiguous variants left out)",
        labelled.len(),
        positives,
        labelled.len() - positives
    );

    let mut scratch = Scratch::default();
    let options = MatchOptions { limit: 5, ..MatchOptions::default() };
    let by_id: std::collections::HashMap<&str, &Entity> = real.iter().map(|e| (e.id.as_str(), e)).collect();
    let (mut found, mut reported, mut correct, mut false_negatives) = (0usize, 0usize, 0usize, Vec::new());
    let mut filler_hits = 0usize;
    let mut per_kind: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    // Every query's outcome, when asked (`NAMES_BENCH_OUTCOMES=FILE`): for looking into misses.
    let mut outcomes: Option<Vec<(&str, Option<muninn_names::Match>)>> =
        std::env::var_os("NAMES_BENCH_OUTCOMES").map(|_| Vec::new());
    let started = Instant::now();
    for labelled_query in &labelled {
        let query = Query { name: labelled_query.name.clone(), ..Query::default() };
        let matches = matcher.find(&query, &options, &mut scratch).unwrap_or_default();
        let top = matches.first();
        let entry = per_kind.entry(labelled_query.kind).or_default();
        entry.0 += 1;
        let (right_before, wrong_before) = (entry.1, entry.2);
        match (&labelled_query.expected, top) {
            (Some(expected), Some(top)) => {
                reported += 1;
                let same_name = by_id.get(expected.as_str()).is_some_and(|e| {
                    let listed = token_set(&top.explanation.listed_name);
                    e.names.iter().any(|n| token_set(n) == listed)
                });
                if top.entity == *expected || same_name {
                    correct += 1;
                    found += 1;
                    entry.1 += 1;
                } else {
                    entry.2 += 1;
                    if shown(&false_negatives, labelled_query.kind) {
                        false_negatives.push(format!(
                            "{} {:?} -> {} {:?} {:.2}",
                            labelled_query.kind,
                            labelled_query.name,
                            top.entity,
                            top.explanation.listed_name,
                            top.score
                        ));
                    }
                }
            }
            (Some(_), None) => {
                if shown(&false_negatives, labelled_query.kind) {
                    false_negatives
                        .push(format!("{} {:?} -> nothing", labelled_query.kind, labelled_query.name));
                }
            }
            (None, Some(top)) if top.entity.starts_with("G-") => {
                // A generated filler name close to the negative: not the decoy, and the
                // filler is made of the same parts, so it is counted apart (strict precision).
                filler_hits += 1;
                entry.1 += 1;
            }
            (None, Some(top)) => {
                reported += 1;
                if shown(&false_negatives, labelled_query.kind) {
                    false_negatives.push(format!(
                        "negative {:?} -> {} {:?} {:.2}",
                        labelled_query.name, top.entity, top.explanation.listed_name, top.score
                    ));
                }
            }
            (None, None) => entry.1 += 1,
        }
        if let Some(outcomes) = &mut outcomes {
            let entry = &per_kind[labelled_query.kind];
            let verdict = if entry.1 > right_before {
                "right"
            } else if entry.2 > wrong_before || (labelled_query.expected.is_none() && top.is_some()) {
                "wrong"
            } else {
                "none"
            };
            outcomes.push((verdict, top.cloned()));
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let (Some(outcomes), Some(path)) = (&outcomes, std::env::var_os("NAMES_BENCH_OUTCOMES")) {
        let lines: Vec<String> = labelled
            .iter()
            .zip(outcomes)
            .map(|(query, (verdict, top))| outcome_line(query, verdict, top.as_ref(), &by_id))
            .collect();
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }
    let queries_per_s = labelled.len() as f64 / elapsed;
    let recall = found as f64 / positives.max(1) as f64;
    let precision = correct as f64 / reported.max(1) as f64;
    for line in &false_negatives {
        println!("  miss: {line}");
    }
    for (kind, (total, right, wrong)) in &per_kind {
        println!("  {kind}: {right}/{total} right, {wrong} wrong entity");
    }
    let result = serde_json::json!({
        "queries_per_s_per_core": (queries_per_s * 10.0).round() / 10.0,
        "recall": (recall * 10000.0).round() / 10000.0,
        "precision": (precision * 10000.0).round() / 10000.0,
        "precision_strict": ((correct as f64 / (reported + filler_hits).max(1) as f64) * 10000.0).round() / 10000.0,
        "negatives_matching_generated_names": filler_hits,
        "entities": matcher.entities(),
        "names": matcher.names(),
        "threshold": DEFAULT_THRESHOLD,
        "queries": labelled.len(),
        "positive_queries": positives,
        "hard_negatives": labelled.len() - positives,
        "ambiguous_variants_left_out": ambiguous,
        "real_entities": real.len(),
        "real_source": source,
        "build_s": (build_s * 10.0).round() / 10.0,
        "per_kind": per_kind
            .iter()
            .map(|(k, (t, r, w))| (k.to_string(), serde_json::json!({"queries": t, "right": r, "wrong_entity": w})))
            .collect::<serde_json::Map<_, _>>(),
    });
    println!("{result:#}");
    std::fs::write(&output, format!("{result:#}\n")).unwrap();
}

/// One query's outcome as a tab-separated line: right, wrong or none, kind, query, expected
/// entity and its primary name, the top match's entity, listed name, score and explanation,
/// and for a query not answered right, its score and explanation against its own entity.
fn outcome_line(
    labelled: &Labelled,
    verdict: &str,
    top: Option<&muninn_names::Match>,
    by_id: &std::collections::HashMap<&str, &Entity>,
) -> String {
    let expected = labelled.expected.as_deref().unwrap_or("-");
    let expected_name = by_id.get(expected).map_or("-", |e| e.names[0].as_str());
    let top = top.map_or_else(
        || "-\t-\t0\t-".to_owned(),
        |m| {
            format!(
                "{}\t{}\t{:.3}\t{}",
                m.entity,
                m.explanation.listed_name,
                m.score,
                m.explanation.render().replace('\n', " | ")
            )
        },
    );
    let own = by_id.get(expected).filter(|_| verdict != "right").map_or_else(String::new, |entity| {
        let (alone, _) = Matcher::build([(*entity).clone()]);
        let options = MatchOptions { threshold: 0.0, limit: 1 };
        let query = Query { name: labelled.name.clone(), ..Query::default() };
        match alone.find(&query, &options, &mut Scratch::default()).unwrap_or_default().first() {
            Some(m) => format!("{:.3}\t{}", m.score, m.explanation.render().replace('\n', " | ")),
            None => "0\t-".to_owned(),
        }
    });
    format!("{verdict}\t{}\t{}\t{expected}\t{expected_name}\t{top}\t{own}", labelled.kind, labelled.name)
}

/// Whether fewer than eight misses of this kind are listed already.
fn shown(misses: &[String], kind: &str) -> bool {
    misses.iter().filter(|line| line.starts_with(kind)).count() < 8
}

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
        (self.next() % n.max(1) as u64) as usize
    }
}

fn real_entities() -> (Vec<Entity>, &'static str) {
    // The shared data folder beside the repository, when xtask says where it is.
    let shared = std::env::var_os("MUNINN_SHARED_DATA")
        .map(|dir| Path::new(&dir).join("sanctions"))
        .unwrap_or_else(|| Path::new("/nonexistent").to_path_buf());
    let un = std::fs::read(shared.join("un/consolidated-2026-02-27.xml"));
    let sdn = std::fs::read(shared.join("ofac/sdn.csv"));
    let alt = std::fs::read(shared.join("ofac/alt.csv")).ok();
    let (un, sdn, alt, source) = match (un, sdn) {
        (Ok(un), Ok(sdn)) => (un, sdn, alt, "shared UN and OFAC lists"),
        _ => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../screen/test_data/import");
            (
                std::fs::read(dir.join("un-consolidated.xml")).unwrap(),
                std::fs::read(dir.join("ofac-sdn.csv")).unwrap(),
                std::fs::read(dir.join("ofac-alt.csv")).ok(),
                "muninn-screen samples (shared lists absent)",
            )
        }
    };
    let mut entries = muninn_screen::import::un_consolidated(&un).unwrap().entries;
    entries.extend(muninn_screen::import::ofac_sdn(&sdn, alt.as_deref()).unwrap().entries);
    let entities = entries
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Name { name, aliases } => Some(Entity {
                id: entry.id,
                names: std::iter::once(name).chain(aliases).collect(),
                ..Entity::default()
            }),
            _ => None,
        })
        .collect();
    (entities, source)
}

/// The sorted romanised significant parts of a name: names equal under this are the same name.
fn token_set(name: &str) -> Option<String> {
    let parsed = parse_name(name, NameKind::Unknown).ok()?;
    let mut parts: Vec<&str> = parsed.significant().map(|p| p.latin.as_str()).collect();
    parts.sort_unstable();
    Some(parts.join(" "))
}

/// Persons' parts of the real lists, by position: given names and family names.
fn pools(real: &[Entity]) -> (Vec<String>, Vec<String>) {
    let (mut given, mut family) = (HashSet::new(), HashSet::new());
    for entity in real {
        for name in &entity.names {
            let Ok(parsed) = parse_name(name, NameKind::Unknown) else { continue };
            if parsed.kind != NameKind::Person {
                continue;
            }
            let parts: Vec<&str> = parsed.significant().map(|p| p.original.as_str()).collect();
            if parts.len() >= 2 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_alphabetic())) {
                given.insert(capitalise(parts[0]));
                family.insert(capitalise(parts[parts.len() - 1]));
            }
        }
    }
    let mut given: Vec<String> = given.into_iter().collect();
    let mut family: Vec<String> = family.into_iter().collect();
    given.sort();
    family.sort();
    (given, family)
}

fn capitalise(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn made_up_word(rng: &mut Rng) -> String {
    const ONSETS: &[&str] = &[
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "kh", "ch", "br", "tr",
        "st",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ia"];
    const CODAS: &[&str] = &["", "", "n", "r", "l", "s", "m", "k", "v", "d"];
    let syllables = 2 + rng.below(2);
    let mut word = String::new();
    for _ in 0..syllables {
        word.push_str(ONSETS[rng.below(ONSETS.len())]);
        word.push_str(VOWELS[rng.below(VOWELS.len())]);
    }
    word.push_str(CODAS[rng.below(CODAS.len())]);
    capitalise(&word)
}

/// Fills `entities` up to [`TARGET_ENTITIES`] with generated persons (two or three parts) and
/// organisations: parts drawn from the real lists' given and family names half of the time,
/// made up otherwise.
fn generate(real: &[Entity], entities: &mut Vec<Entity>, rng: &mut Rng) {
    let (given, family) = pools(real);
    let made_up_given: Vec<String> = (0..20_000).map(|_| made_up_word(rng)).collect();
    let made_up_family: Vec<String> = (0..60_000).map(|_| made_up_word(rng)).collect();
    let pick = |rng: &mut Rng, real_pool: &[String], made_up: &[String]| -> String {
        if !real_pool.is_empty() && rng.below(2) == 0 {
            real_pool[rng.below(real_pool.len())].clone()
        } else {
            made_up[rng.below(made_up.len())].clone()
        }
    };
    let mut number = 0;
    while entities.len() < TARGET_ENTITIES {
        number += 1;
        let name = if rng.below(10) == 0 {
            format!(
                "{} {} {}",
                pick(rng, &family, &made_up_family),
                pick(rng, &family, &made_up_family),
                ["Ltd", "LLC", "Trading Co", "GmbH", "JSC"][rng.below(5)]
            )
        } else if rng.below(3) == 0 {
            format!(
                "{} {} {}",
                pick(rng, &given, &made_up_given),
                pick(rng, &given, &made_up_given),
                pick(rng, &family, &made_up_family)
            )
        } else {
            format!("{} {}", pick(rng, &given, &made_up_given), pick(rng, &family, &made_up_family))
        };
        entities.push(Entity { id: format!("G-{number}"), names: vec![name], ..Entity::default() });
    }
}

struct Labelled {
    kind: &'static str,
    name: String,
    expected: Option<String>,
}

/// The labelled queries: for a sample of real entities, their names and variants; hard
/// negatives from persons' parts swapped between entities.
fn labelled_queries(real: &[Entity], known: &HashSet<String>, rng: &mut Rng) -> (Vec<Labelled>, usize) {
    let mut out = Vec::new();
    let mut ambiguous = 0;
    let (given, family) = pools(real);
    let mut order: Vec<usize> = (0..real.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for &index in order.iter().take(2500) {
        let entity = &real[index];
        let id = Some(entity.id.clone());
        let primary = &entity.names[0];
        let own: HashSet<String> = entity.names.iter().filter_map(|n| token_set(n)).collect();
        let mut push = |kind: &'static str, name: String| {
            // A variant spelled as another entity's listed name ("KHAMIS QADHAFI", made from
            // "KHAMIS MUAMMAR QADHAFI", is also listed as "AL-QADHAFI, Khamis") is that name:
            // the query is ambiguous, not a miss, and is left out (as negatives that are
            // listed names are).
            let variant = kind != "primary" && kind != "alias";
            if variant && token_set(&name).is_some_and(|set| known.contains(&set) && !own.contains(&set)) {
                ambiguous += 1;
                return;
            }
            out.push(Labelled { kind, name, expected: id.clone() });
        };
        push("primary", primary.clone());
        for alias in entity.names.iter().skip(1).take(2) {
            push("alias", alias.clone());
        }
        let Ok(parsed) = parse_name(primary, NameKind::Unknown) else { continue };
        let words: Vec<String> = parsed.significant().map(|p| p.original.clone()).collect();
        if words.iter().any(|w| !w.chars().all(|c| c.is_ascii_alphanumeric())) {
            continue;
        }
        push("typo", typo(&words, rng));
        if words.len() >= 2 {
            let mut reversed = words.clone();
            reversed.reverse();
            push("reordered", reversed.join(" "));
            if parsed.kind == NameKind::Person {
                push(
                    "comma-inverted",
                    format!("{}, {}", words[words.len() - 1], words[..words.len() - 1].join(" ")),
                );
            }
            push("cyrillic", words.iter().map(|w| cyrillic(w)).collect::<Vec<_>>().join(" "));
            if parsed.kind == NameKind::Person {
                push("arabic", words.iter().map(|w| arabic(w)).collect::<Vec<_>>().join(" "));
            }
        }
        if words.len() >= 3 && parsed.kind == NameKind::Person {
            let mut dropped = words.clone();
            dropped.remove(1);
            push("dropped-middle", dropped.join(" "));
        }
        // Hard negatives: another given name with this family name, and the reverse.
        if parsed.kind == NameKind::Person && words.len() == 2 && !given.is_empty() && !family.is_empty() {
            for negative in [
                format!("{} {}", given[rng.below(given.len())], words[1]),
                format!("{} {}", words[0], family[rng.below(family.len())]),
            ] {
                // The swapped part must really differ ("Ali" for "Hasan", not "Hassan").
                let (old, new) = if negative.ends_with(words[1].as_str()) {
                    (words[0].to_lowercase(), negative.split(' ').next().unwrap_or("").to_lowercase())
                } else {
                    (words[1].to_lowercase(), negative.rsplit(' ').next().unwrap_or("").to_lowercase())
                };
                if muninn_names::phonetic::jaro_winkler(&old, &new) >= 0.8 {
                    continue;
                }
                let set = token_set(&negative);
                let near = set.as_ref().is_none_or(|s| known.contains(s))
                    || negative.to_lowercase().split(' ').collect::<HashSet<_>>().len() < 2;
                if !near {
                    out.push(Labelled { kind: "hard-negative", name: negative, expected: None });
                }
            }
        }
    }
    (out, ambiguous)
}

/// One edit (substitution, insertion, deletion or transposition) in one part of four letters
/// or more, away from its first letter.
fn typo(words: &[String], rng: &mut Rng) -> String {
    let mut words = words.to_vec();
    let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].len() >= 4).collect();
    if long.is_empty() {
        return words.join(" ");
    }
    let target = long[rng.below(long.len())];
    let mut chars: Vec<char> = words[target].chars().collect();
    let at = 1 + rng.below(chars.len() - 1);
    let letter = (b'a' + rng.below(26) as u8) as char;
    match rng.below(4) {
        0 => chars[at] = letter,
        1 => chars.insert(at, letter),
        2 => {
            chars.remove(at);
        }
        _ if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars.swap(at - 1, at),
    }
    words[target] = chars.into_iter().collect();
    words.join(" ")
}

/// A Latin word written in Cyrillic letters, as a Russian text would render it.
fn cyrillic(word: &str) -> String {
    let lower = word.to_lowercase();
    let bytes = lower.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let two = if i + 1 < bytes.len() { &lower[i..i + 2] } else { "" };
        let digraph = match two {
            "sh" => Some("ш"),
            "ch" => Some("ч"),
            "kh" => Some("х"),
            "zh" => Some("ж"),
            "ya" => Some("я"),
            "yu" => Some("ю"),
            "ts" => Some("ц"),
            "ou" | "oo" => Some("у"),
            "ee" => Some("и"),
            _ => None,
        };
        if let Some(d) = digraph {
            out.push_str(d);
            i += 2;
            continue;
        }
        out.push_str(match bytes[i] {
            b'a' => "а",
            b'b' => "б",
            b'c' | b'k' | b'q' => "к",
            b'd' => "д",
            b'e' => "е",
            b'f' => "ф",
            b'g' => "г",
            b'h' => "х",
            b'i' => "и",
            b'j' => "дж",
            b'l' => "л",
            b'm' => "м",
            b'n' => "н",
            b'o' => "о",
            b'p' => "п",
            b'r' => "р",
            b's' => "с",
            b't' => "т",
            b'u' => "у",
            b'v' | b'w' => "в",
            b'x' => "кс",
            b'y' => "й",
            b'z' => "з",
            _ => "",
        });
        i += 1;
    }
    out
}

/// A Latin word written in Arabic letters: consonants, long vowels as `و` and `ي`, short `a`
/// and `e` left out inside the word, as Arabic writes them.
fn arabic(word: &str) -> String {
    let lower = word.to_lowercase();
    let bytes = lower.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let two = if i + 1 < bytes.len() { &lower[i..i + 2] } else { "" };
        let digraph = match two {
            "sh" => Some("ش"),
            "kh" => Some("خ"),
            "th" => Some("ث"),
            "dh" => Some("ذ"),
            "gh" => Some("غ"),
            "ch" => Some("تش"),
            "ou" | "oo" => Some("و"),
            "ee" => Some("ي"),
            _ => None,
        };
        if let Some(d) = digraph {
            out.push_str(d);
            i += 2;
            continue;
        }
        let first = i == 0;
        let last = i + 1 == bytes.len();
        out.push_str(match bytes[i] {
            b'a' | b'e' | b'i' | b'o' | b'u' if first => "ا",
            b'a' if last => "ا",
            b'a' | b'e' => "",
            b'i' => "ي",
            b'o' | b'u' => "و",
            b'b' | b'p' => "ب",
            b't' => "ت",
            b'j' => "ج",
            b'h' => "ه",
            b'd' => "د",
            b'r' => "ر",
            b'z' => "ز",
            b's' => "س",
            b'f' | b'v' => "ف",
            b'q' => "ق",
            b'k' | b'c' => "ك",
            b'g' => "ج",
            b'l' => "ل",
            b'm' => "م",
            b'n' => "ن",
            b'w' => "و",
            b'y' => "ي",
            b'x' => "كس",
            _ => "",
        });
        i += 1;
    }
    out
}
