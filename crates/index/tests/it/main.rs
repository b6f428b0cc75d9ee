//! The index against a small multilingual corpus: data-driven queries (query in, ranked titles
//! and snippets out), visibility, paging and rebuilding.

mod distributed;
mod entities;
mod indicators;
mod properties;
mod queries;

use std::collections::BTreeMap;
use std::path::Path;

use muninn_index::{SearchIndex, SearchRequest, SearchResults, Visibility};
use muninn_model::{AdmiraltyGrade, ItemDraft, LanguageTag, Markings, SourceId, Timestamp, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig};

/// (source, language, TLP, day of March 2026, title, body)
pub(crate) const CORPUS: &[(&str, &str, Tlp, i8, &str, &str)] = &[
    (
        "newswire-en",
        "en",
        Tlp::Clear,
        1,
        "APT28 phishing wave",
        "Fancy Bear sent phishing lures to defence ministries from 198.51.100.7.",
    ),
    (
        "newswire-en",
        "en",
        Tlp::Clear,
        2,
        "Sandworm attacks the grid",
        "Sandworm attacked energy companies in Ukraine with a new wiper.",
    ),
    (
        "cyberdesk-en",
        "en",
        Tlp::Green,
        3,
        "Lazarus Group and crypto exchanges",
        "The Lazarus Group stole funds from exchanges; CVE-2021-44228 was exploited.",
    ),
    (
        "partner-mail",
        "en",
        Tlp::Amber,
        4,
        "Partner report on Sandworm",
        "Our partner saw Sandworm reuse infrastructure at evil.example in Odesa.",
    ),
    (
        "partner-mail",
        "en",
        Tlp::Red,
        5,
        "Named source on APT28",
        "A named source says APT28 prepared operations against ministries.",
    ),
    (
        "newswire-ru",
        "ru",
        Tlp::Clear,
        6,
        "Группа Sandworm атаковала энергетику",
        "Хакеры из группировки Sandworm атаковали энергетические компании Украины.",
    ),
    (
        "newswire-ru",
        "ru",
        Tlp::Clear,
        7,
        "Фишинговая рассылка",
        "Новая фишинговая рассылка использовала адрес 198.51.100.7.",
    ),
    (
        "newswire-ar",
        "ar",
        Tlp::Clear,
        8,
        "أبو بكر البغدادي",
        "ذكرت تقارير أن أبو بكر البغدادي ظهر في تسجيل جديد.",
    ),
    (
        "newswire-ar",
        "ar",
        Tlp::Clear,
        9,
        "هجوم على شركات الطاقة",
        "استهدفت المجموعة شركات الطاقة في أوكرانيا برسائل تصيد احتيالي.",
    ),
    (
        "newswire-zh",
        "zh",
        Tlp::Clear,
        10,
        "乌克兰能源公司遭到攻击",
        "该组织利用网络钓鱼邮件攻击了乌克兰的能源公司。",
    ),
    ("newswire-zh", "zh", Tlp::Green, 11, "Lazarus 组织盗取加密货币", "Lazarus 组织从交易所盗取了加密货币。"),
    (
        "analyst-notes",
        "en",
        Tlp::AmberStrict,
        12,
        "Note: Turla infrastructure",
        "Turla reused the domain update-check.example for Snake command and control.",
    ),
];

pub(crate) fn draft(source: &str, lang: &str, tlp: Tlp, day: i8, title: &str, body: &str) -> ItemDraft {
    ItemDraft {
        source: SourceId::new(source).expect("source"),
        collected_at: Timestamp::from_second(1_780_000_000).expect("time"),
        event_time: Some(
            jiff::tz::TimeZone::UTC
                .to_timestamp(jiff::civil::date(2026, 3, day).at(9, 0, 0, 0))
                .expect("date"),
        ),
        title: Some(title.to_owned()),
        body: body.to_owned(),
        language: Some(LanguageTag::new(lang).expect("lang")),
        markings: Markings::tlp(tlp),
        grade: AdmiraltyGrade::UNASSESSED,
        raw: None,
        attributes: BTreeMap::new(),
    }
}

/// A store with the corpus, and its index caught up.
pub(crate) fn corpus_index(dir: &Path) -> (EmbeddedStore, SearchIndex) {
    let mut store = EmbeddedStore::open(&dir.join("data"), StoreConfig::default()).expect("store");
    let items = CORPUS
        .iter()
        .map(|(source, lang, tlp, day, title, body)| draft(source, lang, *tlp, *day, title, body).into_item())
        .collect();
    store.append(AppendBatch { items, checkpoints: Vec::new(), ..Default::default() }).expect("append");
    let mut index = SearchIndex::open(&dir.join("index")).expect("index");
    index.sync(&store).expect("sync");
    (store, index)
}

pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_775_000_000).expect("now")
}

pub(crate) fn search(index: &SearchIndex, query: &str, visibility: &Visibility) -> SearchResults {
    let parsed = muninn_query::parse(query, now()).unwrap_or_else(|e| panic!("{query}: {e}"));
    index
        .search(&SearchRequest {
            query: &parsed,
            visibility,
            limit: 50,
            after: None,
            facets: true,
            histogram: true,
        })
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

#[test]
fn sync_follows_the_log_and_rebuild_is_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, mut index) = corpus_index(dir.path());
    assert_eq!(index.len(), CORPUS.len() as u64);
    let extra =
        draft("newswire-en", "en", Tlp::Clear, 20, "Late Sandworm news", "Sandworm again.").into_item();
    store
        .append(AppendBatch { items: vec![extra], checkpoints: Vec::new(), ..Default::default() })
        .expect("append");
    let report = index.sync(&store).expect("sync");
    assert_eq!((report.indexed, report.rebuilt), (1, false));
    let before = search(&index, "sandworm", &Visibility::everything());
    let rebuilt = index.rebuild(&store).expect("rebuild");
    assert_eq!(rebuilt.indexed, CORPUS.len() as u64 + 1);
    assert_eq!(search(&index, "sandworm", &Visibility::everything()), before);
    // Reopening finds the same position in the log: nothing is indexed twice.
    drop(index);
    let mut reopened = SearchIndex::open(&dir.path().join("index")).expect("reopen");
    assert_eq!(reopened.sync(&store).expect("sync").indexed, 0);
    assert_eq!(reopened.len(), CORPUS.len() as u64 + 1);
}

