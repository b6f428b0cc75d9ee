//! The frame of every page: head, navigation, the TLP banner, badges, and helpers to read the
//! plain JSON the pages are made from.

use serde_json::Value;

use crate::html::{Href, Html};

/// Who is looking, for the navigation bar and the forms.
#[derive(Debug, Clone, Copy)]
pub struct Chrome<'a> {
    /// The user's id.
    pub user: &'a str,
    /// The user's organisation.
    pub org: &'a str,
    /// The user's role.
    pub role: &'a str,
    /// The CSRF token every form of the session carries.
    pub csrf: &'a str,
}

impl Chrome<'_> {
    /// Whether the user administers their organisation.
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// The section of the navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Section {
    /// Search, items and entities.
    Search,
    /// Incidents of the knowledge base.
    Incidents,
    /// Probable duplicates in the knowledge base.
    Duplicates,
    /// The alert queue.
    Alerts,
    /// Watchlists.
    Watchlists,
    /// Import.
    Import,
    /// Export.
    Export,
    /// TAXII sharing (administrators).
    Sharing,
    /// The audit trail.
    Audit,
    /// Sign-in and errors.
    None,
}

/// The TLP labels, least restrictive first: canonical form, CSS class, FIRST's one-line meaning.
const TLP: [(&str, &str, &str); 5] = [
    ("TLP:CLEAR", "tlp-clear", "Disclosure is not limited"),
    ("TLP:GREEN", "tlp-green", "Limited disclosure, recipients can spread this within their community"),
    (
        "TLP:AMBER",
        "tlp-amber",
        "Limited disclosure, recipients can only spread this on a need-to-know basis within their organization and its clients",
    ),
    ("TLP:AMBER+STRICT", "tlp-amber-strict", "Limited disclosure, restricted to the organization"),
    ("TLP:RED", "tlp-red", "For the eyes and ears of individual recipients only, no further disclosure"),
];

/// The position of a TLP label (`TLP:AMBER+STRICT`, `amber+strict`...) in [`TLP`].
fn tlp_rank(label: &str) -> Option<usize> {
    let upper = label.trim().to_ascii_uppercase();
    let canonical = if upper.starts_with("TLP:") { upper } else { format!("TLP:{upper}") };
    TLP.iter().position(|(name, ..)| *name == canonical)
}

/// The canonical form of a TLP label (`amber+strict` is `TLP:AMBER+STRICT`); unknown labels
/// are `None`.
pub fn tlp_canonical(label: &str) -> Option<&'static str> {
    tlp_rank(label).map(|rank| TLP[rank].0)
}

/// The most restrictive of some TLP labels, in canonical form.
pub fn most_restrictive<'a>(labels: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    labels.into_iter().filter_map(tlp_rank).max().map(|rank| TLP[rank].0)
}

/// A TLP badge.
pub fn tlp_badge(h: &mut Html, label: &str) {
    match tlp_rank(label) {
        Some(rank) => {
            let (name, class, meaning) = TLP[rank];
            let classes = format!("badge tlp {class}");
            h.el_text("span", &[("class", &classes), ("title", meaning)], name);
        }
        None => {
            h.el_text("span", &[("class", "badge tlp tlp-unknown")], label);
        }
    }
}

/// The meaning of an Admiralty grade's two halves.
fn grade_meaning(grade: &str) -> String {
    let mut chars = grade.chars();
    let reliability = match chars.next() {
        Some('A') => "A: completely reliable",
        Some('B') => "B: usually reliable",
        Some('C') => "C: fairly reliable",
        Some('D') => "D: not usually reliable",
        Some('E') => "E: unreliable",
        Some('F') => "F: reliability cannot be judged",
        _ => "reliability unknown",
    };
    let credibility = match chars.next() {
        Some('1') => "1: confirmed by other sources",
        Some('2') => "2: probably true",
        Some('3') => "3: possibly true",
        Some('4') => "4: doubtful",
        Some('5') => "5: improbable",
        Some('6') => "6: truth cannot be judged",
        _ => "credibility unknown",
    };
    format!("source {reliability}; information {credibility}")
}

/// An Admiralty grade badge.
pub fn grade_badge(h: &mut Html, grade: &str) {
    let meaning = grade_meaning(grade);
    h.el_text("span", &[("class", "badge grade"), ("title", &meaning)], grade);
}

