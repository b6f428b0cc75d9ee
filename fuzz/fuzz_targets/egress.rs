//! The egress URL checks and the TAXII client's parsers: any input is vetted or refused, never a
//! panic; a vetted URL's canonical form parses back to itself and vets the same way; whatever a
//! base URL resolves a reference to is canonical too; discovery, collections and envelopes parse
//! or are refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_egress::taxii::{Timestamp, parse_collections, parse_discovery, parse_envelope};
use muninn_egress::{EgressPolicy, Url, vet_url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = EgressPolicy {
        allow_http: true,
        allow_hosts: vec!["127.0.0.1:9000".into(), "feeds.internal".into()],
        ..EgressPolicy::default()
    };
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(target) = vet_url(first, &policy) {
        let canonical = target.url.as_str();
        assert_eq!(Url::parse(canonical).as_ref(), Ok(&target.url), "{canonical}");
        assert_eq!(vet_url(canonical, &policy).ok(), Some(target.clone()), "{canonical}");
        if let Ok(joined) = target.url.join(rest) {
            assert_eq!(Url::parse(joined.as_str()).as_ref(), Ok(&joined), "{joined}");
        }
        let _ = parse_discovery(rest.as_bytes(), &target.url, true);
    }
    let url = Url::parse("https://taxii.example/api/").expect("a URL");
    let _ = parse_envelope(data, &url, 1000);
    let _ = parse_collections(data, &url);
    let _ = parse_discovery(data, &url, false);
    let _ = Timestamp::parse(text);
});
