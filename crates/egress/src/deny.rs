//! The destinations the client never connects to unless an administrator allows them: one table
//! of ranges, each with the words an error uses to say why.
//!
//! IPv6 addresses that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, NAT64
//! `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are judged by the IPv4 address they reach.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied {
    /// The range, in words: "a private range (RFC 1918)".
    pub range: &'static str,
    /// Whether the admin allow-list can lift the refusal: private services can be meant, but an
    /// unspecified, multicast, broadcast or reserved address is never a server.
    pub allowable: bool,
    /// The IPv4 address an IPv6 address embeds, when that is what was judged.
    pub via: Option<Ipv4Addr>,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.range)?;
        if let Some(ipv4) = self.via {
            write!(f, ", as the IPv4 address {ipv4}")?;
        }
        Ok(())
    }
}

/// Whether an allow-listed destination may still not be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lift {
    /// The allow-list lifts the refusal.
    Allowable,
    /// Never a destination.
    Never,
}

/// IPv4 ranges: network, prefix length, words, whether the allow-list lifts it. First match wins.
const IPV4_RANGES: &[([u8; 4], u8, &str, Lift)] = &[
    ([0, 0, 0, 0], 8, "the \"this network\" range (0.0.0.0/8)", Lift::Never),
    ([10, 0, 0, 0], 8, "a private range (RFC 1918)", Lift::Allowable),
    ([100, 64, 0, 0], 10, "the carrier-grade NAT range (100.64.0.0/10)", Lift::Allowable),
    ([127, 0, 0, 0], 8, "the loopback range (127.0.0.0/8)", Lift::Allowable),
    ([169, 254, 0, 0], 16, "the link-local range (169.254.0.0/16, cloud metadata services)", Lift::Allowable),
    ([172, 16, 0, 0], 12, "a private range (RFC 1918)", Lift::Allowable),
    ([192, 0, 0, 0], 24, "the IETF protocol assignments range (192.0.0.0/24)", Lift::Allowable),
    ([192, 0, 2, 0], 24, "a documentation range (RFC 5737)", Lift::Never),
    ([192, 88, 99, 0], 24, "the 6to4 relay anycast range (192.88.99.0/24)", Lift::Never),
    ([192, 168, 0, 0], 16, "a private range (RFC 1918)", Lift::Allowable),
    ([198, 18, 0, 0], 15, "the benchmarking range (198.18.0.0/15)", Lift::Allowable),
    ([198, 51, 100, 0], 24, "a documentation range (RFC 5737)", Lift::Never),
    ([203, 0, 113, 0], 24, "a documentation range (RFC 5737)", Lift::Never),
    ([224, 0, 0, 0], 4, "the multicast range (224.0.0.0/4)", Lift::Never),
    ([255, 255, 255, 255], 32, "the broadcast address", Lift::Never),
    ([240, 0, 0, 0], 4, "the reserved range (240.0.0.0/4)", Lift::Never),
];

/// IPv6 ranges judged on their own (embedded IPv4 addresses are handled before this table).
const IPV6_RANGES: &[([u16; 8], u8, &str, Lift)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, "the unspecified range (::/128)", Lift::Never),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, "the loopback range (::1/128)", Lift::Allowable),
    ([0, 0, 0, 0, 0, 0, 0, 0], 96, "the deprecated IPv4-compatible range (::/96)", Lift::Never),
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "the local-use NAT64 range (64:ff9b:1::/48)", Lift::Allowable),
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, "the discard-only range (100::/64)", Lift::Never),
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "the Teredo range (2001::/32)", Lift::Never),
    ([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, "the benchmarking range (2001:2::/48)", Lift::Allowable),
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "a documentation range (2001:db8::/32)", Lift::Never),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "a unique local range (fc00::/7)", Lift::Allowable),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "the link-local range (fe80::/10)", Lift::Allowable),
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "the deprecated site-local range (fec0::/10)", Lift::Allowable),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "the multicast range (ff00::/8)", Lift::Never),
];

/// Why `ip` is not a destination, or `None` when it is a public unicast address.
pub fn denied(ip: IpAddr) -> Option<Denied> {
    match ip {
        IpAddr::V4(ipv4) => denied_ipv4(ipv4),
        IpAddr::V6(ipv6) => match embedded_ipv4(ipv6) {
            Some(ipv4) => denied_ipv4(ipv4).map(|denied| Denied { via: Some(ipv4), ..denied }),
            None => denied_ipv6(ipv6),
        },
    }
}

fn denied_ipv4(ip: Ipv4Addr) -> Option<Denied> {
    let bits = u32::from(ip);
    IPV4_RANGES.iter().find_map(|(network, length, range, lift)| {
        let mask = if *length == 0 { 0 } else { u32::MAX << (32 - u32::from(*length)) };
        (bits & mask == u32::from(Ipv4Addr::from(*network))).then_some(Denied {
            range,
            allowable: *lift == Lift::Allowable,
            via: None,
        })
    })
}

fn denied_ipv6(ip: Ipv6Addr) -> Option<Denied> {
    let bits = u128::from(ip);
    IPV6_RANGES.iter().find_map(|(network, length, range, lift)| {
        let mask = if *length == 0 { 0 } else { u128::MAX << (128 - u32::from(*length)) };
        (bits & mask == u128::from(Ipv6Addr::from(*network))).then_some(Denied {
            range,
            allowable: *lift == Lift::Allowable,
            via: None,
        })
    })
}

