//! Role × action × markings, and label × kind of principal, as tables.

use std::collections::BTreeSet;

use muninn_access::{Action, Denied, Principal, Role, authorize, can_see};
use muninn_model::{Markings, Tlp};

use crate::common::{org, strings, user};

/// A principal `ann` of `acme`, holding compartment `g0`, a client of `beta`.
fn ann(role: Role) -> Principal {
    Principal {
        user: user("ann"),
        org: org("acme"),
        role,
        groups: strings(&["g0"]),
        client_of: BTreeSet::from([org("beta")]),
    }
}

fn marked(tlp: Tlp, originator: &str) -> Markings {
    Markings { originator: Some(originator.to_owned()), ..Markings::tlp(tlp) }
}

/// The markings of the matrix, by name.
fn fixture(name: &str) -> Markings {
    match name {
        "own green" => marked(Tlp::Green, "acme"),
        "own amber+strict g0" => {
            Markings { compartments: strings(&["g0"]), ..marked(Tlp::AmberStrict, "acme") }
        }
        "own red to ann" => Markings { recipients: strings(&["ann"]), ..marked(Tlp::Red, "acme") },
        "other clear" => marked(Tlp::Clear, "beta"),
        "other amber to clients" => Markings { amber_to_clients: true, ..marked(Tlp::Amber, "beta") },
        "other red to ann" => Markings { recipients: strings(&["ann"]), ..marked(Tlp::Red, "beta") },
        "other amber" => marked(Tlp::Amber, "beta"),
        "own red to bob" => Markings { recipients: strings(&["bob"]), ..marked(Tlp::Red, "acme") },
        "own green g1" => Markings { compartments: strings(&["g1"]), ..marked(Tlp::Green, "acme") },
        "own green only beta" => Markings { only_orgs: strings(&["beta"]), ..marked(Tlp::Green, "acme") },
        "other green only gamma" => Markings { only_orgs: strings(&["gamma"]), ..marked(Tlp::Green, "beta") },
        other => panic!("no fixture {other:?}"),
    }
}

#[test]
fn role_action_markings_matrix() {
    // y: allowed, f: forbidden, n: not found. Columns follow `Action::ALL`: read | create |
    // update delete widen | triage-alert manage-watchlist | export | taxii-read taxii-write |
    // read-audit.
    let own = ["own green", "own amber+strict g0", "own red to ann", "own green only beta"];
    let other = ["other clear", "other amber to clients", "other red to ann"];
    let invisible = ["other amber", "own red to bob", "own green g1", "other green only gamma"];
    let rows: &[(Role, &[&str], &str)] = &[
        (Role::Partner, &own, "y f fff ff f yy f"),
        (Role::Partner, &other, "y f fff ff f yy f"),
        (Role::Reader, &own, "y f fff ff y yf f"),
        (Role::Reader, &other, "y f fff ff y yf f"),
        (Role::Analyst, &own, "y y yyy yy y yy f"),
        (Role::Analyst, &other, "y y fff yy y yy f"),
        (Role::Admin, &own, "y y yyy yy y yy y"),
        (Role::Admin, &other, "y y fff yy y yy y"),
        (Role::Partner, &invisible, "n n nnn nn n nn n"),
        (Role::Reader, &invisible, "n n nnn nn n nn n"),
        (Role::Analyst, &invisible, "n n nnn nn n nn n"),
        (Role::Admin, &invisible, "n n nnn nn n nn n"),
    ];
    let mut failures = Vec::new();
    for (role, fixtures, expected) in rows {
        let expected: Vec<char> = expected.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(expected.len(), Action::ALL.len(), "row {role:?} {fixtures:?}");
        for name in *fixtures {
            for (action, want) in Action::ALL.into_iter().zip(&expected) {
                let got = match authorize(&ann(*role), action, &fixture(name)) {
                    Ok(()) => 'y',
                    Err(Denied::Forbidden) => 'f',
                    Err(Denied::NotFound) => 'n',
                };
                if got != *want {
                    failures.push(format!("{role:?} {action:?} on {name:?}: got {got}, want {want}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The README's table: who sees each label. Principals, all without compartments:
/// the originator's member `ann@acme`, `cid@beta` (a client of acme), `oli@gamma` (another
/// organisation), `rex@gamma` (another organisation, named as a RED recipient).
#[test]
fn who_sees_each_label() {
    let reader = |name: &str, org_id: &str, client_of: &[&str]| Principal {
        user: user(name),
        org: org(org_id),
        role: Role::Reader,
        groups: BTreeSet::new(),
        client_of: client_of.iter().map(|id| org(id)).collect(),
    };
    let principals = [
        reader("ann", "acme", &[]),
        reader("cid", "beta", &["acme"]),
        reader("oli", "gamma", &[]),
        reader("rex", "gamma", &[]),
    ];
    let rows: &[(Tlp, bool, &str)] = &[
        // label, amber_to_clients, who sees: ann cid oli rex
        (Tlp::Clear, false, "yyyy"),
        (Tlp::Green, false, "yyyy"),
        (Tlp::Amber, false, "ynnn"),
        (Tlp::Amber, true, "yynn"),
        (Tlp::AmberStrict, false, "ynnn"),
        (Tlp::AmberStrict, true, "ynnn"),
        (Tlp::Red, false, "nnny"),
        (Tlp::Red, true, "nnny"),
    ];
    for (tlp, amber_to_clients, expected) in rows {
        let markings = Markings {
            amber_to_clients: *amber_to_clients,
            recipients: strings(&["rex"]),
            ..marked(*tlp, "acme")
        };
        let got: String = principals
            .iter()
            .map(|principal| if can_see(principal, &markings) { 'y' } else { 'n' })
            .collect();
        assert_eq!(&got, expected, "{tlp:?} amber_to_clients={amber_to_clients}");
    }
}

#[test]
fn material_without_originator_belongs_to_the_local_organisation() {
    let local_admin = Principal { org: org("local"), ..ann(Role::Admin) };
    let markings = Markings::tlp(Tlp::AmberStrict);
    assert_eq!(authorize(&local_admin, Action::Widen, &markings), Ok(()));
    assert_eq!(authorize(&ann(Role::Admin), Action::Read, &markings), Err(Denied::NotFound));
}
