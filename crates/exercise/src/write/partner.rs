//! Partners' reports as the formats partners share: a STIX 2.1 bundle and a MISP event (JSON).
//!
//! Ids are version-4 UUIDs from the report's own random bits, so the same scenario and seed give
//! the same files; an actor's intrusion set and a partner's identity have one id in every bundle
//! (derived from the name), as a partner's tooling would keep them.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::clock;
use crate::records::{IndicatorKind, PartnerReport};
use crate::rng::mix64;

/// A version-4 UUID from two 64-bit values.
fn uuid(a: u64, b: u64) -> String {
    let high = mix64(a ^ 0x5555_5555_5555_5555);
    let low = mix64(b.wrapping_add(high));
    let high = (high & 0xffff_ffff_ffff_0fff) | 0x4000;
    let low = (low & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

/// A UUID that depends on a name only.
fn named_uuid(name: &str) -> String {
    let hash = name
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3));
    uuid(hash, hash.rotate_left(29))
}

/// A STIX pattern literal: `'` and `\` escaped.
fn literal(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "\\'")
}

fn pattern(kind: IndicatorKind, value: &str) -> String {
    let value = literal(value);
    match kind {
        IndicatorKind::Ipv4 => format!("[ipv4-addr:value = '{value}']"),
        IndicatorKind::Domain => format!("[domain-name:value = '{value}']"),
        IndicatorKind::Url => format!("[url:value = '{value}']"),
        IndicatorKind::Sha256 => format!("[file:hashes.'SHA-256' = '{value}']"),
        IndicatorKind::Md5 => format!("[file:hashes.MD5 = '{value}']"),
    }
}

/// The report as a STIX 2.1 bundle: the partner's identity, an indicator per value (with the
/// partner's marking), the actor as an intrusion set that each indicator `indicates`, and the
/// report referring to all of them.
pub fn stix_bundle(report: &PartnerReport) -> Value {
    // STIX timestamps to the millisecond, as the OASIS validator requires of created/modified.
    let time = clock::rfc3339(report.published.as_second()).replace('Z', ".000Z");
    let marking = report.tlp.stix_marking_id();
    let identity = format!("identity--{}", named_uuid(report.partner));
    let mut objects = vec![json!({
        "type": "identity", "spec_version": "2.1", "id": identity, "created": "2020-01-01T00:00:00.000Z",
        "modified": "2020-01-01T00:00:00.000Z", "name": report.partner, "identity_class": "organization",
    })];
    let actor = report.actor.map(|name| format!("intrusion-set--{}", named_uuid(name)));
    if let (Some(id), Some(name)) = (&actor, report.actor) {
        objects.push(json!({
            "type": "intrusion-set", "spec_version": "2.1", "id": id, "created": "2020-01-01T00:00:00.000Z",
            "modified": "2020-01-01T00:00:00.000Z", "name": name,
        }));
    }
    let mut refs: Vec<String> = actor.iter().cloned().collect();
    for (number, (kind, value)) in report.indicators.iter().enumerate() {
        let id = format!("indicator--{}", uuid(report.id_seed, number as u64 + 1));
        objects.push(json!({
            "type": "indicator", "spec_version": "2.1", "id": id, "created": time, "modified": time,
            "created_by_ref": identity, "name": value, "indicator_types": ["malicious-activity"],
            "description": format!("Reported by {} in {:?}", report.partner, report.title),
            "pattern": pattern(*kind, value), "pattern_type": "stix", "valid_from": time,
            "object_marking_refs": [marking],
        }));
        refs.push(id.clone());
        if let Some(actor) = &actor {
            let relationship = format!("relationship--{}", uuid(report.id_seed, 1000 + number as u64));
            objects.push(json!({
                "type": "relationship", "spec_version": "2.1", "id": relationship, "created": time,
                "modified": time, "created_by_ref": identity, "relationship_type": "indicates",
                "source_ref": id, "target_ref": actor, "object_marking_refs": [marking],
            }));
            refs.push(relationship);
        }
    }
    objects.push(json!({
        "type": "report", "spec_version": "2.1", "id": format!("report--{}", uuid(report.id_seed, 0)),
        "created": time, "modified": time, "created_by_ref": identity, "name": report.title,
        "description": report.narrative, "published": time, "report_types": ["threat-report"],
        "object_refs": refs, "object_marking_refs": [marking],
    }));
    json!({"type": "bundle", "id": format!("bundle--{}", uuid(report.id_seed, 9999)), "objects": objects})
}

/// The report as a MISP event: the narrative as a `text` attribute, an attribute per indicator
/// (for detection), the partner as the creator organisation, its TLP as a tag and the actor as a
/// threat-actor galaxy cluster.
pub fn misp_event(report: &PartnerReport) -> Value {
    let seconds = report.published.as_second();
    let date = clock::rfc3339(seconds)[..10].to_owned();
    let mut attributes = vec![json!({
        "uuid": uuid(report.id_seed, 1), "type": "text", "category": "Other", "value": report.narrative,
        "to_ids": false, "timestamp": seconds.to_string(),
    })];
    for (number, (kind, value)) in report.indicators.iter().enumerate() {
        let (kind, category) = match kind {
            IndicatorKind::Ipv4 => ("ip-dst", "Network activity"),
            IndicatorKind::Domain => ("domain", "Network activity"),
            IndicatorKind::Url => ("url", "Network activity"),
            IndicatorKind::Sha256 => ("sha256", "Payload delivery"),
            IndicatorKind::Md5 => ("md5", "Payload delivery"),
        };
        attributes.push(json!({
            "uuid": uuid(report.id_seed, number as u64 + 2), "type": kind, "category": category, "value": value,
            "to_ids": true, "timestamp": seconds.to_string(),
        }));
    }
    let mut event = json!({
        "uuid": uuid(report.id_seed, 0), "info": report.title, "date": date, "timestamp": seconds.to_string(),
        "published": true, "analysis": "2", "threat_level_id": "2", "distribution": "1",
        "Orgc": {"name": report.partner, "uuid": named_uuid(report.partner)},
        "Tag": [{"name": format!("tlp:{}", report.tlp.short())}],
        "Attribute": attributes,
    });
    if let Some(actor) = report.actor {
        event["Galaxy"] = json!([{
            "type": "threat-actor", "name": "Threat Actor",
            "GalaxyCluster": [{"type": "threat-actor", "value": actor, "uuid": named_uuid(actor)}],
        }]);
    }
    json!({"Event": event})
}

/// Writes `value` as indented JSON and a final line end.
pub fn write_json(value: &Value, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_four_and_named_ones_stable() {
        let id = uuid(7, 1);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(uuid(7, 1), uuid(7, 2));
        assert_eq!(named_uuid("APT28"), named_uuid("APT28"));
        assert_ne!(named_uuid("APT28"), named_uuid("APT29"));
        assert_eq!(literal("a'b\\c"), "a\\'b\\\\c");
    }
}
