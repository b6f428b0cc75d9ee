//! `muninn search` and `muninn reindex`.

use std::process::ExitCode;
use std::time::Instant;

use muninn_index::{Cursor, SearchRequest, Snippet, Visibility};
use muninn_model::Timestamp;
use serde_json::json;

use crate::cli::SearchArgs;
use crate::config::Config;
use crate::output;

/// Characters of text around the best passage of a hit.
const SNIPPET_CHARS: usize = 160;

/// A snippet on one line, matches in brackets.
fn marked(snippet: &Snippet) -> String {
    snippet.marked("[", "]").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn run(config: &Config, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let text = args.query.join(" ");
    let query = muninn_query::parse(&text, Timestamp::now())?;
    let backend = super::open_backend(config, true)?;
    let started = Instant::now();
    let through_workers = args.workers && matches!(backend, super::Backend::Cluster(_));
    if args.workers && !through_workers {
        return Err(crate::UsageError(
            "--workers searches a cluster's search workers: configure [cluster]".to_owned(),
        )
        .into());
    }
    let index = match &backend {
        super::Backend::Cluster(_) if through_workers => super::cluster::analyser_index(config)?,
        super::Backend::Embedded(store) => super::synced_index(config, store)?.0,
        super::Backend::Cluster(store) => super::cluster::searcher(config, store)?,
    };
    let store = backend.store();
    let after = args.after.as_deref().map(str::parse::<Cursor>).transpose()?;
    // The local command line is run by the data directory's owner, who may see everything.
    let visibility = Visibility::everything();
    let request = SearchRequest {
        query: &query,
        visibility: &visibility,
        limit: args.limit,
        after,
        facets: args.facets,
        histogram: args.facets,
    };
    let shard_request = muninn_index::distributed::ShardSearch {
        query: text.clone(),
        now: Timestamp::now().as_second(),
        visibility: visibility.clone(),
        limit: args.limit,
        after: args.after.clone(),
        facets: args.facets,
        histogram: args.facets,
        statistics: None,
    };
    let client = if through_workers { Some(super::cluster::search_client(config)?) } else { None };
    let search = || -> anyhow::Result<muninn_index::SearchResults> {
        match &client {
            Some(client) => Ok(client.search(&shard_request)?),
            None => Ok(index.search(&request)?),
        }
    };
    let results = search()?;
    if let Some(runs) = args.repeat {
        // The latency an API caller would see once the index is open: search, then read the
        // hits' items.
        let mut latencies = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            let again = search()?;
            let ids: Vec<_> = again.hits.iter().map(|hit| hit.id).collect();
            store.items(&ids)?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let mut sorted = latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let quantile =
            |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
        output::print_json(&json!({
            "query": query.to_string(),
            "total": results.total,
            "runs": runs,
            "p50_ms": quantile(0.5),
            "p99_ms": quantile(0.99),
            "latencies_ms": latencies,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let ids: Vec<_> = results.hits.iter().map(|hit| hit.id).collect();
    let found: Vec<_> = results
        .hits
        .iter()
        .zip(store.items(&ids)?)
        .filter_map(|(hit, item)| item.map(|item| (hit, item)))
        .collect();
    let bodies: Vec<&str> = found.iter().map(|(_, item)| item.body.as_str()).collect();
    let snippets = index.snippets(&query, &bodies, SNIPPET_CHARS)?;
    let rows: Vec<_> =
        found.into_iter().zip(snippets).map(|((hit, item), snippet)| (hit, item, snippet)).collect();
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let hits: Vec<_> = rows
            .iter()
            .map(|(hit, item, snippet)| {
                json!({
                    "id": hit.id.to_string(), "seq": hit.seq, "score": hit.score,
                    "title": item.title, "source": item.source.as_str(), "lang": item.language.as_ref().map(|l| l.as_str()),
                    "tlp": item.markings.tlp.label(), "grade": item.grade.to_string(),
                    "date": item.event_time.unwrap_or(item.collected_at).to_string(),
                    "snippet": { "text": snippet.fragment, "highlights": snippet.highlighted.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>() },
                })
            })
            .collect();
        let facet_json = |list: &[(String, u64)]| list.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>();
        let facets = results.facets.as_ref().map(|f| {
            json!({
                "source": facet_json(&f.source), "lang": facet_json(&f.lang), "tlp": facet_json(&f.tlp), "grade": facet_json(&f.grade),
                "indicator_type": facet_json(&f.indicator_type), "indicator": facet_json(&f.indicator),
                "entity": f.entity.iter().map(|e| json!({"id": e.id, "name": e.name, "count": e.count})).collect::<Vec<_>>(),
            })
        });
        let histogram: Vec<_> = results
            .histogram
            .iter()
            .map(|(day, count)| json!([day.strftime("%Y-%m-%d").to_string(), count]))
            .collect();
        output::print_json(&json!({
            "query": query.to_string(),
            "total": results.total,
            "hits": hits,
            "facets": facets,
            "histogram": histogram,
            "next": results.next.map(|c| c.to_string()),
            "seconds": seconds,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(hit, item, snippet)| {
            vec![
                format!("{:.2}", hit.score),
                item.id.to_string(),
                item.markings.tlp.label().to_owned(),
                item.grade.to_string(),
                item.language.as_ref().map_or_else(|| "-".to_owned(), |l| l.to_string()),
                item.event_time.unwrap_or(item.collected_at).strftime("%Y-%m-%d").to_string(),
                item.source.to_string(),
                output::cut(item.title.as_deref().unwrap_or(""), 50),
                output::cut(&marked(snippet), 90),
            ]
        })
        .collect();
    let mut text = format!("{} match(es) for {} in {:.3} s\n", results.total, query, seconds);
    if !table_rows.is_empty() {
        text.push_str(&output::table(
            &["SCORE", "ID", "TLP", "GRADE", "LANG", "DATE", "SOURCE", "TITLE", "SNIPPET"],
            &table_rows,
        ));
    }
    if let Some(facets) = &results.facets {
        let join = |list: &[(String, u64)]| {
            list.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        text.push_str(&format!(
            "\nsource: {}\nlang:   {}\ntlp:    {}\ngrade:  {}\nindicator kinds: {}\ntop indicators:  {}\ntop entities:    {}\n",
            join(&facets.source),
            join(&facets.lang),
            join(&facets.tlp),
            join(&facets.grade),
            join(&facets.indicator_type),
            join(&facets.indicator),
            facets.entity.iter().map(|e| format!("{} {}", e.name, e.count)).collect::<Vec<_>>().join(", ")
        ));
        let days: Vec<String> = results
            .histogram
            .iter()
            .map(|(day, count)| format!("{} {count}", day.strftime("%Y-%m-%d")))
            .collect();
        text.push_str(&format!("per day: {}\n", days.join(", ")));
    }
    if let Some(next) = results.next {
        text.push_str(&format!("more: muninn search --after {next} {:?}\n", args.query.join(" ")));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn reindex(config: &Config, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_existing_store(config)?;
    let started = Instant::now();
    let mut index = super::entities::open_index(&config.data_dir, &store)?;
    let report = index.rebuild(&store)?;
    let seconds = started.elapsed().as_secs_f64();
    if as_json {
        output::print_json(
            &json!({ "indexed": report.indexed, "last_seq": report.last_seq, "seconds": seconds }),
        )?;
    } else {
        output::print(&format!(
            "reindexed {} items from the log (up to seq {}) in {seconds:.2} s\n",
            report.indexed, report.last_seq
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
