//! The egress client against tiny scripted servers on 127.0.0.1: what is refused before any
//! connection, redirects, caps and timeouts.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use muninn_egress::{EgressClient, EgressError, EgressPolicy};

/// What a scripted server does with one connection: it gets the request head and writes back.
type Script = Box<dyn Fn(&str, &mut TcpStream) + Send + Sync>;

/// A server on 127.0.0.1 that answers every connection with `script` and records request heads.
struct Server {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    _thread: JoinHandle<()>,
}

impl Server {
    fn start(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let head = read_head(&mut stream);
                recorded.lock().expect("lock").push(head.clone());
                script(&head, &mut stream);
            }
        });
        Server { port, requests, _thread: thread }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut response =
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.write_all(body);
}

fn policy(allow_hosts: &[String]) -> EgressPolicy {
    EgressPolicy {
        allow_http: true,
        allow_hosts: allow_hosts.to_vec(),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_secs(3),
        max_body_bytes: 4096,
        max_redirects: 3,
    }
}

fn error_text(result: Result<muninn_egress::Response, EgressError>) -> String {
    match result {
        Ok(response) => format!("HTTP {}", response.status),
        Err(error) => error.to_string(),
    }
}

#[test]
fn private_destinations_are_refused_before_any_connection() {
    let server = Server::start(Box::new(|_, stream| respond(stream, "200 OK", &[], b"secret")));
    let strict = EgressClient::new(EgressPolicy::default()).expect("client");
    assert_eq!(
        error_text(strict.get(&server.url("/"), &[])),
        "scheme \"http\" is not allowed (only https is allowed)"
    );
    let https = format!("https://127.0.0.1:{}/", server.port);
    assert_eq!(
        error_text(strict.get(&https, &[])),
        "destination 127.0.0.1 is in the loopback range (127.0.0.0/8); not on the egress allow-list"
    );
    let not_listed = EgressClient::new(policy(&[])).expect("client");
    let by_name = format!("http://localhost:{}/", server.port);
    let refused = error_text(not_listed.get(&by_name, &[]));
    assert!(
        refused.starts_with("destination ")
            && refused.contains(" (address of localhost) is in the loopback range"),
        "{refused}"
    );
    for trick in
        ["http://0x7f000001/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://localhost./"]
    {
        assert!(not_listed.get(trick, &[]).is_err_and(|e| e.is_refusal()), "{trick}");
    }
    assert!(server.requests().is_empty(), "nothing reached the server");

    let allowed = EgressClient::new(policy(&[server.host()])).expect("client");
    let response = allowed.get(&server.url("/feed"), &[("Accept", "text/plain")]).expect("allowed");
    assert_eq!((response.status, response.body.as_slice()), (200, b"secret".as_slice()));
    assert_eq!(response.header("content-length"), Some("6"));
    assert!(server.requests()[0].starts_with("GET /feed HTTP/1.1\r\n"));
}

#[test]
fn every_redirect_is_vetted_and_there_are_at_most_three() {
    let target = Server::start(Box::new(|_, stream| respond(stream, "200 OK", &[], b"landed")));
    let internal = format!("http://127.0.0.1:{}/internal", target.port);
    let to_internal = Server::start(Box::new(move |_, stream| {
        respond(stream, "302 Found", &[("Location", &internal)], b"");
    }));
    let client = EgressClient::new(policy(&[to_internal.host()])).expect("client");
    assert_eq!(
        error_text(client.get(&to_internal.url("/"), &[])),
        format!(
            "redirect refused: {} redirected to http://127.0.0.1:{}/internal: destination 127.0.0.1 is in the loopback range (127.0.0.0/8); not on the egress allow-list",
            to_internal.url("/"),
            target.port
        )
    );
    assert!(target.requests().is_empty());

    let metadata = Server::start(Box::new(|_, stream| {
        respond(stream, "301 Moved", &[("Location", "http://169.254.169.254/latest/meta-data/")], b"");
    }));
    let client = EgressClient::new(policy(&[metadata.host()])).expect("client");
    let refused = error_text(client.get(&metadata.url("/"), &[]));
    assert!(refused.ends_with("destination 169.254.169.254 is in the link-local range (169.254.0.0/16, cloud metadata services); not on the egress allow-list"), "{refused}");
    let numeric = Server::start(Box::new(|_, stream| {
        respond(stream, "307 Temporary", &[("Location", "http://0x7f000001/")], b"");
    }));
    let client = EgressClient::new(policy(&[numeric.host()])).expect("client");
    assert!(error_text(client.get(&numeric.url("/"), &[])).contains("numeric host \"0x7f000001\""));

    // A loop of redirects to itself: the fourth is refused, and the server saw four requests.
    let looping = Server::start(Box::new(|head, stream| {
        let hop: u32 = head
            .split_whitespace()
            .nth(1)
            .and_then(|path| path.trim_start_matches("/hop").parse().ok())
            .unwrap_or(0);
        respond(stream, "302 Found", &[("Location", &format!("/hop{}", hop + 1))], b"");
    }));
    let client = EgressClient::new(policy(&[looping.host()])).expect("client");
    assert_eq!(
        error_text(client.get(&looping.url("/hop0"), &[])),
        "redirect refused: more than 3 redirects (the last to /hop4)"
    );
    assert_eq!(looping.requests().len(), 4);
}

