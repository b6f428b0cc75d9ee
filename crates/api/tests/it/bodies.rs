//! Request bodies of the upload route (and, in `taxii::bad_input`, the TAXII add route) as
//! `Content-Encoding: gzip` (security reference, bad input 21): decoded within the route's
//! limit and a 100:1 ratio, streamed, so a gzip bomb stops at the cap with "archive limits
//! exceeded" after a few kilobytes; and an oversized MISP event (bad input 19) refused with 413
//! before it is read whole.

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::fixture::Fixture;

/// `bytes`, gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

/// A gzip bomb, made as it is read: `members` gzip members of 1 MiB of zeros each (about 1 KiB
/// compressed), so `members` MiB decoded; `pulled` counts the compressed bytes the server read.
pub fn bomb(members: usize, pulled: Arc<AtomicU64>) -> Body {
    let member = Bytes::from(gzip(&vec![0u8; 1 << 20]));
    Body::from_stream(futures_util::stream::iter((0..members).map(move |_| {
        pulled.fetch_add(member.len() as u64, Ordering::SeqCst);
        Ok::<_, Infallible>(member.clone())
    })))
}

/// `chunks` chunks of `chunk` bytes, made as they are read; `pulled` counts what was read.
pub fn chunked(prefix: &'static str, chunks: usize, chunk: usize, pulled: Arc<AtomicU64>) -> Body {
    let filler = Bytes::from(vec![b'v'; chunk]);
    let head = std::iter::once(Bytes::from_static(prefix.as_bytes()));
    Body::from_stream(futures_util::stream::iter(head.chain(std::iter::repeat_n(filler, chunks)).map(
        move |bytes| {
            pulled.fetch_add(bytes.len() as u64, Ordering::SeqCst);
            Ok::<_, Infallible>(bytes)
        },
    )))
}

/// POSTs an upload as a-analyst with these headers and body: status and JSON answer.
async fn upload(fixture: &Fixture, headers: &[(&str, &str)], body: Body) -> (StatusCode, Value) {
    let mut request = Request::post("/api/v1/items?format=jsonl&tlp=green")
        .header("authorization", format!("Bearer {}", fixture.tokens["a-analyst"]));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response =
        fixture.router.clone().oneshot(request.body(body).expect("request")).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Some JSON Lines that compress about 10:1.
fn jsonl(lines: usize) -> Vec<u8> {
    (0..lines)
        .map(|n| {
            format!(
                "{{\"title\": \"gzipped {n}\", \"body\": \"seen 198.51.{}.{} again\"}}\n",
                n / 256 % 256,
                n % 256
            )
        })
        .collect::<String>()
        .into_bytes()
}

#[tokio::test]
async fn gzip_uploads_are_decoded_and_bombs_stop_at_the_cap() {
    let fixture = Fixture::new();
    // A gzip upload is stored as if sent plain.
    let (status, answer) =
        upload(&fixture, &[("content-encoding", "gzip")], Body::from(gzip(&jsonl(2)))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["stored"], 2, "{answer}");

    // 4 GiB of zeros in about 4 MiB of gzip: refused after two members, about 2 KiB read.
    let pulled = Arc::new(AtomicU64::new(0));
    let (status, answer) =
        upload(&fixture, &[("content-encoding", "gzip")], bomb(4096, Arc::clone(&pulled))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(
        answer["description"].as_str().expect("description").starts_with("archive limits exceeded"),
        "{answer}"
    );
    assert_eq!(answer["http_status"], "413");
    let read = pulled.load(Ordering::SeqCst);
    assert!(read < 16 << 10, "the server read {read} compressed bytes of a bomb");

    // Neither a broken stream nor an encoding we do not speak is stored.
    let mut truncated = gzip(&jsonl(100));
    truncated.truncate(truncated.len() / 2);
    let cases: [(&str, Vec<u8>, StatusCode, &str); 3] = [
        ("gzip", truncated, StatusCode::BAD_REQUEST, "the gzip body cannot be decoded"),
        ("gzip", b"not gzip at all".to_vec(), StatusCode::BAD_REQUEST, "the gzip body cannot be decoded"),
        (
            "br",
            gzip(&jsonl(2)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content encoding \"br\" is not supported",
        ),
    ];
    for (encoding, body, expected, text) in cases {
        let (status, answer) = upload(&fixture, &[("content-encoding", encoding)], Body::from(body)).await;
        assert_eq!(status, expected, "{encoding}: {answer}");
        assert!(answer["description"].as_str().expect("description").contains(text), "{answer}");
    }
    fixture.state.sync_index().expect("sync");
    let (_, found) =
        fixture.call(axum::http::Method::GET, "/api/v1/search?q=gzipped", Some("a-analyst"), None).await;
    assert_eq!(found["total"], 2, "only the good upload was stored: {found}");
}

/// The decoded size is held to the route's limit too (here 64 KiB), even below the ratio.
#[tokio::test]
async fn a_gzip_body_is_held_to_the_route_limit_after_decoding() {
    let fixture =
        Fixture::with_settings(muninn_api::Settings { max_body_bytes: 64 << 10, ..Default::default() });
    let plain = jsonl(5000);
    let compressed = gzip(&plain);
    assert!(compressed.len() < 64 << 10 && plain.len() > 64 << 10 && plain.len() < 100 * compressed.len());
    let (status, answer) = upload(&fixture, &[("content-encoding", "gzip")], Body::from(compressed)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(answer["description"].as_str().expect("description").contains("at most 65536 bytes"), "{answer}");
}

/// A MISP event with a 100 MB attribute value, sent to the upload route: 413 in the API's
/// error shape once the body passes the server's 16 MiB limit, without reading the rest.
#[tokio::test]
async fn an_oversized_misp_event_is_refused_before_it_is_read_whole() {
    let fixture = Fixture::new();
    let pulled = Arc::new(AtomicU64::new(0));
    let prefix = "{\"Event\": {\"uuid\": \"5b3c2d1e-0f9a-4b8c-8d7e-6f5a4b3c2d1e\", \"info\": \"x\", \"Attribute\": [{\"type\": \"comment\", \"value\": \"";
    let body = chunked(prefix, 100, 1 << 20, Arc::clone(&pulled));
    let (status, answer) = upload(&fixture, &[], body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["description"], "request body larger than 16777216 bytes", "{answer}");
    let read = pulled.load(Ordering::SeqCst);
    assert!(read <= (17 << 20) + prefix.len() as u64, "the server read {read} bytes");
}
