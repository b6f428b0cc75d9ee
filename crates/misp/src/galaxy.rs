//! MISP galaxy cluster files (`clusters/threat-actor.json` of the misp-galaxy repository, as the
//! PyPI package `pymispgalaxies` ships them) as STIX 2.1 intrusion sets with aliases.
//!
//! A galaxy file carries no timestamps per cluster, so the mapping gives an object's content
//! without `created` and `modified` ([`ClusterObject::content`]) and the caller dates it
//! ([`ClusterObject::dated`]): a first import dates it now, a re-import of a changed cluster keeps
//! the stored `created` and dates the new version now, and an unchanged cluster is not
//! imported again. Ids are the clusters' own UUIDs (`intrusion-set--UUID`), so two imports of
//! the same galaxy name the same objects.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::MispError;
use crate::stix::stix_id;

/// Most clusters one galaxy file may carry (the largest published galaxy has about 40,000).
pub const MAX_CLUSTERS: usize = 200_000;

/// A galaxy cluster file.
#[derive(Debug, Clone, Deserialize)]
pub struct GalaxyFile {
    /// The galaxy's name (`Threat Actor`).
    pub name: String,
    /// Its type (`threat-actor`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Its version number.
    #[serde(default)]
    pub version: Option<u64>,
    /// The clusters.
    pub values: Vec<Cluster>,
}

/// One cluster of a galaxy file.
#[derive(Debug, Clone, Deserialize)]
pub struct Cluster {
    /// Its name.
    pub value: String,
    /// Its UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// `synonyms`, `country`, `refs`, `cfr-*`... (kinds vary between galaxies; read leniently).
    #[serde(default)]
    pub meta: Option<serde_json::Map<String, Value>>,
    /// Links to clusters of this or other galaxies.
    #[serde(default)]
    pub related: Vec<Related>,
}

/// A link from a cluster to another cluster, by its UUID.
#[derive(Debug, Clone, Deserialize)]
pub struct Related {
    /// The other cluster's UUID (ATT&CK's clusters in misp-galaxy carry ATT&CK's own UUIDs).
    #[serde(rename = "dest-uuid")]
    pub dest_uuid: String,
    /// `similar`, `uses`...
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Tags such as `estimative-language:likelihood-probability="likely"`.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Cluster {
    fn meta_strings(&self, key: &str) -> Vec<String> {
        match self.meta.as_ref().and_then(|meta| meta.get(key)) {
            Some(Value::Array(values)) => values
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(Value::String(value)) if !value.trim().is_empty() => vec![value.trim().to_owned()],
            _ => Vec::new(),
        }
    }
}

/// Parses a galaxy cluster file. Duplicate keys in the file's own fields and in a cluster's are
/// refused (serde's typed structures); a file over [`MAX_CLUSTERS`] is refused whole.
pub fn parse_galaxy(bytes: &[u8]) -> Result<GalaxyFile, MispError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|error| MispError::Json(format!("not UTF-8 at byte {}", error.valid_up_to())))?;
    let file: GalaxyFile = serde_json::from_str(text).map_err(|error| MispError::Json(error.to_string()))?;
    if file.values.len() > MAX_CLUSTERS {
        return Err(MispError::TooLarge { what: "clusters", count: file.values.len(), limit: MAX_CLUSTERS });
    }
    Ok(file)
}

/// A cluster as a STIX object, not yet dated.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterObject {
    /// The STIX id.
    pub id: String,
    /// The object without `created` and `modified`: what tells a changed cluster from the
    /// stored version.
    pub content: Value,
}

impl ClusterObject {
    /// The object with its timestamps (STIX timestamps, e.g. `2026-01-01T00:00:00.000Z`).
    pub fn dated(&self, created: &str, modified: &str) -> Value {
        let mut object = self.content.clone();
        object["created"] = json!(created);
        object["modified"] = json!(modified);
        object
    }
}

/// A cluster left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterWarning {
    /// The cluster's position in the file.
    pub index: usize,
    /// Its name.
    pub value: String,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for ClusterWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cluster {} ({:?}): {}", self.index, self.value, self.problem)
    }
}

