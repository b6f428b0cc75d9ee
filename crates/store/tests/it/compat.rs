//! Format compatibility: a data directory written by format 1 or 2 must open and read the same
//! in every later build. The fixtures under `test_data/compat-v1` and `test_data/compat-v2` are
//! committed. The newest is written only when `MUNINN_WRITE_COMPAT_FIXTURE=1` and its directory
//! does not exist yet; format 1 can no longer be written by this build.

use std::path::{Path, PathBuf};

use muninn_model::{Source, SourceKind, Tlp};
use muninn_store::{AppendBatch, Document, EmbeddedStore, ItemStore, ListQuery, StoreConfig};

use crate::{draft, source_id};

fn fixture_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("test_data/compat-v{version}"))
}

fn write_fixture_when_asked(version: u32, write: fn(&Path)) {
    let fixture = fixture_dir(version);
    if std::env::var_os("MUNINN_WRITE_COMPAT_FIXTURE").is_some() && !fixture.exists() {
        write(&fixture);
        for name in ["LOCK", "records.redb"] {
            let _ = std::fs::remove_file(fixture.join(name));
        }
    }
}

/// What the format 1 fixture was written with (by a format 1 build; this one writes format 2),
/// and the start of the format 2 fixture.
fn write_items_source_and_checkpoint(dir: &Path) {
    let mut store = EmbeddedStore::open(dir, StoreConfig::default()).expect("open");
    store
        .put_source(Source {
            id: source_id("test"),
            name: "Compatibility fixture".to_owned(),
            kind: SourceKind::OpenSource,
            default_grade: "C3".parse().expect("grade"),
            default_tlp: Tlp::Green,
            description: Some("written by format 1".to_owned()),
        })
        .expect("source");
    let items = vec![
        draft("Report on APT28", "Fancy Bear used 192.0.2.10 in March.", Some(b"{\"raw\":1}")),
        draft("Отчёт", "Группа Sandworm атаковала.", None),
        draft("Report on APT28", "Fancy Bear used 192.0.2.10 in March.", None),
    ];
    store
        .append(AppendBatch {
            items,
            checkpoints: vec![("file:fixture.jsonl".to_owned(), 3)],
            ..AppendBatch::default()
        })
        .expect("append");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A copy of a fixture to open (opening writes LOCK and the record tables).
fn open_copy(version: u32) -> (tempfile::TempDir, EmbeddedStore) {
    let work = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture_dir(version), work.path());
    let store = EmbeddedStore::open(work.path(), StoreConfig::default()).expect("fixture opens");
    (work, store)
}

fn format_file(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("FORMAT")).expect("FORMAT")
}

/// What both fixtures hold: two items (the first arrived twice; the second arrived again
/// `second_duplicates` times), a source and a checkpoint. Items after them are not looked at.
fn check_items_source_and_checkpoint(store: &EmbeddedStore, second_duplicates: u64) {
    let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 2 }).expect("list");
    let seen: Vec<(String, String, u64)> = listed
        .iter()
        .map(|s| (s.id.to_string(), s.title.clone().unwrap_or_default(), s.duplicates))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("6592c003ed7409ff5b3e87e9b7fbba21".to_owned(), "Report on APT28".to_owned(), 1),
            ("5960ee45be0e8ae898734bdce17f66d0".to_owned(), "Отчёт".to_owned(), second_duplicates),
        ]
    );
    let first = store.item(&listed[0].id).expect("read").expect("present");
    assert_eq!(first.body, "Fancy Bear used 192.0.2.10 in March.");
    assert_eq!(store.raw(&listed[0].id).expect("raw"), Some(b"{\"raw\":1}".to_vec()));
    assert_eq!(store.checkpoint("file:fixture.jsonl").expect("checkpoint"), Some(3));
    let sources = store.sources().expect("sources");
    assert_eq!(sources[0].source.default_grade.to_string(), "C3");
}

