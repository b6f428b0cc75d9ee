//! The TAXII 2.1 resources the client reads, parsed and checked without IO: discovery (with the
//! API-root rules of section 4.1.1), API root, collections, the envelope, error messages and
//! timestamps.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::TaxiiError;
use crate::error::truncate;
use crate::url::{Scheme, Url};

/// The media type of TAXII 2.1 resources.
pub const MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// The longest `next` value accepted, in bytes (it is sent back in a URL).
pub const MAX_NEXT_BYTES: usize = 2048;
/// Most API roots a discovery resource may list.
pub const MAX_API_ROOTS: usize = 64;

/// The server discovery resource (section 4.1.1), its API roots resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The server's title.
    pub title: String,
    /// The default API root, if the server names one.
    pub default: Option<Url>,
    /// The API roots, in the server's order.
    pub api_roots: Vec<Url>,
}

/// An API root resource (section 4.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiRoot {
    /// Its title.
    pub title: String,
    /// The TAXII versions it supports (media types).
    #[serde(default)]
    pub versions: Vec<String>,
    /// The largest request body it accepts, in bytes.
    #[serde(default)]
    pub max_content_length: Option<u64>,
}

/// A collection resource (section 5.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Collection {
    /// Its identifier.
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// Its alias, if any.
    #[serde(default)]
    pub alias: Option<String>,
    /// Whether the caller may read objects.
    #[serde(default)]
    pub can_read: bool,
    /// Whether the caller may add objects.
    #[serde(default)]
    pub can_write: bool,
}

