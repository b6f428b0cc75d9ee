//! A strict parser for the absolute `http`/`https` URLs the egress client may fetch, and the
//! resolution of relative references against them.
//!
//! Strict on purpose: anything that two URL parsers could read differently is refused rather than
//! normalised (numeric hosts other than a plain dotted quad, trailing dots, userinfo, percent
//! signs or non-ASCII in the host, backslashes, control characters, dot segments). What is
//! accepted has one canonical form ([`Url::as_str`]), and that form is what is connected to and
//! sent, so nothing downstream re-parses the caller's text.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::UrlError;

/// The longest URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 8192;
/// The longest host name accepted (RFC 1035), in bytes.
const MAX_HOST_BYTES: usize = 253;

/// An `http` or `https` URL in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    scheme: Scheme,
    host: Host,
    port: u16,
    /// The path, starting with `/`, and the query with its `?` if any; no fragment.
    path_and_query: String,
    serialized: String,
}

/// The schemes the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP (allowed only when the policy says so).
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// The host of a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A dotted-quad IPv4 address.
    Ipv4(Ipv4Addr),
    /// A bracketed IPv6 address (no zone).
    Ipv6(Ipv6Addr),
    /// A DNS name, lowercase ASCII, without a trailing dot.
    Domain(String),
}

impl Host {
    /// The address, when the host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
            Host::Domain(_) => None,
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Ipv4(ip) => write!(f, "{ip}"),
            Host::Ipv6(ip) => write!(f, "[{ip}]"),
            Host::Domain(name) => f.write_str(name),
        }
    }
}

impl Url {
    /// Parses an absolute URL. The scheme must be `http` or `https` (whether `http` is allowed
    /// is the policy's business, not the parser's).
    pub fn parse(text: &str) -> Result<Url, UrlError> {
        check_characters(text)?;
        let (scheme_text, rest) = split_scheme(text).ok_or(UrlError::NotAbsolute)?;
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            other => return Err(UrlError::Scheme(other.to_owned())),
        };
        let rest = rest.strip_prefix("//").ok_or(UrlError::NoAuthority)?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let (host, port) = parse_authority(authority)?;
        let port = port.unwrap_or(scheme.default_port());
        let path_and_query = parse_path_and_query(tail)?;
        Ok(Url::from_parts(scheme, host, port, path_and_query))
    }

    fn from_parts(scheme: Scheme, host: Host, port: u16, path_and_query: String) -> Url {
        let serialized = if port == scheme.default_port() {
            format!("{}://{host}{path_and_query}", scheme.as_str())
        } else {
            format!("{}://{host}:{port}{path_and_query}", scheme.as_str())
        };
        Url { scheme, host, port, path_and_query, serialized }
    }

    /// Resolves a reference found in a response (a redirect's `Location`, a link) against this
    /// URL: an absolute URL, a network-path reference (`//host/path`), an absolute path, a query
    /// or a relative path. The result is parsed as strictly as [`Url::parse`].
    pub fn join(&self, reference: &str) -> Result<Url, UrlError> {
        if reference.is_empty() {
            return Ok(self.clone());
        }
        check_characters(reference)?;
        if split_scheme(reference).is_some() {
            return Url::parse(reference);
        }
        if reference.starts_with("//") {
            return Url::parse(&format!("{}:{reference}", self.scheme.as_str()));
        }
        let reference = reference.split('#').next().unwrap_or_default();
        let path_and_query = if reference.is_empty() {
            self.path_and_query.clone()
        } else if reference.starts_with('/') {
            reference.to_owned()
        } else if reference.starts_with('?') {
            format!("{}{reference}", self.path())
        } else {
            let path = self.path();
            let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
            format!("{directory}{reference}")
        };
        let path_and_query = parse_path_and_query(&path_and_query)?;
        let joined = Url::from_parts(self.scheme, self.host.clone(), self.port, path_and_query);
        // A relative reference under the limit can still make a URL over it (a fuzz-found case:
        // the joined URL then failed to parse back).
        if joined.serialized.len() > MAX_URL_BYTES {
            return Err(UrlError::TooLong { limit: MAX_URL_BYTES });
        }
        Ok(joined)
    }

    /// A copy with `query` (already encoded, without `?`) in place of the query, or none.
    pub fn with_query(&self, query: Option<&str>) -> Url {
        let path = self.path().to_owned();
        let path_and_query = match query {
            Some(query) if !query.is_empty() => format!("{path}?{query}"),
            _ => path,
        };
        Url::from_parts(self.scheme, self.host.clone(), self.port, path_and_query)
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port (the scheme's default when none was given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path, from its leading `/`.
    pub fn path(&self) -> &str {
        match self.path_and_query.find('?') {
            Some(mark) => &self.path_and_query[..mark],
            None => &self.path_and_query,
        }
    }

    /// The query, without its `?`.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.find('?').map(|mark| &self.path_and_query[mark + 1..])
    }

    /// Whether `other` has the same scheme, host and port (credentials may follow a redirect
    /// only within one origin).
    pub fn same_origin(&self, other: &Url) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialized)
    }
}

