//! Data-driven reader tests: every file in `test_data/readers` is read, and what the readers make
//! of it is compared with `NAME.expected` beside it. Refresh with `UPDATE_EXPECT=1`.

use std::fmt::Write;
use std::path::Path;

use muninn_ingest::{Format, Limits, ReadContext, read_records};

fn render(path: &Path) -> String {
    let format = Format::from_path(path).expect("a known extension");
    let context = ReadContext {
        input: path.file_name().expect("name").to_string_lossy().into_owned(),
        stem: path.file_stem().expect("stem").to_string_lossy().into_owned(),
        format,
        encoding: None,
        limits: Limits::default(),
        fields: Default::default(),
    };
    let bytes = std::fs::read(path).expect("read test file");
    let mut out = String::new();
    for result in read_records(&context, &mut &bytes[..]) {
        match result {
            Ok(record) => {
                writeln!(out, "record").ok();
                writeln!(out, "  title: {:?}", record.title).ok();
                writeln!(out, "  body: {:?}", record.body).ok();
                if let Some(time) = record.event_time {
                    writeln!(out, "  event_time: {time}").ok();
                }
                for (name, value) in [("lang", &record.language), ("source", &record.source)] {
                    if let Some(value) = value {
                        writeln!(out, "  {name}: {value}").ok();
                    }
                }
                if let Some(tlp) = record.tlp {
                    writeln!(out, "  tlp: {tlp}").ok();
                }
                if let Some(grade) = record.grade {
                    writeln!(out, "  grade: {grade}").ok();
                }
                for (key, value) in &record.attributes {
                    writeln!(out, "  attribute {key}: {value}").ok();
                }
                if let Some((raw, media_type)) = &record.raw {
                    writeln!(out, "  raw: {} bytes of {media_type}", raw.len()).ok();
                }
            }
            Err(diagnostic) => {
                writeln!(out, "error {diagnostic}").ok();
            }
        }
    }
    out
}

#[test]
fn every_reader_sample_reads_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/readers");
    let mut checked = 0;
    let mut entries: Vec<_> =
        std::fs::read_dir(&dir).expect("test data").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.extension().is_some_and(|e| e == "expected") {
            continue;
        }
        let mut expected_path = path.clone().into_os_string();
        expected_path.push(".expected");
        expect_test::expect_file![expected_path].assert_eq(&render(&path));
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} samples found");
}
