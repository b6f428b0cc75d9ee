//! Changing watchlists over HTTP: create a list, change its TLP, add, edit and remove entries,
//! import a file into it (the parsers of `muninn_screen::import`), delete it. The REST routes
//! here and the UI's forms (`ui/watchlists.rs`) call the same functions.
//!
//! Every change runs under [`AppState::change_watchlists`] (and so, in a cluster, under the lock
//! every server shares): the list is loaded as the caller may
//! see it, `authorize` is asked for [`Action::ManageWatchlist`] and then for `Update`, `Delete`
//! or `Widen` on the list's markings (so a list is changed only by its own organisation), the
//! version the change was made against is checked when the caller names it (409 when the list
//! moved on), the list is written with its audit entry in one batch and its version raised,
//! and the server's screener is rebuilt so the next ingest screens with the new list.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::routing::{delete, patch, post, put};
use muninn_access::{Action, Principal, authorize, is_widening};
use muninn_audit::{AuditAction, Change, Outcome};
use muninn_model::{Markings, Timestamp, Tlp};
use muninn_screen::watchlist::{Entry, EntryKind, MAX_ENTRIES_PER_LIST, MAX_ENTRY_TEXT, Severity};
use muninn_screen::{Alert, Screener, Watchlist, import};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::body::{JsonBody, Params};
use crate::catalog::{self, ALERT_TABLE, WATCHLIST_TABLE};
use crate::error::{ApiError, ApiResult};
use crate::routes::{RouteSpec, visible_watchlist, watchlist_markings};
use crate::state::{AppState, record};

type Handler = axum::routing::MethodRouter<Arc<AppState>>;

/// The longest list name, in characters.
pub const MAX_LIST_NAME: usize = 100;
/// The longest entry id, in characters.
pub const MAX_ENTRY_ID: usize = 200;
/// The longest note, in bytes.
pub const MAX_NOTE: usize = 10_000;
/// Most aliases of one name entry.
pub const MAX_ALIASES: usize = 1000;
/// Most records an import answers one by one (the counts cover them all).
pub const MAX_REPORTED_RECORDS: usize = 1000;

/// The REST routes that change watchlists.
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    let spec = |method: Method, path: &'static str, summary: &'static str| RouteSpec {
        method,
        path,
        summary,
        authenticated: true,
    };
    vec![
        (spec(Method::POST, "/api/v1/watchlists", "Create a watchlist (name, TLP)"), post(create)),
        (
            spec(
                Method::PATCH,
                "/api/v1/watchlists/{name}",
                "Change a watchlist's TLP (its organisation only)",
            ),
            patch(settings),
        ),
        (
            spec(Method::DELETE, "/api/v1/watchlists/{name}", "Delete a watchlist that raised no alerts"),
            delete(remove_list),
        ),
        (
            spec(Method::POST, "/api/v1/watchlists/{name}/entries", "Add an entry to a watchlist"),
            post(add_entry),
        ),
        (
            spec(
                Method::PUT,
                "/api/v1/watchlists/{name}/entries/{id}",
                "Add or replace one entry of a watchlist",
            ),
            put(replace_entry),
        ),
        (
            spec(Method::DELETE, "/api/v1/watchlists/{name}/entries/{id}", "Remove one entry of a watchlist"),
            delete(remove_entry),
        ),
        (
            spec(
                Method::POST,
                "/api/v1/watchlists/{name}/import",
                "Import a file into a watchlist (csv, un, ofac, misp-galaxy), with a result per record",
            ),
            post(import_file),
        ),
    ]
}

/// A new watchlist.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewList {
    pub(crate) name: String,
    pub(crate) tlp: String,
}

/// A change of a watchlist's TLP.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListSettings {
    pub(crate) tlp: String,
    /// The list's version the change was made against.
    #[serde(default)]
    pub(crate) version: Option<u64>,
}

/// The version a change was made against, as a query parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionParam {
    #[serde(default)]
    pub(crate) version: Option<u64>,
}

