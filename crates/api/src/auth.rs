//! Who is calling: an API token (`Authorization: Bearer mnn_...`), a user and password
//! (`Authorization: Basic`, what TAXII clients send), or the web UI's session cookie (an API
//! token too, issued at sign-in). Every failure goes through the one rate limiter, keyed on the
//! account and the client's address, whatever the method. A cookie is sent by the browser on
//! its own, so a request with one that may change something must also carry the session's
//! CSRF token (header `X-CSRF-Token`; the pages' forms carry it as a field).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use base64::Engine;
use hmac::Mac;
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
    let (principal, session) = {
        let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
        let principal = directory.authenticate_token(token);
        let hash = muninn_access::token_hash(token);
        let session = directory
            .tokens
            .get(&hash)
            .filter(|record| record.label == WEB_SESSION_LABEL)
            .map(|record| (hash, record.created_at_unix));
        (principal, session)
    };
    match principal {
        Some(principal) => match session {
            // An ended session is not a guess: it is not counted against the address.
            Some((hash, signed_in_at)) if !session_in_time(state, &hash, signed_in_at)? => {
                Err(ApiError::Unauthenticated)
            }
            _ => Ok(principal),
        },
        None => {
            let mut limiter =
                state.limiter.lock().map_err(|_| ApiError::internal("limiter lock poisoned"))?;
            limiter.record_failure(account, ip, now);
            Err(ApiError::Unauthenticated)
        }
    }
}

/// Whether the web UI session with token hash `hash`, signed in at `signed_in_at` (Unix
/// seconds), is still within its lifetime and idle timeout; if so it counts as used now. A
/// session the server has not seen used since it started counts as last used at sign-in.
fn session_in_time(state: &AppState, hash: &str, signed_in_at: i64) -> Result<bool, ApiError> {
    let mut seen = state.session_seen.lock().map_err(|_| ApiError::internal("session lock poisoned"))?;
    if !session_alive(state, &mut seen, hash, signed_in_at) {
        return Ok(false);
    }
    seen.insert(hash.to_owned(), std::time::Instant::now());
    // Ended sessions stay remembered (see `session_alive`) until a use more than a lifetime ago:
    // by then the sign-in time alone refuses them.
    if seen.len() > MAX_REMEMBERED_SESSIONS {
        let lifetime = state.settings.session_lifetime;
        seen.retain(|_, last| last.elapsed() < lifetime);
    }
    Ok(true)
}

/// Sessions remembered before the ones last used more than a lifetime ago are forgotten.
const MAX_REMEMBERED_SESSIONS: usize = 4096;

/// Whether a session is within its lifetime and idle timeout, without counting as a use (one
/// past its lifetime is forgotten; an idle one stays ended).
fn session_alive(
    state: &AppState,
    seen: &mut std::collections::HashMap<String, std::time::Instant>,
    hash: &str,
    signed_in_at: i64,
) -> bool {
    let now_unix = jiff::Timestamp::now().as_second();
    let age = u64::try_from(now_unix.saturating_sub(signed_in_at)).unwrap_or(0);
    let idle = match seen.get(hash) {
        Some(last) => last.elapsed(),
        None => std::time::Duration::from_secs(age),
    };
    if age >= state.settings.session_lifetime.as_secs() {
        // Past its lifetime the sign-in time alone refuses it: nothing to remember.
        seen.remove(hash);
        return false;
    }
    // An idle session stays remembered as last used when it was: forgetting it would fall back
    // to the sign-in time in whole seconds, which can count less idle time than has passed and
    // let an ended session answer again.
    idle < state.settings.session_idle
}

/// The credential a request authenticated with, as a long-lived response (the live alert
/// stream) re-checks it while it runs: a token can be revoked, a session can end, a user can be
/// disabled or change role long after the request was let in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An API token or a web UI session (cookie or bearer), by its hash.
    Token {
        /// The token's hash (the directory's key).
        hash: String,
    },
    /// HTTP Basic: the user and the password hash it was checked against (a changed password
    /// ends what the old one opened).
    Password {
        /// The user.
        user: muninn_access::UserId,
        /// The stored password hash when the request came.
        password_hash: Option<String>,
    },
}

/// Why a credential no longer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialEnded {
    /// A web UI session passed its idle timeout or its lifetime.
    Expired,
    /// The token was revoked (sign-out included), the password changed, or the user was
    /// disabled, removed or changed (role, organisation, groups, clients).
    Revoked,
}

impl CredentialEnded {
    /// The word the live stream sends.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialEnded::Expired => "expired",
            CredentialEnded::Revoked => "revoked",
        }
    }
}

