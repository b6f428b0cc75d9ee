//! Errors as the API answers them: one JSON shape (the TAXII 2.1 error message, section 3.6.1)
//! for every route, with an error id that the server log carries next to the real cause.
//! Internals (paths, engine messages) never reach the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The TAXII 2.1 media type, also used for the error body of TAXII routes.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The object does not exist, or the caller may not see it: the two answers are the same.
    #[error("not found")]
    NotFound,
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// Valid credentials, but the role does not allow the action on a visible object.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request is malformed; the text names the problem (and never echoes secrets).
    #[error("{0}")]
    BadRequest(String),
    /// The request body is larger than allowed.
    #[error("request body larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The object exists in another version that conflicts with this one.
    #[error("{0}")]
    Conflict(String),
    /// None of the media types the client accepts can be served (TAXII 2.1 section 3.6: 406).
    #[error("{0}")]
    NotAcceptable(String),
    /// The request body's media type is not one the route takes (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A compressed body decodes to more than the route takes, or expands more than the ratio
    /// allows (413): a compression bomb.
    #[error(
        "archive limits exceeded: the decoded body may be at most {limit} bytes and {ratio} times what was sent"
    )]
    ArchiveLimits {
        /// The decoded size limit.
        limit: usize,
        /// The expansion ratio limit.
        ratio: u64,
    },
    /// More objects in one request than the server takes (413).
    #[error("more than {limit} objects in one request")]
    TooManyObjects {
        /// The limit.
        limit: usize,
    },
    /// Too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The server is at capacity; retry later.
    #[error("server busy")]
    Busy,
    /// A failure of the server itself; the cause goes to the log, not to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// An internal failure, logged with its cause.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::ArchiveLimits { .. } | ApiError::TooManyObjects { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::NotFound => "Not found",
            ApiError::Unauthenticated => "Authentication required",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::BadRequest(_) => "Bad request",
            ApiError::TooLarge { .. } => "Request too large",
            ApiError::Conflict(_) => "Conflict",
            ApiError::NotAcceptable(_) => "Not acceptable",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::ArchiveLimits { .. } | ApiError::TooManyObjects { .. } => "Request too large",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::Busy => "Server busy",
            ApiError::Internal(_) => "Internal error",
        }
    }
}

/// Outside text as a log field: control characters (line breaks among them) and hidden
/// characters (bidirectional overrides, zero-width) written as `\u{..}` escapes, so that a value
/// can neither forge a log line nor hide inside one, whatever the log format.
#[derive(Debug, Clone, Copy)]
pub struct LogText<'a>(pub &'a str);

impl std::fmt::Display for LogText<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write as _;
        for c in self.0.chars() {
            if c.is_control() || muninn_ui::html::is_hidden_char(c) {
                write!(formatter, "\\u{{{:X}}}", u32::from(c))?;
            } else {
                formatter.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// A fresh random error id (16 hex digits).
pub fn error_id() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness the id is still unique enough per process (time-based).
    if getrandom::fill(&mut bytes).is_err() {
        bytes = jiff::Timestamp::now().as_nanosecond().to_le_bytes()[..8].try_into().unwrap_or_default();
    }
    crate::hex::encode(&bytes)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let id = error_id();
        let status = self.status();
        match &self {
            ApiError::Internal(cause) => {
                tracing::error!(error_id = %id, cause = %LogText(cause), "internal error")
            }
            other => {
                let error = other.to_string();
                tracing::info!(error_id = %id, status = status.as_u16(), error = %LogText(&error), "request refused")
            }
        }
        let description = match &self {
            ApiError::Internal(_) => format!("the server failed; quote error id {id} to its operator"),
            other => other.to_string(),
        };
        let body = json!({
            "title": self.title(),
            "description": description,
            "error_id": id,
            "http_status": status.as_u16().to_string(),
        });
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let ApiError::Busy = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"muninn\", Bearer"));
        }
        response
    }
}

impl From<muninn_access::Denied> for ApiError {
    fn from(denied: muninn_access::Denied) -> ApiError {
        match denied {
            muninn_access::Denied::NotFound => ApiError::NotFound,
            muninn_access::Denied::Forbidden => ApiError::Forbidden("your role does not allow this"),
        }
    }
}

impl From<muninn_store::StoreError> for ApiError {
    fn from(error: muninn_store::StoreError) -> ApiError {
        ApiError::internal(error)
    }
}

impl From<muninn_index::IndexError> for ApiError {
    fn from(error: muninn_index::IndexError) -> ApiError {
        ApiError::internal(error)
    }
}

impl From<crate::catalog::CatalogError> for ApiError {
    fn from(error: crate::catalog::CatalogError) -> ApiError {
        ApiError::internal(error)
    }
}

/// Handler results.
pub type ApiResult<T> = Result<T, ApiError>;
