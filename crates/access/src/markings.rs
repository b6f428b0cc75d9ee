//! Changes of markings: telling a widening apart ([`is_widening`]) and merging what ingest
//! reads into what is stored without ever lowering it ([`ingest_markings`]).
//!
//! Both rest on the same reading of [`crate::can_see`]: the principals who see material are
//! those holding its compartments, of an admitted organisation, and (for TLP:RED) named. The
//! three conditions are independent, so one set of markings reaches no further than another
//! exactly when each condition is at least as strict.

use std::collections::BTreeSet;

use muninn_model::{Markings, Tlp};

/// Whether changing `old` into `new` needs the originator's permission (TLP 2.0 §1(h)):
/// either some principal could see `new` but not `old` ([`widens_visibility`]), or the
/// originator changes (which hands update, delete and widen to another organisation, and moves
/// the TLP:AMBER boundary). A change for which this is true is [`crate::Action::Widen`], not
/// [`crate::Action::Update`].
pub fn is_widening(old: &Markings, new: &Markings) -> bool {
    old.originator() != new.originator() || widens_visibility(old, new)
}

/// Whether some principal could see `new` but not `old`: a lower TLP, a compartment removed, a
/// recipient added to TLP:RED, `amber_to_clients` switched on, `only_orgs` relaxed or dropped.
/// Exact: it is true if and only if such a principal exists (among every possible user,
/// organisation, set of groups and set of client relations), not a list of field changes.
pub fn widens_visibility(old: &Markings, new: &Markings) -> bool {
    !Reach::of(new).within(&Reach::of(old))
}

/// The markings to store when ingest reads `incoming` for material already stored with
/// `existing`: never wider than `existing` ([`is_widening`] is false), whatever the source says.
///
/// Field by field the most restrictive wins: the higher TLP, the union of compartments, the
/// intersection of `only_orgs` (when both restrict; "only the originator" when they share no
/// organisation), `amber_to_clients` only if both allow it, the recipients of TLP:RED common
/// to both (those of the RED side when only one is RED), and always the existing originator.
/// One case needs more than that: TLP:RED names individuals in any organisation, so when one
/// side is RED and the other AMBER or AMBER+STRICT, the recipients are also held to the
/// originator's organisation. New material (`existing` is `None`) keeps its markings.
pub fn ingest_markings(existing: Option<&Markings>, incoming: Markings) -> Markings {
    let Some(existing) = existing else {
        return incoming;
    };
    let incoming_tlp = incoming.tlp;
    let tlp = existing.tlp.max(incoming_tlp);
    let recipients = match (existing.tlp == Tlp::Red, incoming_tlp == Tlp::Red) {
        (true, false) => existing.recipients.clone(),
        (false, true) => incoming.recipients,
        (true, true) | (false, false) => {
            existing.recipients.intersection(&incoming.recipients).cloned().collect()
        }
    };
    let mut only_orgs = match (existing.only_orgs.is_empty(), incoming.only_orgs.is_empty()) {
        (true, true) => BTreeSet::new(),
        (false, true) => existing.only_orgs.clone(),
        (true, false) => incoming.only_orgs,
        (false, false) => existing.only_orgs.intersection(&incoming.only_orgs).cloned().collect(),
    };
    // Both restricted and share no organisation: an empty set would mean no restriction.
    let restrictions_disjoint = only_orgs.is_empty() && !existing.only_orgs.is_empty();
    // RED recipients must stay inside the organisation that either side's AMBER confined the
    // material to.
    let org_bound = |label: Tlp| matches!(label, Tlp::Amber | Tlp::AmberStrict);
    let red_leaves_org = tlp == Tlp::Red && (org_bound(existing.tlp) || org_bound(incoming_tlp));
    if restrictions_disjoint || red_leaves_org {
        only_orgs = BTreeSet::from([existing.originator().to_owned()]);
    }
    Markings {
        tlp,
        compartments: existing.compartments.union(&incoming.compartments).cloned().collect(),
        originator: existing.originator.clone(),
        recipients,
        amber_to_clients: existing.amber_to_clients && incoming.amber_to_clients,
        only_orgs,
    }
}

