//! Import: the ATT&CK subset, and one bad bundle per bad-input case, each with a golden report.

use muninn_stix::{
    ImportConfig, NoObjects, ObjectClass, ObjectSet, Outcome, StixError, documents, import_bundle,
};

use crate::{check_golden, import, read, test_data};

#[test]
fn attack_subset_imports_whole_with_revoked_deprecated_and_custom_objects() {
    let report = import("attack-subset.json", &NoObjects);
    let counts = report.counts();
    assert_eq!((counts.stored, counts.rejected, counts.duplicate), (108, 0, 0), "{report}");
    check_golden("attack-subset-import", &report.to_string());
    let mut set = ObjectSet::new();
    set.apply(&report);
    let revoked: Vec<&str> =
        set.latest().into_iter().filter(|o| o.revoked()).map(|o| o.object_type()).collect();
    let deprecated = set.latest().into_iter().filter(|o| o.deprecated()).count();
    let custom = set.latest().into_iter().filter(|o| o.class() == ObjectClass::Custom).count();
    assert_eq!((revoked, deprecated, custom), (vec!["attack-pattern"], 2, 19));
    let apt28 =
        set.get("intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c").expect("APT28 is in the subset");
    assert_eq!(apt28.name(), Some("APT28"));
    assert_eq!(apt28.external_references()[0].external_id.as_deref(), Some("G0007"));
    assert_eq!(
        apt28.created_by_ref().map(|id| id.as_str()),
        Some("identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5")
    );

    let again = import("attack-subset.json", &set);
    assert_eq!(again.counts().duplicate, 108, "{again}");
}

#[test]
fn bad_bundles_reject_the_bad_objects_and_keep_the_good_ones() {
    let mut names: Vec<String> = std::fs::read_dir(test_data().join("bad"))
        .expect("test_data/bad")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    for name in names {
        let bytes = read(&format!("bad/{name}"));
        let actual = match import_bundle(&bytes, &NoObjects, &ImportConfig::default()) {
            Ok(report) => {
                let good = &report.objects[0];
                assert!(
                    matches!(good.outcome, Outcome::Stored(_)),
                    "{name}: the valid object was not stored"
                );
                report.to_string()
            }
            Err(error) => format!("bundle refused: {error}\n"),
        };
        check_golden(&format!("bad-{}", name.trim_end_matches(".json")), &actual);
    }
}

#[test]
fn a_known_version_decides_duplicates_conflicts_and_downgrades() {
    let mut set = ObjectSet::new();
    let first = import("bad/marking-downgrade.json", &NoObjects);
    set.apply(&first);
    let actor = "threat-actor--99999999-9999-4999-8999-999999999991";
    let versions: Vec<String> =
        set.versions(actor).map(|o| o.modified().map(|m| m.to_string()).unwrap_or_default()).collect();
    assert_eq!(
        versions,
        ["2023-12-31T00:00:00.000Z", "2024-01-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"]
    );
    assert_eq!(set.get(actor).and_then(|o| o.name()), Some("Actor, new alias"));

    let downgrade = br#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000002","objects":[
        {"type":"threat-actor","spec_version":"2.1","id":"threat-actor--99999999-9999-4999-8999-999999999991","created":"2024-01-01T00:00:00Z","modified":"2024-05-01T00:00:00Z","name":"Actor","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type":"threat-actor","spec_version":"2.1","id":"threat-actor--99999999-9999-4999-8999-999999999991","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z","name":"Actor, edited in place","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]},
        {"type":"threat-actor","spec_version":"2.1","id":"threat-actor--99999999-9999-4999-8999-999999999991","created":"2024-01-01T00:00:00Z","modified":"2024-05-01T00:00:00Z","name":"Actor, stricter","object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}
    ]}"#;
    let report = import_bundle(downgrade, &set, &ImportConfig::default()).expect("a bundle");
    check_golden("known-versions", &report.to_string());
    let keys: Vec<String> =
        documents(&report).into_iter().map(|d| format!("{} {}", d.table, d.key)).collect();
    assert_eq!(
        keys,
        [
            "stix_object threat-actor--99999999-9999-4999-8999-999999999991",
            "stix_version threat-actor--99999999-9999-4999-8999-999999999991|2024-05-01T00:00:00.000000000Z",
        ]
    );
}

#[test]
fn bundle_level_failures_refuse_the_whole_bundle() {
    let cases: [(&[u8], &str); 7] = [
        (b"", "malformed bundle: EOF while parsing a value at line 1 column 0"),
        (b"[]", "malformed bundle: invalid type: sequence, expected a STIX bundle object at line 1 column 0"),
        (br#"{"type":"report","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[]}"#, "malformed bundle: \"type\" is not \"bundle\" at line 1 column 82"),
        (br#"{"type":"bundle","objects":[]}"#, "malformed bundle: the bundle has no \"id\" at line 1 column 30"),
        (br#"{"type":"bundle","id":"bundle--x","objects":[]}"#, "malformed bundle: invalid bundle id \"bundle--x\" at line 1 column 47"),
        (br#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":{}}"#, "malformed bundle: invalid type: map, expected an array of objects at line 1 column 79"),
        (b"{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000001\",\"objects\":[\"\xff\"]}", "malformed bundle: invalid unicode code point at line 1 column 82"),
    ];
    let actual: Vec<String> = cases
        .iter()
        .map(|(bytes, _)| match import_bundle(bytes, &NoObjects, &ImportConfig::default()) {
            Ok(report) => format!("accepted: {report}"),
            Err(error) => error.to_string(),
        })
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, expected)| *expected).collect();
    assert_eq!(actual, expected);
    let two = br#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[{}, {}]}"#;
    let config = ImportConfig { max_objects: 1, ..ImportConfig::default() };
    assert_eq!(
        import_bundle(two, &NoObjects, &config).map(|r| r.to_string()),
        Err(StixError::TooManyObjects { limit: 1 })
    );
}
