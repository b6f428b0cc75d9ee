//! `muninn entity duplicates` and `muninn entity same-as`: entity resolution in the knowledge
//! base (see `muninn_stix::resolution`). Assertions are store documents (table `same_as`, one
//! per pair); objects are never changed, so withdrawing an assertion restores both exactly.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::Context;
use muninn_stix::{
    SAME_AS_TABLE, SameAs, Verdict, assertion_key, duplicate_suggestions, named_objects, same_as_groups,
    same_as_members,
};
use muninn_store::{Document, ItemStore};
use serde_json::{Value, json};

use super::graph::KnowledgeBase;
use crate::cli::{DuplicatesArgs, SameAsArgs};
use crate::config::Config;
use crate::output;

/// Every stored assertion.
pub fn load_assertions(store: &dyn ItemStore) -> anyhow::Result<Vec<SameAs>> {
    muninn_api::catalog::all_documents(store, SAME_AS_TABLE)?
        .into_iter()
        .map(|(key, value)| {
            serde_json::from_slice(&value)
                .with_context(|| format!("stored same-as assertion {key} does not decode"))
        })
        .collect()
}

/// What the accepted assertions add to one object's profile.
pub struct MergedView {
    /// The other objects of its group, each with the assertion that joined it (JSON).
    pub same_as: Value,
    /// Their names and aliases that the object itself does not carry.
    pub aliases: Vec<String>,
}

/// The merged view of `id`: the objects the accepted assertions make one with it.
pub fn merged_view(knowledge: &KnowledgeBase, assertions: &[SameAs], id: &str) -> MergedView {
    let own: BTreeSet<String> = knowledge
        .object(id)
        .map(|object| {
            std::iter::once(object.name().unwrap_or("").to_owned())
                .chain(muninn_stix::aliases(object))
                .map(|name| muninn_stix::fold_name(&name))
                .collect()
        })
        .unwrap_or_default();
    let mut aliases: Vec<String> = Vec::new();
    let mut seen = own;
    let mut same_as = Vec::new();
    for (member, joined) in same_as_members(assertions, &[id]) {
        let object = knowledge.object(member);
        same_as.push(json!({
            "id": member, "name": object.and_then(|o| o.name()),
            "type": object.map(|o| o.object_type()),
            "by": joined.by, "at": joined.at,
        }));
        if let Some(object) = object {
            for name in
                std::iter::once(object.name().unwrap_or("").to_owned()).chain(muninn_stix::aliases(object))
            {
                if !name.trim().is_empty() && seen.insert(muninn_stix::fold_name(&name)) {
                    aliases.push(name);
                }
            }
        }
    }
    MergedView { same_as: Value::Array(same_as), aliases }
}

/// `muninn entity duplicates`.
pub fn duplicates(
    store: &dyn ItemStore,
    knowledge: &KnowledgeBase,
    args: &DuplicatesArgs,
) -> anyhow::Result<ExitCode> {
    let assertions = load_assertions(store)?;
    let decided: BTreeSet<String> = assertions.iter().map(|a| assertion_key(&a.a, &a.b)).collect();
    let groups = same_as_groups(&assertions);
    let objects = named_objects(knowledge.objects(), &[]);
    let suggestions = duplicate_suggestions(&objects, &decided, &groups);
    let name_of = |id: &str| objects.iter().find(|o| o.id == id).map_or(String::new(), |o| o.name.clone());
    let shown: Vec<_> = suggestions.iter().take(args.limit).collect();
    if args.json {
        let values: Vec<Value> = shown
            .iter()
            .map(|s| {
                json!({
                    "a": s.a, "a_name": name_of(&s.a), "b": s.b, "b_name": name_of(&s.b),
                    "score": s.score, "method": s.method, "shared": s.shared,
                })
            })
            .collect();
        output::print_json(&json!({"suggestions": values, "total": suggestions.len()}))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|s| {
            vec![
                format!("{:.2}", s.score),
                format!("{} ({})", name_of(&s.a), s.a),
                format!("{} ({})", name_of(&s.b), s.b),
                format!("{}: {}", s.method, output::cut(&s.shared.join(", "), 60)),
            ]
        })
        .collect();
    let mut text = output::table(&["SCORE", "OBJECT", "PROBABLY THE SAME AS", "WHY"], &rows);
    text.push_str(&format!(
        "{} suggestion(s){}; decide with: muninn entity same-as ID ID [--reject]\n",
        suggestions.len(),
        if suggestions.len() > shown.len() { format!(", {} shown", shown.len()) } else { String::new() }
    ));
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `muninn entity same-as`.
pub fn same_as(config: &Config, args: &SameAsArgs) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, true)?;
    let knowledge = KnowledgeBase::load(&*store)?;
    let first = knowledge.resolve_one(&args.first, None)?.id().to_string();
    let second = knowledge.resolve_one(&args.second, None)?.id().to_string();
    if first == second {
        return Err(crate::UsageError(format!("{first} is one object already")).into());
    }
    let key = assertion_key(&first, &second);
    if args.undo {
        if store.document(SAME_AS_TABLE, &key)?.is_none() {
            return Err(crate::UsageError(format!("no assertion about {first} and {second}")).into());
        }
        store.put_documents(vec![Document::delete(SAME_AS_TABLE, &key)])?;
        if args.json {
            output::print_json(&json!({"withdrawn": key}))?;
        } else {
            output::print(&format!(
                "withdrew the assertion about {first} and {second}: both stand alone again\n"
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    // The suggestion's score and method, when the pair was one.
    let objects = named_objects(knowledge.objects(), &[]);
    let suggestion = duplicate_suggestions(&objects, &BTreeSet::new(), &Default::default())
        .into_iter()
        .find(|s| assertion_key(&s.a, &s.b) == key);
    let (a, b) = if first <= second { (first, second) } else { (second, first) };
    let assertion = SameAs {
        a,
        b,
        verdict: if args.reject { Verdict::Rejected } else { Verdict::Accepted },
        score: suggestion.as_ref().map_or(0.0, |s| s.score),
        method: suggestion.map_or_else(|| "analyst".to_owned(), |s| s.method.to_owned()),
        by: std::env::var("USER").ok().filter(|user| !user.is_empty()).unwrap_or_else(|| "local".to_owned()),
        at: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        note: args.note.clone(),
    };
    store.put_documents(vec![Document::put(SAME_AS_TABLE, &key, serde_json::to_vec(&assertion)?)])?;
    if args.json {
        output::print_json(&serde_json::to_value(&assertion)?)?;
    } else {
        let verdict = if args.reject { "are not" } else { "are" };
        output::print(&format!(
            "recorded: {} and {} {verdict} the same ({})\n",
            assertion.a, assertion.b, assertion.method
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
