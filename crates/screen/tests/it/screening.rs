use expect_test::{Expect, expect};
use jiff::Timestamp;
use muninn_model::{AdmiraltyGrade, Tlp};
use muninn_screen::{Entry, EntryKind, ItemFields, ScreenScratch, Screener, Severity, Watchlist};

fn name(id: &str, name: &str, aliases: &[&str]) -> Entry {
    Entry {
        id: id.to_owned(),
        kind: EntryKind::Name {
            name: name.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        },
        severity: Severity::High,
        note: String::new(),
    }
}

fn entry(id: &str, kind: EntryKind) -> Entry {
    Entry { id: id.to_owned(), kind, severity: Severity::Medium, note: String::new() }
}

fn list(name: &str, entries: Vec<Entry>) -> Watchlist {
    Watchlist { name: name.to_owned(), owner: "team".to_owned(), tlp: Tlp::Amber, version: 1, entries }
}

fn now() -> Timestamp {
    "2026-11-27T00:00:00Z".parse().unwrap()
}

fn item<'a>(title: Option<&'a str>, body: &'a str, lang: Option<&'a str>, source: &'a str) -> ItemFields<'a> {
    ItemFields {
        id: None,
        title,
        body,
        source,
        lang,
        tlp: Tlp::Green,
        grade: AdmiraltyGrade::default(),
        date: "2026-11-20T00:00:00Z".parse().unwrap(),
    }
}

