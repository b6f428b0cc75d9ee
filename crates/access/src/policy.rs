//! Who may see what, and do what to it: the one visibility rule ([`can_see`]) and the one
//! choke point every request goes through ([`authorize`]).
//!
//! The quotations are from FIRST, "Traffic Light Protocol (TLP): FIRST Standards Definitions
//! and Usage Guidance, Version 2.0" (<https://www.first.org/tlp/>).

use muninn_model::{Markings, Tlp};
use serde::{Deserialize, Serialize};

use crate::{OrgId, Principal, Role, UserId};

/// Whether `principal` may see material with `markings`. Visibility is the intersection of
/// the need-to-know compartments, the originator's own restriction and the TLP boundary; the
/// role plays no part (an admin sees nothing more than a reader of the same organisation).
pub fn can_see(principal: &Principal, markings: &Markings) -> bool {
    // Need to know: every compartment of the material must be held ("need-to-know basis",
    // AMBER and AMBER+STRICT; a compartment narrows every label).
    if !markings.compartments.iter().all(|compartment| principal.groups.contains(compartment)) {
        return false;
    }
    let org = principal.org.as_str();
    let originator = markings.originator();
    // §1(g): "The source is at liberty to specify additional sharing restrictions", and
    // recipients must adhere to them. The originator always keeps its own material.
    if !markings.only_orgs.is_empty() && org != originator && !markings.only_orgs.contains(org) {
        return false;
    }
    match markings.tlp {
        // TLP:CLEAR: "Recipients can spread this to the world, there is no limit on disclosure."
        // TLP:GREEN: "Limited disclosure, recipients can spread this within their community."
        // Every principal of this deployment belongs to its community; nothing here is public.
        Tlp::Clear | Tlp::Green => true,
        // TLP:AMBER: "Limited disclosure, recipients can only spread this on a need-to-know
        // basis within their organization and its clients." Clients are reached only with the
        // originator's permission (FIRST use cases: not to outsourced providers without it).
        Tlp::Amber => {
            org == originator
                || (markings.amber_to_clients
                    && principal.client_of.iter().any(|of| of.as_str() == originator))
        }
        // TLP:AMBER+STRICT: "restricts sharing to the organization only."
        Tlp::AmberStrict => org == originator,
        // TLP:RED: "For the eyes and ears of individual recipients only, no further
        // disclosure." Named users only: no organisation, no role, no admin override.
        Tlp::Red => markings.recipients.contains(principal.user.as_str()),
    }
}

/// Something a principal may do to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read the object (search hits, counts and facets included).
    Read,
    /// Create an object with the given markings.
    Create,
    /// Change the object without widening its markings.
    Update,
    /// Delete the object.
    Delete,
    /// Widen the object's markings ([`crate::is_widening`]): TLP 2.0 §1(h) leaves that to the source.
    Widen,
    /// Triage an alert (acknowledge, dismiss, escalate).
    TriageAlert,
    /// Create, change or delete a watchlist.
    ManageWatchlist,
    /// Export the object (bundle, report).
    Export,
    /// Read the object over TAXII.
    TaxiiRead,
    /// Add the object over TAXII.
    TaxiiWrite,
    /// Read the audit log (the object is the audit collection's markings).
    ReadAudit,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 11] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Widen,
        Action::TriageAlert,
        Action::ManageWatchlist,
        Action::Export,
        Action::TaxiiRead,
        Action::TaxiiWrite,
        Action::ReadAudit,
    ];

    /// The snake-case name, as in logs and the audit trail: `read`, `triage_alert`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Widen => "widen",
            Action::TriageAlert => "triage_alert",
            Action::ManageWatchlist => "manage_watchlist",
            Action::Export => "export",
            Action::TaxiiRead => "taxii_read",
            Action::TaxiiWrite => "taxii_write",
            Action::ReadAudit => "read_audit",
        }
    }
}

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Denied {
    /// The object is not visible to the principal: answered exactly as if it did not exist, so
    /// that a refusal reveals nothing about it.
    #[error("not found")]
    NotFound,
    /// The principal sees the object but may not do this to it.
    #[error("forbidden")]
    Forbidden,
}

/// How far a role's grant of an action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// Not granted.
    No,
    /// Granted on every object the principal sees.
    Seen,
    /// Granted only on objects its own organisation originated.
    OwnOrg,
}

use Grant::{No, OwnOrg, Seen};

