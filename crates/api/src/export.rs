//! Export by query: the items a search finds, as the caller may see them, become a MISP event
//! (each indicator found in them an attribute, as `muninn export misp` writes it) or a STIX 2.1
//! bundle (that event mapped by `muninn_misp::to_stix`: a report, an indicator with a pattern
//! per detectable value, vulnerabilities for CVEs), marked with the most restrictive TLP of the
//! items it draws from. `GET /api/v1/export` and the UI's export page call the same functions.
//!
//! The search runs with the caller's visibility inside the index query, and every item is
//! authorised for [`Action::Export`] on its own markings, so nothing the caller may not see (or
//! not export) reaches the file, its counts or its label.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use muninn_access::{Action, Principal, authorize};
use muninn_audit::{AuditAction, Outcome};
use muninn_extract::Extractor;
use muninn_index::SearchRequest;
use muninn_misp::ExportAttribute;
use muninn_model::{Item, ItemId, Markings, Timestamp, Tlp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::Params;
use crate::error::{ApiError, ApiResult};
use crate::routes::RouteSpec;
use crate::state::{AppState, visibility_of};

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// Most items one export draws from (the answer says when the query found more).
pub const MAX_EXPORT_ITEMS: usize = 10_000;
/// Most attributes a preview lists (the counts cover them all).
pub const MAX_PREVIEW_ATTRIBUTES: usize = 500;

/// The REST route of exports.
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    vec![(
        RouteSpec {
            method: Method::GET,
            path: "/api/v1/export",
            summary: "Export what a query finds as a STIX 2.1 bundle or a MISP event (format=stix|misp)",
            authenticated: true,
        },
        get(export),
    )]
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A STIX 2.1 bundle.
    Stix,
    /// A MISP event (`{"Event": {...}}`).
    Misp,
}

impl ExportFormat {
    /// `stix` or `misp`.
    pub fn parse(text: &str) -> ApiResult<ExportFormat> {
        match text.trim() {
            "stix" => Ok(ExportFormat::Stix),
            "misp" => Ok(ExportFormat::Misp),
            other => Err(ApiError::BadRequest(format!("format {other:?}: expected stix or misp"))),
        }
    }

    /// The name in requests and the audit trail.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Stix => "stix",
            ExportFormat::Misp => "misp",
        }
    }
}

/// The parameters of an export.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportParams {
    pub(crate) q: String,
    pub(crate) format: String,
    /// The event's or report's title (default: the query).
    #[serde(default)]
    pub(crate) info: Option<String>,
}

/// What a query selects for export.
#[derive(Debug)]
pub(crate) struct Selection {
    /// The query in its canonical form.
    pub(crate) query: String,
    /// Items the search found that the caller may see.
    pub(crate) total: u64,
    /// Items exported (at most [`MAX_EXPORT_ITEMS`]).
    pub(crate) items: usize,
    /// The most restrictive TLP of the exported items (CLEAR when there are none).
    pub(crate) tlp: Tlp,
    /// One attribute per distinct (type, value), in the order found.
    pub(crate) attributes: Vec<ExportAttribute>,
}

/// A file to hand out.
#[derive(Debug)]
pub(crate) struct Exported {
    pub(crate) body: String,
    pub(crate) media_type: &'static str,
    pub(crate) filename: String,
    pub(crate) objects: usize,
}

fn random_uuid() -> ApiResult<String> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    let hex = crate::hex::encode(&random);
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

/// The items `q` finds that `principal` may export, and the indicators in them.
fn select(state: &AppState, principal: &Principal, q: &str) -> ApiResult<Selection> {
    let query =
        muninn_query::parse(q, Timestamp::now()).map_err(|error| ApiError::BadRequest(error.to_string()))?;
    let visibility = visibility_of(principal);
    let results = state.read_index(|index| {
        Ok(index.search(&SearchRequest {
            query: &query,
            visibility: &visibility,
            limit: MAX_EXPORT_ITEMS,
            after: None,
            facets: false,
            histogram: false,
        })?)
    })?;
    let ids: Vec<ItemId> = results.hits.iter().map(|hit| hit.id).collect();
    let items = state.read_store(|store| {
        let mut items = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(item) = muninn_store::ItemStore::item(store, id)?
                && authorize(principal, Action::Export, &item.markings).is_ok()
            {
                items.push(item);
            }
        }
        Ok(items)
    })?;
    let (tlp, attributes) = state.read_index(|index| indicator_attributes(index.extractor(), &items))?;
    Ok(Selection { query: query.to_string(), total: results.total, items: items.len(), tlp, attributes })
}

/// The indicators found in `items` (title and body) as MISP attributes, one per distinct (type,
/// value) in the order found, each naming the item it came from, and the most restrictive TLP of
/// the items (CLEAR when there are none). The REST export and `muninn export misp` share it.
pub fn indicator_attributes(extractor: &Extractor, items: &[Item]) -> ApiResult<(Tlp, Vec<ExportAttribute>)> {
    let mut tlp = Tlp::Clear;
    let mut seen = BTreeSet::new();
    let mut attributes = Vec::new();
    for item in items {
        tlp = tlp.max(item.markings.tlp);
        for text in item.title.iter().chain(std::iter::once(&item.body)) {
            for found in extractor.extract(text).indicators {
                let Some((kind, category)) = ExportAttribute::misp_type_of(found.kind.name()) else {
                    continue;
                };
                if !seen.insert((kind, found.value.clone())) {
                    continue;
                }
                attributes.push(ExportAttribute {
                    uuid: random_uuid()?,
                    kind,
                    category,
                    value: found.value,
                    to_ids: kind != "vulnerability" && kind != "text",
                    comment: format!("found in item {}", item.id),
                });
            }
        }
    }
    Ok((tlp, attributes))
}

