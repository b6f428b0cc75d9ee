//! The object graph: relationships become edges between their ends, embedded references
//! (`created_by_ref`, `object_refs`, `sighting_of_ref`, custom `x_*_ref`...) edges from the
//! object to the referenced one. Neighbourhoods, shortest paths and communities are pure
//! functions over it, deterministic (nodes are numbered in id order).
//!
//! Hubs: an object referenced by nearly everything (ATT&CK's MITRE identity is the
//! `created_by_ref` of 24,770 objects) would put every object two steps from every other. A node
//! with more than `hub_degree` edges is reported when reached but not traversed, unless it is
//! where the query starts.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::object::StixObject;
use crate::timestamp::StixTimestamp;

/// An index of objects and their links.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    ids: Vec<Box<str>>,
    present: Vec<bool>,
    index: HashMap<Box<str>, u32>,
    adjacency: Vec<Vec<(u32, u32)>>,
    edges: Vec<EdgeData>,
}

#[derive(Debug, Clone)]
struct EdgeData {
    source: u32,
    target: u32,
    label: Box<str>,
    relationship: Option<Box<str>>,
}

/// One edge, as seen from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge<'g> {
    /// The source: the relationship's `source_ref`, or the referring object.
    pub source: &'g str,
    /// The target: the relationship's `target_ref`, or the referenced object.
    pub target: &'g str,
    /// `relationship_type`, or the referring property.
    pub label: &'g str,
    /// The relationship's id, for relationship edges.
    pub relationship: Option<&'g str>,
}

/// How far and through what a traversal goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraversalConfig {
    /// Most edges from the start.
    pub depth: usize,
    /// Nodes with more edges than this are not traversed (the start always is).
    pub hub_degree: usize,
}

impl Default for TraversalConfig {
    fn default() -> TraversalConfig {
        TraversalConfig { depth: 2, hub_degree: 1000 }
    }
}

/// The nodes within reach of a start, and the edges that reached them.
#[derive(Debug, Clone)]
pub struct Neighbourhood<'g> {
    graph: &'g Graph,
    nodes: Vec<(u32, usize)>,
    edges: Vec<u32>,
}

/// A shortest path: `nodes[i]` and `nodes[i + 1]` are joined by `edges[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path<'g> {
    /// The ids along the path, start and end included.
    pub nodes: Vec<&'g str>,
    /// The edges between them.
    pub edges: Vec<Edge<'g>>,
}

impl Graph {
    /// Builds the graph from objects; of several versions of one id, the latest counts.
    pub fn build<'a>(objects: impl IntoIterator<Item = &'a StixObject>) -> Graph {
        let mut latest: BTreeMap<&str, (Option<StixTimestamp>, &StixObject)> = BTreeMap::new();
        for object in objects {
            let entry = latest.entry(object.id().as_str()).or_insert((object.version(), object));
            if object.version() > entry.0 {
                *entry = (object.version(), object);
            }
        }
        let mut names: Vec<&str> = Vec::new();
        for (id, (_, object)) in &latest {
            match object.relationship() {
                Some(ends) => names.extend([ends.source.as_str(), ends.target.as_str()]),
                None => {
                    names.push(id);
                    names.extend(object.refs().iter().map(|reference| reference.target.as_str()));
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        let mut graph = Graph {
            ids: names.iter().map(|name| Box::from(*name)).collect(),
            present: names.iter().map(|name| latest.contains_key(name)).collect(),
            index: HashMap::with_capacity(names.len()),
            adjacency: vec![Vec::new(); names.len()],
            edges: Vec::new(),
        };
        for (position, name) in names.iter().enumerate() {
            graph.index.insert(Box::from(*name), position as u32);
        }
        for (id, (_, object)) in &latest {
            match object.relationship() {
                Some(ends) => graph.add_edge(
                    ends.source.as_str(),
                    ends.target.as_str(),
                    &ends.relationship_type,
                    Some(id),
                ),
                None => {
                    for reference in object.refs() {
                        graph.add_edge(id, reference.target.as_str(), &reference.property, None);
                    }
                }
            }
        }
        for neighbours in &mut graph.adjacency {
            neighbours.sort_unstable();
        }
        graph
    }

    fn add_edge(&mut self, source: &str, target: &str, label: &str, relationship: Option<&str>) {
        let (Some(&from), Some(&to)) = (self.index.get(source), self.index.get(target)) else {
            return;
        };
        let edge = self.edges.len() as u32;
        self.edges.push(EdgeData {
            source: from,
            target: to,
            label: label.into(),
            relationship: relationship.map(Box::from),
        });
        self.adjacency[from as usize].push((to, edge));
        if from != to {
            self.adjacency[to as usize].push((from, edge));
        }
    }

    /// Number of nodes (objects and referenced ids).
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Whether `id` is an object of the graph (not only referenced).
    pub fn contains(&self, id: &str) -> bool {
        self.index.get(id).is_some_and(|&node| self.present[node as usize])
    }

    /// Number of edges at `id`.
    pub fn degree(&self, id: &str) -> usize {
        self.index.get(id).map_or(0, |&node| self.adjacency[node as usize].len())
    }

    /// Every node id, in id order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(|id| &**id)
    }

    fn edge(&self, edge: u32) -> Edge<'_> {
        let data = &self.edges[edge as usize];
        Edge {
            source: &self.ids[data.source as usize],
            target: &self.ids[data.target as usize],
            label: &data.label,
            relationship: data.relationship.as_deref(),
        }
    }

    fn traversable(&self, node: u32, start: u32, config: &TraversalConfig) -> bool {
        node == start || self.adjacency[node as usize].len() <= config.hub_degree
    }

    /// The nodes within `config.depth` edges of `id` (breadth first, neighbours in id order) and
    /// the edges that reach them. `None` if `id` is not in the graph.
    pub fn neighbourhood(&self, id: &str, config: &TraversalConfig) -> Option<Neighbourhood<'_>> {
        let &start = self.index.get(id)?;
        let mut distance: HashMap<u32, usize> = HashMap::from([(start, 0)]);
        let mut nodes = vec![(start, 0)];
        let mut edges_seen: HashSet<u32> = HashSet::new();
        let mut edges = Vec::new();
        let mut cursor = 0;
        while let Some(&(node, depth)) = nodes.get(cursor) {
            cursor += 1;
            if depth >= config.depth || !self.traversable(node, start, config) {
                continue;
            }
            for &(neighbour, edge) in &self.adjacency[node as usize] {
                if let std::collections::hash_map::Entry::Vacant(slot) = distance.entry(neighbour) {
                    slot.insert(depth + 1);
                    nodes.push((neighbour, depth + 1));
                }
                if edges_seen.insert(edge) {
                    edges.push(edge);
                }
            }
        }
        Some(Neighbourhood { graph: self, nodes, edges })
    }

    /// A shortest path from `from` to `to` of at most `config.depth` edges (breadth first; of
    /// several shortest paths, the one through the smallest ids). Hubs are not passed through.
    pub fn shortest_path(&self, from: &str, to: &str, config: &TraversalConfig) -> Option<Path<'_>> {
        let &start = self.index.get(from)?;
        let &goal = self.index.get(to)?;
        let mut parent: HashMap<u32, Option<(u32, u32)>> = HashMap::from([(start, None)]);
        let mut queue = VecDeque::from([(start, 0usize)]);
        while let Some((node, depth)) = queue.pop_front() {
            if node == goal {
                break;
            }
            if depth >= config.depth || !self.traversable(node, start, config) {
                continue;
            }
            for &(neighbour, edge) in &self.adjacency[node as usize] {
                if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(neighbour) {
                    slot.insert(Some((node, edge)));
                    queue.push_back((neighbour, depth + 1));
                }
            }
        }
        parent.get(&goal)?;
        let mut nodes = vec![&*self.ids[goal as usize]];
        let mut edges = Vec::new();
        let mut current = goal;
        while let Some(&Some((previous, edge))) = parent.get(&current) {
            nodes.push(&self.ids[previous as usize]);
            edges.push(self.edge(edge));
            current = previous;
        }
        nodes.reverse();
        edges.reverse();
        Some(Path { nodes, edges })
    }
}

