//! Words by Unicode segmentation (UAX #29), with a fast path for the scripts most text here is
//! in. `unicode-segmentation` looks up every character of a text that is not all ASCII in its
//! tables (a binary search per character): a Russian, Arabic or typographically quoted English
//! text paid for that on every byte, a tenth of indexing; its own path for ASCII text was slower
//! than this one's table of bytes (a twentieth of indexing). Text made of ASCII, Latin, Cyrillic,
//! Arabic and Han letters and digits and the common punctuation is split here by the rules of
//! UAX #29 that such characters can meet; from the first other character on (from the end of the
//! word before it), the text is left to `unicode-segmentation`. Both give the same words: the
//! tests hold every character of the fast path to the crate's answer in every context its rules
//! look at, and texts with unknown characters anywhere to the crate's words.

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
    /// Extend: Arabic harakat. Inside a word they are part of it, transparent to the rules
    /// (WB4); anywhere else (after a space, a middle character or a Han character) the text is
    /// handed to `unicode-segmentation`.
    Extend,
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
        0x64B..=0x65F | 0x670 => Class::Extend,
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

/// What the fast path finds at a byte offset.
enum Step {
    /// A character it knows: its class and width in bytes.
    Known(Class, usize),
    /// A character it does not know: unicode-segmentation takes over.
    Unknown,
    /// The end of the text.
    End,
}

/// The words of a text with their byte offsets: what `unicode_word_indices` gives. The fast
/// path splits the text until it meets a character it does not know; unicode-segmentation then
/// splits the rest from the end of the last word handed out (a boundary whatever follows: the
/// fast path looks at the character after a word, and after a middle character at the one
/// after that, before handing the word out). Checking the whole text first cost a twentieth of
/// indexing.
pub(crate) struct WordIndices<'a> {
    text: &'a str,
    /// Where the fast path goes on from.
    position: usize,
    /// Where the last word handed out ended.
    settled: usize,
    /// Whether a Han character has begun a word (always, once unicode-segmentation has taken
    /// over).
    han: bool,
    /// unicode-segmentation's words of the text after this offset, once it has taken over.
    unicode: Option<(usize, unicode_segmentation::UnicodeWordIndices<'a>)>,
}

