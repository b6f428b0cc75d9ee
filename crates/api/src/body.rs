//! Request bodies: JSON with a nesting limit checked before parsing, duplicate keys refused by
//! typed deserialisation, and errors in the API's error shape with line and column; uploads
//! and TAXII adds also as `Content-Encoding: gzip`, decoded as they arrive within the route's
//! limit and a ratio (a compression bomb stops at the cap, never in memory).

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_ENCODING;
use futures_util::StreamExt as _;

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

/// Most a gzip request body may expand: decoded bytes beyond this many times the bytes
/// received stop the request, once past [`GZIP_RATIO_GRACE`].
pub const MAX_GZIP_RATIO: u64 = 100;
/// Decoded bytes allowed whatever the ratio: small bodies are not judged by how well they
/// compress (a short repetitive bundle can exceed 100:1 harmlessly).
pub const GZIP_RATIO_GRACE: u64 = 1 << 20;

/// A request body read whole, at most `limit` bytes: as sent, or `Content-Encoding: gzip`
/// decoded as it arrives, when at most `limit` bytes both sent and decoded, and at most
/// [`MAX_GZIP_RATIO`] times what was sent. Beyond a limit: 413, "archive limits exceeded"
/// for a decoded body. Other encodings: 415.
pub async fn read_body(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let encoding = request
        .headers()
        .get(CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap_or("").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => {
            axum::body::to_bytes(request.into_body(), limit).await.map_err(|error| read_error(&error, limit))
        }
        Some("gzip" | "x-gzip") => read_gzip(request, limit).await,
        Some(other) => Err(ApiError::UnsupportedMediaType(format!(
            "content encoding {:?} is not supported: send the body as is or gzip",
            crate::error::LogText(other).to_string()
        ))),
    }
}

fn read_error(error: &axum::Error, limit: usize) -> ApiError {
    // `to_bytes` wraps the limit's error: look for it in the chain.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return ApiError::TooLarge { limit };
        }
        source = cause.source();
    }
    ApiError::BadRequest(format!("cannot read the request body: {error}"))
}

/// Where the decoder writes: refuses bytes beyond `allowed`, so that memory never holds more.
struct Capped {
    out: Vec<u8>,
    allowed: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + bytes.len() > self.allowed {
            return Err(std::io::Error::other(ArchiveLimits));
        }
        self.out.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The marker error of [`Capped`].
#[derive(Debug)]
struct ArchiveLimits;

impl std::fmt::Display for ArchiveLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("archive limits exceeded")
    }
}

impl std::error::Error for ArchiveLimits {}

async fn read_gzip(request: Request, limit: usize) -> Result<Bytes, ApiError> {
    let mut stream = request.into_body().into_data_stream();
    // Every member of a multi-member body (RFC 1952 section 2.2), as gzip(1) does.
    let mut decoder = flate2::write::MultiGzDecoder::new(Capped { out: Vec::new(), allowed: 0 });
    let mut received: u64 = 0;
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let too_large = || ApiError::ArchiveLimits { limit, ratio: MAX_GZIP_RATIO };
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|error| ApiError::BadRequest(format!("cannot read the request body: {error}")))?;
        received += chunk.len() as u64;
        if received > limit_u64 {
            return Err(ApiError::TooLarge { limit });
        }
        // What this much input may decode to; each chunk's output is bounded by it, so one
        // small chunk of a bomb cannot expand past it in memory.
        let allowed = (received.saturating_mul(MAX_GZIP_RATIO)).max(GZIP_RATIO_GRACE).min(limit_u64);
        decoder.get_mut().allowed = usize::try_from(allowed).unwrap_or(limit);
        // A chunk may decode to megabytes: off the async threads.
        decoder = tokio::task::spawn_blocking(move || decoder.write_all(&chunk).map(|()| decoder))
            .await
            .map_err(ApiError::internal)?
            .map_err(|error| gzip_error(&error, too_large))?;
    }
    let decoded = tokio::task::spawn_blocking(move || decoder.finish())
        .await
        .map_err(ApiError::internal)?
        .map_err(|error| gzip_error(&error, too_large))?;
    Ok(Bytes::from(decoded.out))
}

fn gzip_error(error: &std::io::Error, too_large: impl Fn() -> ApiError) -> ApiError {
    if error.get_ref().is_some_and(|inner| inner.is::<ArchiveLimits>()) {
        return too_large();
    }
    ApiError::BadRequest(format!("the gzip body cannot be decoded: {error}"))
}

/// A request body (see [`read_body`]): gzip accepted, within the server's body limit.
#[derive(Debug)]
pub struct RequestBody(pub Bytes);

impl FromRequest<Arc<AppState>> for RequestBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<RequestBody, ApiError> {
        read_body(request, state.settings.max_body_bytes).await.map(RequestBody)
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
