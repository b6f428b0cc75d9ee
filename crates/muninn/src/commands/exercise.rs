//! `muninn exercise generate` and `muninn exercise score`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use muninn_exercise::{GroundTruth, Scenario, Signal};
use muninn_ingest::{IngestConfig, Input, Quiet};
use muninn_model::{ItemId, SourceId, Timestamp, Tlp};
use muninn_screen::{Alert, Entry, EntryKind, Screener, Severity, Watchlist};
use muninn_store::{Document, EmbeddedStore, ItemStore, StoreConfig};
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
    let (scenario, out, seed, json) = match command {
        ExerciseCommand::Generate { scenario, out, seed, json } => (scenario, out, seed, json),
        ExerciseCommand::Score { truth, work, json } => return score(truth, work.as_deref(), *json),
    };
    let scenario = load_scenario(scenario)?;
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(UsageError(format!("{} exists and is not empty", out.display())).into());
    }
    let report = muninn_exercise::generate(&scenario, *seed, out).context("generating the flow")?;
    let items = report.items();
    if *json {
        output::print_json(&json!({
            "scenario": scenario.name, "seed": seed, "out": out.display().to_string(),
            "items": items, "news": report.news, "notes": report.notes, "mail": report.mail,
            "chat": report.chat, "rss": report.rss_entries, "atom": report.atom_entries,
            "stix": report.stix_bundles, "misp": report.misp_events,
            "signals": report.signals, "planted_items": report.planted_items, "bytes": report.bytes_written,
        }))?;
    } else {
        output::print(&format!(
            "wrote the {:?} scenario (seed {seed}) to {}: {items} items ({} news, {} notes, {} mail, {} chat, {} RSS, {} Atom, {} STIX bundles, {} MISP events), {} planted signals over {} items, {:.1} MB; ground truth in {}\n",
            scenario.name,
            out.display(),
            report.news,
            report.notes,
            report.mail,
            report.chat,
            report.rss_entries,
            report.atom_entries,
            report.stix_bundles,
            report.misp_events,
            report.signals,
            report.planted_items,
            report.bytes_written as f64 / 1e6,
            out.join("truth.json").display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One signal kind's score.
#[derive(Debug, Default)]
struct KindScore {
    planted: usize,
    alerted: usize,
    true_positives: usize,
    /// Planted items (distinct titles) that were found.
    planted_found: usize,
    latencies_ms: Vec<f64>,
    detector: &'static str,
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get(((values.len() as f64 * q) as usize).min(values.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

/// `muninn exercise score`: ingest the flow with the scenario's watchlist, score the alerts.
fn score(truth_path: &Path, work: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let truth: GroundTruth = serde_json::from_slice(
        &std::fs::read(truth_path)
            .map_err(|error| UsageError(format!("cannot read {}: {error}", truth_path.display())))?,
    )
    .map_err(|error| UsageError(format!("{}: not a ground truth file: {error}", truth_path.display())))?;
    let flow = truth_path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let data = work.map(Path::to_path_buf).unwrap_or_else(|| flow.join("score-data"));
    if data.exists() {
        if !data.join("FORMAT").exists() && std::fs::read_dir(&data)?.next().is_some() {
            return Err(
                UsageError(format!("{} exists and is not a muninn data directory", data.display())).into()
            );
        }
        std::fs::remove_dir_all(&data)?;
    }
    let mut store = EmbeddedStore::open(&data, StoreConfig::default())?;
    super::demo::define_sources(&mut store)?;

    // The watchlist lists what an analyst would: the watched name as listed and the indicator,
    // never the variants the flow hides them under.
    let mut entries = Vec::new();
    for signal in &truth.signals {
        let kind = match &signal.signal {
            Signal::PersonVariants(person) => {
                EntryKind::Name { name: person.person.clone(), aliases: Vec::new() }
            }
            Signal::IndicatorReuse(reuse) => EntryKind::Indicator { value: reuse.indicator.clone() },
            _ => continue,
        };
        entries.push(Entry {
            id: signal.id.clone(),
            kind,
            severity: Severity::High,
            note: signal.description.clone(),
        });
    }
    let list = Watchlist {
        name: "exercise".to_owned(),
        owner: "exercise".to_owned(),
        tlp: Tlp::Clear,
        version: 1,
        entries,
    };
    store.put_documents(vec![Document::put(
        super::screen::WATCHLIST_TABLE,
        &list.name,
        serde_json::to_vec(&list)?,
    )])?;
    let (screener, warnings) = Screener::compile(std::slice::from_ref(&list), Timestamp::now());
    anyhow::ensure!(warnings.is_empty(), "the exercise watchlist has problems: {warnings:?}");

    let started = Instant::now();
    let mut quiet = Quiet;
    let mut screening = super::screen::ScreeningObserver::new(&screener, &mut quiet);
    let mut stored = 0;
    for (_, path, source) in super::demo::PARTS.iter().filter(|(_, path, _)| !path.starts_with("samples/")) {
        let input = flow.join(path);
        if !input.exists() {
            continue;
        }
        let config = IngestConfig {
            source: source.map(SourceId::new).transpose()?,
            ..IngestConfig::new(Timestamp::now())
        };
        stored += muninn_ingest::ingest(&mut store, &[Input::Path(input)], &config, &mut screening)?.stored;
    }
    let seconds = started.elapsed().as_secs_f64();
    let latencies: HashMap<String, f64> = screening.latencies_ms.iter().cloned().collect();
    let detected = detect(&mut store)?;

    // Alerts by entry, as the titles of their items.
    let mut alerted: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.documents(super::screen::ALERT_TABLE, after.as_deref(), 1000)?;
        for (key, value) in &page {
            let alert: Alert = serde_json::from_slice(value)?;
            let id: ItemId = alert.item.parse()?;
            // The truth names items by title; a chat message has none and is named by its text.
            let title = store
                .item(&id)?
                .map(|item| item.title.filter(|title| !title.is_empty()).unwrap_or(item.body))
                .unwrap_or_default();
            let latency = latencies.get(key).copied().unwrap_or(0.0);
            alerted.entry(alert.entry.clone()).or_default().push((title, latency));
        }
        if page.len() < 1000 {
            break;
        }
        after = page.last().map(|(key, _)| key.clone());
    }

    let mut kinds: BTreeMap<&'static str, KindScore> = BTreeMap::new();
    for signal in &truth.signals {
        let (kind, detector) = match &signal.signal {
            Signal::PersonVariants(_) => ("person-variants", "screening"),
            Signal::IndicatorReuse(_) => ("indicator-reuse", "screening"),
            Signal::Burst(_) => ("burst", "bursts"),
            Signal::ActorCampaign(_) => ("actor-campaign", "campaign links"),
            Signal::NearDuplicates(_) => ("near-duplicates", "near-duplicates + ingest dedup"),
        };
        let score = kinds.entry(kind).or_default();
        score.detector = detector;
        let planted: std::collections::HashSet<&str> =
            signal.items.iter().map(|item| item.title.as_str()).collect();
        score.planted += planted.len();
        if let Some(found) = detected.get(kind) {
            // A flow-level detector: its items against the planted ones (latency: the
            // detector runs over the stored flow, not as items arrive).
            score.alerted += found.len();
            let exact_copies: std::collections::HashSet<&str> = signal
                .items
                .iter()
                .filter(|item| item.exact == Some(true))
                .map(|item| item.title.as_str())
                .collect();
            let mut hit: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for title in found {
                if planted.contains(title.as_str()) {
                    score.true_positives += 1;
                    hit.insert(title.as_str());
                }
            }
            score.planted_found += hit.len();
            // Exact copies never become items: ingest stores the content once and counts the
            // copy as a duplicate. Each planted exact copy is found if its title is stored
            // and ingest counted as many duplicates.
            if !exact_copies.is_empty()
                && detected.get("duplicates_seen").map_or(0, Vec::len) >= exact_copies.len()
            {
                for title in &exact_copies {
                    if !hit.contains(title)
                        && detected.get("stored_titles").is_some_and(|t| t.iter().any(|s| s == title))
                    {
                        score.true_positives += 1;
                        score.alerted += 1;
                        score.planted_found += 1;
                    }
                }
            }
            continue;
        }
        let mut hit: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (title, latency) in alerted.get(&signal.id).into_iter().flatten() {
            score.alerted += 1;
            if planted.contains(title.as_str()) {
                score.true_positives += 1;
                score.latencies_ms.push(*latency);
                hit.insert(title.as_str());
            }
        }
        score.planted_found += hit.len();
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let screened: Vec<&KindScore> = kinds.values().filter(|k| k.detector != "none yet").collect();
    let scored_kinds = screened.len();
    let true_positives: usize = screened.iter().map(|k| k.true_positives).sum();
    let precision = ratio(true_positives, screened.iter().map(|k| k.alerted).sum());
    let recall =
        ratio(screened.iter().map(|k| k.planted_found).sum(), screened.iter().map(|k| k.planted).sum());
    let mut all_latencies: Vec<f64> = screened.iter().flat_map(|k| k.latencies_ms.iter().copied()).collect();
    let p99 = percentile(&mut all_latencies, 0.99);

    if json {
        let per_kind: serde_json::Map<String, serde_json::Value> = kinds
            .iter_mut()
            .map(|(kind, s)| {
                let p99 = percentile(&mut s.latencies_ms, 0.99);
                ((*kind).to_owned(), json!({
                    "detector": s.detector, "planted_items": s.planted, "alerts": s.alerted, "true_positives": s.true_positives,
                    "precision": ratio(s.true_positives, s.alerted), "recall": ratio(s.planted_found, s.planted),
                    "time_to_alert_p99_ms": p99,
                }))
            })
            .collect();
        output::print_json(&json!({
            "scenario": truth.scenario, "seed": truth.seed, "items": stored, "seconds": seconds,
            "precision": precision, "recall": recall, "time_to_alert_p99_ms": p99,
            "scored_kinds": scored_kinds, "kinds": per_kind,
        }))?;
    } else {
        let rows: Vec<Vec<String>> = kinds
            .iter_mut()
            .map(|(kind, s)| {
                let p99 = percentile(&mut s.latencies_ms, 0.99);
                vec![
                    (*kind).to_owned(),
                    s.detector.to_owned(),
                    s.planted.to_string(),
                    s.alerted.to_string(),
                    format!("{:.2}", ratio(s.true_positives, s.alerted)),
                    format!("{:.2}", ratio(s.planted_found, s.planted)),
                    if s.true_positives > 0 { format!("{p99:.1}") } else { "-".to_owned() },
                ]
            })
            .collect();
        let mut text = format!(
            "scored the {:?} flow (seed {}): {stored} items ingested and screened in {seconds:.1} s\n\n",
            truth.scenario, truth.seed
        );
        text.push_str(&output::table(
            &["KIND", "DETECTOR", "PLANTED", "ALERTS", "PRECISION", "RECALL", "P99 MS"],
            &rows,
        ));
        text.push_str(&format!(
            "\nall signals: precision {precision:.2}, recall {recall:.2}; screening time to alert p99 {p99:.1} ms (batch handed to screening → alert durable); flow detectors run over the stored flow\n"
        ));
        output::print(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The flow-level detectors over the stored flow: for each signal kind, the titles (text for
/// chat) of the items they flag; also `stored_titles` and one `duplicates_seen` entry per
/// exact duplicate ingest counted.
fn detect(store: &mut EmbeddedStore) -> anyhow::Result<HashMap<&'static str, Vec<String>>> {
    use muninn_store::ItemStore;
    super::entities::store_list(
        store,
        "threat-actors",
        crate::cli::EntitiesFormat::MispGalaxy,
        super::demo::GAZETTEER,
        None,
    )?;
    let gazetteer = super::entities::load_gazetteer(store)?;
    let mut items = Vec::new();
    store.for_each_item(0, &mut |_, item| {
        items.push(item.clone());
        Ok(())
    })?;
    let entities: Vec<(Vec<String>, Vec<String>)> = items
        .iter()
        .map(|item| {
            let texts = item.title.as_deref().into_iter().chain(std::iter::once(item.body.as_str()));
            let mentions: Vec<_> =
                texts.flat_map(|text| muninn_index::extract_entities(&gazetteer, text)).collect();
            let mut names: Vec<String> = mentions.iter().map(|m| m.name.clone()).collect();
            let mut forms: Vec<String> = mentions.into_iter().map(|m| m.form).collect();
            names.sort();
            names.dedup();
            forms.sort();
            forms.dedup();
            (names, forms)
        })
        .collect();
    let docs: Vec<muninn_detect::Doc<'_>> = items
        .iter()
        .zip(&entities)
        .map(|(item, (entities, known))| muninn_detect::Doc {
            time: item.event_time.unwrap_or(item.collected_at).as_second(),
            title: item.title.as_deref(),
            body: &item.body,
            entities,
            known,
        })
        .collect();
    let title = |index: usize| {
        let item = &items[index];
        item.title.clone().filter(|title| !title.is_empty()).unwrap_or_else(|| item.body.clone())
    };
    let mut found: HashMap<&'static str, Vec<String>> = HashMap::new();
    let bursts = muninn_detect::bursts(&docs, &muninn_detect::BurstConfig::default());
    found.insert("burst", bursts.iter().flat_map(|b| b.items.iter().map(|&i| title(i))).collect());
    let links = muninn_detect::campaign_links(&docs, &muninn_detect::CampaignConfig::default());
    found.insert("actor-campaign", links.iter().flat_map(|l| l.items.iter().map(|&i| title(i))).collect());
    let copies = muninn_detect::near_duplicates(&docs, &muninn_detect::NearDuplicateConfig::default());
    for copy in &copies {
        tracing::info!(similarity = copy.similarity, item = %title(copy.item), "near-duplicate");
    }
    found.insert("near-duplicates", copies.iter().map(|c| title(c.item)).collect());
    found.insert("stored_titles", (0..items.len()).map(title).collect());
    found.insert("duplicates_seen", vec![String::new(); store.stats()?.duplicates_seen as usize]);
    for burst in &bursts {
        tracing::info!(terms = ?burst.terms, items = burst.items.len(), "burst");
    }
    for link in &links {
        tracing::info!(actor = %link.actor, name = %link.name, items = link.items.len(), "campaign link");
    }
    Ok(found)
}
