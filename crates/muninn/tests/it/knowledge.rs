//! `muninn import stix|misp` and `muninn export stix|misp`.

use crate::{json, muninn};

fn misp_event() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../misp/test_data/event.json")
}

#[test]
fn a_misp_event_becomes_knowledge_and_an_item_and_goes_back_out() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let event = misp_event();
    let imported = muninn(&data, &["import", "misp", "--json", event.to_str().expect("path")]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let report = json(&imported);
    let file = &report["files"][0];
    assert_eq!(file["rejected"], 0, "{report}");
    assert_eq!(file["indicators"], 4, "{report}");
    assert!(file["stored"].as_u64().is_some_and(|n| n >= 8), "{report}");
    // The same event again: every object a duplicate, the item a duplicate too.
    let again = json(&muninn(&data, &["import", "misp", "--json", event.to_str().expect("path")]));
    assert_eq!(again["files"][0]["stored"], 0, "{again}");

    // The event's text is an item: its values are indexed, its TLP kept.
    let found = json(&muninn(&data, &["search", "--json", "indicator:198.51.100.23"]));
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["tlp"], "TLP:AMBER", "{found}");

    // Out as STIX: the knowledge base's objects with their marking definitions.
    let exported = muninn(&data, &["export", "stix", "--type", "intrusion-set"]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let bundle: serde_json::Value = serde_json::from_slice(&exported.stdout).expect("bundle");
    let types: Vec<&str> =
        bundle["objects"].as_array().expect("objects").iter().filter_map(|o| o["type"].as_str()).collect();
    assert!(types.contains(&"intrusion-set") && types.contains(&"marking-definition"), "{types:?}");

    // Out as MISP: the indicators of what a search finds, marked with the items' TLP.
    let misp_out = work.path().join("out.json");
    let exported = muninn(
        &data,
        &["export", "misp", "--query", "indicator:198.51.100.23", "--out", misp_out.to_str().expect("path")],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let back = muninn_misp::parse_event(&std::fs::read(&misp_out).expect("read")).expect("a MISP event");
    assert_eq!(back.tags[0].name, "tlp:amber");
    assert!(
        back.attributes.iter().any(|a| a.kind == "ip-dst" && a.value == "198.51.100.23"),
        "{:?}",
        back.attributes
    );

    // A bundle with one bad object: the valid ones are stored, the bad one named.
    let bundle_path = work.path().join("bundle.json");
    std::fs::write(
        &bundle_path,
        r#"{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
            {"type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--0c7e22ad-b099-4dc3-b0df-2ea3f49ae2e6", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "Test Set"},
            {"type": "indicator", "spec_version": "2.1", "id": "malware--6b616fc1-1505-48e3-8b2c-0d19337bff38", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z"}
        ]}"#,
    )
    .expect("write");
    let imported = muninn(&data, &["import", "stix", "--json", bundle_path.to_str().expect("path")]);
    assert_eq!(imported.status.code(), Some(3), "a partial import exits 3");
    let report = json(&imported);
    assert_eq!(report["files"][0]["stored"], 1, "{report}");
    assert_eq!(report["files"][0]["rejected"], 1, "{report}");
    assert!(
        report["files"][0]["rejections"][0]["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{report}"
    );
}
