//! Whole-word matching of many names at once.
//!
//! Every name form (a name or an alias) is split into words by the same scanner as the text.
//! A form matches where the text has the same words in the same order, compared in one of two
//! ways:
//! - **exact**: folded words equal (case, width, diacritics, Arabic and Cyrillic forms);
//! - **transliteration**: skeletons equal, particles (`al-`, `аль-`) skipped on both sides,
//!   and evidence beyond the skeleton: every word, romanised, within a few edits of the listed
//!   word ([`evidence_allows`]), and one word written in another script than the listed one or
//!   spelled exactly as listed. Only forms of at least two words and four skeleton letters take
//!   part: shorter skeletons are too coarse to mean anything, and skeletons alone would make
//!   common words of any text look like names.
//!
//! - **near miss** (forms that ask for it: watchlist names): a misspelt name ("Abu Bakr
//!   al-Bagdhadi", "Abdulhai Saleq"), the same number of words with at most one of them (two in
//!   forms of four words or more) within [`near_miss_allows`] edits of the listed word and the
//!   others equal folded. One of the first two words must be equal and the other begin with the
//!   same letter: that pair is the key a candidate is found by (the whole word never a
//!   particle such as `al` or `abu`, which would file thousands of names under one key), so a
//!   text costs one more probe of a bit filter per word that can begin or continue such a form,
//!   and misses with two wrong leading words or a wrong initial are not sought. Words under [`NEAR_MISS_MIN_CHARS`]
//!   letters and one-word forms never match this way: too many ordinary words are one edit
//!   from a short name.
//!
//! Words are compared through their hashes and every candidate is then checked on the strings,
//! so a hash collision can cost time but never produce a false match. A text is scanned once;
//! each word costs a probe of a small bit filter, and only words that begin some form go on to
//! a table lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::fold::{Script, script_of};
use crate::skeleton::{to_latin, to_latin_into};
use crate::words::{Word, WordCache, WordKeys, words, words_flagged};

/// How a name form was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchMethod {
    /// The folded words are equal.
    Exact,
    /// The transliterated skeletons are equal (see [`crate::skeleton()`]).
    Transliteration,
    /// A word or two within a few edits of the listed ones, the rest equal.
    NearMiss,
}

impl MatchMethod {
    /// The method's name in alerts and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::Exact => "exact",
            MatchMethod::Transliteration => "transliteration",
            MatchMethod::NearMiss => "near-miss",
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
    /// Whether the form may also match misspelt (watchlist names: yes; the gazetteer's
    /// entity names, indicator values and rule terms: no).
    pub near_misses: bool,
}

