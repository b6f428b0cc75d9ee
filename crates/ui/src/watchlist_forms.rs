//! The forms that change watchlists: a new list, an entry (added or edited), a file import and
//! its result per record, the list's TLP and its deletion. Every form posts with the session's
//! CSRF token, and the forms of a list carry the version they were made against, so a change
//! to a list that moved on since the page was opened is refused rather than lost.

use serde_json::Value;

use crate::alerts::option;
use crate::html::{Href, Html};
use crate::layout::{Chrome, csrf_field, list, n, s, tlp_canonical};

/// The TLP labels a watchlist may have (a list names no recipients, so never RED).
const LIST_TLPS: [(&str, &str); 4] = [
    ("clear", "TLP:CLEAR"),
    ("green", "TLP:GREEN"),
    ("amber", "TLP:AMBER"),
    ("amber+strict", "TLP:AMBER+STRICT"),
];

/// The kinds of entries, with what their text is.
const KINDS: [(&str, &str); 4] = [
    ("name", "Name (person, organisation, group)"),
    ("indicator", "Indicator (IP, domain, URL, hash, e-mail, wallet…)"),
    ("pattern", "Pattern (regular expression)"),
    ("rule", "Rule (search query, may use watchlist:NAME)"),
];

const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The form that creates a list, as last sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewListForm<'a> {
    /// The name typed.
    pub name: &'a str,
    /// The TLP chosen (`amber` when empty).
    pub tlp: &'a str,
    /// Why it was refused.
    pub error: Option<&'a str>,
}

/// The entry form's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryForm {
    /// The entry's id: when editing, the entry's; when adding, as typed (empty: made up).
    pub id: String,
    /// Whether an existing entry is edited (its id is then fixed).
    pub editing: bool,
    /// `name`, `indicator`, `pattern` or `rule`.
    pub kind: String,
    /// The name, value, regular expression or query.
    pub text: String,
    /// A name's aliases, one per line.
    pub aliases: String,
    /// The severity.
    pub severity: String,
    /// The note.
    pub note: String,
    /// Why the last attempt was refused.
    pub error: Option<String>,
}

impl EntryForm {
    /// The form to edit `entry` (an entry of the watchlist JSON).
    pub fn editing(entry: &Value) -> EntryForm {
        let kind = s(entry, "kind");
        let text_key = match kind {
            "name" => "name",
            "indicator" => "value",
            "pattern" => "regex",
            _ => "query",
        };
        EntryForm {
            id: s(entry, "id").to_owned(),
            editing: true,
            kind: kind.to_owned(),
            text: s(entry, text_key).to_owned(),
            aliases: list(entry, "aliases").iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
            severity: s(entry, "severity").to_owned(),
            note: s(entry, "note").to_owned(),
            error: None,
        }
    }
}

/// The form that creates a list.
pub fn new_list_form(h: &mut Html, chrome: &Chrome<'_>, form: &NewListForm<'_>) {
    h.el("section", &[("class", "panel"), ("id", "new-list")], |h| {
        h.el_text("h2", &[], "New watchlist");
        if let Some(error) = form.error {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], error);
        }
        h.linked(
            "form",
            "action",
            &Href::fixed("/watchlists"),
            &[("method", "post"), ("class", "row-fields"), ("id", "new-list-form")],
            |h| {
                csrf_field(h, chrome);
                h.el("label", &[], |h| {
                    h.text("Name ");
                    h.void(
                        "input",
                        &[
                            ("type", "text"),
                            ("name", "name"),
                            ("value", form.name),
                            ("required", ""),
                            ("maxlength", "100"),
                            ("placeholder", "e.g. sanctions-un"),
                        ],
                    );
                });
                tlp_select(h, if form.tlp.is_empty() { "amber" } else { form.tlp });
                h.el_text("button", &[("type", "submit")], "Create");
            },
        );
        h.el_text(
            "p",
            &[("class", "note")],
            "The list belongs to your organisation; its TLP decides who sees it and its alerts (an alert is never marked lower than its list).",
        );
    });
}