impl<'a> WordIndices<'a> {
    pub(crate) fn new(text: &'a str) -> WordIndices<'a> {
        WordIndices { text, position: 0, settled: 0, han: false, unicode: None }
    }

    /// Whether the words handed out so far may contain Han characters.
    pub(crate) fn may_hold_han(&self) -> bool {
        self.han
    }

    /// The character at byte `at` and its class.
    #[inline(always)]
    fn at(&self, at: usize) -> Step {
        // ASCII (most bytes of most texts) by its table, without decoding a character.
        let bytes = self.text.as_bytes();
        let Some(&byte) = bytes.get(at) else { return Step::End };
        if byte < 0x80 {
            return Step::Known(ASCII_CLASSES[usize::from(byte)], 1);
        }
        // Decoded from the bytes (the text is UTF-8: `at` is a character's first byte): two
        // bytes for Latin, Cyrillic and Arabic, three for Han and punctuation.
        let continuation = |offset: usize| u32::from(bytes.get(at + offset).copied().unwrap_or(0) & 0x3F);
        let (code, width) = match byte {
            0xC0..=0xDF => ((u32::from(byte & 0x1F) << 6) | continuation(1), 2),
            0xE0..=0xEF => ((u32::from(byte & 0x0F) << 12) | (continuation(1) << 6) | continuation(2), 3),
            _ => return Step::Unknown,
        };
        match char::from_u32(code).and_then(class_of) {
            Some(class) => Step::Known(class, width),
            None => Step::Unknown,
        }
    }

    /// The next word by the fast path; `Err` at a character it does not know.
    fn fast_next(&mut self) -> Result<Option<(usize, &'a str)>, ()> {
        let bytes = self.text.as_bytes();
        loop {
            // Spaces and ASCII punctuation between words, without the general step.
            while let Some(&byte) = bytes.get(self.position)
                && byte < 0x80
                && !matches!(
                    ASCII_CLASSES[usize::from(byte)],
                    Class::Letter | Class::Digit | Class::Connector
                )
            {
                self.position += 1;
            }
            let (class, width) = match self.at(self.position) {
                Step::Known(class, width) => (class, width),
                Step::Unknown => return Err(()),
                Step::End => return Ok(None),
            };
            if class == Class::Extend {
                return Err(());
            }
            if class == Class::Han {
                // What follows may attach to it (a combining mark): known first.
                if matches!(self.at(self.position + width), Step::Unknown | Step::Known(Class::Extend, _)) {
                    return Err(());
                }
                let start = self.position;
                self.position += width;
                self.han = true;
                return Ok(self.text.get(start..self.position).map(|word| (start, word)));
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
            loop {
                // ASCII letters and digits, and the Cyrillic letters of U+0400 to U+047F (two
                // bytes led by 0xD0 or 0xD1: Russian), without the general step.
                while let Some(&byte) = bytes.get(end) {
                    if byte >= 0x80 {
                        if !matches!(byte, 0xD0 | 0xD1) {
                            break;
                        }
                        alphanumeric = true;
                        previous = Class::Letter;
                        end += 2;
                        continue;
                    }
                    match ASCII_CLASSES[usize::from(byte)] {
                        class @ (Class::Letter | Class::Digit) => {
                            alphanumeric = true;
                            previous = class;
                        }
                        Class::Connector => previous = Class::Connector,
                        _ => break,
                    }
                    end += 1;
                }
                let (class, width) = match self.at(end) {
                    Step::Known(class, width) => (class, width),
                    Step::Unknown => return Err(()),
                    Step::End => break,
                };
                match class {
                    Class::Letter | Class::Digit | Class::Connector => {
                        alphanumeric |= class != Class::Connector;
                        previous = class;
                        end += width;
                    }
                    // Transparent: the rules look through it at what was before; most harakat
                    // are alphabetic (a connector with one is a word).
                    Class::Extend => {
                        alphanumeric |= self
                            .text
                            .get(end..)
                            .and_then(|rest| rest.chars().next())
                            .is_some_and(char::is_alphanumeric);
                        end += width;
                    }
                    Class::MidLetter | Class::MidNum | Class::MidNumLet => {
                        let joins = match self.at(end + width) {
                            Step::Known(Class::Letter, _) => {
                                previous == Class::Letter && class != Class::MidNum
                            }
                            Step::Known(Class::Digit, _) => {
                                previous == Class::Digit && class != Class::MidLetter
                            }
                            Step::Unknown | Step::Known(Class::Extend, _) => return Err(()),
                            Step::Known(..) | Step::End => false,
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
                return Ok(self.text.get(start..end).map(|word| (start, word)));
            }
        }
    }
}

impl<'a> Iterator for WordIndices<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if let Some((offset, words)) = &mut self.unicode {
            return words.next().map(|(at, word)| (at + *offset, word));
        }
        match self.fast_next() {
            Ok(word) => {
                if let Some((start, text)) = word {
                    self.settled = start + text.len();
                }
                word
            }
            Err(()) => {
                let offset = self.settled;
                self.unicode =
                    Some((offset, self.text.get(offset..).unwrap_or_default().unicode_word_indices()));
                self.han = true;
                self.next()
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
                // Marks: some are alphabetic (Other_Alphabetic), none makes a word alone here.
                Some(Class::Extend) => {}
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
        for text in
            ["Київ׳ש", "日本語 текст", "soft\u{AD}hyphen ب", "é a\u{301}b", "ا \u{64B}ب", "中\u{64B}文"]
        {
            let mut words = WordIndices::new(text);
            let found: Vec<_> = words.by_ref().collect();
            assert!(words.may_hold_han(), "{text}");
            assert_eq!(found, theirs(text));
        }
        let mut words = WordIndices::new("Москва, 12.5 км");
        words.by_ref().for_each(drop);
        assert!(!words.may_hold_han());
    }

    fn alphabet() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            'a', 'Z', 'é', 'ß', 'я', 'Ё', 'ب', 'ة', 'ـ', '\u{64B}', '\u{64F}', '0', '9', '٣', '_', ' ', '.',
            ',', ';', ':', '\'', '’', '‘', '·', '-', '—', '«', '»', '“', '”', '\n', '،', '؟', '!', '(', '…',
            '\u{a0}', '中', '国', '。', '，', '：', '（',
        ])
    }

    /// Characters the fast path does not know: combining marks (one a letter: Devanagari's aa
    /// sign), joiners, a soft hyphen, Greek, Hebrew and its punctuation, Katakana, an emoji, a
    /// regional indicator.
    fn unknown() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '\u{301}',
            '\u{64B}',
            '\u{93E}',
            '\u{200D}',
            '\u{200B}',
            '\u{AD}',
            'α',
            'ש',
            '׳',
            '"',
            'カ',
            '😀',
            '\u{1F1E6}',
            '\u{2060}',
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

        /// Characters the fast path does not know anywhere in a text: it hands over to
        /// unicode-segmentation where it meets one, and the words are the same.
        #[test]
        fn words_around_unknown_characters_equal_unicode_segmentation(
            chars in prop::collection::vec(prop_oneof![3 => alphabet(), 1 => unknown()], 0..40),
        ) {
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
