//! Words by Unicode segmentation (UAX #29), with a fast path for the scripts most text here is
//! in. `unicode-segmentation` looks up every character of a text that is not all ASCII in its
//! tables (a binary search per character): a Russian, Arabic or typographically quoted English
//! text paid for that on every byte, a tenth of indexing; its own path for ASCII text was slower
//! than this one's table of bytes (a twentieth of indexing). Text made only of ASCII, Latin, Cyrillic
//! and Arabic letters and digits and the common punctuation is split here by the rules of
//! UAX #29 that such characters can meet; a text with any other character is left to
//! `unicode-segmentation` whole. Both give the same words: the tests hold every character of the
//! fast path to the crate's answer in every context its rules look at.

use unicode_segmentation::UnicodeSegmentation;

/// The word-break classes the fast path knows (UAX #29 `Word_Break` values; `Other` stands for
/// every class that breaks on both sides and makes no word: Other, spaces, line breaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ALetter: letters (all alphabetic).
    Letter,
    /// Numeric: digits (all numeric).
    Digit,
    /// ExtendNumLet: `_`, joins what is around it.
    Connector,
    /// MidLetter: `:`, `·` between letters.
    MidLetter,
    /// MidNum: `,`, `;` between digits.
    MidNum,
    /// MidNumLet and Single_Quote: `.`, `'`, `’` between letters or between digits.
    MidNumLet,
    /// Breaks on both sides; never alphanumeric, so never a word of its own.
    Other,
    /// A Han character: breaks on both sides, and is a word of its own (the analyser segments
    /// runs of them with jieba).
    Han,
}

/// The class of an ASCII byte.
const fn ascii_class(byte: u8) -> Class {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Connector,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidNumLet,
        _ => Class::Other,
    }
}

const ASCII_CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut byte = 0;
    while byte < 128 {
        table[byte] = ascii_class(byte as u8);
        byte += 1;
    }
    table
};

/// The class of a character the fast path knows, `None` for any other (the text then goes to
/// `unicode-segmentation`).
fn class_of(c: char) -> Option<Class> {
    let code = c as u32;
    if code < 0x80 {
        return Some(ASCII_CLASSES[code as usize]);
    }
    Some(match code {
        // Latin-1: letters, the ordinal indicators and the micro sign; `·` joins letters.
        0xAA | 0xB5 | 0xBA | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => Class::Letter,
        0xB7 => Class::MidLetter,
        // Punctuation and symbols of Latin-1 that are neither letters nor numbers (not the soft
        // hyphen, a format character, nor the superscript digits and fractions; nor the cedilla,
        // which `unicode-segmentation` joins to the letter before it).
        0xA0..=0xA9 | 0xAB | 0xAC | 0xAE..=0xB1 | 0xB4 | 0xB6 | 0xBB | 0xBF | 0xD7 | 0xF7 => Class::Other,
        // Cyrillic letters (not the combining titlo and number signs).
        0x400..=0x481 | 0x48A..=0x52F => Class::Letter,
        // Arabic: the comma joins digits; letters (with tatweel); Arabic-Indic and Persian digits.
        0x60C => Class::MidNum,
        0x61F => Class::Other,
        0x620..=0x64A | 0x671..=0x6D3 => Class::Letter,
        0x660..=0x669 | 0x6F0..=0x6F9 => Class::Digit,
        // General punctuation: dashes, quotes, ellipsis, daggers, bullet; `‘`, `’` and the one-dot
        // leader join like `'` and `.`.
        0x2018 | 0x2019 | 0x2024 => Class::MidNumLet,
        0x2010..=0x2017 | 0x201A..=0x2023 | 0x2025 | 0x2026 | 0x2030..=0x203E | 0x20AC => Class::Other,
        // Chinese: the unified ideographs, the ideographic space and full stops, brackets and
        // quotes, and the full-width punctuation Chinese text uses (its comma, semicolon and
        // colon join digits or letters, as their ASCII forms do).
        0x4E00..=0x9FEF => Class::Han,
        0x3000..=0x3002 | 0x3008..=0x3011 | 0xFF01 | 0xFF08 | 0xFF09 | 0xFF1F => Class::Other,
        0xFF0C | 0xFF1B => Class::MidNum,
        0xFF1A => Class::MidLetter,
        _ => return None,
    })
}

