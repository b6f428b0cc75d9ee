//! A data directory with three organisations, users of every role, items under every kind of
//! marking, a watchlist and its alerts; and a router over it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use muninn_access::{Org, Role, TokenRecord, User};
use muninn_api::catalog;
use muninn_api::state::{AppState, Settings};
use muninn_index::SearchIndex;
use muninn_model::{AdmiraltyGrade, Item, ItemDraft, Markings, SourceId, Timestamp, Tlp};
use muninn_store::{AppendBatch, Document, EmbeddedStore, ItemStore, StoreConfig};
use serde_json::Value;
use tower::ServiceExt;

/// Users: id, org, role, groups.
pub const USERS: [(&str, &str, Role, &[&str]); 7] = [
    ("a-admin", "org-a", Role::Admin, &["ops"]),
    ("a-analyst", "org-a", Role::Analyst, &[]),
    ("a-reader", "org-a", Role::Reader, &[]),
    ("b-analyst", "org-b", Role::Analyst, &[]),
    ("b-partner", "org-b", Role::Partner, &[]),
    ("c-reader", "org-c", Role::Reader, &[]),
    ("b-admin", "org-b", Role::Admin, &[]),
];

/// The one user with a password (Argon2id is slow on purpose; one is enough).
pub const PASSWORD_USER: (&str, &str) = ("a-analyst", "correct horse battery staple");

/// A marking of the fixture.
pub fn marking(tlp: Tlp, org: &str) -> Markings {
    Markings { originator: Some(org.to_owned()), ..Markings::tlp(tlp) }
}

/// The items' markings: every rule of TLP 2.0 and need-to-know once.
pub fn item_markings() -> Vec<(&'static str, Markings)> {
    let mut red = marking(Tlp::Red, "org-a");
    red.recipients = BTreeSet::from(["a-reader".to_owned()]);
    let mut clients = marking(Tlp::Amber, "org-a");
    clients.amber_to_clients = true;
    let mut compartment = marking(Tlp::Amber, "org-a");
    compartment.compartments = BTreeSet::from(["ops".to_owned()]);
    let mut restricted = marking(Tlp::Green, "org-a");
    restricted.only_orgs = BTreeSet::from(["org-c".to_owned()]);
    vec![
        ("clear-a", marking(Tlp::Clear, "org-a")),
        ("green-b", marking(Tlp::Green, "org-b")),
        ("amber-a", marking(Tlp::Amber, "org-a")),
        ("amber-clients-a", clients),
        ("strict-a", marking(Tlp::AmberStrict, "org-a")),
        ("strict-b", marking(Tlp::AmberStrict, "org-b")),
        ("red-a", red),
        ("ops-a", compartment),
        ("restricted-a", restricted),
    ]
}

/// Watchlists: name, owning organisation, TLP.
pub const WATCHLISTS: [(&str, &str, Tlp); 2] =
    [("list-a", "org-a", Tlp::AmberStrict), ("list-b", "org-b", Tlp::Green)];

/// Incidents of the knowledge base: label, TLP (none: unmarked), country, actor. Knowledge-base
/// objects are the deployment's own (originator `local`), so only CLEAR and GREEN ones are
/// visible to the fixture's organisations.
pub const INCIDENTS: [(&str, Option<Tlp>, &str, &str); 6] = [
    ("clear", Some(Tlp::Clear), "UA", "APT28"),
    ("green", Some(Tlp::Green), "ML", "Fancy Bear"),
    ("amber", Some(Tlp::Amber), "UA", "APT28"),
    ("strict", Some(Tlp::AmberStrict), "UA", "APT28"),
    ("red", Some(Tlp::Red), "UA", "APT28"),
    ("unmarked", None, "UA", "APT28"),
];

/// The fixture's incidents as STIX objects, with their ids by label.
pub fn incident_objects() -> Vec<(&'static str, muninn_stix::StixObject)> {
    let now = muninn_stix::StixTimestamp::parse("2026-01-01T00:00:00Z").expect("now");
    INCIDENTS
        .iter()
        .enumerate()
        .map(|(index, (label, tlp, country, actor))| {
            let fields = muninn_stix::IncidentFields {
                id: format!("INC-{label}"),
                date: format!("2024-0{}-01", index + 1),
                incident_type: "intrusion".to_owned(),
                place: format!("place {label}"),
                country: (*country).to_owned(),
                actor: (*actor).to_owned(),
                ..Default::default()
            };
            let incident = muninn_stix::Incident::parse(&fields, now).expect("a valid incident");
            let stamp = muninn_stix::IncidentStamp { tlp: *tlp, ..Default::default() };
            (*label, incident.to_stix(&stamp))
        })
        .collect()
}

/// A watchlist naming APT28.
pub fn watchlist(name: &str, owner: &str, tlp: Tlp) -> muninn_screen::Watchlist {
    muninn_screen::Watchlist {
        name: name.to_owned(),
        owner: owner.to_owned(),
        tlp,
        version: 1,
        entries: vec![muninn_screen::watchlist::Entry {
            id: "apt28".to_owned(),
            kind: muninn_screen::watchlist::EntryKind::Name { name: "APT28".to_owned(), aliases: Vec::new() },
            severity: Default::default(),
            note: String::new(),
        }],
    }
}

