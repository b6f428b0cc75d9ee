//! Text analysis: one tokenizer for every language, so that a query in one script finds text in
//! that script whatever language an item declares.
//!
//! 1. Words by Unicode segmentation (UAX #29, `word_break.rs`), which keeps `198.51.100.7` and
//!    `evil.example` whole; runs of Han characters are segmented into words by jieba (its
//!    dictionary ships in the crate).
//! 2. Each word is folded: compatibility normalisation (full-width to ASCII), lowercase, Latin
//!    diacritics removed, `ё` to `е`; in Arabic script: harakat and tatweel removed, alef forms
//!    to bare alef, alef maksura and Persian yeh to yeh, teh marbuta to heh, keheh to kaf.
//! 3. Each word is stemmed by its script: Latin with the English Snowball stemmer, Cyrillic with
//!    the Russian one, Arabic by removing the definite article and its prefixed forms (light
//!    stemming). Han words are not stemmed, nor ASCII words with a digit (`apt28`, digests: no
//!    English suffix to remove, and the stemmer was a tenth of the analyser's time).

use std::sync::OnceLock;

use jieba_rs::Jieba;
pub use muninn_text::fold;
use muninn_text::{Script, is_han, script_of, strip_arabic_article};
use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::word_break::WordIndices;

/// The name under which the tokenizer is registered with the index.
pub const TEXT_ANALYZER: &str = "muninn_text";

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

fn english() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

fn russian() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Russian))
}

/// Words seen often are folded and stemmed once per thread: text follows Zipf's law, so a small
/// cache answers most words without running the stemmer.
const WORD_CACHE_CAPACITY: usize = 200_000;

/// Word -> its folded and stemmed form. foldhash, seeded per process: words come from outside,
/// and SipHash was a visible share of indexing.
type WordCache = std::collections::HashMap<Box<str>, Box<str>, foldhash::fast::RandomState>;

thread_local! {
    static WORD_CACHE: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
}

/// Folds and stems one word (not a Han run) the way the index does.
pub fn normalize_word(word: &str) -> String {
    let mut out = String::new();
    normalize_word_into(word, &mut out);
    out
}

/// [`normalize_word`], appended to `out` (no allocation when the word is cached).
fn normalize_word_into(word: &str, out: &mut String) {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        // Numbers, addresses and digests: mostly seen once, they would fill the cache with
        // words never asked again and push the vocabulary out of the processor's caches. In
        // ASCII they are not stemmed (`apt28`, `t1190`, hashes: no English suffix to take off,
        // and the stemmer cost a tenth of the analyser).
        if word.is_ascii() {
            let start = out.len();
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            shorten_random(out, start);
        } else {
            out.push_str(&normalize_uncached(word));
        }
        return;
    }
    WORD_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(hit) = cache.get(word) {
            out.push_str(hit);
            return;
        }
        let normalized = normalize_uncached(word);
        out.push_str(&normalized);
        if cache.len() >= WORD_CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(word.into(), normalized.into_boxed_str());
    });
}

/// Letters and digits at least this long, with both (digests, wallet addresses, keys), are
/// indexed by their first [`RANDOM_TOKEN_KEPT`] characters and [`RANDOM_TOKEN_MARK`]: such
/// tokens share no prefixes, and the term dictionary's automaton builds a node for every
/// character a term does not share with the one before (99% of the body's nodes at 1M generated
/// items, a tenth of indexing). Sixteen letters or digits tell them apart (64 bits of a digest);
/// exact matching of indicators is `indicator:`, by the whole value's key.
pub const RANDOM_TOKEN_MIN: usize = 24;
/// See [`RANDOM_TOKEN_MIN`].
pub const RANDOM_TOKEN_KEPT: usize = 16;
/// What follows the kept characters of a shortened token (so that no word of sixteen letters
/// is taken for one).
pub const RANDOM_TOKEN_MARK: char = '…';

/// Shortens the lower-case ASCII token `out[start..]` if it is a random one (see
/// [`RANDOM_TOKEN_MIN`]).
fn shorten_random(out: &mut String, start: usize) {
    let token = out.get(start..).unwrap_or_default().as_bytes();
    if is_random_token(token) {
        out.truncate(start + RANDOM_TOKEN_KEPT);
        out.push(RANDOM_TOKEN_MARK);
    }
}

/// Whether a lower-case ASCII token is a random one (see [`RANDOM_TOKEN_MIN`]).
pub fn is_random_token(token: &[u8]) -> bool {
    token.len() >= RANDOM_TOKEN_MIN
        && token.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && token.iter().any(u8::is_ascii_digit)
        && token.iter().any(u8::is_ascii_lowercase)
}

fn normalize_uncached(word: &str) -> String {
    if word.is_ascii() {
        // The common case, without Unicode normalisation: ASCII is already folded but for case.
        let lower = word.to_ascii_lowercase();
        // (ASCII words with a digit never come here: `normalize_word_into` lower-cases them.)
        return if lower.bytes().any(|b| b.is_ascii_alphabetic()) {
            english().stem(&lower).into_owned()
        } else {
            lower
        };
    }
    let folded = fold(word);
    match script_of(&folded) {
        Script::Latin => english().stem(&folded).into_owned(),
        Script::Cyrillic => russian().stem(&folded).into_owned(),
        Script::Arabic => strip_arabic_article(&folded).to_owned(),
        Script::Han | Script::Other => folded,
    }
}

/// The tokens of a text, with byte offsets into it: what the index stores and what queries are
/// turned into.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut stream = MuninnTokenStream::new(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token.clone());
    }
    out
}

