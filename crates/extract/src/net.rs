//! IP addresses and network prefixes.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A dotted quad of decimal octets 0 to 255 without leading zeros (`010.1.1.1` is refused:
/// octal to some parsers, and dates and versions to readers).
pub(crate) fn ipv4(text: &str) -> Option<Ipv4Addr> {
    if text.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut count = 0;
    for part in text.split('.') {
        let slot = octets.get_mut(count)?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        *slot = part.parse().ok()?;
        count += 1;
    }
    (count == 4).then(|| Ipv4Addr::from(octets))
}

/// An IPv6 address in any RFC 4291 text form (an IPv4 tail allowed), with at least two groups
/// and one decimal digit, so that `bad::cafe`, `std::io` and clock times are not taken.
pub(crate) fn ipv6(text: &str) -> Option<Ipv6Addr> {
    ipv6_with_groups(text, 2)
}

/// The address part of an IPv6 network: like [`ipv6`] but one group is enough, as networks
/// are often written `2a02::/32`.
pub(crate) fn ipv6_network(text: &str) -> Option<Ipv6Addr> {
    ipv6_with_groups(text, 1)
}

fn ipv6_with_groups(text: &str, min_groups: usize) -> Option<Ipv6Addr> {
    if text.len() > 45 || text.len() < 3 {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
        return None;
    }
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let groups = text.split(':').filter(|group| !group.is_empty()).count();
    let compressed = text.contains("::");
    let colons = text.bytes().filter(|&b| b == b':').count();
    if groups < min_groups || (!compressed && colons < 7 && !(colons == 6 && text.contains('.'))) {
        return None;
    }
    text.parse().ok()
}

/// A prefix length after a `/` at `at` in `bytes`: one to three decimal digits no larger than
/// `max`, not followed by a letter, digit, `/` or a dot and digit (`1.2.3.4/24` yes,
/// `10.0.0.1/index.html` and `2024/01/15` no). Returns the length and the end of the digits.
pub(crate) fn prefix_after(bytes: &[u8], at: usize, max: u8) -> Option<(u8, usize)> {
    if bytes.get(at) != Some(&b'/') {
        return None;
    }
    let digits_start = at + 1;
    let digit_count = bytes.get(digits_start..)?.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
    if digit_count == 0 || digit_count > 3 {
        return None;
    }
    let end = digits_start + digit_count;
    let digits = bytes.get(digits_start..end)?;
    if digits.len() > 1 && digits.first() == Some(&b'0') {
        return None;
    }
    let value = digits.iter().fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    if value > u32::from(max) {
        return None;
    }
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() || *b == b'/' || *b == b'_' => return None,
        Some(b'.' | b'-') if bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) => return None,
        _ => {}
    }
    Some((value as u8, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(ipv4("192.0.2.1").is_some());
        assert!(ipv4("256.1.1.1").is_none());
        assert!(ipv4("1.2.3").is_none());
        assert!(ipv4("1.2.3.4.5").is_none());
        assert!(ipv4("01.2.3.4").is_none());
        assert_eq!(ipv6("2001:DB8:0:0:0:0:0:1").map(|a| a.to_string()).as_deref(), Some("2001:db8::1"));
        assert!(ipv6("fe80::1").is_some());
        assert!(ipv6("::ffff:192.0.2.1").is_some());
        assert!(ipv6("12:30:45").is_none());
        assert!(ipv6("00:1a:2b:3c:4d:5e").is_none());
        assert!(ipv6("bad::cafe").is_none());
        assert!(ipv6("2a02::").is_none());
        assert!(ipv6_network("2a02::").is_some());
        assert_eq!(prefix_after(b"/24 x", 0, 32), Some((24, 3)));
        assert_eq!(prefix_after(b"/33", 0, 32), None);
        assert_eq!(prefix_after(b"/01/15", 0, 32), None);
        assert_eq!(prefix_after(b"/24.", 0, 32), Some((24, 3)));
    }
}
