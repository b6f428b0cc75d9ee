//! `muninn import incidents FILE.csv`: incident records as STIX 2.1 incidents (the mapping and
//! the checks are `muninn_stix::Incident`'s, the custom properties are documented in
//! `crates/stix/README.md`).
//!
//! Each row is checked on its own; a bad row is reported with its line and reason and the others
//! are stored. The rows that pass go through the same bundle import as `muninn import stix`
//! (version, conflict and marking-downgrade decisions against the store), in one batch, so what
//! is stored is durable together. A row whose incident is already stored with the same content
//! is `unchanged`; with other content it is a new version (`updated`), keeping `created`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use muninn_model::Tlp;
use muninn_stix::{
    Incident, IncidentFields, IncidentStamp, LATEST_TABLE, Outcome, StixId, StixObject, StixTimestamp,
};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use super::graph::KnowledgeBase;
use crate::config::Config;
use crate::{UsageError, output};

/// The columns a file may have; `date` and `type` are required.
pub const COLUMNS: [&str; 12] = [
    "id",
    "name",
    "date",
    "place",
    "country",
    "actor",
    "targets",
    "type",
    "casualties",
    "narrative",
    "sources",
    "tlp",
];

/// Object types an actor's name may resolve to.
const ACTOR_TYPES: [&str; 4] = ["intrusion-set", "threat-actor", "identity", "campaign"];
/// Object types a target's name may resolve to.
const TARGET_TYPES: [&str; 3] = ["identity", "location", "infrastructure"];

/// Largest file read.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// What became of one row.
struct RowReport {
    line: u64,
    outcome: &'static str,
    id: Option<String>,
    name: Option<String>,
    reason: Option<String>,
    notes: Vec<String>,
}

impl RowReport {
    fn rejected(line: u64, reason: String) -> RowReport {
        RowReport { line, outcome: "rejected", id: None, name: None, reason: Some(reason), notes: Vec::new() }
    }

    fn json(&self) -> Value {
        let mut value = json!({"line": self.line, "outcome": self.outcome});
        let optional = [("id", &self.id), ("name", &self.name), ("reason", &self.reason)];
        for (key, field) in optional {
            if let Some(text) = field {
                value[key] = json!(text);
            }
        }
        if !self.notes.is_empty() {
            value["notes"] = json!(self.notes);
        }
        value
    }
}

pub fn run(
    config: &Config,
    files: &[PathBuf],
    tlp_floor: Option<Tlp>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, false)?;
    let mut reports = Vec::new();
    let mut rejected = 0;
    for file in files {
        let report = match import_file(&mut *store, file, tlp_floor) {
            Ok(report) => report,
            Err(error) if error.downcast_ref::<UsageError>().is_some() => {
                // A file refused as a whole (unreadable, no header, unknown column): say so, go on.
                rejected += 1;
                json!({"file": file.display().to_string(), "error": format!("{error:#}")})
            }
            Err(error) => return Err(error),
        };
        rejected += report["rejected"].as_u64().unwrap_or(0) as usize;
        reports.push(report);
    }
    print(&reports, as_json)?;
    Ok(if rejected > 0 { ExitCode::from(crate::exit::PARTIAL) } else { ExitCode::SUCCESS })
}

fn print(reports: &[Value], as_json: bool) -> anyhow::Result<()> {
    if as_json {
        return output::print_json(&json!({ "files": reports }));
    }
    let mut text = String::new();
    for report in reports {
        let file = report["file"].as_str().unwrap_or("");
        if let Some(error) = report["error"].as_str() {
            text.push_str(&format!("{file}: refused: {error}\n"));
            continue;
        }
        text.push_str(&format!(
            "{file}: {} stored, {} updated, {} unchanged, {} rejected\n",
            report["stored"], report["updated"], report["unchanged"], report["rejected"]
        ));
        for row in report["rows"].as_array().into_iter().flatten() {
            let line = &row["line"];
            match row["outcome"].as_str() {
                Some("rejected") => text.push_str(&format!(
                    "  line {line}: rejected: {}\n",
                    row["reason"].as_str().unwrap_or("")
                )),
                Some(outcome) => {
                    text.push_str(&format!(
                        "  line {line}: {outcome} {} ({})\n",
                        row["name"].as_str().unwrap_or(""),
                        row["id"].as_str().unwrap_or("")
                    ));
                }
                None => {}
            }
            for note in row["notes"].as_array().into_iter().flatten() {
                text.push_str(&format!("    note: {}\n", note.as_str().unwrap_or("")));
            }
        }
    }
    output::print(&text)?;
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|error| UsageError(format!("cannot read {}: {error}", path.display())))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(UsageError(format!(
            "{} is {size} bytes, over the limit of {MAX_FILE_BYTES}",
            path.display()
        ))
        .into());
    }
    let bytes = std::fs::read(path)
        .map_err(|error| UsageError(format!("cannot read {}: {error}", path.display())))?;
    Ok(bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes))
}

