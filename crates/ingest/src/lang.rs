//! Language detection, for items that do not declare their language.

use std::collections::HashMap;
use std::sync::OnceLock;

use foldhash::fast::FixedState;

use whatlang::{Detector, Lang, Script};

/// Detects the language of a text and returns its ISO 639-1 code (639-3 where there is none).
/// Returns `None` when the text is too short or too mixed to tell.
pub fn detect_language(text: &str) -> Option<String> {
    // Scoring is linear in the text; the first 1,000 characters are enough to tell.
    // (A text of at most 1,000 bytes has at most 1,000 characters: no need to count them.)
    let head = if text.len() <= 1000 {
        text
    } else {
        text.char_indices().nth(1000).map_or(text, |(end, _)| &text[..end])
    };
    let natural = natural_text(head);
    let sample = natural.as_str();
    // Trigram scoring was a third of ingest's time on multilingual feeds. A script that only one
    // of the languages told apart is written in names the language without it, and so do a
    // Latin text's function words when they leave no doubt.
    if let Some(script) = script_of(sample) {
        if let Some(code) = only_language_of(script, sample) {
            return Some(code.to_owned());
        }
        if script == Script::Latin
            && let Some(lang) = decisive_function_words(sample)
        {
            return Some(iso639_1(lang).to_owned());
        }
        if let Some(code) = decisive_letters(script, sample) {
            return Some(code.to_owned());
        }
    }
    let info = Detector::with_allowlist(ALLOWED.to_vec()).detect(sample)?;
    if info.is_reliable() {
        return Some(iso639_1(info.lang()).to_owned());
    }
    // Not sure of the language, but sure of the script: take the script's main language, which
    // is what an analyst filtering by language expects for short texts.
    let by_script = match info.script() {
        Script::Arabic => "ar",
        Script::Cyrillic => "ru",
        Script::Mandarin => "zh",
        Script::Hangul => "ko",
        Script::Hiragana | Script::Katakana => "ja",
        Script::Hebrew => "he",
        Script::Greek => "el",
        Script::Georgian => "ka",
        Script::Latin => return latin_by_function_words(sample, info.lang()),
        _ if info.confidence() >= 0.05 => iso639_1(info.lang()),
        _ => return None,
    };
    Some(by_script.to_owned())
}

/// The script whatlang finds in a text, answered without it for ASCII text (most of a feed in
/// English): whatlang counts each character against 25 scripts, and ASCII letters are Latin
/// while its other characters count for no script.
fn script_of(sample: &str) -> Option<Script> {
    if sample.is_ascii() {
        return sample.bytes().any(|b| b.is_ascii_alphabetic()).then_some(Script::Latin);
    }
    whatlang::detect_script(sample)
}

/// The language of a text in `script` when only one of the languages told apart is written in
/// it (what the trigram detector would answer, or the script's fallback below, anyway). Han
/// text is Chinese only without kana: Japanese mixes both.
fn only_language_of(script: Script, sample: &str) -> Option<&'static str> {
    Some(match script {
        Script::Mandarin if !sample.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)) => "zh",
        Script::Hangul => "ko",
        Script::Hiragana | Script::Katakana => "ja",
        Script::Hebrew => "he",
        Script::Greek => "el",
        Script::Georgian => "ka",
        _ => return None,
    })
}

/// Whether a character is one of a language's letters.
type LetterTest = fn(char) -> bool;