/// Percent-encodes a query parameter value (everything but RFC 3986's unreserved characters).
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Refuses what no valid URL contains and what parsers disagree on: controls, spaces,
/// non-ASCII, backslashes (read as `/` by WHATWG parsers), and overlong text.
fn check_characters(text: &str) -> Result<(), UrlError> {
    if text.len() > MAX_URL_BYTES {
        return Err(UrlError::TooLong { limit: MAX_URL_BYTES });
    }
    if text.is_empty() {
        return Err(UrlError::Empty);
    }
    if let Some(bad) = text.chars().find(|c| !c.is_ascii_graphic() || "\\\"<>^`{|}".contains(*c)) {
        return Err(UrlError::Character(bad));
    }
    Ok(())
}

/// `scheme:rest` when `text` starts with an RFC 3986 scheme.
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some((scheme, &text[colon + 1..]))
}

fn parse_authority(authority: &str) -> Result<(Host, Option<u16>), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::Userinfo);
    }
    if authority.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    if let Some(bracketed) = authority.strip_prefix('[') {
        let close = bracketed.find(']').ok_or(UrlError::Ipv6)?;
        let literal = &bracketed[..close];
        if literal.contains('%') {
            return Err(UrlError::Ipv6Zone);
        }
        let ip: Ipv6Addr = literal.parse().map_err(|_| UrlError::Ipv6)?;
        let after = &bracketed[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(parse_port(after.strip_prefix(':').ok_or(UrlError::Ipv6)?)?),
        };
        return Ok((Host::Ipv6(ip), port));
    }
    let (host_text, port) = match authority.rfind(':') {
        Some(colon) => (&authority[..colon], Some(parse_port(&authority[colon + 1..])?)),
        None => (authority, None),
    };
    Ok((parse_host(host_text)?, port))
}

fn parse_port(text: &str) -> Result<u16, UrlError> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Port(text.to_owned()));
    }
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(UrlError::Port(text.to_owned())),
    }
}

/// A DNS name or a dotted quad. Every other spelling of a number (`2130706433`, `0x7f000001`,
/// `0177.0.0.1`, `127.1`) is refused: WHATWG parsers read them as IPv4 addresses, DNS
/// resolvers as names, and the difference is how SSRF filters are bypassed.
fn parse_host(text: &str) -> Result<Host, UrlError> {
    if text.is_empty() {
        return Err(UrlError::EmptyHost);
    }
    if text.contains('%') {
        return Err(UrlError::HostEncoded);
    }
    if text.len() > MAX_HOST_BYTES {
        return Err(UrlError::HostTooLong);
    }
    if text.ends_with('.') {
        return Err(UrlError::TrailingDot(text.to_owned()));
    }
    let lower = text.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.last().is_some_and(|label| is_numeric_label(label)) {
        return match parse_dotted_quad(&labels) {
            Some(ip) => Ok(Host::Ipv4(ip)),
            None => Err(UrlError::NumericHost(text.to_owned())),
        };
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(UrlError::HostLabel(text.to_owned()));
        }
    }
    Ok(Host::Domain(lower))
}

/// Whether a label reads as a number to some parser: decimal digits, or `0x` and hex digits.
fn is_numeric_label(label: &str) -> bool {
    let hex = label.strip_prefix("0x").map(|rest| rest.bytes().all(|b| b.is_ascii_hexdigit()));
    hex == Some(true) || (!label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()))
}

