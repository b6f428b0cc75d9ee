//! Alert webhooks: a user registers an https URL; every new alert that user may see is POSTed
//! to it as JSON, signed with HMAC-SHA256 under the webhook's secret
//! (`X-Muninn-Signature: sha256=HEX` over the exact body), with a delivery id and the time in
//! the signed body so a receiver can refuse replays. Deliveries go through the one egress
//! client (its policy: https only unless the server allows http, private addresses only on the
//! allow-list), from a background thread, retried three times with backoff; a slow receiver
//! never holds up ingest.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use muninn_access::can_see;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::catalog;
use crate::state::{AppState, LiveAlert};

/// Webhooks, keyed by id.
pub const WEBHOOK_TABLE: &str = "webhook";

/// A registered webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webhook {
    /// Its id.
    pub id: String,
    /// The user whose view decides which alerts it receives.
    pub owner: String,
    /// Where alerts are POSTed.
    pub url: String,
    /// The HMAC key (hex). Shown once when created; never audited.
    pub secret: String,
}

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be reached.
        <Hmac<Sha256> as Mac>::new_from_slice(b"").expect("an empty HMAC key is valid")
    });
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("sha256={}", crate::hex::encode(&digest))
}

/// Starts the delivery thread: it follows the live alert stream and POSTs each alert to every
/// webhook whose owner may see it.
pub fn start(state: &Arc<AppState>, policy: muninn_egress::EgressPolicy) {
    let client = match muninn_egress::EgressClient::new(policy) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks disabled: the egress policy is invalid");
            return;
        }
    };
    let (sender, deliveries) = mpsc::channel::<LiveAlert>();
    // The async side only forwards; all HTTP work happens on a plain thread.
    // Alone on its store, the server listens from now on.
    let listening = (!state.is_shared()).then(|| state.live.subscribe());
    let forwarding = Arc::clone(state);
    tokio::spawn(async move {
        // In a cluster every server sees every alert: the one holding this lock delivers
        // (another waits for it and takes over when that server ends).
        let _delivering = match forwarding.shared_lock(crate::state::SharedLock::Webhooks).await {
            Ok(guard) => guard,
            Err(error) => {
                tracing::error!(%error, "webhooks disabled: the cluster's webhook lock");
                return;
            }
        };
        let mut receiver = listening.unwrap_or_else(|| forwarding.live.subscribe());
        drop(forwarding);
        loop {
            match receiver.recv().await {
                Ok(alert) => {
                    if sender.send(alert).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "webhooks fell behind the alerts; these were not delivered");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    let state = Arc::clone(state);
    let spawned = std::thread::Builder::new().name("muninn-webhooks".to_owned()).spawn(move || {
        while let Ok(live) = deliveries.recv() {
            deliver(&state, &client, &live);
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "webhooks disabled: no delivery thread");
    }
}

fn deliver(state: &AppState, client: &muninn_egress::EgressClient, live: &LiveAlert) {
    let hooks: Vec<Webhook> = match state.read_store(|store| Ok(catalog::load_all(store, WEBHOOK_TABLE)?)) {
        Ok(hooks) => hooks,
        Err(error) => {
            tracing::error!(%error, "webhooks: cannot read the registrations");
            return;
        }
    };
    for hook in hooks {
        let principal = state
            .directory
            .read()
            .ok()
            .and_then(|directory| hook.owner.parse().ok().and_then(|user| directory.principal(&user)));
        let Some(principal) = principal else { continue };
        if !(can_see(&principal, &live.item) && can_see(&principal, &live.list)) {
            continue;
        }
        let delivery = crate::error::error_id();
        let body = serde_json::json!({
            "delivery": delivery,
            "sent_at": jiff::Timestamp::now().to_string(),
            "key": live.alert.key(),
            "alert": live.alert,
        })
        .to_string();
        let signed = signature(&hook.secret, body.as_bytes());
        let headers = [
            ("Content-Type", "application/json"),
            ("X-Muninn-Signature", signed.as_str()),
            ("X-Muninn-Delivery", delivery.as_str()),
        ];
        for attempt in 0..3u32 {
            match client.post(&hook.url, &headers, body.as_bytes()) {
                Ok(response) if (200..300).contains(&response.status) => break,
                Ok(response) => {
                    tracing::warn!(webhook = %hook.id, status = response.status, attempt, "webhook refused a delivery")
                }
                Err(error) => tracing::warn!(webhook = %hook.id, %error, attempt, "webhook delivery failed"),
            }
            std::thread::sleep(Duration::from_millis(200 * 4u64.pow(attempt)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{delete, get};
use muninn_access::{Action, authorize};
use muninn_audit::{AuditAction, Change, Outcome};
use muninn_model::{Markings, Tlp};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::routes::RouteSpec;
use crate::state::record;

/// The webhook routes.
pub fn routes() -> Vec<(RouteSpec, crate::Handler)> {
    let spec = |method, path, summary| RouteSpec { method, path, summary, authenticated: true };
    vec![
        (spec(Method::GET, "/api/v1/webhooks", "The caller's alert webhooks"), get(list)),
        (
            spec(
                Method::POST,
                "/api/v1/webhooks",
                "Register an alert webhook (HMAC-signed POSTs of new alerts)",
            ),
            axum::routing::post(create),
        ),
        (
            spec(Method::DELETE, "/api/v1/webhooks/{id}", "Remove one of the caller's webhooks"),
            delete(remove),
        ),
    ]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWebhook {
    url: String,
}

fn own(state: &AppState, user: &str) -> ApiResult<Vec<Webhook>> {
    let all: Vec<Webhook> = state.read_store(|store| Ok(catalog::load_all(store, WEBHOOK_TABLE)?))?;
    Ok(all.into_iter().filter(|hook| hook.owner == user).collect())
}

async fn list(State(state): State<Arc<AppState>>, Caller(principal): Caller) -> ApiResult<Json<Value>> {
    authorize(&principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    let hooks = own(&state, principal.user.as_str())?;
    Ok(Json(json!({"webhooks": hooks.iter().map(|h| json!({"id": h.id, "url": h.url})).collect::<Vec<_>>()})))
}

async fn create(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    JsonBody(request): JsonBody<NewWebhook>,
) -> ApiResult<Json<Value>> {
    authorize(&principal, Action::Read, &Markings::tlp(Tlp::Clear))?;
    // Refused now, with the reason, rather than failing at every delivery.
    muninn_egress::vet_url(&request.url, &state.settings.webhook_policy)
        .map_err(|error| ApiError::BadRequest(format!("webhook url: {error}")))?;
    if own(&state, principal.user.as_str())?.len() >= 20 {
        return Err(ApiError::BadRequest("at most 20 webhooks per user".to_owned()));
    }
    let hook = Webhook {
        id: crate::error::error_id(),
        owner: principal.user.to_string(),
        url: request.url,
        secret: crate::hex::random_32()?,
    };
    let audit = record(
        Some(&principal),
        AuditAction::WebhookChanged { webhook: hook.id.clone(), change: Change::Created },
        Outcome::Allowed,
    );
    state.write(vec![catalog::document(WEBHOOK_TABLE, &hook.id, &hook)?], vec![audit]).await?;
    Ok(Json(json!({"id": hook.id, "url": hook.url, "secret": hook.secret,
        "signature": "X-Muninn-Signature: sha256=HMAC-SHA256(secret, body)"})))
}

async fn remove(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    // Another user's webhook is not found, like a missing one.
    let hook =
        own(&state, principal.user.as_str())?.into_iter().find(|h| h.id == id).ok_or(ApiError::NotFound)?;
    let audit = record(
        Some(&principal),
        AuditAction::WebhookChanged { webhook: hook.id.clone(), change: Change::Deleted },
        Outcome::Allowed,
    );
    state.write(vec![muninn_store::Document::delete(WEBHOOK_TABLE, &hook.id)], vec![audit]).await?;
    Ok(Json(json!({"removed": hook.id})))
}
