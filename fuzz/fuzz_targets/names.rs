//! Name matching: any text is parsed (or refused) and matched against a small matcher of names
//! in several scripts without panicking; every score is within 0..=1 and every match explains
//! at least one aligned part. Text before the first NUL byte is the query; lines after it are
//! filed as entities too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_names::{Entity, MatchOptions, Matcher, NameKind, Query, Scratch, parse_name};

const LISTED: &[&str] = &[
    "ABDULHAI SALEK",
    "عبد الحی سالک",
    "Viktor Petrovich Lebedev",
    "Виктор Петрович Лебедев",
    "Xi Jinping",
    "习近平",
    "Harbor Bank Co",
    "ООО Ромашка",
    "Abu Bakr al-Baghdadi",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (query, extra) = match text.split_once('\0') {
        Some((query, extra)) => (query.to_owned(), extra.lines().take(64).map(str::to_owned).collect()),
        None => (text.into_owned(), Vec::new()),
    };
    for kind in [NameKind::Unknown, NameKind::Person, NameKind::Organization] {
        if let Ok(parsed) = parse_name(&query, kind) {
            assert!(!parsed.parts.is_empty());
        }
    }
    let entities = LISTED.iter().map(|n| (*n).to_owned()).chain(extra).enumerate().map(|(i, name)| Entity {
        id: format!("E{i}"),
        names: vec![name],
        ..Entity::default()
    });
    let (matcher, _warnings) = Matcher::build(entities);
    let mut scratch = Scratch::default();
    let options = MatchOptions { threshold: 0.0, limit: 20 };
    if let Ok(matches) = matcher.find(&Query { name: query, ..Query::default() }, &options, &mut scratch) {
        for found in matches {
            assert!((0.0..=1.0).contains(&found.score), "{found:?}");
            assert!(!found.explanation.comparison.parts.is_empty(), "{found:?}");
            let _ = found.explanation.render();
        }
    }
});
