//! Whole-word matching of many names at once.
//!
//! Every name form (a name or an alias) is split into words by the same scanner as the text.
//! A form matches where the text has the same words in the same order, compared in one of two
//! ways:
//! - **exact**: folded words equal (case, width, diacritics, Arabic and Cyrillic forms);
//! - **transliteration**: skeletons equal, particles (`al-`, `аль-`) skipped on both sides.
//!   Only forms of at least two words and five skeleton letters take part: shorter skeletons
//!   are too coarse to mean anything.
//!
//! Words are compared through their hashes and every candidate is then checked on the strings,
//! so a hash collision can cost time but never produce a false match. A text is scanned once;
//! each word costs a probe of a small bit filter, and only words that begin some form go on to
//! a table lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::fold::fold;
use crate::skeleton::skeleton;
use crate::words::{Word, WordKeys, words};

/// How a name form was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchMethod {
    /// The folded words are equal.
    Exact,
    /// The transliterated skeletons are equal (see [`crate::skeleton()`]).
    Transliteration,
}

impl MatchMethod {
    /// The method's name in alerts and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::Exact => "exact",
            MatchMethod::Transliteration => "transliteration",
        }
    }
}

/// One match of a name form in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// The caller's id of the name the form belongs to.
    pub id: u32,
    /// The index of the form among those given to [`NameMatcher::new`].
    pub form: u32,
    /// Byte span of the match in the text.
    pub span: Range<usize>,
    /// How the words were compared.
    pub method: MatchMethod,
}

/// One form to compile: a name or an alias of the caller's entry `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameForm<'a> {
    /// The caller's id, reported with every match.
    pub id: u32,
    /// The form as written.
    pub text: &'a str,
    /// Whether the form may also match by transliteration (names: yes; indicator values and
    /// exact phrases: no).
    pub transliterate: bool,
}

impl<'a> NameForm<'a> {
    /// A name form that matches exactly and by transliteration.
    pub fn name(id: u32, text: &'a str) -> NameForm<'a> {
        NameForm { id, text, transliterate: true }
    }

    /// A form that matches only exactly.
    pub fn exact(id: u32, text: &'a str) -> NameForm<'a> {
        NameForm { id, text, transliterate: false }
    }
}

/// Why a name form was left out of a matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameWarning {
    /// The form has no letters or digits.
    NoWords {
        /// The form's index.
        form: u32,
    },
    /// The form is one character: it would match every occurrence of that letter.
    TooShort {
        /// The form's index.
        form: u32,
    },
    /// The same name already has a form with the same folded words.
    Duplicate {
        /// The form's index.
        form: u32,
        /// The index of the form it repeats.
        of: u32,
    },
}

impl std::fmt::Display for NameWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameWarning::NoWords { .. } => f.write_str("the name has no letters or digits"),
            NameWarning::TooShort { .. } => f.write_str("the name is a single character"),
            NameWarning::Duplicate { of, .. } => write!(f, "the name repeats form {of}"),
        }
    }
}

/// Reusable buffers for [`NameMatcher::find`], one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    words: Vec<Word>,
    skeleton_words: Vec<u32>,
}

/// A compiled set of name forms.
#[derive(Debug)]
pub struct NameMatcher {
    keys: WordKeys,
    forms: Vec<Form>,
    exact_first: KeyTable,
    skeleton_first: KeyTable,
    filter: BitFilter,
    has_skeleton_forms: bool,
}

#[derive(Debug)]
struct Form {
    id: u32,
    exact: Box<[u64]>,
    folded: Box<[Box<str>]>,
    /// The skeleton keys and strings of the non-particle words, when the form is long enough.
    skeleton: Option<SkeletonForm>,
}

/// The skeleton keys and strings of a form's non-particle words.
type SkeletonForm = (Box<[u64]>, Box<[Box<str>]>);

/// Minimum words and skeleton letters for a form to match by transliteration.
const SKELETON_MIN_WORDS: usize = 2;
const SKELETON_MIN_LETTERS: usize = 5;

