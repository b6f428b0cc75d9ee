//! The `muninn` binary, run as a user runs it.

mod cluster;
mod correlate;
mod demo;
mod entities;
mod knowledge;
mod matching;
mod medallion;
mod serve;
mod taxii;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub(crate) fn muninn(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muninn"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MUNINN_CONFIG")
        .env_remove("MUNINN_DATA_DIR")
        .output()
        .expect("muninn runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

#[test]
fn ingest_then_list_show_and_count() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"APT28 lure\", \"body\": \"Fancy Bear sent lures from 198.51.100.7.\", \"tlp\": \"green\"}\n\
         {\"title\": \"bad\", \"body\": \n\
         {\"title\": \"Sandworm\", \"body\": \"Группа Sandworm атаковала энергосистему.\"}\n",
    )
    .expect("write");
    let output = muninn(
        &data,
        &["ingest", "--source", "desk", "--grade", "B2", "--json", input.to_str().expect("path")],
    );
    assert_eq!(output.status.code(), Some(3), "one line was rejected: {}", stdout(&output));
    let summary = json(&output);
    assert_eq!(summary["stored"], 2);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["diagnostics"][0]["location"]["line"], 2);
    assert_eq!(summary["new_sources"][0], "desk");

    let listed = json(&muninn(&data, &["items", "list", "--json"]));
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["tlp"], "TLP:GREEN");
    assert_eq!(items[0]["grade"], "B2");
    assert_eq!(items[1]["lang"], "ru");
    let id = items[1]["id"].as_str().expect("id");

    let shown = muninn(&data, &["items", "show", id]);
    assert!(shown.status.success());
    let text = stdout(&shown);
    assert!(text.starts_with("TLP:AMBER\n"), "the TLP label comes first: {text}");
    assert!(text.contains("Группа Sandworm"), "{text}");
    let raw = muninn(&data, &["items", "show", id, "--raw"]);
    assert!(stdout(&raw).starts_with("{\"title\": \"Sandworm\""), "{}", stdout(&raw));

    let stats = json(&muninn(&data, &["stats", "--json", "--verify"]));
    assert_eq!(stats["items"], 2);
    assert_eq!(stats["verify"]["problems"].as_array().map(Vec::len), Some(0));

    // The same command again: nothing new, nothing duplicated (resumed from its checkpoint).
    let again =
        json(&muninn(&data, &["ingest", "--source", "desk", "--json", input.to_str().expect("path")]));
    assert_eq!(
        (again["stored"].as_u64(), again["resumed"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(3), Some(0))
    );
}