impl<'a> NameForm<'a> {
    /// A name form that matches exactly, by transliteration and misspelt.
    pub fn name(id: u32, text: &'a str) -> NameForm<'a> {
        NameForm { id, text, transliterate: true, near_misses: true }
    }

    /// A form that matches only exactly.
    pub fn exact(id: u32, text: &'a str) -> NameForm<'a> {
        NameForm { id, text, transliterate: false, near_misses: false }
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
    /// Positions of the words that are not particles.
    kept: Vec<u32>,
    /// A candidate's words.
    candidate: Vec<Word>,
    cache: WordCache,
    forms: WordForms,
}

/// The folded, romanised and skeleton forms of one text word, in buffers reused from candidate
/// to candidate (verification runs on every candidate, and most fail).
#[derive(Debug, Default)]
struct WordForms {
    folded: String,
    latin: String,
    skeleton: String,
}

impl WordForms {
    /// The folded form only (what exact verification compares).
    fn fill_folded(&mut self, word: &str) {
        self.folded.clear();
        crate::words::fold_fast_into(word, &mut self.folded);
    }

    /// The folded, romanised and skeleton forms (what transliteration verification compares).
    fn fill(&mut self, word: &str) {
        self.fill_folded(word);
        self.latin.clear();
        to_latin_into(&self.folded, &mut self.latin);
        self.skeleton.clear();
        crate::skeleton::skeleton_of_latin_into(&self.latin, &mut self.skeleton);
    }
}

/// A compiled set of name forms.
#[derive(Debug)]
pub struct NameMatcher {
    keys: WordKeys,
    forms: Vec<Form>,
    exact_first: KeyTable,
    skeleton_first: KeyTable,
    /// Skeleton forms of two Latin words, apart: they match two Latin words of a text only
    /// through a word spelled as listed (the evidence rule's anchor), so a pair of Latin words
    /// neither of which is any listed word does not look them up. Most pairs of a Latin text
    /// whose skeletons begin a form are of this kind ("market report" and "Marikat Raporti").
    latin_pair_first: KeyTable,
    filter: BitFilter,
    /// The roles of words in forms, by exact key and by skeleton key: in a form, first word,
    /// second word. A pair is looked up only when its first word can begin a form and its second
    /// can follow.
    exact_roles: RoleFilter,
    skeleton_roles: RoleFilter,
    /// Near-miss keys ([`near_keys`]) → forms, and their filter.
    near_first: KeyTable,
    near_filter: BitFilter,
    /// Tells this matcher's word caches from another's.
    id: u64,
    has_skeleton_forms: bool,
}

/// The shortest listed word (in characters) that may be matched misspelt.
pub const NEAR_MISS_MIN_CHARS: usize = 4;

/// [`Word::flags`] as the matcher sets them: whether a word can begin a form.
const BEGINS_EXACT: u8 = 1;
const SECOND_EXACT: u8 = 2;
const IN_EXACT: u8 = 4;
const BEGINS_SKELETON: u8 = 8;
const SECOND_SKELETON: u8 = 16;
const IN_SKELETON: u8 = 32;
/// Near-miss roles, by exact key: the first word of a form filed under a near-miss key with the
/// second word's initial, and the second word of one filed under the first word's initial.
/// Only words with these look up near-miss keys: the exact roles would send every word of a
/// Chinese text (each character a word, most in some listed name) to a table probe.
const NEAR_FIRST: u8 = 64;
const NEAR_SECOND: u8 = 128;

#[derive(Debug)]
struct Form {
    id: u32,
    exact: Box<[u64]>,
    folded: Box<[Box<str>]>,
    /// The skeleton keys and strings of the non-particle words, when the form is long enough.
    skeleton: Option<SkeletonForm>,
}

/// The skeleton keys and strings of a form's non-particle words.
#[derive(Debug)]
struct SkeletonForm {
    keys: Box<[u64]>,
    /// The exact keys of the same words.
    exact: Box<[u64]>,
    skeletons: Box<[Box<str>]>,
    /// The non-particle words romanised (`to_latin` of the folded word) and their scripts,
    /// for the evidence rule.
    latin: Box<[Box<str>]>,
    scripts: Box<[Script]>,
    folded: Box<[Box<str>]>,
}

/// One word of a form as the matcher compares it: folded, romanised and its skeleton, each
/// computed once (compiling 100k names is most of a screening run's start).
struct FormWord {
    folded: String,
    latin: String,
    skeleton: String,
}

impl FormWord {
    /// [`crate::fold()`], [`to_latin`] and [`crate::skeleton()`] of `word` (folded character by
    /// character where the common scripts allow, as the text's words are).
    fn of(word: &str) -> FormWord {
        let mut folded = String::with_capacity(word.len());
        crate::words::fold_fast_into(word, &mut folded);
        let latin = to_latin(&folded);
        let mut skeleton = String::with_capacity(latin.len());
        crate::skeleton::skeleton_of_latin_into(&latin, &mut skeleton);
        FormWord { folded, latin, skeleton }
    }
}

/// Minimum words and skeleton letters for a form to match by transliteration.
const SKELETON_MIN_WORDS: usize = 2;
const SKELETON_MIN_LETTERS: usize = 4;

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
        let mut compiled: Vec<Option<Form>> = Vec::new();
        // (key, form) pairs, grouped into tables at the end: a list per key would be an
        // allocation per key.
        let mut exact_first: Vec<(u64, u32)> = Vec::new();
        let mut skeleton_first: Vec<(u64, u32)> = Vec::new();
        let mut latin_pair_first: Vec<(u64, u32)> = Vec::new();
        // Forms by a hash of their name's id and word keys, to find duplicates (checked on the
        // forms themselves).
        let mut seen: HashMap<u64, Vec<u32>, KeyBuild> = HashMap::default();
        let mut scanned = Vec::new();
        let mut exact_roles: HashMap<u64, u8, KeyBuild> = HashMap::default();
        let mut skeleton_roles: HashMap<u64, u8, KeyBuild> = HashMap::default();
        let mut near_first: Vec<(u64, u32)> = Vec::new();
        for (index, NameForm { id, text, transliterate, near_misses }) in forms.into_iter().enumerate() {
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
            let identity = exact.iter().fold(u64::from(id) ^ 0x6475_706c, |hash, &key| {
                (hash.rotate_left(23) ^ key).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            });
            let same_forms = seen.entry(identity).or_default();
            let repeated = same_forms.iter().copied().find(|&of| {
                matches!(compiled.get(of as usize), Some(Some(form)) if form.id == id && form.exact == exact)
            });
            if let Some(of) = repeated {
                warnings.push(NameWarning::Duplicate { form: index, of });
                compiled.push(None);
                continue;
            }
            same_forms.push(index);
            let word_text = |w: &Word| text.get(w.start as usize..w.end as usize).unwrap_or_default();
            let word_forms: Vec<FormWord> = scanned.iter().map(|w| FormWord::of(word_text(w))).collect();
            let folded = word_forms.iter().map(|w| w.folded.as_str().into()).collect();
            let kept: Vec<(&Word, &FormWord)> =
                scanned.iter().zip(&word_forms).filter(|(w, _)| !w.particle).collect();
            let letters: usize = kept.iter().map(|(_, f)| f.skeleton.chars().count()).sum();
            let skeleton_part = (transliterate
                && kept.len() >= SKELETON_MIN_WORDS
                && letters >= SKELETON_MIN_LETTERS)
                .then(|| SkeletonForm {
                    keys: kept.iter().map(|(w, _)| w.skeleton).collect(),
                    exact: kept.iter().map(|(w, _)| w.exact).collect(),
                    skeletons: kept.iter().map(|(_, f)| f.skeleton.as_str().into()).collect(),
                    latin: kept.iter().map(|(_, f)| f.latin.as_str().into()).collect(),
                    folded: kept.iter().map(|(_, f)| f.folded.as_str().into()).collect(),
                    scripts: kept.iter().map(|(w, _)| script_of(word_text(w))).collect(),
                });
            exact_first.push((lead_key(&exact), index));
            note_roles(&mut exact_roles, &exact, BEGINS_EXACT, SECOND_EXACT, IN_EXACT);
            if let Some(SkeletonForm { keys, scripts, .. }) = &skeleton_part {
                let table = if keys.len() == 2 && scripts.iter().all(|&s| s == Script::Latin) {
                    &mut latin_pair_first
                } else {
                    &mut skeleton_first
                };
                table.push((lead_key(keys), index));
                note_roles(&mut skeleton_roles, keys, BEGINS_SKELETON, SECOND_SKELETON, IN_SKELETON);
            }
            let folded: Box<[Box<str>]> = folded;
            if near_misses {
                let particles: Vec<bool> = scanned.iter().map(|w| w.particle).collect();
                let (first, second) = near_keys(&exact, &folded, &particles);
                if let Some(key) = first {
                    near_first.push((key, index));
                    *exact_roles.entry(exact[0]).or_default() |= NEAR_FIRST;
                }
                if let Some(key) = second {
                    near_first.push((key, index));
                    *exact_roles.entry(exact[1]).or_default() |= NEAR_SECOND;
                }
            }
            compiled.push(Some(Form { id, exact, folded, skeleton: skeleton_part }));
        }
        let exact_roles = RoleFilter::new(&exact_roles);
        let skeleton_roles = RoleFilter::new(&skeleton_roles);
        let has_skeleton_forms = !skeleton_first.is_empty() || !latin_pair_first.is_empty();
        let (exact_first, skeleton_first, latin_pair_first, near_first) = (
            KeyTable::from_pairs(exact_first),
            KeyTable::from_pairs(skeleton_first),
            KeyTable::from_pairs(latin_pair_first),
            KeyTable::from_pairs(near_first),
        );
        let mut filter = BitFilter::with_capacity(
            exact_first.ranges.len() + skeleton_first.ranges.len() + latin_pair_first.ranges.len(),
        );
        exact_first
            .ranges
            .keys()
            .chain(skeleton_first.ranges.keys())
            .chain(latin_pair_first.ranges.keys())
            .for_each(|&key| filter.insert(key));
        let mut near_filter = BitFilter::with_capacity(near_first.ranges.len());
        near_first.ranges.keys().for_each(|&key| near_filter.insert(key));
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
            exact_first,
            skeleton_first,
            latin_pair_first,
            filter,
            exact_roles,
            skeleton_roles,
            near_first,
            near_filter,
            id: WordKeys::random().seed(),
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
    /// A transliteration match is not reported where the same form matched exactly, nor a near
    /// miss where the same form matched either way.
    pub fn find(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<NameMatch>) {
        scratch.words.clear();
        let flag_of = |word: &Word| self.exact_roles.get(word.exact) | self.skeleton_roles.get(word.skeleton);
        words_flagged(text, &self.keys, &mut scratch.cache, (self.id, &flag_of), &mut scratch.words);
        let text_words = &scratch.words;
        let first_exact = out.len();
        for position in 0..text_words.len() {
            if text_words[position].flags & BEGINS_EXACT == 0 {
                continue;
            }
            let next = text_words.get(position + 1).filter(|w| w.flags & SECOND_EXACT != 0).map(|w| w.exact);
            for lead in lead_keys(text_words[position].exact, next) {
                if !self.filter.contains(lead) {
                    continue;
                }
                for &index in self.exact_first.get(lead) {
                    let form = &self.forms[index as usize];
                    let Some(candidate) = text_words.get(position..position + form.exact.len()) else {
                        continue;
                    };
                    let keys_equal = candidate.iter().zip(form.exact.iter()).all(|(w, &k)| w.exact == k);
                    if keys_equal && exact_strings_equal(text, candidate, &form.folded, &mut scratch.forms) {
                        out.push(NameMatch {
                            id: form.id,
                            form: index,
                            span: span_of(candidate),
                            method: MatchMethod::Exact,
                        });
                    }
                }
            }
        }
        if self.has_skeleton_forms {
            self.find_transliterations(text, scratch, first_exact, out);
        }
        if !self.near_first.forms.is_empty() {
            self.find_near_misses(text, scratch, first_exact, out);
        }
    }

    fn find_transliterations(
        &self,
        text: &str,
        scratch: &mut Scratch,
        first_exact: usize,
        out: &mut Vec<NameMatch>,
    ) {
        let Scratch { words: text_words, kept, candidate, forms, .. } = scratch;
        let exact_end = out.len();
        // Particles are skipped in skeleton comparison: `kept` holds the positions of the other
        // words. Half the words of a text can begin a skeleton form or follow in one, so a
        // branch on each word's roles is mispredicted as often as not: the positions and the
        // pairs whose roles fit are found without branches, and only those are looked at.
        kept.clear();
        kept.resize(text_words.len(), 0);
        let mut count = 0;
        for (position, word) in text_words.iter().enumerate() {
            kept[count] = position as u32;
            count += usize::from(!word.particle);
        }
        kept.truncate(count);
        let pairs = count.saturating_sub(1);
        for block in (0..pairs).step_by(64) {
            let mut starts = 0u64;
            for at in block..pairs.min(block + 64) {
                let begins = text_words[kept[at] as usize].flags & BEGINS_SKELETON != 0;
                let follows = text_words[kept[at + 1] as usize].flags & SECOND_SKELETON != 0;
                starts |= u64::from(begins & follows) << (at - block);
            }
            while starts != 0 {
                let at = block + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                self.transliterations_at(
                    text,
                    text_words,
                    &kept[at..],
                    (candidate, forms),
                    first_exact..exact_end,
                    out,
                );
            }
        }
    }

    /// The transliteration matches of the forms whose first two words' skeletons are those of
    /// the text's words at `kept[0]` and `kept[1]`.
    fn transliterations_at(
        &self,
        text: &str,
        text_words: &[Word],
        kept: &[u32],
        (candidate, forms): (&mut Vec<Word>, &mut WordForms),
        exact: Range<usize>,
        out: &mut Vec<NameMatch>,
    ) {
        let (word, next) = (&text_words[kept[0] as usize], &text_words[kept[1] as usize]);
        let lead = pair_key(word.skeleton, next.skeleton);
        if !self.filter.contains(lead) {
            return;
        }
        let source_of = |w: &Word| text.get(w.start as usize..w.end as usize).unwrap_or_default();
        let latin_pair_may_anchor = (word.flags | next.flags) & IN_EXACT != 0
            || script_of(source_of(word)) != Script::Latin
            || script_of(source_of(next)) != Script::Latin;
        let latin_pairs = if latin_pair_may_anchor { self.latin_pair_first.get(lead) } else { &[] };
        for &index in self.skeleton_first.get(lead).iter().chain(latin_pairs) {
            let form = &self.forms[index as usize];
            let Some(skeleton_form) = &form.skeleton else { continue };
            let Some(positions) = kept.get(..skeleton_form.keys.len()) else { continue };
            candidate.clear();
            candidate.extend(positions.iter().map(|&p| text_words[p as usize]));
            let keys_equal = candidate.iter().zip(skeleton_form.keys.iter()).all(|(w, &k)| w.skeleton == k);
            if !keys_equal || !transliteration_verified(text, candidate, skeleton_form, forms) {
                continue;
            }
            let span = span_of(candidate);
            let overlaps_exact = out[exact.clone()]
                .iter()
                .any(|m| m.form == index && m.span.start < span.end && span.start < m.span.end);
            if !overlaps_exact {
                out.push(NameMatch { id: form.id, form: index, span, method: MatchMethod::Transliteration });
            }
        }
    }

    /// Near misses: at each pair of words where the first can begin a form and the second
    /// continue one, the forms keyed by (first word, initial of the second) and (initial of the
    /// first, second word) are checked word by word on the strings.
    fn find_near_misses(
        &self,
        text: &str,
        scratch: &mut Scratch,
        first_found: usize,
        out: &mut Vec<NameMatch>,
    ) {
        let Scratch { words: text_words, forms, .. } = scratch;
        for position in 0..text_words.len().saturating_sub(1) {
            let (word, next) = (&text_words[position], &text_words[position + 1]);
            let first_listed = word.flags & NEAR_FIRST != 0;
            let second_listed = next.flags & NEAR_SECOND != 0;
            if !first_listed && !second_listed {
                continue;
            }
            let word_text = |w: &Word| text.get(w.start as usize..w.end as usize).unwrap_or_default();
            let mut keys = [None, None];
            if first_listed {
                keys[0] = folded_initial(word_text(next), &mut forms.folded).map(|c| near_key(word.exact, c));
            }
            if second_listed {
                keys[1] = folded_initial(word_text(word), &mut forms.folded)
                    .map(|c| near_key_second(c, next.exact));
            }
            for key in keys.into_iter().flatten() {
                if !self.near_filter.contains(key) {
                    continue;
                }
                for &index in self.near_first.get(key) {
                    let form = &self.forms[index as usize];
                    let Some(candidate) = text_words.get(position..position + form.exact.len()) else {
                        continue;
                    };
                    if !near_miss_verified(text, candidate, &form.folded, forms) {
                        continue;
                    }
                    let span = span_of(candidate);
                    let already = out[first_found..]
                        .iter()
                        .any(|m| m.form == index && m.span.start < span.end && span.start < m.span.end);
                    if !already {
                        out.push(NameMatch { id: form.id, form: index, span, method: MatchMethod::NearMiss });
                    }
                }
            }
        }
    }
}

/// The near-miss keys a form is filed under, each anchored on a whole word that is not a
/// particle (`al`, `abu`, `bin` would file thousands of names under one key): its first word
/// with the initial of its second (a miss in the second word or later), and the initial of its
/// first with its second word (a miss in the first word, when it is long enough to be misspelt,
/// or in the third or later when the first word cannot anchor). None for one-word forms or
/// forms without a word long enough to miss.
fn near_keys(exact: &[u64], folded: &[Box<str>], particles: &[bool]) -> (Option<u64>, Option<u64>) {
    let long_enough = |word: &str| word.chars().count() >= NEAR_MISS_MIN_CHARS;
    let ([first, second, ..], [first_text, second_text, ..], [first_particle, second_particle, ..]) =
        (exact, folded, particles)
    else {
        return (None, None);
    };
    if !folded.iter().any(|w| long_enough(w)) {
        return (None, None);
    }
    let by_first =
        second_text.chars().next().filter(|_| !first_particle).map(|initial| near_key(*first, initial));
    let by_second = first_text
        .chars()
        .next()
        .filter(|_| !second_particle && (long_enough(first_text) || by_first.is_none()))
        .map(|initial| near_key_second(initial, *second));
    (by_first, by_second)
}

fn initial_key(initial: char) -> u64 {
    (u64::from(initial) ^ 0x6e65_6172).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The key of a listed first word followed by a word beginning with `initial`.
fn near_key(first: u64, initial: char) -> u64 {
    pair_key(first, initial_key(initial))
}

/// The key of a word beginning with `initial` followed by a listed second word (salted apart
/// from [`near_key`], whose arguments come in the other order).
fn near_key_second(initial: char, second: u64) -> u64 {
    pair_key(initial_key(initial).rotate_left(17) ^ 0x5345_434f_4e44, second)
}

/// The first character of a word as [`crate::fold()`] folds it.
fn folded_initial(word: &str, buffer: &mut String) -> Option<char> {
    let first = word.chars().next()?;
    if first.is_ascii() {
        return Some(first.to_ascii_lowercase());
    }
    buffer.clear();
    if !crate::fold::fold_char_fast(first, buffer) || buffer.is_empty() {
        buffer.clear();
        crate::fold::fold_into(word, buffer);
    }
    buffer.chars().next()
}

/// Checks a near-miss candidate: every word equal to the listed one when folded, or (for
/// listed words of [`NEAR_MISS_MIN_CHARS`] letters or more) within [`near_miss_allows`]
/// edits; one word differing at least (else it is an exact match), and at most one (two in
/// forms of four words or more).
fn near_miss_verified(text: &str, candidate: &[Word], listed: &[Box<str>], forms: &mut WordForms) -> bool {
    let most_differing = if listed.len() >= 4 { 2 } else { 1 };
    let mut differing = 0;
    for (word, listed) in candidate.iter().zip(listed.iter()) {
        let source = text.get(word.start as usize..word.end as usize).unwrap_or_default();
        forms.fill_folded(source);
        if *forms.folded == **listed {
            continue;
        }
        differing += 1;
        if differing > most_differing || !near_miss_allows(&forms.folded, listed) {
            return false;
        }
    }
    differing > 0
}

/// The near-miss rule on one word, both folded: the listed word has [`NEAR_MISS_MIN_CHARS`]
/// characters or more, and the text's word is one edit from it (an insertion, a deletion, a
/// substitution or two neighbours swapped), or two for listed words of ten characters or
/// more. "Bagdhadi" and "Baghdadi", "Saleq" and "Salek" pass; "Ali" and "Alu" do not.
pub fn near_miss_allows(written: &str, listed: &str) -> bool {
    let length = listed.chars().count();
    if length < NEAR_MISS_MIN_CHARS {
        return false;
    }
    let allowed = if length >= 10 { 2 } else { 1 };
    let written_length = written.chars().count();
    written_length.abs_diff(length) <= allowed && osa_distance(written, listed) <= allowed
}

/// Edit distance with swaps of two neighbours counted as one edit (optimal string alignment),
/// in characters, over at most the first 64 characters of each string (on the stack; the name
/// matcher's typo scoring uses it too).
pub fn osa_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let mut a_chars = ['\0'; MAX];
    let mut b_chars = ['\0'; MAX];
    let mut a_len = 0;
    for (slot, c) in a_chars.iter_mut().zip(a.chars()) {
        *slot = c;
        a_len += 1;
    }
    let mut b_len = 0;
    for (slot, c) in b_chars.iter_mut().zip(b.chars()) {
        *slot = c;
        b_len += 1;
    }
    let (a, b) = (&a_chars[..a_len], &b_chars[..b_len]);
    // Three rows: two back (for swaps), one back, current.
    let mut before = [0usize; MAX + 1];
    let mut previous = [0usize; MAX + 1];
    let mut current = [0usize; MAX + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = previous;
        previous = current;
    }
    previous[b.len()]
}

/// The key a form is filed under: its first two words together (one word for one-word forms),
/// so that a common first word ("Abu", "Mohammed") does not make every text word that equals it
/// check thousands of forms.
fn lead_key(keys: &[u64]) -> u64 {
    match keys {
        [first, second, ..] => pair_key(*first, *second),
        [only] => *only,
        [] => 0,
    }
}

/// The lead keys a text position can match: its word alone, and with the next word.
fn lead_keys(word: u64, next: Option<u64>) -> impl Iterator<Item = u64> {
    std::iter::once(word).chain(next.map(|next| pair_key(word, next)))
}

fn pair_key(first: u64, second: u64) -> u64 {
    let mixed = (first ^ second.rotate_left(29)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    mixed ^ (mixed >> 32)
}

fn span_of(candidate: &[Word]) -> Range<usize> {
    let start = candidate.first().map_or(0, |w| w.start as usize);
    let end = candidate.last().map_or(0, |w| w.end as usize);
    start..end
}

/// Checks an exact candidate whose hashes matched on the folded strings themselves.
fn exact_strings_equal(text: &str, candidate: &[Word], expected: &[Box<str>], forms: &mut WordForms) -> bool {
    candidate.iter().zip(expected.iter()).all(|(word, expected)| {
        let source = text.get(word.start as usize..word.end as usize).unwrap_or_default();
        if source.is_ascii() {
            return source.eq_ignore_ascii_case(expected);
        }
        forms.fill_folded(source);
        *forms.folded == **expected
    })
}

/// Checks a transliteration candidate whose skeleton hashes matched: the skeleton strings are
/// equal, every word, romanised, is spelled nearly as the listed word is ([`evidence_allows`]),
/// and one word at least is written in another script than the listed one (a transliteration)
/// or spelled exactly as listed (a variant spelling of the others).
fn transliteration_verified(
    text: &str,
    candidate: &[Word],
    form: &SkeletonForm,
    forms: &mut WordForms,
) -> bool {
    let source_of = |word: &Word| text.get(word.start as usize..word.end as usize).unwrap_or_default();
    // Most candidates are words whose skeletons equal a listed name's by chance ("market
    // report" for a name "Marikat Raporti"). Two cheap refusals come before any string is built:
    // no word can anchor (a word anchors by its script or by being spelled as listed, which
    // needs its exact key to be the listed word's), or an ASCII word fails the evidence rule
    // (folded and romanised, an ASCII word is itself in lower case).
    let may_anchor = candidate
        .iter()
        .zip(form.exact.iter().zip(form.scripts.iter()))
        .any(|(word, (&exact, &script))| word.exact == exact || script_of(source_of(word)) != script);
    if !may_anchor {
        return false;
    }
    for (word, listed) in candidate.iter().zip(form.latin.iter()) {
        let source = source_of(word);
        if source.is_ascii() {
            forms.latin.clear();
            forms.latin.extend(source.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            if !evidence_allows(&forms.latin, listed) {
                return false;
            }
        }
    }
    let mut anchored = false;
    let listed_words =
        form.skeletons.iter().zip(form.latin.iter().zip(form.scripts.iter().zip(form.folded.iter())));
    let all_near =
        candidate.iter().zip(listed_words).all(|(word, (skeleton, (listed, (script, folded))))| {
            let source = source_of(word);
            forms.fill(source);
            anchored |= script_of(source) != *script || *forms.folded == **folded;
            *forms.skeleton == **skeleton && (source.is_ascii() || evidence_allows(&forms.latin, listed))
        });
    all_near && anchored
}

/// The evidence rule of transliteration matches, on one word: the text's word and the listed
/// word, both folded and romanised, are at most `n / 3 + 1` edits apart (`n` the listed word's
/// length in characters). "Abou" and "Abu", "Завахири" (`zavakhiri`) and "Zawahiri" pass;
/// "мне" (`mne`) and "Ayman" do not, though their skeletons are equal.
pub fn evidence_allows(romanised: &str, listed: &str) -> bool {
    edit_distance(romanised, listed) <= listed.chars().count() / 3 + 1
}

/// Levenshtein distance in characters (short words: one row of the table, on the stack up to
/// 64 characters).
fn edit_distance(a: &str, b: &str) -> usize {
    const SHORT: usize = 64;
    let mut chars = [' '; SHORT];
    let mut row_space = [0usize; SHORT + 1];
    let mut long_chars = Vec::new();
    let mut long_row = Vec::new();
    let count = b.chars().count();
    let (b, row): (&[char], &mut [usize]) = if count <= SHORT {
        b.chars().zip(chars.iter_mut()).for_each(|(c, slot)| *slot = c);
        (&chars[..count], &mut row_space[..=count])
    } else {
        long_chars.extend(b.chars());
        long_row.resize(count + 1, 0);
        (&long_chars, &mut long_row)
    };
    row.iter_mut().enumerate().for_each(|(i, cell)| *cell = i);
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
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
    /// The table of (key, form) pairs: each key's forms in increasing order.
    fn from_pairs(mut pairs: Vec<(u64, u32)>) -> KeyTable {
        pairs.sort_unstable();
        let forms: Vec<u32> = pairs.iter().map(|&(_, form)| form).collect();
        let mut ranges = HashMap::with_capacity_and_hasher(pairs.len(), KeyBuild::default());
        let mut start = 0;
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            ranges.insert(group[0].0, (start as u32, (start + group.len()) as u32));
            start += group.len();
        }
        KeyTable { ranges, forms }
    }

    fn get(&self, key: u64) -> &[u32] {
        match self.ranges.get(&key) {
            Some(&(start, end)) => &self.forms[start as usize..end as usize],
            None => &[],
        }
    }
}

/// Records the roles of a form's words: the first, the second, and every word.
fn note_roles(roles: &mut HashMap<u64, u8, KeyBuild>, keys: &[u64], first: u8, second: u8, any: u8) {
    for (position, &key) in keys.iter().enumerate() {
        let role = match position {
            0 => first | any,
            1 => second | any,
            _ => any,
        };
        *roles.entry(key).or_default() |= role;
    }
}

/// Word key → the roles it has in some form, as a one-hash filter of byte slots: an
/// unrelated word may get roles it does not have (about one in sixteen: sixteen slots a key,
/// measured faster than eight, whose false roles cost probes, and than thirty-two, which the
/// caches hold less of), which only costs a
/// lookup; a word with roles always gets them.
#[derive(Debug)]
struct RoleFilter {
    slots: Vec<u8>,
    shift: u32,
}

impl RoleFilter {
    fn new(roles: &HashMap<u64, u8, KeyBuild>) -> RoleFilter {
        let slots = (roles.len().max(1) * 16).next_power_of_two().max(1 << 10);
        let mut filter = RoleFilter { slots: vec![0; slots], shift: 64 - slots.trailing_zeros() };
        for (&key, &role) in roles {
            let slot = filter.slot(key);
            filter.slots[slot] |= role;
        }
        filter
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: u64) -> u8 {
        self.slots[self.slot(key)]
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