impl NameMatcher {
    /// Compiles name forms; forms that cannot match sensibly are left out
    /// with a warning.
    pub fn new<'a>(forms: impl IntoIterator<Item = NameForm<'a>>) -> (NameMatcher, Vec<NameWarning>) {
        NameMatcher::with_keys(forms, WordKeys::random())
    }

    /// [`NameMatcher::new`] with given hash seeds (for reproducible tests).
    pub fn with_keys<'a>(
        forms: impl IntoIterator<Item = NameForm<'a>>,
        keys: WordKeys,
    ) -> (NameMatcher, Vec<NameWarning>) {
        let mut warnings = Vec::new();
        let mut compiled = Vec::new();
        let mut exact_first: HashMap<u64, Vec<u32>, KeyBuild> = HashMap::default();
        let mut skeleton_first: HashMap<u64, Vec<u32>, KeyBuild> = HashMap::default();
        let mut seen: HashMap<(u32, Box<[u64]>), u32> = HashMap::new();
        let mut scanned = Vec::new();
        for (index, NameForm { id, text, transliterate }) in forms.into_iter().enumerate() {
            let index = index as u32;
            scanned.clear();
            words(text, &keys, &mut scanned);
            if scanned.is_empty() {
                warnings.push(NameWarning::NoWords { form: index });
                compiled.push(None);
                continue;
            }
            if scanned.len() == 1 && text.trim().chars().count() == 1 {
                warnings.push(NameWarning::TooShort { form: index });
                compiled.push(None);
                continue;
            }
            let exact: Box<[u64]> = scanned.iter().map(|w| w.exact).collect();
            if let Some(&of) = seen.get(&(id, exact.clone())) {
                warnings.push(NameWarning::Duplicate { form: index, of });
                compiled.push(None);
                continue;
            }
            seen.insert((id, exact.clone()), index);
            let word_text = |w: &Word| text.get(w.start as usize..w.end as usize).unwrap_or_default();
            let folded = scanned.iter().map(|w| fold(word_text(w)).into_boxed_str()).collect();
            let kept: Vec<&Word> = scanned.iter().filter(|w| !w.particle).collect();
            let skeletons: Vec<String> = kept.iter().map(|w| skeleton(word_text(w))).collect();
            let letters: usize = skeletons.iter().map(|s| s.chars().count()).sum();
            let skeleton_part = (transliterate
                && kept.len() >= SKELETON_MIN_WORDS
                && letters >= SKELETON_MIN_LETTERS)
                .then(|| {
                    (
                        kept.iter().map(|w| w.skeleton).collect::<Box<[u64]>>(),
                        skeletons.into_iter().map(String::into_boxed_str).collect::<Box<[Box<str>]>>(),
                    )
                });
            exact_first.entry(exact[0]).or_default().push(index);
            if let Some((keys, _)) = &skeleton_part {
                skeleton_first.entry(keys[0]).or_default().push(index);
            }
            compiled.push(Some(Form { id, exact, folded, skeleton: skeleton_part }));
        }
        let mut filter = BitFilter::with_capacity(exact_first.len() + skeleton_first.len());
        exact_first.keys().chain(skeleton_first.keys()).for_each(|&key| filter.insert(key));
        let has_skeleton_forms = !skeleton_first.is_empty();
        // Left-out forms keep their index (alerts name forms by index) as unmatched placeholders.
        let forms = compiled
            .into_iter()
            .map(|form| {
                form.unwrap_or(Form {
                    id: u32::MAX,
                    exact: Box::new([]),
                    folded: Box::new([]),
                    skeleton: None,
                })
            })
            .collect();
        let matcher = NameMatcher {
            keys,
            forms,
            exact_first: KeyTable::from(exact_first),
            skeleton_first: KeyTable::from(skeleton_first),
            filter,
            has_skeleton_forms,
        };
        (matcher, warnings)
    }

    /// How many forms were given (left-out forms included).
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    /// Whether no forms were given.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The seeds this matcher hashes words with.
    pub fn keys(&self) -> &WordKeys {
        &self.keys
    }

    /// Appends the matches of every form in `text` to `out`, in the order of their first word.
    /// A transliteration match is not reported where the same form matched exactly.
    pub fn find(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<NameMatch>) {
        scratch.words.clear();
        words(text, &self.keys, &mut scratch.words);
        let text_words = &scratch.words;
        let first_exact = out.len();
        for (position, word) in text_words.iter().enumerate() {
            if !self.filter.contains(word.exact) {
                continue;
            }
            for &index in self.exact_first.get(word.exact) {
                let form = &self.forms[index as usize];
                let Some(candidate) = text_words.get(position..position + form.exact.len()) else { continue };
                let keys_equal = candidate.iter().zip(form.exact.iter()).all(|(w, &k)| w.exact == k);
                if keys_equal && strings_equal(text, candidate, &form.folded, MatchMethod::Exact) {
                    out.push(NameMatch {
                        id: form.id,
                        form: index,
                        span: span_of(candidate),
                        method: MatchMethod::Exact,
                    });
                }
            }
        }
        if !self.has_skeleton_forms {
            return;
        }
        let exact_end = out.len();
        scratch.skeleton_words.clear();
        scratch
            .skeleton_words
            .extend(text_words.iter().enumerate().filter(|(_, w)| !w.particle).map(|(i, _)| i as u32));
        let kept = &scratch.skeleton_words;
        for (position, &word_index) in kept.iter().enumerate() {
            let word = &text_words[word_index as usize];
            if !self.filter.contains(word.skeleton) {
                continue;
            }
            for &index in self.skeleton_first.get(word.skeleton) {
                let form = &self.forms[index as usize];
                let Some((keys, strings)) = &form.skeleton else { continue };
                let Some(candidate_indices) = kept.get(position..position + keys.len()) else { continue };
                let candidate: Vec<Word> =
                    candidate_indices.iter().map(|&i| text_words[i as usize]).collect();
                let keys_equal = candidate.iter().zip(keys.iter()).all(|(w, &k)| w.skeleton == k);
                if !keys_equal || !strings_equal(text, &candidate, strings, MatchMethod::Transliteration) {
                    continue;
                }
                let span = span_of(&candidate);
                let overlaps_exact = out[first_exact..exact_end]
                    .iter()
                    .any(|m| m.form == index && m.span.start < span.end && span.start < m.span.end);
                if !overlaps_exact {
                    out.push(NameMatch {
                        id: form.id,
                        form: index,
                        span,
                        method: MatchMethod::Transliteration,
                    });
                }
            }
        }
    }
}