/// Letters that only one of the languages told apart in a script uses: Russian's ы, э and ё
/// (neither Ukrainian nor Bulgarian has them) against Ukrainian's і, ї, є and ґ and the letters
/// only Belarusian, Serbian, Macedonian and Kazakh have (some of them write ы or э too);
/// Arabic's ة and its dotted ي and ك against the Persian and Urdu letters (پ چ ژ گ ک ی and ٹ ڈ ڑ ں ے ہ ھ). One Russian letter (two Arabic ones,
/// which Persian borrows in Arabic words) and none of the other side decide; anything else
/// (Bulgarian, a Russian text quoting Київ, Persian typed with Arabic letters only) is left to
/// the trigrams. Trigram scoring of Cyrillic and Arabic texts was a fifth of ingest's time on a
/// multilingual feed.
fn decisive_letters(script: Script, sample: &str) -> Option<&'static str> {
    let (own, others, code, needed): (LetterTest, LetterTest, _, usize) = match script {
        Script::Cyrillic => (
            |c| matches!(c, 'ы' | 'э' | 'ё' | 'Ы' | 'Э' | 'Ё'),
            |c| {
                matches!(
                    c,
                    'і' | 'ї'
                        | 'є'
                        | 'ґ'
                        | 'І'
                        | 'Ї'
                        | 'Є'
                        | 'Ґ'
                        | 'ў'
                        | 'Ў'
                        | 'ј'
                        | 'љ'
                        | 'њ'
                        | 'ћ'
                        | 'ђ'
                        | 'џ'
                        | 'ә'
                        | 'қ'
                        | 'ң'
                        | 'ө'
                        | 'ұ'
                        | 'ү'
                        | 'ғ'
                        | 'һ'
                        | 'ѓ'
                        | 'ќ'
                        | 'ѕ'
                )
            },
            "ru",
            1,
        ),
        Script::Arabic => (
            |c| matches!(c, '\u{0629}' | '\u{064A}' | '\u{0643}'),
            |c| {
                matches!(
                    c,
                    '\u{067E}' // پ
                        | '\u{0686}' // چ
                        | '\u{0698}' // ژ
                        | '\u{06AF}' // گ
                        | '\u{06A9}' // ک
                        | '\u{06CC}' // ی
                        | '\u{0679}' // ٹ
                        | '\u{0688}' // ڈ
                        | '\u{0691}' // ڑ
                        | '\u{06BA}' // ں
                        | '\u{06D2}' // ے
                        | '\u{06C1}' // ہ
                        | '\u{06BE}' // ھ
                )
            },
            "ar",
            2,
        ),
        _ => return None,
    };
    let mut seen = 0;
    for c in sample.chars() {
        if others(c) {
            return None;
        }
        seen += usize::from(own(c));
    }
    (seen >= needed).then_some(code)
}

/// Drops the technical strings of threat reporting (URLs, addresses, hashes, identifiers with
/// digits) that would make a Chinese or Russian text look Latin: ASCII runs holding a digit or
/// URL punctuation are removed, wherever they stand.
fn natural_text(text: &str) -> String {
    let flush = |run: &str, ascii: bool, out: &mut String| {
        let technical = ascii
            && run.bytes().any(|b| {
                b.is_ascii_digit()
                    || matches!(
                        b,
                        b'/' | b':'
                            | b'@'
                            | b'.'
                            | b'['
                            | b']'
                            | b'_'
                            | b'='
                            | b'?'
                            | b'&'
                            | b'%'
                            | b'#'
                            | b'\\'
                    )
            });
        if !technical {
            out.push_str(run);
        }
    };
    let mut out = String::with_capacity(text.len());
    for token in text.split_whitespace() {
        if token.is_ascii() {
            // One ASCII run, the whole token (most tokens of most feeds): no character walk.
            flush(token, true, &mut out);
            out.push(' ');
            continue;
        }
        let mut run_start = 0;
        let mut run_ascii = None;
        for (index, character) in token.char_indices() {
            let ascii = character.is_ascii();
            match run_ascii {
                Some(current) if current != ascii => {
                    flush(&token[run_start..index], current, &mut out);
                    run_start = index;
                    run_ascii = Some(ascii);
                }
                None => run_ascii = Some(ascii),
                _ => {}
            }
        }
        if let Some(current) = run_ascii {
            flush(&token[run_start..], current, &mut out);
        }
        out.push(' ');
    }
    out
}

/// The most frequent function words of six Latin-script languages.
const FUNCTION_WORDS: [(Lang, &[&str]); 6] = [
    (
        Lang::Eng,
        &[
            "the", "of", "and", "to", "in", "a", "is", "was", "for", "on", "with", "by", "that", "from",
            "at", "as", "near", "after", "its", "were",
        ],
    ),
    (
        Lang::Fra,
        &[
            "le", "la", "les", "de", "des", "et", "un", "une", "du", "en", "est", "dans", "pour", "sur",
            "par", "au", "aux", "que", "qui", "avec",
        ],
    ),
    (
        Lang::Deu,
        &[
            "der", "die", "das", "und", "in", "den", "von", "zu", "mit", "ist", "im", "des", "dem", "nicht",
            "ein", "eine", "auf", "für", "sich", "wurde",
        ],
    ),
    (
        Lang::Spa,
        &[
            "el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por", "un", "una", "con", "para",
            "es", "al", "lo", "como", "su",
        ],
    ),
    (
        Lang::Ita,
        &[
            "il", "di", "che", "e", "la", "in", "un", "per", "del", "della", "non", "con", "una", "sono",
            "nel", "alla", "gli", "le", "da", "si",
        ],
    ),
    (
        Lang::Por,
        &[
            "o", "de", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no", "se",
            "na", "por", "mais", "as", "dos",
        ],
    ),
];

/// Short Latin-script texts defeat trigram statistics; their function words do not. Counts the
/// most frequent function words of six languages; ties go to the trigram guess.
fn latin_by_function_words(text: &str, trigram_guess: Lang) -> Option<String> {
    let scores = function_word_scores(text);
    let best = *scores.iter().max()?;
    if best == 0 {
        return None;
    }
    let tied: Vec<Lang> =
        FUNCTION_WORDS.iter().zip(scores).filter(|(_, s)| *s == best).map(|((l, _), _)| *l).collect();
    let chosen = if tied.contains(&trigram_guess) { trigram_guess } else { tied[0] };
    Some(iso639_1(chosen).to_owned())
}

