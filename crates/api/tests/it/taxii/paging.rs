//! Pagination: through more than 10,000 objects while another task keeps adding, and the
//! `next` token refused when tampered with, replayed elsewhere or expired.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use muninn_api::state::Settings;
use muninn_model::Tlp;
use serde_json::{Value, json};

use super::support::{TAXII, Taxii, indicator, indicator_id};

const V1: &str = "2024-01-01T00:00:00.000Z";
/// Tag of org-a's objects added before paging.
const A_BEFORE: u32 = 7;
/// Tag of org-b's (AMBER+STRICT) objects added before paging.
const B_BEFORE: u32 = 8;
/// Tag of org-a's objects added during paging.
const A_DURING: u32 = 9;
/// Tag of org-b's (AMBER+STRICT) objects added during paging.
const B_DURING: u32 = 10;

fn tag_of(id: &str) -> u32 {
    let uuid = id.split_once("--").expect("id").1;
    u32::from_str_radix(&uuid[..8], 16).expect("tag")
}

/// Waits until the adder has stored more than `seen` objects.
async fn wait_for_additions(counter: &AtomicU64, seen: u64) -> u64 {
    for _ in 0..2000 {
        let now = counter.load(Ordering::SeqCst);
        if now > seen {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the adder made no progress");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_through_ten_thousand_objects_while_others_are_added_without_duplicate_or_gap() {
    let taxii = Arc::new(Taxii::new());
    let shared = taxii.shared.clone();
    for batch in 0..4u64 {
        let objects: Vec<Value> = (batch * 2500..(batch + 1) * 2500)
            .map(|n| indicator(A_BEFORE, n, V1, Some(Tlp::Green)))
            .collect();
        taxii.add(&shared, "a-analyst", &objects).await;
        let strict: Vec<Value> = (batch * 50..(batch + 1) * 50)
            .map(|n| indicator(B_BEFORE, n, V1, Some(Tlp::AmberStrict)))
            .collect();
        taxii.add(&shared, "b-analyst", &strict).await;
    }
    let before: BTreeSet<String> = (0..10_000).map(|n| indicator_id(A_BEFORE, n)).collect();

    // Another task adds one object per request, from both organisations, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let adder = tokio::spawn({
        let (taxii, stop, counter, shared) =
            (Arc::clone(&taxii), Arc::clone(&stop), Arc::clone(&counter), shared.clone());
        async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let (user, tag, tlp) = if n.is_multiple_of(2) {
                    ("a-analyst", A_DURING, Tlp::Green)
                } else {
                    ("b-analyst", B_DURING, Tlp::AmberStrict)
                };
                taxii.add(&shared, user, &[indicator(tag, n, V1, Some(tlp))]).await;
                n += 1;
                counter.store(n, Ordering::SeqCst);
            }
            n
        }
    });

    // Objects, as org-a's reader, one page at a time, with additions between every two pages.
    let path = format!("{}?limit=5000", taxii.objects(&shared));
    let mut seen: Vec<String> = Vec::new();
    let mut last_date: Option<String> = None;
    let mut next: Option<String> = None;
    let mut additions = 0;
    let mut pages = 0;
    loop {
        let url = next.as_ref().map_or_else(|| path.clone(), |token| format!("{path}&next={token}"));
        let page = taxii.get(&url, "a-reader").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        pages += 1;
        let ids = page.ids();
        assert!(ids.len() <= 1000, "the server's page limit caps limit=5000: {}", ids.len());
        if let (Some(first), Some(last)) =
            (page.header("x-taxii-date-added-first"), page.header("x-taxii-date-added-last"))
        {
            assert!(first <= last);
            if let Some(previous) = &last_date {
                assert!(previous.as_str() < first, "pages are in date_added order: {previous} then {first}");
            }
            last_date = Some(last.to_owned());
        }
        seen.extend(ids);
        additions = wait_for_additions(&counter, additions).await;
        if page.json["more"] == json!(false) {
            break;
        }
        next = Some(page.json["next"].as_str().expect("next").to_owned());
    }
    // The manifest, concurrently too: date_added strictly increasing over every record.
    let manifest = taxii.all_pages(&format!("{}?limit=1000", taxii.manifest(&shared)), "b-analyst").await;
    stop.store(true, Ordering::SeqCst);
    let added_during = adder.await.expect("adder");

    let mut unique = BTreeSet::new();
    for id in &seen {
        assert!(unique.insert(id.clone()), "{id} returned twice");
        let tag = tag_of(id);
        assert!(tag == A_BEFORE || tag == A_DURING, "org-a's reader got {id}");
    }
    let missed: Vec<&String> = before.difference(&unique).collect();
    assert!(
        missed.is_empty(),
        "{} objects added before paging were never returned: {:?}",
        missed.len(),
        &missed[..3.min(missed.len())]
    );
    assert!(pages >= 11 && added_during >= pages, "{pages} pages, {added_during} objects added meanwhile");

    let dates: Vec<String> = manifest
        .iter()
        .flat_map(|page| page.json["objects"].as_array().cloned().unwrap_or_default())
        .map(|record| record["date_added"].as_str().expect("date").to_owned())
        .collect();
    assert!(
        dates.windows(2).all(|pair| pair[0] < pair[1]),
        "manifest records in strictly increasing date_added"
    );
    let strict_seen = manifest.iter().flat_map(|page| page.ids()).filter(|id| tag_of(id) == B_BEFORE).count();
    assert_eq!(strict_seen, 200, "org-b sees its own AMBER+STRICT objects");
    assert!(dates.len() >= 10_200);
}

