//! Runs the OASIS STIX validator (`stix2-validator` 3.3.2, Python) on exported bundles.
//!
//! The Python is `$MUNINN_PYTHON` when set (`cargo xtask test` makes a virtual environment with
//! `pip install stix2-validator==3.3.2` and sets it). Otherwise this helper makes that
//! environment itself under `target/python` (`python3 -m venv`, then pip from PyPI), so plain
//! `cargo test` works on a machine with Python 3 and access to PyPI. If neither works the test
//! fails, saying why: the validator is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The pinned validator.
pub const VALIDATOR: &str = "stix2-validator==3.3.2";

/// What the validator said about one file.
#[derive(Debug)]
pub struct Verdict {
    /// Error messages (must be none).
    pub errors: Vec<String>,
    /// Number of warnings (allowed: ATT&CK's custom `x_mitre_*` properties draw one each).
    pub warnings: usize,
}

const SCRIPT: &str = r#"
import json, sys
from stix2validator import ValidationOptions, validate_file
result = validate_file(sys.argv[1], ValidationOptions(version="2.1"))
errors, warnings = [], 0
if result.fatal is not None:
    errors.append("fatal: " + str(result.fatal.message))
for item in result.object_results:
    errors.extend(str(getattr(e, "message", e)) for e in item.errors)
    warnings += len(item.warnings)
print(json.dumps({"errors": errors, "warnings": warnings}))
"#;

/// Validates a bundle file.
pub fn validate(path: &Path) -> Verdict {
    let python = python();
    let output = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    assert!(
        output.status.success(),
        "the validator failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!("validator output is not JSON ({error}): {}", String::from_utf8_lossy(&output.stdout))
    });
    let errors = verdict["errors"]
        .as_array()
        .map(|items| items.iter().map(|item| item.as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default();
    Verdict { errors, warnings: verdict["warnings"].as_u64().unwrap_or_default() as usize }
}

/// The Python that has the validator, set up once per test run.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| muninn_testkit::python_with("stix2validator", VALIDATOR))
}
