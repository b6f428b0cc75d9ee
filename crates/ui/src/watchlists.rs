//! Watchlists: the lists (and a form to create one), one list's entries (each editable and
//! removable by those who may change the list), a file import with a result per record, and
//! a form that screens a text with the list and explains every hit. The forms are in
//! [`crate::watchlist_forms`].

use serde_json::Value;

use crate::html::{Href, Html};
use crate::item::css_word;
use crate::layout::{self, Chrome, Section, csrf_field, list, n, s, tlp_badge};
use crate::search::marked_text;
use crate::watchlist_forms::{self, EntryForm, NewListForm};

/// Most entries shown at once (a filter narrows them).
pub const MAX_ENTRIES_SHOWN: usize = 500;

/// What the list of watchlists shows besides the lists.
#[derive(Debug, Clone, Default)]
pub struct IndexView<'a> {
    /// Whether the user may create lists (the form is shown only then).
    pub may_create: bool,
    /// The creation form as last sent, with why it was refused.
    pub form: NewListForm<'a>,
    /// A list just deleted.
    pub deleted: Option<&'a str>,
}

/// The list of watchlists, and the form to create one.
pub fn watchlists_page(chrome: &Chrome<'_>, lists: &Value, view: &IndexView<'_>) -> String {
    let rows = list(lists, "watchlists");
    let tlp = layout::most_restrictive(rows.iter().map(|row| s(row, "tlp")));
    layout::page(Some(chrome), Section::Watchlists, "Watchlists", tlp, |h| {
        h.el_text("h1", &[], "Watchlists");
        if let Some(name) = view.deleted {
            h.el_text(
                "div",
                &[("class", "notice ok"), ("role", "status")],
                &format!("Watchlist {name} deleted."),
            );
        }
        h.el("table", &[("class", "grid")], |h| {
            h.el("thead", &[], |h| {
                h.el("tr", &[], |h| {
                    for head in ["Name", "Owner", "TLP", "Version", "Entries"] {
                        h.el_text("th", &[], head);
                    }
                });
            });
            h.el("tbody", &[("class", "rows")], |h| {
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
        });
        if rows.is_empty() {
            h.el_text("p", &[("class", "empty")], "No watchlist you may see.");
        }
        if view.may_create {
            watchlist_forms::new_list_form(h, chrome, &view.form);
        } else {
            h.el_text(
                "p",
                &[("class", "note")],
                "Your role reads watchlists and tests texts against them; analysts and administrators create and change them.",
            );
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

/// What just happened to the list, said at the top of its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice<'a> {
    /// The list was created.
    Created,
    /// The entry with this id was saved.
    Saved(&'a str),
    /// The entry with this id was removed.
    Removed(&'a str),
    /// The list's TLP was changed.
    Settings,
    /// A change was refused; the text says why.
    Refused(&'a str),
}

/// One watchlist's page.
#[derive(Debug, Clone, Default)]
pub struct ListView<'a> {
    /// Whether the user may change the list (the editing forms are shown only then).
    pub may_change: bool,
    /// The last test run, if one just ran.
    pub test: Option<TestRun<'a>>,
    /// The entry form: an entry being edited, or a new one refused (with why); `None` for an
    /// empty form for a new entry.
    pub entry: Option<EntryForm>,
    /// The last import's answer, or why it failed.
    pub import: Option<Result<&'a Value, &'a str>>,
    /// The import formats: name and description.
    pub formats: &'a [(&'a str, &'a str)],
    /// What just happened.
    pub notice: Option<Notice<'a>>,
    /// Only entries whose id, text or note contain this (case-insensitive).
    pub find: &'a str,
}

/// One watchlist: entries (filterable, each with its edit and remove actions), the forms that
/// change it, the import and its results, and the test form with the last run's explanation.
pub fn watchlist_page(chrome: &Chrome<'_>, watchlist: &Value, view: &ListView<'_>) -> String {
    let name = s(watchlist, "name");
    let tlp = s(watchlist, "tlp");
    let version = n(watchlist, "version").to_string();
    layout::page(Some(chrome), Section::Watchlists, name, Some(tlp), |h| {
        h.el("div", &[("class", "page-head")], |h| {
            h.el_text("h1", &[], name);
            tlp_badge(h, tlp);
            h.el_text(
                "span",
                &[("class", "note")],
                &format!(
                    "owner {} · version {} · {} entries",
                    s(watchlist, "owner"),
                    version,
                    list(watchlist, "entries").len()
                ),
            );
        });
        if let Some(notice) = view.notice {
            notice_line(h, notice);
        }
        h.el("div", &[("class", "item-layout")], |h| {
            h.el("section", &[("class", "entries")], |h| {
                // The last import's result first: it is what the analyst just asked for.
                h.el(
                    "section",
                    &[("id", "import-result"), ("class", "result"), ("aria-live", "polite")],
                    |h| {
                        if let Some(result) = view.import {
                            watchlist_forms::import_result(h, name, result);
                        }
                    },
                );
                entries(h, chrome, watchlist, view);
                if view.may_change {
                    watchlist_forms::entry_form(h, chrome, name, &version, view.entry.as_ref());
                    watchlist_forms::import_form(h, chrome, name, &version, view.formats);
                }
            });
            h.el("aside", &[("class", "side")], |h| {
                test_form(h, chrome, name, view.test.as_ref());
                if view.may_change {
                    watchlist_forms::settings_form(h, chrome, name, &version, tlp);
                }
            });
        });
    })
}

fn notice_line(h: &mut Html, notice: Notice<'_>) {
    let (class, text) = match notice {
        Notice::Created => {
            ("notice ok", "Watchlist created. Add entries below, or import a file.".to_owned())
        }
        Notice::Saved(id) => ("notice ok", format!("Entry {id} saved; new items are screened with it.")),
        Notice::Removed(id) => ("notice ok", format!("Entry {id} removed.")),
        Notice::Settings => ("notice ok", "The list's TLP was changed.".to_owned()),
        Notice::Refused(why) => ("notice error", why.to_owned()),
    };
    let role = if class == "notice error" { "alert" } else { "status" };
    h.el_text("div", &[("class", class), ("role", role)], &text);
}

/// The text an entry looks for, in one line (for the filter).
fn entry_text(entry: &Value) -> String {
    let mut text = format!("{} {} {}", s(entry, "id"), s(entry, "note"), s(entry, "kind"));
    for key in ["name", "value", "regex", "query"] {
        text.push(' ');
        text.push_str(s(entry, key));
    }
    for alias in list(entry, "aliases").iter().filter_map(Value::as_str) {
        text.push(' ');
        text.push_str(alias);
    }
    text.to_lowercase()
}

fn entries(h: &mut Html, chrome: &Chrome<'_>, watchlist: &Value, view: &ListView<'_>) {
    let name = s(watchlist, "name");
    let all = list(watchlist, "entries");
    let find = view.find.trim().to_lowercase();
    let matching: Vec<&Value> =
        all.iter().filter(|entry| find.is_empty() || entry_text(entry).contains(&find)).collect();
    h.el("div", &[("class", "page-head")], |h| {
        h.el_text("h2", &[], &format!("Entries ({})", all.len()));
        h.linked(
            "form",
            "action",
            &Href::path(&["watchlists", name]),
            &[("method", "get"), ("class", "filters"), ("role", "search")],
            |h| {
                h.void(
                    "input",
                    &[
                        ("type", "search"),
                        ("name", "find"),
                        ("value", view.find),
                        ("placeholder", "Find entries"),
                        ("aria-label", "Find entries by id, name, value or note"),
                    ],
                );
                h.el_text("button", &[("type", "submit")], "Find");
            },
        );
    });
    if !find.is_empty() || matching.len() > MAX_ENTRIES_SHOWN {
        h.el_text(
            "p",
            &[("class", "count")],
            &format!("{} entries match; {} shown", matching.len(), matching.len().min(MAX_ENTRIES_SHOWN)),
        );
    }
    let version = n(watchlist, "version").to_string();
    h.el("table", &[("class", "grid entries")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                for head in ["Id", "Kind", "Looks for", "Severity", "Note"] {
                    h.el_text("th", &[], head);
                }
                if view.may_change {
                    h.el_text("th", &[], "Actions");
                }
            });
        });
        h.el("tbody", &[("class", "rows")], |h| {
            for entry in matching.iter().take(MAX_ENTRIES_SHOWN) {
                entry_row(h, chrome, name, &version, entry, view.may_change);
            }
        });
    });
    if all.is_empty() {
        h.el_text("p", &[("class", "empty")], "This list has no entries yet.");
    }
}

fn entry_row(h: &mut Html, chrome: &Chrome<'_>, name: &str, version: &str, entry: &Value, may_change: bool) {
    let id = s(entry, "id");
    h.el("tr", &[("class", "row"), ("id", &format!("entry-{}", css_word(id)))], |h| {
        h.el_text("td", &[("class", "mono")], id);
        h.el_text("td", &[], s(entry, "kind"));
        h.el("td", &[], |h| match s(entry, "kind") {
            "name" => {
                h.el_text("strong", &[], s(entry, "name"));
                let aliases: Vec<&str> = list(entry, "aliases").iter().filter_map(Value::as_str).collect();
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
        if may_change {
            h.el("td", &[("class", "actions")], |h| {
                let edit = Href::path(&["watchlists", name]).query(&[("edit", id)]);
                h.link(&edit, &[("class", "open"), ("title", "Edit this entry (o)")], "Edit");
                h.linked(
                    "form",
                    "action",
                    &Href::path(&["watchlists", name, "entries", "remove"]),
                    &[("method", "post"), ("class", "inline")],
                    |h| {
                        csrf_field(h, chrome);
                        h.void("input", &[("type", "hidden"), ("name", "id"), ("value", id)]);
                        h.void("input", &[("type", "hidden"), ("name", "version"), ("value", version)]);
                        h.el_text(
                            "button",
                            &[
                                ("type", "submit"),
                                ("class", "danger"),
                                ("aria-label", &format!("Remove entry {id}")),
                            ],
                            "Remove",
                        );
                    },
                );
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
