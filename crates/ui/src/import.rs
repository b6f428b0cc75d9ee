//! The import page: a file sent by the script to `POST /api/v1/items` with the chosen format,
//! source and TLP (the per-run result shown under the form), or a pasted text posted to the
//! page itself without script.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, csrf_field, list, n};

/// What the import page shows.
#[derive(Debug, Clone, Copy)]
pub struct ImportView<'a> {
    /// The formats the server reads.
    pub formats: &'a [&'a str],
    /// The last run's answer (a posted text), or why it failed.
    pub result: Option<Result<&'a Value, &'a str>>,
}

/// The import page.
pub fn import_page(chrome: &Chrome<'_>, view: &ImportView<'_>) -> String {
    layout::page(Some(chrome), Section::Import, "Import", None, |h| {
        h.el_text("h1", &[], "Import");
        h.el_text(
            "p",
            &[("class", "note")],
            "Items are stored as you and your organisation, screened against the watchlists as they arrive. Markings are never lowered: a label in the file above the TLP chosen here is kept.",
        );
        h.linked(
            "form",
            "action",
            &Href::fixed("/import"),
            &[("method", "post"), ("id", "import-form"), ("class", "stack"), ("data-api", "/api/v1/items")],
            |h| {
                csrf_field(h, chrome);
                h.el("div", &[("class", "row-fields")], |h| {
                    h.el("label", &[], |h| {
                        h.text("Format ");
                        h.el("select", &[("name", "format"), ("required", "")], |h| {
                            for format in view.formats {
                                crate::alerts::option(h, format, format, "text");
                            }
                        });
                    });
                    h.el("label", &[], |h| {
                        h.text("Source ");
                        h.void(
                            "input",
                            &[
                                ("type", "text"),
                                ("name", "source"),
                                ("placeholder", "upload"),
                                ("pattern", "[a-z0-9._-]+"),
                                ("maxlength", "64"),
                            ],
                        );
                    });
                    h.el("label", &[], |h| {
                        h.text("TLP ");
                        h.el("select", &[("name", "tlp")], |h| {
                            for tlp in ["clear", "green", "amber", "amber+strict", "red"] {
                                crate::alerts::option(
                                    h,
                                    tlp,
                                    &format!("TLP:{}", tlp.to_ascii_uppercase()),
                                    "amber",
                                );
                            }
                        });
                    });
                    h.el("label", &[], |h| {
                        h.text("Grade ");
                        h.void(
                            "input",
                            &[
                                ("type", "text"),
                                ("name", "grade"),
                                ("placeholder", "F6"),
                                ("pattern", "[A-Fa-f][1-6]"),
                                ("maxlength", "2"),
                                ("size", "3"),
                            ],
                        );
                    });
                });
                h.el("label", &[], |h| {
                    h.text("File ");
                    h.void("input", &[("type", "file"), ("name", "file"), ("id", "import-file")]);
                });
                h.el("label", &[], |h| {
                    h.text("or paste the content ");
                    h.el_text("textarea", &[("name", "text"), ("rows", "6"), ("aria-label", "Content")], "");
                });
                h.el_text("button", &[("type", "submit")], "Import");
                h.el("progress", &[("id", "import-progress"), ("hidden", ""), ("max", "100")], |_| {});
            },
        );
        h.el("section", &[("id", "import-result"), ("class", "result"), ("aria-live", "polite")], |h| {
            if let Some(result) = view.result {
                run_result(h, result);
            }
        });
    })
}

/// What one run did (the script renders the same from the API's answer).
fn run_result(h: &mut Html, result: Result<&Value, &str>) {
    match result {
        Err(message) => {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], message);
        }
        Ok(summary) => {
            h.el_text("h2", &[], "Result");
            h.el("dl", &[("class", "summary")], |h| {
                for (label, key) in [
                    ("Stored", "stored"),
                    ("Duplicates", "duplicates"),
                    ("Rejected", "rejected"),
                    ("Alerts", "alerts"),
                    ("Bytes", "bytes"),
                ] {
                    h.el_text("dt", &[], label);
                    h.el_text("dd", &[("data-field", key)], &n(summary, key).to_string());
                }
            });
            let problems = list(summary, "problems");
            if !problems.is_empty() {
                h.el("ul", &[("class", "problems")], |h| {
                    for problem in problems.iter().filter_map(Value::as_str) {
                        h.el_text("li", &[], problem);
                    }
                });
            }
            h.link(&Href::fixed("/search").query(&[("q", "date:>now-1d")]), &[], "Search what arrived today");
        }
    }
}