/// Compiles `lists`, screens each item and renders warnings and hits.
fn check(lists: &[Watchlist], items: &[ItemFields<'_>], expect: Expect) {
    let (screener, warnings) = Screener::compile(lists, now());
    let mut out: Vec<String> = warnings.iter().map(|w| format!("warning: {w}")).collect();
    let mut scratch = ScreenScratch::default();
    for (index, item) in items.iter().enumerate() {
        for hit in screener.screen(item, &mut scratch) {
            let entry = &screener.entries()[hit.entry as usize];
            let list = &screener.lists()[entry.list as usize];
            let place = match (&hit.field, &hit.span) {
                (Some(field), Some(span)) => format!("{} {}..{}", field.as_str(), span.start, span.end),
                _ => "item".to_owned(),
            };
            out.push(format!(
                "item {index}: {}/{} {} [{place}] matched {:?} form {:?} normalised {:?}",
                list.name,
                entry.id,
                hit.method.as_str(),
                hit.matched,
                hit.form,
                hit.normalised
            ));
        }
    }
    expect.assert_eq(&(out.join("\n") + "\n"));
}

#[test]
fn names_in_any_script_reach_their_entry() {
    let lists = [list(
        "UN-1267",
        vec![
            name("QDi.299", "Abu Bakr al-Baghdadi", &["Ibrahim Awwad Ibrahim al-Badri"]),
            name("X1", "Harbor Bank Co", &[]),
        ],
    )];
    let items = [
        item(None, "Reports say Абу Бакр аль-Багдади was seen.", Some("ru"), "news"),
        item(Some("أبو بكر البغدادي"), "نص", Some("ar"), "news"),
        item(None, "Abou Bakr al Baghdadi, also Ibrahim Awad Ibrahim al-Badri", Some("en"), "news"),
        item(None, "Harbor Bank Corp is not Harbor Bank Co", Some("en"), "news"),
        item(None, "Harbor Bank Corporation", Some("en"), "news"),
    ];
    check(
        &lists,
        &items,
        expect![[r#"
            item 0: UN-1267/QDi.299 transliteration [body 12..49] matched "Абу Бакр аль-Багдади" form "Abu Bakr al-Baghdadi" normalised "b bkr bgd"
            item 1: UN-1267/QDi.299 transliteration [title 0..30] matched "أبو بكر البغدادي" form "Abu Bakr al-Baghdadi" normalised "b bkr bgd"
            item 2: UN-1267/QDi.299 transliteration [body 0..21] matched "Abou Bakr al Baghdadi" form "Abu Bakr al-Baghdadi" normalised "b bkr bgd"
            item 3: UN-1267/X1 exact [body 24..38] matched "Harbor Bank Co" form "Harbor Bank Co" normalised "harbor bank co"
        "#]],
    );
}

#[test]
fn indicators_match_whole_and_defanged() {
    let lists = [list(
        "iocs",
        vec![
            entry("d1", EntryKind::Indicator { value: "evil.example.com".to_owned() }),
            entry("ip1", EntryKind::Indicator { value: "198.51.100.7".to_owned() }),
            entry("u1", EntryKind::Indicator { value: "http://bad.example.net/x.php".to_owned() }),
            entry("m1", EntryKind::Indicator { value: "ops@evil.example.com".to_owned() }),
        ],
    )];
    let items = [
        item(None, "beacon to evil[.]example[.]com and 198.51.100[.]7", None, "feed"),
        item(None, "sub.evil.example.com, 198.51.100.71 and 1198.51.100.7 are other values", None, "feed"),
        item(
            None,
            "payload at hxxp://bad[.]example[.]net/x.php; contact ops[at]evil[.]example[.]com",
            None,
            "feed",
        ),
        item(None, "EVIL.EXAMPLE.COM.", None, "feed"),
    ];
    check(
        &lists,
        &items,
        expect![[r#"
            item 0: iocs/d1 indicator [body 10..30] matched "evil[.]example[.]com" form "evil.example.com" normalised "evil.example.com"
            item 0: iocs/ip1 indicator [body 35..49] matched "198.51.100[.]7" form "198.51.100.7" normalised "198.51.100.7"
            item 2: iocs/u1 indicator [body 11..43] matched "hxxp://bad[.]example[.]net/x.php" form "hxxp://bad.example.net/x.php" normalised "http://bad.example.net/x.php"
            item 2: iocs/m1 indicator [body 53..80] matched "ops[at]evil[.]example[.]com" form "ops at evil.example.com" normalised "ops@evil.example.com"
            item 2: iocs/d1 indicator [body 60..80] matched "evil[.]example[.]com" form "evil.example.com" normalised "evil.example.com"
            item 3: iocs/d1 indicator [body 0..16] matched "EVIL.EXAMPLE.COM" form "evil.example.com" normalised "evil.example.com"
        "#]],
    );
}

#[test]
fn patterns_and_rules() {
    let lists = [
        list("UN-1267", vec![name("QDe.115", "Islamic State", &["الدولة الإسلامية", "Исламское государство"])]),
        list(
            "analyst",
            vec![
                entry("p1", EntryKind::Pattern { regex: r"(?i)\bwallet\s+[0-9a-f]{8}\b".to_owned() }),
                entry(
                    "r1",
                    EntryKind::Rule {
                        query: r#"watchlist:"UN-1267" AND lang:ar AND NOT source:partner-x"#.to_owned(),
                    },
                ),
                entry("r2", EntryKind::Rule { query: r#""car bomb" AND tlp:<=amber"#.to_owned() }),
            ],
        ),
    ];
    let items = [
        item(None, "بيان من الدولة الإسلامية", Some("ar"), "news"),
        item(None, "بيان من الدولة الإسلامية", Some("ar"), "partner-x"),
        item(Some("A car bomb"), "Wallet DEADBEEF seen", Some("en"), "news"),
        item(None, "car and bomb", Some("en"), "news"),
    ];
    check(
        &lists,
        &items,
        expect![[r#"
            item 0: UN-1267/QDe.115 exact [body 14..45] matched "الدولة الإسلامية" form "الدولة الإسلامية" normalised "الدوله الاسلاميه"
            item 0: analyst/r1 rule [item] matched "" form "watchlist:\"UN-1267\" lang:ar NOT source:partner-x" normalised "watchlist:\"UN-1267\" lang:ar NOT source:partner-x"
            item 1: UN-1267/QDe.115 exact [body 14..45] matched "الدولة الإسلامية" form "الدولة الإسلامية" normalised "الدوله الاسلاميه"
            item 2: analyst/p1 pattern [body 0..15] matched "Wallet DEADBEEF" form "(?i)\\bwallet\\s+[0-9a-f]{8}\\b" normalised "Wallet DEADBEEF"
            item 2: analyst/r2 rule [item] matched "" form "\"car bomb\" tlp:<=amber" normalised "\"car bomb\" tlp:<=amber"
        "#]],
    );
}

#[test]
fn bad_entries_are_named_and_the_rest_is_screened() {
    let lists = [
        list(
            "bad",
            vec![
                entry("catastrophic", EntryKind::Pattern { regex: "(a+)+$".to_owned() }),
                entry("huge", EntryKind::Pattern { regex: r"\w{1000}\w{1000}\w{1000}".to_owned() }),
                entry("broken", EntryKind::Pattern { regex: "([a-z]".to_owned() }),
                entry("empty-match", EntryKind::Pattern { regex: "x*".to_owned() }),
                name("empty", "", &[]),
                name("one-letter", "x", &[]),
                name("dup", "Sandworm", &[]),
                name("dup", "Other", &[]),
                entry("bad-rule", EntryKind::Rule { query: "lang:english AND".to_owned() }),
                entry("fuzzy-rule", EntryKind::Rule { query: "sandwrm~1".to_owned() }),
                entry("blank", EntryKind::Indicator { value: "  ".to_owned() }),
            ],
        ),
        list("bad", vec![]),
    ];
    let long = "a".repeat(100_000) + "b";
    let items = [item(None, "Sandworm and x", None, "news"), item(None, &long, None, "news")];
    check(
        &lists,
        &items,
        expect![[r#"
            warning: watchlist "bad", entry "huge": the pattern compiles to more than 1048576 bytes; simplify it or split it; the entry is left out
            warning: watchlist "bad", entry "broken": the pattern does not compile: regex parse error: ([a-z] ^ error: unclosed group; the entry is left out
            warning: watchlist "bad", entry "empty-match": the pattern matches empty text, so it would hit every item; the entry is left out
            warning: watchlist "bad", entry "empty": the entry has no name; the entry is left out
            warning: watchlist "bad", entry "dup": duplicate entry id; the later entry is left out
            warning: watchlist "bad", entry "bad-rule": the rule does not parse: at 5: invalid value 'english' for 'lang:', expected a language code of 2 or 3 lowercase letters, as in en, ru, ar, zh; the entry is left out
            warning: watchlist "bad", entry "fuzzy-rule": rules take whole words and phrases, not wildcards or fuzzy terms (use a pattern entry); the entry is left out
            warning: watchlist "bad", entry "blank": the indicator value is empty; the entry is left out
            warning: watchlist "bad": a list of this name came earlier; this one is left out
            warning: watchlist "bad", entry "one-letter": "x" is left out: the name is a single character
            item 0: bad/dup exact [body 0..8] matched "Sandworm" form "Sandworm" normalised "sandworm"
        "#]],
    );
}

#[test]
fn a_list_over_the_entry_limit_is_refused_and_others_still_screen() {
    let many: Vec<Entry> = (0..=muninn_screen::MAX_ENTRIES_PER_LIST)
        .map(|i| entry(&i.to_string(), EntryKind::Indicator { value: format!("host{i}.example") }))
        .collect();
    let lists = [list("huge", many), list("small", vec![name("s", "Sandworm Team", &[])])];
    check(
        &lists,
        &[item(None, "the Sandworm Team and host1.example", None, "news")],
        expect![[r#"
            warning: watchlist "huge": 2000001 entries is more than the limit of 2000000; the list is left out (split it)
            item 0: small/s exact [body 4..17] matched "Sandworm Team" form "Sandworm Team" normalised "sandworm team"
        "#]],
    );
}

#[test]
fn misspelt_names_are_near_misses_the_name_matcher_confirms() {
    let lists = [list(
        "UN-1267",
        vec![
            name("QDi.299", "Abu Bakr al-Baghdadi", &[]),
            name("TAi.155", "Abdul Hai Salek", &[]),
            name("X2", "Viktor Lebedev", &[]),
        ],
    )];
    let items = [
        // Misspelt where the consonant skeleton changes too, so only the near-miss tier finds
        // them (a misspelling that keeps the skeleton is a transliteration hit already).
        item(None, "Sightings of Abu Bakr al-Bakhdadi were reported.", Some("en"), "news"),
        item(None, "A letter signed Abdul Hai Zalek.", Some("en"), "news"),
        item(Some("Viktor Lefedev in Riga"), "He came.", Some("en"), "news"),
        item(None, "Vitkor Lebedev also came.", Some("en"), "news"),
        // Too far, or another person: two edits, another given name, a one-word mention.
        item(None, "Viktor Lefedeva said; Ivan Lebedev did not; Lefedev alone.", Some("en"), "news"),
    ];
    check(
        &lists,
        &items,
        expect![[r#"
        item 0: UN-1267/QDi.299 near-miss [body 13..33] matched "Abu Bakr al-Bakhdadi" form "Abu Bakr al-Baghdadi" normalised "Abu ~ Abu: exact; Bakr ~ Bakr: exact; Bakhdadi ~ Baghdadi: typo, 1 edit; score 0.96"
        item 1: UN-1267/TAi.155 near-miss [body 16..31] matched "Abdul Hai Zalek" form "Abdul Hai Salek" normalised "AbdulHai ~ AbdulHai: exact; Zalek ~ Salek: phonetic; score 0.95"
        item 2: UN-1267/X2 near-miss [title 0..14] matched "Viktor Lefedev" form "Viktor Lebedev" normalised "Viktor ~ Viktor: exact; Lefedev ~ Lebedev: phonetic; score 0.95"
        item 3: UN-1267/X2 near-miss [body 0..14] matched "Vitkor Lebedev" form "Viktor Lebedev" normalised "Vitkor ~ Viktor: typo, 1 edit; Lebedev ~ Lebedev: exact; score 0.96"
    "#]],
    );
}
