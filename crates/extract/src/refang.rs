//! Refanging: undoing the edits analysts make so that an indicator is not clickable
//! (`hxxp://`, `[.]`, `[at]`, ...), with a map from the refanged text back to the original.
//!
//! Characters that IDNA (UTS 46) maps to nothing, written inside a word (`pay\u{200B}pal.com`,
//! a soft hyphen in `exam\u{AD}ple.com`), are removed too: a browser goes to `paypal.com`, so
//! that is the indicator, not the `pal.com` after the invisible character.
//!
//! The scanner runs over the refanged text; spans are mapped back with [`Refanged::original`].
//! Every pattern starts and ends on character boundaries, so mapped spans stay on them.

use std::borrow::Cow;
use std::ops::Range;

/// One replacement: `original[old]` became `refanged[new]`.
#[derive(Debug, Clone, Copy)]
struct Edit {
    new_start: usize,
    new_end: usize,
    old_start: usize,
    old_end: usize,
}

/// A text with its defanging undone, and the edits that did it.
#[derive(Debug)]
pub(crate) struct Refanged<'a> {
    text: Cow<'a, str>,
    edits: Vec<Edit>,
}

impl<'a> Refanged<'a> {
    /// Refangs `text` in one pass; borrows it when nothing was defanged.
    pub(crate) fn new(text: &'a str) -> Refanged<'a> {
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut edits = Vec::new();
        // Bytes of `text` before `copied` are already in `out`.
        let mut copied = 0;
        let mut index = 0;
        while index < bytes.len() {
            // Most bytes begin no pattern: skipped with one table lookup each. `hxxp` is found
            // by its first `x` (an `h` is one letter in sixteen of English, an `x` one in six
            // hundred).
            let from = index;
            match bytes
                .get(index..)
                .and_then(|rest| rest.iter().position(|&b| MAY_BEGIN_PATTERN[usize::from(b)]))
            {
                Some(skip) => index += skip,
                None => break,
            }
            if matches!(bytes.get(index), Some(b'x' | b'X')) {
                if index > from && matches!(bytes.get(index - 1), Some(b'h' | b'H')) {
                    index -= 1;
                } else {
                    index += 1;
                    continue;
                }
            }
            // IDNA-ignored characters are never ASCII: an `h` or a bracket is only a pattern.
            let found = match_pattern(bytes, index).or_else(|| {
                bytes.get(index).is_some_and(|&b| b >= 0x80).then(|| ignored_in_word(text, index)).flatten()
            });
            let Some((old_len, replacement, spaced)) = found else {
                index += 1;
                continue;
            };
            // "example [dot] com": the spaces around a word-form dot or at go too, when both
            // sides have exactly one space between letters or digits.
            let absorb = spaced
                && index >= 2
                && bytes.get(index - 1) == Some(&b' ')
                && bytes.get(index - 2).is_some_and(is_word_byte)
                && bytes.get(index + old_len) == Some(&b' ')
                && bytes.get(index + old_len + 1).is_some_and(is_word_byte);
            let old_start = if absorb { index - 1 } else { index };
            let old_end = if absorb { index + old_len + 1 } else { index + old_len };
            let buffer = out.get_or_insert_with(|| String::with_capacity(text.len()));
            if let Some(between) = text.get(copied..old_start) {
                buffer.push_str(between);
            }
            let new_start = buffer.len();
            buffer.push_str(replacement);
            edits.push(Edit { new_start, new_end: buffer.len(), old_start, old_end });
            copied = old_end;
            index = old_end;
        }
        let text = match out {
            Some(mut buffer) => {
                if let Some(rest) = text.get(copied..) {
                    buffer.push_str(rest);
                }
                Cow::Owned(buffer)
            }
            None => Cow::Borrowed(text),
        };
        Refanged { text, edits }
    }

    /// The refanged text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The span in the original text of `span` in the refanged text. A bound inside a
    /// replacement widens to the whole defanged pattern.
    pub(crate) fn original(&self, span: &Range<usize>) -> Range<usize> {
        if self.edits.is_empty() {
            return span.clone();
        }
        let start = {
            // The last edit starting at or before `span.start`.
            let count = self.edits.partition_point(|edit| edit.new_start <= span.start);
            match count.checked_sub(1).and_then(|at| self.edits.get(at)) {
                None => span.start,
                Some(edit) if span.start < edit.new_end => edit.old_start,
                Some(edit) => span.start - edit.new_end + edit.old_end,
            }
        };
        let end = {
            // The last edit starting before `span.end`.
            let count = self.edits.partition_point(|edit| edit.new_start < span.end);
            match count.checked_sub(1).and_then(|at| self.edits.get(at)) {
                None => span.end,
                Some(edit) if span.end <= edit.new_end => edit.old_end,
                Some(edit) => span.end - edit.new_end + edit.old_end,
            }
        };
        start..end.max(start)
    }

    /// Whether any replacement lies inside `span` of the refanged text.
    pub(crate) fn is_defanged(&self, span: &Range<usize>) -> bool {
        let first = self.edits.partition_point(|edit| edit.new_end <= span.start);
        self.edits.get(first).is_some_and(|edit| edit.new_start < span.end)
    }
}

/// The bytes a defanged pattern can begin with: `[`, `(`, `{`, and the lead bytes of the
/// IDNA-ignored characters (see `ignored_in_word`); and the first `x` of `hxxp`, the `h` before
/// which begins that pattern.
const MAY_BEGIN_PATTERN: [bool; 256] = {
    let mut table = [false; 256];
    let leads = [b'[', b'(', b'{', b'x', b'X', 0xC2, 0xCD, 0xE1, 0xE2, 0xEF];
    let mut at = 0;
    while at < leads.len() {
        table[leads[at] as usize] = true;
        at += 1;
    }
    table
};

/// A letter or digit, or part of a non-ASCII character (IDN labels).
fn is_word_byte(byte: &u8) -> bool {
    byte.is_ascii_alphanumeric() || *byte >= 0x80
}

/// The defanged pattern at `at`, if any: its length, its replacement, and whether surrounding
/// single spaces belong to it.
fn match_pattern(bytes: &[u8], at: usize) -> Option<(usize, &'static str, bool)> {
    let rest = bytes.get(at..)?;
    let first = *rest.first()?;
    if matches!(first, b'h' | b'H') {
        // hxxp, hxxps, hXXp, ... as a scheme: followed by what refangs to ":/" (`://`, `[://]`,
        // `[:]//`, `:[/]/`). A URL never ends before that '/' (a trailing ':' or '[' is
        // trimmed, a '/' is not), so the occurrence of any URL containing the scheme holds what
        // decided it, and scanned on its own refangs the same way.
        let word = rest.get(..4)?;
        if !(word[1].eq_ignore_ascii_case(&b'x')
            && word[2].eq_ignore_ascii_case(&b'x')
            && word[3].eq_ignore_ascii_case(&b'p'))
        {
            return None;
        }
        let secure = matches!(rest.get(4), Some(b's' | b'S'));
        let scheme_len = if secure { 5 } else { 4 };
        let after = rest.get(scheme_len..).unwrap_or_default();
        let scheme_follows = [b":/".as_slice(), b"[://]", b"[:]/", b":[/]"]
            .iter()
            .any(|continuation| after.starts_with(continuation));
        return scheme_follows.then_some((scheme_len, if secure { "https" } else { "http" }, false));
    }
    let close = match first {
        b'[' => b']',
        b'(' => b')',
        b'{' => b'}',
        _ => return None,
    };
    // The longest inner part is "dot" or "://".
    let inner_end = rest.iter().take(5).position(|&byte| byte == close)?;
    let inner = rest.get(1..inner_end)?;
    let (replacement, spaced) = if inner == b"." || inner.eq_ignore_ascii_case(b"dot") {
        (".", true)
    } else if inner == b"@" || inner.eq_ignore_ascii_case(b"at") {
        ("@", true)
    } else if inner == b":" && first == b'[' {
        (":", false)
    } else if inner == b"://" && first == b'[' {
        ("://", false)
    } else if inner == b"/" && first == b'[' {
        ("/", false)
    } else {
        return None;
    };
    Some((inner_end + 1, replacement, spaced))
}

/// Characters that IDNA mapping (UTS 46) ignores and that show nothing: soft hyphen, combining
/// grapheme joiner, Mongolian free variation selectors, zero-width space, word joiner, invisible
/// plus, byte order mark.
fn is_idna_ignored(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{34F}' | '\u{180B}'
            ..='\u{180D}' | '\u{180F}' | '\u{200B}' | '\u{2060}' | '\u{2064}' | '\u{FEFF}'
    )
}

