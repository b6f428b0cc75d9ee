//! Properties: printed trees parse back to themselves, and no input makes the parser panic.

use std::ops::Bound;

use jiff::Timestamp;
use muninn_query::{DateRange, Field, GradeFilter, Query, Tlp, TlpRange, parse};
use proptest::prelude::*;

use crate::now;

const TEXT_FIELDS: [Field; 8] = [
    Field::Title,
    Field::Body,
    Field::Source,
    Field::Entity,
    Field::Indicator,
    Field::IndicatorType,
    Field::Id,
    Field::Watchlist,
];

fn text_field() -> impl Strategy<Value = Option<Field>> {
    prop_oneof![Just(None), prop::sample::select(TEXT_FIELDS.to_vec()).prop_map(Some)]
}

/// Words the parser reads as terms: any script, inner punctuation, colons after a digit.
fn plain_word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9а-яА-ЯёЁ\u{0627}-\u{064A}\u{4E00}-\u{4E2F}][a-zA-Z0-9а-яА-Я\u{0627}-\u{064A}\u{4E00}-\u{4E2F}._/@\\\\-]{0,10}",
        "[0-9][0-9a-f]{0,3}(:[0-9a-f]{0,4}){1,4}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}",
    ]
    .prop_filter("operators are not terms", |word| !matches!(word.as_str(), "AND" | "OR" | "NOT"))
}

fn url() -> impl Strategy<Value = String> {
    "(https?|hxxps?|ftp)://[a-z0-9.\\[\\]]{1,12}(/[a-zA-Z0-9?*~=&.]{0,10})?"
}

fn term() -> impl Strategy<Value = Query> {
    (text_field(), prop_oneof![plain_word(), url()]).prop_map(|(field, text)| Query::Term { field, text })
}

fn phrase() -> impl Strategy<Value = Query> {
    let text = "[a-zA-Zа-яА-Я\u{0627}-\u{064A}\u{4E00}-\u{4E2F} \"\\\\():.~^-]{1,24}"
        .prop_filter("the parser refuses blank phrases", |text| !text.trim().is_empty())
        .prop_filter("a final backslash would escape the closing quote", |text| !text.ends_with('\\'));
    (text_field(), text).prop_map(|(field, text)| Query::Phrase { field, text })
}

fn wildcard() -> impl Strategy<Value = Query> {
    let parts = (
        prop_oneof![Just(String::new()), plain_word()],
        prop::sample::select(vec!["*", "?", "*?", "**"]),
        prop_oneof![Just(String::new()), plain_word()],
    );
    (text_field(), parts)
        .prop_map(|(field, (before, wildcard, after))| {
            let pattern = format!("{before}{wildcard}{after}");
            let leading = before.is_empty();
            Query::Wildcard { field, pattern, leading }
        })
        .prop_filter(
            "a lone * is match-all",
            |query| !matches!(query, Query::Wildcard { field: None, pattern, .. } if pattern == "*"),
        )
}

fn fuzzy() -> impl Strategy<Value = Query> {
    (text_field(), plain_word(), 1u8..=2).prop_map(|(field, text, distance)| Query::Fuzzy {
        field,
        text,
        distance,
    })
}

fn lang() -> impl Strategy<Value = Query> {
    "[a-z]{2,3}".prop_map(|text| Query::Term { field: Some(Field::Lang), text })
}

fn grade() -> impl Strategy<Value = Query> {
    let reliability = prop::sample::select(vec!['A', 'B', 'C', 'D', 'E', 'F']);
    let credibility = prop::option::of(prop::sample::select(vec!['1', '2', '3', '4', '5', '6']));
    (reliability, credibility).prop_filter_map("valid grades only", |(reliability, credibility)| {
        GradeFilter::new(reliability, credibility).map(Query::Grade)
    })
}

fn bound<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Bound<T>> {
    prop_oneof![
        1 => Just(Bound::Unbounded),
        3 => value.prop_map(|value| (value.clone(), value)).prop_flat_map(|(included, excluded)| {
            prop_oneof![Just(Bound::Included(included)), Just(Bound::Excluded(excluded))]
        }),
    ]
}

fn tlp() -> impl Strategy<Value = Query> {
    let label = || prop::sample::select(Tlp::ALL.to_vec());
    (label(), label()).prop_map(|(one, other)| {
        Query::TlpRange(TlpRange { lowest: one.min(other), highest: one.max(other) })
    })
}

