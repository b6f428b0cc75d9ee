//! `cargo xtask bench api`: 256 clients on loopback against the release binary's server for 60
//! seconds, with a mix of searches, item reads, TAXII pages and STIX posts, then a burst beyond
//! the server's capacity to see it shed load (503 with Retry-After) rather than queue without
//! bound.
//!
//! The clients are open-loop: each has a schedule of send times at a fixed rate and measures
//! latency from the scheduled time, so a slow answer cannot hide the queueing behind it
//! (coordinated omission). HTTP/1.1 with keep-alive over plain `TcpStream`s: the requests are
//! simple and a client library would be one more dependency for one benchmark.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

const CLIENTS: usize = 256;
const SECONDS: u64 = 60;
/// Requests per second over all clients: near what the 2-core machine serves for this mix.
const RATE: f64 = 600.0;

/// One answered request.
#[derive(Debug, Clone)]
struct Sample {
    kind: &'static str,
    status: u16,
    millis: f64,
}

/// A keep-alive HTTP/1.1 connection.
struct Connection {
    address: String,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    fn new(address: &str) -> Connection {
        Connection { address: address.to_owned(), stream: None }
    }

    /// Sends a request; returns status, headers (lower-case names) and body.
    fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<(u16, BTreeMap<String, String>, Vec<u8>)> {
        for attempt in 0..2 {
            if self.stream.is_none() {
                let stream = TcpStream::connect(&self.address)?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(Duration::from_secs(30)))?;
                self.stream = Some(BufReader::new(stream));
            }
            let result = self.exchange(method, path, headers, body);
            match result {
                Ok(answer) => return Ok(answer),
                Err(error) if attempt == 0 => {
                    // A connection the server closed between requests: once more on a new one.
                    self.stream = None;
                    let _ = error;
                }
                Err(error) => return Err(error),
            }
        }
        bail!("unreachable")
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<(u16, BTreeMap<String, String>, Vec<u8>)> {
        let reader = self.stream.as_mut().context("no connection")?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let stream = reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            bail!("connection closed");
        }
        let status: u16 = line.split_whitespace().nth(1).context("no status")?.parse()?;
        let mut answer_headers = BTreeMap::new();
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':') {
                answer_headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
            }
        }
        let length: usize = answer_headers.get("content-length").map_or(Ok(0), |v| v.parse())?;
        let mut answer = vec![0u8; length];
        reader.read_exact(&mut answer)?;
        if answer_headers.get("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            self.stream = None;
        }
        Ok((status, answer_headers, answer))
    }
}

/// What the clients ask, discovered before the run.
#[derive(Debug, Clone)]
struct Targets {
    token: String,
    item_ids: Vec<String>,
    /// The objects URL of a TAXII collection the user may read and write.
    taxii_objects: Option<String>,
}

const QUERIES: [&str; 8] = [
    "sandworm",
    "\"frozen lighthouse\"",
    "apt28 OR fancy",
    "ransomware AND NOT test",
    "lang:ru",
    "indicator.type:ipv4",
    "Багдади OR البغدادي OR baghdadi",
    "phishing~1",
];

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn discover(address: &str, token: &str) -> anyhow::Result<Targets> {
    let mut connection = Connection::new(address);
    let auth = format!("Bearer {token}");
    let (status, _, body) =
        connection.request("GET", "/api/v1/search?q=*&limit=200", &[("Authorization", &auth)], b"")?;
    if status != 200 {
        bail!("search for item ids answered {status}: {}", String::from_utf8_lossy(&body));
    }
    let found: Value = serde_json::from_slice(&body)?;
    let item_ids = found["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|h| h["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let taxii = [("Authorization", auth.as_str()), ("Accept", "application/taxii+json;version=2.1")];
    let mut taxii_objects = None;
    let (status, _, body) = connection.request("GET", "/taxii2/", &taxii, b"")?;
    if status == 200 {
        let discovery: Value = serde_json::from_slice(&body)?;
        if let Some(root) =
            discovery["api_roots"].as_array().and_then(|roots| roots.first()).and_then(Value::as_str)
        {
            let root = root.trim_end_matches('/');
            let root_path = root.find("/taxii2").map_or(root, |at| &root[at..]);
            let (status, _, body) =
                connection.request("GET", &format!("{root_path}/collections/"), &taxii, b"")?;
            if status == 200 {
                let collections: Value = serde_json::from_slice(&body)?;
                taxii_objects = collections["collections"]
                    .as_array()
                    .and_then(|all| all.iter().find(|c| c["can_write"] == true && c["can_read"] == true))
                    .and_then(|c| c["id"].as_str())
                    .map(|id| format!("{root_path}/collections/{id}/objects/"));
            }
        }
    }
    Ok(Targets { token: token.to_owned(), item_ids, taxii_objects })
}

/// A STIX indicator unique to (client, n).
fn indicator(client: usize, n: u64) -> String {
    let now = jiff::Timestamp::now();
    let stamp = now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        client,
        (n >> 32) & 0xffff,
        n & 0xfff,
        (n >> 12) & 0xfff,
        (n >> 24) & 0xffff_ffff_ffff
    );
    json!({"objects": [{
        "type": "indicator", "spec_version": "2.1", "id": format!("indicator--{uuid}"),
        "created": stamp, "modified": stamp, "name": format!("load test {client}/{n}"),
        "pattern": format!("[ipv4-addr:value = '198.51.{}.{}']", client % 250, n % 250),
        "pattern_type": "stix", "valid_from": stamp,
    }]})
    .to_string()
}

