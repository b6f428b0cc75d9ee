//! Reading a collection: objects and manifests in pages ordered by `date_added`, one object's
//! versions, its version list. Visibility (`can_see` on each version's markings) is applied
//! before anything else, on every page, so filters, `first`/`last`, `more` and the headers
//! are computed over what the caller may see only.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use muninn_access::{Principal, can_see};
use muninn_audit::{AuditAction, Outcome};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use super::cursor::{self, Scope};
use super::query::{self, Filters, VersionMatch};
use super::store::{
    HEAD_TABLE, Head, OBJECT_TABLE, StoredObject, VersionEntry, date_added_of, display_version, head_key,
    key_form_of, object_key, taxii_timestamp,
};
use super::{STIX_MEDIA_TYPE, readable_collection};
use crate::auth::Caller;
use crate::catalog;
use crate::error::{ApiError, ApiResult, TAXII_MEDIA_TYPE};
use crate::state::AppState;

/// Rows read from the store at a time while scanning a collection.
const CHUNK: usize = 256;

/// One page: the versions returned, in `date_added` order, and whether more follow.
struct Page<T> {
    items: Vec<T>,
    more: bool,
}

/// What a listing returns of each version.
trait Listed {
    fn date_added(&self) -> u64;
}

impl Listed for StoredObject {
    fn date_added(&self) -> u64 {
        self.date_added
    }
}

impl Listed for VersionEntry {
    fn date_added(&self) -> u64 {
        self.date_added
    }
}

/// The request as a listing sees it.
struct Listing<'a> {
    state: &'a AppState,
    principal: &'a Principal,
    collection: &'a str,
    endpoint: String,
    filters: Filters,
}

impl Listing<'_> {
    fn scope(&self) -> Scope<'_> {
        Scope {
            user: self.principal.user.as_str(),
            collection: self.collection,
            endpoint: &self.endpoint,
            filters: &self.filters.binding,
        }
    }

    /// Where the page starts: after `added_after` and after the `next` token's position.
    fn start(&self) -> ApiResult<u64> {
        let mut start = self.filters.added_after.unwrap_or(0);
        if let Some(token) = &self.filters.next {
            let now = jiff::Timestamp::now().as_second();
            let position = cursor::open(&self.state.secret, &self.scope(), token, now)
                .map_err(|error| ApiError::BadRequest(error.to_string()))?;
            start = start.max(position);
        }
        Ok(start)
    }

    fn limit(&self) -> usize {
        self.filters.page_size(self.state.settings.taxii_page_limit)
    }

    /// The envelope of a page (`values` are JSON texts, objects exactly as received) with the
    /// `X-TAXII-Date-Added-First` and `-Last` headers.
    fn finish<T: Listed>(&self, page: &Page<T>, key: &str, values: &[String]) -> ApiResult<Response> {
        let mut body = format!("{{\"more\":{}", page.more);
        if page.more
            && let Some(last) = page.items.last()
        {
            let ttl = i64::try_from(self.state.settings.taxii_cursor_ttl.as_secs()).unwrap_or(i64::MAX);
            let expires = jiff::Timestamp::now().as_second().saturating_add(ttl);
            let token = cursor::seal(&self.state.secret, &self.scope(), last.date_added(), expires);
            body.push_str(&format!(",\"next\":\"{token}\""));
        }
        if !values.is_empty() {
            body.push_str(&format!(",\"{key}\":[{}]", values.join(",")));
        }
        body.push('}');
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA_TYPE));
        if let (Some(first), Some(last)) = (page.items.first(), page.items.last()) {
            for (name, micros) in [
                ("x-taxii-date-added-first", first.date_added()),
                ("x-taxii-date-added-last", last.date_added()),
            ] {
                let value = HeaderValue::from_str(&taxii_timestamp(micros)).map_err(ApiError::internal)?;
                response.headers_mut().insert(name, value);
            }
        }
        Ok(response)
    }
}

/// The versions of one object the caller may see that pass `match[spec_version]`.
fn visible_versions<'h>(head: &'h Head, principal: &Principal, filters: &Filters) -> Vec<&'h VersionEntry> {
    head.versions
        .iter()
        .filter(|entry| {
            can_see(principal, &entry.markings) && filters.spec_version_matches(&entry.spec_version)
        })
        .collect()
}