/// The fixture's organisations (org-c a client of org-a), its users and one bearer token each
/// (labelled `label`): the documents that store them, and the tokens by user id.
pub fn directory_documents(label: &str) -> (Vec<Document>, BTreeMap<&'static str, String>) {
    let mut documents: Vec<Document> = Vec::new();
    for (id, clients) in [("org-a", vec!["org-c"]), ("org-b", vec![]), ("org-c", vec![])] {
        let org = Org {
            id: id.parse().expect("org"),
            name: id.to_owned(),
            clients: clients.into_iter().map(|c| c.parse().expect("org")).collect(),
        };
        documents.push(catalog::org_document(&org).expect("org doc"));
    }
    let mut tokens = BTreeMap::new();
    for (index, (id, org, role, groups)) in USERS.into_iter().enumerate() {
        let password_hash = (id == PASSWORD_USER.0)
            .then(|| muninn_access::hash_password(PASSWORD_USER.1, &[7u8; 16]).expect("hash"));
        let user = User {
            id: id.parse().expect("user"),
            org: org.parse().expect("org"),
            role,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            name: id.to_owned(),
            password_hash,
            disabled: false,
        };
        documents.push(catalog::user_document(&user).expect("user doc"));
        let (token, hash) = muninn_access::issue_token(&[index as u8 + 1; 32]);
        let record = TokenRecord {
            id: muninn_access::token_id(&hash),
            hash,
            user: user.id.clone(),
            label: label.to_owned(),
            created_at_unix: 0,
            revoked: false,
        };
        documents.push(catalog::token_document(&record).expect("token doc"));
        tokens.insert(id, token);
    }
    (documents, tokens)
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub state: Arc<AppState>,
    pub router: Router,
    /// Bearer token per user id.
    pub tokens: BTreeMap<&'static str, String>,
    /// Items by label.
    pub items: Vec<(&'static str, Item)>,
}

pub fn draft(title: &str, body: &str, markings: Markings) -> ItemDraft {
    ItemDraft {
        source: SourceId::new("fixture").expect("source"),
        collected_at: Timestamp::from_second(1_780_000_000).expect("time"),
        event_time: None,
        title: Some(title.to_owned()),
        body: body.to_owned(),
        language: None,
        markings,
        grade: AdmiraltyGrade::UNASSESSED,
        raw: None,
        attributes: BTreeMap::new(),
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_settings(Settings::default())
    }

    pub fn with_settings(settings: Settings) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut store = EmbeddedStore::open(&data, StoreConfig::default()).expect("store");
        let mut items = Vec::new();
        for (label, markings) in item_markings() {
            let body =
                format!("Report {label}: the shared-term campaign used 198.51.100.7 and APT28 tooling.");
            let (item, _) = draft(&format!("item {label}"), &body, markings).into_item();
            items.push((label, item));
        }
        store
            .append(AppendBatch {
                items: items.iter().map(|(_, item)| (item.clone(), None)).collect(),
                ..Default::default()
            })
            .expect("append");
        let (mut documents, tokens) = directory_documents("fixture");
        for (name, owner, tlp) in WATCHLISTS {
            let list = watchlist(name, owner, tlp);
            documents.push(catalog::document(catalog::WATCHLIST_TABLE, name, &list).expect("list doc"));
            let (screener, warnings) =
                muninn_screen::Screener::compile(std::slice::from_ref(&list), Timestamp::now());
            assert!(warnings.is_empty(), "{warnings:?}");
            let mut scratch = muninn_screen::ScreenScratch::default();
            for (_, item) in &items {
                let id = item.id.to_string();
                for hit in screener.screen(&muninn_screen::ItemFields::of(item, Some(&id)), &mut scratch) {
                    let alert =
                        muninn_screen::Alert::new(&screener, &hit, &id, item.markings.tlp, Timestamp::now());
                    documents.push(catalog::alert_document(&alert, None).expect("alert doc"));
                }
            }
        }
        for (_, object) in incident_objects() {
            documents.push(Document::put(
                muninn_stix::LATEST_TABLE,
                object.id().as_str(),
                object.json().as_bytes().to_vec(),
            ));
        }
        store.put_documents(documents).expect("documents");
        let mut index = SearchIndex::open(&data.join("index")).expect("index");
        index.sync(&store).expect("sync");
        let state = Arc::new(AppState::new(&data, Box::new(store), index, settings).expect("state"));
        let router = muninn_api::router(Arc::clone(&state));
        Fixture { _dir: dir, state, router, tokens, items }
    }

    /// Sends a request as `user` (anonymous when `None`); returns status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(user) = user {
            request = request.header("authorization", format!("Bearer {}", self.tokens[user]));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Body::from(body.unwrap_or("").to_owned())).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.expect("body");
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    /// Gets a page as `user` (bearer token): status and the body as text.
    pub async fn page(&self, path: &str, user: &str) -> (StatusCode, String) {
        let request = Request::builder()
            .uri(path)
            .header("authorization", format!("Bearer {}", self.tokens[user]))
            .body(Body::empty())
            .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.expect("body");
        (status, String::from_utf8(bytes.to_vec()).expect("UTF-8 page"))
    }

    /// Opens the live alert stream as `user`: the body's chunks as they come.
    pub async fn stream(&self, path: &str, user: &str) -> axum::body::BodyDataStream {
        let request = Request::builder()
            .uri(path)
            .header("authorization", format!("Bearer {}", self.tokens[user]))
            .body(Body::empty())
            .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().into_data_stream()
    }

    /// Every document of a table.
    pub fn documents(&self, table: &str) -> Vec<(String, Vec<u8>)> {
        let store = self.state.store.read().expect("store");
        muninn_api::catalog::all_documents(store.as_ref(), table).expect("documents")
    }

    /// The store, for reading.
    pub fn store_document_count(&self, table: &str) -> u64 {
        self.state.store.read().expect("store").document_count(table).expect("count")
    }
}
