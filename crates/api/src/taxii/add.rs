//! Adding objects (a TAXII envelope, each object checked by `muninn_stix`), the status
//! resource of each add, and deleting objects.
//!
//! An added object's markings: its TLP is the most restrictive canonical TLP among its object
//! and granular marking references; a reference that is neither canonical TLP nor a statement
//! marking known in the collection (unknown, or a definition dressed up as TLP), or no TLP at
//! all, makes it TLP:AMBER+STRICT (visible to the submitting organisation only). The
//! originator is the submitter's organisation; TLP:RED is addressed to the submitter alone.
//! A version never replaces another: the same id and version with other content is a version
//! conflict, and a version that would widen the markings of the latest one is refused unless
//! the submitter may widen them (its organisation is the originator).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use muninn_access::{Action, Principal, authorize, can_see, is_widening};
use muninn_audit::{AuditAction, Outcome as AuditOutcome};
use muninn_model::{Markings, TLP2_EXTENSION_ID, Tlp};
use muninn_stix::{ImportReport, Outcome, StixObject, canonical_tlp};
use muninn_store::Document;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::clock::{Stamper, hold_changes};
use super::envelope::check_envelope;
use super::query::{self, VersionMatch};
use super::store::{
    CLOCK_KEY, CLOCK_TABLE, HEAD_TABLE, Head, OBJECT_TABLE, STATUS_TABLE, StoredObject, StoredStatus,
    VersionEntry, head_key, is_uuid, object_key, random_uuid, taxii_timestamp,
};
use super::{ROOT, load_collection, role_allows, taxii_json};
use crate::auth::Caller;
use crate::catalog;
use crate::error::{ApiError, ApiResult, TAXII_MEDIA_TYPE};
use crate::state::{AppState, record};

/// `POST .../objects/`: adds the objects of a TAXII envelope; answers 202 with the status.
pub(crate) async fn add_objects(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id)): Path<(String, String)>,
    request: Request,
) -> ApiResult<Response> {
    check_content_type(request.headers())?;
    let (collection, access) = load_collection(&state, &principal, &root, &id)?;
    if !access.write {
        let refused = AuditAction::TaxiiAdd { collection: collection.id.clone(), accepted: 0, rejected: 0 };
        state.audit(&principal, refused, AuditOutcome::Denied).await?;
        return Err(ApiError::Forbidden("you may not add objects to this collection"));
    }
    let bytes = crate::body::read_body(request, state.settings.max_body_bytes).await?;
    let request_timestamp =
        taxii_timestamp(u64::try_from(jiff::Timestamp::now().as_microsecond()).unwrap_or(0));
    let (report, versions) =
        tokio::task::spawn_blocking(move || check_envelope(&bytes)).await.map_err(ApiError::internal)??;
    // Held until the write is durable: commit order is date_added order (see `clock`).
    let mut adds = hold_changes(&state).await?;
    let (shared, caller, target) = (Arc::clone(&state), principal.clone(), collection.id.clone());
    let stamper = state.read_store(|store| adds.stamper(store))?;
    let plan = tokio::task::spawn_blocking(move || {
        plan_additions(&shared, &caller, &target, &report, &versions, stamper)
    })
    .await
    .map_err(ApiError::internal)??;
    let status_id = random_uuid()?;
    let resource = json!({
        "id": status_id,
        "status": "complete",
        "request_timestamp": request_timestamp,
        "total_count": plan.successes.len() + plan.failures.len(),
        "success_count": plan.successes.len(),
        "successes": plan.successes,
        "failure_count": plan.failures.len(),
        "failures": plan.failures,
        "pending_count": 0,
        "pendings": [],
    });
    let stored_status =
        StoredStatus { org: principal.org.to_string(), collection: collection.id.clone(), resource };
    let mut documents = plan.documents;
    documents.push(catalog::document(STATUS_TABLE, &status_id, &stored_status)?);
    documents.push(catalog::document(CLOCK_TABLE, CLOCK_KEY, &plan.stamper.last())?);
    let action = AuditAction::TaxiiAdd {
        collection: collection.id.clone(),
        accepted: plan.successes.len() as u64,
        rejected: plan.failures.len() as u64,
    };
    state.write(documents, vec![record(Some(&principal), action, AuditOutcome::Allowed)]).await?;
    adds.advance(&plan.stamper);
    drop(adds);
    Ok(taxii_json(StatusCode::ACCEPTED, &stored_status.resource))
}

