//! The REST API under `/api/v1`. Every route is declared once in [`api_routes`], with the
//! summary the OpenAPI document shows; the router, the OpenAPI document and the access-matrix
//! test are all built from that list, so a route cannot exist without being documented and
//! tested.
//!
//! Every read loads its object first, then asks `muninn_access::authorize` about that very
//! object: an object the caller may not see answers 404 exactly like a missing one.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;

use crate::body::{JsonBody, Params, RequestBody};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post};
use muninn_access::{Action, Principal, Role, TokenRecord, User, UserAction, authorize, can_see};
use muninn_audit::{AuditAction, LoginMethod, Outcome};
use muninn_index::{Cursor, IndexError, SearchRequest};
use muninn_model::{Item, ItemId, LOCAL_ORG, Markings, Timestamp, Tlp};
use muninn_screen::{Alert, AlertState, Watchlist};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Caller, client_ip_of, password_login};
use crate::catalog::{self, ALERT_TABLE, WATCHLIST_TABLE};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, record, visibility_of};

/// A route of the API: method, path pattern (axum syntax) and one-line summary.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern, e.g. `/api/v1/items/{id}`.
    pub path: &'static str,
    /// What it does, for the OpenAPI document.
    pub summary: &'static str,
    /// Whether it needs credentials.
    pub authenticated: bool,
}

type Handler = MethodRouter<Arc<AppState>>;

fn spec(method: Method, path: &'static str, summary: &'static str, authenticated: bool) -> RouteSpec {
    RouteSpec { method, path, summary, authenticated }
}

/// Every route of `/api/v1` with its handler.
pub fn api_routes() -> Vec<(RouteSpec, Handler)> {
    vec![
        (spec(Method::GET, "/api/v1/health", "Liveness: the server answers", false), get(health)),
        (
            spec(Method::POST, "/api/v1/login", "Exchange a user and password for an API token", false),
            post(login),
        ),
        (spec(Method::POST, "/api/v1/logout", "Revoke the token of this request", true), post(logout)),
        (spec(Method::GET, "/api/v1/me", "The caller: user, organisation, role, groups", true), get(me)),
        (spec(Method::POST, "/api/v1/tokens", "Issue an API token for the caller", true), post(issue_token)),
        (
            spec(Method::DELETE, "/api/v1/tokens/{id}", "Revoke one of the caller's tokens", true),
            delete(revoke_token),
        ),
        (
            spec(Method::GET, "/api/v1/users", "Users of the caller's organisation (admin)", true),
            get(list_users),
        ),
        (
            spec(Method::POST, "/api/v1/users", "Create a user in the caller's organisation (admin)", true),
            post(create_user),
        ),
        (
            spec(Method::GET, "/api/v1/search", "Full-text search with facets and histogram", true),
            get(search),
        ),
        (
            spec(
                Method::POST,
                "/api/v1/items",
                "Ingest an upload (format, source, tlp as parameters), screened",
                true,
            ),
            post(upload),
        ),
        (
            spec(Method::GET, "/api/v1/items/{id}", "One item with its indicators and entities", true),
            get(item),
        ),
        (
            spec(Method::GET, "/api/v1/items/{id}/related", "Items sharing indicators or entities", true),
            get(related),
        ),
        (
            spec(Method::GET, "/api/v1/indicators/{value}", "Items mentioning an indicator", true),
            get(indicator),
        ),
        (spec(Method::GET, "/api/v1/entities", "Entity lists of the gazetteer", true), get(entity_lists)),
        (spec(Method::GET, "/api/v1/entities/{name}", "Items naming an entity", true), get(entity)),
        (
            spec(
                Method::GET,
                "/api/v1/incidents",
                "Incidents by country, actor and date range, newest first",
                true,
            ),
            get(crate::incidents::list),
        ),
        (spec(Method::GET, "/api/v1/incidents/{id}", "One incident", true), get(crate::incidents::one)),
        (spec(Method::GET, "/api/v1/alerts", "Alerts, newest first", true), get(alerts)),
        (
            spec(
                Method::GET,
                "/api/v1/alerts/stream",
                "New alerts as server-sent events, as they are raised",
                true,
            ),
            get(crate::live::alert_stream),
        ),
        (spec(Method::GET, "/api/v1/alerts/{key}", "One alert with its explanation", true), get(alert)),
        (spec(Method::POST, "/api/v1/alerts/{key}/state", "Triage an alert", true), post(triage)),
        (spec(Method::GET, "/api/v1/watchlists", "Watchlists", true), get(watchlists)),
        (
            spec(
                Method::POST,
                "/api/v1/match/{dataset}",
                "Match names against a watchlist (yente's /match shape)",
                true,
            ),
            post(match_names),
        ),
        (
            spec(Method::POST, "/match/{dataset}", "yente-compatible /match: the same at yente's path", true),
            post(match_names),
        ),
        (
            spec(Method::GET, "/api/v1/watchlists/{name}", "One watchlist with its entries", true),
            get(watchlist),
        ),
        (
            spec(
                Method::POST,
                "/api/v1/watchlists/{name}/test",
                "Screen a text with one watchlist: each hit with its explanation",
                true,
            ),
            post(watchlist_test),
        ),
        (
            spec(Method::GET, "/api/v1/audit/verify", "Verify the audit chain (admin)", true),
            get(audit_verify),
        ),
        (
            spec(
                Method::GET,
                "/api/v1/audit/entries",
                "The latest audit entries, newest first (admin)",
                true,
            ),
            get(audit_entries),
        ),
    ]
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    user: String,
    password: String,
}

fn random_bytes<const N: usize>() -> ApiResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    Ok(bytes)
}

