//! Common words: the one-word entity names that are also ordinary words ("Snake", an alias of
//! Turla; "Silence", a group; "Net" and "Expand", tools in ATT&CK; "Cuba", ransomware), and how
//! the gazetteer tags them.
//!
//! The gazetteer tags items without anyone reviewing the tags, and a tag feeds search, facets
//! and correlation: "a snake in the grass" tagged as Turla links unrelated items. So a one-word
//! name that is a common English word is tagged only where it is written exactly as listed and
//! is not the first word of a sentence (a listed "Snake" tags "also known as Snake", not "snake"
//! or "Snake oil sales rose."), and one that is a common proper noun (Cuba, Paris) or a common
//! word listed in lower case (`ping`, `at`) is not tagged at all. Such names still resolve in
//! queries (`entity:Snake`): only finding them in text is guarded. Places are exempt: a gazetteer
//! of places lists proper nouns on purpose.
//!
//! The words come from the Brown corpus's frequencies (`data/stoplist-en.txt`, made by
//! `data/make_stoplist.py`; see the crate README for its licence) and a short list of the trade's
//! own vocabulary written here.

use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// Common English words (`c`) and proper nouns (`p`), one per line, tab-separated, lower case.
const BROWN_WORDS: &str = include_str!("../data/stoplist-en.txt");

/// Words of the trade that name kinds of things, not one thing (a tool or group called "Loader"
/// or "Backdoor" must not tag every report that uses the word), and everyday computing words
/// younger than the Brown corpus (1961).
const TRADE_WORDS: &[&str] = &[
    "app",
    "browser",
    "cloud",
    "cookie",
    "desktop",
    "download",
    "email",
    "firewall",
    "hash",
    "laptop",
    "login",
    "online",
    "password",
    "ping",
    "router",
    "server",
    "token",
    "update",
    "upload",
    "username",
    "website",
    "adware",
    "agent",
    "apt",
    "backdoor",
    "beacon",
    "bot",
    "botnet",
    "bootkit",
    "c2",
    "crypter",
    "cryptominer",
    "downloader",
    "dropper",
    "exploit",
    "implant",
    "infostealer",
    "injector",
    "keylogger",
    "loader",
    "malware",
    "miner",
    "packer",
    "payload",
    "phishing",
    "proxy",
    "rat",
    "ransomware",
    "rootkit",
    "scanner",
    "shell",
    "spyware",
    "stealer",
    "trojan",
    "tunnel",
    "webshell",
    "wiper",
    "worm",
];

/// What kind of common word a folded word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommonWord {
    /// An ordinary word ("snake"): a capitalised listing of it may still name something.
    Ordinary,
    /// A proper noun in everyday use ("cuba", "john"): capitals do not tell it apart.
    ProperNoun,
}

fn table() -> &'static HashMap<&'static str, CommonWord> {
    static TABLE: OnceLock<HashMap<&'static str, CommonWord>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<&'static str, CommonWord> = BROWN_WORDS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('\t'))
            .map(|(word, kind)| {
                (word, if kind == "p" { CommonWord::ProperNoun } else { CommonWord::Ordinary })
            })
            .collect();
        table.extend(TRADE_WORDS.iter().map(|word| (*word, CommonWord::Ordinary)));
        table
    })
}

/// A digest of the word lists and the version of the rules that use them: the gazetteer's
/// fingerprint includes it, so an index tagged under other rules is rebuilt.
pub(crate) fn rules_digest() -> &'static [u8] {
    /// Raise when [`tagging_of`] or [`begins_sentence`] decide differently.
    const RULES_VERSION: &[u8] = b"common-words rules 1";
    static DIGEST: OnceLock<Vec<u8>> = OnceLock::new();
    DIGEST.get_or_init(|| {
        let mut hasher = Sha256::new();
        hasher.update(RULES_VERSION);
        hasher.update(BROWN_WORDS.as_bytes());
        for word in TRADE_WORDS {
            hasher.update(word.as_bytes());
            hasher.update(b"\n");
        }
        hasher.finalize().to_vec()
    })
}

/// The kind of common word `folded` (a word after [`muninn_text::fold`]) is, if it is one.
pub(crate) fn common_word(folded: &str) -> Option<CommonWord> {
    table().get(folded).copied()
}

