//! Indicators in the index: `indicator:` and `indicator.type:` queries, their facets, and
//! correlation (summaries, related items) under the caller's visibility.

use std::path::Path;

use muninn_index::{IndexError, SearchIndex, Visibility};
use muninn_model::{ItemId, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, StoreConfig};

use crate::{draft, search};

/// (name, source, TLP, day of March 2026, body). `evil.example` is in 3 items, the address and
/// the digest in 2, `common.example` in 5: sharing the first says more than sharing the last.
const ITEMS: &[(&str, &str, Tlp, i8, &str)] = &[
    (
        "A",
        "feed-a",
        Tlp::Clear,
        1,
        "C2 domain evil[.]example resolved to 203.0.113.5; common.example seen too. Sample 44D88612FEA8A8F36DE82E1278ABB02F",
    ),
    ("B", "feed-a", Tlp::Green, 3, "The domain evil.example came back."),
    ("C", "feed-b", Tlp::Clear, 4, "Traffic to common.example in this one."),
    (
        "D",
        "partner",
        Tlp::Amber,
        5,
        "Our partner saw evil.example and 203.0.113.5 and hash 44d88612fea8a8f36de82e1278abb02f, also common.example",
    ),
    ("E", "feed-b", Tlp::Clear, 6, "common.example yet again"),
    ("F", "feed-b", Tlp::Clear, 7, "common.example and 198.51.100.9"),
    ("G", "feed-c", Tlp::Clear, 8, "Nothing here but words."),
];

struct Fixture {
    _dir: tempfile::TempDir,
    store: EmbeddedStore,
    index: SearchIndex,
    ids: Vec<(&'static str, ItemId)>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, index, ids) = build(dir.path());
        Fixture { _dir: dir, store, index, ids }
    }

    fn id(&self, name: &str) -> ItemId {
        self.ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).expect("known item")
    }

    fn name(&self, id: &ItemId) -> &'static str {
        self.ids.iter().find(|(_, i)| i == id).map(|(n, _)| *n).expect("known id")
    }

    fn related(&self, name: &str, visibility: &Visibility) -> Vec<(&'static str, Vec<String>)> {
        self.index
            .related(&self.id(name), visibility, 10)
            .expect("related")
            .iter()
            .map(|r| (self.name(&r.id), r.shared.clone()))
            .collect()
    }
}

