//! Synthetic indicators of compromise. Addresses come from ranges reserved for documentation
//! and benchmarking and domains from reserved top-level domains, so nothing generated points at
//! a real host.

use std::fmt::Write as _;

use crate::rng::Rng;

/// Real, publicly documented CVE ids, as reports cite them.
pub(crate) const CVES: &[&str] = &[
    "CVE-2023-23397",
    "CVE-2021-44228",
    "CVE-2023-38831",
    "CVE-2022-30190",
    "CVE-2023-4966",
    "CVE-2024-3400",
    "CVE-2023-34362",
    "CVE-2021-26855",
    "CVE-2017-11882",
    "CVE-2023-20198",
    "CVE-2022-38028",
    "CVE-2024-21412",
    "CVE-2021-40444",
    "CVE-2018-13379",
];

/// MITRE ATT&CK techniques: id and name.
pub(crate) const TECHNIQUES: &[(&str, &str)] = &[
    ("T1566.001", "Spearphishing Attachment"),
    ("T1566.002", "Spearphishing Link"),
    ("T1059.001", "PowerShell"),
    ("T1190", "Exploit Public-Facing Application"),
    ("T1078", "Valid Accounts"),
    ("T1486", "Data Encrypted for Impact"),
    ("T1071.001", "Web Protocols"),
    ("T1027", "Obfuscated Files or Information"),
    ("T1105", "Ingress Tool Transfer"),
    ("T1003.001", "LSASS Memory"),
    ("T1021.001", "Remote Desktop Protocol"),
    ("T1485", "Data Destruction"),
    ("T1204.002", "Malicious File"),
    ("T1133", "External Remote Services"),
];

const DOMAIN_HEADS: &[&str] = &[
    "update", "secure", "login", "cdn", "mail", "docs", "portal", "sync", "cloud", "verify", "account",
    "static",
];
const DOMAIN_TAILS: &[&str] =
    &["check", "service", "office", "files", "auth", "gov", "post", "drive", "support", "news"];
const LOOKALIKES: &[&str] = &[
    "micros0ft-update",
    "goog1e-docs",
    "offlce365-login",
    "paypa1-secure",
    "outl00k-mail",
    "teams-micros0ft",
    "dropb0x-share",
];
const TLDS: &[&str] = &[".example", ".test", ".example.net", ".example.org"];
const URL_PATHS: &[&str] = &[
    "/gate.php",
    "/wp-content/plugins/update.js",
    "/api/v2/check",
    "/files/invoice.zip",
    "/download/setup.msi",
    "/news/article.docx",
];

/// An IPv4 address: mostly from the three documentation ranges (RFC 5737), the rest from the
/// benchmarking range 198.18.0.0/15 (RFC 2544), which looks like ordinary address space.
pub(crate) fn ipv4(rng: &mut Rng, out: &mut String) {
    let host = rng.between(1, 254);
    let _ = match rng.below(10) {
        0..=2 => write!(out, "192.0.2.{host}"),
        3..=4 => write!(out, "198.51.100.{host}"),
        5..=6 => write!(out, "203.0.113.{host}"),
        _ => write!(out, "198.{}.{}.{host}", rng.between(18, 19), rng.below(256)),
    };
}

/// A domain under a reserved top-level domain, sometimes a lookalike of a brand.
pub(crate) fn domain(rng: &mut Rng, out: &mut String) {
    if rng.percent(30) {
        out.push_str(rng.pick(LOOKALIKES));
    } else {
        out.push_str(rng.pick(DOMAIN_HEADS));
        out.push('-');
        out.push_str(rng.pick(DOMAIN_TAILS));
    }
    out.push_str(rng.pick(TLDS));
}

/// An `http` or `https` URL on a generated domain.
pub(crate) fn url(rng: &mut Rng, out: &mut String) {
    out.push_str(if rng.percent(50) { "https://" } else { "http://" });
    domain(rng, out);
    out.push_str(rng.pick(URL_PATHS));
}

