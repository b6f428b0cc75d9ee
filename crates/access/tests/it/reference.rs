//! A naive reference model of the rules, written from the FIRST TLP 2.0 text and the role
//! table without looking at `policy.rs`, and proptest comparisons of the crate against it.

use muninn_access::{Action, Denied, Principal, Role, authorize, can_see};
use muninn_model::{Markings, Tlp};
use proptest::prelude::*;

use crate::common::{WIDE, markings, principal};

/// Who sees what, straight from the text.
pub fn reference_can_see(principal: &Principal, markings: &Markings) -> bool {
    let source = markings.originator.clone().unwrap_or_else(|| String::from("local"));
    let my_org = principal.org.to_string();
    let me = principal.user.to_string();
    // Need to know: every compartment is held.
    for compartment in &markings.compartments {
        if !principal.groups.contains(compartment) {
            return false;
        }
    }
    // §1(g): the source's additional restrictions (the source itself is never excluded).
    if !markings.only_orgs.is_empty() && !markings.only_orgs.contains(&my_org) && my_org != source {
        return false;
    }
    let inside_source_org = my_org == source;
    let client_of_source = principal.client_of.iter().any(|of| of.to_string() == source);
    match markings.tlp {
        // "Recipients can spread this to the world": everyone.
        Tlp::Clear => true,
        // "recipients can spread this within their community": the whole deployment.
        Tlp::Green => true,
        // "within their organization and its clients", clients only with the source's consent.
        Tlp::Amber => inside_source_org || (client_of_source && markings.amber_to_clients),
        // "restricts sharing to the organization only".
        Tlp::AmberStrict => inside_source_org,
        // "For the eyes and ears of individual recipients only".
        Tlp::Red => markings.recipients.contains(&me),
    }
}

/// What each role may do, straight from the role table.
pub fn reference_authorize(principal: &Principal, action: Action, object: &Markings) -> Result<(), Denied> {
    if !reference_can_see(principal, object) {
        return Err(Denied::NotFound);
    }
    let ours = object.originator.as_deref().unwrap_or("local") == principal.org.as_str();
    let reader_may = matches!(action, Action::Read | Action::Export | Action::TaxiiRead);
    let analyst_may = reader_may
        || matches!(
            action,
            Action::Create | Action::TriageAlert | Action::ManageWatchlist | Action::TaxiiWrite
        )
        || (ours && matches!(action, Action::Update | Action::Delete | Action::Widen));
    let allowed = match principal.role {
        Role::Partner => matches!(action, Action::Read | Action::TaxiiRead | Action::TaxiiWrite),
        Role::Reader => reader_may,
        Role::Analyst => analyst_may,
        Role::Admin => analyst_may || action == Action::ReadAudit,
    };
    if allowed { Ok(()) } else { Err(Denied::Forbidden) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]

    #[test]
    fn can_see_agrees_with_the_reference(principal in principal(WIDE), markings in markings(WIDE)) {
        prop_assert_eq!(can_see(&principal, &markings), reference_can_see(&principal, &markings));
    }

    #[test]
    fn authorize_agrees_with_the_reference(principal in principal(WIDE), markings in markings(WIDE)) {
        for action in Action::ALL {
            prop_assert_eq!(
                authorize(&principal, action, &markings),
                reference_authorize(&principal, action, &markings),
                "{:?}", action
            );
        }
    }
}
