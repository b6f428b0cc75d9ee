//! The sharing view (`GET /api/v1/sharing`, the `/sharing` page): administrators only (anyone
//! else gets the answer of a missing route or page), in full for the collections their
//! organisation writes to, only their own access for those it just reads, object counts of
//! what they may see.

use axum::http::{Method, StatusCode};
use muninn_model::Tlp;
use serde_json::Value;

use super::support::{Reply, Taxii, indicator};

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

/// A web UI session of `user` made as sign-in makes one (a token with the session label):
/// the cookie header and the CSRF token of its forms.
fn session(taxii: &Taxii, user: &str) -> (String, String) {
    let (token, hash) = muninn_access::issue_token(&[user.len() as u8; 32]);
    let record = muninn_access::TokenRecord {
        id: muninn_access::token_id(&hash),
        hash: hash.clone(),
        user: user.parse().expect("user id"),
        label: muninn_api::auth::WEB_SESSION_LABEL.to_owned(),
        created_at_unix: jiff::Timestamp::now().as_second(),
        revoked: false,
    };
    taxii.state.directory.write().expect("directory").tokens.insert(hash, record);
    (format!("muninn_session={token}"), muninn_api::auth::csrf_token(&taxii.state, &token))
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

async fn post_form(taxii: &Taxii, cookie: &str, pairs: &[(&str, &str)]) -> Reply {
    let headers = [("cookie", cookie), ("content-type", "application/x-www-form-urlencoded")];
    taxii.send(Method::POST, "/sharing/collections", None, &headers, form(pairs)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_create_collections_with_the_sharing_form() {
    let taxii = Taxii::new();
    let (admin, admin_csrf) = session(&taxii, "a-admin");
    let (analyst, analyst_csrf) = session(&taxii, "a-analyst");
    let title = "<script>alert(1)</script> partners";
    let titles = |sharing: &Value| -> Vec<String> {
        sharing["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .map(|c| c["title"].to_string())
            .collect()
    };
    let before = taxii.send(Method::GET, "/api/v1/sharing", Some("a-admin"), &[], Vec::new()).await.json;
    let fields = [("title", title), ("description", "for org-b"), ("reader", "org-b")];

    // Without the CSRF token: refused before anything else.
    let reply = post_form(&taxii, &admin, &[&fields[..], &[("writer", "org-a")]].concat()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // Not an administrator: the page of a missing one, however right the token.
    let reply =
        post_form(&taxii, &analyst, &[&fields[..], &[("writer", "org-a"), ("csrf", &analyst_csrf)]].concat())
            .await;
    let missing = taxii
        .send(
            Method::GET,
            "/items/00000000000000000000000000000000",
            None,
            &[("cookie", &analyst)],
            Vec::new(),
        )
        .await;
    let text = |body: &[u8]| String::from_utf8_lossy(body).into_owned();
    assert_eq!((reply.status, text(&reply.body)), (missing.status, text(&missing.body)));
    // Refused with why, the form kept: the administrator's organisation must write to it, and
    // every organisation must exist.
    let reply =
        post_form(&taxii, &admin, &[&fields[..], &[("writer", "org-b"), ("csrf", &admin_csrf)]].concat())
            .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let page = String::from_utf8(reply.body).expect("UTF-8");
    assert!(page.contains("must be among the writers"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; partners") && !page.contains("<script>alert"),
        "{page}"
    );
    assert!(page.contains("name=\"reader\" value=\"org-b\" checked"), "the choices kept: {page}");
    let reply = post_form(
        &taxii,
        &admin,
        &[&fields[..], &[("writer", "org-a"), ("reader", "org-zz"), ("csrf", &admin_csrf)]].concat(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&reply.body)
            .contains("&quot;org-zz&quot; is not an organisation of this server")
    );
    let after_refusals =
        taxii.send(Method::GET, "/api/v1/sharing", Some("a-admin"), &[], Vec::new()).await.json;
    assert_eq!(titles(&after_refusals), titles(&before), "nothing created by a refused form");

    // Created: back to the page, which announces it and lists it; TAXII serves it to its readers.
    let reply =
        post_form(&taxii, &admin, &[&fields[..], &[("writer", "org-a"), ("csrf", &admin_csrf)]].concat())
            .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let location = reply.header("location").expect("location").to_owned();
    let id = location.strip_prefix("/sharing?created=").expect("the new collection's id").to_owned();
    let page = taxii.send(Method::GET, &location, None, &[("cookie", &admin)], Vec::new()).await;
    let page = String::from_utf8(page.body).expect("UTF-8");
    assert!(
        page.contains("Collection created: <strong>&lt;script&gt;alert(1)&lt;/script&gt; partners</strong>"),
        "{page}"
    );
    let sharing = taxii.send(Method::GET, "/api/v1/sharing", Some("a-admin"), &[], Vec::new()).await.json;
    let created = collection(&sharing, title).expect("listed");
    assert_eq!(created["id"], id.as_str());
    assert_eq!((strings(&created["readers"]), strings(&created["writers"])), (vec!["org-b"], vec!["org-a"]));
    assert_eq!(created["description"], "for org-b");
    for (user, sees) in [("b-analyst", true), ("b-partner", true), ("a-analyst", true), ("c-reader", false)] {
        let reply = taxii.get("/taxii2/api/collections/", user).await;
        let ids: Vec<&str> = reply.json["collections"]
            .as_array()
            .map_or(Vec::new(), |all| all.iter().filter_map(|c| c["id"].as_str()).collect());
        assert_eq!(ids.contains(&id.as_str()), sees, "{user}: {}", reply.json);
    }
    // Audited as a collection created by the administrator.
    let entries = taxii
        .send(Method::GET, "/api/v1/audit/entries?limit=1000", Some("a-admin"), &[], Vec::new())
        .await
        .json;
    let audited = entries["entries"].as_array().expect("entries").iter().any(|entry| {
        let record = &entry["record"];
        record["action"] == "collection_changed"
            && record["collection"] == id.as_str()
            && record["change"] == "created"
            && record["actor"]["user"] == "a-admin"
    });
    assert!(audited, "{entries}");
}