fn span_of(candidate: &[Word]) -> Range<usize> {
    let start = candidate.first().map_or(0, |w| w.start as usize);
    let end = candidate.last().map_or(0, |w| w.end as usize);
    start..end
}

/// Checks a candidate whose hashes matched on the strings themselves.
fn strings_equal(text: &str, candidate: &[Word], expected: &[Box<str>], method: MatchMethod) -> bool {
    candidate.iter().zip(expected.iter()).all(|(word, expected)| {
        let source = text.get(word.start as usize..word.end as usize).unwrap_or_default();
        match method {
            MatchMethod::Exact if source.is_ascii() => source.eq_ignore_ascii_case(expected),
            MatchMethod::Exact => *fold(source) == **expected,
            MatchMethod::Transliteration => *skeleton(source) == **expected,
        }
    })
}

/// The word keys are hashes already: the table uses them as they are.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8)) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type KeyBuild = BuildHasherDefault<KeyHasher>;

/// First-word key → the forms that begin with it, flattened.
#[derive(Debug)]
struct KeyTable {
    ranges: HashMap<u64, (u32, u32), KeyBuild>,
    forms: Vec<u32>,
}

impl KeyTable {
    fn get(&self, key: u64) -> &[u32] {
        match self.ranges.get(&key) {
            Some(&(start, end)) => &self.forms[start as usize..end as usize],
            None => &[],
        }
    }
}

impl From<HashMap<u64, Vec<u32>, KeyBuild>> for KeyTable {
    fn from(map: HashMap<u64, Vec<u32>, KeyBuild>) -> KeyTable {
        let mut forms = Vec::new();
        let mut ranges = HashMap::with_capacity_and_hasher(map.len(), KeyBuild::default());
        for (key, list) in map {
            let start = forms.len() as u32;
            forms.extend(list);
            ranges.insert(key, (start, forms.len() as u32));
        }
        KeyTable { ranges, forms }
    }
}

/// A one-hash bit filter over first-word keys: most words of a text begin no name, and this
/// answers them from a table small enough for the cache.
#[derive(Debug)]
struct BitFilter {
    bits: Vec<u64>,
    shift: u32,
}

impl BitFilter {
    fn with_capacity(keys: usize) -> BitFilter {
        // About 16 bits a key: a 1 in 16 chance that an unrelated word passes.
        let bits = (keys.max(1) * 16).next_power_of_two().max(1 << 12);
        BitFilter { bits: vec![0; bits / 64], shift: 64 - bits.trailing_zeros() }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    fn insert(&mut self, key: u64) {
        let slot = self.slot(key);
        self.bits[slot / 64] |= 1 << (slot % 64);
    }

    #[inline]
    fn contains(&self, key: u64) -> bool {
        let slot = self.slot(key);
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
}
