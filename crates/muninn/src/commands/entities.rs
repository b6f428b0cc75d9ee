//! `muninn entities import|list|delete` and `muninn entity NAME`: the gazetteer (until the
//! knowledge base lands, imported lists of entities) and what the index knows about an entity.
//!
//! The gazetteer is kept in the store table `gazetteer`, one document per list (keyed by the
//! list's name). An entity's id is `LIST:ID`, the id the import gives it (a MISP cluster's uuid,
//! a UN reference number, a CSV `id`) prefixed with its list, so that lists never share ids.
//! The index finds the names of every stored list in every item; it records which gazetteer it
//! was built with and rebuilds itself when that changes, so an import or a delete reindexes.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use muninn_index::{Entity, Gazetteer, SearchIndex, Visibility};
use muninn_screen::import;
use muninn_screen::watchlist::EntryKind;
use muninn_store::{Document, ItemStore};
use serde::Deserialize;
use serde_json::json;

use super::correlate::day;
use crate::cli::{EntitiesCommand, EntitiesFormat, EntitiesImportArgs, EntityArgs};
use crate::config::Config;
use crate::{UsageError, output};

use muninn_api::catalog::EntityList;
pub use muninn_api::catalog::GAZETTEER_TABLE;

fn load_lists(store: &dyn ItemStore) -> anyhow::Result<Vec<EntityList>> {
    Ok(muninn_api::catalog::load_entity_lists(store)?)
}

/// The gazetteer of every stored list.
pub fn load_gazetteer(store: &dyn ItemStore) -> anyhow::Result<Gazetteer> {
    Ok(muninn_api::catalog::load_gazetteer(store)?)
}

/// The full-text index of a data directory with the stored gazetteer and warning lists (not
/// yet synced). Every
/// command that opens the index opens it so: one opened without the gazetteer would be rebuilt
/// without entities.
pub fn open_index(data_dir: &Path, store: &dyn ItemStore) -> anyhow::Result<SearchIndex> {
    open_index_in(&data_dir.join("index"), store)
}

/// [`open_index`] in a given directory (a cluster's index shard, say).
pub fn open_index_in(dir: &Path, store: &dyn ItemStore) -> anyhow::Result<SearchIndex> {
    let (lists, fingerprint) = muninn_api::catalog::load_warning_lists(store)?;
    Ok(SearchIndex::open_with(dir, load_gazetteer(store)?)?.with_warning_lists(lists, fingerprint))
}

/// What [`store_list`] stored.
#[derive(Debug)]
pub struct StoredList {
    /// The list's new version.
    pub version: u64,
    /// Entities stored.
    pub entities: usize,
    /// Their kind.
    pub kind: String,
    /// Records left out or changed by the import, and names that cannot be matched.
    pub warnings: Vec<String>,
    /// Names that are common words, each with how the index uses it (tagged only as written,
    /// or only looked up).
    pub common_words: Vec<String>,
}

/// Imports a list of entities from `bytes` in `format` and stores it as list `name` (replacing
/// a list of that name). `kind` defaults to a MISP galaxy's type, else `unspecified`. The index
/// is not touched: its next sync rebuilds it with the new gazetteer.
pub fn store_list(
    store: &mut dyn ItemStore,
    name: &str,
    format: EntitiesFormat,
    bytes: &[u8],
    kind: Option<&str>,
) -> anyhow::Result<StoredList> {
    let imported = match format {
        EntitiesFormat::MispGalaxy => import::misp_galaxy(bytes),
        EntitiesFormat::Un => import::un_consolidated(bytes),
        EntitiesFormat::Ofac => import::ofac_sdn(bytes, None),
        EntitiesFormat::Csv => import::csv(bytes),
    }
    .map_err(|error| UsageError(error.to_string()))?;
    let kind = match (kind, format) {
        (Some(kind), _) => kind.to_owned(),
        (None, EntitiesFormat::MispGalaxy) => galaxy_type(bytes).unwrap_or_else(|| "unspecified".to_owned()),
        (None, _) => "unspecified".to_owned(),
    };
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    let mut entities = Vec::with_capacity(imported.entries.len());
    let mut left_out = Vec::new();
    for entry in imported.entries {
        match entry.kind {
            EntryKind::Name { name: entity_name, aliases } => entities.push(Entity {
                id: format!("{name}:{}", entry.id),
                name: entity_name,
                aliases,
                kind: kind.clone(),
            }),
            other => left_out.push(format!(
                "{}: a {} entry, not a name; a gazetteer holds only names, it is left out",
                entry.id,
                other.as_str()
            )),
        }
    }
    let format = clap::ValueEnum::to_possible_value(&format)
        .map_or_else(String::new, |value| value.get_name().to_owned());
    let mut stored =
        store_entities(store, name, &format, entities, warnings.into_iter().chain(left_out).collect())?;
    stored.kind = kind;
    Ok(stored)
}