/// Whether `entry` is selected by `match[version]` among `visible` (sorted by version).
fn version_selected(entry: &VersionEntry, visible: &[&VersionEntry], wanted: &[VersionMatch]) -> bool {
    let version = entry.taxii_version();
    let same =
        |other: Option<&&VersionEntry>| other.is_some_and(|other| other.date_added == entry.date_added);
    wanted.iter().any(|wanted| match wanted {
        VersionMatch::All => true,
        VersionMatch::First => same(visible.first()),
        VersionMatch::Last => same(visible.last()),
        VersionMatch::At(at) => *at == version,
    })
}

fn load_head(store: &dyn ItemStore, collection: &str, object_id: &str) -> ApiResult<Option<Head>> {
    Ok(catalog::load_one::<Head>(store, HEAD_TABLE, &head_key(collection, object_id))?)
}

/// One page of a collection's object versions after `start`, as the caller may see them.
fn collection_page(listing: &Listing<'_>, start: u64, limit: usize) -> ApiResult<Page<StoredObject>> {
    let filters = &listing.filters;
    let wanted = filters.versions_or(VersionMatch::Last);
    let needs_heads = wanted.iter().any(|w| matches!(w, VersionMatch::First | VersionMatch::Last));
    let mut items: Vec<StoredObject> = Vec::new();
    let mut position = start;
    loop {
        // Each chunk is read under one store lock, heads included: one consistent snapshot.
        let (rows, done, more) = listing.state.read_store(|store| {
            let rows =
                store.documents(OBJECT_TABLE, Some(&object_key(listing.collection, position)), CHUNK)?;
            let fetched = rows.len();
            let mut heads: HashMap<String, Option<Head>> = HashMap::new();
            let mut selected = Vec::new();
            for (key, value) in rows {
                let Some(date_added) = date_added_of(listing.collection, &key) else {
                    return Ok((selected, true, false));
                };
                position = date_added;
                let record: StoredObject = catalog::decode(OBJECT_TABLE, &key, &value)?;
                let passes = can_see(listing.principal, &record.markings)
                    && filters.ids.as_ref().is_none_or(|ids| ids.contains(&record.id))
                    && filters.types.as_ref().is_none_or(|types| types.contains(&record.object_type))
                    && filters.spec_version_matches(&record.spec_version);
                if !passes {
                    continue;
                }
                let chosen = if needs_heads {
                    let head = match heads.get(&record.id) {
                        Some(head) => head.clone(),
                        None => {
                            let head = load_head(store, listing.collection, &record.id)?;
                            heads.insert(record.id.clone(), head.clone());
                            head
                        }
                    };
                    let head = head.unwrap_or_default();
                    let visible = visible_versions(&head, listing.principal, filters);
                    let entry = visible.iter().find(|entry| entry.date_added == record.date_added);
                    entry.is_some_and(|entry| version_selected(entry, &visible, &wanted))
                } else {
                    wanted.iter().any(|w| match w {
                        VersionMatch::At(at) => {
                            record.version.clone().unwrap_or_else(|| key_form_of(record.date_added)) == *at
                        }
                        _ => true,
                    })
                };
                if !chosen {
                    continue;
                }
                if items.len() + selected.len() == limit {
                    return Ok((selected, true, true));
                }
                selected.push(record);
            }
            Ok((selected, fetched < CHUNK, false))
        })?;
        items.extend(rows);
        if done {
            return Ok(Page { items, more });
        }
    }
}

/// One page of one object's versions (by `date_added`) after `start`.
fn object_page(
    listing: &Listing<'_>,
    head: &Head,
    wanted: &[VersionMatch],
    start: u64,
    limit: usize,
) -> Page<VersionEntry> {
    let visible = visible_versions(head, listing.principal, &listing.filters);
    let mut chosen: Vec<VersionEntry> = visible
        .iter()
        .filter(|entry| entry.date_added > start && version_selected(entry, &visible, wanted))
        .map(|entry| (*entry).clone())
        .collect();
    chosen.sort_by_key(|entry| entry.date_added);
    let more = chosen.len() > limit;
    chosen.truncate(limit);
    Page { items: chosen, more }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(ApiError::internal)?
}

/// `GET .../objects/`.
pub(crate) async fn objects(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    collection_listing(state, principal, root, id, uri, "objects").await
}

/// `GET .../manifest/`.
pub(crate) async fn manifest(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    collection_listing(state, principal, root, id, uri, "manifest").await
}

