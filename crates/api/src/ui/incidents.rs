//! The incident pages: the list and one incident (the same functions as `GET
//! /api/v1/incidents` and `GET /api/v1/incidents/{id}`, so the same visibility and audit).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::{Form, PageError, PageResult, Viewer, html};
use crate::error::ApiError;
use crate::incidents::{self, IncidentParams};
use crate::state::AppState;

pub(super) async fn incidents_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let form = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let given = |name: &str| Some(form.get(name).trim().to_owned()).filter(|value| !value.is_empty());
    let params = IncidentParams {
        country: given("country"),
        actor: given("actor"),
        from: given("from"),
        to: given("to"),
        limit: Some(50),
        after: given("after"),
    };
    let filters = muninn_ui::incidents::IncidentFilters {
        country: form.get("country"),
        actor: form.get("actor"),
        from: form.get("from"),
        to: form.get("to"),
    };
    let paged = params.after.is_some();
    match incidents::incidents_data(&state, &viewer.principal, &params).await {
        Ok(results) => {
            let view =
                muninn_ui::incidents::IncidentsView { filters, results: Some(&results), error: None, paged };
            Ok(html(StatusCode::OK, muninn_ui::incidents::incidents_page(&viewer.chrome(), &view)))
        }
        Err(ApiError::BadRequest(message)) => {
            let view =
                muninn_ui::incidents::IncidentsView { filters, results: None, error: Some(&message), paged };
            Ok(html(StatusCode::BAD_REQUEST, muninn_ui::incidents::incidents_page(&viewer.chrome(), &view)))
        }
        Err(error) => Err(PageError::of(&viewer)(error)),
    }
}

pub(super) async fn incident_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let incident =
        incidents::incident_data(&state, &viewer.principal, &id).await.map_err(PageError::of(&viewer))?;
    Ok(html(StatusCode::OK, muninn_ui::incidents::incident_page(&viewer.chrome(), &incident)))
}