/// One entry as a client writes it: `kind` says which of `name` (with `aliases`), `value`,
/// `regex` or `query` it looks for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryRequest {
    /// The entry's id; a new entry without one gets one made up.
    #[serde(default)]
    pub(crate) id: Option<String>,
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) value: String,
    #[serde(default)]
    pub(crate) regex: String,
    #[serde(default)]
    pub(crate) query: String,
    #[serde(default)]
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) note: String,
    /// The list's version the change was made against.
    #[serde(default)]
    pub(crate) version: Option<u64>,
}

/// A format of watchlist files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Muninn's CSV: `id,kind,value,aliases,severity,note`.
    Csv,
    /// The UN Security Council consolidated list (XML).
    Un,
    /// OFAC's SDN list (`sdn.csv`, optionally with `alt.csv`).
    Ofac,
    /// MISP galaxy clusters (JSON).
    MispGalaxy,
}

impl ImportFormat {
    /// Every format, in the order forms offer them.
    pub const ALL: [ImportFormat; 4] =
        [ImportFormat::Csv, ImportFormat::Un, ImportFormat::Ofac, ImportFormat::MispGalaxy];

    /// The name used in requests: `csv`, `un`, `ofac`, `misp-galaxy`.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Csv => "csv",
            ImportFormat::Un => "un",
            ImportFormat::Ofac => "ofac",
            ImportFormat::MispGalaxy => "misp-galaxy",
        }
    }

    /// What the format is, for people.
    pub fn label(self) -> &'static str {
        match self {
            ImportFormat::Csv => "CSV (id, kind, value, aliases, severity, note)",
            ImportFormat::Un => "UN Security Council consolidated list (XML)",
            ImportFormat::Ofac => "OFAC SDN list (sdn.csv, and alt.csv for aliases)",
            ImportFormat::MispGalaxy => "MISP galaxy clusters (JSON)",
        }
    }

    /// The format named `name`.
    pub fn parse(name: &str) -> Option<ImportFormat> {
        ImportFormat::ALL.into_iter().find(|format| format.name() == name.trim())
    }
}

/// What an import does with the entries already in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Entries of the file replace those with the same id; the others stay.
    Merge,
    /// The file's entries become the list's entries.
    Replace,
}

impl ImportMode {
    /// `merge` (or nothing) or `replace`.
    pub fn parse(text: &str) -> Option<ImportMode> {
        match text.trim() {
            "" | "merge" => Some(ImportMode::Merge),
            "replace" => Some(ImportMode::Replace),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ImportMode::Merge => "merge",
            ImportMode::Replace => "replace",
        }
    }
}

/// A file to import into a list.
#[derive(Debug)]
pub(crate) struct ImportRequest {
    pub(crate) format: ImportFormat,
    pub(crate) mode: ImportMode,
    pub(crate) file: Bytes,
    /// OFAC's `alt.csv`, when given.
    pub(crate) alt: Option<Bytes>,
    pub(crate) version: Option<u64>,
}

/// The import's query parameters on the REST route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportParams {
    format: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    version: Option<u64>,
}

/// Whether `principal` may create watchlists at all (analysts and administrators).
pub(crate) fn may_create(principal: &Principal) -> bool {
    let own = Markings { originator: Some(principal.org.to_string()), ..Markings::tlp(Tlp::AmberStrict) };
    authorize(principal, Action::ManageWatchlist, &own).is_ok()
        && authorize(principal, Action::Create, &own).is_ok()
}

/// Whether `principal` may change `list` (its own organisation's analysts and administrators).
pub(crate) fn may_change(principal: &Principal, list: &Watchlist) -> bool {
    let markings = watchlist_markings(list);
    authorize(principal, Action::ManageWatchlist, &markings).is_ok()
        && authorize(principal, Action::Update, &markings).is_ok()
}

/// A watchlist as the API answers it: entries, and its TLP in canonical form.
pub(crate) fn list_json(list: &Watchlist) -> Value {
    let mut value = json!(list);
    value["tlp"] = json!(list.tlp.label());
    value
}

