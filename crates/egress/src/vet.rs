//! The policy and the checks made before any connection: pure functions of text and addresses,
//! so they can be tested and fuzzed without a network.

use std::net::IpAddr;
use std::time::Duration;

use crate::deny::denied;
use crate::error::{EgressError, UrlError};
use crate::url::{Host, Scheme, Url};

/// The most redirects a policy may allow.
pub const MAX_REDIRECTS_LIMIT: u32 = 3;

/// What outbound requests may do. Set by an administrator (per feed or per command), never by
/// the content being fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressPolicy {
    /// Whether plain `http` is allowed besides `https`.
    pub allow_http: bool,
    /// Destinations that may be in private ranges (an intentional internal feed): `host` (any
    /// port) or `host:port`, the host written as in the URL (`127.0.0.1:9000`, `[::1]:8443`,
    /// `feeds.internal`). Unspecified, multicast, broadcast and reserved addresses stay refused.
    pub allow_hosts: Vec<String>,
    /// Longest wait for the name lookup and for the TCP connection.
    pub connect_timeout: Duration,
    /// Longest wait for any one read (a server sending one byte a minute is cut off).
    pub read_timeout: Duration,
    /// Longest time for a whole request, redirects and body included.
    pub total_timeout: Duration,
    /// Largest response body, in bytes; a larger one is an error, not a truncation.
    pub max_body_bytes: u64,
    /// Most redirects followed, each checked like the first URL; at most
    /// [`MAX_REDIRECTS_LIMIT`].
    pub max_redirects: u32,
}

impl Default for EgressPolicy {
    /// `https` only, no allow-list, 10 s to connect, 30 s per read, 120 s in all, 64 MiB, 3
    /// redirects.
    fn default() -> EgressPolicy {
        EgressPolicy {
            allow_http: false,
            allow_hosts: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
            max_body_bytes: 64 << 20,
            max_redirects: MAX_REDIRECTS_LIMIT,
        }
    }
}

impl EgressPolicy {
    /// Checks the policy: every allow-list entry parses, redirects within the limit, timeouts
    /// and the body limit above zero.
    pub fn validate(&self) -> Result<(), EgressError> {
        if self.max_redirects > MAX_REDIRECTS_LIMIT {
            return Err(EgressError::InvalidPolicy(format!(
                "max_redirects is {}, at most {MAX_REDIRECTS_LIMIT} are allowed",
                self.max_redirects
            )));
        }
        let timeouts = [self.connect_timeout, self.read_timeout, self.total_timeout];
        if timeouts.iter().any(Duration::is_zero) || self.max_body_bytes == 0 {
            return Err(EgressError::InvalidPolicy("timeouts and max_body_bytes must be above zero".into()));
        }
        self.allowed_destinations().map(drop)
    }

    fn allowed_destinations(&self) -> Result<Vec<AllowedDestination>, EgressError> {
        self.allow_hosts.iter().map(|entry| AllowedDestination::parse(entry)).collect()
    }
}

/// One allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedDestination {
    host: Host,
    /// `None`: any port.
    port: Option<u16>,
}

impl AllowedDestination {
    fn parse(entry: &str) -> Result<AllowedDestination, EgressError> {
        let refuse = |problem: String| {
            EgressError::InvalidPolicy(format!(
                "allow-list entry {entry:?} is not HOST or HOST:PORT: {problem}"
            ))
        };
        if entry.contains(['/', '?', '#', '@']) {
            return Err(refuse("it contains a URL part".into()));
        }
        let url = Url::parse(&format!("http://{entry}/")).map_err(|problem| refuse(problem.to_string()))?;
        let has_port = match entry.strip_prefix('[') {
            Some(bracketed) => bracketed.contains("]:"),
            None => entry.contains(':'),
        };
        Ok(AllowedDestination { host: url.host().clone(), port: has_port.then(|| url.port()) })
    }

    fn matches(&self, url: &Url) -> bool {
        &self.host == url.host() && self.port.is_none_or(|port| port == url.port())
    }
}

/// A URL that passed every check that can be made without the network: scheme, syntax, and
/// for an IP literal the deny list. Its host's addresses are checked after the one lookup, by
/// [`check_addresses`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VettedTarget {
    /// The URL in canonical form (what is connected to and sent).
    pub url: Url,
    /// Whether the host (and port) is on the policy's allow-list.
    pub allow_listed: bool,
}

