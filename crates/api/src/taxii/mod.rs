//! TAXII 2.1 under `/taxii2/` (OASIS, `taxii-v2.1-os`): discovery, one API root ([`ROOT`]),
//! collections kept as store documents, objects added as STIX 2.1 envelopes and read back in
//! pages ordered by the date the server added them.
//!
//! The parts:
//! - [`store`]: the documents (collections, object versions, each object's
//!   versions, status resources) and the keys that order them;
//! - `clock`: the one lock under which objects are added, which hands out `date_added`;
//! - `add`: adding objects, deleting them, status resources;
//! - `envelope`: the body of an add, checked as text, then each object by `muninn_stix`;
//! - `read`: objects, manifests, one object's versions, in pages;
//! - `query`: the URL query parameters (`added_after`, `match[...]`, `limit`, `next`);
//! - [`cursor`]: the `next` token.
//!
//! Access: a collection names the organisations that read and write it; an object carries the
//! markings derived when it was added (see `crates/api/README.md`). Every read filters by both,
//! on every page; what a caller may not see is answered as if it did not exist (404, or simply
//! absent from pages, counts and manifests).

mod add;
mod clock;
pub mod cursor;
mod envelope;
mod query;
mod read;
pub mod store;

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use muninn_access::{Action, Principal, authorize};
use muninn_audit::{AuditAction, Outcome};
use muninn_model::{Markings, Tlp};
use serde_json::json;

pub use store::{Collection, EVERYONE, NewCollection, create_collection};

use crate::auth::Caller;
use crate::catalog;
use crate::error::{ApiError, ApiResult, TAXII_MEDIA_TYPE};
use crate::routes::RouteSpec;
use crate::state::AppState;

/// The one API root: `/taxii2/api/`.
pub const ROOT: &str = "api";
/// The media type of the STIX objects a collection holds.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
/// Most objects accepted in one add request.
pub const MAX_OBJECTS_PER_REQUEST: usize = 10_000;

/// The TAXII routes, each behind the TAXII media-type exchange (406 on an `Accept` it cannot
/// serve; every answer, errors included, as `application/taxii+json;version=2.1`).
pub fn routes() -> Vec<(RouteSpec, super::Handler)> {
    let spec = |method: Method, path: &'static str, summary: &'static str| RouteSpec {
        method,
        path,
        summary,
        authenticated: true,
    };
    let routes: Vec<(RouteSpec, super::Handler)> = vec![
        (spec(Method::GET, "/taxii2/", "TAXII discovery"), get(discovery)),
        (spec(Method::GET, "/taxii2/{root}/", "TAXII API root"), get(api_root)),
        (
            spec(Method::GET, "/taxii2/{root}/status/{id}/", "TAXII status of an add request"),
            get(add::status),
        ),
        (
            spec(Method::GET, "/taxii2/{root}/collections/", "TAXII collections the caller may use"),
            get(collections),
        ),
        (spec(Method::GET, "/taxii2/{root}/collections/{id}/", "One TAXII collection"), get(collection)),
        (
            spec(Method::GET, "/taxii2/{root}/collections/{id}/objects/", "Objects of a collection, paged"),
            get(read::objects),
        ),
        (
            spec(Method::POST, "/taxii2/{root}/collections/{id}/objects/", "Add objects (a TAXII envelope)"),
            post(add::add_objects),
        ),
        (
            spec(
                Method::GET,
                "/taxii2/{root}/collections/{id}/objects/{object_id}/",
                "Versions of one object",
            ),
            get(read::object),
        ),
        (
            spec(
                Method::DELETE,
                "/taxii2/{root}/collections/{id}/objects/{object_id}/",
                "Delete an object (its originator only)",
            ),
            delete(add::delete_object),
        ),
        (
            spec(
                Method::GET,
                "/taxii2/{root}/collections/{id}/objects/{object_id}/versions/",
                "Version list of one object",
            ),
            get(read::versions),
        ),
        (
            spec(Method::GET, "/taxii2/{root}/collections/{id}/manifest/", "Manifest of a collection, paged"),
            get(read::manifest),
        ),
    ];
    routes.into_iter().map(|(spec, handler)| (spec, handler.layer(middleware::from_fn(exchange)))).collect()
}

