/// A value that does not fit the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A TLP label that FIRST TLP 2.0 (or its 1.0 predecessor) does not define.
    #[error("unknown TLP label {0:?}: expected one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED")]
    UnknownTlp(String),
    /// A STIX marking-definition id that is not one of the canonical TLP ids.
    #[error("{0:?} is not a canonical TLP marking-definition id")]
    UnknownTlpMarking(String),
    /// An Admiralty grade that is not a letter A-F followed by a digit 1-6.
    #[error("invalid Admiralty grade {0:?}: expected reliability A-F then credibility 1-6, as in \"B2\"")]
    InvalidGrade(String),
    /// A source id that is not a lowercase slug.
    #[error(
        "invalid source id {0:?}: use 1-64 characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit"
    )]
    InvalidSourceId(String),
    /// A source kind that the model does not know.
    #[error(
        "unknown source kind {0:?}: expected open-source, partner, human-report, technical-collection or internal"
    )]
    UnknownSourceKind(String),
    /// A language tag that is not a 2-3 letter lowercase code.
    #[error("invalid language tag {0:?}: expected an ISO 639 code such as \"en\" or \"ru\"")]
    InvalidLanguage(String),
    /// An item id or hash that is not the expected hexadecimal string.
    #[error("invalid {what} {value:?}: expected {expected_len} hexadecimal characters")]
    InvalidHex {
        /// Which kind of value was parsed.
        what: &'static str,
        /// The refused value.
        value: String,
        /// How many hex characters were expected.
        expected_len: usize,
    },
}
