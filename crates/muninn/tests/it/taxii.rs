//! `muninn taxii pull`: against the OASIS reference server (medallion), interrupted and resumed,
//! and against a hostile server.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use muninn_store::{Document, EmbeddedStore, ItemStore, StoreConfig};
use serde_json::{Value, json};

use crate::medallion::{self, CollectionSpec, Medallion, PAGE_SIZE};

const LARGE: &str = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
const SMALL: &str = "52892447-4d7e-4f70-b94d-d7f22742ff63";
const LARGE_OBJECTS: usize = 2600;
const SMALL_OBJECTS: usize = 520;

fn serve() -> Medallion {
    Medallion::start(&[
        CollectionSpec { id: LARGE, objects: LARGE_OBJECTS },
        CollectionSpec { id: SMALL, objects: SMALL_OBJECTS },
    ])
}

/// Runs `muninn taxii pull URL --collection ID` as the medallion user, allowed to reach the
/// server on 127.0.0.1, with more arguments.
fn pull(data_dir: &Path, server: &Medallion, collection: &str, more: &[&str]) -> Output {
    let host = format!("127.0.0.1:{}", server.port);
    let mut args =
        vec!["taxii", "pull", "--json", "--collection", collection, "--allow-http", "--allow-host", &host];
    args.extend(["--user", medallion::USER, "--password-env", "TAXII_PASSWORD"]);
    // medallion's memory backend filters a new query in time quadratic in the collection
    // (about 25 s for the first page of 2,600 objects on this machine).
    args.extend(["--read-timeout", "900", "--timeout", "900"]);
    args.extend(more);
    let url = server.discovery_url();
    args.push(&url);
    run(data_dir, &args, &[("TAXII_PASSWORD", medallion::PASSWORD)])
}

fn run(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muninn"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .env_remove("MUNINN_CONFIG")
        .env_remove("MUNINN_DATA_DIR")
        .output()
        .expect("muninn runs")
}

/// The summary a successful pull prints.
fn summary(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON summary")
}

/// Pages, objects, stored, duplicates, how the pull started and why it stopped.
fn figures(summary: &Value) -> (u64, u64, u64, u64, String, String) {
    let number = |key: &str| summary[key].as_u64().unwrap_or_else(|| panic!("{key} in {summary}"));
    let text = |key: &str| summary[key].as_str().unwrap_or_default().to_owned();
    (
        number("pages"),
        number("objects"),
        number("stored"),
        number("duplicates"),
        text("resumed_from"),
        text("stop"),
    )
}

/// Every key of a store table.
fn keys(data_dir: &Path, table: &str) -> BTreeSet<String> {
    let store = EmbeddedStore::open(data_dir, StoreConfig::default()).expect("store");
    let mut keys = BTreeSet::new();
    loop {
        let page = store.documents(table, keys.last().map(String::as_str), 1000).expect("documents");
        if page.is_empty() {
            return keys;
        }
        keys.extend(page.into_iter().map(|(key, _)| key));
    }
}

fn expected_ids(collection: usize, count: usize) -> BTreeSet<String> {
    (0..count).map(|index| medallion::object_id(collection, index)).collect()
}

#[test]
fn a_pull_from_medallion_brings_every_object_once() {
    let server = serve();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");

    let full = summary(&pull(&data, &server, LARGE, &[]));
    let pages = LARGE_OBJECTS.div_ceil(PAGE_SIZE) as u64;
    assert_eq!(figures(&full), (pages, 2600, 2600, 0, "start".into(), "complete".into()), "{full}");
    assert_eq!(full["api_root"], format!("http://127.0.0.1:{}/trustgroup1/", server.port));
    assert_eq!(full["rejected"], 0);
    assert_eq!(keys(&data, "stix_object"), expected_ids(0, LARGE_OBJECTS));
    assert_eq!(keys(&data, "stix_version").len(), LARGE_OBJECTS);

    // The small collection, then again: the second pull asks for what was added since the
    // last page and gets nothing.
    let small = summary(&pull(&data, &server, SMALL, &[]));
    assert_eq!(figures(&small), (6, 520, 520, 0, "start".into(), "complete".into()), "{small}");
    let again = summary(&pull(&data, &server, SMALL, &[]));
    assert_eq!(figures(&again), (1, 0, 0, 0, "added_after".into(), "complete".into()), "{again}");
    let all: BTreeSet<String> =
        expected_ids(0, LARGE_OBJECTS).into_iter().chain(expected_ids(1, SMALL_OBJECTS)).collect();
    assert_eq!(keys(&data, "stix_object"), all);
    assert_eq!(keys(&data, "taxii_cursor").len(), 2);
}

