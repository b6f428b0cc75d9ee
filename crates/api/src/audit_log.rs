//! The audit trail as stored: entries in table `audit`, the head in `audit_head`, signed daily
//! checkpoints in `audit_checkpoint`, and the signing key in `DATA_DIR/audit-signing.key`.

use std::path::Path;

use muninn_audit::{Checkpoint, Trust, Verified, VerifyError};
use muninn_store::{Document, ItemStore};

use crate::catalog::{self, CatalogError};
use crate::state::{AUDIT_TABLE, stored_head, write_private};

/// Signed checkpoints, keyed by date.
pub const CHECKPOINT_TABLE: &str = "audit_checkpoint";
/// The file of the checkpoint signing key's 32-byte seed.
pub const SIGNING_KEY_FILE: &str = "audit-signing.key";

/// Verifies the stored chain against its stored head and every stored checkpoint. The outer
/// error is a store that cannot be read; the inner one a chain that does not verify.
pub fn verify_store(store: &dyn ItemStore) -> Result<Result<Verified, VerifyError>, CatalogError> {
    let mut entries = Vec::new();
    for (key, value) in catalog::all_documents(store, AUDIT_TABLE)? {
        // A key that is not a sequence number cannot have been written by the server: the
        // verifier reports it as an entry out of place.
        let seq = muninn_audit::parse_entry_key(&key).unwrap_or(u64::MAX);
        entries.push((seq, value));
    }
    let checkpoints: Vec<Checkpoint> = catalog::load_all(store, CHECKPOINT_TABLE)?;
    // The checkpoints are checked against the key each names; an outside party holding
    // the public key checks it too (`muninn audit checkpoint` prints it).
    let trust = Trust { head: Some(stored_head(store)?), checkpoints, public_key: None };
    Ok(muninn_audit::verify(entries, &trust))
}

/// The signing key's seed, created on first use (readable by the owner only).
pub fn signing_seed(data_dir: &Path) -> std::io::Result<[u8; 32]> {
    let path = data_dir.join(SIGNING_KEY_FILE);
    if let Ok(bytes) = std::fs::read(&path) {
        return <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| std::io::Error::other(format!("{} is not a 32-byte key", path.display())));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|error| std::io::Error::other(error.to_string()))?;
    write_private(&path, &seed)?;
    Ok(seed)
}

/// The document of a checkpoint.
pub fn checkpoint_document(checkpoint: &Checkpoint) -> Result<Document, CatalogError> {
    catalog::document(CHECKPOINT_TABLE, &checkpoint.date, checkpoint)
}

/// Signs today's checkpoint (UTC) if the store has none for today: an announcement entry is
/// appended, then the chain head after it is signed with the data directory's key and stored.
/// Runs on the writer thread, so the head it signs is exactly the stored one. Returns the
/// checkpoint when one was signed.
pub async fn sign_daily_checkpoint(state: &crate::AppState) -> crate::ApiResult<Option<Checkpoint>> {
    let seed = signing_seed(&state.data_dir).map_err(crate::ApiError::internal)?;
    let today = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date();
    state
        .run_task(move |store, chain| {
            if store.document(CHECKPOINT_TABLE, &today.to_string())?.is_some() {
                return Ok(None);
            }
            append_checkpoint(store, chain, &seed, today).map(Some)
        })
        .await
}

/// Appends an entry announcing a checkpoint, then signs the chain's head after it with the key
/// of `seed` for `date` and stores the checkpoint; returns it. The caller holds the store for
/// writing and the chain it continues (the server's writer thread, or the command line).
pub fn append_checkpoint(
    store: &mut dyn muninn_store::ItemStore,
    chain: &mut muninn_audit::Chain,
    seed: &[u8; 32],
    date: jiff::civil::Date,
) -> crate::ApiResult<Checkpoint> {
    use muninn_audit::{AuditAction, Outcome};
    let announce = crate::state::record(
        None,
        AuditAction::CheckpointSigned { seq: chain.head().next_seq + 1 },
        Outcome::Allowed,
    );
    let documents = crate::state::audit_documents(chain, vec![announce])?;
    store.put_documents(documents)?;
    let checkpoint =
        muninn_audit::sign_checkpoint(seed, date, &chain.head()).map_err(crate::ApiError::internal)?;
    store.put_documents(vec![checkpoint_document(&checkpoint)?])?;
    Ok(checkpoint)
}
