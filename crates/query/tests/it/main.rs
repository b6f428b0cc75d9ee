//! Integration tests of the query parser: feature tables, error tables and properties.

mod errors;
mod features;
mod fields;
mod properties;
mod readme;
mod scripts;

use expect_test::Expect;
use jiff::Timestamp;
use muninn_query::parse;

/// The clock every test parses with: relative dates resolve against it.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_710_504_000).expect("2024-03-15T12:00:00Z is a valid timestamp")
}

/// Parses each query and prints, for each, the query (`>`), then either its canonical form (`=`)
/// and its outline, or its error (`!`). Every canonical form is checked to parse back to the
/// same tree.
pub(crate) fn check(queries: &[&str], expect: Expect) {
    let mut out = String::new();
    for query in queries {
        out.push_str(&format!("> {}\n", visible(query)));
        match parse(query, now()) {
            Ok(tree) => {
                let canonical = tree.to_string();
                assert_eq!(
                    parse(&canonical, now()).as_ref(),
                    Ok(&tree),
                    "the canonical form {canonical:?} of {query:?} does not parse back to the same tree"
                );
                out.push_str(&format!("= {canonical}\n{}", tree.outline()));
            }
            Err(error) => out.push_str(&format!("! {error}\n")),
        }
        out.push('\n');
    }
    expect.assert_eq(&out);
}

/// The query on one line, with control characters escaped.
fn visible(query: &str) -> String {
    query
        .chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}