#[test]
fn an_interrupted_pull_resumes_with_exactly_the_rest() {
    let server = serve();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");

    let first = summary(&pull(&data, &server, LARGE, &["--max-pages", "7"]));
    assert_eq!(figures(&first), (7, 700, 700, 0, "start".into(), "max-pages".into()), "{first}");
    assert_eq!(keys(&data, "stix_object").len(), 700);
    let rest = summary(&pull(&data, &server, LARGE, &[]));
    assert_eq!(figures(&rest), (19, 1900, 1900, 0, "next".into(), "complete".into()), "{rest}");
    assert_eq!(keys(&data, "stix_object"), expected_ids(0, LARGE_OBJECTS));

    // A stored `next` the server no longer knows (its session expired): the pull starts a new
    // query from the last stored page's X-TAXII-Date-Added-Last, and still gets exactly the rest.
    let part = summary(&pull(&data, &server, SMALL, &["--max-pages", "2"]));
    assert_eq!(figures(&part), (2, 200, 200, 0, "start".into(), "max-pages".into()), "{part}");
    let key = format!("{} {SMALL}", server.discovery_url());
    {
        let mut store = EmbeddedStore::open(&data, StoreConfig::default()).expect("store");
        let stored = store.document("taxii_cursor", &key).expect("read").expect("a cursor is stored");
        let mut cursor: Value = serde_json::from_slice(&stored).expect("json");
        assert_eq!(cursor["cursor"]["added_after"], "2024-01-01T00:03:19.000000Z");
        cursor["cursor"]["next"] = json!("00000000-dead-4000-8000-000000000000");
        store
            .put_documents(vec![Document::put(
                "taxii_cursor",
                &key,
                serde_json::to_vec(&cursor).expect("json"),
            )])
            .expect("put");
    }
    let resumed = summary(&pull(&data, &server, SMALL, &[]));
    assert_eq!(figures(&resumed), (4, 320, 320, 0, "next".into(), "complete".into()), "{resumed}");
    assert_eq!(resumed["next_refused"], true);
    let all: BTreeSet<String> =
        expected_ids(0, LARGE_OBJECTS).into_iter().chain(expected_ids(1, SMALL_OBJECTS)).collect();
    assert_eq!(keys(&data, "stix_object"), all);
}

/// A TAXII server that misbehaves, one way per collection; it counts requests per path.
struct Hostile {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        std::thread::spawn(move || {
            for (count, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let path = request_path(&mut stream);
                recorded.lock().expect("lock").push(path.clone());
                answer(&mut stream, &path, count);
            }
        });
        Hostile { port, requests }
    }

    fn requests_under(&self, prefix: &str) -> usize {
        self.requests.lock().expect("lock").iter().filter(|path| path.starts_with(prefix)).count()
    }

    fn pull(&self, data_dir: &Path, url_path: &str, collection: &str, more: &[&str]) -> Output {
        let url = format!("http://127.0.0.1:{}{url_path}", self.port);
        let host = format!("127.0.0.1:{}", self.port);
        let mut args = vec![
            "taxii",
            "pull",
            "--json",
            "--collection",
            collection,
            "--allow-http",
            "--allow-host",
            &host,
        ];
        args.extend(more);
        args.push(&url);
        run(data_dir, &args, &[])
    }
}

fn request_path(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16384 && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).split_whitespace().nth(1).unwrap_or_default().to_owned()
}

fn indicator(number: usize) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": format!("indicator--00000000-0000-4000-8000-{number:012x}"),
        "created": "2024-01-01T00:00:00Z", "modified": "2024-01-01T00:00:00Z", "pattern": "[ipv4-addr:value = '198.51.100.1']",
        "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
    })
}

