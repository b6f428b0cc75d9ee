//! Same scenario and seed, same bytes; another seed, other bytes; and the bytes of a fixed
//! flow are pinned, so that a change of output is always a deliberate one.

use std::fmt::Write as _;

use expect_test::{Expect, expect};
use muninn_exercise::{Generator, demo_scenario, small_scenario};

use crate::{Flow, fnv1a};

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let scenario = demo_scenario();
    let first = Flow::generate(&scenario, 42).files();
    let again = Flow::generate(&scenario, 42).files();
    let other = Flow::generate(&scenario, 43).files();
    assert_eq!(first.keys().collect::<Vec<_>>(), again.keys().collect::<Vec<_>>());
    for (path, bytes) in &first {
        assert!(bytes == &again[path], "{path} differs between two runs with one seed");
    }
    for path in [
        "news.jsonl",
        "chat/messages.jsonl",
        "mail/inbox.mbox",
        "feeds/feed.rss",
        "feeds/feed.atom",
        "truth.json",
        "notes/0000.md",
        "partners/stix/0000.json",
        "partners/misp/0000.json",
    ] {
        assert!(first[path] != other[path], "{path} is the same with another seed");
    }
}

#[test]
fn items_do_not_depend_on_generation_order() {
    let generator = Generator::new(&demo_scenario(), 9).expect("valid");
    let forward: Vec<_> = generator.news_items().collect();
    let backward: Vec<_> = (0..forward.len() as u64).rev().map(|i| generator.news(i)).collect();
    assert!(forward.iter().eq(backward.iter().rev()));
}

fn check_digest(seed: u64, expect: Expect) {
    let flow = Flow::generate(&small_scenario(), seed);
    let mut digest = String::new();
    for (path, bytes) in flow.files() {
        let _ = writeln!(digest, "{path}: {} bytes, fnv1a {:016x}", bytes.len(), fnv1a(&bytes));
    }
    expect.assert_eq(&digest);
}

/// Pins the output bytes of the small scenario. When a change of the output is intended
/// (templates, formats), refresh with `UPDATE_EXPECT=1 cargo test -p muninn-exercise`.
#[test]
fn output_bytes_are_pinned() {
    check_digest(
        1,
        expect![[r#"
            chat/messages.jsonl: 3903 bytes, fnv1a 85adff50ebc8fc18
            feeds/feed.atom: 3970 bytes, fnv1a 660fa31f48e7ea53
            feeds/feed.rss: 3188 bytes, fnv1a 7dd98ff72d37499a
            mail/inbox.mbox: 16821 bytes, fnv1a 7f7cfa40d87d1434
            news.jsonl: 24513 bytes, fnv1a b31e9a3742d08b84
            notes/0000.md: 719 bytes, fnv1a 922ca103b7a53b51
            notes/0001.md: 819 bytes, fnv1a 7208760b132d3d9a
            notes/0002.md: 719 bytes, fnv1a 2397a05b793d12a2
            notes/0003.md: 823 bytes, fnv1a 4ebd31b4b123d5c1
            truth.json: 7718 bytes, fnv1a f0d7eceed557b5c9
        "#]],
    );
}

/// Pins the partners' files of the demo scenario (the small one has none).
#[test]
fn partner_files_are_pinned() {
    let flow = Flow::generate(&demo_scenario(), 1);
    let mut digest = String::new();
    let pinned = |path: &str| {
        path.starts_with("partners/") && (path.ends_with("/0000.json") || path.ends_with("/0001.json"))
    };
    for (path, bytes) in flow.files().iter().filter(|(path, _)| pinned(path)) {
        let _ = writeln!(digest, "{path}: {} bytes, fnv1a {:016x}", bytes.len(), fnv1a(bytes));
    }
    expect![[r#"
        partners/misp/0000.json: 2225 bytes, fnv1a 7f9cc612fd0c0190
        partners/misp/0001.json: 2042 bytes, fnv1a 346cf737e5a34ab3
        partners/stix/0000.json: 6197 bytes, fnv1a ef529e88ea000978
        partners/stix/0001.json: 3917 bytes, fnv1a 2dec6b2f5fd3fa1b
    "#]]
    .assert_eq(&digest);
}

#[test]
fn first_items_are_pinned() {
    let generator = Generator::new(&small_scenario(), 1).expect("valid");
    let mut text = String::new();
    let mut line = Vec::new();
    muninn_exercise::write_news_line(&generator.news(0), &mut line).expect("in memory");
    muninn_exercise::write_chat_line(&generator.chat(0), &mut line).expect("in memory");
    text.push_str(&String::from_utf8(line).expect("UTF-8"));
    expect![[r##"
        {"title":"Heavy rain expected in Baghdad this weekend","body":"Forecasters expect temperatures around 1 °C on Thursday. Rainfall could reach 14 millimetres in some districts. The weather service said conditions would improve later in the week. Residents of Baghdad are advised to allow extra time for travel.","published":"2026-03-02T03:41:20Z","url":"https://newswire-en.example/2026/03/02/000000","lang":"en","source":"newswire-en","tlp":"green"}
        {"channel":"#osint","author":"j.smith","sent":"2026-03-02T00:25:14Z","text":"reminder: team sync moved to 08:15","lang":"en"}
    "##]].assert_eq(&text);
}
