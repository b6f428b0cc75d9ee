//! The MISP parsers: an event (typed, duplicate keys refused, capped) and its mapping to STIX
//! and to an item's text, and a galaxy cluster file and its mapping to intrusion sets. Any bytes
//! are refused or mapped, never a panic; what the mappings make are STIX objects the STIX
//! parser accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use muninn_stix::StixObject;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = muninn_misp::parse_event(data) {
        let mapping = muninn_misp::to_stix(&event);
        for object in &mapping.objects {
            let text = object.to_string();
            if let Err(error) = StixObject::from_json(&text) {
                panic!("the mapping made an object the STIX parser refuses: {error}: {text}");
            }
        }
    }
    if let Ok(galaxy) = muninn_misp::parse_galaxy(data)
        && let Ok((objects, _)) = muninn_misp::galaxy_actors(&galaxy, |_| None)
    {
        for object in objects {
            let text = object.dated("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z").to_string();
            if let Err(error) = StixObject::from_json(&text) {
                panic!("the galaxy mapping made an object the STIX parser refuses: {error}: {text}");
            }
        }
    }
});
