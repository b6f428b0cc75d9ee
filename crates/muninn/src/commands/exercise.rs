//! `muninn exercise generate`.

use std::process::ExitCode;

use anyhow::Context;
use muninn_exercise::Scenario;
use serde_json::json;

use crate::cli::ExerciseCommand;
use crate::{UsageError, output};

/// A shipped scenario by name, or a scenario file.
fn load_scenario(name_or_path: &str) -> anyhow::Result<Scenario> {
    match name_or_path {
        "demo" => Ok(muninn_exercise::demo_scenario()),
        "small" => Ok(muninn_exercise::small_scenario()),
        path => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| UsageError(format!("cannot read scenario {path}: {error}")))?;
            Scenario::from_toml(&text).map_err(|error| UsageError(format!("scenario {path}: {error}")).into())
        }
    }
}

pub fn run(command: &ExerciseCommand) -> anyhow::Result<ExitCode> {
    let ExerciseCommand::Generate { scenario, out, seed, json } = command;
    let scenario = load_scenario(scenario)?;
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(UsageError(format!("{} exists and is not empty", out.display())).into());
    }
    let report = muninn_exercise::generate(&scenario, *seed, out).context("generating the flow")?;
    let items =
        report.news + report.notes + report.mail + report.chat + report.rss_entries + report.atom_entries;
    if *json {
        output::print_json(&json!({
            "scenario": scenario.name, "seed": seed, "out": out.display().to_string(),
            "items": items, "news": report.news, "notes": report.notes, "mail": report.mail,
            "chat": report.chat, "rss": report.rss_entries, "atom": report.atom_entries,
            "signals": report.signals, "planted_items": report.planted_items, "bytes": report.bytes_written,
        }))?;
    } else {
        output::print(&format!(
            "wrote the {:?} scenario (seed {seed}) to {}: {items} items ({} news, {} notes, {} mail, {} chat, {} RSS, {} Atom), {} planted signals over {} items, {:.1} MB; ground truth in {}\n",
            scenario.name,
            out.display(),
            report.news,
            report.notes,
            report.mail,
            report.chat,
            report.rss_entries,
            report.atom_entries,
            report.signals,
            report.planted_items,
            report.bytes_written as f64 / 1e6,
            out.join("truth.json").display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
