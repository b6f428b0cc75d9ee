//! The OASIS TAXII client (`taxii2-client`, Python) against the server on a real socket:
//! `interop.py` beside this file discovers, lists collections, adds 10,000 objects and pages
//! through them with `as_pages` while this test keeps adding objects.
//!
//! The Python is `$MUNINN_PYTHON` when set (`cargo xtask test` makes a virtual environment
//! with its Python checkers, `taxii2-client` among them, and sets it). Otherwise this test
//! makes that environment itself under `target/python` (`python3 -m venv`, then pip from
//! PyPI), so plain `cargo test` works on a machine with Python 3 and access to PyPI. If
//! neither works the test fails, saying why: the client is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use muninn_model::Tlp;
use serde_json::Value;

use super::support::{Taxii, indicator};
use crate::fixture::PASSWORD_USER;

/// The pinned client.
const CLIENT: &str = "taxii2-client==2.3.0";
/// Objects the client adds and pages through.
const COUNT: u64 = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oasis_client_discovers_adds_and_pages_without_duplicate_or_gap() {
    let python = tokio::task::spawn_blocking(python).await.expect("python");
    let taxii = Arc::new(Taxii::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/taxii2/", listener.local_addr().expect("address"));
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(muninn_api::serve(Arc::clone(&taxii.state), listener, async move {
        let _ = stopped.await;
    }));

    // Objects added by org-b while the client works.
    let stop = Arc::new(AtomicBool::new(false));
    let added = Arc::new(AtomicU64::new(0));
    let adder = tokio::spawn({
        let (taxii, stop, added) = (Arc::clone(&taxii), Arc::clone(&stop), Arc::clone(&added));
        async move {
            let shared = taxii.shared.clone();
            while !stop.load(Ordering::SeqCst) {
                let n = added.load(Ordering::SeqCst);
                taxii
                    .add(
                        &shared,
                        "b-analyst",
                        &[indicator(51, n, "2024-01-01T00:00:00.000Z", Some(Tlp::Green))],
                    )
                    .await;
                added.store(n + 1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    });

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/taxii/interop.py");
    let (user, password) = PASSWORD_USER;
    let args: Vec<String> =
        vec![url, user.to_owned(), password.to_owned(), COUNT.to_string(), "50".to_owned()];
    let output = tokio::task::spawn_blocking(move || Command::new(python).arg(script).args(args).output())
        .await
        .expect("join")
        .expect("the Python client runs");
    stop.store(true, Ordering::SeqCst);
    adder.await.expect("adder");
    let _ = stop_server.send(());
    server.await.expect("join").expect("server");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the client failed: {stdout}\n{stderr}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("summary");
    assert_eq!(summary["ok"], true, "{summary}");
    let seen = summary["seen"].as_u64().expect("seen");
    let added = added.load(Ordering::SeqCst);
    assert!(
        seen >= COUNT && seen <= COUNT + added,
        "{seen} seen, {COUNT} added by the client, {added} meanwhile"
    );
    assert!(summary["pages"].as_u64().expect("pages") >= COUNT / 1000, "{summary}");
    assert!(added > 0, "objects were added while the client worked");
}

/// The Python that has the client.
fn python() -> PathBuf {
    muninn_testkit::python_with("taxii2client", CLIENT)
}
