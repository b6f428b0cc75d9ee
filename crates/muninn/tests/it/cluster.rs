//! Cluster mode as an operator runs it: `muninn ingest` against a 3-node NATS cluster, a
//! PostgreSQL server and an S3 object store (all real, on 127.0.0.1), `muninn worker ingest`
//! processes applying the log to the tables, a `muninn worker index` publishing the index, and
//! the faults the cluster must absorb: a NATS node killed while items flow, a worker killed
//! (SIGKILL) in the middle of its work, the object store killed and started again. Nothing
//! acknowledged may be lost or counted twice, and search recovers within seconds.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use muninn_testkit::engines::{NatsCluster, Postgres, Seaweed};

use crate::{json, stdout};

fn command(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_muninn"));
    command.arg("--config").arg(config).args(args).env_remove("MUNINN_CONFIG").env_remove("MUNINN_DATA_DIR");
    command
}

fn run(config: &Path, args: &[&str]) -> Output {
    command(config, args).output().expect("muninn runs")
}

/// A process of the test, killed when dropped: a failed assertion leaves no server or worker
/// running.
struct Running(Child);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(config: &Path, log: &Path) -> Running {
    spawn_logged(config, &["worker", "ingest", "--batch", "256"], log)
}

fn spawn_logged(config: &Path, args: &[&str], log: &Path) -> Running {
    let log = std::fs::File::create(log).expect("worker log");
    command(config, args)
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .map(Running)
        .expect("worker starts")
}

fn kill(child: Running) {
    drop(child);
}

fn write_items(path: &PathBuf, from: u64, count: u64) {
    let mut text = String::new();
    for n in from..from + count {
        text.push_str(&format!(
            "{{\"title\": \"Report {n}\", \"body\": \"Report {n}: the group reused 203.0.113.{} and a lure about ministry {n}.\", \"tlp\": \"green\"}}\n",
            n % 250
        ));
    }
    std::fs::write(path, text).expect("write items");
}

