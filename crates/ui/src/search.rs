//! The search page: query bar with syntax help and field completion, facets that add a
//! filter, a date histogram whose bars filter the day, results with highlighted snippets,
//! badges and a cursor to the next page.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, grade_badge, list, n, s, tlp_badge};

/// The query fields, for completion (see `crates/query/README.md`).
pub const FIELDS: [&str; 11] = [
    "title",
    "body",
    "source",
    "entity",
    "indicator",
    "indicator.type",
    "id",
    "lang",
    "tlp",
    "grade",
    "date",
];

/// Examples of the query language shown in the help (query, meaning).
const EXAMPLES: [(&str, &str); 12] = [
    ("sandworm", "items that contain the word"),
    ("\"fancy bear\"", "the two words next to each other, in this order"),
    ("sandworm OR \"voodoo bear\"", "either one"),
    ("sandworm -exercise", "sandworm, but not exercise"),
    ("title:(sandworm OR Багдади) lang:ru", "title has either word, and the item is in Russian"),
    ("indicator:198.51.100.7", "an indicator found in the item"),
    ("entity:\"Fancy Bear\"", "an entity of the gazetteer, by any of its names"),
    ("date:>now-7d tlp:<=amber", "last 7 days, marked TLP:AMBER or less restricted"),
    ("date:[2024-01-01 TO 2024-03-31]", "a range of days, both included"),
    ("grade:B2 source:newswire-en", "Admiralty grade B2, from one source"),
    ("sandw*  s?ndworm  sandwrm~1", "wildcards and typo-tolerant search"),
    ("\"<script>\"", "quotes make anything plain text"),
];

/// What the search page shows.
#[derive(Debug, Clone, Copy)]
pub struct SearchView<'a> {
    /// The query as typed.
    pub query: &'a str,
    /// The answer of the search API (hits, facets, histogram, next), if a query was run.
    pub results: Option<&'a Value>,
    /// Why the query could not run, if it could not.
    pub error: Option<&'a str>,
    /// Whether this page follows a cursor (not the first page).
    pub paged: bool,
}

/// The datalist of field names the query boxes complete from (the script narrows it to the
/// word being typed).
pub fn field_datalist(h: &mut Html) {
    h.el("datalist", &[("id", "query-fields")], |h| {
        for field in FIELDS {
            h.void("option", &[("value", &format!("{field}:"))]);
        }
    });
}

/// `value` as a query value: bare if it is one plain word, else a quoted phrase.
pub fn query_value(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with(['-', '+'])
        && !matches!(value, "AND" | "OR" | "NOT")
        && value.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '@' | '/' | ':' | '+'));
    if plain {
        value.to_owned()
    } else {
        let escaped = value.replace('"', "\\\"");
        // A phrase cannot end with a backslash (it would escape the closing quote).
        format!("\"{}\"", escaped.trim_end_matches('\\'))
    }
}

/// `query` narrowed by `clause`.
pub fn add_filter(query: &str, clause: &str) -> String {
    let query = query.trim();
    if query.is_empty() || query == "*" {
        clause.to_owned()
    } else if query.contains(" OR ") {
        format!("({query}) {clause}")
    } else {
        format!("{query} {clause}")
    }
}

