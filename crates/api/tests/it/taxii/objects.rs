//! Adding objects and reading them back: status, objects, manifest, one object, versions, the
//! filters, duplicates and conflicts, and deletion.

use axum::http::{Method, StatusCode};
use muninn_model::Tlp;
use serde_json::{Value, json};

use super::support::{TAXII, Taxii, indicator, indicator_id, is_taxii_timestamp, malware};

const V1: &str = "2024-01-01T00:00:00.000Z";
const V2: &str = "2024-02-01T00:00:00.000Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_objects_come_back_through_every_read_with_their_status() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    // Key order, white space and a custom property: what comes out is what went in.
    let exact = format!(
        r#"{{ "x_custom":  [1, 2.50, "é"], "type":"indicator","spec_version":"2.1","id":"{}","created":"2024-01-01T00:00:00Z","modified":"{V1}","pattern":"[url:value = 'http://x.example/']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":["{}"] }}"#,
        indicator_id(3, 9),
        Tlp::Clear.stix_marking_id()
    );
    let envelope = format!(
        r#"{{"objects": [{}, {}, {}, {exact}]}}"#,
        indicator(3, 1, V1, Some(Tlp::Green)),
        indicator(3, 1, V2, Some(Tlp::Green)),
        indicator(3, 2, V1, Some(Tlp::Clear)),
    );
    let added = taxii.post(&shared, "a-analyst", envelope.into_bytes()).await;
    assert_eq!(added.status, StatusCode::ACCEPTED, "{}", added.json);
    assert_eq!(added.header("content-type"), Some(TAXII));
    let status = &added.json;
    assert_eq!(
        (
            &status["status"],
            &status["total_count"],
            &status["success_count"],
            &status["failure_count"],
            &status["pending_count"]
        ),
        (&json!("complete"), &json!(4), &json!(4), &json!(0), &json!(0))
    );
    assert_eq!(
        status["successes"][1],
        json!({"id": indicator_id(3, 1), "version": "2024-02-01T00:00:00.000Z"})
    );
    let status_path = format!("/taxii2/api/status/{}/", status["id"].as_str().expect("status id"));
    let again = taxii.get(&status_path, "a-reader").await;
    assert_eq!((again.status, &again.json), (StatusCode::OK, status));

    // Objects: the last version of each, in the order added, with the date headers.
    let objects = taxii.get(&taxii.objects(&shared), "b-partner").await;
    assert_eq!(objects.status, StatusCode::OK);
    assert_eq!(objects.ids(), vec![indicator_id(3, 1), indicator_id(3, 2), indicator_id(3, 9)]);
    assert_eq!(objects.json["objects"][0]["modified"], json!(V2));
    assert_eq!(objects.json["more"], json!(false));
    assert!(objects.json.get("next").is_none());
    let first = objects.header("x-taxii-date-added-first").expect("first").to_owned();
    let last = objects.header("x-taxii-date-added-last").expect("last").to_owned();
    assert!(is_taxii_timestamp(&first) && is_taxii_timestamp(&last) && first < last, "{first} {last}");
    let text = String::from_utf8(objects.body.clone()).expect("utf-8");
    assert!(text.contains(&exact.trim().to_owned()), "the object is returned byte for byte: {text}");

    // The manifest.
    let manifest = taxii.get(&taxii.manifest(&shared), "c-reader").await;
    let records = manifest.json["objects"].as_array().expect("records");
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["id"], json!(indicator_id(3, 1)));
    assert_eq!(records[0]["version"], json!(V2));
    assert_eq!(records[0]["media_type"], json!("application/stix+json;version=2.1"));
    let dates: Vec<&str> = records.iter().map(|r| r["date_added"].as_str().expect("date")).collect();
    assert!(
        dates.iter().all(|d| is_taxii_timestamp(d)) && dates.windows(2).all(|w| w[0] < w[1]),
        "{dates:?}"
    );
    assert_eq!(manifest.header("x-taxii-date-added-last"), Some(dates[2]));

    // match[version].
    let versions_of = |reply: &super::support::Reply| -> Vec<(String, String)> {
        reply.json["objects"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|o| {
                        (
                            o["id"].as_str().expect("id").to_owned(),
                            o["modified"].as_str().expect("m").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let path = taxii.objects(&shared);
    let all = taxii.get(&format!("{path}?match[version]=all"), "a-reader").await;
    assert_eq!(all.ids().len(), 4);
    let first =
        taxii.get(&format!("{path}?match[version]=first&match[id]={}", indicator_id(3, 1)), "a-reader").await;
    assert_eq!(versions_of(&first), vec![(indicator_id(3, 1), V1.to_owned())]);
    let at = taxii.get(&format!("{path}?match[version]=2024-01-01T00:00:00Z"), "a-reader").await;
    assert_eq!(at.ids(), vec![indicator_id(3, 1), indicator_id(3, 2), indicator_id(3, 9)]);
    let both = taxii
        .get(&format!("{path}?match[version]=first,last&match[id]={}", indicator_id(3, 1)), "a-reader")
        .await;
    assert_eq!(both.ids().len(), 2);

    // One object, its versions.
    let one = taxii.get(&taxii.object(&shared, &indicator_id(3, 1)), "c-reader").await;
    assert_eq!(versions_of(&one), vec![(indicator_id(3, 1), V2.to_owned())]);
    assert!(one.header("x-taxii-date-added-first").is_some());
    let every = taxii
        .get(&format!("{}?match[version]=all", taxii.object(&shared, &indicator_id(3, 1))), "c-reader")
        .await;
    assert_eq!(
        versions_of(&every),
        vec![(indicator_id(3, 1), V1.to_owned()), (indicator_id(3, 1), V2.to_owned())]
    );
    let versions =
        taxii.get(&format!("{}versions/", taxii.object(&shared, &indicator_id(3, 1))), "c-reader").await;
    assert_eq!(versions.status, StatusCode::OK);
    assert_eq!(versions.json["versions"], json!([V1, V2]));
    assert_eq!(versions.json["more"], json!(false));
    let paged = taxii
        .get(&format!("{}versions/?limit=1", taxii.object(&shared, &indicator_id(3, 1))), "c-reader")
        .await;
    assert_eq!((paged.json["versions"].clone(), paged.json["more"].clone()), (json!([V1]), json!(true)));
    let rest = taxii
        .get(
            &format!(
                "{}versions/?limit=1&next={}",
                taxii.object(&shared, &indicator_id(3, 1)),
                paged.json["next"].as_str().expect("next")
            ),
            "c-reader",
        )
        .await;
    assert_eq!((rest.json["versions"].clone(), rest.json["more"].clone()), (json!([V2]), json!(false)));
    let missing = taxii.get(&taxii.object(&shared, &indicator_id(3, 77)), "c-reader").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_select_by_type_id_spec_version_and_date_added() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    let mut first_batch: Vec<Value> = (0..6).map(|n| indicator(4, n, V1, Some(Tlp::Green))).collect();
    first_batch.extend((0..3).map(|n| malware(4, n)));
    taxii.add(&shared, "a-analyst", &first_batch).await;
    let path = taxii.objects(&shared);
    let malware_only = taxii.get(&format!("{path}?match[type]=malware"), "b-analyst").await;
    assert_eq!(malware_only.ids().len(), 3);
    assert!(malware_only.ids().iter().all(|id| id.starts_with("malware--")));
    let two = format!("{},{}", indicator_id(4, 1), indicator_id(4, 4));
    let by_id = taxii.get(&format!("{path}?match[id]={two}"), "b-analyst").await;
    assert_eq!(by_id.ids(), vec![indicator_id(4, 1), indicator_id(4, 4)]);
    let anded = taxii.get(&format!("{path}?match[id]={two}&match[type]=malware"), "b-analyst").await;
    assert!(anded.ids().is_empty() && anded.json["more"] == json!(false));
    let spec = taxii.get(&format!("{path}?match[spec_version]=2.1"), "b-analyst").await;
    assert_eq!(spec.ids().len(), 9);
    let old_spec = taxii.get(&format!("{path}?match[spec_version]=2.0"), "b-analyst").await;
    assert!(old_spec.ids().is_empty());

    // Paging by added_after, as TAXII section 3.5 allows: X-TAXII-Date-Added-Last of a page.
    let page = taxii.get(&format!("{path}?limit=4"), "b-analyst").await;
    assert_eq!((page.ids().len(), page.json["more"].clone()), (4, json!(true)));
    let after = page.header("x-taxii-date-added-last").expect("last").to_owned();
    let second_batch: Vec<Value> = (10..12).map(|n| indicator(4, n, V1, Some(Tlp::Green))).collect();
    taxii.add(&shared, "b-analyst", &second_batch).await;
    let rest = taxii.get(&format!("{path}?added_after={after}"), "b-analyst").await;
    let mut seen = page.ids();
    seen.extend(rest.ids());
    assert_eq!(seen.len(), 11);
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 11, "no object twice");
    let later = taxii
        .get(
            &format!("{path}?added_after={}", rest.header("x-taxii-date-added-last").expect("last")),
            "b-analyst",
        )
        .await;
    assert!(later.ids().is_empty() && later.header("x-taxii-date-added-first").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_accepted_once_and_conflicts_never_overwrite() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    let original = indicator(5, 1, V1, Some(Tlp::Green));
    taxii.add(&shared, "a-analyst", std::slice::from_ref(&original)).await;
    let again = taxii.add(&shared, "a-analyst", std::slice::from_ref(&original)).await;
    assert_eq!(
        (again.json["success_count"].clone(), again.json["failure_count"].clone()),
        (json!(1), json!(0))
    );
    let mut changed = original.clone();
    changed["name"] = json!("another name, same version");
    let conflict = taxii.add(&shared, "b-analyst", &[changed]).await;
    assert_eq!(conflict.json["failure_count"], json!(1));
    assert!(conflict.json["failures"][0]["message"].as_str().expect("message").contains("version conflict"));
    assert_eq!(taxii.stored_versions(), 1);
    let kept = taxii.get(&taxii.object(&shared, &indicator_id(5, 1)), "c-reader").await;
    assert_eq!(kept.json["objects"][0], original);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_originating_organisation_deletes_and_invisible_objects_are_not_found() {
    let taxii = Taxii::new();
    let shared = taxii.shared.clone();
    taxii
        .add(
            &shared,
            "a-analyst",
            &[indicator(6, 1, V1, Some(Tlp::Green)), indicator(6, 1, V2, Some(Tlp::Green))],
        )
        .await;
    taxii.add(&shared, "b-analyst", &[indicator(6, 2, V1, Some(Tlp::AmberStrict))]).await;
    let delete = |user: &'static str, id: String, query: &'static str| {
        let path = format!("{}{query}", taxii.object(&shared, &id));
        let taxii = &taxii;
        async move { taxii.send(Method::DELETE, &path, Some(user), &[("accept", TAXII)], Vec::new()).await }
    };
    // Visible, but another organisation's: forbidden; a reader may not write at all.
    assert_eq!(delete("b-analyst", indicator_id(6, 1), "").await.status, StatusCode::FORBIDDEN);
    assert_eq!(delete("a-reader", indicator_id(6, 1), "").await.status, StatusCode::FORBIDDEN);
    // Invisible: exactly like a missing object.
    let invisible = delete("a-analyst", indicator_id(6, 2), "").await;
    let missing = delete("a-analyst", indicator_id(6, 3), "").await;
    assert_eq!(invisible.status, StatusCode::NOT_FOUND);
    assert_eq!(invisible.error_without_id(), missing.error_without_id());
    // One version, then the rest.
    assert_eq!(delete("a-admin", indicator_id(6, 1), "?match[version]=first").await.status, StatusCode::OK);
    let left =
        taxii.get(&format!("{}versions/", taxii.object(&shared, &indicator_id(6, 1))), "c-reader").await;
    assert_eq!(left.json["versions"], json!([V2]));
    assert_eq!(delete("a-analyst", indicator_id(6, 1), "").await.status, StatusCode::OK);
    assert_eq!(
        taxii.get(&taxii.object(&shared, &indicator_id(6, 1)), "c-reader").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(taxii.stored_versions(), 1, "org-b's object is untouched");
    assert_eq!(
        taxii.get(&taxii.object(&shared, &indicator_id(6, 2)), "b-partner").await.status,
        StatusCode::OK
    );
}
