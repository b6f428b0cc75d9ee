//! Export: bundles that the OASIS validator accepts with zero errors, and that import back to
//! the same objects (lossless round trip).

use muninn_stix::{ImportConfig, NoObjects, ObjectSet, Outcome, StixObject, export_bundle, import_bundle};

use crate::validator::validate;
use crate::{check_golden, import};

fn write_export(name: &str, json: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, json).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

#[test]
fn attack_subset_round_trips_and_passes_the_oasis_validator() {
    let mut set = ObjectSet::new();
    set.apply(&import("attack-subset.json", &NoObjects));
    let objects = set.latest();
    let exported = export_bundle(&objects, &set, [7; 16]);
    assert_eq!((exported.object_count, exported.missing_markings.len()), (108, 0));
    assert_eq!(exported.id.as_str(), "bundle--07070707-0707-4707-8707-070707070707");

    let path = write_export("attack-subset-export.json", &exported.json);
    let verdict = validate(&path);
    eprintln!(
        "stix2-validator on the ATT&CK subset export: {} errors, {} warnings",
        verdict.errors.len(),
        verdict.warnings
    );
    assert_eq!(verdict.errors, Vec::<String>::new());

    let back = import_bundle(exported.json.as_bytes(), &NoObjects, &ImportConfig::default())
        .expect("our own export");
    assert_eq!(back.counts().stored, 108);
    for (original, again) in objects.iter().zip(back.accepted()) {
        assert_eq!(original.id(), again.id());
        let left: serde_json::Value = serde_json::from_str(original.json()).expect("json");
        let right: serde_json::Value = serde_json::from_str(again.json()).expect("json");
        assert_eq!(left, right, "{} changed in the round trip", original.id());
    }
}

#[test]
fn exports_carry_the_marking_definitions_they_reference() {
    let bundle = br#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
        {"type":"marking-definition","spec_version":"2.1","id":"marking-definition--12345678-1234-4234-8234-123456789012","created":"2024-01-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright Example"}},
        {"type":"identity","spec_version":"2.1","id":"identity--11111111-1111-4111-8111-111111111111","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Example","identity_class":"organization","object_marking_refs":["marking-definition--12345678-1234-4234-8234-123456789012","marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"]},
        {"type":"indicator","spec_version":"2.1","id":"indicator--22222222-2222-4222-8222-222222222222","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","created_by_ref":"identity--11111111-1111-4111-8111-111111111111","object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"],"granular_markings":[{"marking_ref":"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1","selectors":["pattern"]}]},
        {"type":"relationship","spec_version":"2.1","id":"relationship--33333333-3333-4333-8333-333333333333","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--22222222-2222-4222-8222-222222222222","target_ref":"identity--11111111-1111-4111-8111-111111111111"},
        {"type":"sighting","spec_version":"2.1","id":"sighting--44444444-4444-4444-8444-444444444444","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","sighting_of_ref":"indicator--22222222-2222-4222-8222-222222222222","where_sighted_refs":["identity--11111111-1111-4111-8111-111111111111"]},
        {"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--55555555-5555-4555-8555-555555555555","value":"198.51.100.7"},
        {"type":"file","spec_version":"2.1","id":"file--66666666-6666-4666-8666-666666666666","hashes":{"SHA-256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},"name":"empty"},
        {"type":"domain-name","spec_version":"2.1","id":"domain-name--77777777-7777-4777-8777-777777777777","value":"example.org","resolves_to_refs":["ipv4-addr--55555555-5555-4555-8555-555555555555"]}
    ]}"#;
    let report = import_bundle(bundle, &NoObjects, &ImportConfig::default()).expect("a bundle");
    assert!(report.objects.iter().all(|r| matches!(r.outcome, Outcome::Stored(_))), "{report}");
    let mut set = ObjectSet::new();
    set.apply(&report);
    let identity = set.get("identity--11111111-1111-4111-8111-111111111111").expect("identity");
    let indicator = set.get("indicator--22222222-2222-4222-8222-222222222222").expect("indicator");
    let chosen: Vec<&StixObject> = vec![indicator, identity];
    let exported = export_bundle(&chosen, &set, [1; 16]);
    let ids: Vec<String> =
        serde_json::from_str::<serde_json::Value>(&exported.json).expect("json")["objects"]
            .as_array()
            .expect("objects")
            .iter()
            .map(|o| o["id"].as_str().unwrap_or_default().to_owned())
            .collect();
    check_golden("export-markings", &format!("{}\n", ids.join("\n")));
    let verdict = validate(&write_export("export-markings.json", &exported.json));
    assert_eq!(verdict.errors, Vec::<String>::new());

    let everything = set.latest();
    let all = export_bundle(&everything, &set, [2; 16]);
    let verdict = validate(&write_export("export-all-types.json", &all.json));
    assert_eq!(verdict.errors, Vec::<String>::new());
}

#[test]
fn the_validator_really_runs_and_reports_errors() {
    let broken = r#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
        {"type":"indicator","spec_version":"2.1","id":"indicator--22222222-2222-4222-8222-222222222222","created":"yesterday","modified":"2024-01-01T00:00:00.000Z","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}
    ]}"#;
    let verdict = validate(&write_export("broken.json", broken));
    assert!(!verdict.errors.is_empty(), "the validator accepted a broken bundle: {verdict:?}");
}
