//! The URL query parameters of TAXII listings (TAXII 2.1 section 3.4): `added_after`, `limit`,
//! `next`, `match[id]`, `match[type]`, `match[version]`, `match[spec_version]`. Each may occur
//! once; `match` values are comma-separated alternatives. A parameter that is malformed,
//! repeated, unknown or not taken by the endpoint is a 400: a misspelt filter is never
//! silently ignored.

use axum::http::Uri;
use muninn_stix::{StixId, StixTimestamp, check_type_name};

use crate::error::{ApiError, ApiResult};

/// Most values over all `match` parameters of one request.
pub(crate) const MAX_MATCH_VALUES: usize = 1000;

/// A query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    AddedAfter,
    Limit,
    Next,
    Id,
    Type,
    Version,
    SpecVersion,
}

impl Param {
    const ALL: [Param; 7] = [
        Param::AddedAfter,
        Param::Limit,
        Param::Next,
        Param::Id,
        Param::Type,
        Param::Version,
        Param::SpecVersion,
    ];

    fn name(self) -> &'static str {
        match self {
            Param::AddedAfter => "added_after",
            Param::Limit => "limit",
            Param::Next => "next",
            Param::Id => "match[id]",
            Param::Type => "match[type]",
            Param::Version => "match[version]",
            Param::SpecVersion => "match[spec_version]",
        }
    }
}

/// The parameters of the collection listings (objects, manifest).
pub(crate) const LISTING: &[Param] = &Param::ALL;
/// The parameters of one object's versions (get an object).
pub(crate) const OBJECT: &[Param] =
    &[Param::AddedAfter, Param::Limit, Param::Next, Param::Version, Param::SpecVersion];
/// The parameters of an object's version list.
pub(crate) const VERSIONS: &[Param] = &[Param::AddedAfter, Param::Limit, Param::Next, Param::SpecVersion];
/// The parameters of a delete.
pub(crate) const DELETE: &[Param] = &[Param::Version, Param::SpecVersion];

/// Which versions of an object `match[version]` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionMatch {
    First,
    Last,
    All,
    /// A version, in `StixTimestamp::key_form`.
    At(String),
}

/// The parsed parameters of one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    /// Only objects added after this (microseconds since the epoch, exclusive).
    pub added_after: Option<u64>,
    pub limit: Option<usize>,
    pub next: Option<String>,
    pub ids: Option<Vec<String>>,
    pub types: Option<Vec<String>>,
    /// `None`: the endpoint's default.
    pub versions: Option<Vec<VersionMatch>>,
    pub spec_versions: Option<Vec<String>>,
    /// Every parameter but `limit` and `next`, as given, sorted: what a `next` token is bound to.
    pub binding: Vec<(String, String)>,
}

impl Filters {
    /// The page size: `limit` clamped to the server's, which is also the default.
    pub fn page_size(&self, server_limit: usize) -> usize {
        self.limit.unwrap_or(server_limit).min(server_limit).max(1)
    }

    /// The versions selected, `default` when the request names none.
    pub fn versions_or(&self, default: VersionMatch) -> Vec<VersionMatch> {
        self.versions.clone().unwrap_or_else(|| vec![default])
    }

    /// Whether `spec_version` passes `match[spec_version]` (every object here is 2.1, the
    /// latest, so the default passes all).
    pub fn spec_version_matches(&self, spec_version: &str) -> bool {
        self.spec_versions.as_ref().is_none_or(|wanted| wanted.iter().any(|v| v == spec_version))
    }
}

