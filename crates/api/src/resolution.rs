//! Entity resolution over HTTP: the knowledge base's probable duplicates
//! (`muninn_stix::duplicate_suggestions`) and the analyst's same-as assertions, for the REST
//! routes here and the UI's duplicates page (`ui/resolution.rs`), which call the same functions.
//! `muninn entity duplicates` and `muninn entity same-as` are the command-line side of the same
//! documents (table `same_as`).
//!
//! Visibility: a suggestion, an assertion or a member of a merged view is shown only when the
//! caller may see both objects it joins, and the groups behind suggestions and merged views are
//! made only of assertions the caller may see whole, so nothing reveals an object the caller
//! cannot see. Deciding or withdrawing is an update of both objects' knowledge-base entries:
//! [`Action::Update`] on each, which the role table grants analysts and administrators of the
//! organisation that originated them (the deployment's own, for imported knowledge). Every
//! decision and withdrawal is written with its audit entry in one batch.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{delete, get, post};
use muninn_access::{Action, Principal, authorize};
use muninn_audit::{AuditAction, Change, Outcome};
use muninn_model::{Markings, Tlp};
use muninn_stix::{
    NamedObject, SAME_AS_TABLE, SameAs, Verdict, assertion_key, duplicate_suggestions, same_as_groups,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::{JsonBody, Params};
use crate::catalog;
use crate::error::{ApiError, ApiResult};
use crate::knowledge::{Knowledge, knowledge_of};
use crate::routes::RouteSpec;
use crate::state::{AppState, record};

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// The longest note on an assertion, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// The routes of entity resolution.
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    let spec = |method: Method, path: &'static str, summary: &'static str| RouteSpec {
        method,
        path,
        summary,
        authenticated: true,
    };
    vec![
        (
            spec(
                Method::GET,
                "/api/v1/knowledge/duplicates",
                "Probable duplicates in the knowledge base, and the decided pairs",
            ),
            get(duplicates),
        ),
        (
            spec(Method::POST, "/api/v1/knowledge/same-as", "Decide whether two objects are the same thing"),
            post(decide),
        ),
        (
            spec(
                Method::DELETE,
                "/api/v1/knowledge/same-as/{a}/{b}",
                "Withdraw a same-as decision: both objects stand alone again",
            ),
            delete(withdraw),
        ),
    ]
}

/// How many suggestions to answer with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DuplicatesParams {
    #[serde(default = "default_limit")]
    pub(crate) limit: usize,
}

fn default_limit() -> usize {
    50
}

/// A decision about two objects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decision {
    pub(crate) a: String,
    pub(crate) b: String,
    /// `accepted` (the same thing) or `rejected` (not; never suggested again).
    pub(crate) verdict: String,
    #[serde(default)]
    pub(crate) note: String,
}

/// Every stored assertion.
pub(crate) fn load_assertions(state: &AppState) -> ApiResult<Arc<Vec<SameAs>>> {
    state.read_store(|store| state.knowledge.assertions(store))
}

/// The assertions about two objects the caller may both see.
fn visible_assertions(knowledge: &Knowledge, principal: &Principal, assertions: &[SameAs]) -> Vec<SameAs> {
    assertions
        .iter()
        .filter(|assertion| {
            knowledge.visible_markings(principal, &assertion.a).is_some()
                && knowledge.visible_markings(principal, &assertion.b).is_some()
        })
        .cloned()
        .collect()
}

/// An object as the answers show it: id, name, type and the TLP it is shown under.
fn object_json(knowledge: &Knowledge, principal: &Principal, id: &str) -> Value {
    let object = knowledge.named_object(principal, id);
    let tlp = knowledge.visible_markings(principal, id).map(|markings| markings.tlp.label());
    json!({
        "id": id, "name": object.map(|o| o.name.as_str()), "type": object.map(|o| o.object_type.as_str()),
        "tlp": tlp,
    })
}

