//! `muninn ingest`.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use muninn_ingest::{IngestConfig, IngestObserver, IngestSummary, Input, Location, Progress, SourceDefaults};
use muninn_model::{SourceKind, Timestamp};
use serde_json::json;

use crate::cli::IngestArgs;
use crate::config::Config;
use crate::{exit, output};

/// Draws a progress bar with rate and ETA on a terminal; silent otherwise.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(enabled: bool) -> Bar {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(Some(bar))
    }
}

impl IngestObserver for Bar {
    fn progress(&mut self, progress: &Progress) {
        if let Some(bar) = &self.0 {
            bar.set_length(progress.bytes_total.max(progress.bytes_done));
            bar.set_position(progress.bytes_done);
            bar.set_message(format!(
                "{} stored, {} duplicates, {} rejected",
                progress.stored, progress.duplicates, progress.rejected
            ));
        }
    }
}

/// Builds the pipeline's configuration from the settings and the flags.
pub fn ingest_config(config: &Config, args: &IngestArgs) -> IngestConfig {
    let mut limits = config.ingest.limits;
    limits.max_item_bytes = args.max_item_bytes.unwrap_or(limits.max_item_bytes);
    limits.max_field_bytes = args.max_field_bytes.unwrap_or(limits.max_field_bytes);
    limits.max_document_bytes = args.max_document_bytes.unwrap_or(limits.max_document_bytes);
    IngestConfig {
        source: args.source.clone(),
        format: args.format,
        encoding: args.encoding,
        tlp_floor: args.tlp,
        grade: args.grade,
        fields: args.fields.clone().unwrap_or_default(),
        limits,
        resume: !args.restart,
        batch_units: config.ingest.batch_units,
        max_batch_delay: args.max_batch_delay_ms.map(std::time::Duration::from_millis),
        new_sources: SourceDefaults {
            kind: SourceKind::OpenSource,
            grade: config.ingest.new_source_grade,
            tlp: config.ingest.new_source_tlp,
        },
        ..IngestConfig::new(Timestamp::now())
    }
}

pub fn run(config: &Config, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let inputs: Vec<Input> = args
        .inputs
        .iter()
        .map(|path| if path == Path::new("-") { Input::Stdin } else { Input::Path(path.clone()) })
        .collect();
    let mut backend = super::open_backend(config, false)?;
    let started = Instant::now();
    let mut bar = Bar::new(!args.quiet && !args.json);
    let (screener, warnings) = super::screen::load_screener(backend.store(), &[])?;
    for warning in warnings.iter().take(20) {
        eprintln!("warning: {warning}");
    }
    let mut screening = super::screen::ScreeningObserver::new(&screener, &mut bar);
    if args.print_alerts {
        screening = screening.printing();
    }
    let summary =
        muninn_ingest::ingest(backend.store_mut(), &inputs, &ingest_config(config, args), &mut screening)?;
    let alerts = screening.alerts_raised;
    if let Some(bar) = bar.0 {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed().as_secs_f64();
    // A cluster's index is built by its index workers, not by the ingesting process.
    let indexed = match &backend {
        super::Backend::Embedded(store) if !args.no_index => {
            Some(super::synced_index(config, store)?.1.indexed)
        }
        _ => None,
    };
    if args.print_alerts {
        // Standard output carries the alerts; the summary goes to standard error.
        eprintln!(
            "stored {} items, {} duplicates, {} rejected, {alerts} alerts in {elapsed:.2}s",
            summary.stored, summary.duplicates, summary.rejected
        );
    } else {
        report(&summary, elapsed, indexed, Some(alerts), args.json)?;
    }
    Ok(if summary.rejected > 0 { ExitCode::from(exit::PARTIAL) } else { ExitCode::SUCCESS })
}

fn location_json(location: &Location) -> serde_json::Value {
    match location {
        Location::File => json!({}),
        Location::Line { line, offset } => json!({ "line": line, "byte": offset }),
        Location::Byte(offset) => json!({ "byte": offset }),
        Location::Entry { index, offset } => json!({ "entry": index, "byte": offset }),
    }
}

/// Prints a run's summary: text (diagnostics on standard error) or JSON on standard output.
pub fn report(
    summary: &IngestSummary,
    elapsed_seconds: f64,
    indexed: Option<u64>,
    alerts: Option<u64>,
    as_json: bool,
) -> anyhow::Result<()> {
    let rate = if elapsed_seconds > 0.0 { summary.stored as f64 / elapsed_seconds } else { 0.0 };
    if as_json {
        let diagnostics: Vec<_> = summary
            .diagnostics
            .iter()
            .map(
                |d| json!({ "input": d.input, "location": location_json(&d.location), "message": d.message }),
            )
            .collect();
        return output::print_json(&json!({
            "inputs": summary.inputs,
            "stored": summary.stored,
            "duplicates": summary.duplicates,
            "resumed": summary.resumed,
            "rejected": summary.rejected,
            "bytes": summary.bytes,
            "elapsed_s": elapsed_seconds,
            "items_per_s": rate,
            "new_sources": summary.new_sources.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "diagnostics": diagnostics,
            "diagnostics_dropped": summary.diagnostics_dropped,
            "indexed": indexed,
            "alerts": alerts,
        }));
    }
    for diagnostic in &summary.diagnostics {
        eprintln!("rejected: {diagnostic}");
    }
    if summary.diagnostics_dropped > 0 {
        eprintln!("rejected: ... and {} more", summary.diagnostics_dropped);
    }
    let mut text = format!(
        "ingested {} input(s), {:.1} MB in {:.2} s: {} new, {} duplicate, {} already ingested, {} rejected ({:.0} items/s)\n",
        summary.inputs,
        summary.bytes as f64 / 1e6,
        elapsed_seconds,
        summary.stored,
        summary.duplicates,
        summary.resumed,
        summary.rejected,
        rate
    );
    if let Some(alerts) = alerts {
        text.push_str(&format!("screening: {alerts} alert(s) raised\n"));
    }
    if let Some(indexed) = indexed {
        text.push_str(&format!("full-text index: {indexed} item(s) added\n"));
    }
    if !summary.new_sources.is_empty() {
        let names: Vec<&str> = summary.new_sources.iter().map(|s| s.as_str()).collect();
        text.push_str(&format!(
            "new sources: {} (define them with `muninn sources add`)\n",
            names.join(", ")
        ));
    }
    Ok(output::print(&text)?)
}
