//! Watchlists: the lists, one list's entries, and a form that screens a text with the list
//! and explains every hit.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::item::css_word;
use crate::layout::{self, Chrome, Section, csrf_field, list, n, s, tlp_badge};
use crate::search::marked_text;

/// The list of watchlists.
pub fn watchlists_page(chrome: &Chrome<'_>, lists: &Value) -> String {
    let rows = list(lists, "watchlists");
    let tlp = layout::most_restrictive(rows.iter().map(|row| s(row, "tlp")));
    layout::page(Some(chrome), Section::Watchlists, "Watchlists", tlp, |h| {
        h.el_text("h1", &[], "Watchlists");
        h.el("table", &[("class", "grid")], |h| {
            h.el("tr", &[], |h| {
                for head in ["Name", "Owner", "TLP", "Version", "Entries"] {
                    h.el_text("th", &[], head);
                }
            });
            for row in rows {
                h.el("tr", &[("class", "row")], |h| {
                    h.el("td", &[], |h| {
                        h.link(
                            &Href::path(&["watchlists", s(row, "name")]),
                            &[("class", "open")],
                            s(row, "name"),
                        );
                    });
                    h.el_text("td", &[], s(row, "owner"));
                    h.el("td", &[], |h| tlp_badge(h, s(row, "tlp")));
                    h.el_text("td", &[], &n(row, "version").to_string());
                    h.el_text("td", &[], &n(row, "entries").to_string());
                });
            }
        });
        if rows.is_empty() {
            h.el_text("p", &[("class", "empty")], "No watchlist you may see.");
        }
    })
}

/// What was tested against a list, and the answer.
#[derive(Debug, Clone, Copy)]
pub struct TestRun<'a> {
    /// The text screened.
    pub text: &'a str,
    /// The test API's answer, or why it failed.
    pub result: Result<&'a Value, &'a str>,
}

/// One watchlist: entries, and the test form with the last run's explanation.
pub fn watchlist_page(chrome: &Chrome<'_>, watchlist: &Value, test: Option<&TestRun<'_>>) -> String {
    let name = s(watchlist, "name");
    let tlp = s(watchlist, "tlp");
    layout::page(Some(chrome), Section::Watchlists, name, Some(tlp), |h| {
        h.el("div", &[("class", "page-head")], |h| {
            h.el_text("h1", &[], name);
            tlp_badge(h, tlp);
            h.el_text(
                "span",
                &[("class", "note")],
                &format!("owner {} · version {}", s(watchlist, "owner"), n(watchlist, "version")),
            );
        });
        h.el("div", &[("class", "item-layout")], |h| {
            h.el("section", &[("class", "entries")], |h| entries(h, list(watchlist, "entries")));
            h.el("aside", &[("class", "side")], |h| test_form(h, chrome, name, test));
        });
    })
}

fn entries(h: &mut Html, entries: &[Value]) {
    h.el_text("h2", &[], &format!("Entries ({})", entries.len()));
    h.el("table", &[("class", "grid")], |h| {
        h.el("tr", &[], |h| {
            for head in ["Id", "Kind", "Looks for", "Severity", "Note"] {
                h.el_text("th", &[], head);
            }
        });
        for entry in entries.iter().take(2000) {
            h.el("tr", &[("class", "row")], |h| {
                h.el_text("td", &[("class", "mono")], s(entry, "id"));
                h.el_text("td", &[], s(entry, "kind"));
                h.el("td", &[], |h| match s(entry, "kind") {
                    "name" => {
                        h.el_text("strong", &[], s(entry, "name"));
                        let aliases: Vec<&str> =
                            list(entry, "aliases").iter().filter_map(Value::as_str).collect();
                        if !aliases.is_empty() {
                            h.el_text("div", &[("class", "note")], &aliases.join(" · "));
                        }
                    }
                    "indicator" => {
                        h.el_text("code", &[], s(entry, "value"));
                    }
                    "pattern" => {
                        h.el_text("code", &[], s(entry, "regex"));
                    }
                    _ => {
                        h.el_text("code", &[], s(entry, "query"));
                    }
                });
                let severity = s(entry, "severity");
                h.el_text("td", &[("class", &format!("sev sev-{}", css_word(severity)))], severity);
                h.el_text("td", &[], s(entry, "note"));
            });
        }
    });
}

fn test_form(h: &mut Html, chrome: &Chrome<'_>, name: &str, test: Option<&TestRun<'_>>) {
    h.el_text("h2", &[], "Test a text against this list");
    let action = Href::path(&["watchlists", name, "test"]);
    h.linked("form", "action", &action, &[("method", "post"), ("class", "stack")], |h| {
        csrf_field(h, chrome);
        h.el_text(
            "textarea",
            &[
                ("name", "text"),
                ("rows", "8"),
                ("required", ""),
                ("aria-label", "Text to screen"),
                ("placeholder", "Paste a message, a name, an address…"),
            ],
            test.map_or("", |t| t.text),
        );
        h.el_text("button", &[("type", "submit")], "Screen");
    });
    let Some(test) = test else { return };
    match test.result {
        Err(message) => {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], message);
        }
        Ok(result) => {
            let hits = list(result, "hits");
            h.el_text("h3", &[], &format!("{} hits", hits.len()));
            let ranges: Vec<(usize, usize)> = hits
                .iter()
                .filter(|hit| s(hit, "field") == "body")
                .filter_map(|hit| {
                    let span = hit.get("span")?;
                    Some((span.get(0)?.as_u64()? as usize, span.get(1)?.as_u64()? as usize))
                })
                .collect();
            h.el("p", &[("class", "tested body")], |h| marked_text(h, test.text, &ranges));
            h.el("ol", &[("class", "explanations")], |h| {
                for hit in hits {
                    h.el("li", &[], |h| {
                        h.el_text("strong", &[], &format!("{} · {}", s(hit, "entry"), s(hit, "describes")));
                        h.el("dl", &[], |h| {
                            for (label, key) in [
                                ("Matched", "matched"),
                                ("Entry's form", "form"),
                                ("Compared as", "normalised"),
                                ("Method", "method"),
                                ("Severity", "severity"),
                                ("Where", "field"),
                            ] {
                                let value = s(hit, key);
                                if value.is_empty() {
                                    continue;
                                }
                                h.el_text("dt", &[], label);
                                h.el_text("dd", &[], value);
                            }
                        });
                    });
                }
            });
            for warning in list(result, "warnings").iter().filter_map(Value::as_str) {
                h.el_text("p", &[("class", "notice warn")], warning);
            }
        }
    }
}
