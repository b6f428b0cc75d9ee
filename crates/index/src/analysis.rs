//! Text analysis: one tokenizer for every language, so that a query in one script finds text in
//! that script whatever language an item declares.
//!
//! 1. Words by Unicode segmentation (UAX #29), which keeps `198.51.100.7` and `evil.example`
//!    whole; runs of Han characters are segmented into words by jieba (its dictionary ships in
//!    the crate).
//! 2. Each word is folded: compatibility normalisation (full-width to ASCII), lowercase, Latin
//!    diacritics removed, `ё` to `е`; in Arabic script: harakat and tatweel removed, alef forms
//!    to bare alef, alef maksura and Persian yeh to yeh, teh marbuta to heh, keheh to kaf.
//! 3. Each word is stemmed by its script: Latin with the English Snowball stemmer, Cyrillic with
//!    the Russian one, Arabic by removing the definite article and its prefixed forms (light
//!    stemming). Han words are not stemmed.

use std::sync::OnceLock;

use jieba_rs::Jieba;
pub use muninn_text::fold;
use muninn_text::{Script, is_han, script_of, strip_arabic_article};
use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_segmentation::UnicodeSegmentation;

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

thread_local! {
    static WORD_CACHE: std::cell::RefCell<std::collections::HashMap<Box<str>, Box<str>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Folds and stems one word (not a Han run) the way the index does.
pub fn normalize_word(word: &str) -> String {
    if let Some(hit) = WORD_CACHE.with(|cache| cache.borrow().get(word).map(|stem| stem.to_string())) {
        return hit;
    }
    let normalized = normalize_uncached(word);
    WORD_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= WORD_CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(word.into(), normalized.as_str().into());
    });
    normalized
}

fn normalize_uncached(word: &str) -> String {
    if word.is_ascii() {
        // The common case, without Unicode normalisation: ASCII is already folded but for case.
        let lower = word.to_ascii_lowercase();
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
    let mut out = Vec::new();
    let mut han_run: Option<(usize, usize)> = None;
    let push = |out: &mut Vec<Token>, from: usize, to: usize, text: String| {
        if text.is_empty() {
            return;
        }
        let position = out.len();
        out.push(Token { offset_from: from, offset_to: to, position, text, position_length: 1 });
    };
    let flush_han = |run: &mut Option<(usize, usize)>, out: &mut Vec<Token>| {
        if let Some((start, end)) = run.take() {
            let mut offset = start;
            for token in jieba().cut(&text[start..end], false) {
                let word_end = offset + token.word.len();
                let folded = fold(token.word);
                if folded.chars().any(char::is_alphanumeric) {
                    let position = out.len();
                    out.push(Token {
                        offset_from: offset,
                        offset_to: word_end,
                        position,
                        text: folded,
                        position_length: 1,
                    });
                }
                offset = word_end;
            }
        }
    };
    for (start, word) in text.unicode_word_indices() {
        let end = start + word.len();
        if word.chars().all(is_han) {
            han_run = match han_run {
                Some((run_start, run_end)) if run_end == start => Some((run_start, end)),
                other => {
                    let mut previous = other;
                    flush_han(&mut previous, &mut out);
                    Some((start, end))
                }
            };
            continue;
        }
        flush_han(&mut han_run, &mut out);
        push(&mut out, start, end, normalize_word(word));
    }
    flush_han(&mut han_run, &mut out);
    out
}

/// The tokenizer registered as [`TEXT_ANALYZER`].
#[derive(Debug, Clone, Default)]
pub struct MuninnTokenizer;

/// Tokens computed up front, handed out one by one.
#[derive(Debug)]
pub struct MuninnTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for MuninnTokenizer {
    type TokenStream<'a> = MuninnTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MuninnTokenStream {
        MuninnTokenStream { tokens: tokens(text), index: 0 }
    }
}

impl TokenStream for MuninnTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index.saturating_sub(1).min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let index = self.index.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[index]
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
