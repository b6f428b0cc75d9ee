//! An in-memory set of objects with their versions: what tests, benchmarks and the graph use,
//! and a model of what the caller's store must answer.

use std::collections::{BTreeMap, HashMap};

use crate::import::{ImportReport, KnownObjects, KnownVersion, Outcome};
use crate::object::StixObject;
use crate::timestamp::StixTimestamp;

/// Objects by id, each with its versions ordered by version timestamp.
#[derive(Debug, Clone, Default)]
pub struct ObjectSet {
    objects: HashMap<String, BTreeMap<Option<StixTimestamp>, StixObject>>,
}

impl ObjectSet {
    /// An empty set.
    pub fn new() -> ObjectSet {
        ObjectSet::default()
    }

    /// Adds the accepted objects of an import, as the caller's store would.
    pub fn apply(&mut self, report: &ImportReport) {
        for report in &report.objects {
            if let Outcome::Stored(object) | Outcome::Updated(object) | Outcome::OlderVersion(object) =
                &report.outcome
            {
                self.insert(object.clone());
            }
        }
    }

    /// Adds one version (replacing the same version).
    pub fn insert(&mut self, object: StixObject) {
        self.objects.entry(object.id().to_string()).or_default().insert(object.version(), object);
    }

    /// The latest version of `id`.
    pub fn get(&self, id: &str) -> Option<&StixObject> {
        self.objects.get(id).and_then(|versions| versions.values().next_back())
    }

    /// Every version of `id`, oldest first.
    pub fn versions(&self, id: &str) -> impl Iterator<Item = &StixObject> {
        self.objects.get(id).into_iter().flat_map(|versions| versions.values())
    }

    /// The latest version of every object, in id order.
    pub fn latest(&self) -> Vec<&StixObject> {
        let mut latest: Vec<&StixObject> =
            self.objects.values().filter_map(|versions| versions.values().next_back()).collect();
        latest.sort_by(|left, right| left.id().cmp(right.id()));
        latest
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

impl KnownObjects for ObjectSet {
    fn latest(&self, id: &str) -> Option<KnownVersion> {
        self.get(id).map(|object| KnownVersion { version: object.version(), tlp: object.tlp() })
    }

    fn version_json(&self, id: &str, version: Option<StixTimestamp>) -> Option<String> {
        self.objects.get(id)?.get(&version).map(|object| object.json().to_owned())
    }
}