/// A string field of a JSON object (`""` when absent or not a string).
pub fn s<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A number field of a JSON object (0 when absent).
pub fn n(value: &Value, key: &str) -> u64 {
    value.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// An array field of a JSON object (empty when absent).
pub fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The first 10 characters of a timestamp: its day.
pub fn day(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

/// A timestamp shortened to the minute, UTC (`2024-05-01 12:30Z`).
pub fn minute(timestamp: &str) -> String {
    match (timestamp.get(..10), timestamp.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}Z"),
        _ => timestamp.to_owned(),
    }
}

/// A whole page: head, navigation (when signed in), the TLP banner of the most restrictive
/// material it shows (when it shows any), the content, and the banner again at the foot.
pub fn page(
    chrome: Option<&Chrome<'_>>,
    section: Section,
    title: &str,
    tlp: Option<&str>,
    content: impl FnOnce(&mut Html),
) -> String {
    let mut h = Html::new();
    h.fixed("<!DOCTYPE html>");
    h.el("html", &[("lang", "en")], |h| {
        h.el("head", &[], |h| {
            h.void("meta", &[("charset", "utf-8")]);
            h.void("meta", &[("name", "viewport"), ("content", "width=device-width, initial-scale=1")]);
            h.void("meta", &[("name", "referrer"), ("content", "no-referrer")]);
            h.el_text("title", &[], &format!("{title} · Muninn"));
            h.void_linked("link", "href", &Href::fixed(crate::CSS_PATH), &[("rel", "stylesheet")]);
            h.linked("script", "src", &Href::fixed(crate::JS_PATH), &[("defer", "")], |_| {});
        });
        let csrf = chrome.map_or("", |c| c.csrf);
        h.el("body", &[("data-csrf", csrf)], |h| {
            if let Some(chrome) = chrome {
                nav(h, chrome, section);
            }
            let banner = tlp.and_then(tlp_canonical);
            if let Some(label) = banner {
                tlp_banner(h, label);
            }
            h.el("main", &[("id", "main")], content);
            if let Some(label) = banner {
                tlp_banner(h, label);
            }
            shortcuts_help(h);
            crate::search::field_datalist(h);
        });
    });
    h.into_string()
}

/// The banner: the label in FIRST's canonical form, in FIRST's colours on black.
fn tlp_banner(h: &mut Html, label: &str) {
    let Some(rank) = tlp_rank(label) else { return };
    let (name, class, meaning) = TLP[rank];
    let classes = format!("tlp-banner {class}");
    h.el(
        "div",
        &[("class", &classes), ("role", "note"), ("aria-label", "Traffic Light Protocol marking")],
        |h| {
            h.el_text("strong", &[], name);
            h.el_text("span", &[("class", "tlp-meaning")], meaning);
        },
    );
}

fn nav(h: &mut Html, chrome: &Chrome<'_>, section: Section) {
    h.el("header", &[("class", "top")], |h| {
        h.link(&Href::fixed("/"), &[("class", "brand")], "Muninn");
        h.el("nav", &[], |h| {
            let items: [(Section, &'static str, &str, &str); 9] = [
                (Section::Search, "/search", "Search", "g s"),
                (Section::Incidents, "/incidents", "Incidents", "g n"),
                (Section::Duplicates, "/duplicates", "Duplicates", "g d"),
                (Section::Alerts, "/alerts", "Alerts", "g a"),
                (Section::Watchlists, "/watchlists", "Watchlists", "g w"),
                (Section::Import, "/import", "Import", "g i"),
                (Section::Export, "/export", "Export", "g e"),
                (Section::Sharing, "/sharing", "Sharing", "g h"),
                (Section::Audit, "/audit", "Audit", "g u"),
            ];
            for (item, path, label, keys) in items {
                let admin_only = matches!(item, Section::Audit | Section::Sharing);
                if (admin_only && !chrome.is_admin()) || (item == Section::Export && chrome.role == "partner")
                {
                    continue;
                }
                let class = if item == section { "active" } else { "" };
                h.link(&Href::fixed(path), &[("class", class), ("title", keys)], label);
            }
        });
        h.linked(
            "form",
            "action",
            &Href::fixed("/search"),
            &[("class", "quick-search"), ("method", "get"), ("role", "search")],
            |h| {
                h.void(
                    "input",
                    &[
                        ("type", "search"),
                        ("name", "q"),
                        ("placeholder", "Search (/)"),
                        ("aria-label", "Search"),
                        ("list", "query-fields"),
                        ("autocomplete", "off"),
                        ("data-shortcut", "/"),
                    ],
                );
            },
        );
        h.el("div", &[("class", "who")], |h| {
            h.el_text("span", &[("class", "user")], chrome.user);
            h.text(" · ");
            h.el_text("span", &[("class", "org")], chrome.org);
            h.text(" · ");
            h.el_text("span", &[("class", "role")], chrome.role);
            h.linked(
                "form",
                "action",
                &Href::fixed("/logout"),
                &[("method", "post"), ("class", "inline")],
                |h| {
                    h.void("input", &[("type", "hidden"), ("name", "csrf"), ("value", chrome.csrf)]);
                    h.el_text("button", &[("type", "submit"), ("class", "link")], "Sign out");
                },
            );
        });
    });
}

/// The keyboard shortcuts, shown by `?` (the script toggles it).
fn shortcuts_help(h: &mut Html) {
    h.el("aside", &[("id", "shortcuts"), ("class", "shortcuts"), ("hidden", "")], |h| {
        h.el_text("h2", &[], "Keyboard shortcuts");
        h.el("dl", &[], |h| {
            for (keys, what) in [
                ("/", "focus the search box"),
                (
                    "g s · g n · g d · g a · g w · g i · g e · g h · g u",
                    "go to search, incidents, duplicates, alerts, watchlists, import, export, sharing, audit",
                ),
                ("j · k", "next, previous row"),
                ("o · Enter", "open the selected row"),
                ("x", "select the row (alerts)"),
                ("a · d · e", "acknowledge, dismiss, escalate the selected alerts"),
                ("?", "show or hide this help"),
                ("Esc", "leave a field, close this help"),
            ] {
                h.el_text("dt", &[], keys);
                h.el_text("dd", &[], what);
            }
        });
    });
}

/// The error page: the same body for the same status, whatever the cause (a page the caller
/// may not see answers as a missing one).
pub fn error_page(chrome: Option<&Chrome<'_>>, status: u16, title: &str, message: &str) -> String {
    page(chrome, Section::None, title, None, |h| {
        h.el("section", &[("class", "error")], |h| {
            h.el_text("h1", &[], &format!("{status} · {title}"));
            h.el_text("p", &[], message);
            h.link(&Href::fixed("/"), &[], "Back to search");
        });
    })
}

/// A hidden CSRF field for a form.
pub fn csrf_field(h: &mut Html, chrome: &Chrome<'_>) {
    h.void("input", &[("type", "hidden"), ("name", "csrf"), ("value", chrome.csrf)]);
}
