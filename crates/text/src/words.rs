//! The word scanner: splits text into words and gives each its hashed keys, without allocating
//! for ASCII words (most words of most texts).
//!
//! A word is a maximal run of letters, digits and combining marks, except that each Han
//! character is a word of its own (so a Chinese name is a run of one-character words and is
//! found without spaces). Everything else (spaces, punctuation, hyphens, apostrophes) separates
//! words: "al-Baghdadi" is two words, as is "O'Brien".

use unicode_normalization::char::is_combining_mark;

use crate::fold::{fold_char_fast, fold_into, is_han};
use crate::skeleton::{SkeletonBuilder, SkeletonSink, is_particle, to_latin_into};

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
    /// Marks a matcher keeps with the word in its cache ([`words_flagged`]): eight bits, 0
    /// otherwise. From the cache, a word whose flags are 0 comes without its keys (`exact` and
    /// `skeleton` are 0): a matcher must flag every word it needs the keys of.
    pub flags: u8,
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

    /// A number drawn from these keys (for callers that need a random id).
    pub fn seed(&self) -> u64 {
        self.exact_seed ^ self.skeleton_seed.rotate_left(32)
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
#[inline]
fn is_word_char(c: char) -> bool {
    let code = c as usize;
    if code < 0x800 {
        return two_byte_word_chars()[code / 64] >> (code % 64) & 1 == 1;
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Which characters below U+0800 (Latin, Cyrillic, Greek, Arabic...) are letters, digits or
/// marks: looked up once, then answered from a 256-byte table instead of Unicode's.
fn two_byte_word_chars() -> &'static [u64; 32] {
    static TABLE: std::sync::OnceLock<[u64; 32]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u64; 32];
        for code in 0..0x800u32 {
            if let Some(c) = char::from_u32(code)
                && (c.is_alphanumeric() || is_combining_mark(c))
            {
                table[code as usize / 64] |= 1 << (code % 64);
            }
        }
        table
    })
}

/// The common Han characters, whose folded form is themselves: a one-character word hashed
/// straight from its bytes.
fn han_word(c: char, start: usize, keys: &WordKeys) -> Word {
    let mut buffer = [0u8; 4];
    let bytes = c.encode_utf8(&mut buffer).as_bytes();
    let mut exact = WordHash(keys.exact_seed);
    let mut skeleton = WordHash(keys.skeleton_seed);
    for &byte in bytes {
        exact.push(byte);
        skeleton.push(byte);
    }
    Word {
        start: start as u32,
        end: (start + bytes.len()) as u32,
        exact: exact.finish(),
        skeleton: skeleton.finish(),
        particle: false,
        flags: 0,
    }
}

/// Appends the words of `text` to `out`.
pub fn words(text: &str, keys: &WordKeys, out: &mut Vec<Word>) {
    scan(text, keys, None, out);
}

/// What a matcher computes once per distinct word and keeps in the cache beside its keys.
pub type Flagger<'a> = &'a dyn Fn(&Word) -> u8;

/// [`words`] with a cache of the keys of words seen before: text follows Zipf's law, so most
/// words of a stream repeat, and a repeated word costs a hash of its bytes instead of folding,
/// transliteration and two key hashes. Keep one cache per thread.
pub fn words_cached(text: &str, keys: &WordKeys, cache: &mut WordCache, out: &mut Vec<Word>) {
    if cache.keys != Some(*keys) || cache.owner != 0 {
        cache.clear(*keys, 0);
    }
    scan(text, keys, Some(Cached { cache, flagger: &|_| 0, all_keys: true }), out);
}

/// How `scan` uses a cache.
struct Cached<'a> {
    cache: &'a mut WordCache,
    flagger: Flagger<'a>,
    /// Every word with its keys (else only flagged words have them).
    all_keys: bool,
}

