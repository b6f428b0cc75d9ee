//! The bad inputs of the security reference that reach the TAXII server (#1-#7, #10-#16): each
//! gets its status (400/413 for the request, or a per-object failure in a 202 status), and
//! nothing stored before is lost or changed.

use axum::http::StatusCode;
use muninn_model::Tlp;
use serde_json::{Value, json};

use super::support::{Taxii, indicator, indicator_id, uuid};

const V1: &str = "2024-01-01T00:00:00.000Z";
const V2: &str = "2024-02-01T00:00:00.000Z";
const V3: &str = "2024-03-01T00:00:00.000Z";

/// What a bad request must get.
enum Expect {
    /// The whole request refused with this status; the description contains the text.
    Refused(StatusCode, &'static str),
    /// Accepted (202) with exactly these failures (by message part) and successes.
    PerObject { failures: &'static [&'static str], successes: usize },
}

fn envelope(objects: &[Value]) -> Vec<u8> {
    json!({ "objects": objects }).to_string().into_bytes()
}

fn with(mut object: Value, key: &str, value: Value) -> Value {
    object[key] = value;
    object
}

fn granular(selectors: Value, extra: Value) -> Value {
    let mut marking = json!({ "selectors": selectors, "marking_ref": Tlp::Red.stix_marking_id() });
    if let Value::Object(extra) = extra {
        marking.as_object_mut().expect("object").extend(extra);
    }
    with(indicator(40, 50, V1, Some(Tlp::Green)), "granular_markings", json!([marking]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_its_status_and_loses_nothing() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    let original = indicator(40, 1, V1, Some(Tlp::Amber));
    taxii.add(&shared, "a-analyst", std::slice::from_ref(&original)).await;
    let good = |n: u64| indicator(40, n, V1, Some(Tlp::Green));
    let deep_object = {
        let mut nested = json!("bottom");
        for _ in 0..70 {
            nested = json!({ "x_deeper": nested });
        }
        with(good(2), "x_nested", nested)
    };
    let mut giant_field = good(2);
    giant_field["description"] = json!("A".repeat(1_100_000));
    let forged_red = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": Tlp::Red.stix_marking_id(),
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:RED",
        "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
            {"extension_type": "property-extension", "tlp_2_0": "clear"}},
    });
    let too_many: Vec<Value> = (0..10_001).map(|n| indicator(41, n, V1, Some(Tlp::Green))).collect();
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        (
            "#1 truncated",
            br#"{"objects": [{"type": "indicator", "id": "#.to_vec(),
            Expect::Refused(StatusCode::BAD_REQUEST, "line 1 column"),
        ),
        (
            "#1 trailing comma",
            br#"{"objects": [],}"#.to_vec(),
            Expect::Refused(StatusCode::BAD_REQUEST, "line 1"),
        ),
        ("#1 NaN", br#"{"objects": [NaN]}"#.to_vec(), Expect::Refused(StatusCode::BAD_REQUEST, "line 1")),
        ("#1 not an object", b"[]".to_vec(), Expect::Refused(StatusCode::BAD_REQUEST, "envelope")),
        (
            "#2 deep array",
            "[".repeat(1_000_000).into_bytes(),
            Expect::Refused(StatusCode::BAD_REQUEST, "nested deeper"),
        ),
        (
            "#2 deep x_ property",
            envelope(&[deep_object]),
            Expect::Refused(StatusCode::BAD_REQUEST, "nested deeper"),
        ),
        (
            "#3 giant field",
            envelope(&[giant_field, good(2)]),
            Expect::PerObject { failures: &["bytes"], successes: 1 },
        ),
        (
            "#4 object flood",
            envelope(&too_many),
            Expect::Refused(StatusCode::PAYLOAD_TOO_LARGE, "10000 objects"),
        ),
        (
            "#5 invalid UTF-8",
            b"{\"objects\": [{\"name\": \"\xff\xfe\"}]}".to_vec(),
            Expect::Refused(StatusCode::BAD_REQUEST, "UTF-8"),
        ),
        (
            "#6 lone surrogate",
            br#"{"objects": [{"type": "indicator", "name": "\ud800"}]}"#.to_vec(),
            Expect::Refused(StatusCode::BAD_REQUEST, "surrogate"),
        ),
        (
            "#7 duplicate envelope key",
            br#"{"objects": [], "objects": []}"#.to_vec(),
            Expect::Refused(StatusCode::BAD_REQUEST, "duplicate"),
        ),
        (
            "#7 duplicate object key",
            format!(
                r#"{{"objects": [{}]}}"#,
                good(6).to_string().replacen('{', &format!(r#"{{"id": "{}", "#, indicator_id(40, 3)), 1)
            )
            .into_bytes(),
            Expect::PerObject { failures: &["duplicate key"], successes: 0 },
        ),
        (
            "#10 malformed ids and types",
            envelope(&[
                with(good(3), "id", json!("indicator--not-a-uuid")),
                with(good(3), "id", json!(format!("malware--{}", uuid(40, 4)))),
                with(good(3), "spec_version", json!("9.9")),
                with(
                    with(good(3), "type", json!("not-a-stix-type")),
                    "id",
                    json!(format!("not-a-stix-type--{}", uuid(40, 5))),
                ),
                good(3),
            ]),
            Expect::PerObject {
                failures: &["invalid identifier", "does not begin with", "9.9", "unknown object type"],
                successes: 1,
            },
        ),
        (
            "#11 impossible timestamps",
            envelope(&[
                with(good(4), "modified", json!("2016-13-45T25:61:61Z")),
                with(good(4), "modified", json!("2016-12-31T23:59:60Z")),
                with(good(4), "created", json!("0000-01-01T00:00:00Z")),
                with(good(4), "modified", json!("2023-12-01T00:00:00Z")),
                with(good(4), "modified", json!("2024-06-01T00:00:00+01:00")),
            ]),
            Expect::PerObject {
                failures: &[
                    "month out of range",
                    "leap second",
                    "year 0000",
                    "before created",
                    "must end in Z",
                ],
                successes: 0,
            },
        ),
        (
            "#12 version conflict",
            envelope(&[with(original.clone(), "name", json!("same version, other content"))]),
            Expect::PerObject { failures: &["version conflict"], successes: 0 },
        ),
        (
            "#15 forged TLP definition",
            envelope(&[forged_red]),
            Expect::PerObject { failures: &["forged"], successes: 0 },
        ),
        (
            "#14 marking downgrade by another organisation",
            envelope(&[indicator(40, 1, V2, Some(Tlp::Clear))]),
            Expect::PerObject { failures: &["marking downgrade"], successes: 0 },
        ),
        (
            "#16 hostile granular markings",
            envelope(&[
                granular(json!(["description.[99999999]"]), json!({})),
                granular(json!(["no_such_property"]), json!({})),
                granular(json!(["name"]), json!({"lang": "en"})),
                granular(json!(vec!["name"; 100_000]), json!({})),
            ]),
            Expect::PerObject {
                failures: &["selector", "selector", "exactly one", "selectors"],
                successes: 0,
            },
        ),
    ];
    let stored = taxii.stored_versions();
    let mut stored_now = stored;
    for (name, body, expect) in cases {
        let user = if name.starts_with("#14") { "b-analyst" } else { "a-analyst" };
        let reply = taxii.post(&shared, user, body).await;
        match expect {
            Expect::Refused(status, text) => {
                assert_eq!(reply.status, status, "{name}: {}", reply.json);
                assert_eq!(reply.json["http_status"], json!(status.as_str()), "{name}");
                let description = reply.json["description"].as_str().unwrap_or_default();
                assert!(description.contains(text), "{name}: {description}");
                assert!(description.len() < 300, "{name}: the description does not echo the input");
            }
            Expect::PerObject { failures, successes } => {
                assert_eq!(reply.status, StatusCode::ACCEPTED, "{name}: {}", reply.json);
                let got = reply.json["failures"].as_array().cloned().unwrap_or_default();
                assert_eq!(got.len(), failures.len(), "{name}: {}", reply.json);
                for (failure, text) in got.iter().zip(failures) {
                    let message = failure["message"].as_str().unwrap_or_default();
                    assert!(message.contains(text), "{name}: {message:?} should mention {text:?}");
                }
                assert_eq!(reply.json["success_count"], json!(successes), "{name}");
                assert_eq!(reply.json["total_count"], json!(successes + failures.len()), "{name}");
                stored_now += successes as u64;
            }
        }
        assert_eq!(taxii.stored_versions(), stored_now, "{name}: only the accepted objects are stored");
        let kept = taxii.get(&taxii.object(&shared, &indicator_id(40, 1)), "a-reader").await;
        assert_eq!(kept.json["objects"], json!([original]), "{name}: the earlier object is untouched");
    }
    // The originator may widen its own object (TLP 2.0 section 1h); the version is new.
    let widened = taxii.add(&shared, "a-analyst", &[indicator(40, 1, V3, Some(Tlp::Clear))]).await;
    assert_eq!(widened.json["success_count"], json!(1), "{}", widened.json);
    assert_eq!(
        taxii.get(&taxii.object(&shared, &indicator_id(40, 1)), "b-analyst").await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_lookalike_markings_quarantine_an_object_to_its_organisation() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    let lookalike_id = format!("marking-definition--{}", uuid(42, 1));
    let statement_id = format!("marking-definition--{}", uuid(42, 2));
    let lookalike = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": lookalike_id,
        "created": "2024-01-01T00:00:00.000Z", "name": "TLP:CLEAR",
        "definition_type": "statement", "definition": {"statement": "share freely"},
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    });
    let statement = json!({
        "type": "marking-definition", "spec_version": "2.1", "id": statement_id,
        "created": "2024-01-01T00:00:00.000Z", "name": "Copyright Example",
        "definition_type": "statement", "definition": {"statement": "Copyright 2024 Example"},
        "object_marking_refs": [Tlp::Clear.stix_marking_id()],
    });
    let marked = |n: u64, refs: Value| with(indicator(42, n, V1, None), "object_marking_refs", refs);
    let objects = [
        lookalike,
        statement,
        marked(10, json!([lookalike_id])),
        marked(11, json!([format!("marking-definition--{}", uuid(42, 3))])),
        marked(12, json!([statement_id, Tlp::Green.stix_marking_id()])),
        indicator(42, 13, V1, None),
        marked(14, json!([Tlp::Green.stix_marking_id(), lookalike_id])),
    ];
    let reply = taxii.add(&shared, "a-analyst", &objects).await;
    assert_eq!(reply.json["success_count"], json!(7), "{}", reply.json);
    let seen_by_b: Vec<String> = taxii.get(&taxii.objects(&shared), "b-analyst").await.ids();
    // The definitions themselves are CLEAR; only the statement-marked GREEN indicator joins
    // them: a lookalike, an unknown marking or no TLP at all keeps an object in org-a.
    assert_eq!(
        seen_by_b,
        vec![
            objects[0]["id"].as_str().expect("id"),
            objects[1]["id"].as_str().expect("id"),
            &indicator_id(42, 12)
        ]
    );
    assert_eq!(taxii.get(&taxii.objects(&shared), "a-reader").await.ids().len(), 7);
}