/// The language whose function words a Latin text uses at least three times and more than
/// twice as often as any other's: no trigram statistics needed.
fn decisive_function_words(text: &str) -> Option<Lang> {
    let scores = function_word_scores(text);
    let (best, &top) = scores.iter().enumerate().max_by_key(|(_, score)| **score)?;
    let runner_up = scores.iter().enumerate().filter(|(index, _)| *index != best).map(|(_, s)| *s).max()?;
    (top >= 3 && top > 2 * runner_up).then_some(FUNCTION_WORDS[best].0)
}

/// How many of each language's function words a text holds.
fn function_word_scores(text: &str) -> [usize; 6] {
    let languages_of = function_word_languages();
    let mut scores = [0usize; 6];
    let mut lower = String::new();
    // An ASCII text is split by bytes: the same words, without decoding characters.
    let ascii_text = text.is_ascii();
    let ascii_words = ascii_text.then(|| text.as_bytes().split(|b| !b.is_ascii_alphabetic()));
    let other_words = (!ascii_text).then(|| text.split(|c: char| !c.is_alphabetic()).map(str::as_bytes));
    let words = ascii_words.into_iter().flatten().chain(other_words.into_iter().flatten());
    for word in words.filter(|w| !w.is_empty()) {
        // No function word is longer than five letters (of up to three bytes each).
        if word.len() > FUNCTION_WORD_MAX_LETTERS * 3 {
            continue;
        }
        let mut ascii = [0u8; FUNCTION_WORD_MAX_LETTERS];
        let folded: &[u8] = if word.is_ascii() {
            let Some(buffer) = ascii.get_mut(..word.len()) else { continue };
            buffer.copy_from_slice(word);
            buffer.make_ascii_lowercase();
            buffer
        } else {
            lower.clear();
            // (A slice of the text between characters: valid UTF-8, borrowed as it is.)
            lower.extend(String::from_utf8_lossy(word).chars().flat_map(char::to_lowercase));
            lower.as_bytes()
        };
        let Some(&languages) = languages_of.get(folded) else { continue };
        for (index, score) in scores.iter_mut().enumerate() {
            *score += usize::from(languages >> index & 1);
        }
    }
    scores
}

/// The longest function word's letters.
const FUNCTION_WORD_MAX_LETTERS: usize = 5;

/// Each function word with the languages (bits in the order of [`FUNCTION_WORDS`]) it belongs
/// to: one lookup a word instead of a search through every list.
fn function_word_languages() -> &'static HashMap<&'static [u8], u8, FixedState> {
    static TABLE: OnceLock<HashMap<&'static [u8], u8, FixedState>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::with_hasher(FixedState::default());
        for (index, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            for &word in *words {
                *table.entry(word.as_bytes()).or_default() |= 1 << index;
            }
        }
        table
    })
}

/// The languages told apart. Trigram models of rarely seen languages (Catalan, Esperanto,
/// Latin...) win on short English texts too often; an analyst's material is mostly in these.
const ALLOWED: [Lang; 28] = [
    Lang::Eng,
    Lang::Rus,
    Lang::Ara,
    Lang::Cmn,
    Lang::Spa,
    Lang::Por,
    Lang::Ita,
    Lang::Fra,
    Lang::Deu,
    Lang::Ukr,
    Lang::Kat,
    Lang::Ell,
    Lang::Heb,
    Lang::Jpn,
    Lang::Kor,
    Lang::Pes,
    Lang::Urd,
    Lang::Hin,
    Lang::Tur,
    Lang::Pol,
    Lang::Nld,
    Lang::Swe,
    Lang::Ces,
    Lang::Ron,
    Lang::Hun,
    Lang::Bul,
    Lang::Ind,
    Lang::Vie,
];

fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Ara => "ar",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ell => "el",
        Lang::Heb => "he",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Pes => "fa",
        Lang::Urd => "ur",
        Lang::Hin => "hi",
        Lang::Tur => "tr",
        Lang::Pol => "pl",
        Lang::Nld => "nl",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Fin => "fi",
        Lang::Ces => "cs",
        Lang::Ron => "ro",
        Lang::Hun => "hu",
        Lang::Bul => "bg",
        Lang::Srp => "sr",
        Lang::Hrv => "hr",
        Lang::Bel => "be",
        Lang::Ind => "id",
        Lang::Vie => "vi",
        Lang::Tha => "th",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII shortcut answers as whatlang does (letters, digits, punctuation, DEL).
        #[test]
        fn ascii_script_is_whatlangs(text in "[ -~\u{7f}\t\n]{0,40}") {
            proptest::prop_assert_eq!(script_of(&text), whatlang::detect_script(&text));
        }
    }

    #[test]
    fn four_scripts_are_told_apart() {
        let cases = [
            ("The group targeted energy companies in Ukraine with phishing e-mails.", "en"),
            ("Группа атаковала энергетические компании на Украине с помощью фишинговых писем.", "ru"),
            ("استهدفت المجموعة شركات الطاقة في أوكرانيا برسائل تصيد احتيالي.", "ar"),
            ("该组织利用网络钓鱼邮件攻击了乌克兰的能源公司。", "zh"),
        ];
        for (text, expected) in cases {
            assert_eq!(detect_language(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(detect_language(""), None);
        assert_eq!(
            detect_language("钓鱼页面托管在https://cloud-files.test/api/v2/check。攻击者要求受害者向比特币地址bc1qkhtvsvh6rane42v8phensu2gmu97cq99dqlxm7支付赎金。").as_deref(),
            Some("zh")
        );
        assert_eq!(
            detect_language(
                "Вторая стадия загружалась с адреса hxxps://verify-news.example[.]net/files/invoice.zip."
            )
            .as_deref(),
            Some("ru")
        );
        assert_eq!(detect_language("Kimsuky targeted researchers in Seoul.").as_deref(), Some("en"));
        assert_eq!(
            detect_language("Café wifi near the embassy served a Turla implant.").as_deref(),
            Some("en")
        );
    }

    #[test]
    fn scripts_of_one_language_and_clear_function_words_need_no_trigrams() {
        let cases = [
            ("攻撃者はフィッシングメールでエネルギー企業を狙った。", "ja"),
            ("공격자는 피싱 이메일로 에너지 기업을 노렸다.", "ko"),
            ("Η ομάδα στόχευσε εταιρείες ενέργειας με ηλεκτρονικά μηνύματα.", "el"),
            ("Le groupe a visé les entreprises de l'énergie avec des courriels dans la région.", "fr"),
            (
                "Die Gruppe hat die Energieunternehmen mit E-Mails angegriffen, und das nicht zum ersten Mal.",
                "de",
            ),
            ("El grupo atacó a las empresas de energía con correos de phishing en la región.", "es"),
            ("Il gruppo ha colpito le aziende della energia con email di phishing per la prima volta.", "it"),
            ("O grupo atacou as empresas de energia com e-mails de phishing na região do país.", "pt"),
            ("Grupa zaatakowała firmy energetyczne za pomocą wiadomości phishingowych.", "pl"),
        ];
        for (text, expected) in cases {
            assert_eq!(detect_language(text).as_deref(), Some(expected), "{text}");
        }
        // Letters of one language of a script decide; letters of two leave it to the trigrams.
        let letters = [
            ("Группа атаковала энергетические компании с помощью фишинговых писем.", Some("ru")),
            ("Угруповання атакувало енергетичні компанії за допомогою фішингових листів.", None),
            ("Российские хакеры атаковали объекты в Києві.", None),
            ("Групата атакува енергийни компании с фишинг писма.", None),
            ("استهدفت المجموعة شركات الطاقة في أوكرانيا برسائل تصيد احتيالي.", Some("ar")),
            ("این گروه شرکت‌های انرژی را با ایمیل‌های فیشینگ هدف قرار داد.", None),
            ("گروپ نے فشنگ ای میلز کے ذریعے توانائی کمپنیوں کو نشانہ بنایا۔", None),
        ];
        for (text, expected) in letters {
            let script = whatlang::detect_script(text).expect("a script");
            assert_eq!(decisive_letters(script, text), expected, "{text}");
        }
        for (text, expected) in [
            ("Угруповання атакувало енергетичні компанії за допомогою фішингових листів.", "uk"),
            ("Групата атакува енергийни компании с фишинг писма в региона.", "bg"),
            ("این گروه شرکت‌های انرژی را با ایمیل‌های فیشینگ هدف قرار داد.", "fa"),
        ] {
            assert_eq!(detect_language(text).as_deref(), Some(expected), "{text}");
        }
        // Every function word fits the scorer's limit, and capitals count.
        assert!(
            FUNCTION_WORDS
                .iter()
                .flat_map(|(_, words)| words.iter())
                .all(|w| w.chars().count() <= FUNCTION_WORD_MAX_LETTERS)
        );
        assert_eq!(function_word_scores("THE Für the NÃO"), [2, 0, 1, 0, 0, 1]);
        // Function words of two languages in equal measure decide nothing on their own.
        assert_eq!(decisive_function_words("la de que en el"), None);
        assert_eq!(decisive_function_words("the of and to"), Some(Lang::Eng));
    }
}
