//! The sharing page (administrators; anyone else gets the page of a missing one).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use super::{PageError, PageResult, Viewer, html};
use crate::state::AppState;

pub(super) async fn sharing_page(State(state): State<Arc<AppState>>, viewer: Viewer) -> PageResult {
    let sharing =
        crate::sharing::sharing_data(&state, &viewer.principal).await.map_err(PageError::of(&viewer))?;
    Ok(html(StatusCode::OK, muninn_ui::sharing::sharing_page(&viewer.chrome(), &sharing)))
}