/// #21: a TAXII envelope as `Content-Encoding: gzip` is added as if sent plain; a gzip bomb
/// (4 GiB of zeros) stops at the cap with "archive limits exceeded" after a few kilobytes, and
/// nothing is stored.
#[tokio::test]
async fn gzip_envelopes_are_added_and_bombs_stop_at_the_cap() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tower::ServiceExt;

    let taxii = Taxii::new();
    let post = |body: axum::body::Body| {
        let request = axum::http::Request::post(taxii.objects(&taxii.shared))
            .header("authorization", format!("Bearer {}", taxii.tokens["a-analyst"]))
            .header("accept", super::support::TAXII)
            .header("content-type", super::support::TAXII)
            .header("content-encoding", "gzip")
            .body(body)
            .expect("request");
        let router = taxii.router.clone();
        async move {
            let response = router.oneshot(request).await.expect("response");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
            (status, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
        }
    };
    let envelope =
        envelope(&[indicator(21, 1, V1, Some(Tlp::Green)), indicator(21, 2, V1, Some(Tlp::Green))]);
    let (status, answer) = post(crate::bodies::gzip(&envelope).into()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["success_count"], 2, "{answer}");
    let stored = taxii.stored_versions();

    let pulled = Arc::new(AtomicU64::new(0));
    let (status, answer) = post(crate::bodies::bomb(4096, Arc::clone(&pulled))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert!(
        answer["description"].as_str().expect("description").starts_with("archive limits exceeded"),
        "{answer}"
    );
    assert!(
        pulled.load(Ordering::SeqCst) < 16 << 10,
        "read {} bytes of the bomb",
        pulled.load(Ordering::SeqCst)
    );
    assert_eq!(taxii.stored_versions(), stored);
}