/// 415 unless the body is declared as TAXII 2.1 JSON.
fn check_content_type(headers: &HeaderMap) -> ApiResult<()> {
    let declared =
        headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let mut parts = declared.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    let version_ok = parts.all(|parameter| match parameter.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("version") => {
            value.trim().trim_matches('"') == "2.1"
        }
        _ => true,
    });
    if essence.eq_ignore_ascii_case("application/taxii+json") && version_ok {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!("objects are added as {TAXII_MEDIA_TYPE}")))
    }
}

/// What an add request stores and reports.
struct Plan {
    documents: Vec<Document>,
    successes: Vec<Value>,
    failures: Vec<Value>,
    stamper: Stamper,
}

/// How a marking reference bears on access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkingKind {
    Tlp(Tlp),
    /// A statement (copyright, terms of use): no bearing on who sees the object.
    Statement,
    /// Unknown, or not trustworthy: the object is quarantined.
    Unknown,
}

/// Decides each object checked by `muninn_stix` against what the collection holds.
fn plan_additions(
    state: &AppState,
    principal: &Principal,
    collection: &str,
    report: &ImportReport,
    versions: &[String],
    mut stamper: Stamper,
) -> ApiResult<Plan> {
    let mut heads: HashMap<String, Head> = HashMap::new();
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let mut pending: HashMap<u64, String> = HashMap::new();
    let mut kinds: HashMap<String, MarkingKind> = HashMap::new();
    let mut documents = Vec::new();
    let (mut successes, mut failures) = (Vec::new(), Vec::new());
    // Marking definitions of this envelope first: objects may reference them in any order.
    for object in report.accepted().filter(|object| object.object_type() == "marking-definition") {
        kinds.insert(object.id().to_string(), statement_or_unknown(object.json()));
    }
    for entry in &report.objects {
        let claimed = versions.get(entry.index).cloned().unwrap_or_default();
        let given_id = entry.id.clone().unwrap_or_default();
        let object = match &entry.outcome {
            Outcome::Rejected(reason) => {
                failures.push(json!({"id": given_id, "version": claimed, "message": reason.to_string()}));
                continue;
            }
            outcome => match outcome.object() {
                Some(object) => object,
                // A repeat within the envelope, or a canonical TLP definition (built in).
                None => {
                    successes.push(json!({"id": given_id, "version": claimed}));
                    continue;
                }
            },
        };
        let id = object.id().to_string();
        let version = object.version().map(|at| at.key_form());
        if !heads.contains_key(&id) {
            let head = state.read_store(|store| {
                Ok(catalog::load_one::<Head>(store, HEAD_TABLE, &head_key(collection, &id))?
                    .unwrap_or_default())
            })?;
            heads.insert(id.clone(), head);
        }
        let head = heads.get(&id).cloned().unwrap_or_default();
        let shown = object.version().map(|at| at.to_string()).unwrap_or_else(|| claimed.clone());
        if let Some(existing) = head.versions.iter().find(|known| known.version == version) {
            let stored = match pending.get(&existing.date_added) {
                Some(json) => json.clone(),
                None => stored_json(state, collection, existing.date_added)?,
            };
            if same_content(&stored, object.json()) {
                successes.push(json!({"id": id, "version": shown}));
            } else {
                let message = format!("version conflict: {id} version {shown} exists with other content");
                failures.push(json!({"id": id, "version": shown, "message": message}));
            }
            continue;
        }
        let markings = markings_of(state, principal, collection, object, &mut kinds)?;
        let latest = head.versions.last();
        if let Some(latest) = latest
            && is_widening(&latest.markings, &markings)
            && authorize(principal, Action::Widen, &latest.markings).is_err()
        {
            let message = format!(
                "marking downgrade refused: {id} is held at {} by its originator; only the originator may widen it",
                latest.markings.tlp.label()
            );
            failures.push(json!({"id": id, "version": shown, "message": message}));
            continue;
        }
        let date_added = stamper.next();
        let spec_version = spec_version_of(object);
        let stored = StoredObject {
            id: id.clone(),
            object_type: object.object_type().to_owned(),
            version: version.clone(),
            spec_version: spec_version.clone(),
            date_added,
            markings: markings.clone(),
            added_by: principal.user.to_string(),
            json: RawValue::from_string(object.json().to_owned()).map_err(ApiError::internal)?,
        };
        documents.push(catalog::document(OBJECT_TABLE, &object_key(collection, date_added), &stored)?);
        pending.insert(date_added, object.json().to_owned());
        let mut head = head;
        head.insert(VersionEntry { version, date_added, spec_version, markings });
        heads.insert(id.clone(), head);
        changed.insert(id.clone());
        let shown = object.version().map_or_else(|| taxii_timestamp(date_added), |at| at.to_string());
        successes.push(json!({"id": id, "version": shown}));
    }
    for id in changed {
        if let Some(head) = heads.get(&id) {
            documents.push(catalog::document(HEAD_TABLE, &head_key(collection, &id), head)?);
        }
    }
    Ok(Plan { documents, successes, failures, stamper })
}

