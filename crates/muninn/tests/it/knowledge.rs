//! `muninn import stix|misp` and `muninn export stix|misp`.

use crate::{json, muninn, stdout};

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

fn test_data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().expect("path")
}

/// A data directory with the small knowledge base of `tests/data/kb.json` (Sandworm, APT28 and
/// what they use and target) and the incidents of `tests/data/incidents.csv`; returns the
/// incident import's report.
fn knowledge_base(data: &std::path::Path) -> serde_json::Value {
    let imported = muninn(data, &["import", "stix", path_str(&test_data("kb.json"))]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let incidents = muninn(data, &["import", "incidents", "--json", path_str(&test_data("incidents.csv"))]);
    assert_eq!(incidents.status.code(), Some(3), "some rows are rejected: {}", stdout(&incidents));
    json(&incidents)
}

/// Runs the OASIS validator (stix2-validator 3.3.2, from muninn-testkit's Python) on a file:
/// the error messages.
fn stix2_validator_errors(path: &std::path::Path) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, sys
from stix2validator import ValidationOptions, validate_file
result = validate_file(sys.argv[1], ValidationOptions(version="2.1"))
errors = []
if result.fatal is not None:
    errors.append("fatal: " + str(result.fatal.message))
for item in result.object_results:
    errors.extend(str(getattr(e, "message", e)) for e in item.errors)
print(json.dumps(errors))
"#;
    let python = muninn_testkit::python_with("stix2validator", "stix2-validator==3.3.2");
    let output =
        std::process::Command::new(&python).arg("-c").arg(SCRIPT).arg(path).output().expect("python runs");
    assert!(output.status.success(), "the validator failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the validator's answer")
}