#[test]
fn credentials_stay_within_the_origin_and_a_303_turns_a_post_into_a_get() {
    let other = Server::start(Box::new(|_, stream| respond(stream, "200 OK", &[], b"other")));
    let other_url = other.url("/elsewhere");
    let first = Server::start(Box::new(move |head, stream| {
        if head.starts_with("POST /submit") {
            respond(stream, "303 See Other", &[("Location", "/status")], b"");
        } else if head.starts_with("GET /status") {
            respond(stream, "302 Found", &[("Location", &other_url)], b"");
        } else {
            respond(stream, "404 Not Found", &[], b"");
        }
    }));
    let client = EgressClient::new(policy(&[first.host(), other.host()])).expect("client");
    let response = client
        .post(
            &first.url("/submit"),
            &[("Authorization", "Basic dTpw"), ("Content-Type", "application/json")],
            b"{}",
        )
        .expect("followed");
    assert_eq!((response.status, response.url.as_str()), (200, other.url("/elsewhere").as_str()));
    let first_requests = first.requests();
    assert!(
        first_requests[0].starts_with("POST /submit")
            && first_requests[0].contains("authorization: Basic dTpw")
    );
    assert!(
        first_requests[1].starts_with("GET /status")
            && first_requests[1].contains("authorization: Basic dTpw")
    );
    let other_requests = other.requests();
    assert!(other_requests[0].starts_with("GET /elsewhere"));
    assert!(!other_requests[0].to_ascii_lowercase().contains("authorization"), "{}", other_requests[0]);
}

#[test]
fn bodies_are_capped_and_slow_or_endless_servers_time_out() {
    let large = Server::start(Box::new(|_, stream| respond(stream, "200 OK", &[], &[b'x'; 10_000])));
    let endless = Server::start(Box::new(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("{:x}\r\n{}\r\n", 1000, "y".repeat(1000));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) && stream.write_all(chunk.as_bytes()).is_ok() {}
    }));
    let slow = Server::start(Box::new(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        for _ in 0..10 {
            std::thread::sleep(Duration::from_secs(1));
            if stream.write_all(b"z").is_err() {
                break;
            }
        }
    }));
    let silent = Server::start(Box::new(|_, _| std::thread::sleep(Duration::from_secs(5))));
    let huge_header = Server::start(Box::new(|_, stream| {
        let value = "9".repeat(100_000);
        respond(stream, "200 OK", &[("X-TAXII-Date-Added-Last", &value)], b"{}");
    }));
    let hosts = [large.host(), endless.host(), slow.host(), silent.host(), huge_header.host()];
    let client = EgressClient::new(policy(&hosts)).expect("client");
    // How much of the header the library had read when it gave up depends on how the bytes
    // arrived: the message names the limit, not an exact count.
    let refused = error_text(client.get(&huge_header.url("/"), &[]));
    let expected = format!("request to {} failed: response header is too big: ", huge_header.url("/"));
    assert!(refused.starts_with(&expected) && refused.ends_with("> 65536"), "{refused}");
    assert_eq!(
        error_text(client.get(&large.url("/"), &[])),
        format!("response body from {} exceeds the limit of 4096 bytes", large.url("/"))
    );
    assert_eq!(
        error_text(client.get(&endless.url("/"), &[])),
        format!("response body from {} exceeds the limit of 4096 bytes", endless.url("/"))
    );
    for server in [&slow, &silent] {
        let started = Instant::now();
        let error = error_text(client.get(&server.url("/"), &[]));
        assert!(error.starts_with("timed out"), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "bounded by the timeouts: {:?}",
            started.elapsed()
        );
    }
}
