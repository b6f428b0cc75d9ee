//! MISP events in and out: the mapping to STIX passes Muninn's STIX import and the OASIS
//! validator; the export loads in PyMISP; bad input gets a clear error.

use std::path::PathBuf;
use std::process::Command;

use muninn_misp::{ExportAttribute, export_event, parse_event, to_stix};
use muninn_model::Tlp;

const EVENT: &[u8] = include_bytes!("../../test_data/event.json");

#[test]
fn an_event_maps_to_a_report_indicators_and_an_item() {
    let event = parse_event(EVENT).expect("event");
    let mapping = to_stix(&event);
    assert_eq!(mapping.tlp, Some(Tlp::Amber));
    assert_eq!(mapping.indicators, 4, "ip, domain, sha256, filename|md5");
    let types: Vec<&str> = mapping.objects.iter().filter_map(|o| o["type"].as_str()).collect();
    for wanted in ["identity", "indicator", "vulnerability", "intrusion-set", "sighting", "report"] {
        assert!(types.contains(&wanted), "{wanted} missing from {types:?}");
    }
    let report = mapping.objects.last().expect("report");
    assert_eq!(report["name"], event.info);
    assert_eq!(report["object_refs"].as_array().map(Vec::len), Some(mapping.objects.len() - 1));
    assert_eq!(report["object_marking_refs"][0], Tlp::Amber.stix_marking_id());
    let set = mapping.objects.iter().find(|o| o["type"] == "intrusion-set").expect("set");
    assert_eq!(set["aliases"], serde_json::json!(["Voodoo Bear", "IRIDIUM"]));
    assert!(mapping.body.contains("ip-dst: 198.51.100.23 (C2 server)"), "{}", mapping.body);
    assert!(mapping.body.contains("threat-actor: Sandworm"));
    // Every object passes Muninn's own STIX checks.
    let bundle = serde_json::json!({"type": "bundle", "id": "bundle--0b6e4c1f-2a9d-4e3b-8f7a-6c5d4e3f2a1c", "objects": mapping.objects});
    let report = muninn_stix::import_bundle(
        bundle.to_string().as_bytes(),
        &muninn_stix::NoObjects,
        &Default::default(),
    )
    .expect("bundle");
    let rejected: Vec<String> = report
        .objects
        .iter()
        .filter(|o| matches!(o.outcome, muninn_stix::Outcome::Rejected(_)))
        .map(|o| format!("{o:?}"))
        .collect();
    assert!(rejected.is_empty(), "{rejected:?}");
}

#[test]
fn bad_events_get_clear_errors() {
    let cases: [(&[u8], &str); 7] = [
        (b"{\"Event\": {\"uuid\": \"x\", \"info\": ", "EOF"),
        // Found by the fuzz target: a date that is not one became an impossible `published`.
        (b"{\"Event\": {\"uuid\": \"a\", \"info\": \"x\", \"date\": \"$026-03-14\"}}", "not a calendar date"),
        (b"{\"Event\": {\"uuid\": \"a\", \"info\": \"x\", \"date\": \"2026-02-30\"}}", "not a calendar date"),
        (b"{\"Event\": {\"uuid\": \"a\", \"uuid\": \"b\", \"info\": \"x\"}}", "duplicate field"),
        (b"{\"Event\": {\"uuid\": \"\", \"info\": \"x\"}}", "uuid"),
        (
            b"{\"Event\": {\"uuid\": \"a\", \"info\": \"x\", \"Attribute\": [{\"type\": \"ip-dst\"}]}}",
            "missing field `value`",
        ),
        (b"\xff\xfe", "UTF-8"),
    ];
    for (input, expected) in cases {
        let error = parse_event(input).expect_err("refused").to_string();
        assert!(error.contains(expected), "{error:?} should mention {expected:?}");
    }
}

