//! The web UI's pages (rendered by `muninn_ui` from the same data the REST routes answer) and
//! its assets, sign-in and sign-out.
//!
//! Every page handler calls the access-checked data functions of [`crate::routes`], so a page
//! shows what the REST API would answer the same user, audited the same way; an object the
//! user may not see is the same 404 page as a missing one. Pages authenticate with the session
//! cookie (or the API's credentials); forms that change something must carry the session's CSRF
//! token. Every response of these routes carries the UI's Content-Security-Policy and
//! `X-Frame-Options: DENY`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use muninn_access::Principal;
use muninn_audit::{AuditAction, LoginMethod, Outcome};
use muninn_ui::Chrome;

use crate::auth::{self, SESSION_COOKIE, client_ip_of, csrf_matches, csrf_token};
use crate::error::ApiError;
use crate::routes::{self, AlertParams, RouteSpec, SearchParams, TriageRequest, UploadParams};
use crate::state::AppState;

mod export;
mod incidents;
mod resolution;
mod sharing;
mod watchlists;

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// The cookie of the sign-in form's double-submit CSRF token.
const LOGIN_CSRF_COOKIE: &str = "muninn_login_csrf";
/// What the sign-in page says after a session ended.
const SESSION_ENDED: &str =
    "Your session has ended (unused for too long, or signed in too long ago); please sign in again.";
/// Results per search page.
const PAGE_SIZE: usize = 25;

/// The paths of the UI (pages, forms and assets): not part of the REST API's OpenAPI document.
pub const PAGE_PATHS: [&str; 31] = [
    muninn_ui::CSS_PATH,
    muninn_ui::JS_PATH,
    "/login",
    "/logout",
    "/",
    "/search",
    "/items/{id}",
    "/entities/{name}",
    "/incidents",
    "/incidents/{id}",
    "/duplicates",
    "/duplicates/decide",
    "/duplicates/withdraw",
    "/alerts",
    "/alerts/triage",
    "/watchlists",
    "/watchlists/{name}",
    "/watchlists/{name}/test",
    "/watchlists/{name}/entries",
    "/watchlists/{name}/entries/remove",
    "/watchlists/{name}/import",
    "/watchlists/{name}/settings",
    "/watchlists/{name}/delete",
    "/import",
    "/export",
    "/export/download",
    "/sharing",
    "/sharing/collections",
    "/audit",
    "/favicon.ico",
    "/robots.txt",
];

fn spec(method: Method, path: &'static str, summary: &'static str, authenticated: bool) -> RouteSpec {
    RouteSpec { method, path, summary, authenticated }
}