/// The search page.
pub fn search_page(chrome: &Chrome<'_>, view: &SearchView<'_>) -> String {
    let hits = view.results.map_or(&[][..], |r| list(r, "hits"));
    let tlp = layout::most_restrictive(hits.iter().map(|hit| s(hit, "tlp")));
    let title = if view.query.is_empty() { "Search".to_owned() } else { format!("{} · Search", view.query) };
    layout::page(Some(chrome), Section::Search, &title, tlp, |h| {
        search_form(h, view.query);
        if let Some(error) = view.error {
            h.el("div", &[("class", "notice error"), ("role", "alert")], |h| {
                h.el_text("strong", &[], "The query does not parse: ");
                h.el_text("code", &[], error);
            });
        }
        let Some(results) = view.results else {
            h.el("section", &[("class", "welcome")], |h| {
                h.el_text("p", &[], "Type a query above, or start from one of these:");
                h.el("ul", &[("class", "starts")], |h| {
                    for start in
                        ["*", "entity:Sandworm", "date:>now-30d", "tlp:amber+strict", "indicator.type:ipv4"]
                    {
                        h.el("li", &[], |h| {
                            h.link(&Href::fixed("/search").query(&[("q", start)]), &[], start);
                        });
                    }
                });
            });
            return;
        };
        h.el("div", &[("class", "search-layout")], |h| {
            h.el("aside", &[("class", "facets"), ("aria-label", "Facets")], |h| {
                facets(h, view.query, results)
            });
            h.el("section", &[("class", "results"), ("aria-label", "Results")], |h| {
                h.el("p", &[("class", "count")], |h| {
                    h.el_text("strong", &[], &n(results, "total").to_string());
                    h.text(" items match ");
                    h.el_text("code", &[], s(results, "query"));
                    if chrome.role != "partner" {
                        h.text(" · ");
                        h.link(
                            &Href::fixed("/export").query(&[("q", view.query)]),
                            &[("title", "Export what this query finds as STIX 2.1 or MISP")],
                            "Export…",
                        );
                    }
                });
                histogram(
                    h,
                    view.query,
                    list(results, "histogram"),
                    "Items per day: click a bar to keep that day, drag across bars for a range",
                );
                h.el("ol", &[("class", "hits rows"), ("id", "hits")], |h| {
                    for hit in hits {
                        hit_row(h, hit);
                    }
                });
                if hits.is_empty() {
                    h.el_text("p", &[("class", "empty")], "Nothing you may see matches.");
                }
                h.el("nav", &[("class", "pager"), ("aria-label", "Pages")], |h| {
                    if view.paged {
                        h.link(&Href::fixed("/search").query(&[("q", view.query)]), &[], "First page");
                    }
                    if let Some(next) = results.get("next").and_then(Value::as_str) {
                        h.link(
                            &Href::fixed("/search").query(&[("q", view.query), ("after", next)]),
                            &[("rel", "next"), ("class", "next")],
                            "Next page →",
                        );
                    }
                });
            });
        });
    })
}

fn search_form(h: &mut Html, query: &str) {
    h.linked(
        "form",
        "action",
        &Href::fixed("/search"),
        &[("method", "get"), ("class", "search-form"), ("role", "search")],
        |h| {
            h.void(
                "input",
                &[
                    ("type", "search"),
                    ("name", "q"),
                    ("value", query),
                    ("list", "query-fields"),
                    ("autocomplete", "off"),
                    ("spellcheck", "false"),
                    ("aria-label", "Query"),
                    ("placeholder", "sandworm OR \"voodoo bear\" date:>now-30d"),
                    ("class", "query"),
                    ("id", "query"),
                ],
            );
            h.el_text("button", &[("type", "submit")], "Search");
        },
    );
    h.el("details", &[("class", "syntax")], |h| {
        h.el_text("summary", &[], "Query syntax");
        h.el("table", &[], |h| {
            for (example, meaning) in EXAMPLES {
                h.el("tr", &[], |h| {
                    h.el("td", &[], |h| {
                        h.el_text("code", &[], example);
                    });
                    h.el_text("td", &[], meaning);
                });
            }
        });
        h.el("p", &[], |h| {
            h.text("Fields: ");
            for field in FIELDS {
                h.el_text("code", &[], &format!("{field}:"));
                h.text(" ");
            }
            h.text(". Operators are uppercase (AND, OR, NOT); a word with a colon that is not a field must be quoted.");
        });
    });
}

