//! The access matrix: every declared route x every user (and nobody) x every object it can
//! name, against the expectation of a reference model written here from the TLP 2.0 text. A
//! route that is not in [`MATRIX`] fails the test: new routes are covered before they land.

use axum::http::{Method, StatusCode};
use muninn_model::{Markings, Tlp};
use serde_json::Value;

use crate::fixture::{Fixture, USERS, WATCHLISTS, marking};

/// What a route answers.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// 200 for everyone, signed in or not.
    Public,
    /// 200 for any signed-in user, 401 for nobody.
    AnyUser,
    /// 200 for administrators, 403 for other users, 401 for nobody.
    AdminOnly,
    /// Per item: 200 when the reference model lets the user see it, else 404.
    PerItem,
    /// Per alert: 200 when the user sees both its item and its watchlist, else 404.
    PerAlert,
    /// Per alert, a change: 404 when invisible; visible: 403 for readers and partners, else 200
    /// (or 409 when the alert already is in that state).
    PerAlertChange,
    /// Per watchlist: 200 when visible, else 404.
    PerWatchlist,
    /// Per incident of the knowledge base (the deployment's own material): 200 when the
    /// reference model lets the user see it, else 404, as a missing incident.
    PerIncident,
    /// A page of an incident: as [`Rule::PerIncident`]; nobody 303.
    PagePerIncident,
    /// Any signed-in user gets 404 (the fixture has no such object); nobody 401.
    AnyUserNotFound,
    /// Per watchlist, a yente match query: 200 when the list is visible, else 404.
    PerWatchlistMatch,
    /// Covered by the named test (the route changes credentials the matrix runs with).
    Dedicated(&'static str),
    /// Per watchlist, screening a text: 200 when the list is visible, else 404.
    PerWatchlistScreen,
    /// A page of the UI: 200 for any signed-in user; nobody is sent to sign in (303).
    Page,
    /// A page of an item: 200 when the reference model lets the user see it, else 404 (the
    /// same page as a missing item); nobody 303.
    PagePerItem,
    /// A page of a watchlist: 200 when visible, else 404; nobody 303.
    PagePerWatchlist,
    /// A page of something the fixture does not have: 404 for users; nobody 303.
    PageNotFound,
    /// A page for administrators: 200 for them, 403 for other users; nobody 303.
    PageAdminOnly,
    /// 200 for any signed-in user but partners (403); nobody 401.
    NotPartner,
    /// 200 for administrators, 404 for other users (as a route that does not exist); nobody 401.
    AdminOnlyNotFound,
    /// A page for administrators: 200 for them, 404 for other users (the page of a missing
    /// one); nobody 303.
    PageAdminOnlyNotFound,
    /// Per watchlist, a change with this body (`{tlp}` is the list's TLP): 404 when invisible;
    /// visible: the given status for analysts and administrators of the list's organisation,
    /// 403 for everyone else.
    PerWatchlistChange(&'static str, u16),
}

impl Rule {
    /// What a request without credentials gets.
    fn anonymous(self) -> StatusCode {
        match self {
            Rule::Page
            | Rule::PagePerItem
            | Rule::PagePerIncident
            | Rule::PagePerWatchlist
            | Rule::PageNotFound
            | Rule::PageAdminOnly
            | Rule::PageAdminOnlyNotFound => StatusCode::SEE_OTHER,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// Every route's rule, by `METHOD path`.
pub const MATRIX: &[(&str, Rule)] = &[
    ("GET /api/v1/health", Rule::Public),
    ("GET /api/v1/openapi.json", Rule::Public),
    ("GET /metrics", Rule::Public),
    ("POST /api/v1/login", Rule::Dedicated("basics::login_gives_a_token_and_wrong_passwords_are_limited")),
    ("POST /api/v1/logout", Rule::Dedicated("basics::logout_and_revocation_take_effect_at_once")),
    ("GET /api/v1/me", Rule::AnyUser),
    ("POST /api/v1/tokens", Rule::AnyUser),
    ("DELETE /api/v1/tokens/{id}", Rule::Dedicated("basics::logout_and_revocation_take_effect_at_once")),
    ("GET /api/v1/users", Rule::AdminOnly),
    ("POST /api/v1/users", Rule::Dedicated("basics::only_admins_create_users_and_never_above_themselves")),
    ("GET /api/v1/search", Rule::AnyUser),
    ("GET /api/v1/items/{id}", Rule::PerItem),
    ("GET /api/v1/items/{id}/related", Rule::PerItem),
    ("GET /api/v1/indicators/{value}", Rule::AnyUser),
    ("GET /api/v1/entities", Rule::AnyUser),
    ("GET /api/v1/entities/{name}", Rule::AnyUserNotFound),
    (
        "POST /api/v1/items",
        Rule::Dedicated("basics::uploads_are_screened_audited_and_streamed_to_those_who_may_see_them"),
    ),
    (
        "GET /api/v1/alerts/stream",
        Rule::Dedicated("basics::uploads_are_screened_audited_and_streamed_to_those_who_may_see_them"),
    ),
    ("GET /api/v1/incidents", Rule::AnyUser),
    ("GET /api/v1/incidents/{id}", Rule::PerIncident),
    ("GET /api/v1/alerts", Rule::AnyUser),
    ("GET /api/v1/webhooks", Rule::AnyUser),
    ("POST /api/v1/webhooks", Rule::Dedicated("basics::webhooks_deliver_signed_alerts_their_owner_may_see")),
    (
        "DELETE /api/v1/webhooks/{id}",
        Rule::Dedicated("basics::webhooks_deliver_signed_alerts_their_owner_may_see"),
    ),
    ("GET /api/v1/alerts/{key}", Rule::PerAlert),
    ("POST /api/v1/alerts/{key}/state", Rule::PerAlertChange),
    ("GET /api/v1/watchlists", Rule::AnyUser),
    ("GET /api/v1/watchlists/{name}", Rule::PerWatchlist),
    ("POST /api/v1/match/{dataset}", Rule::PerWatchlistMatch),
    ("POST /match/{dataset}", Rule::PerWatchlistMatch),
    ("GET /api/v1/audit/verify", Rule::AdminOnly),
    ("POST /api/v1/watchlists/{name}/test", Rule::PerWatchlistScreen),
    ("GET /api/v1/audit/entries", Rule::AdminOnly),
    ("GET /api/v1/export", Rule::NotPartner),
    ("GET /api/v1/sharing", Rule::AdminOnlyNotFound),
    (
        "POST /api/v1/watchlists",
        Rule::Dedicated(
            "watchlists::lists_are_created_by_analysts_and_admins_with_their_organisation_as_owner",
        ),
    ),
    ("PATCH /api/v1/watchlists/{name}", Rule::PerWatchlistChange(r#"{"tlp": "{tlp}"}"#, 200)),
    // The fixture's lists raised alerts: they are kept for their triage history.
    ("DELETE /api/v1/watchlists/{name}", Rule::PerWatchlistChange("", 409)),
    (
        "POST /api/v1/watchlists/{name}/entries",
        Rule::PerWatchlistChange(r#"{"kind": "indicator", "value": "203.0.113.9"}"#, 200),
    ),
    (
        "PUT /api/v1/watchlists/{name}/entries/{id}",
        Rule::PerWatchlistChange(r#"{"kind": "name", "name": "Matrix Entry", "severity": "high"}"#, 200),
    ),
    (
        "DELETE /api/v1/watchlists/{name}/entries/{id}",
        Rule::Dedicated(
            "watchlists::entries_are_added_edited_and_removed_against_the_version_they_were_read_at",
        ),
    ),
    (
        "POST /api/v1/watchlists/{name}/import",
        Rule::PerWatchlistChange("id,kind,value\nm1,indicator,203.0.113.10\n", 200),
    ),
    ("GET /api/v1/knowledge/duplicates", Rule::AnyUser),
    (
        "POST /api/v1/knowledge/same-as",
        Rule::Dedicated(
            "resolution::suggestions_decisions_and_withdrawals_keep_to_what_each_caller_may_see_and_do",
        ),
    ),
    (
        "DELETE /api/v1/knowledge/same-as/{a}/{b}",
        Rule::Dedicated(
            "resolution::suggestions_decisions_and_withdrawals_keep_to_what_each_caller_may_see_and_do",
        ),
    ),
    // The web UI.
    ("GET /ui/app.css", Rule::Public),
    ("GET /ui/app.js", Rule::Public),
    ("GET /robots.txt", Rule::Public),
    ("GET /favicon.ico", Rule::Dedicated("ui::assets_and_pages_carry_the_security_headers")),
    ("GET /login", Rule::Public),
    ("POST /login", Rule::Dedicated("ui::sign_in_sets_a_strict_cookie_and_goes_through_the_rate_limiter")),
    ("POST /logout", Rule::Dedicated("ui::sign_out_needs_the_csrf_token_and_revokes_the_session")),
    ("GET /", Rule::Page),
    ("GET /search", Rule::Page),
    ("GET /items/{id}", Rule::PagePerItem),
    ("GET /entities/{name}", Rule::PageNotFound),
    ("GET /incidents", Rule::Page),
    ("GET /duplicates", Rule::Page),
    (
        "POST /duplicates/decide",
        Rule::Dedicated("resolution::the_duplicates_page_decides_and_withdraws_with_the_csrf_token"),
    ),
    (
        "POST /duplicates/withdraw",
        Rule::Dedicated("resolution::the_duplicates_page_decides_and_withdraws_with_the_csrf_token"),
    ),
    ("GET /incidents/{id}", Rule::PagePerIncident),
    ("GET /alerts", Rule::Page),
    (
        "POST /alerts/triage",
        Rule::Dedicated("ui::bulk_triage_authorises_each_alert_and_needs_the_csrf_token"),
    ),
    ("GET /watchlists", Rule::Page),
    ("GET /watchlists/{name}", Rule::PagePerWatchlist),
    ("POST /watchlists", Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token")),
    (
        "POST /watchlists/{name}/entries",
        Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token"),
    ),
    (
        "POST /watchlists/{name}/entries/remove",
        Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token"),
    ),
    (
        "POST /watchlists/{name}/import",
        Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token"),
    ),
    (
        "POST /watchlists/{name}/settings",
        Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token"),
    ),
    (
        "POST /watchlists/{name}/delete",
        Rule::Dedicated("ui::watchlist_pages_create_edit_and_import_with_the_csrf_token"),
    ),
    (
        "POST /watchlists/{name}/test",
        Rule::Dedicated("ui::watchlist_test_page_explains_hits_of_visible_lists_only"),
    ),
    ("GET /import", Rule::Page),
    ("POST /import", Rule::Dedicated("ui::import_page_ingests_a_pasted_text_with_the_csrf_token")),
    ("GET /export", Rule::Page),
    (
        "GET /export/download",
        Rule::Dedicated("export::the_export_page_previews_under_the_selection_label_and_links_the_downloads"),
    ),
    ("GET /sharing", Rule::PageAdminOnlyNotFound),
    (
        "POST /sharing/collections",
        Rule::Dedicated("taxii::sharing::administrators_create_collections_with_the_sharing_form"),
    ),
    ("GET /audit", Rule::PageAdminOnly),
];

/// The reference model: who sees what, from FIRST's definitions, written independently of
/// `muninn_access`.
pub fn reference_sees(user: &str, markings: &Markings) -> bool {
    let (_, org, _, groups) = USERS.iter().find(|(id, ..)| *id == user).expect("fixture user");
    let originator = markings.originator.as_deref().unwrap_or("local");
    // org-c is the only client, of org-a.
    let client_of: &[&str] = if *org == "org-c" { &["org-a"] } else { &[] };
    if !markings.compartments.iter().all(|c| groups.contains(&c.as_str())) {
        return false;
    }
    if !markings.only_orgs.is_empty() && !markings.only_orgs.contains(*org) && originator != *org {
        return false;
    }
    match markings.tlp {
        Tlp::Clear | Tlp::Green => true,
        Tlp::Amber => originator == *org || (markings.amber_to_clients && client_of.contains(&originator)),
        Tlp::AmberStrict => originator == *org,
        Tlp::Red => markings.recipients.contains(user),
    }
}

fn role_may_change(user: &str) -> bool {
    let (_, _, role, _) = USERS.iter().find(|(id, ..)| *id == user).expect("fixture user");
    matches!(role, muninn_access::Role::Admin | muninn_access::Role::Analyst)
}

fn is_admin(user: &str) -> bool {
    USERS.iter().any(|(id, _, role, _)| *id == user && *role == muninn_access::Role::Admin)
}

/// Which statuses a user may get.
type Expect = Box<dyn Fn(&str) -> Vec<StatusCode>>;
/// A concrete request: path, body, expectation.
type Case = (String, Option<String>, Expect);

/// The concrete requests of a route: (path, body, expected status per user).
fn cases(fixture: &Fixture, method: &Method, path: &str, rule: Rule) -> Vec<Case> {
    use StatusCode as S;
    let ok = |_: &str| vec![S::OK];
    let body = |text: &str| Some(text.to_owned());
    match rule {
        Rule::Public | Rule::AnyUser | Rule::Page => {
            let concrete = match path {
                "/search" => "/search?q=shared-term".to_owned(),
                _ => path
                    .replace("{value}", "198.51.100.7")
                    .replace("/api/v1/search", "/api/v1/search?q=shared-term&facets=true"),
            };
            let body = (*method == Method::POST).then(|| "{}".to_owned());
            vec![(concrete, body, Box::new(ok))]
        }
        Rule::AnyUserNotFound | Rule::PageNotFound => {
            vec![(path.replace("{name}", "Fancy%20Bear"), None, Box::new(|_: &str| vec![S::NOT_FOUND]))]
        }
        Rule::NotPartner => {
            let concrete = format!("{path}?q=shared-term&format=stix");
            let expect: Expect = Box::new(|user: &str| {
                let partner =
                    USERS.iter().any(|(id, _, role, _)| *id == user && *role == muninn_access::Role::Partner);
                vec![if partner { S::FORBIDDEN } else { S::OK }]
            });
            vec![(concrete, None, expect)]
        }
        Rule::AdminOnlyNotFound | Rule::PageAdminOnlyNotFound => vec![(
            path.to_owned(),
            None,
            Box::new(|user: &str| vec![if is_admin(user) { S::OK } else { S::NOT_FOUND }]),
        )],
        Rule::AdminOnly | Rule::PageAdminOnly => vec![(
            path.to_owned(),
            None,
            Box::new(|user: &str| vec![if is_admin(user) { S::OK } else { S::FORBIDDEN }]),
        )],
        Rule::PerItem | Rule::PagePerItem => {
            let mut out: Vec<Case> = fixture
                .items
                .iter()
                .map(|(_, item)| {
                    let markings = item.markings.clone();
                    let expect: Expect = Box::new(move |user: &str| {
                        vec![if reference_sees(user, &markings) { S::OK } else { S::NOT_FOUND }]
                    });
                    (path.replace("{id}", &item.id.to_string()), None, expect)
                })
                .collect();
            // A missing item, and something that is not an id: the same 404.
            out.push((
                path.replace("{id}", "00000000000000000000000000000000"),
                None,
                Box::new(|_: &str| vec![S::NOT_FOUND]),
            ));
            out.push((path.replace("{id}", "not-an-id"), None, Box::new(|_: &str| vec![S::NOT_FOUND])));
            out
        }
        Rule::PerIncident | Rule::PagePerIncident => {
            let mut out: Vec<Case> = crate::fixture::incident_objects()
                .into_iter()
                .map(|(_, object)| {
                    let markings = marking(object.tlp().unwrap_or(Tlp::AmberStrict), "local");
                    let expect: Expect = Box::new(move |user: &str| {
                        vec![if reference_sees(user, &markings) { S::OK } else { S::NOT_FOUND }]
                    });
                    (path.replace("{id}", object.id().as_str()), None, expect)
                })
                .collect();
            // A missing incident, and something that is not an id: the same 404.
            for missing in ["incident--00000000-0000-4000-8000-000000000000", "not-an-id"] {
                out.push((path.replace("{id}", missing), None, Box::new(|_: &str| vec![S::NOT_FOUND])));
            }
            out
        }
        Rule::PerAlert | Rule::PerAlertChange => {
            let change = matches!(rule, Rule::PerAlertChange);
            let alerts = alert_markings(fixture);
            let mut out: Vec<Case> = Vec::new();
            for (key, item_markings, list_markings) in alerts {
                let expect: Expect = Box::new(move |user: &str| {
                    let visible =
                        reference_sees(user, &item_markings) && reference_sees(user, &list_markings);
                    match (visible, change, role_may_change(user)) {
                        (false, _, _) => vec![S::NOT_FOUND],
                        (true, false, _) => vec![S::OK],
                        (true, true, false) => vec![S::FORBIDDEN],
                        (true, true, true) => vec![S::OK, S::CONFLICT],
                    }
                });
                out.push((
                    path.replace("{key}", &key.replace('/', "%2F")),
                    change.then(|| body(r#"{"state":"acknowledged"}"#)).flatten(),
                    expect,
                ));
            }
            out.push((
                path.replace("{key}", "no-such-alert"),
                change.then(|| body(r#"{"state":"acknowledged"}"#)).flatten(),
                Box::new(|_: &str| vec![S::NOT_FOUND]),
            ));
            out
        }
        Rule::PerWatchlist | Rule::PagePerWatchlist | Rule::PerWatchlistScreen => WATCHLISTS
            .iter()
            .map(|(name, owner, tlp)| {
                let markings = marking(*tlp, owner);
                let expect: Expect = Box::new(move |user: &str| {
                    vec![if reference_sees(user, &markings) { S::OK } else { S::NOT_FOUND }]
                });
                let body = matches!(rule, Rule::PerWatchlistScreen)
                    .then(|| r#"{"text": "A report on APT28 tooling."}"#.to_owned());
                (path.replace("{name}", name), body, expect)
            })
            .collect(),
        Rule::PerWatchlistChange(template, ok) => WATCHLISTS
            .iter()
            .map(|(name, owner, tlp)| {
                let markings = marking(*tlp, owner);
                let owner = (*owner).to_owned();
                let expect: Expect = Box::new(move |user: &str| {
                    let (_, org, ..) = USERS.iter().find(|(id, ..)| *id == user).expect("fixture user");
                    vec![match (reference_sees(user, &markings), *org == owner && role_may_change(user)) {
                        (false, _) => S::NOT_FOUND,
                        (true, false) => S::FORBIDDEN,
                        (true, true) => S::from_u16(ok).expect("status"),
                    }]
                });
                let body = (!template.is_empty()).then(|| template.replace("{tlp}", tlp.label()));
                let path = path
                    .replace("{name}", name)
                    .replace("{id}", "matrix-entry")
                    .replace("/import", "/import?format=csv&mode=merge");
                (path, body, expect)
            })
            .collect(),
        Rule::PerWatchlistMatch => {
            let query =
                r#"{"queries": {"q1": {"schema": "Organization", "properties": {"name": ["APT28"]}}}}"#;
            let mut out: Vec<Case> = WATCHLISTS
                .iter()
                .map(|(name, owner, tlp)| {
                    let markings = marking(*tlp, owner);
                    let expect: Expect = Box::new(move |user: &str| {
                        vec![if reference_sees(user, &markings) { S::OK } else { S::NOT_FOUND }]
                    });
                    (path.replace("{dataset}", name), Some(query.to_owned()), expect)
                })
                .collect();
            out.push((path.replace("{dataset}", "default"), Some(query.to_owned()), Box::new(ok)));
            out
        }
        Rule::Dedicated(test) => {
            eprintln!("{method} {path}: covered by {test}");
            Vec::new()
        }
    }
}

/// Every alert of the fixture with its item's and its list's markings.
fn alert_markings(fixture: &Fixture) -> Vec<(String, Markings, Markings)> {
    let store = fixture.state.store.read().expect("store");
    let alerts: Vec<muninn_screen::Alert> =
        muninn_api::catalog::load_all(store.as_ref(), muninn_api::catalog::ALERT_TABLE).expect("alerts");
    assert!(alerts.len() >= 9, "the fixture raises an alert per item and list: {}", alerts.len());
    alerts
        .into_iter()
        .map(|alert| {
            let item = fixture
                .items
                .iter()
                .find(|(_, item)| item.id.to_string() == alert.item)
                .expect("item")
                .1
                .clone();
            let (_, owner, tlp) = WATCHLISTS.iter().find(|(name, ..)| *name == alert.list).expect("list");
            (alert.key(), item.markings, marking(*tlp, owner))
        })
        .collect()
}

/// The body of a 404 without its error id: what tells "missing" from "invisible", if anything.
fn without_id(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove("error_id");
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_user_as_the_reference_model_says() {
    let fixture = Fixture::new();
    let routes = muninn_api::all_routes();
    let mut missing = Vec::new();
    let mut checked = 0;
    let (_, missing_body) = fixture
        .call(Method::GET, "/api/v1/items/00000000000000000000000000000000", Some("a-admin"), None)
        .await;
    let missing_body = without_id(missing_body);
    for (spec, _) in &routes {
        let name = format!("{} {}", spec.method, spec.path);
        let Some((_, rule)) =
            MATRIX.iter().chain(crate::taxii::TAXII_MATRIX).find(|(route, _)| *route == name)
        else {
            missing.push(name);
            continue;
        };
        for (path, body, expect) in cases(&fixture, &spec.method, spec.path, *rule) {
            if spec.authenticated {
                let (status, _) = fixture.call(spec.method.clone(), &path, None, body.as_deref()).await;
                assert_eq!(status, rule.anonymous(), "{name} {path} without credentials");
            }
            for (user, ..) in USERS {
                let (status, answer) =
                    fixture.call(spec.method.clone(), &path, Some(user), body.as_deref()).await;
                let expected = expect(user);
                assert!(
                    expected.contains(&status),
                    "{name} {path} as {user}: {status}, expected {expected:?}; {answer}"
                );
                if status == StatusCode::NOT_FOUND && spec.path.starts_with("/incidents/") {
                    let missing = "/incidents/incident--00000000-0000-4000-8000-000000000000";
                    let ((_, missing_page), (_, page)) =
                        (fixture.page(missing, user).await, fixture.page(&path, user).await);
                    assert_eq!(
                        page, missing_page,
                        "{path} as {user}: an invisible incident's page is a missing one's"
                    );
                }
                if status == StatusCode::NOT_FOUND && spec.path.starts_with("/items/") {
                    let (_, missing_page) = fixture
                        .page(
                            &path.replace(
                                path.trim_start_matches("/items/"),
                                "00000000000000000000000000000000",
                            ),
                            user,
                        )
                        .await;
                    let (_, page) = fixture.page(&path, user).await;
                    assert_eq!(
                        page, missing_page,
                        "{path} as {user}: an invisible item's page is a missing one's"
                    );
                }
                if status == StatusCode::NOT_FOUND
                    && (spec.path.starts_with("/api/v1/items") || spec.path.starts_with("/api/v1/incidents"))
                {
                    assert_eq!(
                        without_id(answer),
                        missing_body,
                        "{path} as {user}: an invisible item answers like a missing one"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(missing.is_empty(), "routes without a rule in the access matrix: {missing:?}");
    assert!(checked > 300, "{checked} cases");
}

#[test]
fn the_matrix_names_no_route_that_does_not_exist() {
    let routes: Vec<String> =
        muninn_api::all_routes().iter().map(|(spec, _)| format!("{} {}", spec.method, spec.path)).collect();
    for (name, _) in MATRIX.iter().chain(crate::taxii::TAXII_MATRIX) {
        assert!(routes.contains(&(*name).to_owned()), "{name} is in the matrix but not in the router");
    }
}

#[test]
fn the_fixture_covers_every_tlp_label() {
    let labels: std::collections::BTreeSet<Tlp> =
        crate::fixture::item_markings().iter().map(|(_, m)| m.tlp).collect();
    assert_eq!(labels.len(), Tlp::ALL.len());
}