/// Every route of the UI, each with the UI's security headers.
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    let routes: Vec<(RouteSpec, Handler)> = vec![
        (spec(Method::GET, muninn_ui::CSS_PATH, "The UI's stylesheet", false), get(css)),
        (spec(Method::GET, muninn_ui::JS_PATH, "The UI's script", false), get(js)),
        (spec(Method::GET, "/favicon.ico", "No icon", false), get(no_content)),
        (spec(Method::GET, "/robots.txt", "Robots stay out", false), get(robots)),
        (spec(Method::GET, "/login", "Sign-in form", false), get(login_form)),
        (spec(Method::POST, "/login", "Sign in: a session cookie", false), post(login)),
        (spec(Method::POST, "/logout", "Sign out: revoke the session", true), post(logout)),
        (spec(Method::GET, "/", "Search page", true), get(search_page)),
        (spec(Method::GET, "/search", "Search page", true), get(search_page)),
        (spec(Method::GET, "/items/{id}", "Item page", true), get(item_page)),
        (spec(Method::GET, "/entities/{name}", "Entity page", true), get(entity_page)),
        (spec(Method::GET, "/incidents", "Incidents", true), get(incidents::incidents_page)),
        (spec(Method::GET, "/incidents/{id}", "Incident page", true), get(incidents::incident_page)),
        (
            spec(Method::GET, "/duplicates", "Probable duplicates in the knowledge base", true),
            get(resolution::duplicates_page),
        ),
        (
            spec(Method::POST, "/duplicates/decide", "Decide whether two objects are one", true),
            post(resolution::decide),
        ),
        (
            spec(Method::POST, "/duplicates/withdraw", "Withdraw a same-as decision", true),
            post(resolution::withdraw),
        ),
        (spec(Method::GET, "/alerts", "Alert queue", true), get(alerts_page)),
        (spec(Method::POST, "/alerts/triage", "Triage the selected alerts", true), post(triage)),
        (spec(Method::GET, "/watchlists", "Watchlists", true), get(watchlists::index_page)),
        (spec(Method::POST, "/watchlists", "Create a watchlist", true), post(watchlists::create)),
        (spec(Method::GET, "/watchlists/{name}", "One watchlist", true), get(watchlists::list_page)),
        (
            spec(Method::POST, "/watchlists/{name}/test", "Screen a text with a watchlist", true),
            post(watchlists::test),
        ),
        (
            spec(Method::POST, "/watchlists/{name}/entries", "Add or edit a watchlist entry", true),
            post(watchlists::save_entry),
        ),
        (
            spec(Method::POST, "/watchlists/{name}/entries/remove", "Remove a watchlist entry", true),
            post(watchlists::remove_entry),
        ),
        (
            spec(Method::POST, "/watchlists/{name}/import", "Import a file into a watchlist", true),
            post(watchlists::import),
        ),
        (
            spec(Method::POST, "/watchlists/{name}/settings", "Change a watchlist's TLP", true),
            post(watchlists::settings),
        ),
        (
            spec(Method::POST, "/watchlists/{name}/delete", "Delete a watchlist", true),
            post(watchlists::delete_list),
        ),
        (spec(Method::GET, "/import", "Import form", true), get(import_page)),
        (spec(Method::POST, "/import", "Import a pasted text", true), post(import_text)),
        (spec(Method::GET, "/export", "Export: a query's preview", true), get(export::export_page)),
        (
            spec(Method::GET, "/export/download", "Export: the STIX bundle or MISP event", true),
            get(export::download),
        ),
        (spec(Method::GET, "/sharing", "TAXII sharing (admin)", true), get(sharing::sharing_page)),
        (
            spec(Method::POST, "/sharing/collections", "Create a TAXII collection (admin)", true),
            post(sharing::create_collection),
        ),
        (spec(Method::GET, "/audit", "Audit trail (admin)", true), get(audit_page)),
    ];
    routes
        .into_iter()
        .map(|(spec, handler)| (spec, handler.layer(axum::middleware::map_response(security_headers))))
        .collect()
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(muninn_ui::CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], muninn_ui::CSS).into_response()
}

async fn js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], muninn_ui::JS).into_response()
}

async fn no_content() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn robots() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "User-agent: *\nDisallow: /\n").into_response()
}

/// A signed-in viewer of a page: the principal, and the session token when the session
/// cookie signed them in (API credentials work for reading pages too).
struct Viewer {
    principal: Principal,
    session: Option<String>,
    csrf: String,
}

impl Viewer {
    fn chrome(&self) -> Chrome<'_> {
        Chrome {
            user: self.principal.user.as_str(),
            org: self.principal.org.as_str(),
            role: role_name(&self.principal),
            csrf: &self.csrf,
        }
    }

    /// Refuses a form that does not carry this session's CSRF token (and any form not sent
    /// with the session cookie).
    fn check_form(&self, state: &AppState, form: &Form) -> Result<(), PageError> {
        match &self.session {
            Some(session) if csrf_matches(state, session, form.get("csrf")) => Ok(()),
            _ => Err(PageError::new(ApiError::Forbidden("the form's CSRF token is missing or wrong"))),
        }
    }
}

