//! What partners share as JSON documents: STIX 2.1 bundles (each report or note an item, with
//! the indicators and names it refers to in its text; `muninn_stix::report_texts`) and MISP
//! events (the event an item: every attribute as `type: value (comment)`; `muninn_misp`). The
//! objects themselves go to the knowledge base with `muninn import stix|misp`; ingest makes the
//! material searchable and screened like any other.

use serde_json::json;

use crate::readers::ReadContext;
use crate::readers::fields::parse_time;
use crate::{Diagnostic, Location, Record};

/// Which of the two a JSON document is: a MISP event has a top-level `Event` (a MISP API answer,
/// `{"response": ...}`, is taken as MISP too, so that the MISP parser says what it lacks rather
/// than the STIX one); anything else is read as a STIX bundle, whose parser names the problem.
pub(crate) fn is_misp_event(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = text.strip_prefix('{') else { return false };
    let rest = rest.trim_start();
    rest.starts_with("\"Event\"") || rest.starts_with("\"response\"")
}

/// The reports and notes of a STIX bundle as records; a report that fails its checks is a
/// diagnostic naming its position and id, and the others are read.
pub(crate) fn parse_stix(context: &ReadContext, bytes: &[u8]) -> Vec<Result<Record, Diagnostic>> {
    let config =
        muninn_stix::ImportConfig { max_object_bytes: context.limits.max_field_bytes, ..Default::default() };
    let (texts, skipped) = match muninn_stix::report_texts(bytes, &config) {
        Ok(read) => read,
        Err(error) => {
            return vec![Err(Diagnostic::new(
                &context.input,
                Location::File,
                format!("not a STIX 2.1 bundle: {error}"),
            ))];
        }
    };
    let mut results: Vec<Result<Record, Diagnostic>> = skipped
        .into_iter()
        .map(|skipped| {
            Err(Diagnostic::new(
                &context.input,
                Location::File,
                format!(
                    "object {} ({}) is refused: {}",
                    skipped.index,
                    skipped.id.as_deref().unwrap_or("no id"),
                    skipped.error
                ),
            ))
        })
        .collect();
    if texts.is_empty() && results.is_empty() {
        results.push(Err(Diagnostic::new(
            &context.input,
            Location::File,
            "the STIX bundle has no report or note",
        )));
    }
    for text in texts {
        if text.body.trim().is_empty() && text.title.trim().is_empty() {
            results.push(Err(Diagnostic::new(
                &context.input,
                Location::File,
                format!("{} has no text", text.id),
            )));
            continue;
        }
        let mut record = Record {
            body: if text.body.trim().is_empty() { text.title.clone() } else { text.body },
            title: (!text.title.is_empty()).then_some(text.title),
            event_time: text.published.as_deref().and_then(parse_time),
            language: text.lang,
            tlp: text.tlp,
            ..Record::default()
        };
        record.attributes.insert("stix_id".to_owned(), json!(text.id));
        results.push(Ok(record));
    }
    results
}

/// A MISP event as one record.
pub(crate) fn parse_misp(context: &ReadContext, bytes: &[u8]) -> Vec<Result<Record, Diagnostic>> {
    let event = match muninn_misp::parse_event(bytes) {
        Ok(event) => event,
        Err(error) => return vec![Err(Diagnostic::new(&context.input, Location::File, error.to_string()))],
    };
    let mapping = muninn_misp::to_stix(&event);
    let mut record = Record {
        title: (!mapping.title.is_empty()).then(|| mapping.title.clone()),
        body: if mapping.body.trim().is_empty() { mapping.title.clone() } else { mapping.body.clone() },
        event_time: event.date.as_deref().and_then(|date| parse_time(&format!("{date}T00:00:00Z"))),
        tlp: mapping.tlp,
        ..Record::default()
    };
    if record.body.trim().is_empty() {
        return vec![Err(Diagnostic::new(&context.input, Location::File, "the MISP event has no text"))];
    }
    record.attributes.insert("misp_event".to_owned(), json!(event.uuid));
    if let Some(org) = &event.orgc {
        record.attributes.insert("misp_org".to_owned(), json!(org.name));
    }
    vec![Ok(record)]
}
