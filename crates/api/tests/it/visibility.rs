//! The visibility rule inside the index (search hits, totals, facets, histograms,
//! correlations) against the reference model, over generated markings and generated users:
//! no case may reveal an item the model hides, or hide one it shows.

use std::collections::{BTreeMap, BTreeSet};

use muninn_access::{OrgId, Principal, Role};
use muninn_api::state::visibility_of;
use muninn_index::{SearchIndex, SearchRequest};
use muninn_model::{ItemId, Markings, Timestamp, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig};
use std::hash::{DefaultHasher, Hash, Hasher};

const ORGS: [&str; 4] = ["org-a", "org-b", "org-c", "org-d"];
const USERS: [&str; 5] = ["u1", "u2", "u3", "u4", "u5"];
const GROUPS: [&str; 3] = ["ops", "legal", "hr"];
const ITEMS: usize = 300;
const PRINCIPALS: usize = 400;

/// Deterministic draws (SipHash of a counter): the same cases on every run.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        let mut hasher = DefaultHasher::new();
        self.0.hash(&mut hasher);
        hasher.finish() as u32
    }
}

fn subset(rng: &mut Draws, from: &[&str]) -> BTreeSet<String> {
    from.iter().filter(|_| rng.next().is_multiple_of(3)).map(|s| (*s).to_owned()).collect()
}

fn pick<'a>(rng: &mut Draws, from: &[&'a str]) -> &'a str {
    from[rng.next() as usize % from.len()]
}

fn markings(rng: &mut Draws) -> Markings {
    let mut markings = Markings::tlp(Tlp::ALL[rng.next() as usize % Tlp::ALL.len()]);
    markings.originator = Some(pick(rng, &ORGS).to_owned());
    if rng.next().is_multiple_of(4) {
        markings.compartments = subset(rng, &GROUPS);
    }
    markings.recipients = subset(rng, &USERS);
    markings.amber_to_clients = rng.next().is_multiple_of(2);
    if rng.next().is_multiple_of(5) {
        markings.only_orgs = subset(rng, &ORGS);
    }
    markings
}

fn principal(rng: &mut Draws) -> Principal {
    let org: OrgId = pick(rng, &ORGS).parse().expect("org");
    Principal {
        user: pick(rng, &USERS).parse().expect("user"),
        org,
        role: [Role::Admin, Role::Analyst, Role::Reader, Role::Partner][rng.next() as usize % 4],
        groups: subset(rng, &GROUPS),
        client_of: subset(rng, &ORGS).into_iter().map(|o| o.parse().expect("org")).collect(),
    }
}

/// The reference model, from FIRST's definitions (independent of `muninn_access`).
fn reference(principal: &Principal, markings: &Markings) -> bool {
    let org = principal.org.as_str();
    let originator = markings.originator.as_deref().unwrap_or("local");
    markings.compartments.is_subset(&principal.groups)
        && (markings.only_orgs.is_empty() || markings.only_orgs.contains(org) || originator == org)
        && match markings.tlp {
            Tlp::Clear | Tlp::Green => true,
            Tlp::Amber => {
                originator == org
                    || (markings.amber_to_clients
                        && principal.client_of.iter().any(|o| o.as_str() == originator))
            }
            Tlp::AmberStrict => originator == org,
            Tlp::Red => markings.recipients.contains(principal.user.as_str()),
        }
}

#[test]
fn search_counts_facets_histograms_and_correlations_show_exactly_what_the_model_allows() {
    let mut rng = Draws(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = EmbeddedStore::open(&dir.path().join("data"), StoreConfig::default()).expect("store");
    let mut by_id: BTreeMap<ItemId, Markings> = BTreeMap::new();
    let mut items = Vec::new();
    for n in 0..ITEMS {
        let markings = markings(&mut rng);
        let body = format!("Item {n} mentions shared-term and 203.0.113.9 in its text.");
        let (item, _) = crate::fixture::draft(&format!("generated {n}"), &body, markings.clone()).into_item();
        by_id.insert(item.id, markings);
        items.push((item, None));
    }
    store.append(AppendBatch { items, ..Default::default() }).expect("append");
    let mut index = SearchIndex::open(&dir.path().join("index")).expect("index");
    index.sync(&store).expect("sync");
    let query = muninn_query::parse("shared-term", Timestamp::now()).expect("query");
    let mut cases = 0u64;
    let mut agreements_with_access = 0u64;
    for _ in 0..PRINCIPALS {
        let principal = principal(&mut rng);
        let visibility = visibility_of(&principal);
        let expected: BTreeSet<ItemId> =
            by_id.iter().filter(|(_, m)| reference(&principal, m)).map(|(id, _)| *id).collect();
        for markings in by_id.values() {
            assert_eq!(
                muninn_access::can_see(&principal, markings),
                reference(&principal, markings),
                "{principal:?} {markings:?}"
            );
            agreements_with_access += 1;
        }
        let results = index
            .search(&SearchRequest {
                query: &query,
                visibility: &visibility,
                limit: ITEMS,
                after: None,
                facets: true,
                histogram: true,
            })
            .expect("search");
        let found: BTreeSet<ItemId> = results.hits.iter().map(|hit| hit.id).collect();
        assert_eq!(found, expected, "hits for {principal:?}");
        assert_eq!(results.total, expected.len() as u64, "total for {principal:?}");
        let facets = results.facets.expect("facets");
        assert_eq!(
            facets.tlp.iter().map(|(_, n)| n).sum::<u64>(),
            expected.len() as u64,
            "TLP facet for {principal:?}"
        );
        assert_eq!(facets.source.iter().map(|(_, n)| n).sum::<u64>(), expected.len() as u64, "source facet");
        assert_eq!(results.histogram.iter().map(|(_, n)| n).sum::<u64>(), expected.len() as u64, "histogram");
        let summary = index.indicator_summary("203.0.113.9", &visibility, 5).expect("indicator");
        assert_eq!(summary.count, expected.len() as u64, "indicator count for {principal:?}");
        if let Some(own) = expected.iter().next() {
            let related = index.related(own, &visibility, ITEMS).expect("related");
            assert!(related.iter().all(|r| expected.contains(&r.id)), "related leaks for {principal:?}");
            assert_eq!(related.len(), expected.len() - 1, "related for {principal:?}");
        }
        cases += by_id.len() as u64;
    }
    assert!(cases >= 100_000, "{cases} cases");
    assert_eq!(agreements_with_access, cases);
    // The figure `cargo xtask bench api` reports as acl_property_cases.
    eprintln!(
        "acl property cases: {cases} (principal, item) pairs through search, facets, histogram, correlation"
    );
}
