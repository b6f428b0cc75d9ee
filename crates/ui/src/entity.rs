//! The entity page: profile, timeline of mentions, the neighbourhood of entities named with
//! it (drawn as a graph by the script from the list, expandable), a map of the countries
//! involved (drawn on the server), the incidents it took part in, recent items.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, list, n, s};
use crate::search::{histogram, hit_row, query_value};

/// The entity page from the entity API's answer (profile, timeline, relationships, incidents,
/// places) and the `entity:NAME` search's facets (its neighbours), if it ran.
pub fn entity_page(chrome: &Chrome<'_>, name: &str, entity: &Value, mentions: Option<&Value>) -> String {
    let recent = list(entity, "recent");
    let incidents = list(entity, "incidents");
    let tlp = layout::most_restrictive(
        recent.iter().chain(incidents).chain(list(entity, "same_as")).map(|item| s(item, "tlp")),
    );
    let query = format!("entity:{}", query_value(name));
    layout::page(Some(chrome), Section::Search, name, tlp, |h| {
        h.el("article", &[("class", "entity-page")], |h| {
            let own: Vec<&str> = list(entity, "entities").iter().map(|e| s(e, "id")).collect();
            h.el_text("h1", &[], name);
            h.el("div", &[("class", "entity-layout")], |h| {
                h.el("section", &[("class", "profile")], |h| {
                    for profile in list(entity, "entities") {
                        h.el("dl", &[], |h| {
                            h.el_text("dt", &[], "Name");
                            h.el_text("dd", &[], s(profile, "name"));
                            h.el_text("dt", &[], "Kind");
                            h.el_text("dd", &[], s(profile, "kind"));
                            h.el_text("dt", &[], "Id");
                            h.el_text("dd", &[("class", "mono")], s(profile, "id"));
                            let aliases = list(profile, "aliases");
                            if !aliases.is_empty() {
                                h.el_text("dt", &[], "Aliases");
                                h.el("dd", &[], |h| {
                                    h.el("ul", &[("class", "aliases")], |h| {
                                        for alias in aliases.iter().filter_map(Value::as_str) {
                                            h.el_text("li", &[], alias);
                                        }
                                    });
                                });
                            }
                        });
                    }
                    same_as(h, list(entity, "same_as"));
                    h.el("dl", &[], |h| {
                        h.el_text("dt", &[], "Mentions you may see");
                        h.el("dd", &[], |h| {
                            h.link(&Href::fixed("/search").query(&[("q", &query)]), &[], &n(entity, "count").to_string());
                        });
                        h.el_text("dt", &[], "First seen");
                        h.el_text("dd", &[], &layout::minute(s(entity, "first_seen")));
                        h.el_text("dt", &[], "Last seen");
                        h.el_text("dd", &[], &layout::minute(s(entity, "last_seen")));
                        h.el_text("dt", &[], "Sources");
                        h.el("dd", &[], |h| {
                            for source in list(entity, "sources") {
                                h.el_text("span", &[("class", "chip")], &format!("{} {}", s(source, "value"), n(source, "count")));
                            }
                        });
                    });
                });
                h.el("section", &[("class", "neighbourhood")], |h| {
                    h.el_text("h2", &[], "Neighbourhood");
                    h.el_text("p", &[("class", "note")], "Entities named in the same items, the indicators in them, and the knowledge base's relationships. Click (or Space) expands a node; double-click (or Enter) opens it; untick a type to hide it.");
                    h.el("svg", &[("id", "entity-graph"), ("class", "graph"), ("viewBox", "0 0 900 520"), ("role", "img"), ("aria-label", "Graph of co-mentioned entities")], |_| {});
                    neighbours(h, name, &own, entity, mentions);
                });
            });
            let timeline = list(entity, "timeline");
            if !timeline.is_empty() {
                h.el("section", &[("class", "timeline")], |h| {
                    h.el_text("h2", &[], "Mentions per day");
                    histogram(h, &query, timeline, "Mentions per day: click a bar for that day's items");
                });
            }
            let places = list(entity, "places");
            if !places.is_empty() {
                h.el("section", &[("class", "entity-places")], |h| {
                    h.el_text("h2", &[], "Places");
                    crate::map::places_map(h, name, places);
                });
            }
            h.el("section", &[("class", "entity-incidents")], |h| {
                h.el_text("h2", &[], "Incidents");
                crate::incidents::incident_table(h, list(entity, "incidents"), true);
                h.link(
                    &Href::fixed("/incidents").query(&[("actor", name)]),
                    &[],
                    "All incidents with this actor",
                );
            });
            h.el("section", &[("class", "recent")], |h| {
                h.el_text("h2", &[], "Recent items");
                h.el("ol", &[("class", "hits rows")], |h| {
                    for item in recent {
                        hit_row(h, item);
                    }
                });
            });
        });
    })
}

/// How the entity is linked to its co-mentioned entities and its items' indicators (the
/// knowledge base's relationships carry their own STIX types).
const NAMED_WITH: (&str, &str) = ("named-with", "named in the same items");
const SHARES_INDICATOR: (&str, &str) = ("indicator", "indicators in its items");

