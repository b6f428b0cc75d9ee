//! The requests of the TAXII client.

use std::fmt;
use std::hash::{BuildHasher, Hasher, RandomState};

use base64::Engine;
use serde_json::value::RawValue;

use super::pagination::{Ask, Cursor, PageMeta, Pagination, PullConfig, StopReason};
use super::resources::{
    ApiRoot, Collection, Discovery, MEDIA_TYPE, check_media_type, error_message, is_api_root, parse_api_root,
    parse_collections, parse_discovery, parse_envelope,
};
use super::{CallbackError, TaxiiError};
use crate::client::{EgressClient, Method, Request, Response};
use crate::error::EgressError;
use crate::url::{Url, encode_query_value};
use crate::vet::vet_url;

/// How the client authenticates (TAXII 2.1 section 1.6.9: HTTP Basic is the suggested scheme).
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    None,
    /// HTTP Basic (RFC 7617).
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// A bearer token (RFC 6750).
    Bearer(String),
}

impl fmt::Debug for Auth {
    /// Never prints a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Basic { user, .. } => write!(f, "Auth::Basic {{ user: {user:?}, password: <redacted> }}"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

impl Auth {
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Basic { user, password } => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                Some(format!("Basic {encoded}"))
            }
            Auth::Bearer(token) => Some(format!("Bearer {token}")),
        }
    }
}

/// A collection and the API root it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionLocation {
    /// The API root's URL (ends with `/`).
    pub api_root: Url,
    /// The collection.
    pub collection: Collection,
}

impl CollectionLocation {
    /// The collection's objects endpoint.
    pub fn objects_url(&self) -> Result<Url, TaxiiError> {
        let path = format!("collections/{}/objects/", encode_query_value(&self.collection.id));
        self.api_root.join(&path).map_err(|problem| EgressError::invalid_url(&path, problem).into())
    }
}

/// One page of a pull, handed to the caller's callback.
#[derive(Debug)]
pub struct Page<'a> {
    /// Its number in this pull, from 1.
    pub number: u32,
    /// The objects, each the exact JSON text received.
    pub objects: &'a [Box<RawValue>],
    /// The cursor to persist together with the objects.
    pub cursor: &'a Cursor,
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullSummary {
    /// Pages received and handed to the callback.
    pub pages: u32,
    /// Objects in them.
    pub objects: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Why it stopped.
    pub stop: StopReason,
    /// The cursor after the last page (the one the callback persisted last).
    pub cursor: Cursor,
    /// Whether the stored `next` was refused by the server and the pull started a new query from
    /// the stored `added_after` instead.
    pub next_refused: bool,
}

/// A TAXII 2.1 client for one server.
#[derive(Debug)]
pub struct TaxiiClient<'a> {
    egress: &'a EgressClient,
    auth: Auth,
    /// Credentials go to this origin only.
    origin: Url,
}