fn client(
    index: usize,
    address: String,
    targets: Arc<Targets>,
    until: Instant,
    samples: Arc<Mutex<Vec<Sample>>>,
) {
    let mut connection = Connection::new(&address);
    let auth = format!("Bearer {}", targets.token);
    let interval = Duration::from_secs_f64(CLIENTS as f64 / RATE);
    // Spread the clients' first sends over one interval.
    let mut next = Instant::now() + interval.mul_f64(index as f64 / CLIENTS as f64);
    let mut mine = Vec::new();
    let mut n: u64 = 0;
    while next < until {
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        }
        n += 1;
        let pick = (index as u64 * 7 + n) % 20;
        let (kind, method, path, body, media): (&'static str, &str, String, Vec<u8>, bool) =
            match (pick, &targets.taxii_objects) {
                (0..=1, Some(objects)) => {
                    ("stix_post", "POST", objects.clone(), indicator(index, n).into_bytes(), true)
                }
                (2..=4, Some(objects)) => {
                    ("taxii_page", "GET", format!("{objects}?limit=100"), Vec::new(), true)
                }
                (5..=7, _) if !targets.item_ids.is_empty() => {
                    let id = &targets.item_ids[(n as usize + index) % targets.item_ids.len()];
                    ("item", "GET", format!("/api/v1/items/{id}"), Vec::new(), false)
                }
                _ => {
                    let query = QUERIES[(n as usize + index) % QUERIES.len()];
                    (
                        "search",
                        "GET",
                        format!("/api/v1/search?q={}&facets=true", encode(query)),
                        Vec::new(),
                        false,
                    )
                }
            };
        let mut headers: Vec<(&str, &str)> = vec![("Authorization", &auth)];
        if media {
            headers.push(("Accept", "application/taxii+json;version=2.1"));
            if method == "POST" {
                headers.push(("Content-Type", "application/taxii+json;version=2.1"));
            }
        }
        let status = match connection.request(method, &path, &headers, &body) {
            Ok((status, _, _)) => status,
            Err(_) => 0,
        };
        // Latency from the scheduled send time, not from when the client got round to it.
        mine.push(Sample { kind, status, millis: next.elapsed().as_secs_f64() * 1e3 });
        next += interval;
    }
    if let Ok(mut all) = samples.lock() {
        all.extend(mine);
    }
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let rank = ((values.len() as f64 - 1.0) * q).round() as usize;
    (values[rank] * 100.0).round() / 100.0
}

/// A memory figure of a process from `/proc/PID/status` (`VmHWM:` peak, `VmRSS:` now), in MiB.
fn memory_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `muninn serve` on a free port; returns it and its address.
fn start_server(binary: &Path, data: &Path, extra: &[&str]) -> anyhow::Result<(Server, String)> {
    let mut child = Command::new(binary)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .with_context(|| format!("no address in {line:?}"))?
        .to_owned();
    Ok((server, address))
}