/// Issues a token for `principal`, durably, audited. Returns the secret token and its record.
pub(crate) async fn new_token(
    state: &AppState,
    principal: &Principal,
    label: &str,
) -> ApiResult<(String, TokenRecord)> {
    let (token, hash) = muninn_access::issue_token(&random_bytes::<32>()?);
    let record_ = TokenRecord {
        id: muninn_access::token_id(&hash),
        hash,
        user: principal.user.clone(),
        label: label.chars().take(100).collect(),
        created_at_unix: Timestamp::now().as_second(),
        revoked: false,
    };
    let audit = record(
        Some(principal),
        AuditAction::TokenIssued { token_id: audit_token_id(&record_.id)? },
        Outcome::Allowed,
    );
    state.write(vec![catalog::token_document(&record_)?], vec![audit]).await?;
    state
        .directory
        .write()
        .map_err(|_| ApiError::internal("directory lock poisoned"))?
        .tokens
        .insert(record_.hash.clone(), record_.clone());
    Ok((token, record_))
}

fn audit_token_id(id: &str) -> ApiResult<muninn_audit::TokenId> {
    muninn_audit::TokenId::new(id).map_err(ApiError::internal)
}

async fn login(
    State(state): State<Arc<AppState>>,
    parts: axum::http::request::Parts,
    JsonBody(request): JsonBody<LoginRequest>,
) -> ApiResult<Json<Value>> {
    let ip = client_ip_of(&parts);
    let account = request.user.trim().to_ascii_lowercase();
    let principal = password_login(&state, &account, &request.password, &ip)?;
    state.audit(&principal, AuditAction::Login { method: LoginMethod::Password }, Outcome::Allowed).await?;
    let (token, record_) = new_token(&state, &principal, "login").await?;
    Ok(Json(json!({"token": token, "token_id": record_.id, "user": principal.user.to_string()})))
}

async fn logout(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    parts: axum::http::request::Parts,
) -> ApiResult<Json<Value>> {
    let token = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .ok_or_else(|| {
            ApiError::BadRequest("logout revokes the bearer token of the request; none was sent".to_owned())
        })?;
    let hash = muninn_access::token_hash(token.trim());
    revoke(&state, &principal, &hash).await?;
    Ok(Json(json!({"revoked": muninn_access::token_id(&hash)})))
}

pub(crate) async fn revoke(state: &AppState, principal: &Principal, hash: &str) -> ApiResult<()> {
    let mut token = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        directory.tokens.get(hash).cloned().ok_or(ApiError::NotFound)?
    };
    let (target_org, target_role) = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        let user = directory.users.get(&token.user).ok_or(ApiError::NotFound)?;
        (user.org.clone(), user.role)
    };
    muninn_access::authorize_user_admin(
        principal,
        &token.user,
        &target_org,
        target_role,
        UserAction::RevokeToken,
    )?;
    token.revoked = true;
    let audit = record(
        Some(principal),
        AuditAction::TokenRevoked { token_id: audit_token_id(&token.id)? },
        Outcome::Allowed,
    );
    state.write(vec![catalog::token_document(&token)?], vec![audit]).await?;
    state
        .directory
        .write()
        .map_err(|_| ApiError::internal("directory lock poisoned"))?
        .tokens
        .insert(token.hash.clone(), token);
    Ok(())
}

