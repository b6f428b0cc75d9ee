//! The knowledge base from and to files: `muninn import stix|misp FILE...` and `muninn export
//! stix|misp`. STIX objects are kept as store documents (`stix_object`: the latest version of
//! each id; `stix_version`: every version); a MISP event also becomes an item (its text), so its
//! values are extracted, indexed and screened like any other material.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use muninn_index::{SearchRequest, Visibility};
use muninn_model::{AdmiraltyGrade, ItemDraft, Markings, SourceId, Timestamp, Tlp};
use muninn_stix::{
    ImportConfig, ImportReport, KnownObjects, KnownVersion, LATEST_TABLE, Outcome, StixObject, StixTimestamp,
    VERSION_TABLE, documents, import_bundle,
};
use muninn_store::{AppendBatch, Document, ItemStore, StoreError};
use serde_json::json;

use crate::cli::{ExportCommand, ImportCommand, SanctionsFormat};
use crate::config::Config;
use crate::{UsageError, output};
use muninn_screen::watchlist::EntryKind;

/// What the store knows of STIX objects, for the import's duplicate, version and downgrade
/// decisions. A store error is kept and fails the import (the import's interface has no error).
pub struct StoredObjects<'a> {
    store: &'a dyn ItemStore,
    failure: RefCell<Option<StoreError>>,
}

impl<'a> StoredObjects<'a> {
    /// What `store` knows.
    pub fn new(store: &'a dyn ItemStore) -> StoredObjects<'a> {
        StoredObjects { store, failure: RefCell::new(None) }
    }

    /// The first store error met, if any.
    pub fn failure(self) -> Option<StoreError> {
        self.failure.into_inner()
    }

    fn read(&self, table: &str, key: &str) -> Option<String> {
        match self.store.document(table, key) {
            Ok(bytes) => bytes.and_then(|bytes| String::from_utf8(bytes).ok()),
            Err(error) => {
                self.failure.borrow_mut().get_or_insert(error);
                None
            }
        }
    }
}

impl KnownObjects for StoredObjects<'_> {
    fn latest(&self, id: &str) -> Option<KnownVersion> {
        let object = StixObject::from_json(&self.read(LATEST_TABLE, id)?).ok()?;
        Some(KnownVersion { version: object.version(), tlp: object.tlp() })
    }

    fn version_json(&self, id: &str, version: Option<StixTimestamp>) -> Option<String> {
        let key = match version {
            Some(version) => format!("{id}|{}", version.key_form()),
            None => format!("{id}|-"),
        };
        self.read(VERSION_TABLE, &key)
    }
}

/// Imports a bundle against the store; returns the report and the documents to write.
pub fn import_against_store(
    store: &dyn ItemStore,
    bundle: &[u8],
) -> anyhow::Result<(ImportReport, Vec<Document>)> {
    let known = StoredObjects::new(store);
    let report = import_bundle(bundle, &known, &ImportConfig::default())?;
    if let Some(error) = known.failure() {
        return Err(error.into());
    }
    let documents = documents(&report)
        .into_iter()
        .map(|document| Document::put(document.table, &document.key, document.value))
        .collect();
    Ok((report, documents))
}

fn report_json(file: &Path, report: &ImportReport) -> serde_json::Value {
    let counts = report.counts();
    let rejected: Vec<serde_json::Value> = report
        .objects
        .iter()
        .filter_map(|object| match &object.outcome {
            Outcome::Rejected(error) => {
                Some(json!({"index": object.index, "id": object.id, "reason": error.to_string()}))
            }
            _ => None,
        })
        .collect();
    json!({
        "file": file.display().to_string(), "stored": counts.stored, "updated": counts.updated,
        "older": counts.older, "duplicate": counts.duplicate, "rejected": counts.rejected,
        "warnings": counts.warnings, "rejections": rejected,
    })
}

