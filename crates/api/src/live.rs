//! The live alert stream (`GET /api/v1/alerts/stream`, server-sent events): new alerts as they
//! are raised, each only to a caller who may see both its item and its watchlist.
//!
//! A stream can stay open for hours, far longer than the credential that opened it may hold.
//! So it re-checks that credential ([`crate::auth::credential_holds`]) before every alert it
//! would deliver and on a tick ([`crate::Settings::live_recheck`]) when none comes; the tick's
//! event is a keep-alive comment. Once the credential no longer holds (a session idle or too
//! old, a revoked token, sign-out, a disabled or changed user) the stream sends one
//! `session-ended` event with the reason and ends: the alerts page then stops and offers to
//! sign in again.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::request::Parts;
use axum::response::sse::{Event, Sse};
use futures_util::Stream;
use muninn_access::{Principal, can_see};
use muninn_audit::{AuditAction, Outcome};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::{Caller, Credential, CredentialEnded, credential_holds, credential_of};
use crate::error::ApiResult;
use crate::state::{AppState, LiveAlert};

/// The event that ends a stream whose credential no longer holds.
pub const SESSION_ENDED_EVENT: &str = "session-ended";

/// `GET /api/v1/alerts/stream`.
pub async fn alert_stream(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    parts: Parts,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let credential = credential_of(&state, &parts, &principal)?;
    state.audit(&principal, AuditAction::AlertRead { alert: "stream".to_owned() }, Outcome::Allowed).await?;
    let period = state.settings.live_recheck;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    // After a stall, one re-check is enough: no burst of keep-alives.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let listener =
        Listener { receiver: state.live.subscribe(), state, principal, credential, tick, ended: false };
    Ok(Sse::new(futures_util::stream::unfold(listener, Listener::next_event)))
}

/// One open stream.
struct Listener {
    receiver: tokio::sync::broadcast::Receiver<LiveAlert>,
    state: Arc<AppState>,
    principal: Principal,
    credential: Credential,
    tick: tokio::time::Interval,
    /// Set once the `session-ended` event went out: the stream then ends.
    ended: bool,
}

impl Listener {
    async fn next_event(mut self) -> Option<(Result<Event, Infallible>, Listener)> {
        if self.ended {
            return None;
        }
        loop {
            tokio::select! {
                received = self.receiver.recv() => match received {
                    Ok(live) => {
                        if let Err(why) = self.holds() {
                            return Some(self.end(why));
                        }
                        if can_see(&self.principal, &live.item) && can_see(&self.principal, &live.list) {
                            let data = json!({"key": live.alert.key(), "alert": live.alert}).to_string();
                            let event = Event::default().event("alert").id(live.alert.key()).data(data);
                            return Some((Ok(event), self));
                        }
                    }
                    Err(RecvError::Lagged(missed)) => {
                        if let Err(why) = self.holds() {
                            return Some(self.end(why));
                        }
                        let event = Event::default().event("lagged").data(json!({"missed": missed}).to_string());
                        return Some((Ok(event), self));
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.tick.tick() => {
                    if let Err(why) = self.holds() {
                        return Some(self.end(why));
                    }
                    return Some((Ok(Event::default().comment("keep-alive")), self));
                }
            }
        }
    }

    fn holds(&self) -> Result<(), CredentialEnded> {
        credential_holds(&self.state, &self.credential, &self.principal)
    }

    fn end(mut self, why: CredentialEnded) -> (Result<Event, Infallible>, Listener) {
        tracing::info!(user = %self.principal.user, reason = why.as_str(), "live alert stream ended with its credential");
        self.ended = true;
        let event =
            Event::default().event(SESSION_ENDED_EVENT).data(json!({"reason": why.as_str()}).to_string());
        (Ok(event), self)
    }
}