fn principal_json(principal: &Principal) -> Value {
    json!({
        "user": principal.user.to_string(),
        "org": principal.org.to_string(),
        "role": principal.role.to_string(),
        "groups": principal.groups,
        "client_of": principal.client_of.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

async fn me(Caller(principal): Caller) -> Json<Value> {
    Json(principal_json(&principal))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    #[serde(default)]
    label: String,
}

async fn issue_token(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    JsonBody(request): JsonBody<TokenRequest>,
) -> ApiResult<Json<Value>> {
    muninn_access::authorize_user_admin(
        &principal,
        &principal.user,
        &principal.org,
        principal.role,
        UserAction::IssueToken,
    )?;
    let (token, record_) = new_token(&state, &principal, &request.label).await?;
    Ok(Json(json!({"token": token, "token_id": record_.id})))
}

async fn revoke_token(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let hash = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        directory
            .tokens
            .values()
            .find(|token| token.id == id)
            .map(|token| token.hash.clone())
            .ok_or(ApiError::NotFound)?
    };
    revoke(&state, &principal, &hash).await?;
    Ok(Json(json!({"revoked": id})))
}

fn user_json(user: &User) -> Value {
    json!({"id": user.id.to_string(), "org": user.org.to_string(), "role": user.role.to_string(),
           "groups": user.groups, "name": user.name, "disabled": user.disabled})
}

async fn list_users(State(state): State<Arc<AppState>>, Caller(principal): Caller) -> ApiResult<Json<Value>> {
    if principal.role != Role::Admin {
        return Err(ApiError::Forbidden("only administrators list users"));
    }
    let users: Vec<Value> = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        directory.users.values().filter(|user| user.org == principal.org).map(user_json).collect()
    };
    Ok(Json(json!({"users": users})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    id: String,
    role: String,
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    groups: BTreeSet<String>,
}

async fn create_user(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    JsonBody(request): JsonBody<NewUser>,
) -> ApiResult<Json<Value>> {
    let id: muninn_access::UserId =
        request.id.parse().map_err(|error| ApiError::BadRequest(format!("user id: {error}")))?;
    let role: Role = request.role.parse().map_err(|error| ApiError::BadRequest(format!("role: {error}")))?;
    muninn_access::authorize_user_admin(&principal, &id, &principal.org, role, UserAction::Create)?;
    if state
        .directory
        .read()
        .map_err(|_| ApiError::internal("directory lock poisoned"))?
        .users
        .contains_key(&id)
    {
        return Err(ApiError::Conflict(format!("a user {id} exists")));
    }
    let password_hash = muninn_access::hash_password(&request.password, &random_bytes::<16>()?)
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let user = User {
        id: id.clone(),
        org: principal.org.clone(),
        role,
        groups: request.groups,
        name: request.name,
        password_hash: Some(password_hash),
        disabled: false,
    };
    let audit = record(
        Some(&principal),
        AuditAction::UserCreated {
            user: id.to_string(),
            org: principal.org.to_string(),
            role: role.to_string(),
        },
        Outcome::Allowed,
    );
    state.write(vec![catalog::user_document(&user)?], vec![audit]).await?;
    let json = user_json(&user);
    state
        .directory
        .write()
        .map_err(|_| ApiError::internal("directory lock poisoned"))?
        .users
        .insert(id, user);
    Ok(Json(json))
}

/// The parameters of a search.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    pub(crate) q: String,
    #[serde(default = "default_limit")]
    pub(crate) limit: usize,
    pub(crate) after: Option<String>,
    #[serde(default)]
    pub(crate) facets: bool,
}

fn default_limit() -> usize {
    20
}

/// Items read from the store, each checked again against the caller (the index filtered
/// already; this is the last line, and costs a comparison).
fn visible_items(state: &AppState, principal: &Principal, ids: &[ItemId]) -> ApiResult<Vec<Option<Item>>> {
    state.read_store(|store| {
        let items = muninn_store::ItemStore::items(store, ids)?;
        Ok(items.into_iter().map(|item| item.filter(|item| can_see(principal, &item.markings))).collect())
    })
}

fn item_summary(item: &Item) -> Value {
    json!({
        "id": item.id.to_string(),
        "title": item.title,
        "source": item.source.as_str(),
        "lang": item.language.as_ref().map(|l| l.as_str()),
        "tlp": item.markings.tlp.label(),
        "grade": item.grade.to_string(),
        "date": item.event_time.unwrap_or(item.collected_at).to_string(),
    })
}

fn pairs(values: &[(String, u64)]) -> Value {
    values.iter().map(|(name, count)| json!({"value": name, "count": count})).collect()
}

async fn search(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<SearchParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(search_data(&state, &principal, &params).await?))
}

/// A search as the caller may see it, audited: hits with snippets, facets, histogram, cursor.
pub(crate) async fn search_data(
    state: &AppState,
    principal: &Principal,
    params: &SearchParams,
) -> ApiResult<Value> {
    authorize(principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let query = muninn_query::parse(&params.q, Timestamp::now())
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let after = params
        .after
        .as_deref()
        .map(str::parse::<Cursor>)
        .transpose()
        .map_err(|_| ApiError::BadRequest("`after` is not a cursor this server gave".to_owned()))?;
    let visibility = visibility_of(principal);
    let results = match &state.remote_search {
        // The search workers answer with the same relevance as one index over every shard.
        Some(remote) => {
            let request = muninn_index::distributed::ShardSearch {
                query: params.q.clone(),
                now: Timestamp::now().as_second(),
                visibility: visibility.clone(),
                limit: params.limit.clamp(1, 200),
                after: after.map(|cursor| cursor.to_string()),
                facets: params.facets,
                histogram: params.facets,
                statistics: None,
            };
            tokio::task::block_in_place(|| remote(&request)).map_err(ApiError::internal)?
        }
        None => state.read_index(|index| {
            let request = SearchRequest {
                query: &query,
                visibility: &visibility,
                limit: params.limit.clamp(1, 200),
                after,
                facets: params.facets,
                histogram: params.facets,
            };
            Ok(index.search(&request)?)
        })?,
    };
    let ids: Vec<ItemId> = results.hits.iter().map(|hit| hit.id).collect();
    let items = visible_items(state, principal, &ids)?;
    let bodies: Vec<&str> =
        items.iter().map(|item| item.as_ref().map_or("", |item| item.body.as_str())).collect();
    let snippets = state.read_index(|index| Ok(index.snippets(&query, &bodies, 200)?))?;
    let hits: Vec<Value> = results
        .hits
        .iter()
        .zip(&items)
        .zip(&snippets)
        .filter_map(|((hit, item), snippet)| {
            let item = item.as_ref()?;
            let mut value = item_summary(item);
            value["score"] = json!(hit.score);
            value["snippet"] = json!({
                "text": snippet.fragment,
                "highlights": snippet.highlighted.iter().map(|range| [range.start, range.end]).collect::<Vec<_>>(),
            });
            Some(value)
        })
        .collect();
    let facets = results.facets.as_ref().map(|facets| {
        json!({
            "source": pairs(&facets.source), "lang": pairs(&facets.lang), "tlp": pairs(&facets.tlp),
            "grade": pairs(&facets.grade), "indicator_type": pairs(&facets.indicator_type),
            "indicator": pairs(&facets.indicator),
            "entity": facets.entity.iter().map(|e| json!({"id": e.id, "name": e.name, "count": e.count})).collect::<Vec<_>>(),
        })
    });
    state
        .audit(
            principal,
            AuditAction::Search { query: query.to_string(), hits: results.total },
            Outcome::Allowed,
        )
        .await?;
    Ok(json!({
        "query": query.to_string(),
        "total": results.total,
        "hits": hits,
        "facets": facets,
        "histogram": results.histogram.iter().map(|(day, n)| json!({"day": day.to_string(), "count": n})).collect::<Vec<_>>(),
        "next": results.next.map(|cursor| cursor.to_string()),
    }))
}

fn parse_item_id(text: &str) -> ApiResult<ItemId> {
    // A malformed id cannot name anything: the same answer as a missing one.
    text.parse().map_err(|_| ApiError::NotFound)
}

/// The item `id` if the caller may read it; otherwise NotFound, the same as a missing item.
fn readable_item(state: &AppState, principal: &Principal, id: &ItemId) -> ApiResult<Item> {
    let item =
        state.read_store(|store| Ok(muninn_store::ItemStore::item(store, id)?))?.ok_or(ApiError::NotFound)?;
    authorize(principal, Action::Read, &item.markings)?;
    Ok(item)
}

async fn item(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(item_data(&state, &principal, &id).await?))
}

/// One item the caller may read, audited, with its indicators, entities and the alerts on it
/// that the caller may see; NotFound for an invisible item as for a missing one.
pub(crate) async fn item_data(state: &AppState, principal: &Principal, id: &str) -> ApiResult<Value> {
    let id = parse_item_id(id)?;
    let item = readable_item(state, principal, &id)?;
    let parts: Vec<(&str, &str)> = item
        .title
        .as_deref()
        .map(|t| ("title", t))
        .into_iter()
        .chain([("body", item.body.as_str())])
        .collect();
    let (indicators, suppressed) = state.read_index(|index| {
        let (mut indicators, mut suppressed) = (Vec::new(), Vec::new());
        for (part, text) in &parts {
            let found = index.extractor().extract(text);
            for found in found.indicators {
                indicators.push(json!({"kind": found.kind.name(), "value": found.value, "in": part,
                    "span": [found.span.start, found.span.end], "defanged": found.defanged}));
            }
            for found in found.suppressed {
                suppressed.push(json!({"kind": found.indicator.kind.name(), "value": found.indicator.value, "in": part,
                    "span": [found.indicator.span.start, found.indicator.span.end], "warning_list": found.list}));
            }
        }
        Ok((indicators, suppressed))
    })?;
    let entities = state.read_index(|index| {
        let mut entities = Vec::new();
        for (part, text) in &parts {
            for found in muninn_index::extract_entities(index.gazetteer(), text) {
                entities
                    .push(json!({"entity": found.entity, "name": found.name, "form": found.form, "in": part,
                    "span": [found.span.start, found.span.end]}));
            }
        }
        Ok(entities)
    })?;
    // Only alerts whose watchlist the caller may see too (as on the alert routes).
    let alerts: Vec<Value> = state.read_store(|store| {
        let mut lists: std::collections::HashMap<String, Option<Watchlist>> =
            std::collections::HashMap::new();
        let mut visible = Vec::new();
        for alert in catalog::alerts_of_item(store, &item.id.to_string())? {
            if !lists.contains_key(&alert.list) {
                let list = catalog::load_one(store, WATCHLIST_TABLE, &alert.list)?;
                lists.insert(alert.list.clone(), list);
            }
            let list = lists.get(&alert.list).and_then(Option::as_ref);
            if alert_visible(principal, &alert, Some(&item), list) {
                visible.push(json!({"key": alert.key(), "alert": alert}));
            }
        }
        Ok(visible)
    })?;
    state.audit(principal, AuditAction::ItemRead { item: item.id.to_string() }, Outcome::Allowed).await?;
    let mut value = item_summary(&item);
    value["body"] = json!(item.body);
    value["markings"] = json!({"tlp": item.markings.tlp.label(), "originator": item.markings.originator(),
        "compartments": item.markings.compartments});
    value["collected_at"] = json!(item.collected_at.to_string());
    value["event_time"] = json!(item.event_time.map(|t| t.to_string()));
    value["indicators"] = json!(indicators);
    value["suppressed"] = json!(suppressed);
    value["entities"] = json!(entities);
    value["alerts"] = json!(alerts);
    Ok(value)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitParams {
    #[serde(default = "default_limit")]
    pub(crate) limit: usize,
}

async fn related(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Params(params): Params<LimitParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(related_data(&state, &principal, &id, params.limit).await?))
}

/// Items related to one the caller may read, audited.
pub(crate) async fn related_data(
    state: &AppState,
    principal: &Principal,
    id: &str,
    limit: usize,
) -> ApiResult<Value> {
    let id = parse_item_id(id)?;
    readable_item(state, principal, &id)?;
    let visibility = visibility_of(principal);
    let related = state.read_index(|index| match index.related(&id, &visibility, limit.clamp(1, 200)) {
        Err(IndexError::UnknownItem(_)) => Err(ApiError::NotFound),
        other => Ok(other?),
    })?;
    let ids: Vec<ItemId> = related.iter().map(|entry| entry.id).collect();
    let items = visible_items(state, principal, &ids)?;
    let rows: Vec<Value> = related
        .iter()
        .zip(&items)
        .filter_map(|(entry, item)| {
            let mut value = item_summary(item.as_ref()?);
            value["score"] = json!(entry.score);
            value["shared"] = json!(entry.shared);
            value["shared_entities"] =
                entry.shared_entities.iter().map(|e| json!({"id": e.id, "name": e.name})).collect::<Value>();
            Some(value)
        })
        .collect();
    state.audit(principal, AuditAction::Correlation { subject: id.to_string() }, Outcome::Allowed).await?;
    Ok(json!({"item": id.to_string(), "related": rows}))
}

fn mentions_json(
    state: &AppState,
    principal: &Principal,
    recent: &[muninn_index::Mention],
) -> ApiResult<Vec<Value>> {
    let ids: Vec<ItemId> = recent.iter().map(|mention| mention.id).collect();
    let items = visible_items(state, principal, &ids)?;
    Ok(items.iter().flatten().map(item_summary).collect())
}

async fn indicator(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(value): Path<String>,
    Params(params): Params<LimitParams>,
) -> ApiResult<Json<Value>> {
    authorize(&principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let visibility = visibility_of(&principal);
    let summary = state.read_index(|index| {
        Ok(index.indicator_summary(&value, &visibility, params.limit.clamp(1, 200))?)
    })?;
    let recent = mentions_json(&state, &principal, &summary.recent)?;
    state
        .audit(&principal, AuditAction::Correlation { subject: summary.value.clone() }, Outcome::Allowed)
        .await?;
    Ok(Json(json!({
        "value": summary.value, "kind": summary.kind, "count": summary.count,
        "first_seen": summary.first_seen.map(|t| t.to_string()), "last_seen": summary.last_seen.map(|t| t.to_string()),
        "sources": pairs(&summary.sources), "recent": recent,
    })))
}

async fn entity_lists(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
) -> ApiResult<Json<Value>> {
    authorize(&principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let lists = state.read_store(|store| Ok(catalog::load_entity_lists(store)?))?;
    Ok(Json(json!({"lists": lists.iter().map(|list| json!({
        "name": list.name, "format": list.format, "version": list.version, "entities": list.entities.len(),
    })).collect::<Vec<_>>()})))
}

async fn entity(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    Params(params): Params<LimitParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(entity_data(&state, &principal, &name, params.limit).await?))
}

/// What the caller may see of an entity, audited: its profile and the items naming it.
pub(crate) async fn entity_data(
    state: &AppState,
    principal: &Principal,
    name: &str,
    limit: usize,
) -> ApiResult<Value> {
    authorize(principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let visibility = visibility_of(principal);
    let summary =
        state.read_index(|index| match index.entity_summary(name, &visibility, limit.clamp(1, 200)) {
            Err(IndexError::UnknownEntity(_)) => Err(ApiError::NotFound),
            other => Ok(other?),
        })?;
    let recent = mentions_json(state, principal, &summary.recent)?;
    // Mentions per day, by the function `muninn entity profile` uses too.
    let timeline = state
        .read_index(|index| Ok(crate::timeline::entity_timeline(index, name, &visibility)?))?
        .unwrap_or_default();
    // The knowledge base's relationships of the objects that carry the entity's names.
    let names: Vec<String> = std::iter::once(name.to_owned())
        .chain(
            summary
                .entities
                .iter()
                .flat_map(|e| std::iter::once(e.name.clone()).chain(e.aliases.iter().cloned())),
        )
        .collect();
    let knowledge = crate::knowledge::knowledge_of(state).await?;
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let relationships = knowledge.relationships(principal, &name_refs);
    // The incidents it took part in and the countries involved (the page's map).
    let incidents: Vec<Value> = knowledge
        .incidents_of(principal, &name_refs)
        .into_iter()
        .map(|(entry, role)| {
            let mut value = crate::incidents::incident_json(entry);
            value["role"] = json!(role.as_str());
            value
        })
        .collect();
    let places: Vec<Value> = knowledge.places(principal, &name_refs).iter().map(|p| p.to_json()).collect();
    // The objects analysts decided are the same thing as the entity's (the merged view).
    let objects = knowledge.visible_ids_named(principal, &name_refs);
    let same_as = crate::resolution::merged_view(
        &knowledge,
        principal,
        &crate::resolution::load_assertions(state)?,
        &objects,
    );
    state.audit(principal, AuditAction::EntityRead { entity: name.to_owned() }, Outcome::Allowed).await?;
    Ok(json!({
        "relationships": relationships, "incidents": incidents, "places": places, "same_as": same_as,
        "timeline": timeline.iter().map(|(day, count)| json!({"day": day, "count": count})).collect::<Vec<_>>(),
        "entities": summary.entities.iter().map(|e| json!({"id": e.id, "name": e.name, "aliases": e.aliases, "kind": e.kind})).collect::<Vec<_>>(),
        "count": summary.count,
        "first_seen": summary.first_seen.map(|t| t.to_string()), "last_seen": summary.last_seen.map(|t| t.to_string()),
        "sources": pairs(&summary.sources), "recent": recent,
    }))
}

/// The markings of a watchlist: its TLP, from the organisation that owns it.
pub fn watchlist_markings(list: &Watchlist) -> Markings {
    let owner =
        if catalog::org_id(&list.owner).is_some() { list.owner.clone() } else { LOCAL_ORG.to_owned() };
    Markings { originator: Some(owner), ..Markings::tlp(list.tlp) }
}

/// Whether the caller may see an alert: both its item and its watchlist must be visible.
fn alert_visible(
    principal: &Principal,
    alert: &Alert,
    item: Option<&Item>,
    list: Option<&Watchlist>,
) -> bool {
    let item_visible = item.is_some_and(|item| can_see(principal, &item.markings));
    let list_visible = list.is_some_and(|list| can_see(principal, &watchlist_markings(list)));
    // The alert's own label is the more restrictive of the two; both objects' full markings
    // (organisation, compartments, recipients) decide.
    let _ = alert;
    item_visible && list_visible
}

fn visible_alerts(state: &AppState, principal: &Principal) -> ApiResult<Vec<Alert>> {
    state.read_store(|store| {
        let lists = catalog::load_watchlists(store)?;
        let alerts = catalog::load_all::<Alert>(store, ALERT_TABLE)?;
        let mut visible = Vec::new();
        for alert in alerts {
            let item = alert
                .item
                .parse::<ItemId>()
                .ok()
                .map(|id| muninn_store::ItemStore::item(store, &id))
                .transpose()?
                .flatten();
            let list = lists.iter().find(|list| list.name == alert.list);
            if alert_visible(principal, &alert, item.as_ref(), list) {
                visible.push(alert);
            }
        }
        Ok(visible)
    })
}

/// The filters of an alert listing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertParams {
    pub(crate) state: Option<String>,
    pub(crate) list: Option<String>,
    #[serde(default = "default_alert_limit")]
    pub(crate) limit: usize,
}

fn default_alert_limit() -> usize {
    100
}

async fn alerts(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<AlertParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(alerts_data(&state, &principal, &params).await?))
}

/// The alerts the caller may see, newest first, filtered, audited.
pub(crate) async fn alerts_data(
    state: &AppState,
    principal: &Principal,
    params: &AlertParams,
) -> ApiResult<Value> {
    authorize(principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let wanted = params
        .state
        .as_deref()
        .map(|text| {
            AlertState::parse(text).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "state {text:?}: expected new, acknowledged, dismissed or escalated"
                ))
            })
        })
        .transpose()?;
    let mut selected: Vec<Alert> = visible_alerts(state, principal)?
        .into_iter()
        .filter(|alert| {
            wanted.is_none_or(|s| alert.state == s) && params.list.as_ref().is_none_or(|l| &alert.list == l)
        })
        .collect();
    selected.sort_by(|a, b| {
        b.raised_at.cmp(&a.raised_at).then(b.severity.cmp(&a.severity)).then(a.key().cmp(&b.key()))
    });
    let total = selected.len();
    selected.truncate(params.limit.clamp(1, 1000));
    state
        .audit(principal, AuditAction::AlertRead { alert: format!("{total} alerts") }, Outcome::Allowed)
        .await?;
    Ok(
        json!({"total": total, "alerts": selected.iter().map(|a| json!({"key": a.key(), "alert": a})).collect::<Vec<_>>()}),
    )
}

