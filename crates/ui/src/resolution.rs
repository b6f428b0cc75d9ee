//! The duplicates page: objects of the knowledge base that are probably one thing (ATT&CK's
//! "APT28" and the MISP galaxy's), each pair with a form to decide it, and the pairs decided
//! with a form to withdraw the decision; from the answer of `GET /api/v1/knowledge/duplicates`.
//! The entity page shows the merged view the accepted decisions make (`entity.rs`).

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, csrf_field, list, s, tlp_badge};

/// Whether the caller may decide about a row's pair (the server said so, and checks again).
fn decides(row: &Value) -> bool {
    row.get("may_decide").and_then(Value::as_bool) == Some(true)
}

/// The duplicates page. `notice` says what the last decision did.
pub fn duplicates_page(chrome: &Chrome<'_>, data: &Value, notice: Option<&str>) -> String {
    let suggestions = list(data, "suggestions");
    let decided = list(data, "decided");
    let labels = suggestions.iter().chain(decided).flat_map(|row| [s(&row["a"], "tlp"), s(&row["b"], "tlp")]);
    let tlp = layout::most_restrictive(labels);
    layout::page(Some(chrome), Section::Duplicates, "Duplicates", tlp, |h| {
        h.el_text("h1", &[], "Duplicates");
        h.el_text(
            "p",
            &[("class", "note")],
            "Objects of the knowledge base that share names across sources. Deciding that two are the same thing records an assertion (who, when, why); nothing is merged in place, so withdrawing it restores both exactly. A pair decided either way is not suggested again.",
        );
        if let Some(notice) = notice {
            h.el_text("div", &[("class", "notice ok"), ("role", "status")], notice);
        }
        let total = data.get("total").and_then(Value::as_u64).unwrap_or(0);
        h.el_text(
            "h2",
            &[],
            &format!(
                "Suggested: {total}{}",
                if total > suggestions.len() as u64 {
                    format!(", the {} likeliest shown", suggestions.len())
                } else {
                    String::new()
                }
            ),
        );
        suggestion_table(h, chrome, suggestions);
        if total > suggestions.len() as u64 {
            let more = (suggestions.len() + 100).min(1000).to_string();
            h.link(&Href::fixed("/duplicates").query(&[("limit", &more)]), &[("class", "more")], "Show more");
        }
        h.el_text("h2", &[], &format!("Decided: {}", decided.len()));
        decided_table(h, chrome, decided);
    })
}

fn object_cell(h: &mut Html, object: &Value) {
    h.el("td", &[("class", "object")], |h| {
        let name = s(object, "name");
        if name.is_empty() {
            h.el_text("code", &[], s(object, "id"));
        } else {
            h.link(&Href::path(&["entities", name]), &[("class", "open")], name);
        }
        h.text(" ");
        h.el_text("span", &[("class", "kind")], s(object, "type"));
        h.text(" ");
        tlp_badge(h, s(object, "tlp"));
        h.el_text("div", &[("class", "mono small")], s(object, "id"));
    });
}

/// A form that posts the pair to `action` with the session's CSRF token.
fn pair_form(
    h: &mut Html,
    chrome: &Chrome<'_>,
    action: &'static str,
    row: &Value,
    buttons: &[(&str, &str, &str)],
) {
    h.linked("form", "action", &Href::fixed(action), &[("method", "post"), ("class", "inline")], |h| {
        csrf_field(h, chrome);
        h.void("input", &[("type", "hidden"), ("name", "a"), ("value", s(&row["a"], "id"))]);
        h.void("input", &[("type", "hidden"), ("name", "b"), ("value", s(&row["b"], "id"))]);
        if action == "/duplicates/decide" {
            h.void(
                "input",
                &[
                    ("type", "text"),
                    ("name", "note"),
                    ("placeholder", "why (optional)"),
                    ("maxlength", "2000"),
                ],
            );
        }
        for (name, value, label) in buttons {
            if name.is_empty() {
                h.el_text("button", &[("type", "submit")], label);
            } else {
                h.el_text("button", &[("type", "submit"), ("name", name), ("value", value)], label);
            }
        }
    });
}

fn suggestion_table(h: &mut Html, chrome: &Chrome<'_>, suggestions: &[Value]) {
    if suggestions.is_empty() {
        h.el_text("p", &[("class", "empty")], "No probable duplicates among the objects you may see.");
        return;
    }
    h.el("table", &[("class", "grid duplicates"), ("id", "suggestions")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                for head in ["Score", "Object", "Probably the same as", "Why", ""] {
                    h.el_text("th", &[], head);
                }
            });
        });
        h.el("tbody", &[("class", "rows")], |h| {
            for row in suggestions {
                h.el("tr", &[("class", "row")], |h| {
                    let score = row.get("score").and_then(Value::as_f64).unwrap_or(0.0);
                    h.el_text("td", &[("class", "num")], &format!("{score:.2}"));
                    object_cell(h, &row["a"]);
                    object_cell(h, &row["b"]);
                    let shared: Vec<&str> = list(row, "shared").iter().filter_map(Value::as_str).collect();
                    h.el_text("td", &[], &format!("{}: {}", s(row, "method"), shared.join(", ")));
                    h.el("td", &[("class", "actions")], |h| {
                        if decides(row) {
                            pair_form(
                                h,
                                chrome,
                                "/duplicates/decide",
                                row,
                                &[("verdict", "accepted", "Same"), ("verdict", "rejected", "Not the same")],
                            );
                        }
                    });
                });
            }
        });
    });
}

fn decided_table(h: &mut Html, chrome: &Chrome<'_>, decided: &[Value]) {
    if decided.is_empty() {
        h.el_text("p", &[("class", "empty")], "No pair you may see has been decided.");
        return;
    }
    h.el("table", &[("class", "grid decided"), ("id", "decided")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                for head in ["Decision", "Object", "Object", "By", "When", "Note", ""] {
                    h.el_text("th", &[], head);
                }
            });
        });
        h.el("tbody", &[], |h| {
            for row in decided {
                h.el("tr", &[], |h| {
                    let same = s(row, "verdict") == "accepted";
                    h.el_text(
                        "td",
                        &[("class", if same { "verdict same" } else { "verdict not-same" })],
                        if same { "same" } else { "not the same" },
                    );
                    object_cell(h, &row["a"]);
                    object_cell(h, &row["b"]);
                    h.el_text("td", &[], s(row, "by"));
                    h.el_text("td", &[], &layout::minute(s(row, "at")));
                    h.el_text("td", &[], s(row, "note"));
                    h.el("td", &[("class", "actions")], |h| {
                        if decides(row) {
                            pair_form(h, chrome, "/duplicates/withdraw", row, &[("", "", "Withdraw")]);
                        }
                    });
                });
            }
        });
    });
}