/// Most rounds of label propagation.
const MAX_ROUNDS: usize = 50;

impl<'g> Neighbourhood<'g> {
    /// The nodes with their distance from the start, breadth first.
    pub fn nodes(&self) -> impl Iterator<Item = (&'g str, usize)> + '_ {
        self.nodes.iter().map(|&(node, depth)| (&*self.graph.ids[node as usize], depth))
    }

    /// The edges that reached them.
    pub fn edges(&self) -> impl Iterator<Item = Edge<'g>> + '_ {
        self.edges.iter().map(|&edge| self.graph.edge(edge))
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the start is there... never empty: the start is always a node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Communities of the neighbourhood by label propagation over its edges: every node starts
    /// with its own label; in id order, each takes the label most frequent among its neighbours
    /// (keeping its own on a tie if it is among the most frequent, else the smallest), until
    /// nothing changes or `MAX_ROUNDS` rounds. Deterministic. Largest community first, ids sorted.
    pub fn communities(&self) -> Vec<Vec<&'g str>> {
        let mut members: Vec<u32> = self.nodes.iter().map(|&(node, _)| node).collect();
        members.sort_unstable();
        let local: HashMap<u32, usize> = members.iter().enumerate().map(|(at, &node)| (node, at)).collect();
        let mut adjacency = vec![Vec::new(); members.len()];
        for &edge in &self.edges {
            let data = &self.graph.edges[edge as usize];
            if let (Some(&from), Some(&to)) = (local.get(&data.source), local.get(&data.target))
                && from != to
            {
                adjacency[from].push(to);
                adjacency[to].push(from);
            }
        }
        let mut labels: Vec<usize> = (0..members.len()).collect();
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            for node in 0..members.len() {
                if adjacency[node].is_empty() {
                    continue;
                }
                counts.clear();
                for &neighbour in &adjacency[node] {
                    *counts.entry(labels[neighbour]).or_default() += 1;
                }
                let best = counts.values().copied().max().unwrap_or(0);
                let current = labels[node];
                if counts.get(&current) == Some(&best) {
                    continue;
                }
                let chosen =
                    counts.iter().filter(|&(_, &count)| count == best).map(|(&label, _)| label).min();
                if let Some(label) = chosen {
                    labels[node] = label;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut groups: BTreeMap<usize, Vec<&'g str>> = BTreeMap::new();
        for (node, label) in labels.iter().enumerate() {
            groups.entry(*label).or_default().push(&self.graph.ids[members[node] as usize]);
        }
        let mut communities: Vec<Vec<&'g str>> = groups.into_values().collect();
        communities.sort_by(|left, right| right.len().cmp(&left.len()).then_with(|| left.cmp(right)));
        communities
    }
}