/// Checks a URL against the policy without touching the network: it must parse strictly
/// ([`Url::parse`]), use `https` (or `http` when allowed), and if its host is an IP address,
/// that address must not be in a denied range unless allow-listed. Pure and total: any input
/// gives `Ok` or an error, never a panic.
pub fn vet_url(text: &str, policy: &EgressPolicy) -> Result<VettedTarget, EgressError> {
    let allowed = policy.allowed_destinations()?;
    let url = match Url::parse(text) {
        Ok(url) => url,
        Err(UrlError::Scheme(scheme)) => {
            return Err(EgressError::SchemeNotAllowed { scheme, allowed: allowed_schemes(policy) });
        }
        Err(problem) => return Err(EgressError::invalid_url(text, problem)),
    };
    vet_parsed(url, policy, &allowed)
}

/// [`vet_url`] for a URL already parsed (a redirect target, a joined link).
pub fn vet(url: Url, policy: &EgressPolicy) -> Result<VettedTarget, EgressError> {
    let allowed = policy.allowed_destinations()?;
    vet_parsed(url, policy, &allowed)
}

fn vet_parsed(
    url: Url,
    policy: &EgressPolicy,
    allowed: &[AllowedDestination],
) -> Result<VettedTarget, EgressError> {
    if url.scheme() == Scheme::Http && !policy.allow_http {
        return Err(EgressError::SchemeNotAllowed {
            scheme: "http".to_owned(),
            allowed: allowed_schemes(policy),
        });
    }
    let allow_listed = allowed.iter().any(|destination| destination.matches(&url));
    let target = VettedTarget { url, allow_listed };
    if let Some(ip) = target.url.host().ip() {
        check_addresses(&target, &[ip])?;
    }
    Ok(target)
}

fn allowed_schemes(policy: &EgressPolicy) -> &'static str {
    if policy.allow_http { "https and http are allowed" } else { "only https is allowed" }
}