/// The selection as a MISP event.
fn misp_event(selection: &Selection, info: &str) -> ApiResult<Value> {
    let today = jiff::tz::TimeZone::UTC.to_datetime(Timestamp::now()).date().to_string();
    Ok(muninn_misp::export_event(&random_uuid()?, info, &today, selection.tlp, &selection.attributes))
}

/// The selection as a STIX 2.1 bundle: the MISP event mapped to STIX, each object checked.
fn stix_bundle(selection: &Selection, info: &str) -> ApiResult<(String, usize)> {
    event_as_stix_bundle(&misp_event(selection, info)?)
}

/// A MISP event Muninn made ([`muninn_misp::export_event`]) as a STIX 2.1 bundle: a report
/// with an indicator per attribute, each object checked; the bundle and its object count. The
/// REST export and `muninn export stix --query` share it.
pub fn event_as_stix_bundle(event: &Value) -> ApiResult<(String, usize)> {
    let mut parsed = muninn_misp::parse_event(event.to_string().as_bytes()).map_err(ApiError::internal)?;
    // The event is our own: its distribution ("your organisation only") is for MISP
    // recipients, not a restriction met on import; the selection's TLP marks the bundle.
    parsed.distribution = None;
    let mapping = muninn_misp::to_stix(&parsed);
    let objects = mapping
        .objects
        .iter()
        .map(|object| muninn_stix::StixObject::from_json(&object.to_string()).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    let refs: Vec<&muninn_stix::StixObject> = objects.iter().collect();
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    let bundle = muninn_stix::export_bundle(&refs, &muninn_stix::NoObjects, random);
    Ok((bundle.json, bundle.object_count))
}

/// Runs the selection on a blocking thread (it reads up to [`MAX_EXPORT_ITEMS`] items).
async fn select_blocking(state: &Arc<AppState>, principal: &Principal, q: &str) -> ApiResult<Selection> {
    authorize(principal, Action::Export, &Markings::tlp(Tlp::Clear))?;
    let (reading, who, query) = (Arc::clone(state), principal.clone(), q.to_owned());
    tokio::task::spawn_blocking(move || select(&reading, &who, &query)).await.map_err(ApiError::internal)?
}

/// What an export of `q` would hold, audited as a search: counts, label, the attributes.
pub(crate) async fn preview_data(state: &Arc<AppState>, principal: &Principal, q: &str) -> ApiResult<Value> {
    let selection = select_blocking(state, principal, q).await?;
    let audit = AuditAction::Search { query: selection.query.clone(), hits: selection.total };
    state.audit(principal, audit, Outcome::Allowed).await?;
    let mut by_type: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for attribute in &selection.attributes {
        *by_type.entry(attribute.kind).or_default() += 1;
    }
    Ok(json!({
        "query": selection.query, "total": selection.total, "items": selection.items,
        "truncated": selection.total > selection.items as u64,
        "tlp": selection.tlp.label(), "attribute_count": selection.attributes.len(), "by_type": by_type,
        "attributes": selection.attributes.iter().take(MAX_PREVIEW_ATTRIBUTES).map(|a| json!({
            "type": a.kind, "category": a.category, "value": a.value, "to_ids": a.to_ids,
            "item": a.comment.trim_start_matches("found in item "),
        })).collect::<Vec<_>>(),
    }))
}

/// The export of `q` in `format`, audited.
pub(crate) async fn export_data(
    state: &Arc<AppState>,
    principal: &Principal,
    params: &ExportParams,
) -> ApiResult<Exported> {
    let format = ExportFormat::parse(&params.format)?;
    let selection = select_blocking(state, principal, &params.q).await?;
    let info = params
        .info
        .as_deref()
        .map(str::trim)
        .filter(|info| !info.is_empty())
        .map_or_else(|| format!("Muninn export: {}", selection.query), str::to_owned);
    let info: String = info.chars().take(500).collect();
    let date = jiff::tz::TimeZone::UTC.to_datetime(Timestamp::now()).strftime("%Y%m%d-%H%M%S").to_string();
    let exported = match format {
        ExportFormat::Misp => Exported {
            body: serde_json::to_string_pretty(&misp_event(&selection, &info)?)
                .map_err(ApiError::internal)?,
            media_type: "application/json",
            filename: format!("muninn-export-{date}.misp.json"),
            objects: selection.attributes.len(),
        },
        ExportFormat::Stix => {
            let (body, objects) = stix_bundle(&selection, &info)?;
            Exported {
                body,
                media_type: "application/stix+json;version=2.1",
                filename: format!("muninn-export-{date}.stix.json"),
                objects,
            }
        }
    };
    let audit = AuditAction::Export {
        format: format.name().to_owned(),
        objects: exported.objects as u64,
        query: Some(selection.query.chars().take(200).collect()),
    };
    state.audit(principal, audit, Outcome::Allowed).await?;
    Ok(exported)
}

/// The file as a download.
pub(crate) fn download(exported: Exported) -> Response {
    let mut response = exported.body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(exported.media_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", exported.filename)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn export(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<ExportParams>,
) -> ApiResult<Response> {
    Ok(download(export_data(&state, &principal, &params).await?))
}
