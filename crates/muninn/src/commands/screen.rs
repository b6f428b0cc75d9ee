//! `muninn watchlist`, `muninn screen`, `muninn alerts`, and the screening done inside ingest.
//!
//! Watchlists and alerts are documents of the store (tables `watchlist` and `alert`): every
//! version stays in the item log, the latest is what reads see. An alert for a new item is
//! written in the same fsync as the item, so it exists the moment the item is acknowledged.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use muninn_ingest::{IngestObserver, Progress};
use muninn_model::{ContentHash, Item, ItemId, Timestamp};
use muninn_screen::{Alert, AlertState, ScreenWarning, Screener, Watchlist, import};
use muninn_store::{Document, ItemStore};
use serde_json::json;

use crate::cli::{AlertsArgs, ScreenArgs, WatchlistCommand, WatchlistFormat, WatchlistImportArgs};
use crate::config::Config;
use crate::{UsageError, output};

pub use muninn_api::catalog::{ALERT_TABLE, WATCHLIST_TABLE, alert_document, all_documents};

/// The stored watchlists.
pub fn load_watchlists(store: &dyn ItemStore) -> anyhow::Result<Vec<Watchlist>> {
    Ok(muninn_api::catalog::load_watchlists(store)?)
}

/// The stored watchlists compiled (only those named, when any are).
pub fn load_screener(
    store: &dyn ItemStore,
    only: &[String],
) -> anyhow::Result<(Screener, Vec<ScreenWarning>)> {
    let mut lists = load_watchlists(store)?;
    if !only.is_empty() {
        for name in only {
            if !lists.iter().any(|list| &list.name == name) {
                return Err(
                    UsageError(format!("no watchlist named {name:?} (see muninn watchlist list)")).into()
                );
            }
        }
        lists.retain(|list| only.contains(&list.name));
    }
    Ok(Screener::compile(&lists, Timestamp::now()))
}

pub use muninn_api::ingest::{alerts_by_item, alerts_for};

/// One batch's alerts by item, each with its item's title.
type BatchAlerts = HashMap<ItemId, Vec<(Alert, String)>>;

/// Screening inside ingest: wraps the run's observer, screens every batch before it is made
/// durable and stores the alerts in the same batch, each kept only if its item is new.
pub struct ScreeningObserver<'a> {
    screener: &'a Screener,
    inner: &'a mut dyn IngestObserver,
    /// For each batch screened and not yet durable, oldest first: when it was handed over for
    /// screening, and its alerts with their item's title.
    pending: std::collections::VecDeque<(Instant, BatchAlerts)>,
    print: bool,
    /// Alerts made durable so far.
    pub alerts_raised: u64,
    /// For each alert made durable: its key and the milliseconds from its batch being handed
    /// to screening to the batch being acknowledged (screening, append, fsync).
    pub latencies_ms: Vec<(String, f64)>,
}

impl<'a> ScreeningObserver<'a> {
    /// Screens with `screener`, passing progress on to `inner`.
    pub fn new(screener: &'a Screener, inner: &'a mut dyn IngestObserver) -> ScreeningObserver<'a> {
        ScreeningObserver {
            screener,
            inner,
            pending: std::collections::VecDeque::new(),
            print: false,
            alerts_raised: 0,
            latencies_ms: Vec::new(),
        }
    }

    /// Also print each alert as a JSON line on standard output once its item is acknowledged.
    pub fn printing(mut self) -> ScreeningObserver<'a> {
        self.print = true;
        self
    }

    fn emit(alert: &Alert, title: &str, acknowledged_at: Timestamp) {
        let line = json!({
            "acknowledged_at": acknowledged_at.to_string(),
            "emitted_at": Timestamp::now().to_string(),
            "key": alert.key(),
            "title": title,
            "alert": alert,
        });
        // A closed pipe only stops the printing; the alerts are stored.
        let _ = output::print(&format!("{line}\n"));
    }
}