/// Four decimal parts of 0 to 255 without leading zeros (which some parsers read as octal).
fn parse_dotted_quad(labels: &[&str]) -> Option<Ipv4Addr> {
    if labels.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (octet, label) in octets.iter_mut().zip(labels) {
        if label.is_empty() || label.len() > 3 || !label.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if label.len() > 1 && label.starts_with('0') {
            return None;
        }
        *octet = label.parse().ok()?;
    }
    Some(Ipv4Addr::from(octets))
}

/// The path and query of a URL (`tail` starts at `/`, `?` or `#`, or is empty); the fragment
/// is dropped. Dot segments and malformed percent escapes are refused.
fn parse_path_and_query(tail: &str) -> Result<String, UrlError> {
    let without_fragment = tail.split('#').next().unwrap_or_default();
    let (path, query) = match without_fragment.find('?') {
        Some(mark) => (&without_fragment[..mark], Some(&without_fragment[mark + 1..])),
        None => (without_fragment, None),
    };
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/') {
        return Err(UrlError::Path(path.to_owned()));
    }
    for segment in path.split('/') {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        if decoded == "." || decoded == ".." {
            return Err(UrlError::DotSegment);
        }
    }
    if path.contains(['[', ']']) {
        return Err(UrlError::Character('['));
    }
    check_escapes(path)?;
    let mut result = path.to_owned();
    if let Some(query) = query {
        check_escapes(query)?;
        if !query.is_empty() {
            result.push('?');
            result.push_str(query);
        }
    }
    Ok(result)
}