#[test]
fn standard_input_is_read_as_json_lines() {
    let work = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_muninn"))
        .arg("--data-dir")
        .arg(work.path())
        .args(["ingest", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\"body\": \"from a pipe: Lazarus Group\"}\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(json(&output)["stored"], 1);
}

#[test]
fn sources_are_defined_and_listed() {
    let work = tempfile::tempdir().expect("tempdir");
    let output = muninn(
        work.path(),
        &[
            "sources",
            "add",
            "cert-fr",
            "--name",
            "CERT-FR",
            "--kind",
            "partner",
            "--grade",
            "A2",
            "--tlp",
            "amber+strict",
        ],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let listed = json(&muninn(work.path(), &["sources", "list", "--json"]));
    assert_eq!(listed["sources"][0]["kind"], "partner");
    assert_eq!(listed["sources"][0]["default_tlp"], "TLP:AMBER+STRICT");
    let text = stdout(&muninn(work.path(), &["sources"]));
    assert!(text.contains("cert-fr") && text.contains("A2"), "{text}");
}

#[test]
fn exit_codes_say_what_went_wrong() {
    let work = tempfile::tempdir().expect("tempdir");
    // Usage: an invalid TLP.
    let usage = muninn(work.path(), &["ingest", "--tlp", "purple", "x.jsonl"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("purple"));
    // Reading a directory that holds no store.
    let missing = muninn(&work.path().join("nothing"), &["items", "list"]);
    assert_eq!(missing.status.code(), Some(2));
    // Busy: another process holds the data directory.
    let data = work.path().join("data");
    let holder =
        muninn_store::EmbeddedStore::open(&data, muninn_store::StoreConfig::default()).expect("open");
    let busy = muninn(&data, &["stats"]);
    assert_eq!(busy.status.code(), Some(4), "{}", String::from_utf8_lossy(&busy.stderr));
    drop(holder);
    // Corrupt: a format this build does not read.
    std::fs::write(data.join("FORMAT"), "muninn-store 99\n").expect("write");
    let corrupt = muninn(&data, &["stats"]);
    assert_eq!(corrupt.status.code(), Some(5), "{}", String::from_utf8_lossy(&corrupt.stderr));
    // A configuration file with an unknown key.
    let config = work.path().join("muninn.toml");
    std::fs::write(&config, "data_dri = 1\n").expect("write");
    let bad_config = muninn(work.path(), &["--config", config.to_str().expect("path"), "stats"]);
    assert_eq!(bad_config.status.code(), Some(2));
}

#[test]
fn exercise_generate_is_deterministic_and_ingestible() {
    let work = tempfile::tempdir().expect("tempdir");
    let generate = |out: &Path| {
        let output = muninn(
            work.path(),
            &[
                "exercise",
                "generate",
                "--scenario",
                "small",
                "--seed",
                "3",
                "--json",
                "--out",
                out.to_str().expect("path"),
            ],
        );
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        json(&output)
    };
    let first = generate(&work.path().join("a"));
    let second = generate(&work.path().join("b"));
    assert_eq!(first["items"], second["items"]);
    for file in ["news.jsonl", "mail/inbox.mbox", "chat/messages.jsonl", "truth.json"] {
        let a = std::fs::read(work.path().join("a").join(file)).expect("read");
        let b = std::fs::read(work.path().join("b").join(file)).expect("read");
        assert!(a == b, "{file} differs between two runs with the same seed");
    }
    let again = muninn(
        work.path(),
        &["exercise", "generate", "--out", work.path().join("a").to_str().expect("path")],
    );
    assert_eq!(again.status.code(), Some(2), "a non-empty directory is refused");
    let ingested = muninn(
        &work.path().join("data"),
        &["ingest", "--json", work.path().join("a/news.jsonl").to_str().expect("path")],
    );
    assert!(ingested.status.success());
    assert!(json(&ingested)["stored"].as_u64().expect("stored") > 0);
}

#[test]
fn watchlists_screen_ingest_and_alerts_are_triaged() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let list = work.path().join("list.csv");
    std::fs::write(
        &list,
        "id,kind,value,aliases,severity,note\n\
         QDi.299,name,Abu Bakr al-Baghdadi,,high,UN list\n\
         ioc-1,indicator,198.51.100.77,,medium,\n\
         bad,pattern,x*,,low,matches empty text\n",
    )
    .expect("write");
    let imported = muninn(
        &data,
        &["watchlist", "import", list.to_str().expect("path"), "--format", "csv", "--name", "un", "--json"],
    );
    assert!(imported.status.success(), "{}", stdout(&imported));
    let imported = json(&imported);
    assert_eq!(imported["entries"], 3);
    assert_eq!(imported["version"], 1);
    assert!(imported["compile_warnings"][0].as_str().expect("warning").contains("\"bad\""), "{imported}");

    let input = work.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"title\": \"a\", \"body\": \"Абу Бакр аль-Багдади был замечен\"}\n\
         {\"title\": \"b\", \"body\": \"C2 at 198.51.100[.]77 again\"}\n\
         {\"title\": \"c\", \"body\": \"nothing to see\"}\n",
    )
    .expect("write");
    let ingested = json(&muninn(&data, &["ingest", "--json", input.to_str().expect("path")]));
    assert_eq!(ingested["alerts"], 2);

    let alerts = json(&muninn(&data, &["alerts", "--json"]));
    assert_eq!(alerts["total"], 2);
    let methods: Vec<&str> = alerts["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|a| a["alert"]["method"].as_str().expect("method"))
        .collect();
    assert!(methods.contains(&"transliteration") && methods.contains(&"indicator"), "{methods:?}");
    let key = alerts["alerts"][0]["key"].as_str().expect("key").to_owned();

    let set = muninn(
        &data,
        &["alerts", "--set", "dismissed", "--key", &key, "--by", "alice", "--note", "namesake"],
    );
    assert!(set.status.success(), "{}", stdout(&set));
    let dismissed = json(&muninn(&data, &["alerts", "--state", "dismissed", "--json"]));
    assert_eq!(dismissed["total"], 1);
    assert_eq!(dismissed["alerts"][0]["alert"]["history"][1]["by"], "alice");
    let no_by = muninn(&data, &["alerts", "--set", "escalated", "--key", &key]);
    assert_eq!(no_by.status.code(), Some(2), "--set needs --by");

    // A retro-hunt finds the same hits and keeps the triage already done.
    let hunt = json(&muninn(&data, &["screen", "--json"]));
    assert_eq!(hunt["hits"], 2);
    assert_eq!(hunt["new_alerts"], 0);
    assert_eq!(json(&muninn(&data, &["alerts", "--state", "dismissed", "--json"]))["total"], 1);
}

#[test]
fn exercise_score_on_the_small_scenario() {
    let work = tempfile::tempdir().expect("tempdir");
    let flow = work.path().join("flow");
    let generated = muninn(
        work.path(),
        &["exercise", "generate", "--scenario", "small", "--out", flow.to_str().expect("path")],
    );
    assert!(generated.status.success());
    let truth = flow.join("truth.json");
    let score = json(&muninn(
        work.path(),
        &["exercise", "score", "--truth", truth.to_str().expect("path"), "--json"],
    ));
    // The small scenario plants "Ayman al-Zawahiri" in four items: as listed, in Russian and in
    // Arabic (found: exact, and transliteration anchored by the other script), and as "Aiman
    // al-Zawahri" (missed: a Latin respelling of every word, with no word as listed, is left to
    // fuzzy name matching, which screening does not do yet); and one indicator in three items.
    // No alert is raised on an item that does not carry its signal.
    assert_eq!(score["kinds"]["person-variants"]["planted_items"], 4);
    assert_eq!(score["kinds"]["person-variants"]["recall"], 0.75);
    assert_eq!(score["kinds"]["indicator-reuse"]["planted_items"], 3);
    assert_eq!(score["kinds"]["indicator-reuse"]["recall"], 1.0);
    assert_eq!(score["precision"], 1.0);
    // Near-duplicates: the edited copy by its shingles, the exact copy by ingest's dedup.
    assert_eq!(score["kinds"]["near-duplicates"]["recall"], 1.0);
    assert_eq!(score["kinds"]["near-duplicates"]["precision"], 1.0);
    // The small flow's burst (6 items over 4 languages) and campaign link (2 items) are below
    // the detectors' floors (5 items of one name in a window, 3 items per link): nothing is
    // flagged rather than noise. The demo scenario's are found (bench/results/exercise.json).
    assert_eq!(score["kinds"]["burst"]["detector"], "bursts");
    assert_eq!(score["kinds"]["burst"]["alerts"], 0);
    assert_eq!(score["kinds"]["actor-campaign"]["alerts"], 0);
}