#[test]
fn incidents_from_csv_report_each_row_link_to_the_knowledge_base_and_pass_the_validator() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let report = knowledge_base(&data);
    let file = &report["files"][0];
    assert_eq!((file["stored"].as_u64(), file["rejected"].as_u64()), (Some(4), Some(5)), "{report}");
    // Every row, by its line in the file: what became of it and why.
    let rows: Vec<String> = file["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let detail = row["reason"].as_str().or(row["name"].as_str()).unwrap_or("");
            format!("{} {} {}", row["line"], row["outcome"].as_str().unwrap_or(""), detail)
        })
        .collect();
    let expected = [
        "2 stored sabotage in Pivnichna substation, 2016-12-17",
        "3 rejected date: \"2016-02-30\" is not a date (YYYY-MM-DD) or timestamp: day out of range for the month",
        "4 stored arson in Example Port, 2023-07-04",
        "5 rejected casualties: \"several\" is not a whole number of people (leave empty when unknown)",
        "6 rejected type: missing (bombing, ransomware, kidnapping...)",
        "7 stored intrusion in Ministry building, 2024-05-01",
        "8 rejected 12 fields, the header has 11 (a missing quote?)",
        "9 stored shelling in Example District, north, 2024-06-14",
        "10 rejected country: \"Atlantis\" is not an ISO 3166-1 country (an alpha-2 code such as UA, an alpha-3 code such as UKR, or the English short name such as Ukraine)",
    ];
    assert_eq!(rows, expected, "{report}");
    assert!(
        file["rows"][7]["notes"][0]
            .as_str()
            .is_some_and(|note| note.contains("\"civilians\" is not in the knowledge base")),
        "{report}"
    );

    // The same file again: nothing new; the rejected rows are rejected again.
    let again =
        json(&muninn(&data, &["import", "incidents", "--json", path_str(&test_data("incidents.csv"))]));
    assert_eq!(
        (again["files"][0]["unchanged"].as_u64(), again["files"][0]["stored"].as_u64()),
        (Some(4), Some(0)),
        "{again}"
    );

    // An edited row is a new version of the same incident, `created` kept.
    let edited = work.path().join("edited.csv");
    let original = std::fs::read_to_string(test_data("incidents.csv")).expect("read");
    std::fs::write(
        &edited,
        original.replace("Warehouse fire.", "x").replace(",0,\"Industroyer", ",1,\"Industroyer"),
    )
    .expect("write");
    let updated = json(&muninn(&data, &["import", "incidents", "--json", path_str(&edited)]));
    assert_eq!(updated["files"][0]["updated"], 2, "{updated}");

    // Out as STIX: the incidents with their custom properties and links, valid for OASIS.
    let out = work.path().join("incidents.json");
    let exported = muninn(&data, &["export", "stix", "--type", "incident", "--out", path_str(&out)]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("bundle");
    let incidents: Vec<&serde_json::Value> =
        bundle["objects"].as_array().expect("objects").iter().filter(|o| o["type"] == "incident").collect();
    assert_eq!(incidents.len(), 4);
    let grid = incidents.iter().find(|o| o["x_muninn_reference"] == "INC-2016-01").expect("INC-2016-01");
    assert_eq!(grid["x_muninn_casualties"], 1, "the edited version is the latest");
    assert_eq!(grid["x_muninn_country"], "UA");
    // Countries written as an alpha-3 code or an English name are kept as alpha-2.
    let country_of = |reference: &str| {
        incidents.iter().find(|o| o["x_muninn_reference"] == reference).map(|o| o["x_muninn_country"].clone())
    };
    assert_eq!(country_of("INC-2024-11"), Some(serde_json::json!("EE")));
    assert_eq!(country_of("INC-2023-07"), Some(serde_json::json!("UA")));
    assert_eq!(grid["x_muninn_actor"], "Voodoo Bear");
    assert!(
        grid["x_muninn_actor_ref"].as_str().is_some_and(|id| id.starts_with("intrusion-set--")),
        "{grid}"
    );
    assert_eq!(grid["x_muninn_target_refs"].as_array().map(Vec::len), Some(1), "{grid}");
    assert_eq!(
        grid["object_marking_refs"][0], "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "TLP:GREEN"
    );
    assert_eq!(stix2_validator_errors(&out), Vec::<String>::new());

    // A file that is not an incident file is refused whole, naming the problem.
    let cases = [
        ("date,kind\n2024-01-01,x\n", "unknown column \"kind\""),
        ("id,type\n1,x\n", "no \"date\" column"),
        ("date,type,date\n", "column \"date\" appears twice"),
    ];
    for (content, expected) in cases {
        let bad = work.path().join("bad.csv");
        std::fs::write(&bad, content).expect("write");
        let refused = muninn(&data, &["import", "incidents", path_str(&bad)]);
        assert_eq!(refused.status.code(), Some(3));
        assert!(stdout(&refused).contains(expected), "{content:?}: {}", stdout(&refused));
    }
}

