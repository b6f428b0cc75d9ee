//! Entities in the index: a gazetteer's names found at indexing, `entity:` queries by name or
//! alias, the entity facet, summaries and related items, all under the caller's visibility; and
//! a change of gazetteer rebuilding the index.

use muninn_index::{Entity, Gazetteer, IndexError, SearchIndex, Visibility};

use crate::{CORPUS, corpus_index, now, search};

fn entity(id: &str, name: &str, aliases: &[&str]) -> Entity {
    Entity {
        id: id.to_owned(),
        name: name.to_owned(),
        aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        kind: "threat-actor".to_owned(),
    }
}

fn gazetteer() -> Gazetteer {
    let (gazetteer, warnings) = Gazetteer::new(vec![
        entity("ta:apt28", "APT28", &["Fancy Bear", "Sofacy", "奇幻熊"]),
        entity("ta:sandworm", "Sandworm", &["Voodoo Bear", "Песчаный червь"]),
        entity("ta:lazarus", "Lazarus Group", &["Lazarus", "拉撒路组织"]),
        entity("ta:turla", "Turla", &["Snake", "Venomous Bear"]),
        entity("ta:apt29", "APT29", &["Cozy Bear"]),
    ]);
    assert!(warnings.is_empty(), "{warnings:?}");
    gazetteer
}

/// The corpus indexed with the gazetteer.
fn fixture() -> (tempfile::TempDir, muninn_store::EmbeddedStore, SearchIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = corpus_index(dir.path());
    let mut index = SearchIndex::open_with(&dir.path().join("index"), gazetteer()).expect("index");
    let report = index.sync(&store).expect("sync");
    assert!(report.rebuilt, "indexed without a gazetteer first: rebuilt with it");
    assert_eq!(report.indexed, CORPUS.len() as u64);
    (dir, store, index)
}

fn green() -> Visibility {
    Visibility::Audience(muninn_index::Audience {
        user: "outsider".into(),
        org: "another-org".into(),
        ..Default::default()
    })
}

fn titles(index: &SearchIndex, query: &str, visibility: &Visibility) -> Vec<String> {
    let found = search(index, query, visibility);
    let mut days: Vec<u64> = found.hits.iter().map(|hit| hit.seq).collect();
    days.sort_unstable();
    days.iter().map(|seq| CORPUS[*seq as usize - 1].4.to_owned()).collect()
}

#[test]
fn entity_queries_find_every_name_of_the_entity() {
    let (_dir, _store, index) = fixture();
    let everything = Visibility::everything();
    let apt28 = ["APT28 phishing wave", "Named source on APT28"];
    assert_eq!(titles(&index, "entity:APT28", &everything), apt28);
    assert_eq!(titles(&index, "entity:\"fancy bear\"", &everything), apt28, "an alias finds the entity");
    assert_eq!(titles(&index, "entity:奇幻熊", &everything), apt28, "so does one in another script");
    assert_eq!(titles(&index, "entity:ta:apt28", &everything), apt28, "and its id");
    assert_eq!(
        titles(&index, "entity:Lazarus", &everything),
        ["Lazarus Group and crypto exchanges", "Lazarus 组织盗取加密货币"],
        "a Latin name next to Han text"
    );
    assert_eq!(search(&index, "entity:Sandworm", &everything).total, 3, "Latin name in Russian text");
    assert_eq!(
        search(&index, "entity:*bear", &everything).total,
        6,
        "every entity with a name ending in bear"
    );
    assert_eq!(search(&index, "entity:\"cozy bear\"", &everything).total, 0, "known, named nowhere");
    assert_eq!(search(&index, "entity:Snake AND indicator.type:domain", &everything).total, 1);
    assert_eq!(search(&index, "entity:APT28", &green()).total, 1, "the RED item is not visible");
    assert_eq!(search(&index, "entity:Turla", &green()).total, 0);
}

#[test]
fn an_unknown_entity_is_an_error_not_a_silent_miss() {
    let (_dir, _store, index) = fixture();
    for query in ["entity:\"Fancy Baer\"", "entity:Fancy", "entity:nothing*", "entity:APT28~1"] {
        let parsed = muninn_query::parse(query, now()).expect("parses");
        let error = index
            .search(&muninn_index::SearchRequest {
                query: &parsed,
                visibility: &Visibility::everything(),
                limit: 5,
                after: None,
                facets: false,
                histogram: false,
            })
            .expect_err(query);
        assert!(matches!(error, IndexError::UnknownEntity(_) | IndexError::Query(_)), "{query}: {error:?}");
    }
    let error = index.entity_summary("Fancy Baer", &Visibility::everything(), 5).expect_err("unknown");
    assert_eq!(
        error.to_string(),
        "no entity named \"Fancy Baer\" in the gazetteer (see `muninn entities list`)"
    );
}

