//! Validated identifiers of organisations and users, and the roles users hold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AccessError;

/// The longest id accepted, in bytes (ids are ASCII, so also in characters).
pub const MAX_ID_LEN: usize = 64;

/// Checks the id syntax shared by organisations and users: 1 to 64 characters of `a-z`, `0-9`,
/// `.`, `_` or `-`, the first a letter or a digit. Uppercase is refused rather than folded, so
/// that an id is stored and compared exactly as it was written.
fn validate(kind: &'static str, value: &str) -> Result<(), AccessError> {
    let refuse = |reason: &'static str| AccessError::InvalidId {
        kind,
        value: value.chars().take(80).collect(),
        reason,
    };
    let Some(first) = value.chars().next() else {
        return Err(refuse("it is empty"));
    };
    if value.len() > MAX_ID_LEN {
        return Err(refuse("it is longer than 64 characters"));
    }
    if value.chars().any(|c| c.is_uppercase()) {
        return Err(refuse("uppercase letters are not allowed: write it in lowercase"));
    }
    if !value.chars().all(|c| matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-')) {
        return Err(refuse("use only a-z, 0-9, '.', '_' and '-'"));
    }
    if !first.is_ascii_alphanumeric() {
        return Err(refuse("it must start with a letter or a digit"));
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `value`: 1 to 64 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting
            /// with a letter or a digit.
            pub fn new(value: &str) -> Result<$name, AccessError> {
                validate($kind, value)?;
                Ok($name(value.to_owned()))
            }

            /// The id as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = AccessError;
            fn from_str(value: &str) -> Result<$name, AccessError> {
                $name::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = AccessError;
            fn try_from(value: String) -> Result<$name, AccessError> {
                validate($kind, &value)?;
                Ok($name(value))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// An organisation id (`acme`, `cert-eu`): the boundary of TLP:AMBER and AMBER+STRICT.
    OrgId,
    "organisation"
);
slug_id!(
    /// A user id (`ann.lee`): what TLP:RED recipients name.
    UserId,
    "user"
);

/// What a user may do, beyond what it may see. Ordered by [`Role::rank`]:
/// `Partner < Reader < Analyst < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages the users of its organisation and reads the audit log, besides what an analyst
    /// does.
    Admin,
    /// Creates and triages material; changes only what its organisation originated.
    Analyst,
    /// Reads and exports what it may see.
    Reader,
    /// An outside organisation's account: reads, and exchanges over TAXII.
    Partner,
}

impl Role {
    /// Every role, lowest rank first.
    pub const ALL: [Role; 4] = [Role::Partner, Role::Reader, Role::Analyst, Role::Admin];

    /// The role's place in the lattice `Partner (0) < Reader (1) < Analyst (2) < Admin (3)`:
    /// nobody may give a role of a higher rank than their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::Partner => 0,
            Role::Reader => 1,
            Role::Analyst => 2,
            Role::Admin => 3,
        }
    }

    /// The lowercase name: `admin`, `analyst`, `reader`, `partner`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Reader => "reader",
            Role::Partner => "partner",
        }
    }
}

impl FromStr for Role {
    type Err = AccessError;
    /// Parses the lowercase name only.
    fn from_str(text: &str) -> Result<Role, AccessError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| AccessError::UnknownRole(text.chars().take(80).collect()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_lowercase_slugs_and_refuse_the_rest() {
        let cases: &[(&str, Option<&str>)] = &[
            ("acme", None),
            ("a", None),
            ("0day.team_x-1", None),
            (&"a".repeat(64), None),
            ("", Some("it is empty")),
            (&"a".repeat(65), Some("it is longer than 64 characters")),
            ("Acme", Some("uppercase letters are not allowed: write it in lowercase")),
            ("ÄCME", Some("uppercase letters are not allowed: write it in lowercase")),
            ("-acme", Some("it must start with a letter or a digit")),
            (".acme", Some("it must start with a letter or a digit")),
            ("ac me", Some("use only a-z, 0-9, '.', '_' and '-'")),
            ("acmé", Some("use only a-z, 0-9, '.', '_' and '-'")),
            ("a/b", Some("use only a-z, 0-9, '.', '_' and '-'")),
        ];
        for (input, expected) in cases {
            let got = match OrgId::new(input) {
                Ok(id) => {
                    assert_eq!(id.as_str(), *input);
                    None
                }
                Err(AccessError::InvalidId { reason, kind, .. }) => {
                    assert_eq!(kind, "organisation");
                    Some(reason)
                }
                Err(other) => panic!("unexpected error {other:?}"),
            };
            assert_eq!(got, *expected, "input {input:?}");
            assert_eq!(UserId::new(input).is_ok(), expected.is_none(), "input {input:?}");
        }
    }

    #[test]
    fn ids_round_trip_through_serde_and_refuse_invalid_json() {
        let id: UserId = serde_json::from_str("\"ann.lee\"").expect("valid id");
        assert_eq!(id.to_string(), "ann.lee");
        assert_eq!(serde_json::to_string(&id).expect("serialises"), "\"ann.lee\"");
        let error = serde_json::from_str::<UserId>("\"Ann\"").expect_err("uppercase refused");
        assert!(error.to_string().contains("uppercase letters are not allowed"), "{error}");
    }

    #[test]
    fn roles_parse_lowercase_and_rank_in_order() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_string(&role).expect("serialises"), format!("\"{role}\""));
        }
        assert!("Admin".parse::<Role>().is_err());
        assert!("root".parse::<Role>().is_err());
        let ranks: Vec<u8> = Role::ALL.iter().map(|role| role.rank()).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
    }
}
