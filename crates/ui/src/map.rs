//! The map of places on the entity page: an inline SVG in an equirectangular projection (one
//! unit per degree: x = longitude + 180, y = 90 - latitude) with a graticule every 30 degrees
//! and a dot per country at its approximate centroid, its area proportional to how often the
//! country is involved, each dot a link to the incidents in that country. No world outline:
//! the graticule and the labelled dots are enough to place a country, and an outline would be
//! data to maintain (or to borrow).
//!
//! Drawn on the server through [`Html`] like every page, styled only by classes of the one
//! stylesheet; the script does nothing with it.

use serde_json::Value;

use crate::html::{Href, Html};
use crate::layout::{n, s};

/// Width and height of the map in degrees.
const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 180.0;
/// Smallest and largest dot radius, in degrees.
const MIN_RADIUS: f64 = 1.8;
const MAX_RADIUS: f64 = 7.0;

/// A place as the entity route answers it, checked: a country code and a point on the map.
struct Dot<'a> {
    code: &'a str,
    name: &'a str,
    x: f64,
    y: f64,
    incidents: u64,
    locations: u64,
}

/// The places that can be drawn: a latitude and longitude in range (anything else is left out,
/// as the route only sends centroids from the ISO table).
fn dots(places: &[Value]) -> Vec<Dot<'_>> {
    places
        .iter()
        .filter_map(|place| {
            let latitude = place.get("latitude")?.as_f64().filter(|v| v.abs() <= 90.0)?;
            let longitude = place.get("longitude")?.as_f64().filter(|v| v.abs() <= 180.0)?;
            Some(Dot {
                code: s(place, "country"),
                name: s(place, "name"),
                x: longitude + 180.0,
                y: 90.0 - latitude,
                incidents: n(place, "incidents"),
                locations: n(place, "locations"),
            })
        })
        .collect()
}

/// A coordinate as written in the SVG: one decimal is a tenth of a degree, finer than the
/// centroids.
fn coordinate(value: f64) -> String {
    format!("{value:.1}")
}

/// The map of `places` (the entity route's `places`: country, name, latitude, longitude,
/// incidents, locations), with a list of the same places for readers without SVG. Nothing when
/// no place can be drawn.
pub fn places_map(h: &mut Html, entity_name: &str, places: &[Value]) {
    let dots = dots(places);
    if dots.is_empty() {
        return;
    }
    let most = dots.iter().map(|dot| dot.incidents + dot.locations).max().unwrap_or(1).max(1);
    let label = format!("Map of the countries involved with {entity_name}");
    h.el("figure", &[("class", "places")], |h| {
        h.el(
            "svg",
            &[
                ("class", "places-map"),
                ("viewBox", "0 0 360 180"),
                ("role", "img"),
                ("aria-label", &label),
                ("preserveAspectRatio", "xMidYMid meet"),
            ],
            |h| {
                h.svg_leaf(
                    "rect",
                    &[("class", "sea"), ("x", "0"), ("y", "0"), ("width", "360"), ("height", "180")],
                );
                graticule(h);
                for dot in &dots {
                    // Area in proportion to the count: the radius grows with its square root.
                    let share = (dot.incidents + dot.locations) as f64 / most as f64;
                    let radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * share.sqrt();
                    let title = format!(
                        "{} ({}): {} incident(s), {} location(s)",
                        dot.name, dot.code, dot.incidents, dot.locations
                    );
                    let href = Href::fixed("/incidents").query(&[("country", dot.code)]);
                    h.linked("a", "href", &href, &[("class", "place"), ("data-country", dot.code)], |h| {
                        h.el(
                            "circle",
                            &[
                                ("class", "place-dot"),
                                ("cx", &coordinate(dot.x)),
                                ("cy", &coordinate(dot.y)),
                                ("r", &coordinate(radius)),
                            ],
                            |h| {
                                h.el_text("title", &[], &title);
                            },
                        );
                        // The label sits to the right of the dot, or to its left near the
                        // eastern edge so that it stays on the map.
                        let (label_x, anchor) = if dot.x > WIDTH - 20.0 {
                            (dot.x - radius - 1.0, "end")
                        } else {
                            (dot.x + radius + 1.0, "start")
                        };
                        let label_y = (dot.y + 1.5).clamp(4.0, HEIGHT - 1.0);
                        h.el_text(
                            "text",
                            &[
                                ("class", "place-label"),
                                ("x", &coordinate(label_x)),
                                ("y", &coordinate(label_y)),
                                ("text-anchor", anchor),
                            ],
                            dot.code,
                        );
                    });
                }
            },
        );
        h.el("figcaption", &[], |h| {
            h.el("ul", &[("class", "place-list")], |h| {
                for dot in &dots {
                    h.el("li", &[], |h| {
                        let href = Href::fixed("/incidents").query(&[("country", dot.code)]);
                        h.link(&href, &[], &format!("{} ({})", dot.name, dot.code));
                        h.text(&format!(": {} incident(s), {} location(s)", dot.incidents, dot.locations));
                    });
                }
            });
            h.el_text(
                "span",
                &[("class", "note")],
                "Dots at approximate country centroids; equirectangular projection.",
            );
        });
    });
}

