//! Language detection, for items that do not declare their language.

use whatlang::{Detector, Lang, Script};

/// Detects the language of a text and returns its ISO 639-1 code (639-3 where there is none).
/// Returns `None` when the text is too short or too mixed to tell.
pub fn detect_language(text: &str) -> Option<String> {
    // Scoring is linear in the text; the first 1,000 characters are enough to tell.
    let sample = match text.char_indices().nth(1000) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    let info = Detector::new().detect(sample)?;
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
        _ if info.confidence() >= 0.2 => iso639_1(info.lang()),
        _ => return None,
    };
    Some(by_script.to_owned())
}

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

    #[test]
    fn four_scripts_are_told_apart() {
        let cases = [
            (
                "The group targeted energy companies in Ukraine with phishing e-mails.",
                "en",
            ),
            (
                "Группа атаковала энергетические компании на Украине с помощью фишинговых писем.",
                "ru",
            ),
            (
                "استهدفت المجموعة شركات الطاقة في أوكرانيا برسائل تصيد احتيالي.",
                "ar",
            ),
            ("该组织利用网络钓鱼邮件攻击了乌克兰的能源公司。", "zh"),
        ];
        for (text, expected) in cases {
            assert_eq!(detect_language(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(detect_language(""), None);
    }
}