/// Stores `entities` as list `name` in `format` (replacing a list of that name, its version
/// raised), with `warnings` and the gazetteer's own about names that cannot be matched. Their
/// kind is the first entity's. The index is not touched: its next sync rebuilds it.
pub fn store_entities(
    store: &mut dyn ItemStore,
    name: &str,
    format: &str,
    entities: Vec<Entity>,
    mut warnings: Vec<String>,
) -> anyhow::Result<StoredList> {
    let kind = entities.first().map_or_else(|| "unspecified".to_owned(), |entity| entity.kind.clone());
    let (gazetteer, gazetteer_warnings) = Gazetteer::new(entities.clone());
    warnings.extend(gazetteer_warnings.iter().map(ToString::to_string));
    let common_words = gazetteer
        .guarded_names()
        .map(|(entity, name, tagging)| {
            format!("{} ({}): {name:?} is {}", entity.name, entity.id, tagging.describe())
        })
        .collect();
    let version = match store.document(GAZETTEER_TABLE, name)? {
        Some(previous) => {
            let previous: EntityList = serde_json::from_slice(&previous)
                .with_context(|| format!("stored entity list {name:?} does not decode"))?;
            previous.version + 1
        }
        None => 1,
    };
    let count = entities.len();
    let list = EntityList { name: name.to_owned(), format: format.to_owned(), version, entities };
    store.put_documents(vec![Document::put(GAZETTEER_TABLE, name, serde_json::to_vec(&list)?)])?;
    Ok(StoredList { version, entities: count, kind, warnings, common_words })
}

