//! The sharing page (administrators; anyone else gets the page of a missing one), and its form
//! that creates a TAXII collection through the same function as the command line
//! (`crate::sharing::create_collection_data`, which calls `taxii::create_collection`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use muninn_ui::html::Href;
use muninn_ui::sharing::{CollectionForm, SharingView};

use super::{Form, PageError, PageResult, Viewer, html, redirect};
use crate::error::ApiError;
use crate::state::AppState;
use crate::taxii::NewCollection;

pub(super) async fn sharing_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let created = Some(query.get("created")).filter(|id| !id.is_empty());
    render(&state, &viewer, StatusCode::OK, &SharingView { created, ..SharingView::default() }).await
}

async fn render(state: &AppState, viewer: &Viewer, status: StatusCode, view: &SharingView<'_>) -> PageResult {
    let sharing =
        crate::sharing::sharing_data(state, &viewer.principal).await.map_err(PageError::of(viewer))?;
    Ok(html(status, muninn_ui::sharing::sharing_page(&viewer.chrome(), &sharing, view)))
}

/// `POST /sharing/collections`: creates the collection and goes back to the page, which
/// announces it; a refused form comes back with why.
pub(super) async fn create_collection(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let new = NewCollection {
        title: form.get("title").to_owned(),
        description: form.get("description").to_owned(),
        readers: form.all("reader").map(str::to_owned).collect(),
        writers: form.all("writer").map(str::to_owned).collect(),
    };
    match crate::sharing::create_collection_data(&state, &viewer.principal, new.clone()).await {
        Ok(collection) => {
            Ok(redirect(Href::fixed("/sharing").query(&[("created", &collection.id)]).as_str()))
        }
        Err(ApiError::BadRequest(message)) => {
            let readers: Vec<&str> = new.readers.iter().map(String::as_str).collect();
            let writers: Vec<&str> = new.writers.iter().map(String::as_str).collect();
            let form = CollectionForm {
                title: &new.title,
                description: &new.description,
                readers: &readers,
                writers: &writers,
                error: Some(&message),
            };
            render(&state, &viewer, StatusCode::BAD_REQUEST, &SharingView { created: None, form }).await
        }
        Err(other) => Err(PageError::of(&viewer)(other)),
    }
}