/// The caller's view of entity resolution: suggestions among the objects it sees (pairs decided
/// either way left out, whoever decided them) and the decided pairs it sees whole.
pub(crate) async fn duplicates_data(
    state: &AppState,
    principal: &Principal,
    limit: usize,
) -> ApiResult<Value> {
    authorize(principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let knowledge = knowledge_of(state).await?;
    let assertions = load_assertions(state)?;
    // A decided pair is never suggested again; only its key is used, so a pair the caller
    // cannot see whole says nothing (its objects are not among those compared).
    let decided: BTreeSet<String> = assertions.iter().map(|a| assertion_key(&a.a, &a.b)).collect();
    let assertions = visible_assertions(&knowledge, principal, &assertions);
    let groups = same_as_groups(&assertions);
    let objects = knowledge.visible_named(principal);
    let suggestions = duplicate_suggestions(&objects, &decided, &groups);
    let shown: Vec<Value> = suggestions
        .iter()
        .take(limit.clamp(1, 1000))
        .map(|s| {
            json!({
                "a": object_json(&knowledge, principal, &s.a), "b": object_json(&knowledge, principal, &s.b),
                "score": s.score, "method": s.method, "shared": s.shared,
                "may_decide": may_decide(&knowledge, principal, &s.a, &s.b),
            })
        })
        .collect();
    let mut decided: Vec<&SameAs> = assertions.iter().collect();
    decided.sort_by(|x, y| y.at.cmp(&x.at).then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b))));
    let decided: Vec<Value> =
        decided.iter().map(|assertion| assertion_json(&knowledge, principal, assertion)).collect();
    Ok(json!({"suggestions": shown, "total": suggestions.len(), "decided": decided}))
}

fn assertion_json(knowledge: &Knowledge, principal: &Principal, assertion: &SameAs) -> Value {
    json!({
        "a": object_json(knowledge, principal, &assertion.a),
        "b": object_json(knowledge, principal, &assertion.b),
        "verdict": assertion.verdict, "score": assertion.score, "method": assertion.method,
        "by": assertion.by, "at": assertion.at, "note": assertion.note,
        "may_decide": may_decide(knowledge, principal, &assertion.a, &assertion.b),
    })
}

/// Whether the caller may decide about (or withdraw the decision about) two objects.
fn may_decide(knowledge: &Knowledge, principal: &Principal, a: &str, b: &str) -> bool {
    [a, b].iter().all(|id| {
        knowledge
            .visible_markings(principal, id)
            .is_some_and(|markings| authorize(principal, Action::Update, markings).is_ok())
    })
}

/// Both objects visible and the caller allowed to update each: the ids in order.
fn authorize_pair<'k>(
    knowledge: &'k Knowledge,
    principal: &Principal,
    first: &str,
    second: &str,
) -> ApiResult<(&'k NamedObject, &'k NamedObject)> {
    // Both must be visible before either is authorised: a pair with an object the caller
    // cannot see is not found, whatever the caller may do to the other.
    let mut pair = Vec::with_capacity(2);
    for id in [first, second] {
        let object = knowledge.named_object(principal, id).ok_or(ApiError::NotFound)?;
        let markings = knowledge.visible_markings(principal, id).ok_or(ApiError::NotFound)?;
        pair.push((object, markings));
    }
    for (_, markings) in &pair {
        authorize(principal, Action::Update, markings)?;
    }
    let pair: Vec<&NamedObject> = pair.into_iter().map(|(object, _)| object).collect();
    if first == second {
        return Err(ApiError::BadRequest(format!("{first} is one object already")));
    }
    let (x, y) = (pair[0], pair[1]);
    Ok(if x.id <= y.id { (x, y) } else { (y, x) })
}