fn date() -> impl Strategy<Value = Query> {
    let first_day = Timestamp::MIN.as_second() / 86_400;
    let last_day = Timestamp::MAX.as_second() / 86_400;
    let instant = prop_oneof![
        (-2_000_000_000i64..5_000_000_000).prop_map(|second| Timestamp::from_second(second).ok()),
        (first_day..=last_day).prop_map(|day| Timestamp::from_second(day * 86_400).ok()),
        (Timestamp::MIN.as_nanosecond()..=Timestamp::MAX.as_nanosecond())
            .prop_map(|nanosecond| Timestamp::from_nanosecond(nanosecond).ok()),
    ]
    .prop_filter_map("in range", |instant| instant);
    (bound(instant.clone()), bound(instant))
        .prop_map(|(lower, upper)| DateRange { lower, upper })
        .prop_filter("the parser refuses empty ranges", |range| !is_empty(range))
        .prop_map(Query::DateRange)
}

fn is_empty(range: &DateRange) -> bool {
    match (range.lower, range.upper) {
        (Bound::Included(low), Bound::Included(high)) => low > high,
        (Bound::Included(low) | Bound::Excluded(low), Bound::Excluded(high))
        | (Bound::Excluded(low), Bound::Included(high)) => low >= high,
        _ => false,
    }
}

/// Normalised trees of the shapes the parser produces.
fn query() -> impl Strategy<Value = Query> {
    let leaf = prop_oneof![
        1 => Just(Query::All),
        4 => term(),
        2 => phrase(),
        2 => wildcard(),
        2 => fuzzy(),
        1 => lang(),
        1 => tlp(),
        1 => grade(),
        1 => date(),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..5).prop_map(Query::and),
            prop::collection::vec(inner.clone(), 2..5).prop_map(Query::or),
            inner.prop_map(|query| Query::Not(Box::new(query))),
        ]
    })
}

/// Queries made of the pieces that matter to the grammar, in any order.
fn hostile_input() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "(",
        ")",
        "\"",
        "\\",
        ":",
        "*",
        "?",
        "~",
        "~3",
        "^2",
        "[",
        "]",
        "{",
        "}",
        "<",
        ">=",
        "-",
        "+",
        "!",
        "&&",
        " ",
        "  ",
        "\t",
        "\n",
        "AND",
        "OR",
        "NOT",
        "TO",
        "a",
        "sandworm",
        "Багдади",
        "البغدادي",
        "乌克兰",
        "title:",
        "date:",
        "tlp:",
        "grade:",
        "lang:",
        "foo:",
        "Title:",
        "indicator.type:",
        "http://",
        "fe80::1",
        "now",
        "now-7d",
        "2024-01-01",
        "2024-03-01T12:00:00Z",
        "amber",
        "B2",
        "ru",
        "*ndworm",
        "\u{0}",
        "\u{3000}",
        "é",
        "😀",
    ]);
    prop::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

/// What must hold for any input: no panic; an error points inside the query; a tree prints to a
/// string that parses back to it.
fn check_any_input(input: &str) -> Result<(), TestCaseError> {
    match parse(input, now()) {
        Ok(tree) => {
            let canonical = tree.to_string();
            prop_assert_eq!(parse(&canonical, now()), Ok(tree), "canonical form {:?}", canonical);
        }
        Err(error) => {
            prop_assert!(error.position() <= input.chars().count(), "{} is past the end", error);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn printed_trees_parse_back_to_themselves(tree in query()) {
        let canonical = tree.to_string();
        prop_assert_eq!(parse(&canonical, now()), Ok(tree), "canonical form {:?}", canonical);
    }

    #[test]
    fn grammar_pieces_never_panic(input in hostile_input()) {
        check_any_input(&input)?;
    }

    #[test]
    fn arbitrary_strings_never_panic(input in "\\PC{0,300}") {
        check_any_input(&input)?;
    }
}

/// Found by the cargo-fuzz target `query`: a field value starting with `//` printed as
/// `source://`, which read back as a URL term without its field.
#[test]
fn a_field_value_starting_with_slashes_round_trips() {
    let now = jiff::Timestamp::from_second(1_780_000_000).expect("time");
    for text in ["source:(a //)", "source://", "title://x", "-source:(r // la)"] {
        let query = muninn_query::parse(text, now).expect("parses");
        assert_eq!(
            muninn_query::parse(&query.to_string(), now).ok(),
            Some(query.clone()),
            "{text} -> {query}"
        );
    }
    // A URL whose scheme is not a field stays a URL term.
    let url = muninn_query::parse("http://evil.example/x", now).expect("parses");
    assert_eq!(url, muninn_query::Query::Term { field: None, text: "http://evil.example/x".to_owned() });
}
