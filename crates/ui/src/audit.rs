//! The audit page (administrators): the chain's verification and the latest entries.

use serde_json::Value;

use crate::layout::{self, Chrome, Section, list, n, s};

/// The audit page from the verification and the latest entries.
pub fn audit_page(chrome: &Chrome<'_>, verify: &Value, entries: &Value) -> String {
    layout::page(Some(chrome), Section::Audit, "Audit trail", None, |h| {
        h.el_text("h1", &[], "Audit trail");
        if verify.get("valid").and_then(Value::as_bool) == Some(true) {
            h.el_text(
                "div",
                &[("class", "notice ok"), ("role", "status")],
                &format!(
                    "The chain verifies: {} entries, each linked to the one before, up to the stored head.",
                    n(verify, "entries")
                ),
            );
        } else {
            h.el_text(
                "div",
                &[("class", "notice error"), ("role", "alert")],
                &format!("The chain DOES NOT verify: {}", s(verify, "problem")),
            );
        }
        h.el("table", &[("class", "grid audit")], |h| {
            h.el("tr", &[], |h| {
                for head in ["Seq", "At", "Actor", "Action", "Details", "Outcome", "Hash"] {
                    h.el_text("th", &[], head);
                }
            });
            for entry in list(entries, "entries") {
                h.el("tr", &[("class", "row")], |h| {
                    if let Some(problem) = entry.get("problem").and_then(Value::as_str) {
                        h.el_text("td", &[], s(entry, "key"));
                        h.el_text("td", &[("colspan", "6"), ("class", "error")], problem);
                        return;
                    }
                    let record = entry.get("record").cloned().unwrap_or(Value::Null);
                    h.el_text("td", &[("class", "mono")], &n(entry, "seq").to_string());
                    h.el_text("td", &[], &layout::minute(s(&record, "at")));
                    let actor = record.get("actor").cloned().unwrap_or(Value::Null);
                    let who = match s(&actor, "kind") {
                        "user" => format!("{} ({})", s(&actor, "user"), s(&actor, "org")),
                        other => other.to_owned(),
                    };
                    h.el_text("td", &[], &who);
                    h.el_text("td", &[], s(&record, "action"));
                    let details: Vec<String> = record
                        .as_object()
                        .map(|fields| {
                            fields
                                .iter()
                                .filter(|(key, _)| {
                                    !matches!(
                                        key.as_str(),
                                        "at" | "actor" | "outcome" | "action" | "request_id"
                                    )
                                })
                                .map(|(key, value)| match value.as_str() {
                                    Some(text) => format!("{key}: {text}"),
                                    None => format!("{key}: {value}"),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    h.el_text("td", &[("class", "details")], &details.join(" · "));
                    h.el_text("td", &[], s(&record, "outcome"));
                    h.el_text(
                        "td",
                        &[("class", "mono"), ("title", s(entry, "hash"))],
                        &s(entry, "hash").chars().take(12).collect::<String>(),
                    );
                });
            }
        });
    })
}
