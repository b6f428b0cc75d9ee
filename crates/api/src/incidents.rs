//! Incidents of the knowledge base (`muninn import incidents`): `GET /api/v1/incidents`
//! (filtered by country, actor and date range, newest first, paged by a cursor) and
//! `GET /api/v1/incidents/{id}`, for the REST API and the UI's incident pages alike.
//!
//! Incidents are knowledge-base objects, loaded and marked as [`crate::knowledge`] does it; a
//! list holds only incidents the caller may see, and an incident the caller may not see is the
//! same 404 as a missing one. Every read is audited: a list as a search (its filters and the
//! number of incidents the caller could see), an incident as a read of a knowledge-base object.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use muninn_access::{Action, Principal, authorize};
use muninn_audit::{AuditAction, Outcome};
use muninn_model::{Markings, Tlp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::Params;
use crate::error::{ApiError, ApiResult};
use crate::knowledge::{IncidentEntry, Knowledge, knowledge_of};
use crate::state::AppState;

/// Most incidents on one page.
pub const MAX_PAGE: usize = 200;

/// The filters of the incident list. Every one is optional; given ones must all hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentParams {
    /// An ISO 3166-1 country: alpha-2, alpha-3 or English short name.
    pub country: Option<String>,
    /// The actor: a name or alias (of the knowledge-base object the incident links, or as the
    /// incident records it).
    pub actor: Option<String>,
    /// First day, `YYYY-MM-DD` (inclusive).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    /// Incidents per page (1 to 200, default 50).
    pub limit: Option<usize>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// The checked filters.
struct Filter<'a> {
    country: Option<&'static str>,
    actor: Option<&'a str>,
    actor_ids: Vec<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

fn day_param(name: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else { return Ok(None) };
    muninn_stix::parse_incident_date(text)
        .ok()
        .filter(|_| text.len() == 10)
        .map(|_| Some(text.to_owned()))
        .ok_or_else(|| ApiError::BadRequest(format!("{name}: {text:?} is not a day (YYYY-MM-DD)")))
}

impl Filter<'_> {
    fn admits(&self, knowledge: &Knowledge, principal: &Principal, entry: &IncidentEntry) -> bool {
        let incident = &entry.incident;
        if self.country.is_some_and(|code| incident.country.as_deref() != Some(code)) {
            return false;
        }
        let day = incident.day();
        if self.from.is_some_and(|from| day < from) || self.to.is_some_and(|to| day.is_empty() || day > to) {
            return false;
        }
        let Some(actor) = self.actor else { return true };
        if incident.actor_ref.as_deref().is_some_and(|id| self.actor_ids.contains(&id)) {
            return true;
        }
        // The actor as recorded: the same name, or a name of the same visible object.
        let Some(recorded) = incident.actor.as_deref() else { return false };
        muninn_stix::fold_name(recorded) == muninn_stix::fold_name(actor)
            || knowledge
                .visible_ids_named(principal, &[recorded])
                .iter()
                .any(|id| self.actor_ids.contains(id))
    }
}

/// The position of an incident in the list's order, as a `next` cursor: its date and id.
fn cursor_of(entry: &IncidentEntry) -> String {
    format!("{}|{}", entry.incident.date.as_deref().unwrap_or(""), entry.incident.id)
}

/// Whether `entry` comes after the cursor in the list's order (newest first, then by id).
fn after_cursor(entry: &IncidentEntry, cursor: &(String, String)) -> bool {
    let date = entry.incident.date.as_deref().unwrap_or("");
    match date.cmp(cursor.0.as_str()) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => entry.incident.id.as_str() > cursor.1.as_str(),
    }
}

/// `GET /api/v1/incidents`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<IncidentParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(incidents_data(&state, &principal, &params).await?))
}

/// `GET /api/v1/incidents/{id}`.
pub(crate) async fn one(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(incident_data(&state, &principal, &id).await?))
}

/// The incidents the caller may see that pass the filters, one page, audited.
pub async fn incidents_data(
    state: &AppState,
    principal: &Principal,
    params: &IncidentParams,
) -> ApiResult<Value> {
    authorize(principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let country = match params.country.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => Some(
            muninn_stix::country(text)
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "country: {text:?} is not an ISO 3166-1 country (alpha-2, alpha-3 or English short name)"
                    ))
                })?
                .alpha2,
        ),
    };
    let (from, to) = (day_param("from", params.from.as_deref())?, day_param("to", params.to.as_deref())?);
    let cursor = match params.after.as_deref() {
        None => None,
        Some(text) => Some(
            text.split_once('|')
                .filter(|(_, id)| id.starts_with("incident--"))
                .map(|(date, id)| (date.to_owned(), id.to_owned()))
                .ok_or_else(|| ApiError::BadRequest("`after` is not a cursor this server gave".to_owned()))?,
        ),
    };
    let limit = params.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let knowledge = knowledge_of(state).await?;
    let actor = params.actor.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let filter = Filter {
        country,
        actor,
        actor_ids: actor.map(|name| knowledge.visible_ids_named(principal, &[name])).unwrap_or_default(),
        from: from.as_deref(),
        to: to.as_deref(),
    };
    let matching: Vec<&IncidentEntry> = knowledge
        .visible_incidents(principal)
        .filter(|entry| filter.admits(&knowledge, principal, entry))
        .collect();
    let page: Vec<&IncidentEntry> = matching
        .iter()
        .copied()
        .filter(|entry| cursor.as_ref().is_none_or(|cursor| after_cursor(entry, cursor)))
        .take(limit + 1)
        .collect();
    let next = (page.len() > limit).then(|| cursor_of(page[limit - 1]));
    let rows: Vec<Value> = page.iter().take(limit).map(|entry| incident_json(entry)).collect();
    let described: Vec<String> = [
        ("country", country.map(str::to_owned)),
        ("actor", actor.map(str::to_owned)),
        ("from", from.clone()),
        ("to", to.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some(format!("{name}={}", value?)))
    .collect();
    let query = format!("incidents {}", described.join(" ")).trim_end().to_owned();
    state
        .audit(principal, AuditAction::Search { query, hits: matching.len() as u64 }, Outcome::Allowed)
        .await?;
    Ok(json!({"total": matching.len(), "incidents": rows, "next": next}))
}

/// One incident the caller may see, audited; NotFound for an invisible one as for a missing one.
pub async fn incident_data(state: &AppState, principal: &Principal, id: &str) -> ApiResult<Value> {
    let knowledge = knowledge_of(state).await?;
    let entry = knowledge.incident(id).ok_or(ApiError::NotFound)?;
    authorize(principal, Action::Read, &entry.markings)?;
    let mut value = incident_json(entry);
    // The knowledge-base objects it names, as far as the caller may see them.
    let linked = |id: &str| -> Option<Value> {
        let (kind, name) = knowledge.visible_object(principal, id)?;
        Some(json!({"id": id, "type": kind, "name": name}))
    };
    value["actor_object"] = entry.incident.actor_ref.as_deref().and_then(linked).unwrap_or(Value::Null);
    value["target_objects"] =
        Value::Array(entry.incident.target_refs.iter().filter_map(|id| linked(id)).collect());
    state.audit(principal, AuditAction::EntityRead { entity: id.to_owned() }, Outcome::Allowed).await?;
    Ok(value)
}

/// An incident as listed: what it records and its TLP.
pub fn incident_json(entry: &IncidentEntry) -> Value {
    let mut value = entry.incident.to_json();
    value["tlp"] = json!(entry.markings.tlp.label());
    value
}