/// Whether every character of `text` is one the fast path knows (ASCII always is), and if so
/// whether one is Han.
fn fast_path_applies(text: &str) -> Option<bool> {
    if text.is_ascii() {
        return Some(false);
    }
    let bytes = text.as_bytes();
    let mut index = 0;
    let mut han = false;
    while index < bytes.len() {
        if bytes[index] < 0x80 {
            index += 1;
            continue;
        }
        // Only non-ASCII characters need decoding; `index` is at a character's first byte.
        let c = text.get(index..).and_then(|rest| rest.chars().next())?;
        han |= class_of(c)? == Class::Han;
        index += c.len_utf8();
    }
    Some(han)
}

/// The words of a text with their byte offsets: what `unicode_word_indices` gives.
pub(crate) enum WordIndices<'a> {
    /// The fast path, and whether the text has a Han character.
    Fast(FastWords<'a>, bool),
    Unicode(unicode_segmentation::UnicodeWordIndices<'a>),
}

impl<'a> WordIndices<'a> {
    pub(crate) fn new(text: &'a str) -> WordIndices<'a> {
        match fast_path_applies(text) {
            Some(han) => WordIndices::Fast(FastWords { text, position: 0 }, han),
            None => WordIndices::Unicode(text.unicode_word_indices()),
        }
    }

    /// Whether the words may contain Han characters.
    pub(crate) fn may_hold_han(&self) -> bool {
        match self {
            WordIndices::Fast(_, han) => *han,
            WordIndices::Unicode(_) => true,
        }
    }
}

impl<'a> Iterator for WordIndices<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        match self {
            WordIndices::Fast(words, _) => words.next(),
            WordIndices::Unicode(words) => words.next(),
        }
    }
}

/// The fast path: a text whose every character [`class_of`] knows.
pub(crate) struct FastWords<'a> {
    text: &'a str,
    position: usize,
}

impl FastWords<'_> {
    /// The character at byte `at` and its class (`None` past the end).
    #[inline]
    fn at(&self, at: usize) -> Option<(Class, usize)> {
        // ASCII (most bytes of most texts) by its table, without decoding a character.
        let byte = *self.text.as_bytes().get(at)?;
        if byte < 0x80 {
            return Some((ASCII_CLASSES[usize::from(byte)], 1));
        }
        let c = self.text.get(at..)?.chars().next()?;
        Some((class_of(c).unwrap_or(Class::Other), c.len_utf8()))
    }
}

