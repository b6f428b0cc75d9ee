//! The resources' shapes (discovery, API root, collections) and the media-type exchange.

use axum::http::{Method, StatusCode};
use muninn_api::state::Settings;
use muninn_model::Tlp;
use serde_json::{Value, json};

use super::support::{TAXII, Taxii, indicator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_api_root_and_collections_have_the_taxii_shapes() {
    let taxii = Taxii::new();
    let discovery = taxii.get("/taxii2/", "a-reader").await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert_eq!(discovery.header("content-type"), Some(TAXII));
    assert_eq!(discovery.json["api_roots"], json!(["/taxii2/api/"]));
    assert_eq!(discovery.json["default"], json!("/taxii2/api/"));
    assert!(discovery.json["title"].is_string());

    let root = taxii.get("/taxii2/api/", "c-reader").await;
    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.json["versions"], json!([TAXII]));
    assert_eq!(root.json["max_content_length"], json!(taxii.state.settings.max_body_bytes));
    let missing_root = taxii.get("/taxii2/other/", "c-reader").await;
    assert_eq!(missing_root.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_root.header("content-type"), Some(TAXII));
    assert_eq!(missing_root.json["http_status"], json!("404"));

    // Per user, (collection, can_read, can_write): listed only where the user may do something.
    let shared = taxii.shared.as_str();
    let a_only = taxii.a_only.as_str();
    let drop_box = taxii.drop_box.as_str();
    type Listed<'a> = Vec<(&'a str, bool, bool)>;
    let expected: [(&str, Listed<'_>); 7] = [
        ("a-admin", vec![(shared, true, true), (a_only, true, true), (drop_box, false, true)]),
        ("a-analyst", vec![(shared, true, true), (a_only, true, true), (drop_box, false, true)]),
        ("a-reader", vec![(shared, true, false), (a_only, true, false)]),
        ("b-analyst", vec![(shared, true, true), (drop_box, true, false)]),
        ("b-partner", vec![(shared, true, true), (drop_box, true, false)]),
        ("b-admin", vec![(shared, true, true), (drop_box, true, false)]),
        ("c-reader", vec![(shared, true, false), (drop_box, true, false)]),
    ];
    for (user, listed) in expected {
        let reply = taxii.get("/taxii2/api/collections/", user).await;
        assert_eq!(reply.status, StatusCode::OK);
        let mut got: Vec<(String, bool, bool)> = reply.json["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .map(|c| {
                assert!(
                    c["title"].is_string()
                        && c["media_types"] == json!(["application/stix+json;version=2.1"])
                );
                (c["id"].as_str().expect("id").to_owned(), c["can_read"] == true, c["can_write"] == true)
            })
            .collect();
        got.sort();
        let mut want: Vec<(String, bool, bool)> =
            listed.iter().map(|(id, read, write)| ((*id).to_owned(), *read, *write)).collect();
        want.sort();
        assert_eq!(got, want, "collections of {user}");
        for (id, read, write) in &listed {
            let one = taxii.get(&taxii.collection(id), user).await;
            assert_eq!(
                (one.status, one.json["can_read"] == *read, one.json["can_write"] == *write),
                (StatusCode::OK, true, true)
            );
        }
    }
    // A collection the user may not use answers exactly like one that does not exist.
    let hidden = taxii.get(&taxii.collection(a_only), "b-analyst").await;
    let missing = taxii.get(&taxii.collection("00000000-0000-4000-8000-000000000000"), "b-analyst").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.error_without_id(), missing.error_without_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_types_are_negotiated_and_errors_carry_the_taxii_type() {
    let taxii = Taxii::with(Settings { max_body_bytes: 8192, ..Settings::default() });
    let path = taxii.objects(&taxii.shared);
    let get_with = |accept: &'static str| {
        let path = path.clone();
        let taxii = &taxii;
        async move { taxii.send(Method::GET, &path, Some("a-reader"), &[("accept", accept)], Vec::new()).await }
    };
    let refused = get_with("text/html").await;
    assert_eq!(refused.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(refused.header("content-type"), Some(TAXII));
    assert_eq!(refused.json["http_status"], json!("406"));
    assert!(refused.json["title"].is_string() && refused.json["error_id"].is_string());
    assert_eq!(get_with("application/taxii+json;version=2.0").await.status, StatusCode::NOT_ACCEPTABLE);
    let plain = get_with("application/json").await;
    assert_eq!((plain.status, plain.header("content-type")), (StatusCode::OK, Some("application/json")));
    let any = get_with("*/*").await;
    assert_eq!((any.status, any.header("content-type")), (StatusCode::OK, Some(TAXII)));

    let anonymous = taxii.send(Method::GET, &path, None, &[("accept", TAXII)], Vec::new()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("content-type"), Some(TAXII));
    assert!(anonymous.header("www-authenticate").is_some_and(|value| value.contains("Basic")));

    let body =
        json!({"objects": [indicator(1, 1, "2024-01-01T00:00:00.000Z", Some(Tlp::Green))]}).to_string();
    for (content_type, status) in [
        ("application/json", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/taxii+json;version=2.0", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/taxii+json; version=2.1", StatusCode::ACCEPTED),
    ] {
        let headers = [("accept", TAXII), ("content-type", content_type)];
        let reply =
            taxii.send(Method::POST, &path, Some("a-analyst"), &headers, body.clone().into_bytes()).await;
        assert_eq!(reply.status, status, "{content_type}: {}", reply.json);
        assert_eq!(reply.header("content-type"), Some(TAXII), "{content_type}");
    }

    // The advertised max_content_length is enforced.
    let root = taxii.get("/taxii2/api/", "a-analyst").await;
    assert_eq!(root.json["max_content_length"], json!(8192));
    let big: Vec<Value> =
        (0..40).map(|n| indicator(2, n, "2024-01-01T00:00:00.000Z", Some(Tlp::Green))).collect();
    let reply =
        taxii.post(&taxii.shared, "a-analyst", json!({ "objects": big }).to_string().into_bytes()).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    assert_eq!(reply.json["http_status"], json!("413"));
    assert_eq!(taxii.stored_versions(), 1, "only the one accepted add is stored");
}
