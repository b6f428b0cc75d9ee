use expect_test::{Expect, expect};
use muninn_text::words::{WordKeys, reference_keys};
use muninn_text::{fold, skeleton, words};
use proptest::prelude::*;

fn check(inputs: &[&str], expect: Expect) {
    let rendered: Vec<String> = inputs
        .iter()
        .map(|input| format!("{input} → fold {:?} skeleton {:?}", fold(input), skeleton(input)))
        .collect();
    expect.assert_eq(&(rendered.join("\n") + "\n"));
}

#[test]
fn one_name_in_three_scripts_shares_a_skeleton() {
    check(
        &["Abu", "Abou", "Абу", "أبو", "Bakr", "Бакр", "بكر", "Baghdadi", "Багдади", "البغدادي", "al", "аль"],
        expect![[r#"
            Abu → fold "abu" skeleton "b"
            Abou → fold "abou" skeleton "b"
            Абу → fold "абу" skeleton "b"
            أبو → fold "ابو" skeleton "b"
            Bakr → fold "bakr" skeleton "bkr"
            Бакр → fold "бакр" skeleton "bkr"
            بكر → fold "بكر" skeleton "bkr"
            Baghdadi → fold "baghdadi" skeleton "bgd"
            Багдади → fold "багдади" skeleton "bgd"
            البغدادي → fold "البغدادي" skeleton "bgd"
            al → fold "al" skeleton "l"
            аль → fold "аль" skeleton "l"
        "#]],
    );
}

#[test]
fn common_transliteration_variants() {
    check(
        &[
            "Muhammad",
            "Mohammed",
            "Мухаммед",
            "محمد",
            "Khalid",
            "Халид",
            "خالد",
            "Qaeda",
            "Каида",
            "Zhanna",
            "Жанна",
            "Djamal",
            "Джамаль",
            "Philip",
            "Filip",
        ],
        expect![[r#"
            Muhammad → fold "muhammad" skeleton "md"
            Mohammed → fold "mohammed" skeleton "md"
            Мухаммед → fold "мухаммед" skeleton "md"
            محمد → fold "محمد" skeleton "md"
            Khalid → fold "khalid" skeleton "ld"
            Халид → fold "халид" skeleton "ld"
            خالد → fold "خالد" skeleton "ld"
            Qaeda → fold "qaeda" skeleton "kd"
            Каида → fold "каида" skeleton "kd"
            Zhanna → fold "zhanna" skeleton "jn"
            Жанна → fold "жанна" skeleton "jn"
            Djamal → fold "djamal" skeleton "jml"
            Джамаль → fold "джамаль" skeleton "jml"
            Philip → fold "philip" skeleton "flp"
            Filip → fold "filip" skeleton "flp"
        "#]],
    );
}

#[test]
fn folding_of_case_width_diacritics_and_arabic_forms() {
    check(
        &["ＡＰＴ２８", "Müller", "ÉCOLE", "Ёлка", "إسلام", "مَدْرَسَة", "كتـــاب", "習近平"],
        expect![[r#"
            ＡＰＴ２８ → fold "apt28" skeleton "pt28"
            Müller → fold "muller" skeleton "mlr"
            ÉCOLE → fold "ecole" skeleton "cl"
            Ёлка → fold "елка" skeleton "lk"
            إسلام → fold "اسلام" skeleton "slm"
            مَدْرَسَة → fold "مدرسه" skeleton "mdrs"
            كتـــاب → fold "كتاب" skeleton "ktb"
            習近平 → fold "習近平" skeleton "習近平"
        "#]],
    );
}

fn render_words(text: &str) -> String {
    let keys = WordKeys::new(1, 2);
    let mut out = Vec::new();
    words(text, &keys, &mut out);
    out.iter()
        .map(|w| {
            let particle = if w.particle { " (particle)" } else { "" };
            format!("{:?}{particle}", &text[w.start as usize..w.end as usize])
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn words_split_on_punctuation_and_han_characters() {
    let cases = [
        "Abu Bakr al-Baghdadi, O'Brien & co.",
        "IP 198.51.100.7 and evil[.]example",
        "国家主席习近平今天会见",
        "Müller-Lüdenscheidt ＡＰＴ２８ مَدْرَسَة аль-Багдади",
        "abcé混合text",
    ];
    let rendered: Vec<String> = cases.iter().map(|c| render_words(c)).collect();
    expect![[r#"
        "Abu" "Bakr" "al" (particle) "Baghdadi" "O" "Brien" "co"
        "IP" "198" "51" "100" "7" "and" "evil" "example"
        "国" "家" "主" "席" "习" "近" "平" "今" "天" "会" "见"
        "Müller" "Lüdenscheidt" "ＡＰＴ２８" "م\u{64e}د\u{652}ر\u{64e}س\u{64e}ة" "аль" (particle) "Багдади"
        "abcé" "混" "合" "text""#]]
    .assert_eq(&rendered.join("\n"));
}

proptest! {
    /// The scanner's keys (fast ASCII path included) equal the keys of the slow string
    /// functions, and spans lie on character boundaries.
    #[test]
    fn scanner_keys_agree_with_string_functions(
        text in "(\\PC|[a-zA-Z0-9 .-]|[\u{0400}-\u{045F}]|[\u{0600}-\u{06FF}]|[\u{0300}-\u{0310}]|[\u{4E00}-\u{4E20}]){0,60}"
    ) {
        let keys = WordKeys::new(7, 11);
        let mut out = Vec::new();
        words(&text, &keys, &mut out);
        for word in out {
            let slice = text.get(word.start as usize..word.end as usize);
            prop_assert!(slice.is_some());
            let slice = slice.unwrap();
            let (exact, skeleton) = reference_keys(&keys, slice);
            prop_assert_eq!(word.exact, exact, "exact key of {:?}", slice);
            prop_assert_eq!(word.skeleton, skeleton, "skeleton key of {:?}", slice);
        }
    }
}

proptest! {
    /// The cache never changes a word's keys: texts scanned one after another through one
    /// cache give the same words as without it (ASCII words of up to 40 bytes too: words past
    /// 32 bytes are not cached, those below share slots with the short ones).
    #[test]
    fn cached_scanning_equals_uncached(texts in prop::collection::vec("([a-zA-Z]{1,4}|[a-zA-Z0-9]{5,40}|[а-я]{1,3}|[ا-ي]{1,3}|[ .,-]|ÉCOLE|习近平){0,20}", 1..20)) {
        let keys = WordKeys::new(5, 9);
        let mut cache = muninn_text::WordCache::default();
        for text in &texts {
            let mut plain = Vec::new();
            words(text, &keys, &mut plain);
            let mut cached = Vec::new();
            muninn_text::words_cached(text, &keys, &mut cache, &mut cached);
            prop_assert_eq!(plain, cached);
        }
    }
}

/// Word spans the plain way, a character at a time: maximal runs of letters, digits and
/// combining marks, each Han character a word of its own.
fn reference_spans(text: &str) -> Vec<(usize, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c);
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        let han = muninn_text::is_han(c);
        if !is_word(c) || han {
            if let Some(start) = open.take() {
                spans.push((start, at));
            }
            if han {
                spans.push((at, at + c.len_utf8()));
            }
        } else if open.is_none() {
            open = Some(at);
        }
    }
    if let Some(start) = open {
        spans.push((start, text.len()));
    }
    spans
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    /// The scanner's word spans (ASCII runs and two-byte letters on their fast paths) equal those
    /// found a character at a time: long ASCII runs, words against non-ASCII letters, combining
    /// marks, joiners and Han characters.
    #[test]
    fn scanner_spans_agree_with_a_character_walk(
        text in "([a-zA-Z0-9]{1,70}|[ .,'@_-]{1,3}|[\u{0400}-\u{045F}]{1,4}|[\u{0600}-\u{06FF}]{1,3}|[\u{0300}-\u{0310}]|[\u{4E00}-\u{4E20}]|é|\u{200D}|\\PC){0,40}"
    ) {
        let keys = WordKeys::new(7, 11);
        let mut out = Vec::new();
        words(&text, &keys, &mut out);
        let found: Vec<(usize, usize)> = out.iter().map(|w| (w.start as usize, w.end as usize)).collect();
        prop_assert_eq!(found, reference_spans(&text));
    }
}