/// An envelope (section 3.7): one page of objects, each kept as the exact JSON text received.
#[derive(Debug)]
pub struct Envelope {
    /// Whether the server has more objects.
    pub more: bool,
    /// The opaque value to ask for the next page with, if the server gave one.
    pub next: Option<String>,
    /// The objects, as received.
    pub objects: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct DiscoveryWire {
    title: String,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    api_roots: Vec<String>,
}

#[derive(Deserialize)]
struct CollectionsWire {
    #[serde(default)]
    collections: Vec<Collection>,
}

#[derive(Deserialize)]
struct EnvelopeWire {
    #[serde(default)]
    more: bool,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    objects: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct ErrorWire {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Whether a JSON resource looks like an API root rather than a discovery resource (the
/// client accepts either URL).
pub fn is_api_root(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        versions: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        api_roots: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(body)
        .is_ok_and(|probe| probe.versions.is_some() && probe.api_roots.is_none())
}

/// Parses a discovery resource fetched from `url`, resolving and checking every API root.
pub fn parse_discovery(body: &[u8], url: &Url, allow_http: bool) -> Result<Discovery, TaxiiError> {
    let wire: DiscoveryWire = parse_json(body, url, "a discovery resource")?;
    if wire.api_roots.len() > MAX_API_ROOTS {
        return Err(TaxiiError::Malformed {
            url: url.to_string(),
            problem: format!(
                "the discovery resource lists {} API roots, more than {MAX_API_ROOTS}",
                wire.api_roots.len()
            ),
        });
    }
    let default = wire.default.as_deref().map(|root| resolve_api_root(url, root, allow_http)).transpose()?;
    let api_roots = wire
        .api_roots
        .iter()
        .map(|root| resolve_api_root(url, root, allow_http))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Discovery { title: wire.title, default, api_roots })
}

/// Resolves an API root URL listed by a discovery resource, per TAXII 2.1 section 4.1.1: an
/// absolute `https` URL (`http` only when allowed), or a relative URL that begins with a single
/// `/`; never `//`, never a `.` or `..` segment, never a query or fragment. The result ends
/// with `/`.
pub fn resolve_api_root(discovery: &Url, value: &str, allow_http: bool) -> Result<Url, TaxiiError> {
    let refuse =
        |problem: &str| TaxiiError::ApiRoot { value: truncate(value, 200), problem: problem.to_owned() };
    if value.starts_with("//") {
        return Err(refuse("a relative API root must not begin with //"));
    }
    if value.contains('?') {
        return Err(refuse("an API root must not have a query"));
    }
    if value.contains('#') {
        return Err(refuse("an API root must not have a fragment"));
    }
    if value.contains('\\') {
        return Err(refuse("an API root must not contain a backslash"));
    }
    let has_dot_segment = value
        .split('/')
        .any(|segment| matches!(segment.to_ascii_lowercase().replace("%2e", ".").as_str(), "." | ".."));
    if has_dot_segment {
        return Err(refuse("an API root must not contain . or .. segments"));
    }
    let url = if value.starts_with('/') {
        discovery.join(value).map_err(|problem| refuse(&problem.to_string()))?
    } else {
        let url = Url::parse(value).map_err(|problem| match problem {
            crate::UrlError::NotAbsolute => refuse("must be an absolute https URL or begin with a single /"),
            other => refuse(&other.to_string()),
        })?;
        if url.scheme() == Scheme::Http && !allow_http {
            return Err(refuse("an absolute API root must be https"));
        }
        url
    };
    if url.path().ends_with('/') {
        Ok(url)
    } else {
        discovery.join(&format!("{}/", url.as_str())).map_err(|problem| refuse(&problem.to_string()))
    }
}

/// Parses an API root resource.
pub fn parse_api_root(body: &[u8], url: &Url) -> Result<ApiRoot, TaxiiError> {
    parse_json(body, url, "an API root resource")
}

/// Parses a collections resource.
pub fn parse_collections(body: &[u8], url: &Url) -> Result<Vec<Collection>, TaxiiError> {
    Ok(parse_json::<CollectionsWire>(body, url, "a collections resource")?.collections)
}

/// Parses an envelope; `limit` is the most objects asked for (a server "MUST NOT" send more,
/// section 3.4).
pub fn parse_envelope(body: &[u8], url: &Url, limit: u32) -> Result<Envelope, TaxiiError> {
    let wire: EnvelopeWire = parse_json(body, url, "an envelope")?;
    let malformed = |problem: String| TaxiiError::Malformed { url: url.to_string(), problem };
    if wire.objects.len() > limit as usize {
        return Err(malformed(format!(
            "the envelope has {} objects, more than the {limit} asked for",
            wire.objects.len()
        )));
    }
    if let Some(next) = &wire.next
        && (next.is_empty() || next.len() > MAX_NEXT_BYTES)
    {
        return Err(malformed(format!("\"next\" is empty or longer than {MAX_NEXT_BYTES} bytes")));
    }
    Ok(Envelope { more: wire.more, next: wire.next, objects: wire.objects })
}

/// The title and description of a TAXII error message (section 3.6.1), if the body is one.
pub fn error_message(body: &[u8]) -> Option<String> {
    let wire: ErrorWire = serde_json::from_slice(body).ok()?;
    let text = match (wire.title, wire.description) {
        (Some(title), Some(description)) => format!("{title}: {description}"),
        (Some(title), None) => title,
        (None, Some(description)) => description,
        (None, None) => return None,
    };
    Some(truncate(&text, 300))
}

/// Checks a `Content-Type`: the TAXII media type, version 2.1 when a version is given.
pub fn check_media_type(content_type: Option<&str>, url: &Url) -> Result<(), TaxiiError> {
    let wrong =
        || TaxiiError::MediaType { url: url.to_string(), found: truncate(content_type.unwrap_or(""), 100) };
    let content_type = content_type.ok_or_else(wrong)?;
    let mut parts = content_type.split(';').map(str::trim);
    if !parts.next().is_some_and(|media| media.eq_ignore_ascii_case("application/taxii+json")) {
        return Err(wrong());
    }
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("version")
            && value.trim().trim_matches('"') != "2.1"
        {
            return Err(wrong());
        }
    }
    Ok(())
}

/// Parses a JSON object (serde would also read a struct from an array: refused here).
fn parse_json<'a, T: Deserialize<'a>>(body: &'a [u8], url: &Url, what: &str) -> Result<T, TaxiiError> {
    let malformed = |problem: String| TaxiiError::Malformed {
        url: url.to_string(),
        problem: format!("not {what}: {problem}"),
    };
    if body.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed("not a JSON object".to_owned()));
    }
    serde_json::from_slice(body).map_err(|error| malformed(error.to_string()))
}

