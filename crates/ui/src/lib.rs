//! Muninn's web UI, rendered on the server: each page is a function from plain data (the
//! JSON the REST API answers, and a few small structs) to an HTML string. Nothing here does
//! IO or knows HTTP; the api crate serves the pages and the assets.
//!
//! Escaping is by construction: pages write markup only through [`html::Html`], which escapes
//! every text and attribute value and takes links only as [`html::Href`] (a local path of
//! percent-encoded segments, or an `http(s)` URL). The pages have no inline script or style, so
//! they run under [`CONTENT_SECURITY_POLICY`]; the one script ([`JS`]) only enhances them (live
//! alerts, keyboard shortcuts, the entity graph, file upload) and builds its DOM with
//! `textContent`, never `innerHTML`.

pub mod alerts;
pub mod audit;
pub mod entity;
pub mod export;
pub mod html;
pub mod import;
pub mod incidents;
pub mod item;
pub mod layout;
pub mod login;
pub mod map;
pub mod resolution;
pub mod search;
pub mod sharing;
pub mod watchlist_forms;
pub mod watchlists;

pub use layout::{Chrome, Section, error_page};

/// The policy every UI response carries: no inline script or style, no eval, nothing from
/// another origin, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The path of the stylesheet.
pub const CSS_PATH: &str = "/ui/app.css";
/// The path of the script.
pub const JS_PATH: &str = "/ui/app.js";
/// The stylesheet.
pub const CSS: &str = include_str!("../assets/app.css");
/// The script (progressive enhancement only: every page works without it, but file upload).
pub const JS: &str = include_str!("../assets/app.js");