fn check_list_name(name: &str) -> ApiResult<()> {
    let length = name.chars().count();
    if name.trim().is_empty() || length > MAX_LIST_NAME {
        return Err(ApiError::BadRequest(format!("a watchlist name has 1 to {MAX_LIST_NAME} characters")));
    }
    if name.trim() != name || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "a watchlist name has no control characters and no blanks around it".to_owned(),
        ));
    }
    // `default` names every visible list in `/match/{dataset}`.
    if name == "default" {
        return Err(ApiError::BadRequest("\"default\" is reserved; choose another name".to_owned()));
    }
    Ok(())
}

fn parse_tlp(text: &str) -> ApiResult<Tlp> {
    let tlp: Tlp = text.parse().map_err(|_| {
        ApiError::BadRequest(format!("TLP {text:?}: expected clear, green, amber or amber+strict"))
    })?;
    if tlp == Tlp::Red {
        // A list's markings name no recipients: a RED list would be visible to nobody.
        return Err(ApiError::BadRequest(
            "a watchlist cannot be TLP:RED (it has no named recipients); use TLP:AMBER+STRICT".to_owned(),
        ));
    }
    Ok(tlp)
}

/// Creates an empty watchlist owned by the caller's organisation, audited.
pub(crate) async fn create_list_data(
    state: &Arc<AppState>,
    principal: &Principal,
    request: &NewList,
) -> ApiResult<Watchlist> {
    check_list_name(&request.name)?;
    let tlp = parse_tlp(&request.tlp)?;
    let list = Watchlist {
        name: request.name.clone(),
        owner: principal.org.to_string(),
        tlp,
        version: 1,
        entries: Vec::new(),
    };
    let markings = watchlist_markings(&list);
    authorize(principal, Action::ManageWatchlist, &markings)?;
    authorize(principal, Action::Create, &markings)?;
    let _changing = state.change_watchlists().await?;
    // Names are the lists' keys: a taken name is refused whoever may see that list (this says
    // only that the name is taken).
    if state
        .read_store(|store| Ok(muninn_store::ItemStore::document(store, WATCHLIST_TABLE, &list.name)?))?
        .is_some()
    {
        return Err(ApiError::Conflict(format!("a watchlist named {:?} exists already", list.name)));
    }
    let audit = record(
        Some(principal),
        AuditAction::WatchlistChanged { list: list.name.clone(), change: Change::Created },
        Outcome::Allowed,
    );
    state.write(vec![catalog::document(WATCHLIST_TABLE, &list.name, &list)?], vec![audit]).await?;
    Ok(list)
}

/// Loads `name` for a change: visible, the role and organisation allowed `action`, and at
/// `expected` version when one is named.
fn list_for_change(
    state: &AppState,
    principal: &Principal,
    name: &str,
    action: Action,
    expected: Option<u64>,
) -> ApiResult<Watchlist> {
    let list = visible_watchlist(state, principal, name)?;
    let markings = watchlist_markings(&list);
    authorize(principal, Action::ManageWatchlist, &markings)?;
    authorize(principal, action, &markings)?;
    if let Some(version) = expected
        && version != list.version
    {
        return Err(ApiError::Conflict(format!(
            "the watchlist changed since you opened it (now version {}, you had {version}); reload it and try again",
            list.version
        )));
    }
    Ok(list)
}

/// Writes a changed list (its version raised), audited, and rebuilds the screener.
async fn store_change(
    state: &Arc<AppState>,
    principal: &Principal,
    mut list: Watchlist,
    mut audit: Vec<AuditAction>,
) -> ApiResult<Watchlist> {
    list.version += 1;
    audit.insert(0, AuditAction::WatchlistChanged { list: list.name.clone(), change: Change::Updated });
    let records = audit.into_iter().map(|action| record(Some(principal), action, Outcome::Allowed)).collect();
    state.write(vec![catalog::document(WATCHLIST_TABLE, &list.name, &list)?], records).await?;
    refresh_screener(state).await?;
    Ok(list)
}

