//! Who sees what over TAXII: every TAXII route against a model of collections (readers,
//! writers, roles) and object markings written here from the rules (the fixture's
//! `reference_sees` for TLP), and org-b's AMBER+STRICT objects never reaching org-a through
//! pages, manifests, versions, counts, headers or status.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use muninn_access::Role;
use muninn_model::{Markings, Tlp};
use serde_json::{Value, json};

use super::support::{Reply, TAXII, Taxii, indicator, indicator_id};
use crate::fixture::{USERS, marking};
use crate::matrix::reference_sees;

const V1: &str = "2024-01-01T00:00:00.000Z";
const V2: &str = "2024-02-01T00:00:00.000Z";

fn org_of(user: &str) -> &'static str {
    USERS.iter().find(|(id, ..)| *id == user).expect("user").1
}

fn role_of(user: &str) -> Role {
    USERS.iter().find(|(id, ..)| *id == user).expect("user").2
}

/// A collection as the model sees it.
struct ModelCollection {
    id: String,
    readers: &'static [&'static str],
    writers: &'static [&'static str],
}

impl ModelCollection {
    fn may_read(&self, user: &str) -> bool {
        self.readers.iter().any(|org| *org == "*" || *org == org_of(user))
    }

    fn may_write(&self, user: &str) -> bool {
        let role_writes = matches!(role_of(user), Role::Partner | Role::Analyst | Role::Admin);
        role_writes && self.writers.iter().any(|org| *org == "*" || *org == org_of(user))
    }

    fn listed(&self, user: &str) -> bool {
        self.may_read(user) || self.may_write(user)
    }
}

/// An object of the model: where, by whom, marked how.
struct ModelObject {
    collection: usize,
    poster: &'static str,
    object: Value,
    markings: Markings,
}

impl ModelObject {
    fn id(&self) -> String {
        self.object["id"].as_str().expect("id").to_owned()
    }
}

fn model_object(collection: usize, poster: &'static str, n: u64, tlp: Tlp) -> ModelObject {
    let mut markings = marking(tlp, org_of(poster));
    if tlp == Tlp::Red {
        markings.recipients.insert(poster.to_owned());
    }
    ModelObject { collection, poster, object: indicator(20, n, V1, Some(tlp)), markings }
}