/// Parses the query of `uri`, taking only the parameters in `allowed`.
pub(crate) fn parse(uri: &Uri, allowed: &[Param]) -> ApiResult<Filters> {
    let bad = |message: String| ApiError::BadRequest(message);
    let pairs = match uri.query() {
        None | Some("") => Vec::new(),
        Some(query) => axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|axum::extract::Query(pairs)| pairs)
            .map_err(|_| bad(format!("malformed query string ({} bytes)", query.len())))?,
    };
    let mut filters = Filters::default();
    let mut seen: Vec<Param> = Vec::new();
    let mut match_values = 0usize;
    for (name, value) in pairs {
        let Some(param) = Param::ALL.into_iter().find(|param| param.name() == name) else {
            return Err(bad(format!("unknown query parameter {:?}", cut(&name))));
        };
        if !allowed.contains(&param) {
            return Err(bad(format!("this endpoint does not take {}", param.name())));
        }
        if seen.contains(&param) {
            return Err(bad(format!("{} may be given once", param.name())));
        }
        seen.push(param);
        if !matches!(param, Param::Limit | Param::Next) {
            filters.binding.push((name.clone(), value.clone()));
        }
        let values = || -> ApiResult<Vec<String>> {
            let values: Vec<String> = value.split(',').map(|v| v.trim().to_owned()).collect();
            if values.iter().any(String::is_empty) {
                return Err(bad(format!("{}: empty value", param.name())));
            }
            Ok(values)
        };
        match param {
            Param::AddedAfter => filters.added_after = Some(micros_after(&value)?),
            Param::Limit => match value.parse::<usize>() {
                Ok(limit) if limit > 0 => filters.limit = Some(limit),
                _ => return Err(bad("limit must be a positive integer".to_owned())),
            },
            Param::Next => filters.next = Some(value.clone()),
            Param::Id => {
                let ids = values()?;
                if let Some(id) = ids.iter().find(|id| StixId::parse(id).is_err()) {
                    return Err(bad(format!("match[id]: {:?} is not a STIX id", cut(id))));
                }
                match_values += ids.len();
                filters.ids = Some(ids);
            }
            Param::Type => {
                let types = values()?;
                if let Some(name) = types.iter().find(|name| check_type_name(name).is_err()) {
                    return Err(bad(format!("match[type]: {:?} is not a STIX type", cut(name))));
                }
                match_values += types.len();
                filters.types = Some(types);
            }
            Param::Version => {
                let versions = values()?
                    .iter()
                    .map(|version| match version.as_str() {
                        "first" => Ok(VersionMatch::First),
                        "last" => Ok(VersionMatch::Last),
                        "all" => Ok(VersionMatch::All),
                        other => StixTimestamp::parse(other)
                            .map(|at| VersionMatch::At(at.key_form()))
                            .map_err(|reason| bad(format!("match[version]: {:?}: {reason}", cut(other)))),
                    })
                    .collect::<ApiResult<Vec<_>>>()?;
                match_values += versions.len();
                filters.versions = Some(versions);
            }
            Param::SpecVersion => {
                let versions = values()?;
                let well_formed = |v: &String| {
                    v.split_once('.').is_some_and(|(major, minor)| {
                        [major, minor]
                            .iter()
                            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                    })
                };
                if let Some(version) = versions.iter().find(|v| !well_formed(v)) {
                    return Err(bad(format!("match[spec_version]: {:?} is not a version", cut(version))));
                }
                match_values += versions.len();
                filters.spec_versions = Some(versions);
            }
        }
        if match_values > MAX_MATCH_VALUES {
            return Err(bad(format!("more than {MAX_MATCH_VALUES} match values")));
        }
    }
    filters.binding.sort();
    Ok(filters)
}

/// `added_after` as the largest `date_added` (microseconds) it excludes.
fn micros_after(value: &str) -> ApiResult<u64> {
    let at = StixTimestamp::parse(value)
        .map_err(|reason| ApiError::BadRequest(format!("added_after: {:?}: {reason}", cut(value))))?;
    let at: jiff::Timestamp = at
        .key_form()
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("added_after: {:?} is out of range", cut(value))))?;
    // date_added > at  <=>  micros * 1000 > nanos  <=>  micros > floor(nanos / 1000).
    let floor = at.as_nanosecond().div_euclid(1000);
    Ok(u64::try_from(floor.max(0)).unwrap_or(u64::MAX))
}

/// At most 64 characters of a value, for an error message.
fn cut(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(query: &str) -> ApiResult<Filters> {
        let uri: Uri = format!("/x/?{query}").parse().expect("uri");
        parse(&uri, LISTING)
    }

    #[test]
    fn parameters_parse_or_are_refused_with_a_reason() {
        let filters =
            parsed("match[type]=indicator,malware&limit=5&added_after=2024-01-01T00:00:00.0000015Z")
                .expect("valid");
        assert_eq!(filters.types, Some(vec!["indicator".to_owned(), "malware".to_owned()]));
        assert_eq!(filters.limit, Some(5));
        assert_eq!(filters.added_after, Some(1_704_067_200_000_001));
        assert_eq!(filters.binding.len(), 2);
        assert_eq!(filters.page_size(3), 3);
        let refused = [
            "limit=0",
            "limit=-1",
            "limit=x",
            "added_after=yesterday",
            "added_after=2016-13-45T25:61:61Z",
            "match[type]=indicator&match[type]=malware",
            "match[id]=indicator--not-a-uuid",
            "match[version]=latest",
            "match[spec_version]=two",
            "match[foo]=bar",
            "match[type]=a,,b",
            "filter=x",
        ];
        for query in refused {
            assert!(parsed(query).is_err(), "{query}");
        }
        let many = vec!["indicator"; MAX_MATCH_VALUES + 1].join(",");
        assert!(parsed(&format!("match[type]={many}")).is_err());
        let uri: Uri = "/x/?match[type]=indicator".parse().expect("uri");
        assert!(parse(&uri, VERSIONS).is_err(), "versions takes no match[type]");
    }
}
