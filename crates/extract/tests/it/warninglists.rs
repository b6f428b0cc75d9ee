//! MISP warning lists: parsing, each list type, and suppression in the extractor.

use expect_test::{Expect, expect};
use muninn_extract::{ExtractConfig, ExtractError, Extractor, WarningList, WarningLists};

const RESOLVERS: &str = include_str!("../../test_data/warninglists/public-dns-resolvers.json");
const DOMAINS: &str = include_str!("../../test_data/warninglists/well-known-domains.json");
const EMPTY_HASHES: &str = include_str!("../../test_data/warninglists/empty-file-hashes.json");

fn extractor(lists: &[&str]) -> Extractor {
    let mut warning_lists = WarningLists::new();
    for json in lists {
        warning_lists.add(WarningList::from_json(json).unwrap());
    }
    Extractor::new(ExtractConfig::default(), warning_lists)
}

fn check(extractor: &Extractor, text: &str, expected: Expect) {
    let extraction = extractor.extract(text);
    let mut actual = String::new();
    for indicator in &extraction.indicators {
        actual.push_str(&format!("kept {} {}\n", indicator.kind, indicator.value));
    }
    for suppressed in &extraction.suppressed {
        actual.push_str(&format!(
            "suppressed {} {} by {:?}\n",
            suppressed.indicator.kind, suppressed.indicator.value, suppressed.list
        ));
    }
    expected.assert_eq(&actual);
}

#[test]
fn sample_lists_suppress_what_they_list() {
    let extractor = extractor(&[RESOLVERS, DOMAINS, EMPTY_HASHES]);
    check(
        &extractor,
        "DNS to 8.8.8.8 and 2001:4860:4860::8888, C2 192.0.2.5; lookups of www.google.com, \
         login.microsoft.com.evil.example and https://github.com/x/y; mail from a@windows.com; \
         hashes d41d8cd98f00b204e9800998ecf8427e and 44d88612fea8a8f36de82e1278abb02f; 8.8.8.0/24",
        expect![[r#"
            kept ipv4 192.0.2.5
            kept domain login.microsoft.com.evil.example
            kept md5 44d88612fea8a8f36de82e1278abb02f
            kept cidr 8.8.8.0/24
            suppressed ipv4 8.8.8.8 by "Public DNS resolvers (sample)"
            suppressed ipv6 2001:4860:4860::8888 by "Public DNS resolvers (sample)"
            suppressed domain www.google.com by "Well-known domains (sample)"
            suppressed url https://github.com/x/y by "Well-known domains (sample)"
            suppressed email a@windows.com by "Well-known domains (sample)"
            suppressed md5 d41d8cd98f00b204e9800998ecf8427e by "Digests of the empty file (sample)"
        "#]],
    );
}

#[test]
fn substring_and_regex_lists() {
    let substring =
        r#"{"name": "sinkholes", "type": "substring", "list": ["sinkhole"], "matching_attributes": []}"#;
    let regex = r#"{"name": "doc ranges", "type": "regex", "list": ["/^192\\.0\\.2\\./", "/^CVE-1999-/i", "(unclosed"]}"#;
    let list = WarningList::from_json(regex).unwrap();
    assert_eq!(list.skipped(), ["(unclosed"]);
    assert_eq!(list.len(), 2);
    let extractor = extractor(&[substring, regex]);
    check(
        &extractor,
        "sinkhole.shadowserver.org 192.0.2.9 198.51.100.9 CVE-1999-0001 CVE-2024-1234",
        expect![[r#"
            kept ipv4 198.51.100.9
            kept cve CVE-2024-1234
            suppressed domain sinkhole.shadowserver.org by "sinkholes"
            suppressed ipv4 192.0.2.9 by "doc ranges"
            suppressed cve CVE-1999-0001 by "doc ranges"
        "#]],
    );
}

#[test]
fn cidr_lists_match_contained_networks() {
    let list = r#"{"name": "doc", "type": "cidr", "list": ["198.51.100.0/24", "203.0.113.0/25", "203.0.113.128/25", "bad/99"]}"#;
    let parsed = WarningList::from_json(list).unwrap();
    assert_eq!(parsed.skipped(), ["bad/99"]);
    let extractor = extractor(&[list]);
    check(
        &extractor,
        "198.51.100.0/25 198.51.0.0/16 203.0.113.0/24 http://198.51.100.3/x",
        expect![[r#"
            kept cidr 198.51.0.0/16
            suppressed cidr 198.51.100.0/25 by "doc"
            suppressed cidr 203.0.113.0/24 by "doc"
            suppressed url http://198.51.100.3/x by "doc"
        "#]],
    );
}

#[test]
fn bad_lists_are_refused() {
    let errors = ["not json", r#"{"name": "x"}"#, r#"{"name": "x", "type": "fuzzy", "list": []}"#]
        .map(|json| WarningList::from_json(json).unwrap_err().to_string());
    expect![[r#"
        [
            "warning list is not valid: expected ident at line 1 column 2",
            "warning list is not valid: missing field `list` at line 1 column 13",
            "warning list \"x\" has unknown type \"fuzzy\"",
        ]
    "#]]
    .assert_debug_eq(&errors);
    assert!(matches!(WarningList::from_json("[]"), Err(ExtractError::WarningListJson { .. })));
}
