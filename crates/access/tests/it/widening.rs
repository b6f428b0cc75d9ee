//! `is_widening` and `widens_visibility` against the reference model over a whole universe of
//! principals, and the named kinds of widening.

use std::sync::OnceLock;

use muninn_access::{Principal, is_widening, widens_visibility};
use muninn_model::{Markings, Tlp};
use proptest::prelude::*;

use crate::common::{NARROW, markings_pair, strings, universe};
use crate::reference::reference_can_see;

fn narrow_universe() -> &'static [Principal] {
    static UNIVERSE: OnceLock<Vec<Principal>> = OnceLock::new();
    UNIVERSE.get_or_init(|| universe(NARROW))
}

/// Someone in the universe sees `new` but not `old`, by the reference model.
pub fn someone_gains(old: &Markings, new: &Markings) -> bool {
    narrow_universe()
        .iter()
        .any(|principal| reference_can_see(principal, new) && !reference_can_see(principal, old))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn widens_visibility_is_exactly_someone_gaining_sight((old, new) in markings_pair(NARROW)) {
        let gains = someone_gains(&old, &new);
        prop_assert_eq!(widens_visibility(&old, &new), gains);
        prop_assert_eq!(is_widening(&old, &new), gains || old.originator() != new.originator());
        prop_assert!(!is_widening(&old, &old));
    }
}

#[test]
fn each_kind_of_widening_is_seen() {
    let base = Markings {
        tlp: Tlp::Red,
        compartments: strings(&["g0"]),
        originator: Some("acme".into()),
        recipients: strings(&["u0"]),
        amber_to_clients: false,
        only_orgs: strings(&["beta"]),
    };
    let amber = Markings { tlp: Tlp::Amber, ..base.clone() };
    let cases: &[(&str, &Markings, Markings, bool)] = &[
        ("lower tlp", &base, Markings { tlp: Tlp::Green, ..base.clone() }, true),
        ("higher tlp", &amber, Markings { tlp: Tlp::AmberStrict, ..amber.clone() }, false),
        ("compartment removed", &base, Markings { compartments: strings(&[]), ..base.clone() }, true),
        (
            "compartment added",
            &base,
            Markings { compartments: strings(&["g0", "g1"]), ..base.clone() },
            false,
        ),
        (
            "recipient added while red",
            &base,
            Markings { recipients: strings(&["u0", "u1"]), ..base.clone() },
            true,
        ),
        ("recipient removed while red", &base, Markings { recipients: strings(&[]), ..base.clone() }, false),
        ("amber to clients on", &amber, Markings { amber_to_clients: true, ..amber.clone() }, true),
        ("amber to clients off", &Markings { amber_to_clients: true, ..amber.clone() }, amber.clone(), false),
        (
            "only_orgs relaxed",
            &base,
            Markings { only_orgs: strings(&["beta", "local"]), ..base.clone() },
            true,
        ),
        ("only_orgs dropped", &base, Markings { only_orgs: strings(&[]), ..base.clone() }, true),
        ("only_orgs narrowed", &base, Markings { only_orgs: strings(&["acme"]), ..base.clone() }, false),
        ("originator changed", &base, Markings { originator: Some("beta".into()), ..base.clone() }, true),
        (
            "originator made explicit",
            &Markings::tlp(Tlp::Amber),
            Markings { originator: Some("local".into()), ..Markings::tlp(Tlp::Amber) },
            false,
        ),
        // RED names people in any organisation: more restrictive as a label, yet it reaches
        // a named user outside the AMBER+STRICT organisation.
        (
            "amber+strict to red",
            &Markings::tlp(Tlp::AmberStrict),
            Markings { recipients: strings(&["u1"]), ..Markings::tlp(Tlp::Red) },
            true,
        ),
        (
            "amber+strict to red within the org",
            &Markings::tlp(Tlp::AmberStrict),
            Markings {
                recipients: strings(&["u1"]),
                only_orgs: strings(&["local"]),
                ..Markings::tlp(Tlp::Red)
            },
            false,
        ),
    ];
    for (name, old, new, expected) in cases {
        assert_eq!(is_widening(old, new), *expected, "{name}");
        assert_eq!(
            someone_gains(old, new) || old.originator() != new.originator(),
            *expected,
            "{name} (reference)"
        );
    }
}