/// The credential of a request that [`authenticate`] let in as `principal`: from the same
/// header or cookie it read. Call it after `authenticate` succeeded.
pub fn credential_of(state: &AppState, parts: &Parts, principal: &Principal) -> Result<Credential, ApiError> {
    let token_credential = |token: &str| Credential::Token { hash: muninn_access::token_hash(token.trim()) };
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        let session = session_cookie(parts).ok_or(ApiError::Unauthenticated)?;
        return Ok(token_credential(&session));
    };
    let header = header.to_str().map_err(|_| ApiError::Unauthenticated)?;
    let (scheme, value) = header.split_once(' ').ok_or(ApiError::Unauthenticated)?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(token_credential(value));
    }
    let directory = state.directory.read().map_err(|_| ApiError::internal("directory lock poisoned"))?;
    let password_hash = directory.users.get(&principal.user).and_then(|user| user.password_hash.clone());
    Ok(Credential::Password { user: principal.user.clone(), password_hash })
}

/// Whether `credential` still authenticates `principal` exactly, without counting as a use of
/// a session (an open stream is not a user at work: the idle timeout still runs).
pub fn credential_holds(
    state: &AppState,
    credential: &Credential,
    principal: &Principal,
) -> Result<(), CredentialEnded> {
    let Ok(directory) = state.directory.read() else { return Err(CredentialEnded::Revoked) };
    match credential {
        Credential::Token { hash } => {
            let record = directory.tokens.get(hash).ok_or(CredentialEnded::Revoked)?;
            if record.revoked || directory.principal(&record.user).as_ref() != Some(principal) {
                return Err(CredentialEnded::Revoked);
            }
            let session_signed_in_at = (record.label == WEB_SESSION_LABEL).then_some(record.created_at_unix);
            // One lock at a time: the session clock is never taken under the directory.
            drop(directory);
            if let Some(signed_in_at) = session_signed_in_at {
                let Ok(mut seen) = state.session_seen.lock() else { return Err(CredentialEnded::Revoked) };
                if !session_alive(state, &mut seen, hash, signed_in_at) {
                    return Err(CredentialEnded::Expired);
                }
            }
            Ok(())
        }
        Credential::Password { user, password_hash } => {
            let current = directory.users.get(user).and_then(|record| record.password_hash.as_ref());
            if current != password_hash.as_ref() || directory.principal(user).as_ref() != Some(principal) {
                return Err(CredentialEnded::Revoked);
            }
            Ok(())
        }
    }
}

/// The web UI's session cookie: an API token.
pub const SESSION_COOKIE: &str = "muninn_session";
/// The label of the tokens the sign-in form issues. Such a token is a session: it ends after
/// [`crate::Settings::session_idle`] unused or [`crate::Settings::session_lifetime`] after
/// sign-in, whether it comes as the cookie or as a bearer token.
pub const WEB_SESSION_LABEL: &str = "web session";
/// The header of the CSRF token on API requests that use the session cookie and may change
/// something.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session token in the request's cookies, if there is one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    cookie(parts, SESSION_COOKIE)
}

/// The value of the cookie `name`, if the request has it.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn csrf_mac(state: &AppState, session: &str) -> hmac::Hmac<sha2::Sha256> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&state.secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(b"muninn-csrf 1\n");
    mac.update(session.as_bytes());
    mac
}

/// The CSRF token of a session: an HMAC of the session token under the server's secret (so
/// it needs no storage and ends with the session).
pub fn csrf_token(state: &AppState, session: &str) -> String {
    crate::hex::encode(&csrf_mac(state, session).finalize().into_bytes())
}

/// Whether `presented` is the CSRF token of `session` (compared in constant time).
pub fn csrf_matches(state: &AppState, session: &str, presented: &str) -> bool {
    let Some(bytes) = crate::hex::decode_32(presented) else { return false };
    csrf_mac(state, session).verify_slice(&bytes).is_ok()
}

/// The caller of a request with the web UI's session cookie, and the session token, without
/// the CSRF check (the pages check their forms' field themselves).
pub fn session_login(state: &AppState, parts: &Parts) -> Result<(Principal, String), ApiError> {
    let session = session_cookie(parts).ok_or(ApiError::Unauthenticated)?;
    let principal = token_login(state, &session, &client_ip_of(parts))?;
    Ok((principal, session))
}

/// The caller of a request, from its `Authorization` header or else the session cookie (with
/// the CSRF header on any method but GET and HEAD).
pub fn authenticate(state: &AppState, parts: &Parts) -> Result<Principal, ApiError> {
    let Some(header) = parts.headers.get(AUTHORIZATION) else {
        let (principal, session) = session_login(state, parts)?;
        let safe = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
        let presented = parts.headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok()).unwrap_or("");
        if !safe && !csrf_matches(state, &session, presented) {
            return Err(ApiError::Forbidden("a request with the session cookie must carry its CSRF token"));
        }
        return Ok(principal);
    };
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
