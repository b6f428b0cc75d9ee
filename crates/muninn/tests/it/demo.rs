//! `muninn demo`, end to end, as on a fresh machine.

use std::process::Command;

use crate::{muninn, stdout};

fn demo(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_muninn"))
        .args(["demo", "--no-serve", "--dir"])
        .arg(dir)
        .args(extra)
        .env_remove("MUNINN_CONFIG")
        .output()
        .expect("demo runs")
}

fn item_ids(data: &std::path::Path) -> Vec<String> {
    let listed: serde_json::Value =
        serde_json::from_slice(&muninn(data, &["items", "list", "--limit", "100000", "--json"]).stdout)
            .expect("json");
    let mut ids: Vec<String> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn demo_loads_a_multilingual_corpus_and_real_samples() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("demo");
    let output = demo(&dir, &["--json"]);
    assert!(output.status.success(), "{}\n{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json summary");
    assert!(summary["items"].as_u64().expect("items") > 400, "{summary}");
    assert_eq!(summary["verified"], true);
    assert!(summary["duplicates"].as_u64().expect("duplicates") >= 3, "planted exact duplicates are counted");
    for language in ["en", "ru", "ar", "zh"] {
        assert!(summary["by_language"][language].as_u64().unwrap_or(0) >= 20, "{language}: {summary}");
    }
    let parts = summary["parts"].as_array().expect("parts");
    assert!(parts.iter().all(|p| p["rejected"] == 0), "{summary}");
    assert!(parts.iter().any(|p| p["source"] == "un-udhr" && p["stored"] == 4), "{summary}");

    let data = dir.join("data");
    // The shipped watchlist's alerts were raised as the items arrived: the listed person in
    // every script, the indicator (also defanged), the actor.
    assert!(summary["alerts"].as_u64().expect("alerts") > 20, "{summary}");
    let alerts: serde_json::Value =
        serde_json::from_slice(&muninn(&data, &["alerts", "--json", "--limit", "1000"]).stdout)
            .expect("alerts json");
    let methods: std::collections::BTreeSet<&str> = alerts["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter_map(|a| a["alert"]["method"].as_str())
        .collect();
    for method in ["exact", "transliteration", "near-miss", "indicator", "pattern", "rule"] {
        assert!(methods.contains(method), "no {method} alert in the demo: {methods:?}");
    }
    let sources = stdout(&muninn(&data, &["sources"]));
    assert!(sources.contains("partner-mail") && sources.contains("spamassassin-corpus"), "{sources}");
    let first = item_ids(&data);

    // The knowledge base holds ATT&CK and the MISP threat-actor galaxy: the whole bundle stored,
    // every cluster an intrusion set, and an actor's profile joins both.
    assert_eq!(summary["knowledge"]["attack_objects"], 24_771, "{summary}");
    assert_eq!(summary["knowledge"]["attack_rejected"], 0, "{summary}");
    assert!(summary["knowledge"]["galaxy_intrusion_sets"].as_u64().expect("galaxy") > 800, "{summary}");
    let profile = stdout(&muninn(&data, &["entity", "profile", "Sandworm Team", "--type", "intrusion-set"]));
    assert!(profile.contains("Sandworm"), "{profile}");
    // The galaxy's APT28 links to ATT&CK's (same UUID as misp-galaxy's ATT&CK cluster), whose
    // techniques are one step further.
    assert!(summary["knowledge"]["galaxy_links"].as_u64().expect("links") > 50, "{summary}");
    let galaxy_apt28 = "intrusion-set--5b4ee3ea-eee3-4c8e-8323-85ae32658754";
    let neighbourhood = muninn(&data, &["entity", "neighbourhood", galaxy_apt28, "--depth", "2", "--json"]);
    let neighbourhood = stdout(&neighbourhood);
    assert!(neighbourhood.contains("intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c"), "{neighbourhood}");
    assert!(neighbourhood.contains("attack-pattern--"), "ATT&CK techniques of APT28: {neighbourhood}");

    // Running it again replaces the earlier demo with the same content (same ids).
    let again = demo(&dir, &[]);
    assert!(again.status.success());
    assert!(stdout(&again).contains("Try:"), "{}", stdout(&again));
    assert_eq!(item_ids(&data), first);
}

#[test]
fn demo_never_replaces_a_directory_it_did_not_make() {
    let work = tempfile::tempdir().expect("tempdir");
    std::fs::write(work.path().join("precious.txt"), "user data").expect("write");
    let output = demo(work.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(work.path().join("precious.txt").exists());
}

#[test]
fn the_demo_is_searchable_and_reindex_changes_nothing() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("demo");
    assert!(demo(&dir, &[]).status.success());
    let data = dir.join("data");
    let search = |query: &str| -> serde_json::Value {
        let output = muninn(&data, &["search", "--json", "--facets", "--limit", "10", query]);
        assert!(output.status.success(), "{query}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let sandworm = search("sandworm");
    assert!(sandworm["total"].as_u64().expect("total") >= 5, "{sandworm}");
    assert!(
        sandworm["hits"][0]["snippet"]["highlights"].as_array().is_some_and(|h| !h.is_empty()),
        "{sandworm}"
    );
    for query in ["Багдади", "البغدادي", "乌克兰", "\"frozen lighthouse\""] {
        assert!(search(query)["total"].as_u64().expect("total") >= 1, "{query}");
    }
    let languages = &sandworm["facets"]["lang"];
    assert!(languages.as_array().is_some_and(|l| !l.is_empty()), "{sandworm}");

    let reindexed = muninn(&data, &["reindex", "--json"]);
    assert!(reindexed.status.success());
    let again = search("sandworm");
    assert_eq!(again["hits"], sandworm["hits"]);
    assert_eq!(again["facets"], sandworm["facets"]);

    let malformed = muninn(&data, &["search", "(sandworm AND"]);
    assert_eq!(malformed.status.code(), Some(2));
    let message = String::from_utf8_lossy(&malformed.stderr);
    assert!(message.contains("at "), "the error names the position: {message}");
}
