//! HTTPS (`muninn serve --tls-cert --tls-key`): a self-signed certificate made at test time, the
//! server on 127.0.0.1 with TLS, real clients (ureq, and rustls directly where the test needs to
//! pin the protocol version or look at resumption), plain HTTP on the TLS port, no 0-RTT
//! (TAXII 2.1 section 8.2.2), the session cookie's `Secure` flag, and configuration errors that
//! name the file at fault.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use muninn_api::tls::{TlsFiles, server_config};
use rustls::pki_types::{CertificateDer, ServerName};

use crate::fixture::Fixture;

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM into `dir`.
struct SelfSigned {
    files: TlsFiles,
    der: CertificateDer<'static>,
}

fn self_signed(dir: &Path) -> SelfSigned {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("certificate");
    let files = TlsFiles { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    std::fs::write(&files.cert, made.cert.pem()).expect("write cert");
    std::fs::write(&files.key, made.signing_key.serialize_pem()).expect("write key");
    SelfSigned { files, der: made.cert.der().clone() }
}

/// A server on 127.0.0.1: HTTPS with `tls`, or plain HTTP without. Stops when dropped.
struct Server {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(fixture: &Fixture, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let state = Arc::clone(&fixture.state);
        let task = match tls {
            Some(config) => tokio::spawn(muninn_api::serve_tls(state, listener, config, shutdown)),
            None => tokio::spawn(muninn_api::serve(state, listener, shutdown)),
        };
        Server { address, stop: Some(stop), task }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = tokio::time::timeout(Duration::from_secs(10), &mut self.task).await;
        result.expect("graceful shutdown within 10 s").expect("server task").expect("server");
    }
}

/// A rustls client that trusts only `root`, for the given protocol versions.
fn client_config(
    root: &CertificateDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).expect("root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// What one raw HTTP/1.1 exchange over rustls saw.
struct Exchange {
    version: rustls::ProtocolVersion,
    kind: rustls::HandshakeKind,
    /// The client could have sent early data: the server's ticket invited it.
    early_data_offered: bool,
    early_data_accepted: bool,
    response: String,
}

/// GETs `path` over TLS with `config` (blocking; run it in `spawn_blocking`).
fn exchange(address: SocketAddr, config: Arc<rustls::ClientConfig>, path: &str) -> Exchange {
    let name = ServerName::try_from("127.0.0.1").expect("name").to_owned();
    let mut connection = rustls::ClientConnection::new(config, name).expect("client");
    let early_data_offered = connection.early_data().is_some();
    let socket = TcpStream::connect(address).expect("connect");
    socket.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut tls = rustls::StreamOwned::new(connection, socket);
    write!(tls, "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n").expect("request");
    let mut bytes = Vec::new();
    // The server closes after the answer; an unclean TCP close after it is no failure here.
    let _ = tls.read_to_end(&mut bytes);
    Exchange {
        version: tls.conn.protocol_version().expect("negotiated"),
        kind: tls.conn.handshake_kind().expect("handshake done"),
        early_data_offered,
        early_data_accepted: tls.conn.is_early_data_accepted(),
        response: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_the_api_to_a_real_client_and_plain_http_on_its_port_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = self_signed(dir.path());
    let config = server_config(&cert.files).expect("server config");
    assert_eq!(config.max_early_data_size, 0, "TAXII 2.1 section 8.2.2: no 0-RTT");
    assert!(!config.send_half_rtt_data);
    let fixture = Fixture::new();
    let server = Server::start(&fixture, Some(config)).await;
    let address = server.address;
    let token = fixture.tokens["a-analyst"].clone();
    let root = cert.der.clone();

    tokio::task::spawn_blocking(move || {
        // ureq, trusting only the test's certificate: the API answers over HTTPS.
        let trusted = ureq::tls::Certificate::from_der(root.as_ref()).to_owned();
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![trusted])))
            .build();
        let agent: ureq::Agent =
            ureq::Agent::config_builder().tls_config(tls).http_status_as_error(false).build().into();
        let mut response = agent
            .get(format!("https://127.0.0.1:{}/api/v1/me", address.port()))
            .header("authorization", format!("Bearer {token}"))
            .call()
            .expect("https request");
        assert_eq!(response.status(), 200);
        let hsts = response.headers().get("strict-transport-security").map(|v| v.to_str().expect("ascii"));
        assert_eq!(hsts, Some("max-age=31536000"));
        let me: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("json");
        assert_eq!(me["user"], "a-analyst", "{me}");

        // A client that trusts other roots refuses the server (PKIX, not "accept anything").
        let untrusting: ureq::Agent = ureq::Agent::config_builder().build().into();
        let refused = untrusting.get(format!("https://127.0.0.1:{}/api/v1/health", address.port())).call();
        assert!(refused.is_err(), "a self-signed certificate must not verify against the web roots");

        // Both protocol versions that section 8.2.2 asks for.
        for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
            let seen = exchange(address, Arc::new(client_config(&root, &[version])), "/api/v1/health");
            assert_eq!(seen.version, version.version);
            assert!(seen.response.starts_with("HTTP/1.1 200"), "{}", seen.response);
        }

        // Plain HTTP on the TLS port: a 400 in HTTP that says why, then the connection closes.
        let mut plain = TcpStream::connect(address).expect("connect");
        plain.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        plain.write_all(b"GET /api/v1/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").expect("write");
        let mut answer = String::new();
        plain.read_to_string(&mut answer).expect("the server closes the connection");
        assert!(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{answer}");
        assert!(answer.contains("this port speaks HTTPS"), "{answer}");
        assert!(answer.contains("\"error_id\""), "{answer}");

        // Bytes that are neither HTTP nor TLS: the handshake fails and the connection closes,
        // with nothing that looks like an HTTP answer.
        let mut garbage = TcpStream::connect(address).expect("connect");
        garbage.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        garbage.write_all(&[0u8; 64]).expect("write");
        let mut bytes = Vec::new();
        let _ = garbage.read_to_end(&mut bytes);
        assert!(!bytes.starts_with(b"HTTP"), "{bytes:?}");

        // The server is still healthy after both.
        let after =
            exchange(address, Arc::new(client_config(&root, &[&rustls::version::TLS13])), "/api/v1/health");
        assert!(after.response.starts_with("HTTP/1.1 200"), "{}", after.response);
    })
    .await
    .expect("client");
    server.stop().await;
}

