//! A data directory for the TAXII tests: the fixture's organisations and users (same ids,
//! roles and client relation), three collections, and requests with any headers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use muninn_api::state::{AppState, Settings};
use muninn_api::taxii::{EVERYONE, NewCollection, create_collection};
use muninn_index::SearchIndex;
use muninn_model::Tlp;
use muninn_store::{EmbeddedStore, ItemStore, StoreConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The TAXII media type.
pub const TAXII: &str = "application/taxii+json;version=2.1";

pub struct Taxii {
    _dir: tempfile::TempDir,
    pub state: Arc<AppState>,
    pub router: Router,
    /// Bearer token per user id.
    pub tokens: BTreeMap<&'static str, String>,
    /// Read by every organisation, written by org-a and org-b.
    pub shared: String,
    /// Read and written by org-a only.
    pub a_only: String,
    /// Written by org-a, read by org-b and org-c.
    pub drop_box: String,
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The ids of the envelope's objects.
    pub fn ids(&self) -> Vec<String> {
        self.json["objects"]
            .as_array()
            .map(|objects| objects.iter().map(|o| o["id"].as_str().expect("id").to_owned()).collect())
            .unwrap_or_default()
    }

    /// The error body without its (random) id.
    pub fn error_without_id(&self) -> Value {
        let mut body = self.json.clone();
        body.as_object_mut().map(|object| object.remove("error_id"));
        body
    }
}

impl Taxii {
    pub fn new() -> Taxii {
        Taxii::with(Settings::default())
    }

    pub fn with(settings: Settings) -> Taxii {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut store = EmbeddedStore::open(&data, StoreConfig::default()).expect("store");
        let (mut documents, tokens) = crate::fixture::directory_documents("taxii");
        let mut collection = |title: &str, readers: &[&str], writers: &[&str]| {
            let (collection, docs) = create_collection(NewCollection {
                title: title.to_owned(),
                description: format!("the {title} collection"),
                readers: readers.iter().map(|r| (*r).to_owned()).collect(),
                writers: writers.iter().map(|w| (*w).to_owned()).collect(),
            })
            .expect("collection");
            documents.extend(docs);
            collection.id
        };
        let shared = collection("shared", &[EVERYONE], &["org-a", "org-b"]);
        let a_only = collection("a-only", &["org-a"], &["org-a"]);
        let drop_box = collection("drop-box", &["org-b", "org-c"], &["org-a"]);
        store.put_documents(documents).expect("documents");
        let mut index = SearchIndex::open(&data.join("index")).expect("index");
        index.sync(&store).expect("sync");
        let state = Arc::new(AppState::new(&data, Box::new(store), index, settings).expect("state"));
        let router = muninn_api::router(Arc::clone(&state));
        Taxii { _dir: dir, state, router, tokens, shared, a_only, drop_box }
    }

    /// Sends a request as `user` (anonymous when `None`) with these headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        user: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(user) = user {
            request = request.header("authorization", format!("Bearer {}", self.tokens[user]));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body)).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 256 << 20).await.expect("body").to_vec();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Reply { status, headers, body, json }
    }

    /// `GET` with the TAXII `Accept`.
    pub async fn get(&self, path: &str, user: &str) -> Reply {
        self.send(Method::GET, path, Some(user), &[("accept", TAXII)], Vec::new()).await
    }

    /// `POST`s raw bytes as a TAXII envelope.
    pub async fn post(&self, collection: &str, user: &str, body: Vec<u8>) -> Reply {
        let headers = [("accept", TAXII), ("content-type", TAXII)];
        self.send(Method::POST, &self.objects(collection), Some(user), &headers, body).await
    }

    /// Adds objects; the answer must be 202.
    pub async fn add(&self, collection: &str, user: &str, objects: &[Value]) -> Reply {
        let reply = self.post(collection, user, json!({ "objects": objects }).to_string().into_bytes()).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "add as {user}: {}", reply.json);
        reply
    }

    pub fn collection(&self, collection: &str) -> String {
        format!("/taxii2/api/collections/{collection}/")
    }

    pub fn objects(&self, collection: &str) -> String {
        format!("/taxii2/api/collections/{collection}/objects/")
    }

    pub fn object(&self, collection: &str, id: &str) -> String {
        format!("/taxii2/api/collections/{collection}/objects/{id}/")
    }

    pub fn manifest(&self, collection: &str) -> String {
        format!("/taxii2/api/collections/{collection}/manifest/")
    }

    /// Every page of a listing (`path` may carry filters), following `next`.
    pub async fn all_pages(&self, path: &str, user: &str) -> Vec<Reply> {
        let mut pages = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next: Option<String> = None;
        loop {
            let url = match &next {
                Some(token) => format!("{path}{separator}next={token}"),
                None => path.to_owned(),
            };
            let page = self.get(&url, user).await;
            assert_eq!(page.status, StatusCode::OK, "{url} as {user}: {}", page.json);
            let more = page.json["more"].as_bool().expect("more");
            next = page.json["next"].as_str().map(str::to_owned);
            pages.push(page);
            if !more {
                return pages;
            }
            assert!(next.is_some(), "more without next");
        }
    }

    /// How many versions the store holds in a collection (visible or not).
    pub fn stored_versions(&self) -> u64 {
        let store = self.state.store.read().expect("store");
        store.document_count(muninn_api::taxii::store::OBJECT_TABLE).expect("count")
    }
}

/// A version 4 UUID distinct for each (tag, n).
pub fn uuid(tag: u32, n: u64) -> String {
    format!(
        "{tag:08x}-{:04x}-4{:03x}-8000-{:012x}",
        (n >> 48) & 0xffff,
        (n >> 36) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// An indicator `indicator--uuid(tag, n)` of version `modified`, marked with `tlp`.
pub fn indicator(tag: u32, n: u64, modified: &str, tlp: Option<Tlp>) -> Value {
    let mut object = json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{}", uuid(tag, n)),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "name": format!("indicator {tag}/{n}"),
        "pattern": format!("[ipv4-addr:value = '198.51.{}.{}']", n % 250, tag % 250),
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    });
    if let Some(tlp) = tlp {
        object["object_marking_refs"] = json!([tlp.stix_marking_id()]);
    }
    object
}

/// The id `indicator(tag, n, ..)` has.
pub fn indicator_id(tag: u32, n: u64) -> String {
    format!("indicator--{}", uuid(tag, n))
}

/// A malware object, GREEN.
pub fn malware(tag: u32, n: u64) -> Value {
    json!({
        "type": "malware",
        "spec_version": "2.1",
        "id": format!("malware--{}", uuid(tag, n)),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": format!("malware {tag}/{n}"),
        "is_family": true,
        "object_marking_refs": [Tlp::Green.stix_marking_id()],
    })
}

/// A TAXII timestamp: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn is_taxii_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 27
        && bytes[19] == b'.'
        && bytes[26] == b'Z'
        && bytes[20..26].iter().all(u8::is_ascii_digit)
}
