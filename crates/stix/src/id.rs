//! STIX identifiers (`type--UUID`, STIX 2.1 §2.9) and type names (§3.1).

use std::fmt;

/// A syntactically valid STIX identifier: a valid type name, `--`, and an RFC 4122 UUID in the
/// form the STIX JSON schema requires (version 1 to 5, variant 10xx).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StixId(Box<str>);

impl StixId {
    /// Checks and wraps an identifier; the error says what is wrong.
    pub fn parse(text: &str) -> Result<StixId, &'static str> {
        let Some((object_type, uuid)) = text.split_once("--") else {
            return Err("no \"--\" between type and UUID");
        };
        check_type_name(object_type)?;
        check_uuid(uuid)?;
        Ok(StixId(text.into()))
    }

    /// The whole identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The type part, before `--`.
    pub fn object_type(&self) -> &str {
        self.0.split_once("--").map_or("", |(object_type, _)| object_type)
    }

    /// Makes a version 4 identifier from 16 random bytes (the caller owns randomness).
    pub fn new_v4(object_type: &str, random: [u8; 16]) -> Result<StixId, &'static str> {
        check_type_name(object_type)?;
        Ok(StixId::format_v4(object_type, random))
    }

    /// A `bundle--` identifier with a version 4 UUID.
    pub fn bundle_v4(random: [u8; 16]) -> StixId {
        StixId::format_v4("bundle", random)
    }

    fn format_v4(object_type: &str, random: [u8; 16]) -> StixId {
        let mut bytes = random;
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        let uuid =
            format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]);
        StixId(format!("{object_type}--{uuid}").into())
    }
}

impl fmt::Display for StixId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A STIX type name: 3 to 250 characters of `a-z`, `0-9` and `-`, beginning with a letter,
/// ending with a letter or digit, without `--` (which would make identifiers ambiguous).
pub fn check_type_name(name: &str) -> Result<(), &'static str> {
    let bytes = name.as_bytes();
    if bytes.len() < 3 || bytes.len() > 250 {
        return Err("type names are 3 to 250 characters");
    }
    if !bytes.iter().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-') {
        return Err("type names are lower-case a-z, 0-9 and -");
    }
    if !bytes[0].is_ascii_lowercase() || bytes[bytes.len() - 1] == b'-' || name.contains("--") {
        return Err("type names begin with a letter, do not end with - and contain no --");
    }
    Ok(())
}

fn check_uuid(uuid: &str) -> Result<(), &'static str> {
    let bytes = uuid.as_bytes();
    if bytes.len() != 36 {
        return Err("the UUID is not 36 characters");
    }
    for (position, byte) in bytes.iter().enumerate() {
        let ok = match position {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        };
        if !ok {
            return Err("the UUID is not in 8-4-4-4-12 hexadecimal form");
        }
    }
    if !(b'1'..=b'5').contains(&bytes[14]) {
        return Err("the UUID version is not 1 to 5");
    }
    if !matches!(bytes[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B') {
        return Err("the UUID variant is not RFC 4122");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_identifiers() {
        let good = StixId::parse("attack-pattern--0042a9f5-f053-4769-b3ef-9ad018dfa298");
        assert_eq!(good.as_ref().map(StixId::object_type), Ok("attack-pattern"));
        let cases = [
            ("indicator--not-a-uuid", "the UUID is not 36 characters"),
            ("indicator", "no \"--\" between type and UUID"),
            ("Indicator--0042a9f5-f053-4769-b3ef-9ad018dfa298", "type names are lower-case a-z, 0-9 and -"),
            ("in--0042a9f5-f053-4769-b3ef-9ad018dfa298", "type names are 3 to 250 characters"),
            ("indicator--0042a9f5-f053-0769-b3ef-9ad018dfa298", "the UUID version is not 1 to 5"),
            ("indicator--0042a9f5-f053-4769-c3ef-9ad018dfa298", "the UUID variant is not RFC 4122"),
            (
                "indicator--0042a9f5+f053-4769-b3ef-9ad018dfa298",
                "the UUID is not in 8-4-4-4-12 hexadecimal form",
            ),
        ];
        for (text, reason) in cases {
            assert_eq!(StixId::parse(text), Err(reason), "{text}");
        }
        for name in ["x--a", "abc-", "1abc"] {
            assert_eq!(
                check_type_name(name),
                Err("type names begin with a letter, do not end with - and contain no --"),
                "{name}"
            );
        }
    }

    #[test]
    fn makes_version_4_identifiers() {
        let id = StixId::new_v4("bundle", [0xff; 16]).map(|id| id.to_string());
        assert_eq!(id.as_deref(), Ok("bundle--ffffffff-ffff-4fff-bfff-ffffffffffff"));
        assert!(StixId::parse(id.as_deref().unwrap_or_default()).is_ok());
    }
}
