//! Generators of principals and markings over small pools, and a universe of principals.

use std::collections::BTreeSet;

use muninn_access::{OrgId, Principal, Role, UserId};
use muninn_model::{Markings, Tlp};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// A pool of values markings and principals are drawn from. Small, so that generated
/// principals often match generated markings.
#[derive(Debug, Clone, Copy)]
pub struct Pool {
    pub orgs: &'static [&'static str],
    pub users: &'static [&'static str],
    pub groups: &'static [&'static str],
}

/// The pool of the reference comparison: 4 organisations (one the default originator), 6
/// users, 3 compartments.
pub const WIDE: Pool = Pool {
    orgs: &["local", "acme", "beta", "gamma"],
    users: &["u0", "u1", "u2", "u3", "u4", "u5"],
    groups: &["g0", "g1", "g2"],
};

/// A smaller pool, for properties that enumerate a whole universe of principals per case.
pub const NARROW: Pool =
    Pool { orgs: &["local", "acme", "beta"], users: &["u0", "u1", "u2"], groups: &["g0", "g1"] };

pub fn org(id: &str) -> OrgId {
    id.parse().expect("a valid organisation id")
}

pub fn user(id: &str) -> UserId {
    id.parse().expect("a valid user id")
}

pub fn strings(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn subset(items: &'static [&'static str]) -> impl Strategy<Value = BTreeSet<String>> {
    subsequence(items.to_vec(), 0..=items.len()).prop_map(|chosen| strings(&chosen))
}

pub fn role() -> impl Strategy<Value = Role> {
    select(Role::ALL.to_vec())
}

pub fn tlp() -> impl Strategy<Value = Tlp> {
    select(Tlp::ALL.to_vec())
}

pub fn principal(pool: Pool) -> impl Strategy<Value = Principal> {
    (select(pool.users), select(pool.orgs), role(), subset(pool.groups), subset(pool.orgs)).prop_map(
        |(user_id, org_id, role, groups, client_of)| Principal {
            user: user(user_id),
            org: org(org_id),
            role,
            groups,
            client_of: client_of.iter().map(|id| org(id)).collect(),
        },
    )
}

pub fn markings(pool: Pool) -> impl Strategy<Value = Markings> {
    let originator = prop_oneof![Just(None), select(pool.orgs).prop_map(|id| Some(id.to_owned()))];
    // Half the markings carry no originator restriction, as most material does.
    let only_orgs = prop_oneof![Just(BTreeSet::new()), subset(pool.orgs)];
    (tlp(), subset(pool.groups), originator, subset(pool.users), any::<bool>(), only_orgs).prop_map(
        |(tlp, compartments, originator, recipients, amber_to_clients, only_orgs)| Markings {
            tlp,
            compartments,
            originator,
            recipients,
            amber_to_clients,
            only_orgs,
        },
    )
}

/// Two markings: unrelated, or the second the first with one or two fields taken from a third
/// (the small changes an edit makes).
pub fn markings_pair(pool: Pool) -> impl Strategy<Value = (Markings, Markings)> {
    let edited =
        (markings(pool), markings(pool), 0..6usize, 0..6usize).prop_map(|(old, other, first, second)| {
            let mut new = old.clone();
            for field in [first, second] {
                match field {
                    0 => new.tlp = other.tlp,
                    1 => new.compartments = other.compartments.clone(),
                    2 => new.originator = other.originator.clone(),
                    3 => new.recipients = other.recipients.clone(),
                    4 => new.amber_to_clients = other.amber_to_clients,
                    _ => new.only_orgs = other.only_orgs.clone(),
                }
            }
            (old, new)
        });
    prop_oneof![(markings(pool), markings(pool)), edited]
}

fn all_subsets(items: &[&str]) -> Vec<BTreeSet<String>> {
    (0..1u32 << items.len())
        .map(|mask| {
            items
                .iter()
                .enumerate()
                .filter(|(index, _)| mask & (1 << index) != 0)
                .map(|(_, item)| (*item).to_owned())
                .collect()
        })
        .collect()
}

/// Every principal over `pool`, plus a user and an organisation that no markings name: every
/// user in every organisation, with every set of groups and every set of client relations.
pub fn universe(pool: Pool) -> Vec<Principal> {
    let users: Vec<&str> = pool.users.iter().copied().chain(["fresh-user"]).collect();
    let orgs: Vec<&str> = pool.orgs.iter().copied().chain(["fresh-org"]).collect();
    let mut principals = Vec::new();
    for user_id in &users {
        for org_id in &orgs {
            for groups in all_subsets(pool.groups) {
                for client_of in all_subsets(pool.orgs) {
                    principals.push(Principal {
                        user: user(user_id),
                        org: org(org_id),
                        role: Role::Reader,
                        groups: groups.clone(),
                        client_of: client_of.iter().map(|id| org(id)).collect(),
                    });
                }
            }
        }
    }
    principals
}
