//! The incident pages: the list (filtered by country, actor and dates, newest first, paged)
//! and one incident, from the answers of `GET /api/v1/incidents` and `/api/v1/incidents/{id}`;
//! and the incidents table the entity page shows.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, list, s, tlp_badge};

/// The filters of the list as the user gave them (shown back in the form).
#[derive(Debug, Clone, Copy, Default)]
pub struct IncidentFilters<'a> {
    /// Country (alpha-2, alpha-3 or English short name).
    pub country: &'a str,
    /// Actor name or alias.
    pub actor: &'a str,
    /// First day, `YYYY-MM-DD`.
    pub from: &'a str,
    /// Last day, `YYYY-MM-DD`.
    pub to: &'a str,
}

impl IncidentFilters<'_> {
    /// The filters as query pairs, the empty ones left out.
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [("country", self.country), ("actor", self.actor), ("from", self.from), ("to", self.to)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .collect()
    }
}

/// What the list page shows: the filters, and the API's answer or why the filters were refused.
#[derive(Debug, Clone, Copy)]
pub struct IncidentsView<'a> {
    /// The filters given.
    pub filters: IncidentFilters<'a>,
    /// `GET /api/v1/incidents`'s answer.
    pub results: Option<&'a Value>,
    /// Why the filters were refused.
    pub error: Option<&'a str>,
    /// Whether this is a page after the first.
    pub paged: bool,
}

/// The list of incidents.
pub fn incidents_page(chrome: &Chrome<'_>, view: &IncidentsView<'_>) -> String {
    let rows = view.results.map_or(&[][..], |results| list(results, "incidents"));
    let tlp = layout::most_restrictive(rows.iter().map(|row| s(row, "tlp")));
    layout::page(Some(chrome), Section::Incidents, "Incidents", tlp, |h| {
        h.el("section", &[("class", "incidents")], |h| {
            h.el_text("h1", &[], "Incidents");
            filter_form(h, &view.filters);
            if let Some(error) = view.error {
                h.el_text("p", &[("class", "error"), ("role", "alert")], error);
            }
            let Some(results) = view.results else { return };
            let total = results.get("total").and_then(Value::as_u64).unwrap_or(0);
            h.el_text("p", &[("class", "count")], &format!("{total} incident(s) you may see"));
            incident_table(h, rows, false);
            h.el("nav", &[("class", "pager"), ("aria-label", "Pages")], |h| {
                let pairs = view.filters.pairs();
                if view.paged {
                    h.link(&Href::fixed("/incidents").query(&pairs), &[], "First page");
                }
                if let Some(next) = results.get("next").and_then(Value::as_str) {
                    let mut with_next = pairs.clone();
                    with_next.push(("after", next));
                    h.link(
                        &Href::fixed("/incidents").query(&with_next),
                        &[("rel", "next"), ("class", "next")],
                        "Next page →",
                    );
                }
            });
        });
    })
}

