//! Korean Hangul and Japanese kana romanised, so that "김정은" meets "Kim Jong Un" and
//! "ウラジーミル・プーチン" meets "Vladimir Putin" under the same keys as other scripts.
//!
//! Hangul syllables are decomposed arithmetically (Unicode 3.12: 19 initials × 21 vowels × 28
//! finals) and written in the Revised Romanization of Korean, with its two context rules that
//! change names most: a final consonant before a silent initial `ㅇ` is carried over
//! (연아 → yeona), and a final is written by its sound (`ㄱ` k, `ㅂ` p, `ㅅ` t...). Family names
//! are not special-cased here: the name matcher's phonetic keys let `gim` meet `kim`.
//!
//! Kana (hiragana and katakana) are written in Hepburn: `きょ` kyo, `しゃ` sha, `っ` doubles the
//! next consonant, `ん` is n, the long-vowel mark `ー` and the middle dot `・` (which separates
//! the words of a foreign name) are dropped, and small vowels after a katakana syllable make the
//! loanword sounds (`ファ` fa, `ティ` ti, `ウィ` wi). Kanji have no reading without a
//! dictionary: they are kept as they are (Chinese readings are the name matcher's, by pinyin).

/// Whether `c` is a precomposed Hangul syllable.
pub fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Whether `c` is hiragana or katakana (with the long-vowel mark and the middle dot).
pub fn is_kana(c: char) -> bool {
    ('\u{3041}'..='\u{3096}').contains(&c) || ('\u{30A1}'..='\u{30FC}').contains(&c)
}

const INITIALS: [&str; 19] =
    ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"];
const VOWELS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
    "yu", "eu", "ui", "i",
];
/// Finals as they sound at the end of a syllable (index 0: none).
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
];
/// Finals carried over to a following silent initial: the consonant as an initial sounds.
const FINALS_CARRIED: [&str; 28] = [
    "", "g", "kk", "ks", "n", "nj", "nh", "d", "r", "lg", "lm", "lb", "ls", "lt", "lp", "lh", "m", "b", "bs",
    "s", "ss", "ng", "j", "ch", "k", "t", "p", "h",
];

/// The (initial, vowel, final) indexes of a Hangul syllable.
fn jamo(c: char) -> Option<(usize, usize, usize)> {
    let index = (c as u32).checked_sub(0xAC00)? as usize;
    (index < 11_172).then_some((index / 588, (index % 588) / 28, index % 28))
}

/// Appends the romanisation of the Hangul syllable `c`, given the syllable after it.
fn hangul_into(c: char, next: Option<char>, out: &mut String) {
    let Some((initial, vowel, last)) = jamo(c) else { return };
    out.push_str(INITIALS[initial]);
    out.push_str(VOWELS[vowel]);
    // Index 11 is the silent initial ㅇ: a final before it is heard as that syllable's initial.
    let next_is_silent = next.and_then(jamo).is_some_and(|(next_initial, _, _)| next_initial == 11);
    out.push_str(if next_is_silent { FINALS_CARRIED[last] } else { FINALS[last] });
}

/// The Hepburn romanisation of one kana (katakana folded to hiragana first), `None` for the
/// small kana and marks that only modify a neighbour.
fn kana_syllable(c: char) -> Option<&'static str> {
    let hiragana = match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60)?,
        _ => c,
    };
    Some(match hiragana {
        'あ' => "a",
        'い' => "i",
        'う' => "u",
        'え' => "e",
        'お' => "o",
        'か' => "ka",
        'き' => "ki",
        'く' => "ku",
        'け' => "ke",
        'こ' => "ko",
        'が' => "ga",
        'ぎ' => "gi",
        'ぐ' => "gu",
        'げ' => "ge",
        'ご' => "go",
        'さ' => "sa",
        'し' => "shi",
        'す' => "su",
        'せ' => "se",
        'そ' => "so",
        'ざ' => "za",
        'じ' => "ji",
        'ず' => "zu",
        'ぜ' => "ze",
        'ぞ' => "zo",
        'た' => "ta",
        'ち' => "chi",
        'つ' => "tsu",
        'て' => "te",
        'と' => "to",
        'だ' => "da",
        'ぢ' => "ji",
        'づ' => "zu",
        'で' => "de",
        'ど' => "do",
        'な' => "na",
        'に' => "ni",
        'ぬ' => "nu",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ひ' => "hi",
        'ふ' => "fu",
        'へ' => "he",
        'ほ' => "ho",
        'ば' => "ba",
        'び' => "bi",
        'ぶ' => "bu",
        'べ' => "be",
        'ぼ' => "bo",
        'ぱ' => "pa",
        'ぴ' => "pi",
        'ぷ' => "pu",
        'ぺ' => "pe",
        'ぽ' => "po",
        'ま' => "ma",
        'み' => "mi",
        'む' => "mu",
        'め' => "me",
        'も' => "mo",
        'や' => "ya",
        'ゆ' => "yu",
        'よ' => "yo",
        'ら' => "ra",
        'り' => "ri",
        'る' => "ru",
        'れ' => "re",
        'ろ' => "ro",
        'わ' => "wa",
        'ゐ' => "i",
        'ゑ' => "e",
        'を' => "o",
        'ん' => "n",
        'ゔ' => "vu",
        // Katakana-only letters: ヷ ヸ ヹ ヺ.
        _ => match c {
            'ヴ' => "vu",
            'ヷ' => "va",
            'ヸ' => "vi",
            'ヹ' => "ve",
            'ヺ' => "vo",
            _ => return None,
        },
    })
}

