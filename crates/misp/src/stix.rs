//! A MISP event as STIX 2.1: a report that refers to everything else, an indicator with a
//! STIX pattern for each attribute meant for detection whose type has an observable form,
//! vulnerabilities for CVE attributes, the creating organisation as an identity, intrusion sets
//! for galaxy clusters of actors, sightings; all marked with the event's TLP.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use muninn_model::Tlp;

use crate::check::{EventCheck, check_event};
use crate::event::{Attribute, Event};
use crate::tlp_of_tags;

/// An event mapped for Muninn: STIX objects and the item that carries its text.
#[derive(Debug, Clone)]
pub struct StixMapping {
    /// The STIX objects (JSON), the report last.
    pub objects: Vec<Value>,
    /// The item's title: the event's info.
    pub title: String,
    /// The item's text: every attribute as `type: value (comment)`, then galaxy clusters.
    pub body: String,
    /// The event's TLP, if its tags declare one; at least AMBER+STRICT (the importing
    /// organisation only) when [`check`](Self::check) quarantines the event.
    pub tlp: Option<muninn_model::Tlp>,
    /// Its sharing settings and object references, checked ([`crate::check_event`]).
    pub check: EventCheck,
    /// Attributes that became indicators.
    pub indicators: usize,
    /// Attributes kept only in the item's text (no observable form, or not for detection).
    pub text_only: usize,
}

/// Whether `text` is an RFC 4122 UUID, as a STIX id needs: the shape, version 1 to 5 and the
/// variant bits `10` (the fuzz target found MISP UUIDs of other versions and variants, which
/// STIX refuses).
fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(len, part)| part.len() == *len && part.chars().all(|c| c.is_ascii_hexdigit()))
        && matches!(parts[2].as_bytes()[0], b'1'..=b'5')
        && matches!(parts[3].as_bytes()[0].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// A STIX id of `kind` for `uuid` when it is a UUID, else one derived from `seed` (a name-based
/// UUID: the same input gives the same id).
pub(crate) fn stix_id(kind: &str, uuid: Option<&str>, seed: &str) -> String {
    if let Some(uuid) = uuid.filter(|u| is_uuid(u)) {
        return format!("{kind}--{}", uuid.to_ascii_lowercase());
    }
    let digest = Sha256::digest(format!("muninn-misp\n{kind}\n{seed}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}--{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn timestamp(seconds: Option<i64>, fallback: &str) -> String {
    seconds
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
        .unwrap_or_else(|| fallback.to_owned())
}

/// A string literal of the STIX patterning language.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn ip_object(value: &str) -> &'static str {
    if value.contains(':') { "ipv6-addr" } else { "ipv4-addr" }
}

/// The STIX pattern of an attribute, when its type has an observable form.
fn pattern(attribute: &Attribute) -> Option<String> {
    let value = attribute.value.trim();
    let hash = |algorithm: &str, value: &str| {
        format!("[file:hashes.'{algorithm}' = {}]", literal(&value.to_ascii_lowercase()))
    };
    let split = |value: &str| value.split_once('|').map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()));
    Some(match attribute.kind.as_str() {
        "ip-src" | "ip-dst" => format!("[{}:value = {}]", ip_object(value), literal(value)),
        "ip-src|port" | "ip-dst|port" => {
            let (ip, _) = split(value)?;
            format!("[{}:value = {}]", ip_object(&ip), literal(&ip))
        }
        "domain" | "hostname" => format!("[domain-name:value = {}]", literal(&value.to_ascii_lowercase())),
        "domain|ip" | "hostname|port" => {
            let (domain, _) = split(value)?;
            format!("[domain-name:value = {}]", literal(&domain.to_ascii_lowercase()))
        }
        "url" | "uri" | "link" => format!("[url:value = {}]", literal(value)),
        "email" | "email-src" | "email-dst" => format!("[email-addr:value = {}]", literal(value)),
        "md5" => hash("MD5", value),
        "sha1" => hash("SHA-1", value),
        "sha256" => hash("SHA-256", value),
        "sha512" => hash("SHA-512", value),
        "filename" => format!("[file:name = {}]", literal(value)),
        "filename|md5" | "filename|sha1" | "filename|sha256" | "filename|sha512" => {
            let (name, digest) = split(value)?;
            let algorithm = match attribute.kind.rsplit('|').next()? {
                "md5" => "MD5",
                "sha1" => "SHA-1",
                "sha256" => "SHA-256",
                _ => "SHA-512",
            };
            format!(
                "[file:name = {} AND file:hashes.'{algorithm}' = {}]",
                literal(&name),
                literal(&digest.to_ascii_lowercase())
            )
        }
        _ => return None,
    })
}

