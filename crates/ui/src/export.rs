//! The export page: a query, a preview of what it would export (how many items, the TLP the
//! file will carry, every indicator with the item it came from), and the two downloads, a
//! STIX 2.1 bundle and a MISP event.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, list, n, s, tlp_badge};
use crate::search::query_value;

/// What the export page shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportView<'a> {
    /// The query typed.
    pub query: &'a str,
    /// The title given to the event or report.
    pub info: &'a str,
    /// The preview's answer, or why the query failed.
    pub preview: Option<Result<&'a Value, &'a str>>,
}

/// The export page.
pub fn export_page(chrome: &Chrome<'_>, view: &ExportView<'_>) -> String {
    let preview = view.preview.and_then(Result::ok);
    let tlp = preview.map(|p| s(p, "tlp")).filter(|_| preview.is_some_and(|p| n(p, "items") > 0));
    layout::page(Some(chrome), Section::Export, "Export", tlp, |h| {
        h.el_text("h1", &[], "Export");
        h.el_text(
            "p",
            &[("class", "note")],
            "Export what a query finds, as far as you may see it: the indicators found in the items, as a STIX 2.1 bundle (a report, indicators with patterns, vulnerabilities) or a MISP event. The file carries the most restrictive TLP of the items it draws from; share it no further than that label allows.",
        );
        h.linked(
            "form",
            "action",
            &Href::fixed("/export"),
            &[("method", "get"), ("class", "stack"), ("id", "export-form")],
            |h| {
                h.el("label", &[], |h| {
                    h.text("Query ");
                    h.void(
                        "input",
                        &[
                            ("type", "search"),
                            ("name", "q"),
                            ("id", "query"),
                            ("class", "query"),
                            ("value", view.query),
                            ("required", ""),
                            ("list", "query-fields"),
                            ("autocomplete", "off"),
                            ("placeholder", "e.g. entity:Sandworm date:>now-30d"),
                        ],
                    );
                });
                h.el("label", &[], |h| {
                    h.text("Title of the event or report ");
                    h.void(
                        "input",
                        &[
                            ("type", "text"),
                            ("name", "info"),
                            ("value", view.info),
                            ("maxlength", "500"),
                            ("class", "wide"),
                            ("placeholder", "Muninn export: the query"),
                        ],
                    );
                });
                h.el_text("button", &[("type", "submit")], "Preview");
            },
        );
        match view.preview {
            None => {}
            Some(Err(message)) => {
                h.el_text("div", &[("class", "notice error"), ("role", "alert")], message);
            }
            Some(Ok(preview)) => preview_section(h, view, preview),
        }
    })
}

fn preview_section(h: &mut Html, view: &ExportView<'_>, preview: &Value) {
    h.el("section", &[("class", "result"), ("id", "export-preview")], |h| {
        h.el("div", &[("class", "page-head")], |h| {
            h.el_text("h2", &[], "What the export holds");
            if n(preview, "items") > 0 {
                tlp_badge(h, s(preview, "tlp"));
            }
        });
        h.el("dl", &[("class", "summary")], |h| {
            for (label, key) in [("Items you may export", "items"), ("Indicators", "attribute_count")] {
                h.el_text("dt", &[], label);
                h.el_text("dd", &[("data-field", key)], &n(preview, key).to_string());
            }
            h.el_text("dt", &[], "By type");
            h.el("dd", &[], |h| {
                if let Some(types) = preview.get("by_type").and_then(Value::as_object) {
                    for (kind, count) in types {
                        h.el_text("span", &[("class", "chip")], &format!("{kind} {}", count.as_u64().unwrap_or(0)));
                    }
                }
            });
        });
        if preview.get("truncated").and_then(Value::as_bool) == Some(true) {
            h.el_text(
                "div",
                &[("class", "notice warn"), ("role", "status")],
                &format!(
                    "The query finds {} items; the export draws from the first {} by relevance. Narrow the query to export the rest.",
                    n(preview, "total"),
                    n(preview, "items")
                ),
            );
        }
        if n(preview, "items") == 0 {
            h.el_text("p", &[("class", "empty")], "Nothing you may export matches.");
            return;
        }
        h.el("div", &[("class", "row-fields downloads")], |h| {
            for (format, label) in [("stix", "Download STIX 2.1 bundle"), ("misp", "Download MISP event")] {
                let href = Href::fixed("/export/download").query(&[
                    ("q", view.query),
                    ("format", format),
                    ("info", view.info),
                ]);
                h.link(&href, &[("class", "button"), ("download", ""), ("data-format", format)], label);
            }
        });
        let attributes = list(preview, "attributes");
        let total = n(preview, "attribute_count");
        let heading = if (attributes.len() as u64) < total {
            format!("Indicators (first {} of {total})", attributes.len())
        } else {
            format!("Indicators ({total})")
        };
        h.el_text("h3", &[], &heading);
        h.el("table", &[("class", "grid")], |h| {
            h.el("thead", &[], |h| {
                h.el("tr", &[], |h| {
                    for head in ["Type", "Value", "For detection", "Found in"] {
                        h.el_text("th", &[], head);
                    }
                });
            });
            h.el("tbody", &[("class", "rows")], |h| {
                for attribute in attributes {
                    h.el("tr", &[("class", "row")], |h| {
                        h.el_text("td", &[], s(attribute, "type"));
                        h.el("td", &[], |h| {
                            let query = format!("indicator:{}", query_value(s(attribute, "value")));
                            h.link(&Href::fixed("/search").query(&[("q", &query)]), &[("class", "ioc")], s(attribute, "value"));
                        });
                        let detection = if attribute.get("to_ids").and_then(Value::as_bool) == Some(true) { "yes" } else { "no" };
                        h.el_text("td", &[], detection);
                        h.el("td", &[], |h| {
                            let item = s(attribute, "item");
                            h.link(&Href::path(&["items", item]), &[("class", "open mono")], &item.chars().take(12).collect::<String>());
                        });
                    });
                }
            });
        });
    });
}