/// A small kana that changes the syllable before it: its vowel (or `y` + vowel).
fn small_kana(c: char) -> Option<&'static str> {
    Some(match c {
        'ゃ' | 'ャ' => "ya",
        'ゅ' | 'ュ' => "yu",
        'ょ' | 'ョ' => "yo",
        'ぁ' | 'ァ' => "a",
        'ぃ' | 'ィ' => "i",
        'ぅ' | 'ゥ' => "u",
        'ぇ' | 'ェ' => "e",
        'ぉ' | 'ォ' => "o",
        _ => return None,
    })
}

/// Appends the romanisation of a run of kana.
fn kana_into(run: &[char], out: &mut String) {
    let mut double_next = false;
    let mut index = 0;
    while index < run.len() {
        let c = run[index];
        index += 1;
        if matches!(c, 'っ' | 'ッ') {
            double_next = true;
            continue;
        }
        let Some(mut syllable) = kana_syllable(c).map(str::to_owned) else {
            // A stray small kana is its vowel; marks (ー, ・) are dropped.
            if let Some(vowel) = small_kana(c) {
                out.push_str(vowel);
            }
            continue;
        };
        if let Some(&after) = run.get(index)
            && let Some(small) = small_kana(after)
        {
            index += 1;
            syllable = combine(&syllable, small);
        }
        if double_next {
            double_next = false;
            // っち is "tchi" in Hepburn; otherwise the consonant doubles.
            match syllable.chars().next() {
                Some('c') => out.push('t'),
                Some(first) if !"aiueon".contains(first) => out.push(first),
                _ => {}
            }
        }
        out.push_str(&syllable);
    }
}

/// A syllable with the small kana after it: `き`+`ょ` kyo, `し`+`ゃ` sha, `フ`+`ァ` fa.
fn combine(syllable: &str, small: &str) -> String {
    if let Some(vowel) = small.strip_prefix('y') {
        // Palatalised: shi, chi, ji drop their i (sha, cha, ja); others keep the y (kya).
        return match syllable {
            "shi" => format!("sh{vowel}"),
            "chi" => format!("ch{vowel}"),
            "ji" => format!("j{vowel}"),
            _ => format!("{}{small}", syllable.strip_suffix('i').unwrap_or(syllable)),
        };
    }
    // Loanword sounds: the small vowel replaces the syllable's (ファ fa, ティ ti, ウィ wi).
    match syllable {
        "u" => format!("w{small}"),
        "te" | "de" => format!("{}{small}", &syllable[..1]),
        "tsu" => format!("ts{small}"),
        "fu" => format!("f{small}"),
        "vu" => format!("v{small}"),
        _ => {
            let consonant = syllable.trim_end_matches(['a', 'i', 'u', 'e', 'o']);
            format!("{consonant}{small}")
        }
    }
}

/// Appends the romanisation of `text`'s Hangul and kana to `out`, other characters through
/// `other` (the caller's transliteration of the rest).
pub(crate) fn romanise_into(text: &str, out: &mut String, mut other: impl FnMut(char, &mut String)) {
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if is_hangul(c) {
            hangul_into(c, chars.get(index + 1).copied(), out);
            index += 1;
        } else if is_kana(c) {
            let end = chars[index..].iter().position(|&c| !is_kana(c)).map_or(chars.len(), |n| index + n);
            kana_into(&chars[index..end], out);
            index = end;
        } else {
            other(c, out);
            index += 1;
        }
    }
}

/// Whether `text` has a character this module romanises.
pub(crate) fn has_east_asian(text: &str) -> bool {
    text.chars().any(|c| is_hangul(c) || is_kana(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn romanise(text: &str) -> String {
        let mut out = String::new();
        romanise_into(text, &mut out, |c, out| out.push(c));
        out
    }

    #[test]
    fn hangul_in_the_revised_romanization() {
        let cases = [
            ("김정은", "gimjeongeun"),
            ("박근혜", "bakgeunhye"),
            ("서울", "seoul"),
            ("부산", "busan"),
            ("김연아", "gimyeona"),
            ("한국", "hanguk"),
            ("최", "choe"),
            ("이", "i"),
            ("정 은", "jeong eun"),
        ];
        for (hangul, latin) in cases {
            assert_eq!(romanise(hangul), latin, "{hangul}");
        }
    }

    #[test]
    fn kana_in_hepburn() {
        let cases = [
            ("ウラジーミル・プーチン", "urajimirupuchin"),
            ("とうきょう", "toukyou"),
            ("きょうと", "kyouto"),
            ("しんじゅく", "shinjuku"),
            ("ちゃ", "cha"),
            ("がっこう", "gakkou"),
            ("マッチ", "matchi"),
            ("ファイル", "fairu"),
            ("パーティー", "pati"),
            ("ウィキ", "wiki"),
            ("ヴァ", "va"),
            ("ァ", "a"),
            ("アメリカ合衆国", "amerika合衆国"),
        ];
        for (kana, latin) in cases {
            assert_eq!(romanise(kana), latin, "{kana}");
        }
    }

    #[test]
    fn every_syllable_and_kana_romanises_to_ascii() {
        for c in ('\u{AC00}'..='\u{D7A3}').chain('\u{3041}'..='\u{3096}').chain('\u{30A1}'..='\u{30FC}') {
            let text = romanise(&c.to_string());
            assert!(text.is_ascii(), "{c} gave {text:?}");
        }
        assert!(has_east_asian("x김") && has_east_asian("ア") && !has_east_asian("Kim 金"));
    }
}

#[cfg(test)]
mod fold_tests {
    #[test]
    fn folded_text_romanises_as_written() {
        for (text, latin) in [
            ("김정은", "gimjeongeun"),
            ("がっこう", "gakkou"),
            ("ｳﾗｼﾞｰﾐﾙ", "urajimiru"),
            ("パーティー", "pati"),
        ] {
            assert_eq!(crate::skeleton::to_latin(&crate::fold(text)), latin, "{text}");
        }
    }
}