fn report_line(value: &serde_json::Value) -> String {
    let mut line = format!(
        "{}: {} stored, {} updated, {} older versions, {} duplicates, {} rejected\n",
        value["file"].as_str().unwrap_or(""),
        value["stored"],
        value["updated"],
        value["older"],
        value["duplicate"],
        value["rejected"]
    );
    for rejection in value["rejections"].as_array().into_iter().flatten() {
        line.push_str(&format!(
            "  rejected object {} {}: {}\n",
            rejection["index"],
            rejection["id"].as_str().unwrap_or("(no id)"),
            rejection["reason"].as_str().unwrap_or("")
        ));
    }
    for finding in value["findings"].as_array().into_iter().flatten() {
        line.push_str(&format!("  {}\n", finding.as_str().unwrap_or("")));
    }
    line
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| UsageError(format!("cannot read {}: {error}", path.display())).into())
}

pub fn import(config: &Config, command: &ImportCommand) -> anyhow::Result<Option<ExitCode>> {
    match command {
        ImportCommand::Stix { files, json } => stix(config, files, *json).map(Some),
        ImportCommand::Galaxy { files, json } => galaxy(config, files, *json).map(Some),
        ImportCommand::Sanctions { file, format, alt, json } => {
            sanctions(config, file, *format, alt.as_deref(), *json).map(Some)
        }
        ImportCommand::Misp { files, source, tlp, json } => {
            misp(config, files, source.as_deref(), *tlp, *json).map(Some)
        }
        _ => Ok(None),
    }
}

fn stix(config: &Config, files: &[PathBuf], as_json: bool) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, false)?;
    let mut reports = Vec::new();
    let mut rejected = 0;
    for file in files {
        let bytes = read_file(file)?;
        let (report, documents) = match import_against_store(&*store, &bytes) {
            Ok(imported) => imported,
            Err(error) => {
                // A bundle refused as a whole (not JSON, over the limits): say so, go on.
                reports.push(json!({"file": file.display().to_string(), "error": format!("{error:#}")}));
                rejected += 1;
                continue;
            }
        };
        store.put_documents(documents)?;
        let value = report_json(file, &report);
        rejected += report.counts().rejected;
        reports.push(value);
    }
    print_reports(&reports, as_json)?;
    Ok(if rejected > 0 { ExitCode::from(crate::exit::PARTIAL) } else { ExitCode::SUCCESS })
}

/// What [`store_undated`] did with objects that carry no timestamps of their own (a galaxy
/// file's intrusion sets and links, a sanctions list's identities).
#[derive(Debug, Default)]
pub struct UndatedImport {
    /// Objects stored new.
    pub stored: usize,
    /// Those that changed: a new version.
    pub updated: usize,
    /// Those equal to the stored version.
    pub unchanged: usize,
    /// Of the stored ones, relationships (a galaxy's links).
    pub links: usize,
    /// Entries left out by the mapping, and objects the STIX import refused, with the reason.
    pub problems: Vec<String>,
}

/// Imports a MISP threat-actor galaxy file into the knowledge base (see `muninn import
/// galaxy`), dating new objects and new versions `now`.
pub fn import_galaxy(
    store: &mut dyn ItemStore,
    bytes: &[u8],
    now: Timestamp,
) -> anyhow::Result<UndatedImport> {
    let file = muninn_misp::parse_galaxy(bytes).map_err(|error| UsageError(error.to_string()))?;
    // The galaxy links clusters by UUID; ATT&CK's objects in the knowledge base carry the
    // UUIDs misp-galaxy's ATT&CK clusters have, so a link resolves to a stored object of one of
    // the types a cluster can be.
    let failure: RefCell<Option<StoreError>> = RefCell::new(None);
    let resolve = |uuid: &str| {
        ["intrusion-set", "threat-actor", "campaign", "malware", "tool"].iter().find_map(|kind| {
            let id = format!("{kind}--{uuid}");
            match store.document(LATEST_TABLE, &id) {
                Ok(found) => found.map(|_| id),
                Err(error) => {
                    failure.borrow_mut().get_or_insert(error);
                    None
                }
            }
        })
    };
    let (objects, warnings) =
        muninn_misp::galaxy_actors(&file, resolve).map_err(|error| UsageError(error.to_string()))?;
    if let Some(error) = failure.into_inner() {
        return Err(error.into());
    }
    let objects: Vec<UndatedObject> = objects.into_iter().map(|object| (object.id, object.content)).collect();
    store_undated(store, &objects, warnings.iter().map(ToString::to_string).collect(), now)
}

