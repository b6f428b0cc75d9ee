//! Warning lists in MISP's format: known-benign values (public resolvers, popular domains,
//! cloud ranges) whose matches are suppressed and reported rather than returned.
//!
//! Pure: lists are parsed from text the caller has read.

use std::collections::HashSet;
use std::net::IpAddr;

use serde::Deserialize;

use crate::{ExtractError, Indicator, IndicatorKind, net};

/// One warning list.
#[derive(Debug, Clone)]
pub struct WarningList {
    name: String,
    description: String,
    /// Kinds the list applies to; all kinds when `None`.
    kinds: Option<Vec<IndicatorKind>>,
    matcher: Matcher,
    entries: usize,
    skipped: Vec<String>,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// Whole values, compared in lower case.
    Strings(HashSet<String>),
    /// Addresses and networks: sorted, merged ranges.
    Cidrs { v4: Vec<(u32, u32)>, v6: Vec<(u128, u128)> },
    /// Host names: the name or any parent of it (for URLs and e-mail addresses, their host).
    Hostnames(HashSet<String>),
    /// Substrings of the value, in lower case.
    Substrings(Vec<String>),
    /// Regular expressions over the value (the `regex` crate: linear time).
    Regexes(Vec<regex::Regex>),
}

/// The JSON of a MISP warning list. Unknown fields (`version`, `category`, ...) are ignored.
#[derive(Deserialize)]
struct RawList {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default = "string_type")]
    list_type: String,
    list: Vec<String>,
    #[serde(default)]
    matching_attributes: Vec<String>,
}

fn string_type() -> String {
    "string".to_owned()
}

/// The largest compiled size allowed for one regular expression entry.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl WarningList {
    /// Parses a list in MISP's JSON format: `name`, `type` (`string`, `cidr`, `hostname`,
    /// `substring` or `regex`; `string` when absent), `list`, and optionally `description` and
    /// `matching_attributes` (MISP attribute types such as `ip-dst`, `domain`, `url`, `md5`, or
    /// this crate's kind names; the list applies to every kind when absent or empty). Entries
    /// that cannot be used (a malformed network, a regular expression that does not compile)
    /// are skipped and listed by [`WarningList::skipped`].
    pub fn from_json(json: &str) -> Result<WarningList, ExtractError> {
        let raw: RawList = serde_json::from_str(json)?;
        let kinds = if raw.matching_attributes.is_empty() {
            None
        } else {
            let mut kinds: Vec<IndicatorKind> =
                raw.matching_attributes.iter().flat_map(|attribute| kinds_of_attribute(attribute)).collect();
            kinds.sort();
            kinds.dedup();
            Some(kinds)
        };
        let mut skipped = Vec::new();
        let entries: Vec<String> =
            raw.list.iter().map(|entry| entry.trim().to_owned()).filter(|entry| !entry.is_empty()).collect();
        let matcher = match raw.list_type.as_str() {
            "string" => Matcher::Strings(entries.iter().map(|entry| normalise(entry)).collect()),
            "hostname" => Matcher::Hostnames(entries.iter().map(|entry| normalise(entry)).collect()),
            "substring" => Matcher::Substrings(entries.iter().map(|entry| entry.to_lowercase()).collect()),
            "cidr" => {
                let mut v4 = Vec::new();
                let mut v6 = Vec::new();
                for entry in &entries {
                    match parse_network(entry) {
                        Some(Network::V4(start, end)) => v4.push((start, end)),
                        Some(Network::V6(start, end)) => v6.push((start, end)),
                        None => skipped.push(entry.clone()),
                    }
                }
                Matcher::Cidrs { v4: merge(v4), v6: merge(v6) }
            }
            "regex" => {
                let mut compiled = Vec::new();
                for entry in &entries {
                    match compile_regex(entry) {
                        Some(regex) => compiled.push(regex),
                        None => skipped.push(entry.clone()),
                    }
                }
                Matcher::Regexes(compiled)
            }
            other => {
                return Err(ExtractError::UnknownListType { name: raw.name, list_type: other.to_owned() });
            }
        };
        Ok(WarningList {
            name: raw.name,
            description: raw.description,
            kinds,
            matcher,
            entries: entries.len() - skipped.len(),
            skipped,
        })
    }

    /// The list's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The list's description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// How many entries are in use.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether no entry is in use.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Entries that could not be used.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Whether the list applies to this kind of indicator.
    pub fn applies_to(&self, kind: IndicatorKind) -> bool {
        self.kinds.as_ref().is_none_or(|kinds| kinds.contains(&kind))
    }

    /// Whether the indicator matches the list.
    pub fn matches(&self, indicator: &Indicator) -> bool {
        if !self.applies_to(indicator.kind) {
            return false;
        }
        let value = indicator.value.as_str();
        match &self.matcher {
            Matcher::Strings(set) => set.contains(&value.to_ascii_lowercase()),
            Matcher::Substrings(parts) => {
                let lower = value.to_lowercase();
                parts.iter().any(|part| lower.contains(part.as_str()))
            }
            Matcher::Regexes(regexes) => regexes.iter().any(|regex| regex.is_match(value)),
            Matcher::Hostnames(set) => host_of(indicator).is_some_and(|host| {
                let mut name = host;
                loop {
                    if set.contains(name) {
                        return true;
                    }
                    match name.split_once('.') {
                        Some((_, parent)) => name = parent,
                        None => return false,
                    }
                }
            }),
            Matcher::Cidrs { v4, v6 } => match network_of(indicator) {
                Some(Network::V4(start, end)) => contains(v4, start, end),
                Some(Network::V6(start, end)) => contains(v6, start, end),
                None => false,
            },
        }
    }
}

