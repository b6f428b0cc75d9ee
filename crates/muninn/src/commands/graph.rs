//! The knowledge base as a graph of entities: `muninn entity profile|neighbourhood|path|
//! communities` over the stored STIX objects (table `stix_object`; a profile also shows the
//! timeline of the items that mention the object, by `muninn_api::timeline`, the function the
//! entity page uses, and the incidents it took part in), and the knowledge base's
//! names as an entity list (`muninn entities from-knowledge`) or a watchlist (`muninn watchlist
//! from-knowledge`). The graph algorithms and the name lookup are `muninn_stix`'s; this module
//! loads, resolves names to objects and prints.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;
use muninn_index::{Entity, SearchIndex, Visibility};
use muninn_model::Tlp;
use muninn_screen::watchlist::{Entry, EntryKind, Severity};
use muninn_stix::{
    Graph, IncidentRole, LATEST_TABLE, NameIndex, NamedObject, Neighbourhood, Profile, StixObject,
    StoredIncident, TraversalConfig, named_objects, profile,
};
use muninn_store::ItemStore;
use serde_json::{Value, json};

use crate::cli::{EntityGraphCommand, FromKnowledgeArgs, GraphArgs, PathArgs};
use crate::config::Config;
use crate::{UsageError, output};

/// The stored knowledge base: the latest version of every object, its graph and its names.
pub struct KnowledgeBase {
    objects: BTreeMap<String, StixObject>,
    graph: Graph,
    names: NameIndex,
}

/// The knowledge base's stored objects (latest versions) by id, without the graph and name
/// index that [`KnowledgeBase::load`] builds over them.
pub fn stored_objects(store: &dyn ItemStore) -> anyhow::Result<BTreeMap<String, StixObject>> {
    let mut objects = BTreeMap::new();
    for (key, value) in muninn_api::catalog::all_documents(store, LATEST_TABLE)? {
        let text = String::from_utf8(value).with_context(|| format!("stored object {key} is not UTF-8"))?;
        let object =
            StixObject::from_json(&text).with_context(|| format!("stored object {key} does not parse"))?;
        objects.insert(key, object);
    }
    Ok(objects)
}

impl KnowledgeBase {
    /// Reads every stored object (a stored object that does not parse is an error naming it:
    /// its import checked it).
    pub fn load(store: &dyn ItemStore) -> anyhow::Result<KnowledgeBase> {
        let objects = stored_objects(store)?;
        let graph = Graph::build(objects.values());
        let names = NameIndex::build(&named_objects(objects.values(), &[]));
        Ok(KnowledgeBase { objects, graph, names })
    }

    /// The stored objects.
    pub fn objects(&self) -> impl Iterator<Item = &StixObject> {
        self.objects.values()
    }

    /// The stored object with this id.
    pub fn object(&self, id: &str) -> Option<&StixObject> {
        self.objects.get(id)
    }

    /// The objects `name` designates: a stored id, else every object with that name or alias
    /// (of `object_type` when given).
    pub fn resolve(&self, name: &str, object_type: Option<&str>) -> Vec<&StixObject> {
        if let Some(object) = self.objects.get(name.trim()) {
            return vec![object];
        }
        self.names
            .lookup(name)
            .iter()
            .filter_map(|id| self.objects.get(id))
            .filter(|object| object_type.is_none_or(|wanted| object.object_type() == wanted))
            .collect()
    }

