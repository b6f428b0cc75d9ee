//! Screening: every new item checked against the team's standing watchlists.
//!
//! - [`watchlist`]: lists and entries as analysts write them (names with aliases in any script,
//!   indicator values, patterns, rules over item fields), with severity and note.
//! - [`Screener`] ([`compile`]): all lists compiled once into one word matcher
//!   ([`muninn_text::NameMatcher`]), size-limited regular expressions and query trees. A new
//!   version of a list means a new `Screener`, swapped in whole.
//! - [`Screener::screen`] ([`screen`]): the hits on one item, each naming its entry, the matched
//!   span and form, the normalised form compared and the method.
//! - [`import`]: the UN Security Council consolidated list, OFAC's SDN list, MISP galaxy
//!   clusters and plain CSV, turned into watchlists.
//!
//! Pure: no IO, no clock (rules get `now` from the caller), no global state; bad entries
//! become warnings that name them, and the rest is screened.

pub mod alert;
pub mod compile;
pub mod import;
pub mod screen;
pub mod watchlist;

pub use alert::{Alert, AlertState, StateChange, alert_key};
pub use compile::{EntryInfo, ListInfo, ScreenWarning, Screener, refang};
pub use screen::{Hit, HitMethod, ItemFields, ScreenScratch, TextField};
pub use watchlist::{Entry, EntryKind, MAX_ENTRIES_PER_LIST, Severity, Watchlist};