/// A sync that finds only documents (audit entries, watchlists) after its position moves on
/// without a commit: the published index is the same files; a new item commits again; after a
/// reopen the documents are read again and nothing is indexed twice.
#[test]
fn a_sync_without_new_items_does_not_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, mut index) = corpus_index(dir.path());
    let committed = index.published().expect("published").meta;
    store.put_documents(vec![muninn_store::Document::put("notes", "k", vec![1; 64])]).expect("document");
    let report = index.sync(&store).expect("sync");
    assert_eq!(report.indexed, 0);
    assert_eq!(report.last_seq, store.stats().expect("stats").last_seq, "the position moves on");
    assert_eq!(index.published().expect("published").meta, committed, "no commit for documents alone");
    let extra = draft("newswire-en", "en", Tlp::Clear, 21, "Later news", "More text.").into_item();
    store
        .append(AppendBatch { items: vec![extra], checkpoints: Vec::new(), ..Default::default() })
        .expect("append");
    assert_eq!(index.sync(&store).expect("sync").indexed, 1);
    assert_ne!(index.published().expect("published").meta, committed, "an item commits");
    drop(index);
    let mut reopened = SearchIndex::open(&dir.path().join("index")).expect("reopen");
    assert_eq!(reopened.sync(&store).expect("sync").indexed, 0);
    assert_eq!(reopened.len(), CORPUS.len() as u64 + 1);
}

/// Every sync that brings items commits a segment of its own; a server syncing each second
/// would pile them up (every search visits every segment) unless they merged, which they do
/// while small (`MERGE_MAX_DOCS`).
#[test]
fn the_small_segments_of_frequent_syncs_are_merged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, mut index) = corpus_index(dir.path());
    for n in 0..24 {
        let title = format!("Quokka sighting {n}");
        let extra = draft("newswire-en", "en", Tlp::Clear, 22, &title, "Sandworm again.").into_item();
        store
            .append(AppendBatch { items: vec![extra], checkpoints: Vec::new(), ..Default::default() })
            .expect("append");
        assert_eq!(index.sync(&store).expect("sync").indexed, 1);
    }
    assert!(index.segment_count() < 12, "{} segments after 24 syncs", index.segment_count());
    assert_eq!(index.len(), CORPUS.len() as u64 + 24);
    assert_eq!(search(&index, "quokka", &Visibility::everything()).total, 24);
}

#[test]
fn visibility_applies_to_hits_counts_facets_and_histograms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, index) = corpus_index(dir.path());
    let everything = search(&index, "*", &Visibility::everything());
    assert_eq!(everything.total, CORPUS.len() as u64);
    let green = Visibility::Audience(muninn_index::Audience {
        user: "outsider".into(),
        org: "another-org".into(),
        ..Default::default()
    });
    let visible = search(&index, "*", &green);
    let expected = CORPUS.iter().filter(|c| c.2 <= Tlp::Green).count() as u64;
    assert_eq!(visible.total, expected);
    assert_eq!(visible.hits.len() as u64, expected);
    let facets = visible.facets.expect("facets");
    assert_eq!(facets.tlp.iter().map(|(_, n)| n).sum::<u64>(), expected);
    assert!(facets.tlp.iter().all(|(label, _)| label == "clear" || label == "green"), "{facets:?}");
    assert_eq!(visible.histogram.iter().map(|(_, n)| n).sum::<u64>(), expected);
    // A search for what only RED material holds finds nothing, and says so the same way.
    let named = search(&index, "\"named source\"", &green);
    assert_eq!((named.total, named.hits.len()), (0, 0));
}

#[test]
fn pages_follow_each_other_without_gaps_or_repeats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, index) = corpus_index(dir.path());
    let query = muninn_query::parse("sandworm OR lazarus OR apt28 OR *", now()).expect("query");
    let everything = Visibility::everything();
    let single = index
        .search(&SearchRequest {
            query: &query,
            visibility: &everything,
            limit: 100,
            after: None,
            facets: false,
            histogram: false,
        })
        .expect("search");
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = index
            .search(&SearchRequest {
                query: &query,
                visibility: &everything,
                limit: 5,
                after,
                facets: false,
                histogram: false,
            })
            .expect("page");
        paged.extend(page.hits.iter().map(|hit| hit.id));
        match page.next {
            Some(cursor) => after = Some(cursor.to_string().parse().expect("cursor round-trips")),
            None => break,
        }
    }
    assert_eq!(paged, single.hits.iter().map(|hit| hit.id).collect::<Vec<_>>());
    assert!("zz".parse::<muninn_index::Cursor>().is_err());
}

#[test]
fn an_entity_without_a_gazetteer_is_an_error_not_a_silent_miss() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, index) = corpus_index(dir.path());
    let query = muninn_query::parse("entity:\"APT28\"", now()).expect("parses");
    let everything = Visibility::everything();
    let error = index
        .search(&SearchRequest {
            query: &query,
            visibility: &everything,
            limit: 5,
            after: None,
            facets: false,
            histogram: false,
        })
        .expect_err("no gazetteer");
    assert!(error.to_string().contains("entity"), "{error}");
}
