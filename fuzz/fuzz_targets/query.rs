//! The search query parser: any text parses or is refused with a position, never panics; what
//! parses prints to a canonical form that parses back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = jiff::Timestamp::from_second(1_780_000_000).expect("a valid time");
    if let Ok(query) = muninn_query::parse(text, now) {
        let canonical = query.to_string();
        if canonical.chars().count() <= muninn_query::MAX_QUERY_CHARS {
            assert_eq!(muninn_query::parse(&canonical, now).ok(), Some(query), "{canonical}");
        }
    }
});