fn stored_json(state: &AppState, collection: &str, date_added: u64) -> ApiResult<String> {
    let key = object_key(collection, date_added);
    state.read_store(|store| {
        let bytes = store
            .document(OBJECT_TABLE, &key)?
            .ok_or_else(|| ApiError::internal(format!("object version {key} is listed but missing")))?;
        let stored: StoredObject = catalog::decode(OBJECT_TABLE, &key, &bytes)?;
        Ok(stored.json.get().to_owned())
    })
}

/// Same JSON content, whatever the key order and white space.
fn same_content(left: &str, right: &str) -> bool {
    match (serde_json::from_str::<Value>(left), serde_json::from_str::<Value>(right)) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}

fn spec_version_of(object: &StixObject) -> String {
    serde_json::from_str::<Value>(object.json())
        .ok()
        .and_then(|value| value.get("spec_version").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "2.1".to_owned())
}

/// A marking definition is a plain statement, or untrustworthy (anything dressed up as TLP
/// without a canonical id, or of another kind).
fn statement_or_unknown(json: &str) -> MarkingKind {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return MarkingKind::Unknown;
    };
    let statement = value.get("definition_type").and_then(Value::as_str) == Some("statement");
    let named_tlp = value
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|name| name.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("tlp:")));
    let tlp_extension = value
        .get("extensions")
        .and_then(Value::as_object)
        .is_some_and(|map| map.contains_key(TLP2_EXTENSION_ID));
    if statement && !named_tlp && !tlp_extension { MarkingKind::Statement } else { MarkingKind::Unknown }
}

/// The markings an added object gets (see the module documentation).
fn markings_of(
    state: &AppState,
    principal: &Principal,
    collection: &str,
    object: &StixObject,
    kinds: &mut HashMap<String, MarkingKind>,
) -> ApiResult<Markings> {
    let mut tlp: Option<Tlp> = None;
    let mut quarantined = false;
    for reference in object.marking_refs() {
        let reference = reference.as_str();
        let kind = match canonical_tlp(reference) {
            Some(label) => MarkingKind::Tlp(label),
            None => match kinds.get(reference) {
                Some(kind) => *kind,
                None => {
                    let kind = stored_marking_kind(state, collection, reference)?;
                    kinds.insert(reference.to_owned(), kind);
                    kind
                }
            },
        };
        match kind {
            MarkingKind::Tlp(label) => tlp = tlp.max(Some(label)),
            MarkingKind::Statement => {}
            MarkingKind::Unknown => quarantined = true,
        }
    }
    let tlp = match tlp {
        Some(label) if !quarantined => label,
        Some(label) => label.max(Tlp::AmberStrict),
        None => Tlp::AmberStrict,
    };
    let mut markings = Markings { originator: Some(principal.org.to_string()), ..Markings::tlp(tlp) };
    if tlp == Tlp::Red {
        markings.recipients.insert(principal.user.to_string());
    }
    Ok(markings)
}

/// A marking definition stored in the collection, as a statement or unknown.
fn stored_marking_kind(state: &AppState, collection: &str, id: &str) -> ApiResult<MarkingKind> {
    let head = state
        .read_store(|store| Ok(catalog::load_one::<Head>(store, HEAD_TABLE, &head_key(collection, id))?))?;
    match head.and_then(|head| head.versions.last().cloned()) {
        Some(entry) => Ok(statement_or_unknown(&stored_json(state, collection, entry.date_added)?)),
        None => Ok(MarkingKind::Unknown),
    }
}