/// Maps an event to STIX objects and an item's text.
pub fn to_stix(event: &Event) -> StixMapping {
    let check = check_event(event);
    let tlp = match tlp_of_tags(&event.tags) {
        // Kept inside the importing organisation: never wider than AMBER+STRICT, and RED stays.
        tlp if check.quarantined() => Some(tlp.unwrap_or(Tlp::AmberStrict).max(Tlp::AmberStrict)),
        tlp => tlp,
    };
    let markings: Vec<&str> = tlp.map(|t| t.stix_marking_id()).into_iter().collect();
    let published = event
        .date
        .as_deref()
        .filter(|d| d.len() == 10)
        .map(|d| format!("{d}T00:00:00.000Z"))
        .unwrap_or_else(|| timestamp(event.timestamp, "1970-01-01T00:00:00.000Z"));
    let event_time = timestamp(event.timestamp, &published);
    let mut objects = Vec::new();
    let identity = event.orgc.as_ref().map(|org| {
        let id = stix_id("identity", org.uuid.as_deref(), &org.name);
        objects.push(json!({
            "type": "identity", "spec_version": "2.1", "id": id, "created": event_time, "modified": event_time,
            "name": org.name, "identity_class": "organization",
        }));
        id
    });
    let mut body = String::new();
    let mut indicators = 0;
    let mut text_only = 0;
    let mut indicator_ids: Vec<(Option<String>, String)> = Vec::new();
    let all_attributes = event.attributes.iter().chain(event.objects.iter().flat_map(|o| &o.attributes));
    for attribute in all_attributes {
        body.push_str(&attribute.kind);
        body.push_str(": ");
        body.push_str(&attribute.value);
        if let Some(comment) = attribute.comment.as_deref().filter(|c| !c.is_empty()) {
            body.push_str(" (");
            body.push_str(comment);
            body.push(')');
        }
        body.push('\n');
        let created = timestamp(attribute.timestamp, &event_time);
        if attribute.kind == "vulnerability" {
            let name = attribute.value.trim().to_ascii_uppercase();
            let id = stix_id("vulnerability", attribute.uuid.as_deref(), &name);
            objects.push(json!({
                "type": "vulnerability", "spec_version": "2.1", "id": id, "created": created, "modified": created,
                "name": name, "external_references": [{"source_name": "cve", "external_id": name}],
                "object_marking_refs": markings,
            }));
            text_only += 1;
            continue;
        }
        match pattern(attribute).filter(|_| attribute.to_ids) {
            Some(pattern) => {
                let id = stix_id(
                    "indicator",
                    attribute.uuid.as_deref(),
                    &format!("{}|{}", event.uuid, attribute.value),
                );
                let mut indicator = json!({
                    "type": "indicator", "spec_version": "2.1", "id": id, "created": created, "modified": created,
                    "name": format!("{}: {}", attribute.kind, attribute.value),
                    "pattern": pattern, "pattern_type": "stix", "valid_from": created,
                    "indicator_types": ["malicious-activity"],
                    "object_marking_refs": markings,
                });
                if let Some(comment) = attribute.comment.as_deref().filter(|c| !c.is_empty()) {
                    indicator["description"] = json!(comment);
                }
                if let Some(identity) = &identity {
                    indicator["created_by_ref"] = json!(identity);
                }
                indicator_ids.push((attribute.uuid.clone(), id));
                objects.push(indicator);
                indicators += 1;
            }
            None => text_only += 1,
        }
    }
    for galaxy in &event.galaxies {
        for cluster in &galaxy.clusters {
            body.push_str(&format!("{}: {}\n", galaxy.kind, cluster.value));
            if !galaxy.kind.contains("threat-actor") && !galaxy.kind.contains("intrusion-set") {
                continue;
            }
            let id = stix_id("intrusion-set", cluster.uuid.as_deref(), &cluster.value);
            let mut set = json!({
                "type": "intrusion-set", "spec_version": "2.1", "id": id, "created": event_time, "modified": event_time,
                "name": cluster.value, "object_marking_refs": markings,
            });
            let synonyms = cluster.synonyms();
            if !synonyms.is_empty() {
                set["aliases"] = json!(synonyms);
            }
            if let Some(description) = cluster.description.as_deref().filter(|d| !d.is_empty()) {
                set["description"] = json!(description);
            }
            objects.push(set);
        }
    }
    for (index, sighting) in event.sightings.iter().enumerate() {
        if sighting.kind.as_deref().is_some_and(|k| k != "0") {
            continue;
        }
        let Some((_, indicator)) = indicator_ids
            .iter()
            .find(|(uuid, _)| uuid.is_some() && uuid.as_deref() == sighting.attribute_uuid.as_deref())
        else {
            continue;
        };
        let seen = timestamp(sighting.date_sighting, &event_time);
        objects.push(json!({
            "type": "sighting", "spec_version": "2.1",
            "id": stix_id("sighting", None, &format!("{}|{index}|{indicator}", event.uuid)),
            "created": seen, "modified": seen, "first_seen": seen, "last_seen": seen, "count": 1,
            "sighting_of_ref": indicator, "object_marking_refs": markings,
        }));
    }
    let mut refs: Vec<Value> = objects.iter().map(|o| o["id"].clone()).collect();
    if refs.is_empty() {
        // A report must refer to something: an event with nothing else refers to itself as a note.
        let note = stix_id("note", None, &event.uuid);
        objects.push(json!({
            "type": "note", "spec_version": "2.1", "id": note, "created": event_time, "modified": event_time,
            "content": event.info, "object_refs": [stix_id("report", Some(&event.uuid), &event.uuid)],
        }));
        refs.push(json!(note));
    }
    let labels: Vec<&str> = event
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| !n.to_ascii_lowercase().starts_with("tlp:"))
        .collect();
    let mut report = json!({
        "type": "report", "spec_version": "2.1", "id": stix_id("report", Some(&event.uuid), &event.uuid),
        "created": event_time, "modified": event_time, "name": event.info, "published": published,
        "report_types": ["threat-report"], "object_refs": refs, "object_marking_refs": markings,
    });
    if !labels.is_empty() {
        report["labels"] = json!(labels);
    }
    if let Some(identity) = &identity {
        report["created_by_ref"] = json!(identity);
    }
    objects.push(report);
    StixMapping { objects, title: event.info.clone(), body, tlp, check, indicators, text_only }
}