/// Whether `c` belongs to a word of a script written with spaces between words (Latin, Greek,
/// Cyrillic) or to an address (`.`, `-`, `_`, `@`). An invisible character between two of these
/// is a trick inside a word; Thai, Khmer or Myanmar text uses the zero-width space between
/// words, and right-to-left text puts direction marks where a run of Latin letters starts.
pub(crate) fn in_spaced_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '.' | '-' | '_' | '@')
        || (c.is_alphanumeric() && matches!(u32::from(c), 0xC0..=0x24F | 0x370..=0x52F | 0x1E00..=0x1EFF))
}

/// An IDNA-ignored character at `at` inside a word (see [`in_spaced_word`]): its length,
/// removed.
fn ignored_in_word(text: &str, at: usize) -> Option<(usize, &'static str, bool)> {
    let ignored = text.get(at..)?.chars().next().filter(|&c| is_idna_ignored(c))?;
    let in_word = |c: char| in_spaced_word(c) || is_idna_ignored(c);
    let before = text.get(..at)?.chars().next_back()?;
    let after = text.get(at + ignored.len_utf8()..)?.chars().next()?;
    (in_word(before) && in_word(after)).then_some((ignored.len_utf8(), "", false))
}

/// `text` with its defanging undone: `hxxp://evil[.]example` becomes `http://evil.example`.
pub fn refang(text: &str) -> String {
    Refanged::new(text).text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ignored_character_begins_with_a_pattern_byte() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|&c| is_idna_ignored(c)) {
            let mut buffer = [0u8; 4];
            let lead = c.encode_utf8(&mut buffer).as_bytes()[0];
            assert!(MAY_BEGIN_PATTERN[usize::from(lead)], "{c:?}");
        }
    }

    #[test]
    fn spans_map_back() {
        let original = "see hxxps://evil[.]example/a and user [at] mail[.]example";
        let refanged = Refanged::new(original);
        assert_eq!(refanged.text(), "see https://evil.example/a and user@mail.example");
        let url = 4..26;
        assert_eq!(&refanged.text()[url.clone()], "https://evil.example/a");
        assert_eq!(&original[refanged.original(&url)], "hxxps://evil[.]example/a");
        assert!(refanged.is_defanged(&url));
        let email = 31..48;
        assert_eq!(&refanged.text()[email.clone()], "user@mail.example");
        assert_eq!(&original[refanged.original(&email)], "user [at] mail[.]example");
        assert!(!refanged.is_defanged(&(0..3)));
    }

    #[test]
    fn invisible_characters_inside_words_are_removed_and_spans_map_back() {
        let original = "go to pay\u{200B}pal.com, exam\u{AD}ple.org or \u{200B}lone";
        let refanged = Refanged::new(original);
        assert_eq!(refanged.text(), "go to paypal.com, example.org or \u{200B}lone");
        let paypal = 6..16;
        assert_eq!(&refanged.text()[paypal.clone()], "paypal.com");
        assert_eq!(&original[refanged.original(&paypal)], "pay\u{200B}pal.com");
        assert!(refanged.is_defanged(&paypal));
    }
}