impl<'a> TaxiiClient<'a> {
    /// A client for the server at `url` (its discovery or an API root URL), checked against the
    /// egress policy now. `auth` is sent to that URL's origin only.
    pub fn new(egress: &'a EgressClient, url: &str, auth: Auth) -> Result<TaxiiClient<'a>, TaxiiError> {
        let origin = vet_url(url, egress.policy())?.url;
        Ok(TaxiiClient { egress, auth, origin })
    }

    /// The server discovery resource at `url`.
    pub fn discovery(&self, url: &Url) -> Result<Discovery, TaxiiError> {
        let response = self.fetch(url, None)?;
        parse_discovery(&response.body, url, self.egress.policy().allow_http)
    }

    /// The API root resource at `url`.
    pub fn api_root(&self, url: &Url) -> Result<ApiRoot, TaxiiError> {
        let response = self.fetch(url, None)?;
        parse_api_root(&response.body, url)
    }

    /// The collections of an API root.
    pub fn collections(&self, api_root: &Url) -> Result<Vec<Collection>, TaxiiError> {
        let url = api_root
            .join("collections/")
            .map_err(|problem| EgressError::invalid_url("collections/", problem))?;
        let response = self.fetch(&url, None)?;
        parse_collections(&response.body, &url)
    }

    /// Finds collection `id` from the URL the client was made with: an API root, or a
    /// discovery resource whose default API root is searched first, then the others in order.
    pub fn locate(&self, id: &str) -> Result<CollectionLocation, TaxiiError> {
        let response = self.fetch(&self.origin, None)?;
        let roots = if is_api_root(&response.body) {
            vec![self.origin.clone()]
        } else {
            let discovery = parse_discovery(&response.body, &self.origin, self.egress.policy().allow_http)?;
            let mut roots: Vec<Url> = discovery.default.into_iter().collect();
            for root in discovery.api_roots {
                if !roots.contains(&root) {
                    roots.push(root);
                }
            }
            roots
        };
        for api_root in &roots {
            let collections = match self.collections(api_root) {
                Ok(collections) => collections,
                // A root the caller may not see is not where the collection is.
                Err(TaxiiError::Status { status: 401 | 403 | 404, .. }) => continue,
                Err(error) => return Err(error),
            };
            if let Some(collection) = collections.into_iter().find(|collection| collection.id == id) {
                if !collection.can_read {
                    return Err(TaxiiError::NotReadable { id: id.to_owned() });
                }
                return Ok(CollectionLocation { api_root: api_root.clone(), collection });
            }
        }
        Err(TaxiiError::NoCollection {
            url: self.origin.to_string(),
            id: id.to_owned(),
            searched: roots.len(),
        })
    }

    /// Pulls a collection's objects from `start` (the default cursor for a first pull), page by
    /// page, handing each page with the cursor to persist to `on_page`. Stops when the server
    /// has nothing more, when a budget of `config` is spent (resumable from the last cursor), or
    /// with an error when the server loops (a repeated page, endless empty pages, no way
    /// forward). A stored `next` the server no longer accepts is replaced, once, by a new query
    /// from the stored `added_after`.
    pub fn pull(
        &self,
        location: &CollectionLocation,
        start: &Cursor,
        config: PullConfig,
        on_page: &mut dyn FnMut(&Page<'_>) -> Result<(), CallbackError>,
    ) -> Result<PullSummary, TaxiiError> {
        let objects_url = location.objects_url()?;
        let hashing = RandomState::new();
        let mut pagination = Pagination::new(start, config);
        let mut next_refused = false;
        let summary = |pagination: &Pagination, stop: StopReason, next_refused: bool| PullSummary {
            pages: pagination.pages(),
            objects: pagination.objects(),
            bytes: pagination.bytes(),
            stop,
            cursor: pagination.cursor().clone(),
            next_refused,
        };
        loop {
            if let Some(stop) = pagination.spent() {
                return Ok(summary(&pagination, stop, next_refused));
            }
            let ask = pagination.ask();
            let url = objects_url.with_query(Some(&ask.query(config.page_limit)));
            let budget = pagination.bytes_left();
            let budget_binds = budget < self.egress.policy().max_body_bytes;
            let response = match self.fetch(&url, Some(budget)) {
                Ok(response) => response,
                Err(TaxiiError::Egress(EgressError::BodyTooLarge { .. })) if budget_binds => {
                    if pagination.pages() == 0 {
                        return Err(TaxiiError::PageOverBudget { limit: config.max_bytes });
                    }
                    return Ok(summary(&pagination, StopReason::MaxBytes, next_refused));
                }
                Err(TaxiiError::Status { status, .. })
                    if matches!(ask, Ask::Next { .. })
                        && is_stale_next(status)
                        && pagination.next_refused() =>
                {
                    tracing::info!(url = %objects_url, status, "stored next refused; resuming from added_after");
                    next_refused = true;
                    continue;
                }
                Err(error) => return Err(error),
            };
            let envelope = parse_envelope(&response.body, &url, config.page_limit)?;
            let mut hasher = hashing.build_hasher();
            hasher.write(&response.body);
            let meta = PageMeta {
                more: envelope.more,
                next: envelope.next.as_deref(),
                date_added_last: response.header("x-taxii-date-added-last"),
                objects: envelope.objects.len(),
                bytes: response.body.len() as u64,
                fingerprint: hasher.finish(),
            };
            let (cursor, stop) = pagination.advance(&meta)?;
            let page = Page { number: pagination.pages(), objects: &envelope.objects, cursor: &cursor };
            on_page(&page).map_err(|source| TaxiiError::Callback { page: page.number, source })?;
            tracing::debug!(
                page = page.number,
                objects = envelope.objects.len(),
                more = envelope.more,
                "page stored"
            );
            if let Some(stop) = stop {
                return Ok(summary(&pagination, stop, next_refused));
            }
        }
    }

    /// GETs a TAXII resource: 200 with the TAXII media type, or an error naming the status and
    /// the server's error message.
    fn fetch(&self, url: &Url, max_body_bytes: Option<u64>) -> Result<Response, TaxiiError> {
        let authorization = if url.same_origin(&self.origin) { self.auth.header() } else { None };
        let mut headers = vec![("Accept", MEDIA_TYPE)];
        if let Some(value) = &authorization {
            headers.push(("Authorization", value.as_str()));
        }
        let request =
            Request { method: Method::Get, url: url.as_str(), headers: &headers, body: &[], max_body_bytes };
        let response = self.egress.send(&request)?;
        if response.status != 200 {
            let message = error_message(&response.body).map(|text| format!(": {text}")).unwrap_or_default();
            return Err(TaxiiError::Status { url: url.to_string(), status: response.status, message });
        }
        check_media_type(response.header("content-type"), url)?;
        Ok(response)
    }
}

/// Statuses by which a server says a `next` is no longer valid (medallion answers 400).
fn is_stale_next(status: u16) -> bool {
    matches!(status, 400 | 404 | 410 | 416 | 422)
}
