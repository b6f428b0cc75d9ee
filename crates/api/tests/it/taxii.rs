//! TAXII 2.1: the shapes and media types of every resource, adding and reading objects with
//! their filters, pagination under concurrent additions, the `next` token, visibility on every
//! route, the bad inputs of the security reference, and the OASIS client (`taxii2-client`)
//! against a real socket.

mod bad_input;
mod interop;
mod objects;
mod paging;
mod shapes;
mod sharing;
mod support;
mod visibility;

use crate::matrix::Rule;

/// The test that holds every TAXII route to the reference model, user by user, with the
/// collections and objects it needs (the shared fixture has none).
const TAXII_ROUTES_TEST: &str = "taxii::visibility::every_taxii_route_answers_every_user_as_the_model_says";

/// The access rules of the TAXII routes, by `METHOD path` (read with [`crate::matrix::MATRIX`]).
pub const TAXII_MATRIX: &[(&str, Rule)] = &[
    ("GET /taxii2/", Rule::AnyUser),
    ("GET /taxii2/{root}/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/status/{id}/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/{id}/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/{id}/objects/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("POST /taxii2/{root}/collections/{id}/objects/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/{id}/objects/{object_id}/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("DELETE /taxii2/{root}/collections/{id}/objects/{object_id}/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/{id}/objects/{object_id}/versions/", Rule::Dedicated(TAXII_ROUTES_TEST)),
    ("GET /taxii2/{root}/collections/{id}/manifest/", Rule::Dedicated(TAXII_ROUTES_TEST)),
];
