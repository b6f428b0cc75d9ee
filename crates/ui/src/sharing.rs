//! The sharing page (administrators): the TAXII collections, the organisations that read and
//! write each, the same as a table of organisations by collection, and the form that creates a
//! collection.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, csrf_field, list, n, s};

/// What the page shows besides the sharing API's answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SharingView<'a> {
    /// The id of a collection just created (its row is announced).
    pub created: Option<&'a str>,
    /// The new-collection form as posted, when it was refused.
    pub form: CollectionForm<'a>,
}

/// The new-collection form's values and why they were refused (empty: a fresh form).
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectionForm<'a> {
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// Organisation ids (or `*`) that read it.
    pub readers: &'a [&'a str],
    /// Organisation ids (or `*`) that write to it.
    pub writers: &'a [&'a str],
    /// Why the server refused it.
    pub error: Option<&'a str>,
}

/// In a collection's readers or writers: every organisation.
const EVERYONE: &str = "*";

fn org_label<'a>(orgs: &'a [Value], id: &'a str) -> String {
    if id == EVERYONE {
        return "every organisation".to_owned();
    }
    match orgs.iter().find(|org| s(org, "id") == id).map(|org| s(org, "name")).filter(|name| !name.is_empty())
    {
        Some(name) => format!("{name} ({id})"),
        None => id.to_owned(),
    }
}

fn names_org(orgs: &[Value], id: &str) -> bool {
    orgs.iter().filter_map(Value::as_str).any(|org| org == id || org == EVERYONE)
}

/// The sharing page from the sharing API's answer.
pub fn sharing_page(chrome: &Chrome<'_>, sharing: &Value, view: &SharingView<'_>) -> String {
    layout::page(Some(chrome), Section::Sharing, "Sharing", None, |h| {
        h.el_text("h1", &[], "Sharing");
        h.el("p", &[("class", "note")], |h| {
            h.text("Intelligence is shared over TAXII 2.1 at ");
            h.el_text("code", &[], s(sharing, "api_root"));
            h.text(". Each collection names the organisations that read it and those that add to it; what a reader receives is further limited by each object's TLP and markings. You see in full the collections your organisation adds to.");
        });
        let created =
            view.created.and_then(|id| list(sharing, "collections").iter().find(|c| s(c, "id") == id));
        if let Some(collection) = created {
            h.el("div", &[("class", "notice ok"), ("role", "status")], |h| {
                h.text("Collection created: ");
                h.el_text("strong", &[], s(collection, "title"));
                h.text(" at ");
                h.el_text("code", &[], s(collection, "url"));
            });
        }
        collections(h, sharing);
        new_collection_form(h, chrome, sharing, &view.form);
    })
}

fn collections(h: &mut Html, sharing: &Value) {
    let collections = list(sharing, "collections");
    let orgs = list(sharing, "orgs");
    if collections.is_empty() {
        h.el_text("p", &[("class", "empty")], "Your organisation reads and writes no collection.");
        return;
    }
    h.el("table", &[("class", "grid collections")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                for head in ["Collection", "Readers", "Writers", "Objects you see", "Your organisation"] {
                    h.el_text("th", &[], head);
                }
            });
        });
        h.el("tbody", &[("class", "rows")], |h| {
            for collection in collections {
                collection_row(h, orgs, collection);
            }
        });
    });
    let full: Vec<&Value> =
        collections.iter().filter(|c| c.get("full").and_then(Value::as_bool) == Some(true)).collect();
    if full.is_empty() || orgs.is_empty() {
        return;
    }
    h.el_text("h2", &[], "Who may read and write what");
    h.el("table", &[("class", "grid access")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                h.el_text("th", &[], "Organisation");
                for collection in &full {
                    h.el_text("th", &[("class", "org"), ("scope", "col")], s(collection, "title"));
                }
            });
        });
        h.el("tbody", &[], |h| {
            for org in orgs {
                let id = s(org, "id");
                h.el("tr", &[], |h| {
                    h.el_text("th", &[("class", "org"), ("scope", "row")], &org_label(orgs, id));
                    for collection in &full {
                        let read = names_org(list(collection, "readers"), id);
                        let write = names_org(list(collection, "writers"), id);
                        let (class, text) = match (read, write) {
                            (true, true) => ("yes", "read, write"),
                            (true, false) => ("yes", "read"),
                            (false, true) => ("yes", "write"),
                            (false, false) => ("no", "—"),
                        };
                        h.el_text("td", &[("class", class)], text);
                    }
                });
            }
        });
    });
}

