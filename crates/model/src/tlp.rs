//! The Traffic Light Protocol, version 2.0 (FIRST), and its STIX 2.1 marking definitions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// A TLP 2.0 label. The order is the order of restriction: `Clear < Green < Amber <
/// AmberStrict < Red`, so "most restrictive wins" is `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Tlp {
    /// `TLP:CLEAR`: no limit on disclosure (TLP 1.0 `WHITE`).
    Clear,
    /// `TLP:GREEN`: the community, not via public channels.
    Green,
    /// `TLP:AMBER`: the recipient's organisation and its clients, need to know.
    Amber,
    /// `TLP:AMBER+STRICT`: the recipient's organisation only, need to know.
    AmberStrict,
    /// `TLP:RED`: named individual recipients only.
    Red,
}

/// The STIX 2.1 extension that carries TLP 2.0 marking definitions.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// Canonical STIX marking-definition ids of TLP 2.0 (OASIS common objects).
pub const TLP2_MARKING_IDS: [(Tlp, &str); 5] = [
    (Tlp::Clear, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"),
    (Tlp::Green, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
    (Tlp::Amber, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
    (Tlp::AmberStrict, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
    (Tlp::Red, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"),
];

/// Canonical STIX 2.1 (§7.2.1.4) marking-definition ids of TLP 1.0, with the TLP 2.0 label each
/// maps to. TLP 1.0 AMBER had no clients clause, so it maps to AMBER+STRICT: never wider than
/// what the originator meant.
pub const TLP1_MARKING_IDS: [(&str, &str, Tlp); 4] = [
    ("WHITE", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::Clear),
    ("GREEN", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::Green),
    ("AMBER", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::AmberStrict),
    ("RED", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::Red),
];

impl Tlp {
    /// Every label, least restrictive first.
    pub const ALL: [Tlp; 5] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];

    /// The canonical written form, as FIRST prescribes: `TLP:AMBER+STRICT`.
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The short lowercase form used in the TLP 2.0 STIX extension, in queries and on disk.
    pub fn short(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The canonical TLP 2.0 STIX marking-definition id.
    pub fn stix_marking_id(self) -> &'static str {
        TLP2_MARKING_IDS
            .iter()
            .find(|(tlp, _)| *tlp == self)
            .map(|(_, id)| *id)
            .unwrap_or(TLP2_MARKING_IDS[4].1)
    }

    /// Resolves a canonical TLP 1.0 or 2.0 STIX marking-definition id. Only the built-in table
    /// counts: a marking merely *named* like TLP carries no TLP meaning.
    pub fn from_stix_marking_id(id: &str) -> Result<Tlp, ModelError> {
        if let Some((tlp, _)) = TLP2_MARKING_IDS.iter().find(|(_, known)| *known == id) {
            return Ok(*tlp);
        }
        TLP1_MARKING_IDS
            .iter()
            .find(|(_, known, _)| *known == id)
            .map(|(_, _, tlp)| *tlp)
            .ok_or_else(|| ModelError::UnknownTlpMarking(id.to_owned()))
    }

    /// Maps a MISP tag (`tlp:amber`, `tlp:white`, `tlp:amber+strict`, `tlp:ex:chr` is refused).
    pub fn from_misp_tag(tag: &str) -> Result<Tlp, ModelError> {
        let trimmed = tag.trim();
        let has_prefix = trimmed.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("tlp:"));
        if !has_prefix {
            return Err(ModelError::UnknownTlp(tag.to_owned()));
        }
        trimmed.parse()
    }
}

impl FromStr for Tlp {
    type Err = ModelError;

    /// Accepts `TLP:AMBER+STRICT`, `amber+strict`, `amber-strict`, `AMBER_STRICT`, and the TLP 1.0
    /// `WHITE` (as CLEAR). Case-insensitive; surrounding blanks ignored.
    fn from_str(text: &str) -> Result<Tlp, ModelError> {
        let trimmed = text.trim();
        let without_prefix = match trimmed.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("tlp:") => &trimmed[4..],
            _ => trimmed,
        };
        let normalised = without_prefix.to_ascii_lowercase().replace(['-', '_', ' '], "+");
        match normalised.as_str() {
            "clear" | "white" => Ok(Tlp::Clear),
            "green" => Ok(Tlp::Green),
            "amber" => Ok(Tlp::Amber),
            "amber+strict" => Ok(Tlp::AmberStrict),
            "red" => Ok(Tlp::Red),
            _ => Err(ModelError::UnknownTlp(text.to_owned())),
        }
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl From<Tlp> for &'static str {
    fn from(tlp: Tlp) -> &'static str {
        tlp.short()
    }
}

impl TryFrom<String> for Tlp {
    type Error = ModelError;
    fn try_from(text: String) -> Result<Tlp, ModelError> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp2_ids_match_the_vendored_oasis_definitions() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../test_data/oasis-tlp2.0-marking-definition.json"))
                .expect("vendored OASIS file is JSON");
        let definitions = schema["definitions"].as_object().expect("definitions");
        assert_eq!(definitions.len(), TLP2_MARKING_IDS.len());
        for definition in definitions.values() {
            let properties = &definition["properties"];
            let id = properties["id"]["enum"][0].as_str().expect("id");
            let name = properties["name"]["enum"][0].as_str().expect("name");
            let short =
                properties["extensions"]["properties"][TLP2_EXTENSION_ID]["properties"]["tlp_2_0"]["enum"][0]
                    .as_str()
                    .expect("tlp_2_0");
            let tlp = Tlp::from_stix_marking_id(id).expect("known id");
            assert_eq!(tlp.stix_marking_id().as_bytes(), id.as_bytes());
            assert_eq!(tlp.label(), name);
            assert_eq!(tlp.short(), short);
        }
    }

    #[test]
    fn labels_parse_in_every_written_form() {
        let cases = [
            ("TLP:CLEAR", Tlp::Clear),
            ("white", Tlp::Clear),
            ("tlp:green", Tlp::Green),
            ("Amber", Tlp::Amber),
            ("TLP:AMBER+STRICT", Tlp::AmberStrict),
            ("amber-strict", Tlp::AmberStrict),
            (" red ", Tlp::Red),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Tlp>(), Ok(expected), "{text}");
        }
        assert!("TLP:PURPLE".parse::<Tlp>().is_err());
        assert!("".parse::<Tlp>().is_err());
        assert_eq!(Tlp::from_misp_tag("tlp:amber+strict"), Ok(Tlp::AmberStrict));
        assert!(Tlp::from_misp_tag("amber").is_err());
    }

    #[test]
    fn tlp1_maps_without_widening() {
        for (name, id, tlp) in TLP1_MARKING_IDS {
            assert_eq!(Tlp::from_stix_marking_id(id), Ok(tlp), "{name}");
        }
        assert_eq!(
            Tlp::from_stix_marking_id("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
            Ok(Tlp::AmberStrict)
        );
        assert!(
            Tlp::from_stix_marking_id("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8488").is_err()
        );
    }

    #[test]
    fn order_is_order_of_restriction() {
        assert!(Tlp::ALL.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(Tlp::Green.max(Tlp::AmberStrict), Tlp::AmberStrict);
    }

    #[test]
    fn serde_uses_the_short_form() {
        assert_eq!(serde_json::to_string(&Tlp::AmberStrict).expect("ser"), "\"amber+strict\"");
        assert_eq!(serde_json::from_str::<Tlp>("\"TLP:RED\"").expect("de"), Tlp::Red);
    }
}