/// A STIX object's id and its content without `created` and `modified`.
pub type UndatedObject = (String, serde_json::Value);

/// Stores objects that carry no timestamps of their own (galaxy clusters, sanctions entries):
/// each given as (id, content without `created` and `modified`). A new one is dated `now`; one
/// that differs from its stored version becomes a new version dated `now` that keeps the stored
/// `created`; an equal one is left alone. `problems` are carried into the outcome.
pub fn store_undated(
    store: &mut dyn ItemStore,
    objects: &[UndatedObject],
    problems: Vec<String>,
    now: Timestamp,
) -> anyhow::Result<UndatedImport> {
    let now = now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let mut outcome = UndatedImport { problems, ..UndatedImport::default() };
    let dated_as = |content: &serde_json::Value, created: &str| {
        let mut object = content.clone();
        object["created"] = json!(created);
        object["modified"] = json!(now);
        object
    };
    let mut dated = Vec::with_capacity(objects.len());
    for (id, content) in objects {
        let stored: Option<serde_json::Value> =
            store.document(LATEST_TABLE, id)?.and_then(|bytes| serde_json::from_slice(&bytes).ok());
        match stored {
            None => {
                outcome.stored += 1;
                outcome.links += usize::from(id.starts_with("relationship--"));
                dated.push(dated_as(content, &now));
            }
            Some(mut stored) => {
                let created = stored["created"].as_str().unwrap_or(&now).to_owned();
                let modified = stored["modified"].as_str().unwrap_or("").to_owned();
                if let Some(fields) = stored.as_object_mut() {
                    fields.remove("created");
                    fields.remove("modified");
                }
                if stored == *content {
                    outcome.unchanged += 1;
                } else if modified.as_str() < now.as_str() {
                    // A new version keeps the object's `created` (STIX 2.1, 3.1).
                    outcome.updated += 1;
                    dated.push(dated_as(content, &created));
                } else {
                    outcome.problems.push(format!(
                        "{id}: the stored version is dated {modified}, not before now; left as it is"
                    ));
                }
            }
        }
    }
    if dated.is_empty() {
        return Ok(outcome);
    }
    let bundle = json!({"type": "bundle", "id": format!("bundle--{}", random_uuid()?), "objects": dated});
    let (report, documents) = import_against_store(store, &serde_json::to_vec(&bundle)?)?;
    for object in &report.objects {
        if let Outcome::Rejected(error) = &object.outcome {
            outcome.problems.push(format!("{}: refused: {error}", object.id.as_deref().unwrap_or("(no id)")));
        }
    }
    store.put_documents(documents)?;
    Ok(outcome)
}

