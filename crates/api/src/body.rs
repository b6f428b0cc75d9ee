//! Request bodies: JSON with a nesting limit checked before parsing, duplicate keys refused by
//! typed deserialisation, and errors in the API's error shape with line and column.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::state::AppState;

use crate::error::ApiError;

/// Deepest nesting of arrays and objects accepted in a request body.
pub const MAX_JSON_DEPTH: usize = 64;

/// The nesting depth of a JSON text, counted without parsing it (brackets outside strings), or
/// the byte offset where it first exceeds `limit`.
pub fn check_depth(bytes: &[u8], limit: usize) -> Result<(), usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, &byte) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(offset);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Parses a JSON body into `T`, with the nesting limit and an error that says where.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    check_depth(bytes, MAX_JSON_DEPTH).map_err(|offset| {
        ApiError::BadRequest(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels (at byte {offset})"))
    })?;
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::BadRequest(format!(
            "invalid JSON body at line {} column {}: {}",
            error.line(),
            error.column(),
            describe(&error)
        ))
    })
}

/// The error's message without serde_json's position suffix (given separately).
fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<JsonBody<T>, ApiError> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge { limit: state.settings.max_body_bytes }
            } else {
                ApiError::BadRequest(format!("cannot read the request body: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert_eq!(check_depth(br#"{"a": [1, {"b": "[[[["}]}"#, 3), Ok(()));
        assert_eq!(check_depth(br#"{"a": [1, {"b": "[[[["}]}"#, 2), Err(10));
        assert_eq!(check_depth(br#"[[["#, 2), Err(2));
        assert_eq!(check_depth(br#"{"a": "\"[[[["}"#, 1), Ok(()));
        let deep = "[".repeat(1_000_000);
        assert_eq!(check_depth(deep.as_bytes(), MAX_JSON_DEPTH), Err(MAX_JSON_DEPTH));
    }
}

/// Query parameters of type `T`, refused in the API's error shape when they do not parse
/// (unknown parameters too: a misspelt filter must not be silently ignored).
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Params<T>, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| Params(value))
            .map_err(|rejection| ApiError::BadRequest(format!("query parameters: {}", rejection.body_text())))
    }
}
