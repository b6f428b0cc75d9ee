//! The transliterated consonant skeleton of a word: a lossy key under which the common
//! spellings of one name in Latin, Cyrillic and Arabic script meet.
//!
//! A word is folded, transliterated to Latin (Cyrillic by a simple romanisation, Arabic by
//! letter, with the article `ال` stripped first), and reduced to its consonants:
//! - vowels and the semivowels `y`, `w`, `v` are dropped (Arabic writes short vowels not at all
//!   and long ones as `ا`, `و`, `ي`; Russian renders `و` as `в`);
//! - `h` is dropped, and `kh` with it (Russian renders `ح` as `х`, English as `h` or nothing);
//! - `ph` is `f`, `zh`, `dj` and `j` are `j`, `q` is `k`, `x` is `ks`;
//! - a consonant equal to the previous one is dropped (`Muhammad`, `Mohammed`, `محمد` → `md`).
//!
//! So "Baghdadi", "Багдади" and "بغدادي" all give `bgd`; "Abou" and "Abu" give `b`. The key is
//! deliberately coarse: the name matcher uses it only for names of at least two words with
//! enough consonants, and says so in every match it reports.

use crate::fold::{Script, fold, script_of, strip_arabic_article};

/// Name particles that are dropped from skeleton comparison: the Arabic article and its
/// assimilated forms as Latin and Cyrillic texts write them (`al-`, `el-`, `ash-`, `аль-`).
const PARTICLES: [&str; 14] =
    ["al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ud", "ur", "ut", "ath"];

/// Whether a transliterated, lowercase word is a particle that skeleton comparison ignores.
pub fn is_particle(latin_word: &str) -> bool {
    latin_word.len() <= 3 && PARTICLES.contains(&latin_word)
}

/// The skeleton key of one word, as a string (see the module documentation). Characters that
/// have no Latin transliteration (Han, kanji...) are kept as they are.
pub fn skeleton(word: &str) -> String {
    let latin = to_latin(&fold(word));
    let mut builder = SkeletonBuilder::new(String::new());
    for c in latin.chars() {
        builder.push_char(c);
    }
    builder.finish()
}

/// The skeleton of an already romanised word (what [`skeleton`] computes after [`to_latin`]),
/// appended to `out`.
pub fn skeleton_of_latin_into(latin: &str, out: &mut String) {
    let mut builder = SkeletonBuilder::new(std::mem::take(out));
    for c in latin.chars() {
        builder.push_char(c);
    }
    *out = builder.finish();
}

/// A folded word transliterated to lowercase Latin (Cyrillic, Arabic and Persian, Greek, and
/// Hebrew consonants; Korean Hangul and Japanese kana by syllable, see [`crate::east_asian`]).
/// Arabic words lose their article first.
pub fn to_latin(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    to_latin_into(folded, &mut out);
    out
}

