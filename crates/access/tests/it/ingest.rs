//! `ingest_markings`: never wider than what is stored.

use muninn_access::{ingest_markings, is_widening, widens_visibility};
use muninn_model::{Markings, Tlp};
use proptest::prelude::*;

use crate::common::{NARROW, markings, markings_pair, strings};
use crate::widening::someone_gains;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn ingest_never_widens_what_is_stored((existing, incoming) in markings_pair(NARROW)) {
        let result = ingest_markings(Some(&existing), incoming.clone());
        prop_assert!(!is_widening(&existing, &result), "{:?}", result);
        prop_assert!(!someone_gains(&existing, &result), "{:?}", result);
        prop_assert_eq!(result.originator.as_deref(), existing.originator.as_deref());
        prop_assert_eq!(result.tlp, existing.tlp.max(incoming.tlp));
        prop_assert!(result.compartments.is_superset(&existing.compartments));
        prop_assert!(result.compartments.is_superset(&incoming.compartments));
        // With the same originator, the source's own restrictions are honoured as well.
        if existing.originator() == incoming.originator() {
            prop_assert!(!widens_visibility(&incoming, &result), "{:?}", result);
        }
    }

    #[test]
    fn new_material_keeps_its_markings_and_ingest_is_idempotent(markings in markings(NARROW)) {
        prop_assert_eq!(ingest_markings(None, markings.clone()), markings.clone());
        prop_assert_eq!(ingest_markings(Some(&markings), markings.clone()), markings);
    }
}

#[test]
fn field_by_field_the_most_restrictive_wins() {
    let stored = |tlp| Markings { originator: Some("acme".into()), ..Markings::tlp(tlp) };
    let cases: &[(&str, Markings, Markings, Markings)] = &[
        (
            "a feed lowering the label is ignored",
            stored(Tlp::Amber),
            Markings::tlp(Tlp::Clear),
            stored(Tlp::Amber),
        ),
        (
            "a feed raising the label wins",
            stored(Tlp::Green),
            Markings { compartments: strings(&["g0"]), ..Markings::tlp(Tlp::AmberStrict) },
            Markings { compartments: strings(&["g0"]), ..stored(Tlp::AmberStrict) },
        ),
        (
            "both red: common recipients",
            Markings { recipients: strings(&["u0", "u1"]), ..stored(Tlp::Red) },
            Markings { recipients: strings(&["u1", "u2"]), ..Markings::tlp(Tlp::Red) },
            Markings { recipients: strings(&["u1"]), ..stored(Tlp::Red) },
        ),
        (
            "red over green: the red side's recipients",
            stored(Tlp::Green),
            Markings { recipients: strings(&["u2"]), ..Markings::tlp(Tlp::Red) },
            Markings { recipients: strings(&["u2"]), ..stored(Tlp::Red) },
        ),
        (
            "red over amber: recipients held to the originator's organisation",
            stored(Tlp::Amber),
            Markings { recipients: strings(&["u2"]), ..Markings::tlp(Tlp::Red) },
            Markings { recipients: strings(&["u2"]), only_orgs: strings(&["acme"]), ..stored(Tlp::Red) },
        ),
        (
            "amber to clients only if both allow it",
            Markings { amber_to_clients: true, ..stored(Tlp::Amber) },
            Markings { amber_to_clients: false, ..Markings::tlp(Tlp::Amber) },
            stored(Tlp::Amber),
        ),
        (
            "only_orgs: the intersection",
            Markings { only_orgs: strings(&["beta", "gamma"]), ..stored(Tlp::Green) },
            Markings { only_orgs: strings(&["gamma", "delta"]), ..Markings::tlp(Tlp::Green) },
            Markings { only_orgs: strings(&["gamma"]), ..stored(Tlp::Green) },
        ),
        (
            "only_orgs sharing nothing: the originator only, never unrestricted",
            Markings { only_orgs: strings(&["beta"]), ..stored(Tlp::Green) },
            Markings { only_orgs: strings(&["gamma"]), ..Markings::tlp(Tlp::Green) },
            Markings { only_orgs: strings(&["acme"]), ..stored(Tlp::Green) },
        ),
        (
            "a restriction the feed adds is kept",
            stored(Tlp::Green),
            Markings { only_orgs: strings(&["beta"]), ..Markings::tlp(Tlp::Green) },
            Markings { only_orgs: strings(&["beta"]), ..stored(Tlp::Green) },
        ),
    ];
    for (name, existing, incoming, expected) in cases {
        assert_eq!(&ingest_markings(Some(existing), incoming.clone()), expected, "{name}");
    }
}
