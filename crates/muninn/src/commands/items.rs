//! `muninn items list|show`.

use std::process::ExitCode;

use muninn_index::{EntityMention, Gazetteer, extract_entities};
use muninn_model::Item;
use muninn_store::{ItemStore, ListQuery};
use serde_json::json;

use crate::cli::ItemsCommand;
use crate::config::Config;
use crate::{UsageError, output};

pub fn run(config: &Config, command: &ItemsCommand) -> anyhow::Result<ExitCode> {
    let backend = super::open_backend(config, true)?;
    let store = backend.store();
    match command {
        ItemsCommand::List { source, after, limit, json } => {
            let query = ListQuery { source: source.clone(), after_seq: *after, limit: *limit };
            let page = store.list(&query)?;
            let next = (page.len() as u32 == *limit).then(|| page.last().map(|s| s.seq)).flatten();
            if *json {
                let items: Vec<_> = page
                    .iter()
                    .map(|s| {
                        json!({
                            "seq": s.seq, "id": s.id.to_string(), "source": s.source.as_str(),
                            "collected_at": s.collected_at.to_string(),
                            "event_time": s.event_time.map(|t| t.to_string()),
                            "title": s.title, "lang": s.language, "tlp": s.tlp.label(),
                            "grade": s.grade.to_string(), "duplicates": s.duplicates,
                        })
                    })
                    .collect();
                output::print_json(&json!({ "items": items, "next": next }))?;
                return Ok(ExitCode::SUCCESS);
            }
            let rows: Vec<Vec<String>> = page
                .iter()
                .map(|s| {
                    vec![
                        s.seq.to_string(),
                        s.id.to_string(),
                        s.source.to_string(),
                        s.tlp.label().to_owned(),
                        s.grade.to_string(),
                        s.language.clone().unwrap_or_else(|| "-".to_owned()),
                        s.event_time.map_or_else(|| "-".to_owned(), |t| t.strftime("%Y-%m-%d").to_string()),
                        output::cut(s.title.as_deref().unwrap_or(""), 60),
                    ]
                })
                .collect();
            let mut text =
                output::table(&["SEQ", "ID", "SOURCE", "TLP", "GRADE", "LANG", "DATE", "TITLE"], &rows);
            if let Some(next) = next {
                text.push_str(&format!("more: muninn items list --after {next}\n"));
            }
            output::print(&text)?;
        }
        ItemsCommand::Show { id, raw, json } => {
            let Some(item) = store.item(id)? else {
                return Err(UsageError(format!("no item {id}")).into());
            };
            if *raw {
                let bytes =
                    store.raw(id)?.ok_or_else(|| UsageError(format!("item {id} kept no raw bytes")))?;
                let mut out = std::io::stdout().lock();
                std::io::Write::write_all(&mut out, &bytes)?;
                return Ok(ExitCode::SUCCESS);
            }
            if *json {
                let mut value = serde_json::to_value(&item)?;
                value["extracted"] = extracted_json(store, &item)?;
                output::print_json(&value)?;
                return Ok(ExitCode::SUCCESS);
            }
            // FIRST TLP 2.0 §2: the label comes directly before the information.
            let mut text = format!("{}\n", item.markings.tlp.label());
            text.push_str(&format!("id:        {}\n", item.id));
            text.push_str(&format!("source:    {}\n", item.source));
            text.push_str(&format!(
                "grade:     {} ({}, {})\n",
                item.grade,
                item.grade.reliability_meaning(),
                item.grade.credibility_meaning()
            ));
            text.push_str(&format!("collected: {}\n", item.collected_at));
            if let Some(time) = item.event_time {
                text.push_str(&format!("event:     {time}\n"));
            }
            if let Some(language) = &item.language {
                text.push_str(&format!("language:  {language}\n"));
            }
            text.push_str(&format!("hash:      sha256:{}\n", item.content_hash));
            if let Some(raw) = &item.raw {
                text.push_str(&format!("raw:       {} bytes of {}\n", raw.len, raw.media_type));
            }
            for (key, value) in &item.attributes {
                text.push_str(&format!("{key}: {value}\n"));
            }
            text.push('\n');
            if let Some(title) = &item.title {
                text.push_str(&format!("{title}\n\n"));
            }
            text.push_str(&item.body);
            text.push('\n');
            text.push_str(&found_in(store, &item)?);
            output::print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a mention is: the title or the body.
#[derive(Debug, Clone, Copy)]
enum Part {
    Title,
    Body,
}

impl Part {
    fn as_str(self) -> &'static str {
        match self {
            Part::Title => "title",
            Part::Body => "body",
        }
    }
}

/// The indicators and the gazetteer's entities in an item's title and body, as indexing finds
/// them, with their spans; indicators the stored warning lists match are reported apart.
struct Extracted {
    indicators: Vec<(Part, muninn_extract::Indicator)>,
    suppressed: Vec<(Part, muninn_extract::Suppressed)>,
    entities: Vec<(Part, EntityMention)>,
}

fn extract(store: &dyn ItemStore, item: &Item) -> anyhow::Result<Extracted> {
    let gazetteer: Gazetteer = super::entities::load_gazetteer(store)?;
    let (lists, _) = muninn_api::catalog::load_warning_lists(store)?;
    let extractor = muninn_extract::Extractor::new(muninn_extract::ExtractConfig::default(), lists);
    let parts = item
        .title
        .as_deref()
        .map(|title| (Part::Title, title))
        .into_iter()
        .chain([(Part::Body, item.body.as_str())]);
    let mut extracted = Extracted { indicators: Vec::new(), suppressed: Vec::new(), entities: Vec::new() };
    for (part, text) in parts {
        let found = extractor.extract(text);
        extracted.indicators.extend(found.indicators.into_iter().map(|found| (part, found)));
        extracted.suppressed.extend(found.suppressed.into_iter().map(|found| (part, found)));
        extracted.entities.extend(extract_entities(&gazetteer, text).into_iter().map(|found| (part, found)));
    }
    Ok(extracted)
}

fn extracted_json(store: &dyn ItemStore, item: &Item) -> anyhow::Result<serde_json::Value> {
    let extracted = extract(store, item)?;
    Ok(json!({
        "indicators": extracted.indicators.iter().map(|(part, found)| json!({
            "kind": found.kind.name(), "value": found.value, "in": part.as_str(),
            "span": [found.span.start, found.span.end], "defanged": found.defanged,
        })).collect::<Vec<_>>(),
        "suppressed": extracted.suppressed.iter().map(|(part, found)| json!({
            "kind": found.indicator.kind.name(), "value": found.indicator.value, "in": part.as_str(),
            "span": [found.indicator.span.start, found.indicator.span.end], "warning_list": found.list,
        })).collect::<Vec<_>>(),
        "entities": extracted.entities.iter().map(|(part, found)| json!({
            "entity": found.entity, "name": found.name, "form": found.form, "in": part.as_str(),
            "span": [found.span.start, found.span.end],
        })).collect::<Vec<_>>(),
    }))
}

/// The indicators and entities of an item, after its text.
fn found_in(store: &dyn ItemStore, item: &Item) -> anyhow::Result<String> {
    let extracted = extract(store, item)?;
    let mut text = String::new();
    if !extracted.indicators.is_empty() {
        text.push_str(&format!("\nindicators ({}):\n", extracted.indicators.len()));
        let rows: Vec<Vec<String>> = extracted
            .indicators
            .iter()
            .map(|(part, found)| {
                vec![
                    found.kind.name().to_owned(),
                    found.value.clone(),
                    format!("{} {}..{}", part.as_str(), found.span.start, found.span.end),
                    if found.defanged { "defanged".to_owned() } else { String::new() },
                ]
            })
            .collect();
        text.push_str(&output::table(&["KIND", "VALUE", "AT", ""], &rows));
    }
    if !extracted.suppressed.is_empty() {
        let values: Vec<String> = extracted
            .suppressed
            .iter()
            .map(|(_, found)| format!("{} ({})", found.indicator.value, found.list))
            .collect();
        text.push_str(&format!("\nknown benign, left out (warning lists): {}\n", values.join(", ")));
    }
    if !extracted.entities.is_empty() {
        text.push_str(&format!("\nentities ({}):\n", extracted.entities.len()));
        let rows: Vec<Vec<String>> = extracted
            .entities
            .iter()
            .map(|(part, found)| {
                vec![
                    found.name.clone(),
                    found.form.clone(),
                    format!("{} {}..{}", part.as_str(), found.span.start, found.span.end),
                    found.entity.clone(),
                ]
            })
            .collect();
        text.push_str(&output::table(&["ENTITY", "AS", "AT", "ID"], &rows));
    }
    Ok(text)
}
