//! TAXII 2.1 (placeholder until the TAXII server lands).

use crate::RouteSpec;

/// The TAXII routes.
pub fn routes() -> Vec<(RouteSpec, super::Handler)> {
    Vec::new()
}