#[test]
fn entity_profile_neighbourhood_path_and_communities_from_the_knowledge_base() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    knowledge_base(&data);
    let profile = json(&muninn(&data, &["entity", "profile", "VOODOO  bear", "--json"]));
    let sandworm = &profile["profiles"][0];
    assert_eq!(sandworm["name"], "Sandworm Team", "{profile}");
    assert_eq!(sandworm["aliases"], serde_json::json!(["ELECTRUM", "Voodoo Bear", "IRIDIUM"]));
    let links: Vec<String> = sandworm["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|link| {
            format!(
                "{} {} {}",
                link["direction"].as_str().unwrap_or(""),
                link["label"].as_str().unwrap_or(""),
                link["other"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            "out attributed-to GRU Unit 74455",
            "in attributed-to 2016 Ukraine Electric Power Attack",
            "out targets Ukrenergo",
            "out uses Industroyer",
            "in x_muninn_actor_ref sabotage in Pivnichna substation, 2016-12-17",
        ],
        "{profile}"
    );

    let around = json(&muninn(&data, &["entity", "neighbourhood", "APT28", "--depth", "1", "--json"]));
    let mut names: Vec<&str> =
        around["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "APT28",
            "Ministry of Example Affairs",
            "Ukrenergo",
            "X-Agent",
            "intrusion in Ministry building, 2024-05-01"
        ]
    );

    let path = json(&muninn(&data, &["entity", "path", "X-Agent", "unit 74455", "--json"]));
    let steps: Vec<&str> =
        path["nodes"].as_array().expect("nodes").iter().filter_map(|n| n["name"].as_str()).collect();
    assert_eq!(steps, ["X-Agent", "APT28", "Ukrenergo", "Sandworm Team", "GRU Unit 74455"], "{path}");
    let too_far =
        json(&muninn(&data, &["entity", "path", "X-Agent", "unit 74455", "--depth", "3", "--json"]));
    assert!(too_far["path"].is_null(), "{too_far}");

    // Two groups joined by one edge (APT28 targets Ukrenergo): two communities, every time.
    let communities = json(&muninn(&data, &["entity", "communities", "Ukrenergo", "--depth", "3", "--json"]));
    let groups: Vec<Vec<&str>> = communities["communities"]
        .as_array()
        .expect("communities")
        .iter()
        .map(|group| group.as_array().expect("members").iter().filter_map(|m| m["name"].as_str()).collect())
        .collect();
    assert_eq!(groups.len(), 2, "{communities}");
    assert!(groups[0].contains(&"Sandworm Team") && groups[0].contains(&"Industroyer"), "{groups:?}");
    assert!(groups[1].contains(&"APT28") && groups[1].contains(&"X-Agent"), "{groups:?}");
    let again = json(&muninn(&data, &["entity", "communities", "Ukrenergo", "--depth", "3", "--json"]));
    assert_eq!(again["communities"], communities["communities"], "deterministic");

    // Bad input: each a usage error (exit 2) naming the problem.
    let cases: [(&[&str], &str); 4] = [
        (&["entity", "profile", "Nobody"], "no knowledge-base object named \"Nobody\""),
        (
            &["entity", "neighbourhood", "Ukrenergo", "--type", "malware"],
            "no knowledge-base object of type malware named",
        ),
        (&["entity", "neighbourhood", "APT28", "--depth", "0"], "--depth"),
        (&["entity", "path", "APT28", "Nobody"], "no knowledge-base object named \"Nobody\""),
    ];
    for (args, expected) in cases {
        let refused = muninn(&data, args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
}

#[test]
fn knowledge_base_names_become_a_watchlist_and_gazetteer_entities_in_one_command() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    knowledge_base(&data);
    let made = json(&muninn(
        &data,
        &[
            "watchlist",
            "from-knowledge",
            "--types",
            "intrusion-set,threat-actor",
            "--name",
            "kb-actors",
            "--json",
        ],
    ));
    assert_eq!(made["entries"], 3, "{made}");
    assert_eq!(made["tlp"], "TLP:AMBER+STRICT", "objects without a TLP count as AMBER+STRICT: {made}");
    let list = json(&muninn(&data, &["watchlist", "show", "kb-actors", "--json"]));
    let sandworm = list["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["name"] == "Sandworm Team")
        .expect("entry");
    assert_eq!(sandworm["aliases"], serde_json::json!(["ELECTRUM", "Voodoo Bear", "IRIDIUM"]));

    let gazetteer =
        json(&muninn(&data, &["entities", "from-knowledge", "--types", "intrusion-set,malware", "--json"]));
    assert_eq!(gazetteer["entities"], 4, "{gazetteer}");

    // An item naming an alias: an alert from the list, and the entity found by the index.
    let note = work.path().join("note.jsonl");
    std::fs::write(&note, "{\"title\": \"grid\", \"body\": \"Voodoo Bear used CrashOverride again.\"}\n")
        .expect("write");
    let ingested = muninn(&data, &["ingest", "--source", "desk", "--quiet", path_str(&note)]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));
    let alerts = json(&muninn(&data, &["alerts", "--json"]));
    assert_eq!(alerts["alerts"][0]["alert"]["list"], "kb-actors", "{alerts}");
    assert_eq!(alerts["alerts"][0]["alert"]["matched"], "Voodoo Bear", "{alerts}");
    let mentions = json(&muninn(&data, &["entity", "Industroyer", "--json"]));
    assert_eq!(mentions["count"], 1, "{mentions}");

    for (args, expected) in [
        (
            &["watchlist", "from-knowledge", "--name", "x", "--types", "course-of-action"][..],
            "no named object of type course-of-action",
        ),
        (
            &["watchlist", "from-knowledge", "--name", "x", "--types", "Threat Actor"][..],
            "not a STIX type name",
        ),
    ] {
        let refused = muninn(&data, args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(expected), "{args:?}");
    }
}

