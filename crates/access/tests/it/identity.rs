//! Directory, tokens and passwords.

use std::collections::{BTreeMap, BTreeSet};

use muninn_access::{
    Directory, Org, Role, TokenRecord, User, UserId, hash_password, issue_token, token_hash, token_id,
    verify_password,
};
use proptest::prelude::*;

use crate::common::{org, strings, user};

fn directory() -> Directory {
    let orgs = [
        Org { id: org("acme"), name: "Acme CERT".into(), clients: BTreeSet::from([org("beta")]) },
        Org { id: org("beta"), name: "Beta Ltd".into(), clients: BTreeSet::new() },
        Org { id: org("gamma"), name: "Gamma SOC".into(), clients: BTreeSet::from([org("beta")]) },
    ];
    let person = |id: &str, org_id: &str, role| User {
        id: user(id),
        org: org(org_id),
        role,
        groups: strings(&["g0"]),
        name: id.to_uppercase(),
        password_hash: None,
        disabled: false,
    };
    let users = [
        person("ann", "acme", Role::Admin),
        person("bob", "beta", Role::Partner),
        User { disabled: true, ..person("dan", "acme", Role::Analyst) },
        person("orphan", "nowhere", Role::Reader),
    ];
    Directory {
        orgs: orgs.into_iter().map(|org| (org.id.clone(), org)).collect(),
        users: users.into_iter().map(|user| (user.id.clone(), user)).collect(),
        tokens: BTreeMap::new(),
    }
}

fn with_token(
    mut directory: Directory,
    random: &[u8; 32],
    owner: &str,
    revoked: bool,
) -> (Directory, String) {
    let (token, hash) = issue_token(random);
    let record = TokenRecord {
        id: token_id(&hash),
        hash: hash.clone(),
        user: user(owner),
        label: "ci".into(),
        created_at_unix: 1_700_000_000,
        revoked,
    };
    directory.tokens.insert(hash, record);
    (directory, token)
}

#[test]
fn principals_come_from_the_directory() {
    let directory = directory();
    let bob = directory.principal(&user("bob")).expect("bob is active");
    assert_eq!(bob.org, org("beta"));
    assert_eq!(bob.role, Role::Partner);
    assert_eq!(bob.groups, strings(&["g0"]));
    assert_eq!(bob.client_of, BTreeSet::from([org("acme"), org("gamma")]));
    assert_eq!(directory.principal(&user("ann")).expect("ann is active").client_of, BTreeSet::new());
    for refused in ["dan", "orphan", "nobody"] {
        assert_eq!(directory.principal(&user(refused)), None, "{refused}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn tokens_authenticate_their_user_until_revoked(random in any::<[u8; 32]>(), other in any::<[u8; 32]>()) {
        let (directory, token) = with_token(directory(), &random, "bob", false);
        prop_assert!(token.starts_with("mnn_") && token.len() == 68, "{}", token);
        let hash = token_hash(&token);
        prop_assert_eq!(hash.len(), 64);
        prop_assert_eq!(token_id(&hash), &hash[..12]);
        let principal = directory.authenticate_token(&token);
        prop_assert_eq!(principal.map(|principal| principal.user), Some(user("bob")));

        let (other_token, _) = issue_token(&other);
        prop_assert_eq!(directory.authenticate_token(&other_token).is_some(), other == random);
        let (revoked, token) = with_token(directory.clone(), &random, "bob", true);
        prop_assert_eq!(revoked.authenticate_token(&token), None);
        // The hash itself, or the token in another case, is no token.
        prop_assert_eq!(directory.authenticate_token(&hash), None);
        prop_assert_eq!(directory.authenticate_token(&token.to_uppercase()), None);
    }
}

#[test]
fn tokens_of_disabled_or_unknown_users_and_malformed_tokens_are_refused() {
    let (directory, dan_token) = with_token(directory(), &[1; 32], "dan", false);
    let (directory, ghost_token) = with_token(directory, &[2; 32], "ghost", false);
    assert_eq!(directory.authenticate_token(&dan_token), None);
    assert_eq!(directory.authenticate_token(&ghost_token), None);
    let long = format!("mnn_{}", "0".repeat(100_000));
    for malformed in ["", "mnn_", "mnn_xyz", "Bearer mnn_00", long.as_str()] {
        assert_eq!(directory.authenticate_token(malformed), None, "{malformed:.20}");
    }
}

/// The production parameters, once: a round trip through the directory.
#[test]
fn passwords_with_the_production_parameters() {
    let phc = hash_password("correct horse battery staple", &[42; 16]).expect("hashes");
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    let mut directory = directory();
    if let Some(ann) = directory.users.get_mut(&user("ann")) {
        ann.password_hash = Some(phc);
    }
    let ann = directory.authenticate_password(&user("ann"), "correct horse battery staple");
    assert_eq!(ann.map(|principal| principal.role), Some(Role::Admin));
    assert_eq!(directory.authenticate_password(&user("ann"), "correct horse battery stapler"), None);
    assert_eq!(directory.authenticate_password(&user("bob"), "anything"), None, "no password set");
    let nobody: UserId = user("nobody");
    assert_eq!(directory.authenticate_password(&nobody, "correct horse battery staple"), None);
}

#[test]
fn serde_round_trip_of_the_directory_keeps_ids_validated() {
    let (directory, _) = with_token(directory(), &[3; 32], "ann", false);
    let json = serde_json::to_string(&directory).expect("serialises");
    let back: Directory = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, directory);
    let bad = json.replacen("\"ann\"", "\"Ann\"", 1);
    assert!(serde_json::from_str::<Directory>(&bad).is_err());
    assert!(!verify_password("x", "$argon2id$v=19$m=19456,t=2,p=1$garbage"));
}