/// The identities of a sanctions list: (id, undated content) per name entry, and the import's
/// warnings. Ids are derived from the list and the entry's reference, so a re-import names the
/// same objects.
fn sanctions_identities(
    format: SanctionsFormat,
    bytes: &[u8],
    alt: Option<&[u8]>,
) -> anyhow::Result<(Vec<UndatedObject>, Vec<String>)> {
    let (imported, list) = match format {
        SanctionsFormat::Un => {
            (muninn_screen::import::un_consolidated(bytes), "UN Security Council consolidated list")
        }
        SanctionsFormat::Ofac => (muninn_screen::import::ofac_sdn(bytes, alt), "OFAC SDN list"),
    };
    let imported = imported.map_err(|error| UsageError(error.to_string()))?;
    let mut problems: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    let marking = Tlp::Clear.stix_marking_id();
    let mut objects = Vec::with_capacity(imported.entries.len());
    for entry in imported.entries {
        let EntryKind::Name { name, aliases } = entry.kind else {
            // OFAC remarks give wallet addresses as indicator entries: not identities.
            problems.push(format!("{}: an indicator entry, not a person or entity; left out", entry.id));
            continue;
        };
        // UN references say individual or entity in their third letter (QDi.299, QDe.004);
        // OFAC notes carry the SDN type.
        let class = match format {
            SanctionsFormat::Un => match entry.id.chars().nth(2) {
                Some('i') => "individual",
                Some('e') => "organization",
                _ => "unknown",
            },
            SanctionsFormat::Ofac if entry.note.contains(" individual") => "individual",
            SanctionsFormat::Ofac if entry.note.contains(" vessel") || entry.note.contains(" aircraft") => {
                "unknown"
            }
            SanctionsFormat::Ofac => "organization",
        };
        let id = muninn_stix::derived_id("identity", &format!("sanctions\n{list}\n{}", entry.id)).to_string();
        let mut content = json!({
            "type": "identity", "spec_version": "2.1", "id": id, "name": name, "identity_class": class,
            "external_references": [{"source_name": list, "external_id": entry.id}],
            "object_marking_refs": [marking],
        });
        if !aliases.is_empty() {
            content["x_muninn_aliases"] = json!(aliases);
        }
        if !entry.note.is_empty() {
            content["description"] = json!(entry.note);
        }
        objects.push((id, content));
    }
    Ok((objects, problems))
}

fn sanctions(
    config: &Config,
    file: &Path,
    format: SanctionsFormat,
    alt: Option<&Path>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = read_file(file)?;
    let alt = alt.map(read_file).transpose()?;
    let (objects, problems) = sanctions_identities(format, &bytes, alt.as_deref())?;
    let mut store = super::open_backend(config, false)?;
    let done = store_undated(&mut *store, &objects, problems, Timestamp::now())?;
    let name = file.display().to_string();
    if as_json {
        output::print_json(&json!({
            "file": name, "stored": done.stored, "updated": done.updated, "unchanged": done.unchanged,
            "problems": done.problems,
        }))?;
    } else {
        let mut text = format!(
            "{name}: {} identities stored, {} updated, {} unchanged\n",
            done.stored, done.updated, done.unchanged
        );
        for problem in done.problems.iter().take(50) {
            text.push_str(&format!("  {problem}\n"));
        }
        output::print(&text)?;
    }
    Ok(if done.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(crate::exit::PARTIAL) })
}

fn galaxy(config: &Config, files: &[PathBuf], as_json: bool) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, false)?;
    let mut reports = Vec::new();
    let mut problems = 0;
    for file in files {
        let bytes = read_file(file)?;
        let name = file.display().to_string();
        match import_galaxy(&mut *store, &bytes, Timestamp::now()) {
            Ok(done) => {
                problems += done.problems.len();
                reports.push(json!({
                    "file": name, "stored": done.stored, "links": done.links, "updated": done.updated,
                    "unchanged": done.unchanged, "problems": done.problems,
                }));
            }
            Err(error) if error.is::<UsageError>() => {
                problems += 1;
                reports.push(json!({"file": name, "error": format!("{error:#}")}));
            }
            Err(error) => return Err(error),
        }
    }
    if as_json {
        output::print_json(&json!({"files": reports}))?;
    } else {
        let mut text = String::new();
        for report in &reports {
            let file = report["file"].as_str().unwrap_or("");
            if let Some(error) = report["error"].as_str() {
                text.push_str(&format!("{file}: refused: {error}\n"));
                continue;
            }
            text.push_str(&format!(
                "{file}: {} objects stored ({} of them links to other clusters or ATT&CK), {} updated, {} unchanged\n",
                report["stored"], report["links"], report["updated"], report["unchanged"]
            ));
            for problem in report["problems"].as_array().into_iter().flatten() {
                text.push_str(&format!("  {}\n", problem.as_str().unwrap_or("")));
            }
        }
        output::print(&text)?;
    }
    Ok(if problems > 0 { ExitCode::from(crate::exit::PARTIAL) } else { ExitCode::SUCCESS })
}