/// The form that creates a collection: title, description, and the organisations of the
/// directory (or every one) as readers and writers; a fresh form has the administrator's own
/// organisation writing.
fn new_collection_form(h: &mut Html, chrome: &Chrome<'_>, sharing: &Value, form: &CollectionForm<'_>) {
    let directory = list(sharing, "directory");
    let own = s(sharing, "org");
    let fresh = form.error.is_none();
    h.el("section", &[("class", "new-collection"), ("id", "new-collection")], |h| {
        h.el_text("h2", &[], "New collection");
        if let Some(error) = form.error {
            h.el_text("div", &[("class", "notice error"), ("role", "alert")], error);
        }
        h.linked(
            "form",
            "action",
            &Href::fixed("/sharing/collections"),
            &[("method", "post"), ("class", "stack"), ("id", "new-collection-form")],
            |h| {
                csrf_field(h, chrome);
                h.el("label", &[], |h| {
                    h.text("Title ");
                    h.void(
                        "input",
                        &[("type", "text"), ("name", "title"), ("value", form.title), ("required", ""), ("maxlength", "200")],
                    );
                });
                h.el("label", &[], |h| {
                    h.text("Description ");
                    h.el_text("textarea", &[("name", "description"), ("rows", "2")], form.description);
                });
                for (field, legend, chosen) in
                    [("reader", "Readers", form.readers), ("writer", "Writers", form.writers)]
                {
                    h.el("fieldset", &[("class", "org-choice")], |h| {
                        h.el_text("legend", &[], legend);
                        let fresh_choice = |id: &str| fresh && field == "writer" && id == own;
                        org_box(h, field, EVERYONE, "every organisation", chosen.contains(&EVERYONE));
                        for org in directory {
                            let id = s(org, "id");
                            let checked = chosen.contains(&id) || fresh_choice(id);
                            org_box(h, field, id, &org_label(directory, id), checked);
                        }
                    });
                }
                h.el_text("button", &[("type", "submit")], "Create collection");
            },
        );
        h.el_text(
            "p",
            &[("class", "note")],
            "Your organisation must be among the writers. Readers receive only what each object's TLP and markings allow them.",
        );
    });
}

fn org_box(h: &mut Html, field: &'static str, id: &str, label: &str, checked: bool) {
    h.el("label", &[], |h| {
        if checked {
            h.void("input", &[("type", "checkbox"), ("name", field), ("value", id), ("checked", "")]);
        } else {
            h.void("input", &[("type", "checkbox"), ("name", field), ("value", id)]);
        }
        h.text(&format!(" {label}"));
    });
}

fn collection_row(h: &mut Html, orgs: &[Value], collection: &Value) {
    h.el("tr", &[("class", "row")], |h| {
        h.el("td", &[], |h| {
            h.el_text("strong", &[], s(collection, "title"));
            let description = s(collection, "description");
            if !description.is_empty() {
                h.el_text("div", &[("class", "note")], description);
            }
            h.el_text("div", &[("class", "mono note")], s(collection, "url"));
        });
        for key in ["readers", "writers"] {
            h.el("td", &[], |h| {
                h.el("ul", &[("class", "orgs")], |h| {
                    for org in list(collection, key).iter().filter_map(Value::as_str) {
                        h.el_text("li", &[], &org_label(orgs, org));
                    }
                });
            });
        }
        h.el_text("td", &[], &n(collection, "objects").to_string());
        h.el("td", &[], |h| {
            let reads = collection.get("your_org_reads").and_then(Value::as_bool) == Some(true);
            let writes = collection.get("your_org_writes").and_then(Value::as_bool) == Some(true);
            let role = match (reads, writes) {
                (true, true) => "reads and writes",
                (false, true) => "writes",
                _ => "reads",
            };
            h.text(role);
            let hidden = n(collection, "hidden_orgs");
            if hidden > 0 {
                h.el_text("div", &[("class", "note")], &format!("{hidden} other organisations not shown"));
            }
        });
    });
}