#[test]
fn format_1_fixture_reads_the_same() {
    let (work, store) = open_copy(1);
    check_items_source_and_checkpoint(&store, 0);
    assert_eq!(store.stats().expect("stats").items, 2);
    assert_eq!(store.document_count("alert").expect("count"), 0);
    assert!(store.verify().expect("verify").problems.is_empty());
    // Opening and reading leaves the directory at format 1: older builds still open it.
    assert_eq!(format_file(work.path()), "muninn-store 1\n");
}

#[test]
fn a_format_1_directory_becomes_format_2_with_its_first_document() {
    let (work, mut store) = open_copy(1);
    store
        .append(AppendBatch { items: vec![draft("new", "item", None)], ..AppendBatch::default() })
        .expect("append");
    assert_eq!(format_file(work.path()), "muninn-store 1\n");
    store.put_documents(vec![Document::put("alert", "a", b"{}".to_vec())]).expect("put");
    assert_eq!(format_file(work.path()), "muninn-store 2\n");
    drop(store);
    let store = EmbeddedStore::open(work.path(), StoreConfig::default()).expect("reopens");
    check_items_source_and_checkpoint(&store, 0);
    assert_eq!(store.document("alert", "a").expect("read"), Some(b"{}".to_vec()));
    assert!(store.verify().expect("verify").problems.is_empty());
}

fn write_fixture_v2(dir: &Path) {
    write_items_source_and_checkpoint(dir);
    let mut store = EmbeddedStore::open(dir, StoreConfig::default()).expect("open");
    let new_item = draft("Третий", "Документ с оповещением.", None);
    let known_item = draft("Отчёт", "Группа Sandworm атаковала.", None);
    store
        .put_documents(vec![
            Document::put("watchlist", "apt", br#"{"version":1,"names":["APT28"]}"#.to_vec()),
            Document::put("alert", "temporary", b"{}".to_vec()),
        ])
        .expect("documents");
    store
        .append(AppendBatch {
            items: vec![new_item.clone(), known_item.clone()],
            checkpoints: vec![("file:second.jsonl".to_owned(), 2)],
            documents: vec![
                Document {
                    if_new_item: Some(new_item.0.id),
                    ..Document::put("alert", "new/apt", br#"{"state":"new"}"#.to_vec())
                },
                Document {
                    if_new_item: Some(known_item.0.id),
                    ..Document::put("alert", "known/apt", br#"{"state":"new"}"#.to_vec())
                },
                Document::put("watchlist", "apt", br#"{"version":2,"names":["APT28","Sofacy"]}"#.to_vec()),
            ],
        })
        .expect("append");
    store
        .put_documents(vec![
            Document::delete("alert", "temporary"),
            Document::put("alert", "new/apt", br#"{"state":"triaged"}"#.to_vec()),
        ])
        .expect("documents");
}

#[test]
fn format_2_fixture_reads_the_same() {
    write_fixture_when_asked(2, write_fixture_v2);
    let (work, store) = open_copy(2);
    assert_eq!(format_file(work.path()), "muninn-store 2\n");
    check_items_source_and_checkpoint(&store, 1);
    assert_eq!(store.checkpoint("file:second.jsonl").expect("checkpoint"), Some(2));
    assert_eq!(store.stats().expect("stats").items, 3);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("utf-8");
    // Overwritten: the latest version.
    let watchlist = store.document("watchlist", "apt").expect("read").map(text);
    assert_eq!(watchlist.as_deref(), Some(r#"{"version":2,"names":["APT28","Sofacy"]}"#));
    // Deleted, and dropped because its item was a duplicate.
    assert_eq!(store.document("alert", "temporary").expect("read"), None);
    assert_eq!(store.document("alert", "known/apt").expect("read"), None);
    let alerts: Vec<(String, String)> = store
        .documents("alert", None, 10)
        .expect("page")
        .into_iter()
        .map(|(key, value)| (key, text(value)))
        .collect();
    assert_eq!(alerts, vec![("new/apt".to_owned(), r#"{"state":"triaged"}"#.to_owned())]);
    assert_eq!(
        (store.document_count("alert").expect("n"), store.document_count("watchlist").expect("n")),
        (1, 1)
    );
    assert!(store.verify().expect("verify").problems.is_empty());
}
