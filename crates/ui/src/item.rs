//! The item page: the text with its indicators and entities highlighted and linked,
//! provenance, the markings banner, related items and the alerts on it.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, grade_badge, list, n, s, tlp_badge};
use crate::search::query_value;

/// A highlighted span of the text.
enum Mark<'a> {
    /// An indicator: its kind and normalised value.
    Indicator { kind: &'a str, value: &'a str },
    /// An entity of the gazetteer: its name.
    Entity { name: &'a str },
}

/// The item page from the item API's answer and, if read, the related items.
pub fn item_page(chrome: &Chrome<'_>, item: &Value, related: Option<&Value>) -> String {
    let title = match s(item, "title") {
        "" => "(untitled)",
        title => title,
    };
    let tlp = item.get("markings").map_or(s(item, "tlp"), |m| s(m, "tlp"));
    layout::page(Some(chrome), Section::Search, title, Some(tlp), |h| {
        h.el("article", &[("class", "item")], |h| {
            h.el("header", &[("class", "item-head")], |h| {
                tlp_badge(h, tlp);
                grade_badge(h, s(item, "grade"));
                h.el("h1", &[], |h| annotated(h, item, "title", title));
            });
            h.el("div", &[("class", "item-layout")], |h| {
                h.el("section", &[("class", "text"), ("aria-label", "Text")], |h| {
                    h.el("div", &[("class", "body")], |h| annotated(h, item, "body", s(item, "body")));
                });
                h.el("aside", &[("class", "side")], |h| {
                    provenance(h, item);
                    indicators(h, item);
                    entities(h, item);
                });
            });
            alerts(h, item);
            if let Some(related) = related {
                related_items(h, related);
            }
        });
    })
}

fn provenance(h: &mut Html, item: &Value) {
    let markings = item.get("markings").cloned().unwrap_or(Value::Null);
    h.el("section", &[("class", "provenance")], |h| {
        h.el_text("h2", &[], "Provenance");
        h.el("dl", &[], |h| {
            let source = s(item, "source");
            h.el_text("dt", &[], "Source");
            h.el("dd", &[], |h| {
                let query = format!("source:{}", query_value(source));
                h.link(&Href::fixed("/search").query(&[("q", &query)]), &[], source);
            });
            h.el_text("dt", &[], "Grade");
            h.el("dd", &[], |h| grade_badge(h, s(item, "grade")));
            h.el_text("dt", &[], "Collected");
            h.el_text("dd", &[], &layout::minute(s(item, "collected_at")));
            h.el_text("dt", &[], "Event time");
            h.el_text(
                "dd",
                &[],
                &item
                    .get("event_time")
                    .and_then(Value::as_str)
                    .map_or("not stated".to_owned(), layout::minute),
            );
            h.el_text("dt", &[], "Language");
            h.el_text("dd", &[], item.get("lang").and_then(Value::as_str).unwrap_or("unknown"));
            h.el_text("dt", &[], "Originator");
            h.el_text("dd", &[], markings.get("originator").and_then(Value::as_str).unwrap_or("local"));
            let compartments: Vec<&str> =
                list(&markings, "compartments").iter().filter_map(Value::as_str).collect();
            if !compartments.is_empty() {
                h.el_text("dt", &[], "Compartments");
                h.el_text("dd", &[], &compartments.join(", "));
            }
            h.el_text("dt", &[], "Id");
            h.el_text("dd", &[("class", "mono")], s(item, "id"));
        });
    });
}

fn indicator_href(value: &str) -> Href {
    Href::fixed("/search").query(&[("q", &format!("indicator:{}", query_value(value)))])
}

fn indicators(h: &mut Html, item: &Value) {
    let found = list(item, "indicators");
    if found.is_empty() {
        return;
    }
    h.el("section", &[("class", "indicators")], |h| {
        h.el_text("h2", &[], &format!("Indicators ({})", found.len()));
        h.el("ul", &[], |h| {
            let mut seen = std::collections::BTreeSet::new();
            for indicator in found {
                let value = s(indicator, "value");
                if !seen.insert(value) {
                    continue;
                }
                h.el("li", &[], |h| {
                    h.el_text("span", &[("class", "kind")], s(indicator, "kind"));
                    h.link(&indicator_href(value), &[("class", "ioc mono")], value);
                    if indicator.get("defanged").and_then(Value::as_bool) == Some(true) {
                        h.el_text("span", &[("class", "note")], "defanged");
                    }
                });
            }
        });
    });
}

fn entities(h: &mut Html, item: &Value) {
    let found = list(item, "entities");
    if found.is_empty() {
        return;
    }
    h.el("section", &[("class", "entities")], |h| {
        h.el_text("h2", &[], "Entities");
        h.el("ul", &[], |h| {
            let mut seen = std::collections::BTreeSet::new();
            for entity in found {
                let name = s(entity, "name");
                if !seen.insert(name) {
                    continue;
                }
                h.el("li", &[], |h| {
                    h.link(&Href::path(&["entities", name]), &[("class", "entity")], name);
                    let form = s(entity, "form");
                    if form != name {
                        h.el_text("span", &[("class", "note")], &format!("as “{form}”"));
                    }
                });
            }
        });
    });
}