fn role_name(principal: &Principal) -> &'static str {
    match principal.role {
        muninn_access::Role::Admin => "admin",
        muninn_access::Role::Analyst => "analyst",
        muninn_access::Role::Reader => "reader",
        _ => "partner",
    }
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Viewer, PageError> {
        let signed_in = if parts.headers.contains_key(header::AUTHORIZATION) {
            auth::authenticate(state, parts).map(|principal| (principal, None))
        } else {
            auth::session_login(state, parts).map(|(principal, session)| (principal, Some(session)))
        };
        match signed_in {
            Ok((principal, session)) => {
                let csrf = session.as_deref().map(|s| csrf_token(state, s)).unwrap_or_default();
                Ok(Viewer { principal, session, csrf })
            }
            Err(ApiError::Unauthenticated) => {
                let next = match parts.method {
                    Method::GET => parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned(),
                    _ => "/".to_owned(),
                };
                // A session cookie that signs nobody in is a session that ended (idle, too
                // old, or revoked): the sign-in page says so, and the cookie goes.
                let ended = auth::session_cookie(parts).is_some();
                Err(PageError::login(&next, ended))
            }
            Err(error) => Err(PageError::new(error)),
        }
    }
}

/// A page's failure, answered as a page (or a redirect to sign in).
struct PageError(Box<PageFailure>);

struct PageFailure {
    error: ApiError,
    login_next: Option<String>,
    session_ended: bool,
    chrome: Option<(String, String, &'static str, String)>,
}

impl PageError {
    fn new(error: ApiError) -> PageError {
        PageError(Box::new(PageFailure { error, login_next: None, session_ended: false, chrome: None }))
    }

    fn login(next: &str, session_ended: bool) -> PageError {
        PageError(Box::new(PageFailure {
            error: ApiError::Unauthenticated,
            login_next: Some(next.to_owned()),
            session_ended,
            chrome: None,
        }))
    }

    fn of(viewer: &Viewer) -> impl FnOnce(ApiError) -> PageError + '_ {
        move |error| {
            PageError(Box::new(PageFailure {
                error,
                login_next: None,
                session_ended: false,
                chrome: Some((
                    viewer.principal.user.to_string(),
                    viewer.principal.org.to_string(),
                    role_name(&viewer.principal),
                    viewer.csrf.clone(),
                )),
            }))
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let failure = *self.0;
        let chrome_parts = failure.chrome.as_ref();
        let chrome = chrome_parts.map(|(user, org, role, csrf)| Chrome { user, org, role, csrf });
        let (status, title, message) = match &failure.error {
            ApiError::Unauthenticated => {
                let next = failure.login_next.as_deref().unwrap_or("/");
                let mut location = muninn_ui::html::Href::fixed("/login").query(&[("next", next)]);
                if !failure.session_ended {
                    return redirect(location.as_str());
                }
                location = location.query(&[("ended", "1")]);
                let mut response = redirect(location.as_str());
                response.headers_mut().append(header::SET_COOKIE, clear_session_cookie());
                return response;
            }
            // The same words for a missing object and one the viewer may not see.
            ApiError::NotFound => {
                (StatusCode::NOT_FOUND, "Not found", "There is nothing here that you may see.".to_owned())
            }
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, "Forbidden", format!("Not allowed: {why}.")),
            ApiError::BadRequest(why) => (StatusCode::BAD_REQUEST, "Bad request", why.clone()),
            ApiError::TooManyRequests { retry_after } => {
                (StatusCode::TOO_MANY_REQUESTS, "Too many attempts", format!("Try again in {retry_after} s."))
            }
            ApiError::Internal(cause) => {
                let id = crate::error::error_id();
                tracing::error!(error_id = %id, cause = %crate::error::LogText(cause), "internal error on a page");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Server error",
                    format!("The server failed; quote error id {id} to its operator."),
                )
            }
            other => (other.status(), "Refused", other.to_string()),
        };
        html(status, muninn_ui::error_page(chrome.as_ref(), status.as_u16(), title, &message))
    }
}

type PageResult = Result<Response, PageError>;

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A local path to go to after signing in: anything else (another site, a scheme) is `/`.
fn local_path(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control());
    if local { next } else { "/" }
}