/// A reader that follows the newest objects (small pages, `next` while there is more, then
/// `added_after` of the last date header, as TAXII 3.5 allows) while four writers add
/// envelopes concurrently: what it read, in order, is exactly the final collection. This is the
/// test that fails if additions can become visible out of `date_added` order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_following_the_newest_objects_misses_none_while_four_writers_add() {
    let taxii = Arc::new(Taxii::new());
    let shared = taxii.shared.clone();
    let writers_left = Arc::new(AtomicU64::new(4));
    let mut writers = Vec::new();
    for (index, user) in ["a-analyst", "a-admin", "b-analyst", "b-partner"].into_iter().enumerate() {
        let (taxii, shared, writers_left) = (Arc::clone(&taxii), shared.clone(), Arc::clone(&writers_left));
        writers.push(tokio::spawn(async move {
            for round in 0..40u64 {
                let size = 1 + (round + index as u64) % 3;
                let objects: Vec<Value> = (0..size)
                    .map(|k| indicator(12 + index as u32, round * 3 + k, V1, Some(Tlp::Green)))
                    .collect();
                taxii.add(&shared, user, &objects).await;
            }
            writers_left.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    let path = taxii.objects(&shared);
    let mut seen: Vec<String> = Vec::new();
    // The filters of the current run of pages (a `next` token holds only with the same ones).
    let mut query = format!("{path}?limit=7");
    let mut next: Option<String> = None;
    loop {
        // Read before the page: when no writer is left, the page sees everything written.
        let finished = writers_left.load(Ordering::SeqCst) == 0;
        let url = next.as_ref().map_or_else(|| query.clone(), |token| format!("{query}&next={token}"));
        let page = taxii.get(&url, "c-reader").await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.json);
        seen.extend(page.ids());
        next = page.json["next"].as_str().map(str::to_owned);
        if page.json["more"] == json!(false) {
            if finished {
                break;
            }
            // Caught up: poll for what is added after the last object seen.
            if let Some(last) = page.header("x-taxii-date-added-last") {
                query = format!("{path}?limit=7&added_after={last}");
            }
        }
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let everything: Vec<String> =
        taxii.all_pages(&path, "c-reader").await.iter().flat_map(|page| page.ids()).collect();
    let expected: u64 =
        (0..4u64).map(|index| (0..40u64).map(|round| 1 + (round + index) % 3).sum::<u64>()).sum();
    assert_eq!(everything.len() as u64, expected, "every object stored once");
    assert_eq!(seen.len(), everything.len(), "no duplicate and no gap");
    assert_eq!(seen, everything, "read in date_added order, as finally stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_replayed_or_expired_next_is_refused() {
    let settings =
        Settings { taxii_page_limit: 2, taxii_cursor_ttl: Duration::from_secs(1), ..Settings::default() };
    let taxii = Taxii::with(settings);
    let objects: Vec<Value> = (0..5).map(|n| indicator(11, n, V1, Some(Tlp::Green))).collect();
    taxii.add(&taxii.shared, "a-analyst", &objects).await;
    taxii.add(&taxii.a_only, "a-analyst", &objects).await;
    let shared = taxii.objects(&taxii.shared);
    let first = taxii.get(&shared, "a-reader").await;
    assert_eq!((first.ids().len(), first.json["more"].clone()), (2, json!(true)));
    let token = first.json["next"].as_str().expect("next").to_owned();
    assert!(!token.contains(&first.ids()[1]), "the token is opaque");

    let follow = taxii.get(&format!("{shared}?next={token}"), "a-reader").await;
    assert_eq!(follow.status, StatusCode::OK);
    assert_eq!(follow.ids(), vec![indicator_id(11, 2), indicator_id(11, 3)]);
    // Another page size is fine (taxii2-client changes it when the server gives fewer).
    assert_eq!(taxii.get(&format!("{shared}?limit=1&next={token}"), "a-reader").await.status, StatusCode::OK);

    let mut tampered: Vec<char> = token.chars().collect();
    tampered[20] = if tampered[20] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let refused = [
        (format!("{shared}?next={tampered}"), "a-reader"),
        (format!("{shared}?next={token}"), "a-analyst"),
        (format!("{}?next={token}", taxii.objects(&taxii.a_only)), "a-reader"),
        (format!("{shared}?match[type]=indicator&next={token}"), "a-reader"),
        (format!("{}?next={token}", taxii.manifest(&taxii.shared)), "a-reader"),
        (format!("{shared}?next=bm90IGEgdG9rZW4"), "a-reader"),
    ];
    for (url, user) in &refused {
        let reply = taxii.get(url, user).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{url} as {user}");
        assert_eq!(reply.header("content-type"), Some(TAXII));
        assert_eq!(reply.json["http_status"], json!("400"));
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = taxii.get(&format!("{shared}?next={token}"), "a-reader").await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    assert!(
        expired.json["description"].as_str().expect("description").contains("expired"),
        "{}",
        expired.json
    );
}
