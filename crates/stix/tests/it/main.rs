//! Integration tests of muninn-stix: data-driven over `test_data/` (golden files refreshed with
//! `UPDATE_EXPECT=1`), with exports checked by the OASIS validator (see `validator.rs`).

mod export;
mod graph;
mod import;
mod validator;

use std::path::{Path, PathBuf};

use muninn_stix::{ImportConfig, ImportReport, KnownObjects, import_bundle};

/// The crate's `test_data` directory.
pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data")
}

/// Reads a file of `test_data`.
pub fn read(name: &str) -> Vec<u8> {
    let path = test_data().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Imports a bundle of `test_data`, which must be readable as a bundle.
pub fn import(name: &str, known: &dyn KnownObjects) -> ImportReport {
    import_bundle(&read(name), known, &ImportConfig::default())
        .unwrap_or_else(|error| panic!("{name} is not a readable bundle: {error}"))
}

/// Compares `actual` with `test_data/expected/NAME.txt`; `UPDATE_EXPECT=1` rewrites the file.
pub fn check_golden(name: &str, actual: &str) {
    let path = test_data().join("expected").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, actual)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        panic!(
            "{} differs (refresh with UPDATE_EXPECT=1)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}