fn tlp_select(h: &mut Html, current: &str) {
    let current = LIST_TLPS
        .iter()
        .find(|(value, label)| *value == current || Some(*label) == tlp_canonical(current))
        .map_or("amber", |(value, _)| value);
    h.el("label", &[], |h| {
        h.text("TLP ");
        h.el("select", &[("name", "tlp")], |h| {
            for (value, label) in LIST_TLPS {
                option(h, value, label, current);
            }
        });
    });
}

fn hidden(h: &mut Html, name: &'static str, value: &str) {
    h.void("input", &[("type", "hidden"), ("name", name), ("value", value)]);
}

/// The form that adds an entry or edits one.
pub fn entry_form(
    h: &mut Html,
    chrome: &Chrome<'_>,
    list_name: &str,
    version: &str,
    form: Option<&EntryForm>,
) {
    let empty = EntryForm::default();
    let form = form.unwrap_or(&empty);
    h.el("section", &[("class", "panel"), ("id", "entry")], |h| {
        let title = if form.editing { format!("Edit entry {}", form.id) } else { "Add an entry".to_owned() };
        h.el_text("h2", &[], &title);
        if let Some(error) = &form.error {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], error);
        }
        h.linked(
            "form",
            "action",
            &Href::path(&["watchlists", list_name, "entries"]),
            &[("method", "post"), ("class", "stack"), ("id", "entry-form")],
            |h| {
                csrf_field(h, chrome);
                hidden(h, "version", version);
                h.el("div", &[("class", "row-fields")], |h| {
                    if form.editing {
                        hidden(h, "id", &form.id);
                        hidden(h, "editing", "1");
                    } else {
                        h.el("label", &[], |h| {
                            h.text("Id ");
                            h.void(
                                "input",
                                &[
                                    ("type", "text"),
                                    ("name", "id"),
                                    ("value", &form.id),
                                    ("maxlength", "200"),
                                    ("placeholder", "made up if empty"),
                                    ("size", "14"),
                                ],
                            );
                        });
                    }
                    h.el("label", &[], |h| {
                        h.text("Kind ");
                        h.el("select", &[("name", "kind"), ("id", "entry-kind")], |h| {
                            let current = if form.kind.is_empty() { "name" } else { form.kind.as_str() };
                            for (value, label) in KINDS {
                                option(h, value, label, current);
                            }
                        });
                    });
                    h.el("label", &[], |h| {
                        h.text("Severity ");
                        h.el("select", &[("name", "severity")], |h| {
                            let current =
                                if form.severity.is_empty() { "medium" } else { form.severity.as_str() };
                            for severity in SEVERITIES {
                                option(h, severity, severity, current);
                            }
                        });
                    });
                });
                h.el("label", &[], |h| {
                    h.text("Looks for ");
                    h.void(
                        "input",
                        &[
                            ("type", "text"),
                            ("name", "text"),
                            ("value", &form.text),
                            ("required", ""),
                            ("maxlength", "4096"),
                            ("class", "wide"),
                            (
                                "placeholder",
                                "the name, the indicator value, the regular expression or the query",
                            ),
                        ],
                    );
                });
                h.el("label", &[("class", "aliases-field")], |h| {
                    h.text("Aliases (names only; one per line, any script) ");
                    h.el_text("textarea", &[("name", "aliases"), ("rows", "3")], &form.aliases);
                });
                h.el("label", &[], |h| {
                    h.text("Note ");
                    h.void(
                        "input",
                        &[
                            ("type", "text"),
                            ("name", "note"),
                            ("value", &form.note),
                            ("maxlength", "10000"),
                            ("class", "wide"),
                            ("placeholder", "why it is listed, a reference"),
                        ],
                    );
                });
                h.el("div", &[("class", "row-fields")], |h| {
                    let label = if form.editing { "Save entry" } else { "Add entry" };
                    h.el_text("button", &[("type", "submit")], label);
                    if form.editing {
                        h.link(&Href::path(&["watchlists", list_name]), &[], "Cancel");
                    }
                });
            },
        );
    });
}