/// An alert the caller may see, with the markings of its item (what triage is authorised on).
fn visible_alert(state: &AppState, principal: &Principal, key: &str) -> ApiResult<(Alert, Markings)> {
    state.read_store(|store| {
        let alert: Alert = catalog::load_one(store, ALERT_TABLE, key)?.ok_or(ApiError::NotFound)?;
        let item = alert
            .item
            .parse::<ItemId>()
            .ok()
            .map(|id| muninn_store::ItemStore::item(store, &id))
            .transpose()?
            .flatten();
        let list: Option<Watchlist> = catalog::load_one(store, WATCHLIST_TABLE, &alert.list)?;
        match item {
            Some(item) if alert_visible(principal, &alert, Some(&item), list.as_ref()) => {
                Ok((alert, item.markings))
            }
            _ => Err(ApiError::NotFound),
        }
    })
}

async fn alert(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let (alert, _) = visible_alert(&state, &principal, &key)?;
    state.audit(&principal, AuditAction::AlertRead { alert: key.clone() }, Outcome::Allowed).await?;
    Ok(Json(json!({"key": key, "alert": alert})))
}

/// A change of an alert's state.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriageRequest {
    pub(crate) state: String,
    #[serde(default)]
    pub(crate) note: String,
}

async fn triage(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    JsonBody(request): JsonBody<TriageRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(triage_data(&state, &principal, &key, &request).await?))
}

