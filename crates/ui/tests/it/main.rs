//! Every page rendered with the stored-XSS payloads of MISP's CVE list in every string that
//! comes from data: the payloads must appear only escaped, no link may leave for a
//! non-`http(s)` URL, and no page may carry inline script, inline style or event handlers.

use muninn_ui::Chrome;
use serde_json::{Value, json};

/// Payloads after MISP's stored-XSS CVEs: script in names and titles, event handlers,
/// `javascript:` links, SVG with script, attribute breakouts, a closing textarea.
const PAYLOADS: [&str; 8] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>",
    "\"><script>alert(3)</script>",
    "' onmouseover='alert(4)",
    "</textarea><script>alert(5)</script>",
    "<a href=\"javascript:alert(6)\">click</a>",
];

fn chrome() -> Chrome<'static> {
    Chrome {
        user: "analyst<script>",
        org: "org\"><img src=x onerror=alert(1)>",
        role: "admin",
        csrf: "c0ffee",
    }
}

/// Every tag of a page with its attributes (name, value), read the way a browser tokenises
/// them. Text is escaped, so every raw `<` starts a tag this crate wrote.
fn tags(page: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!').collect();
        let mut cursor = &rest[name.len()..];
        let mut attrs = Vec::new();
        loop {
            cursor = cursor.trim_start();
            if cursor.starts_with('>') || cursor.is_empty() {
                break;
            }
            let attr: String =
                cursor.chars().take_while(|c| !c.is_whitespace() && *c != '=' && *c != '>').collect();
            cursor = &cursor[attr.len()..];
            let mut value = String::new();
            if let Some(after) = cursor.strip_prefix('=') {
                let quote = after.chars().next().expect("a value");
                assert!(quote == '"', "unquoted attribute {attr} in <{name}");
                let end = after[1..].find('"').expect("closing quote");
                value = after[1..1 + end].to_owned();
                cursor = &after[end + 2..];
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
        rest = cursor;
    }
    out
}

/// What must never be in a page: a tag or attribute the payloads would make if they were not
/// escaped, and anything the CSP would have to allow.
fn assert_clean(page: &str, context: &str) {
    let mut scripts = 0;
    for (name, attrs) in tags(page) {
        let lower = name.to_ascii_lowercase();
        assert!(
            !matches!(lower.as_str(), "img" | "iframe" | "object" | "embed" | "base" | "style"),
            "{context}: <{name}> in\n{page}"
        );
        if lower == "script" {
            scripts += 1;
            assert_eq!(
                attrs,
                [("src".to_owned(), "/ui/app.js".to_owned()), ("defer".to_owned(), String::new())],
                "{context}"
            );
        }
        for (attr, value) in attrs {
            let attr = attr.to_ascii_lowercase();
            assert!(!attr.starts_with("on") && attr != "style", "{context}: <{name} {attr}> in\n{page}");
            if matches!(attr.as_str(), "href" | "src" | "action") {
                assert!(
                    (value.starts_with('/') && !value.starts_with("//"))
                        || value.starts_with("http://")
                        || value.starts_with("https://"),
                    "{context}: <{name} {attr}={value:?}>"
                );
                if value.starts_with("http") {
                    assert!(page.contains("rel=\"noopener noreferrer\""), "{context}");
                }
            }
        }
    }
    assert_eq!(scripts, 1, "{context}: one script element, the app's");
    assert!(!page.contains("</textarea><script>"), "{context}");
}

fn item(payload: &str) -> Value {
    json!({
        "id": format!("{payload}0123"), "title": payload, "source": payload, "lang": payload,
        "tlp": "TLP:AMBER+STRICT", "grade": payload, "date": "2026-01-02T03:04:05Z",
        "body": format!("before {payload} javascript:alert(1) https://ok.example/ after 198.51.100.7"),
        "markings": {"tlp": "TLP:AMBER+STRICT", "originator": payload, "compartments": [payload]},
        "collected_at": payload, "event_time": payload,
        "indicators": [{"kind": payload, "value": payload, "in": "body", "span": [7, 7 + payload.len()], "defanged": true}],
        "entities": [{"entity": payload, "name": payload, "form": payload, "in": "title", "span": [0, payload.len()]}],
        "alerts": [{"key": payload, "alert": alert(payload)}],
        "snippet": {"text": payload, "highlights": [[0, 3], [1, 200], [2, 1]]},
    })
}

fn alert(payload: &str) -> Value {
    json!({"item": payload, "list": payload, "entry": payload, "describes": payload, "severity": payload,
           "matched": payload, "form": payload, "method": payload, "tlp": payload, "state": payload,
           "raised_at": payload, "normalised": payload, "field": "body", "span": [0, 3]})
}

fn every_page(payload: &str) -> Vec<(&'static str, String)> {
    let chrome = chrome();
    let hit = item(payload);
    let search = json!({
        "query": payload, "total": 1, "hits": [hit], "next": payload,
        "histogram": [{"day": payload, "count": 3}, {"day": "2026-01-02T00:00:00Z", "count": 1}],
        "facets": {"source": [{"value": payload, "count": 1}], "tlp": [{"value": payload, "count": 1}],
                   "indicator": [{"value": payload, "count": 1}], "entity": [{"id": payload, "name": payload, "count": 2}]},
    });
    let incident = json!({"id": payload, "name": payload, "date": payload, "type": payload, "place": payload,
        "country": payload, "country_name": payload, "actor": payload, "actor_ref": payload,
        "actor_object": {"id": payload, "type": payload, "name": payload},
        "targets": [payload], "target_refs": [payload], "casualties": 3, "narrative": payload,
        "reference": payload, "sources": [payload, "https://ok.example/report"], "tlp": "TLP:AMBER", "role": payload});
    let incidents = json!({"total": 1, "incidents": [incident], "next": payload});
    let filters = muninn_ui::incidents::IncidentFilters {
        country: payload,
        actor: payload,
        from: payload,
        to: payload,
    };
    let entity = json!({"entities": [{"id": "x", "name": payload, "aliases": [payload], "kind": payload}],
                        "incidents": [incident],
                        "places": [{"country": payload, "name": payload, "latitude": 48.4, "longitude": 31.2, "incidents": 2, "locations": 1},
                                   {"country": "FJ", "name": payload, "latitude": -16.6, "longitude": 179.4, "incidents": 0, "locations": 1}],
                        "timeline": [{"day": payload, "count": 2}, {"day": "2026-01-02", "count": 1}],
                        "relationships": [{"type": payload, "direction": "out", "other": {"id": payload, "type": payload, "name": payload}}],
                        "count": 1, "first_seen": payload, "last_seen": payload,
                        "sources": [{"value": payload, "count": 1}], "recent": [hit],
                        "same_as": [{"id": payload, "name": payload, "type": payload, "aliases": [payload],
                                     "tlp": "TLP:GREEN", "joined_with": payload, "by": payload, "at": payload, "note": payload}]});
    let object = json!({"id": payload, "name": payload, "type": payload, "tlp": "TLP:AMBER"});
    let duplicates = json!({"total": 2, "suggestions": [{"a": object, "b": object, "score": 0.5, "method": payload,
                              "shared": [payload], "may_decide": true}],
                            "decided": [{"a": object, "b": object, "verdict": "accepted", "score": 1.0, "method": payload,
                              "by": payload, "at": payload, "note": payload, "may_decide": true}]});
    let watchlist = json!({"name": payload, "owner": payload, "tlp": "TLP:GREEN", "version": 1, "entries": [
        {"id": payload, "kind": "name", "name": payload, "aliases": [payload], "severity": payload, "note": payload},
        {"id": payload, "kind": "indicator", "value": payload},
        {"id": payload, "kind": "pattern", "regex": payload},
        {"id": payload, "kind": "rule", "query": payload}]});
    let test = json!({"hits": [{"entry": payload, "describes": payload, "matched": payload, "form": payload,
                                "normalised": payload, "method": payload, "severity": payload, "field": "body", "span": [0, 4]}],
                      "warnings": [payload]});
    let run = muninn_ui::watchlists::TestRun { text: payload, result: Ok(&test) };
    let failed_run = muninn_ui::watchlists::TestRun { text: payload, result: Err(payload) };
    let entry_form = muninn_ui::watchlist_forms::EntryForm {
        editing: true,
        error: Some(payload.to_owned()),
        ..muninn_ui::watchlist_forms::EntryForm::editing(&watchlist["entries"][0])
    };
    let import = json!({"version": 2, "format": payload, "mode": payload, "read": 2, "added": 1,
        "records": [{"id": payload, "kind": payload, "describes": payload, "outcome": payload}],
        "removed_ids": [payload],
        "warnings": [{"record": payload, "message": payload}],
        "screen_warnings": [{"record": payload, "message": payload}]});
    let alerts = json!({"total": 1, "alerts": [{"key": payload, "alert": alert(payload)}]});
    let lists = vec![payload.to_owned()];
    let related = json!({"related": [{"id": payload, "title": payload, "tlp": payload, "grade": payload, "date": payload, "shared": [payload], "shared_entities": [{"name": payload}]}]});
    let summary = json!({"stored": 1, "problems": [payload]});
    let audit = json!({"entries": [{"seq": 1, "hash": payload, "record": {"at": payload, "actor": {"kind": "user", "user": payload, "org": payload}, "action": payload, "outcome": payload, "query": payload}},
                                   {"key": payload, "problem": payload}]});
    let formats = ["jsonl", "text"];
    let preview = json!({"query": payload, "total": 3, "items": 2, "truncated": true, "tlp": payload,
        "attribute_count": 1, "by_type": {payload: 1},
        "attributes": [{"type": payload, "category": payload, "value": payload, "to_ids": true, "item": payload}]});
    let sharing = json!({"api_root": payload, "org": payload, "orgs": [{"id": payload, "name": payload}],
        "directory": [{"id": payload, "name": payload}, {"id": "org-b", "name": payload}],
        "collections": [{"id": payload, "title": payload, "description": payload, "url": payload, "full": true,
                         "your_org_reads": true, "your_org_writes": true, "readers": [payload, "*"],
                         "writers": [payload], "hidden_orgs": 1, "objects": 2}]});
    vec![
        (
            "search",
            muninn_ui::search::search_page(
                &chrome,
                &muninn_ui::search::SearchView {
                    query: payload,
                    results: Some(&search),
                    error: Some(payload),
                    paged: true,
                },
            ),
        ),
        ("item", muninn_ui::item::item_page(&chrome, &hit, Some(&related))),
        ("entity", muninn_ui::entity::entity_page(&chrome, payload, &entity, Some(&search))),
        (
            "alerts",
            muninn_ui::alerts::alerts_page(
                &chrome,
                &muninn_ui::alerts::AlertsView {
                    alerts: &alerts,
                    state: payload,
                    list: payload,
                    lists: &lists,
                    outcome: Some((1, 2)),
                },
            ),
        ),
        (
            "watchlists",
            muninn_ui::watchlists::watchlists_page(
                &chrome,
                &json!({"watchlists": [{"name": payload, "owner": payload, "tlp": payload}]}),
                &muninn_ui::watchlists::IndexView {
                    may_create: true,
                    form: muninn_ui::watchlist_forms::NewListForm {
                        name: payload,
                        tlp: payload,
                        error: Some(payload),
                    },
                    deleted: Some(payload),
                },
            ),
        ),
        (
            "watchlist",
            muninn_ui::watchlists::watchlist_page(
                &chrome,
                &watchlist,
                &muninn_ui::watchlists::ListView {
                    may_change: true,
                    test: Some(run),
                    entry: Some(entry_form.clone()),
                    import: Some(Ok(&import)),
                    formats: &[(payload, payload)],
                    notice: Some(muninn_ui::watchlists::Notice::Saved(payload)),
                    find: "",
                },
            ),
        ),
        (
            "watchlist failed",
            muninn_ui::watchlists::watchlist_page(
                &chrome,
                &watchlist,
                &muninn_ui::watchlists::ListView {
                    may_change: true,
                    test: Some(failed_run),
                    import: Some(Err(payload)),
                    notice: Some(muninn_ui::watchlists::Notice::Refused(payload)),
                    find: payload,
                    ..Default::default()
                },
            ),
        ),
        (
            "import",
            muninn_ui::import::import_page(
                &chrome,
                &muninn_ui::import::ImportView { formats: &formats, result: Some(Ok(&summary)) },
            ),
        ),
        (
            "import failed",
            muninn_ui::import::import_page(
                &chrome,
                &muninn_ui::import::ImportView { formats: &formats, result: Some(Err(payload)) },
            ),
        ),
        (
            "audit",
            muninn_ui::audit::audit_page(&chrome, &json!({"valid": false, "problem": payload}), &audit),
        ),
        (
            "login",
            muninn_ui::login::login_page(&muninn_ui::login::LoginView {
                user: payload,
                next: payload,
                csrf: payload,
                error: Some(payload),
            }),
        ),
        ("error", muninn_ui::error_page(Some(&chrome), 404, payload, payload)),
        (
            "export",
            muninn_ui::export::export_page(
                &chrome,
                &muninn_ui::export::ExportView { query: payload, info: payload, preview: Some(Ok(&preview)) },
            ),
        ),
        (
            "export failed",
            muninn_ui::export::export_page(
                &chrome,
                &muninn_ui::export::ExportView { query: payload, info: payload, preview: Some(Err(payload)) },
            ),
        ),
        (
            "sharing",
            muninn_ui::sharing::sharing_page(
                &chrome,
                &sharing,
                &muninn_ui::sharing::SharingView { created: Some(payload), ..Default::default() },
            ),
        ),
        (
            "sharing refused",
            muninn_ui::sharing::sharing_page(
                &chrome,
                &sharing,
                &muninn_ui::sharing::SharingView {
                    created: None,
                    form: muninn_ui::sharing::CollectionForm {
                        title: payload,
                        description: payload,
                        readers: &[payload, "*"],
                        writers: &[payload],
                        error: Some(payload),
                    },
                },
            ),
        ),
        (
            "incidents",
            muninn_ui::incidents::incidents_page(
                &chrome,
                &muninn_ui::incidents::IncidentsView {
                    filters,
                    results: Some(&incidents),
                    error: Some(payload),
                    paged: true,
                },
            ),
        ),
        ("incident", muninn_ui::incidents::incident_page(&chrome, &incident)),
        ("duplicates", muninn_ui::resolution::duplicates_page(&chrome, &duplicates, Some(payload))),
    ]
}

#[test]
fn misp_xss_payloads_are_only_ever_shown_escaped() {
    for payload in PAYLOADS {
        for (name, page) in every_page(payload) {
            let context = format!("{name} page with {payload:?}");
            assert_clean(&page, &context);
            let escaped = muninn_ui::html::escape(payload);
            if payload.contains('<') {
                assert!(page.contains(&escaped), "{context}: the payload is shown, escaped\n{page}");
            }
        }
    }
}

/// Unicode tricks of indicator values (security reference, bad input 9): a right-to-left
/// override, zero-width characters, a control sequence, NUL, a Unicode tag character.
const HIDDEN: [(&str, char); 6] = [
    ("\u{202E}gpj.exe", '\u{202E}'),
    ("pay\u{200B}pal.com", '\u{200B}'),
    ("APT\u{200D}28", '\u{200D}'),
    ("fake\u{1B}[2Kline", '\u{1B}'),
    ("nul\0byte", '\0'),
    ("tag\u{E0041}hidden", '\u{E0041}'),
];

#[test]
fn hidden_characters_are_never_shown_raw_and_are_flagged_where_text_is_shown() {
    for (payload, hidden) in HIDDEN {
        let escape = format!("\\u{{{:X}}}", u32::from(hidden));
        for (name, page) in every_page(payload) {
            let context = format!("{name} page with {payload:?}");
            assert_clean(&page, &context);
            // Form values (attributes, a textarea) keep the data exact so that an edit sends it
            // back unchanged; everywhere else a hidden character is shown as its escape.
            let shown: String = without_form_values(&page);
            assert!(!shown.contains(hidden), "{context}: raw {hidden:?} in\n{shown}");
            // Every escape in text is flagged; only `title` and `option`, which cannot hold
            // markup, show it unflagged.
            let flagged = format!(
                "<span class=\"ctl\" title=\"hidden character U+{:04X} in the data\">{escape}</span>",
                u32::from(hidden)
            );
            let unflagged = without_elements(&page.replace(&flagged, ""), &["title", "option"]);
            assert!(!unflagged.contains(&escape), "{context}: an escape without its flag in\n{unflagged}");
        }
        // The item page shows the body's hidden characters flagged.
        let page = muninn_ui::item::item_page(&chrome(), &item(payload), None);
        assert!(
            page.contains(&format!("\">{escape}</span>")),
            "{payload:?}: flagged in the item page\n{page}"
        );
    }
}

/// `page` without the elements named `tags` (and their content).
fn without_elements(page: &str, tags: &[&str]) -> String {
    let mut out = page.to_owned();
    for tag in tags {
        while let Some(start) = out.find(&format!("<{tag}")) {
            let end_tag = format!("</{tag}>");
            let end = out[start..].find(&end_tag).map_or(out.len(), |at| start + at + end_tag.len());
            out.replace_range(start..end, "");
        }
    }
    out
}

/// `page` without its attribute values and textarea contents.
fn without_form_values(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    loop {
        let next_tag = rest.find('<');
        let Some(open) = next_tag else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |at| open + at + 1);
        let tag = &rest[open..close];
        let name: String = tag[1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        out.push('<');
        out.push_str(&name);
        out.push('>');
        rest = &rest[close..];
        if name == "textarea" {
            let end = rest.find("</textarea>").unwrap_or(rest.len());
            rest = &rest[end..];
        }
    }
}

#[test]
fn urls_in_text_are_never_clickable_unless_http() {
    let hit = item("javascript:alert(1)");
    let page = muninn_ui::item::item_page(&chrome(), &hit, None);
    assert!(!page.contains("href=\"javascript"), "{page}");
    // Indicators and entities link to this server's own pages, percent-encoded.
    assert!(page.contains("href=\"/search?q=indicator%3A"), "{page}");
    assert!(page.contains("href=\"/entities/javascript%3Aalert%281%29\""), "{page}");
}

#[test]
fn every_page_with_material_shows_its_tlp_banner_in_canonical_form() {
    let hit = item("x");
    let page = muninn_ui::item::item_page(&chrome(), &hit, None);
    assert!(page.contains("<div class=\"tlp-banner tlp-amber-strict\" role=\"note\""), "{page}");
    assert!(page.contains("<strong>TLP:AMBER+STRICT</strong>"));
    let search = json!({"query": "x", "total": 2, "hits": [
        json!({"id": "a", "tlp": "TLP:GREEN", "grade": "B2"}), json!({"id": "b", "tlp": "TLP:RED", "grade": "B2"})]});
    let page = muninn_ui::search::search_page(
        &chrome(),
        &muninn_ui::search::SearchView { query: "x", results: Some(&search), error: None, paged: false },
    );
    assert!(page.contains("<strong>TLP:RED</strong>"), "the most restrictive label of the page");
    let page = muninn_ui::login::login_page(&muninn_ui::login::LoginView {
        user: "",
        next: "/",
        csrf: "c",
        error: None,
    });
    assert!(!page.contains("tlp-banner"), "no material, no banner");
}

#[test]
fn the_assets_need_nothing_the_policy_forbids() {
    assert!(!muninn_ui::JS.contains("innerHTML"));
    assert!(!muninn_ui::JS.contains("eval("));
    assert!(!muninn_ui::JS.contains("new Function"));
    assert!(!muninn_ui::JS.contains(".style."));
    assert!(!muninn_ui::CSS.contains("url("), "no outside resources");
    assert!(!muninn_ui::CSS.contains("@import"));
    assert!(muninn_ui::CONTENT_SECURITY_POLICY.contains("script-src 'self';"));
}

#[test]
fn query_values_are_quoted_unless_plain() {
    use muninn_ui::search::{add_filter, query_value};
    assert_eq!(query_value("198.51.100.7"), "198.51.100.7");
    assert_eq!(query_value("Fancy Bear"), "\"Fancy Bear\"");
    assert_eq!(query_value("a\"b"), "\"a\\\"b\"");
    assert_eq!(query_value("C:\\x\\"), "\"C:\\x\"");
    assert_eq!(query_value("OR"), "\"OR\"");
    assert_eq!(add_filter("a OR b", "tlp:red"), "(a OR b) tlp:red");
    assert_eq!(add_filter("*", "tlp:red"), "tlp:red");
    assert_eq!(add_filter("a", "tlp:red"), "a tlp:red");
}

#[test]
fn the_entity_graph_filters_by_every_relationship_type_it_shows() {
    let entity = json!({"entities": [{"id": "a/1", "name": "Sandworm", "kind": "threat-actor"}], "count": 3,
        "relationships": [
            {"type": "uses", "direction": "out", "other": {"id": "malware--1", "type": "malware", "name": "Industroyer"}},
            {"type": "uses", "direction": "out", "other": {"id": "tool--1", "type": "tool", "name": "Mimikatz"}},
            {"type": "attributed-to", "direction": "in", "other": {"id": "campaign--1", "type": "campaign", "name": "Grid 2016"}}],
        "recent": []});
    let mentions = json!({"facets": {"entity": [{"id": "a/1", "name": "Sandworm", "count": 3}, {"id": "a/2", "name": "APT28", "count": 2}],
        "indicator": [{"value": "198.51.100.7", "count": 2}]}, "histogram": []});
    let page = muninn_ui::entity::entity_page(&chrome(), "Sandworm", &entity, Some(&mentions));
    for (rel, label) in [
        ("named-with", "named in the same items (1)"),
        ("indicator", "indicators in its items (1)"),
        ("stix-uses", "uses (2)"),
        ("stix-attributed-to", "attributed-to (1)"),
    ] {
        assert!(page.contains(&format!("data-graph-rel=\"{rel}\"")), "{rel}: {page}");
        // The script keeps the label to count again after an expansion.
        let label_only = label.rsplit_once(" (").map_or(label, |(text, _)| text);
        assert!(page.contains(&format!("data-label=\"{label_only}\"")), "{label_only}: {page}");
        assert!(page.contains(label), "{label}: {page}");
    }
    assert!(page.contains("<span class=\"rel\">← attributed-to</span>"), "{page}");
    assert!(!page.contains("data-name=\"Sandworm\""), "the entity is not its own neighbour");
}

#[test]
fn the_navigation_offers_incidents_to_every_signed_in_user() {
    let nav_link = |page: &str, path: &str| {
        tags(page).into_iter().find(|(tag, attributes)| {
            tag == "a" && attributes.iter().any(|(name, value)| name == "href" && value == path)
        })
    };
    let class_of = |attributes: &[(String, String)]| {
        attributes
            .iter()
            .find(|(name, _)| name == "class")
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    for role in ["reader", "partner", "analyst", "admin"] {
        let chrome = Chrome { role, ..chrome() };
        let page = muninn_ui::layout::error_page(Some(&chrome), 404, "Not found", "nothing here");
        let (_, attributes) = nav_link(&page, "/incidents").unwrap_or_else(|| panic!("{role}: {page}"));
        assert_eq!(class_of(&attributes), "", "{role}: not the page's section");
        assert!(attributes.contains(&("title".to_owned(), "g n".to_owned())), "{role}: its shortcut");
    }
    let incidents = json!({"incidents": [], "next": null});
    let filters = muninn_ui::incidents::IncidentFilters { country: "", actor: "", from: "", to: "" };
    let view =
        muninn_ui::incidents::IncidentsView { filters, results: Some(&incidents), error: None, paged: false };
    let page = muninn_ui::incidents::incidents_page(&chrome(), &view);
    let (_, attributes) = nav_link(&page, "/incidents").expect("the link");
    assert_eq!(class_of(&attributes), "active", "the incident pages are their own section");
    let (_, search) = nav_link(&page, "/search").expect("the search link");
    assert_eq!(class_of(&search), "");
    // Without a session (the sign-in page) there is no navigation at all.
    assert!(nav_link(&muninn_ui::layout::error_page(None, 404, "Not found", "x"), "/incidents").is_none());
}

#[test]
fn the_entity_page_draws_the_timeline_the_entity_route_answers() {
    let mentions = json!({"facets": {"entity": [], "indicator": []}});
    let cases = [
        // Two days with mentions and the day between them: three bars, one empty.
        (json!([{"day": "2024-03-04", "count": 2}, {"day": "2024-03-06", "count": 1}]), 3),
        (json!([]), 0),
    ];
    for (timeline, bars) in cases {
        let entity = json!({"entities": [{"id": "a/1", "name": "Sandworm", "kind": "threat-actor"}], "timeline": timeline});
        let page = muninn_ui::entity::entity_page(&chrome(), "Sandworm", &entity, Some(&mentions));
        assert_eq!(page.matches("class=\"bar\"").count(), bars, "{timeline}: {page}");
        assert_eq!(page.contains("Mentions per day"), bars > 0, "{timeline}");
    }
}

#[test]
fn the_map_of_places_draws_hostile_names_only_escaped_and_links_only_to_local_lists() {
    for payload in PAYLOADS {
        let entity = json!({"entities": [{"id": "a/1", "name": payload, "kind": "threat-actor"}],
            "places": [{"country": payload, "name": payload, "latitude": 48.4, "longitude": 31.2, "incidents": 3, "locations": 0}]});
        let page = muninn_ui::entity::entity_page(&chrome(), payload, &entity, None);
        let context = format!("map with {payload:?}");
        assert_clean(&page, &context);
        assert_eq!(page.matches("<circle class=\"place-dot\"").count(), 1, "{context}");
        // The dot's link is the incident list of that country, the code percent-encoded.
        let encoded: String = payload
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        assert!(page.contains(&format!("href=\"/incidents?country={encoded}\"")), "{context}\n{page}");
        if payload.contains('<') {
            let escaped = muninn_ui::html::escape(payload);
            assert!(page.contains(&format!("<text class=\"place-label\" x=\"219.2\" y=\"43.1\" text-anchor=\"start\">{escaped}</text>")), "{context}\n{page}");
        }
    }
}