/// The form that imports a file into the list. The script reads the chosen files and sends
/// their bytes (base64, in hidden fields) with the form; without script, paste the content.
pub fn import_form(
    h: &mut Html,
    chrome: &Chrome<'_>,
    list_name: &str,
    version: &str,
    formats: &[(&str, &str)],
) {
    h.el("section", &[("class", "panel"), ("id", "import")], |h| {
        h.el_text("h2", &[], "Import a file into this list");
        h.linked(
            "form",
            "action",
            &Href::path(&["watchlists", list_name, "import"]),
            &[("method", "post"), ("class", "stack"), ("id", "watchlist-import")],
            |h| {
                csrf_field(h, chrome);
                hidden(h, "version", version);
                h.void("input", &[("type", "hidden"), ("name", "file_b64"), ("id", "watchlist-file-b64")]);
                h.void("input", &[("type", "hidden"), ("name", "alt_b64"), ("id", "watchlist-alt-b64")]);
                h.void("input", &[("type", "hidden"), ("name", "filename"), ("id", "watchlist-filename")]);
                h.el("div", &[("class", "row-fields")], |h| {
                    h.el("label", &[], |h| {
                        h.text("Format ");
                        h.el("select", &[("name", "format"), ("required", "")], |h| {
                            for (value, label) in formats {
                                option(h, value, label, "csv");
                            }
                        });
                    });
                    h.el("fieldset", &[("class", "inline-choice")], |h| {
                        h.el_text("legend", &[], "Entries already in the list");
                        for (value, label, checked) in [
                            ("merge", "keep them (same id: replaced)", true),
                            ("replace", "replace them all with the file's", false),
                        ] {
                            h.el("label", &[], |h| {
                                if checked {
                                    h.void(
                                        "input",
                                        &[
                                            ("type", "radio"),
                                            ("name", "mode"),
                                            ("value", value),
                                            ("checked", ""),
                                        ],
                                    );
                                } else {
                                    h.void("input", &[("type", "radio"), ("name", "mode"), ("value", value)]);
                                }
                                h.text(label);
                            });
                        }
                    });
                });
                h.el("div", &[("class", "row-fields")], |h| {
                    h.el("label", &[], |h| {
                        h.text("File ");
                        h.void("input", &[("type", "file"), ("id", "watchlist-file")]);
                    });
                    h.el("label", &[], |h| {
                        h.text("OFAC alt.csv (aliases, optional) ");
                        h.void("input", &[("type", "file"), ("id", "watchlist-alt")]);
                    });
                });
                h.el("label", &[], |h| {
                    h.text("or paste the content ");
                    h.el_text(
                        "textarea",
                        &[("name", "content"), ("rows", "4"), ("aria-label", "Content")],
                        "",
                    );
                });
                h.el("div", &[("class", "row-fields")], |h| {
                    h.el_text("button", &[("type", "submit")], "Import");
                    h.el_text(
                        "span",
                        &[("id", "watchlist-import-status"), ("class", "note"), ("aria-live", "polite")],
                        "",
                    );
                });
            },
        );
    });
}