fn answer(stream: &mut TcpStream, path: &str, count: usize) {
    let body = if path.starts_with("/evil/taxii2/") {
        json!({"title": "evil", "api_roots": ["/root/", "//evil.example/"]})
    } else if path == "/root/" {
        json!({"title": "root", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 1000})
    } else if path == "/root/collections/" {
        let collection = |id: &str| json!({"id": id, "title": id, "can_read": true, "can_write": false});
        json!({"collections": [collection("loop"), collection("empty"), collection("endless")]})
    } else if path.starts_with("/root/collections/loop/objects/") {
        json!({"more": true, "next": "same", "objects": [indicator(1)]})
    } else if path.starts_with("/root/collections/empty/objects/") {
        json!({"more": true, "next": format!("n{count}"), "objects": []})
    } else if path.starts_with("/root/collections/endless/objects/") {
        json!({"more": true, "next": format!("n{count}"), "objects": [indicator(count)]})
    } else {
        json!({"title": "not found"})
    };
    let body = body.to_string();
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_hostile_server_gets_clear_errors_and_bounded_work() {
    let server = Hostile::start();
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");

    let evil = server.pull(&data, "/evil/taxii2/", "loop", &[]);
    assert_eq!(evil.status.code(), Some(1), "{}", stderr(&evil));
    assert!(
        stderr(&evil).contains(
            "invalid API root \"//evil.example/\" in the discovery resource: a relative API root must not begin with //"
        ),
        "{}",
        stderr(&evil)
    );
    assert_eq!(server.requests_under("/root/"), 0, "nothing is fetched from a refused discovery");

    let looping = server.pull(&data, "/root/", "loop", &[]);
    assert_eq!(looping.status.code(), Some(1));
    assert!(
        stderr(&looping).contains("the pull of collection loop stopped after 1 pages were stored (run it again to resume from there): the server repeats the same page (next \"same\"): stopped"),
        "{}",
        stderr(&looping)
    );
    assert_eq!(server.requests_under("/root/collections/loop/objects/"), 2);

    let empty = server.pull(&data, "/root/", "empty", &[]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(
        stderr(&empty).contains("the server sent 4 empty pages in a row, each saying more: true: stopped"),
        "{}",
        stderr(&empty)
    );
    assert_eq!(server.requests_under("/root/collections/empty/objects/"), 4);

    // A server that never ends: the page and byte budgets stop the pull, resumable.
    let capped = summary(&server.pull(&data, "/root/", "endless", &["--max-pages", "5"]));
    assert_eq!((capped["pages"].as_u64(), capped["stop"].as_str()), (Some(5), Some("max-pages")));
    assert_eq!(server.requests_under("/root/collections/endless/objects/"), 5);
    let budget = summary(&server.pull(&data, "/root/", "endless", &["--max-bytes", "3000"]));
    assert_eq!(budget["stop"], "max-bytes", "{budget}");
    assert!(budget["bytes"].as_u64().is_some_and(|bytes| bytes <= 3000), "{budget}");
    assert_eq!(budget["resumed_from"], "next");

    // Without --allow-http, or without --allow-host, nothing is sent at all.
    let before = server.requests.lock().expect("lock").len();
    let url = format!("http://127.0.0.1:{}/root/", server.port);
    let https_only = run(&data, &["taxii", "pull", "--collection", "endless", &url], &[]);
    assert_eq!(https_only.status.code(), Some(2));
    assert!(
        stderr(&https_only).contains("scheme \"http\" is not allowed (only https is allowed)"),
        "{}",
        stderr(&https_only)
    );
    let private = run(&data, &["taxii", "pull", "--collection", "endless", "--allow-http", &url], &[]);
    assert_eq!(private.status.code(), Some(2));
    assert!(
        stderr(&private).contains(
            "destination 127.0.0.1 is in the loopback range (127.0.0.0/8); not on the egress allow-list"
        ),
        "{}",
        stderr(&private)
    );
    assert_eq!(server.requests.lock().expect("lock").len(), before);
}
