//! `/metrics`: the request counters for anyone; the store, index, alert and audit gauges for
//! administrators only (they count every organisation's material), in the Prometheus text
//! format, following what is stored and indexed.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use tower::ServiceExt;

use crate::fixture::{Fixture, item_markings};

/// GETs `/metrics` as `user` (anonymous when `None`): the samples by `name{labels}`, after
/// checking the text format (every sample's metric declared by a `# TYPE` line before it,
/// every value a number).
async fn scrape(fixture: &Fixture, user: Option<&str>) -> BTreeMap<String, f64> {
    let mut request = Request::get("/metrics");
    if let Some(user) = user {
        request = request.header("authorization", format!("Bearer {}", fixture.tokens[user]));
    }
    let response = fixture
        .router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
    let text =
        String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body").to_vec())
            .expect("UTF-8");
    let mut declared = Vec::new();
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(matches!(kind, "gauge" | "counter" | "histogram"), "{line}");
            declared.push(name.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample");
        let name = series.split('{').next().expect("name");
        let family =
            ["_bucket", "_sum", "_count"].iter().fold(name, |n, suffix| n.strip_suffix(suffix).unwrap_or(n));
        assert!(declared.iter().any(|d| d == name || d == family), "{name} has no TYPE line before it");
        samples.insert(series.to_owned(), value.parse::<f64>().unwrap_or_else(|_| panic!("{line}")));
    }
    samples
}

#[tokio::test]
async fn data_gauges_are_for_administrators_and_follow_the_store_and_index() {
    let fixture = Fixture::new();
    fixture.state.sync_index().expect("sync");
    for user in [None, Some("a-analyst"), Some("b-partner")] {
        let samples = scrape(&fixture, user).await;
        assert!(samples.contains_key("muninn_uptime_seconds"), "{user:?}");
        assert!(
            !samples.keys().any(|k| k.starts_with("muninn_store_") || k.starts_with("muninn_alerts")),
            "{user:?}"
        );
    }
    let items = item_markings().len() as f64;
    let alerts = fixture.store_document_count(muninn_api::catalog::ALERT_TABLE) as f64;
    let samples = scrape(&fixture, Some("a-admin")).await;
    assert_eq!(samples["muninn_store_items"], items);
    assert_eq!(samples["muninn_index_documents"], items);
    assert_eq!(samples["muninn_index_lag_seq"], 0.0);
    assert_eq!(samples["muninn_alerts"], alerts);
    assert!(alerts > 0.0);
    assert!(samples["muninn_store_log_bytes"] > 0.0 && samples["muninn_store_log_segments"] >= 1.0);
    let by_tlp: f64 =
        samples.iter().filter(|(k, _)| k.starts_with("muninn_store_items_by_tlp{")).map(|(_, v)| v).sum();
    assert_eq!(by_tlp, items);
    assert_eq!(samples["muninn_store_items_by_tlp{tlp=\"amber+strict\"}"], 2.0);
    // Every entry of the audit trail (the chain's head knows how many).
    let head =
        muninn_api::state::stored_head(fixture.state.store.read().expect("store").as_ref()).expect("head");
    assert_eq!(samples["muninn_audit_entries"], head.next_seq as f64);

    // Two items uploaded: the store has them at once, the index once it follows the log.
    let upload =
        "{\"title\": \"metrics one\", \"body\": \"x\"}\n{\"title\": \"metrics two\", \"body\": \"y\"}\n";
    let (status, answer) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=green", Some("a-analyst"), Some(upload))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let before_sync = scrape(&fixture, Some("a-admin")).await;
    assert_eq!(before_sync["muninn_store_items"], items + 2.0);
    assert_eq!(before_sync["muninn_index_documents"], items);
    assert!(before_sync["muninn_index_lag_seq"] > 0.0);
    assert!(before_sync["muninn_audit_entries"] > samples["muninn_audit_entries"]);
    fixture.state.sync_index().expect("sync");
    let after_sync = scrape(&fixture, Some("a-admin")).await;
    assert_eq!(after_sync["muninn_index_documents"], items + 2.0);
    assert_eq!(after_sync["muninn_index_lag_seq"], 0.0);
    let green = "muninn_store_items_by_tlp{tlp=\"green\"}";
    assert_eq!(after_sync[green], samples[green] + 2.0);
}