/// A set of organisation ids in a universe without end: finite, or everything but a finite set.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Orgs<'a> {
    Only(BTreeSet<&'a str>),
    AllBut(BTreeSet<&'a str>),
}

impl<'a> Orgs<'a> {
    fn without(self, org: &'a str) -> Orgs<'a> {
        match self {
            Orgs::Only(mut orgs) => {
                orgs.remove(org);
                Orgs::Only(orgs)
            }
            Orgs::AllBut(mut orgs) => {
                orgs.insert(org);
                Orgs::AllBut(orgs)
            }
        }
    }

    fn union(&self, other: &Orgs<'a>) -> Orgs<'a> {
        match (self, other) {
            (Orgs::Only(mine), Orgs::Only(theirs)) => Orgs::Only(mine.union(theirs).copied().collect()),
            (Orgs::Only(some), Orgs::AllBut(excluded)) | (Orgs::AllBut(excluded), Orgs::Only(some)) => {
                Orgs::AllBut(excluded.difference(some).copied().collect())
            }
            (Orgs::AllBut(mine), Orgs::AllBut(theirs)) => {
                Orgs::AllBut(mine.intersection(theirs).copied().collect())
            }
        }
    }

    fn is_subset(&self, other: &Orgs<'_>) -> bool {
        match (self, other) {
            (Orgs::Only(mine), Orgs::Only(theirs)) => mine.is_subset(theirs),
            (Orgs::Only(mine), Orgs::AllBut(excluded)) => mine.is_disjoint(excluded),
            // Infinitely many organisations are left in `self`: some are outside `other`.
            (Orgs::AllBut(_), Orgs::Only(_)) => false,
            (Orgs::AllBut(excluded), Orgs::AllBut(their_excluded)) => their_excluded.is_subset(excluded),
        }
    }
}

/// Who can see material, as three independent conditions mirroring [`crate::can_see`]: a
/// principal sees it when it holds `compartments`, is one of `users`, and its organisation is
/// in `orgs`, or in `client_orgs` and a client of `originator`.
#[derive(Debug)]
struct Reach<'a> {
    compartments: &'a BTreeSet<String>,
    /// `None`: every user.
    users: Option<&'a BTreeSet<String>>,
    orgs: Orgs<'a>,
    /// Organisations outside `orgs` admitted as clients of the originator.
    client_orgs: Orgs<'a>,
    originator: &'a str,
}

impl<'a> Reach<'a> {
    fn of(markings: &'a Markings) -> Reach<'a> {
        let originator = markings.originator();
        let admitted = if markings.only_orgs.is_empty() {
            Orgs::AllBut(BTreeSet::new())
        } else {
            let mut orgs: BTreeSet<&str> = markings.only_orgs.iter().map(String::as_str).collect();
            orgs.insert(originator);
            Orgs::Only(orgs)
        };
        let own = Orgs::Only(BTreeSet::from([originator]));
        let nobody = Orgs::Only(BTreeSet::new());
        let (users, orgs, client_orgs) = match markings.tlp {
            Tlp::Clear | Tlp::Green => (None, admitted, nobody),
            Tlp::Amber if markings.amber_to_clients => (None, own, admitted.without(originator)),
            Tlp::Amber | Tlp::AmberStrict => (None, own, nobody),
            Tlp::Red => (Some(&markings.recipients), admitted, nobody),
        };
        Reach { compartments: &markings.compartments, users, orgs, client_orgs, originator }
    }

    /// Nobody at all can see it (TLP:RED with no recipient).
    fn is_nobody(&self) -> bool {
        self.users.is_some_and(BTreeSet::is_empty)
    }

    /// Whether everyone this reaches is also reached by `wider`.
    fn within(&self, wider: &Reach<'a>) -> bool {
        if self.is_nobody() {
            return true;
        }
        let compartments_kept = wider.compartments.is_subset(self.compartments);
        let users_kept = match (self.users, wider.users) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(mine), Some(theirs)) => mine.is_subset(theirs),
        };
        // A client of this originator is admitted by the wider reach as a client only if both
        // have the same originator; otherwise only `wider.orgs`, admitted whatever the client
        // relations, can take this reach's clients in.
        let clients_kept = if self.originator == wider.originator {
            self.client_orgs.is_subset(&wider.orgs.union(&wider.client_orgs))
        } else {
            self.client_orgs.is_subset(&wider.orgs)
        };
        compartments_kept && users_kept && self.orgs.is_subset(&wider.orgs) && clients_kept
    }
}