/// `GET .../status/{id}/`: the status of an add, for the submitter's organisation only.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    if root != ROOT || !is_uuid(&id) {
        return Err(ApiError::NotFound);
    }
    let stored = state
        .read_store(|store| Ok(catalog::load_one::<StoredStatus>(store, STATUS_TABLE, &id)?))?
        .filter(|stored| stored.org == principal.org.as_str() && role_allows(&principal, Action::TaxiiRead))
        .ok_or(ApiError::NotFound)?;
    let action = AuditAction::TaxiiRead { collection: stored.collection.clone(), objects: 0 };
    state.audit(&principal, action, AuditOutcome::Allowed).await?;
    Ok(taxii_json(StatusCode::OK, &stored.resource))
}

/// `DELETE .../objects/{object_id}/`: deletes the selected versions (all by default), each of
/// which the caller must be allowed to delete (its organisation originated it); all or none.
pub(crate) async fn delete_object(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((root, id, object_id)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let (collection, access) = load_collection(&state, &principal, &root, &id)?;
    let filters = query::parse(&uri, query::DELETE)?;
    let _changes = hold_changes(&state).await?;
    let head = state
        .read_store(|store| {
            if muninn_stix::StixId::parse(&object_id).is_err() {
                return Ok(None);
            }
            Ok(catalog::load_one::<Head>(store, HEAD_TABLE, &head_key(&collection.id, &object_id))?)
        })?
        .ok_or(ApiError::NotFound)?;
    let visible: Vec<&VersionEntry> = head
        .versions
        .iter()
        .filter(|entry| {
            can_see(&principal, &entry.markings) && filters.spec_version_matches(&entry.spec_version)
        })
        .collect();
    if visible.is_empty() {
        return Err(ApiError::NotFound);
    }
    let wanted = filters.versions_or(VersionMatch::All);
    let chosen: Vec<&VersionEntry> = visible
        .iter()
        .copied()
        .filter(|entry| {
            wanted.iter().any(|wanted| match wanted {
                VersionMatch::All => true,
                VersionMatch::First => {
                    visible.first().is_some_and(|first| first.date_added == entry.date_added)
                }
                VersionMatch::Last => visible.last().is_some_and(|last| last.date_added == entry.date_added),
                VersionMatch::At(at) => entry.taxii_version() == *at,
            })
        })
        .collect();
    if !access.write {
        return Err(ApiError::Forbidden("you may not change this collection"));
    }
    for entry in &chosen {
        authorize(&principal, Action::Delete, &entry.markings)?;
    }
    let gone: BTreeSet<u64> = chosen.iter().map(|entry| entry.date_added).collect();
    let mut documents: Vec<Document> = gone
        .iter()
        .map(|date_added| Document::delete(OBJECT_TABLE, &object_key(&collection.id, *date_added)))
        .collect();
    let kept =
        Head { versions: head.versions.iter().filter(|e| !gone.contains(&e.date_added)).cloned().collect() };
    let key = head_key(&collection.id, &object_id);
    documents.push(if kept.versions.is_empty() {
        Document::delete(HEAD_TABLE, &key)
    } else {
        catalog::document(HEAD_TABLE, &key, &kept)?
    });
    let action = AuditAction::TaxiiDelete { collection: collection.id.clone(), object: object_id.clone() };
    state.write(documents, vec![record(Some(&principal), action, AuditOutcome::Allowed)]).await?;
    Ok(StatusCode::OK.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_statements_are_harmless_markings() {
        let statement =
            r#"{"definition_type": "statement", "name": "Copyright", "definition": {"statement": "c"}}"#;
        assert_eq!(statement_or_unknown(statement), MarkingKind::Statement);
        let named =
            r#"{"definition_type": "statement", "name": "TLP:CLEAR", "definition": {"statement": "c"}}"#;
        assert_eq!(statement_or_unknown(named), MarkingKind::Unknown);
        assert_eq!(statement_or_unknown(r#"{"definition_type": "tlp"}"#), MarkingKind::Unknown);
        assert_eq!(statement_or_unknown("{}"), MarkingKind::Unknown);
    }
}
