//! Entity resolution inside the knowledge base: suggestions of objects that are probably the
//! same thing (ATT&CK's "APT28" and the MISP galaxy's), and the analyst's same-as assertions
//! that accept or reject them.
//!
//! Nothing is merged in place: objects stay as they came, and a merged view is computed from
//! the accepted assertions ([`same_as_groups`]), so withdrawing an assertion restores both
//! objects exactly. Suggestions come from names: two objects of compatible types (actors with
//! actors, software with software, identities with identities) that share a name or alias
//! after folding, scored by how much of the smaller name set they share (1.0 when their names
//! are equal); a pair already decided, either way, is not suggested again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::names::{NamedObject, fold_name};

/// The store's table of assertions (key: [`assertion_key`]).
pub const SAME_AS_TABLE: &str = "same_as";

/// What an analyst decided about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The two objects are one thing.
    Accepted,
    /// They are not; do not suggest them again.
    Rejected,
}

/// A same-as assertion: two object ids (in order), the verdict and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SameAs {
    /// The smaller id.
    pub a: String,
    /// The larger id.
    pub b: String,
    /// Accepted or rejected.
    pub verdict: Verdict,
    /// The suggestion's score when it was decided (0 when there was none).
    pub score: f32,
    /// How the pair was found (`same name`, `shared names`, `analyst`).
    pub method: String,
    /// Who decided.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The store key of the assertion about `x` and `y`, in either order.
pub fn assertion_key(x: &str, y: &str) -> String {
    let (a, b) = if x <= y { (x, y) } else { (y, x) };
    format!("{a}|{b}")
}

/// A suggested pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The smaller id.
    pub a: String,
    /// The larger id.
    pub b: String,
    /// 1.0 for equal names, else the share of the smaller name set the two have in common.
    pub score: f32,
    /// `same name` or `shared names`.
    pub method: &'static str,
    /// The folded names they share.
    pub shared: Vec<String>,
}

/// Which objects may be the same thing: their types' family.
fn family(object_type: &str) -> Option<&'static str> {
    match object_type {
        "intrusion-set" | "threat-actor" => Some("actor"),
        "malware" | "tool" => Some("software"),
        "campaign" => Some("campaign"),
        "identity" => Some("identity"),
        "location" => Some("location"),
        _ => None,
    }
}

/// Most objects one folded name may gather before it is too common to suggest anything from
/// ("Unknown", "Admin"): bounds the pairs to look at.
const MAX_OBJECTS_PER_NAME: usize = 20;