/// Compiles the stored lists into the server's screener (on a blocking thread: a large list
/// takes a while).
pub(crate) async fn refresh_screener(state: &Arc<AppState>) -> ApiResult<()> {
    let compiling = Arc::clone(state);
    let screener = tokio::task::spawn_blocking(move || {
        let lists = compiling.read_store(|store| Ok(catalog::load_watchlists(store)?))?;
        let (screener, warnings) = Screener::compile(&lists, Timestamp::now());
        for warning in warnings {
            tracing::warn!(warning = %crate::error::LogText(&warning.to_string()), "watchlist entry not screened");
        }
        Ok::<_, ApiError>(screener)
    })
    .await
    .map_err(ApiError::internal)??;
    *state.screener.write().map_err(|_| ApiError::internal("screener lock poisoned"))? = Arc::new(screener);
    Ok(())
}

/// Changes a list's TLP; widening it is the originator's decision (`Widen`).
pub(crate) async fn set_tlp_data(
    state: &Arc<AppState>,
    principal: &Principal,
    name: &str,
    request: &ListSettings,
) -> ApiResult<Watchlist> {
    let tlp = parse_tlp(&request.tlp)?;
    let _changing = state.change_watchlists().await?;
    let mut list = list_for_change(state, principal, name, Action::Update, request.version)?;
    let before = watchlist_markings(&list);
    list.tlp = tlp;
    let after = watchlist_markings(&list);
    if is_widening(&before, &after) {
        authorize(principal, Action::Widen, &before)?;
    }
    store_change(state, principal, list, Vec::new()).await
}

/// Deletes a list that raised no alerts (their triage history names it, and a new list of
/// the same name must not inherit them).
pub(crate) async fn delete_list_data(
    state: &Arc<AppState>,
    principal: &Principal,
    name: &str,
    expected: Option<u64>,
) -> ApiResult<()> {
    let _changing = state.change_watchlists().await?;
    let list = list_for_change(state, principal, name, Action::Delete, expected)?;
    let alerts = state.read_store(|store| {
        let mut count = 0usize;
        for (key, bytes) in catalog::all_documents(store, ALERT_TABLE)? {
            let alert: Alert = catalog::decode(ALERT_TABLE, &key, &bytes)?;
            count += usize::from(alert.list == list.name);
        }
        Ok(count)
    })?;
    if alerts > 0 {
        return Err(ApiError::Conflict(format!(
            "the watchlist raised {alerts} alerts: it is kept for their triage history (remove its entries to stop it)"
        )));
    }
    let audit = record(
        Some(principal),
        AuditAction::WatchlistChanged { list: list.name.clone(), change: Change::Deleted },
        Outcome::Allowed,
    );
    state.write(vec![muninn_store::Document::delete(WATCHLIST_TABLE, &list.name)], vec![audit]).await?;
    refresh_screener(state).await
}