fn print_reports(reports: &[serde_json::Value], as_json: bool) -> anyhow::Result<()> {
    if as_json {
        output::print_json(&json!({"files": reports}))?;
        return Ok(());
    }
    let mut text = String::new();
    for report in reports {
        match report["error"].as_str() {
            Some(error) => {
                text.push_str(&format!("{}: refused: {error}\n", report["file"].as_str().unwrap_or("")))
            }
            None => text.push_str(&report_line(report)),
        }
    }
    output::print(&text)?;
    Ok(())
}

fn misp(
    config: &Config,
    files: &[PathBuf],
    source: Option<&str>,
    tlp_floor: Option<Tlp>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, false)?;
    let (screener, _) = super::screen::load_screener(&*store, &[])?;
    let mut reports = Vec::new();
    let mut rejected = 0;
    for file in files {
        let bytes = read_file(file)?;
        let event = match muninn_misp::parse_event(&bytes) {
            Ok(event) => event,
            Err(error) => {
                reports.push(json!({"file": file.display().to_string(), "error": error.to_string()}));
                rejected += 1;
                continue;
            }
        };
        let mapping = muninn_misp::to_stix(&event);
        let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": mapping.objects});
        let (report, mut documents) = import_against_store(&*store, bundle.to_string().as_bytes())?;
        rejected += report.counts().rejected;
        // The event's text as an item: never marked lower than the event (or the floor).
        let tlp = mapping.tlp.unwrap_or(Tlp::Amber).max(tlp_floor.unwrap_or(Tlp::Clear));
        let source_name = match source {
            Some(name) => name.to_owned(),
            None => {
                format!("misp-{}", event.orgc.as_ref().map_or("unknown".to_owned(), |org| slug(&org.name)))
            }
        };
        let source_id = SourceId::new(&source_name)
            .map_err(|error| UsageError(format!("source {source_name:?}: {error}")))?;
        if store.source(&source_id)?.is_none() {
            store.put_source(muninn_model::Source {
                id: source_id.clone(),
                name: event.orgc.as_ref().map_or_else(|| source_name.clone(), |org| org.name.clone()),
                kind: muninn_model::SourceKind::Partner,
                default_grade: AdmiraltyGrade::UNASSESSED,
                default_tlp: Tlp::Amber,
                description: Some("MISP events imported with muninn import misp".to_owned()),
            })?;
        }
        let event_time =
            event.date.as_deref().and_then(|date| format!("{date}T00:00:00Z").parse::<Timestamp>().ok());
        let mut attributes = std::collections::BTreeMap::new();
        attributes.insert("misp_event".to_owned(), json!(event.uuid));
        let (item, raw) = ItemDraft {
            source: source_id,
            collected_at: Timestamp::now(),
            event_time,
            title: Some(mapping.title.clone()),
            body: mapping.body.clone(),
            language: None,
            markings: Markings::tlp(tlp),
            grade: AdmiraltyGrade::UNASSESSED,
            raw: Some((bytes, "application/json".to_owned())),
            attributes,
        }
        .into_item();
        let alerts = muninn_api::ingest::alerts_for(&screener, &[&item], Timestamp::now());
        for alert in &alerts {
            documents.push(muninn_api::catalog::alert_document(alert, Some(item.id))?);
        }
        store.append(AppendBatch { items: vec![(item, raw)], checkpoints: Vec::new(), documents })?;
        let mut value = report_json(file, &report);
        value["event"] = json!(event.uuid);
        value["indicators"] = json!(mapping.indicators);
        value["alerts"] = json!(alerts.len());
        // Sharing the event asks for that cannot be honoured here (quarantined), references
        // that point at nothing or go round: one line each, naming the attribute or object.
        value["findings"] = json!(mapping.check.findings.iter().map(ToString::to_string).collect::<Vec<_>>());
        value["tlp"] = json!(tlp.to_string());
        reports.push(value);
    }
    print_reports(&reports, as_json)?;
    Ok(if rejected > 0 { ExitCode::from(crate::exit::PARTIAL) } else { ExitCode::SUCCESS })
}