/// The column of each header field, refusing unknown, repeated and missing required columns.
fn header_columns(header: &csv::StringRecord) -> anyhow::Result<Vec<&'static str>> {
    let mut columns = Vec::with_capacity(header.len());
    for field in header {
        let wanted = field.trim().to_ascii_lowercase();
        let Some(&column) = COLUMNS.iter().find(|column| **column == wanted) else {
            return Err(UsageError(format!(
                "unknown column {field:?} (the columns are: {})",
                COLUMNS.join(", ")
            ))
            .into());
        };
        if columns.contains(&column) {
            return Err(UsageError(format!("column {column:?} appears twice")).into());
        }
        columns.push(column);
    }
    for required in ["date", "type"] {
        if !columns.contains(&required) {
            return Err(UsageError(format!(
                "no {required:?} column (required; the header is the first line)"
            ))
            .into());
        }
    }
    Ok(columns)
}

fn fields_of(columns: &[&str], record: &csv::StringRecord) -> IncidentFields {
    let mut fields = IncidentFields::default();
    for (column, value) in columns.iter().zip(record.iter()) {
        let slot = match *column {
            "id" => &mut fields.id,
            "name" => &mut fields.name,
            "date" => &mut fields.date,
            "place" => &mut fields.place,
            "country" => &mut fields.country,
            "actor" => &mut fields.actor,
            "targets" => &mut fields.targets,
            "type" => &mut fields.incident_type,
            "casualties" => &mut fields.casualties,
            "narrative" => &mut fields.narrative,
            "sources" => &mut fields.sources,
            _ => &mut fields.tlp,
        };
        *slot = value.to_owned();
    }
    fields
}

fn now_stix() -> anyhow::Result<StixTimestamp> {
    let now = jiff::Timestamp::now().to_string();
    StixTimestamp::parse(&now).map_err(|reason| anyhow::anyhow!("the clock gives {now:?}: {reason}"))
}

/// Resolves a name among `types`: one object or none (with a note saying why not).
fn resolve(
    knowledge: &KnowledgeBase,
    role: &str,
    name: &str,
    types: &[&str],
    notes: &mut Vec<String>,
) -> Option<StixId> {
    let found: Vec<&StixObject> = knowledge
        .resolve(name, None)
        .into_iter()
        .filter(|object| types.contains(&object.object_type()))
        .collect();
    match found.as_slice() {
        [one] => Some(one.id().clone()),
        [] => {
            notes.push(format!("{role} {name:?} is not in the knowledge base: kept as text, not linked"));
            None
        }
        many => {
            let ids: Vec<&str> = many.iter().map(|object| object.id().as_str()).collect();
            notes.push(format!(
                "{role} {name:?} names {} objects ({}): not linked",
                many.len(),
                ids.join(", ")
            ));
            None
        }
    }
}

