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
//!
//! Alerts reach the stream (and the webhooks, which listen to the same channel) from this
//! server's uploads, or, in a cluster, from [`AlertFeed`]: the alerts that any process wrote
//! (screening workers, ingest runs, other servers), followed by their log position.

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

/// New alerts written anywhere in a cluster: given the log position reached, the alerts'
/// stored bytes written after it and the position after them; given `None`, the current
/// position and nothing (a server starts following from now). An error says why in a sentence.
pub type AlertFeed = Box<dyn Fn(Option<u64>) -> Result<(u64, Vec<Vec<u8>>), String> + Send + Sync>;

/// Most alerts read from the feed at once.
pub const FEED_PAGE: usize = 1000;
/// How often the feed is asked for new alerts.
const FEED_PERIOD: std::time::Duration = std::time::Duration::from_millis(200);
/// Alert keys remembered as sent, so that an alert written twice (a repeated screening) goes
/// out once.
const REMEMBERED: usize = 1 << 16;

/// Follows `state`'s alert feed, if it has one, into the live channel until dropped.
pub(crate) fn follow_feed(state: &Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    state.alert_feed.as_ref()?;
    let state = Arc::clone(state);
    Some(tokio::spawn(async move {
        let mut follower = Follower::default();
        loop {
            let polling = Arc::clone(&state);
            // The poll reads the database: on a blocking thread, the follower going there and back.
            let polled = tokio::task::spawn_blocking(move || {
                let result = follower.poll(&polling);
                (follower, result)
            })
            .await;
            let Ok((back, result)) = polled else { return };
            follower = back;
            match result {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "following the cluster's alerts"),
            }
            tokio::time::sleep(FEED_PERIOD).await;
        }
    }))
}

/// Where the follower stands, and what it sent lately.
#[derive(Default)]
struct Follower {
    position: Option<u64>,
    sent: std::collections::HashSet<String>,
    order: std::collections::VecDeque<String>,
}

impl Follower {
    /// Sends the alerts written since the last poll; true when there may be more at once.
    fn poll(&mut self, state: &AppState) -> Result<bool, String> {
        let Some(feed) = state.alert_feed.as_ref() else { return Ok(false) };
        let (position, documents) = feed(self.position)?;
        self.position = Some(position);
        if documents.is_empty() {
            return Ok(false);
        }
        let more = documents.len() >= FEED_PAGE;
        let lists = state
            .read_store(|store| Ok(crate::catalog::load_watchlists(store)?))
            .map_err(|error| error.to_string())?;
        for bytes in documents {
            let Ok(alert) = serde_json::from_slice::<muninn_screen::Alert>(&bytes) else { continue };
            // A triaged alert (more history than its raising) was new once and went out then.
            if alert.state != muninn_screen::AlertState::New
                || alert.history.len() > 1
                || !self.remember(alert.key())
            {
                continue;
            }
            let Some(list) = lists.iter().find(|list| list.name == alert.list) else { continue };
            let Ok(id) = alert.item.parse::<muninn_model::ItemId>() else { continue };
            let item = state.read_store(|store| Ok(store.item(&id)?)).map_err(|error| error.to_string())?;
            let Some(item) = item else { continue };
            // Nobody listening is not an error.
            let _ = state.live.send(LiveAlert {
                alert,
                item: item.markings,
                list: crate::routes::watchlist_markings(list),
            });
        }
        Ok(more)
    }

    /// False if `key` was sent already.
    fn remember(&mut self, key: String) -> bool {
        if !self.sent.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.sent.remove(&oldest);
        }
        true
    }
}

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