async fn collection_listing(
    state: Arc<AppState>,
    principal: Principal,
    root: String,
    id: String,
    uri: Uri,
    endpoint: &'static str,
) -> ApiResult<Response> {
    let collection = readable_collection(&state, &principal, &root, &id)?;
    let filters = query::parse(&uri, query::LISTING)?;
    let (shared, caller) = (Arc::clone(&state), principal.clone());
    let (response, count) = blocking(move || {
        let listing = Listing {
            state: &shared,
            principal: &caller,
            collection: &collection.id,
            endpoint: endpoint.to_owned(),
            filters,
        };
        let page = collection_page(&listing, listing.start()?, listing.limit())?;
        let values: Vec<String> = if endpoint == "manifest" {
            page.items.iter().map(|record| manifest_record(record).to_string()).collect()
        } else {
            page.items.iter().map(|record| record.json.get().to_owned()).collect()
        };
        Ok((listing.finish(&page, "objects", &values)?, page.items.len()))
    })
    .await?;
    audit_read(&state, &principal, id, count).await?;
    Ok(response)
}

async fn audit_read(
    state: &AppState,
    principal: &Principal,
    collection: String,
    objects: usize,
) -> ApiResult<()> {
    let action = AuditAction::TaxiiRead { collection, objects: objects as u64 };
    state.audit(principal, action, Outcome::Allowed).await
}

fn manifest_record(record: &StoredObject) -> Value {
    let version = record.version.clone().unwrap_or_else(|| key_form_of(record.date_added));
    json!({
        "id": record.id,
        "date_added": taxii_timestamp(record.date_added),
        "version": display_version(&version),
        "media_type": STIX_MEDIA_TYPE,
    })
}

/// The visible versions of an object, or not found (missing and invisible alike).
fn visible_head(
    state: &AppState,
    principal: &Principal,
    collection: &str,
    object_id: &str,
) -> ApiResult<Head> {
    if muninn_stix::StixId::parse(object_id).is_err() {
        return Err(ApiError::NotFound);
    }
    let head =
        state.read_store(|store| load_head(store, collection, object_id))?.ok_or(ApiError::NotFound)?;
    if !head.versions.iter().any(|entry| can_see(principal, &entry.markings)) {
        return Err(ApiError::NotFound);
    }
    Ok(head)
}

/// `GET .../objects/{object_id}/`: the object's versions (by default the last).
pub(crate) async fn object(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id, object_id)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    one_object(state, principal, (root, id, object_id), uri, false).await
}

/// `GET .../objects/{object_id}/versions/`: the list of the object's versions.
pub(crate) async fn versions(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id, object_id)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    one_object(state, principal, (root, id, object_id), uri, true).await
}

async fn one_object(
    state: Arc<AppState>,
    principal: Principal,
    (root, id, object_id): (String, String, String),
    uri: Uri,
    version_list: bool,
) -> ApiResult<Response> {
    let collection = readable_collection(&state, &principal, &root, &id)?;
    let filters = query::parse(&uri, if version_list { query::VERSIONS } else { query::OBJECT })?;
    let (shared, caller) = (Arc::clone(&state), principal.clone());
    let (response, count) = blocking(move || {
        let head = visible_head(&shared, &caller, &collection.id, &object_id)?;
        let (endpoint, wanted) = if version_list {
            (format!("versions/{object_id}"), vec![VersionMatch::All])
        } else {
            (format!("object/{object_id}"), filters.versions_or(VersionMatch::Last))
        };
        let listing =
            Listing { state: &shared, principal: &caller, collection: &collection.id, endpoint, filters };
        let page = object_page(&listing, &head, &wanted, listing.start()?, listing.limit());
        if version_list {
            let values: Vec<String> = page
                .items
                .iter()
                .map(|entry| Value::String(display_version(&entry.taxii_version())).to_string())
                .collect();
            return Ok((listing.finish(&page, "versions", &values)?, page.items.len()));
        }
        let values = shared.read_store(|store| {
            page.items
                .iter()
                .map(|entry| {
                    let key = object_key(&collection.id, entry.date_added);
                    let stored = store.document(OBJECT_TABLE, &key)?.ok_or_else(|| {
                        ApiError::internal(format!("object version {key} is listed but missing"))
                    })?;
                    let record: StoredObject = catalog::decode(OBJECT_TABLE, &key, &stored)?;
                    Ok(record.json.get().to_owned())
                })
                .collect::<ApiResult<Vec<String>>>()
        })?;
        Ok((listing.finish(&page, "objects", &values)?, page.items.len()))
    })
    .await?;
    audit_read(&state, &principal, id, count).await?;
    Ok(response)
}