/// Triages one alert, authorised on that alert, audited.
pub(crate) async fn triage_data(
    state: &AppState,
    principal: &Principal,
    key: &str,
    request: &TriageRequest,
) -> ApiResult<Value> {
    let (mut alert, item_markings) = visible_alert(state, principal, key)?;
    authorize(principal, Action::TriageAlert, &item_markings)?;
    let new_state = AlertState::parse(&request.state).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "state {:?}: expected new, acknowledged, dismissed or escalated",
            request.state
        ))
    })?;
    if request.note.len() > 10_000 {
        return Err(ApiError::BadRequest("note longer than 10000 bytes".to_owned()));
    }
    alert
        .change_state(new_state, principal.user.as_str(), Timestamp::now(), &request.note)
        .map_err(|error| ApiError::Conflict(error.to_string()))?;
    let audit = record(
        Some(principal),
        AuditAction::AlertTriaged { alert: key.to_owned(), state: new_state.to_string() },
        Outcome::Allowed,
    );
    state.write(vec![catalog::alert_document(&alert, None)?], vec![audit]).await?;
    Ok(json!({"key": key, "alert": alert}))
}

pub(crate) fn visible_watchlists(state: &AppState, principal: &Principal) -> ApiResult<Vec<Watchlist>> {
    let lists = state.read_store(|store| Ok(catalog::load_watchlists(store)?))?;
    Ok(lists.into_iter().filter(|list| can_see(principal, &watchlist_markings(list))).collect())
}

