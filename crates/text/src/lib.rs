//! Text normalisation shared by every stage that compares words: search, extraction and
//! screening. One crate, so that a name folds the same way wherever it is compared.
//!
//! - [`fold`](mod@fold): case, width and diacritic folding, Arabic and Cyrillic normalisation of a word.
//! - [`skeleton`](mod@skeleton): a transliterated consonant key, so that "Абу Бакр аль-Багдади",
//!   "أبو بكر البغدادي" and "Abou Bakr al Baghdadi" meet "Abu Bakr al-Baghdadi".
//! - [`words`](mod@words): the word scanner (runs of letters and digits; each Han character a word of its
//!   own, so Chinese needs no spaces) with hashed keys per word.
//! - [`names`](mod@names): a whole-word multi-name matcher built on the scanner, for watchlists and the
//!   extraction gazetteer.
//!
//! Pure: no IO, no global mutable state, no panics on input.

pub mod east_asian;
pub mod fold;
pub mod names;
pub mod skeleton;
pub mod words;

pub use fold::{Script, fold, is_han, script_of, strip_arabic_article};
pub use names::{
    MatchMethod, NEAR_MISS_MIN_CHARS, NameForm, NameMatch, NameMatcher, NameWarning, Scratch,
    evidence_allows, near_miss_allows, osa_distance,
};
pub use skeleton::{is_particle, skeleton};
pub use words::{Flagger, Word, WordCache, WordKeys, words, words_cached, words_flagged};
