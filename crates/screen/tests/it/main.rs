//! Tests of muninn-screen: the meaning of a hit, bad entries, rules, imports.

#![allow(clippy::unwrap_used)]

mod import;
mod screening;
