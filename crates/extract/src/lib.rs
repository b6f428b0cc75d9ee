//! Muninn's indicator extraction: finds indicators of compromise and related identifiers in
//! text (IP addresses and networks, domains, URLs, e-mail addresses, file digests, CVE and
//! ATT&CK ids, phone numbers, Bitcoin, Ethereum and Monero addresses, AS numbers), defanged or
//! not, and returns each occurrence with its kind, canonical value and byte span.
//!
//! ```
//! let found = muninn_extract::indicators("C2 at hxxps://evil[.]example.com/gate.php and 192.0.2.7");
//! assert_eq!(found[0].value, "https://evil.example.com/gate.php");
//! assert!(found[0].defanged);
//! assert_eq!(found[1].value, "192.0.2.7");
//! ```
//!
//! [`Extractor`] adds warning lists (MISP's format, [`WarningList`]): indicators they match are
//! reported as suppressed rather than returned. The kinds, canonical forms and context rules
//! are described in the crate's README.
//!
//! **Invariant:** pure. No IO, no global mutable state; never panics on any input; time linear
//! in the length of the text (a hand-written single pass, no backtracking).

#![forbid(unsafe_code)]

mod crypto;
mod domain;
mod error;
mod kind;
mod net;
mod phone;
mod punycode;
mod refang;
mod scan;
mod warninglist;

pub use error::ExtractError;
pub use kind::{Indicator, IndicatorKind};
pub use refang::refang;
pub use warninglist::{WarningList, WarningLists};

use refang::Refanged;

/// What the extractor accepts beyond the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractConfig {
    /// Accept domains under the top-level names reserved for documentation and testing,
    /// `.example` and `.test` (RFC 2606): Muninn's generated exercises and many reports use
    /// them. On by default.
    pub documentation_tlds: bool,
}

impl Default for ExtractConfig {
    fn default() -> ExtractConfig {
        ExtractConfig { documentation_tlds: true }
    }
}

/// An extractor: its configuration and warning lists, built once and used for many texts.
#[derive(Debug, Clone, Default)]
pub struct Extractor {
    config: ExtractConfig,
    lists: WarningLists,
}

/// What [`Extractor::extract`] found in one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// The indicators kept, in the order they occur.
    pub indicators: Vec<Indicator>,
    /// The indicators a warning list matched, in the order they occur.
    pub suppressed: Vec<Suppressed>,
}

/// An indicator left out because a warning list matched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The indicator.
    pub indicator: Indicator,
    /// The name of the first list that matched it.
    pub list: String,
}

impl Extractor {
    /// An extractor with this configuration and these warning lists.
    pub fn new(config: ExtractConfig, lists: WarningLists) -> Extractor {
        Extractor { config, lists }
    }

    /// The warning lists in use.
    pub fn lists(&self) -> &WarningLists {
        &self.lists
    }

    /// Every indicator in `text`, each occurrence separately, split into those kept and those
    /// a warning list suppressed.
    pub fn extract(&self, text: &str) -> Extraction {
        let mut extraction = Extraction::default();
        for indicator in self.all(text) {
            match self.lists.matching(&indicator) {
                Some(list) => {
                    extraction.suppressed.push(Suppressed { indicator, list: list.name().to_owned() })
                }
                None => extraction.indicators.push(indicator),
            }
        }
        extraction
    }

    /// Every indicator in `text`, warning lists ignored.
    pub fn all(&self, text: &str) -> Vec<Indicator> {
        let refanged = Refanged::new(text);
        scan::Scanner::new(&self.config, &refanged)
            .scan()
            .into_iter()
            .map(|found| Indicator {
                kind: found.kind,
                value: found.value,
                span: refanged.original(&found.span),
                defanged: refanged.is_defanged(&found.span),
            })
            .collect()
    }
}

/// Every indicator in `text` with the default configuration and no warning lists.
pub fn indicators(text: &str) -> Vec<Indicator> {
    Extractor::default().all(text)
}
