//! The client: every outbound request of Muninn goes through [`EgressClient`].
//!
//! The host is resolved once, inside the HTTP library's resolver hook, and every address is
//! checked there; the library then connects to exactly those addresses. There is no second
//! lookup, so a DNS answer that changes between the check and the connection (rebinding) has
//! nothing to change. Redirects are not followed by the library: each `Location` is resolved
//! against the current URL, vetted like the first URL, and resolved and checked again.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::error::{EgressError, truncate};
use crate::url::{Host, Url};
use crate::vet::{EgressPolicy, VettedTarget, check_addresses, vet, vet_url};

/// Most addresses of one host the library takes (its resolver's capacity).
const MAX_ADDRESSES: usize = 16;

/// The largest response header block accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The one outbound HTTP client. Cheap to share by reference; keeps a small connection pool.
#[derive(Debug)]
pub struct EgressClient {
    policy: Arc<EgressPolicy>,
    agent: ureq::Agent,
}

/// An HTTP method the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// One request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// GET or POST.
    pub method: Method,
    /// The absolute URL.
    pub url: &'a str,
    /// Header names and values. `Authorization` and `Cookie` are dropped when a redirect leaves
    /// the origin.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body of a POST (ignored for GET).
    pub body: &'a [u8],
    /// A lower body limit than the policy's for this request (a sync's remaining byte budget).
    pub max_body_bytes: Option<u64>,
}

/// A response, its body read whole (within the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The URL that answered (after redirects), canonical.
    pub url: String,
    /// The HTTP status code.
    pub status: u16,
    /// Header names (lowercase) and values, in order; values that are not UTF-8 are lossily
    /// decoded.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

impl EgressClient {
    /// A client for `policy` (checked first: see [`EgressPolicy::validate`]).
    pub fn new(policy: EgressPolicy) -> Result<EgressClient, EgressError> {
        policy.validate()?;
        let config = Config::builder()
            // Environment proxies would make the library resolve and connect to another host.
            .proxy(None)
            .http_status_as_error(false)
            // Redirects are followed here, hop by hop, each one vetted.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .https_only(!policy.allow_http)
            .user_agent(concat!("muninn/", env!("CARGO_PKG_VERSION")))
            .max_response_header_size(MAX_HEADER_BYTES)
            .timeout_resolve(Some(policy.connect_timeout))
            .timeout_connect(Some(policy.connect_timeout))
            .timeout_per_read(Some(policy.read_timeout))
            .timeout_per_write(Some(policy.read_timeout))
            .timeout_global(Some(policy.total_timeout))
            .build();
        let policy = Arc::new(policy);
        let resolver = VettingResolver { policy: Arc::clone(&policy) };
        let agent = ureq::Agent::with_parts(config, DefaultConnector::new(), resolver);
        Ok(EgressClient { policy, agent })
    }

    /// The policy.
    pub fn policy(&self) -> &EgressPolicy {
        &self.policy
    }

    /// GET `url`.
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, EgressError> {
        self.send(&Request { method: Method::Get, url, headers, body: &[], max_body_bytes: None })
    }

    /// POST `body` to `url`.
    pub fn post(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<Response, EgressError> {
        self.send(&Request { method: Method::Post, url, headers, body, max_body_bytes: None })
    }

    /// Sends a request, following at most the policy's number of redirects, each vetted.
    /// Any status is a response (a 404 is not an error here); a 3xx without `Location`, or one
    /// past the redirect limit, is an error.
    pub fn send(&self, request: &Request<'_>) -> Result<Response, EgressError> {
        let started = Instant::now();
        let limit = request
            .max_body_bytes
            .map_or(self.policy.max_body_bytes, |lower| lower.min(self.policy.max_body_bytes));
        let mut target = vet_url(request.url, &self.policy)?;
        let mut method = request.method;
        let mut headers: Vec<(&str, &str)> = request.headers.to_vec();
        let mut redirects = 0;
        loop {
            let remaining = self
                .policy
                .total_timeout
                .checked_sub(started.elapsed())
                .filter(|remaining| !remaining.is_zero())
                .ok_or_else(|| EgressError::Timeout { url: target.url.to_string(), phase: "total".into() })?;
            let exchanged = self.exchange(method, &target, &headers, request.body, remaining);
            let mut response = match exchanged {
                Ok(response) => response,
                Err(error) if redirects > 0 && error.is_refusal() => {
                    return Err(EgressError::Redirect(format!(
                        "{} redirected to {}: {error}",
                        request.url, target.url
                    )));
                }
                Err(error) => return Err(error),
            };
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| {
                        EgressError::Redirect(format!("status {status} from {} has no Location", target.url))
                    })?
                    .to_owned();
                if redirects == self.policy.max_redirects {
                    return Err(EgressError::Redirect(format!(
                        "more than {} redirects (the last to {})",
                        self.policy.max_redirects,
                        truncate(&location, 200)
                    )));
                }
                redirects += 1;
                let next = target
                    .url
                    .join(&location)
                    .map_err(|problem| EgressError::invalid_url(&location, problem))
                    .and_then(|url| vet(url, &self.policy))
                    .map_err(|error| {
                        EgressError::Redirect(format!(
                            "{} redirected to {}: {error}",
                            request.url,
                            truncate(&location, 200)
                        ))
                    })?;
                if !next.url.same_origin(&target.url) {
                    headers.retain(|(name, _)| !is_credential(name));
                }
                if status == 303 || (matches!(status, 301 | 302) && method == Method::Post) {
                    method = Method::Get;
                }
                tracing::debug!(from = %target.url, to = %next.url, status, "redirect");
                target = next;
                continue;
            }
            let body = response
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|error| from_ureq(error, &target.url, limit))?;
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
                })
                .collect();
            tracing::debug!(url = %target.url, status, bytes = body.len(), "response");
            return Ok(Response { url: target.url.to_string(), status, headers, body });
        }
    }

    fn exchange(
        &self,
        method: Method,
        target: &VettedTarget,
        headers: &[(&str, &str)],
        body: &[u8],
        remaining: Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, EgressError> {
        let url = target.url.as_str();
        let result = match method {
            Method::Get => {
                let mut builder = self.agent.get(url);
                for (name, value) in headers {
                    builder = builder.header(*name, *value);
                }
                builder.config().timeout_global(Some(remaining)).build().call()
            }
            Method::Post => {
                let mut builder = self.agent.post(url);
                for (name, value) in headers {
                    builder = builder.header(*name, *value);
                }
                builder.config().timeout_global(Some(remaining)).build().send(body)
            }
        };
        result.map_err(|error| from_ureq(error, &target.url, self.policy.max_body_bytes))
    }
}

