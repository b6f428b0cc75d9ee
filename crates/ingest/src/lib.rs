//! Muninn's ingest stage: readers turn files into records, the pipeline turns records into items
//! and makes them durable through an [`muninn_store::ItemStore`].
//!
//! Readers never fail a whole run for one bad record: each problem becomes a [`Diagnostic`] that
//! names the file and the line or byte offset, and the rest of the input goes on.
//!
//! **Invariant:** readers do no IO beyond reading their input; only the pipeline writes, and only
//! through the store trait.

mod decode;
mod diagnostic;
mod format;
mod lang;
mod pipeline;
mod readers;
mod record;

pub use decode::TextEncoding;
pub use diagnostic::{Diagnostic, Location};
pub use format::Format;
pub use lang::detect_language;
pub use pipeline::{
    FieldMap, IngestConfig, IngestError, IngestObserver, IngestSummary, Input, Limits, Progress, Quiet,
    SourceDefaults, ingest,
};
pub use readers::{ReadContext, read_records, read_units};
pub use record::{Record, Unit};
