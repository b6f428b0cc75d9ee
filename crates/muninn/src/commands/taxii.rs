//! `muninn taxii pull URL --collection ID`: pulls a TAXII 2.1 collection into the knowledge base.
//!
//! Each page's objects go through the STIX import (`muninn_stix::import_bundle`, against what the
//! store already holds, so a re-sent object is a duplicate and writes nothing) and are stored as
//! the documents `muninn_stix::documents` names (`stix_object`, `stix_version`). The pull's
//! cursor is a document of table `taxii_cursor`, keyed by the server URL and the collection, and
//! is written in the **same** `put_documents` call as the page's objects: after a crash either
//! both are durable or neither is, so the next pull resumes after the last stored page, losing
//! and duplicating nothing. All requests go through `muninn_egress` (https only unless
//! `--allow-http`; private addresses only when `--allow-host` names them).
//!
//! The cursor document (format 1) is JSON: `format` (1), `url` (the URL given, canonical),
//! `collection`, `api_root` (where the collection was found) and `cursor`:
//! `muninn_egress::taxii::Cursor` (`next` and the `query_added_after` it belongs to, `added_after`
//! = the last stored page's `X-TAXII-Date-Added-Last`, `complete`). A resumed pull asks for the
//! stored `next`; if the server no longer accepts it, for what was added after `added_after`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use muninn_egress::taxii::{Auth, CallbackError, Cursor, Page, PullConfig, TaxiiClient, TaxiiError};
use muninn_egress::{EgressClient, EgressPolicy};
use muninn_stix::{ImportConfig, ImportReport, Outcome, documents, import_bundle};
use muninn_store::{Document, ItemStore, MAX_KEY_BYTES};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::{TaxiiCommand, TaxiiPullArgs};
use crate::config::Config;
use crate::{UsageError, output};

/// The table of pull cursors: key = `URL COLLECTION`.
pub const CURSOR_TABLE: &str = "taxii_cursor";

/// The bundle id a page is wrapped in for the import (a bundle id is required; this one means
/// nothing and is never stored).
const PAGE_BUNDLE_ID: &str = "bundle--00000000-0000-4000-8000-000000000000";

/// Rejections listed in the output (all are counted).
const MAX_LISTED_REJECTIONS: usize = 20;

/// The stored cursor document (format 1).
#[derive(Debug, Serialize, Deserialize)]
struct CursorDocument {
    format: u32,
    url: String,
    collection: String,
    api_root: String,
    cursor: Cursor,
}

/// Counts of import outcomes over a pull.
#[derive(Debug, Default)]
struct Tally {
    stored: u64,
    updated: u64,
    older: u64,
    duplicates: u64,
    rejected: u64,
    rejections: Vec<String>,
    pages_stored: u32,
}

impl Tally {
    fn add(&mut self, report: &ImportReport) {
        for object in &report.objects {
            match &object.outcome {
                Outcome::Stored(_) => self.stored += 1,
                Outcome::Updated(_) => self.updated += 1,
                Outcome::OlderVersion(_) => self.older += 1,
                Outcome::Duplicate => self.duplicates += 1,
                Outcome::Rejected(reason) => {
                    self.rejected += 1;
                    if self.rejections.len() < MAX_LISTED_REJECTIONS {
                        let id = object.id.as_deref().unwrap_or("(no id)");
                        self.rejections.push(format!("{id}: {reason}"));
                    }
                }
                // A future outcome is neither stored nor counted as rejected.
                _ => {}
            }
        }
    }
}

pub fn run(config: &Config, command: &TaxiiCommand) -> anyhow::Result<ExitCode> {
    match command {
        TaxiiCommand::Pull(args) => pull(config, args),
    }
}