    /// The object `name` names and every object within `depth` steps of it, with the
    /// relationship objects of the edges between them, in id order.
    pub fn neighbourhood_objects(
        &self,
        name: &str,
        object_type: Option<&str>,
        depth: u8,
    ) -> anyhow::Result<Vec<&StixObject>> {
        let start = self.resolve_one(name, object_type)?;
        let around = self
            .graph
            .neighbourhood(start.id().as_str(), &traversal(depth, TraversalConfig::default().hub_degree))
            .ok_or_else(|| anyhow::anyhow!("{} is stored but not in the graph", start.id()))?;
        let mut ids: Vec<&str> = around.nodes().map(|(id, _)| id).collect();
        ids.extend(around.edges().filter_map(|edge| edge.relationship));
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.into_iter().filter_map(|id| self.objects.get(id)).collect())
    }

    /// The one object `name` designates, or a usage error saying why there is not one.
    pub fn resolve_one(&self, name: &str, object_type: Option<&str>) -> anyhow::Result<&StixObject> {
        let found = self.resolve(name, object_type);
        match found.as_slice() {
            [one] => Ok(one),
            [] => {
                let of_type = object_type.map_or_else(String::new, |kind| format!(" of type {kind}"));
                Err(UsageError(format!(
                    "no knowledge-base object{of_type} named {name:?} ({} objects stored; muninn import stix|misp|incidents adds them)",
                    self.objects.len()
                ))
                .into())
            }
            many => {
                let listed: Vec<String> =
                    many.iter().map(|object| self.describe(object.id().as_str())).collect();
                Err(UsageError(format!(
                    "{name:?} names {} objects: {}; give an id or --type",
                    many.len(),
                    listed.join(", ")
                ))
                .into())
            }
        }
    }

    /// `NAME (TYPE, ID)`, or the id alone for an id that is only referenced.
    fn describe(&self, id: &str) -> String {
        match self.objects.get(id) {
            Some(object) => {
                format!("{} ({}, {id})", object.name().unwrap_or("(no name)"), object.object_type())
            }
            None => format!("{id} (not in the knowledge base)"),
        }
    }

    fn node_json(&self, id: &str) -> Value {
        let object = self.objects.get(id);
        json!({
            "id": id,
            "type": object.map(StixObject::object_type).or_else(|| id.split_once("--").map(|(kind, _)| kind)),
            "name": object.and_then(StixObject::name),
            "stored": object.is_some(),
        })
    }
}

pub fn run(config: &Config, command: &EntityGraphCommand) -> anyhow::Result<ExitCode> {
    let store = super::open_backend(config, true)?;
    let knowledge = KnowledgeBase::load(&*store)?;
    match command {
        EntityGraphCommand::Profile(args) => {
            let index = super::index_of(config, &store)?;
            let assertions = super::resolution::load_assertions(&*store)?;
            print_profiles(&knowledge, &index, &assertions, args)
        }
        EntityGraphCommand::Duplicates(args) => super::resolution::duplicates(&*store, &knowledge, args),
        EntityGraphCommand::SameAs(args) => {
            drop(knowledge);
            drop(store);
            super::resolution::same_as(config, args)
        }
        EntityGraphCommand::Neighbourhood(args) => neighbourhood(&knowledge, args),
        EntityGraphCommand::Path(args) => path(&knowledge, args),
        EntityGraphCommand::Communities(args) => communities(&knowledge, args),
    }
}

fn traversal(depth: u8, hub_degree: usize) -> TraversalConfig {
    TraversalConfig { depth: usize::from(depth), hub_degree }
}

/// The object `args` names and its neighbourhood to `args.depth`.
fn around_named<'a>(
    knowledge: &'a KnowledgeBase,
    args: &GraphArgs,
) -> anyhow::Result<(&'a StixObject, Neighbourhood<'a>)> {
    let start = knowledge.resolve_one(&args.name, args.object_type.as_deref())?;
    let around = knowledge
        .graph
        .neighbourhood(start.id().as_str(), &traversal(args.depth, args.hub_degree))
        .ok_or_else(|| anyhow::anyhow!("{} is stored but not in the graph", start.id()))?;
    Ok((start, around))
}

