//! Integration tests of muninn-extract: one binary.

#![allow(clippy::unwrap_used)]

mod cases;
mod labelled;
mod properties;
mod score;
mod warninglists;
