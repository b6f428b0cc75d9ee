//! `muninn indicator` and `muninn related`: correlation by shared indicators and entities, read
//! from the full-text index's posting lists.

use std::process::ExitCode;

use muninn_index::Visibility;
use muninn_model::{Item, ItemId};
use muninn_store::ItemStore;
use serde_json::json;

use crate::cli::{IndicatorArgs, RelatedArgs};
use crate::config::Config;
use crate::output;

/// How an item is shown in a list: the fields read from the store (the index keeps no titles).
fn item_json(item: Option<&Item>) -> serde_json::Value {
    match item {
        Some(item) => json!({
            "title": item.title, "source": item.source.as_str(), "tlp": item.markings.tlp.label(),
            "date": item.event_time.unwrap_or(item.collected_at).to_string(),
        }),
        None => json!({}),
    }
}

pub(crate) fn day(at: Option<muninn_model::Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), |t| t.strftime("%Y-%m-%d").to_string())
}

/// What a related item shares: entities by name, then indicators, and how many in all.
fn shared(entry: &muninn_index::Related) -> String {
    let names =
        entry.shared_entities.iter().map(|e| e.name.as_str()).chain(entry.shared.iter().map(String::as_str));
    format!("{} ({})", names.collect::<Vec<_>>().join(", "), entry.shared.len() + entry.shared_entities.len())
}

fn read(store: &dyn ItemStore, id: &ItemId) -> anyhow::Result<Option<Item>> {
    Ok(store.item(id)?)
}

pub fn indicator(config: &Config, args: &IndicatorArgs) -> anyhow::Result<ExitCode> {
    let (backend, index) = super::store_and_index(config)?;
    let store = backend.store();
    // The local command line is run by the data directory's owner, who may see everything.
    let visibility = Visibility::everything();
    let summary = index.indicator_summary(&args.value, &visibility, args.limit)?;
    let mut recent = Vec::with_capacity(summary.recent.len());
    for mention in &summary.recent {
        recent.push((mention, read(store, &mention.id)?));
    }
    if args.json {
        let items: Vec<_> = recent
            .iter()
            .map(|(mention, item)| {
                let mut value = item_json(item.as_ref());
                value["id"] = json!(mention.id.to_string());
                value["seq"] = json!(mention.seq);
                value
            })
            .collect();
        output::print_json(&json!({
            "value": summary.value,
            "kind": summary.kind,
            "count": summary.count,
            "first_seen": summary.first_seen.map(|t| t.to_string()),
            "last_seen": summary.last_seen.map(|t| t.to_string()),
            "sources": summary.sources.iter().map(|(name, n)| json!([name, n])).collect::<Vec<_>>(),
            "recent": items,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = format!(
        "{} ({}): {} item(s), first seen {}, last seen {}\n",
        summary.value,
        summary.kind.unwrap_or("not recognised as an indicator"),
        summary.count,
        day(summary.first_seen),
        day(summary.last_seen)
    );
    print_mentions(text, &summary.sources, &recent)
}

/// Prints a summary's heading `text`, then its sources and most recent items: what `muninn
/// indicator` and `muninn entity` show.
pub(crate) fn print_mentions(
    mut text: String,
    sources: &[(String, u64)],
    recent: &[(&muninn_index::Mention, Option<Item>)],
) -> anyhow::Result<ExitCode> {
    if !sources.is_empty() {
        let sources: Vec<String> = sources.iter().map(|(name, n)| format!("{name} {n}")).collect();
        text.push_str(&format!("sources: {}\n", sources.join(", ")));
    }
    let rows: Vec<Vec<String>> = recent
        .iter()
        .map(|(mention, item)| {
            vec![
                mention.id.to_string(),
                day(mention.date),
                item.as_ref().map_or_else(String::new, |i| i.source.to_string()),
                item.as_ref().map_or_else(String::new, |i| i.markings.tlp.label().to_owned()),
                output::cut(item.as_ref().and_then(|i| i.title.as_deref()).unwrap_or(""), 60),
            ]
        })
        .collect();
    if !rows.is_empty() {
        text.push('\n');
        text.push_str(&output::table(&["ID", "DATE", "SOURCE", "TLP", "TITLE"], &rows));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn related(config: &Config, args: &RelatedArgs) -> anyhow::Result<ExitCode> {
    let id: ItemId =
        args.item.parse().map_err(|error| crate::UsageError(format!("item id {:?}: {error}", args.item)))?;
    let (backend, index) = super::store_and_index(config)?;
    let store = backend.store();
    let visibility = Visibility::everything();
    let related = match index.related(&id, &visibility, args.limit) {
        Err(muninn_index::IndexError::UnknownItem(_)) => {
            return Err(crate::UsageError(format!("no item {id} (see `muninn items list`)")).into());
        }
        other => other?,
    };
    let mut rows = Vec::with_capacity(related.len());
    for entry in &related {
        rows.push((entry, read(store, &entry.id)?));
    }
    if args.json {
        let items: Vec<_> = rows
            .iter()
            .map(|(entry, item)| {
                let mut value = item_json(item.as_ref());
                value["id"] = json!(entry.id.to_string());
                value["seq"] = json!(entry.seq);
                value["score"] = json!(entry.score);
                value["shared"] = json!(entry.shared);
                value["shared_entities"] = entry
                    .shared_entities
                    .iter()
                    .map(|e| json!({"id": e.id, "name": e.name}))
                    .collect::<serde_json::Value>();
                value
            })
            .collect();
        output::print_json(&json!({ "item": id.to_string(), "related": items }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!("{} item(s) share indicators or entities with {id}\n", related.len());
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(entry, item)| {
            vec![
                format!("{:.2}", entry.score),
                entry.id.to_string(),
                item.as_ref()
                    .map_or_else(|| "-".to_owned(), |i| day(Some(i.event_time.unwrap_or(i.collected_at)))),
                item.as_ref().map_or_else(String::new, |i| i.source.to_string()),
                output::cut(item.as_ref().and_then(|i| i.title.as_deref()).unwrap_or(""), 40),
                output::cut(&shared(entry), 70),
            ]
        })
        .collect();
    if !table_rows.is_empty() {
        text.push_str(&output::table(&["SCORE", "ID", "DATE", "SOURCE", "TITLE", "SHARED"], &table_rows));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