/// Refuses an `Accept` that allows neither TAXII JSON nor JSON, and labels every JSON answer
/// (extractor rejections such as 401 included) with the negotiated media type.
async fn exchange(request: Request, next: Next) -> Response {
    let media = match negotiate(request.headers()) {
        Ok(media) => media,
        Err(error) => return relabel(error.into_response(), TAXII_MEDIA_TYPE),
    };
    let response = next.run(request).await;
    relabel(response, media)
}

fn relabel(mut response: Response, media: &'static str) -> Response {
    let is_json =
        response.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(
            |value| value.starts_with("application/json") || value.starts_with("application/taxii+json"),
        );
    if is_json {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    }
    response
}

/// The media type to answer with: TAXII 2.1 unless the client accepts plain JSON only.
fn negotiate(headers: &HeaderMap) -> ApiResult<&'static str> {
    let refused =
        || ApiError::NotAcceptable(format!("this server answers {TAXII_MEDIA_TYPE} (or application/json)"));
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(TAXII_MEDIA_TYPE);
    };
    let accept = accept.to_str().map_err(|_| refused())?;
    let mut plain_json = false;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let essence = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut version = None;
        let mut excluded = false;
        for parameter in parts {
            let Some((name, value)) = parameter.split_once('=') else { continue };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "version" => version = Some(value.to_owned()),
                "q" => excluded = value.parse::<f32>().is_ok_and(|q| q <= 0.0),
                _ => {}
            }
        }
        if excluded {
            continue;
        }
        match essence.as_str() {
            "application/taxii+json" if version.as_deref().is_none_or(|v| v == "2.1") => {
                return Ok(TAXII_MEDIA_TYPE);
            }
            "*/*" | "application/*" => return Ok(TAXII_MEDIA_TYPE),
            "application/json" => plain_json = true,
            _ => {}
        }
    }
    if plain_json { Ok("application/json") } else { Err(refused()) }
}

/// A TAXII JSON answer.
pub(crate) fn taxii_json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA_TYPE));
    response
}

/// What a caller may do with a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Access {
    pub read: bool,
    pub write: bool,
}

/// Whether the role table grants `action` at all (asked of the one choke point, on material
/// of the principal's own organisation, which it always sees).
pub(crate) fn role_allows(principal: &Principal, action: Action) -> bool {
    let own = Markings { originator: Some(principal.org.to_string()), ..Markings::tlp(Tlp::AmberStrict) };
    authorize(principal, action, &own).is_ok()
}

/// What `principal` may do with `collection`.
pub(crate) fn access(collection: &Collection, principal: &Principal) -> Access {
    let org = principal.org.as_str();
    let admits = |orgs: &[String]| orgs.iter().any(|entry| entry == EVERYONE || entry == org);
    Access {
        read: admits(&collection.readers) && role_allows(principal, Action::TaxiiRead),
        write: admits(&collection.writers) && role_allows(principal, Action::TaxiiWrite),
    }
}

/// Loads a collection the caller may read or write; any other is not found (missing and
/// invisible answer alike).
pub(crate) fn load_collection(
    state: &AppState,
    principal: &Principal,
    root: &str,
    id: &str,
) -> ApiResult<(Collection, Access)> {
    if root != ROOT || !store::is_uuid(id) {
        return Err(ApiError::NotFound);
    }
    let collection = state
        .read_store(|store| Ok(catalog::load_one::<Collection>(store, store::COLLECTION_TABLE, id)?))?
        .ok_or(ApiError::NotFound)?;
    let access = access(&collection, principal);
    if !access.read && !access.write {
        return Err(ApiError::NotFound);
    }
    Ok((collection, access))
}

