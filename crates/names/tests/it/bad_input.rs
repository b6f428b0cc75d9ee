//! Bad input: errors or bounded work, never a panic.

use muninn_names::{Entity, MatchOptions, Matcher, NameError, NameKind, Query, Scratch, parse_name};
use proptest::prelude::*;

#[test]
fn table_of_bad_names() {
    let long_word = "a".repeat(500);
    let long_name = vec!["Ab"; 166].join(" ");
    let too_long = "b".repeat(1001);
    let cases: Vec<(&str, Result<usize, NameError>)> = vec![
        ("", Err(NameError::Empty)),
        ("   ", Err(NameError::Empty)),
        ("--,..;", Err(NameError::Empty)),
        ("\u{200B}\u{200D}\u{FEFF}", Err(NameError::Empty)),
        ("\u{0}\u{1}\u{7}", Err(NameError::Empty)),
        (&long_word, Ok(1)),
        (&long_name, Err(NameError::TooManyParts { parts: 166, max: 32 })),
        (&too_long, Err(NameError::TooLong { chars: 1001, max: 1000 })),
        // Zero-width characters inside a word do not split it; controls do.
        ("Sa\u{200B}lek Ab\u{200D}dulhai", Ok(2)),
        ("Salek\u{0}Abdulhai", Ok(2)),
        // Mixed scripts in one name and in one word.
        ("Abdulhai Салек سالک 习近平", Ok(5)),
        ("Salек", Ok(1)),
        ("\u{202E}kelaS\u{202C}", Ok(1)),
    ];
    for (name, expected) in cases {
        let got = parse_name(name, NameKind::Unknown).map(|parsed| parsed.parts.len());
        assert_eq!(got, expected, "{name:?}");
    }
}

#[test]
fn bad_queries_are_errors_and_long_ones_bounded() {
    let matcher = crate::matcher();
    let mut scratch = Scratch::default();
    let options = MatchOptions::default();
    let query = |name: &str| Query { name: name.to_owned(), ..Query::default() };
    assert_eq!(matcher.find(&query(""), &options, &mut scratch), Err(NameError::Empty));
    assert!(matcher.find(&query(&"x".repeat(2000)), &options, &mut scratch).is_err());
    let long = "Abdulhai Salek ".repeat(2) + &"Zz".repeat(240);
    assert!(matcher.find(&query(&long), &options, &mut scratch).is_ok());
    let many = vec!["Salek"; 32].join(" ");
    assert!(matcher.find(&query(&many), &options, &mut scratch).is_ok());
    assert!(muninn_names::BirthDate::parse("1965-13-01").is_err());
    assert!(muninn_names::BirthDate::parse("65").is_err());
}

#[test]
fn a_large_batch_of_queries_reuses_one_scratch() {
    // Every query against a matcher of a few thousand names, with one scratch: bounded memory
    // and no state leaking from one query to the next.
    let entities = (0..3000).map(|i| Entity {
        id: format!("E{i}"),
        names: vec![format!("Name{} Family{}", i % 97, i / 97)],
        ..Entity::default()
    });
    let (matcher, warnings) = Matcher::build(entities);
    assert!(warnings.is_empty());
    let mut scratch = Scratch::default();
    let options = MatchOptions::default();
    for i in 0..6000 {
        let listed = i % 3000;
        let name = format!("Family{} Name{}", listed / 97, listed % 97);
        let found = matcher.find(&Query { name, ..Query::default() }, &options, &mut scratch).expect("query");
        assert_eq!(found.first().map(|m| m.entity.as_str()), Some(format!("E{listed}").as_str()));
    }
}

proptest! {
    #[test]
    fn any_text_parses_or_errs_and_matches_without_panic(name in "\\PC{0,60}", kind in 0u8..3) {
        let kind = [NameKind::Unknown, NameKind::Person, NameKind::Organization][kind as usize];
        if let Ok(parsed) = parse_name(&name, kind) {
            prop_assert!(!parsed.parts.is_empty());
        }
        let mut scratch = Scratch::default();
        let found = crate::matcher().find(&Query { name, kind, ..Query::default() }, &MatchOptions::default(), &mut scratch);
        if let Ok(found) = found {
            for m in found {
                prop_assert!((0.0..=1.0).contains(&m.score));
            }
        }
    }
}
