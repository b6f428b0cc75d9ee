//! The entity page: profile, timeline of mentions, the neighbourhood of entities named with
//! it (drawn as a graph by the script from the list, expandable), recent items.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{self, Chrome, Section, list, n, s};
use crate::search::{histogram, hit_row, query_value};

/// The entity page from the entity API's answer and the `entity:NAME` search (histogram and
/// entity facet), if it ran.
pub fn entity_page(chrome: &Chrome<'_>, name: &str, entity: &Value, mentions: Option<&Value>) -> String {
    let recent = list(entity, "recent");
    let tlp = layout::most_restrictive(recent.iter().map(|item| s(item, "tlp")));
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
                    h.el_text("p", &[("class", "note")], "Entities named in the same items and the indicators they share. Click a node to expand it; double-click (or Enter) opens it.");
                    h.el("svg", &[("id", "entity-graph"), ("class", "graph"), ("viewBox", "0 0 900 520"), ("role", "img"), ("aria-label", "Graph of co-mentioned entities")], |_| {});
                    neighbours(h, name, &own, mentions);
                });
            });
            if let Some(mentions) = mentions {
                h.el("section", &[("class", "timeline")], |h| {
                    h.el_text("h2", &[], "Mentions per day");
                    histogram(h, &query, list(mentions, "histogram"), "Mentions per day: click a bar for that day's items");
                });
            }
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

/// The entities named in the same items, and the indicators those items share most, as a list
/// the script draws the graph from (and the fallback without script).
fn neighbours(h: &mut Html, name: &str, own: &[&str], mentions: Option<&Value>) {
    let facets = mentions.and_then(|m| m.get("facets"));
    let entities = facets.map_or(&[][..], |f| list(f, "entity"));
    let indicators = facets.map_or(&[][..], |f| list(f, "indicator"));
    h.el("div", &[("class", "graph-filter")], |h| {
        for (kind, label) in [("entity", "Entities"), ("indicator", "Shared indicators")] {
            h.el("label", &[], |h| {
                h.void("input", &[("type", "checkbox"), ("checked", ""), ("data-graph-kind", kind)]);
                h.text(label);
            });
        }
    });
    h.el("ul", &[("id", "neighbours"), ("class", "neighbours"), ("data-entity", name)], |h| {
        for neighbour in entities.iter().filter(|e| !own.contains(&s(e, "id"))).take(16) {
            let neighbour_name = s(neighbour, "name");
            let count = n(neighbour, "count").to_string();
            h.el("li", &[], |h| {
                h.link(
                    &Href::path(&["entities", neighbour_name]),
                    &[("data-name", neighbour_name), ("data-kind", "entity"), ("data-count", &count)],
                    neighbour_name,
                );
                h.el_text("span", &[("class", "n")], &count);
            });
        }
        for indicator in indicators.iter().take(10) {
            let value = s(indicator, "value");
            let count = n(indicator, "count").to_string();
            let query = format!("indicator:{}", query_value(value));
            h.el("li", &[], |h| {
                h.link(
                    &Href::fixed("/search").query(&[("q", &query)]),
                    &[
                        ("data-name", value),
                        ("data-kind", "indicator"),
                        ("data-count", &count),
                        ("class", "ioc"),
                    ],
                    value,
                );
                h.el_text("span", &[("class", "n")], &count);
            });
        }
    });
}
