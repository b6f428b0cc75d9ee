//! The README's examples and error table, checked against the parser.

use muninn_query::parse;

use crate::now;

/// The error table and the examples of the README are what the parser does.
#[test]
fn readme_is_true() {
    let readme = include_str!("../../README.md");
    let errors = readme.split("## Errors").nth(1).and_then(|rest| rest.split("**Limits**").next());
    let rows: Vec<&str> =
        errors.expect("README has an error table").lines().filter(|line| line.starts_with("| `")).collect();
    assert!(rows.len() > 20, "the error table has {} rows", rows.len());
    for row in rows {
        let (query, message) = row
            .trim_start_matches("| `")
            .trim_end_matches("` |")
            .split_once("` | `")
            .expect("rows are | `query` | `message` |");
        let actual = parse(query, now()).map(|tree| tree.to_string());
        assert_eq!(
            actual.map_err(|error| error.to_string()),
            Err(message.to_owned()),
            "README row for {query}"
        );
    }

    let examples = readme.split("```text\n").nth(1).and_then(|rest| rest.split("```").next());
    for line in examples.expect("README starts with examples").lines() {
        let query = line.split("   ").next().unwrap_or_default().trim();
        assert!(
            parse(query, now()).is_ok(),
            "README example {query:?} does not parse: {:?}",
            parse(query, now())
        );
    }
}
