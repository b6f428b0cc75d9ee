//! The export page: a preview of what a query would export, and the downloads (the same
//! functions as `GET /api/v1/export`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Form, PageError, PageResult, Viewer, html};
use crate::error::ApiError;
use crate::export::{self, ExportParams};
use crate::state::AppState;

pub(super) async fn export_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let form = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let q = form.get("q").trim();
    let info = form.get("info");
    let answer =
        if q.is_empty() { None } else { Some(export::preview_data(&state, &viewer.principal, q).await) };
    let (status, preview, message) = match answer {
        None => (StatusCode::OK, None, String::new()),
        Some(Ok(preview)) => (StatusCode::OK, Some(preview), String::new()),
        Some(Err(ApiError::BadRequest(message))) => (StatusCode::BAD_REQUEST, None, message),
        Some(Err(error)) => return Err(PageError::of(&viewer)(error)),
    };
    let preview = match (&preview, status) {
        (Some(preview), _) => Some(Ok(preview)),
        (None, StatusCode::BAD_REQUEST) => Some(Err(message.as_str())),
        (None, _) => None,
    };
    let view = muninn_ui::export::ExportView { query: q, info, preview };
    Ok(html(status, muninn_ui::export::export_page(&viewer.chrome(), &view)))
}

pub(super) async fn download(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let form = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let params = ExportParams {
        q: form.get("q").to_owned(),
        format: form.get("format").to_owned(),
        info: Some(form.get("info").to_owned()),
    };
    let exported =
        export::export_data(&state, &viewer.principal, &params).await.map_err(PageError::of(&viewer))?;
    Ok(export::download(exported))
}
