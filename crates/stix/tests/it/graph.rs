//! The graph over the ATT&CK subset: neighbourhoods, shortest paths, communities.

use std::fmt::Write;

use muninn_stix::{Graph, NoObjects, ObjectSet, TraversalConfig};

use crate::{check_golden, import};

const APT28: &str = "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c";
const APT29: &str = "intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542";
const PRE_COMPROMISE: &str = "course-of-action--78bb71be-92b4-46de-acd6-5f998fedf1cc";

fn subset_graph() -> (ObjectSet, Graph) {
    let mut set = ObjectSet::new();
    set.apply(&import("attack-subset.json", &NoObjects));
    let graph = Graph::build(set.latest());
    (set, graph)
}

fn name_of<'a>(set: &'a ObjectSet, id: &'a str) -> &'a str {
    set.get(id).and_then(|object| object.name()).unwrap_or(id)
}

#[test]
fn neighbourhood_paths_and_communities_on_attack() {
    let (set, graph) = subset_graph();
    let mut out = String::new();
    let _ = writeln!(out, "nodes {} edges {}", graph.node_count(), graph.edge_count());
    // The MITRE identity is everyone's creator: a hub, reported but not traversed.
    let config = TraversalConfig { depth: 2, hub_degree: 40 };
    let around = graph.neighbourhood(APT28, &config).expect("APT28 is in the graph");
    let _ = writeln!(out, "APT28 depth 2: {} nodes", around.len());
    for (id, depth) in around.nodes() {
        let _ = writeln!(out, "  {depth} {} ({id})", name_of(&set, id));
    }
    let far = TraversalConfig { depth: 6, hub_degree: 40 };
    let path = graph.shortest_path(APT28, PRE_COMPROMISE, &far).expect("a path from APT28 to a mitigation");
    let _ = writeln!(out, "path APT28 -> Pre-compromise:");
    for (node, edge) in path.nodes.iter().zip(path.edges.iter().map(Some).chain([None])) {
        let label = edge.map(|edge| format!(" -[{}]-", edge.label)).unwrap_or_default();
        let _ = writeln!(out, "  {}{label}", name_of(&set, node));
    }
    for (number, community) in around.communities().iter().enumerate() {
        let names: Vec<&str> = community.iter().map(|id| name_of(&set, id)).collect();
        let _ = writeln!(out, "community {number}: {}", names.join(", "));
    }
    check_golden("attack-subset-graph", &out);

    let again = graph.neighbourhood(APT28, &config).expect("APT28");
    assert_eq!(around.communities(), again.communities(), "label propagation is deterministic");
    assert!(graph.shortest_path(APT28, "identity--00000000-0000-4000-8000-000000000000", &config).is_none());
    let shallow = TraversalConfig { depth: path.edges.len() - 1, hub_degree: 40 };
    assert!(graph.shortest_path(APT28, PRE_COMPROMISE, &shallow).is_none());
    // The three groups of the subset share no technique: only the hub joins them.
    assert!(graph.shortest_path(APT28, APT29, &far).is_none());
    let through_hubs = TraversalConfig { depth: 6, hub_degree: usize::MAX };
    let via_mitre = graph.shortest_path(APT28, APT29, &through_hubs).expect("a path through the hub");
    assert_eq!(via_mitre.nodes[1], "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5");
}