/// [`words_cached`] for a matcher: `flagger.1` computes a word's [`Word::flags`] once and the
/// cache keeps them; `flagger.0` identifies the matcher (a cache kept for one is cleared when
/// used for another).
pub fn words_flagged(
    text: &str,
    keys: &WordKeys,
    cache: &mut WordCache,
    flagger: (u64, Flagger<'_>),
    out: &mut Vec<Word>,
) {
    if cache.keys != Some(*keys) || cache.owner != flagger.0 {
        cache.clear(*keys, flagger.0);
    }
    scan(text, keys, Some(Cached { cache, flagger: flagger.1, all_keys: false }), out);
}

/// Words up to this many bytes are cached (nearly all words of running text).
const CACHED_WORD_BYTES: usize = 32;
const CACHE_SLOTS_LOG2: u32 = 15;
const FINGERPRINT_SEED: u64 = 0x5bd1_e995;

/// Recently seen words and their keys, direct-mapped by a 64-bit hash of their bytes (the
/// fingerprint): its low fifteen bits choose the slot, and a hit is a tag with the same top 54
/// bits. Two different words in one slot with equal tags (odds about 2^-49 per lookup: the
/// tag's bits apart from the five that also chose the slot; the slot once came from the top
/// bits, which left 39) would share keys; that could only hide a match, never make one,
/// because every candidate match is checked on the strings.
///
/// A slot is a compact tag (fingerprint, particle, the matcher's flags) in one array that stays
/// in the processor's cache, and the two keys in another, read only for words the matcher
/// flagged: most words of a text are in no form, and for them only the tag is touched.
#[derive(Debug, Default)]
pub struct WordCache {
    keys: Option<WordKeys>,
    owner: u64,
    buffers: Buffers,
    tags: Vec<u64>,
    word_keys: Vec<(u64, u64)>,
}

/// Tag layout: bits 10..64 the fingerprint's, bits 2..10 the matcher's flags, bit 1 particle,
/// bit 0 present.
const TAG_PRESENT: u64 = 1;
const TAG_PARTICLE: u64 = 2;
const TAG_FLAGS_SHIFT: u32 = 2;
const TAG_FINGERPRINT_MASK: u64 = !0x3FF;

impl WordCache {
    fn clear(&mut self, keys: WordKeys, owner: u64) {
        self.keys = Some(keys);
        self.owner = owner;
        self.tags.clear();
        self.tags.resize(1 << CACHE_SLOTS_LOG2, 0);
        self.word_keys.clear();
        self.word_keys.resize(1 << CACHE_SLOTS_LOG2, (0, 0));
    }

    #[inline]
    fn fingerprint(word: &[u8]) -> u64 {
        let mut hash = WordHash(FINGERPRINT_SEED);
        word.iter().for_each(|&b| hash.push(b));
        WordCache::finish_fingerprint(hash, word.len())
    }

    #[inline]
    fn finish_fingerprint(hash: WordHash, len: usize) -> u64 {
        hash.finish() ^ (len as u64).rotate_right(8)
    }

    #[inline]
    fn slot(fingerprint: u64) -> usize {
        fingerprint as usize & ((1 << CACHE_SLOTS_LOG2) - 1)
    }

    #[inline]
    fn get(&self, fingerprint: u64, start: usize, end: usize, all_keys: bool) -> Option<Word> {
        let slot = WordCache::slot(fingerprint);
        let tag = self.tags[slot];
        if tag & TAG_PRESENT == 0 || (tag ^ fingerprint) & TAG_FINGERPRINT_MASK != 0 {
            return None;
        }
        let flags = ((tag >> TAG_FLAGS_SHIFT) & 0xFF) as u8;
        let (exact, skeleton) = if flags != 0 || all_keys { self.word_keys[slot] } else { (0, 0) };
        Some(Word {
            start: start as u32,
            end: end as u32,
            exact,
            skeleton,
            particle: tag & TAG_PARTICLE != 0,
            flags,
        })
    }

    #[inline]
    fn put(&mut self, fingerprint: u64, word: &Word) {
        let slot = WordCache::slot(fingerprint);
        let particle = if word.particle { TAG_PARTICLE } else { 0 };
        self.tags[slot] = (fingerprint & TAG_FINGERPRINT_MASK)
            | (u64::from(word.flags) << TAG_FLAGS_SHIFT)
            | particle
            | TAG_PRESENT;
        self.word_keys[slot] = (word.exact, word.skeleton);
    }
}

/// Computes a word's keys with `compute`, or takes them from the cache.
#[inline]
fn keyed(
    text: &str,
    start: usize,
    end: usize,
    cache: &mut Option<Cached<'_>>,
    compute: impl FnOnce() -> Word,
) -> Word {
    if cache.is_none() {
        return compute();
    }
    let fingerprint = WordCache::fingerprint(&text.as_bytes()[start..end]);
    keyed_by(fingerprint, start, end, cache, compute)
}

/// [`keyed`] with the word's fingerprint already computed.
#[inline]
fn keyed_by(
    fingerprint: u64,
    start: usize,
    end: usize,
    cache: &mut Option<Cached<'_>>,
    compute: impl FnOnce() -> Word,
) -> Word {
    let Some(Cached { cache, flagger, all_keys }) = cache else { return compute() };
    let flagged = |mut word: Word| {
        word.flags = flagger(&word);
        word
    };
    if end - start > CACHED_WORD_BYTES {
        return flagged(compute());
    }
    if let Some(cached) = cache.get(fingerprint, start, end, *all_keys) {
        return cached;
    }
    let computed = flagged(compute());
    cache.put(fingerprint, &computed);
    computed
}

fn scan(text: &str, keys: &WordKeys, mut cache: Option<Cached<'_>>, out: &mut Vec<Word>) {
    let bytes = text.as_bytes();
    let mut position = 0;
    // A matcher's cache lends its buffers, so a scan allocates nothing once warm.
    let mut own_buffers = Buffers::default();
    let mut buffers = match &mut cache {
        Some(cached) => std::mem::take(&mut cached.cache.buffers),
        None => std::mem::take(&mut own_buffers),
    };
    while position < bytes.len() {
        let byte = bytes[position];
        if byte.is_ascii_alphanumeric() {
            let start = position;
            // The cache's fingerprint is hashed as the word is scanned.
            let mut fingerprint = WordHash(FINGERPRINT_SEED);
            while position < bytes.len() && bytes[position].is_ascii_alphanumeric() {
                fingerprint.push(bytes[position]);
                position += 1;
            }
            let continues = bytes.get(position).is_some_and(|&next| next >= 0x80)
                && text
                    .get(position..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| is_word_char(c) && !is_han(c));
            if continues {
                position = unicode_word_end_hashed(text, position, &mut fingerprint);
                let end = position;
                let fingerprint = WordCache::finish_fingerprint(fingerprint, end - start);
                out.push(keyed_by(fingerprint, start, end, &mut cache, || {
                    unicode_word(text, start, end, keys, &mut buffers)
                }));
            } else {
                let end = position;
                let fingerprint = WordCache::finish_fingerprint(fingerprint, end - start);
                out.push(keyed_by(fingerprint, start, end, &mut cache, || {
                    ascii_word(bytes, start, end, keys)
                }));
            }
        } else if byte < 0x80 {
            position += 1;
        } else {
            let Some(c) = text.get(position..).and_then(|rest| rest.chars().next()) else {
                position += 1;
                continue;
            };
            let start = position;
            if matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF) {
                position += c.len_utf8();
                let end = position;
                out.push(keyed(text, start, end, &mut cache, || han_word(c, start, keys)));
            } else if is_han(c) {
                position += c.len_utf8();
                let end = position;
                out.push(keyed(text, start, end, &mut cache, || {
                    unicode_word(text, start, end, keys, &mut buffers)
                }));
            } else if is_word_char(c) {
                let mut fingerprint = WordHash(FINGERPRINT_SEED);
                position = unicode_word_end_hashed(text, position, &mut fingerprint);
                let end = position;
                let fingerprint = WordCache::finish_fingerprint(fingerprint, end - start);
                out.push(keyed_by(fingerprint, start, end, &mut cache, || {
                    unicode_word(text, start, end, keys, &mut buffers)
                }));
            } else {
                position += c.len_utf8();
            }
        }
    }
    if let Some(cached) = cache {
        cached.cache.buffers = buffers;
    }
}