/// A source id made from an organisation's name.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() { "unknown".to_owned() } else { slug.chars().take(48).collect() }
}

pub fn export(config: &Config, command: &ExportCommand) -> anyhow::Result<ExitCode> {
    let store = super::open_backend(config, true)?;
    let (text, count) = match command {
        ExportCommand::Stix { query: Some(query), info, .. } => {
            let (event, _) = misp_event_of_query(config, &store, query, info.as_deref())?;
            // The same mapping as the REST export's STIX.
            muninn_api::export::event_as_stix_bundle(&event)?
        }
        ExportCommand::Stix { types, around: Some(around), around_type, depth, .. } => {
            let knowledge = super::graph::KnowledgeBase::load(&*store)?;
            let objects = knowledge.neighbourhood_objects(around, around_type.as_deref(), *depth)?;
            let selected: Vec<&StixObject> = objects
                .into_iter()
                .filter(|object| types.is_empty() || types.iter().any(|t| t == object.object_type()))
                .collect();
            bundle_of(&*store, &selected)?
        }
        ExportCommand::Stix { types, .. } => export_stix(&*store, types)?,
        ExportCommand::Misp { query, info, .. } => {
            let (event, count) = misp_event_of_query(config, &store, query, info.as_deref())?;
            (serde_json::to_string_pretty(&event)?, count)
        }
    };
    let out = match command {
        ExportCommand::Stix { out, .. } | ExportCommand::Misp { out, .. } => out,
    };
    match out {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{count} objects written to {}", path.display());
        }
        None => output::print(&format!("{text}\n"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn export_stix(store: &dyn ItemStore, types: &[String]) -> anyhow::Result<(String, usize)> {
    let mut objects = Vec::new();
    for (key, value) in muninn_api::catalog::all_documents(store, LATEST_TABLE)? {
        let text = String::from_utf8(value).with_context(|| format!("stored object {key} is not UTF-8"))?;
        let object =
            StixObject::from_json(&text).with_context(|| format!("stored object {key} does not parse"))?;
        if types.is_empty() || types.iter().any(|t| t == object.object_type()) {
            objects.push(object);
        }
    }
    let refs: Vec<&StixObject> = objects.iter().collect();
    bundle_of(store, &refs)
}

/// `objects` as a bundle with the marking definitions they use; the bundle and its object
/// count.
fn bundle_of(store: &dyn ItemStore, objects: &[&StixObject]) -> anyhow::Result<(String, usize)> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    let known = StoredObjects::new(store);
    let exported = muninn_stix::export_bundle(objects, &known, random);
    Ok((exported.json, objects.len()))
}

/// The indicators of the items `query` finds as one MISP event, and how many attributes it has.
fn misp_event_of_query(
    config: &Config,
    store: &super::Backend,
    query: &str,
    info: Option<&str>,
) -> anyhow::Result<(serde_json::Value, usize)> {
    let parsed = muninn_query::parse(query, Timestamp::now())?;
    let index = super::index_of(config, store)?;
    let visibility = Visibility::everything();
    let results = index.search(&SearchRequest {
        query: &parsed,
        visibility: &visibility,
        limit: 10_000,
        after: None,
        facets: false,
        histogram: false,
    })?;
    let mut items = Vec::with_capacity(results.hits.len());
    for hit in &results.hits {
        items.extend(store.item(&hit.id)?);
    }
    // The same step as the REST export's: one attribute per distinct indicator.
    let (tlp, attributes) = muninn_api::export::indicator_attributes(index.extractor(), &items)?;
    let uuid = random_uuid()?;
    let today = jiff::tz::TimeZone::UTC.to_datetime(Timestamp::now()).date().to_string();
    let info = info.map_or_else(|| format!("Muninn export: {query}"), str::to_owned);
    // The event is marked with the most restrictive label of the items it draws from.
    let event = muninn_misp::export_event(&uuid, &info, &today, tlp, &attributes);
    Ok((event, attributes.len()))
}

/// A random (version 4) UUID.
fn random_uuid() -> anyhow::Result<String> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}