/// SHA-256 (64 hex digits) or MD5 (32) shaped strings from the generator.
pub(crate) fn sha256(rng: &mut Rng, out: &mut String) {
    rng.hex(64, out);
}

pub(crate) fn md5(rng: &mut Rng, out: &mut String) {
    rng.hex(32, out);
}

/// A Bitcoin P2WPKH address (`bc1q…`) with a valid BIP 173 checksum over a random program.
pub(crate) fn bitcoin(rng: &mut Rng, out: &mut String) {
    let mut program = [0u8; 20];
    for chunk in program.chunks_mut(8) {
        let word = rng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
    segwit_v0_address(&program, out);
}

/// Encodes a witness version 0 program as a bech32 address with the `bc` prefix.
pub(crate) fn segwit_v0_address(program: &[u8], out: &mut String) {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut data = vec![0u8];
    let mut accumulator = 0u32;
    let mut bits = 0u32;
    for byte in program {
        accumulator = (accumulator << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            data.push(((accumulator >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        data.push(((accumulator << (5 - bits)) & 31) as u8);
    }
    let mut values = vec![3u8, 3, 0, 2, 3];
    values.extend_from_slice(&data);
    values.extend_from_slice(&[0; 6]);
    let checksum = bech32_polymod(&values) ^ 1;
    out.push_str("bc1");
    for value in &data {
        out.push(char::from(CHARSET[usize::from(*value)]));
    }
    for position in 0..6 {
        let value = (checksum >> (5 * (5 - position))) & 31;
        out.push(char::from(CHARSET[value as usize]));
    }
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const GENERATORS: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut checksum = 1u32;
    for value in values {
        let top = checksum >> 25;
        checksum = ((checksum & 0x01ff_ffff) << 5) ^ u32::from(*value);
        for (bit, generator) in GENERATORS.iter().enumerate() {
            if (top >> bit) & 1 == 1 {
                checksum ^= generator;
            }
        }
    }
    checksum
}

/// The defanged form analysts write so that an indicator is not clickable:
/// `hxxp://evil[.]example/x`, `198.51.100[.]77`. Only the last dot of the host is bracketed,
/// as most reports do.
pub(crate) fn defang(indicator: &str) -> String {
    let (scheme, rest) = if let Some(rest) = indicator.strip_prefix("https://") {
        ("hxxps://", rest)
    } else if let Some(rest) = indicator.strip_prefix("http://") {
        ("hxxp://", rest)
    } else {
        ("", indicator)
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    match host.rfind('.') {
        Some(dot) => format!("{scheme}{}[.]{}{path}", &host[..dot], &host[dot + 1..]),
        None => format!("{scheme}{rest}"),
    }
}

/// The whole form of an indicator [`defang`] (or the composer) wrote defanged.
pub(crate) fn refang(indicator: &str) -> String {
    indicator.replacen("hxxps://", "https://", 1).replacen("hxxp://", "http://", 1).replace("[.]", ".")
}

/// Whether an indicator is the kind analysts defang (addresses, domains and URLs, not hashes).
pub(crate) fn is_defangable(indicator: &str) -> bool {
    let host =
        indicator.strip_prefix("https://").or_else(|| indicator.strip_prefix("http://")).unwrap_or(indicator);
    let host = host.split('/').next().unwrap_or(host);
    host.contains('.') && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bech32_matches_the_bip173_example() {
        let program = [
            0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3, 0xa3, 0x23,
            0xf1, 0x43, 0x3b, 0xd6,
        ];
        let mut address = String::new();
        segwit_v0_address(&program, &mut address);
        assert_eq!(address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    }

    #[test]
    fn defanging() {
        assert_eq!(defang("198.51.100.77"), "198.51.100[.]77");
        assert_eq!(defang("http://evil.example/gate.php"), "hxxp://evil[.]example/gate.php");
        assert_eq!(defang("https://a.b.test"), "hxxps://a.b[.]test");
        assert!(is_defangable("login-auth.example"));
        assert!(!is_defangable("0123456789abcdef0123456789abcdef"));
    }
}