/// Whether `c` continues a word that has begun (a Han character never does: it is a word).
fn continues_word(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() } else { is_word_char(c) && !is_han(c) }
}

/// Where a word that has non-ASCII characters ends, hashing its bytes into `fingerprint` on the
/// way (as [`WordCache::fingerprint`] would). Two-byte characters (Latin, Cyrillic, Greek,
/// Arabic...) are decoded here from their bytes; longer ones the general way.
fn unicode_word_end_hashed(text: &str, from: usize, fingerprint: &mut WordHash) -> usize {
    let bytes = text.as_bytes();
    let mut position = from;
    while let Some(&byte) = bytes.get(position) {
        if byte < 0x80 {
            if !byte.is_ascii_alphanumeric() {
                break;
            }
            fingerprint.push(byte);
            position += 1;
        } else if (0xC2..0xE0).contains(&byte) {
            let Some(&next) = bytes.get(position + 1) else { break };
            let code = (usize::from(byte & 0x1F) << 6) | usize::from(next & 0x3F);
            if two_byte_word_chars()[code / 64] >> (code % 64) & 1 == 0 {
                break;
            }
            fingerprint.push(byte);
            fingerprint.push(next);
            position += 2;
        } else {
            let length = match text.get(position..).and_then(|rest| rest.chars().next()) {
                Some(c) if continues_word(c) => c.len_utf8(),
                _ => break,
            };
            bytes
                .get(position..position + length)
                .unwrap_or_default()
                .iter()
                .for_each(|&b| fingerprint.push(b));
            position += length;
        }
    }
    position
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
        flags: 0,
    }
}