fn profile_json(knowledge: &KnowledgeBase, profile: &Profile) -> Value {
    json!({
        "id": profile.id, "type": profile.object_type, "name": profile.name, "aliases": profile.aliases,
        "description": profile.description, "created": profile.created, "modified": profile.modified,
        "tlp": profile.tlp.map(Tlp::label), "retired": profile.retired,
        "references": profile.references.iter().map(|(source, external_id, url)| {
            json!({"source_name": source, "external_id": external_id, "url": url})
        }).collect::<Vec<_>>(),
        "links": profile.links.iter().map(|link| json!({
            "label": link.label, "direction": if link.outgoing { "out" } else { "in" },
            "relationship": link.relationship, "other": knowledge.node_json(&link.other),
        })).collect::<Vec<_>>(),
    })
}

/// What a profile adds from outside the graph: the mentions of the object in the items and
/// the incidents it took part in.
struct Activity<'a> {
    /// The gazetteer name the timeline was counted under, and the counts per day; `None` when
    /// no name or alias of the object is in the gazetteer.
    timeline: Option<(String, muninn_api::timeline::Timeline)>,
    /// Incidents in which the object is the actor or a target, newest first.
    incidents: Vec<(StoredIncident, IncidentRole, &'a StixObject)>,
}

fn activity<'a>(
    knowledge: &'a KnowledgeBase,
    index: &SearchIndex,
    profile: &Profile,
) -> anyhow::Result<Activity<'a>> {
    let names: Vec<&str> =
        profile.name.as_deref().into_iter().chain(profile.aliases.iter().map(String::as_str)).collect();
    // The local command line is run by the data directory's owner, who may see everything.
    let visibility = Visibility::everything();
    let mut timeline = None;
    for name in &names {
        if let Some(days) = muninn_api::timeline::entity_timeline(index, name, &visibility)? {
            timeline = Some(((*name).to_owned(), days));
            break;
        }
    }
    let mut incidents: Vec<(StoredIncident, IncidentRole, &StixObject)> = knowledge
        .objects()
        .filter_map(|object| {
            let incident = StoredIncident::read(object)?;
            let role = incident.role_of(&[profile.id.as_str()], &names)?;
            Some((incident, role, object))
        })
        .collect();
    incidents.sort_by(|a, b| b.0.date.cmp(&a.0.date).then_with(|| a.0.id.cmp(&b.0.id)));
    Ok(Activity { timeline, incidents })
}

fn activity_json(activity: &Activity<'_>) -> (Value, Value) {
    let timeline = activity.timeline.as_ref().map(|(name, days)| {
        let pairs = |key: &str, list: &[(String, u64)]| -> Vec<Value> {
            list.iter().map(|(day, count)| json!({key: day, "count": count})).collect()
        };
        json!({
            "entity": name, "items": days.iter().map(|(_, n)| n).sum::<u64>(),
            "days": pairs("day", days), "weeks": pairs("week", &muninn_api::timeline::by_week(days)),
        })
    });
    let incidents = activity
        .incidents
        .iter()
        .map(|(incident, role, object)| {
            let mut value = incident.to_json();
            value["role"] = json!(role.as_str());
            value["tlp"] = json!(object.tlp().map(Tlp::label));
            value
        })
        .collect();
    (timeline.unwrap_or(Value::Null), Value::Array(incidents))
}

/// Most weeks of a timeline printed as text (the latest ones; `--json` has them all).
const TEXT_WEEKS: usize = 26;

