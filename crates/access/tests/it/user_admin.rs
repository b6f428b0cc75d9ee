//! User administration: no escalation, no reach into another organisation.

use muninn_access::{Denied, OrgId, Principal, Role, UserAction, UserId, authorize_user_admin};
use proptest::prelude::*;
use proptest::sample::select;

use crate::common::{WIDE, org, principal, role, strings, user};

fn user_action() -> impl Strategy<Value = UserAction> {
    prop_oneof![
        Just(UserAction::Create),
        role().prop_map(UserAction::ChangeRole),
        Just(UserAction::Disable),
        Just(UserAction::IssueToken),
        Just(UserAction::RevokeToken),
    ]
}

/// The rules as the brief states them, independently of the crate.
fn reference(
    actor: &Principal,
    target: &UserId,
    target_org: &OrgId,
    target_role: Role,
    action: UserAction,
) -> Result<(), Denied> {
    if target_org != &actor.org {
        return Err(Denied::NotFound);
    }
    if target == &actor.user && matches!(action, UserAction::IssueToken | UserAction::RevokeToken) {
        return Ok(());
    }
    let new_role_ok = match action {
        UserAction::ChangeRole(new_role) => new_role.rank() <= actor.role.rank(),
        _ => true,
    };
    if actor.role == Role::Admin && target_role.rank() <= actor.role.rank() && new_role_ok {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn user_administration_never_escalates(
        actor in principal(WIDE),
        target_name in select(WIDE.users),
        target_org_name in select(WIDE.orgs),
        target_role in role(),
        action in user_action(),
    ) {
        let (target, target_org) = (user(target_name), org(target_org_name));
        let decision = authorize_user_admin(&actor, &target, &target_org, target_role, action);
        prop_assert_eq!(decision, reference(&actor, &target, &target_org, target_role, action));
        if target_org != actor.org {
            prop_assert_eq!(decision, Err(Denied::NotFound));
        }
        if decision.is_ok() {
            let own_token = target == actor.user
                && matches!(action, UserAction::IssueToken | UserAction::RevokeToken);
            prop_assert!(own_token || actor.role == Role::Admin);
            prop_assert!(own_token || target_role.rank() <= actor.role.rank());
            if let UserAction::ChangeRole(new_role) = action {
                prop_assert!(new_role.rank() <= actor.role.rank(), "granted {:?}", new_role);
            }
            if action == UserAction::Create {
                prop_assert!(target_role.rank() <= actor.role.rank());
            }
        }
    }
}

/// Name, actor's role, target user, target organisation, target role, action, decision.
type Case<'a> = (&'a str, Role, &'a UserId, &'a OrgId, Role, UserAction, Result<(), Denied>);

#[test]
fn user_administration_cases() {
    let actor = |role| Principal {
        user: user("ann"),
        org: org("acme"),
        role,
        groups: strings(&[]),
        client_of: Default::default(),
    };
    let (ann, bob) = (user("ann"), user("bob"));
    let (acme, beta) = (org("acme"), org("beta"));
    let cases: &[Case<'_>] = &[
        ("admin creates an analyst", Role::Admin, &bob, &acme, Role::Analyst, UserAction::Create, Ok(())),
        (
            "admin promotes to admin",
            Role::Admin,
            &bob,
            &acme,
            Role::Reader,
            UserAction::ChangeRole(Role::Admin),
            Ok(()),
        ),
        (
            "admin disables an admin of its org",
            Role::Admin,
            &bob,
            &acme,
            Role::Admin,
            UserAction::Disable,
            Ok(()),
        ),
        (
            "admin of another org",
            Role::Admin,
            &bob,
            &beta,
            Role::Reader,
            UserAction::Disable,
            Err(Denied::NotFound),
        ),
        (
            "token for another org's user",
            Role::Admin,
            &bob,
            &beta,
            Role::Reader,
            UserAction::IssueToken,
            Err(Denied::NotFound),
        ),
        (
            "analyst promotes itself",
            Role::Analyst,
            &ann,
            &acme,
            Role::Analyst,
            UserAction::ChangeRole(Role::Admin),
            Err(Denied::Forbidden),
        ),
        (
            "analyst creates a user",
            Role::Analyst,
            &bob,
            &acme,
            Role::Reader,
            UserAction::Create,
            Err(Denied::Forbidden),
        ),
        (
            "reader issues its own token",
            Role::Reader,
            &ann,
            &acme,
            Role::Reader,
            UserAction::IssueToken,
            Ok(()),
        ),
        (
            "partner revokes its own token",
            Role::Partner,
            &ann,
            &acme,
            Role::Partner,
            UserAction::RevokeToken,
            Ok(()),
        ),
        (
            "analyst issues a token for another",
            Role::Analyst,
            &bob,
            &acme,
            Role::Reader,
            UserAction::IssueToken,
            Err(Denied::Forbidden),
        ),
        (
            "admin issues a token for a user",
            Role::Admin,
            &bob,
            &acme,
            Role::Partner,
            UserAction::IssueToken,
            Ok(()),
        ),
    ];
    for (name, actor_role, target, target_org, target_role, action, expected) in cases {
        let got = authorize_user_admin(&actor(*actor_role), target, target_org, *target_role, *action);
        assert_eq!(&got, expected, "{name}");
    }
}