fn pull(config: &Config, args: &TaxiiPullArgs) -> anyhow::Result<ExitCode> {
    let auth = auth(args)?;
    let policy = EgressPolicy {
        allow_http: args.allow_http,
        allow_hosts: args.allow_host.clone(),
        read_timeout: Duration::from_secs(args.read_timeout),
        total_timeout: Duration::from_secs(args.timeout),
        ..EgressPolicy::default()
    };
    let egress = EgressClient::new(policy).map_err(|error| UsageError(error.to_string()))?;
    let client = TaxiiClient::new(&egress, &args.url, auth).map_err(usage_if_refused)?;
    let url = muninn_egress::vet_url(&args.url, egress.policy())
        .map_err(|error| UsageError(error.to_string()))?
        .url;
    let key = format!("{url} {}", args.collection);
    if key.len() > MAX_KEY_BYTES || args.collection.is_empty() {
        return Err(UsageError(format!(
            "the URL and collection id are too long together (at most {MAX_KEY_BYTES} bytes)"
        ))
        .into());
    }

    let mut store = super::open_backend(config, false)?;
    let stored: Option<CursorDocument> = match store.document(CURSOR_TABLE, &key)? {
        Some(bytes) => Some(
            serde_json::from_slice(&bytes).with_context(|| format!("stored cursor {key:?} is damaged"))?,
        ),
        None => None,
    };
    let start = stored.map(|document| document.cursor).unwrap_or_default();
    let resumed_from = match (&start.next, &start.added_after) {
        (Some(_), _) => "next",
        (None, Some(_)) => "added_after",
        (None, None) => "start",
    };
    let location = client.locate(&args.collection).map_err(usage_if_refused)?;
    let pull_config =
        PullConfig { max_pages: args.max_pages, max_bytes: args.max_bytes, ..PullConfig::default() };

    let mut tally = Tally::default();
    let api_root = location.api_root.to_string();
    let mut on_page = |page: &Page<'_>| -> Result<(), CallbackError> {
        let report = import_page(page, &*store)?;
        tally.add(&report);
        let cursor = CursorDocument {
            format: 1,
            url: url.to_string(),
            collection: args.collection.clone(),
            api_root: api_root.clone(),
            cursor: page.cursor.clone(),
        };
        let mut batch: Vec<Document> = documents(&report)
            .into_iter()
            .map(|document| Document::put(document.table, &document.key, document.value))
            .collect();
        batch.push(Document::put(CURSOR_TABLE, &key, serde_json::to_vec(&cursor)?));
        store.put_documents(batch)?;
        tally.pages_stored += 1;
        Ok(())
    };
    let pulled = client.pull(&location, &start, pull_config, &mut on_page);
    let summary = pulled.with_context(|| {
        format!(
            "the pull of collection {} stopped after {} pages were stored (run it again to resume from there)",
            args.collection, tally.pages_stored
        )
    })?;

    if args.json {
        output::print_json(&json!({
            "url": url.as_str(),
            "collection": args.collection,
            "api_root": api_root,
            "resumed_from": resumed_from,
            "next_refused": summary.next_refused,
            "pages": summary.pages,
            "objects": summary.objects,
            "bytes": summary.bytes,
            "stored": tally.stored,
            "updated": tally.updated,
            "older_versions": tally.older,
            "duplicates": tally.duplicates,
            "rejected": tally.rejected,
            "rejections": tally.rejections,
            "stop": summary.stop.as_str(),
            "cursor": summary.cursor,
        }))?;
    } else {
        let mut text = format!(
            "{} pages, {} objects ({} bytes) from collection {} of {api_root}\n\
             {} stored, {} updated, {} older versions, {} duplicates, {} rejected\n",
            summary.pages,
            summary.objects,
            summary.bytes,
            args.collection,
            tally.stored,
            tally.updated,
            tally.older,
            tally.duplicates,
            tally.rejected
        );
        for rejection in &tally.rejections {
            text.push_str(&format!("rejected: {}\n", output::cut(rejection, 300)));
        }
        text.push_str(match summary.stop.as_str() {
            "complete" => "complete: the next pull asks for what was added since\n",
            "max-pages" => "stopped at --max-pages: run the same command again to go on\n",
            _ => "stopped at --max-bytes: run the same command again to go on\n",
        });
        output::print(&text)?;
    }
    if tally.rejected > 0 { Ok(ExitCode::from(crate::exit::PARTIAL)) } else { Ok(ExitCode::SUCCESS) }
}

/// The credentials the arguments name; secrets come from environment variables only.
fn auth(args: &TaxiiPullArgs) -> anyhow::Result<Auth> {
    let secret = |variable: &str| {
        std::env::var(variable).map_err(|_| UsageError(format!("environment variable {variable} is not set")))
    };
    Ok(match (&args.user, &args.password_env, &args.token_env) {
        (Some(user), Some(variable), None) => Auth::Basic { user: user.clone(), password: secret(variable)? },
        (None, None, Some(variable)) => Auth::Bearer(secret(variable)?),
        (None, None, None) => Auth::None,
        _ => {
            return Err(
                UsageError("give --user with --password-env, or --token-env, or neither".into()).into()
            );
        }
    })
}

/// A refusal by the egress policy or a TAXII rule about the URL is the user's to fix (exit 2);
/// anything else is a failure.
fn usage_if_refused(error: TaxiiError) -> anyhow::Error {
    match &error {
        TaxiiError::Egress(egress) if egress.is_refusal() => UsageError(error.to_string()).into(),
        TaxiiError::NoCollection { .. } | TaxiiError::NotReadable { .. } => {
            UsageError(error.to_string()).into()
        }
        _ => error.into(),
    }
}

/// Imports one page's objects (wrapped in a bundle) against what the store holds.
fn import_page(page: &Page<'_>, store: &dyn ItemStore) -> Result<ImportReport, CallbackError> {
    let mut bundle =
        String::with_capacity(page.objects.iter().map(|object| object.get().len() + 1).sum::<usize>() + 80);
    bundle.push_str(&format!(r#"{{"type":"bundle","id":"{PAGE_BUNDLE_ID}","objects":["#));
    for (index, object) in page.objects.iter().enumerate() {
        if index > 0 {
            bundle.push(',');
        }
        bundle.push_str(object.get());
    }
    bundle.push_str("]}");
    let known = super::knowledge::StoredObjects::new(store);
    let report = import_bundle(bundle.as_bytes(), &known, &ImportConfig::default())?;
    if let Some(error) = known.failure() {
        return Err(error.into());
    }
    Ok(report)
}
