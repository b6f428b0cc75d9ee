//! The sharing view (`GET /api/v1/sharing`, the `/sharing` page): administrators only (anyone
//! else gets the answer of a missing route or page), in full for the collections their
//! organisation writes to, only their own access for those it just reads, object counts of
//! what they may see.

use axum::http::{Method, StatusCode};
use muninn_model::Tlp;
use serde_json::Value;

use super::support::{Taxii, indicator};

fn collection<'a>(sharing: &'a Value, title: &str) -> Option<&'a Value> {
    sharing["collections"].as_array().expect("collections").iter().find(|c| c["title"] == title)
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().expect("array").iter().filter_map(Value::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_see_who_reads_and_writes_what_their_organisation_shares() {
    let taxii = Taxii::new();
    // org-b shares a GREEN object and an AMBER+STRICT one in the collection everyone reads.
    taxii
        .add(&taxii.shared, "b-analyst", &[indicator(71, 1, "2024-01-01T00:00:00.000Z", Some(Tlp::Green))])
        .await;
    taxii
        .add(
            &taxii.shared,
            "b-analyst",
            &[indicator(71, 2, "2024-01-01T00:00:00.000Z", Some(Tlp::AmberStrict))],
        )
        .await;
    let get = |user: &'static str| taxii.send(Method::GET, "/api/v1/sharing", Some(user), &[], Vec::new());

    let a = get("a-admin").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let shared = collection(&a.json, "shared").expect("shared");
    assert_eq!(
        (strings(&shared["readers"]), strings(&shared["writers"])),
        (vec!["*"], vec!["org-a", "org-b"])
    );
    assert_eq!(shared["objects"], 1, "org-b's AMBER+STRICT object is not counted for org-a");
    let drop_box = collection(&a.json, "drop-box").expect("org-a writes to the drop box");
    assert_eq!(strings(&drop_box["readers"]), ["org-b", "org-c"]);
    assert!(collection(&a.json, "a-only").is_some());

    let b = get("b-admin").await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.json);
    assert_eq!(collection(&b.json, "shared").expect("shared")["objects"], 2);
    assert!(collection(&b.json, "a-only").is_none(), "org-b neither reads nor writes it");
    // org-b only reads the drop box: it sees its own access, not who else reads or writes.
    let drop_box = collection(&b.json, "drop-box").expect("drop box");
    assert_eq!((strings(&drop_box["readers"]), strings(&drop_box["writers"])), (vec!["org-b"], vec![]));
    assert_eq!((drop_box["full"].as_bool(), drop_box["hidden_orgs"].as_u64()), (Some(false), Some(2)));

    // Everyone else: the answer of a route that does not exist.
    let (_, missing) = {
        let reply =
            taxii.send(Method::GET, "/api/v1/no-such-route", Some("a-analyst"), &[], Vec::new()).await;
        (reply.status, reply.error_without_id())
    };
    for user in ["a-analyst", "a-reader", "b-partner", "c-reader"] {
        let reply = get(user).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{user}");
        assert_eq!(reply.error_without_id(), missing, "{user}");
    }

    // The page: the same for administrators, the page of a missing one for everyone else.
    let taxii = &taxii;
    let page = |user: &'static str, path: &'static str| async move {
        let reply = taxii.send(Method::GET, path, Some(user), &[], Vec::new()).await;
        (reply.status, String::from_utf8(reply.body).expect("UTF-8"))
    };
    let (status, html) = page("a-admin", "/sharing").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Who may read and write what") && html.contains("every organisation"), "{html}");
    assert!(html.contains("href=\"/sharing\""), "the navigation shows administrators the page");
    let (status, html) = page("a-analyst", "/sharing").await;
    let (missing_status, missing_html) = page("a-analyst", "/items/00000000000000000000000000000000").await;
    assert_eq!((status, &html), (missing_status, &missing_html));
    assert!(!html.contains("href=\"/sharing\""), "nor does the navigation offer it");
}
