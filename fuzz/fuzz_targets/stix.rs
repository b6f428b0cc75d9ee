//! The STIX bundle importer: any bytes are refused as a bundle or give one outcome per object,
//! never a panic; what is accepted exports to a bundle that imports back as the same objects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_stix::{ImportConfig, NoObjects, ObjectSet, Outcome, StixObject, export_bundle, import_bundle};

fuzz_target!(|data: &[u8]| {
    let config = ImportConfig { max_objects: 10_000, max_object_bytes: 1 << 20 };
    let Ok(report) = import_bundle(data, &NoObjects, &config) else {
        return;
    };
    let mut set = ObjectSet::new();
    set.apply(&report);
    for object in report.accepted() {
        let again = StixObject::from_json(object.json()).expect("an accepted object re-parses");
        assert_eq!(again.id(), object.id());
    }
    let latest = set.latest();
    let exported = export_bundle(&latest, &set, [0; 16]);
    let back = import_bundle(exported.json.as_bytes(), &NoObjects, &config).expect("our export is a bundle");
    let stored = back.objects.iter().filter(|entry| matches!(entry.outcome, Outcome::Stored(_))).count();
    assert_eq!(stored, latest.len(), "{back}");
});
