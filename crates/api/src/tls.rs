//! HTTPS: the server's rustls configuration from PEM files, and a listener that hands axum a
//! connection only once its TLS handshake is done.
//!
//! TAXII 2.1 section 8.2.2 asks for TLS 1.2 (and 1.3) and forbids TLS 1.3 0-RTT: early data can
//! be replayed by anyone who recorded it, so a replayed `POST` would add objects twice. The
//! configuration therefore offers no early data at all (`max_early_data_size` 0, so resumption
//! tickets never invite it). rustls's ring provider offers only AEAD suites with forward
//! secrecy, none of them on the RFC 7540 Appendix A list that 8.2.2 says to avoid.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take over its handshake before the connection is closed: a client
/// that never finishes it must not hold a slot for long.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; further connections wait in the kernel's backlog.
const MAX_HANDSHAKES: usize = 256;
/// The first byte of every TLS connection: a handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// The certificate and key files of `muninn serve --tls-cert --tls-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, the server's certificate first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Why the TLS configuration could not be made; every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read the TLS {what} {}: {source}", path.display())]
    Read {
        /// "certificate" or "key".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The certificate file is not PEM, or holds no certificate.
    #[error("the TLS certificate {} holds no PEM certificate: {detail}", path.display())]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What the PEM reader found.
        detail: String,
    },
    /// The key file is not PEM, or holds no private key.
    #[error("the TLS key {} holds no PEM private key: {detail}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// What the PEM reader found.
        detail: String,
    },
    /// rustls refused the pair: the key does not belong to the certificate, or is of a kind
    /// the ring provider does not support.
    #[error("the TLS key {} does not fit the certificate {}: {detail}", key.display(), cert.display())]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls said.
        detail: String,
    },
}

/// Marks a request that arrived over TLS (a request extension set by [`crate::serve_tls`]), so
/// that cookies get `Secure` and responses `Strict-Transport-Security`.
#[derive(Debug, Clone, Copy)]
pub struct Https;

/// The server configuration of `files`: TLS 1.3 and 1.2, the ring provider, no client
/// certificates, no early data, ALPN for HTTP/2 and HTTP/1.1.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read(&files.cert, "certificate")?;
    let key_pem = read(&files.key, "key")?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::Certificate { path: files.cert.clone(), detail: error.to_string() })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate {
            path: files.cert.clone(),
            detail: "no \"BEGIN CERTIFICATE\" block".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|error| TlsError::Key { path: files.key.clone(), detail: error.to_string() })?;
    let pair = |error: rustls::Error| TlsError::Pair {
        cert: files.cert.clone(),
        key: files.key.clone(),
        detail: error.to_string(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(pair)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(pair)?;
    // 0 is rustls's default; set here so that a change of default cannot enable 0-RTT.
    config.max_early_data_size = 0;
    config.send_half_rtt_data = false;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read { what, path: path.to_owned(), source })
}

/// A listener of TLS connections for `axum::serve`. Handshakes run in tasks of their own (at
/// most 256 at once, each within [`HANDSHAKE_TIMEOUT`]), so a slow or silent client cannot
/// hold up the others; a finished handshake is handed to axum.
#[derive(Debug)]
pub struct TlsListener {
    local: SocketAddr,
    handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Serves TLS with `config` on the connections of `listener`.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (sender, handshaken) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), sender));
        Ok(TlsListener { local, handshaken, acceptor_task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // axum drops the listener at shutdown: stop accepting with it.
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(connection) => connection,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    handshaken: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let slots = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
        let (stream, peer) = match listener.accept().await {
            Ok(connection) => connection,
            Err(error) => {
                // As axum's own accept loop does: out of descriptors and the like pass.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let handshaken = handshaken.clone();
        tokio::spawn(async move {
            let outcome = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&acceptor, stream)).await;
            drop(slot);
            match outcome {
                Ok(Ok(Handshake::Done(tls))) => {
                    let _ = handshaken.send((*tls, peer)).await;
                }
                Ok(Ok(Handshake::PlainHttp { error_id })) => {
                    tracing::info!(target: "muninn::http", %peer, %error_id, "plain HTTP on the HTTPS port refused")
                }
                Ok(Err(error)) => {
                    tracing::info!(target: "muninn::http", %peer, %error, "TLS handshake failed")
                }
                Err(_) => tracing::info!(target: "muninn::http", %peer, "TLS handshake timed out"),
            }
        });
    }
}

enum Handshake {
    Done(Box<TlsStream<TcpStream>>),
    /// The client spoke plain HTTP and was answered with a 400 carrying this error id.
    PlainHttp {
        error_id: String,
    },
}

async fn handshake(acceptor: &TlsAcceptor, mut stream: TcpStream) -> io::Result<Handshake> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 1
        && first[0] != TLS_HANDSHAKE_RECORD
        && first[0].is_ascii_uppercase()
    {
        // A request line ("GET / HTTP/1.1"): answer in HTTP so the client learns why, as the
        // TAXII error message, then close.
        let error_id = crate::error::error_id();
        let body = serde_json::json!({
            "title": "Bad request",
            "description": "this port speaks HTTPS: use an https:// URL",
            "error_id": error_id,
            "http_status": "400",
        })
        .to_string();
        let response = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        return Ok(Handshake::PlainHttp { error_id });
    }
    acceptor.accept(stream).await.map(|tls| Handshake::Done(Box::new(tls)))
}