/// A form (or query string) of `application/x-www-form-urlencoded` pairs, keys repeated as
/// sent.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(bytes: &[u8]) -> Result<Form, ApiError> {
        let mut pairs = Vec::new();
        for pair in bytes.split(|b| *b == b'&').filter(|pair| !pair.is_empty()) {
            let (key, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            pairs.push((decode_component(key)?, decode_component(value)?));
        }
        Ok(Form(pairs))
    }

    fn query(raw: Option<&str>) -> Result<Form, ApiError> {
        Form::parse(raw.unwrap_or("").as_bytes())
    }

    /// The first value of `key` (`""` when absent).
    fn get(&self, key: &str) -> &str {
        self.0.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn decode_component(bytes: &[u8]) -> Result<String, ApiError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(index + 1..index + 3).and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| {
                    ApiError::BadRequest("a form field has a malformed percent escape".to_owned())
                })?;
                out.push(byte);
                index += 2;
            }
            other => out.push(other),
        }
        index += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::BadRequest("a form field is not UTF-8".to_owned()))
}

/// The `Set-Cookie` value of a cookie for this client: `Secure` over TLS, and off loopback
/// even over plain HTTP (only a plain-HTTP demo on 127.0.0.1 goes without), always HttpOnly
/// and SameSite=Strict.
fn set_cookie(parts: &Parts, name: &str, value: &str, path: &str, max_age: Option<u64>) -> HeaderValue {
    let https = parts.extensions.get::<crate::tls::Https>().is_some();
    let loopback = match client_ip_of(parts).parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => true,
    };
    let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if https || !loopback {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("muninn_invalid=1"))
}

/// The `Set-Cookie` value that removes the session cookie (attributes do not matter for
/// removal, but `Secure` is kept off so that it works over loopback too).
fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("muninn_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

async fn login_form(
    State(state): State<Arc<AppState>>,
    parts: Parts,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = Form::query(query.as_deref()).map_err(PageError::new)?;
    let next = local_path(query.get("next"));
    if auth::session_login(&state, &parts).is_ok() {
        return Ok(redirect(next));
    }
    let ended = (query.get("ended") == "1").then_some(SESSION_ENDED);
    login_response(&parts, StatusCode::OK, "", next, ended)
}

fn login_response(
    parts: &Parts,
    status: StatusCode,
    user: &str,
    next: &str,
    error: Option<&str>,
) -> PageResult {
    let csrf = crate::hex::random_32().map_err(PageError::new)?;
    let body = muninn_ui::login::login_page(&muninn_ui::login::LoginView { user, next, csrf: &csrf, error });
    let mut response = html(status, body);
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(parts, LOGIN_CSRF_COOKIE, &csrf, "/login", None));
    Ok(response)
}

async fn login(State(state): State<Arc<AppState>>, parts: Parts, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::new)?;
    let next = local_path(form.get("next")).to_owned();
    let expected = auth::cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.get("csrf").as_bytes()) {
        return login_response(
            &parts,
            StatusCode::FORBIDDEN,
            form.get("user"),
            &next,
            Some("The form expired; please sign in again."),
        );
    }
    let account = form.get("user").trim().to_ascii_lowercase();
    let ip = client_ip_of(&parts);
    let principal = match auth::password_login(&state, &account, form.get("password"), &ip) {
        Ok(principal) => principal,
        Err(ApiError::Unauthenticated) => {
            return login_response(
                &parts,
                StatusCode::UNAUTHORIZED,
                &account,
                &next,
                Some("Wrong user or password."),
            );
        }
        Err(ApiError::TooManyRequests { retry_after }) => {
            let message = format!("Too many attempts; try again in {retry_after} s.");
            return login_response(&parts, StatusCode::TOO_MANY_REQUESTS, &account, &next, Some(&message));
        }
        Err(error) => return Err(PageError::new(error)),
    };
    state
        .audit(&principal, AuditAction::Login { method: LoginMethod::Password }, Outcome::Allowed)
        .await
        .map_err(PageError::new)?;
    let (token, _) =
        routes::new_token(&state, &principal, auth::WEB_SESSION_LABEL).await.map_err(PageError::new)?;
    let mut response = redirect(&next);
    let headers = response.headers_mut();
    let lifetime = state.settings.session_lifetime.as_secs();
    headers.append(header::SET_COOKIE, set_cookie(&parts, SESSION_COOKIE, &token, "/", Some(lifetime)));
    headers.append(header::SET_COOKIE, set_cookie(&parts, LOGIN_CSRF_COOKIE, "", "/login", Some(0)));
    Ok(response)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn logout(State(state): State<Arc<AppState>>, viewer: Viewer, parts: Parts, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::new)?;
    viewer.check_form(&state, &form)?;
    if let Some(session) = &viewer.session {
        let hash = muninn_access::token_hash(session);
        routes::revoke(&state, &viewer.principal, &hash).await.map_err(PageError::of(&viewer))?;
    }
    let mut response = redirect("/login");
    response.headers_mut().append(header::SET_COOKIE, set_cookie(&parts, SESSION_COOKIE, "", "/", Some(0)));
    Ok(response)
}