/// The pairs among `objects` that share names, best first (then by ids), leaving out the pairs
/// `decided` holds (by [`assertion_key`]) and those already in one accepted group.
pub fn duplicate_suggestions(
    objects: &[NamedObject],
    decided: &BTreeSet<String>,
    groups: &HashMap<String, usize>,
) -> Vec<Suggestion> {
    let names_of = |object: &NamedObject| -> BTreeSet<String> {
        std::iter::once(&object.name).chain(&object.aliases).map(|name| fold_name(name)).collect()
    };
    let names: Vec<BTreeSet<String>> = objects.iter().map(names_of).collect();
    let mut by_name: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (index, object) in objects.iter().enumerate() {
        let Some(family) = family(&object.object_type) else { continue };
        for name in &names[index] {
            by_name.entry((family, name.as_str())).or_default().push(index);
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in by_name.values().filter(|members| members.len() <= MAX_OBJECTS_PER_NAME) {
        for (position, &x) in members.iter().enumerate() {
            for &y in &members[position + 1..] {
                pairs.insert((x.min(y), x.max(y)));
            }
        }
    }
    let mut suggestions: Vec<Suggestion> = pairs
        .into_iter()
        .filter_map(|(x, y)| {
            let (first, second) = (&objects[x], &objects[y]);
            if decided.contains(&assertion_key(&first.id, &second.id)) {
                return None;
            }
            if let (Some(gx), Some(gy)) = (groups.get(&first.id), groups.get(&second.id))
                && gx == gy
            {
                return None;
            }
            let shared: Vec<String> = names[x].intersection(&names[y]).cloned().collect();
            let same_name = fold_name(&first.name) == fold_name(&second.name);
            let smaller = names[x].len().min(names[y].len()).max(1);
            let score = if same_name { 1.0 } else { shared.len() as f32 / smaller as f32 };
            let (a, b) = if first.id <= second.id { (first, second) } else { (second, first) };
            Some(Suggestion {
                a: a.id.clone(),
                b: b.id.clone(),
                score,
                method: if same_name { "same name" } else { "shared names" },
                shared,
            })
        })
        .collect();
    suggestions.sort_by(|p, q| q.score.total_cmp(&p.score).then_with(|| (&p.a, &p.b).cmp(&(&q.a, &q.b))));
    suggestions
}

/// The objects that accepted assertions make one with any of `ids` (transitively; `ids`
/// themselves left out), in id order, each with an accepted assertion that names it (who joined
/// it, when, with which object): the merged view of the command line's profile and of the
/// API's entity page.
pub fn same_as_members<'a>(assertions: &'a [SameAs], ids: &[&str]) -> Vec<(&'a str, &'a SameAs)> {
    let groups = same_as_groups(assertions);
    let wanted: BTreeSet<usize> = ids.iter().filter_map(|id| groups.get(*id).copied()).collect();
    let mut members: Vec<(&'a str, &'a SameAs)> = assertions
        .iter()
        .filter(|assertion| assertion.verdict == Verdict::Accepted)
        .flat_map(|assertion| [(assertion.a.as_str(), assertion), (assertion.b.as_str(), assertion)])
        .filter(|(id, _)| !ids.contains(id) && groups.get(*id).is_some_and(|group| wanted.contains(group)))
        .collect();
    // One entry per member: the first assertion (in stored order) that names it.
    members.sort_by_key(|(id, _)| *id);
    members.dedup_by_key(|(id, _)| *id);
    members
}

/// The groups the accepted assertions make (transitively): object id → group number. Objects
/// in no accepted assertion are in no group.
pub fn same_as_groups(assertions: &[SameAs]) -> HashMap<String, usize> {
    let mut parent: HashMap<String, String> = HashMap::new();
    fn root(parent: &mut HashMap<String, String>, id: &str) -> String {
        let mut current = id.to_owned();
        while let Some(next) = parent.get(&current).filter(|next| **next != current) {
            current = next.clone();
        }
        current
    }
    for assertion in assertions.iter().filter(|assertion| assertion.verdict == Verdict::Accepted) {
        parent.entry(assertion.a.clone()).or_insert_with(|| assertion.a.clone());
        parent.entry(assertion.b.clone()).or_insert_with(|| assertion.b.clone());
        let (ra, rb) = (root(&mut parent, &assertion.a), root(&mut parent, &assertion.b));
        if ra != rb {
            let (keep, join) = if ra <= rb { (ra, rb) } else { (rb, ra) };
            parent.insert(join, keep);
        }
    }
    let ids: Vec<String> = parent.keys().cloned().collect();
    let mut numbers: BTreeMap<String, usize> = BTreeMap::new();
    let mut groups = HashMap::new();
    for id in ids {
        let top = root(&mut parent, &id);
        let next = numbers.len();
        let number = *numbers.entry(top).or_insert(next);
        groups.insert(id, number);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(id: &str, kind: &str, name: &str, aliases: &[&str]) -> NamedObject {
        NamedObject {
            id: id.to_owned(),
            object_type: kind.to_owned(),
            name: name.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            tlp: None,
        }
    }

    fn assertion(a: &str, b: &str, verdict: Verdict) -> SameAs {
        SameAs {
            a: a.to_owned(),
            b: b.to_owned(),
            verdict,
            score: 1.0,
            method: "same name".to_owned(),
            by: "analyst".to_owned(),
            at: "2026-01-01T00:00:00Z".to_owned(),
            note: String::new(),
        }
    }

    #[test]
    fn names_shared_across_sources_are_suggested_once_and_decisions_are_kept() {
        let objects = vec![
            object("intrusion-set--a", "intrusion-set", "APT28", &["Fancy Bear", "Sofacy"]),
            object("intrusion-set--b", "intrusion-set", "apt28", &["Sednit"]),
            object("threat-actor--c", "threat-actor", "Fancy Bear", &["Strontium", "Sofacy"]),
            object("malware--d", "malware", "Sofacy", &[]),
            object("intrusion-set--e", "intrusion-set", "Turla", &["Snake"]),
        ];
        let none = BTreeSet::new();
        let found = duplicate_suggestions(&objects, &none, &HashMap::new());
        let rendered: Vec<String> = found
            .iter()
            .map(|s| format!("{} {} {:.2} {} {:?}", s.a, s.b, s.score, s.method, s.shared))
            .collect();
        assert_eq!(
            rendered,
            [
                "intrusion-set--a intrusion-set--b 1.00 same name [\"apt28\"]",
                "intrusion-set--a threat-actor--c 0.67 shared names [\"fancy bear\", \"sofacy\"]",
            ],
            "software never pairs with actors; unrelated names never pair"
        );
        let decided: BTreeSet<String> = [assertion_key("intrusion-set--b", "intrusion-set--a")].into();
        assert_eq!(duplicate_suggestions(&objects, &decided, &HashMap::new()).len(), 1);
    }

    #[test]
    fn accepted_assertions_group_transitively_and_rejections_do_not() {
        let groups = same_as_groups(&[
            assertion("a", "b", Verdict::Accepted),
            assertion("b", "c", Verdict::Accepted),
            assertion("d", "e", Verdict::Rejected),
            assertion("f", "g", Verdict::Accepted),
        ]);
        assert_eq!(groups["a"], groups["c"]);
        assert_ne!(groups["a"], groups["f"]);
        assert!(!groups.contains_key("d"));
        // Already grouped pairs are not suggested again.
        let objects = vec![object("a", "intrusion-set", "X", &[]), object("c", "intrusion-set", "X", &[])];
        assert!(duplicate_suggestions(&objects, &BTreeSet::new(), &groups).is_empty());
        assert_eq!(assertion_key("z", "a"), "a|z");
    }

    #[test]
    fn members_are_the_others_of_the_groups_each_with_the_first_assertion_naming_it() {
        let assertions = [
            assertion("a", "b", Verdict::Accepted),
            assertion("c", "b", Verdict::Accepted),
            assertion("b", "d", Verdict::Rejected),
            assertion("e", "f", Verdict::Accepted),
        ];
        let members: Vec<(&str, &str, &str)> = same_as_members(&assertions, &["a"])
            .into_iter()
            .map(|(id, joined)| (id, joined.a.as_str(), joined.b.as_str()))
            .collect();
        assert_eq!(members, [("b", "a", "b"), ("c", "c", "b")], "transitive; rejections join nothing");
        assert_eq!(same_as_members(&assertions, &["a", "b"]).len(), 1, "the ids asked about are left out");
        assert!(same_as_members(&assertions, &["d"]).is_empty());
        assert_eq!(same_as_members(&assertions, &["f", "a"]).len(), 3, "two groups at once");
    }
}