/// A resumed TLS 1.3 connection of a client that wants 0-RTT: the server's tickets must not
/// invite early data. The control row (a configuration that allows it) shows that the check
/// sees early data when a server offers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumption_tickets_never_invite_early_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = self_signed(dir.path());
    let served = server_config(&cert.files).expect("server config");
    let mut permissive = (*served).clone();
    permissive.max_early_data_size = 16 * 1024;
    let fixture = Fixture::new();
    // (configuration, whether a resuming client may send early data and the server takes it)
    let cases =
        [("muninn's configuration", served, false), ("control: 0-RTT allowed", Arc::new(permissive), true)];
    for (label, config, expect_early_data) in cases {
        let server = Server::start(&fixture, Some(config)).await;
        let address = server.address;
        let root = cert.der.clone();
        let (first, resumed) = tokio::task::spawn_blocking(move || {
            let mut client = client_config(&root, &[&rustls::version::TLS13]);
            client.enable_early_data = true;
            let client = Arc::new(client);
            // The first connection's response carries the session tickets; the second uses one.
            let first = exchange(address, Arc::clone(&client), "/api/v1/health");
            let resumed = exchange(address, client, "/api/v1/health");
            (first, resumed)
        })
        .await
        .expect("client");
        assert_eq!(first.kind, rustls::HandshakeKind::Full, "{label}");
        assert_eq!(resumed.kind, rustls::HandshakeKind::Resumed, "{label}: the ticket was used");
        assert_eq!(resumed.early_data_offered, expect_early_data, "{label}");
        // rustls's client asks for 0-RTT whenever the ticket allows it, data or not.
        assert_eq!(resumed.early_data_accepted, expect_early_data, "{label}");
        assert!(resumed.response.starts_with("HTTP/1.1 200"), "{label}: {}", resumed.response);
        server.stop().await;
    }
}

/// The session's cookies (here the sign-in form's CSRF cookie) are `Secure` under TLS, even on
/// loopback; a plain-HTTP demo on loopback goes without, or the browser would drop them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_under_tls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = self_signed(dir.path());
    let fixture = Fixture::new();
    for (tls, expect_secure) in [(true, true), (false, false)] {
        let config = tls.then(|| server_config(&cert.files).expect("server config"));
        let server = Server::start(&fixture, config).await;
        let address = server.address;
        let root = cert.der.clone();
        let cookies = tokio::task::spawn_blocking(move || {
            let agent = muninn_testkit::agent_trusting(root.as_ref());
            let scheme = if tls { "https" } else { "http" };
            let response =
                agent.get(format!("{scheme}://127.0.0.1:{}/login", address.port())).call().expect("login");
            response
                .headers()
                .get_all("set-cookie")
                .iter()
                .map(|value| value.to_str().expect("ascii").to_owned())
                .collect::<Vec<_>>()
        })
        .await
        .expect("client");
        assert!(!cookies.is_empty(), "the sign-in form sets its CSRF cookie");
        for cookie in cookies {
            assert_eq!(cookie.contains("; Secure"), expect_secure, "tls {tls}: {cookie}");
        }
        server.stop().await;
    }
}

#[test]
fn configuration_errors_name_the_file_at_fault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = self_signed(dir.path());
    let other = {
        let sub = dir.path().join("other");
        std::fs::create_dir(&sub).expect("dir");
        self_signed(&sub)
    };
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let missing = dir.path().join("missing.pem");
    let not_pem = write("not-pem.pem", "this is not a certificate\n");
    let truncated = write(
        "truncated.pem",
        &std::fs::read_to_string(&good.files.cert)
            .expect("cert")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    // (certificate, key, the file the message must name, a phrase it must contain)
    let cases: [(&Path, &Path, &Path, &str); 6] = [
        (&missing, &good.files.key, &missing, "cannot read the TLS certificate"),
        (&good.files.cert, &missing, &missing, "cannot read the TLS key"),
        (&not_pem, &good.files.key, &not_pem, "holds no PEM certificate"),
        (&truncated, &good.files.key, &truncated, "holds no PEM certificate"),
        (&good.files.cert, &not_pem, &not_pem, "holds no PEM private key"),
        (&good.files.cert, &other.files.key, &other.files.key, "does not fit the certificate"),
    ];
    for (cert, key, named, phrase) in cases {
        let files = TlsFiles { cert: cert.to_owned(), key: key.to_owned() };
        let message = server_config(&files).expect_err("refused").to_string();
        assert!(message.contains(&named.display().to_string()), "{message}");
        assert!(message.contains(phrase), "{message}");
    }
    assert!(server_config(&good.files).is_ok());
}
