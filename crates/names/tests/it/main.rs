//! Integration tests of `muninn-names`: matching cases rendered with their explanations,
//! parsing, bad input, and the real UN and OFAC samples of the screening crate.

mod bad_input;
mod matching;
mod parsing;

use std::sync::OnceLock;

use muninn_names::{Entity, MatchOptions, Matcher, Query, Scratch};
use muninn_screen::watchlist::EntryKind;

/// The UN and OFAC import samples of `muninn-screen`, plus a few hand-written entities with
/// properties, filed once.
pub(crate) fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| {
        let (matcher, warnings) = Matcher::build(sample_entities());
        assert!(warnings.is_empty(), "{warnings:?}");
        matcher
    })
}

pub(crate) fn sample_entities() -> Vec<Entity> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../screen/test_data/import/");
    let read = |file: &str| std::fs::read(format!("{dir}{file}")).expect("sample file");
    let un = muninn_screen::import::un_consolidated(&read("un-consolidated.xml")).expect("UN sample");
    let ofac =
        muninn_screen::import::ofac_sdn(&read("ofac-sdn.csv"), Some(&read("ofac-alt.csv"))).expect("OFAC");
    let mut entities: Vec<Entity> = un
        .entries
        .into_iter()
        .chain(ofac.entries)
        .filter_map(|entry| match entry.kind {
            EntryKind::Name { name, aliases } => Some(Entity {
                id: entry.id,
                names: std::iter::once(name).chain(aliases).collect(),
                ..Entity::default()
            }),
            _ => None,
        })
        .collect();
    let person = |id: &str, names: &[&str], birth: &str, country: &str| Entity {
        id: id.to_owned(),
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        properties: muninn_names::Properties {
            birth_dates: vec![muninn_names::BirthDate::parse(birth).expect("date")],
            countries: vec![country.to_owned()],
            gender: Some(muninn_names::Gender::Male),
        },
        ..Entity::default()
    };
    entities.push(person("T-1", &["ABDULHAI SALEK", "عبد الحی سالک"], "1965-03-02", "AF"));
    entities.push(person("T-2", &["Viktor Petrovich Lebedev", "Виктор Петрович Лебедев"], "1971", "RU"));
    entities.push(person("T-3", &["Xi Jinping", "习近平"], "1953-06-15", "CN"));
    entities.push(person("T-4", &["Hasan Lebedev"], "1980", "RU"));
    entities.push(person("T-6", &["Santiago ALVAREZ CASTRO"], "1970", "CO"));
    entities.push(person("T-7", &["Muhammad Yunis AHMAD"], "1975", "SY"));
    entities.push(person("T-8", &["MOHAMMAD AHMADI"], "1969", "IR"));
    entities.push(person("T-9", &["Ibrahim KHALIL", "Dr. Ibrahim"], "1962", "LB"));
    entities.push(person("T-10", &["Parviz VAHIDI"], "1958", "IR"));
    entities.push(person("T-11", &["Kim Jong Un"], "1984", "KP"));
    entities.push(person("T-12", &["Yamada Taro"], "1970", "JP"));
    entities.push(Entity {
        id: "T-5".to_owned(),
        names: vec!["Harbor Bank Co".to_owned(), "ООО Харбор Банк".to_owned()],
        ..Entity::default()
    });
    entities
}

/// The matches of `query` at the default threshold (at most three), each rendered with its
/// explanation.
pub(crate) fn render(query: &Query) -> String {
    let mut scratch = Scratch::default();
    let options = MatchOptions { limit: 3, ..MatchOptions::default() };
    match matcher().find(query, &options, &mut scratch) {
        Err(error) => format!("error: {error}\n"),
        Ok(matches) if matches.is_empty() => "no match\n".to_owned(),
        Ok(matches) => matches
            .iter()
            .map(|m| format!("{:.2} {}: {}", m.score, m.entity, m.explanation.render()))
            .collect(),
    }
}
