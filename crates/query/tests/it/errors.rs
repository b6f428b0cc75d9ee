//! Malformed queries and their exact error messages.

use expect_test::expect;
use muninn_query::{MAX_DEPTH, MAX_QUERY_CHARS, QueryError, parse};

use crate::{check, now};

#[test]
fn structure() {
    check(
        &[
            "ru (sandworm d",
            "(a OR (b)",
            "a)",
            "(a))",
            "()",
            "a ()",
            "a AND",
            "AND a",
            "a OR",
            "a OR OR b",
            "a AND OR b",
            "NOT",
            "NOT NOT",
            "(a NOT)",
            "- a",
            "--a",
            "+",
            "a - b",
            "-)",
        ],
        expect![[r#"
            > ru (sandworm d
            ! at 14: expected ')' to close the '(' at 3, found end of query

            > (a OR (b)
            ! at 9: expected ')' to close the '(' at 0, found end of query

            > a)
            ! at 1: found ')' without a matching '('

            > (a))
            ! at 3: found ')' without a matching '('

            > ()
            ! at 1: expected a word, phrase or '(' after '(', found ')'

            > a ()
            ! at 3: expected a word, phrase or '(' after '(', found ')'

            > a AND
            ! at 5: expected a word, phrase or '(' after 'AND', found end of query

            > AND a
            ! at 0: expected a word, phrase or '(', found 'AND'

            > a OR
            ! at 4: expected a word, phrase or '(' after 'OR', found end of query

            > a OR OR b
            ! at 5: expected a word, phrase or '(' after 'OR', found 'OR'

            > a AND OR b
            ! at 6: expected a word, phrase or '(' after 'AND', found 'OR'

            > NOT
            ! at 3: expected a word, phrase or '(' after 'NOT', found end of query

            > NOT NOT
            ! at 7: expected a word, phrase or '(' after 'NOT', found end of query

            > (a NOT)
            ! at 6: expected a word, phrase or '(' after 'NOT', found ')'

            > - a
            ! at 1: expected a word, phrase or '(' right after '-', found a space

            > --a
            ! at 1: expected a word, phrase or '(' right after '-', found '-a'

            > +
            ! at 1: expected a word, phrase or '(' right after '+', found end of query

            > a - b
            ! at 3: expected a word, phrase or '(' right after '-', found a space

            > -)
            ! at 1: expected a word, phrase or '(' right after '-', found ')'

        "#]],
    );
}

#[test]
fn phrases() {
    check(
        &[
            "\"fancy bear",
            "a \"b\\\"",
            "\"\"",
            "\"   \"",
            "\"fancy b*\"",
            "\"what is this?\"",
            "\"fancy bear\"~2",
            "\"fancy bear\"^2",
            "\"a\"b",
            "foo\"bar\"",
            "foo(bar)",
            "(a)b",
        ],
        expect![[r#"
            > "fancy bear
            ! at 11: unterminated phrase: expected '"' to close the phrase that starts at 0, found end of query

            > a "b\"
            ! at 6: unterminated phrase: expected '"' to close the phrase that starts at 2, found end of query

            > ""
            ! at 0: empty phrase

            > "   "
            ! at 0: empty phrase

            > "fancy b*"
            ! at 8: wildcards ('*', '?') are not allowed inside a phrase; remove the quotes to use a wildcard, or leave the character out

            > "what is this?"
            ! at 13: wildcards ('*', '?') are not allowed inside a phrase; remove the quotes to use a wildcard, or leave the character out

            > "fancy bear"~2
            ! at 12: proximity search ('~' after a phrase) is not supported; search the phrase alone, or its words without quotes

            > "fancy bear"^2
            ! at 12: boosting ('^') is not supported; search the phrase alone, or its words without quotes

            > "a"b
            ! at 3: expected a space or ')' after the phrase, found 'b'

            > foo"bar"
            ! at 3: expected a space or ')' after 'foo', found '"'

            > foo(bar)
            ! at 3: expected a space or ')' after 'foo', found '('

            > (a)b
            ! at 3: expected a space or ')' after ')', found 'b'

        "#]],
    );
}

#[test]
fn fields_and_the_colon_rule() {
    check(
        &[
            "foo:bar",
            "mailto:admin@evil.example",
            "c:\\windows",
            "localhost:8080",
            "Title:sandworm",
            "TLP:AMBER",
            "indicator.typo:ipv4",
            "title.x:y",
            "title:(body:x)",
            "title:",
            "title: sandworm",
            "title:-sandworm",
            "title:+sandworm",
            "(title:)",
        ],
        expect![[r#"
            > foo:bar
            ! at 0: unknown field 'foo' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "foo:bar"

            > mailto:admin@evil.example
            ! at 0: unknown field 'mailto' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "mailto:admin@evil.example"

            > c:\windows
            ! at 0: unknown field 'c' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "c:\windows"

            > localhost:8080
            ! at 0: unknown field 'localhost' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "localhost:8080"

            > Title:sandworm
            ! at 0: field names are lowercase: write 'title:' to search the field, or quote the word ("Title:sandworm") to search the text

            > TLP:AMBER
            ! at 0: field names are lowercase: write 'tlp:' to search the field, or quote the word ("TLP:AMBER") to search the text

            > indicator.typo:ipv4
            ! at 0: unknown field 'indicator.typo' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "indicator.typo:ipv4"

            > title.x:y
            ! at 0: unknown field 'title.x' (known fields: title, body, source, lang, tlp, grade, date, entity, indicator, indicator.type, id, watchlist); to search the text, quote it: "title.x:y"

            > title:(body:x)
            ! at 7: 'body:' cannot be used inside 'title:( )', which applies 'title:' to every word in it

            > title:
            ! at 6: expected a value after 'title:', found end of query

            > title: sandworm
            ! at 6: expected a value after 'title:', found a space

            > title:-sandworm
            ! at 6: expected a value after 'title:' ('-' goes before the field: -title:…), found '-sandworm'

            > title:+sandworm
            ! at 6: expected a value after 'title:' ('+' goes before the field: +title:…), found '+sandworm'

            > (title:)
            ! at 7: expected a value after 'title:', found ')'

        "#]],
    );
}

#[test]
fn field_values() {
    check(
        &[
            "tlp:purple",
            "tlp:\"amber\"",
            "tlp:amb*",
            "grade:G7",
            "grade:B7",
            "grade:2",
            "grade:>B2",
            "lang:EN",
            "lang:english",
            "lang:e",
            "title:[a TO b]",
            "title:>a",
            "date:yesterday",
            "date:2024-02-30",
            "date:2024-03-01T12:00:00",
            "date:now-7",
            "date:now-7m",
            "date:now-7d",
            "date:now",
            "date:>*",
            "date:>",
            "date:*",
            "date:\"2024-01-01\"",
            "date:9999-12-31",
            "date:>now-99999999w",
        ],
        expect![[r#"
            > tlp:purple
            ! at 4: invalid value 'purple' for 'tlp:', expected a TLP label: clear (or white), green, amber, amber+strict or red

            > tlp:"amber"
            ! at 4: expected a TLP label: clear (or white), green, amber, amber+strict or red, found a phrase

            > tlp:amb*
            ! at 4: invalid value 'amb*' for 'tlp:', expected a TLP label: clear (or white), green, amber, amber+strict or red

            > grade:G7
            ! at 6: invalid value 'G7' for 'grade:', expected an Admiralty grade: a letter A-F, optionally followed by a digit 1-6, as in B2 or B

            > grade:B7
            ! at 6: invalid value 'B7' for 'grade:', expected an Admiralty grade: a letter A-F, optionally followed by a digit 1-6, as in B2 or B

            > grade:2
            ! at 6: invalid value '2' for 'grade:', expected an Admiralty grade: a letter A-F, optionally followed by a digit 1-6, as in B2 or B

            > grade:>B2
            ! at 6: 'grade:' does not take a comparison; ranges and comparisons work on date: and tlp: only

            > lang:EN
            ! at 5: invalid value 'EN' for 'lang:', expected a language code of 2 or 3 lowercase letters, as in en, ru, ar, zh

            > lang:english
            ! at 5: invalid value 'english' for 'lang:', expected a language code of 2 or 3 lowercase letters, as in en, ru, ar, zh

            > lang:e
            ! at 5: invalid value 'e' for 'lang:', expected a language code of 2 or 3 lowercase letters, as in en, ru, ar, zh

            > title:[a TO b]
            ! at 6: 'title:' does not take a range; ranges and comparisons work on date: and tlp: only

            > title:>a
            ! at 6: 'title:' does not take a comparison; ranges and comparisons work on date: and tlp: only

            > date:yesterday
            ! at 5: invalid value 'yesterday' for 'date:', expected a date (2024-03-01), a timestamp with a time zone (2024-03-01T12:00:00Z) or a relative date (now, now-7d)

            > date:2024-02-30
            ! at 5: invalid value '2024-02-30' for 'date:', expected a valid calendar date, as in 2024-02-29

            > date:2024-03-01T12:00:00
            ! at 5: invalid value '2024-03-01T12:00:00' for 'date:', expected a date (2024-03-01), a timestamp with a time zone (2024-03-01T12:00:00Z) or a relative date (now, now-7d)

            > date:now-7
            ! at 5: invalid value 'now-7' for 'date:', expected a relative date: now, or now-N or now+N with a unit h (hours), d (days) or w (weeks), as in now-7d

            > date:now-7m
            ! at 5: invalid value 'now-7m' for 'date:', expected a relative date: now, or now-N or now+N with a unit h (hours), d (days) or w (weeks), as in now-7d

            > date:now-7d
            ! at 5: a relative date on its own is not supported; compare with it, as in date:>now-7d, or use it in a range

            > date:now
            ! at 5: a relative date on its own is not supported; compare with it, as in date:>now-7d, or use it in a range

            > date:>*
            ! at 6: invalid value '*' for 'date:', expected a date (2024-03-01), a timestamp with a time zone (2024-03-01T12:00:00Z) or a relative date (now, now-7d)

            > date:>
            ! at 6: expected a value after '>', found end of query

            > date:*
            ! at 5: invalid value '*' for 'date:', expected a date (2024-03-01), a timestamp with a time zone (2024-03-01T12:00:00Z) or a relative date (now, now-7d)

            > date:"2024-01-01"
            ! at 5: expected a date (2024-03-01), a timestamp with a time zone (2024-03-01T12:00:00Z) or a relative date (now, now-7d), found a phrase

            > date:9999-12-31
            ! at 5: '9999-12-31' is outside the supported dates (years -9999 to 9999)

            > date:>now-99999999w
            ! at 6: 'now-99999999w' is outside the supported dates (years -9999 to 9999)

        "#]],
    );
}

#[test]
fn ranges() {
    check(
        &[
            "date:[2024-03-01 TO 2024-01-01]",
            "date:{2024-01-01 TO 2024-01-02}",
            "date:[2024-01-01 2024-02-01]",
            "date:[2024-01-01 to 2024-02-01]",
            "date:[2024-01-01 TO 2024-02-01",
            "date:[2024-01-01 TO 2024-02-01)",
            "date:[ TO 2024-01-01]",
            "date:[2024-01-01 TO ]",
            "date:[2024-01-01 TO 2024-02-01]x",
            "tlp:[red TO clear]",
            "tlp:>red",
            "tlp:<clear",
            "tlp:{amber TO amber+strict}",
        ],
        expect![[r#"
            > date:[2024-03-01 TO 2024-01-01]
            ! at 5: empty range: nothing lies between its lower and its upper bound

            > date:{2024-01-01 TO 2024-01-02}
            ! at 5: empty range: nothing lies between its lower and its upper bound

            > date:[2024-01-01 2024-02-01]
            ! at 17: expected 'TO' between the bounds of the range, found '2024-02-01'

            > date:[2024-01-01 to 2024-02-01]
            ! at 17: expected 'TO' between the bounds of the range, found 'to'

            > date:[2024-01-01 TO 2024-02-01
            ! at 30: expected ']' or '}' to close the range that starts at 5, found end of query

            > date:[2024-01-01 TO 2024-02-01)
            ! at 30: expected ']' or '}' to close the range that starts at 5, found ')'

            > date:[ TO 2024-01-01]
            ! at 7: expected a lower bound after '[', found 'TO'

            > date:[2024-01-01 TO ]
            ! at 20: expected an upper bound after 'TO', found ']'

            > date:[2024-01-01 TO 2024-02-01]x
            ! at 31: expected a space or ')' after the range, found 'x'

            > tlp:[red TO clear]
            ! at 4: empty range: nothing lies between its lower and its upper bound

            > tlp:>red
            ! at 4: empty range: nothing lies between its lower and its upper bound

            > tlp:<clear
            ! at 4: empty range: nothing lies between its lower and its upper bound

            > tlp:{amber TO amber+strict}
            ! at 4: empty range: nothing lies between its lower and its upper bound

        "#]],
    );
}

#[test]
fn words() {
    check(
        &[
            "sandwrm~3",
            "sandwrm~0",
            "sandwrm~x",
            "~sandworm",
            "sand*~1",
            "foo^2",
            "a && b",
            "a || b",
            "!sandworm",
            "[2024-01-01 TO 2024-02-01]",
            ">2024-01-01",
            "a ]",
            "a\u{0}b",
        ],
        expect![[r#"
            > sandwrm~3
            ! at 8: fuzzy distance must be 1 or 2, found 3

            > sandwrm~0
            ! at 8: fuzzy distance must be 1 or 2, found 0

            > sandwrm~x
            ! at 8: expected a fuzzy distance (1 or 2) after '~', found 'x'

            > ~sandworm
            ! at 0: expected a word before '~', found '~'

            > sand*~1
            ! at 0: a word cannot be both a wildcard and fuzzy

            > foo^2
            ! at 3: boosting ('^') is not supported; remove it, or quote the word to search it as written

            > a && b
            ! at 2: '&&' is not supported; write AND

            > a || b
            ! at 2: '||' is not supported; write OR

            > !sandworm
            ! at 0: '!' as an operator is not supported; write NOT or '-' to exclude a word, or quote the word to search it

            > [2024-01-01 TO 2024-02-01]
            ! at 0: a range without a field is not supported; put a field before it, as in date:[2024-01-01 TO 2024-03-31]

            > >2024-01-01
            ! at 0: a comparison without a field is not supported; put a field before it, as in date:>now-7d

            > a ]
            ! at 2: expected a word, phrase or '(', found ']'

            > a\u{0}b
            ! at 1: unexpected control character U+0000

        "#]],
    );
}

/// The limits hold without overflowing the stack, wherever the nesting comes from.
#[test]
fn limits() {
    let too_long = "a ".repeat(MAX_QUERY_CHARS / 2) + "b";
    assert_eq!(
        parse(&too_long, now()),
        Err(QueryError::TooLong { position: MAX_QUERY_CHARS, limit: MAX_QUERY_CHARS })
    );
    let at_limit = "a ".repeat(MAX_QUERY_CHARS / 2);
    assert!(parse(&at_limit, now()).is_ok());

    let deepest_allowed = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(parse(&deepest_allowed, now()).map(|query| query.to_string()), Ok("a".to_owned()));
    let cases = [
        "(".repeat(5_000),
        format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1)),
        "NOT ".repeat(2_000) + "a",
        "-(".repeat(3_000),
        "title:(".repeat(1_000),
        "title:".to_owned() + &"(".repeat(5_000),
    ];
    let errors: Vec<String> = cases
        .iter()
        .map(|query| match parse(query, now()) {
            Ok(tree) => format!("parsed: {tree}"),
            Err(error) => error.to_string(),
        })
        .collect();
    expect![[r#"
        [
            "at 32: the query nests more than 32 levels deep (parentheses, NOT and '-')",
            "at 32: the query nests more than 32 levels deep (parentheses, NOT and '-')",
            "at 128: the query nests more than 32 levels deep (parentheses, NOT and '-')",
            "at 32: the query nests more than 32 levels deep (parentheses, NOT and '-')",
            "at 7: 'title:' cannot be used inside 'title:( )', which applies 'title:' to every word in it",
            "at 38: the query nests more than 32 levels deep (parentheses, NOT and '-')",
        ]
    "#]]
    .assert_debug_eq(&errors);
}

#[test]
fn positions_count_characters_not_bytes() {
    let error = parse("Багдади AND", now()).expect_err("dangling AND");
    assert_eq!(error.position(), 11);
    let error = parse("乌克兰 foo:bar", now()).expect_err("unknown field");
    assert_eq!(error.position(), 4);
}