impl IngestObserver for ScreeningObserver<'_> {
    fn progress(&mut self, progress: &Progress) {
        self.inner.progress(progress);
    }

    fn committed(&mut self, stored: &[(ItemId, ContentHash)]) {
        let acknowledged_at = Timestamp::now();
        // Batches are committed in the order they were screened.
        let Some((started, pending)) = self.pending.pop_front() else {
            self.inner.committed(stored);
            return;
        };
        let latency = started.elapsed().as_secs_f64() * 1e3;
        for (id, _) in stored {
            if let Some(alerts) = pending.get(id) {
                self.alerts_raised += alerts.len() as u64;
                self.latencies_ms.extend(alerts.iter().map(|(alert, _)| (alert.key(), latency)));
                if self.print {
                    alerts
                        .iter()
                        .for_each(|(alert, title)| ScreeningObserver::emit(alert, title, acknowledged_at));
                }
            }
        }
        self.inner.committed(stored);
    }

    fn documents(&mut self, items: &[(Item, Option<Vec<u8>>)]) -> Vec<Document> {
        let started = Instant::now();
        let items: Vec<&Item> = items.iter().map(|(item, _)| item).collect();
        let alerts = alerts_by_item(self.screener, &items, Timestamp::now());
        // The same content twice in one batch is one item: one alert per key.
        let mut keys = std::collections::HashSet::new();
        let mut pending = BatchAlerts::new();
        let documents = alerts
            .into_iter()
            .filter(|(_, alert)| keys.insert(alert.key()))
            .filter_map(|(index, alert)| {
                let item = items[index];
                let document = alert_document(&alert, Some(item.id)).ok()?;
                pending.entry(item.id).or_default().push((alert, item.title.clone().unwrap_or_default()));
                Some(document)
            })
            .collect();
        self.pending.push_back((started, pending));
        documents
    }
}