pub fn run(config: &Config, command: &EntitiesCommand) -> anyhow::Result<ExitCode> {
    match command {
        EntitiesCommand::Import(args) => import_list(config, args),
        EntitiesCommand::List { entities, json } => list(config, *entities, *json),
        EntitiesCommand::FromKnowledge { name, selection } => {
            super::graph::entities_from_knowledge(config, name, selection)
        }
        EntitiesCommand::Delete { name } => {
            let mut store = super::open_backend(config, true)?;
            if store.document(GAZETTEER_TABLE, name)?.is_none() {
                return Err(UsageError(format!("no entity list named {name:?}")).into());
            }
            store.put_documents(vec![Document::delete(GAZETTEER_TABLE, name)])?;
            let reindexed = reindex_after_change(config, &store)?;
            output::print(&format!("deleted entity list {name}; {}\n", reindexed_text(reindexed)))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn import_list(config: &Config, args: &EntitiesImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = super::list_name(args.name.as_deref(), &args.file, "entities");
    let mut store = super::open_backend(config, false)?;
    let stored = store_list(&mut *store, &name, args.format, &bytes, args.kind.as_deref())
        .with_context(|| args.file.display().to_string())?;
    let reindexed = reindex_after_change(config, &store)?;
    print_stored(&name, &stored, reindexed, args.json)
}

/// After the gazetteer changed: the data directory's index rebuilt with it now (the items it
/// indexed again), or on a cluster `None`: its index workers notice and rebuild their shards.
pub fn reindex_after_change(config: &Config, store: &super::Backend) -> anyhow::Result<Option<u64>> {
    match store {
        // The index records the gazetteer it was built with: syncing now rebuilds it.
        super::Backend::Embedded(store) => {
            Ok(Some(open_index(&config.data_dir, store)?.sync(store)?.indexed))
        }
        super::Backend::Cluster(_) => Ok(None),
    }
}

fn reindexed_text(reindexed: Option<u64>) -> String {
    match reindexed {
        Some(count) => format!("reindexed {count} items"),
        None => "the index workers rebuild their shards with it".to_owned(),
    }
}

/// Says what [`store_list`] or [`store_entities`] stored and how many items were reindexed.
pub fn print_stored(
    name: &str,
    stored: &StoredList,
    reindexed: Option<u64>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let StoredList { version, entities, kind, warnings, common_words } = stored;
    if as_json {
        output::print_json(&json!({
            "list": name, "version": version, "entities": entities, "kind": kind,
            "warnings": warnings, "common_words": common_words, "reindexed": reindexed,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for warning in warnings.iter().take(50) {
        eprintln!("warning: {warning}");
    }
    if warnings.len() > 50 {
        eprintln!("warning: ... and {} more", warnings.len() - 50);
    }
    let mut text = format!(
        "stored entity list {name} (version {version}): {entities} {kind} entities; {}\n",
        reindexed_text(reindexed)
    );
    if !common_words.is_empty() {
        text.push_str(&format!(
            "{} one-word names are common words and tag items only with care (--json lists them all):\n",
            common_words.len()
        ));
        for line in common_words.iter().take(10) {
            text.push_str(&format!("  {line}\n"));
        }
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The `type` of a MISP galaxy cluster file (`threat-actor`, `tool`...).
fn galaxy_type(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Galaxy {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let galaxy: Galaxy = serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    galaxy.kind.filter(|kind| !kind.trim().is_empty())
}

fn list(config: &Config, with_entities: bool, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_backend(config, true)?;
    let lists = load_lists(&*store)?;
    if as_json {
        let lists: Vec<_> = lists
            .iter()
            .map(|list| {
                let mut value = json!({
                    "name": list.name, "format": list.format, "version": list.version,
                    "entities": list.entities.len(),
                });
                if with_entities {
                    value["entities"] = serde_json::to_value(&list.entities).unwrap_or_default();
                }
                value
            })
            .collect();
        output::print_json(&json!({ "lists": lists }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = lists
        .iter()
        .map(|list| {
            vec![
                list.name.clone(),
                list.version.to_string(),
                list.entities.len().to_string(),
                list.format.clone(),
            ]
        })
        .collect();
    let mut text = output::table(&["LIST", "VERSION", "ENTITIES", "FORMAT"], &rows);
    if with_entities {
        let rows: Vec<Vec<String>> = lists
            .iter()
            .flat_map(|list| &list.entities)
            .map(|entity| {
                vec![
                    entity.id.clone(),
                    entity.kind.clone(),
                    entity.name.clone(),
                    output::cut(&entity.aliases.join(", "), 80),
                ]
            })
            .collect();
        text.push('\n');
        text.push_str(&output::table(&["ID", "KIND", "NAME", "ALIASES"], &rows));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `muninn entity NAME`: the items that name an entity, as `muninn indicator` does for an
/// indicator.
pub fn entity(config: &Config, args: &EntityArgs) -> anyhow::Result<ExitCode> {
    if let Some(command) = &args.graph {
        return super::graph::run(config, command);
    }
    let Some(name) = args.name.as_deref() else {
        return Err(UsageError("muninn entity needs a NAME or a subcommand".to_owned()).into());
    };
    let (store, index) = super::store_and_index(config)?;
    // The local command line is run by the data directory's owner, who may see everything.
    let visibility = Visibility::everything();
    let summary = match index.entity_summary(name, &visibility, args.limit) {
        Err(error @ muninn_index::IndexError::UnknownEntity(_)) => {
            return Err(UsageError(error.to_string()).into());
        }
        other => other?,
    };
    let mut recent = Vec::with_capacity(summary.recent.len());
    for mention in &summary.recent {
        recent.push((mention, store.item(&mention.id)?));
    }
    if args.json {
        let items: Vec<_> = recent
            .iter()
            .map(|(mention, item)| {
                json!({
                    "id": mention.id.to_string(), "seq": mention.seq,
                    "date": mention.date.map(|t| t.to_string()),
                    "title": item.as_ref().and_then(|i| i.title.clone()),
                    "source": item.as_ref().map(|i| i.source.to_string()),
                    "tlp": item.as_ref().map(|i| i.markings.tlp.label()),
                })
            })
            .collect();
        output::print_json(&json!({
            "entities": summary.entities,
            "count": summary.count,
            "first_seen": summary.first_seen.map(|t| t.to_string()),
            "last_seen": summary.last_seen.map(|t| t.to_string()),
            "sources": summary.sources.iter().map(|(name, n)| json!([name, n])).collect::<Vec<_>>(),
            "recent": items,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> =
        summary.entities.iter().map(|e| format!("{} ({}, {})", e.name, e.kind, e.id)).collect();
    let mut text = format!(
        "{}: {} item(s), first seen {}, last seen {}\n",
        names.join("; "),
        summary.count,
        day(summary.first_seen),
        day(summary.last_seen)
    );
    if summary.entities.len() > 1 {
        text.push_str(&format!(
            "{:?} names {} entities; items naming any of them are counted\n",
            name,
            summary.entities.len()
        ));
    }
    if let [only] = summary.entities.as_slice()
        && !only.aliases.is_empty()
    {
        text.push_str(&format!("also known as: {}\n", output::cut(&only.aliases.join(", "), 200)));
    }
    super::correlate::print_mentions(text, &summary.sources, &recent)
}