fn is_credential(header: &str) -> bool {
    ["authorization", "cookie", "proxy-authorization"].iter().any(|name| header.eq_ignore_ascii_case(name))
}

fn from_ureq(error: ureq::Error, url: &Url, limit: u64) -> EgressError {
    let url_text = url.to_string();
    match error {
        ureq::Error::Io(io) => {
            let is_ours = io.get_ref().is_some_and(|inner| inner.is::<EgressError>());
            match io.into_inner() {
                Some(inner) if is_ours => match inner.downcast::<EgressError>() {
                    Ok(ours) => *ours,
                    Err(other) => EgressError::Network { url: url_text, reason: other.to_string() },
                },
                Some(inner) => EgressError::Network { url: url_text, reason: inner.to_string() },
                None => EgressError::Network { url: url_text, reason: "i/o error".into() },
            }
        }
        ureq::Error::Timeout(which) => EgressError::Timeout { url: url_text, phase: which.to_string() },
        ureq::Error::BodyExceedsLimit(_) => EgressError::BodyTooLarge { url: url_text, limit },
        ureq::Error::HostNotFound => {
            EgressError::Resolve { host: url.host().to_string(), reason: "no address".into() }
        }
        other => EgressError::Network { url: url_text, reason: other.to_string() },
    }
}

/// The resolver hook: the one lookup of a request, and the check of every address it gives.
#[derive(Debug)]
struct VettingResolver {
    policy: Arc<EgressPolicy>,
}

impl Resolver for VettingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let refused = |error: EgressError| ureq::Error::Io(std::io::Error::other(error));
        // The URI is the canonical text this crate gave the library; vetting it again costs
        // nothing and means nothing unvetted is ever connected to.
        let target = vet_url(&uri.to_string(), &self.policy).map_err(refused)?;
        let port = target.url.port();
        let addresses = match target.url.host() {
            Host::Ipv4(ip) => vec![IpAddr::V4(*ip)],
            Host::Ipv6(ip) => vec![IpAddr::V6(*ip)],
            Host::Domain(name) => lookup(name, port, self.policy.connect_timeout).map_err(refused)?,
        };
        check_addresses(&target, &addresses).map_err(refused)?;
        let mut resolved = self.empty();
        for ip in addresses.into_iter().take(MAX_ADDRESSES) {
            resolved.push(SocketAddr::new(ip, port));
        }
        tracing::debug!(host = %target.url.host(), addresses = ?resolved, "resolved and vetted");
        Ok(resolved)
    }
}

/// One DNS lookup, bounded in time (the system resolver cannot be interrupted, so it runs on a
/// thread that is left behind on a timeout).
fn lookup(host: &str, port: u16, timeout: Duration) -> Result<Vec<IpAddr>, EgressError> {
    let (sender, receiver) = mpsc::sync_channel(1);
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("muninn-egress-dns".into())
        .spawn(move || {
            let result =
                (name.as_str(), port).to_socket_addrs().map(|addresses| addresses.collect::<Vec<_>>());
            let _ = sender.send(result);
        })
        .map_err(|error| EgressError::Resolve { host: host.to_owned(), reason: error.to_string() })?;
    let addresses = match receiver.recv_timeout(timeout) {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(error)) => {
            return Err(EgressError::Resolve { host: host.to_owned(), reason: error.to_string() });
        }
        Err(_) => {
            return Err(EgressError::Resolve { host: host.to_owned(), reason: "lookup timed out".into() });
        }
    };
    let mut ips: Vec<IpAddr> = addresses.iter().map(SocketAddr::ip).collect();
    ips.dedup();
    if ips.is_empty() {
        return Err(EgressError::Resolve { host: host.to_owned(), reason: "no address".into() });
    }
    Ok(ips)
}