#[test]
fn the_entity_facet_counts_visible_matches_by_canonical_name() {
    let (_dir, _store, index) = fixture();
    let facet = |visibility: &Visibility| -> Vec<(String, String, u64)> {
        search(&index, "*", visibility)
            .facets
            .expect("facets")
            .entity
            .into_iter()
            .map(|f| (f.id, f.name, f.count))
            .collect()
    };
    let row = |id: &str, name: &str, count: u64| (id.to_owned(), name.to_owned(), count);
    assert_eq!(
        facet(&Visibility::everything()),
        [
            row("ta:sandworm", "Sandworm", 3),
            row("ta:apt28", "APT28", 2),
            row("ta:lazarus", "Lazarus Group", 2),
            row("ta:turla", "Turla", 1),
        ]
    );
    assert_eq!(
        facet(&green()),
        [
            row("ta:lazarus", "Lazarus Group", 2),
            row("ta:sandworm", "Sandworm", 2),
            row("ta:apt28", "APT28", 1)
        ]
    );
}

#[test]
fn entity_summaries_and_related_items_respect_visibility() {
    let (_dir, _store, index) = fixture();
    let summary = index.entity_summary("voodoo bear", &Visibility::everything(), 2).expect("summary");
    assert_eq!(summary.entities.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["ta:sandworm"]);
    assert_eq!(summary.count, 3);
    assert_eq!(summary.first_seen.map(|t| t.to_string()).as_deref(), Some("2026-03-02T09:00:00Z"));
    assert_eq!(summary.last_seen.map(|t| t.to_string()).as_deref(), Some("2026-03-06T09:00:00Z"));
    assert_eq!(
        summary.sources,
        [("newswire-en".to_owned(), 1), ("newswire-ru".to_owned(), 1), ("partner-mail".to_owned(), 1)]
    );
    assert_eq!(summary.recent.iter().map(|m| m.seq).collect::<Vec<_>>(), [6, 4]);
    let summary = index.entity_summary("Sandworm", &green(), 5).expect("summary");
    assert_eq!(summary.count, 2);

    // Item 2 (Sandworm, no indicators) is related to the other Sandworm items by the entity.
    let own = search(&index, "title:\"Sandworm attacks the grid\"", &Visibility::everything()).hits[0].id;
    let related = index.related(&own, &Visibility::everything(), 10).expect("related");
    let found: Vec<(u64, Vec<String>, Vec<String>)> = related
        .iter()
        .map(|r| (r.seq, r.shared.clone(), r.shared_entities.iter().map(|e| e.name.clone()).collect()))
        .collect();
    assert_eq!(found, [(4, vec![], vec!["Sandworm".to_owned()]), (6, vec![], vec!["Sandworm".to_owned()])]);
    let related = index.related(&own, &green(), 10).expect("related");
    assert_eq!(related.iter().map(|r| r.seq).collect::<Vec<_>>(), [6]);

    // Item 1 shares the rare entity APT28 and the address 198.51.100.7 with others.
    let own = search(&index, "title:\"APT28 phishing wave\"", &Visibility::everything()).hits[0].id;
    let related = index.related(&own, &Visibility::everything(), 10).expect("related");
    let found: Vec<(u64, Vec<String>, Vec<String>)> = related
        .iter()
        .map(|r| (r.seq, r.shared.clone(), r.shared_entities.iter().map(|e| e.name.clone()).collect()))
        .collect();
    assert_eq!(found, [(5, vec![], vec!["APT28".to_owned()]), (7, vec!["198.51.100.7".to_owned()], vec![])]);
}

#[test]
fn a_changed_gazetteer_rebuilds_the_index_and_the_same_one_does_not() {
    let (dir, store, index) = fixture();
    drop(index);
    let mut same = SearchIndex::open_with(&dir.path().join("index"), gazetteer()).expect("reopen");
    let report = same.sync(&store).expect("sync");
    assert!(!report.rebuilt);
    assert_eq!(report.indexed, 0);
    drop(same);
    let (smaller, _) = Gazetteer::new(vec![entity("ta:apt28", "APT28", &[])]);
    let mut changed = SearchIndex::open_with(&dir.path().join("index"), smaller).expect("reopen");
    let report = changed.sync(&store).expect("sync");
    assert!(report.rebuilt);
    assert_eq!(report.indexed, CORPUS.len() as u64);
    let everything = Visibility::everything();
    assert_eq!(search(&changed, "entity:APT28", &everything).total, 2);
    assert!(matches!(
        changed.entity_summary("Fancy Bear", &everything, 1),
        Err(IndexError::UnknownEntity(_))
    ));
}

#[test]
fn extraction_reports_entity_span_and_form() {
    let gazetteer = gazetteer();
    let text = "Fancy Bear, also tracked as APT28, and 拉撒路组织.";
    let found: Vec<(String, &str, String)> = muninn_index::extract_entities(&gazetteer, text)
        .into_iter()
        .map(|m| (m.entity, &text[m.span], m.form))
        .collect();
    assert_eq!(
        found,
        [
            ("ta:apt28".to_owned(), "Fancy Bear", "Fancy Bear".to_owned()),
            ("ta:apt28".to_owned(), "APT28", "APT28".to_owned()),
            ("ta:lazarus".to_owned(), "拉撒路组织", "拉撒路组织".to_owned()),
        ]
    );
}