/// The Python with PyMISP and the STIX validator (`cargo xtask test` gives it in MUNINN_PYTHON).
fn python() -> PathBuf {
    muninn_testkit::python_with("stix2validator", "stix2-validator==3.3.2");
    muninn_testkit::python_with("pymisp", "pymisp==2.5.34.4")
}

#[test]
fn the_stix_of_an_event_passes_the_oasis_validator() {
    let mapping = to_stix(&parse_event(EVENT).expect("event"));
    let bundle = serde_json::json!({"type": "bundle", "id": "bundle--0b6e4c1f-2a9d-4e3b-8f7a-6c5d4e3f2a1c", "objects": mapping.objects});
    let dir = tempfile_dir();
    let path = dir.path().join("bundle.json");
    std::fs::write(&path, bundle.to_string()).expect("write");
    let script = "import sys, json\nfrom stix2validator import validate_file, ValidationOptions\nr = validate_file(sys.argv[1], ValidationOptions(version='2.1'))\nprint(json.dumps({'valid': r.is_valid, 'errors': [str(e) for o in r.object_results for e in o.errors]}))";
    let output = Command::new(python()).args(["-c", script]).arg(&path).output().expect("python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).expect("verdict");
    assert_eq!(verdict["errors"], serde_json::json!([]), "{verdict}");
    assert_eq!(verdict["valid"], true);
}

#[test]
fn an_export_loads_in_pymisp_with_its_attributes_and_tlp() {
    let attributes = [
        ("ipv4", "198.51.100.23"),
        ("domain", "update-check.example"),
        ("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
        ("cve", "CVE-2023-38831"),
    ];
    let attributes: Vec<ExportAttribute> = attributes
        .iter()
        .enumerate()
        .map(|(n, (kind, value))| {
            let (misp_type, category) = ExportAttribute::misp_type_of(kind).expect("type");
            ExportAttribute {
                uuid: format!("1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c{n:02}"),
                kind: misp_type,
                category,
                value: (*value).to_owned(),
                to_ids: *kind != "cve",
                comment: "found in item 0123".to_owned(),
            }
        })
        .collect();
    let event = export_event(
        "5f3c2a1e-8b7d-4c6a-9e21-0d4b8f6a7c31",
        "Muninn export",
        "2026-03-14",
        Tlp::AmberStrict,
        &attributes,
    );
    let dir = tempfile_dir();
    let path = dir.path().join("event.json");
    std::fs::write(&path, event.to_string()).expect("write");
    let script = "import sys, json\nfrom pymisp import MISPEvent\ne = MISPEvent()\ne.load_file(sys.argv[1])\nprint(json.dumps({'info': e.info, 'attributes': [[a.type, a.value, bool(a.to_ids)] for a in e.attributes], 'tags': [t.name for t in e.tags]}))";
    let output = Command::new(python()).args(["-c", script]).arg(&path).output().expect("python");
    assert!(
        output.status.success(),
        "PyMISP refused the export: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let loaded: serde_json::Value = serde_json::from_slice(&output.stdout).expect("loaded");
    assert_eq!(loaded["info"], "Muninn export");
    assert_eq!(loaded["tags"], serde_json::json!(["tlp:amber+strict"]));
    assert_eq!(loaded["attributes"].as_array().map(Vec::len), Some(4), "{loaded}");
    assert_eq!(loaded["attributes"][0], serde_json::json!(["ip-dst", "198.51.100.23", true]));
    // And what Muninn exports, Muninn reads back.
    let back = parse_event(event.to_string().as_bytes()).expect("round trip");
    assert_eq!(back.attributes.len(), 4);
}

/// A temporary directory removed when the returned guard drops.
fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// An event with `extra` fields in its `Event` object.
fn event_with(extra: &str) -> Vec<u8> {
    format!(
        "{{\"Event\": {{\"uuid\": \"5b3c2d1e-0f9a-4b8c-8d7e-6f5a4b3c2d1e\", \"info\": \"sharing test\", \
         \"Tag\": [{{\"name\": \"tlp:clear\"}}]{extra}}}}}"
    )
    .into_bytes()
}

/// MISP import abuse (security reference, bad input 19): a distribution or sharing group that
/// cannot be honoured here keeps the event inside the importing organisation (AMBER+STRICT at
/// least, never wider than the tags say), with a typed finding per event, object or attribute.
#[test]
fn sharing_that_cannot_be_honoured_is_quarantined_and_reported_per_attribute() {
    let attribute = |distribution: &str, group: &str| {
        format!(
            "{{\"uuid\": \"a1a1a1a1-0000-4000-8000-000000000001\", \"type\": \"ip-dst\", \"value\": \"198.51.100.1\", \
             \"to_ids\": true, \"distribution\": {distribution}, \"sharing_group_id\": {group}}}"
        )
    };
    // (fields, the TLP the import gets, its findings)
    let cases: Vec<(String, Tlp, Vec<&str>)> = vec![
        (", \"distribution\": \"3\"".to_owned(), Tlp::Clear, vec![]),
        (", \"distribution\": 1".to_owned(), Tlp::Clear, vec![]),
        (
            ", \"distribution\": \"0\"".to_owned(),
            Tlp::AmberStrict,
            vec![
                "the event: distribution 0 (your organisation only): kept inside the importing organisation",
            ],
        ),
        (
            ", \"distribution\": \"4\", \"sharing_group_id\": \"1\"".to_owned(),
            Tlp::AmberStrict,
            vec!["the event: sharing group \"1\" is not known here: kept inside the importing organisation"],
        ),
        (
            ", \"distribution\": \"4\", \"sharing_group_id\": 17".to_owned(),
            Tlp::AmberStrict,
            vec!["the event: sharing group \"17\" is not known here: kept inside the importing organisation"],
        ),
        (
            ", \"distribution\": \"9\"".to_owned(),
            Tlp::AmberStrict,
            vec!["the event: distribution \"9\" is not understood: kept inside the importing organisation"],
        ),
        (
            format!(", \"distribution\": \"3\", \"Attribute\": [{}]", attribute("\"4\"", "\"99\"")),
            Tlp::AmberStrict,
            vec![
                "attribute 0 (a1a1a1a1-0000-4000-8000-000000000001): sharing group \"99\" is not known here: \
                 kept inside the importing organisation",
            ],
        ),
        (
            format!(
                ", \"Object\": [{{\"name\": \"file\", \"uuid\": \"0b0b0b0b-0000-4000-8000-000000000001\", \"Attribute\": [{}]}}]",
                attribute("\"0\"", "null")
            ),
            Tlp::AmberStrict,
            vec![
                "attribute 0 of object 0 (a1a1a1a1-0000-4000-8000-000000000001): distribution 0 (your \
                 organisation only): kept inside the importing organisation",
            ],
        ),
        // Inherit (5) is fine on an attribute.
        (format!(", \"Attribute\": [{}]", attribute("\"5\"", "\"0\"")), Tlp::Clear, vec![]),
    ];
    for (fields, tlp, findings) in cases {
        let event = parse_event(&event_with(&fields)).unwrap_or_else(|e| panic!("{fields}: {e}"));
        let mapping = to_stix(&event);
        assert_eq!(mapping.tlp, Some(tlp), "{fields}");
        let report = mapping.objects.last().expect("report");
        assert_eq!(report["object_marking_refs"][0], tlp.stix_marking_id(), "{fields}");
        let found: Vec<String> = mapping.check.findings.iter().map(ToString::to_string).collect();
        assert_eq!(found, findings, "{fields}");
    }
    // RED stays RED when quarantined: quarantine only ever narrows.
    let red = event_with(", \"distribution\": \"0\"").replace_tlp("tlp:red");
    assert_eq!(to_stix(&parse_event(&red).expect("event")).tlp, Some(Tlp::Red));
}

trait ReplaceTlp {
    fn replace_tlp(self, tag: &str) -> Vec<u8>;
}

impl ReplaceTlp for Vec<u8> {
    fn replace_tlp(self, tag: &str) -> Vec<u8> {
        String::from_utf8(self).expect("utf-8").replace("tlp:clear", tag).into_bytes()
    }
}

#[test]
fn object_reference_cycles_and_dangling_references_are_reported_not_followed() {
    let object = |n: u32, refs: &[u32]| {
        let refs: Vec<String> = refs
            .iter()
            .map(|r| format!("{{\"referenced_uuid\": \"0b0b0b0b-0000-4000-8000-00000000000{r}\", \"relationship_type\": \"related-to\"}}"))
            .collect();
        format!(
            "{{\"name\": \"file\", \"uuid\": \"0b0b0b0b-0000-4000-8000-00000000000{n}\", \"ObjectReference\": [{}]}}",
            refs.join(",")
        )
    };
    let objects = [object(1, &[2]), object(2, &[3]), object(3, &[1]), object(4, &[4]), object(5, &[1, 9])];
    let event = parse_event(&event_with(&format!(", \"Object\": [{}]", objects.join(",")))).expect("event");
    let mapping = to_stix(&event);
    let found: Vec<String> = mapping.check.findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        [
            "object 4 (0b0b0b0b-0000-4000-8000-000000000005): reference to 0b0b0b0b-0000-4000-8000-000000000009 \
             which is not in the event: ignored",
            "the event: object references form a cycle (0b0b0b0b-0000-4000-8000-000000000001 -> \
             0b0b0b0b-0000-4000-8000-000000000002 -> 0b0b0b0b-0000-4000-8000-000000000003 -> \
             0b0b0b0b-0000-4000-8000-000000000001): not followed",
            "the event: object references form a cycle (0b0b0b0b-0000-4000-8000-000000000004 -> \
             0b0b0b0b-0000-4000-8000-000000000004): not followed",
        ]
    );
    // Reference problems do not change who may see the event.
    assert_eq!(mapping.tlp, Some(Tlp::Clear));
    // A chain of 100,000 objects: the search is iterative (no stack overflow) and finds the one
    // cycle that closes it.
    let chain: Vec<String> = (0..100_000u32)
        .map(|n| {
            let next = (n + 1) % 100_000;
            format!(
                "{{\"name\": \"x\", \"uuid\": \"c{n}\", \"ObjectReference\": [{{\"referenced_uuid\": \"c{next}\", \"relationship_type\": \"r\"}}]}}"
            )
        })
        .collect();
    let event = parse_event(&event_with(&format!(", \"Object\": [{}]", chain.join(",")))).expect("event");
    let check = muninn_misp::check_event(&event);
    assert_eq!(check.findings.len(), 1);
    assert!(
        matches!(&check.findings[0].problem, muninn_misp::Problem::ReferenceCycle { cycle } if cycle.len() == 100_001)
    );
}

/// The caps: 500,000 attributes, 1 MiB per value; an oversized value is named by position and
/// UUID.
#[test]
fn caps_refuse_an_attribute_flood_and_name_an_oversized_value() {
    let one = "{\"type\": \"comment\", \"value\": \"x\"}";
    let flood = vec![one; muninn_misp::MAX_ATTRIBUTES + 1].join(",");
    let error =
        parse_event(&event_with(&format!(", \"Attribute\": [{flood}]"))).expect_err("refused").to_string();
    assert_eq!(error, "attributes: 500001, more than the 500000 allowed");
    let big = "v".repeat(muninn_misp::MAX_VALUE_BYTES + 1);
    let attributes = format!(
        "{one}, {{\"uuid\": \"a1a1a1a1-0000-4000-8000-000000000002\", \"type\": \"comment\", \"value\": \"{big}\"}}"
    );
    let error = parse_event(&event_with(&format!(", \"Attribute\": [{attributes}]")))
        .expect_err("refused")
        .to_string();
    assert_eq!(
        error,
        "attribute 1 (a1a1a1a1-0000-4000-8000-000000000002): a value of 1048577 bytes, more than the 1048576 allowed"
    );
}
