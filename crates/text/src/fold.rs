//! Folding of one word: what two spellings must share to be "the same word" for search and
//! screening.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A word's script, which decides how it is stemmed and transliterated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// CJK ideographs.
    Han,
    /// Latin letters, with or without diacritics.
    Latin,
    /// Cyrillic letters.
    Cyrillic,
    /// Arabic letters (Arabic, Persian, Urdu).
    Arabic,
    /// Anything else, digits included.
    Other,
}

/// Whether `c` is a CJK ideograph (the blocks jieba and Chinese names use).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF)
}

/// Whether `c` is an Arabic-script letter or mark.
pub fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// The script most of a word's letters are in.
pub fn script_of(word: &str) -> Script {
    let mut latin = 0;
    let mut cyrillic = 0;
    let mut arabic = 0;
    let mut han = 0;
    for c in word.chars() {
        match c as u32 {
            _ if is_han(c) => han += 1,
            0x0400..=0x052F => cyrillic += 1,
            _ if is_arabic(c) => arabic += 1,
            _ if c.is_alphabetic() && (c.is_ascii() || (0x00C0..=0x024F).contains(&(c as u32))) => latin += 1,
            _ => {}
        }
    }
    let most = latin.max(cyrillic).max(arabic).max(han);
    match most {
        0 => Script::Other,
        _ if most == han => Script::Han,
        _ if most == cyrillic => Script::Cyrillic,
        _ if most == arabic => Script::Arabic,
        _ => Script::Latin,
    }
}

/// Case, width and diacritic folding, and Arabic and Cyrillic normalisation, of one word.
///
/// Compatibility normalisation (full-width to ASCII, ligatures apart), lowercase, Latin
/// diacritics removed, `ё` to `е`; in Arabic script: harakat, superscript alef and tatweel
/// removed, alef forms to bare alef, alef maksura and Persian yeh to yeh, teh marbuta to heh,
/// keheh to kaf. Other scripts keep their letters whole.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_into(word, &mut out);
    out
}

/// [`fold`] appending to `out`.
pub fn fold_into(word: &str, out: &mut String) {
    for c in word.nfkc().flat_map(char::to_lowercase) {
        match c {
            // Arabic harakat, superscript alef and tatweel carry no meaning for comparison.
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {}
            'آ' | 'أ' | 'إ' | 'ٱ' => out.push('ا'),
            'ى' | 'ی' | 'ې' => out.push('ي'),
            'ة' => out.push('ه'),
            'ک' => out.push('ك'),
            'ё' => out.push('е'),
            c if c.is_ascii() => out.push(c),
            // Latin letters lose their diacritics; other scripts keep their letters whole
            // (decomposing й or ї would change the letter).
            c if (0x00C0..=0x024F).contains(&(c as u32)) || (0x1E00..=0x1EFF).contains(&(c as u32)) => {
                out.extend(c.to_string().nfd().filter(|d| !is_combining_mark(*d)));
            }
            c => out.push(c),
        }
    }
}

/// [`fold`] of one character in the common scripts, without Unicode normalisation tables:
/// appends the folded form to `out` and returns `true`, or returns `false` (and appends
/// nothing) when the character needs the general path: combining marks that compose with the
/// letter before them, presentation and compatibility forms, scripts not handled here.
///
/// A word whose characters all take this path folds exactly as [`fold`] folds it (a property
/// test holds the two together).
#[inline]
pub fn fold_char_fast(c: char, out: &mut String) -> bool {
    let code = c as u32;
    match code {
        0x00..=0x7F => out.push((c as u8).to_ascii_lowercase() as char),
        // Cyrillic capitals of the basic block, then the small letters as they are.
        0x0410..=0x042F => out.push(char::from_u32(code + 0x20).unwrap_or(c)),
        0x0400 | 0x0402..=0x040F => out.push(char::from_u32(code + 0x50).unwrap_or(c)),
        0x0401 | 0x0451 => out.push('е'),
        0x0430..=0x0450 | 0x0452..=0x045F => out.push(c),
        // Arabic letters (not the hamza and madda marks, which compose with the letter before).
        0x064B..=0x0652 | 0x0656..=0x065F | 0x0670 | 0x0640 => {}
        0x0622 | 0x0623 | 0x0625 | 0x0671 => out.push('ا'),
        0x0649 | 0x06CC | 0x06D0 => out.push('ي'),
        0x0629 => out.push('ه'),
        0x06A9 => out.push('ك'),
        0x0621 | 0x0624 | 0x0626..=0x063A | 0x0641..=0x0648 | 0x064A | 0x0660..=0x0669 => out.push(c),
        // CJK unified ideographs are their own normal form.
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => out.push(c),
        _ => return false,
    }
    true
}

/// Arabic light stemming: the definite article and its common prefixed forms (`وال`, `بال`,
/// `كال`, `فال`, `لل`, `ال`), when at least two letters remain. Expects a folded word.
pub fn strip_arabic_article(word: &str) -> &str {
    const PREFIXES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
    for prefix in PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.chars().count() >= 2
        {
            return rest;
        }
    }
    word
}
