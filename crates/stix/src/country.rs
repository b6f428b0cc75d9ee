//! ISO 3166-1 countries: the table in `data/iso3166-1.tsv` (alpha-2, alpha-3, English short
//! name, approximate centroid), and the lookup that turns what an analyst writes for a country
//! into its alpha-2 code.
//!
//! The table is compiled in and parsed once, on first use: it is constant data of this crate,
//! not state, and a test holds every line of it well formed.

use std::sync::LazyLock;

/// The table as shipped: tab-separated, `#` lines are comments.
pub const ISO_3166_1_TSV: &str = include_str!("../data/iso3166-1.tsv");

/// One country of ISO 3166-1.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// Alpha-2 code, upper case (`UA`).
    pub alpha2: &'static str,
    /// Alpha-3 code, upper case (`UKR`).
    pub alpha3: &'static str,
    /// English short name (`Ukraine`, `Korea, Republic of`).
    pub name: &'static str,
    /// Approximate centroid latitude in degrees (north positive): for a dot on a map only.
    pub latitude: f64,
    /// Approximate centroid longitude in degrees (east positive).
    pub longitude: f64,
}

static COUNTRIES: LazyLock<Vec<Country>> =
    LazyLock::new(|| ISO_3166_1_TSV.lines().filter_map(|line| parse_line(line).ok().flatten()).collect());

/// Every country of the table, in the table's order (by English name).
pub fn countries() -> &'static [Country] {
    &COUNTRIES
}

/// The country `text` names: an alpha-2 or alpha-3 code (any case) or the English short name
/// (case, runs of spaces and typographic apostrophes aside). Anything else, including
/// user-assigned codes such as `XK`, is `None`.
pub fn country(text: &str) -> Option<&'static Country> {
    let wanted = fold(text);
    if wanted.is_empty() {
        return None;
    }
    let upper = wanted.to_ascii_uppercase();
    let table = countries();
    match wanted.len() {
        2 if wanted.is_ascii() => table.iter().find(|c| c.alpha2 == upper),
        3 if wanted.is_ascii() => table.iter().find(|c| c.alpha3 == upper),
        _ => None,
    }
    .or_else(|| table.iter().find(|c| fold(c.name) == wanted))
}

/// The country of an alpha-2 code as stored (`x_muninn_country`).
pub fn country_by_alpha2(code: &str) -> Option<&'static Country> {
    countries().iter().find(|c| c.alpha2 == code)
}

fn fold(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").to_lowercase().replace(['\u{2019}', '\u{2018}'], "'")
}

/// One line of the table: `None` for a comment or blank line, an error naming what is wrong.
fn parse_line(line: &'static str) -> Result<Option<Country>, String> {
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let fields: Vec<&'static str> = line.split('\t').collect();
    let [alpha2, alpha3, name, latitude, longitude] = fields.as_slice() else {
        return Err(format!("{line:?}: {} fields, expected 5", fields.len()));
    };
    let upper_letters =
        |code: &str, len: usize| code.len() == len && code.bytes().all(|b| b.is_ascii_uppercase());
    if !upper_letters(alpha2, 2) || !upper_letters(alpha3, 3) {
        return Err(format!("{line:?}: codes must be 2 and 3 upper-case letters"));
    }
    let degrees = |text: &str, limit: f64| -> Result<f64, String> {
        let value: f64 = text.parse().map_err(|_| format!("{line:?}: {text:?} is not a number"))?;
        if value.abs() > limit {
            return Err(format!("{line:?}: {value} is beyond ±{limit}"));
        }
        Ok(value)
    };
    Ok(Some(Country {
        alpha2,
        alpha3,
        name,
        latitude: degrees(latitude, 90.0)?,
        longitude: degrees(longitude, 180.0)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_table_is_well_formed_and_every_code_unique() {
        let mut alpha2 = std::collections::BTreeSet::new();
        let mut alpha3 = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for line in ISO_3166_1_TSV.lines() {
            let Some(parsed) = parse_line(line).expect("a well-formed line") else { continue };
            assert!(alpha2.insert(parsed.alpha2), "{} twice", parsed.alpha2);
            assert!(alpha3.insert(parsed.alpha3), "{} twice", parsed.alpha3);
            assert!(names.insert(fold(parsed.name)), "{} twice", parsed.name);
        }
        // ISO 3166-1 assigns 249 codes.
        assert_eq!(alpha2.len(), 249);
        assert_eq!(countries().len(), 249);
    }

    #[test]
    fn codes_and_names_resolve_to_alpha2() {
        let cases = [
            ("UA", Some("UA")),
            ("ua", Some("UA")),
            (" ml ", Some("ML")),
            ("UKR", Some("UA")),
            ("gbr", Some("GB")),
            ("Ukraine", Some("UA")),
            ("  united   STATES of america ", Some("US")),
            ("Korea, Republic of", Some("KR")),
            ("Côte d\u{2019}Ivoire", Some("CI")),
            ("Türkiye", Some("TR")),
            ("XE", None),
            ("XK", None),
            ("UK", None),
            ("Atlantis", None),
            ("U", None),
            ("", None),
            ("ÜA", None),
            ("Russia", None),
        ];
        for (text, expected) in cases {
            assert_eq!(country(text).map(|c| c.alpha2), expected, "{text:?}");
        }
    }

    #[test]
    fn malformed_lines_are_named() {
        let cases = [
            ("UA\tUKR\tUkraine\t48.4", "4 fields, expected 5"),
            ("ua\tUKR\tUkraine\t48.4\t31.2", "upper-case letters"),
            ("UA\tUK\tUkraine\t48.4\t31.2", "upper-case letters"),
            ("UA\tUKR\tUkraine\tnorth\t31.2", "\"north\" is not a number"),
            ("UA\tUKR\tUkraine\t48.4\t181", "181 is beyond ±180"),
        ];
        for (line, expected) in cases {
            let error = parse_line(line).expect_err(line);
            assert!(error.contains(expected), "{line:?}: {error}");
        }
        assert_eq!(parse_line("# comment"), Ok(None));
    }
}
