//! Indicator extraction: any text is scanned without panicking; every span lies on character
//! boundaries, in order and without overlap, and the occurrence scanned on its own gives the
//! same indicator back. Warning lists in MISP's format parse or are refused, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = muninn_extract::WarningList::from_json(text);
    let found = muninn_extract::indicators(text);
    let mut previous_end = 0;
    for indicator in &found {
        let span = indicator.span.clone();
        assert!(span.start < span.end && span.start >= previous_end, "{found:?}");
        let source = text.get(span.clone()).expect("a span on character boundaries");
        let again = muninn_extract::indicators(source);
        assert!(
            again.iter().any(|other| other.kind == indicator.kind && other.value == indicator.value),
            "{indicator:?} from {source:?} rescanned as {again:?}"
        );
        previous_end = span.end;
    }
});
