//! TAXII 2.1 (the server lands next).

use crate::matrix::Rule;

/// The access rules of the TAXII routes, by `METHOD path` (read with [`crate::matrix::MATRIX`]).
pub const TAXII_MATRIX: &[(&str, Rule)] = &[];