/// The entities named in the same items, the indicators those items share most, and the
/// knowledge base's relationships (`uses`, `targets`...), as a list the script draws the graph
/// from (and the fallback without script), with a filter by relationship type.
fn neighbours(h: &mut Html, name: &str, own: &[&str], entity: &Value, mentions: Option<&Value>) {
    let facets = mentions.and_then(|m| m.get("facets"));
    let entities: Vec<&Value> = facets
        .map_or(&[][..], |f| list(f, "entity"))
        .iter()
        .filter(|e| !own.contains(&s(e, "id")))
        .take(16)
        .collect();
    let indicators: Vec<&Value> = facets.map_or(&[][..], |f| list(f, "indicator")).iter().take(10).collect();
    let relationships = list(entity, "relationships");
    // The filter: one box per relationship type present, with how many neighbours it links.
    let mut types: Vec<(String, String, usize)> = Vec::new();
    let mut count = |rel: &str, label: &str| match types.iter_mut().find(|(known, ..)| known == rel) {
        Some((_, _, n)) => *n += 1,
        None => types.push((rel.to_owned(), label.to_owned(), 1)),
    };
    for _ in &entities {
        count(NAMED_WITH.0, NAMED_WITH.1);
    }
    for _ in &indicators {
        count(SHARES_INDICATOR.0, SHARES_INDICATOR.1);
    }
    for relationship in relationships {
        let kind = s(relationship, "type");
        count(&rel_word(kind), kind);
    }
    h.el("fieldset", &[("class", "graph-filter")], |h| {
        h.el_text("legend", &[], "Relationship types");
        for (rel, label, n) in &types {
            h.el("label", &[], |h| {
                h.void(
                    "input",
                    &[("type", "checkbox"), ("checked", ""), ("data-graph-rel", rel), ("data-label", label)],
                );
                h.text(&format!(" {label} ({n})"));
            });
        }
    });
    h.el("ul", &[("id", "neighbours"), ("class", "neighbours"), ("data-entity", name)], |h| {
        for neighbour in &entities {
            let neighbour_name = s(neighbour, "name");
            let count = n(neighbour, "count").to_string();
            h.el("li", &[("data-rel", NAMED_WITH.0)], |h| {
                h.link(
                    &Href::path(&["entities", neighbour_name]),
                    &[
                        ("data-name", neighbour_name),
                        ("data-kind", "entity"),
                        ("data-rel", NAMED_WITH.0),
                        ("data-count", &count),
                    ],
                    neighbour_name,
                );
                h.el_text("span", &[("class", "n"), ("title", "items naming both")], &count);
            });
        }
        for indicator in &indicators {
            let value = s(indicator, "value");
            let count = n(indicator, "count").to_string();
            let query = format!("indicator:{}", query_value(value));
            h.el("li", &[("data-rel", SHARES_INDICATOR.0)], |h| {
                h.link(
                    &Href::fixed("/search").query(&[("q", &query)]),
                    &[
                        ("data-name", value),
                        ("data-kind", "indicator"),
                        ("data-rel", SHARES_INDICATOR.0),
                        ("data-count", &count),
                        ("class", "ioc"),
                    ],
                    value,
                );
                h.el_text("span", &[("class", "n"), ("title", "items with it")], &count);
            });
        }
        for relationship in relationships {
            let kind = s(relationship, "type");
            let rel = rel_word(kind);
            let other = relationship.get("other").unwrap_or(&Value::Null);
            let other_name = s(other, "name");
            let outgoing = s(relationship, "direction") != "in";
            h.el("li", &[("data-rel", &rel)], |h| {
                h.el_text(
                    "span",
                    &[("class", "rel")],
                    &if outgoing { format!("{kind} →") } else { format!("← {kind}") },
                );
                h.link(
                    &Href::fixed("/search").query(&[("q", &query_value(other_name))]),
                    &[
                        ("data-name", other_name),
                        ("data-kind", "stix"),
                        ("data-rel", &rel),
                        ("data-label", kind),
                        ("data-direction", if outgoing { "out" } else { "in" }),
                        ("title", &format!("{} {}", s(other, "type"), s(other, "id"))),
                    ],
                    other_name,
                );
                h.el_text("span", &[("class", "n")], s(other, "type"));
            });
        }
    });
}

/// A relationship type as a word safe in attributes and class names.
fn rel_word(kind: &str) -> String {
    let word: String = kind
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(40)
        .collect();
    format!("stix-{word}")
}

/// The objects analysts decided are the same thing as this entity's (the merged view of
/// `same_as` assertions): their names and aliases, and who decided, with a link to undo it.
fn same_as(h: &mut Html, members: &[Value]) {
    if members.is_empty() {
        return;
    }
    h.el("section", &[("class", "same-as")], |h| {
        h.el_text("h2", &[], "Same as");
        h.el("ul", &[], |h| {
            for member in members {
                h.el("li", &[], |h| {
                    h.link(&Href::path(&["entities", s(member, "name")]), &[], s(member, "name"));
                    h.text(&format!(" ({}) ", s(member, "type")));
                    let aliases: Vec<&str> =
                        list(member, "aliases").iter().filter_map(Value::as_str).collect();
                    if !aliases.is_empty() {
                        h.el_text(
                            "span",
                            &[("class", "aliases note")],
                            &format!("also {}", aliases.join(", ")),
                        );
                    }
                    h.el_text(
                        "div",
                        &[("class", "note")],
                        &format!("decided by {} on {}", s(member, "by"), layout::day(s(member, "at"))),
                    );
                });
            }
        });
        h.link(&Href::fixed("/duplicates"), &[("class", "note")], "Review or withdraw decisions");
    });
}
