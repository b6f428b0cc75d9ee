//! The crate's errors.

use std::net::IpAddr;

/// What went wrong with an outbound request.
///
/// Refusals by the policy (the URL, the scheme, the destination, the redirects) are kept apart
/// from network faults: see [`EgressError::is_refusal`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EgressError {
    /// The URL does not parse, or uses a form that is refused.
    #[error("invalid URL {url:?}: {problem}")]
    InvalidUrl {
        /// The URL (at most 200 characters of it).
        url: String,
        /// What is wrong.
        problem: UrlError,
    },
    /// The scheme is not allowed by the policy (only `https`, and `http` when allowed).
    #[error("scheme {scheme:?} is not allowed ({allowed})")]
    SchemeNotAllowed {
        /// The scheme.
        scheme: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// The destination address is in a range the policy refuses.
    #[error("destination {ip}{of_host} is in {range}{hint}")]
    DeniedDestination {
        /// The refused address (one of the host's addresses).
        ip: IpAddr,
        /// `" (address of HOST)"` when the URL named a host, else empty.
        of_host: String,
        /// The range, in words.
        range: String,
        /// How to allow it, when the allow-list can.
        hint: &'static str,
    },
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {reason}")]
    Resolve {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// A redirect was refused or there were too many.
    #[error("redirect refused: {0}")]
    Redirect(String),
    /// The response body is larger than allowed.
    #[error("response body from {url} exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The URL fetched.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A timeout elapsed.
    #[error("timed out ({phase}) on {url}")]
    Timeout {
        /// The URL.
        url: String,
        /// Which timeout.
        phase: String,
    },
    /// The connection, the TLS handshake or the exchange failed.
    #[error("request to {url} failed: {reason}")]
    Network {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The policy itself is invalid (an allow-list entry that does not parse, too many
    /// redirects allowed).
    #[error("invalid egress policy: {0}")]
    InvalidPolicy(String),
}

impl EgressError {
    /// Whether the policy refused the request (as opposed to a network fault): retrying will
    /// not help, changing the URL or the policy might.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            EgressError::InvalidUrl { .. }
                | EgressError::SchemeNotAllowed { .. }
                | EgressError::DeniedDestination { .. }
                | EgressError::Redirect(_)
                | EgressError::InvalidPolicy(_)
        )
    }

    pub(crate) fn invalid_url(url: &str, problem: UrlError) -> EgressError {
        EgressError::InvalidUrl { url: truncate(url, 200), problem }
    }
}

/// Why a URL is refused by the parser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Empty text.
    #[error("empty")]
    Empty,
    /// Longer than the limit.
    #[error("longer than {limit} bytes")]
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// A character no URL may contain unencoded (controls, spaces, non-ASCII, backslash...).
    #[error("character {0:?} is not allowed")]
    Character(char),
    /// No scheme.
    #[error("not an absolute URL")]
    NotAbsolute,
    /// A scheme other than `http` and `https`.
    #[error("scheme {0:?} is not http or https")]
    Scheme(String),
    /// No `//` after the scheme.
    #[error("no host")]
    NoAuthority,
    /// Credentials in the URL.
    #[error("credentials in the URL are not accepted")]
    Userinfo,
    /// An empty host.
    #[error("empty host")]
    EmptyHost,
    /// A bracketed IPv6 address that does not parse.
    #[error("invalid IPv6 address")]
    Ipv6,
    /// An IPv6 zone identifier.
    #[error("IPv6 zone identifiers are not accepted")]
    Ipv6Zone,
    /// A port that is not 1 to 65535.
    #[error("invalid port {0:?}")]
    Port(String),
    /// A percent-encoded host.
    #[error("percent-encoded hosts are not accepted")]
    HostEncoded,
    /// A host name longer than 253 bytes.
    #[error("host name longer than 253 bytes")]
    HostTooLong,
    /// A host with a trailing dot.
    #[error("host {0:?} ends with a dot")]
    TrailingDot(String),
    /// A number that is not a dotted-quad IPv4 address.
    #[error("numeric host {0:?} is not a dotted-quad IPv4 address")]
    NumericHost(String),
    /// A host label that is not letters, digits, `-` and `_`.
    #[error("host {0:?} is not a valid DNS name")]
    HostLabel(String),
    /// A path that does not start with `/`.
    #[error("path {0:?} does not start with /")]
    Path(String),
    /// A `.` or `..` path segment.
    #[error("dot segments (. or ..) in the path are not accepted")]
    DotSegment,
    /// A `%` not followed by two hex digits.
    #[error("malformed percent escape")]
    Escape,
}

/// At most `limit` characters of `text`, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
