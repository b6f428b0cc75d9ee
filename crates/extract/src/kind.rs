//! What an indicator is: its kind, canonical value and where it was found.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::ExtractError;

/// The kinds of indicator the extractor recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum IndicatorKind {
    /// An IPv4 address in dotted-quad form, `192.0.2.1`.
    Ipv4,
    /// An IPv6 address, canonical per RFC 5952, `2001:db8::1`.
    Ipv6,
    /// An IPv4 or IPv6 network in CIDR notation, `198.51.100.0/24`, `2001:db8::/32`.
    Cidr,
    /// A host name ending in a known public suffix, in A-label (punycode) form.
    Domain,
    /// A URL with an explicit scheme (`http`, `https`, `ftp`, ...).
    Url,
    /// An e-mail address, `user@example.com`.
    Email,
    /// An MD5 digest: 32 hex digits.
    Md5,
    /// A SHA-1 digest: 40 hex digits.
    Sha1,
    /// A SHA-256 digest: 64 hex digits.
    Sha256,
    /// A SHA-512 digest: 128 hex digits.
    Sha512,
    /// A CVE id, `CVE-2024-12345`.
    Cve,
    /// A MITRE ATT&CK technique or sub-technique id, `T1059`, `T1059.001`.
    AttackTechnique,
    /// A telephone number in international form, normalised to E.164: `+442079460958`.
    Phone,
    /// A Bitcoin address: base58check (P2PKH, P2SH) or bech32/bech32m (`bc1...`).
    Bitcoin,
    /// An Ethereum address: `0x` and 40 hex digits.
    Ethereum,
    /// A Monero address: standard, subaddress or integrated.
    Monero,
    /// An autonomous system number, `AS13335`.
    Asn,
}

impl IndicatorKind {
    /// Every kind, in declaration order.
    pub const ALL: [IndicatorKind; 17] = [
        IndicatorKind::Ipv4,
        IndicatorKind::Ipv6,
        IndicatorKind::Cidr,
        IndicatorKind::Domain,
        IndicatorKind::Url,
        IndicatorKind::Email,
        IndicatorKind::Md5,
        IndicatorKind::Sha1,
        IndicatorKind::Sha256,
        IndicatorKind::Sha512,
        IndicatorKind::Cve,
        IndicatorKind::AttackTechnique,
        IndicatorKind::Phone,
        IndicatorKind::Bitcoin,
        IndicatorKind::Ethereum,
        IndicatorKind::Monero,
        IndicatorKind::Asn,
    ];

    /// The kind's short lowercase name, as used in the labelled test set and in figures:
    /// `ipv4`, `ipv6`, `cidr`, `domain`, `url`, `email`, `md5`, `sha1`, `sha256`, `sha512`,
    /// `cve`, `attack`, `phone`, `btc`, `eth`, `xmr`, `asn`.
    pub fn name(self) -> &'static str {
        match self {
            IndicatorKind::Ipv4 => "ipv4",
            IndicatorKind::Ipv6 => "ipv6",
            IndicatorKind::Cidr => "cidr",
            IndicatorKind::Domain => "domain",
            IndicatorKind::Url => "url",
            IndicatorKind::Email => "email",
            IndicatorKind::Md5 => "md5",
            IndicatorKind::Sha1 => "sha1",
            IndicatorKind::Sha256 => "sha256",
            IndicatorKind::Sha512 => "sha512",
            IndicatorKind::Cve => "cve",
            IndicatorKind::AttackTechnique => "attack",
            IndicatorKind::Phone => "phone",
            IndicatorKind::Bitcoin => "btc",
            IndicatorKind::Ethereum => "eth",
            IndicatorKind::Monero => "xmr",
            IndicatorKind::Asn => "asn",
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IndicatorKind {
    type Err = ExtractError;

    fn from_str(name: &str) -> Result<IndicatorKind, ExtractError> {
        IndicatorKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| ExtractError::UnknownKind { name: name.to_owned() })
    }
}

/// One occurrence of an indicator in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Indicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// The canonical form: refanged, lowercased where case does not matter (upper case for CVE,
    /// ATT&CK and AS ids), domains in A-label form, IPv6 per RFC 5952, phones in E.164.
    pub value: String,
    /// The byte range of the occurrence in the input text, defanging included; always on
    /// character boundaries.
    pub span: Range<usize>,
    /// Whether the occurrence was written defanged (`hxxp://`, `[.]`, `[at]`, ...).
    pub defanged: bool,
}