async fn watchlists(State(state): State<Arc<AppState>>, Caller(principal): Caller) -> ApiResult<Json<Value>> {
    Ok(Json(watchlists_data(&state, &principal)?))
}

/// The watchlists the caller may see.
pub(crate) fn watchlists_data(state: &AppState, principal: &Principal) -> ApiResult<Value> {
    let lists = visible_watchlists(state, principal)?;
    Ok(json!({"watchlists": lists.iter().map(|list| json!({
        "name": list.name, "owner": list.owner, "tlp": list.tlp.label(), "version": list.version, "entries": list.entries.len(),
    })).collect::<Vec<_>>()}))
}

async fn watchlist(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(visible_watchlist(&state, &principal, &name)?)))
}

/// The watchlist `name` if the caller may see it; otherwise NotFound, as for a missing one.
pub(crate) fn visible_watchlist(state: &AppState, principal: &Principal, name: &str) -> ApiResult<Watchlist> {
    visible_watchlists(state, principal)?.into_iter().find(|list| list.name == name).ok_or(ApiError::NotFound)
}

/// A text to screen against one watchlist.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScreenTestRequest {
    #[serde(default)]
    pub(crate) title: Option<String>,
    pub(crate) text: String,
}

/// The most text a watchlist test screens.
const MAX_TEST_TEXT: usize = 1 << 20;