fn ingest(config: &Path, input: &Path) -> serde_json::Value {
    let output =
        run(config, &["ingest", "--source", "partner-feed", "--json", input.to_str().expect("path")]);
    assert!(
        output.status.success(),
        "ingest failed: {} {}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    json(&output)
}

/// GET `path` from the server on `port` with a bearer token, once it listens; the JSON body.
fn http_get(port: u16, path: &str, token: &str, server: &mut Child) -> serde_json::Value {
    use std::io::{Read, Write};
    let started = Instant::now();
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let request =
                format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n");
            stream.write_all(request.as_bytes()).expect("request");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("answer");
            let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
            assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
            return serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
        }
        if let Ok(Some(status)) = server.try_wait() {
            panic!("the server exited: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// POST `body` (JSON) to `path` on the server on `port` with a bearer token; the JSON answer,
/// which must be a 200.
fn http_post(port: u16, path: &str, token: &str, body: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    let request = format!(
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The status of GET `path` on the server on `port` with a bearer token (0 when it does not
/// answer).
fn http_status(port: u16, path: &str, token: &str) -> u16 {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return 0 };
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n");
    let mut answer = String::new();
    if stream.write_all(request.as_bytes()).is_err() || stream.read_to_string(&mut answer).is_err() {
        return 0;
    }
    answer.split(' ').nth(1).and_then(|status| status.parse().ok()).unwrap_or(0)
}

/// Reads the live alert stream of the server on `port` on a thread: the ids of the alerts it
/// sends until `expected` came and a second more passed (to see any sent twice), or 60 s.
fn live_alerts(port: u16, token: &str, expected: usize) -> std::thread::JoinHandle<Vec<String>> {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    let request = format!(
        "GET /api/v1/alerts/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("request");
    stream.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut complete: Option<Instant> = None;
        let mut ids = Vec::new();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while started.elapsed() < Duration::from_secs(60)
            && complete.is_none_or(|at| at.elapsed() < Duration::from_secs(1))
        {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => {
                    if let Some(id) = line.trim_end().strip_prefix("id: ") {
                        ids.push(id.to_owned());
                        if ids.len() == expected {
                            complete = Some(Instant::now());
                        }
                    }
                }
                Err(_) => {}
            }
        }
        ids
    })
}

/// The `--data-dir` of a server's arguments.
fn serve_dir_of(args: &[String]) -> &str {
    &args[1]
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn cluster_ingest_loses_nothing_when_a_nats_node_and_a_worker_are_killed() {
    let mut nats = NatsCluster::start(3);
    let postgres = Postgres::start();
    let mut seaweed = Seaweed::start("muninn");
    let work = tempfile::tempdir().expect("tempdir");
    let config = work.path().join("muninn.toml");
    let urls: Vec<String> = nats.urls().iter().map(|url| format!("{url:?}")).collect();
    std::fs::write(
        &config,
        format!(
            "[cluster]\nnats = [{}]\npostgres = {:?}\npartitions = 8\nindex_shards = 2\n\
             [cluster.s3]\nendpoint = {:?}\nbucket = \"muninn\"\n",
            urls.join(", "),
            postgres.dsn(),
            seaweed.endpoint()
        ),
    )
    .expect("write config");
    let search_dir = work.path().join("searcher");
    let search_total = || -> Option<u64> {
        let output = run(&config, &["--data-dir", search_dir.to_str()?, "search", "--json", "ministry"]);
        output.status.success().then(|| json(&output)["total"].as_u64()).flatten()
    };
    let wait_for_total = |wanted: u64| -> Duration {
        let started = Instant::now();
        while search_total() != Some(wanted) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "search never reached {wanted}: {:?}",
                search_total()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        started.elapsed()
    };
    let init = run(&config, &["cluster", "init"]);
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    assert!(stdout(&init).contains("3 replicas"), "{}", stdout(&init));

    let inputs: Vec<PathBuf> = (0..4).map(|n| work.path().join(format!("part{n}.jsonl"))).collect();
    for (n, input) in inputs.iter().enumerate() {
        write_items(input, n as u64 * 8000, 8000);
    }

    // Phase 1: a worker is killed while it applies the first part.
    let first_worker = start_worker(&config, &work.path().join("worker-1.log"));
    let ingesting = command(
        &config,
        &["ingest", "--source", "partner-feed", "--json", inputs[0].to_str().expect("path")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("ingest starts");
    std::thread::sleep(Duration::from_millis(700));
    kill(first_worker);
    let first = ingesting.wait_with_output().expect("ingest ends");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert_eq!(json(&first)["stored"], 8000);

    // Phase 2: a NATS node is down while the second part is acknowledged; a new worker runs.
    nats.kill_node(0);
    let second_worker = start_worker(&config, &work.path().join("worker-2.log"));
    assert_eq!(ingest(&config, &inputs[1])["stored"], 8000);

    // Phase 3: the node comes back and catches up while the third part flows.
    nats.start_node(0);
    assert_eq!(ingest(&config, &inputs[2])["stored"], 8000);

    let status = run(&config, &["cluster", "status", "--wait-applied", "60", "--json"]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(json(&status)["records_pending"], 0, "{}", stdout(&status));

    let stats = json(&run(&config, &["stats", "--json"]));
    assert_eq!(stats["items"], 24_000, "{stats}");
    assert_eq!(stats["duplicates_seen"], 0, "nothing applied twice: {stats}");
    assert_eq!(stats["inputs_checkpointed"], 3, "{stats}");

    // Running the inputs again resumes from their checkpoints: nothing new, nothing repeated.
    let again = ingest(&config, &inputs[0]);
    assert_eq!(again["stored"], 0, "{again}");

    // The index: a worker builds and publishes the shards; search sees every item.
    let index_dir = work.path().join("indexer");
    let indexer = spawn_logged(
        &config,
        &["--data-dir", index_dir.to_str().expect("path"), "worker", "index"],
        &work.path().join("indexer.log"),
    );
    wait_for_total(24_000);

    // Phase 4: the object store dies; items are still acknowledged and recorded; the index
    // catches up within seconds of the store coming back.
    seaweed.kill();
    assert_eq!(ingest(&config, &inputs[3])["stored"], 8000);
    std::thread::sleep(Duration::from_secs(1));
    seaweed.start_again();
    let recovery = wait_for_total(32_000);
    eprintln!("search recovered {recovery:?} after the object store came back");
    assert!(recovery < Duration::from_secs(30), "search recovered in {recovery:?}");

    // Search workers: two processes share the shards' queries; a search through them answers
    // what a search over every shard fetched into one process answers, page after page.
    let searchers: Vec<Running> = (0..2)
        .map(|n| {
            let dir = work.path().join(format!("search-worker-{n}"));
            spawn_logged(
                &config,
                &["--data-dir", dir.to_str().expect("path"), "worker", "search"],
                &work.path().join(format!("search-worker-{n}.log")),
            )
        })
        .collect();
    let searched = |extra: &[&str]| -> Option<serde_json::Value> {
        let mut args =
            vec!["--data-dir", search_dir.to_str()?, "search", "--json", "--facets", "--limit", "25"];
        args.extend_from_slice(extra);
        args.push("ministry OR partner");
        let output = run(&config, &args);
        output.status.success().then(|| json(&output))
    };
    let started = Instant::now();
    let through_workers = loop {
        match searched(&["--workers"]) {
            Some(answer) if answer["total"] == 32_000 => break answer,
            other => {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "search workers never answered: {other:?}"
                );
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    };
    let direct = searched(&[]).expect("direct search");
    let page = |answer: &serde_json::Value| -> Vec<(String, String)> {
        answer["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|hit| {
                (
                    hit["id"].as_str().expect("id").to_owned(),
                    format!("{:.4}", hit["score"].as_f64().expect("score")),
                )
            })
            .collect()
    };
    assert_eq!(page(&through_workers), page(&direct));
    assert_eq!(through_workers["facets"]["source"], direct["facets"]["source"]);
    assert_eq!(through_workers["histogram"], direct["histogram"]);
    let cursor = direct["next"].as_str().expect("a next page");
    let next_direct = searched(&["--after", cursor]).expect("page 2");
    let next_workers = searched(&["--workers", "--after", cursor]).expect("page 2 through workers");
    assert_eq!(page(&next_workers), page(&next_direct));

    // The server on the cluster: users made by the admin commands, a search through the API
    // (audited before it is answered, so the server's writes go through the log too).
    for args in [
        vec!["admin", "org-add", "local"],
        vec![
            "admin",
            "user-add",
            "ana",
            "--org",
            "local",
            "--role",
            "analyst",
            "--password-env",
            "ANA_PASSWORD",
        ],
    ] {
        let output =
            command(&config, &args).env("ANA_PASSWORD", "a long enough password 1").output().expect("admin");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let token = stdout(&run(&config, &["admin", "token-issue", "ana"])).trim().to_owned();
    // Two servers on the cluster at once, as behind a load balancer.
    let ports = [muninn_testkit::engines::free_port(), muninn_testkit::engines::free_port()];
    let server_args = |name: &str, port: u16| -> Vec<String> {
        let dir = work.path().join(name);
        ["--data-dir", dir.to_str().expect("path"), "serve", "--listen", &format!("127.0.0.1:{port}")]
            .map(str::to_owned)
            .to_vec()
    };
    let args_a = server_args("server", ports[0]);
    let args_b = server_args("server-b", ports[1]);
    let mut server = spawn_logged(&config, &as_strs(&args_a), &work.path().join("server.log"));
    let mut server_b = spawn_logged(&config, &as_strs(&args_b), &work.path().join("server-b.log"));
    let answer = http_get(ports[0], "/api/v1/search?q=ministry&limit=3", &token, &mut server);
    assert_eq!(answer["total"], 32_000, "{answer}");
    let answer_b = http_get(ports[1], "/api/v1/search?q=ministry&limit=3", &token, &mut server_b);
    assert_eq!(answer_b["hits"], answer["hits"]);
    // Audited reads through both at once: their entries interleave in the one chain.
    std::thread::scope(|scope| {
        for port in ports.into_iter().chain(ports) {
            let token = token.as_str();
            scope.spawn(move || {
                for n in 0..10 {
                    let path = format!("/api/v1/search?q=report+{n}&limit=1");
                    assert_eq!(http_status(port, &path, token), 200, "{path} on {port}");
                }
            });
        }
    });
    // An administrator made and a token issued while both run (the admin command takes its
    // turn on the chain): both servers honour the token within a refresh.
    let made = command(
        &config,
        &["admin", "user-add", "root", "--org", "local", "--role", "admin", "--password-env", "P"],
    )
    .env("P", "a long enough password 2")
    .output()
    .expect("admin");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let root = stdout(&run(&config, &["admin", "token-issue", "root"])).trim().to_owned();
    for port in ports {
        let started = Instant::now();
        // Servers refresh each second; the allowance is for a loaded machine (the other tests
        // run beside this one on CI's two cores), where a refresh can wait seconds for a core.
        while http_status(port, "/api/v1/audit/verify", &root) != 200 {
            assert!(started.elapsed() < Duration::from_secs(30), "server on {port} never took the new token");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let verified = http_get(ports[1], "/api/v1/audit/verify", &root, &mut server_b);
    assert_eq!(verified["valid"], true, "{verified}");
    assert!(verified["entries"].as_u64().expect("entries") > 42, "{verified}");
    // Every one of the concurrent reads is in the chain (two servers appending from one head
    // would each write the same sequence number, and one entry would silently replace another).
    let entries = http_get(ports[0], "/api/v1/audit/entries?limit=1000", &root, &mut server);
    let reads = entries["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["record"].to_string().contains("\"query\":\"report "))
        .count();
    assert_eq!(reads, 40, "{entries}");
    // Both servers look for today's checkpoint at start: one signs it.
    let signed = entries.to_string().matches("\"action\":\"checkpoint_signed\"").count();
    assert_eq!(signed, 1, "{entries}");
    kill(server_b);
    kill(server);
    let serve_args = as_strs(&args_a);
    let port = ports[0];
    // The server with `search_workers`: its searches go to the search workers, same answer.
    let workers_config = work.path().join("muninn-workers.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains("index_shards = 2\n"), "{text}");
    std::fs::write(
        &workers_config,
        text.replace("index_shards = 2\n", "index_shards = 2\nsearch_workers = true\n"),
    )
    .expect("write config");
    let mut server = spawn_logged(&workers_config, &serve_args, &work.path().join("server-workers.log"));
    let through_workers = http_get(port, "/api/v1/search?q=ministry&limit=3", &token, &mut server);
    assert_eq!(through_workers["total"], 32_000, "{through_workers}");
    let ids = |answer: &serde_json::Value| -> Vec<serde_json::Value> {
        answer["hits"].as_array().expect("hits").iter().map(|hit| hit["id"].clone()).collect()
    };
    assert_eq!(ids(&through_workers), ids(&answer));
    kill(server);
    for searcher in searchers {
        kill(searcher);
    }

    // Screening on the cluster: a list imported after the items arrived; screening workers
    // retro-hunt every partition once, then have nothing more to do.
    let list = work.path().join("list.csv");
    std::fs::write(&list, "id,kind,value,severity\nm7,pattern,\\bministry 7[0-9]\\b,high\n").expect("list");
    let imported = run(
        &config,
        &["watchlist", "import", "--format", "csv", "--name", "desk", list.to_str().expect("path")],
    );
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    // A server's live stream carries the alerts the screening workers raise, each once; with
    // two servers following the alerts, a webhook gets each once too (the server holding the
    // cluster's webhook lock delivers, the other waits to take over).
    let (receiver, deliveries) = muninn_testkit::webhook_receiver();
    let with_webhooks = |args: &[String]| -> Vec<String> {
        let extra = ["--webhook-allow-http", "--webhook-allow-host", receiver.as_str()];
        args.iter().map(String::as_str).chain(extra).map(str::to_owned).collect()
    };
    let (live_a, live_b) = (with_webhooks(&args_a), with_webhooks(&args_b));
    let mut server = spawn_logged(&config, &as_strs(&live_a), &work.path().join("server-live.log"));
    let mut server_b = spawn_logged(&config, &as_strs(&live_b), &work.path().join("server-live-b.log"));
    http_get(port, "/api/v1/alerts?limit=1", &token, &mut server);
    http_get(ports[1], "/api/v1/alerts?limit=1", &token, &mut server_b);
    let hook =
        http_post(port, "/api/v1/webhooks", &token, &format!(r#"{{"url": "http://{receiver}/hook"}}"#));
    assert!(hook["id"].is_string(), "{hook}");
    let stream = live_alerts(port, &token, 10);
    let hunt = run(&config, &["worker", "screen", "--idle-exit", "2"]);
    assert!(hunt.status.success(), "{}", String::from_utf8_lossy(&hunt.stderr));
    assert!(stdout(&hunt).contains("10 new alerts"), "{}", stdout(&hunt));
    let streamed = stream.join().expect("the stream reader");
    let server_log = std::fs::read_to_string(work.path().join("server-live.log")).unwrap_or_default();
    assert_eq!(streamed.len(), 10, "{streamed:?}\n{server_log}");
    assert_eq!(streamed.iter().collect::<std::collections::BTreeSet<_>>().len(), 10, "{streamed:?}");
    // Every delivery within a minute, then two quiet seconds in which no second one comes.
    let mut delivered = Vec::new();
    let waiting = Instant::now();
    while waiting.elapsed() < Duration::from_secs(60) {
        match deliveries.recv_timeout(Duration::from_secs(2)) {
            Ok((_, body)) => {
                let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON delivery");
                delivered.push(body["key"].as_str().expect("the alert's key").to_owned());
            }
            Err(_) if delivered.len() >= 10 => break,
            Err(_) => {}
        }
    }
    let logs = || {
        ["server-live.log", "server-live-b.log"]
            .map(|log| std::fs::read_to_string(work.path().join(log)).unwrap_or_default())
            .join("\n")
    };
    assert_eq!(delivered.len(), 10, "{delivered:?}\n{}", logs());
    assert_eq!(delivered.iter().collect::<std::collections::BTreeSet<_>>().len(), 10, "{delivered:?}");
    kill(server_b);
    kill(server);
    let again = run(&config, &["worker", "screen", "--idle-exit", "1"]);
    assert!(stdout(&again).contains("0 new alerts"), "{}", stdout(&again));
    let alerts = json(&run(&config, &["alerts", "--json"]));
    assert_eq!(alerts["total"], 10, "{alerts}");

    // The item records read back through the ordinary commands.
    let listed = json(&run(&config, &["items", "list", "--limit", "5", "--json"]));
    let first_id = listed["items"][0]["id"].as_str().expect("an item").to_owned();
    let shown = run(&config, &["items", "show", &first_id, "--json"]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    assert!(stdout(&shown).contains("the group reused"), "{}", stdout(&shown));

    // The knowledge base, correlations and the audit chain on the cluster's engines.
    let bundle = work.path().join("bundle.json");
    std::fs::write(
        &bundle,
        r#"{"type": "bundle", "id": "bundle--2f7c1b9e-8d1a-4a55-9a61-3c1d6c0e5b11", "objects": [
            {"type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--9e7a6c3e-4f4b-4b8e-9a51-1f2d3c4b5a60",
             "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
             "name": "Sandworm Team", "aliases": ["Voodoo Bear"]}]}"#,
    )
    .expect("bundle");
    let imported = json(&run(&config, &["import", "stix", "--json", bundle.to_str().expect("path")]));
    assert_eq!(imported["files"][0]["stored"], 1, "{imported}");
    let exported = run(&config, &["export", "stix", "--type", "intrusion-set"]);
    assert!(stdout(&exported).contains("Voodoo Bear"), "{}", String::from_utf8_lossy(&exported.stderr));
    let profile =
        run(&config, &["--data-dir", serve_dir_of(&args_a), "entity", "profile", "Voodoo Bear", "--json"]);
    assert!(stdout(&profile).contains("Sandworm Team"), "{}", String::from_utf8_lossy(&profile.stderr));
    let indicator =
        json(&run(&config, &["--data-dir", serve_dir_of(&args_a), "indicator", "203.0.113.7", "--json"]));
    assert!(indicator["count"].as_u64().expect("count") > 0, "{indicator}");
    let verified = json(&run(&config, &["audit", "verify", "--json"]));
    assert_eq!(verified["valid"], true, "{verified}");
    // A server keeps the knowledge base it loaded; an import by another process that only
    // replaces an object by a newer version (as many objects as before) reaches it within a
    // refresh.
    let incidents = work.path().join("incidents.csv");
    let incident = |casualties: u32| {
        format!(
            "id,date,place,country,actor,targets,type,casualties,narrative,sources,tlp\n\
             INC-2024-07,2024-07-01,Odesa port,UA,,,sabotage,{casualties},\"A fire at the port.\",,green\n"
        )
    };
    let import_incidents = |casualties: u32| {
        std::fs::write(&incidents, incident(casualties)).expect("incidents");
        let imported = run(&config, &["import", "incidents", incidents.to_str().expect("path")]);
        assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    };
    import_incidents(0);
    let mut server = spawn_logged(&config, &as_strs(&args_a), &work.path().join("server-kb.log"));
    let casualties = |server: &mut Running| {
        let listed = http_get(ports[0], "/api/v1/incidents", &token, server);
        listed["incidents"][0]["casualties"].as_u64()
    };
    assert_eq!(casualties(&mut server), Some(0));
    import_incidents(3);
    let started = Instant::now();
    while casualties(&mut server) != Some(3) {
        assert!(started.elapsed() < Duration::from_secs(30), "the server kept the old incident");
        std::thread::sleep(Duration::from_millis(200));
    }
    kill(server);
    // The knowledge base's names into the gazetteer: the running index worker rebuilds its
    // shards with it, and items that name the actor by its alias are found by the entity.
    let extra = work.path().join("voodoo.jsonl");
    let notes: String = (0..5)
        .map(|n| format!("{{\"title\": \"Note {n}\", \"body\": \"Voodoo Bear was seen again, note {n}.\", \"tlp\": \"green\"}}\n"))
        .collect();
    std::fs::write(&extra, notes).expect("notes");
    ingest(&config, &extra);
    let made = run(&config, &["entities", "from-knowledge", "--name", "actors", "--types", "intrusion-set"]);
    assert!(
        stdout(&made).contains("index workers rebuild"),
        "{}{}",
        stdout(&made),
        String::from_utf8_lossy(&made.stderr)
    );
    let started = Instant::now();
    loop {
        let found = run(
            &config,
            &["--data-dir", serve_dir_of(&args_a), "search", "--json", "entity:\"Sandworm Team\""],
        );
        if found.status.success() && json(&found)["total"] == 5 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the shards were not rebuilt with the gazetteer: {}{}",
            stdout(&found),
            String::from_utf8_lossy(&found.stderr)
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // A command that needs an embedded data directory says so.
    let refused = run(&config, &["reindex"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cluster mode"));
    kill(second_worker);
    kill(indexer);
}