/// [`crate::fold()`] of a word appended to `out`, character by character where the common
/// scripts allow (the same result, without Unicode normalisation tables).
pub fn fold_fast_into(word: &str, out: &mut String) {
    let start = out.len();
    if !word.chars().all(|c| fold_char_fast(c, out)) {
        out.truncate(start);
        fold_into(word, out);
    }
}

/// Buffers reused from word to word.
#[derive(Debug, Default)]
struct Buffers {
    folded: String,
    latin: String,
}

/// The general path: fold (character by character in the common scripts, else with Unicode
/// normalisation), transliterate, skeletonise.
fn unicode_word(text: &str, start: usize, end: usize, keys: &WordKeys, buffers: &mut Buffers) -> Word {
    let word = text.get(start..end).unwrap_or_default();
    let folded = &mut buffers.folded;
    folded.clear();
    fold_fast_into(word, folded);
    let latin = &mut buffers.latin;
    latin.clear();
    to_latin_into(folded, latin);
    let mut skeleton = SkeletonBuilder::new(WordHash(keys.skeleton_seed));
    for c in latin.chars() {
        skeleton.push_char(c);
    }
    Word {
        start: start as u32,
        end: end as u32,
        exact: exact_key(keys, folded),
        skeleton: skeleton.finish().finish(),
        particle: is_particle(latin),
        flags: 0,
    }
}

/// The keys of a word computed the slow way, from [`crate::fold()`] and [`crate::skeleton()`]
/// strings: what [`words`] must agree with.
pub fn reference_keys(keys: &WordKeys, word: &str) -> (u64, u64) {
    let mut skeleton = WordHash(keys.skeleton_seed);
    crate::skeleton(word).bytes().for_each(|b| skeleton.push(b));
    (exact_key(keys, &crate::fold(word)), skeleton.finish())
}