fn import_file(store: &mut dyn ItemStore, file: &Path, tlp_floor: Option<Tlp>) -> anyhow::Result<Value> {
    let bytes = read(file)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|error| UsageError(format!("the header line does not read: {error}")))?
        .clone();
    let columns = header_columns(&header)?;
    let knowledge = KnowledgeBase::load(store)?;
    let now = now_stix()?;
    let mut rows: Vec<RowReport> = Vec::new();
    // Objects to import, each with the index of its row's report.
    let mut objects: Vec<(usize, StixObject)> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                rows.push(RowReport::rejected(line, format!("not a CSV row: {error}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |position| position.line());
        if record.len() != columns.len() {
            rows.push(RowReport::rejected(
                line,
                format!("{} fields, the header has {} (a missing quote?)", record.len(), columns.len()),
            ));
            continue;
        }
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let incident = match Incident::parse(&fields_of(&columns, &record), now) {
            Ok(incident) => incident,
            Err(error) => {
                rows.push(RowReport::rejected(line, error.to_string()));
                continue;
            }
        };
        let mut notes = Vec::new();
        let actor_ref = incident
            .actor
            .as_deref()
            .and_then(|actor| resolve(&knowledge, "actor", actor, &ACTOR_TYPES, &mut notes));
        let target_refs: Vec<StixId> = incident
            .targets
            .iter()
            .filter_map(|target| resolve(&knowledge, "target", target, &TARGET_TYPES, &mut notes))
            .collect();
        let tlp = match (incident.tlp, tlp_floor) {
            (Some(own), Some(floor)) => own.max(floor),
            (Some(own), None) => own,
            (None, floor) => floor.unwrap_or(Tlp::Amber),
        };
        let mut stamp =
            IncidentStamp { created: Some(now), modified: Some(now), tlp: Some(tlp), actor_ref, target_refs };
        let mut outcome = "stored";
        if let Some(stored) = stored_object(store, incident.id.as_str())? {
            // Same content as stored: nothing to do. Else a new version that keeps `created`.
            let same_times =
                IncidentStamp { created: stored.created(), modified: stored.modified(), ..stamp.clone() };
            let candidate = incident.to_stix(&same_times);
            if json_equal(candidate.json(), stored.json()) {
                rows.push(RowReport {
                    line,
                    outcome: "unchanged",
                    id: Some(incident.id.to_string()),
                    name: Some(incident.name.clone()),
                    reason: None,
                    notes,
                });
                continue;
            }
            stamp.created = stored.created();
            outcome = "updated";
        }
        objects.push((rows.len(), incident.to_stix(&stamp)));
        rows.push(RowReport {
            line,
            outcome,
            id: Some(incident.id.to_string()),
            name: Some(incident.name),
            reason: None,
            notes,
        });
    }
    if !objects.is_empty() {
        let listed: Vec<Value> = objects
            .iter()
            .map(|(_, object)| serde_json::from_str(object.json()).unwrap_or(Value::Null))
            .collect();
        let bundle = json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": listed});
        let (report, documents) =
            super::knowledge::import_against_store(store, bundle.to_string().as_bytes())?;
        for entry in &report.objects {
            let Some(&(row, _)) = objects.get(entry.index) else { continue };
            match &entry.outcome {
                Outcome::Stored(_) => rows[row].outcome = "stored",
                Outcome::Updated(_) => rows[row].outcome = "updated",
                Outcome::Duplicate => rows[row].outcome = "unchanged",
                Outcome::OlderVersion(_) => rows[row].outcome = "older",
                Outcome::Rejected(error) => {
                    rows[row].outcome = "rejected";
                    rows[row].reason = Some(error.to_string());
                }
                _ => {}
            }
        }
        store.put_documents(documents)?;
    }
    rows.sort_by_key(|row| row.line);
    let count = |outcome: &str| rows.iter().filter(|row| row.outcome == outcome).count();
    Ok(json!({
        "file": file.display().to_string(),
        "stored": count("stored"), "updated": count("updated"), "unchanged": count("unchanged"),
        "older": count("older"),
        "rejected": count("rejected"),
        "rows": rows.iter().map(RowReport::json).collect::<Vec<_>>(),
    }))
}

fn stored_object(store: &dyn ItemStore, id: &str) -> anyhow::Result<Option<StixObject>> {
    let Some(bytes) = store.document(LATEST_TABLE, id)? else { return Ok(None) };
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("stored object {id} is not UTF-8"))?;
    Ok(Some(
        StixObject::from_json(&text)
            .map_err(|error| anyhow::anyhow!("stored object {id} does not parse: {error}"))?,
    ))
}

fn json_equal(left: &str, right: &str) -> bool {
    let parse = |text: &str| serde_json::from_str::<Value>(text).ok();
    matches!((parse(left), parse(right)), (Some(a), Some(b)) if a == b)
}