/// [`to_latin`] appending to `out`.
pub fn to_latin_into(folded: &str, out: &mut String) {
    let arabic =
        folded.chars().next().is_some_and(crate::fold::is_arabic) && script_of(folded) == Script::Arabic;
    let source = if arabic { strip_arabic_article(folded) } else { folded };
    if !source.is_ascii() && crate::east_asian::has_east_asian(source) {
        // Hangul and kana romanise by syllable and context, not letter by letter.
        crate::east_asian::romanise_into(source, out, |c, out| match transliterate(c) {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        });
        return;
    }
    for c in source.chars() {
        match transliterate(c) {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
}

/// The Latin rendering of one folded non-ASCII letter, or `None` when it has none (kept).
fn transliterate(c: char) -> Option<&'static str> {
    let latin = match c {
        c if c.is_ascii() => return None,
        // Latin letters that do not decompose.
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        // Cyrillic (folded: lowercase, ё already е).
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'э' | 'є' => "e",
        'ж' => "j",
        'з' => "z",
        'и' | 'і' | 'ї' => "i",
        'й' | 'ы' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        // Arabic and Persian (folded: alef, yeh and heh forms already unified).
        'ا' => "a",
        'ب' => "b",
        'ت' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' => "h",
        'خ' => "kh",
        'د' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ض' => "d",
        'ط' => "t",
        'ظ' => "z",
        'ع' | 'ء' | 'ئ' | 'ؤ' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' => "w",
        'ي' => "y",
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        // Greek (folded: lowercase; accented vowels as their bare letter).
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        // Hebrew consonants (final forms as their letter); vowel points are not written.
        'א' | 'ע' => "",
        'ב' => "b",
        'ג' => "g",
        'ד' => "d",
        'ה' => "h",
        'ו' => "v",
        'ז' => "z",
        'ח' => "kh",
        'ט' | 'ת' => "t",
        'י' => "y",
        'כ' | 'ך' | 'ק' => "k",
        'ל' => "l",
        'מ' | 'ם' => "m",
        'נ' | 'ן' => "n",
        'ס' => "s",
        'פ' | 'ף' => "p",
        'צ' | 'ץ' => "ts",
        'ר' => "r",
        'ש' => "sh",
        _ => return None,
    };
    Some(latin)
}

/// Where a skeleton goes: a string, or a hash state (the word scanner's fast path).
pub(crate) trait SkeletonSink {
    /// Appends one ASCII byte.
    fn push_byte(&mut self, byte: u8);
    /// Appends a character with no Latin rendering.
    fn push_other(&mut self, c: char);
}

impl SkeletonSink for String {
    fn push_byte(&mut self, byte: u8) {
        self.push(char::from(byte));
    }
    fn push_other(&mut self, c: char) {
        self.push(c);
    }
}

/// The consonant rules, fed one lowercase ASCII letter or digit at a time.
#[derive(Debug)]
pub(crate) struct SkeletonBuilder<S> {
    sink: S,
    /// A consonant that may combine with the next letter (`k`, `p`, `z`, `d`), not yet emitted.
    pending: u8,
    /// The last consonant emitted, for dropping doubles.
    last: u8,
}

impl<S: SkeletonSink> SkeletonBuilder<S> {
    pub(crate) fn new(sink: S) -> SkeletonBuilder<S> {
        SkeletonBuilder { sink, pending: 0, last: 0 }
    }

    /// Feeds one character of a transliterated word.
    pub(crate) fn push_char(&mut self, c: char) {
        if c.is_ascii() {
            self.push((c as u8).to_ascii_lowercase());
        } else {
            self.flush_pending();
            self.sink.push_other(c);
            self.last = 0;
        }
    }

    /// Feeds one lowercase ASCII byte.
    #[inline]
    pub(crate) fn push(&mut self, byte: u8) {
        if self.pending != 0 {
            let pending = std::mem::take(&mut self.pending);
            match (pending, byte) {
                (b'k', b'h') => return,
                (b'p', b'h') => return self.emit(b'f'),
                (b'z', b'h') | (b'd', b'j') => return self.emit(b'j'),
                _ => self.emit(pending),
            }
        }
        match byte {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' | b'v' | b'h' => {}
            b'k' | b'p' | b'z' | b'd' => self.pending = byte,
            b'q' => self.emit(b'k'),
            b'x' => {
                self.emit(b'k');
                self.emit(b's');
            }
            b'a'..=b'z' | b'0'..=b'9' => self.emit(byte),
            // Apostrophes and anything else carry no sound.
            _ => {}
        }
    }

    #[inline]
    fn emit(&mut self, byte: u8) {
        if byte != self.last {
            self.sink.push_byte(byte);
            self.last = byte;
        }
    }

    fn flush_pending(&mut self) {
        if self.pending != 0 {
            let pending = std::mem::take(&mut self.pending);
            self.emit(pending);
        }
    }

    pub(crate) fn finish(mut self) -> S {
        self.flush_pending();
        self.sink
    }
}
