//! `muninn stats`.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::StatsArgs;
use crate::config::Config;
use crate::output;

pub fn run(config: &Config, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let backend = super::open_backend(config, true)?;
    let stats = backend.store().stats()?;
    let verify = match (&backend, args.verify) {
        (super::Backend::Embedded(store), true) => Some(store.verify()?),
        (super::Backend::Cluster(_), true) => {
            return Err(crate::UsageError(
                "--verify checks an embedded log; a cluster's log is JetStream's (see `muninn cluster status`)"
                    .to_owned(),
            )
            .into());
        }
        _ => None,
    };
    let location = match &config.cluster {
        Some(cluster) => format!("cluster stream {}", cluster.stream),
        None => config.data_dir.display().to_string(),
    };
    if args.json {
        let pairs = |list: &[(String, u64)]| -> serde_json::Value {
            list.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>().into()
        };
        output::print_json(&json!({
            "data_dir": location,
            "items": stats.items,
            "duplicates_seen": stats.duplicates_seen,
            "sources": stats.sources,
            "inputs_checkpointed": stats.inputs_checkpointed,
            "log_bytes": stats.log_bytes,
            "log_segments": stats.log_segments,
            "last_seq": stats.last_seq,
            "by_language": pairs(&stats.by_language),
            "by_tlp": pairs(&stats.by_tlp),
            "by_source": pairs(&stats.by_source),
            "verify": verify.as_ref().map(|r| json!({ "frames": r.frames, "items": r.items, "problems": r.problems })),
        }))?;
    } else {
        let join = |list: &[(String, u64)]| {
            list.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        let mut text = format!("data directory: {location}\n");
        text.push_str(&format!("items:          {}\n", stats.items));
        text.push_str(&format!("duplicates:     {}\n", stats.duplicates_seen));
        text.push_str(&format!("sources:        {}\n", stats.sources));
        text.push_str(&format!(
            "log:            {} bytes in {} segment(s), last seq {}\n",
            stats.log_bytes, stats.log_segments, stats.last_seq
        ));
        text.push_str(&format!("by language:    {}\n", join(&stats.by_language)));
        text.push_str(&format!("by TLP:         {}\n", join(&stats.by_tlp)));
        text.push_str(&format!("by source:      {}\n", join(&stats.by_source)));
        if let Some(report) = &verify {
            if report.problems.is_empty() {
                text.push_str(&format!(
                    "verify:         ok ({} frames, {} items checked)\n",
                    report.frames, report.items
                ));
            } else {
                text.push_str(&format!("verify:         {} problem(s)\n", report.problems.len()));
                for problem in &report.problems {
                    text.push_str(&format!("  {problem}\n"));
                }
            }
        }
        output::print(&text)?;
    }
    if verify.is_some_and(|r| !r.problems.is_empty()) {
        return Ok(ExitCode::from(crate::exit::CORRUPT));
    }
    Ok(ExitCode::SUCCESS)
}