async fn watchlist_test(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    JsonBody(request): JsonBody<ScreenTestRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(watchlist_test_data(&state, &principal, &name, &request).await?))
}

/// Screens a text with the watchlist `name` only (if the caller may see it): every hit with
/// its explanation (where, what matched, the entry's form, what was compared, how). Audited as
/// a search; nothing is stored.
pub(crate) async fn watchlist_test_data(
    state: &AppState,
    principal: &Principal,
    name: &str,
    request: &ScreenTestRequest,
) -> ApiResult<Value> {
    let list = visible_watchlist(state, principal, name)?;
    authorize(principal, Action::Read, &watchlist_markings(&list))?;
    let title_len = request.title.as_ref().map_or(0, String::len);
    if request.text.len() + title_len > MAX_TEST_TEXT {
        return Err(ApiError::BadRequest(format!("the text is longer than {MAX_TEST_TEXT} bytes")));
    }
    let (screener, warnings) =
        muninn_screen::Screener::compile(std::slice::from_ref(&list), Timestamp::now());
    let draft = muninn_model::ItemDraft {
        source: muninn_model::SourceId::new("watchlist-test").map_err(ApiError::internal)?,
        collected_at: Timestamp::now(),
        event_time: None,
        title: request.title.clone().filter(|title| !title.is_empty()),
        body: request.text.clone(),
        language: None,
        markings: Markings::tlp(Tlp::Clear),
        grade: muninn_model::AdmiraltyGrade::UNASSESSED,
        raw: None,
        attributes: Default::default(),
    };
    let (item, _) = draft.into_item();
    let hits = screener.screen(&muninn_screen::ItemFields::of(&item, None), &mut Default::default());
    let hits: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let entry = &screener.entries()[hit.entry as usize];
            json!({
                "entry": entry.id, "kind": entry.kind, "describes": entry.describes,
                "severity": entry.severity,
                "field": hit.field.map(|field| field.as_str()),
                "span": hit.span.as_ref().map(|span| [span.start, span.end]),
                "matched": hit.matched, "form": hit.form, "normalised": hit.normalised,
                "method": hit.method.as_str(),
            })
        })
        .collect();
    let query = format!("watchlist test {name}").chars().take(200).collect();
    state.audit(principal, AuditAction::Search { query, hits: hits.len() as u64 }, Outcome::Allowed).await?;
    Ok(json!({
        "list": list.name, "tlp": list.tlp.label(), "hits": hits,
        "warnings": warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    }))
}

async fn audit_verify(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
) -> ApiResult<Json<Value>> {
    Ok(Json(audit_verify_data(&state, &principal).await?))
}

/// The audit chain's verification (administrators only), audited. It reads the whole chain:
/// run on a blocking thread, not on the async runtime.
pub(crate) async fn audit_verify_data(state: &Arc<AppState>, principal: &Principal) -> ApiResult<Value> {
    authorize(principal, Action::ReadAudit, &Markings::tlp(Tlp::Clear))?;
    let reading = Arc::clone(state);
    let result = tokio::task::spawn_blocking(move || {
        reading.read_store(|store| Ok(crate::audit_log::verify_store(store)?))
    })
    .await
    .map_err(ApiError::internal)??;
    state.audit(principal, AuditAction::AuditRead, Outcome::Allowed).await?;
    Ok(match result {
        Ok(verified) => json!({"valid": true, "entries": verified.entries}),
        Err(problem) => json!({"valid": false, "problem": problem.to_string()}),
    })
}

async fn audit_entries(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<LimitParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(audit_entries_data(&state, &principal, params.limit).await?))
}

/// The latest `limit` audit entries, newest first (administrators only), audited. Each entry's
/// hash is checked as it is decoded; an entry that does not decode is listed with the reason.
pub(crate) async fn audit_entries_data(
    state: &AppState,
    principal: &Principal,
    limit: usize,
) -> ApiResult<Value> {
    authorize(principal, Action::ReadAudit, &Markings::tlp(Tlp::Clear))?;
    let limit = limit.clamp(1, 1000);
    let rows = state.read_store(|store| {
        let head = crate::state::stored_head(store)?;
        let first = head.next_seq.saturating_sub(limit as u64);
        let after = first.checked_sub(1).map(muninn_audit::entry_key);
        let page =
            muninn_store::ItemStore::documents(store, crate::state::AUDIT_TABLE, after.as_deref(), limit)?;
        Ok(page
            .iter()
            .rev()
            .map(|(key, bytes)| match muninn_audit::decode_entry(bytes) {
                Ok(entry) => json!({"seq": entry.seq, "hash": entry.hash, "record": entry.record}),
                Err(error) => json!({"key": key, "problem": error.to_string()}),
            })
            .collect::<Vec<_>>())
    })?;
    state.audit(principal, AuditAction::AuditRead, Outcome::Allowed).await?;
    Ok(json!({"entries": rows}))
}

/// How an upload is to be ingested.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadParams {
    pub(crate) format: String,
    pub(crate) source: Option<String>,
    pub(crate) tlp: Option<String>,
    pub(crate) grade: Option<String>,
    /// For TLP:RED: the users it is addressed to besides the uploader (comma-separated).
    pub(crate) recipients: Option<String>,
    /// Need-to-know compartments (comma-separated); the uploader must hold them.
    pub(crate) compartments: Option<String>,
}

