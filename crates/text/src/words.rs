//! The word scanner: splits text into words and gives each its hashed keys, without allocating
//! for ASCII words (most words of most texts).
//!
//! A word is a maximal run of letters, digits and combining marks, except that each Han
//! character is a word of its own (so a Chinese name is a run of one-character words and is
//! found without spaces). Everything else (spaces, punctuation, hyphens, apostrophes) separates
//! words: "al-Baghdadi" is two words, as is "O'Brien".

use unicode_normalization::char::is_combining_mark;

use crate::fold::{fold_into, is_han};
use crate::skeleton::{SkeletonBuilder, SkeletonSink, is_particle, to_latin};

/// One word of a text: its byte span and its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// Hash of the folded word ([`crate::fold()`]).
    pub exact: u64,
    /// Hash of the word's skeleton ([`crate::skeleton()`]).
    pub skeleton: u64,
    /// Whether skeleton comparison skips this word ([`crate::is_particle`]).
    pub particle: bool,
}

/// The seeds of the word hashes. Matchers pick random seeds so that nobody can aim collisions
/// at a table keyed by them; any two things compared must use the same `WordKeys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordKeys {
    exact_seed: u64,
    skeleton_seed: u64,
}

impl WordKeys {
    /// Keys from two seeds.
    pub fn new(exact_seed: u64, skeleton_seed: u64) -> WordKeys {
        WordKeys { exact_seed, skeleton_seed }
    }

    /// Keys with seeds drawn from the process's random hash state.
    pub fn random() -> WordKeys {
        use std::hash::{BuildHasher, Hasher};
        let state = std::collections::hash_map::RandomState::new();
        let mut hasher = state.build_hasher();
        hasher.write_u64(0x6d75_6e69_6e6e);
        let exact_seed = hasher.finish();
        hasher.write_u64(exact_seed);
        WordKeys { exact_seed, skeleton_seed: hasher.finish() }
    }
}

const HASH_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// A streaming word hash (multiply-rotate, as FxHash) with a final mix.
#[derive(Debug, Clone, Copy)]
struct WordHash(u64);

impl WordHash {
    #[inline]
    fn push(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(HASH_MULTIPLIER);
    }

    #[inline]
    fn finish(self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h
    }
}

impl SkeletonSink for WordHash {
    #[inline]
    fn push_byte(&mut self, byte: u8) {
        self.push(byte);
    }
    fn push_other(&mut self, c: char) {
        let mut buffer = [0u8; 4];
        for byte in c.encode_utf8(&mut buffer).bytes() {
            self.push(byte);
        }
    }
}

/// Hash of a folded word under `keys` (what [`Word::exact`] holds).
pub fn exact_key(keys: &WordKeys, folded: &str) -> u64 {
    let mut hash = WordHash(keys.exact_seed);
    folded.bytes().for_each(|b| hash.push(b));
    hash.finish()
}

/// Whether a non-ASCII character continues a word.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Appends the words of `text` to `out`.
pub fn words(text: &str, keys: &WordKeys, out: &mut Vec<Word>) {
    let bytes = text.as_bytes();
    let mut position = 0;
    let mut folded = String::new();
    while position < bytes.len() {
        let byte = bytes[position];
        if byte.is_ascii_alphanumeric() {
            let start = position;
            while position < bytes.len() && bytes[position].is_ascii_alphanumeric() {
                position += 1;
            }
            let continues = text
                .get(position..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| !c.is_ascii() && is_word_char(c) && !is_han(c));
            if continues {
                position = unicode_word_end(text, position);
                out.push(unicode_word(text, start, position, keys, &mut folded));
            } else {
                out.push(ascii_word(bytes, start, position, keys));
            }
        } else if byte < 0x80 {
            position += 1;
        } else {
            let Some(c) = text.get(position..).and_then(|rest| rest.chars().next()) else {
                position += 1;
                continue;
            };
            let start = position;
            if is_han(c) {
                position += c.len_utf8();
                out.push(unicode_word(text, start, position, keys, &mut folded));
            } else if is_word_char(c) {
                position = unicode_word_end(text, position);
                out.push(unicode_word(text, start, position, keys, &mut folded));
            } else {
                position += c.len_utf8();
            }
        }
    }
}

/// Whether `c` continues a word that has begun (a Han character never does: it is a word).
fn continues_word(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() } else { is_word_char(c) && !is_han(c) }
}

/// Where a word that has non-ASCII characters ends.
fn unicode_word_end(text: &str, from: usize) -> usize {
    let rest = text.get(from..).unwrap_or_default();
    rest.char_indices().find(|&(_, c)| !continues_word(c)).map_or(text.len(), |(offset, _)| from + offset)
}

/// The fast path: an ASCII word, folded (lowercased) and skeletonised byte by byte.
#[inline]
fn ascii_word(bytes: &[u8], start: usize, end: usize, keys: &WordKeys) -> Word {
    let mut exact = WordHash(keys.exact_seed);
    let mut skeleton = SkeletonBuilder::new(WordHash(keys.skeleton_seed));
    for &byte in &bytes[start..end] {
        let lower = byte.to_ascii_lowercase();
        exact.push(lower);
        skeleton.push(lower);
    }
    let word = &bytes[start..end];
    let particle = word.len() <= 3 && {
        let mut lower = [0u8; 3];
        lower[..word.len()].copy_from_slice(word);
        lower.make_ascii_lowercase();
        std::str::from_utf8(&lower[..word.len()]).is_ok_and(is_particle)
    };
    Word {
        start: start as u32,
        end: end as u32,
        exact: exact.finish(),
        skeleton: skeleton.finish().finish(),
        particle,
    }
}

/// The general path: fold, transliterate, skeletonise.
fn unicode_word(text: &str, start: usize, end: usize, keys: &WordKeys, folded: &mut String) -> Word {
    folded.clear();
    fold_into(text.get(start..end).unwrap_or_default(), folded);
    let latin = to_latin(folded);
    let mut skeleton = SkeletonBuilder::new(WordHash(keys.skeleton_seed));
    for c in latin.chars() {
        skeleton.push_char(c);
    }
    Word {
        start: start as u32,
        end: end as u32,
        exact: exact_key(keys, folded),
        skeleton: skeleton.finish().finish(),
        particle: is_particle(&latin),
    }
}

/// The keys of a word computed the slow way, from [`crate::fold()`] and [`crate::skeleton()`]
/// strings: what [`words`] must agree with.
pub fn reference_keys(keys: &WordKeys, word: &str) -> (u64, u64) {
    let mut skeleton = WordHash(keys.skeleton_seed);
    crate::skeleton(word).bytes().for_each(|b| skeleton.push(b));
    (exact_key(keys, &crate::fold(word)), skeleton.finish())
}
