//! Login, tokens, users, audit, errors and limits.

use axum::http::{Method, StatusCode};

use crate::fixture::{Fixture, PASSWORD_USER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_gives_a_token_and_wrong_passwords_are_limited() {
    let fixture = Fixture::new();
    let (user, password) = PASSWORD_USER;
    let body = serde_json::json!({"user": user, "password": password}).to_string();
    let (status, answer) = fixture.call(Method::POST, "/api/v1/login", None, Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let token = answer["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("mnn_"));
    // The token works, and it is stored only as a hash.
    let stored = fixture.documents(muninn_api::catalog::TOKEN_TABLE);
    assert!(stored.iter().all(|(_, value)| !String::from_utf8_lossy(value).contains(&token)));
    // Wrong passwords: 401, then 429 with Retry-After, for every method of logging in.
    let wrong = serde_json::json!({"user": user, "password": "wrong"}).to_string();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(fixture.call(Method::POST, "/api/v1/login", None, Some(&wrong)).await.0);
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(*statuses.last().expect("last"), StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Now even the right password is refused from this address until the window passes.
    let (status, _) = fixture.call(Method::POST, "/api/v1/login", None, Some(&body)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // No audit entry holds a password.
    let entries = fixture.documents(muninn_api::state::AUDIT_TABLE);
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|(_, value)| !String::from_utf8_lossy(value).contains(password)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_and_revocation_take_effect_at_once() {
    let fixture = Fixture::new();
    let (status, _) = fixture.call(Method::GET, "/api/v1/me", Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = fixture.call(Method::POST, "/api/v1/logout", Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = fixture.call(Method::GET, "/api/v1/me", Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked token is refused at once");
    // Another organisation's user cannot revoke a token it does not own: 404 as if missing.
    let (_, issued) = fixture.call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some("{}")).await;
    let id = issued["token_id"].as_str().expect("id").to_owned();
    let (status, _) =
        fixture.call(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some("b-admin"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        fixture.call(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some("a-admin"), None).await;
    assert_eq!(status, StatusCode::OK, "an administrator of the same organisation may revoke it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_create_users_and_never_above_themselves() {
    let fixture = Fixture::new();
    let new_user = |id: &str, role: &str| {
        serde_json::json!({"id": id, "role": role, "password": "a long enough password"}).to_string()
    };
    let (status, _) =
        fixture.call(Method::POST, "/api/v1/users", Some("a-analyst"), Some(&new_user("x1", "reader"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) =
        fixture.call(Method::POST, "/api/v1/users", Some("a-admin"), Some(&new_user("x2", "reader"))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["org"], "org-a", "a user is created in the administrator's own organisation");
    let (status, _) =
        fixture.call(Method::POST, "/api/v1/users", Some("a-admin"), Some(&new_user("x2", "reader"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = fixture
        .call(Method::POST, "/api/v1/users", Some("a-admin"), Some(&new_user("Bad Id", "reader")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_is_audited_and_the_chain_verifies() {
    let fixture = Fixture::new();
    let before = fixture.store_document_count(muninn_api::state::AUDIT_TABLE);
    let (status, _) =
        fixture.call(Method::GET, "/api/v1/search?q=shared-term&facets=true", Some("b-analyst"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (item_label, item) = &fixture.items[0];
    let (status, _) =
        fixture.call(Method::GET, &format!("/api/v1/items/{}", item.id), Some("b-analyst"), None).await;
    assert_eq!(status, StatusCode::OK, "{item_label}");
    assert_eq!(fixture.store_document_count(muninn_api::state::AUDIT_TABLE), before + 2);
    let (status, answer) = fixture.call(Method::GET, "/api/v1/audit/verify", Some("a-admin"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["valid"], true, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error_in_one_shape() {
    let fixture = Fixture::new();
    // Malformed JSON: 400 with line and column; the error has an id and no internals.
    let (status, answer) =
        fixture.call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some("{\"label\": ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["description"].as_str().expect("description").contains("line 1"), "{answer}");
    assert_eq!(answer["error_id"].as_str().expect("id").len(), 16);
    assert_eq!(answer["http_status"], "400");
    // Deep nesting is refused before parsing.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, answer) = fixture.call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some(&deep)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["description"].as_str().expect("description").contains("nested deeper"), "{answer}");
    // Duplicate keys and unknown fields are refused, never resolved silently.
    let (status, _) = fixture
        .call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some(r#"{"label":"a","label":"b"}"#))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) =
        fixture.call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some(r#"{"lable":"a"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A malformed query names the position.
    let (status, answer) =
        fixture.call(Method::GET, "/api/v1/search?q=%28unclosed", Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["description"].as_str().expect("description").contains("position")
            || answer["description"].as_str().expect("d").contains("expected"),
        "{answer}"
    );
    // An unknown route: the same 404 shape.
    let (status, answer) = fixture.call(Method::GET, "/api/v1/nothing-here", Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer["error_id"].is_string());
    // A body over the limit: 413.
    let big = format!("{{\"label\": \"{}\"}}", "x".repeat(17 << 20));
    let (status, _) = fixture.call(Method::POST, "/api/v1/tokens", Some("a-analyst"), Some(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route() {
    let fixture = Fixture::new();
    let (status, document) = fixture.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for (spec, _) in muninn_api::all_routes() {
        // The web UI's pages are not part of the API.
        if muninn_api::ui::PAGE_PATHS.contains(&spec.path) {
            continue;
        }
        let method = spec.method.as_str().to_ascii_lowercase();
        assert!(
            document["paths"][spec.path][&method].is_object(),
            "{} {} missing from the OpenAPI document",
            spec.method,
            spec.path
        );
    }
}

/// The `alert` events a stream has delivered within `wait`.
async fn alert_events(
    stream: &mut axum::body::BodyDataStream,
    wait: std::time::Duration,
) -> Vec<serde_json::Value> {
    use futures_util::StreamExt;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text.split("\n\n")
        .filter(|event| event.lines().any(|line| line == "event: alert"))
        .filter_map(|event| event.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).expect("event data"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_screened_audited_and_streamed_to_those_who_may_see_them() {
    let fixture = Fixture::new();
    let mut same_org = fixture.stream("/api/v1/alerts/stream", "a-reader").await;
    let mut other_org = fixture.stream("/api/v1/alerts/stream", "b-analyst").await;
    let audit_before = fixture.store_document_count(muninn_api::state::AUDIT_TABLE);
    let upload = "{\"title\": \"APT28 again\", \"body\": \"APT28 used 192.0.2.77 against the ministry.\"}\n\
                  {\"title\": \"Another APT28 wave\", \"body\": \"A second APT28 campaign.\"}\n";
    // A reader may not upload.
    let (status, _) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=amber", Some("a-reader"), Some(upload))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = fixture
        .call(
            Method::POST,
            "/api/v1/items?format=jsonl&tlp=amber&source=partner-feed",
            Some("a-analyst"),
            Some(upload),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["stored"], 2, "{answer}");
    // Two items, each named by the two watchlists.
    assert_eq!(answer["alerts"], 4, "{answer}");
    // The batch's audit entry was written with it.
    assert!(fixture.store_document_count(muninn_api::state::AUDIT_TABLE) > audit_before);
    let (_, verified) = fixture.call(Method::GET, "/api/v1/audit/verify", Some("a-admin"), None).await;
    assert_eq!(verified["valid"], true, "{verified}");
    // The uploader's organisation sees the AMBER items' alerts live; another organisation
    // sees none of them (the items are AMBER of org-a).
    let seen = alert_events(&mut same_org, std::time::Duration::from_secs(2)).await;
    assert_eq!(seen.len(), 4, "{seen:?}");
    let unseen = alert_events(&mut other_org, std::time::Duration::from_millis(300)).await;
    assert!(unseen.is_empty(), "{unseen:?}");
    // The items are searchable once the index follows the log, and only by those who may see them.
    fixture.state.sync_index().expect("sync");
    let (_, own) = fixture.call(Method::GET, "/api/v1/search?q=ministry", Some("a-reader"), None).await;
    assert_eq!(own["total"], 1, "{own}");
    let (_, other) = fixture.call(Method::GET, "/api/v1/search?q=ministry", Some("b-analyst"), None).await;
    assert_eq!(other["total"], 0, "{other}");
    // The item shows its alerts (both lists are visible to its organisation).
    let id = own["hits"][0]["id"].as_str().expect("id").to_owned();
    let (_, shown) = fixture.call(Method::GET, &format!("/api/v1/items/{id}"), Some("a-reader"), None).await;
    let lists: Vec<&str> = shown["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["alert"]["list"].as_str())
        .collect();
    assert_eq!(lists, ["list-a", "list-b"], "{shown}");
    // A format that does not exist: a clear 400.
    let (status, answer) =
        fixture.call(Method::POST, "/api/v1/items?format=docx", Some("a-analyst"), Some("x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["description"].as_str().expect("description").contains("docx"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_answers_in_yente_shape_with_explanations() {
    let fixture = Fixture::new();
    let body = serde_json::json!({"queries": {
        "q1": {"schema": "Organization", "properties": {"name": ["apt28"]}},
        "q2": {"schema": "Vessel", "properties": {"name": ["Ever Given"]}},
        "q3": {"schema": "Person", "properties": {"name": "Nobody Atall"}},
    }})
    .to_string();
    let (status, answer) =
        fixture.call(Method::POST, "/match/default?limit=3", Some("b-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["limit"], 3);
    assert!(answer["matcher"]["name_score"].is_object());
    let q1 = &answer["responses"]["q1"];
    assert_eq!(q1["status"], 200, "{q1}");
    // org-b sees its own GREEN list, not org-a's AMBER+STRICT one.
    let ids: Vec<&str> =
        q1["results"].as_array().expect("results").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["list-b/apt28"], "{q1}");
    let top = &q1["results"][0];
    assert_eq!(top["match"], true, "{top}");
    assert_eq!(top["caption"], "APT28");
    assert_eq!(top["datasets"][0], "list-b");
    assert!(top["explanation"]["listed_name"].is_string(), "{top}");
    assert_eq!(answer["responses"]["q2"]["status"], 400);
    assert_eq!(answer["responses"]["q3"]["total"]["value"], 0);
    // A malformed request: 400 naming the problem.
    let (status, answer) =
        fixture.call(Method::POST, "/match/default", Some("b-analyst"), Some(r#"{"queries": 5}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_deliver_signed_alerts_their_owner_may_see() {
    // By default a webhook must be https: a plain-http or internal URL is refused with the reason.
    let strict = Fixture::new();
    let (status, answer) = strict
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some("a-reader"),
            Some(r#"{"url": "http://127.0.0.1:9/hook"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let (address, received) = muninn_testkit::webhook_receiver();
    let policy = muninn_egress::EgressPolicy {
        allow_http: true,
        allow_hosts: vec![address.clone()],
        ..muninn_egress::EgressPolicy::default()
    };
    let fixture = Fixture::with_settings(muninn_api::Settings {
        webhook_policy: policy.clone(),
        ..muninn_api::Settings::default()
    });
    muninn_api::webhooks::start(&fixture.state, policy);
    let url = format!("http://{address}/hook");
    let body = serde_json::json!({"url": url}).to_string();
    let (status, same_org) =
        fixture.call(Method::POST, "/api/v1/webhooks", Some("a-reader"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{same_org}");
    let secret = same_org["secret"].as_str().expect("secret").to_owned();
    let (status, other_org) =
        fixture.call(Method::POST, "/api/v1/webhooks", Some("b-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{other_org}");
    // Another user cannot remove it: not found.
    let id = same_org["id"].as_str().expect("id");
    let (status, _) =
        fixture.call(Method::DELETE, &format!("/api/v1/webhooks/{id}"), Some("b-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An AMBER upload of org-a raises two alerts: a-reader's webhook gets both, b-analyst's none.
    let upload = "{\"title\": \"APT28 sighting\", \"body\": \"APT28 again.\"}\n";
    let (status, answer) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=amber", Some("a-analyst"), Some(upload))
        .await;
    assert_eq!((status, answer["alerts"].as_u64()), (StatusCode::OK, Some(2)), "{answer}");
    let mut deliveries = Vec::new();
    while let Ok(delivery) = received.recv_timeout(std::time::Duration::from_secs(5)) {
        deliveries.push(delivery);
        if deliveries.len() == 2 {
            // Wait a little for any delivery that should not come.
            if let Ok(extra) = received.recv_timeout(std::time::Duration::from_millis(800)) {
                deliveries.push(extra);
            }
            break;
        }
    }
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    for (signature, body) in &deliveries {
        assert_eq!(
            *signature,
            muninn_api::webhooks::signature(&secret, body.as_bytes()),
            "signed with a-reader's secret"
        );
        let value: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(value["alert"]["list"].as_str().map(|l| l.starts_with("list-")), Some(true), "{value}");
    }
    // The secret is never in the audit trail.
    assert!(
        fixture
            .documents(muninn_api::state::AUDIT_TABLE)
            .iter()
            .all(|(_, v)| !String::from_utf8_lossy(v).contains(&secret))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_checkpoint_is_signed_once_and_the_chain_verifies_against_it() {
    let fixture = Fixture::new();
    let (status, _) = fixture.call(Method::GET, "/api/v1/search?q=shared-term", Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::OK);
    let checkpoint =
        muninn_api::audit_log::sign_daily_checkpoint(&fixture.state).await.expect("signed").expect("new");
    assert!(checkpoint.seq >= 2, "{checkpoint:?}");
    muninn_audit::verify_checkpoint(&checkpoint, None).expect("a valid signature");
    // Once a day: a second call signs nothing.
    assert!(muninn_api::audit_log::sign_daily_checkpoint(&fixture.state).await.expect("checked").is_none());
    // The stored chain verifies against its head and the checkpoint.
    let (_, answer) = fixture.call(Method::GET, "/api/v1/audit/verify", Some("a-admin"), None).await;
    assert_eq!(answer["valid"], true, "{answer}");
    assert_eq!(fixture.store_document_count(muninn_api::audit_log::CHECKPOINT_TABLE), 1);
}