fn list_param(text: Option<&str>) -> BTreeSet<String> {
    text.unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

async fn upload(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<UploadParams>,
    RequestBody(body): RequestBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(upload_data(&state, &principal, &params, body).await?))
}

/// Ingests an upload as the caller, screened; what the run did.
pub(crate) async fn upload_data(
    state: &AppState,
    principal: &Principal,
    params: &UploadParams,
    body: axum::body::Bytes,
) -> ApiResult<Value> {
    let format: muninn_ingest::Format = params
        .format
        .parse()
        .map_err(|error| ApiError::BadRequest(format!("format {:?}: {error}", params.format)))?;
    let tlp = params
        .tlp
        .as_deref()
        .map(str::parse::<Tlp>)
        .transpose()
        .map_err(|error| ApiError::BadRequest(format!("tlp: {error}")))?;
    let grade = params
        .grade
        .as_deref()
        .map(str::parse::<muninn_model::AdmiraltyGrade>)
        .transpose()
        .map_err(|error| ApiError::BadRequest(format!("grade: {error}")))?;
    let source = params
        .source
        .as_deref()
        .map(muninn_model::SourceId::new)
        .transpose()
        .map_err(|error| ApiError::BadRequest(format!("source: {error}")))?;
    let mut recipients = list_param(params.recipients.as_deref());
    recipients.insert(principal.user.to_string());
    let handling = Markings {
        originator: Some(principal.org.to_string()),
        recipients,
        compartments: list_param(params.compartments.as_deref()),
        ..Markings::tlp(tlp.unwrap_or(Tlp::Clear))
    };
    // The uploader must be able to read what they upload, at the most restrictive label it can get.
    authorize(principal, Action::Create, &Markings { tlp: Tlp::Red, ..handling.clone() })?;
    if body.is_empty() {
        return Err(ApiError::BadRequest("the upload is empty".to_owned()));
    }
    let uploads = state.data_dir.join("uploads");
    std::fs::create_dir_all(&uploads).map_err(ApiError::internal)?;
    let path = uploads.join(format!("{}.upload", muninn_model::ContentHash::of_bytes(&body)));
    crate::state::write_private(&path, &body).map_err(ApiError::internal)?;
    let config = muninn_ingest::IngestConfig {
        source,
        format: Some(format),
        tlp_floor: tlp,
        grade,
        resume: false,
        handling,
        ..muninn_ingest::IngestConfig::new(Timestamp::now())
    };
    let screener =
        Arc::clone(&*state.screener.read().map_err(|_| ApiError::internal("screener lock poisoned"))?);
    let who = principal.clone();
    let (summary, raised) = state
        .run_task(move |store, chain| {
            let mut observer = crate::ingest::ServerObserver::new(&screener, chain, &who);
            let summary =
                muninn_ingest::ingest(store, &[muninn_ingest::Input::Path(path)], &config, &mut observer)
                    .map_err(ApiError::internal)?;
            Ok((summary, observer.raised))
        })
        .await?;
    // In a cluster the alert feed brings these to the stream, with everyone else's.
    let lists = if state.alert_feed.is_some() {
        Vec::new()
    } else {
        state.read_store(|store| Ok(catalog::load_watchlists(store)?))?
    };
    for (alert, item) in &raised {
        if let Some(list) = lists.iter().find(|list| list.name == alert.list) {
            // Nobody listening is not an error.
            let _ = state.live.send(crate::state::LiveAlert {
                alert: alert.clone(),
                item: item.clone(),
                list: watchlist_markings(list),
            });
        }
    }
    let mut answer = crate::ingest::summary_json(&summary);
    answer["alerts"] = json!(raised.len());
    Ok(answer)
}

#[derive(Deserialize)]
struct MatchParams {
    #[serde(default = "default_match_limit")]
    limit: usize,
    threshold: Option<f32>,
}

fn default_match_limit() -> usize {
    5
}

async fn match_names(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(dataset): Path<String>,
    Params(params): Params<MatchParams>,
    JsonBody(request): JsonBody<crate::matching::MatchRequest>,
) -> ApiResult<Json<Value>> {
    authorize(&principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    if request.queries.len() > 1000 {
        return Err(ApiError::BadRequest(format!(
            "{} queries in one request; at most 1000",
            request.queries.len()
        )));
    }
    let threshold = params.threshold.unwrap_or(0.7);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::BadRequest(format!("threshold {threshold} is not between 0 and 1")));
    }
    let limit = params.limit.clamp(1, 500);
    let lists: Vec<(String, Arc<crate::matching::ListMatcher>)> = visible_watchlists(&state, &principal)?
        .iter()
        .filter(|list| dataset == "default" || list.name == dataset)
        .map(|list| (list.name.clone(), state.matchers.get(list)))
        .collect();
    if lists.is_empty() && dataset != "default" {
        return Err(ApiError::NotFound);
    }
    let _ = &request.weights;
    let responses: serde_json::Map<String, Value> = request
        .queries
        .iter()
        .map(|(key, example)| (key.clone(), crate::matching::answer(example, &lists, threshold, limit)))
        .collect();
    let hits = responses.values().filter_map(|r| r["total"]["value"].as_u64()).sum();
    let names: Vec<String> =
        request.queries.values().flat_map(|q| q.properties.get("name").map(ToString::to_string)).collect();
    let query = format!("match {dataset}: {}", names.join("; ")).chars().take(2000).collect();
    state.audit(&principal, AuditAction::Search { query, hits }, Outcome::Allowed).await?;
    Ok(Json(json!({"responses": responses, "matcher": crate::matching::feature_docs(), "limit": limit})))
}