fn filter_form(h: &mut Html, filters: &IncidentFilters<'_>) {
    h.linked(
        "form",
        "action",
        &Href::fixed("/incidents"),
        &[("method", "get"), ("class", "incident-filter"), ("role", "search")],
        |h| {
            let fields: [(&'static str, &'static str, &str, &'static str); 4] = [
                ("country", "Country", filters.country, "UA, UKR or Ukraine"),
                ("actor", "Actor", filters.actor, "name or alias"),
                ("from", "From", filters.from, "YYYY-MM-DD"),
                ("to", "To", filters.to, "YYYY-MM-DD"),
            ];
            for (name, label, value, hint) in fields {
                h.el("label", &[], |h| {
                    h.text(label);
                    h.text(" ");
                    h.void(
                        "input",
                        &[("type", "text"), ("name", name), ("value", value), ("placeholder", hint)],
                    );
                });
            }
            h.el_text("button", &[("type", "submit")], "Filter");
        },
    );
}

/// A table of incidents (the list's rows, or an entity's with its role in each), each linked
/// to its page, its country to the list of that country, its actor to the actor's entity page.
pub fn incident_table(h: &mut Html, rows: &[Value], with_role: bool) {
    if rows.is_empty() {
        h.el_text("p", &[("class", "empty")], "No incident you may see.");
        return;
    }
    h.el("table", &[("class", "incidents rows")], |h| {
        h.el("thead", &[], |h| {
            h.el("tr", &[], |h| {
                let mut heads =
                    vec!["TLP", "Date", "Incident", "Type", "Place", "Country", "Actor", "Casualties"];
                if with_role {
                    heads.push("Role");
                }
                for head in heads {
                    h.el_text("th", &[], head);
                }
            });
        });
        h.el("tbody", &[], |h| {
            for row in rows {
                h.el("tr", &[("class", "row")], |h| {
                    h.el("td", &[], |h| tlp_badge(h, s(row, "tlp")));
                    h.el_text("td", &[("class", "date")], layout::day(s(row, "date")));
                    h.el("td", &[], |h| {
                        h.link(&Href::path(&["incidents", s(row, "id")]), &[("class", "open")], name_of(row));
                    });
                    h.el_text("td", &[], s(row, "type"));
                    h.el_text("td", &[], s(row, "place"));
                    h.el("td", &[], |h| country_link(h, row));
                    h.el("td", &[], |h| actor_link(h, row));
                    h.el_text("td", &[("class", "n")], &casualties(row));
                    if with_role {
                        h.el_text("td", &[], s(row, "role"));
                    }
                });
            }
        });
    });
}

fn name_of(incident: &Value) -> &str {
    match s(incident, "name") {
        "" => "(unnamed incident)",
        name => name,
    }
}

fn casualties(incident: &Value) -> String {
    incident.get("casualties").and_then(Value::as_u64).map_or_else(|| "unknown".to_owned(), |n| n.to_string())
}

/// The country, linked to the incidents in it.
fn country_link(h: &mut Html, incident: &Value) {
    let code = s(incident, "country");
    if code.is_empty() {
        return;
    }
    let title = match s(incident, "country_name") {
        "" => code.to_owned(),
        name => name.to_owned(),
    };
    h.link(&Href::fixed("/incidents").query(&[("country", code)]), &[("title", &title)], code);
}

/// The actor as recorded, linked to its entity page.
fn actor_link(h: &mut Html, incident: &Value) {
    let actor = s(incident, "actor");
    if !actor.is_empty() {
        h.link(&Href::path(&["entities", actor]), &[], actor);
    }
}

/// One incident.
pub fn incident_page(chrome: &Chrome<'_>, incident: &Value) -> String {
    let tlp = s(incident, "tlp");
    layout::page(Some(chrome), Section::Incidents, name_of(incident), Some(tlp), |h| {
        h.el("article", &[("class", "incident")], |h| {
            h.el("header", &[("class", "item-head")], |h| {
                tlp_badge(h, tlp);
                h.el_text("h1", &[], name_of(incident));
            });
            h.el("dl", &[("class", "incident-facts")], |h| {
                h.el_text("dt", &[], "Date");
                h.el_text("dd", &[], &layout::minute(s(incident, "date")));
                h.el_text("dt", &[], "Type");
                h.el_text("dd", &[], s(incident, "type"));
                h.el_text("dt", &[], "Place");
                h.el_text("dd", &[], s(incident, "place"));
                h.el_text("dt", &[], "Country");
                h.el("dd", &[], |h| {
                    country_link(h, incident);
                    let name = s(incident, "country_name");
                    if !name.is_empty() {
                        h.text(" ");
                        h.el_text("span", &[("class", "note")], name);
                    }
                });
                h.el_text("dt", &[], "Actor");
                h.el("dd", &[], |h| {
                    actor_link(h, incident);
                    if let Some(object) = incident.get("actor_object").filter(|o| o.is_object()) {
                        h.text(" ");
                        h.el_text(
                            "span",
                            &[("class", "note mono"), ("title", s(object, "id"))],
                            &format!("{} {}", s(object, "type"), s(object, "name")),
                        );
                    }
                });
                h.el_text("dt", &[], "Targets");
                h.el("dd", &[], |h| {
                    h.el("ul", &[("class", "aliases")], |h| {
                        for target in list(incident, "targets").iter().filter_map(Value::as_str) {
                            h.el("li", &[], |h| {
                                h.link(&Href::path(&["entities", target]), &[], target);
                            });
                        }
                    });
                });
                h.el_text("dt", &[], "Casualties");
                h.el_text("dd", &[], &casualties(incident));
                h.el_text("dt", &[], "Reference");
                h.el_text("dd", &[("class", "mono")], s(incident, "reference"));
                h.el_text("dt", &[], "Id");
                h.el_text("dd", &[("class", "mono")], s(incident, "id"));
            });
            let narrative = s(incident, "narrative");
            if !narrative.is_empty() {
                h.el("section", &[("class", "narrative")], |h| {
                    h.el_text("h2", &[], "What happened");
                    h.el_text("p", &[("class", "body")], narrative);
                });
            }
            let sources = list(incident, "sources");
            if !sources.is_empty() {
                h.el("section", &[("class", "sources")], |h| {
                    h.el_text("h2", &[], "Sources");
                    h.el("ul", &[], |h| {
                        for source in sources.iter().filter_map(Value::as_str) {
                            // A web address is a link (http(s) only); a citation is text.
                            h.el("li", &[], |h| match Href::external(source) {
                                Some(href) => {
                                    h.link(&href, &[("class", "ext")], source);
                                }
                                None => {
                                    h.text(source);
                                }
                            });
                        }
                    });
                });
            }
        });
    })
}
