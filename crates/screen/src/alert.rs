//! Alerts: one per (item, entry), stored by the caller, triaged by analysts.

use jiff::Timestamp;
use muninn_model::Tlp;
use serde::{Deserialize, Serialize};

use crate::compile::Screener;
use crate::screen::Hit;
use crate::watchlist::Severity;

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Nobody has looked at it.
    New,
    /// Someone is on it.
    Acknowledged,
    /// Not a real hit (a namesake, a benign value).
    Dismissed,
    /// Handed up: it matters.
    Escalated,
}

impl AlertState {
    /// Every state.
    pub const ALL: [AlertState; 4] =
        [AlertState::New, AlertState::Acknowledged, AlertState::Dismissed, AlertState::Escalated];

    /// The state's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::New => "new",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Dismissed => "dismissed",
            AlertState::Escalated => "escalated",
        }
    }

    /// Parses a state's name (any case).
    pub fn parse(text: &str) -> Option<AlertState> {
        AlertState::ALL.into_iter().find(|state| state.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for AlertState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of state, kept in the alert for accountability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// The state set.
    pub state: AlertState,
    /// Who set it (`screening` for the first).
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A hit made durable: what hit, where, why, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The item's id.
    pub item: String,
    /// The watchlist's name.
    pub list: String,
    /// The list's version that hit.
    pub list_version: u64,
    /// The entry's id in the list.
    pub entry: String,
    /// The entry's kind.
    pub entry_kind: String,
    /// What the entry looks for.
    pub describes: String,
    /// The entry's severity.
    pub severity: Severity,
    /// `title` or `body`; absent for rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Byte span in that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
    /// The text as the item has it.
    pub matched: String,
    /// The entry's form that matched.
    pub form: String,
    /// What was compared.
    pub normalised: String,
    /// `exact`, `transliteration`, `indicator`, `pattern` or `rule`.
    pub method: String,
    /// The alert's marking: the more restrictive of the item's and the list's.
    pub tlp: Tlp,
    /// When the alert was raised.
    pub raised_at: Timestamp,
    /// The current state.
    pub state: AlertState,
    /// Every state it has had, oldest first.
    pub history: Vec<StateChange>,
}

impl Alert {
    /// The alert for a hit of `screener` on an item.
    pub fn new(screener: &Screener, hit: &Hit, item: &str, item_tlp: Tlp, raised_at: Timestamp) -> Alert {
        let entry = &screener.entries()[hit.entry as usize];
        let list = &screener.lists()[entry.list as usize];
        Alert {
            item: item.to_owned(),
            list: list.name.clone(),
            list_version: list.version,
            entry: entry.id.clone(),
            entry_kind: entry.kind.to_owned(),
            describes: entry.describes.clone(),
            severity: entry.severity,
            field: hit.field.map(|field| field.as_str().to_owned()),
            span: hit.span.as_ref().map(|span| (span.start, span.end)),
            matched: hit.matched.clone(),
            form: hit.form.clone(),
            normalised: hit.normalised.clone(),
            method: hit.method.as_str().to_owned(),
            tlp: item_tlp.max(list.tlp),
            raised_at,
            state: AlertState::New,
            history: vec![StateChange {
                state: AlertState::New,
                by: "screening".to_owned(),
                at: raised_at,
                note: String::new(),
            }],
        }
    }

    /// The alert's key: one alert per (item, list, entry).
    pub fn key(&self) -> String {
        alert_key(&self.item, &self.list, &self.entry)
    }

    /// Moves the alert to `state`, recording who and why. Setting the state it already has is
    /// refused, so the history shows only real changes.
    pub fn change_state(
        &mut self,
        state: AlertState,
        by: &str,
        at: Timestamp,
        note: &str,
    ) -> Result<(), String> {
        if by.trim().is_empty() {
            return Err("a state change needs the name of who makes it".to_owned());
        }
        if state == self.state {
            return Err(format!("the alert is already {state}"));
        }
        self.state = state;
        self.history.push(StateChange { state, by: by.trim().to_owned(), at, note: note.trim().to_owned() });
        Ok(())
    }
}

/// The key of the alert of `entry` of `list` on `item`. Item ids are fixed-width hex, so all
/// alerts of an item sort together.
pub fn alert_key(item: &str, list: &str, entry: &str) -> String {
    format!("{item}/{list}/{entry}")
}
