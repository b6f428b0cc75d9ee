//! Bad input: each case gives a diagnostic naming the file and where, the rest of the input is
//! ingested, and nothing stored before changes.

use std::io::Write;
use std::path::{Path, PathBuf};

use muninn_ingest::{IngestConfig, Location};

use crate::{collected_at, ingest_paths, open_store, store_snapshot};

struct Case {
    name: &'static str,
    /// Writes the bad file(s) into the directory and returns the path expected in the diagnostic.
    make: fn(&Path) -> PathBuf,
    /// What the diagnostic's location must be.
    location: fn(&Location) -> bool,
    /// A fragment of its message.
    message: &'static str,
}

fn good_file(dir: &Path) {
    std::fs::write(
        dir.join("good.jsonl"),
        "{\"title\": \"good\", \"body\": \"A good item about Turla that must be ingested.\"}\n",
    )
    .expect("write");
}

fn line(expected: u64) -> impl Fn(&Location) -> bool {
    move |location| matches!(location, Location::Line { line, .. } if *line == expected)
}

const CASES: &[Case] = &[
    Case {
        name: "malformed JSON line",
        make: |dir| {
            let path = dir.join("broken.jsonl");
            std::fs::write(&path, "{\"body\": \"fine\"}\n{\"body\": \"cut\n{\"body\": \"also fine\"}\n")
                .expect("write");
            path
        },
        location: |l| line(2)(l),
        message: "malformed JSON",
    },
    Case {
        name: "CSV row with the wrong column count",
        make: |dir| {
            let path = dir.join("rows.csv");
            std::fs::write(&path, "title,body\nok,first body\nextra,second,body\nok2,third body\n")
                .expect("write");
            path
        },
        location: |l| line(3)(l),
        message: "row has 3 fields, the header has 2",
    },
    Case {
        name: "invalid UTF-8",
        make: |dir| {
            let path = dir.join("bytes.jsonl");
            let mut bytes = b"{\"body\": \"ok line\"}\n{\"body\": \"bad \xff\xfe byte\"}\n".to_vec();
            bytes.extend_from_slice(b"{\"body\": \"after\"}\n");
            std::fs::write(&path, bytes).expect("write");
            path
        },
        location: |l| line(2)(l),
        message: "invalid UTF-8 at byte 14",
    },
    Case {
        name: "Latin-1 file",
        make: |dir| {
            let path = dir.join("latin1.txt");
            std::fs::write(&path, b"R\xe9sum\xe9 of the Caf\xe9 incident\n").expect("write");
            path
        },
        location: |l| matches!(l, Location::Byte(1)),
        message: "--encoding",
    },
    Case {
        name: "200 MB single field",
        make: |dir| {
            let path = dir.join("huge.jsonl");
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
            file.write_all(b"{\"body\": \"small before\"}\n{\"body\": \"").expect("write");
            let chunk = vec![b'a'; 1 << 20];
            for _ in 0..200 {
                file.write_all(&chunk).expect("write");
            }
            file.write_all(b"\"}\n{\"body\": \"small after\"}\n").expect("write");
            path
        },
        location: |l| line(2)(l),
        message: "over the item limit",
    },
    Case {
        name: "unreadable file in a directory",
        make: |dir| {
            let path = dir.join("gone.jsonl");
            std::os::unix::fs::symlink(dir.join("does-not-exist"), &path).expect("symlink");
            path
        },
        location: |l| matches!(l, Location::File),
        message: "cannot read",
    },
    Case {
        name: "truncated mbox",
        make: |dir| {
            let path = dir.join("cut.mbox");
            std::fs::write(
                &path,
                "From a@x Mon Jan  1 00:00:00 2026\nSubject: whole\n\nA whole message.\n\nFrom b@x Mon Jan  1 00:00:00 2026\nSubject: cut\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nhalf a mess",
            )
            .expect("write");
            path
        },
        location: |l| matches!(l, Location::Entry { index: 2, offset: 68 }),
        message: "truncated",
    },
    Case {
        name: "zero-byte file",
        make: |dir| {
            let path = dir.join("empty.md");
            std::fs::write(&path, b"").expect("write");
            path
        },
        location: |l| matches!(l, Location::File),
        message: "empty file",
    },
];

#[test]
fn each_bad_input_is_reported_and_the_rest_ingested() {
    for case in CASES {
        let work = tempfile::tempdir().expect("tempdir");
        let data = work.path().join("data");
        let inputs = work.path().join("inputs");
        std::fs::create_dir_all(&inputs).expect("mkdir");
        let mut store = open_store(&data);
        let earlier = work.path().join("earlier.jsonl");
        std::fs::write(&earlier, "{\"body\": \"stored before the bad input\"}\n").expect("write");
        ingest_paths(&mut store, &[&earlier], &IngestConfig::new(collected_at()));
        let before = store_snapshot(&store);

        good_file(&inputs);
        let bad_path = (case.make)(&inputs);
        let summary = ingest_paths(&mut store, &[&inputs], &IngestConfig::new(collected_at()));

        let diagnostic = summary
            .diagnostics
            .iter()
            .find(|d| d.input == bad_path.display().to_string())
            .unwrap_or_else(|| {
                panic!("{}: no diagnostic for {}: {:?}", case.name, bad_path.display(), summary.diagnostics)
            });
        assert!((case.location)(&diagnostic.location), "{}: location {:?}", case.name, diagnostic.location);
        assert!(diagnostic.message.contains(case.message), "{}: message {:?}", case.name, diagnostic.message);
        assert_eq!(summary.rejected, 1, "{}: {:?}", case.name, summary.diagnostics);
        assert!(summary.stored >= 1, "{}: the good file was not ingested", case.name);
        let after = store_snapshot(&store);
        assert_eq!(&after[..before.len()], &before[..], "{}: stored items changed", case.name);
        assert!(store.verify().expect("verify").problems.is_empty(), "{}", case.name);
    }
}

#[test]
fn a_declared_encoding_makes_latin1_readable() {
    let work = tempfile::tempdir().expect("tempdir");
    let path = work.path().join("latin1.txt");
    std::fs::write(&path, b"R\xe9sum\xe9 of the Caf\xe9 incident\n").expect("write");
    let mut store = open_store(&work.path().join("data"));
    let config = IngestConfig {
        encoding: muninn_ingest::TextEncoding::for_label("latin1"),
        ..IngestConfig::new(collected_at())
    };
    let summary = ingest_paths(&mut store, &[&path], &config);
    assert_eq!((summary.stored, summary.rejected), (1, 0));
    let snapshot = store_snapshot(&store);
    assert!(snapshot[0].contains("Résumé of the Café incident"), "{snapshot:?}");
}