/// `muninn import galaxy`: MISP threat-actor clusters become intrusion sets with their synonyms
/// as aliases, linked to the stored objects they name; a re-import stores nothing new, a changed
/// cluster becomes a new version that keeps `created`; the export passes the OASIS validator.
#[test]
fn a_threat_actor_galaxy_becomes_intrusion_sets_linked_to_the_knowledge_base() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let galaxy_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/gazetteer-threat-actors.json");
    let original = std::fs::read_to_string(&galaxy_path).expect("read");
    // A related cluster that the knowledge base holds (an intrusion set of kb.json, by UUID).
    let kb: serde_json::Value =
        serde_json::from_slice(&std::fs::read(test_data("kb.json")).expect("kb")).expect("kb");
    let stored_set = kb["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .find(|o| o["type"] == "intrusion-set")
        .and_then(|o| o["id"].as_str())
        .expect("an intrusion set in kb.json")
        .to_owned();
    let mut galaxy: serde_json::Value = serde_json::from_str(&original).expect("galaxy");
    galaxy["values"][0]["related"] = serde_json::json!([
        {"dest-uuid": stored_set.trim_start_matches("intrusion-set--"), "type": "similar",
         "tags": ["estimative-language:likelihood-probability=\"likely\""]},
        {"dest-uuid": "00000000-0000-4000-8000-00000000abcd", "type": "similar"}
    ]);
    let file = work.path().join("threat-actor.json");
    std::fs::write(&file, serde_json::to_vec(&galaxy).expect("json")).expect("write");
    assert!(muninn(&data, &["import", "stix", path_str(&test_data("kb.json"))]).status.success());

    let first = json(&muninn(&data, &["import", "galaxy", "--json", path_str(&file)]));
    assert_eq!(first["files"][0]["stored"], 16, "15 intrusion sets and one link: {first}");
    assert_eq!(first["files"][0]["links"], 1, "{first}");
    let again = json(&muninn(&data, &["import", "galaxy", "--json", path_str(&file)]));
    assert_eq!(again["files"][0]["stored"], 0, "{again}");
    assert_eq!(again["files"][0]["unchanged"], 16, "{again}");

    galaxy["values"][1]["meta"]["synonyms"].as_array_mut().expect("synonyms").push("Made-up Alias".into());
    std::fs::write(&file, serde_json::to_vec(&galaxy).expect("json")).expect("write");
    let changed = json(&muninn(&data, &["import", "galaxy", "--json", path_str(&file)]));
    assert_eq!(changed["files"][0]["updated"], 1, "{changed}");
    assert_eq!(changed["files"][0]["unchanged"], 15, "{changed}");

    let out = work.path().join("sets.json");
    let exported = muninn(
        &data,
        &["export", "stix", "--type", "intrusion-set", "--type", "relationship", "--out", path_str(&out)],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("bundle");
    let objects = bundle["objects"].as_array().expect("objects");
    let name = galaxy["values"][1]["value"].as_str().expect("name");
    let changed_set = objects.iter().find(|o| o["name"] == name).expect("the changed cluster");
    assert!(changed_set["aliases"].to_string().contains("Made-up Alias"), "{changed_set}");
    assert_ne!(changed_set["created"], changed_set["modified"], "a new version keeps created");
    assert!(
        objects.iter().any(|o| o["type"] == "relationship" && o["target_ref"] == stored_set.as_str()),
        "the link to the stored intrusion set"
    );
    assert_eq!(stix2_validator_errors(&out), Vec::<String>::new());

    // Not a galaxy of actors: refused whole, naming the problem.
    let sectors = work.path().join("sector.json");
    std::fs::write(&sectors, r#"{"name": "Sector", "type": "sector", "values": []}"#).expect("write");
    let refused = muninn(&data, &["import", "galaxy", path_str(&sectors)]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(stdout(&refused).contains("not a threat-actor or intrusion-set galaxy"), "{}", stdout(&refused));
}

#[test]
fn entity_profile_shows_the_timeline_of_mentions_and_the_incidents_of_the_object() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    knowledge_base(&data);
    let made = muninn(&data, &["entities", "from-knowledge", "--types", "intrusion-set,identity", "--json"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    // Three items name Sandworm Team (by name or alias) over two ISO weeks; one names nobody.
    let notes = work.path().join("notes.jsonl");
    std::fs::write(
        &notes,
        [
            r#"{"title": "a", "body": "Voodoo Bear again.", "date": "2024-03-04T10:00:00Z"}"#,
            r#"{"title": "b", "body": "Sandworm Team at it.", "date": "2024-03-06T10:00:00Z"}"#,
            r#"{"title": "c", "body": "ELECTRUM seen.", "date": "2024-03-11T10:00:00Z"}"#,
            r#"{"title": "d", "body": "Nothing here.", "date": "2024-03-12T10:00:00Z"}"#,
        ]
        .join("\n"),
    )
    .expect("write");
    let ingested = muninn(&data, &["ingest", "--source", "desk", "--quiet", path_str(&notes)]);
    assert!(ingested.status.success(), "{}", String::from_utf8_lossy(&ingested.stderr));

    let profile = json(&muninn(&data, &["entity", "profile", "voodoo bear", "--json"]));
    let sandworm = &profile["profiles"][0];
    assert_eq!(
        sandworm["timeline"],
        serde_json::json!({
            "entity": "Sandworm Team", "items": 3,
            "days": [{"day": "2024-03-04", "count": 1}, {"day": "2024-03-06", "count": 1}, {"day": "2024-03-11", "count": 1}],
            "weeks": [{"week": "2024-03-04", "count": 2}, {"week": "2024-03-11", "count": 1}],
        }),
        "{profile}"
    );
    // Each object and the incidents it is in: by the reference the import resolved (actor,
    // target) or by the name as recorded.
    let cases = [
        ("Sandworm Team", vec!["INC-2016-01 actor UA"]),
        ("Ukrenergo", vec!["INC-2016-01 target UA"]),
        ("APT28", vec!["INC-2024-11 actor EE"]),
        ("Ministry of Example Affairs", vec!["INC-2024-11 target EE"]),
        ("X-Agent", vec![]),
    ];
    for (name, expected) in cases {
        let profile = json(&muninn(&data, &["entity", "profile", name, "--json"]));
        let incidents: Vec<String> = profile["profiles"][0]["incidents"]
            .as_array()
            .expect("incidents")
            .iter()
            .map(|i| {
                format!(
                    "{} {} {}",
                    i["reference"].as_str().unwrap_or(""),
                    i["role"].as_str().unwrap_or(""),
                    i["country"].as_str().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(incidents, expected, "{name}: {profile}");
    }
    // As text: the weeks, the incidents; an object the gazetteer does not list says so.
    let text = stdout(&muninn(&data, &["entity", "profile", "Sandworm Team"]));
    for line in [
        "  mentions (entity:\"Sandworm Team\"): 3 item(s) on 3 day(s), by week:",
        "    2024-03-04      2 ########################################",
        "    2024-03-11      1 ####################",
        "  1 incident(s)",
        "    2016-12-17 sabotage in Pivnichna substation, 2016-12-17 [UA] (actor, incident--",
    ] {
        assert!(text.contains(line), "{line:?} missing in\n{text}");
    }
    let malware = stdout(&muninn(&data, &["entity", "profile", "X-Agent"]));
    assert!(malware.contains("  mentions: not in the gazetteer"), "{malware}");
}

/// The generator's partner files are what partners send: every STIX bundle passes the OASIS
/// validator with no error and every MISP event loads in PyMISP with its attributes and TLP tag;
/// ingest makes an item of each report and event, and the reused indicator is among them.
#[test]
fn generated_partner_bundles_pass_the_official_checkers_and_ingest_as_items() {
    const SCRIPT: &str = r#"
import glob, json, sys
from stix2validator import ValidationOptions, validate_file
from pymisp import MISPEvent
errors, events = [], []
for path in sorted(glob.glob(sys.argv[1] + "/stix/*.json")):
    result = validate_file(path, ValidationOptions(version="2.1"))
    if result.fatal is not None:
        errors.append(path + ": fatal: " + str(result.fatal.message))
    for item in result.object_results:
        errors.extend(path + ": " + str(getattr(e, "message", e)) for e in item.errors)
for path in sorted(glob.glob(sys.argv[1] + "/misp/*.json")):
    event = MISPEvent()
    event.load_file(path)
    events.append({"attributes": len(event.attributes), "tags": [t.name for t in event.tags]})
print(json.dumps({"errors": errors, "events": events}))
"#;
    let work = tempfile::tempdir().expect("tempdir");
    let flow = work.path().join("flow");
    let generated = muninn(
        &work.path().join("unused"),
        &["exercise", "generate", "--scenario", "demo", "--seed", "7", "--out", path_str(&flow)],
    );
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    muninn_testkit::python_with("stix2validator", "stix2-validator==3.3.2");
    let python = muninn_testkit::python_with("pymisp", "pymisp==2.5.34.4");
    let output = std::process::Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(flow.join("partners"))
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let checked: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(checked["errors"], serde_json::json!([]), "validator errors");
    let events = checked["events"].as_array().expect("events");
    assert_eq!(events.len(), 8);
    for event in events {
        assert!(event["attributes"].as_u64().expect("attributes") >= 3, "{event}");
        assert!(event["tags"][0].as_str().is_some_and(|tag| tag.starts_with("tlp:")), "{event}");
    }

    let data = work.path().join("data");
    let ingested =
        json(&muninn(&data, &["ingest", "--json", "--source", "partners", path_str(&flow.join("partners"))]));
    assert_eq!(ingested["stored"], 20, "12 reports and 8 events: {ingested}");
    assert_eq!(ingested["rejected"], 0, "{ingested}");
    let found = json(&muninn(&data, &["search", "indicator:198.51.100.77", "--json"]));
    assert_eq!(found["total"], 2, "the reused indicator in one bundle and one event: {found}");
}

/// `muninn import sanctions`: the UN consolidated list and the OFAC SDN list become identities
/// (individual or organization by the list's own classification) with their other names; a
/// re-import stores nothing new; the export passes the OASIS validator; the identities become a
/// watchlist in one command, and their aliases screen.
#[test]
fn sanctions_lists_become_identities_that_screen_by_any_name() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../screen/test_data/import");
    let un = samples.join("un-consolidated.xml");
    let first = json(&muninn(&data, &["import", "sanctions", "--format", "un", "--json", path_str(&un)]));
    let stored = first["stored"].as_u64().expect("stored");
    assert!(stored >= 8, "{first}");
    let again = json(&muninn(&data, &["import", "sanctions", "--format", "un", "--json", path_str(&un)]));
    assert_eq!(again["stored"], 0, "{again}");
    assert_eq!(again["unchanged"].as_u64(), Some(stored), "{again}");
    let ofac = json(&muninn(
        &data,
        &[
            "import",
            "sanctions",
            "--format",
            "ofac",
            "--alt",
            path_str(&samples.join("ofac-alt.csv")),
            "--json",
            path_str(&samples.join("ofac-sdn.csv")),
        ],
    ));
    assert!(ofac["stored"].as_u64().expect("stored") >= 10, "{ofac}");

    let out = work.path().join("identities.json");
    let exported = muninn(&data, &["export", "stix", "--type", "identity", "--out", path_str(&out)]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("bundle");
    let identities = bundle["objects"].as_array().expect("objects");
    let nasrallah = identities.iter().find(|o| o["name"] == "Hasan NASRALLAH").expect("an OFAC individual");
    assert_eq!(nasrallah["identity_class"], "individual");
    let bank = identities.iter().find(|o| o["name"] == "BANCO NACIONAL DE CUBA").expect("an OFAC entity");
    assert_eq!(bank["identity_class"], "organization");
    assert!(bank["x_muninn_aliases"].to_string().contains("NATIONAL BANK OF CUBA"), "{bank}");
    let classes: std::collections::BTreeSet<&str> = identities
        .iter()
        .filter(|o| o["external_references"][0]["source_name"] == "UN Security Council consolidated list")
        .filter_map(|o| o["identity_class"].as_str())
        .collect();
    assert!(classes.contains("individual") && classes.contains("organization"), "{classes:?}");
    assert_eq!(stix2_validator_errors(&out), Vec::<String>::new());

    let listed = muninn(
        &data,
        &["watchlist", "from-knowledge", "--name", "sanctions", "--types", "identity", "--json"],
    );
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(json(&listed)["entries"].as_u64().expect("entries") >= 18);
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"wire\", \"body\": \"Payments routed through the National Bank of Cuba in Havana.\"}\n",
    )
    .expect("write");
    let ingested = json(&muninn(&data, &["ingest", "--json", "--source", "desk", path_str(&input)]));
    assert_eq!(ingested["alerts"], 1, "the alias screens: {ingested}");
}

/// `muninn export stix --around NAME --depth N` exports an object's neighbourhood (objects and
/// the relationships between them) and `--query` the indicators of what a search finds; both
/// pass the OASIS validator.
#[test]
fn exports_by_neighbourhood_and_by_query_pass_the_validator() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    assert!(muninn(&data, &["import", "stix", path_str(&test_data("kb.json"))]).status.success());
    let out = work.path().join("around.json");
    let exported = muninn(
        &data,
        &["export", "stix", "--around", "Sandworm Team", "--depth", "1", "--out", path_str(&out)],
    );
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("bundle");
    let mut names: Vec<&str> =
        bundle["objects"].as_array().expect("objects").iter().filter_map(|o| o["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["2016 Ukraine Electric Power Attack", "GRU Unit 74455", "Industroyer", "Sandworm Team", "Ukrenergo"]
    );
    let relationships =
        bundle["objects"].as_array().expect("objects").iter().filter(|o| o["type"] == "relationship").count();
    assert_eq!(
        relationships, 4,
        "the four edges of Sandworm Team, not those between its neighbours beyond depth 1: {bundle}"
    );
    assert_eq!(stix2_validator_errors(&out), Vec::<String>::new());

    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"C2 seen\", \"body\": \"Beacons to 198.51.100.23 and evil-update.example.\", \"tlp\": \"green\"}\n",
    )
    .expect("write");
    assert!(muninn(&data, &["ingest", "--source", "desk", path_str(&input)]).status.success());
    let out = work.path().join("query.json");
    let exported = muninn(&data, &["export", "stix", "--query", "beacons", "--out", path_str(&out)]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(text.contains("198.51.100.23") && text.contains("evil-update.example"), "{text}");
    assert!(
        text.contains("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
        "marked TLP:GREEN: {text}"
    );
    assert_eq!(stix2_validator_errors(&out), Vec::<String>::new());
    let refused = muninn(&data, &["export", "stix", "--around", "No Such Thing"]);
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
}

/// Entity resolution: the knowledge base's APT28 and the MISP galaxy's are suggested as one
/// (same name); an accepted assertion merges them in the profile and stops the suggestion, a
/// rejection only stops it, and withdrawing the acceptance restores the profile exactly.
#[test]
fn duplicates_are_suggested_decided_and_undone_without_touching_the_objects() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let galaxy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/gazetteer-threat-actors.json");
    assert!(muninn(&data, &["import", "stix", path_str(&test_data("kb.json"))]).status.success());
    assert!(muninn(&data, &["import", "galaxy", path_str(&galaxy)]).status.success());
    let suggestions = || json(&muninn(&data, &["entity", "duplicates", "--json", "--limit", "100"]));
    let pair_of = |found: &serde_json::Value, name: &str| -> Option<(String, String, String)> {
        found["suggestions"].as_array().expect("suggestions").iter().find_map(|s| {
            (s["a_name"] == name || s["b_name"] == name).then(|| {
                (
                    s["a"].as_str().unwrap_or("").to_owned(),
                    s["b"].as_str().unwrap_or("").to_owned(),
                    s["method"].as_str().unwrap_or("").to_owned(),
                )
            })
        })
    };
    let before = suggestions();
    let (a, b, method) = pair_of(&before, "APT28").expect("APT28 suggested");
    assert_eq!(method, "same name");
    let (sandworm_a, sandworm_b, _) = pair_of(&before, "Sandworm Team").expect("Sandworm suggested");
    let profile = |id: &str| json(&muninn(&data, &["entity", "profile", id, "--json"]));
    let alone = profile(&a);
    assert_eq!(alone["profiles"][0]["same_as"], serde_json::json!([]));

    let accepted = json(&muninn(&data, &["entity", "same-as", &a, &b, "--note", "one group", "--json"]));
    assert_eq!(accepted["verdict"], "accepted");
    assert_eq!(accepted["method"], "same name");
    let merged = profile(&a);
    assert_eq!(merged["profiles"][0]["same_as"][0]["id"], b.as_str(), "{merged}");
    let suggested = |found: &serde_json::Value, x: &str, y: &str| {
        found["suggestions"].as_array().expect("suggestions").iter().any(|s| s["a"] == x && s["b"] == y)
    };
    assert!(!suggested(&suggestions(), &a, &b), "a decided pair is not suggested again");

    let rejected = muninn(&data, &["entity", "same-as", &sandworm_a, &sandworm_b, "--reject"]);
    assert!(rejected.status.success(), "{}", String::from_utf8_lossy(&rejected.stderr));
    assert!(!suggested(&suggestions(), &sandworm_a, &sandworm_b));
    assert_eq!(
        profile(&sandworm_a)["profiles"][0]["same_as"],
        serde_json::json!([]),
        "a rejection merges nothing"
    );

    let undone = muninn(&data, &["entity", "same-as", &a, &b, "--undo"]);
    assert!(undone.status.success(), "{}", String::from_utf8_lossy(&undone.stderr));
    assert_eq!(profile(&a), alone, "withdrawing the assertion restores the profile exactly");
    assert!(suggested(&suggestions(), &a, &b), "and the pair is suggested again");
    let again = muninn(&data, &["entity", "same-as", &a, &b, "--undo"]);
    assert_eq!(again.status.code(), Some(2), "nothing left to withdraw");
}
