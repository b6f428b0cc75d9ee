//! `muninn sources [list|add]`.

use std::process::ExitCode;

use muninn_model::Source;
use serde_json::json;

use crate::cli::SourcesCommand;
use crate::config::Config;
use crate::output;

pub fn run(config: &Config, command: Option<&SourcesCommand>) -> anyhow::Result<ExitCode> {
    match command {
        None => list(config, false),
        Some(SourcesCommand::List { json }) => list(config, *json),
        Some(SourcesCommand::Add { id, name, kind, grade, tlp, description }) => {
            let mut backend = super::open_backend(config, false)?;
            backend.store_mut().put_source(Source {
                id: id.clone(),
                name: name.clone().unwrap_or_else(|| id.to_string()),
                kind: *kind,
                default_grade: *grade,
                default_tlp: *tlp,
                description: description.clone(),
            })?;
            output::print(&format!("source {id} defined: {kind}, grade {grade}, {}\n", tlp.label()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(config: &Config, as_json: bool) -> anyhow::Result<ExitCode> {
    let backend = super::open_backend(config, true)?;
    let sources = backend.store().sources()?;
    if as_json {
        let values: Vec<_> = sources
            .iter()
            .map(|s| {
                json!({
                    "id": s.source.id.as_str(), "name": s.source.name, "kind": s.source.kind.as_str(),
                    "default_grade": s.source.default_grade.to_string(),
                    "default_tlp": s.source.default_tlp.label(), "items": s.items,
                    "duplicates": s.duplicates_seen,
                    "last_collected_at": s.last_collected_at.map(|t| t.to_string()),
                })
            })
            .collect();
        output::print_json(&json!({ "sources": values }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = sources
        .iter()
        .map(|s| {
            vec![
                s.source.id.to_string(),
                s.source.kind.to_string(),
                s.source.default_grade.to_string(),
                s.source.default_tlp.label().to_owned(),
                s.items.to_string(),
                s.duplicates_seen.to_string(),
                output::cut(&s.source.name, 40),
            ]
        })
        .collect();
    output::print(&output::table(&["SOURCE", "KIND", "GRADE", "TLP", "ITEMS", "DUPLICATES", "NAME"], &rows))?;
    Ok(ExitCode::SUCCESS)
}