/// The figure `acl_property_cases`: what the visibility property test checked, from its run.
fn acl_property_cases(root: &Path) -> anyhow::Result<u64> {
    let output = Command::new("cargo")
        .args(["test", "-p", "muninn-api", "--test", "it", "visibility", "--", "--nocapture"])
        .current_dir(root)
        .output()?;
    if !output.status.success() {
        bail!("the visibility property test failed:\n{}", String::from_utf8_lossy(&output.stdout));
    }
    let text =
        String::from_utf8_lossy(&output.stderr).into_owned() + &String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("acl property cases: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .context("the visibility test did not report its cases")
}

pub fn api(root: &Path) -> anyhow::Result<()> {
    crate::run(root, "cargo", &["build", "--release", "-p", "muninn"], &[])?;
    let binary = root.join("target/release/muninn");
    let work = root.join("bench/work/api");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let status = Command::new(&binary)
        .args(["demo", "--no-serve", "--dir"])
        .arg(&work)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("muninn demo failed");
    }
    let data = work.join("data");
    let token_output = Command::new(&binary)
        .arg("--data-dir")
        .arg(&data)
        .args(["admin", "token-issue", "analyst", "--label", "load"])
        .output()?;
    if !token_output.status.success() {
        bail!("token-issue failed: {}", String::from_utf8_lossy(&token_output.stderr));
    }
    let token = String::from_utf8(token_output.stdout)?.trim().to_owned();

    // Phase 1: the steady mix.
    let (server, address) = start_server(&binary, &data, &[])?;
    let pid = server.0.id();
    let targets = Arc::new(discover(&address, &token)?);
    let samples = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let until = started + Duration::from_secs(SECONDS);
    let mut threads = Vec::new();
    let mut rss_during = Vec::new();
    for index in 0..CLIENTS {
        let (address, targets, samples) = (address.clone(), Arc::clone(&targets), Arc::clone(&samples));
        threads.push(std::thread::spawn(move || client(index, address, targets, until, samples)));
    }
    while Instant::now() < until {
        std::thread::sleep(Duration::from_secs(5));
        rss_during.extend(memory_mib(pid, "VmRSS:"));
    }
    for thread in threads {
        let _ = thread.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let peak = memory_mib(pid, "VmHWM:");
    drop(server);
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();

    let mut figures = serde_json::Map::new();
    let errors_5xx = samples.iter().filter(|s| s.status >= 500 && s.status != 503).count();
    let failed = samples.iter().filter(|s| s.status == 0).count();
    figures.insert("errors_5xx".to_owned(), json!(errors_5xx));
    figures.insert("connection_failures".to_owned(), json!(failed));
    figures.insert("requests".to_owned(), json!(samples.len()));
    figures.insert("requests_per_second".to_owned(), json!((samples.len() as f64 / elapsed).round()));
    figures.insert("shed_503_steady".to_owned(), json!(samples.iter().filter(|s| s.status == 503).count()));
    for kind in ["search", "item", "taxii_page", "stix_post"] {
        let mut ok: Vec<f64> = samples
            .iter()
            .filter(|s| s.kind == kind && s.status < 300 && s.status > 0)
            .map(|s| s.millis)
            .collect();
        let other = samples.iter().filter(|s| s.kind == kind && !(200..300).contains(&s.status)).count();
        let name = kind;
        figures.insert(format!("{name}_requests"), json!(ok.len()));
        figures.insert(format!("{name}_non_2xx"), json!(other));
        figures.insert(format!("{name}_p50_ms"), json!(percentile(&mut ok, 0.5)));
        figures.insert(format!("{name}_p99_ms"), json!(percentile(&mut ok, 0.99)));
    }
    figures.insert("rss_peak_mib".to_owned(), json!(peak));
    figures.insert("rss_first_sample_mib".to_owned(), json!(rss_during.first()));
    figures.insert("rss_last_sample_mib".to_owned(), json!(rss_during.last()));
    figures.insert("taxii_available".to_owned(), json!(targets.taxii_objects.is_some()));

    // Phase 2: a burst of 4x the server's request slots at once, with few slots, to see it shed.
    let (server, address) = start_server(&binary, &data, &["--max-in-flight", "16"])?;
    let burst = Arc::new(Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    for _ in 0..CLIENTS {
        let (address, token, burst) = (address.clone(), token.clone(), Arc::clone(&burst));
        threads.push(std::thread::spawn(move || {
            let mut connection = Connection::new(&address);
            let auth = format!("Bearer {token}");
            for n in 0..8 {
                let query = QUERIES[n % QUERIES.len()];
                let answer = connection.request(
                    "GET",
                    &format!("/api/v1/search?q={}&facets=true", encode(query)),
                    &[("Authorization", &auth)],
                    b"",
                );
                let (status, retry_after) = match answer {
                    Ok((status, headers, _)) => (status, headers.contains_key("retry-after")),
                    Err(_) => (0, false),
                };
                if let Ok(mut all) = burst.lock() {
                    all.push((status, retry_after));
                }
            }
        }));
    }
    for thread in threads {
        let _ = thread.join();
    }
    drop(server);
    let burst = burst.lock().map(|b| b.clone()).unwrap_or_default();
    let shed = burst.iter().filter(|(s, _)| *s == 503 || *s == 429).count();
    figures.insert("burst_requests".to_owned(), json!(burst.len()));
    figures.insert("burst_shed".to_owned(), json!(shed));
    figures.insert(
        "burst_shed_with_retry_after".to_owned(),
        json!(burst.iter().all(|(s, r)| !(*s == 503 || *s == 429) || *r)),
    );
    figures.insert(
        "burst_errors_5xx".to_owned(),
        json!(burst.iter().filter(|(s, _)| *s >= 500 && *s != 503).count()),
    );

    figures.insert("acl_property_cases".to_owned(), json!(acl_property_cases(root)?));
    crate::bench::write_result(
        root,
        "api",
        Value::Object(figures),
        &format!(
            "The release binary serving the demo data directory on 127.0.0.1; {CLIENTS} open-loop clients (keep-alive HTTP/1.1) for \
             {SECONDS} s at {RATE} requests/s in all, latency measured from each request's scheduled send time (no coordinated \
             omission). Mix: 60% searches with facets (8 query kinds), 15% item reads, 15% TAXII pages of 100 objects, 10% STIX \
             posts of one indicator (TAXII parts only when the server has a writable collection: taxii_available). Every \
             request authenticated by token and audited (a durable audit entry per read, group-committed). errors_5xx counts \
             5xx other than 503. Then a burst: {CLIENTS} clients x 8 searches against a server limited to 16 requests in \
             flight: burst_shed are refused with 503 and Retry-After instead of queueing. rss_*: the server's resident memory \
             during phase 1. acl_property_cases: (user, item) pairs the visibility property test checked against the reference \
             model in this run (cargo test -p muninn-api visibility)."
        ),
    )
}