fn build(dir: &Path) -> (EmbeddedStore, SearchIndex, Vec<(&'static str, ItemId)>) {
    use muninn_store::ItemStore;
    let mut store = EmbeddedStore::open(&dir.join("data"), StoreConfig::default()).expect("store");
    let items: Vec<_> = ITEMS
        .iter()
        .map(|(name, source, tlp, day, body)| draft(source, "en", *tlp, *day, name, body).into_item())
        .collect();
    let ids = ITEMS.iter().zip(&items).map(|((name, ..), item)| (*name, item.0.id)).collect();
    store.append(AppendBatch { items, checkpoints: Vec::new(), ..Default::default() }).expect("append");
    let mut index = SearchIndex::open(&dir.join("index")).expect("index");
    index.sync(&store).expect("sync");
    (store, index, ids)
}

fn green() -> Visibility {
    Visibility::Audience(muninn_index::Audience {
        user: "outsider".into(),
        org: "another-org".into(),
        ..Default::default()
    })
}

#[test]
fn indicator_queries_take_values_as_typed() {
    let fixture = Fixture::new();
    let everything = Visibility::everything();
    let count = |query: &str| search(&fixture.index, query, &everything).total;
    assert_eq!(count("indicator:\"evil[.]example\""), 3);
    assert_eq!(count("indicator:evil.example"), 3);
    assert_eq!(count("indicator:EVIL.EXAMPLE"), 3);
    assert_eq!(count("indicator:203.0.113.5"), 2);
    assert_eq!(count("indicator:44D88612FEA8A8F36DE82E1278ABB02F"), 2);
    assert_eq!(count("indicator:\"hxxp://evil[.]example\""), 0, "a URL is not its host");
    assert_eq!(count("indicator:evil*"), 3);
    assert_eq!(count("indicator:EVIL*"), 3);
    assert_eq!(count("indicator:*.example"), 6, "a wildcard reads every value of the column");
    assert_eq!(count("indicator:evil.exmaple~1"), 3, "a swap of neighbours is one edit");
    assert_eq!(count("indicator:evil.exampel~1"), 3);
    assert_eq!(count("indicator:evil.exampel"), 0);
    assert_eq!(count("indicator.type:md5"), 2);
    assert_eq!(count("indicator.type:ipv4 AND NOT indicator:203.0.113.5"), 1);
    assert_eq!(count("indicator:words"), 0);
    let visible = search(&fixture.index, "indicator:evil.example", &green());
    assert_eq!((visible.total, visible.hits.len()), (2, 2));
}

/// Digests are indexed in the text by their first 16 characters (the term dictionary's cost of
/// random tokens): searches for the whole digest, its start, a longer start or a phrase with it
/// find them; another digest does not.
#[test]
fn digests_in_the_text_are_found_by_their_start() {
    let fixture = Fixture::new();
    let everything = Visibility::everything();
    let count = |query: &str| search(&fixture.index, query, &everything).total;
    assert_eq!(count("44D88612FEA8A8F36DE82E1278ABB02F"), 2);
    assert_eq!(count("body:44d88612fea8a8f36de82e1278abb02f"), 2);
    assert_eq!(count("44d88612*"), 2);
    assert_eq!(count("44d88612fea8a8f36de8*"), 2, "a start longer than the kept one");
    assert_eq!(count("\"hash 44d88612fea8a8f36de82e1278abb02f\""), 1);
    assert_eq!(count("44d88612fea8a8f36de82e1278abb02f~1"), 2);
    assert_eq!(count("55d88612fea8a8f36de82e1278abb02f"), 0);
    assert_eq!(count("44d88612fea8a8f3"), 0, "sixteen characters are not the digest");
}

#[test]
fn indicator_facets_count_visible_items() {
    let fixture = Fixture::new();
    let facets = search(&fixture.index, "*", &Visibility::everything()).facets.expect("facets");
    assert_eq!(
        facets.indicator_type,
        vec![("domain".to_owned(), 6), ("ipv4".to_owned(), 3), ("md5".to_owned(), 2)]
    );
    assert_eq!(facets.indicator[0], ("common.example".to_owned(), 5));
    assert_eq!(facets.indicator[1], ("evil.example".to_owned(), 3));
    let facets = search(&fixture.index, "*", &green()).facets.expect("facets");
    assert_eq!(
        facets.indicator_type,
        vec![("domain".to_owned(), 5), ("ipv4".to_owned(), 2), ("md5".to_owned(), 1)]
    );
    assert_eq!(facets.indicator[0], ("common.example".to_owned(), 4));
}

#[test]
fn summaries_count_only_what_the_caller_may_see() {
    let fixture = Fixture::new();
    let all =
        fixture.index.indicator_summary("evil[.]example", &Visibility::everything(), 2).expect("summary");
    assert_eq!((all.value.as_str(), all.kind, all.count), ("evil.example", Some("domain"), 3));
    assert_eq!(all.sources, vec![("feed-a".to_owned(), 2), ("partner".to_owned(), 1)]);
    let day = |at: Option<muninn_model::Timestamp>| at.map(|t| t.strftime("%d").to_string());
    assert_eq!((day(all.first_seen), day(all.last_seen)), (Some("01".into()), Some("05".into())));
    let recent: Vec<_> = all.recent.iter().map(|m| fixture.name(&m.id)).collect();
    assert_eq!(recent, ["D", "B"]);

    // The AMBER item is not counted, dated or listed for a caller who sees up to GREEN.
    let visible = fixture.index.indicator_summary("EVIL.example", &green(), 10).expect("summary");
    assert_eq!(visible.count, 2);
    assert_eq!(visible.sources, vec![("feed-a".to_owned(), 2)]);
    assert_eq!(day(visible.last_seen), Some("03".into()));
    assert_eq!(visible.recent.iter().map(|m| fixture.name(&m.id)).collect::<Vec<_>>(), ["B", "A"]);

    let digest =
        fixture.index.indicator_summary("44d88612fea8a8f36de82e1278abb02f", &green(), 10).expect("summary");
    assert_eq!((digest.kind, digest.count), (Some("md5"), 1));
    let none =
        fixture.index.indicator_summary("198.51.100.200", &Visibility::everything(), 10).expect("summary");
    assert_eq!((none.count, none.first_seen, none.recent.len()), (0, None, 0));
}

#[test]
fn related_items_are_ranked_by_rare_shared_indicators() {
    let fixture = Fixture::new();
    let strings = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    let all = fixture.related("A", &Visibility::everything());
    assert_eq!(
        all,
        vec![
            (
                "D",
                strings(&[
                    "203.0.113.5",
                    "44d88612fea8a8f36de82e1278abb02f",
                    "evil.example",
                    "common.example"
                ])
            ),
            ("B", strings(&["evil.example"])),
            ("C", strings(&["common.example"])),
            ("E", strings(&["common.example"])),
            ("F", strings(&["common.example"])),
        ]
    );
    // Seen up to GREEN, the AMBER item neither appears nor lends its indicators.
    let visible = fixture.related("A", &green());
    assert_eq!(visible.iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["B", "C", "E", "F"]);
    assert!(fixture.related("G", &Visibility::everything()).is_empty());
    let hidden = fixture.index.related(&fixture.id("D"), &green(), 10);
    assert!(matches!(hidden, Err(IndexError::UnknownItem(_))), "{hidden:?}");
}

#[test]
fn rebuilding_gives_the_same_indicator_results() {
    let mut fixture = Fixture::new();
    let everything = Visibility::everything();
    let snapshot = |fixture: &Fixture| {
        (
            search(&fixture.index, "indicator:evil.example OR indicator.type:ipv4", &everything),
            search(&fixture.index, "*", &green()).facets,
            fixture.index.indicator_summary("common.example", &green(), 10).expect("summary"),
            fixture.related("A", &everything),
            fixture.related("D", &everything),
        )
    };
    let before = snapshot(&fixture);
    fixture.index.rebuild(&fixture.store).expect("rebuild");
    assert_eq!(snapshot(&fixture), before);
}

#[test]
fn an_index_of_the_previous_schema_is_rebuilt_with_indicators() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, index, _) = build(dir.path());
    drop(index);
    // Make the last commit say it was written by schema version 2, as an older build did.
    let meta = dir.path().join("index").join("meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    let current = format!("\\\"schema_version\\\":{}", muninn_index::SCHEMA_VERSION);
    assert!(text.contains(&current), "{text}");
    std::fs::write(&meta, text.replace(&current, "\\\"schema_version\\\":2")).expect("write");
    let mut reopened = SearchIndex::open(&dir.path().join("index")).expect("reopen");
    assert!(reopened.is_empty(), "an index of another version starts over");
    assert_eq!(reopened.sync(&store).expect("sync").indexed, ITEMS.len() as u64);
    assert_eq!(search(&reopened, "indicator:evil.example", &Visibility::everything()).total, 3);
}

#[test]
fn an_item_is_found_by_its_id_and_a_partial_id_is_an_error() {
    let fixture = Fixture::new();
    let everything = Visibility::everything();
    for name in ["A", "D", "G"] {
        let id = fixture.id(name);
        let found = search(&fixture.index, &format!("id:{id}"), &everything);
        assert_eq!(found.total, 1, "{name}");
        assert_eq!(fixture.name(&found.hits[0].id), name);
        // Under a visibility that does not reach it, it is not found.
        let under_green = search(&fixture.index, &format!("id:{id}"), &green()).total;
        assert_eq!(under_green, u64::from(name != "D"), "{name}");
    }
    let parsed = muninn_query::parse("id:44d88612", jiff::Timestamp::now()).expect("parses");
    let request = muninn_index::SearchRequest {
        query: &parsed,
        visibility: &everything,
        limit: 5,
        after: None,
        facets: false,
        histogram: false,
    };
    match fixture.index.search(&request) {
        Err(IndexError::Query(message)) => assert!(message.contains("32 hexadecimal digits"), "{message}"),
        other => panic!("a partial id is an error: {other:?}"),
    }
}
