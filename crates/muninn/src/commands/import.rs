//! `muninn import warninglists DIR` (`stix`, `misp`: `knowledge.rs`; `incidents`: `incidents.rs`): MISP warning lists into the store (table `warninglist`,
//! one document per list, its JSON as imported). Every list is parsed before anything is
//! stored; a file that does not parse is reported and left out, the others are stored in one
//! batch.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use muninn_api::catalog::WARNINGLIST_TABLE;
use muninn_extract::WarningList;
use muninn_store::Document;
use serde_json::json;

use crate::UsageError;
use crate::cli::ImportCommand;
use crate::config::Config;
use crate::output;

/// Largest list file read (the biggest MISP lists are a few MB).
const MAX_LIST_BYTES: u64 = 64 << 20;

/// Every `list.json` under `path` (or `path` itself when it is a file), in name order.
fn list_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![path.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let file_type = entry.file_type()?;
            // Symbolic links are not followed: a list directory is plain files.
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if file_type.is_file() && entry.file_name() == "list.json" {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

pub fn run(config: &Config, command: &ImportCommand) -> anyhow::Result<ExitCode> {
    if let Some(code) = super::knowledge::import(config, command)? {
        return Ok(code);
    }
    match command {
        ImportCommand::Warninglists { dir, json } => warninglists(config, dir, *json),
        ImportCommand::Incidents { files, tlp, json } => super::incidents::run(config, files, *tlp, *json),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn warninglists(config: &Config, dir: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let files = list_files(dir)?;
    if files.is_empty() {
        return Err(UsageError(format!("no list.json under {}", dir.display())).into());
    }
    let mut documents = Vec::new();
    let mut imported = Vec::new();
    let mut problems = Vec::new();
    for file in &files {
        let size = std::fs::metadata(file)?.len();
        if size > MAX_LIST_BYTES {
            problems.push(format!(
                "{}: {size} bytes, more than the {MAX_LIST_BYTES} a list may have",
                file.display()
            ));
            continue;
        }
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|error| error.to_string())
            .and_then(|text| WarningList::from_json(text).map_err(|error| error.to_string()));
        match parsed {
            Ok(list) => {
                documents.push(Document::put(WARNINGLIST_TABLE, list.name(), bytes));
                imported.push((list.name().to_owned(), list.len(), list.skipped().len()));
            }
            Err(error) => problems.push(format!("{}: {error}", file.display())),
        }
    }
    let mut store = super::open_backend(config, false)?;
    let count = documents.len();
    store.put_documents(documents)?;
    if as_json {
        output::print_json(&json!({
            "imported": imported.iter().map(|(name, entries, skipped)| json!({"name": name, "entries": entries, "skipped": skipped})).collect::<Vec<_>>(),
            "problems": problems,
            "stored_lists": store.document_count(WARNINGLIST_TABLE)?,
        }))?;
    } else {
        let mut text = String::new();
        for (name, entries, skipped) in &imported {
            text.push_str(&format!(
                "{name}: {entries} entries{}\n",
                if *skipped > 0 { format!(", {skipped} skipped (not understood)") } else { String::new() }
            ));
        }
        for problem in &problems {
            text.push_str(&format!("not imported: {problem}\n"));
        }
        text.push_str(&format!(
            "{count} warning lists imported ({} stored); the index leaves their values out from its next sync\n",
            store.document_count(WARNINGLIST_TABLE)?
        ));
        output::print(&text)?;
    }
    if problems.is_empty() { Ok(ExitCode::SUCCESS) } else { Ok(ExitCode::from(crate::exit::PARTIAL)) }
}