async fn search_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let form = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let q = form.get("q").trim().to_owned();
    let after = Some(form.get("after")).filter(|a| !a.is_empty()).map(str::to_owned);
    let paged = after.is_some();
    if q.is_empty() {
        let view = muninn_ui::search::SearchView { query: "", results: None, error: None, paged };
        return Ok(html(StatusCode::OK, muninn_ui::search::search_page(&viewer.chrome(), &view)));
    }
    let params = SearchParams { q: q.clone(), limit: PAGE_SIZE, after, facets: true };
    match routes::search_data(&state, &viewer.principal, &params).await {
        Ok(results) => {
            let view =
                muninn_ui::search::SearchView { query: &q, results: Some(&results), error: None, paged };
            Ok(html(StatusCode::OK, muninn_ui::search::search_page(&viewer.chrome(), &view)))
        }
        Err(ApiError::BadRequest(message)) => {
            let view =
                muninn_ui::search::SearchView { query: &q, results: None, error: Some(&message), paged };
            Ok(html(StatusCode::BAD_REQUEST, muninn_ui::search::search_page(&viewer.chrome(), &view)))
        }
        Err(error) => Err(PageError::of(&viewer)(error)),
    }
}

async fn item_page(State(state): State<Arc<AppState>>, viewer: Viewer, Path(id): Path<String>) -> PageResult {
    let item = routes::item_data(&state, &viewer.principal, &id).await.map_err(PageError::of(&viewer))?;
    // Related items are a convenience: the item is shown even if they cannot be read.
    let related = routes::related_data(&state, &viewer.principal, &id, 10).await.ok();
    Ok(html(StatusCode::OK, muninn_ui::item::item_page(&viewer.chrome(), &item, related.as_ref())))
}

async fn entity_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult {
    let entity =
        routes::entity_data(&state, &viewer.principal, &name, 20).await.map_err(PageError::of(&viewer))?;
    let query = format!("entity:{}", muninn_ui::search::query_value(&name));
    let params = SearchParams { q: query, limit: 1, after: None, facets: true };
    let mentions = routes::search_data(&state, &viewer.principal, &params).await.ok();
    Ok(html(
        StatusCode::OK,
        muninn_ui::entity::entity_page(&viewer.chrome(), &name, &entity, mentions.as_ref()),
    ))
}

async fn alerts_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let form = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let params = AlertParams {
        state: Some(form.get("state")).filter(|s| !s.is_empty()).map(str::to_owned),
        list: Some(form.get("list")).filter(|s| !s.is_empty()).map(str::to_owned),
        limit: 200,
    };
    let alerts =
        routes::alerts_data(&state, &viewer.principal, &params).await.map_err(PageError::of(&viewer))?;
    let lists: Vec<String> = routes::visible_watchlists(&state, &viewer.principal)
        .map_err(PageError::of(&viewer))?
        .into_iter()
        .map(|list| list.name)
        .collect();
    let outcome = match (form.get("done").parse::<u64>(), form.get("refused").parse::<u64>()) {
        (Ok(done), Ok(refused)) => Some((done, refused)),
        _ => None,
    };
    let view = muninn_ui::alerts::AlertsView {
        alerts: &alerts,
        state: form.get("state"),
        list: form.get("list"),
        lists: &lists,
        outcome,
    };
    Ok(html(StatusCode::OK, muninn_ui::alerts::alerts_page(&viewer.chrome(), &view)))
}

/// Most alerts triaged by one form.
const MAX_BULK: usize = 1000;

