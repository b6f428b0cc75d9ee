//! The integration tests of `muninn-access`: one binary (faster links).

mod common;
mod identity;
mod ingest;
mod matrix;
mod reference;
mod user_admin;
mod widening;
