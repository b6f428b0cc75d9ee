//! Entity resolution over HTTP: suggestions only among objects the caller sees, decisions only
//! by analysts and administrators of the organisation that owns the knowledge base, groups
//! made only of what the caller sees whole, withdrawal restoring the suggestion, every decision
//! audited; and the duplicates page.

use axum::http::{Method, StatusCode};
use muninn_access::{Role, TokenRecord, User};
use muninn_api::state::AUDIT_TABLE;
use muninn_store::Document;
use serde_json::{Value, json};

use crate::fixture::Fixture;
use crate::ui::{FORM, form, send, sign_in_as};

/// The deployment's own analyst, who signs in to the page.
const LOCAL_ANALYST: (&str, &str) = ("l-analyst", "local analyst password");

/// Three intrusion sets sharing names: CLEAR and GREEN ones that every organisation sees, and
/// an unmarked one (the deployment's own, AMBER+STRICT) that only its organisation sees.
fn actors() -> [(&'static str, Value); 3] {
    let object = |id: &str, name: &str, aliases: &[&str], tlp: Option<&str>| {
        let mut value = json!({
            "type": "intrusion-set", "spec_version": "2.1", "id": id, "name": name, "aliases": aliases,
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        });
        if let Some(tlp) = tlp {
            value["object_marking_refs"] = json!([tlp]);
        }
        value
    };
    [
        (
            "attack",
            object(
                "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c",
                "APT28",
                &["APT28", "Fancy Bear", "Sofacy"],
                Some("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"),
            ),
        ),
        (
            "galaxy",
            object(
                "intrusion-set--5b4ee3ea-eee3-4c8e-8323-85ae32658754",
                "Fancy Bear",
                &["APT28", "Pawn Storm"],
                Some("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
            ),
        ),
        ("own", object("intrusion-set--00000000-0000-4000-8000-000000000028", "Sofacy", &["APT28"], None)),
    ]
}

fn id_of(label: &str) -> String {
    let (_, object) = actors().into_iter().find(|(l, _)| *l == label).expect("actor");
    object["id"].as_str().expect("id").to_owned()
}

/// The fixture, its knowledge base holding the actors, and two users of the deployment's own
/// organisation (`local`): an analyst and a reader.
async fn fixture() -> Fixture {
    let mut fixture = Fixture::new();
    let mut documents: Vec<Document> = actors()
        .iter()
        .map(|(_, object)| {
            let id = object["id"].as_str().expect("id");
            Document::put(muninn_stix::LATEST_TABLE, id, object.to_string().into_bytes())
        })
        .collect();
    let local = muninn_access::Org {
        id: "local".parse().expect("org"),
        name: "local".to_owned(),
        clients: Default::default(),
    };
    documents.push(muninn_api::catalog::org_document(&local).expect("org"));
    for (index, (id, role)) in
        [("l-analyst", Role::Analyst), ("l-reader", Role::Reader)].into_iter().enumerate()
    {
        let user = User {
            id: id.parse().expect("user"),
            org: local.id.clone(),
            role,
            groups: Default::default(),
            name: id.to_owned(),
            password_hash: (id == LOCAL_ANALYST.0)
                .then(|| muninn_access::hash_password(LOCAL_ANALYST.1, &[9u8; 16]).expect("hash")),
            disabled: false,
        };
        documents.push(muninn_api::catalog::user_document(&user).expect("user"));
        let (token, hash) = muninn_access::issue_token(&[index as u8 + 100; 32]);
        let record = TokenRecord {
            id: muninn_access::token_id(&hash),
            hash,
            user: user.id.clone(),
            label: "resolution".to_owned(),
            created_at_unix: 0,
            revoked: false,
        };
        documents.push(muninn_api::catalog::token_document(&record).expect("token"));
        fixture.tokens.insert(id, token);
    }
    fixture.state.write(documents, Vec::new()).await.expect("write");
    // The server loads its directory when it starts: load it again with the new users.
    let directory = {
        let store = fixture.state.store.read().expect("store");
        muninn_api::catalog::load_directory(store.as_ref()).expect("directory")
    };
    *fixture.state.directory.write().expect("directory") = directory;
    fixture
}

/// The suggested pairs as sorted pairs of names.
fn suggested(answer: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = answer["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| {
            let (a, b) = (
                s["a"]["name"].as_str().expect("a").to_owned(),
                s["b"]["name"].as_str().expect("b").to_owned(),
            );
            if a <= b { (a, b) } else { (b, a) }
        })
        .collect();
    pairs.sort();
    pairs
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_decisions_and_withdrawals_keep_to_what_each_caller_may_see_and_do() {
    let fixture = fixture().await;
    let duplicates = "/api/v1/knowledge/duplicates";
    // Another organisation's analyst sees the CLEAR and GREEN actors only; the deployment's own
    // analyst sees all three.
    let (status, answer) = fixture.call(Method::GET, duplicates, Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(suggested(&answer), [pair("APT28", "Fancy Bear")], "{answer}");
    assert!(!answer.to_string().contains("Sofacy\""), "{answer}");
    let (_, answer) = fixture.call(Method::GET, duplicates, Some("l-analyst"), None).await;
    assert_eq!(
        suggested(&answer),
        [pair("APT28", "Fancy Bear"), pair("APT28", "Sofacy"), pair("Fancy Bear", "Sofacy")],
        "{answer}"
    );

    let decide = |a: &str, b: &str, verdict: &str| {
        json!({"a": id_of(a), "b": id_of(b), "verdict": verdict, "note": "same UUID family"}).to_string()
    };
    let same_as = "/api/v1/knowledge/same-as";
    // The objects are the deployment's own: other organisations' analysts may not decide, a
    // reader may not, and an object the caller cannot see is not found.
    let body = decide("attack", "galaxy", "accepted");
    let (status, _) = fixture.call(Method::POST, same_as, Some("a-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = fixture.call(Method::POST, same_as, Some("l-reader"), Some(&body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let hidden = decide("attack", "own", "accepted");
    let (status, _) = fixture.call(Method::POST, same_as, Some("a-admin"), Some(&hidden)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad requests name the problem.
    let (status, answer) = fixture
        .call(Method::POST, same_as, Some("l-analyst"), Some(&decide("attack", "galaxy", "maybe")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer.to_string().contains("unknown verdict"), "{answer}");
    let (status, answer) = fixture
        .call(Method::POST, same_as, Some("l-analyst"), Some(&decide("attack", "attack", "accepted")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let unknown = json!({"a": id_of("attack"), "b": "intrusion-set--11111111-1111-4111-8111-111111111111", "verdict": "accepted"});
    let (status, _) =
        fixture.call(Method::POST, same_as, Some("l-analyst"), Some(&unknown.to_string())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The deployment's analyst decides: APT28 is Fancy Bear; both are Sofacy too.
    let (status, answer) = fixture.call(Method::POST, same_as, Some("l-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["verdict"], "accepted");
    assert_eq!(answer["by"], "l-analyst");
    assert_eq!(answer["method"], "shared names");
    for (a, b) in [("attack", "own"), ("galaxy", "own")] {
        let (status, answer) =
            fixture.call(Method::POST, same_as, Some("l-analyst"), Some(&decide(a, b, "accepted"))).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    // Nothing is left to suggest; the other organisation sees the one decision it sees whole,
    // and nothing of the two about Sofacy.
    let (_, answer) = fixture.call(Method::GET, duplicates, Some("l-analyst"), None).await;
    assert!(suggested(&answer).is_empty(), "{answer}");
    assert_eq!(answer["decided"].as_array().expect("decided").len(), 3);
    let (_, answer) = fixture.call(Method::GET, duplicates, Some("a-analyst"), None).await;
    assert!(suggested(&answer).is_empty(), "{answer}");
    let decided = answer["decided"].as_array().expect("decided");
    assert_eq!(decided.len(), 1, "{answer}");
    assert_eq!(decided[0]["note"], "same UUID family");
    assert!(!answer.to_string().contains("Sofacy\""), "{answer}");

    // Withdrawn, the pair stands alone again and is suggested again; a second withdrawal finds
    // nothing.
    let withdraw = format!("/api/v1/knowledge/same-as/{}/{}", id_of("galaxy"), id_of("attack"));
    let (status, answer) = fixture.call(Method::DELETE, &withdraw, Some("l-analyst"), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = fixture.call(Method::DELETE, &withdraw, Some("l-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, answer) = fixture.call(Method::GET, duplicates, Some("a-analyst"), None).await;
    assert_eq!(suggested(&answer), [pair("APT28", "Fancy Bear")], "{answer}");
    // For the deployment's analyst the two are still one through Sofacy: not suggested.
    let (_, answer) = fixture.call(Method::GET, duplicates, Some("l-analyst"), None).await;
    assert!(suggested(&answer).is_empty(), "{answer}");

    // Every decision and the withdrawal are in the audit trail.
    let changes = fixture
        .documents(AUDIT_TABLE)
        .iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("\"same_as_changed\""))
        .count();
    assert_eq!(changes, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duplicates_page_decides_and_withdraws_with_the_csrf_token() {
    let fixture = fixture().await;
    let (cookie, csrf) = sign_in_as(&fixture, LOCAL_ANALYST).await;
    let (a, b) = (id_of("attack"), id_of("galaxy"));
    let mut pairs =
        vec![("a", a.as_str()), ("b", b.as_str()), ("verdict", "accepted"), ("note", "<b>same</b>")];
    // Without the token: refused, nothing recorded.
    let (status, _, _) =
        send(&fixture, Method::POST, "/duplicates/decide", &[FORM, ("cookie", &cookie)], &form(&pairs)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(fixture.store_document_count(muninn_stix::SAME_AS_TABLE), 0);
    pairs.push(("csrf", &csrf));
    let (status, headers, _) =
        send(&fixture, Method::POST, "/duplicates/decide", &[FORM, ("cookie", &cookie)], &form(&pairs)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().expect("location").to_owned();
    assert_eq!(location, "/duplicates?done=accepted");
    let (_, _, page) = send(&fixture, Method::GET, &location, &[("cookie", &cookie)], "").await;
    assert!(page.contains("the two are the same thing"), "{page}");
    assert!(page.contains("&lt;b&gt;same&lt;/b&gt;"), "the note is text: {page}");
    let withdraw = [("a", a.as_str()), ("b", b.as_str())];
    let (status, _, _) =
        send(&fixture, Method::POST, "/duplicates/withdraw", &[FORM, ("cookie", &cookie)], &form(&withdraw))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let withdraw = [("a", a.as_str()), ("b", b.as_str()), ("csrf", csrf.as_str())];
    let (status, headers, _) =
        send(&fixture, Method::POST, "/duplicates/withdraw", &[FORM, ("cookie", &cookie)], &form(&withdraw))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/duplicates?done=withdrawn");
    assert_eq!(fixture.store_document_count(muninn_stix::SAME_AS_TABLE), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duplicates_page_offers_decisions_to_those_who_may_make_them() {
    let fixture = fixture().await;
    let (status, page) = fixture.page("/duplicates", "l-analyst").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sofacy") && page.contains("Not the same"), "{page}");
    assert!(page.contains("TLP:AMBER+STRICT"), "the banner shows the most restrictive object shown");
    let (status, page) = fixture.page("/duplicates", "l-reader").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sofacy") && !page.contains("Not the same"), "{page}");
    let (status, page) = fixture.page("/duplicates", "a-analyst").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Sofacy") && !page.contains("Not the same"), "{page}");
}
