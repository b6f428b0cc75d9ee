//! No input makes a reader panic: arbitrary bytes, and mutations of the real samples, through
//! every format. (The cargo-fuzz target in `fuzz/` explores the same entry point for longer.)

use muninn_ingest::{Format, Limits, ReadContext, read_records};
use proptest::prelude::*;

fn context(format: Format) -> ReadContext {
    ReadContext {
        input: "fuzz".to_owned(),
        stem: "fuzz".to_owned(),
        format,
        encoding: None,
        limits: Limits { max_item_bytes: 4096, max_field_bytes: 1024, max_document_bytes: 8192 },
        fields: Default::default(),
    }
}

fn samples() -> Vec<(Format, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/readers");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("samples") {
        let path = entry.expect("entry").path();
        if let Some(format) = Format::from_path(&path) {
            out.push((format, std::fs::read(&path).expect("read")));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(format in 0usize..Format::ALL.len(), bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_records(&context(Format::ALL[format]), &mut &bytes[..]);
    }

    #[test]
    fn mutated_samples_never_panic(pick in any::<prop::sample::Index>(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in any::<prop::sample::Index>()) {
        let samples = samples();
        let (format, bytes) = &samples[pick.index(samples.len())];
        let mut bytes = bytes.clone();
        for (at, value) in flips {
            let index = at.index(bytes.len());
            bytes[index] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let _ = read_records(&context(*format), &mut &bytes[..]);
    }
}
