//! The OASIS TAXII 2.1 reference server, medallion (`medallion` 3.0.0, Python), run on
//! 127.0.0.1 with its memory backend, for the interop tests.
//!
//! The Python is `$MUNINN_PYTHON` when set (`cargo xtask test` makes a virtual environment with
//! the pinned checkers and sets it). Otherwise this helper makes that environment itself under
//! `target/python` (`python3 -m venv`, then pip from PyPI), so plain `cargo test` works on a
//! machine with Python 3 and access to PyPI. If neither works the test fails, saying why: the
//! interop test is never skipped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The pinned server.
pub const MEDALLION: &str = "medallion==3.0.0";
/// The user the server knows.
pub const USER: &str = "muninn";
/// Its password.
pub const PASSWORD: &str = "correct horse battery staple";
/// The page size the server is configured with (`max_page_size`).
pub const PAGE_SIZE: usize = 100;

/// A collection to serve: its id and how many objects it holds.
pub struct CollectionSpec {
    pub id: &'static str,
    pub objects: usize,
}

/// A running medallion, stopped when dropped.
pub struct Medallion {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Medallion {
    /// Starts medallion with an API root `trustgroup1` (listed relatively in the discovery
    /// resource) holding `collections`.
    pub fn start(collections: &[CollectionSpec]) -> Medallion {
        let python = python();
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let data = data(port, collections);
        std::fs::write(dir.path().join("data.json"), serde_json::to_vec(&data).expect("json"))
            .expect("write data");
        let config = json!({
            "backend": {
                "module": "medallion.backends.memory_backend",
                "module_class": "MemoryBackend",
                "filename": dir.path().join("data.json"),
                // Long enough that no `next` expires during a test (the expiry is tested by
                // replacing a stored `next`).
                "session_timeout": 3600,
            },
            "users": { USER: PASSWORD },
            "taxii": { "max_page_size": PAGE_SIZE },
        });
        let config_path = dir.path().join("config.json");
        std::fs::write(&config_path, serde_json::to_vec(&config).expect("json")).expect("write config");
        let log = std::fs::File::create(dir.path().join("medallion.log")).expect("log");
        let child = Command::new(python)
            .args(["-m", "medallion.scripts.run", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(&config_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start medallion with {}: {error}", python.display()));
        let mut server = Medallion { child, port, _dir: dir };
        server.wait_until_listening();
        server
    }

    /// The discovery URL.
    pub fn discovery_url(&self) -> String {
        format!("http://127.0.0.1:{}/taxii2/", self.port)
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self._dir.path().join("medallion.log")).unwrap_or_default();
                panic!("medallion exited ({status}): {log}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "medallion did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Medallion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The id of object `index` of collection number `collection`: four types in turn.
pub fn object_id(collection: usize, index: usize) -> String {
    let kind = ["indicator", "malware", "threat-actor", "attack-pattern"][index % 4];
    format!("{kind}--{collection:08x}-0000-4000-8000-{index:012x}")
}

/// The backend's data: the discovery resource, one API root, the collections with objects and
/// a manifest that gives each object its own `date_added` (one second apart), so pages and
/// `added_after` are exact.
fn data(port: u16, collections: &[CollectionSpec]) -> Value {
    let collections: Vec<Value> = collections
        .iter()
        .enumerate()
        .map(|(number, spec)| {
            let objects: Vec<Value> = (0..spec.objects).map(|index| object(number, index)).collect();
            let manifest: Vec<Value> = (0..spec.objects)
                .map(|index| {
                    json!({
                        "id": object_id(number, index),
                        "date_added": date_added(index),
                        "version": "2024-01-01T00:00:00.000Z",
                        "media_types": ["application/stix+json;version=2.1"],
                    })
                })
                .collect();
            json!({
                "id": spec.id,
                "title": format!("collection {number}"),
                "can_read": true,
                "can_write": false,
                "media_types": ["application/stix+json;version=2.1"],
                "objects": objects,
                "manifest": manifest,
            })
        })
        .collect();
    json!({
        "/discovery": {
            "title": "medallion for muninn's interop tests",
            "default": format!("http://127.0.0.1:{port}/trustgroup1/"),
            "api_roots": ["/trustgroup1/"],
        },
        "trustgroup1": {
            "information": {
                "title": "trust group 1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 9765625,
            },
            "status": [],
            "collections": collections,
        },
    })
}

fn object(collection: usize, index: usize) -> Value {
    let id = object_id(collection, index);
    let time = "2024-01-01T00:00:00.000Z";
    let mut object = json!({
        "type": id.split("--").next().expect("type"),
        "spec_version": "2.1",
        "id": id,
        "created": time,
        "modified": time,
        "name": format!("object {index} of collection {collection}"),
    });
    match index % 4 {
        0 => {
            object["pattern"] = json!(format!("[ipv4-addr:value = '198.51.100.{}']", index % 256));
            object["pattern_type"] = json!("stix");
            object["valid_from"] = json!(time);
        }
        1 => object["is_family"] = json!(false),
        _ => {}
    }
    object
}

fn date_added(index: usize) -> String {
    let seconds = index % 60;
    let minutes = (index / 60) % 60;
    let hours = index / 3600;
    format!("2024-01-01T{hours:02}:{minutes:02}:{seconds:02}.000000Z")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The Python that has medallion.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| muninn_testkit::python_with("medallion.scripts.run", MEDALLION))
}