/// Which statuses `user` (`None`: anonymous) may get.
fn check(reply: &Reply, user: Option<&str>, expected: StatusCode, what: &str, missing_body: &Value) {
    let expected = if user.is_none() { StatusCode::UNAUTHORIZED } else { expected };
    assert_eq!(reply.status, expected, "{what} as {user:?}: {}", reply.json);
    assert!(
        reply.status == StatusCode::OK && reply.body.is_empty()
            || reply.header("content-type") == Some(TAXII),
        "{what}: {:?}",
        reply.header("content-type")
    );
    if reply.status == StatusCode::NOT_FOUND {
        assert_eq!(
            &reply.error_without_id(),
            missing_body,
            "{what} as {user:?}: invisible answers like missing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_taxii_route_answers_every_user_as_the_model_says() {
    let taxii = Taxii::new();
    let collections = [
        ModelCollection { id: taxii.shared.clone(), readers: &["*"], writers: &["org-a", "org-b"] },
        ModelCollection { id: taxii.a_only.clone(), readers: &["org-a"], writers: &["org-a"] },
        ModelCollection { id: taxii.drop_box.clone(), readers: &["org-b", "org-c"], writers: &["org-a"] },
    ];
    let objects = vec![
        model_object(0, "a-analyst", 0, Tlp::Green),
        model_object(0, "b-analyst", 1, Tlp::AmberStrict),
        model_object(0, "a-analyst", 2, Tlp::Red),
        model_object(0, "b-analyst", 3, Tlp::Amber),
        model_object(0, "b-partner", 4, Tlp::Clear),
        model_object(1, "a-analyst", 5, Tlp::Green),
        model_object(1, "a-admin", 6, Tlp::AmberStrict),
        model_object(2, "a-analyst", 7, Tlp::Green),
    ];
    let mut statuses: Vec<(String, &str)> = Vec::new();
    for object in &objects {
        let reply = taxii
            .add(&collections[object.collection].id, object.poster, std::slice::from_ref(&object.object))
            .await;
        assert_eq!(reply.json["success_count"], json!(1));
        statuses.push((reply.json["id"].as_str().expect("status id").to_owned(), org_of(object.poster)));
    }
    let missing_body =
        taxii.get(&taxii.object(&taxii.shared, &indicator_id(20, 999)), "a-admin").await.error_without_id();
    let users: Vec<Option<&str>> = USERS.iter().map(|(id, ..)| Some(*id)).chain([None]).collect();
    let get = |path: String, user: Option<&'static str>| {
        let taxii = &taxii;
        async move { taxii.send(Method::GET, &path, user, &[("accept", TAXII)], Vec::new()).await }
    };

    // Reads first, then adds, then deletes (which restore what they delete).
    let mut routes: Vec<(Method, &'static str)> = muninn_api::all_routes()
        .into_iter()
        .map(|(spec, _)| (spec.method, spec.path))
        .filter(|(_, path)| path.starts_with("/taxii2/"))
        .collect();
    routes.sort_by_key(|(method, _)| {
        [Method::GET, Method::POST, Method::DELETE].iter().position(|m| m == method)
    });
    let mut checked = 0;
    let mut fresh = 100u64;
    for (method, route) in routes {
        let what = format!("{method} {route}");
        for &user in &users {
            match (method.as_str(), route) {
                ("GET", "/taxii2/") => {
                    check(&get("/taxii2/".to_owned(), user).await, user, StatusCode::OK, &what, &missing_body)
                }
                ("GET", "/taxii2/{root}/") => {
                    check(
                        &get("/taxii2/api/".to_owned(), user).await,
                        user,
                        StatusCode::OK,
                        &what,
                        &missing_body,
                    );
                    check(
                        &get("/taxii2/nope/".to_owned(), user).await,
                        user,
                        StatusCode::NOT_FOUND,
                        &what,
                        &missing_body,
                    );
                }
                ("GET", "/taxii2/{root}/status/{id}/") => {
                    for (id, org) in &statuses {
                        let expected = match user {
                            Some(user) if org_of(user) == *org => StatusCode::OK,
                            _ => StatusCode::NOT_FOUND,
                        };
                        check(
                            &get(format!("/taxii2/api/status/{id}/"), user).await,
                            user,
                            expected,
                            &what,
                            &missing_body,
                        );
                    }
                    let unknown =
                        get("/taxii2/api/status/00000000-0000-4000-8000-000000000000/".to_owned(), user)
                            .await;
                    check(&unknown, user, StatusCode::NOT_FOUND, &what, &missing_body);
                }
                ("GET", "/taxii2/{root}/collections/") => {
                    let reply = get("/taxii2/api/collections/".to_owned(), user).await;
                    check(&reply, user, StatusCode::OK, &what, &missing_body);
                    if let Some(user) = user {
                        let listed: BTreeSet<String> = reply.json["collections"]
                            .as_array()
                            .map(|all| all.iter().map(|c| c["id"].as_str().expect("id").to_owned()).collect())
                            .unwrap_or_default();
                        let model: BTreeSet<String> =
                            collections.iter().filter(|c| c.listed(user)).map(|c| c.id.clone()).collect();
                        assert_eq!(listed, model, "collections of {user}");
                    }
                }
                ("GET", "/taxii2/{root}/collections/{id}/") => {
                    for collection in &collections {
                        let expected = if user.is_some_and(|u| collection.listed(u)) {
                            StatusCode::OK
                        } else {
                            StatusCode::NOT_FOUND
                        };
                        check(
                            &get(taxii.collection(&collection.id), user).await,
                            user,
                            expected,
                            &what,
                            &missing_body,
                        );
                    }
                }
                (
                    "GET",
                    "/taxii2/{root}/collections/{id}/objects/" | "/taxii2/{root}/collections/{id}/manifest/",
                ) => {
                    for (index, collection) in collections.iter().enumerate() {
                        let path = route.replace("{root}", "api").replace("{id}", &collection.id);
                        let reply = get(path.clone(), user).await;
                        let Some(user) = user else {
                            check(&reply, None, StatusCode::OK, &what, &missing_body);
                            continue;
                        };
                        let expected = match (collection.listed(user), collection.may_read(user)) {
                            (false, _) => StatusCode::NOT_FOUND,
                            (true, false) => StatusCode::FORBIDDEN,
                            (true, true) => StatusCode::OK,
                        };
                        check(&reply, Some(user), expected, &what, &missing_body);
                        if expected == StatusCode::OK {
                            let got: BTreeSet<String> = reply.ids().into_iter().collect();
                            let model: BTreeSet<String> = objects
                                .iter()
                                .filter(|o| o.collection == index && reference_sees(user, &o.markings))
                                .map(ModelObject::id)
                                .collect();
                            assert_eq!(got, model, "{path} as {user}");
                        }
                    }
                }
                ("GET", "/taxii2/{root}/collections/{id}/objects/{object_id}/")
                | ("GET", "/taxii2/{root}/collections/{id}/objects/{object_id}/versions/") => {
                    for (index, collection) in collections.iter().enumerate() {
                        for object in objects.iter().map(Some).chain([None]) {
                            let id = object.map_or_else(|| indicator_id(20, 999), ModelObject::id);
                            let path = route
                                .replace("{root}", "api")
                                .replace("{id}", &collection.id)
                                .replace("{object_id}", &id);
                            let expected = match user {
                                None => StatusCode::UNAUTHORIZED,
                                Some(user) if !collection.listed(user) => StatusCode::NOT_FOUND,
                                Some(user) if !collection.may_read(user) => StatusCode::FORBIDDEN,
                                Some(user) => match object {
                                    Some(o) if o.collection == index && reference_sees(user, &o.markings) => {
                                        StatusCode::OK
                                    }
                                    _ => StatusCode::NOT_FOUND,
                                },
                            };
                            check(
                                &get(path.clone(), user).await,
                                user,
                                expected,
                                &format!("{what} {path}"),
                                &missing_body,
                            );
                        }
                    }
                }
                ("POST", "/taxii2/{root}/collections/{id}/objects/") => {
                    for collection in &collections {
                        fresh += 1;
                        let body =
                            json!({"objects": [indicator(21, fresh, V1, Some(Tlp::Green))]}).to_string();
                        let headers = [("accept", TAXII), ("content-type", TAXII)];
                        let reply = taxii
                            .send(
                                Method::POST,
                                &taxii.objects(&collection.id),
                                user,
                                &headers,
                                body.into_bytes(),
                            )
                            .await;
                        let expected = match user {
                            Some(user) if !collection.listed(user) => StatusCode::NOT_FOUND,
                            Some(user) if !collection.may_write(user) => StatusCode::FORBIDDEN,
                            _ => StatusCode::ACCEPTED,
                        };
                        check(&reply, user, expected, &what, &missing_body);
                    }
                }
                ("DELETE", "/taxii2/{root}/collections/{id}/objects/{object_id}/") => {
                    for (index, collection) in collections.iter().enumerate() {
                        for object in &objects {
                            let path = taxii.object(&collection.id, &object.id());
                            let reply = taxii
                                .send(Method::DELETE, &path, user, &[("accept", TAXII)], Vec::new())
                                .await;
                            let expected = match user {
                                None => StatusCode::UNAUTHORIZED,
                                Some(user) if !collection.listed(user) => StatusCode::NOT_FOUND,
                                Some(user)
                                    if object.collection != index
                                        || !reference_sees(user, &object.markings) =>
                                {
                                    StatusCode::NOT_FOUND
                                }
                                Some(user) if !collection.may_write(user) => StatusCode::FORBIDDEN,
                                Some(user) => {
                                    let deletes = matches!(role_of(user), Role::Analyst | Role::Admin);
                                    if deletes && org_of(user) == org_of(object.poster) {
                                        StatusCode::OK
                                    } else {
                                        StatusCode::FORBIDDEN
                                    }
                                }
                            };
                            check(&reply, user, expected, &format!("{what} {path}"), &missing_body);
                            if reply.status == StatusCode::OK {
                                let restored = taxii
                                    .add(&collection.id, object.poster, std::slice::from_ref(&object.object))
                                    .await;
                                assert_eq!(restored.json["success_count"], json!(1));
                            }
                        }
                    }
                }
                _ => panic!("{what}: a TAXII route without cases here"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 11 * 8, "{checked} route and user pairs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_b_amber_strict_objects_never_reach_org_a() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    taxii
        .add(
            &shared,
            "a-analyst",
            &[indicator(30, 0, V1, Some(Tlp::Green)), indicator(30, 1, V1, Some(Tlp::Green))],
        )
        .await;
    // org-b's AMBER+STRICT objects, with a version each, the last added after org-a's.
    let strict: Vec<Value> = (0..3)
        .flat_map(|n| {
            [indicator(31, n, V1, Some(Tlp::AmberStrict)), indicator(31, n, V2, Some(Tlp::AmberStrict))]
        })
        .collect();
    let b_status = taxii.add(&shared, "b-analyst", &strict).await;
    let b_status_path = format!("/taxii2/api/status/{}/", b_status.json["id"].as_str().expect("id"));
    taxii.add(&shared, "a-analyst", &[indicator(30, 2, V1, Some(Tlp::Green))]).await;
    taxii.add(&shared, "b-partner", &[indicator(31, 9, V1, Some(Tlp::AmberStrict))]).await;

    let org_a_ids: Vec<String> = (0..3).map(|n| indicator_id(30, n)).collect();
    for user in ["a-admin", "a-analyst", "a-reader", "c-reader"] {
        for query in ["", "?match[version]=all", "?match[version]=first", "?match[type]=indicator"] {
            for path in [taxii.objects(&shared), taxii.manifest(&shared)] {
                let pages = taxii.all_pages(&format!("{path}{query}"), user).await;
                let ids: Vec<String> = pages.iter().flat_map(Reply::ids).collect();
                assert_eq!(ids, org_a_ids, "{path}{query} as {user}");
            }
        }
        // Exactly the visible count fills a page: `more` is false although org-b's object
        // follows, and the last date header is that of org-a's last object.
        let page = taxii.get(&format!("{}?limit=3", taxii.objects(&shared)), user).await;
        assert_eq!((page.ids().len(), page.json["more"].clone()), (3, json!(false)), "{user}");
        let manifest = taxii.get(&taxii.manifest(&shared), user).await;
        let last_record = manifest.json["objects"][2]["date_added"].clone();
        assert_eq!(json!(page.header("x-taxii-date-added-last")), last_record, "{user}");
        let by_id =
            taxii.get(&format!("{}?match[id]={}", taxii.objects(&shared), indicator_id(31, 0)), user).await;
        assert!(by_id.ids().is_empty() && by_id.header("x-taxii-date-added-first").is_none(), "{user}");
        let missing = taxii.get(&taxii.object(&shared, &indicator_id(31, 99)), user).await.error_without_id();
        for path in [
            taxii.object(&shared, &indicator_id(31, 0)),
            format!("{}versions/", taxii.object(&shared, &indicator_id(31, 0))),
        ] {
            let reply = taxii.get(&path, user).await;
            assert_eq!(
                (reply.status, reply.error_without_id()),
                (StatusCode::NOT_FOUND, missing.clone()),
                "{path} as {user}"
            );
        }
        assert_eq!(taxii.get(&b_status_path, user).await.status, StatusCode::NOT_FOUND, "{user}");
    }
    // org-b sees them, with their versions.
    let versions =
        taxii.get(&format!("{}versions/", taxii.object(&shared, &indicator_id(31, 0))), "b-partner").await;
    assert_eq!(versions.json["versions"], json!([V1, V2]));
    assert_eq!(taxii.get(&b_status_path, "b-partner").await.status, StatusCode::OK);
    let all: Vec<String> =
        taxii.all_pages(&taxii.objects(&shared), "b-admin").await.iter().flat_map(Reply::ids).collect();
    assert_eq!(all.len(), 7);
}
