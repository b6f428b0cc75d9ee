//! Who is calling: an API token (`Authorization: Bearer mnn_...`) or a user and password
//! (`Authorization: Basic`, what TAXII clients send). Every failure goes through the one rate
//! limiter, keyed on the account and the client's address, whatever the method.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use muninn_access::{Principal, RetryAfter};

use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// Milliseconds on the limiter's clock.
pub fn now_ms(state: &AppState) -> u64 {
    u64::try_from(state.started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The client's address as the limiter keys it.
pub fn client_ip_of(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "local".to_owned(), |ConnectInfo(address)| address.ip().to_string())
}

fn retry(RetryAfter { seconds }: RetryAfter) -> ApiError {
    ApiError::TooManyRequests { retry_after: seconds.max(1) }
}

/// Checks `account`'s password from `ip` through the rate limiter.
pub fn password_login(
    state: &AppState,
    account: &str,
    password: &str,
    ip: &str,
) -> Result<Principal, ApiError> {
    let now = now_ms(state);
    {
        let mut limiter = state.limiter.lock().map_err(|_| ApiError::internal("limiter lock poisoned"))?;
        limiter.check(account, ip, now).map_err(retry)?;
    }
    let principal = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        account.parse().ok().and_then(|user| directory.authenticate_password(&user, password))
    };
    let mut limiter = state.limiter.lock().map_err(|_| ApiError::internal("limiter lock poisoned"))?;
    match principal {
        Some(principal) => {
            limiter.record_success(account, ip);
            Ok(principal)
        }
        None => {
            limiter.record_failure(account, ip, now);
            Err(ApiError::Unauthenticated)
        }
    }
}

/// Checks a bearer token through the rate limiter (keyed on the address alone: a token names
/// no account until it is valid).
pub fn token_login(state: &AppState, token: &str, ip: &str) -> Result<Principal, ApiError> {
    let now = now_ms(state);
    let account = "token";
    {
        let mut limiter = state.limiter.lock().map_err(|_| ApiError::internal("limiter lock poisoned"))?;
        limiter.check(account, ip, now).map_err(retry)?;
    }
    let principal = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        directory.authenticate_token(token)
    };
    match principal {
        Some(principal) => Ok(principal),
        None => {
            let mut limiter =
                state.limiter.lock().map_err(|_| ApiError::internal("limiter lock poisoned"))?;
            limiter.record_failure(account, ip, now);
            Err(ApiError::Unauthenticated)
        }
    }
}

/// The caller of a request, from its `Authorization` header.
pub fn authenticate(state: &AppState, parts: &Parts) -> Result<Principal, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or(ApiError::Unauthenticated)?;
    let header = header.to_str().map_err(|_| ApiError::Unauthenticated)?;
    let ip = client_ip_of(parts);
    let (scheme, value) = header.split_once(' ').ok_or(ApiError::Unauthenticated)?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return token_login(state, value.trim(), &ip);
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| ApiError::Unauthenticated)?;
        let decoded = String::from_utf8(decoded).map_err(|_| ApiError::Unauthenticated)?;
        let (user, password) = decoded.split_once(':').ok_or(ApiError::Unauthenticated)?;
        return password_login(state, user.trim().to_ascii_lowercase().as_str(), password, &ip);
    }
    Err(ApiError::Unauthenticated)
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Caller, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let principal = authenticate(state, parts)?;
        let caller = Caller(principal);
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}
