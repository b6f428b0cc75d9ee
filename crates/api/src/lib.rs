//! Muninn's HTTP interface: the REST API under `/api/v1`, TAXII 2.1 under `/taxii2/`, the
//! OpenAPI document and Prometheus metrics, and the web UI's pages ([`ui`], rendered by
//! `muninn_ui` from the REST routes' data), with access control on every read and an audit
//! entry for every read and change.
//!
//! Only this crate knows axum. Routes are declared once ([`all_routes`]); the router, the
//! OpenAPI document and the access-matrix test are built from that declaration.

pub mod audit_log;
pub mod auth;
pub mod body;
pub mod catalog;
pub mod error;
pub mod export;
pub mod hex;
pub mod incidents;
pub mod ingest;
pub mod knowledge;
pub mod live;
pub mod matching;
pub mod metrics;
pub mod resolution;
pub mod routes;
pub mod sharing;
pub mod state;
pub mod taxii;
pub mod timeline;
pub mod tls;
pub mod ui;
pub mod watchlists;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

pub use error::{ApiError, ApiResult};
pub use routes::RouteSpec;
pub use state::{AppState, Settings};

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// The path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// The path of the Prometheus metrics.
pub const METRICS_PATH: &str = "/metrics";

/// Every route the server answers, with its handler.
pub fn all_routes() -> Vec<(RouteSpec, Handler)> {
    let mut routes = routes::api_routes();
    routes.push((
        RouteSpec {
            method: Method::GET,
            path: OPENAPI_PATH,
            summary: "This OpenAPI document",
            authenticated: false,
        },
        get(openapi),
    ));
    routes.push((
        RouteSpec {
            method: Method::GET,
            path: METRICS_PATH,
            summary: "Prometheus metrics (with an administrator's credentials, store and index gauges too)",
            authenticated: false,
        },
        get(metrics_text),
    ));
    routes.extend(taxii::routes());
    routes.extend(export::routes());
    routes.extend(sharing::routes());
    routes.extend(watchlists::routes());
    routes.extend(webhooks::routes());
    routes.extend(resolution::routes());
    routes.extend(ui::routes());
    routes
}

/// The OpenAPI 3.1 document of every route.
pub fn openapi_document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (spec, _) in all_routes() {
        if ui::PAGE_PATHS.contains(&spec.path) {
            continue;
        }
        let parameters: Vec<Value> = spec
            .path
            .split('/')
            .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let mut operation = json!({
            "summary": spec.summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": "Success"},
                "400": {"description": "Malformed request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "Not found, or not visible to the caller (the same answer)"},
                "429": {"description": "Too many attempts; see Retry-After"},
                "503": {"description": "At capacity; see Retry-After"},
            },
        });
        if spec.authenticated {
            operation["security"] = json!([{"bearer": []}, {"basic": []}]);
            operation["responses"]["401"] = json!({"description": "No valid credentials"});
        } else {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(spec.path.to_owned()).or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Muninn API", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["title", "error_id", "http_status"],
                    "properties": {
                        "title": {"type": "string"}, "description": {"type": "string"},
                        "error_id": {"type": "string"}, "http_status": {"type": "string"},
                    },
                },
            },
        },
    })
}

async fn openapi() -> axum::Json<Value> {
    axum::Json(openapi_document())
}

