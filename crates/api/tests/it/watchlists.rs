//! Changing watchlists over the REST API: who may create and change lists (the role table,
//! and only the list's own organisation), entries checked by the screener before they are
//! stored, changes made against a stale version refused, imports with a result per record,
//! and the server screening new items with the changed list at once.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::fixture::Fixture;

const XSS_NAME: &str = "<script>alert(1)</script> list";

fn path(name: &str) -> String {
    format!(
        "/api/v1/watchlists/{}",
        name.replace('<', "%3C").replace('>', "%3E").replace(' ', "%20").replace('/', "%2F")
    )
}

async fn audit_actions(fixture: &Fixture) -> Vec<Value> {
    let (_, entries) =
        fixture.call(Method::GET, "/api/v1/audit/entries?limit=1000", Some("a-admin"), None).await;
    entries["entries"].as_array().expect("entries").iter().map(|entry| entry["record"].clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_created_by_analysts_and_admins_with_their_organisation_as_owner() {
    let fixture = Fixture::new();
    let body = format!(r#"{{"name": "{}", "tlp": "amber"}}"#, XSS_NAME.replace('"', "\\\""));
    // The role table: readers and partners do not manage watchlists.
    for user in ["a-reader", "b-partner", "c-reader"] {
        let (status, answer) =
            fixture.call(Method::POST, "/api/v1/watchlists", Some(user), Some(&body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}: {answer}");
    }
    let (status, _) = fixture.call(Method::POST, "/api/v1/watchlists", None, Some(&body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, lists) = fixture.call(Method::GET, "/api/v1/watchlists", Some("a-admin"), None).await;
    assert_eq!(lists["watchlists"].as_array().expect("lists").len(), 2, "nothing was created: {lists}");

    let (status, list) =
        fixture.call(Method::POST, "/api/v1/watchlists", Some("a-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!((list["name"].as_str(), list["owner"].as_str()), (Some(XSS_NAME), Some("org-a")));
    assert_eq!((list["tlp"].as_str(), list["version"].as_u64()), (Some("TLP:AMBER"), Some(1)));
    // AMBER of org-a: its organisation sees it, org-b does not (as if it did not exist).
    let (status, _) = fixture.call(Method::GET, &path(XSS_NAME), Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = fixture.call(Method::GET, &path(XSS_NAME), Some("b-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A name is taken whoever may see the list.
    let (status, _) = fixture.call(Method::POST, "/api/v1/watchlists", Some("b-analyst"), Some(&body)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    for (bad, why) in [
        (r#"{"name": "default", "tlp": "green"}"#, "the match API's name for every list"),
        (r#"{"name": "red-list", "tlp": "red"}"#, "a RED list would be visible to nobody"),
        (r#"{"name": "", "tlp": "green"}"#, "empty"),
        (r#"{"name": " padded", "tlp": "green"}"#, "blanks around"),
        (r#"{"name": "bell\u0007", "tlp": "green"}"#, "a control character"),
        (r#"{"name": "x", "tlp": "purple"}"#, "not a TLP"),
        (r#"{"name": "x", "tlp": "green", "owner": "org-b"}"#, "the owner is the caller's organisation"),
    ] {
        let (status, answer) =
            fixture.call(Method::POST, "/api/v1/watchlists", Some("a-admin"), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {answer}");
    }
    let created = audit_actions(&fixture).await.into_iter().any(|record| {
        record["action"] == "watchlist_changed" && record["list"] == XSS_NAME && record["change"] == "created"
    });
    assert!(created, "the creation is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_added_edited_and_removed_against_the_version_they_were_read_at() {
    let fixture = Fixture::new();
    let entries = "/api/v1/watchlists/list-a/entries";
    let entry = r#"{"kind": "name", "name": "Voodoo Bear", "aliases": ["Sandworm Team", " ", "Sandworm Team"], "severity": "high", "note": "GRU unit 74455"}"#;
    let (status, added) = fixture.call(Method::POST, entries, Some("a-analyst"), Some(entry)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!((added["created"].as_bool(), added["version"].as_u64()), (Some(true), Some(2)));
    assert_eq!(added["entry"]["id"], "e2");
    assert_eq!(
        added["entry"]["aliases"],
        serde_json::json!(["Sandworm Team"]),
        "blank and repeated aliases go"
    );
    // The server screens with the new entry at once.
    let upload = "{\"title\": \"Voodoo Bear seen\", \"body\": \"Sandworm Team infrastructure again.\"}\n";
    let (status, answer) = fixture
        .call(Method::POST, "/api/v1/items?format=jsonl&tlp=amber", Some("a-analyst"), Some(upload))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["alerts"], 1, "an alert from the new entry: {answer}");
    // A change made against version 1 is refused: the list is at version 2.
    let stale = r#"{"kind": "name", "name": "Voodoo Bear", "severity": "critical", "version": 1}"#;
    let (status, answer) =
        fixture.call(Method::PUT, &format!("{entries}/e2"), Some("a-analyst"), Some(stale)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let fresh = stale.replace("\"version\": 1", "\"version\": 2");
    let (status, answer) =
        fixture.call(Method::PUT, &format!("{entries}/e2"), Some("a-admin"), Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (answer["created"].as_bool(), answer["entry"]["severity"].as_str()),
        (Some(false), Some("critical"))
    );
    // Entries the screener could not use are refused, saying why.
    for (bad, why) in [
        (r#"{"kind": "pattern", "regex": "(unclosed"}"#, "does not compile"),
        (r#"{"kind": "pattern", "regex": "a*"}"#, "matches empty text"),
        (r#"{"kind": "rule", "query": "title:("}"#, "does not parse"),
        (r#"{"kind": "indicator", "value": "   "}"#, "needs its value"),
        (r#"{"kind": "name", "name": "x"}"#, "would never match"),
        (r#"{"kind": "person", "name": "Someone Else"}"#, "expected name, indicator"),
        (r#"{"kind": "name", "name": "Someone Else", "severity": "urgent"}"#, "severity"),
    ] {
        let (status, answer) = fixture.call(Method::POST, entries, Some("a-analyst"), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert!(answer["description"].as_str().unwrap_or_default().contains(why), "{bad}: {answer}");
    }
    // Only the list's organisation changes it: org-b's analyst cannot see list-a (AMBER+STRICT),
    // org-a's analyst sees org-b's GREEN list-b but may not change it; readers never.
    let (status, _) = fixture.call(Method::DELETE, &format!("{entries}/e2"), Some("b-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = fixture.call(Method::DELETE, &format!("{entries}/e2"), Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        fixture.call(Method::DELETE, "/api/v1/watchlists/list-b/entries/apt28", Some("a-admin"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        fixture.call(Method::DELETE, &format!("{entries}/e2?version=2"), Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "stale");
    let (status, answer) =
        fixture.call(Method::DELETE, &format!("{entries}/e2?version=3"), Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = fixture.call(Method::DELETE, &format!("{entries}/e2"), Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone");
    // The list's TLP: widened by its organisation, seen by others at once.
    let (status, _) = fixture.call(Method::GET, "/api/v1/watchlists/list-a", Some("c-reader"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = fixture
        .call(Method::PATCH, "/api/v1/watchlists/list-a", Some("a-analyst"), Some(r#"{"tlp": "green"}"#))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = fixture.call(Method::GET, "/api/v1/watchlists/list-a", Some("c-reader"), None).await;
    assert_eq!(status, StatusCode::OK);
    // A list that raised alerts is kept; a new, empty one can go.
    let (status, _) =
        fixture.call(Method::DELETE, "/api/v1/watchlists/list-a", Some("a-analyst"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let new = r#"{"name": "short-lived", "tlp": "amber+strict"}"#;
    let (status, _) = fixture.call(Method::POST, "/api/v1/watchlists", Some("a-analyst"), Some(new)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        fixture.call(Method::DELETE, "/api/v1/watchlists/short-lived", Some("a-reader"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        fixture.call(Method::DELETE, "/api/v1/watchlists/short-lived", Some("a-admin"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        fixture.call(Method::GET, "/api/v1/watchlists/short-lived", Some("a-admin"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let changes: Vec<String> = audit_actions(&fixture)
        .await
        .into_iter()
        .filter(|record| record["action"] == "watchlist_changed")
        .map(|record| {
            format!("{} {}", record["list"].as_str().unwrap_or(""), record["change"].as_str().unwrap_or(""))
        })
        .collect();
    for expected in ["list-a updated", "short-lived created", "short-lived deleted"] {
        assert!(changes.iter().any(|change| change == expected), "{expected} in {changes:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_report_every_record_and_refuse_files_they_cannot_read() {
    let fixture = Fixture::new();
    let import =
        |format: &str, mode: &str| format!("/api/v1/watchlists/list-a/import?format={format}&mode={mode}");
    let csv =
        std::str::from_utf8(include_bytes!("../../../screen/test_data/import/bad-rows.csv")).expect("UTF-8");
    let (status, answer) =
        fixture.call(Method::POST, &import("csv", "merge"), Some("a-analyst"), Some(csv)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!((answer["added"].as_u64(), answer["entries"].as_u64()), (Some(2), Some(3)), "{answer}");
    let warnings: Vec<&str> = answer["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["record"].as_str())
        .collect();
    assert!(warnings.contains(&"line 3") && warnings.contains(&"line 4"), "{warnings:?}");
    assert_eq!(answer["records"][0]["outcome"], "added");
    // The same file again: unchanged.
    let (_, again) = fixture.call(Method::POST, &import("csv", "merge"), Some("a-analyst"), Some(csv)).await;
    assert_eq!((again["unchanged"].as_u64(), again["added"].as_u64()), (Some(2), Some(0)), "{again}");
    // Replacing: the file's entries become the list's; the others are named as removed.
    let un = std::str::from_utf8(include_bytes!("../../../screen/test_data/import/un-consolidated.xml"))
        .expect("UTF-8");
    let (status, answer) =
        fixture.call(Method::POST, &import("un", "replace"), Some("a-analyst"), Some(un)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let read = answer["read"].as_u64().expect("read");
    assert!(read > 5 && answer["entries"].as_u64() == Some(read), "{answer}");
    assert_eq!(answer["removed_ids"], serde_json::json!(["apt28", "ok-1", "ok-7"]), "{answer}");
    let galaxy =
        std::str::from_utf8(include_bytes!("../../../screen/test_data/import/misp-threat-actor.json"))
            .expect("UTF-8");
    let (status, answer) =
        fixture.call(Method::POST, &import("misp-galaxy", "merge"), Some("a-analyst"), Some(galaxy)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["added"].as_u64().expect("added") > 10, "{answer}");
    let sdn =
        std::str::from_utf8(include_bytes!("../../../screen/test_data/import/ofac-sdn.csv")).expect("UTF-8");
    let (status, answer) =
        fixture.call(Method::POST, &import("ofac", "merge"), Some("a-analyst"), Some(sdn)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Files that cannot be read as their format are refused whole, saying why; nothing changes.
    let (_, before) = fixture.call(Method::GET, "/api/v1/watchlists/list-a", Some("a-analyst"), None).await;
    let doctype =
        std::str::from_utf8(include_bytes!("../../../screen/test_data/import/un-doctype-entities.xml"))
            .expect("UTF-8");
    for (format, body, why) in [
        ("un", doctype, "DOCTYPE"),
        ("csv", "a,b\n1,2\n", "value"),
        ("misp-galaxy", "{", "JSON"),
        ("yaml", "x", "format"),
    ] {
        let (status, answer) =
            fixture.call(Method::POST, &import(format, "merge"), Some("a-analyst"), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{format}: {answer}");
        assert!(answer["description"].as_str().unwrap_or_default().contains(why), "{format}: {answer}");
    }
    let (_, after) = fixture.call(Method::GET, "/api/v1/watchlists/list-a", Some("a-analyst"), None).await;
    assert_eq!(before["version"], after["version"]);
    // Readers may not import, and org-b cannot see list-a at all.
    let (status, _) = fixture.call(Method::POST, &import("csv", "merge"), Some("a-reader"), Some(csv)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = fixture.call(Method::POST, &import("csv", "merge"), Some("b-analyst"), Some(csv)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let imports =
        audit_actions(&fixture).await.into_iter().filter(|record| record["action"] == "import").count();
    assert_eq!(imports, 5, "each import that changed the list is audited");
}

#[test]
fn list_paths_are_encoded() {
    assert_eq!(path(XSS_NAME), "/api/v1/watchlists/%3Cscript%3Ealert(1)%3C%2Fscript%3E%20list");
}
