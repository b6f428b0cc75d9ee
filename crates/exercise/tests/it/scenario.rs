//! Scenario parsing and validation: errors name the field.

use expect_test::{Expect, expect};
use muninn_exercise::{
    DEMO_SCENARIO_TOML, ExerciseError, SMALL_SCENARIO_TOML, Scenario, Signal, demo_scenario,
};

const HEAD: &str = r#"
name = "t"
start = "2026-01-01T00:00:00Z"
days = 10
[volume]
news = 100
notes = 10
mail = 10
chat = 50
feed_entries = 10
"#;

/// Parses `HEAD` followed by `signals` (or `text` alone when it sets `name`) and renders the
/// error, or `ok`.
fn check(text: &str, expect: Expect) {
    let full = if text.contains("name =") { text.to_owned() } else { format!("{HEAD}{text}") };
    let rendered = match Scenario::from_toml(&full) {
        Ok(_) => "ok".to_owned(),
        Err(error @ ExerciseError::InvalidScenario { .. }) => {
            format!("{}: {error}", error.field().unwrap_or("?"))
        }
        Err(ExerciseError::ScenarioSyntax { message }) => {
            // The parser's last line says what is wrong; the lines above quote the text.
            format!("syntax: {}", message.lines().last().unwrap_or(""))
        }
        Err(other) => format!("other: {other}"),
    };
    expect.assert_eq(&rendered);
}

#[test]
fn shipped_scenarios_parse() {
    for text in [DEMO_SCENARIO_TOML, SMALL_SCENARIO_TOML] {
        let scenario = Scenario::from_toml(text).expect("valid");
        assert_eq!(scenario.signals.len(), 5);
        let kinds: Vec<&str> = scenario.signals.iter().map(Signal::kind).collect();
        assert_eq!(
            kinds,
            ["person-variants", "indicator-reuse", "burst", "actor-campaign", "near-duplicates"]
        );
    }
    let demo = demo_scenario();
    let total = demo.volume.news
        + demo.volume.notes
        + demo.volume.mail
        + demo.volume.chat
        + 2 * demo.volume.feed_entries;
    assert!((300..=1000).contains(&total), "a few hundred items: {total}");
}

#[test]
fn valid_signals() {
    check(
        r#"
[[signal]]
kind = "burst"
place = "Somewhere Unknown"
day = 10
count = 5
"#,
        expect!["ok"],
    );
    check(
        r#"
[[signal]]
kind = "near-duplicates"
count = 2
"#,
        expect!["ok"],
    );
}

#[test]
fn top_level_fields() {
    check(
        r#"name = "Bad Name"
start = "2026-01-01T00:00:00Z"
days = 1
[volume]
news = 1
"#,
        expect!["name: scenario field `name` must be 1-64 characters of a-z, 0-9, '-' or '_'"],
    );
    check(
        r#"name = "t"
start = "yesterday"
days = 1
[volume]
news = 1
"#,
        expect![[
            r#"start: scenario field `start` is not an RFC 3339 time such as "2026-01-01T00:00:00Z": failed to parse four digit integer as year: invalid digit, expected 0-9 but got y"#
        ]],
    );
    check(
        r#"name = "t"
start = "2026-01-01T00:00:00.5Z"
days = 1
[volume]
news = 1
"#,
        expect!["start: scenario field `start` must be a whole second"],
    );
    check(
        r#"name = "t"
start = "2026-01-01T00:00:00Z"
days = 0
[volume]
news = 1
"#,
        expect!["days: scenario field `days` must be between 1 and 36500"],
    );
    check(
        r#"name = "t"
start = "2026-01-01T00:00:00Z"
days = 3
"#,
        expect!["volume: scenario field `volume` must hold some items"],
    );
    check(
        r#"name = "t"
start = "2026-01-01T00:00:00Z"
days = 3
[volume]
news = 5
podcasts = 3
"#,
        expect![
            "syntax: unknown field `podcasts`, expected one of `news`, `notes`, `mail`, `chat`, `feed_entries`, `stix_bundles`, `misp_events`"
        ],
    );
}

#[test]
fn signal_fields() {
    check(
        r#"
[[signal]]
kind = "person-variants"
person = "Abu Bakr al-Baghdadi"
variants = ["Abou Bakr al Baghdadi", "Абу Бакр аль-Багдади"]
count = 2
"#,
        expect![
            "signal[0].count: scenario field `signal[0].count` must be at least 3 so that every spelling appears"
        ],
    );
    check(
        r#"
[[signal]]
kind = "person-variants"
person = "Abu Bakr al-Baghdadi"
variants = ["Abou Bakr al Baghdadi", "Abu Bakr al-Baghdadi"]
count = 4
"#,
        expect!["signal[0].variants[1]: scenario field `signal[0].variants[1]` repeats an earlier spelling"],
    );
    check(
        r#"
[[signal]]
kind = "indicator-reuse"
indicator = "198.51.100.77"
count = 2
[[signal]]
kind = "burst"
place = "Odesa"
day = 11
count = 5
"#,
        expect![
            "signal[1].day: scenario field `signal[1].day` must be between 1 and 10 (the scenario's days)"
        ],
    );
    check(
        r#"
[[signal]]
kind = "burst"
place = "Odesa"
day = 3
count = 5
window_hours = 30
"#,
        expect!["signal[0].window_hours: scenario field `signal[0].window_hours` must be between 1 and 24"],
    );
    check(
        r#"
[[signal]]
kind = "indicator-reuse"
indicator = "evil example"
count = 2
"#,
        expect!["signal[0].indicator: scenario field `signal[0].indicator` must not contain blanks"],
    );
    check(
        r#"
[[signal]]
kind = "actor-campaign"
actor = "Sandworm"
campaign = ""
count = 2
"#,
        expect![
            "signal[0].campaign: scenario field `signal[0].campaign` must be a single line of at least 3 characters"
        ],
    );
    check(
        r#"
[[signal]]
kind = "actor-campaign"
actor = "Sandworm"
campaign = "Operation Frozen Lighthouse"
count = 0
"#,
        expect!["signal[0].count: scenario field `signal[0].count` must be at least 1"],
    );
    check(
        r#"
[[signal]]
kind = "burst"
place = "Odesa"
day = 3
count = 200
"#,
        expect![
            "signal[0].count: scenario field `signal[0].count` asks for 200 items, but only 75 fit: a burst signal goes in chat, news items, and at most half of each kind of item is planted"
        ],
    );
    check(
        r#"
[[signal]]
kind = "near-duplicates"
count = 40
exact_duplicates = 20
"#,
        expect![
            "signal[0].count: scenario field `signal[0].count` asks for 60 items, but only 50 fit: a near-duplicates signal goes in news items, and at most half of each kind of item is planted"
        ],
    );
    check(
        r#"
[[signal]]
kind = "rumour"
count = 3
"#,
        expect![
            "syntax: unknown variant `rumour`, expected one of `person-variants`, `indicator-reuse`, `burst`, `actor-campaign`, `near-duplicates`"
        ],
    );
    check(
        r#"
[[signal]]
kind = "burst"
place = "Odesa"
day = 3
count = 5
colour = "red"
"#,
        expect!["syntax: unknown field `colour`, expected one of `place`, `day`, `count`, `window_hours`"],
    );
}