/// The request counters for anyone; with an administrator's credentials, the data gauges too
/// (see [`metrics::DataGauges`]). Wrong or other credentials get the public part, as nobody does.
async fn metrics_text(State(state): State<Arc<AppState>>, parts: axum::http::request::Parts) -> Response {
    let mut body = state.metrics.render(state.started.elapsed().as_secs_f64());
    let admin = auth::authenticate(&state, &parts)
        .is_ok_and(|principal| principal.role == muninn_access::Role::Admin);
    if admin {
        let reading = Arc::clone(&state);
        match tokio::task::spawn_blocking(move || metrics::DataGauges::read(&reading)).await {
            Ok(Ok(gauges)) => gauges.render_into(&mut body),
            Ok(Err(error)) => return error.into_response(),
            Err(error) => return ApiError::internal(error).into_response(),
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Counts, logs and times every request; refuses work beyond capacity with 503.
async fn observe(
    State((state, slots)): State<(Arc<AppState>, Arc<Semaphore>)>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let https = request.extensions().get::<tls::Https>().is_some();
    let Ok(_slot) = slots.try_acquire_owned() else {
        state.metrics.shed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return ApiError::Busy.into_response();
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if https {
        // Browsers that once reached the server over TLS never fall back to plain HTTP.
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.observe(&format!("{method} {route}"), status, seconds);
    tracing::info!(target: "muninn::http", %method, %route, status, ms = seconds * 1e3, "request");
    response
}

/// The router of every route, with limits and observation.
pub fn router(state: Arc<AppState>) -> Router {
    let slots = Arc::new(Semaphore::new(state.settings.max_in_flight));
    let mut router: Router<Arc<AppState>> = Router::new();
    for (spec, handler) in all_routes() {
        router = router.route(spec.path, handler);
    }
    router
        .fallback(not_found)
        .route_layer(middleware::from_fn_with_state((Arc::clone(&state), slots), observe))
        .layer(DefaultBodyLimit::max(state.settings.max_body_bytes))
        .with_state(state)
}

/// Serves plain HTTP until `shutdown` completes, then finishes the requests in flight. The
/// index follows the log in the background (every second).
pub async fn serve(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let _background = BackgroundTasks::start(&state);
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves HTTPS with `tls` (see [`tls::server_config`]) until `shutdown` completes, as
/// [`serve`] does plain HTTP. Requests carry the [`tls::Https`] mark, so session cookies are
/// `Secure` and responses carry `Strict-Transport-Security`.
pub async fn serve_tls(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let _background = BackgroundTasks::start(&state);
    // axum gives `ConnectInfo<SocketAddr>` (the rate limiter's key) for plain TCP listeners and
    // for tapped ones; the empty tap is what makes the TLS listener's peer address reach it.
    let listener = tls::TlsListener::new(listener, tls)?.tap_io(|_| {});
    let app = router(state).layer(Extension(tls::Https)).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// The server's background work, stopped when this is dropped: the daily signed checkpoint of
/// the audit chain, the index following the log, the alert webhooks.
struct BackgroundTasks {
    checkpoint: tokio::task::JoinHandle<()>,
    sync: tokio::task::JoinHandle<()>,
    alerts: Option<tokio::task::JoinHandle<()>>,
}

impl BackgroundTasks {
    fn start(state: &Arc<AppState>) -> BackgroundTasks {
        webhooks::start(state, state.settings.webhook_policy.clone());
        // The daily signed checkpoint of the audit chain: checked at start and every hour.
        let signing = Arc::clone(state);
        let checkpoint = tokio::spawn(async move {
            loop {
                match audit_log::sign_daily_checkpoint(&signing).await {
                    Ok(Some(checkpoint)) => {
                        tracing::info!(date = %checkpoint.date, entries = checkpoint.seq, "audit checkpoint signed")
                    }
                    Ok(None) => {}
                    Err(error) => tracing::error!(%error, "the daily audit checkpoint could not be signed"),
                }
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        });
        let syncing = Arc::clone(state);
        let sync = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let state = Arc::clone(&syncing);
                if let Ok(Err(error)) = tokio::task::spawn_blocking(move || state.sync_index()).await {
                    tracing::warn!(%error, "index sync failed");
                }
            }
        });
        BackgroundTasks { checkpoint, sync, alerts: live::follow_feed(state) }
    }
}

impl Drop for BackgroundTasks {
    fn drop(&mut self) {
        self.sync.abort();
        if let Some(alerts) = &self.alerts {
            alerts.abort();
        }
        self.checkpoint.abort();
    }
}