/// The clusters of a threat-actor (or intrusion-set) galaxy as intrusion sets: name, aliases
/// (the synonyms), description, the galaxy's reference and the clusters' `refs` that are web
/// links as external references, and `x_muninn_country`, `x_muninn_suspected_state_sponsor`,
/// `x_muninn_suspected_victims` and `x_muninn_target_categories` from the CFR fields; all
/// marked TLP:CLEAR (the galaxy is published). A cluster's `related` links become `related-to`
/// relationships (described with the link's type and likelihood) to the clusters of the same
/// file and to the objects `resolve` knows by UUID (it gives the STIX id of a stored object
/// with that UUID: ATT&CK's intrusion sets have the UUIDs misp-galaxy links to); links to
/// anything else are dropped, since a STIX reference needs the target's type. A cluster without
/// a name, or whose id repeats an earlier one's, is left out with a warning. A galaxy of another
/// type is refused: its clusters are tools, sectors or countries, not actors.
pub fn galaxy_actors(
    file: &GalaxyFile,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<ClusterObject>, Vec<ClusterWarning>), MispError> {
    if !file.kind.contains("threat-actor") && !file.kind.contains("intrusion-set") {
        return Err(MispError::Invalid {
            field: "type".to_owned(),
            problem: format!("{:?} is not a threat-actor or intrusion-set galaxy", file.kind),
        });
    }
    let marking = muninn_model::Tlp::Clear.stix_marking_id();
    let mut objects: Vec<ClusterObject> = Vec::with_capacity(file.values.len());
    let mut seen = std::collections::HashSet::new();
    let mut warnings = Vec::new();
    // The cluster each object came from, for its links.
    let mut clusters_of_objects: Vec<&Cluster> = Vec::with_capacity(file.values.len());
    for (index, cluster) in file.values.iter().enumerate() {
        let name = cluster.value.trim();
        let warn = |problem: &str| ClusterWarning {
            index,
            value: cluster.value.clone(),
            problem: problem.to_owned(),
        };
        if name.is_empty() {
            warnings.push(warn("the cluster has no name; left out"));
            continue;
        }
        let id = stix_id("intrusion-set", cluster.uuid.as_deref(), &format!("{}\n{name}", file.kind));
        if !seen.insert(id.clone()) {
            warnings.push(warn("its UUID repeats an earlier cluster's; left out"));
            continue;
        }
        let mut aliases: Vec<String> = Vec::new();
        for synonym in cluster.meta_strings("synonyms") {
            if synonym != name && !aliases.contains(&synonym) {
                aliases.push(synonym);
            }
        }
        let mut references = vec![json!({
            "source_name": format!("misp-galaxy:{}", file.kind),
            "external_id": cluster.uuid.clone().unwrap_or_else(|| id.clone()),
        })];
        for url in cluster.meta_strings("refs") {
            if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace)
            {
                references.push(json!({"source_name": "reference", "url": url}));
            }
        }
        let mut content = json!({
            "type": "intrusion-set", "spec_version": "2.1", "id": id, "name": name,
            "external_references": references, "object_marking_refs": [marking],
        });
        if !aliases.is_empty() {
            content["aliases"] = json!(aliases);
        }
        if let Some(description) = cluster.description.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            content["description"] = json!(description);
        }
        let custom = [
            ("country", "x_muninn_country", false),
            ("cfr-suspected-state-sponsor", "x_muninn_suspected_state_sponsor", false),
            ("cfr-suspected-victims", "x_muninn_suspected_victims", true),
            ("cfr-target-category", "x_muninn_target_categories", true),
        ];
        for (key, property, is_list) in custom {
            let values = cluster.meta_strings(key);
            match (values.first(), is_list) {
                (None, _) => {}
                (Some(first), false) => content[property] = json!(first),
                (Some(_), true) => content[property] = json!(values),
            }
        }
        objects.push(ClusterObject { id, content });
        clusters_of_objects.push(cluster);
    }
    let own: std::collections::HashMap<String, String> = objects
        .iter()
        .filter_map(|object| object.id.split_once("--").map(|(_, uuid)| (uuid.to_owned(), object.id.clone())))
        .collect();
    let mut links = Vec::new();
    for (object, cluster) in objects.iter().zip(clusters_of_objects) {
        for related in &cluster.related {
            let uuid = related.dest_uuid.trim().to_ascii_lowercase();
            let Some(target) = own.get(&uuid).cloned().or_else(|| resolve(&uuid)) else { continue };
            if target == object.id {
                continue;
            }
            let kind = related.kind.as_deref().unwrap_or("related");
            let likelihood = related
                .tags
                .iter()
                .find_map(|tag| tag.strip_prefix("estimative-language:likelihood-probability="))
                .map(|value| format!(" ({})", value.trim_matches('"')))
                .unwrap_or_default();
            let id =
                stix_id("relationship", None, &format!("galaxy related-to\n{}\n{target}\n{kind}", object.id));
            links.push(ClusterObject {
                id: id.clone(),
                content: json!({
                    "type": "relationship", "spec_version": "2.1", "id": id, "relationship_type": "related-to",
                    "source_ref": object.id, "target_ref": target,
                    "description": format!("MISP galaxy {}: {kind}{likelihood}", file.kind),
                    "object_marking_refs": [marking],
                }),
            });
        }
    }
    links.sort_by(|a, b| a.id.cmp(&b.id));
    links.dedup_by(|a, b| a.id == b.id);
    objects.extend(links);
    Ok((objects, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GALAXY: &str = r#"{
        "name": "Threat Actor", "type": "threat-actor", "uuid": "7cdff317-a673-4474-84ec-4f1754947823", "version": 336,
        "values": [
            {"value": "APT28", "uuid": "5b4ee3ea-eee3-4c8e-8323-85ae32658754", "description": "Russian actor.",
             "meta": {"synonyms": ["Fancy Bear", "APT28", "Sofacy", "Fancy Bear"], "country": "RU",
                      "refs": ["https://example.org/apt28", "not a url"], "cfr-suspected-victims": ["Georgia", "France"],
                      "cfr-suspected-state-sponsor": "Russian Federation"},
             "related": [
                {"dest-uuid": "BEF4C620-0787-42a8-a96d-b7eb6e85917c", "type": "similar",
                 "tags": ["estimative-language:likelihood-probability=\"likely\""]},
                {"dest-uuid": "11111111-1111-4111-8111-111111111111", "type": "similar"},
                {"dest-uuid": "22222222-2222-4222-8222-222222222222", "type": "uses"}
             ]},
            {"value": "  ", "uuid": "00000000-0000-4000-8000-000000000001"},
            {"value": "APT28 again", "uuid": "5B4EE3EA-EEE3-4C8E-8323-85AE32658754"},
            {"value": "No UUID", "related": [{"dest-uuid": "5b4ee3ea-eee3-4c8e-8323-85ae32658754", "type": "similar"}]}
        ]
    }"#;

    #[test]
    fn clusters_become_intrusion_sets_with_aliases_and_references() {
        let file = parse_galaxy(GALAXY.as_bytes()).expect("parses");
        // The store knows ATT&CK's APT28 by its UUID; the other links point at nothing known.
        let resolve = |uuid: &str| {
            (uuid == "bef4c620-0787-42a8-a96d-b7eb6e85917c").then(|| format!("intrusion-set--{uuid}"))
        };
        let (objects, warnings) = galaxy_actors(&file, resolve).expect("maps");
        let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "cluster 1 (\"  \"): the cluster has no name; left out",
                "cluster 2 (\"APT28 again\"): its UUID repeats an earlier cluster's; left out",
            ]
        );
        assert_eq!(objects.len(), 4, "two intrusion sets and two links");
        let links: Vec<String> = objects[2..]
            .iter()
            .map(|link| {
                format!(
                    "{} -> {}: {}",
                    link.content["source_ref"].as_str().unwrap_or(""),
                    link.content["target_ref"].as_str().unwrap_or(""),
                    link.content["description"].as_str().unwrap_or("")
                )
            })
            .collect();
        let mut expected = vec![
            format!(
                "intrusion-set--5b4ee3ea-eee3-4c8e-8323-85ae32658754 -> intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c: MISP galaxy threat-actor: similar (likely)"
            ),
            format!(
                "{} -> intrusion-set--5b4ee3ea-eee3-4c8e-8323-85ae32658754: MISP galaxy threat-actor: similar",
                objects[1].id
            ),
        ];
        expected.sort();
        let mut links = links;
        links.sort();
        assert_eq!(links, expected);
        let apt28 = objects[0].dated("2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z");
        assert_eq!(apt28["id"], "intrusion-set--5b4ee3ea-eee3-4c8e-8323-85ae32658754");
        assert_eq!(apt28["aliases"], json!(["Fancy Bear", "Sofacy"]));
        assert_eq!(apt28["x_muninn_country"], "RU");
        assert_eq!(apt28["x_muninn_suspected_victims"], json!(["Georgia", "France"]));
        assert_eq!(apt28["x_muninn_suspected_state_sponsor"], "Russian Federation");
        assert_eq!(apt28["external_references"].as_array().map(Vec::len), Some(2));
        assert_eq!(apt28["modified"], "2026-01-02T00:00:00.000Z");
        // A cluster without a UUID gets a name-derived id: the same on every import.
        let again =
            galaxy_actors(&parse_galaxy(GALAXY.as_bytes()).expect("parses"), |_| None).expect("maps").0;
        assert!(objects[1].id.starts_with("intrusion-set--"));
        assert_eq!(objects[1].id, again[1].id);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let cases: [(&[u8], &str); 4] = [
            (b"{\"name\": \"x\", \"type\": \"sector\", \"values\": []}", "not a threat-actor"),
            (
                b"{\"name\": \"x\", \"type\": \"threat-actor\", \"type\": \"y\", \"values\": []}",
                "duplicate field",
            ),
            (b"{\"name\": \"x\", \"type\": \"threat-actor\", \"values\": [", "EOF"),
            (b"\xff\xfe", "not UTF-8"),
        ];
        for (bytes, expected) in cases {
            let error = parse_galaxy(bytes)
                .and_then(|file| galaxy_actors(&file, |_| None).map(|_| ()))
                .expect_err("refused");
            assert!(error.to_string().contains(expected), "{error} should say {expected}");
        }
    }
}
