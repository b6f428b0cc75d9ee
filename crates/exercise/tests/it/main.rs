//! Integration tests of muninn-exercise: one binary (faster links).

mod bench;
mod determinism;
mod formats;
mod mail;
mod memory;
mod scenario;
mod truth;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use muninn_exercise::{GenerateReport, Scenario, generate};
use tempfile::TempDir;

/// A flow generated into a temporary directory.
#[derive(Debug)]
pub struct Flow {
    pub dir: TempDir,
    pub report: GenerateReport,
}

impl Flow {
    pub fn generate(scenario: &Scenario, seed: u64) -> Flow {
        let dir = tempfile::tempdir().expect("temporary directory");
        let report = generate(scenario, seed, dir.path()).expect("generates");
        Flow { dir, report }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("readable UTF-8 file")
    }

    /// Every file, by path relative to the directory, with its bytes.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        collect(self.dir.path(), self.dir.path(), &mut files);
        files
    }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            files.insert(relative, fs::read(&path).expect("readable file"));
        }
    }
}

/// FNV-1a, 64 bits: a digest that does not depend on any crate.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