impl<'a> Iterator for FastWords<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            let (class, width) = self.at(self.position)?;
            if class == Class::Han {
                let start = self.position;
                self.position += width;
                return self.text.get(start..self.position).map(|word| (start, word));
            }
            if !matches!(class, Class::Letter | Class::Digit | Class::Connector) {
                self.position += width;
                continue;
            }
            // A run of letters, digits and connectors (WB5, WB8-WB10, WB13a/b), with a middle
            // character between two letters (WB6/7) or two digits (WB11/12).
            let start = self.position;
            let mut alphanumeric = class != Class::Connector;
            let mut previous = class;
            let mut end = start + width;
            while let Some((class, width)) = self.at(end) {
                match class {
                    Class::Letter | Class::Digit | Class::Connector => {
                        alphanumeric |= class != Class::Connector;
                        previous = class;
                        end += width;
                    }
                    Class::MidLetter | Class::MidNum | Class::MidNumLet => {
                        let joins = match self.at(end + width) {
                            Some((Class::Letter, _)) => previous == Class::Letter && class != Class::MidNum,
                            Some((Class::Digit, _)) => previous == Class::Digit && class != Class::MidLetter,
                            _ => false,
                        };
                        if !joins {
                            break;
                        }
                        end += width;
                    }
                    Class::Other | Class::Han => break,
                }
            }
            self.position = end;
            // A run of connectors alone has nothing alphanumeric: not a word.
            if alphanumeric {
                return self.text.get(start..end).map(|word| (start, word));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ours(text: &str) -> Vec<(usize, &str)> {
        WordIndices::new(text).collect()
    }

    fn theirs(text: &str) -> Vec<(usize, &str)> {
        text.unicode_word_indices().collect()
    }

    /// Every character the fast path knows, with a letter, a digit, a connector or itself on
    /// either side and between two of each: every context in which the rules it follows look at
    /// a character.
    #[test]
    fn every_known_character_splits_as_unicode_segmentation_does() {
        let neighbours = ['a', 'é', 'я', 'ب', '1', '٣', '_', ' ', '.', ',', ':', '’', '-', '中', '。'];
        let mut checked = 0;
        // The ideographs are twenty thousand of one class: every 101st of them, and the ends.
        let sampled = |c: &char| {
            class_of(*c) != Some(Class::Han)
                || matches!(*c as u32 % 101, 0)
                || *c == '\u{4E00}'
                || *c == '\u{9FEF}'
        };
        for c in (0..0x10000u32).filter_map(char::from_u32).filter(|c| class_of(*c).is_some()).filter(sampled)
        {
            match class_of(c) {
                Some(Class::Letter | Class::Han) => assert!(c.is_alphabetic(), "{c:?} is no letter"),
                Some(Class::Digit) => assert!(c.is_numeric(), "{c:?} is no digit"),
                _ => assert!(!c.is_alphanumeric(), "{c:?} is alphanumeric"),
            }
            let mut texts = vec![format!("é{c}"), format!("{c}{c}é"), format!("я{c}{c}я")];
            for left in neighbours {
                for right in neighbours {
                    texts.push(format!("я{left}{c}{right}"));
                    texts.push(format!("{left}{c}{right}{c}"));
                    texts.push(format!("ب{c}{left}{right}"));
                }
            }
            for text in &texts {
                assert_eq!(ours(text), theirs(text), "{text:?} ({c:?}, U+{:04X})", c as u32);
                checked += 1;
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn texts_the_fast_path_does_not_know_go_to_unicode_segmentation() {
        for text in ["Київ׳ש", "日本語 текст", "soft\u{AD}hyphen ب", "é a\u{301}b", "ا\u{64B}ب"]
        {
            assert!(WordIndices::new(text).may_hold_han(), "{text}");
            assert_eq!(ours(text), theirs(text));
        }
        assert!(!WordIndices::new("Москва, 12.5 км").may_hold_han());
    }

    fn alphabet() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            'a', 'Z', 'é', 'ß', 'я', 'Ё', 'ب', 'ة', 'ـ', '0', '9', '٣', '_', ' ', '.', ',', ';', ':', '\'',
            '’', '‘', '·', '-', '—', '«', '»', '“', '”', '\n', '،', '؟', '!', '(', '…', '\u{a0}', '中', '国',
            '。', '，', '：', '（',
        ])
    }

    /// Every ASCII character, and the ones that join or break words more often.
    fn ascii() -> impl Strategy<Value = char> {
        prop_oneof![
            (0u8..0x80).prop_map(char::from),
            prop::sample::select(vec!['a', 'Z', '0', '9', '_', ' ', '.', ',', ';', ':', '\'', '"', '-']),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn words_equal_unicode_segmentation(chars in prop::collection::vec(alphabet(), 0..40)) {
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(ours(&text), theirs(&text));
        }

        #[test]
        fn ascii_words_equal_unicode_segmentation(chars in prop::collection::vec(ascii(), 0..40)) {
            let text: String = chars.into_iter().collect();
            prop_assert_eq!(ours(&text), theirs(&text));
        }
    }
}
