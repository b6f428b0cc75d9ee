//! What the TAXII server shares with whom, for administrators: each collection, the
//! organisations that read and write it, and how many of its objects the administrator may see.
//! `GET /api/v1/sharing` and the UI's sharing page call `sharing_data`.
//!
//! Who sees what: the role table has no action for this view (as for the user listing, the
//! administrator role is checked directly), and anyone else gets 404, as for a route that does
//! not exist. An administrator sees in full the collections their organisation writes to (who
//! receives what it shares); of a collection it only reads, only its own access; others not at
//! all. Object counts include only objects the administrator may see. Administrators also get
//! every organisation's id and name (`directory`), the ones they may name as readers and writers.
//!
//! An administrator creates a collection (`create_collection_data`, the sharing page's form)
//! through `taxii::create_collection`, as the command line does, audited with it in one write:
//! their own organisation among its writers, so they keep seeing in full what they set up.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::get;
use muninn_access::{Principal, Role, can_see};
use muninn_audit::{AuditAction, Change, Outcome};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::catalog;
use crate::error::{ApiError, ApiResult};
use crate::routes::RouteSpec;
use crate::state::{AppState, record};
use crate::taxii::store::{COLLECTION_TABLE, HEAD_TABLE, Head};
use crate::taxii::{Collection, EVERYONE, NewCollection, ROOT};

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// The REST route of the sharing view.
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    vec![(
        RouteSpec {
            method: Method::GET,
            path: "/api/v1/sharing",
            summary: "TAXII collections and the organisations that read and write them (administrators)",
            authenticated: true,
        },
        get(sharing),
    )]
}

/// How many objects of `collection` `principal` may see (their latest version's markings).
fn visible_objects(store: &dyn ItemStore, principal: &Principal, collection: &str) -> ApiResult<u64> {
    let prefix = format!("{collection}/");
    let mut after = prefix.clone();
    let mut count = 0;
    loop {
        let page = store.documents(HEAD_TABLE, Some(&after), 512)?;
        let done = page.len() < 512;
        for (key, bytes) in page {
            if !key.starts_with(&prefix) {
                return Ok(count);
            }
            let head: Head = catalog::decode(HEAD_TABLE, &key, &bytes)?;
            count +=
                u64::from(head.versions.last().is_some_and(|latest| can_see(principal, &latest.markings)));
            after = key;
        }
        if done {
            return Ok(count);
        }
    }
}

/// The collections as `principal` (an administrator) may see them, with the organisations
/// they name, audited as a reading of the collections.
pub(crate) async fn sharing_data(state: &AppState, principal: &Principal) -> ApiResult<Value> {
    if principal.role != Role::Admin {
        return Err(ApiError::NotFound);
    }
    let own = principal.org.as_str();
    let names = |orgs: &[String]| orgs.iter().any(|org| org == own || org == EVERYONE);
    let (rows, named) = state.read_store(|store| {
        let collections: Vec<Collection> = catalog::load_all(store, COLLECTION_TABLE)?;
        let mut rows = Vec::new();
        let mut named: BTreeSet<String> = BTreeSet::from([own.to_owned()]);
        for collection in collections {
            let (reads, writes) = (names(&collection.readers), names(&collection.writers));
            if !reads && !writes {
                continue;
            }
            let objects = visible_objects(store, principal, &collection.id)?;
            let shown = |orgs: &[String]| -> Vec<String> {
                orgs.iter().filter(|org| writes || *org == own || *org == EVERYONE).cloned().collect()
            };
            let (readers, writers) = (shown(&collection.readers), shown(&collection.writers));
            let hidden = collection.readers.len() + collection.writers.len() - readers.len() - writers.len();
            named.extend(readers.iter().chain(&writers).filter(|org| *org != EVERYONE).cloned());
            let everyone_reads = writes && collection.readers.iter().any(|org| org == EVERYONE);
            rows.push((
                json!({
                    "id": collection.id, "title": collection.title, "description": collection.description,
                    "url": format!("/taxii2/{ROOT}/collections/{}/", collection.id),
                    "full": writes, "your_org_reads": reads, "your_org_writes": writes,
                    "readers": readers, "writers": writers, "hidden_orgs": hidden, "objects": objects,
                }),
                everyone_reads,
            ));
        }
        Ok((rows, named))
    })?;
    let everyone = rows.iter().any(|(_, everyone_reads)| *everyone_reads);
    let (orgs, directory): (Vec<Value>, Vec<Value>) = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        let org_json = |org: &muninn_access::Org| json!({"id": org.id.to_string(), "name": org.name});
        (
            directory
                .orgs
                .values()
                .filter(|org| everyone || named.contains(org.id.as_str()))
                .map(org_json)
                .collect(),
            directory.orgs.values().map(org_json).collect(),
        )
    };
    let collections: Vec<Value> = rows.into_iter().map(|(row, _)| row).collect();
    let audit = AuditAction::TaxiiRead { collection: EVERYONE.to_owned(), objects: collections.len() as u64 };
    state.audit(principal, audit, Outcome::Allowed).await?;
    Ok(json!({"api_root": format!("/taxii2/{ROOT}/"), "org": own, "collections": collections, "orgs": orgs,
              "directory": directory}))
}

/// Creates a collection for `principal`, an administrator (anyone else: 404, as the view),
/// durably and audited. The organisations are ids of the directory or [`EVERYONE`], each named
/// once; at least one reads it; the administrator's own organisation writes to it. A refusal
/// is a 400 that says why.
pub(crate) async fn create_collection_data(
    state: &AppState,
    principal: &Principal,
    new: NewCollection,
) -> ApiResult<Collection> {
    if principal.role != Role::Admin {
        return Err(ApiError::NotFound);
    }
    let distinct = |orgs: Vec<String>| -> Vec<String> {
        orgs.into_iter()
            .map(|org| org.trim().to_owned())
            .filter(|org| !org.is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let new = NewCollection {
        title: new.title.trim().to_owned(),
        description: new.description.trim().to_owned(),
        readers: distinct(new.readers),
        writers: distinct(new.writers),
    };
    if new.readers.is_empty() {
        return Err(ApiError::BadRequest(
            "name at least one organisation that reads the collection".to_owned(),
        ));
    }
    let own = principal.org.as_str();
    if !new.writers.iter().any(|org| org == own || org == EVERYONE) {
        return Err(ApiError::BadRequest(format!(
            "your organisation ({own}) must be among the writers: the collection is yours to share through"
        )));
    }
    // The ids' form first (the function the command line uses), then that each exists: an
    // unknown id would give access to an organisation created later under that name.
    let (collection, documents) = crate::taxii::create_collection(new)?;
    {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        let unknown = collection
            .readers
            .iter()
            .chain(&collection.writers)
            .find(|org| *org != EVERYONE && !directory.orgs.keys().any(|id| id.as_str() == org.as_str()));
        if let Some(org) = unknown {
            return Err(ApiError::BadRequest(format!("{org:?} is not an organisation of this server")));
        }
    }
    let audit = record(
        Some(principal),
        AuditAction::CollectionChanged { collection: collection.id.clone(), change: Change::Created },
        Outcome::Allowed,
    );
    state.write(documents, vec![audit]).await?;
    Ok(collection)
}

async fn sharing(State(state): State<Arc<AppState>>, Caller(principal): Caller) -> ApiResult<Json<Value>> {
    Ok(Json(sharing_data(&state, &principal).await?))
}
