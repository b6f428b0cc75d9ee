//! Format compatibility: a data directory written by format 1 must open and read the same in
//! every later build. The fixture under `test_data/compat-v1` is committed; it is written only
//! when `MUNINN_WRITE_COMPAT_FIXTURE=1` and the directory does not exist yet.

use std::path::{Path, PathBuf};

use muninn_model::{Source, SourceKind, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, ListQuery, StoreConfig};

use crate::{draft, source_id};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/compat-v1")
}

fn write_fixture(dir: &Path) {
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
    drop(store);
    for name in ["LOCK", "records.redb"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
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

#[test]
fn format_1_fixture_reads_the_same() {
    let fixture = fixture_dir();
    if std::env::var_os("MUNINN_WRITE_COMPAT_FIXTURE").is_some() && !fixture.exists() {
        write_fixture(&fixture);
    }
    let work = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture, work.path());
    let store = EmbeddedStore::open(work.path(), StoreConfig::default()).expect("fixture opens");
    let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 10 }).expect("list");
    let seen: Vec<(String, String, u64)> = listed
        .iter()
        .map(|s| (s.id.to_string(), s.title.clone().unwrap_or_default(), s.duplicates))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("6592c003ed7409ff5b3e87e9b7fbba21".to_owned(), "Report on APT28".to_owned(), 1),
            ("5960ee45be0e8ae898734bdce17f66d0".to_owned(), "Отчёт".to_owned(), 0),
        ]
    );
    let first = store.item(&listed[0].id).expect("read").expect("present");
    assert_eq!(first.body, "Fancy Bear used 192.0.2.10 in March.");
    assert_eq!(store.raw(&listed[0].id).expect("raw"), Some(b"{\"raw\":1}".to_vec()));
    assert_eq!(store.checkpoint("file:fixture.jsonl").expect("checkpoint"), Some(3));
    let sources = store.sources().expect("sources");
    assert_eq!(sources[0].source.default_grade.to_string(), "C3");
    assert!(store.verify().expect("verify").problems.is_empty());
}