/// The facets, each value a link that adds its filter to the query.
fn facets(h: &mut Html, query: &str, results: &Value) {
    let Some(facets) = results.get("facets").filter(|f| f.is_object()) else { return };
    let groups: [(&str, &str, &str); 6] = [
        ("tlp", "tlp", "TLP"),
        ("grade", "grade", "Grade"),
        ("source", "source", "Source"),
        ("lang", "lang", "Language"),
        ("indicator_type", "indicator.type", "Indicator kind"),
        ("indicator", "indicator", "Indicator"),
    ];
    for (key, field, label) in groups {
        let values = list(facets, key);
        if values.is_empty() {
            continue;
        }
        h.el("section", &[("class", "facet")], |h| {
            h.el_text("h3", &[], label);
            h.el("ul", &[], |h| {
                for entry in values.iter().take(12) {
                    let value = s(entry, "value");
                    let value_for_query = if field == "tlp" {
                        value.trim_start_matches("TLP:").to_ascii_lowercase()
                    } else {
                        value.to_owned()
                    };
                    let clause = format!("{field}:{}", query_value(&value_for_query));
                    h.el("li", &[], |h| {
                        let href = Href::fixed("/search").query(&[("q", &add_filter(query, &clause))]);
                        h.linked("a", "href", &href, &[("title", &format!("add {clause}"))], |h| {
                            if field == "tlp" {
                                tlp_badge(h, value);
                            } else {
                                h.text(value);
                            }
                        });
                        h.el_text("span", &[("class", "n")], &n(entry, "count").to_string());
                    });
                }
            });
        });
    }
    let entities = list(facets, "entity");
    if !entities.is_empty() {
        h.el("section", &[("class", "facet")], |h| {
            h.el_text("h3", &[], "Entities");
            h.el("ul", &[], |h| {
                for entity in entities.iter().take(12) {
                    let name = s(entity, "name");
                    let clause = format!("entity:{}", query_value(name));
                    h.el("li", &[], |h| {
                        let href = Href::fixed("/search").query(&[("q", &add_filter(query, &clause))]);
                        h.link(&href, &[("title", &format!("add {clause}"))], name);
                        h.text(" ");
                        h.link(
                            &Href::path(&["entities", name]),
                            &[("class", "profile"), ("title", "profile")],
                            "◎",
                        );
                        h.el_text("span", &[("class", "n")], &n(entity, "count").to_string());
                    });
                }
            });
        });
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's `days_from_civil`).
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.splitn(3, '-');
    let (year, month, day): (i64, i64, i64) =
        (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The `YYYY-MM-DD` date of a day number (`civil_from_days`).
fn day_date(number: i64) -> String {
    let z = number + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The days of a histogram as (date, count), with the days between that had nothing filled in
/// as zeros (when the dates parse and span at most two years), so that the bars are a time axis.
fn days_with_gaps(days: &[Value]) -> Vec<(String, u64)> {
    let given: Vec<(String, u64)> =
        days.iter().map(|d| (layout::day(s(d, "day")).to_owned(), n(d, "count"))).collect();
    let numbered: Option<Vec<(i64, u64)>> =
        given.iter().map(|(date, count)| Some((day_number(date)?, *count))).collect();
    let Some(mut numbered) = numbered else { return given };
    numbered.sort_unstable();
    let (Some(first), Some(last)) = (numbered.first().map(|d| d.0), numbered.last().map(|d| d.0)) else {
        return given;
    };
    if last - first > 731 {
        return given;
    }
    let mut out = Vec::new();
    let mut at = numbered.iter().peekable();
    for number in first..=last {
        let mut count = 0;
        while let Some((_, n)) = at.next_if(|(day, _)| *day == number) {
            count += n;
        }
        out.push((day_date(number), count));
    }
    out
}

/// A daily histogram as SVG bars; each bar links to the query narrowed to its day.
pub fn histogram(h: &mut Html, query: &str, days: &[Value], label: &str) {
    let days = days_with_gaps(days);
    let (Some(first), Some(last)) = (days.first(), days.last()) else { return };
    let max = days.iter().map(|(_, count)| *count).max().unwrap_or(1).max(1);
    let width = days.len() * 10;
    let view_box = format!("0 0 {width} 60");
    h.el("figure", &[("class", "histogram")], |h| {
        h.el(
            "svg",
            &[
                ("viewBox", &view_box),
                ("preserveAspectRatio", "none"),
                ("role", "img"),
                ("aria-label", label),
                ("data-query", query),
                ("class", "bars"),
            ],
            |h| {
                for (index, (date, count)) in days.iter().enumerate() {
                    // Scaled to 56 units, at least 1 so that a day with items is visible.
                    let height = ((count * 56).div_ceil(max)).max(u64::from(*count > 0));
                    let href =
                        Href::fixed("/search").query(&[("q", &add_filter(query, &format!("date:{date}")))]);
                    h.linked("a", "href", &href, &[("data-day", date)], |h| {
                        let (x, y, bar_height) =
                            ((index * 10).to_string(), (58 - height).to_string(), height.to_string());
                        h.el(
                            "rect",
                            &[
                                ("x", &x),
                                ("y", "0"),
                                ("width", "10"),
                                ("height", "60"),
                                ("class", "hit-area"),
                            ],
                            |h| {
                                h.el_text("title", &[], &format!("{date}: {count}"));
                            },
                        );
                        h.el(
                            "rect",
                            &[
                                ("x", &x),
                                ("y", &y),
                                ("width", "8"),
                                ("height", &bar_height),
                                ("class", "bar"),
                            ],
                            |_| {},
                        );
                    });
                }
            },
        );
        h.el("figcaption", &[], |h| {
            h.el_text("span", &[], &first.0);
            h.el_text("span", &[("class", "legend")], label);
            h.el_text("span", &[], &last.0);
        });
    });
}

/// One result: title, badges, source, date, snippet.
pub fn hit_row(h: &mut Html, hit: &Value) {
    let id = s(hit, "id");
    let href = Href::path(&["items", id]);
    h.el("li", &[("class", "hit row")], |h| {
        h.el("div", &[("class", "hit-head")], |h| {
            tlp_badge(h, s(hit, "tlp"));
            grade_badge(h, s(hit, "grade"));
            let title = match s(hit, "title") {
                "" => "(untitled)",
                title => title,
            };
            h.link(&href, &[("class", "title open")], title);
        });
        h.el("div", &[("class", "meta")], |h| {
            h.el_text("span", &[("class", "source")], s(hit, "source"));
            h.el_text("time", &[], &layout::minute(s(hit, "date")));
            if let Some(lang) = hit.get("lang").and_then(Value::as_str) {
                h.el_text("span", &[("class", "lang")], lang);
            }
        });
        if let Some(snippet) = hit.get("snippet") {
            h.el("p", &[("class", "snippet")], |h| {
                let ranges: Vec<(usize, usize)> = list(snippet, "highlights")
                    .iter()
                    .filter_map(|r| Some((r.get(0)?.as_u64()? as usize, r.get(1)?.as_u64()? as usize)))
                    .collect();
                marked_text(h, s(snippet, "text"), &ranges);
            });
        }
    });
}

/// `text` with the byte ranges `ranges` in `<mark>`; ranges that overlap an earlier one or do
/// not fall on character boundaries are left out.
pub fn marked_text(h: &mut Html, text: &str, ranges: &[(usize, usize)]) {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut at = 0;
    for (start, end) in sorted {
        if start < at || end <= start || text.get(start..end).is_none() {
            continue;
        }
        h.text(&text[at..start]);
        h.el_text("mark", &[], &text[start..end]);
        at = end;
    }
    h.text(&text[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_days_are_filled_between_the_first_and_the_last() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2024-03-01"), Some(19_783));
        for number in [-1000, 0, 19_783, 20_000, 30_000] {
            assert_eq!(day_number(&day_date(number)), Some(number));
        }
        let days = [
            serde_json::json!({"day": "2024-02-28T00:00:00Z", "count": 2}),
            serde_json::json!({"day": "2024-03-02T00:00:00Z", "count": 1}),
        ];
        let filled = days_with_gaps(&days);
        let dates: Vec<&str> = filled.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(dates, ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]);
        assert_eq!(filled.iter().map(|(_, c)| *c).collect::<Vec<_>>(), [2, 0, 0, 1]);
        let odd = [serde_json::json!({"day": "<script>", "count": 1})];
        assert_eq!(days_with_gaps(&odd), [("<script>".to_owned(), 1)]);
    }
}