fn activity_text(text: &mut String, activity: &Activity<'_>) {
    match &activity.timeline {
        None => text.push_str(
            "  mentions: not in the gazetteer (muninn entities from-knowledge adds the knowledge base's names)\n",
        ),
        Some((name, days)) => {
            let weeks = muninn_api::timeline::by_week(days);
            let items: u64 = days.iter().map(|(_, n)| n).sum();
            text.push_str(&format!(
                "  mentions (entity:{name:?}): {items} item(s) on {} day(s), by week:\n",
                days.len()
            ));
            if weeks.len() > TEXT_WEEKS {
                text.push_str(&format!("    ({} earlier week(s) not shown; --json has them)\n", weeks.len() - TEXT_WEEKS));
            }
            let max = weeks.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
            for (week, count) in weeks.iter().skip(weeks.len().saturating_sub(TEXT_WEEKS)) {
                // A bar of at most 40 marks, at least one for a week with mentions.
                let bar = "#".repeat(((count * 40).div_ceil(max)).max(1) as usize);
                text.push_str(&format!("    {week} {count:>6} {bar}\n"));
            }
        }
    }
    text.push_str(&format!("  {} incident(s)\n", activity.incidents.len()));
    for (incident, role, _) in &activity.incidents {
        let country = incident.country.as_deref().map_or_else(String::new, |code| format!(" [{code}]"));
        text.push_str(&format!(
            "    {} {}{country} ({}, {})\n",
            incident.day(),
            incident.name,
            role.as_str(),
            incident.id
        ));
    }
}

