//! The web UI through the real router: sign-in and the session cookie, CSRF on every form and
//! on cookie-authenticated API changes, the security headers, bulk triage authorised per alert,
//! and the MISP stored-XSS payloads rendered escaped on the pages that show them.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use tower::ServiceExt;

use crate::fixture::{Fixture, PASSWORD_USER};

/// A response: status, headers, body as text.
pub(crate) type Answer = (StatusCode, HeaderMap, String);

pub(crate) async fn send(
    fixture: &Fixture,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body.to_owned())).expect("request");
    let response = fixture.router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.expect("body");
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// The value of cookie `name` set by a response.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<(String, String)> {
    headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|cookie| {
        let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| (value.to_owned(), attributes.to_owned()))
    })
}

/// The value of the hidden form field `name` in a page.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no field {name} in\n{page}")) + marker.len();
    page[start..].split('"').next().expect("value").to_owned()
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

pub(crate) const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// Signs in through the form; returns the session cookie header and the CSRF token of pages.
pub(crate) async fn sign_in(fixture: &Fixture) -> (String, String) {
    sign_in_as(fixture, PASSWORD_USER).await
}

/// [`sign_in`] as another user with a password.
pub(crate) async fn sign_in_as(fixture: &Fixture, (user, password): (&str, &str)) -> (String, String) {
    let (status, headers, page) = send(fixture, Method::GET, "/login?next=/alerts", &[], "").await;
    assert_eq!(status, StatusCode::OK);
    let (login_csrf, _) = set_cookie(&headers, "muninn_login_csrf").expect("login csrf cookie");
    assert_eq!(field(&page, "csrf"), login_csrf);
    let body = form(&[("csrf", &login_csrf), ("next", "/alerts"), ("user", user), ("password", password)]);
    let cookie = format!("muninn_login_csrf={login_csrf}");
    let (status, headers, _) =
        send(fixture, Method::POST, "/login", &[FORM, ("cookie", &cookie)], &body).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/alerts");
    let (session, attributes) = set_cookie(&headers, "muninn_session").expect("session cookie");
    assert!(session.starts_with("mnn_"));
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    // Over loopback (no address in these tests) the cookie is not Secure; elsewhere it is.
    assert!(!attributes.contains("Secure"), "{attributes}");
    let cookie = format!("muninn_session={session}");
    let (status, _, page) = send(fixture, Method::GET, "/alerts", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = field(&page, "csrf");
    (cookie, csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_and_pages_carry_the_security_headers() {
    let fixture = Fixture::new();
    let token = format!("Bearer {}", fixture.tokens["a-analyst"]);
    for path in [
        "/ui/app.css",
        "/ui/app.js",
        "/login",
        "/",
        "/search?q=shared-term",
        "/alerts",
        "/favicon.ico",
        "/items/nothing",
    ] {
        let (status, headers, _) = send(&fixture, Method::GET, path, &[("authorization", &token)], "").await;
        assert!(
            status.is_success() || status == StatusCode::NOT_FOUND || status.is_redirection(),
            "{path}: {status}"
        );
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], muninn_ui::CONTENT_SECURITY_POLICY, "{path}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
    let (_, headers, _) = send(&fixture, Method::GET, "/ui/app.js", &[], "").await;
    assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/javascript"));
    // Nobody is sent to sign in, and comes back where they were going.
    let (status, headers, _) = send(&fixture, Method::GET, "/alerts?state=new", &[], "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?next=%2Falerts%3Fstate%3Dnew");
    // The UI is not in the API's OpenAPI document.
    let document = muninn_api::openapi_document();
    assert!(document["paths"].get("/alerts").is_none() && document["paths"].get("/api/v1/alerts").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sets_a_strict_cookie_and_goes_through_the_rate_limiter() {
    let fixture = Fixture::new();
    let (cookie, _) = sign_in(&fixture).await;
    // The session is an API token: the API accepts the cookie for reading.
    let (status, _, body) = send(&fixture, Method::GET, "/api/v1/me", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A form without its double-submit token is refused before the password is checked.
    let (user, password) = PASSWORD_USER;
    let body = form(&[("csrf", "forged"), ("user", user), ("password", password)]);
    let (status, headers, _) =
        send(&fixture, Method::POST, "/login", &[FORM, ("cookie", "muninn_login_csrf=other")], &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&headers, "muninn_session").is_none());
    // Wrong passwords: 401 pages, then 429, then even the right password waits.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let body = form(&[("csrf", "t"), ("user", user), ("password", "wrong")]);
        statuses.push(
            send(&fixture, Method::POST, "/login", &[FORM, ("cookie", "muninn_login_csrf=t")], &body).await.0,
        );
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(*statuses.last().expect("last"), StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let body = form(&[("csrf", "t"), ("user", user), ("password", password)]);
    let (status, _, page) =
        send(&fixture, Method::POST, "/login", &[FORM, ("cookie", "muninn_login_csrf=t")], &body).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Too many attempts"));
    // After sign-in, only local paths are followed.
    assert!(!page.contains("evil"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_needs_the_csrf_token_and_revokes_the_session() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    let (status, _, _) = send(
        &fixture,
        Method::POST,
        "/logout",
        &[FORM, ("cookie", &cookie)],
        &form(&[("csrf", "0".repeat(64).as_str())]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&fixture, Method::GET, "/alerts", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK, "a refused sign-out changes nothing");
    let (status, headers, _) =
        send(&fixture, Method::POST, "/logout", &[FORM, ("cookie", &cookie)], &form(&[("csrf", &csrf)]))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (value, attributes) = set_cookie(&headers, "muninn_session").expect("cleared");
    assert!(value.is_empty() && attributes.contains("Max-Age=0"));
    let (status, headers, _) = send(&fixture, Method::GET, "/alerts", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the revoked session signs nobody in");
    assert!(headers[header::LOCATION].to_str().expect("location").starts_with("/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_sessions_change_nothing_through_the_api_without_the_csrf_header() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    let (_, alerts) = fixture.call(Method::GET, "/api/v1/alerts", Some("a-analyst"), None).await;
    let key = alerts["alerts"][0]["key"].as_str().expect("an alert").replace('/', "%2F");
    let path = format!("/api/v1/alerts/{key}/state");
    let body = r#"{"state":"escalated","note":"csrf test"}"#;
    let json = ("content-type", "application/json");
    let (status, _, answer) = send(&fixture, Method::POST, &path, &[json, ("cookie", &cookie)], body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _, answer) = send(
        &fixture,
        Method::POST,
        &path,
        &[json, ("cookie", &cookie), ("x-csrf-token", "ab".repeat(32).as_str())],
        body,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _, answer) =
        send(&fixture, Method::POST, &path, &[json, ("cookie", &cookie), ("x-csrf-token", &csrf)], body)
            .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_triage_authorises_each_alert_and_needs_the_csrf_token() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    // a-analyst sees some alerts; the keys of all the fixture's alerts include ones it may not.
    let all: Vec<String> =
        fixture.documents(muninn_api::catalog::ALERT_TABLE).into_iter().map(|(key, _)| key).collect();
    let (_, visible) = fixture.call(Method::GET, "/api/v1/alerts?state=new", Some("a-analyst"), None).await;
    let visible = visible["total"].as_u64().expect("total");
    assert!(visible > 0 && (visible as usize) < all.len(), "{visible} of {}", all.len());
    let mut pairs: Vec<(&str, &str)> = vec![("state", "acknowledged"), ("note", "bulk <b>note</b>")];
    pairs.extend(all.iter().map(|key| ("key", key.as_str())));
    // Without the token: refused, nothing changed.
    let (status, _, _) =
        send(&fixture, Method::POST, "/alerts/triage", &[FORM, ("cookie", &cookie)], &form(&pairs)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, still) = fixture.call(Method::GET, "/api/v1/alerts?state=new", Some("a-analyst"), None).await;
    assert_eq!(still["total"].as_u64(), Some(visible));
    pairs.push(("csrf", &csrf));
    let (status, headers, _) =
        send(&fixture, Method::POST, "/alerts/triage", &[FORM, ("cookie", &cookie)], &form(&pairs)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("location").to_owned();
    let refused = all.len() as u64 - visible;
    assert!(location.contains(&format!("done={visible}&refused={refused}")), "{location}");
    let (_, after) =
        fixture.call(Method::GET, "/api/v1/alerts?state=acknowledged", Some("a-analyst"), None).await;
    assert_eq!(after["total"].as_u64(), Some(visible));
    // Alerts of another organisation's list stayed new for those who see them.
    let (_, theirs) = fixture.call(Method::GET, "/api/v1/alerts?state=new", Some("b-analyst"), None).await;
    assert!(theirs["total"].as_u64().expect("total") > 0);
    let (status, _, page) = send(&fixture, Method::GET, &location, &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("{visible} alerts changed; {refused} refused")), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlist_test_page_explains_hits_of_visible_lists_only() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    let text = "Seen: APT28 <script>alert(1)</script>";
    let body = form(&[("csrf", &csrf), ("text", text)]);
    let (status, _, page) =
        send(&fixture, Method::POST, "/watchlists/list-a/test", &[FORM, ("cookie", &cookie)], &body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 hits") && page.contains("<mark>APT28</mark>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"));
    // list-a is org-a's AMBER+STRICT list: org-b's users get the page of a missing list.
    let (status, _) = fixture.page("/watchlists/list-a", "b-analyst").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, answer) = fixture
        .call(Method::POST, "/api/v1/watchlists/list-a/test", Some("b-analyst"), Some(r#"{"text": "APT28"}"#))
        .await;
    assert_eq!(answer["http_status"], "404");
    let (status, answer) = fixture
        .call(
            Method::POST,
            "/api/v1/watchlists/list-b/test",
            Some("a-analyst"),
            Some(r#"{"text": "apt28 again"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["hits"][0]["method"], "exact", "{answer}");
    assert_eq!(answer["hits"][0]["matched"], "apt28");
    let (status, _, _) = send(
        &fixture,
        Method::POST,
        "/watchlists/list-a/test",
        &[FORM, ("cookie", &cookie)],
        &form(&[("text", text)]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
}

/// Payloads after MISP's stored-XSS CVEs, in the title and body of an uploaded item.
const PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(3)\"><script>alert(4)</script></svg>",
    "<a href=\"javascript:alert(5)\">click</a>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_page_ingests_a_pasted_text_with_the_csrf_token() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    let line = serde_json::json!({"title": "xssprobe <script>alert(1)</script>", "body": PAYLOADS.join(" javascript:alert(6) ")}).to_string();
    let body = form(&[
        ("csrf", &csrf),
        ("format", "jsonl"),
        ("tlp", "amber"),
        ("source", "xss-test"),
        ("text", &line),
    ]);
    let (status, _, page) =
        send(&fixture, Method::POST, "/import", &[FORM, ("cookie", &cookie)], &body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<dd data-field=\"stored\">1</dd>"), "{page}");
    let (status, _, _) = send(
        &fixture,
        Method::POST,
        "/import",
        &[FORM, ("cookie", &cookie)],
        &form(&[("format", "jsonl"), ("text", &line)]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    // The stored payloads, on every page that shows them, only escaped.
    fixture.state.sync_index().expect("sync");
    let (status, _, page) =
        send(&fixture, Method::GET, "/search?q=xssprobe", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK);
    assert_escaped(&page);
    let id = page.split("href=\"/items/").nth(1).expect("a hit").split('"').next().expect("id").to_owned();
    let (status, _, page) =
        send(&fixture, Method::GET, &format!("/items/{id}"), &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK);
    assert_escaped(&page);
    assert!(page.contains("<strong>TLP:AMBER</strong>"), "the banner");
    // The item is AMBER of org-a: org-b sees the page of a missing item.
    let (status, missing) = fixture.page("/items/00000000000000000000000000000000", "b-analyst").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, invisible) = fixture.page(&format!("/items/{id}"), "b-analyst").await;
    assert_eq!((status, invisible), (StatusCode::NOT_FOUND, missing));
}

fn assert_escaped(page: &str) {
    for raw in ["<script>alert", "<img src=x", "<svg xmlns", "href=\"javascript:", "onerror=alert(2)>"] {
        assert!(!page.contains(raw), "{raw} unescaped in\n{page}");
    }
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown escaped:\n{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_when_idle_or_too_old_and_send_the_browser_to_sign_in() {
    let settings = muninn_api::Settings {
        session_idle: std::time::Duration::from_millis(400),
        ..muninn_api::Settings::default()
    };
    let fixture = Fixture::with_settings(settings);
    let (cookie, _) = sign_in(&fixture).await;
    let session = cookie.trim_start_matches("muninn_session=").to_owned();
    // Used within the idle timeout, again and again: still signed in.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (status, _, _) = send(&fixture, Method::GET, "/alerts", &[("cookie", &cookie)], "").await;
        assert_eq!(status, StatusCode::OK);
    }
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let (status, headers, _) =
        send(&fixture, Method::GET, "/alerts?state=new", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/login?next=%2Falerts%3Fstate%3Dnew&ended=1");
    let (value, attributes) = set_cookie(&headers, "muninn_session").expect("the cookie is cleared");
    assert!(value.is_empty() && attributes.contains("Max-Age=0"), "{attributes}");
    let (status, _, page) = send(&fixture, Method::GET, "/login?next=%2Falerts&ended=1", &[], "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Your session has ended"), "{page}");
    // The ended session is no API token either.
    let bearer = format!("Bearer {session}");
    let (status, _, _) = send(&fixture, Method::GET, "/api/v1/me", &[("authorization", &bearer)], "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // However busy, a session ends its lifetime after sign-in (12 hours by default).
    let fixture = Fixture::new();
    let (cookie, _) = sign_in(&fixture).await;
    let hash = muninn_access::token_hash(cookie.trim_start_matches("muninn_session="));
    {
        let mut directory = fixture.state.directory.write().expect("directory");
        let record = directory.tokens.get_mut(&hash).expect("the session's token");
        assert_eq!(record.label, muninn_api::auth::WEB_SESSION_LABEL);
        record.created_at_unix -= 12 * 3600 + 1;
    }
    let (status, headers, _) = send(&fixture, Method::GET, "/alerts", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().expect("location").ends_with("&ended=1"));
    // API tokens (not sessions) do not end this way: the fixture's are from 1970.
    let (status, _) = fixture.call(Method::GET, "/api/v1/me", Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlist_pages_create_edit_and_import_with_the_csrf_token() {
    let fixture = Fixture::new();
    let (cookie, csrf) = sign_in(&fixture).await;
    let post = |path: String, pairs: Vec<(&'static str, String)>| {
        let cookie = cookie.clone();
        let fixture = &fixture;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send(fixture, Method::POST, &path, &[FORM, ("cookie", &cookie)], &form(&pairs)).await
        }
    };
    let name = "<script>alert(1)</script> watch";
    let encoded = "%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20watch";
    // Without the CSRF token nothing is created.
    let (status, _, _) =
        post("/watchlists".into(), vec![("name", name.into()), ("tlp", "amber".into())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = post(
        "/watchlists".into(),
        vec![("csrf", csrf.clone()), ("name", name.into()), ("tlp", "amber".into())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("location").to_owned();
    assert_eq!(location, format!("/watchlists/{encoded}?created=1"));
    let (status, _, page) = send(&fixture, Method::GET, &location, &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Watchlist created") && page.contains("<strong>TLP:AMBER</strong>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; watch") && !page.contains("<script>alert"));
    let (_, _, index) = send(&fixture, Method::GET, "/watchlists", &[("cookie", &cookie)], "").await;
    assert!(index.contains("id=\"new-list-form\"") && !index.contains("<script>alert"), "{index}");
    // The same name again: the form comes back with why.
    let (status, _, page) = post(
        "/watchlists".into(),
        vec![("csrf", csrf.clone()), ("name", name.into()), ("tlp", "green".into())],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("exists already"), "{page}");

    // An entry whose name and alias are payloads, added, then edited.
    let list = format!("/watchlists/{encoded}");
    let entry = vec![
        ("csrf", csrf.clone()),
        ("version", "1".to_owned()),
        ("kind", "name".to_owned()),
        ("text", "Voodoo <img src=x onerror=alert(2)> Bear".to_owned()),
        ("aliases", "Sandworm Team\r\n<svg onload=alert(3)> Team".to_owned()),
        ("severity", "high".to_owned()),
        ("note", "<a href=\"javascript:alert(4)\">x</a>".to_owned()),
    ];
    let (status, headers, page) = post(format!("{list}/entries"), entry.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let saved = headers[header::LOCATION].to_str().expect("location").to_owned();
    assert!(saved.ends_with("?saved=e1"), "{saved}");
    let (_, _, page) = send(&fixture, Method::GET, &saved, &[("cookie", &cookie)], "").await;
    for raw in ["<img src=x", "<svg onload", "href=\"javascript:"] {
        assert!(!page.contains(raw), "{raw} unescaped in\n{page}");
    }
    assert!(page.contains("Voodoo &lt;img src=x onerror=alert(2)&gt; Bear"), "{page}");
    assert!(page.contains("Entry e1 saved"), "{page}");
    // The form made against version 1 is now stale: refused, and shown again with why.
    let (status, _, page) = post(format!("{list}/entries"), entry.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("changed since you opened it") && page.contains("value=\"high\" selected"),
        "{page}"
    );
    // A pattern that does not compile: the form again, filled in, with the screener's reason.
    let mut bad = entry.clone();
    bad[1].1 = "2".to_owned();
    bad[2].1 = "pattern".to_owned();
    bad[3].1 = "(unclosed".to_owned();
    let (status, _, page) = post(format!("{list}/entries"), bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("does not compile") && page.contains("value=\"(unclosed\""), "{page}");
    let (status, _, page) =
        send(&fixture, Method::GET, &format!("{list}?edit=e1"), &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Edit entry e1") && page.contains("name=\"editing\" value=\"1\""), "{page}");
    let mut edited = entry.clone();
    edited[1].1 = "2".to_owned();
    edited[5].1 = "critical".to_owned();
    edited.push(("id", "e1".to_owned()));
    edited.push(("editing", "1".to_owned()));
    let (status, _, _) = post(format!("{list}/entries"), edited).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, json) =
        fixture.call(Method::GET, &format!("/api/v1/watchlists/{encoded}"), Some("a-analyst"), None).await;
    assert_eq!(json["entries"][0]["severity"], "critical", "{json}");
    assert_eq!(json["entries"][0]["aliases"][1], "<svg onload=alert(3)> Team", "{json}");

    // A file, as the script sends it (base64), with a result per record.
    use base64::Engine as _;
    let csv = include_bytes!("../../../screen/test_data/import/bad-rows.csv");
    let import = vec![
        ("csrf", csrf.clone()),
        ("version", "3".to_owned()),
        ("format", "csv".to_owned()),
        ("mode", "merge".to_owned()),
        ("file_b64", base64::engine::general_purpose::STANDARD.encode(csv)),
    ];
    let (status, _, page) = post(format!("{list}/import"), import.clone()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<dd data-field=\"added\">2</dd>"), "{page}");
    assert!(page.contains("kind &quot;person&quot; is not one of"), "per-record warnings: {page}");
    assert!(page.contains("class=\"outcome-added\""), "{page}");
    // Not UTF-8: refused with where, not guessed at.
    let mut latin = import.clone();
    latin[1].1 = "4".to_owned();
    latin[4].1 =
        base64::engine::general_purpose::STANDARD.encode(b"id,kind,value\nx,name,Jos\xe9 Garc\xeda\n");
    let (status, _, page) = post(format!("{list}/import"), latin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("not UTF-8"), "{page}");
    // Removing an entry, then the TLP, then deleting the list (it raised no alert).
    let (status, headers, _) = post(
        format!("{list}/entries/remove"),
        vec![("csrf", csrf.clone()), ("id", "e1".into()), ("version", "4".into())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().expect("location").ends_with("?removed=e1"));
    let (status, _, _) = post(
        format!("{list}/settings"),
        vec![("csrf", csrf.clone()), ("tlp", "amber+strict".into()), ("version", "5".into())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) =
        post(format!("{list}/delete"), vec![("csrf", csrf.clone()), ("version", "6".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not confirmed");
    assert!(page.contains("tick the box"), "{page}");
    let (status, headers, _) = post(
        format!("{list}/delete"),
        vec![("csrf", csrf.clone()), ("version", "6".into()), ("confirm", "yes".into())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION].to_str().expect("location").starts_with("/watchlists?deleted="));
    // Every change form needs the token.
    for action in ["entries", "entries/remove", "import", "settings", "delete"] {
        let (status, _, _) =
            post(format!("/watchlists/list-a/{action}"), vec![("version", "1".into())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_see_watchlists_without_the_forms_that_change_them() {
    let fixture = Fixture::new();
    let (status, page) = fixture.page("/watchlists", "a-reader").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("new-list-form") && page.contains("analysts and administrators create"), "{page}");
    let (status, page) = fixture.page("/watchlists/list-a", "a-reader").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("entry-form") && !page.contains("watchlist-import"), "{page}");
    assert!(page.contains("/watchlists/list-a/test"), "the test form stays");
    // org-a's analyst sees org-b's GREEN list but does not change it.
    let (_, page) = fixture.page("/watchlists/list-b", "a-analyst").await;
    assert!(!page.contains("entry-form"), "{page}");
    let (_, page) = fixture.page("/watchlists/list-a", "a-analyst").await;
    assert!(page.contains("entry-form") && page.contains("watchlist-import"), "{page}");
}