/// The tokenizer registered as [`TEXT_ANALYZER`].
#[derive(Debug, Clone, Default)]
pub struct MuninnTokenizer;

/// The tokens of one text, made as they are asked for: one token whose text buffer is reused,
/// so a word costs no allocation once its folded form is cached (a vector of owned tokens per
/// text was a tenth of indexing in allocations). A run of Han words is segmented by jieba when
/// reached, its words queued.
pub struct MuninnTokenStream<'a> {
    text: &'a str,
    words: WordIndices<'a>,
    /// A word read past the end of a Han run, handed out next.
    lookahead: Option<(usize, &'a str)>,
    /// The words of a segmented Han run still to hand out: (start, end, folded unless the
    /// word is all ideographs, which fold to themselves).
    han: std::collections::VecDeque<(usize, usize, Option<String>)>,
    token: Token,
    emitted: usize,
}

impl std::fmt::Debug for MuninnTokenStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MuninnTokenStream").field("token", &self.token).finish_non_exhaustive()
    }
}

impl<'a> MuninnTokenStream<'a> {
    fn new(text: &'a str) -> MuninnTokenStream<'a> {
        MuninnTokenStream {
            text,
            words: WordIndices::new(text),
            lookahead: None,
            han: std::collections::VecDeque::new(),
            token: Token::default(),
            emitted: 0,
        }
    }

    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.emitted;
        self.token.position_length = 1;
        self.emitted += 1;
        true
    }

    /// Segments the Han run starting with the word at `start..end` (and the Han words right
    /// after it) into the queue.
    fn segment_han_run(&mut self, start: usize, mut end: usize) {
        loop {
            match self.words.next() {
                Some((next, word)) if next == end && word.chars().all(is_han) => end = next + word.len(),
                other => {
                    self.lookahead = other;
                    break;
                }
            }
        }
        let mut offset = start;
        for token in jieba().cut(&self.text[start..end], false) {
            let word_end = offset + token.word.len();
            if token.word.chars().all(is_han) {
                // Ideographs fold to themselves and are letters: handed out as written.
                self.han.push_back((offset, word_end, None));
            } else {
                let folded = fold(token.word);
                if folded.chars().any(char::is_alphanumeric) {
                    self.han.push_back((offset, word_end, Some(folded)));
                }
            }
            offset = word_end;
        }
    }
}

impl Tokenizer for MuninnTokenizer {
    type TokenStream<'a> = MuninnTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MuninnTokenStream<'a> {
        MuninnTokenStream::new(text)
    }
}

impl TokenStream for MuninnTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((from, to, folded)) = self.han.pop_front() {
                match folded {
                    Some(text) => self.token.text = text,
                    None => {
                        self.token.text.clear();
                        self.token.text.push_str(self.text.get(from..to).unwrap_or_default());
                    }
                }
                return self.emit(from, to);
            }
            let Some((start, word)) = self.lookahead.take().or_else(|| self.words.next()) else {
                return false;
            };
            let end = start + word.len();
            if self.words.may_hold_han() && word.chars().all(is_han) {
                self.segment_han_run(start, end);
                continue;
            }
            self.token.text.clear();
            normalize_word_into(word, &mut self.token.text);
            if !self.token.text.is_empty() {
                return self.emit(start, end);
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(text: &str, expected: Expect) {
        let rendered: Vec<String> = tokens(text).into_iter().map(|t| t.text).collect();
        expected.assert_eq(&rendered.join(" | "));
    }

    #[test]
    fn english_is_folded_and_stemmed() {
        check("Fancy Bear targeted Ministries", expect!["fanci | bear | target | ministri"]);
        check(
            "Ｆｕｌｌ-width ＡＰＴ２８ and Café naïve",
            expect!["full | width | apt28 | and | cafe | naiv"],
        );
    }

    #[test]
    fn indicators_stay_whole() {
        check(
            "from 198.51.100.7 and evil.example via CVE-2021-44228",
            expect!["from | 198.51.100.7 | and | evil.exampl | via | cve | 2021 | 44228"],
        );
    }

    #[test]
    fn random_tokens_are_shortened() {
        check(
            "SHA-256 3409A0E0206B0E944DEF3AD59DE02F30E99B9966A20A2FA8F18E84ECC8C1C18D and bc1qr62f749k3jn7k835k0wxkcyv7dfupaguw44c8x",
            expect!["sha | 256 | 3409a0e0206b0e94… | and | bc1qr62f749k3jn7…"],
        );
        // Letters alone, digits alone, dotted names and short tokens stay whole.
        check(
            "internationalisationalists 123456789012345678901234567890 login.microsoftonline2.example ab12cd34ef56gh78ij90kl1",
            expect![
                "internationalisationalist | 123456789012345678901234567890 | login.microsoftonline2 | exampl | ab12cd34ef56gh78ij90kl1"
            ],
        );
    }

    #[test]
    fn russian_is_stemmed() {
        check(
            "Группа Sandworm атаковала энергетические компании, ёлка",
            expect!["групп | sandworm | атакова | энергетическ | компан | елк"],
        );
    }

    #[test]
    fn arabic_is_normalised() {
        check("أبو بكر البغدادي", expect!["ابو | بكر | بغدادي"]);
        check("إبراهيم والمدرسة مدرسةٌ ـــــ كتابـــة", expect!["ابراهيم | مدرسه | مدرسه | كتابه"]);
    }

    #[test]
    fn chinese_is_segmented() {
        check(
            "该组织利用网络钓鱼邮件攻击了乌克兰的能源公司。",
            expect!["该 | 组织 | 利用网络 | 钓鱼 | 邮件 | 攻击 | 了 | 乌克兰 | 的 | 能源 | 公司"],
        );
    }
}