/// The role table: for each action, the grant of each role, in rank order ([`Role::rank`]).
/// Mutations stay within the originating organisation for every role: the admins of one
/// organisation never change another's material.
#[rustfmt::skip]
const ROLE_TABLE: [(Action, [Grant; 4]); 11] = [
    //                         Partner Reader Analyst Admin
    (Action::Read,             [Seen,  Seen,  Seen,   Seen]),
    (Action::Create,           [No,    No,    Seen,   Seen]),
    (Action::Update,           [No,    No,    OwnOrg, OwnOrg]),
    (Action::Delete,           [No,    No,    OwnOrg, OwnOrg]),
    (Action::Widen,            [No,    No,    OwnOrg, OwnOrg]),
    (Action::TriageAlert,      [No,    No,    Seen,   Seen]),
    (Action::ManageWatchlist,  [No,    No,    Seen,   Seen]),
    (Action::Export,           [No,    Seen,  Seen,   Seen]),
    (Action::TaxiiRead,        [Seen,  Seen,  Seen,   Seen]),
    (Action::TaxiiWrite,       [Seen,  No,    Seen,   Seen]),
    (Action::ReadAudit,        [No,    No,    No,     Seen]),
];

/// The grant of `role` for `action`; an action missing from the table is not granted.
fn grant(role: Role, action: Action) -> Grant {
    ROLE_TABLE
        .iter()
        .find(|(row_action, _)| *row_action == action)
        .and_then(|(_, grants)| grants.get(usize::from(role.rank())).copied())
        .unwrap_or(No)
}

/// The single choke point: may `principal` do `action` to the object with markings `object`?
///
/// Pass the markings of the object as loaded from the store (for [`Action::Create`], of the
/// object to be created). An object the principal cannot see is [`Denied::NotFound`] whatever
/// the action, so the answer cannot be told apart from a missing object; this also means no
/// one creates material it could not itself read. Then the role table decides: an action not
/// granted is [`Denied::Forbidden`], and update, delete and widen are granted only on material
/// the principal's own organisation originated (TLP 2.0 §1(h): only the source widens).
pub fn authorize(principal: &Principal, action: Action, object: &Markings) -> Result<(), Denied> {
    if !can_see(principal, object) {
        return Err(Denied::NotFound);
    }
    match grant(principal.role, action) {
        Grant::Seen => Ok(()),
        Grant::OwnOrg if principal.org.as_str() == object.originator() => Ok(()),
        Grant::OwnOrg | Grant::No => Err(Denied::Forbidden),
    }
}

/// Something done to a user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    /// Create the account (the target role is the new account's role).
    Create,
    /// Give the account another role.
    ChangeRole(Role),
    /// Disable the account (it can no longer authenticate).
    Disable,
    /// Issue an API token for the account.
    IssueToken,
    /// Revoke one of the account's API tokens.
    RevokeToken,
}

/// May `actor` do `action` to the account `target_user` of `target_org`, whose role is
/// `target_role` (for [`UserAction::Create`], the role it is to have)?
///
/// - An account of another organisation is [`Denied::NotFound`], whoever asks.
/// - Anyone may issue and revoke their own tokens.
/// - Otherwise only admins manage accounts, and only accounts whose role, current and new,
///   ranks no higher than their own: nobody grants a role above theirs (the admin-over-admin
///   escalations of MISP CVE-2019-12794 and OpenCTI CVE-2026-44730).
pub fn authorize_user_admin(
    actor: &Principal,
    target_user: &UserId,
    target_org: &OrgId,
    target_role: Role,
    action: UserAction,
) -> Result<(), Denied> {
    if *target_org != actor.org {
        return Err(Denied::NotFound);
    }
    let token_action = matches!(action, UserAction::IssueToken | UserAction::RevokeToken);
    if token_action && *target_user == actor.user {
        return Ok(());
    }
    // With admin the highest rank, the rank checks cannot refuse an admin today; they keep the
    // lattice rule true should a role ever rank above or beside it.
    if actor.role != Role::Admin || target_role.rank() > actor.role.rank() {
        return Err(Denied::Forbidden);
    }
    match action {
        UserAction::ChangeRole(new_role) if new_role.rank() > actor.role.rank() => Err(Denied::Forbidden),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table_has_one_row_per_action() {
        for action in Action::ALL {
            let rows = ROLE_TABLE.iter().filter(|(row_action, _)| *row_action == action).count();
            assert_eq!(rows, 1, "{action:?}");
        }
        assert_eq!(ROLE_TABLE.len(), Action::ALL.len());
    }

    #[test]
    fn action_names_are_the_serde_names() {
        for action in Action::ALL {
            let json = serde_json::to_string(&action).expect("serialises");
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
    }
}