fn check_escapes(text: &str) -> Result<(), UrlError> {
    let bytes = text.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        if *byte == b'%' {
            let valid = bytes.get(at + 1..at + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
            if !valid {
                return Err(UrlError::Escape);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MAX_URL_BYTES, Url, UrlError};

    /// One line per input: the input, then the canonical URL or the parser's error.
    fn check(cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let actual = match Url::parse(input) {
                Ok(url) => url.to_string(),
                Err(error) => format!("error: {error}"),
            };
            if actual != *expected {
                failures.push(format!("{input:?}: expected {expected:?}, got {actual:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn canonical_forms() {
        check(&[
            ("https://example.com", "https://example.com/"),
            ("HTTPS://Example.COM/Path?q=1#frag", "https://example.com/Path?q=1"),
            ("https://example.com:443/", "https://example.com/"),
            ("http://example.com:80/x", "http://example.com/x"),
            ("https://example.com:8443/taxii2/", "https://example.com:8443/taxii2/"),
            ("https://example.com/?", "https://example.com/"),
            ("https://93.184.215.14/", "https://93.184.215.14/"),
            ("https://[2606:4700:4700::1111]:8443/", "https://[2606:4700:4700::1111]:8443/"),
            ("https://[2606:4700:4700:0:0:0:0:1111]/", "https://[2606:4700:4700::1111]/"),
            ("https://123.example.com/", "https://123.example.com/"),
            ("https://under_score.example/", "https://under_score.example/"),
            (
                "https://example.com/a%20b?match%5Btype%5D=indicator",
                "https://example.com/a%20b?match%5Btype%5D=indicator",
            ),
            ("https://example.com/?match[type]=indicator", "https://example.com/?match[type]=indicator"),
            ("https://example.com?@evil.example/", "https://example.com/?@evil.example/"),
            ("https://example.com#@evil.example/", "https://example.com/"),
        ]);
    }

    #[test]
    fn refused_forms() {
        check(&[
            ("", "error: empty"),
            ("example.com/path", "error: not an absolute URL"),
            ("/relative", "error: not an absolute URL"),
            ("file:///etc/passwd", "error: scheme \"file\" is not http or https"),
            ("gopher://127.0.0.1:6379/_INFO", "error: scheme \"gopher\" is not http or https"),
            ("ftp://example.com/", "error: scheme \"ftp\" is not http or https"),
            ("https:example.com", "error: no host"),
            ("https:/example.com", "error: no host"),
            ("https://", "error: empty host"),
            ("https://:443/", "error: empty host"),
            ("https://user:pass@example.com/", "error: credentials in the URL are not accepted"),
            ("https://example.com@127.0.0.1/", "error: credentials in the URL are not accepted"),
            ("http://0x7f000001/", "error: numeric host \"0x7f000001\" is not a dotted-quad IPv4 address"),
            ("http://2130706433/", "error: numeric host \"2130706433\" is not a dotted-quad IPv4 address"),
            ("http://0177.0.0.1/", "error: numeric host \"0177.0.0.1\" is not a dotted-quad IPv4 address"),
            ("http://127.1/", "error: numeric host \"127.1\" is not a dotted-quad IPv4 address"),
            ("http://127.0.0.1.5/", "error: numeric host \"127.0.0.1.5\" is not a dotted-quad IPv4 address"),
            ("http://0x7f.0.0.1/", "error: numeric host \"0x7f.0.0.1\" is not a dotted-quad IPv4 address"),
            ("http://256.0.0.1/", "error: numeric host \"256.0.0.1\" is not a dotted-quad IPv4 address"),
            (
                "http://example.0x10/",
                "error: numeric host \"example.0x10\" is not a dotted-quad IPv4 address",
            ),
            ("http://localhost./", "error: host \"localhost.\" ends with a dot"),
            ("http://example.com./", "error: host \"example.com.\" ends with a dot"),
            ("http://%31%32%37.0.0.1/", "error: percent-encoded hosts are not accepted"),
            ("http://exa mple.com/", "error: character ' ' is not allowed"),
            ("http://exämple.com/", "error: character 'ä' is not allowed"),
            ("http://example.com\\@evil.example/", "error: character '\\\\' is not allowed"),
            ("http://example.com/\n", "error: character '\\n' is not allowed"),
            ("http://-bad.example/", "error: host \"-bad.example\" is not a valid DNS name"),
            ("http://a..b/", "error: host \"a..b\" is not a valid DNS name"),
            ("http://[::1/", "error: invalid IPv6 address"),
            ("http://[::1]x/", "error: invalid IPv6 address"),
            ("http://[fe80::1%25eth0]/", "error: IPv6 zone identifiers are not accepted"),
            ("http://[::g]/", "error: invalid IPv6 address"),
            ("http://::1/", "error: host \":\" is not a valid DNS name"),
            ("http://example.com:/", "error: invalid port \"\""),
            ("http://example.com:0/", "error: invalid port \"0\""),
            ("http://example.com:65536/", "error: invalid port \"65536\""),
            ("http://example.com:+80/", "error: invalid port \"+80\""),
            ("http://example.com/a/../b", "error: dot segments (. or ..) in the path are not accepted"),
            ("http://example.com/a/%2E%2e/b", "error: dot segments (. or ..) in the path are not accepted"),
            ("http://example.com/./", "error: dot segments (. or ..) in the path are not accepted"),
            ("http://example.com/%zz", "error: malformed percent escape"),
            ("http://example.com/%4", "error: malformed percent escape"),
            ("http://example.com/[x]", "error: character '[' is not allowed"),
        ]);
    }

    #[test]
    fn a_join_is_held_to_the_length_limit() {
        let base =
            Url::parse(&format!("https://taxii.example/{}/", "a".repeat(MAX_URL_BYTES - 40))).expect("base");
        let reference = "b".repeat(100);
        assert!(reference.len() < MAX_URL_BYTES);
        assert_eq!(base.join(&reference), Err(UrlError::TooLong { limit: MAX_URL_BYTES }));
        assert!(base.join("c").is_ok_and(|joined| Url::parse(joined.as_str()) == Ok(joined)));
    }

    #[test]
    fn references_resolve_against_a_base() {
        let base = Url::parse("https://taxii.example:8443/taxii2/root/collections/?x=1").expect("base");
        let cases = [
            ("https://other.example/a", "https://other.example/a"),
            ("//other.example/b", "https://other.example/b"),
            ("/api1/", "https://taxii.example:8443/api1/"),
            ("?next=2", "https://taxii.example:8443/taxii2/root/collections/?next=2"),
            ("objects/", "https://taxii.example:8443/taxii2/root/collections/objects/"),
            ("", "https://taxii.example:8443/taxii2/root/collections/?x=1"),
            ("#frag", "https://taxii.example:8443/taxii2/root/collections/?x=1"),
            ("../up/", "error: dot segments (. or ..) in the path are not accepted"),
            ("//127.0.0.1:6379/", "https://127.0.0.1:6379/"),
            ("gopher://x/", "error: scheme \"gopher\" is not http or https"),
        ];
        let mut failures = Vec::new();
        for (reference, expected) in cases {
            let actual = match base.join(reference) {
                Ok(url) => url.to_string(),
                Err(error) => format!("error: {error}"),
            };
            if actual != expected {
                failures.push(format!("{reference:?}: expected {expected:?}, got {actual:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
