//! The STIX 2.1 object types and what each requires (STIX 2.1 §4 to §7).

/// What kind of STIX object a type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectClass {
    /// A STIX Domain Object (§4).
    Domain,
    /// A STIX Relationship Object: `relationship` or `sighting` (§5).
    Relationship,
    /// A STIX Cyber-observable Object (§6).
    Observable,
    /// A STIX Meta Object: `marking-definition`, `language-content`, `extension-definition` (§7).
    Meta,
    /// A custom object: an `x-` type (STIX 2.0 style, as ATT&CK uses) or a type declared by a
    /// `new-sdo`, `new-sro` or `new-sco` extension definition.
    Custom,
}

/// The STIX 2.1 Domain Objects.
pub const DOMAIN_TYPES: [&str; 19] = [
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];

/// The STIX 2.1 Relationship Objects.
pub const RELATIONSHIP_TYPES: [&str; 2] = ["relationship", "sighting"];

/// The STIX 2.1 Cyber-observable Objects.
pub const OBSERVABLE_TYPES: [&str; 18] = [
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// The STIX 2.1 Meta Objects.
pub const META_TYPES: [&str; 3] = ["marking-definition", "language-content", "extension-definition"];

/// Classifies a known type; `None` for a type STIX 2.1 does not define.
pub fn classify(object_type: &str) -> Option<ObjectClass> {
    if DOMAIN_TYPES.contains(&object_type) {
        Some(ObjectClass::Domain)
    } else if RELATIONSHIP_TYPES.contains(&object_type) {
        Some(ObjectClass::Relationship)
    } else if OBSERVABLE_TYPES.contains(&object_type) {
        Some(ObjectClass::Observable)
    } else if META_TYPES.contains(&object_type) {
        Some(ObjectClass::Meta)
    } else {
        None
    }
}

/// A requirement on the properties of one type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Requirement {
    /// The property must be present.
    Present(&'static str),
    /// At least one of these must be present.
    OneOf(&'static [&'static str]),
}

use Requirement::{OneOf, Present};

/// The type-specific required properties (common ones are checked by class).
pub(crate) fn requirements(object_type: &str) -> &'static [Requirement] {
    match object_type {
        "attack-pattern" | "campaign" | "course-of-action" | "identity" | "incident" | "infrastructure"
        | "intrusion-set" | "threat-actor" | "tool" | "vulnerability" => &[Present("name")],
        "grouping" => &[Present("context"), Present("object_refs")],
        "indicator" => &[Present("pattern"), Present("pattern_type"), Present("valid_from")],
        "location" => &[OneOf(&["region", "country", "latitude"])],
        "malware" => &[Present("is_family")],
        "malware-analysis" => &[Present("product"), OneOf(&["result", "analysis_sco_refs"])],
        "note" => &[Present("content"), Present("object_refs")],
        "observed-data" => &[
            Present("first_observed"),
            Present("last_observed"),
            Present("number_observed"),
            OneOf(&["object_refs", "objects"]),
        ],
        "opinion" => &[Present("opinion"), Present("object_refs")],
        "report" => &[Present("name"), Present("published"), Present("object_refs")],
        "relationship" => &[Present("relationship_type"), Present("source_ref"), Present("target_ref")],
        "sighting" => &[Present("sighting_of_ref")],
        "artifact" => &[OneOf(&["payload_bin", "url"])],
        "autonomous-system" => &[Present("number")],
        "directory" => &[Present("path")],
        "domain-name" | "email-addr" | "ipv4-addr" | "ipv6-addr" | "mac-addr" | "url" => &[Present("value")],
        "email-message" => &[Present("is_multipart")],
        "file" => &[OneOf(&["hashes", "name"])],
        "mutex" | "software" => &[Present("name")],
        "network-traffic" => &[Present("protocols"), OneOf(&["src_ref", "dst_ref"])],
        "marking-definition" => &[OneOf(&["definition_type", "extensions"])],
        "language-content" => &[Present("object_ref"), Present("contents")],
        "extension-definition" => &[
            Present("created_by_ref"),
            Present("name"),
            Present("schema"),
            Present("version"),
            Present("extension_types"),
        ],
        _ => &[],
    }
}

/// Properties holding timestamps, checked wherever they appear at the top level.
pub(crate) const TIMESTAMP_PROPERTIES: [&str; 14] = [
    "valid_from",
    "valid_until",
    "first_seen",
    "last_seen",
    "published",
    "first_observed",
    "last_observed",
    "analysis_started",
    "analysis_ended",
    "submitted",
    "start_time",
    "stop_time",
    "ctime",
    "mtime",
];

/// Properties of string type in the types that name things, checked to be strings.
pub(crate) const STRING_PROPERTIES: [&str; 7] =
    ["name", "description", "pattern", "pattern_type", "relationship_type", "value", "content"];

/// Properties of boolean type, checked to be booleans.
pub(crate) const BOOLEAN_PROPERTIES: [&str; 4] = ["is_family", "is_multipart", "is_active", "is_hidden"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stix_type_is_classified_once() {
        let all = DOMAIN_TYPES.iter().chain(&RELATIONSHIP_TYPES).chain(&OBSERVABLE_TYPES).chain(&META_TYPES);
        let mut names: Vec<&str> = all.copied().collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(classify("x-mitre-tactic"), None);
        assert_eq!(classify("sighting"), Some(ObjectClass::Relationship));
    }
}
