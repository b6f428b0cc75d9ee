//! Configuration: defaults, then a TOML file, then environment variables, then flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use muninn_ingest::Limits;
use muninn_model::{AdmiraltyGrade, Tlp};
use serde::Deserialize;

/// The file read when no `--config` and no `MUNINN_CONFIG` is given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "muninn.toml";

/// Muninn's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The data directory of the embedded store.
    pub data_dir: PathBuf,
    /// Ingest settings.
    pub ingest: IngestSettings,
    /// Cluster mode: the engines that replace the embedded store (`[cluster]`).
    pub cluster: Option<muninn_cluster::ClusterConfig>,
    /// Settings of `muninn serve` (`[server]`).
    pub server: ServerSettings,
}

/// Settings of `muninn serve` that a deployment keeps in its file; the flags win.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// PEM certificate chain: serve HTTPS (with `tls_key`).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
}

/// Settings of `muninn ingest`.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestSettings {
    /// TLP of sources created on first sight.
    pub new_source_tlp: Tlp,
    /// Grade of sources created on first sight.
    pub new_source_grade: AdmiraltyGrade,
    /// Size limits.
    pub limits: Limits,
    /// Units per durable batch.
    pub batch_units: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("muninn-data"),
            ingest: IngestSettings {
                new_source_tlp: Tlp::Amber,
                new_source_grade: AdmiraltyGrade::UNASSESSED,
                limits: Limits::default(),
                batch_units: 4096,
            },
            cluster: None,
            server: ServerSettings::default(),
        }
    }
}

/// The file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data_dir: Option<PathBuf>,
    #[serde(default)]
    ingest: IngestFile,
    cluster: Option<muninn_cluster::ClusterConfig>,
    #[serde(default)]
    server: ServerSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IngestFile {
    new_source_tlp: Option<Tlp>,
    new_source_grade: Option<AdmiraltyGrade>,
    max_item_bytes: Option<usize>,
    max_field_bytes: Option<usize>,
    max_document_bytes: Option<usize>,
    batch_units: Option<usize>,
}

/// Loads the configuration. `file` is `--config`; `env` looks up environment variables (injected
/// so that tests need not touch the process environment).
pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
    let mut config = Config::default();
    let path = match (file, env("MUNINN_CONFIG")) {
        (Some(path), _) => Some(path.to_owned()),
        (None, Some(path)) => Some(PathBuf::from(path)),
        (None, None) => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.exists()),
    };
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        let parsed: ConfigFile = toml::from_str(&text)
            .with_context(|| format!("invalid configuration file {}", path.display()))?;
        if let Some(cluster) = &parsed.cluster {
            cluster.validate().with_context(|| format!("invalid configuration file {}", path.display()))?;
        }
        if parsed.server.tls_cert.is_some() != parsed.server.tls_key.is_some() {
            anyhow::bail!(
                "invalid configuration file {}: [server] needs both tls_cert and tls_key, or neither",
                path.display()
            );
        }
        apply_file(&mut config, parsed);
    }
    if let Some(dir) = env("MUNINN_DATA_DIR") {
        config.data_dir = PathBuf::from(dir);
    }
    if let Some(tlp) = env("MUNINN_NEW_SOURCE_TLP") {
        config.ingest.new_source_tlp =
            tlp.parse().with_context(|| "invalid MUNINN_NEW_SOURCE_TLP".to_owned())?;
    }
    Ok(config)
}

fn apply_file(config: &mut Config, file: ConfigFile) {
    config.cluster = file.cluster;
    config.server = file.server;
    if let Some(dir) = file.data_dir {
        config.data_dir = dir;
    }
    let ingest = &mut config.ingest;
    let settings = file.ingest;
    ingest.new_source_tlp = settings.new_source_tlp.unwrap_or(ingest.new_source_tlp);
    ingest.new_source_grade = settings.new_source_grade.unwrap_or(ingest.new_source_grade);
    ingest.limits.max_item_bytes = settings.max_item_bytes.unwrap_or(ingest.limits.max_item_bytes);
    ingest.limits.max_field_bytes = settings.max_field_bytes.unwrap_or(ingest.limits.max_field_bytes);
    ingest.limits.max_document_bytes =
        settings.max_document_bytes.unwrap_or(ingest.limits.max_document_bytes);
    ingest.batch_units = settings.batch_units.unwrap_or(ingest.batch_units);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("muninn.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/muninn\"\n[ingest]\nnew_source_tlp = \"green\"\nmax_item_bytes = 1024\n",
        )
        .expect("write");
        let no_env = |_: &str| None;
        let config = load(Some(&path), &no_env).expect("loads");
        assert_eq!(config.data_dir, PathBuf::from("/srv/muninn"));
        assert_eq!(config.ingest.new_source_tlp, Tlp::Green);
        assert_eq!(config.ingest.limits.max_item_bytes, 1024);
        let env = |key: &str| (key == "MUNINN_DATA_DIR").then(|| "/elsewhere".to_owned());
        assert_eq!(load(Some(&path), &env).expect("loads").data_dir, PathBuf::from("/elsewhere"));
    }

    #[test]
    fn the_server_table_names_tls_files_in_pairs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("muninn.toml");
        let no_env = |_: &str| None;
        std::fs::write(
            &path,
            "[server]\ntls_cert = \"/etc/muninn/cert.pem\"\ntls_key = \"/etc/muninn/key.pem\"\n",
        )
        .expect("write");
        let config = load(Some(&path), &no_env).expect("loads");
        assert_eq!(config.server.tls_cert, Some(PathBuf::from("/etc/muninn/cert.pem")));
        assert_eq!(config.server.tls_key, Some(PathBuf::from("/etc/muninn/key.pem")));
        // (file text, what the error must say)
        let refused = [
            ("[server]\ntls_cert = \"c.pem\"\n", "needs both tls_cert and tls_key"),
            ("[server]\ntls_key = \"k.pem\"\n", "needs both tls_cert and tls_key"),
            ("[server]\ntls_certificate = \"c.pem\"\n", "tls_certificate"),
        ];
        for (text, expected) in refused {
            std::fs::write(&path, text).expect("write");
            let error = load(Some(&path), &no_env).expect_err("refused");
            assert!(format!("{error:#}").contains(expected), "{text}: {error:#}");
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "data_dri = \"x\"\n").expect("write");
        let error = load(Some(&path), &|_: &str| None).expect_err("refused");
        assert!(format!("{error:#}").contains("data_dri"), "{error:#}");
    }
}
