//! The duplicates page and its two forms (the same functions as `GET
//! /api/v1/knowledge/duplicates`, `POST /api/v1/knowledge/same-as` and `DELETE
//! /api/v1/knowledge/same-as/{a}/{b}`, so the same visibility, roles and audit).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use muninn_ui::html::Href;

use super::{Form, PageError, PageResult, Viewer, html, redirect};
use crate::resolution::{Decision, decide_data, duplicates_data, withdraw_data};
use crate::state::AppState;

/// How many suggestions the page lists unless asked for more (`?limit=N`, at most 1,000).
const SHOWN: usize = 25;

pub(super) async fn duplicates_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let notice = match query.get("done") {
        "accepted" => Some("Recorded: the two are the same thing. Their entity pages now show each other."),
        "rejected" => Some("Recorded: the two are not the same thing; the pair will not be suggested again."),
        "withdrawn" => Some("Withdrawn: both objects stand alone again."),
        _ => None,
    };
    let limit = query.get("limit").parse::<usize>().map_or(SHOWN, |limit| limit.clamp(1, 1000));
    let data = duplicates_data(&state, &viewer.principal, limit).await.map_err(PageError::of(&viewer))?;
    Ok(html(StatusCode::OK, muninn_ui::resolution::duplicates_page(&viewer.chrome(), &data, notice)))
}

/// `POST /duplicates/decide`: records the decision and goes back to the page, which says so.
pub(super) async fn decide(State(state): State<Arc<AppState>>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let decision = Decision {
        a: form.get("a").to_owned(),
        b: form.get("b").to_owned(),
        verdict: form.get("verdict").to_owned(),
        note: form.get("note").to_owned(),
    };
    let recorded = decide_data(&state, &viewer.principal, &decision).await.map_err(PageError::of(&viewer))?;
    let done = if recorded["verdict"] == "accepted" { "accepted" } else { "rejected" };
    Ok(redirect(Href::fixed("/duplicates").query(&[("done", done)]).as_str()))
}

/// `POST /duplicates/withdraw`: withdraws the decision about the pair.
pub(super) async fn withdraw(State(state): State<Arc<AppState>>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    withdraw_data(&state, &viewer.principal, form.get("a"), form.get("b"))
        .await
        .map_err(PageError::of(&viewer))?;
    Ok(redirect(Href::fixed("/duplicates").query(&[("done", "withdrawn")]).as_str()))
}