/// A collection the caller may read (403 when it may only write to it).
pub(crate) fn readable_collection(
    state: &AppState,
    principal: &Principal,
    root: &str,
    id: &str,
) -> ApiResult<Collection> {
    let (collection, access) = load_collection(state, principal, root, id)?;
    if !access.read {
        return Err(ApiError::Forbidden("this collection is not readable by you"));
    }
    Ok(collection)
}

fn collection_resource(collection: &Collection, access: Access) -> serde_json::Value {
    json!({
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "can_read": access.read,
        "can_write": access.write,
        "media_types": [STIX_MEDIA_TYPE],
    })
}

async fn discovery(Caller(_): Caller) -> Response {
    let root = format!("/taxii2/{ROOT}/");
    taxii_json(
        StatusCode::OK,
        &json!({
            "title": "Muninn TAXII 2.1",
            "description": "Intelligence shared between the organisations of this Muninn deployment",
            "default": root,
            "api_roots": [root],
        }),
    )
}

async fn api_root(
    State(state): State<Arc<AppState>>,
    Caller(_): Caller,
    Path(root): Path<String>,
) -> ApiResult<Response> {
    if root != ROOT {
        return Err(ApiError::NotFound);
    }
    Ok(taxii_json(
        StatusCode::OK,
        &json!({
            "title": "Muninn",
            "description": "Collections of STIX 2.1 objects, each readable and writable by named organisations",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": state.settings.max_body_bytes,
        }),
    ))
}

async fn collections(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(root): Path<String>,
) -> ApiResult<Response> {
    if root != ROOT {
        return Err(ApiError::NotFound);
    }
    let all: Vec<Collection> =
        state.read_store(|store| Ok(catalog::load_all(store, store::COLLECTION_TABLE)?))?;
    let listed: Vec<serde_json::Value> = all
        .iter()
        .filter_map(|collection| {
            let access = access(collection, &principal);
            (access.read || access.write).then(|| collection_resource(collection, access))
        })
        .collect();
    let audit = AuditAction::TaxiiRead { collection: EVERYONE.to_owned(), objects: listed.len() as u64 };
    state.audit(&principal, audit, Outcome::Allowed).await?;
    // TAXII 2.1 section 5.1.1: without collections the resource is an empty object.
    let body = if listed.is_empty() { json!({}) } else { json!({ "collections": listed }) };
    Ok(taxii_json(StatusCode::OK, &body))
}

async fn collection(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (collection, access) = load_collection(&state, &principal, &root, &id)?;
    let audit = AuditAction::TaxiiRead { collection: collection.id.clone(), objects: 0 };
    state.audit(&principal, audit, Outcome::Allowed).await?;
    Ok(taxii_json(StatusCode::OK, &collection_resource(&collection, access)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> ApiResult<&'static str> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).expect("header"));
        negotiate(&headers)
    }

    #[test]
    fn accept_headers_are_negotiated_as_taxii_says() {
        assert_eq!(negotiate(&HeaderMap::new()).ok(), Some(TAXII_MEDIA_TYPE));
        assert_eq!(accept("application/taxii+json;version=2.1").ok(), Some(TAXII_MEDIA_TYPE));
        assert_eq!(accept("application/taxii+json; version=2.1").ok(), Some(TAXII_MEDIA_TYPE));
        assert_eq!(accept("application/taxii+json").ok(), Some(TAXII_MEDIA_TYPE));
        assert_eq!(accept("text/html, */*;q=0.1").ok(), Some(TAXII_MEDIA_TYPE));
        assert_eq!(accept("application/json").ok(), Some("application/json"));
        assert!(accept("application/taxii+json;version=2.0").is_err());
        assert!(accept("application/vnd.oasis.taxii+json; version=2.0").is_err());
        assert!(accept("text/html").is_err());
        assert!(accept("application/taxii+json;version=2.1;q=0").is_err());
    }
}
