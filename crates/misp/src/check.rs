//! What an event's sharing settings and object references mean here, checked before import.
//!
//! MISP says who may see an event (and each object and attribute) with `distribution` and, for
//! level 4, a `sharing_group_id`. Muninn holds no MISP sharing groups, so every sharing group
//! id is foreign: it is never looked up among local ids (MISP CVE-2021-31780 let a foreign id
//! select a local group and widen sharing). Anything restricted to an organisation or a sharing
//! group, and any level not understood, is quarantined: kept inside the importing organisation,
//! the most restrictive label that reaches a whole organisation. Object references may form
//! cycles or point at nothing; they are reported, never followed.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::{Attribute, Event};

/// Where in an event a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject {
    /// The event itself.
    Event,
    /// An object, by position in the event's objects.
    Object {
        /// Position in the event's `Object` list.
        index: usize,
        /// Its UUID, if it has one.
        uuid: Option<String>,
    },
    /// An attribute, by position in the event's attributes or an object's.
    Attribute {
        /// The object that holds it, if any.
        object: Option<usize>,
        /// Position in its list.
        index: usize,
        /// Its UUID, if it has one.
        uuid: Option<String>,
    },
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let uuid = |uuid: &Option<String>| uuid.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
        match self {
            Subject::Event => write!(f, "the event"),
            Subject::Object { index, uuid: id } => write!(f, "object {index}{}", uuid(id)),
            Subject::Attribute { object: None, index, uuid: id } => {
                write!(f, "attribute {index}{}", uuid(id))
            }
            Subject::Attribute { object: Some(object), index, uuid: id } => {
                write!(f, "attribute {index} of object {object}{}", uuid(id))
            }
        }
    }
}

/// A problem with one part of an event; the event is imported, under the rule each states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Distribution 0: the originator's organisation only.
    #[error("distribution 0 (your organisation only): kept inside the importing organisation")]
    OrganisationOnly,
    /// Distribution 4 with a sharing group that does not exist here (none does).
    #[error("sharing group {id:?} is not known here: kept inside the importing organisation")]
    UnknownSharingGroup {
        /// The foreign sharing group id, as given.
        id: String,
    },
    /// A distribution level MISP does not define (or 5, "inherit", on the event).
    #[error("distribution {value:?} is not understood: kept inside the importing organisation")]
    UnknownDistribution {
        /// The value, as given.
        value: String,
    },
    /// An object reference to a UUID that is neither an object nor an attribute of the event.
    #[error("reference to {uuid} which is not in the event: ignored")]
    DanglingReference {
        /// The referenced UUID.
        uuid: String,
    },
    /// Object references that lead back to where they started.
    #[error("object references form a cycle ({}): not followed", cycle.join(" -> "))]
    ReferenceCycle {
        /// The objects' UUIDs along the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
}

impl Problem {
    /// Whether this problem keeps the event inside the importing organisation.
    pub fn quarantines(&self) -> bool {
        matches!(
            self,
            Problem::OrganisationOnly
                | Problem::UnknownSharingGroup { .. }
                | Problem::UnknownDistribution { .. }
        )
    }
}

/// One finding: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where.
    pub subject: Subject,
    /// What.
    pub problem: Problem,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.problem)
    }
}

/// What [`check_event`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCheck {
    /// Every finding, the event's first, then objects and attributes in order, then cycles.
    pub findings: Vec<Finding>,
}

impl EventCheck {
    /// Whether the event must stay inside the importing organisation: one part of it asks for
    /// a narrower audience than Muninn can honour, and the most restrictive part wins.
    pub fn quarantined(&self) -> bool {
        self.findings.iter().any(|finding| finding.problem.quarantines())
    }
}