impl EntryRequest {
    /// The entry this request describes, with id `id`, checked.
    fn entry(&self, id: &str) -> ApiResult<Entry> {
        let bad = |message: String| Err(ApiError::BadRequest(message));
        if id.trim().is_empty() || id.chars().count() > MAX_ENTRY_ID || id.chars().any(char::is_control) {
            return bad(format!("an entry id has 1 to {MAX_ENTRY_ID} characters, none a control character"));
        }
        let text = |field: &str, value: &str| -> ApiResult<String> {
            let value = value.trim();
            if value.is_empty() {
                return Err(ApiError::BadRequest(format!("a {} entry needs its {field}", self.kind)));
            }
            if value.len() > MAX_ENTRY_TEXT {
                return Err(ApiError::BadRequest(format!(
                    "the {field} is longer than {MAX_ENTRY_TEXT} bytes"
                )));
            }
            Ok(value.to_owned())
        };
        let kind = match self.kind.trim() {
            "name" => {
                if self.aliases.len() > MAX_ALIASES {
                    return bad(format!("more than {MAX_ALIASES} aliases"));
                }
                let mut aliases: Vec<String> = Vec::new();
                for alias in self.aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
                    if alias.len() > MAX_ENTRY_TEXT {
                        return bad(format!("an alias is longer than {MAX_ENTRY_TEXT} bytes"));
                    }
                    if !aliases.iter().any(|known| known == alias) {
                        aliases.push(alias.to_owned());
                    }
                }
                EntryKind::Name { name: text("name", &self.name)?, aliases }
            }
            "indicator" => EntryKind::Indicator { value: text("value", &self.value)? },
            "pattern" => EntryKind::Pattern { regex: text("regex", &self.regex)? },
            "rule" => EntryKind::Rule { query: text("query", &self.query)? },
            other => return bad(format!("kind {other:?}: expected name, indicator, pattern or rule")),
        };
        let severity = Severity::parse(&self.severity).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "severity {:?}: expected low, medium, high or critical",
                self.severity
            ))
        })?;
        if self.note.len() > MAX_NOTE {
            return bad(format!("the note is longer than {MAX_NOTE} bytes"));
        }
        Ok(Entry { id: id.trim().to_owned(), kind, severity, note: self.note.trim().to_owned() })
    }
}

/// The screener's warnings about `entry` in `list`; an error if it would not screen at all
/// (a pattern that does not compile, a rule that does not parse, a name too short to match).
fn check_entry(list: &Watchlist, entry: &Entry) -> ApiResult<Vec<String>> {
    let alone = Watchlist { entries: vec![entry.clone()], ..list.clone() };
    let (screener, warnings) = Screener::compile(std::slice::from_ref(&alone), Timestamp::now());
    let warnings: Vec<String> = warnings.iter().map(|warning| warning.message.clone()).collect();
    // A name entry whose every form was refused by the matcher screens nothing either.
    let forms = match &entry.kind {
        EntryKind::Name { name, aliases } => {
            let mut distinct: Vec<&str> =
                std::iter::once(name.as_str()).chain(aliases.iter().map(String::as_str)).collect();
            distinct.sort_unstable();
            distinct.dedup();
            distinct.len()
        }
        _ => 1,
    };
    let forms_left_out = warnings.iter().filter(|message| message.contains(" is left out: ")).count();
    if screener.entries().is_empty() || forms_left_out >= forms {
        return Err(ApiError::BadRequest(format!("the entry would never match: {}", warnings.join("; "))));
    }
    Ok(warnings)
}

/// An entry id not yet in `list`: `e` and the next number.
fn new_entry_id(list: &Watchlist) -> String {
    (list.entries.len() + 1..)
        .map(|n| format!("e{n}"))
        .find(|id| !list.entries.iter().any(|entry| &entry.id == id))
        .unwrap_or_else(|| "e0".to_owned())
}

/// What a change of one entry did.
#[derive(Debug)]
pub(crate) struct EntryChange {
    pub(crate) list: Watchlist,
    pub(crate) id: String,
    pub(crate) created: bool,
    /// What the screener says about the entry (forms left out, for instance).
    pub(crate) warnings: Vec<String>,
}

/// Adds an entry, or replaces the one with the same id, audited.
pub(crate) async fn put_entry_data(
    state: &Arc<AppState>,
    principal: &Principal,
    name: &str,
    request: &EntryRequest,
) -> ApiResult<EntryChange> {
    let _changing = state.change_watchlists().await?;
    let mut list = list_for_change(state, principal, name, Action::Update, request.version)?;
    let id = match request.id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => new_entry_id(&list),
    };
    let entry = request.entry(&id)?;
    let warnings = check_entry(&list, &entry)?;
    let created = match list.entries.iter_mut().find(|known| known.id == entry.id) {
        Some(known) => {
            *known = entry;
            false
        }
        None => {
            if list.entries.len() >= MAX_ENTRIES_PER_LIST {
                return Err(ApiError::BadRequest(format!(
                    "a list holds at most {MAX_ENTRIES_PER_LIST} entries"
                )));
            }
            list.entries.push(entry);
            true
        }
    };
    let list = store_change(state, principal, list, Vec::new()).await?;
    Ok(EntryChange { list, id, created, warnings })
}

