//! The API against a real store and index, through the real router: the access matrix over
//! every declared route, a property test of visibility against a reference model, the audit
//! trail, bad input.

mod fixture;
mod matrix;
mod visibility;

mod basics;
mod bodies;
mod export;
mod incidents;
mod live;
mod metrics;
mod resolution;
mod taxii;
mod tls;
mod ui;
mod unicode;
mod watchlists;