fn print_profiles(
    knowledge: &KnowledgeBase,
    index: &SearchIndex,
    assertions: &[muninn_stix::SameAs],
    args: &GraphArgs,
) -> anyhow::Result<ExitCode> {
    let found = knowledge.resolve(&args.name, args.object_type.as_deref());
    if found.is_empty() {
        knowledge.resolve_one(&args.name, args.object_type.as_deref())?;
    }
    let profiles: Vec<Profile> = found.iter().map(|object| profile(object, &knowledge.graph)).collect();
    let activities: Vec<Activity<'_>> =
        profiles.iter().map(|p| activity(knowledge, index, p)).collect::<anyhow::Result<_>>()?;
    if args.json {
        let values: Vec<Value> = profiles
            .iter()
            .zip(&activities)
            .map(|(p, activity)| {
                let mut value = profile_json(knowledge, p);
                let (timeline, incidents) = activity_json(activity);
                value["timeline"] = timeline;
                value["incidents"] = incidents;
                let merged = super::resolution::merged_view(knowledge, assertions, &p.id);
                value["same_as"] = merged.same_as;
                value["merged_aliases"] = json!(merged.aliases);
                value
            })
            .collect();
        output::print_json(&json!({ "profiles": values }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (profile, activity) in profiles.iter().zip(&activities) {
        text.push_str(&format!(
            "{} ({}, {}){}\n",
            profile.name.as_deref().unwrap_or("(no name)"),
            profile.object_type,
            profile.id,
            if profile.retired { " [revoked or deprecated]" } else { "" }
        ));
        if let Some(tlp) = profile.tlp {
            text.push_str(&format!("  marking: {}\n", tlp.label()));
        }
        if !profile.aliases.is_empty() {
            text.push_str(&format!("  also known as: {}\n", output::cut(&profile.aliases.join(", "), 200)));
        }
        if let (Some(created), Some(modified)) = (&profile.created, &profile.modified) {
            text.push_str(&format!("  created {created}, modified {modified}\n"));
        }
        if let Some(description) = &profile.description {
            text.push_str(&format!("  {}\n", output::cut(description, 300)));
        }
        for (source, external_id, url) in &profile.references {
            let parts: Vec<&str> = [Some(source.as_str()), external_id.as_deref(), url.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            text.push_str(&format!("  reference: {}\n", parts.join(" ")));
        }
        let relationships = profile.links.iter().filter(|link| link.relationship.is_some()).count();
        text.push_str(&format!(
            "  {relationships} relationship(s), {} reference(s)\n",
            profile.links.len() - relationships
        ));
        for link in &profile.links {
            let arrow =
                if link.outgoing { format!("-[{}]->", link.label) } else { format!("<-[{}]-", link.label) };
            text.push_str(&format!("    {arrow} {}\n", knowledge.describe(&link.other)));
        }
        let merged = super::resolution::merged_view(knowledge, assertions, &profile.id);
        for other in merged.same_as.as_array().into_iter().flatten() {
            text.push_str(&format!(
                "  same as: {} ({}), accepted by {} on {}\n",
                other["name"].as_str().unwrap_or("(no name)"),
                other["id"].as_str().unwrap_or(""),
                other["by"].as_str().unwrap_or(""),
                other["at"].as_str().unwrap_or("")
            ));
        }
        if !merged.aliases.is_empty() {
            text.push_str(&format!(
                "  with them also known as: {}\n",
                output::cut(&merged.aliases.join(", "), 200)
            ));
        }
        activity_text(&mut text, activity);
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn neighbourhood(knowledge: &KnowledgeBase, args: &GraphArgs) -> anyhow::Result<ExitCode> {
    let (start, around) = around_named(knowledge, args)?;
    if args.json {
        let nodes: Vec<Value> = around
            .nodes()
            .map(|(id, depth)| {
                let mut node = knowledge.node_json(id);
                node["depth"] = json!(depth);
                node
            })
            .collect();
        let edges: Vec<Value> = around
            .edges()
            .map(|edge| json!({"source": edge.source, "target": edge.target, "label": edge.label, "relationship": edge.relationship}))
            .collect();
        output::print_json(
            &json!({"start": start.id().as_str(), "depth": args.depth, "nodes": nodes, "edges": edges}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{}: {} object(s), {} edge(s) within {} step(s)\n",
        knowledge.describe(start.id().as_str()),
        around.len(),
        around.edges().count(),
        args.depth
    );
    for (id, depth) in around.nodes().skip(1) {
        text.push_str(&format!("  {depth} {}\n", knowledge.describe(id)));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn path(knowledge: &KnowledgeBase, args: &PathArgs) -> anyhow::Result<ExitCode> {
    let from = knowledge.resolve_one(&args.from, None)?;
    let to = knowledge.resolve_one(&args.to, None)?;
    let config = traversal(args.depth, args.hub_degree);
    let found = knowledge.graph.shortest_path(from.id().as_str(), to.id().as_str(), &config);
    let Some(found) = found else {
        if args.json {
            output::print_json(&json!({"from": from.id().as_str(), "to": to.id().as_str(), "path": null}))?;
        } else {
            output::print(&format!(
                "no path of at most {} edges from {} to {}\n",
                args.depth,
                knowledge.describe(from.id().as_str()),
                knowledge.describe(to.id().as_str())
            ))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    if args.json {
        let steps: Vec<Value> = found
            .edges
            .iter()
            .map(|edge| json!({"source": edge.source, "target": edge.target, "label": edge.label, "relationship": edge.relationship}))
            .collect();
        let nodes: Vec<Value> = found.nodes.iter().map(|id| knowledge.node_json(id)).collect();
        output::print_json(
            &json!({"from": from.id().as_str(), "to": to.id().as_str(), "length": found.edges.len(), "nodes": nodes, "edges": steps}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!("path of {} edge(s):\n", found.edges.len());
    text.push_str(&format!("  {}\n", knowledge.describe(found.nodes[0])));
    for (edge, node) in found.edges.iter().zip(found.nodes.iter().skip(1)) {
        let arrow = if edge.target == *node {
            format!("-[{}]->", edge.label)
        } else {
            format!("<-[{}]-", edge.label)
        };
        text.push_str(&format!("  {arrow} {}\n", knowledge.describe(node)));
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn communities(knowledge: &KnowledgeBase, args: &GraphArgs) -> anyhow::Result<ExitCode> {
    let (start, around) = around_named(knowledge, args)?;
    let found = around.communities();
    if args.json {
        let values: Vec<Value> = found
            .iter()
            .map(|members| Value::Array(members.iter().map(|id| knowledge.node_json(id)).collect()))
            .collect();
        output::print_json(&json!({
            "start": start.id().as_str(), "depth": args.depth, "nodes": around.len(),
            "algorithm": "label propagation, id order, ties keep the current label else the smallest, at most 50 rounds",
            "communities": values,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{} communities among the {} object(s) within {} step(s) of {}\n",
        found.len(),
        around.len(),
        args.depth,
        knowledge.describe(start.id().as_str())
    );
    for (number, members) in found.iter().enumerate() {
        text.push_str(&format!("community {} ({} objects):\n", number + 1, members.len()));
        for id in members {
            text.push_str(&format!("  {}\n", knowledge.describe(id)));
        }
    }
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The named objects of the selected types; an empty selection or a type no object has is a
/// usage error (a typo would otherwise make an empty list).
fn selected(store: &dyn ItemStore, selection: &FromKnowledgeArgs) -> anyhow::Result<Vec<NamedObject>> {
    let types: Vec<&str> =
        selection.types.iter().map(|kind| kind.trim()).filter(|kind| !kind.is_empty()).collect();
    if types.is_empty() {
        return Err(UsageError("--types names no object type".to_owned()).into());
    }
    for kind in &types {
        if let Err(error) = muninn_stix::check_type_name(kind) {
            return Err(UsageError(format!("--types: {kind:?} is not a STIX type name: {error}")).into());
        }
    }
    let knowledge = KnowledgeBase::load(store)?;
    let named = named_objects(knowledge.objects(), &types);
    if named.is_empty() {
        return Err(UsageError(format!(
            "the knowledge base has no named object of type {} ({} objects stored)",
            types.join(", "),
            knowledge.objects.len()
        ))
        .into());
    }
    Ok(named)
}

/// `muninn entities from-knowledge`: the names as an entity list of the gazetteer.
pub fn entities_from_knowledge(
    config: &Config,
    name: &str,
    selection: &FromKnowledgeArgs,
) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, true)?;
    let named = selected(&*store, selection)?;
    let entities: Vec<Entity> = named
        .iter()
        .map(|object| Entity {
            id: format!("{name}:{}", object.id),
            name: object.name.clone(),
            aliases: object.aliases.clone(),
            kind: object.object_type.clone(),
        })
        .collect();
    let mut stored = super::entities::store_entities(&mut *store, name, "stix", entities, Vec::new())?;
    stored.kind = selection.types.join(", ");
    let reindexed = super::entities::reindex_after_change(config, &store)?;
    super::entities::print_stored(name, &stored, reindexed, selection.json)
}

/// `muninn watchlist from-knowledge`: the names as a watchlist, one name entry per object.
pub fn watchlist_from_knowledge(
    config: &Config,
    name: &str,
    owner: &str,
    tlp_floor: Tlp,
    selection: &FromKnowledgeArgs,
) -> anyhow::Result<ExitCode> {
    let mut store = super::open_backend(config, true)?;
    let named = selected(&*store, selection)?;
    // Never marked lower than what it is made of.
    let tlp = named.iter().map(|object| object.tlp.unwrap_or(Tlp::AmberStrict)).fold(tlp_floor, Tlp::max);
    let entries: Vec<Entry> = named
        .iter()
        .map(|object| Entry {
            id: object.id.clone(),
            kind: EntryKind::Name { name: object.name.clone(), aliases: object.aliases.clone() },
            severity: Severity::default(),
            note: format!("{} from the knowledge base", object.object_type),
        })
        .collect();
    let (list, warnings) = super::screen::store_watchlist(&mut *store, name, owner, tlp, entries)?;
    if selection.json {
        output::print_json(&json!({
            "watchlist": name, "version": list.version, "entries": list.entries.len(),
            "tlp": list.tlp.label(), "compile_warnings": warnings,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    for warning in warnings.iter().take(50) {
        eprintln!("warning: {warning}");
    }
    output::print(&format!(
        "watchlist {name} version {}: {} entries from the knowledge base, marked {}{}\n",
        list.version,
        list.entries.len(),
        list.tlp.label(),
        if list.tlp > tlp_floor { " (raised to the most restrictive of its objects)" } else { "" }
    ))?;
    Ok(ExitCode::SUCCESS)
}