/// Removes the entry `id`, audited; NotFound when the list has none.
pub(crate) async fn delete_entry_data(
    state: &Arc<AppState>,
    principal: &Principal,
    name: &str,
    id: &str,
    expected: Option<u64>,
) -> ApiResult<Watchlist> {
    let _changing = state.change_watchlists().await?;
    let mut list = list_for_change(state, principal, name, Action::Update, expected)?;
    let before = list.entries.len();
    list.entries.retain(|entry| entry.id != id);
    if list.entries.len() == before {
        return Err(ApiError::NotFound);
    }
    store_change(state, principal, list, Vec::new()).await
}

/// Parses a file of `format` (on a blocking thread: the UN and OFAC lists are megabytes).
async fn parse_file(request: &ImportRequest) -> ApiResult<import::Imported> {
    let (format, file, alt) = (request.format, request.file.clone(), request.alt.clone());
    tokio::task::spawn_blocking(move || match format {
        ImportFormat::Csv => import::csv(&file),
        ImportFormat::Un => import::un_consolidated(&file),
        ImportFormat::Ofac => import::ofac_sdn(&file, alt.as_deref()),
        ImportFormat::MispGalaxy => import::misp_galaxy(&file),
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|error| ApiError::BadRequest(format!("the file is not {}: {error}", format.label())))
}

/// Imports a file into the list `name`: every record's outcome (added, replaced, unchanged;
/// records the parser left out or changed, with why; entries the screener will not use),
/// the counts, and the list's new version. Audited as a change of the list and an import.
pub(crate) async fn import_data(
    state: &Arc<AppState>,
    principal: &Principal,
    name: &str,
    request: &ImportRequest,
) -> ApiResult<Value> {
    // Checked before the file is parsed: no work for those who may not change the list.
    list_for_change(state, principal, name, Action::Update, request.version)?;
    let imported = parse_file(request).await?;
    let _changing = state.change_watchlists().await?;
    let mut list = list_for_change(state, principal, name, Action::Update, request.version)?;
    let read = imported.entries.len();
    let mut records = Vec::new();
    let (mut added, mut replaced, mut unchanged) = (0usize, 0usize, 0usize);
    let (next, removed) = {
        let old: HashMap<&str, &Entry> =
            list.entries.iter().map(|entry| (entry.id.as_str(), entry)).collect();
        let (mut next, mut position): (Vec<Entry>, HashMap<String, usize>) = match request.mode {
            ImportMode::Merge => (
                list.entries.clone(),
                list.entries.iter().enumerate().map(|(at, entry)| (entry.id.clone(), at)).collect(),
            ),
            ImportMode::Replace => (Vec::with_capacity(read), HashMap::new()),
        };
        for entry in imported.entries {
            let outcome = match old.get(entry.id.as_str()) {
                Some(known) if **known == entry => "unchanged",
                Some(_) => "replaced",
                None => "added",
            };
            match outcome {
                "unchanged" => unchanged += 1,
                "replaced" => replaced += 1,
                _ => added += 1,
            }
            if records.len() < MAX_REPORTED_RECORDS {
                records.push(json!({"id": entry.id, "kind": entry.kind.as_str(),
                    "describes": entry.kind.describe(), "outcome": outcome}));
            }
            match position.get(&entry.id) {
                Some(&at) => next[at] = entry,
                None => {
                    position.insert(entry.id.clone(), next.len());
                    next.push(entry);
                }
            }
        }
        let mut removed: Vec<String> = match request.mode {
            ImportMode::Merge => Vec::new(),
            ImportMode::Replace => {
                old.keys().filter(|id| !position.contains_key(**id)).map(|id| (*id).to_owned()).collect()
            }
        };
        removed.sort_unstable();
        (next, removed)
    };
    if next.len() > MAX_ENTRIES_PER_LIST {
        return Err(ApiError::BadRequest(format!(
            "the list would hold {} entries, more than {MAX_ENTRIES_PER_LIST}",
            next.len()
        )));
    }
    list.entries = next;
    let (_, screen_warnings) = Screener::compile(std::slice::from_ref(&list), Timestamp::now());
    let audit = vec![AuditAction::Import {
        kind: format!("watchlist-{}", request.format.name()),
        objects: read as u64,
    }];
    let list = store_change(state, principal, list, audit).await?;
    Ok(json!({
        "list": list.name, "version": list.version, "tlp": list.tlp.label(),
        "format": request.format.name(), "mode": request.mode.name(),
        "read": read, "added": added, "replaced": replaced, "unchanged": unchanged,
        "removed": removed.len(), "entries": list.entries.len(),
        "records": records,
        "removed_ids": removed.iter().take(MAX_REPORTED_RECORDS).collect::<Vec<_>>(),
        "warnings": imported.warnings.iter().map(|w| json!({"record": w.record, "message": w.message})).collect::<Vec<_>>(),
        "screen_warnings": screen_warnings.iter().map(|w| json!({"record": w.entry, "message": w.message})).collect::<Vec<_>>(),
    }))
}

async fn create(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    JsonBody(request): JsonBody<NewList>,
) -> ApiResult<Json<Value>> {
    Ok(Json(list_json(&create_list_data(&state, &principal, &request).await?)))
}

async fn settings(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    JsonBody(request): JsonBody<ListSettings>,
) -> ApiResult<Json<Value>> {
    Ok(Json(list_json(&set_tlp_data(&state, &principal, &name, &request).await?)))
}

async fn remove_list(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    Params(params): Params<VersionParam>,
) -> ApiResult<Json<Value>> {
    delete_list_data(&state, &principal, &name, params.version).await?;
    Ok(Json(json!({"deleted": name})))
}

fn entry_answer(change: &EntryChange) -> Value {
    let entry = change.list.entries.iter().find(|entry| entry.id == change.id);
    json!({"list": change.list.name, "version": change.list.version, "entry": entry,
           "created": change.created, "warnings": change.warnings})
}

async fn add_entry(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    JsonBody(request): JsonBody<EntryRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(entry_answer(&put_entry_data(&state, &principal, &name, &request).await?)))
}

