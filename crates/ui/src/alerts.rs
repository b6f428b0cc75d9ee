//! The alert queue: filters, bulk triage with checkboxes (each alert authorised on its own by
//! the server), and a body the script prepends live alerts to.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::item::css_word;
use crate::layout::{self, Chrome, Section, csrf_field, list, n, s, tlp_badge};

/// What the alert page shows.
#[derive(Debug, Clone, Copy)]
pub struct AlertsView<'a> {
    /// The alert API's answer.
    pub alerts: &'a Value,
    /// The state filter (empty: all).
    pub state: &'a str,
    /// The watchlist filter (empty: all).
    pub list: &'a str,
    /// The watchlists the user may filter by.
    pub lists: &'a [String],
    /// The outcome of the last bulk action: (changed, refused), if one just ran.
    pub outcome: Option<(u64, u64)>,
}

const STATES: [&str; 4] = ["new", "acknowledged", "dismissed", "escalated"];

/// The alert page.
pub fn alerts_page(chrome: &Chrome<'_>, view: &AlertsView<'_>) -> String {
    let rows = list(view.alerts, "alerts");
    let tlp = layout::most_restrictive(rows.iter().map(|row| row.get("alert").map_or("", |a| s(a, "tlp"))));
    layout::page(Some(chrome), Section::Alerts, "Alerts", tlp, |h| {
        h.el("div", &[("class", "page-head")], |h| {
            h.el_text("h1", &[], "Alerts");
            h.el_text(
                "span",
                &[("class", "count")],
                &format!("{} shown of {}", rows.len(), n(view.alerts, "total")),
            );
            h.el_text("span", &[("id", "live-status"), ("class", "live"), ("aria-live", "polite")], "");
        });
        if let Some((changed, refused)) = view.outcome {
            let class = if refused > 0 { "notice warn" } else { "notice ok" };
            h.el_text(
                "div",
                &[("class", class), ("role", "status")],
                &format!("{changed} alerts changed; {refused} refused (not visible to you, your role may not triage them, or already in that state)"),
            );
        }
        filters(h, view);
        h.linked(
            "form",
            "action",
            &Href::fixed("/alerts/triage"),
            &[("method", "post"), ("id", "triage"), ("class", "triage")],
            |h| {
                csrf_field(h, chrome);
                h.void("input", &[("type", "hidden"), ("name", "filter_state"), ("value", view.state)]);
                h.void("input", &[("type", "hidden"), ("name", "filter_list"), ("value", view.list)]);
                h.el("div", &[("class", "bulk")], |h| {
                    h.void(
                        "input",
                        &[
                            ("type", "text"),
                            ("name", "note"),
                            ("placeholder", "Note (why)"),
                            ("maxlength", "10000"),
                            ("aria-label", "Note"),
                        ],
                    );
                    for (state, label, key) in [
                        ("acknowledged", "Acknowledge", "a"),
                        ("dismissed", "Dismiss", "d"),
                        ("escalated", "Escalate", "e"),
                    ] {
                        h.el_text(
                            "button",
                            &[
                                ("type", "submit"),
                                ("name", "state"),
                                ("value", state),
                                ("data-key", key),
                                ("title", &format!("{label} the selected alerts ({key})")),
                            ],
                            label,
                        );
                    }
                });
                h.el("table", &[("class", "grid alerts")], |h| {
                    h.el("thead", &[], |h| {
                        h.el("tr", &[], |h| {
                            h.el("th", &[], |h| {
                                h.void(
                                    "input",
                                    &[
                                        ("type", "checkbox"),
                                        ("id", "select-all"),
                                        ("aria-label", "Select all"),
                                    ],
                                );
                            });
                            for head in [
                                "Severity",
                                "State",
                                "Raised",
                                "Watchlist · entry",
                                "Matched",
                                "Method",
                                "Item",
                                "TLP",
                            ] {
                                h.el_text("th", &[], head);
                            }
                        });
                    });
                    h.el(
                        "tbody",
                        &[
                            ("id", "alert-rows"),
                            ("class", "rows"),
                            ("data-state", view.state),
                            ("data-list", view.list),
                        ],
                        |h| {
                            for row in rows {
                                alert_row(h, s(row, "key"), row.get("alert").unwrap_or(&Value::Null));
                            }
                        },
                    );
                });
                if rows.is_empty() {
                    h.el_text("p", &[("class", "empty")], "No alert you may see matches.");
                }
            },
        );
    })
}

fn filters(h: &mut Html, view: &AlertsView<'_>) {
    h.linked("form", "action", &Href::fixed("/alerts"), &[("method", "get"), ("class", "filters")], |h| {
        h.el("label", &[], |h| {
            h.text("State ");
            h.el("select", &[("name", "state")], |h| {
                option(h, "", "any", view.state);
                for state in STATES {
                    option(h, state, state, view.state);
                }
            });
        });
        h.el("label", &[], |h| {
            h.text("Watchlist ");
            h.el("select", &[("name", "list")], |h| {
                option(h, "", "any", view.list);
                for list in view.lists {
                    option(h, list, list, view.list);
                }
            });
        });
        h.el_text("button", &[("type", "submit")], "Filter");
    });
}

/// An `<option>`, selected when it is the current value.
pub fn option(h: &mut Html, value: &str, label: &str, current: &str) {
    if value == current {
        h.el_text("option", &[("value", value), ("selected", "")], label);
    } else {
        h.el_text("option", &[("value", value)], label);
    }
}

/// One alert row (the script builds the same row for live alerts, with `textContent`).
fn alert_row(h: &mut Html, key: &str, alert: &Value) {
    let state = s(alert, "state");
    let row_class = format!("row state-{}", css_word(state));
    h.el("tr", &[("class", &row_class), ("data-key", key)], |h| {
        h.el("td", &[], |h| {
            h.void(
                "input",
                &[("type", "checkbox"), ("name", "key"), ("value", key), ("aria-label", "Select")],
            );
        });
        let severity = s(alert, "severity");
        h.el_text("td", &[("class", &format!("sev sev-{}", css_word(severity)))], severity);
        h.el_text("td", &[("class", "state")], state);
        h.el_text("td", &[], &layout::minute(s(alert, "raised_at")));
        h.el("td", &[], |h| {
            h.link(&Href::path(&["watchlists", s(alert, "list")]), &[], s(alert, "list"));
            h.text(" · ");
            h.el_text("span", &[("title", s(alert, "describes"))], s(alert, "entry"));
        });
        h.el("td", &[], |h| {
            h.el_text("span", &[("class", "matched")], s(alert, "matched"));
            let form = s(alert, "form");
            if form != s(alert, "matched") {
                h.el_text("span", &[("class", "note")], &format!(" as “{form}”"));
            }
        });
        h.el_text("td", &[], s(alert, "method"));
        h.el("td", &[], |h| {
            h.link(
                &Href::path(&["items", s(alert, "item")]),
                &[("class", "open mono")],
                &s(alert, "item").chars().take(12).collect::<String>(),
            );
        });
        h.el("td", &[], |h| tlp_badge(h, s(alert, "tlp")));
    });
}