/// Parallels and meridians every 30 degrees; the equator and the prime meridian stronger.
fn graticule(h: &mut Html) {
    h.el("g", &[("class", "graticule")], |h| {
        for step in 1..12 {
            let x = coordinate(f64::from(step) * 30.0);
            let class = if step == 6 { "major" } else { "minor" };
            h.svg_leaf("line", &[("class", class), ("x1", &x), ("y1", "0"), ("x2", &x), ("y2", "180")]);
        }
        for step in 1..6 {
            let y = coordinate(f64::from(step) * 30.0);
            let class = if step == 3 { "major" } else { "minor" };
            h.svg_leaf("line", &[("class", class), ("x1", "0"), ("y1", &y), ("x2", "360"), ("y2", &y)]);
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn render(places: &Value) -> String {
        let mut h = Html::new();
        places_map(&mut h, "Sandworm", places.as_array().map_or(&[][..], Vec::as_slice));
        h.into_string()
    }

    /// Each place and where its dot lands: the projection, the link and the size.
    #[test]
    fn places_land_at_their_projected_centroids_sized_by_count() {
        let places = json!([
            {"country": "UA", "name": "Ukraine", "latitude": 48.4, "longitude": 31.2, "incidents": 4, "locations": 0},
            {"country": "FJ", "name": "Fiji", "latitude": -16.6, "longitude": 179.4, "incidents": 1, "locations": 0},
            {"country": "XX", "name": "Nowhere", "latitude": 123.0, "longitude": 0.0, "incidents": 9, "locations": 0},
        ]);
        let svg = render(&places);
        let expected = [
            "<a href=\"/incidents?country=UA\" class=\"place\" data-country=\"UA\"><circle class=\"place-dot\" cx=\"211.2\" cy=\"41.6\" r=\"7.0\"><title>Ukraine (UA): 4 incident(s), 0 location(s)</title></circle>",
            "<text class=\"place-label\" x=\"219.2\" y=\"43.1\" text-anchor=\"start\">UA</text>",
            // A quarter of the count: half the radius beyond the smallest.
            "<circle class=\"place-dot\" cx=\"359.4\" cy=\"106.6\" r=\"4.4\">",
            // Near the eastern edge, the label goes to the left.
            "text-anchor=\"end\">FJ</text>",
        ];
        for part in expected {
            assert!(svg.contains(part), "{part} missing in\n{svg}");
        }
        assert!(!svg.contains("XX"), "a point off the map is left out");
        assert_eq!(svg.matches("<line ").count(), 11 + 5, "the graticule");
        // Inside <svg> nothing closes itself: every element is ended, or it would swallow the
        // rest of the drawing.
        for tag in ["svg", "rect", "g", "line", "a", "circle", "title", "text"] {
            let opened = svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count();
            assert_eq!(opened, svg.matches(&format!("</{tag}>")).count(), "<{tag}> not closed in\n{svg}");
        }
        assert_eq!(render(&json!([])), "", "no place, no map");
    }
}