async fn triage(State(state): State<Arc<AppState>>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let request = TriageRequest { state: form.get("state").to_owned(), note: form.get("note").to_owned() };
    let (mut done, mut refused) = (0u64, 0u64);
    // Each alert is authorised on its own, exactly as the REST route does it.
    for key in form.all("key").take(MAX_BULK) {
        match routes::triage_data(&state, &viewer.principal, key, &request).await {
            Ok(_) => done += 1,
            Err(ApiError::Internal(cause)) => return Err(PageError::of(&viewer)(ApiError::Internal(cause))),
            Err(_) => refused += 1,
        }
    }
    let back = muninn_ui::html::Href::fixed("/alerts").query(&[
        ("state", form.get("filter_state")),
        ("list", form.get("filter_list")),
        ("done", &done.to_string()),
        ("refused", &refused.to_string()),
    ]);
    Ok(redirect(back.as_str()))
}

fn format_names() -> Vec<&'static str> {
    muninn_ingest::Format::ALL.iter().map(|format| format.name()).collect()
}

async fn import_page(viewer: Viewer) -> PageResult {
    let formats = format_names();
    let view = muninn_ui::import::ImportView { formats: &formats, result: None };
    Ok(html(StatusCode::OK, muninn_ui::import::import_page(&viewer.chrome(), &view)))
}

async fn import_text(State(state): State<Arc<AppState>>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let optional = |key: &str| Some(form.get(key).trim()).filter(|v| !v.is_empty()).map(str::to_owned);
    let params = UploadParams {
        format: form.get("format").to_owned(),
        source: optional("source"),
        tlp: optional("tlp"),
        grade: optional("grade"),
        ..UploadParams::default()
    };
    let text = Bytes::copy_from_slice(form.get("text").as_bytes());
    let answer = routes::upload_data(&state, &viewer.principal, &params, text).await;
    let formats = format_names();
    let (status, message) = match &answer {
        Ok(_) => (StatusCode::OK, String::new()),
        Err(ApiError::BadRequest(message)) => (StatusCode::BAD_REQUEST, message.clone()),
        Err(ApiError::Forbidden(why)) => (StatusCode::FORBIDDEN, format!("Not allowed: {why}")),
        Err(ApiError::NotFound) => (StatusCode::FORBIDDEN, "Not allowed with these markings".to_owned()),
        Err(error) => return Err(PageError::of(&viewer)(ApiError::internal(error))),
    };
    let result = Some(answer.as_ref().map_err(|_| message.as_str()));
    let view = muninn_ui::import::ImportView { formats: &formats, result };
    Ok(html(status, muninn_ui::import::import_page(&viewer.chrome(), &view)))
}

async fn audit_page(State(state): State<Arc<AppState>>, viewer: Viewer) -> PageResult {
    let verify =
        routes::audit_verify_data(&state, &viewer.principal).await.map_err(PageError::of(&viewer))?;
    let entries =
        routes::audit_entries_data(&state, &viewer.principal, 100).await.map_err(PageError::of(&viewer))?;
    Ok(html(StatusCode::OK, muninn_ui::audit::audit_page(&viewer.chrome(), &verify, &entries)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_repeated_keys_plus_and_percent_escapes() {
        let form = Form::parse(b"key=a%2Fb&key=c+d&note=%E2%9C%93&empty=&flag").expect("form");
        assert_eq!(form.all("key").collect::<Vec<_>>(), ["a/b", "c d"]);
        assert_eq!(form.get("note"), "✓");
        assert_eq!(form.get("empty"), "");
        assert_eq!(form.get("missing"), "");
        assert!(Form::parse(b"a=%zz").is_err());
        assert!(Form::parse(b"a=%ff").is_err());
        assert!(Form::parse(b"a=%4").is_err());
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for (next, expected) in [
            ("/alerts?state=new", "/alerts?state=new"),
            ("//evil.example/", "/"),
            ("https://evil.example/", "/"),
            ("javascript:alert(1)", "/"),
            ("/\\evil.example", "/"),
            ("", "/"),
        ] {
            assert_eq!(local_path(next), expected, "{next}");
        }
    }

    #[test]
    fn every_ui_route_is_a_page_path() {
        for (spec, _) in routes() {
            assert!(PAGE_PATHS.contains(&spec.path), "{} is not in PAGE_PATHS", spec.path);
        }
    }
}
