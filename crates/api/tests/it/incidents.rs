//! The incident routes: what each user sees, the filters, the pages, the errors, the audit.

use axum::http::{Method, StatusCode};
use muninn_api::state::AUDIT_TABLE;

use crate::fixture::{Fixture, USERS, incident_objects, marking};
use crate::matrix::reference_sees;

/// The labels of the incidents in an answer, in order.
fn labels(answer: &serde_json::Value) -> Vec<String> {
    let objects = incident_objects();
    answer["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|row| {
            let id = row["id"].as_str().expect("id");
            objects
                .iter()
                .find(|(_, object)| object.id().as_str() == id)
                .expect("a fixture incident")
                .0
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_lists_the_incidents_the_reference_model_lets_them_see_newest_first() {
    let fixture = Fixture::new();
    for (user, ..) in USERS {
        let (status, answer) = fixture.call(Method::GET, "/api/v1/incidents", Some(user), None).await;
        assert_eq!(status, StatusCode::OK, "{user}: {answer}");
        // The fixture's incidents are dated one month apart, the first earliest.
        let mut expected: Vec<String> = incident_objects()
            .into_iter()
            .filter(|(_, object)| {
                reference_sees(
                    user,
                    &marking(object.tlp().unwrap_or(muninn_model::Tlp::AmberStrict), "local"),
                )
            })
            .map(|(label, _)| label.to_owned())
            .collect();
        expected.reverse();
        assert_eq!(labels(&answer), expected, "{user}");
        assert_eq!(answer["total"], expected.len(), "{user}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_pages_and_bad_parameters() {
    let fixture = Fixture::new();
    // Each filter and what a-analyst (org-a: sees the CLEAR and GREEN incidents) gets.
    let cases: [(&str, &[&str]); 10] = [
        ("", &["green", "clear"]),
        ("?country=UA", &["clear"]),
        ("?country=mli", &["green"]),
        ("?country=FR", &[]),
        ("?country=Mali", &["green"]),
        ("?actor=apt28", &["clear"]),
        ("?actor=FANCY%20bear", &["green"]),
        ("?from=2024-02-01", &["green"]),
        ("?to=2024-01-31", &["clear"]),
        ("?from=2024-01-01&to=2024-02-01&country=ML", &["green"]),
    ];
    for (query, expected) in cases {
        let (status, answer) =
            fixture.call(Method::GET, &format!("/api/v1/incidents{query}"), Some("a-analyst"), None).await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        assert_eq!(labels(&answer), expected, "{query}: {answer}");
    }
    // Pages of one: the cursor leads through the list once, then ends.
    let (_, first) = fixture.call(Method::GET, "/api/v1/incidents?limit=1", Some("a-analyst"), None).await;
    assert_eq!((labels(&first), first["total"].as_u64()), (vec!["green".to_owned()], Some(2)));
    let next = first["next"].as_str().expect("a next page");
    let path = format!("/api/v1/incidents?limit=1&after={}", next.replace('|', "%7C"));
    let (_, second) = fixture.call(Method::GET, &path, Some("a-analyst"), None).await;
    assert_eq!(labels(&second), ["clear"]);
    assert!(second["next"].is_null(), "{second}");
    // Each bad parameter is a 400 naming it.
    let bad = [
        ("?country=Atlantis", "country: \"Atlantis\" is not an ISO 3166-1 country"),
        ("?from=yesterday", "from: \"yesterday\" is not a day"),
        ("?to=2024-02-30", "to: \"2024-02-30\" is not a day"),
        ("?after=abc", "`after` is not a cursor"),
        ("?colour=red", "unknown field `colour`"),
    ];
    for (query, expected) in bad {
        let (status, answer) =
            fixture.call(Method::GET, &format!("/api/v1/incidents{query}"), Some("a-analyst"), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(answer["description"].as_str().is_some_and(|d| d.contains(expected)), "{query}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_answers_what_it_records_and_every_read_is_audited() {
    let fixture = Fixture::new();
    let objects = incident_objects();
    let clear =
        objects.iter().find(|(label, _)| *label == "clear").expect("clear").1.id().as_str().to_owned();
    let before = fixture.store_document_count(AUDIT_TABLE);
    let (status, answer) =
        fixture.call(Method::GET, &format!("/api/v1/incidents/{clear}"), Some("c-reader"), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let shown =
        (&answer["country"], &answer["country_name"], &answer["actor"], &answer["tlp"], &answer["date"]);
    assert_eq!(
        shown,
        (
            &serde_json::json!("UA"),
            &serde_json::json!("Ukraine"),
            &serde_json::json!("APT28"),
            &serde_json::json!("TLP:CLEAR"),
            &serde_json::json!("2024-01-01T00:00:00.000Z")
        ),
        "{answer}"
    );
    let (status, _) = fixture.call(Method::GET, "/api/v1/incidents?country=UA", Some("c-reader"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fixture.store_document_count(AUDIT_TABLE), before + 2, "one audit entry per read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_list_and_show_what_the_routes_answer() {
    let fixture = Fixture::new();
    let objects = incident_objects();
    let id_of =
        |label: &str| objects.iter().find(|(l, _)| *l == label).expect("label").1.id().as_str().to_owned();
    // Each list and what it must and must not show (incidents are named "intrusion in place LABEL").
    let cases: [(&str, u16, &[&str], &[&str]); 4] = [
        ("/incidents", 200, &["place green", "place clear"], &["place amber", "place strict", "place red"]),
        ("/incidents?country=ukraine", 200, &["place clear"], &["place green"]),
        ("/incidents?actor=fancy%20bear", 200, &["place green"], &["place clear"]),
        ("/incidents?country=Atlantis", 400, &["is not an ISO 3166-1 country"], &["place clear"]),
    ];
    for (path, status, shown, hidden) in cases {
        let (got, page) = fixture.page(path, "b-analyst").await;
        assert_eq!(got.as_u16(), status, "{path}");
        for text in shown {
            assert!(page.contains(text), "{path}: {text:?} missing");
        }
        for text in hidden {
            assert!(!page.contains(text), "{path}: {text:?} shown");
        }
    }
    let (status, page) = fixture.page(&format!("/incidents/{}", id_of("green")), "b-analyst").await;
    assert_eq!(status, StatusCode::OK);
    // The country links to its list, the actor to its entity page.
    for link in ["href=\"/incidents?country=ML\"", "href=\"/entities/Fancy%20Bear\"", "TLP:GREEN"] {
        assert!(page.contains(link), "{link} missing in\n{page}");
    }
}