/// A TAXII timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`), compared as an instant (`…05Z`
/// equals `…05.000Z`).
#[derive(Debug, Clone)]
pub struct Timestamp {
    text: String,
    key: (u32, u32, u32, u32, u32, u32, u32),
}

impl Timestamp {
    /// Parses a timestamp; `None` if it is not one (or is longer than 40 characters).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 || bytes.len() > 40 || bytes.last() != Some(&b'Z') {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let digits = text.get(range)?;
            digits.bytes().all(|b| b.is_ascii_digit()).then(|| digits.parse().ok()).flatten()
        };
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if separators.iter().any(|(at, expected)| bytes[*at] != *expected) {
            return None;
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let fraction = &text[19..text.len() - 1];
        let nanos = match fraction.strip_prefix('.') {
            None if fraction.is_empty() => 0,
            Some(digits) if (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{digits:0<9}").parse().ok()?
            }
            _ => return None,
        };
        Some(Timestamp { text: text.to_owned(), key: (year, month, day, hour, minute, second, nanos) })
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Timestamp) -> bool {
        self.key == other.key
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Timestamp) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Timestamp) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Timestamp, check_media_type, error_message, parse_discovery, parse_envelope, resolve_api_root,
    };
    use crate::url::Url;

    fn discovery_url() -> Url {
        Url::parse("https://taxii.example/taxii2/").expect("url")
    }

    #[test]
    fn api_roots_follow_section_4_1_1() {
        let base = discovery_url();
        let cases: &[(&str, bool, &str)] = &[
            ("https://taxii.example/api1/", false, "https://taxii.example/api1/"),
            ("https://other.example:8443/root", false, "https://other.example:8443/root/"),
            ("/api2/", false, "https://taxii.example/api2/"),
            ("/trustgroup1", false, "https://taxii.example/trustgroup1/"),
            ("http://127.0.0.1:5000/api1/", true, "http://127.0.0.1:5000/api1/"),
            (
                "http://taxii.example/api1/",
                false,
                "error: invalid API root \"http://taxii.example/api1/\" in the discovery resource: an absolute API root must be https",
            ),
            (
                "//evil.example/",
                false,
                "error: invalid API root \"//evil.example/\" in the discovery resource: a relative API root must not begin with //",
            ),
            (
                "../api1/",
                false,
                "error: invalid API root \"../api1/\" in the discovery resource: an API root must not contain . or .. segments",
            ),
            (
                "/api1/../../admin/",
                false,
                "error: invalid API root \"/api1/../../admin/\" in the discovery resource: an API root must not contain . or .. segments",
            ),
            (
                "/api1/%2e%2e/",
                false,
                "error: invalid API root \"/api1/%2e%2e/\" in the discovery resource: an API root must not contain . or .. segments",
            ),
            (
                "/api1/?x=1",
                false,
                "error: invalid API root \"/api1/?x=1\" in the discovery resource: an API root must not have a query",
            ),
            (
                "https://taxii.example/api1/?",
                false,
                "error: invalid API root \"https://taxii.example/api1/?\" in the discovery resource: an API root must not have a query",
            ),
            (
                "/api1/#x",
                false,
                "error: invalid API root \"/api1/#x\" in the discovery resource: an API root must not have a fragment",
            ),
            (
                "api1/",
                false,
                "error: invalid API root \"api1/\" in the discovery resource: must be an absolute https URL or begin with a single /",
            ),
            (
                "\\\\evil.example\\",
                false,
                "error: invalid API root \"\\\\\\\\evil.example\\\\\" in the discovery resource: an API root must not contain a backslash",
            ),
            (
                "file:///etc/",
                false,
                "error: invalid API root \"file:///etc/\" in the discovery resource: scheme \"file\" is not http or https",
            ),
            (
                "https://user@evil.example/",
                false,
                "error: invalid API root \"https://user@evil.example/\" in the discovery resource: credentials in the URL are not accepted",
            ),
        ];
        let mut failures = Vec::new();
        for (value, allow_http, expected) in cases {
            let actual = match resolve_api_root(&base, value, *allow_http) {
                Ok(url) => url.to_string(),
                Err(error) => format!("error: {error}"),
            };
            if actual != *expected {
                failures.push(format!("{value:?}: expected {expected:?}, got {actual:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn one_bad_api_root_refuses_the_discovery() {
        let body = br#"{"title":"t","default":"/api1/","api_roots":["/api1/","//evil.example/"]}"#;
        let error = parse_discovery(body, &discovery_url(), false)
            .map(|d| d.api_roots.len())
            .map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("invalid API root \"//evil.example/\" in the discovery resource: a relative API root must not begin with //".to_owned())
        );
        let good = parse_discovery(
            br#"{"title":"t","api_roots":["/a/","https://b.example/b/"]}"#,
            &discovery_url(),
            false,
        )
        .expect("a discovery");
        let roots: Vec<String> = good.api_roots.iter().map(ToString::to_string).collect();
        assert_eq!(roots, ["https://taxii.example/a/", "https://b.example/b/"]);
    }

    #[test]
    fn envelopes_keep_objects_verbatim_and_refuse_what_the_spec_forbids() {
        let url = discovery_url();
        let body = br#"{"more":true,"next":"abc","objects":[{"type":"x-a", "id":"x-a--1"},{"b":[1, 2]}]}"#;
        let envelope = parse_envelope(body, &url, 10).expect("an envelope");
        assert!(envelope.more);
        assert_eq!(envelope.next.as_deref(), Some("abc"));
        let texts: Vec<&str> = envelope.objects.iter().map(|o| o.get()).collect();
        assert_eq!(texts, [r#"{"type":"x-a", "id":"x-a--1"}"#, r#"{"b":[1, 2]}"#]);
        let empty = parse_envelope(b"{}", &url, 10).expect("an empty envelope");
        assert!(!empty.more && empty.next.is_none() && empty.objects.is_empty());

        let long_next = format!(r#"{{"more":true,"next":"{}"}}"#, "n".repeat(3000));
        let refused: Vec<String> = [
            br#"{"more":true,"more":false}"#.to_vec(),
            br#"{"objects":[1,2,3]}"#.to_vec(),
            br#"{"next":""}"#.to_vec(),
            long_next.into_bytes(),
            b"[]".to_vec(),
        ]
        .iter()
        .map(|body| {
            parse_envelope(body, &url, 2).map(|_| "accepted".to_owned()).unwrap_or_else(|e| e.to_string())
        })
        .collect();
        assert_eq!(
            refused,
            [
                "malformed response from https://taxii.example/taxii2/: not an envelope: duplicate field `more` at line 1 column 19",
                "malformed response from https://taxii.example/taxii2/: the envelope has 3 objects, more than the 2 asked for",
                "malformed response from https://taxii.example/taxii2/: \"next\" is empty or longer than 2048 bytes",
                "malformed response from https://taxii.example/taxii2/: \"next\" is empty or longer than 2048 bytes",
                "malformed response from https://taxii.example/taxii2/: not an envelope: not a JSON object",
            ]
        );
    }

    #[test]
    fn media_types_error_messages_and_timestamps() {
        let url = discovery_url();
        let verdicts: Vec<bool> = [
            Some("application/taxii+json;version=2.1"),
            Some("application/taxii+json; version=2.1"),
            Some("Application/TAXII+json"),
            Some("application/taxii+json;version=2.0"),
            Some("application/json"),
            Some("text/html"),
            None,
        ]
        .iter()
        .map(|content_type| check_media_type(*content_type, &url).is_ok())
        .collect();
        assert_eq!(verdicts, [true, true, true, false, false, false, false]);
        assert_eq!(
            error_message(br#"{"title":"Unauthorized","description":"bad credentials","http_status":"401"}"#)
                .as_deref(),
            Some("Unauthorized: bad credentials")
        );
        assert_eq!(error_message(b"<html>"), None);

        let parse = |text: &str| Timestamp::parse(text);
        assert_eq!(parse("2024-01-01T00:00:05Z"), parse("2024-01-01T00:00:05.000000Z"));
        assert!(parse("2024-01-01T00:00:05.1Z") > parse("2024-01-01T00:00:05.099999999Z"));
        let refused = [
            "",
            "2024-01-01",
            "2024-13-01T00:00:00Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567890Z",
            "２０２４-01-01T00:00:00Z",
        ];
        for text in refused {
            assert!(parse(text).is_none(), "{text:?} parsed");
        }
    }
}