/// Records a decision about two objects (replacing an earlier one about the same pair), audited.
pub(crate) async fn decide_data(
    state: &AppState,
    principal: &Principal,
    decision: &Decision,
) -> ApiResult<Value> {
    let verdict = match decision.verdict.trim() {
        "accepted" | "same" => Verdict::Accepted,
        "rejected" | "not-same" => Verdict::Rejected,
        other => {
            return Err(ApiError::BadRequest(format!(
                "unknown verdict {other:?}: expected \"accepted\" or \"rejected\""
            )));
        }
    };
    if decision.note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::BadRequest(format!("the note is longer than {MAX_NOTE_CHARS} characters")));
    }
    let knowledge = knowledge_of(state).await?;
    let (a, b) = authorize_pair(&knowledge, principal, decision.a.trim(), decision.b.trim())?;
    // The suggestion's score and method, when the pair is one.
    let pair = [a.clone(), b.clone()];
    let suggestion = duplicate_suggestions(&pair, &BTreeSet::new(), &Default::default()).into_iter().next();
    let assertion = SameAs {
        a: a.id.clone(),
        b: b.id.clone(),
        verdict,
        score: suggestion.as_ref().map_or(0.0, |s| s.score),
        method: suggestion.map_or_else(|| "analyst".to_owned(), |s| s.method.to_owned()),
        by: principal.user.to_string(),
        at: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        note: decision.note.trim().to_owned(),
    };
    let key = assertion_key(&assertion.a, &assertion.b);
    let audit = record(
        Some(principal),
        AuditAction::SameAsChanged {
            a: assertion.a.clone(),
            b: assertion.b.clone(),
            verdict: Some(verdict_name(verdict).to_owned()),
            change: Change::Created,
        },
        Outcome::Allowed,
    );
    state.write(vec![catalog::document(SAME_AS_TABLE, &key, &assertion)?], vec![audit]).await?;
    Ok(assertion_json(&knowledge, principal, &assertion))
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accepted => "accepted",
        Verdict::Rejected => "rejected",
    }
}

/// Withdraws the decision about two objects, audited: both stand alone again (or may be
/// suggested again).
pub(crate) async fn withdraw_data(
    state: &AppState,
    principal: &Principal,
    first: &str,
    second: &str,
) -> ApiResult<Value> {
    let knowledge = knowledge_of(state).await?;
    let (a, b) = authorize_pair(&knowledge, principal, first, second)?;
    let key = assertion_key(&a.id, &b.id);
    let stored =
        state.read_store(|store| Ok(muninn_store::ItemStore::document(store, SAME_AS_TABLE, &key)?))?;
    if stored.is_none() {
        return Err(ApiError::NotFound);
    }
    let audit = record(
        Some(principal),
        AuditAction::SameAsChanged {
            a: a.id.clone(),
            b: b.id.clone(),
            verdict: None,
            change: Change::Deleted,
        },
        Outcome::Allowed,
    );
    state.write(vec![muninn_store::Document::delete(SAME_AS_TABLE, &key)], vec![audit]).await?;
    Ok(json!({"withdrawn": {"a": a.id, "b": b.id}}))
}

/// The objects the caller may see that accepted assertions it may see make one with `ids`
/// (an entity's knowledge-base objects), each with who joined it and when.
pub(crate) fn merged_view(
    knowledge: &Knowledge,
    principal: &Principal,
    assertions: &[SameAs],
    ids: &[&str],
) -> Vec<Value> {
    let assertions = visible_assertions(knowledge, principal, assertions);
    muninn_stix::same_as_members(&assertions, ids)
        .into_iter()
        .filter_map(|(member, joined)| {
            let object = knowledge.named_object(principal, member)?;
            let other = if joined.a == member { &joined.b } else { &joined.a };
            let tlp = knowledge.visible_markings(principal, member).map(|markings| markings.tlp.label());
            Some(json!({
                "id": object.id, "name": object.name, "type": object.object_type, "aliases": object.aliases,
                "tlp": tlp,
                "joined_with": other, "by": joined.by, "at": joined.at, "note": joined.note,
            }))
        })
        .collect()
}

async fn duplicates(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Params(params): Params<DuplicatesParams>,
) -> ApiResult<Json<Value>> {
    Ok(Json(duplicates_data(&state, &principal, params.limit).await?))
}

async fn decide(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    JsonBody(decision): JsonBody<Decision>,
) -> ApiResult<Json<Value>> {
    Ok(Json(decide_data(&state, &principal, &decision).await?))
}

async fn withdraw(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((a, b)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    Ok(Json(withdraw_data(&state, &principal, &a, &b).await?))
}
