//! `muninn match`: names matched against the stored watchlists' name entries (each entry with
//! its aliases is one entity), one query or a CSV batch, with the explanation of every score.

use std::io::Write;

use anyhow::Context;
use muninn_names::{BirthDate, Gender, MatchOptions, Matcher, NameKind, Properties, Query, Scratch};
use serde_json::json;

use crate::UsageError;
use crate::cli::MatchArgs;
use crate::config::Config;

/// Runs `muninn match`.
pub fn run(config: &Config, args: &MatchArgs) -> anyhow::Result<std::process::ExitCode> {
    if args.name.is_none() == args.csv.is_none() {
        return Err(UsageError("give either a NAME or --csv FILE".to_owned()).into());
    }
    let threshold = args.threshold.unwrap_or(muninn_names::DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(UsageError(format!("--threshold {threshold} is not between 0 and 1")).into());
    }
    let options = MatchOptions { threshold, limit: args.limit };
    let store = super::open_backend(config, true)?;
    let matcher = load_matcher(&*store, &args.lists)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut scratch = Scratch::default();
    match (&args.name, &args.csv) {
        (Some(name), _) => {
            let query = query_of(name, args.birth_date.as_deref(), &args.countries, args.gender.as_deref())
                .map_err(|e| UsageError(format!("{e:#}")))?;
            let matches = matcher
                .find(&query, &options, &mut scratch)
                .map_err(|e| UsageError(format!("name {name:?}: {e}")))?;
            if args.json {
                serde_json::to_writer_pretty(
                    &mut out,
                    &json!({"query": name, "threshold": threshold, "entities": matcher.entities(), "matches": matches}),
                )?;
                writeln!(out)?;
            } else {
                print_matches(&mut out, name, &matches)?;
            }
        }
        (None, Some(path)) => {
            let file =
                std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            batch(file, &matcher, &options, args.json, &mut out)
                .with_context(|| format!("batch {}", path.display()))?;
        }
        (None, None) => {}
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The name entries of the stored watchlists (only those named, when any are) filed as entities
/// with ids `LIST/ENTRY`.
fn load_matcher(store: &dyn muninn_store::ItemStore, only: &[String]) -> anyhow::Result<Matcher> {
    let lists = super::screen::load_watchlists(store)?;
    for name in only {
        if !lists.iter().any(|list| &list.name == name) {
            return Err(UsageError(format!("no watchlist named {name:?} (see muninn watchlist list)")).into());
        }
    }
    let entities = lists
        .iter()
        .filter(|list| only.is_empty() || only.contains(&list.name))
        .flat_map(muninn_api::matching::list_entities);
    let (matcher, warnings) = Matcher::build(entities);
    for warning in &warnings {
        tracing::warn!(%warning, "name left out of matching");
    }
    Ok(matcher)
}

fn query_of(
    name: &str,
    birth_date: Option<&str>,
    countries: &[String],
    gender: Option<&str>,
) -> anyhow::Result<Query> {
    let mut properties = Properties::default();
    if let Some(date) = birth_date.filter(|d| !d.trim().is_empty()) {
        properties.birth_dates.push(BirthDate::parse(date)?);
    }
    properties.countries = countries.iter().filter(|c| !c.trim().is_empty()).cloned().collect();
    if let Some(gender) = gender.filter(|g| !g.trim().is_empty()) {
        properties.gender = Some(
            Gender::parse(gender)
                .ok_or_else(|| anyhow::anyhow!("gender {gender:?} is not m, male, f or female"))?,
        );
    }
    Ok(Query { name: name.to_owned(), kind: NameKind::Unknown, properties })
}

fn print_matches(out: &mut impl Write, name: &str, matches: &[muninn_names::Match]) -> anyhow::Result<()> {
    if matches.is_empty() {
        writeln!(out, "{name}: no match")?;
        return Ok(());
    }
    writeln!(out, "{name}: {} match(es)", matches.len())?;
    for found in matches {
        write!(out, "{:.2} {} {}", found.score, found.entity, found.explanation.render())?;
    }
    Ok(())
}

/// A CSV batch (header with `name`, optional `id`, `birth_date`, `country`, `gender`), read and
/// answered one row at a time: memory does not grow with the batch. A bad row is reported in
/// its place and the batch goes on.
fn batch(
    input: impl std::io::Read,
    matcher: &Matcher,
    options: &MatchOptions,
    json_output: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader.headers()?.clone();
    let column = |wanted: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(wanted));
    let name_column =
        column("name").ok_or_else(|| UsageError("the CSV header has no `name` column".to_owned()))?;
    let (id_column, date_column, country_column, gender_column) =
        (column("id"), column("birth_date"), column("country"), column("gender"));
    let mut scratch = Scratch::default();
    let mut record = csv::StringRecord::new();
    let mut row = 1u64;
    while reader.read_record(&mut record)? {
        row += 1;
        let field = |column: Option<usize>| column.and_then(|c| record.get(c)).unwrap_or("");
        let name = field(Some(name_column));
        let id = match field(id_column) {
            "" => format!("row {row}"),
            id => id.to_owned(),
        };
        let countries: Vec<String> = field(country_column).split('|').map(str::to_owned).collect();
        let answer = query_of(name, Some(field(date_column)), &countries, Some(field(gender_column)))
            .and_then(|query| Ok(matcher.find(&query, options, &mut scratch)?));
        match (answer, json_output) {
            (Ok(matches), true) => writeln!(out, "{}", json!({"id": id, "query": name, "matches": matches}))?,
            (Err(error), true) => {
                writeln!(out, "{}", json!({"id": id, "query": name, "error": format!("{error:#}")}))?
            }
            (Ok(matches), false) => {
                write!(out, "[{id}] ")?;
                print_matches(out, name, &matches)?;
            }
            (Err(error), false) => writeln!(out, "[{id}] {name}: error: {error:#}")?,
        }
    }
    Ok(())
}
