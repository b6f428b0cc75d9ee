//! MISP event JSON out: what PyMISP's `MISPEvent.load` reads.

use muninn_model::Tlp;
use serde_json::{Value, json};

/// One attribute to export.
#[derive(Debug, Clone)]
pub struct ExportAttribute {
    /// Its UUID.
    pub uuid: String,
    /// The MISP type (see [`ExportAttribute::misp_type_of`]).
    pub kind: &'static str,
    /// The MISP category.
    pub category: &'static str,
    /// The value.
    pub value: String,
    /// Whether it is meant for detection.
    pub to_ids: bool,
    /// A comment (where it was found).
    pub comment: String,
}

impl ExportAttribute {
    /// The MISP type and category of one of Muninn's indicator kinds (`ipv4`, `domain`,
    /// `sha256`...), `None` for kinds MISP has no type for.
    pub fn misp_type_of(kind: &str) -> Option<(&'static str, &'static str)> {
        Some(match kind {
            "ipv4" | "ipv6" | "cidr" => ("ip-dst", "Network activity"),
            "domain" => ("domain", "Network activity"),
            "url" => ("url", "Network activity"),
            "email" => ("email-src", "Payload delivery"),
            "md5" => ("md5", "Payload delivery"),
            "sha1" => ("sha1", "Payload delivery"),
            "sha256" => ("sha256", "Payload delivery"),
            "sha512" => ("sha512", "Payload delivery"),
            "cve" => ("vulnerability", "External analysis"),
            "attack-technique" => ("text", "External analysis"),
            "phone" => ("phone-number", "Person"),
            "btc" => ("btc", "Financial fraud"),
            "xmr" => ("xmr", "Financial fraud"),
            "asn" => ("AS", "Network activity"),
            _ => return None,
        })
    }
}

/// A MISP event (`{"Event": {...}}`) with `attributes`, tagged with its TLP.
pub fn export_event(uuid: &str, info: &str, date: &str, tlp: Tlp, attributes: &[ExportAttribute]) -> Value {
    let tag = match tlp {
        Tlp::Clear => "tlp:clear",
        Tlp::Green => "tlp:green",
        Tlp::Amber => "tlp:amber",
        Tlp::AmberStrict => "tlp:amber+strict",
        Tlp::Red => "tlp:red",
    };
    json!({"Event": {
        "uuid": uuid,
        "info": info,
        "date": date,
        "threat_level_id": "4",
        "analysis": "2",
        // Your organisation only: sharing further is decided by the TLP tag and the recipient.
        "distribution": "0",
        "Tag": [{"name": tag}],
        "Attribute": attributes.iter().map(|a| json!({
            "uuid": a.uuid, "type": a.kind, "category": a.category, "value": a.value,
            "to_ids": a.to_ids, "comment": a.comment,
        })).collect::<Vec<_>>(),
    }})
}
