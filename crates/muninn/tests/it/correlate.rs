//! `muninn indicator` and `muninn related` on a small ingested corpus.

use crate::{json, muninn, stdout};

#[test]
fn indicator_summaries_and_related_items() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"first\", \"body\": \"C2 at evil[.]example, beacon to 203.0.113.5\", \"tlp\": \"clear\"}\n\
         {\"title\": \"second\", \"body\": \"evil.example is back\", \"tlp\": \"green\"}\n\
         {\"title\": \"third\", \"body\": \"scanning from 203.0.113.5 and 198.51.100.9\", \"tlp\": \"amber\"}\n\
         {\"title\": \"fourth\", \"body\": \"nothing to see\", \"tlp\": \"clear\"}\n",
    )
    .expect("write");
    let ingested = muninn(&data, &["ingest", "--source", "desk", "--json", input.to_str().expect("path")]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));

    let summary = json(&muninn(&data, &["indicator", "EVIL[.]example", "--json"]));
    assert_eq!(summary["value"], "evil.example");
    assert_eq!(summary["kind"], "domain");
    assert_eq!(summary["count"], 2);
    assert_eq!(summary["sources"][0], serde_json::json!(["desk", 2]));
    let recent = summary["recent"].as_array().expect("recent");
    assert_eq!(recent.len(), 2);
    assert!(recent.iter().any(|item| item["title"] == "first"), "{summary}");
    let limited = json(&muninn(&data, &["indicator", "evil.example", "--json", "--limit", "1"]));
    assert_eq!((limited["count"].as_u64(), limited["recent"].as_array().map(Vec::len)), (Some(2), Some(1)));
    let text = stdout(&muninn(&data, &["indicator", "203.0.113.5"]));
    assert!(text.starts_with("203.0.113.5 (ipv4): 2 item(s)"), "{text}");
    assert!(text.contains("third"), "{text}");

    let first = recent.iter().find(|item| item["title"] == "first").expect("first");
    let id = first["id"].as_str().expect("id");
    let related = json(&muninn(&data, &["related", id, "--json"]));
    let titles: Vec<&str> =
        related["related"].as_array().expect("related").iter().filter_map(|r| r["title"].as_str()).collect();
    assert_eq!(titles.len(), 2, "{related}");
    assert!(titles.contains(&"second") && titles.contains(&"third"), "{related}");
    assert!(related["related"][0]["shared"].as_array().is_some_and(|shared| shared.len() == 1));
    let text = stdout(&muninn(&data, &["related", id]));
    assert!(text.starts_with("2 item(s) share indicators or entities with"), "{text}");

    let unknown = muninn(&data, &["related", "00000000000000000000000000000000"]);
    assert_eq!(unknown.status.code(), Some(2));
    let malformed = muninn(&data, &["related", "not-an-id"]);
    assert_eq!(malformed.status.code(), Some(2));

    let searched = json(&muninn(&data, &["search", "--json", "--facets", "indicator:\"evil[.]example\""]));
    assert_eq!(searched["total"], 2);
    assert!(
        searched["facets"]["indicator_type"]
            .as_array()
            .is_some_and(|kinds| kinds.contains(&serde_json::json!(["domain", 2]))),
        "{searched}"
    );
}

/// A warning list in the MISP format (written for this test): public resolvers and a
/// well-known domain.
const WARNING_LIST: &str = r#"{
  "name": "Public DNS resolvers (test)",
  "version": 1,
  "description": "Known benign: public resolvers",
  "type": "cidr",
  "matching_attributes": ["ip-src", "ip-dst", "domain|ip"],
  "list": ["8.8.8.8/32", "1.1.1.0/24"]
}"#;

#[test]
fn warning_lists_keep_known_benign_values_out_of_the_index_and_say_so() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"one\", \"body\": \"beacon to 8.8.8.8 and 203.0.113.77\"}\n\
         {\"title\": \"two\", \"body\": \"DNS via 8.8.8.8 and 1.1.1.1 only\"}\n",
    )
    .expect("write");
    let ingested = muninn(&data, &["ingest", "--json", input.to_str().expect("path")]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));
    // Before: the resolver links the two items.
    assert_eq!(json(&muninn(&data, &["search", "--json", "indicator:8.8.8.8"]))["total"], 2);

    let lists = work.path().join("lists");
    std::fs::create_dir_all(lists.join("public-dns")).expect("mkdir");
    std::fs::create_dir_all(lists.join("broken")).expect("mkdir");
    std::fs::write(lists.join("public-dns/list.json"), WARNING_LIST).expect("write");
    std::fs::write(lists.join("broken/list.json"), "{\"name\": ").expect("write");
    let imported = muninn(&data, &["import", "warninglists", "--json", lists.to_str().expect("path")]);
    // One list imported, the broken one reported by its file: a partial success.
    assert_eq!(imported.status.code(), Some(3), "{}", String::from_utf8_lossy(&imported.stderr));
    let report = json(&imported);
    assert_eq!(report["imported"][0]["name"], "Public DNS resolvers (test)", "{report}");
    assert!(report["problems"][0].as_str().is_some_and(|p| p.contains("broken")), "{report}");

    // After: the index leaves the benign values out (rebuilt on its next sync) and keeps the rest.
    assert_eq!(json(&muninn(&data, &["search", "--json", "indicator:8.8.8.8"]))["total"], 0);
    assert_eq!(json(&muninn(&data, &["search", "--json", "indicator:203.0.113.77"]))["total"], 1);
    let one = json(&muninn(&data, &["search", "--json", "title:one"]));
    let id = one["hits"][0]["id"].as_str().expect("id").to_owned();
    assert!(
        json(&muninn(&data, &["related", &id, "--json"]))["related"].as_array().is_some_and(Vec::is_empty)
    );
    let shown = json(&muninn(&data, &["items", "show", &id, "--json"]));
    assert_eq!(shown["extracted"]["suppressed"][0]["value"], "8.8.8.8", "{shown}");
    assert_eq!(shown["extracted"]["suppressed"][0]["warning_list"], "Public DNS resolvers (test)");
    let text = stdout(&muninn(&data, &["items", "show", &id]));
    assert!(text.contains("known benign, left out (warning lists): 8.8.8.8"), "{text}");
}
