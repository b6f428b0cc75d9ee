//! The cluster's configuration: the `[cluster]` table of Muninn's TOML configuration file.

use serde::Deserialize;

use crate::ClusterError;

/// Where the engines are, and how the log is laid out.
///
/// ```toml
/// [cluster]
/// nats = ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222", "nats://10.0.0.3:4222"]
/// postgres = "host=10.0.0.9 user=muninn dbname=muninn"
/// replicas = 3
/// partitions = 16
/// [cluster.s3]
/// endpoint = "http://10.0.0.7:8333"
/// bucket = "muninn"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// NATS server URLs (any of the cluster's nodes; the client learns the others).
    pub nats: Vec<String>,
    /// A libpq connection string (`host=... user=... dbname=...`) or a `postgres://` URL.
    pub postgres: String,
    /// The JetStream stream of the item log; its subjects are `<stream>.p<N>` in lower case.
    #[serde(default = "default_stream")]
    pub stream: String,
    /// Copies JetStream keeps of every message (1 to 5; 3 on a 3-node cluster).
    #[serde(default = "default_replicas")]
    pub replicas: usize,
    /// Subjects the log is partitioned into (fixed once the stream exists).
    #[serde(default = "default_partitions")]
    pub partitions: u32,
    /// Shards of the full-text index (each indexes the log partitions `p` with
    /// `p % index_shards == shard`); at most `partitions`.
    #[serde(default = "default_index_shards")]
    pub index_shards: u32,
    /// Object storage for the index segments (needed by the index and search workers).
    #[serde(default)]
    pub s3: Option<S3Config>,
    /// Whether `muninn serve` sends searches to the `muninn worker search` processes instead of
    /// searching the shards it fetched itself.
    #[serde(default)]
    pub search_workers: bool,
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The endpoint URL.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The region name the endpoint expects.
    #[serde(default = "default_region")]
    pub region: String,
    /// The access key; without one (and its secret), requests are not signed.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// The secret of the access key.
    #[serde(default)]
    pub secret_access_key: Option<String>,
}

fn default_stream() -> String {
    "MUNINN".to_owned()
}
fn default_replicas() -> usize {
    3
}
fn default_partitions() -> u32 {
    16
}
fn default_index_shards() -> u32 {
    4
}
fn default_region() -> String {
    "us-east-1".to_owned()
}

impl ClusterConfig {
    /// A configuration with the defaults for everything but the engines' addresses.
    pub fn new(nats: Vec<String>, postgres: String) -> ClusterConfig {
        ClusterConfig {
            nats,
            postgres,
            stream: default_stream(),
            replicas: default_replicas(),
            partitions: default_partitions(),
            index_shards: default_index_shards(),
            s3: None,
            search_workers: false,
        }
    }

    /// Checks what the engines would refuse later, with a message that names the setting.
    pub fn validate(&self) -> Result<(), ClusterError> {
        if self.nats.is_empty() {
            return Err(ClusterError::Config("`nats` names no server".to_owned()));
        }
        if self.postgres.trim().is_empty() {
            return Err(ClusterError::Config("`postgres` is empty".to_owned()));
        }
        if !(1..=5).contains(&self.replicas) {
            return Err(ClusterError::Config(format!(
                "`replicas` is {}; JetStream allows 1 to 5",
                self.replicas
            )));
        }
        if !(1..=1024).contains(&self.partitions) {
            return Err(ClusterError::Config(format!(
                "`partitions` is {}; allowed: 1 to 1024",
                self.partitions
            )));
        }
        if !(1..=self.partitions).contains(&self.index_shards) {
            return Err(ClusterError::Config(format!(
                "`index_shards` is {}; allowed: 1 to `partitions` ({})",
                self.index_shards, self.partitions
            )));
        }
        let valid_name = !self.stream.is_empty()
            && self.stream.len() <= 32
            && self.stream.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            return Err(ClusterError::Config(format!(
                "`stream` {:?}: 1 to 32 letters, digits, '_' or '-'",
                self.stream
            )));
        }
        Ok(())
    }

    /// The log partitions index shard `shard` covers.
    pub(crate) fn partitions_of_shard(&self, shard: u32) -> Vec<i32> {
        (0..self.partitions).filter(|p| p % self.index_shards == shard).map(|p| p as i32).collect()
    }

    /// The object storage settings, for the commands that need them.
    pub(crate) fn s3(&self) -> Result<&S3Config, ClusterError> {
        self.s3.as_ref().ok_or_else(|| {
            ClusterError::Config(
                "the index needs object storage: add a [cluster.s3] table (endpoint, bucket)".to_owned(),
            )
        })
    }

    /// The subject of partition `partition`.
    pub(crate) fn subject(&self, partition: u32) -> String {
        format!("{}.p{partition}", self.stream.to_ascii_lowercase())
    }
}

/// The log partition of a key (an item id, a document key): FNV-1a, stable across processes and
/// builds (the standard library's hasher is not).
pub(crate) fn partition_of(bytes: &[u8], partitions: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in bytes {
        hash = (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193);
    }
    hash % partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_defaults_and_names_bad_settings() {
        let config: ClusterConfig =
            toml::from_str("nats = [\"nats://a:4222\"]\npostgres = \"host=b\"\n").expect("parses");
        assert_eq!((config.replicas, config.partitions, config.stream.as_str()), (3, 16, "MUNINN"));
        assert!(config.validate().is_ok());
        assert_eq!(config.subject(3), "muninn.p3");
        let cases = [
            ("nats = []\npostgres = \"x\"", "`nats`"),
            ("nats = [\"n\"]\npostgres = \" \"", "`postgres`"),
            ("nats = [\"n\"]\npostgres = \"x\"\nreplicas = 7", "`replicas`"),
            ("nats = [\"n\"]\npostgres = \"x\"\npartitions = 0", "`partitions`"),
            ("nats = [\"n\"]\npostgres = \"x\"\nstream = \"a.b\"", "`stream`"),
            ("nats = [\"n\"]\npostgres = \"x\"\npartitions = 2\nindex_shards = 3", "`index_shards`"),
        ];
        for (text, named) in cases {
            let config: ClusterConfig = toml::from_str(text).expect(text);
            let error = config.validate().expect_err(text).to_string();
            assert!(error.contains(named), "{text}: {error}");
        }
        assert!(toml::from_str::<ClusterConfig>("nats = [\"n\"]\npostgres = \"x\"\nreplica = 3").is_err());
    }
}