/// The text of `part` (`title` or `body`) with its indicators and entities as links.
fn annotated(h: &mut Html, item: &Value, part: &str, text: &str) {
    let mut marks: Vec<(usize, usize, Mark<'_>)> = Vec::new();
    let span = |found: &Value| -> Option<(usize, usize)> {
        let span = found.get("span")?;
        Some((span.get(0)?.as_u64()? as usize, span.get(1)?.as_u64()? as usize))
    };
    for found in list(item, "indicators").iter().filter(|f| s(f, "in") == part) {
        if let Some((start, end)) = span(found) {
            marks.push((start, end, Mark::Indicator { kind: s(found, "kind"), value: s(found, "value") }));
        }
    }
    for found in list(item, "entities").iter().filter(|f| s(f, "in") == part) {
        if let Some((start, end)) = span(found) {
            marks.push((start, end, Mark::Entity { name: s(found, "name") }));
        }
    }
    marks.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    let mut at = 0;
    for (start, end, mark) in marks {
        if start < at || end <= start || text.get(start..end).is_none() {
            continue;
        }
        h.text(&text[at..start]);
        let shown = &text[start..end];
        match mark {
            Mark::Indicator { kind, value } => {
                let class = format!(
                    "ioc ioc-{}",
                    kind.chars().filter(char::is_ascii_alphanumeric).collect::<String>()
                );
                h.link(
                    &indicator_href(value),
                    &[("class", &class), ("title", &format!("{kind}: {value}"))],
                    shown,
                );
            }
            Mark::Entity { name } => {
                h.link(&Href::path(&["entities", name]), &[("class", "entity"), ("title", name)], shown);
            }
        }
        at = end;
    }
    h.text(&text[at..]);
}

fn alerts(h: &mut Html, item: &Value) {
    let found = list(item, "alerts");
    if found.is_empty() {
        return;
    }
    h.el("section", &[("class", "item-alerts")], |h| {
        h.el_text("h2", &[], &format!("Alerts on this item ({})", found.len()));
        h.el("table", &[("class", "grid")], |h| {
            h.el("tr", &[], |h| {
                for head in ["Severity", "State", "Watchlist", "Entry", "Matched", "Method"] {
                    h.el_text("th", &[], head);
                }
            });
            for entry in found {
                let alert = entry.get("alert").cloned().unwrap_or(Value::Null);
                h.el("tr", &[], |h| {
                    let severity = s(&alert, "severity");
                    h.el_text("td", &[("class", &format!("sev sev-{}", css_word(severity)))], severity);
                    h.el_text(
                        "td",
                        &[("class", &format!("state state-{}", css_word(s(&alert, "state"))))],
                        s(&alert, "state"),
                    );
                    h.el("td", &[], |h| {
                        h.link(&Href::path(&["watchlists", s(&alert, "list")]), &[], s(&alert, "list"));
                    });
                    h.el_text("td", &[], &format!("{} · {}", s(&alert, "entry"), s(&alert, "describes")));
                    h.el_text("td", &[], s(&alert, "matched"));
                    h.el_text("td", &[], s(&alert, "method"));
                });
            }
        });
    });
}

fn related_items(h: &mut Html, related: &Value) {
    let rows = list(related, "related");
    h.el("section", &[("class", "related")], |h| {
        h.el_text("h2", &[], "Related items");
        if rows.is_empty() {
            h.el_text(
                "p",
                &[("class", "empty")],
                "No item you may see shares an indicator or entity with this one.",
            );
            return;
        }
        h.el("ol", &[("class", "rows")], |h| {
            for row in rows {
                h.el("li", &[("class", "row")], |h| {
                    tlp_badge(h, s(row, "tlp"));
                    grade_badge(h, s(row, "grade"));
                    let title = match s(row, "title") {
                        "" => "(untitled)",
                        title => title,
                    };
                    h.link(&Href::path(&["items", s(row, "id")]), &[("class", "open")], title);
                    let shared: Vec<String> = list(row, "shared")
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .chain(list(row, "shared_entities").iter().map(|e| s(e, "name").to_owned()))
                        .collect();
                    if !shared.is_empty() {
                        h.el_text("span", &[("class", "note")], &format!("shares {}", shared.join(", ")));
                    }
                    h.el_text("time", &[], &layout::minute(s(row, "date")));
                    let _ = n(row, "score");
                });
            }
        });
    });
}

/// A word safe in a class name: ASCII letters, digits and `-` only.
pub fn css_word(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(32).collect()
}
