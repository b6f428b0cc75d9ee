//! The model's parsers of user-supplied text: TLP labels, Admiralty grades, ids, source ids,
//! MISP tags and STIX marking ids. Each either parses or refuses; what parses prints back to a
//! form that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_model::{AdmiraltyGrade, ItemId, SourceId, Tlp};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(tlp) = text.parse::<Tlp>() {
        assert_eq!(tlp.label().parse::<Tlp>().ok(), Some(tlp));
    }
    if let Ok(grade) = text.parse::<AdmiraltyGrade>() {
        assert_eq!(grade.to_string().parse::<AdmiraltyGrade>().ok(), Some(grade));
    }
    if let Ok(id) = text.parse::<ItemId>() {
        assert_eq!(id.to_string().parse::<ItemId>().ok(), Some(id));
    }
    if let Ok(source) = SourceId::new(text) {
        assert_eq!(source.as_str(), text);
    }
    let _ = Tlp::from_misp_tag(text);
    let _ = Tlp::from_stix_marking_id(text);
});