/// What an import did: the counts, then each record's outcome and the records left out.
pub fn import_result(h: &mut Html, list_name: &str, result: Result<&Value, &str>) {
    let summary = match result {
        Err(message) => {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], message);
            return;
        }
        Ok(summary) => summary,
    };
    h.el_text(
        "h2",
        &[],
        &format!(
            "Import into {list_name}: version {} ({}, {})",
            n(summary, "version"),
            s(summary, "format"),
            s(summary, "mode")
        ),
    );
    h.el("dl", &[("class", "summary")], |h| {
        for (label, key) in [
            ("Records read", "read"),
            ("Added", "added"),
            ("Replaced", "replaced"),
            ("Unchanged", "unchanged"),
            ("Removed", "removed"),
            ("Left out or changed by the parser", "warnings"),
            ("Not screened", "screen_warnings"),
            ("Entries now", "entries"),
        ] {
            let value = match summary.get(key) {
                Some(Value::Array(items)) => items.len() as u64,
                _ => n(summary, key),
            };
            h.el_text("dt", &[], label);
            h.el_text("dd", &[("data-field", key)], &value.to_string());
        }
    });
    problems(h, "Records the parser left out or changed", list(summary, "warnings"));
    problems(h, "Entries the screener will not use", list(summary, "screen_warnings"));
    let records = list(summary, "records");
    if !records.is_empty() {
        h.el("details", &[("class", "records"), ("open", "")], |h| {
            let shown = records.len() as u64;
            let read = n(summary, "read");
            let title = if shown < read {
                format!("Records (first {shown} of {read})")
            } else {
                format!("Records ({shown})")
            };
            h.el_text("summary", &[], &title);
            h.el("table", &[("class", "grid")], |h| {
                h.el("thead", &[], |h| {
                    h.el("tr", &[], |h| {
                        for head in ["Entry", "Kind", "Looks for", "Outcome"] {
                            h.el_text("th", &[], head);
                        }
                    });
                });
                h.el("tbody", &[], |h| {
                    for record in records {
                        let outcome = s(record, "outcome");
                        h.el(
                            "tr",
                            &[("class", &format!("outcome-{}", crate::item::css_word(outcome)))],
                            |h| {
                                h.el_text("td", &[("class", "mono")], s(record, "id"));
                                h.el_text("td", &[], s(record, "kind"));
                                h.el_text("td", &[], s(record, "describes"));
                                h.el_text("td", &[], outcome);
                            },
                        );
                    }
                });
            });
        });
    }
    let removed = list(summary, "removed_ids");
    if !removed.is_empty() {
        let ids: Vec<&str> = removed.iter().filter_map(Value::as_str).collect();
        h.el_text("p", &[("class", "note")], &format!("Removed: {}", ids.join(", ")));
    }
}

fn problems(h: &mut Html, title: &str, rows: &[Value]) {
    if rows.is_empty() {
        return;
    }
    h.el_text("h3", &[], &format!("{title} ({})", rows.len()));
    h.el("table", &[("class", "grid problems")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                h.el_text("th", &[], "Record");
                h.el_text("th", &[], "What happened");
            });
        });
        h.el("tbody", &[], |h| {
            for row in rows {
                h.el("tr", &[], |h| {
                    h.el_text("td", &[("class", "mono")], s(row, "record"));
                    h.el_text("td", &[], s(row, "message"));
                });
            }
        });
    });
}

/// The list's TLP, and its deletion.
pub fn settings_form(h: &mut Html, chrome: &Chrome<'_>, list_name: &str, version: &str, tlp: &str) {
    h.el("section", &[("class", "panel")], |h| {
        h.el_text("h2", &[], "Markings");
        h.linked(
            "form",
            "action",
            &Href::path(&["watchlists", list_name, "settings"]),
            &[("method", "post"), ("class", "row-fields")],
            |h| {
                csrf_field(h, chrome);
                hidden(h, "version", version);
                tlp_select(h, tlp);
                h.el_text("button", &[("type", "submit")], "Change");
            },
        );
        h.el_text(
            "p",
            &[("class", "note")],
            "Only your organisation changes its lists; a less restrictive label widens who sees the list and its alerts.",
        );
        h.el("details", &[("class", "danger-zone")], |h| {
            h.el_text("summary", &[], "Delete this list");
            h.linked(
                "form",
                "action",
                &Href::path(&["watchlists", list_name, "delete"]),
                &[("method", "post"), ("class", "stack")],
                |h| {
                    csrf_field(h, chrome);
                    hidden(h, "version", version);
                    h.el("label", &[], |h| {
                        h.void("input", &[("type", "checkbox"), ("name", "confirm"), ("value", "yes"), ("required", "")]);
                        h.text(" I want to delete this list (only a list that raised no alert can be)");
                    });
                    h.el_text("button", &[("type", "submit"), ("class", "danger")], "Delete list");
                },
            );
        });
    });
}