/// Checks every address a target's host resolved to: one denied address refuses the host (a
/// name that resolves to a public and a private address is refused, not filtered).
pub fn check_addresses(target: &VettedTarget, addresses: &[IpAddr]) -> Result<(), EgressError> {
    for ip in addresses {
        let Some(denial) = denied(*ip) else { continue };
        if denial.allowable && target.allow_listed {
            continue;
        }
        let hint = if denial.allowable { "; not on the egress allow-list" } else { "" };
        let of_host = match target.url.host() {
            Host::Domain(name) => format!(" (address of {name})"),
            Host::Ipv4(_) | Host::Ipv6(_) => String::new(),
        };
        return Err(EgressError::DeniedDestination { ip: *ip, of_host, range: denial.to_string(), hint });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::{EgressPolicy, check_addresses, vet_url};

    fn policy(allow_http: bool, allow_hosts: &[&str]) -> EgressPolicy {
        EgressPolicy {
            allow_http,
            allow_hosts: allow_hosts.iter().map(|host| (*host).to_owned()).collect(),
            ..EgressPolicy::default()
        }
    }

    /// One line per URL: the URL, then the vetted URL (with `allow-listed` when it is) or the
    /// error.
    fn check(policy: &EgressPolicy, cases: &[(&str, &str)]) {
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let actual = match vet_url(input, policy) {
                Ok(target) if target.allow_listed => format!("{} allow-listed", target.url),
                Ok(target) => target.url.to_string(),
                Err(error) => format!("error: {error}"),
            };
            if actual != *expected {
                failures.push(format!("{input:?}: expected {expected:?}, got {actual:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_bad_inputs_of_the_security_reference_are_refused() {
        let strict = policy(false, &[]);
        check(
            &strict,
            &[
                ("https://example.com/taxii2/", "https://example.com/taxii2/"),
                ("http://example.com/", "error: scheme \"http\" is not allowed (only https is allowed)"),
                ("file:///etc/passwd", "error: scheme \"file\" is not allowed (only https is allowed)"),
                (
                    "gopher://127.0.0.1:6379/_",
                    "error: scheme \"gopher\" is not allowed (only https is allowed)",
                ),
                ("ftp://example.com/", "error: scheme \"ftp\" is not allowed (only https is allowed)"),
                (
                    "https://169.254.169.254/latest/meta-data/",
                    "error: destination 169.254.169.254 is in the link-local range (169.254.0.0/16, cloud metadata services); not on the egress allow-list",
                ),
                (
                    "https://127.0.0.1:6379/",
                    "error: destination 127.0.0.1 is in the loopback range (127.0.0.0/8); not on the egress allow-list",
                ),
                (
                    "https://10.0.0.5/",
                    "error: destination 10.0.0.5 is in a private range (RFC 1918); not on the egress allow-list",
                ),
                (
                    "https://[::ffff:127.0.0.1]/",
                    "error: destination ::ffff:127.0.0.1 is in the loopback range (127.0.0.0/8), as the IPv4 address 127.0.0.1; not on the egress allow-list",
                ),
                (
                    "https://[::1]/",
                    "error: destination ::1 is in the loopback range (::1/128); not on the egress allow-list",
                ),
                (
                    "https://[fd00::1]/",
                    "error: destination fd00::1 is in a unique local range (fc00::/7); not on the egress allow-list",
                ),
                (
                    "https://0.0.0.0/",
                    "error: destination 0.0.0.0 is in the \"this network\" range (0.0.0.0/8)",
                ),
                (
                    "https://0x7f000001/",
                    "error: invalid URL \"https://0x7f000001/\": numeric host \"0x7f000001\" is not a dotted-quad IPv4 address",
                ),
                (
                    "https://2130706433/",
                    "error: invalid URL \"https://2130706433/\": numeric host \"2130706433\" is not a dotted-quad IPv4 address",
                ),
                (
                    "https://localhost./",
                    "error: invalid URL \"https://localhost./\": host \"localhost.\" ends with a dot",
                ),
            ],
        );
    }

    #[test]
    fn http_and_the_allow_list_are_opt_in() {
        let internal = policy(true, &["127.0.0.1:9000", "feeds.internal", "[::1]:8443", "10.1.2.3"]);
        check(
            &internal,
            &[
                ("http://127.0.0.1:9000/taxii2/", "http://127.0.0.1:9000/taxii2/ allow-listed"),
                (
                    "http://127.0.0.1:9001/",
                    "error: destination 127.0.0.1 is in the loopback range (127.0.0.0/8); not on the egress allow-list",
                ),
                ("https://feeds.internal:1234/x", "https://feeds.internal:1234/x allow-listed"),
                ("https://[::1]:8443/", "https://[::1]:8443/ allow-listed"),
                ("https://10.1.2.3:99/", "https://10.1.2.3:99/ allow-listed"),
                ("https://example.com/", "https://example.com/"),
            ],
        );
        let bad = policy(false, &["http://127.0.0.1:9000/"]);
        check(
            &bad,
            &[(
                "https://example.com/",
                "error: invalid egress policy: allow-list entry \"http://127.0.0.1:9000/\" is not HOST or HOST:PORT: it contains a URL part",
            )],
        );
        let never = policy(false, &["224.0.0.1", "0.0.0.0"]);
        check(
            &never,
            &[
                (
                    "https://224.0.0.1/",
                    "error: destination 224.0.0.1 is in the multicast range (224.0.0.0/4)",
                ),
                (
                    "https://0.0.0.0/",
                    "error: destination 0.0.0.0 is in the \"this network\" range (0.0.0.0/8)",
                ),
            ],
        );
    }

    #[test]
    fn every_resolved_address_is_checked() {
        let strict = policy(false, &[]);
        let target = vet_url("https://rebind.example/", &strict).expect("a name passes before the lookup");
        let addresses =
            |list: &[&str]| -> Vec<IpAddr> { list.iter().map(|a| a.parse().expect("ip")).collect() };
        assert!(
            check_addresses(
                &target,
                &addresses(&["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
            )
            .is_ok()
        );
        let mixed = check_addresses(&target, &addresses(&["93.184.215.14", "192.168.0.10"]))
            .map_err(|e| e.to_string());
        assert_eq!(
            mixed,
            Err("destination 192.168.0.10 (address of rebind.example) is in a private range (RFC 1918); not on the egress allow-list".to_owned())
        );
    }

    #[test]
    fn a_policy_allows_at_most_three_redirects() {
        let lax = EgressPolicy { max_redirects: 10, ..EgressPolicy::default() };
        assert_eq!(
            lax.validate().map_err(|e| e.to_string()),
            Err("invalid egress policy: max_redirects is 10, at most 3 are allowed".to_owned())
        );
    }
}