/// The sharing problem of a `distribution` (and `sharing_group_id`), if any. `inherit` is
/// allowed on objects and attributes (level 5), not on the event.
fn sharing_problem(
    distribution: Option<&str>,
    sharing_group: Option<&str>,
    inherit: bool,
) -> Option<Problem> {
    let value = distribution.map(str::trim).filter(|d| !d.is_empty())?;
    match value {
        "0" => Some(Problem::OrganisationOnly),
        "1" | "2" | "3" => None,
        "4" => Some(Problem::UnknownSharingGroup { id: sharing_group.unwrap_or("").trim().to_owned() }),
        "5" if inherit => None,
        _ => Some(Problem::UnknownDistribution { value: value.to_owned() }),
    }
}

/// Checks an event's sharing settings and object references.
pub fn check_event(event: &Event) -> EventCheck {
    let mut findings = Vec::new();
    if let Some(problem) =
        sharing_problem(event.distribution.as_deref(), event.sharing_group_id.as_deref(), false)
    {
        findings.push(Finding { subject: Subject::Event, problem });
    }
    let attribute_findings =
        |findings: &mut Vec<Finding>, object: Option<usize>, attributes: &[Attribute]| {
            for (index, attribute) in attributes.iter().enumerate() {
                let problem = sharing_problem(
                    attribute.distribution.as_deref(),
                    attribute.sharing_group_id.as_deref(),
                    true,
                );
                if let Some(problem) = problem {
                    let subject = Subject::Attribute { object, index, uuid: attribute.uuid.clone() };
                    findings.push(Finding { subject, problem });
                }
            }
        };
    attribute_findings(&mut findings, None, &event.attributes);
    let mut known: BTreeSet<&str> = event.attributes.iter().filter_map(|a| a.uuid.as_deref()).collect();
    for object in &event.objects {
        known.extend(object.uuid.as_deref());
        known.extend(object.attributes.iter().filter_map(|a| a.uuid.as_deref()));
    }
    // Object UUID -> the objects it references (references to attributes end there).
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let objects: BTreeSet<&str> = event.objects.iter().filter_map(|o| o.uuid.as_deref()).collect();
    for (index, object) in event.objects.iter().enumerate() {
        let subject = || Subject::Object { index, uuid: object.uuid.clone() };
        if let Some(problem) =
            sharing_problem(object.distribution.as_deref(), object.sharing_group_id.as_deref(), true)
        {
            findings.push(Finding { subject: subject(), problem });
        }
        attribute_findings(&mut findings, Some(index), &object.attributes);
        for reference in &object.references {
            let target = reference.referenced_uuid.as_str();
            if !known.contains(target) {
                findings.push(Finding {
                    subject: subject(),
                    problem: Problem::DanglingReference { uuid: target.to_owned() },
                });
            } else if let Some(from) = object.uuid.as_deref()
                && objects.contains(target)
            {
                edges.entry(from).or_default().push(target);
            }
        }
    }
    for cycle in cycles(&edges) {
        findings.push(Finding { subject: Subject::Event, problem: Problem::ReferenceCycle { cycle } });
    }
    EventCheck { findings }
}

/// The cycles of a directed graph, each once (as found by a depth-first search from each node
/// in order: one back edge, one cycle). Iterative, so a long chain cannot exhaust the stack.
fn cycles(edges: &BTreeMap<&str, Vec<&str>>) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut found = Vec::new();
    for &start in edges.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // The path from `start`, each node with the index of its next edge to follow.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::OnPath);
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let targets = edges.get(node).map_or(&[][..], Vec::as_slice);
            let Some(&target) = targets.get(*next) else {
                marks.insert(node, Mark::Done);
                path.pop();
                continue;
            };
            *next += 1;
            match marks.get(target) {
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|&(n, _)| n == target).unwrap_or(0);
                    let mut cycle: Vec<String> = path[from..].iter().map(|&(n, _)| n.to_owned()).collect();
                    cycle.push(target.to_owned());
                    found.push(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert(target, Mark::OnPath);
                    path.push((target, 0));
                }
            }
        }
    }
    found
}
