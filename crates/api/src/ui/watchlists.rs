//! The watchlist pages: the lists and the form that creates one, a list's page with its
//! entries, the forms that change it (each posted with the session's CSRF token and the list's
//! version), a file import with its result per record, and the screening test. Every change
//! goes through the same functions as the REST routes (`crate::watchlists`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use base64::Engine;
use muninn_ui::html::Href;
use muninn_ui::watchlist_forms::{EntryForm, NewListForm};
use muninn_ui::watchlists::{IndexView, ListView, Notice, TestRun};
use serde_json::{Value, json};

use super::{Form, PageError, PageResult, Viewer, html, redirect};
use crate::error::ApiError;
use crate::routes::{self, ScreenTestRequest};
use crate::state::AppState;
use crate::watchlists::{
    self as change, EntryRequest, ImportFormat, ImportMode, ImportRequest, ListSettings, NewList,
};

/// A refusal the page explains in place (the form again, with why), or a failure answered as
/// an error page.
fn explained(error: ApiError) -> Result<(StatusCode, String), ApiError> {
    match error {
        ApiError::BadRequest(message) => Ok((StatusCode::BAD_REQUEST, message)),
        ApiError::Conflict(message) => Ok((StatusCode::CONFLICT, message)),
        other => Err(other),
    }
}

fn formats() -> Vec<(&'static str, &'static str)> {
    ImportFormat::ALL.iter().map(|format| (format.name(), format.label())).collect()
}

fn optional_version(form: &Form) -> Option<u64> {
    form.get("version").trim().parse().ok()
}

pub(super) async fn index_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let deleted = Some(query.get("deleted")).filter(|name| !name.is_empty());
    let view =
        IndexView { may_create: change::may_create(&viewer.principal), deleted, ..IndexView::default() };
    render_index(&state, &viewer, StatusCode::OK, &view)
}

fn render_index(state: &AppState, viewer: &Viewer, status: StatusCode, view: &IndexView<'_>) -> PageResult {
    let lists = routes::watchlists_data(state, &viewer.principal).map_err(PageError::of(viewer))?;
    Ok(html(status, muninn_ui::watchlists::watchlists_page(&viewer.chrome(), &lists, view)))
}

pub(super) async fn create(State(state): State<Arc<AppState>>, viewer: Viewer, body: Bytes) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let request = NewList { name: form.get("name").to_owned(), tlp: form.get("tlp").to_owned() };
    match change::create_list_data(&state, &viewer.principal, &request).await {
        Ok(list) => Ok(redirect(Href::path(&["watchlists", &list.name]).query(&[("created", "1")]).as_str())),
        Err(error) => {
            let (status, message) = explained(error).map_err(PageError::of(&viewer))?;
            let view = IndexView {
                may_create: true,
                form: NewListForm { name: &request.name, tlp: &request.tlp, error: Some(&message) },
                deleted: None,
            };
            render_index(&state, &viewer, status, &view)
        }
    }
}

/// Renders the page of the list `name` as `viewer` may see it.
/// The list's page again with the reason a change was refused (a bad request or a conflict);
/// any other error is the server's.
fn refused(state: &AppState, viewer: &Viewer, name: &str, error: ApiError) -> PageResult {
    let (status, message) = explained(error).map_err(PageError::of(viewer))?;
    let view = ListView { notice: Some(Notice::Refused(&message)), ..ListView::default() };
    render_list(state, viewer, name, status, view)
}

fn render_list(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
    status: StatusCode,
    view: ListView<'_>,
) -> PageResult {
    let list = routes::visible_watchlist(state, &viewer.principal, name).map_err(PageError::of(viewer))?;
    let formats = formats();
    let view =
        ListView { may_change: change::may_change(&viewer.principal, &list), formats: &formats, ..view };
    let json = change::list_json(&list);
    Ok(html(status, muninn_ui::watchlists::watchlist_page(&viewer.chrome(), &json, &view)))
}

pub(super) async fn list_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let query = Form::query(query.as_deref()).map_err(PageError::of(&viewer))?;
    let present = |key: &str| Some(query.get(key)).filter(|value| !value.is_empty());
    let notice = if query.get("created") == "1" {
        Some(Notice::Created)
    } else if query.get("settings") == "1" {
        Some(Notice::Settings)
    } else if let Some(id) = present("saved") {
        Some(Notice::Saved(id))
    } else {
        present("removed").map(Notice::Removed)
    };
    let entry = match present("edit") {
        Some(id) => {
            let list = routes::visible_watchlist(&state, &viewer.principal, &name)
                .map_err(PageError::of(&viewer))?;
            let found = list
                .entries
                .iter()
                .find(|entry| entry.id == id)
                .ok_or_else(|| PageError::of(&viewer)(ApiError::NotFound))?;
            Some(EntryForm::editing(&json!(found)))
        }
        None => None,
    };
    let view = ListView { entry, notice, find: query.get("find"), ..ListView::default() };
    render_list(&state, &viewer, &name, StatusCode::OK, view)
}

/// The entry form's fields as the API's request.
fn entry_request(form: &Form) -> EntryRequest {
    let kind = form.get("kind").trim().to_owned();
    let text = form.get("text").to_owned();
    let mut request = EntryRequest {
        id: Some(form.get("id").trim().to_owned()).filter(|id| !id.is_empty()),
        kind: kind.clone(),
        severity: form.get("severity").to_owned(),
        note: form.get("note").to_owned(),
        version: optional_version(form),
        ..EntryRequest::default()
    };
    match kind.as_str() {
        "name" => {
            request.name = text;
            request.aliases = form.get("aliases").lines().map(str::to_owned).collect();
        }
        "indicator" => request.value = text,
        "pattern" => request.regex = text,
        _ => request.query = text,
    }
    request
}

