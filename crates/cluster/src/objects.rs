//! Object storage (S3-compatible): where index workers publish the files of their index shards
//! and search workers fetch them.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload};

use crate::{ClusterError, S3Config};

/// A bucket.
#[derive(Clone)]
pub(crate) struct Objects {
    store: Arc<dyn ObjectStore>,
}

fn s3_error(what: &str, key: &str) -> impl Fn(object_store::Error) -> ClusterError {
    let context = format!("{what} {key}");
    move |error| ClusterError::Objects(format!("{context}: {error}"))
}

impl Objects {
    pub fn connect(config: &S3Config) -> Result<Objects, ClusterError> {
        // Two crypto providers are linked in (ring, aws-lc-rs): name one for the process, or the
        // HTTP client refuses to build its requests. An error means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_endpoint(&config.endpoint)
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(false)
            // The options replace the client's: plain HTTP is allowed here, not before.
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_allow_http(config.endpoint.starts_with("http://")),
            );
        match (&config.access_key_id, &config.secret_access_key) {
            (Some(key), Some(secret)) => {
                builder = builder.with_access_key_id(key).with_secret_access_key(secret);
            }
            // Unsigned requests: a bucket that allows anonymous access (a test's, say). Without
            // this the client would look for credentials in instance metadata.
            _ => builder = builder.with_skip_signature(true),
        }
        let store =
            builder.build().map_err(|error| ClusterError::Config(format!("[cluster.s3]: {error}")))?;
        Ok(Objects { store: Arc::new(store) })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ClusterError> {
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(s3_error("put", key))
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, ClusterError> {
        let result = self.store.get(&ObjectPath::from(key)).await.map_err(s3_error("get", key))?;
        Ok(result.bytes().await.map_err(s3_error("read", key))?.to_vec())
    }

    pub async fn delete(&self, key: &str) -> Result<(), ClusterError> {
        self.store.delete(&ObjectPath::from(key)).await.map_err(s3_error("delete", key))
    }
}
