//! Torn tails, damage and failing disks.

use std::fs::OpenOptions;
use std::io::Write;

use muninn_store::{Document, EmbeddedStore, FaultPlan, ItemStore, StoreConfig};

use crate::{batch, draft, open};

fn only_segment(dir: &std::path::Path) -> std::path::PathBuf {
    let mut segments: Vec<_> =
        std::fs::read_dir(dir.join("log")).expect("log dir").map(|e| e.expect("entry").path()).collect();
    segments.sort();
    segments.pop().expect("a segment")
}

#[test]
fn a_torn_tail_is_cut_and_acknowledged_items_survive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = draft("kept", "acknowledged body", None);
    {
        let mut store = open(dir.path());
        store.append(batch(vec![kept.clone()])).expect("append");
    }
    let segment = only_segment(dir.path());
    let clean_len = std::fs::metadata(&segment).expect("stat").len();
    // Half a frame, as a crash in the middle of a write leaves it.
    let mut file = OpenOptions::new().append(true).open(&segment).expect("open");
    file.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, 9, 0, 0]).expect("write");
    drop(file);
    let mut store = open(dir.path());
    assert_eq!(std::fs::metadata(&segment).expect("stat").len(), clean_len);
    assert_eq!(store.item(&kept.0.id).expect("read"), Some(kept.0.clone()));
    let later = draft("later", "written after recovery", None);
    store.append(batch(vec![later.clone()])).expect("append after recovery");
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.item(&later.0.id).expect("read"), Some(later.0));
    assert!(store.verify().expect("verify").problems.is_empty());
}

#[test]
fn damage_before_the_tail_is_reported_with_file_and_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig { segment_max_bytes: 256, ..StoreConfig::default() };
    {
        let mut store = EmbeddedStore::open(dir.path(), config.clone()).expect("open");
        for n in 0..10 {
            store.append(batch(vec![draft(&format!("t{n}"), &"y".repeat(300), None)])).expect("append");
        }
    }
    let mut segments: Vec<_> =
        std::fs::read_dir(dir.path().join("log")).expect("dir").map(|e| e.expect("e").path()).collect();
    segments.sort();
    let first = &segments[0];
    let mut bytes = std::fs::read(first).expect("read");
    let flip_at = bytes.len() - 10;
    bytes[flip_at] ^= 0xff;
    std::fs::write(first, &bytes).expect("write");
    // Rebuild the tables so that recovery has to read the damaged segment.
    let _ = std::fs::remove_file(dir.path().join("records.redb"));
    let error = EmbeddedStore::open(dir.path(), config).expect_err("damage is reported");
    let message = error.to_string();
    assert!(message.contains(&first.display().to_string()), "{message}");
    assert!(message.contains("at byte 16"), "{message}");
}

#[test]
fn a_failed_fsync_stops_the_store_until_reopened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig {
        faults: Some(FaultPlan { fail_sync: Some(2), ..FaultPlan::default() }),
        ..StoreConfig::default()
    };
    let acknowledged = draft("ok", "durable", None);
    {
        let mut store = EmbeddedStore::open(dir.path(), config).expect("open");
        store.append(batch(vec![acknowledged.clone()])).expect("first append is durable");
        let error = store.append(batch(vec![draft("lost", "not acked", None)])).expect_err("fsync fails");
        assert!(error.to_string().contains("fsync"), "{error}");
        let error = store.append(batch(vec![draft("after", "refused", None)])).expect_err("stopped");
        assert!(error.to_string().contains("stopped"), "{error}");
    }
    let store = open(dir.path());
    assert_eq!(store.item(&acknowledged.0.id).expect("read"), Some(acknowledged.0));
    assert!(store.verify().expect("verify").problems.is_empty());
}

#[test]
fn a_failed_write_stops_the_store_and_leaves_no_partial_item() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig {
        faults: Some(FaultPlan { fail_write: Some(1), ..FaultPlan::default() }),
        ..StoreConfig::default()
    };
    {
        let mut store = EmbeddedStore::open(dir.path(), config).expect("open");
        store.append(batch(vec![draft("x", "y", None)])).expect_err("write fails");
    }
    let store = open(dir.path());
    assert_eq!(store.stats().expect("stats").items, 0);
}

#[test]
fn a_directory_of_another_format_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(dir.path()));
    std::fs::write(dir.path().join("FORMAT"), "muninn-store 99\n").expect("write");
    let error = EmbeddedStore::open(dir.path(), StoreConfig::default()).expect_err("refused");
    assert!(error.to_string().contains("format"), "{error}");
    let stranger = tempfile::tempdir().expect("tempdir");
    std::fs::write(stranger.path().join("notes.txt"), "mine").expect("write");
    assert!(EmbeddedStore::open(stranger.path(), StoreConfig::default()).is_err());
}

#[test]
fn a_torn_document_write_leaves_the_previous_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let segment;
    let acknowledged_len;
    {
        let mut store = open(dir.path());
        store.put_documents(vec![Document::put("alert", "a", b"acknowledged".to_vec())]).expect("put");
        segment = only_segment(dir.path());
        acknowledged_len = std::fs::metadata(&segment).expect("stat").len();
        store.put_documents(vec![Document::put("alert", "a", vec![7; 10_000])]).expect("put");
    }
    // The second write torn in its middle, as a crash during it leaves it.
    let file = OpenOptions::new().write(true).open(&segment).expect("open");
    file.set_len(acknowledged_len + 5_000).expect("truncate");
    drop(file);
    std::fs::remove_file(dir.path().join("records.redb")).expect("remove tables");
    let store = open(dir.path());
    assert_eq!(std::fs::metadata(&segment).expect("stat").len(), acknowledged_len);
    assert_eq!(store.document("alert", "a").expect("read"), Some(b"acknowledged".to_vec()));
    assert_eq!(store.document_count("alert").expect("count"), 1);
    assert!(store.verify().expect("verify").problems.is_empty());
}