pub(super) async fn save_entry(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let request = entry_request(&form);
    match change::put_entry_data(&state, &viewer.principal, &name, &request).await {
        Ok(saved) => Ok(redirect(Href::path(&["watchlists", &name]).query(&[("saved", &saved.id)]).as_str())),
        Err(error) => {
            let (status, message) = explained(error).map_err(PageError::of(&viewer))?;
            let entry = EntryForm {
                id: form.get("id").to_owned(),
                editing: form.get("editing") == "1",
                kind: form.get("kind").to_owned(),
                text: form.get("text").to_owned(),
                aliases: form.get("aliases").to_owned(),
                severity: form.get("severity").to_owned(),
                note: form.get("note").to_owned(),
                error: Some(message),
            };
            render_list(
                &state,
                &viewer,
                &name,
                status,
                ListView { entry: Some(entry), ..ListView::default() },
            )
        }
    }
}

pub(super) async fn remove_entry(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let id = form.get("id");
    match change::delete_entry_data(&state, &viewer.principal, &name, id, optional_version(&form)).await {
        Ok(_) => Ok(redirect(Href::path(&["watchlists", &name]).query(&[("removed", id)]).as_str())),
        Err(error) => refused(&state, &viewer, &name, error),
    }
}

pub(super) async fn settings(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let request = ListSettings { tlp: form.get("tlp").to_owned(), version: optional_version(&form) };
    match change::set_tlp_data(&state, &viewer.principal, &name, &request).await {
        Ok(_) => Ok(redirect(Href::path(&["watchlists", &name]).query(&[("settings", "1")]).as_str())),
        Err(error) => refused(&state, &viewer, &name, error),
    }
}

pub(super) async fn delete_list(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let answer = if form.get("confirm") == "yes" {
        change::delete_list_data(&state, &viewer.principal, &name, optional_version(&form)).await
    } else {
        Err(ApiError::BadRequest("tick the box to confirm the deletion".to_owned()))
    };
    match answer {
        Ok(()) => Ok(redirect(Href::fixed("/watchlists").query(&[("deleted", &name)]).as_str())),
        Err(error) => refused(&state, &viewer, &name, error),
    }
}

/// A file sent by the form: base64 from the script, or the pasted text.
fn form_file(form: &Form, encoded_key: &str, text_key: &str) -> Result<Option<Bytes>, ApiError> {
    let encoded = form.get(encoded_key).trim();
    if !encoded.is_empty() {
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| {
            ApiError::BadRequest("the uploaded file did not arrive intact (bad base64)".to_owned())
        })?;
        return Ok(Some(Bytes::from(bytes)));
    }
    let text = form.get(text_key);
    Ok((!text_key.is_empty() && !text.trim().is_empty()).then(|| Bytes::copy_from_slice(text.as_bytes())))
}

pub(super) async fn import(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    let answer = import_request(&form);
    let answer = match answer {
        Ok(request) => change::import_data(&state, &viewer.principal, &name, &request).await,
        Err(error) => Err(error),
    };
    let (status, result, message) = match answer {
        Ok(result) => (StatusCode::OK, result, String::new()),
        Err(error) => {
            let (status, message) = explained(error).map_err(PageError::of(&viewer))?;
            (status, Value::Null, message)
        }
    };
    let import = Some(if status == StatusCode::OK { Ok(&result) } else { Err(message.as_str()) });
    render_list(&state, &viewer, &name, status, ListView { import, ..ListView::default() })
}

fn import_request(form: &Form) -> Result<ImportRequest, ApiError> {
    let format = ImportFormat::parse(form.get("format")).ok_or_else(|| {
        ApiError::BadRequest(format!("format {:?} is not one this page imports", form.get("format")))
    })?;
    let mode = ImportMode::parse(form.get("mode")).ok_or_else(|| {
        ApiError::BadRequest("choose whether to keep or replace the list's entries".to_owned())
    })?;
    let file = form_file(form, "file_b64", "content")?
        .ok_or_else(|| ApiError::BadRequest("choose a file, or paste its content".to_owned()))?;
    let alt = form_file(form, "alt_b64", "")?;
    Ok(ImportRequest { format, mode, file, alt, version: optional_version(form) })
}

pub(super) async fn test(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = Form::parse(&body).map_err(PageError::of(&viewer))?;
    viewer.check_form(&state, &form)?;
    routes::visible_watchlist(&state, &viewer.principal, &name).map_err(PageError::of(&viewer))?;
    let request = ScreenTestRequest { title: None, text: form.get("text").to_owned() };
    let answer = routes::watchlist_test_data(&state, &viewer.principal, &name, &request).await;
    let (status, message, result) = match &answer {
        Ok(result) => (StatusCode::OK, String::new(), Some(result)),
        Err(ApiError::BadRequest(message)) => (StatusCode::BAD_REQUEST, message.clone(), None),
        Err(error) => return Err(PageError::of(&viewer)(ApiError::internal(error))),
    };
    let run = TestRun { text: &request.text, result: result.ok_or(message.as_str()) };
    render_list(&state, &viewer, &name, status, ListView { test: Some(run), ..ListView::default() })
}
