//! Export by query (`GET /api/v1/export`, the `/export` page): only what the caller may see
//! reaches the file, its counts and its label; partners export nothing; every export is
//! audited with its query.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::fixture::{Fixture, USERS};
use crate::matrix::reference_sees;

/// An export as `user`: status, content type, content disposition, body.
async fn export(fixture: &Fixture, path: &str, user: &str) -> (StatusCode, String, String, String) {
    let request = Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {}", fixture.tokens[user]))
        .body(Body::empty())
        .expect("request");
    let response = fixture.router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let header_text =
        |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (content_type, disposition) =
        (header_text(header::CONTENT_TYPE), header_text(header::CONTENT_DISPOSITION));
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.expect("body");
    (status, content_type, disposition, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// The items the fixture's `user` may see, by id.
fn visible_ids(fixture: &Fixture, user: &str) -> BTreeSet<String> {
    fixture
        .items
        .iter()
        .filter(|(_, item)| reference_sees(user, &item.markings))
        .map(|(_, item)| item.id.to_string())
        .collect()
}

fn expected_tag(fixture: &Fixture, user: &str) -> String {
    let tlp = fixture
        .items
        .iter()
        .filter(|(_, item)| reference_sees(user, &item.markings))
        .map(|(_, item)| item.markings.tlp)
        .max();
    tlp.expect("something visible").label().trim_start_matches("TLP:").to_ascii_lowercase()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_hold_only_what_the_caller_may_see_and_carry_its_most_restrictive_label() {
    let fixture = Fixture::new();
    for (user, _, role, _) in USERS {
        let (status, content_type, disposition, body) =
            export(&fixture, "/api/v1/export?q=shared-term&format=misp", user).await;
        if role == muninn_access::Role::Partner {
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}: partners do not export");
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        assert_eq!(content_type, "application/json");
        assert!(
            disposition.starts_with("attachment; filename=\"muninn-export-")
                && disposition.ends_with(".misp.json\"")
        );
        let event: Value = serde_json::from_str(&body).expect("JSON");
        let event = &event["Event"];
        assert_eq!(event["Tag"][0]["name"], format!("tlp:{}", expected_tag(&fixture, user)), "{user}");
        assert_eq!(event["distribution"], "0");
        let attributes = event["Attribute"].as_array().expect("attributes");
        assert_eq!(attributes.len(), 1, "{user}: one distinct indicator: {attributes:?}");
        assert_eq!(
            (attributes[0]["type"].as_str(), attributes[0]["value"].as_str()),
            (Some("ip-dst"), Some("198.51.100.7"))
        );
        // The item it names is one the user may see.
        let item = attributes[0]["comment"].as_str().expect("comment").trim_start_matches("found in item ");
        assert!(visible_ids(&fixture, user).contains(item), "{user}: {item}");
    }
    // STIX: the same selection as a bundle with the marking definition it needs.
    let (status, content_type, _, body) = export(
        &fixture,
        "/api/v1/export?q=shared-term&format=stix&info=Weekly%20%3Cb%3Ereport%3C%2Fb%3E",
        "c-reader",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(content_type, "application/stix+json;version=2.1");
    let bundle: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(bundle["type"], "bundle");
    let objects = bundle["objects"].as_array().expect("objects");
    let of_type = |kind: &str| objects.iter().filter(|o| o["type"] == kind).collect::<Vec<_>>();
    let amber = muninn_model::Tlp::Amber.stix_marking_id();
    assert_eq!(
        of_type("marking-definition")[0]["id"],
        amber,
        "c-reader sees AMBER items of org-a (a client), no stricter"
    );
    let indicator = of_type("indicator");
    assert_eq!(indicator[0]["pattern"], "[ipv4-addr:value = '198.51.100.7']");
    assert_eq!(indicator[0]["object_marking_refs"][0], amber);
    let report = of_type("report");
    assert_eq!(report[0]["name"], "Weekly <b>report</b>");
    assert!(report[0]["object_refs"].as_array().expect("refs").contains(&indicator[0]["id"]));
    for object in objects {
        muninn_stix::StixObject::from_json(&object.to_string()).expect("every object is valid STIX");
    }
    // Bad requests say what is wrong.
    for (path, why) in [
        ("/api/v1/export?q=shared-term&format=csv", "expected stix or misp"),
        ("/api/v1/export?q=title:(&format=stix", "expected"),
        ("/api/v1/export?format=stix", "q"),
    ] {
        let (status, _, _, body) = export(&fixture, path, "a-analyst").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.contains(why), "{path}: {body}");
    }
    // Audited, with the query.
    let (_, entries) =
        fixture.call(Method::GET, "/api/v1/audit/entries?limit=1000", Some("a-admin"), None).await;
    let exports: Vec<&Value> = entries["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| &entry["record"])
        .filter(|record| record["action"] == "export")
        .collect();
    assert_eq!(exports.len(), 7, "six MISP events and a STIX bundle: {exports:?}");
    assert!(exports.iter().all(|record| record["query"] == "shared-term"), "{exports:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_page_previews_under_the_selection_label_and_links_the_downloads() {
    let fixture = Fixture::new();
    let (status, page) = fixture.page("/export?q=shared-term", "a-analyst").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<strong>TLP:AMBER+STRICT</strong>"),
        "the banner of the most restrictive item: {page}"
    );
    assert!(page.contains("<dd data-field=\"items\">6</dd>"), "{page}");
    assert!(page.contains("href=\"/export/download?q=shared-term&amp;format=stix&amp;info=\""), "{page}");
    assert!(page.contains("198.51.100.7"));
    let (status, page) =
        fixture.page("/export?q=%22%3Cscript%3Ealert(1)%3C%2Fscript%3E%22", "a-analyst").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>alert") && page.contains("Nothing you may export matches"), "{page}");
    assert!(page.contains("value=\"&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;\""), "{page}");
    let (status, page) = fixture.page("/export?q=title:(", "a-analyst").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("notice error"), "{page}");
    let (status, page) = fixture.page("/export?q=shared-term", "b-partner").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    let (status, _, disposition, body) =
        export(&fixture, "/export/download?q=shared-term&format=misp&info=", "a-reader").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(disposition.starts_with("attachment;"));
    assert!(body.contains("\"tlp:red\"") || body.contains("\"tlp:amber+strict\""), "{body}");
}