pub fn watchlist(config: &Config, command: WatchlistCommand) -> anyhow::Result<ExitCode> {
    match command {
        WatchlistCommand::Import(args) => import_list(config, &args),
        WatchlistCommand::List { json } => {
            let backend = super::open_backend(config, true)?;
            let store = backend.store();
            let lists = load_watchlists(store)?;
            if json {
                let lists: Vec<_> = lists.iter().map(|l| json!({"name": l.name, "owner": l.owner, "tlp": l.tlp.to_string(), "version": l.version, "entries": l.entries.len()})).collect();
                output::print_json(&json!({ "watchlists": lists }))?;
            } else {
                let rows: Vec<Vec<String>> = lists
                    .iter()
                    .map(|l| {
                        vec![
                            l.name.clone(),
                            l.version.to_string(),
                            l.entries.len().to_string(),
                            l.tlp.to_string(),
                            l.owner.clone(),
                        ]
                    })
                    .collect();
                output::print(&output::table(&["NAME", "VERSION", "ENTRIES", "TLP", "OWNER"], &rows))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        WatchlistCommand::Show { name, entries, json } => {
            let backend = super::open_backend(config, true)?;
            let store = backend.store();
            let list = stored_list(store, &name)?
                .ok_or_else(|| UsageError(format!("no watchlist named {name:?}")))?;
            if json {
                output::print_json(&serde_json::to_value(&list)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut text = format!(
                "{} (version {}, {} entries, {}, owner {})\n",
                list.name,
                list.version,
                list.entries.len(),
                list.tlp,
                list.owner
            );
            let rows: Vec<Vec<String>> = list
                .entries
                .iter()
                .take(entries)
                .map(|e| {
                    vec![
                        e.id.clone(),
                        e.kind.as_str().to_owned(),
                        e.severity.to_string(),
                        output::cut(&e.kind.describe(), 70),
                    ]
                })
                .collect();
            text.push_str(&output::table(&["ID", "KIND", "SEVERITY", "LOOKS FOR"], &rows));
            output::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        WatchlistCommand::FromKnowledge { name, owner, tlp, selection } => {
            super::graph::watchlist_from_knowledge(config, &name, &owner, tlp, &selection)
        }
        WatchlistCommand::Delete { name } => {
            let mut backend = super::open_backend(config, true)?;
            let store = backend.store_mut();
            if stored_list(store, &name)?.is_none() {
                return Err(UsageError(format!("no watchlist named {name:?}")).into());
            }
            store.put_documents(vec![Document::delete(WATCHLIST_TABLE, &name)])?;
            output::print(&format!("deleted watchlist {name}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn stored_list(store: &dyn ItemStore, name: &str) -> anyhow::Result<Option<Watchlist>> {
    store
        .document(WATCHLIST_TABLE, name)?
        .map(|value| {
            serde_json::from_slice(&value)
                .with_context(|| format!("stored watchlist {name:?} does not decode"))
        })
        .transpose()
}

fn import_list(config: &Config, args: &WatchlistImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = super::list_name(args.name.as_deref(), &args.file, "watchlist");
    let (entries, warnings) = match args.format {
        WatchlistFormat::Json => {
            let list: Watchlist = serde_json::from_slice(&bytes)
                .map_err(|error| UsageError(format!("{}: not a watchlist: {error}", args.file.display())))?;
            (list.entries, Vec::new())
        }
        format => {
            let imported = match format {
                WatchlistFormat::Csv => import::csv(&bytes),
                WatchlistFormat::Un => import::un_consolidated(&bytes),
                WatchlistFormat::MispGalaxy => import::misp_galaxy(&bytes),
                WatchlistFormat::Ofac => {
                    let alt = args
                        .alt
                        .as_ref()
                        .map(|path| {
                            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
                        })
                        .transpose()?;
                    import::ofac_sdn(&bytes, alt.as_deref())
                }
                WatchlistFormat::Json => unreachable_format(),
            }
            .map_err(|error| UsageError(format!("{}: {error}", args.file.display())))?;
            (imported.entries, imported.warnings.iter().map(ToString::to_string).collect())
        }
    };
    let mut backend = super::open_backend(config, false)?;
    let store = backend.store_mut();
    let (list, compile_warnings) = store_watchlist(store, &name, &args.owner, args.tlp, entries)?;
    let version = list.version;
    if args.json {
        output::print_json(&json!({
            "watchlist": name, "version": version, "entries": list.entries.len(),
            "import_warnings": warnings, "compile_warnings": compile_warnings,
        }))?;
    } else {
        for warning in warnings.iter().chain(&compile_warnings).take(50) {
            eprintln!("warning: {warning}");
        }
        let more = (warnings.len() + compile_warnings.len()).saturating_sub(50);
        if more > 0 {
            eprintln!("... and {more} more warnings (--json lists them all)");
        }
        output::print(&format!(
            "imported watchlist {name} version {version}: {} entries, {} warnings\n",
            list.entries.len(),
            warnings.len() + compile_warnings.len()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Stores `entries` as watchlist `name` (a new list, or the next version of the list of that
/// name); returns it with the screener's warnings about entries it cannot use.
pub fn store_watchlist(
    store: &mut dyn ItemStore,
    name: &str,
    owner: &str,
    tlp: muninn_model::Tlp,
    entries: Vec<muninn_screen::Entry>,
) -> anyhow::Result<(Watchlist, Vec<String>)> {
    let version = stored_list(store, name)?.map_or(1, |previous| previous.version + 1);
    let list = Watchlist { name: name.to_owned(), owner: owner.to_owned(), tlp, version, entries };
    let (_, compile_warnings) = Screener::compile(std::slice::from_ref(&list), Timestamp::now());
    let compile_warnings: Vec<String> = compile_warnings.iter().map(ToString::to_string).collect();
    store.put_documents(vec![Document::put(WATCHLIST_TABLE, name, serde_json::to_vec(&list)?)])?;
    Ok((list, compile_warnings))
}

/// The JSON format is handled before the importers are chosen.
fn unreachable_format() -> Result<import::Imported, import::ImportError> {
    Ok(import::Imported { entries: Vec::new(), warnings: Vec::new() })
}

fn parse_since(text: &str) -> anyhow::Result<Timestamp> {
    let bad = || UsageError(format!("--since {text:?}: expected a day (2024-01-01) or an RFC 3339 instant"));
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    let day: jiff::civil::Date = text.parse().map_err(|_| bad())?;
    Ok(format!("{day}T00:00:00Z").parse().map_err(|_| bad())?)
}

const HUNT_BATCH: usize = 16_384;

pub fn retro_hunt(config: &Config, args: &ScreenArgs) -> anyhow::Result<ExitCode> {
    let mut backend = super::open_backend(config, true)?;
    let store = backend.store_mut();
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let (screener, warnings) = load_screener(store, &args.watchlists)?;
    for warning in warnings.iter().take(20) {
        eprintln!("warning: {warning}");
    }
    if screener.is_empty() {
        return Err(UsageError(
            "no watchlist entries to screen with (see muninn watchlist import)".to_owned(),
        )
        .into());
    }
    let started = Instant::now();
    let raised_at = Timestamp::now();
    let mut screened = 0u64;
    let mut alerts = Vec::new();
    let mut batch: Vec<Item> = Vec::with_capacity(HUNT_BATCH);
    let flush = |batch: &mut Vec<Item>, alerts: &mut Vec<Alert>| {
        let refs: Vec<&Item> = batch.iter().collect();
        alerts.extend(alerts_for(&screener, &refs, raised_at));
        batch.clear();
    };
    store.for_each_item(0, &mut |_, item| {
        if since.is_some_and(|since| item.event_time.unwrap_or(item.collected_at) < since) {
            return Ok(());
        }
        screened += 1;
        batch.push(item.clone());
        if batch.len() == HUNT_BATCH {
            flush(&mut batch, &mut alerts);
        }
        Ok(())
    })?;
    flush(&mut batch, &mut alerts);
    let hits = alerts.len();
    // An alert that exists already keeps its state and history.
    let mut documents = Vec::new();
    for alert in &alerts {
        if store.document(ALERT_TABLE, &alert.key())?.is_none() {
            documents.push(alert_document(alert, None)?);
        }
    }
    let new_alerts = documents.len();
    for chunk in documents.chunks(10_000) {
        store.put_documents(chunk.to_vec())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if args.json {
        output::print_json(&json!({
            "screened": screened, "hits": hits, "new_alerts": new_alerts, "seconds": elapsed,
            "items_per_second": screened as f64 / elapsed.max(1e-9),
        }))?;
    } else {
        output::print(&format!(
            "screened {screened} items in {elapsed:.2}s ({:.0} items/s): {hits} hits, {new_alerts} new alerts\n",
            screened as f64 / elapsed.max(1e-9)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn decode_alert(key: &str, value: &[u8]) -> anyhow::Result<Alert> {
    serde_json::from_slice(value).with_context(|| format!("stored alert {key:?} does not decode"))
}

pub fn alerts(config: &Config, args: &AlertsArgs) -> anyhow::Result<ExitCode> {
    let mut backend = super::open_backend(config, true)?;
    let store = backend.store_mut();
    let state = args
        .state
        .as_deref()
        .map(|text| {
            AlertState::parse(text).ok_or_else(|| {
                UsageError(format!("--state {text:?}: expected new, acknowledged, dismissed or escalated"))
            })
        })
        .transpose()?;
    let mut selected: Vec<Alert> = Vec::new();
    if !args.key.is_empty() {
        for key in &args.key {
            let value = store
                .document(ALERT_TABLE, key)?
                .ok_or_else(|| UsageError(format!("no alert with key {key:?}")))?;
            selected.push(decode_alert(key, &value)?);
        }
    } else {
        for (key, value) in all_documents(store, ALERT_TABLE)? {
            let alert = decode_alert(&key, &value)?;
            let keep = state.is_none_or(|s| alert.state == s)
                && args.watchlist.as_ref().is_none_or(|w| &alert.list == w)
                && args.item.as_ref().is_none_or(|i| &alert.item == i);
            if keep {
                selected.push(alert);
            }
        }
    }
    selected.sort_by(|a, b| {
        b.raised_at.cmp(&a.raised_at).then(b.severity.cmp(&a.severity)).then(a.key().cmp(&b.key()))
    });
    if let Some(new_state) = &args.set_state {
        let new_state = AlertState::parse(new_state).ok_or_else(|| {
            UsageError(format!("--set {new_state:?}: expected new, acknowledged, dismissed or escalated"))
        })?;
        let by = args
            .by
            .as_deref()
            .ok_or_else(|| UsageError("--set needs --by NAME (who makes the change)".to_owned()))?;
        if args.key.is_empty() && state.is_none() && args.watchlist.is_none() && args.item.is_none() {
            return Err(UsageError(
                "--set changes the alerts given with --key, or selected by --state, --watchlist or --item"
                    .to_owned(),
            )
            .into());
        }
        let now = Timestamp::now();
        let mut documents = Vec::new();
        let mut unchanged = 0;
        for alert in selected.iter_mut().take(args.limit.max(args.key.len())) {
            match alert.change_state(new_state, by, now, &args.note) {
                Ok(()) => documents.push(alert_document(alert, None)?),
                Err(_) => unchanged += 1,
            }
        }
        let changed = documents.len();
        store.put_documents(documents)?;
        output::print(&format!("{changed} alerts set to {new_state}; {unchanged} already were\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let total = selected.len();
    selected.truncate(args.limit);
    if args.json {
        output::print_json(
            &json!({ "total": total, "alerts": selected.iter().map(|a| json!({"key": a.key(), "alert": a})).collect::<Vec<_>>() }),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = selected
        .iter()
        .map(|a| {
            vec![
                a.state.to_string(),
                a.severity.to_string(),
                format!("{}/{}", a.list, a.entry),
                a.method.clone(),
                output::cut(if a.matched.is_empty() { &a.form } else { &a.matched }, 40),
                a.item.clone(),
            ]
        })
        .collect();
    let mut text = output::table(&["STATE", "SEVERITY", "ENTRY", "METHOD", "MATCHED", "ITEM"], &rows);
    text.push_str(&format!("{} of {total} alerts\n", selected.len()));
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