/// A set of warning lists; an indicator is suppressed by the first that matches it.
#[derive(Debug, Clone, Default)]
pub struct WarningLists {
    lists: Vec<WarningList>,
}

impl WarningLists {
    /// No lists.
    pub fn new() -> WarningLists {
        WarningLists::default()
    }

    /// Adds a list; it is consulted after those added before it.
    pub fn add(&mut self, list: WarningList) {
        self.lists.push(list);
    }

    /// The lists, in the order they were added.
    pub fn lists(&self) -> &[WarningList] {
        &self.lists
    }

    /// The first list the indicator matches.
    pub fn matching(&self, indicator: &Indicator) -> Option<&WarningList> {
        self.lists.iter().find(|list| list.matches(indicator))
    }
}

/// The kinds a MISP attribute type (or one of this crate's kind names) stands for.
fn kinds_of_attribute(attribute: &str) -> Vec<IndicatorKind> {
    use IndicatorKind::*;
    if let Ok(kind) = attribute.parse::<IndicatorKind>() {
        return vec![kind];
    }
    match attribute {
        "ip-src" | "ip-dst" | "ip-src|port" | "ip-dst|port" | "ip" => vec![Ipv4, Ipv6, Cidr],
        "domain|ip" => vec![Domain, Ipv4, Ipv6],
        "domain" | "hostname" | "hostname|port" => vec![Domain],
        "url" | "uri" | "link" => vec![Url],
        "email"
        | "email-src"
        | "email-dst"
        | "target-email"
        | "email-reply-to"
        | "whois-registrant-email" => {
            vec![Email]
        }
        "md5" | "filename|md5" => vec![Md5],
        "sha1" | "filename|sha1" => vec![Sha1],
        "sha256" | "filename|sha256" => vec![Sha256],
        "sha512" | "filename|sha512" => vec![Sha512],
        "vulnerability" => vec![Cve],
        "AS" => vec![Asn],
        "btc" => vec![Bitcoin],
        "xmr" => vec![Monero],
        "phone-number" | "whois-registrant-phone" => vec![Phone],
        _ => Vec::new(),
    }
}

/// Lower case, without a trailing dot (`example.com.` is `example.com`).
fn normalise(entry: &str) -> String {
    entry.trim_end_matches('.').to_lowercase()
}

/// `/pattern/flags` (MISP's usual form, `i` honoured) or a bare pattern.
fn compile_regex(entry: &str) -> Option<regex::Regex> {
    let (pattern, case_insensitive) = match entry.strip_prefix('/').and_then(|rest| rest.rsplit_once('/')) {
        Some((pattern, flags)) if flags.bytes().all(|b| b.is_ascii_alphabetic()) => {
            (pattern, flags.contains('i'))
        }
        _ => (entry, false),
    };
    regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok()
}

#[derive(Debug, Clone, Copy)]
enum Network {
    V4(u32, u32),
    V6(u128, u128),
}

/// An address or `address/prefix`, as an inclusive range.
fn parse_network(text: &str) -> Option<Network> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
        None => (text, None),
    };
    match address.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let prefix = prefix.unwrap_or(32);
            if prefix > 32 {
                return None;
            }
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
            let start = u32::from(v4) & mask;
            Some(Network::V4(start, start | !mask))
        }
        IpAddr::V6(v6) => {
            let prefix = prefix.unwrap_or(128);
            if prefix > 128 {
                return None;
            }
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix) };
            let start = u128::from(v6) & mask;
            Some(Network::V6(start, start | !mask))
        }
    }
}

/// The address range an indicator covers: an address, a network, or a URL's address host.
fn network_of(indicator: &Indicator) -> Option<Network> {
    match indicator.kind {
        IndicatorKind::Ipv4 | IndicatorKind::Ipv6 | IndicatorKind::Cidr => parse_network(&indicator.value),
        IndicatorKind::Url => {
            let host = host_of(indicator)?;
            let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
            if net::ipv4(host).is_some() || host.contains(':') { parse_network(host) } else { None }
        }
        _ => None,
    }
}

/// The host name of a domain, URL or e-mail indicator.
fn host_of(indicator: &Indicator) -> Option<&str> {
    let value = indicator.value.as_str();
    match indicator.kind {
        IndicatorKind::Domain => Some(value),
        IndicatorKind::Email => value.rsplit_once('@').map(|(_, domain)| domain),
        IndicatorKind::Url => {
            let after_scheme = value.split_once("://")?.1;
            let authority = after_scheme.split(['/', '?', '#']).next()?;
            let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            if host_port.starts_with('[') {
                return host_port.split_inclusive(']').next();
            }
            host_port.split(':').next()
        }
        _ => None,
    }
}

/// Sorts and merges overlapping or adjacent ranges.
fn merge<T: Copy + Ord + num_like::Successor>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.successor() => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Whether `start..=end` lies inside one of the merged, sorted ranges.
fn contains<T: Copy + Ord>(ranges: &[(T, T)], start: T, end: T) -> bool {
    let after = ranges.partition_point(|range| range.0 <= start);
    after.checked_sub(1).and_then(|at| ranges.get(at)).is_some_and(|range| end <= range.1)
}

mod num_like {
    /// The next value, saturating: lets adjacent ranges merge.
    pub(super) trait Successor {
        fn successor(self) -> Self;
    }

    impl Successor for u32 {
        fn successor(self) -> u32 {
            self.saturating_add(1)
        }
    }

    impl Successor for u128 {
        fn successor(self) -> u128 {
            self.saturating_add(1)
        }
    }
}