/// How the gazetteer uses one listed name when it scans text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tagging {
    /// Found wherever its words appear (after folding).
    Everywhere,
    /// A common word: found only where the text spells it exactly as listed and it does not
    /// begin a sentence or a line.
    AsWritten,
    /// Never found in text (a common proper noun, a common word listed in lower case, a name of
    /// fewer than three letters); it still resolves in queries.
    LookupOnly,
}

impl Tagging {
    /// Says what the rule does, for import reports.
    pub fn describe(self) -> &'static str {
        match self {
            Tagging::Everywhere => "found wherever it appears",
            Tagging::AsWritten => {
                "a common word: tagged only where written as listed, not at a sentence start"
            }
            Tagging::LookupOnly => {
                "a common word or too short: not tagged in text, still found by entity: queries"
            }
        }
    }
}

/// Entity kinds whose names are proper nouns on purpose.
const PLACE_KINDS: &[&str] = &["place", "location", "country", "city", "region", "administrative-area"];

/// How a name of an entity of `kind` is used to tag text.
pub(crate) fn tagging_of(name: &str, kind: &str) -> Tagging {
    if PLACE_KINDS.contains(&kind.trim().to_lowercase().as_str()) {
        return Tagging::Everywhere;
    }
    let mut words = name.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty());
    let (Some(word), None) = (words.next(), words.next()) else { return Tagging::Everywhere };
    // The word list is English; Chinese, Arabic or Cyrillic names are not guarded by it.
    if !word.is_ascii() {
        return Tagging::Everywhere;
    }
    if word.chars().count() < 3 {
        return Tagging::LookupOnly;
    }
    match common_word(&muninn_text::fold(word)) {
        None => Tagging::Everywhere,
        Some(CommonWord::ProperNoun) => Tagging::LookupOnly,
        Some(CommonWord::Ordinary) if word.chars().any(char::is_uppercase) => Tagging::AsWritten,
        Some(CommonWord::Ordinary) => Tagging::LookupOnly,
    }
}

/// Whether the text at `start` begins a sentence or a line: only spaces (and opening quotes or
/// brackets) since the start of the text, a newline, or the end of a sentence.
pub(crate) fn begins_sentence(text: &str, start: usize) -> bool {
    let before = text.get(..start).unwrap_or("");
    for c in before.chars().rev() {
        match c {
            '\n' | '\r' | '.' | '!' | '?' | '…' | '。' | '！' | '？' => return true,
            c if c.is_whitespace() => {}
            '"' | '\'' | '“' | '‘' | '«' | '(' | '[' => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_guarded_by_what_words_they_are() {
        let cases = [
            ("Snake", "threat-actor", Tagging::AsWritten),
            ("Silence", "intrusion-set", Tagging::AsWritten),
            ("Net", "tool", Tagging::AsWritten),
            ("Loader", "malware", Tagging::AsWritten),
            ("ping", "tool", Tagging::LookupOnly),
            ("Cuba", "malware", Tagging::LookupOnly),
            ("at", "tool", Tagging::LookupOnly),
            ("AT", "tool", Tagging::LookupOnly),
            ("Turla", "threat-actor", Tagging::Everywhere),
            ("Sofacy", "threat-actor", Tagging::Everywhere),
            ("Cobalt Strike", "tool", Tagging::Everywhere),
            ("Wizard Spider", "threat-actor", Tagging::Everywhere),
            ("X-Agent", "malware", Tagging::Everywhere),
            ("Cuba", "country", Tagging::Everywhere),
            ("Paris", "place", Tagging::Everywhere),
            ("Змей", "threat-actor", Tagging::Everywhere),
            ("奇幻熊", "threat-actor", Tagging::Everywhere),
            ("APT28", "threat-actor", Tagging::Everywhere),
        ];
        for (name, kind, expected) in cases {
            assert_eq!(tagging_of(name, kind), expected, "{name} ({kind})");
        }
    }

    #[test]
    fn sentence_starts_are_told_apart() {
        let cases = [
            ("Snake oil", 0, true),
            ("  \"Snake", 3, true),
            ("It rose. Snake", 9, true),
            ("a list:\nSnake", 8, true),
            ("known as Snake", 9, false),
            ("known as (Snake", 10, false),
        ];
        for (text, start, expected) in cases {
            assert_eq!(begins_sentence(text, start), expected, "{text:?} at {start}");
        }
    }
}
