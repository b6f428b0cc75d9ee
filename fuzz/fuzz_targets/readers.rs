//! Every reader of outside input: the first byte picks the format, the rest is the input. No
//! input may panic or hang a reader; problems must come back as diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_ingest::{Format, Limits, ReadContext, read_records};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let format = Format::ALL[usize::from(selector) % Format::ALL.len()];
    let context = ReadContext {
        input: "fuzz".to_owned(),
        stem: "fuzz".to_owned(),
        format,
        encoding: None,
        limits: Limits { max_item_bytes: 1 << 16, max_field_bytes: 1 << 15, max_document_bytes: 1 << 20 },
        fields: Default::default(),
    };
    let _ = read_records(&context, &mut &input[..]);
});
