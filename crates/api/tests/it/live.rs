//! The live alert stream ends with the credential that opened it: a session that runs out of
//! time is found by the periodic re-check, a signed-out session by the check before the next
//! alert; a stream whose credential still holds keeps delivering.

use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::http::{Method, Request, StatusCode};
use futures_util::StreamExt;
use tower::ServiceExt;

use crate::fixture::Fixture;
use crate::ui::{FORM, form, send, sign_in};

/// Opens the stream with `header` (a cookie or an authorization header).
async fn open(fixture: &Fixture, header: (&str, &str)) -> BodyDataStream {
    let request = Request::builder()
        .uri("/api/v1/alerts/stream")
        .header(header.0, header.1)
        .body(Body::empty())
        .expect("request");
    let response = fixture.router.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().into_data_stream()
}

/// What a stream sent within `wait`, and whether it ended (rather than ran out of time).
async fn read(stream: &mut BodyDataStream, wait: Duration) -> (String, bool) {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Some(Err(error))) => panic!("stream error: {error}"),
            Ok(None) => return (text, true),
            Err(_) => return (text, false),
        }
    }
}

fn count_events(text: &str, name: &str) -> usize {
    text.split("\n\n").filter(|event| event.lines().any(|line| line == format!("event: {name}"))).count()
}

/// An AMBER upload of org-a that both watchlists name: alerts for org-a's streams.
async fn raise_alerts(fixture: &Fixture) {
    let upload = format!("{{\"title\": \"APT28 {}\", \"body\": \"APT28 again.\"}}\n", rand_suffix());
    let (status, answer) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=amber", Some("a-analyst"), Some(&upload))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["alerts"].as_u64().expect("alerts") > 0, "{answer}");
}

/// A different title each time, so no upload is a duplicate of another.
fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_when_its_session_expires_and_others_go_on() {
    let fixture = Fixture::with_settings(muninn_api::Settings {
        session_idle: Duration::from_millis(1500),
        live_recheck: Duration::from_millis(200),
        ..muninn_api::Settings::default()
    });
    let (cookie, _) = sign_in(&fixture).await;
    let mut session_stream = open(&fixture, ("cookie", &cookie)).await;
    let bearer = format!("Bearer {}", fixture.tokens["a-reader"]);
    let mut token_stream = open(&fixture, ("authorization", &bearer)).await;
    // While the session holds: alerts, and keep-alives between them.
    raise_alerts(&fixture).await;
    let (text, ended) = read(&mut session_stream, Duration::from_millis(700)).await;
    assert!(!ended, "{text}");
    assert!(count_events(&text, "alert") > 0, "{text}");
    assert!(text.contains(": keep-alive"), "{text}");
    // Nobody uses the session: the open stream does not keep it alive, and the re-check ends
    // the stream soon after the idle timeout, saying why.
    let (text, ended) = read(&mut session_stream, Duration::from_secs(3)).await;
    assert!(ended, "the stream ended: {text}");
    assert_eq!(count_events(&text, "session-ended"), 1, "{text}");
    assert!(text.contains("data: {\"reason\":\"expired\"}"), "{text}");
    let (status, _, _) = send(&fixture, Method::GET, "/api/v1/me", &[("cookie", &cookie)], "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session itself has ended");
    // An API token's stream went on all the while and still delivers.
    raise_alerts(&fixture).await;
    let (text, ended) = read(&mut token_stream, Duration::from_millis(700)).await;
    assert!(!ended, "{text}");
    assert_eq!(count_events(&text, "session-ended"), 0, "{text}");
    assert!(count_events(&text, "alert") >= 2, "alerts of both uploads: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_ends_at_the_next_alert_after_sign_out() {
    // A re-check tick far beyond the test: what ends the stream is the check before an alert.
    let fixture = Fixture::with_settings(muninn_api::Settings {
        live_recheck: Duration::from_secs(600),
        ..muninn_api::Settings::default()
    });
    let (cookie, csrf) = sign_in(&fixture).await;
    let mut stream = open(&fixture, ("cookie", &cookie)).await;
    raise_alerts(&fixture).await;
    let (text, _) = read(&mut stream, Duration::from_millis(700)).await;
    assert!(count_events(&text, "alert") > 0, "{text}");
    let (status, _, _) =
        send(&fixture, Method::POST, "/logout", &[FORM, ("cookie", &cookie)], &form(&[("csrf", &csrf)]))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    raise_alerts(&fixture).await;
    let (text, ended) = read(&mut stream, Duration::from_secs(2)).await;
    assert!(ended, "the stream ended: {text}");
    assert_eq!(count_events(&text, "alert"), 0, "nothing delivered after sign-out: {text}");
    assert!(text.contains("event: session-ended\ndata: {\"reason\":\"revoked\"}"), "{text}");
}
