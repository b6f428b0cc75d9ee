//! Unicode tricks in indicator values (security reference, bad input 9): a right-to-left
//! override, zero-width characters, a homoglyph IDN domain, NUL and control characters. Stored
//! byte-exact; matched on IDNA/NFC-normalised keys; shown escaped and flagged in the UI; and
//! never able to forge or hide in a log line.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};

use crate::fixture::Fixture;

/// (a word to find the item by, its body)
const ITEMS: [(&str, &str); 6] = [
    ("caseoverride", "dropper \u{202E}gpj.exe from 203.0.113.5"),
    ("casezerowidth", "phish at pay\u{200B}pal.com and pay\u{200D}pal.com"),
    ("casehomoglyph", "login at p\u{430}ypal.com today"),
    ("casedecomposed", "see cafe\u{301}.fr"),
    ("casecomposed", "see caf\u{E9}.fr"),
    ("casecontrol", "nul\0byte, bell\u{7}, esc\u{1B}[2K, 198.51.100.9\0 and a tag\u{E0041}"),
];

#[tokio::test]
async fn unicode_tricks_are_stored_byte_exact_and_matched_on_normalised_keys() {
    let fixture = Fixture::new();
    let upload: String = ITEMS
        .iter()
        .map(|(word, body)| {
            format!("{}\n", serde_json::json!({"title": format!("item {word}"), "body": body}))
        })
        .collect();
    let (status, answer) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=green", Some("a-analyst"), Some(&upload))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["stored"], ITEMS.len(), "{answer}");
    fixture.state.sync_index().expect("sync");

    for (word, body) in ITEMS {
        let (_, found) =
            fixture.call(Method::GET, &format!("/api/v1/search?q={word}"), Some("b-analyst"), None).await;
        assert_eq!(found["total"], 1, "{word}: {found}");
        let id = found["hits"][0]["id"].as_str().expect("id").to_owned();
        // Byte-exact: the JSON string decodes to exactly the bytes sent.
        let (_, item) =
            fixture.call(Method::GET, &format!("/api/v1/items/{id}"), Some("b-analyst"), None).await;
        assert_eq!(item["body"].as_str().map(str::as_bytes), Some(body.as_bytes()), "{word}");
        // The item page shows every hidden character as a flagged escape, never raw.
        let (status, page) = fixture.page(&format!("/items/{id}"), "b-analyst").await;
        assert_eq!(status, StatusCode::OK);
        for hidden in body.chars().filter(|&c| muninn_ui::html::is_hidden_char(c)) {
            let code = u32::from(hidden);
            assert!(!page.contains(hidden), "{word}: raw U+{code:04X} on the item page");
            assert!(
                page.contains(&format!(
                    "class=\"ctl\" title=\"hidden character U+{code:04X} in the data\">\\u{{{code:X}}}</span>"
                )),
                "{word}: U+{code:04X} flagged"
            );
        }
    }

    // (value looked up, the key it is matched on, items that carry it)
    let lookups = [
        // The homoglyph is its own domain, found from either form, never as the real one.
        ("p\u{430}ypal.com", "xn--pypal-4ve.com", 1),
        ("xn--pypal-4ve.com", "xn--pypal-4ve.com", 1),
        // IDNA ignores the zero-width space: the browser's destination. The joiner makes no
        // domain, and the part after either never stands alone.
        ("paypal.com", "paypal.com", 1),
        ("pay\u{200B}pal.com", "paypal.com", 1),
        ("pal.com", "pal.com", 0),
        // NFD and NFC are one key.
        ("cafe\u{301}.fr", "xn--caf-dma.fr", 2),
        ("caf\u{E9}.fr", "xn--caf-dma.fr", 2),
        // A NUL after an address does not hide it.
        ("198.51.100.9", "198.51.100.9", 1),
        ("203.0.113.5", "203.0.113.5", 1),
    ];
    for (value, key, count) in lookups {
        let path = format!("/api/v1/indicators/{}", percent_encode(value));
        let (status, summary) = fixture.call(Method::GET, &path, Some("b-analyst"), None).await;
        assert_eq!(status, StatusCode::OK, "{value:?}: {summary}");
        assert_eq!(summary["value"], key, "{value:?}");
        assert_eq!(summary["count"], count, "{value:?}: {summary}");
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A log sink for the test's subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A query parameter name that carries a line break, a forged log line and a right-to-left
/// override reaches the log of the refused request only escaped, in the text format and in
/// JSON lines (`MUNINN_LOG_FORMAT=json`): one line, nothing forged, nothing hidden.
#[tokio::test]
async fn outside_text_cannot_forge_or_hide_in_a_log_line() {
    let fixture = Fixture::new();
    let forged = "x\n2026-01-01T00:00:00Z ERROR muninn: forged \u{202E}line\r";
    let escaped = "x\\u{A}2026-01-01T00:00:00Z ERROR muninn: forged \\u{202E}line\\u{D}";
    let path = format!("/api/v1/search?q=apt28&{}=1", percent_encode(forged));
    for json in [false, true] {
        let captured = Captured::default();
        let sink = captured.clone();
        let logs = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO);
        let _guard = if json {
            tracing::subscriber::set_default(logs.json().finish())
        } else {
            tracing::subscriber::set_default(logs.finish())
        };
        let (status, answer) = fixture.call(Method::GET, &path, Some("a-analyst"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        // The client's JSON answer names the parameter (JSON escapes it).
        assert!(answer["description"].as_str().expect("description").contains("forged"), "{answer}");
        let log = String::from_utf8(captured.0.lock().expect("log").clone()).expect("UTF-8 log");
        let refused: Vec<&str> = log.lines().filter(|line| line.contains("request refused")).collect();
        assert_eq!(refused.len(), 1, "json {json}: {log}");
        if json {
            for line in log.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            }
            let event: serde_json::Value = serde_json::from_str(refused[0]).expect("JSON");
            let error = event["fields"]["error"].as_str().expect("error field");
            assert!(error.contains(escaped), "{error}");
            assert!(
                event["fields"]["error_id"].as_str().is_some_and(|id| answer["error_id"] == id),
                "{event}"
            );
        } else {
            assert!(refused[0].contains(escaped), "{log}");
        }
        assert!(!log.lines().any(|line| line.starts_with("2026-01-01")), "a forged line:\n{log}");
        assert!(!log.contains('\u{202E}') && !log.contains('\r'), "{log:?}");
    }
}