/// The IPv4 address an IPv6 address reaches through a translation: IPv4-mapped
/// (`::ffff:0:0/96`), well-known NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let low = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match segments {
        [0, 0, 0, 0, 0, 0xffff, high, low_half] => Some(low(high, low_half)),
        [0x64, 0xff9b, 0, 0, 0, 0, high, low_half] => Some(low(high, low_half)),
        [0x2002, high, low_half, ..] => Some(low(high, low_half)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::denied;

    /// One line per address: the address, then what the deny list says.
    fn check(cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for (address, expected) in cases {
            let ip: IpAddr = address.parse().unwrap_or_else(|e| panic!("{address}: {e}"));
            let actual = match denied(ip) {
                None => "public".to_owned(),
                Some(denied) if denied.allowable => format!("{denied}"),
                Some(denied) => format!("never: {denied}"),
            };
            if actual != *expected {
                failures.push(format!("{address}: expected {expected:?}, got {actual:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn ipv4_ranges() {
        check(&[
            ("0.0.0.0", "never: the \"this network\" range (0.0.0.0/8)"),
            ("0.1.2.3", "never: the \"this network\" range (0.0.0.0/8)"),
            ("10.0.0.5", "a private range (RFC 1918)"),
            ("10.255.255.255", "a private range (RFC 1918)"),
            ("11.0.0.0", "public"),
            ("100.63.255.255", "public"),
            ("100.64.0.1", "the carrier-grade NAT range (100.64.0.0/10)"),
            ("100.100.100.200", "the carrier-grade NAT range (100.64.0.0/10)"),
            ("100.127.255.255", "the carrier-grade NAT range (100.64.0.0/10)"),
            ("100.128.0.0", "public"),
            ("127.0.0.1", "the loopback range (127.0.0.0/8)"),
            ("127.255.255.254", "the loopback range (127.0.0.0/8)"),
            ("169.254.169.254", "the link-local range (169.254.0.0/16, cloud metadata services)"),
            ("172.15.255.255", "public"),
            ("172.16.0.1", "a private range (RFC 1918)"),
            ("172.31.255.255", "a private range (RFC 1918)"),
            ("172.32.0.0", "public"),
            ("192.0.0.192", "the IETF protocol assignments range (192.0.0.0/24)"),
            ("192.0.2.1", "never: a documentation range (RFC 5737)"),
            ("192.167.255.255", "public"),
            ("192.168.1.1", "a private range (RFC 1918)"),
            ("198.18.0.1", "the benchmarking range (198.18.0.0/15)"),
            ("198.51.100.7", "never: a documentation range (RFC 5737)"),
            ("203.0.113.9", "never: a documentation range (RFC 5737)"),
            ("224.0.0.1", "never: the multicast range (224.0.0.0/4)"),
            ("239.255.255.250", "never: the multicast range (224.0.0.0/4)"),
            ("240.0.0.1", "never: the reserved range (240.0.0.0/4)"),
            ("255.255.255.255", "never: the broadcast address"),
            ("1.1.1.1", "public"),
            ("8.8.8.8", "public"),
            ("93.184.215.14", "public"),
        ]);
    }

    #[test]
    fn ipv6_ranges_and_embedded_ipv4() {
        check(&[
            ("::", "never: the unspecified range (::/128)"),
            ("::1", "the loopback range (::1/128)"),
            ("::ffff:127.0.0.1", "the loopback range (127.0.0.0/8), as the IPv4 address 127.0.0.1"),
            ("::ffff:7f00:1", "the loopback range (127.0.0.0/8), as the IPv4 address 127.0.0.1"),
            ("::ffff:10.1.2.3", "a private range (RFC 1918), as the IPv4 address 10.1.2.3"),
            (
                "::ffff:169.254.169.254",
                "the link-local range (169.254.0.0/16, cloud metadata services), as the IPv4 address 169.254.169.254",
            ),
            ("::ffff:8.8.8.8", "public"),
            ("::127.0.0.1", "never: the deprecated IPv4-compatible range (::/96)"),
            ("64:ff9b::10.0.0.1", "a private range (RFC 1918), as the IPv4 address 10.0.0.1"),
            ("64:ff9b::8.8.8.8", "public"),
            ("64:ff9b:1::1", "the local-use NAT64 range (64:ff9b:1::/48)"),
            ("2002:c0a8:0101::1", "a private range (RFC 1918), as the IPv4 address 192.168.1.1"),
            ("2002:0808:0808::1", "public"),
            ("100::1", "never: the discard-only range (100::/64)"),
            ("2001::1", "never: the Teredo range (2001::/32)"),
            ("2001:db8::1", "never: a documentation range (2001:db8::/32)"),
            ("fc00::1", "a unique local range (fc00::/7)"),
            ("fd00::1", "a unique local range (fc00::/7)"),
            ("fd00:ec2::254", "a unique local range (fc00::/7)"),
            ("fe80::1", "the link-local range (fe80::/10)"),
            ("febf::1", "the link-local range (fe80::/10)"),
            ("fec0::1", "the deprecated site-local range (fec0::/10)"),
            ("ff02::1", "never: the multicast range (ff00::/8)"),
            ("2606:4700:4700::1111", "public"),
            ("2a00:1450:4001:80b::200e", "public"),
        ]);
    }
}