async fn replace_entry(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((name, id)): Path<(String, String)>,
    JsonBody(mut request): JsonBody<EntryRequest>,
) -> ApiResult<Json<Value>> {
    if request.id.as_ref().is_some_and(|given| given != &id) {
        return Err(ApiError::BadRequest("the body's id is not the path's".to_owned()));
    }
    request.id = Some(id);
    Ok(Json(entry_answer(&put_entry_data(&state, &principal, &name, &request).await?)))
}

async fn remove_entry(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((name, id)): Path<(String, String)>,
    Params(params): Params<VersionParam>,
) -> ApiResult<Json<Value>> {
    let list = delete_entry_data(&state, &principal, &name, &id, params.version).await?;
    Ok(Json(json!({"list": list.name, "version": list.version, "removed": id})))
}

async fn import_file(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    Params(params): Params<ImportParams>,
    file: Bytes,
) -> ApiResult<Json<Value>> {
    let format = ImportFormat::parse(&params.format).ok_or_else(|| {
        ApiError::BadRequest(format!("format {:?}: expected csv, un, ofac or misp-galaxy", params.format))
    })?;
    let mode = ImportMode::parse(&params.mode)
        .ok_or_else(|| ApiError::BadRequest(format!("mode {:?}: expected merge or replace", params.mode)))?;
    let request = ImportRequest { format, mode, file, alt: None, version: params.version };
    Ok(Json(import_data(&state, &principal, &name, &request).await?))
}
