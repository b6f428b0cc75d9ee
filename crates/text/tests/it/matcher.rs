use expect_test::{Expect, expect};
use muninn_text::words::WordKeys;
use muninn_text::{NameForm, NameMatcher, Scratch, fold, is_particle, skeleton, words};
use proptest::prelude::*;

fn check(names: &[&str], text: &str, expect: Expect) {
    let (matcher, warnings) = NameMatcher::with_keys(
        names.iter().enumerate().map(|(i, n)| NameForm::name(i as u32, n)),
        WordKeys::new(3, 5),
    );
    let mut out = Vec::new();
    matcher.find(text, &mut Scratch::default(), &mut out);
    let mut rendered: Vec<String> = warnings.iter().map(|w| format!("warning: {w:?}: {w}")).collect();
    rendered.extend(
        out.iter().map(|m| {
            format!("{:?} {} {:?}", names[m.form as usize], m.method.as_str(), &text[m.span.clone()])
        }),
    );
    expect.assert_eq(&(rendered.join("\n") + "\n"));
}

#[test]
fn whole_words_only() {
    check(
        &["Harbor Bank Co", "Bank"],
        "Harbor Bank Corp paid; Harbor Bank Co. did not; banking is not Bank.",
        expect![[r#"
            "Bank" exact "Bank"
            "Harbor Bank Co" exact "Harbor Bank Co"
            "Bank" exact "Bank"
            "Bank" exact "Bank"
        "#]],
    );
}

#[test]
fn one_name_in_three_scripts() {
    check(
        &["Abu Bakr al-Baghdadi"],
        "Абу Бакр аль-Багдади; أبو بكر البغدادي; Abou Bakr al Baghdadi; ABU BAKR AL-BAGHDADI",
        expect![[r#"
            "Abu Bakr al-Baghdadi" exact "ABU BAKR AL-BAGHDADI"
            "Abu Bakr al-Baghdadi" transliteration "Абу Бакр аль-Багдади"
            "Abu Bakr al-Baghdadi" transliteration "أبو بكر البغدادي"
            "Abu Bakr al-Baghdadi" transliteration "Abou Bakr al Baghdadi"
        "#]],
    );
}

#[test]
fn chinese_names_without_spaces_and_folding() {
    check(
        &["习近平", "Müller", "ＡＰＴ２８"],
        "国家主席习近平今天会见; MULLER and Mueller; apt28 and APT 28",
        expect![[r#"
            "习近平" exact "习近平"
            "Müller" exact "MULLER"
            "ＡＰＴ２８" exact "apt28"
        "#]],
    );
}

#[test]
fn bad_names_are_left_out_with_a_warning() {
    check(
        &["", "x", "--", "Sana'a", "sana a", "SANA'A"],
        "x marks Sana'a",
        expect![[r#"
            warning: NoWords { form: 0 }: the name has no letters or digits
            warning: TooShort { form: 1 }: the name is a single character
            warning: NoWords { form: 2 }: the name has no letters or digits
            "Sana'a" exact "Sana'a"
            "sana a" exact "Sana'a"
            "SANA'A" exact "Sana'a"
        "#]],
    );
}

/// How a match was found, as the reference and the property compare it.
const EXACT: u8 = 0;
const TRANSLITERATION: u8 = 1;
const NEAR_MISS: u8 = 2;

/// A slow and obviously correct matcher: strings, no hashes, no tables.
fn reference(names: &[String], text: &str) -> Vec<(u32, usize, usize, u8)> {
    let keys = WordKeys::new(0, 0);
    let split = |s: &str| {
        let mut out = Vec::new();
        words(s, &keys, &mut out);
        out.into_iter()
            .map(|w| (w.start as usize, w.end as usize, s[w.start as usize..w.end as usize].to_owned()))
            .collect::<Vec<_>>()
    };
    let text_words = split(text);
    let mut found = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let name_words = split(name);
        if name_words.is_empty() || (name_words.len() == 1 && name.trim().chars().count() == 1) {
            continue;
        }
        let name_folded: Vec<String> = name_words.iter().map(|w| fold(&w.2)).collect();
        for start in 0..text_words.len() {
            let window = text_words.get(start..start + name_words.len());
            if window.is_some_and(|window| window.iter().zip(&name_folded).all(|(w, n)| fold(&w.2) == *n)) {
                let window = window.unwrap();
                found.push((index as u32, window[0].0, window[window.len() - 1].1, EXACT));
            }
        }
        let not_particle =
            |w: &&(usize, usize, String)| !is_particle(&muninn_text::skeleton::to_latin(&fold(&w.2)));
        let name_kept_words: Vec<&(usize, usize, String)> = name_words.iter().filter(not_particle).collect();
        let name_kept: Vec<String> = name_kept_words.iter().map(|w| skeleton(&w.2)).collect();
        let letters: usize = name_kept.iter().map(|s| s.chars().count()).sum();
        if name_kept.len() >= 2 && letters >= 4 {
            transliterations(index as u32, &name_kept_words, &name_kept, &text_words, &mut found);
        }
        near_misses(index as u32, &name_words, &text_words, &mut found);
    }
    found.sort();
    found
}

type Spanned = (usize, usize, String);

fn transliterations(
    index: u32,
    name_kept_words: &[&Spanned],
    name_kept: &[String],
    text_words: &[Spanned],
    found: &mut Vec<(u32, usize, usize, u8)>,
) {
    let not_particle = |w: &&Spanned| !is_particle(&muninn_text::skeleton::to_latin(&fold(&w.2)));
    let text_kept: Vec<&(usize, usize, String)> = text_words.iter().filter(not_particle).collect();
    for start in 0..text_kept.len() {
        let Some(window) = text_kept.get(start..start + name_kept.len()) else { continue };
        // Evidence: every word, romanised, nearly as the name spells it, and one word in
        // another script or spelled exactly as listed.
        let latin = |word: &str| muninn_text::skeleton::to_latin(&fold(word));
        let pairs = || window.iter().zip(name_kept_words);
        let evidence = pairs().all(|(w, n)| muninn_text::evidence_allows(&latin(&w.2), &latin(&n.2)))
            && pairs().any(|(w, n)| {
                muninn_text::script_of(&w.2) != muninn_text::script_of(&n.2) || fold(&w.2) == fold(&n.2)
            });
        if evidence && window.iter().zip(name_kept).all(|(w, n)| skeleton(&w.2) == *n) {
            let span = (window[0].0, window[window.len() - 1].1);
            let exact_overlap =
                found.iter().any(|f| f.0 == index && f.3 == EXACT && f.1 < span.1 && span.0 < f.2);
            if !exact_overlap {
                found.push((index, span.0, span.1, TRANSLITERATION));
            }
        }
    }
}

/// The near-miss rule written out: same word count, words equal folded or a near miss of the
/// listed word, one to `most` of them differing; one of the first two words equal (and not a
/// particle) and the other with the listed initial (the first only when long enough to miss,
/// unless it is a particle); not overlapping another match of the same form.
fn near_misses(
    index: u32,
    name_words: &[Spanned],
    text_words: &[Spanned],
    found: &mut Vec<(u32, usize, usize, u8)>,
) {
    let listed: Vec<String> = name_words.iter().map(|w| fold(&w.2)).collect();
    let long = |w: &str| w.chars().count() >= muninn_text::NEAR_MISS_MIN_CHARS;
    if listed.len() < 2 || !listed.iter().any(|w| long(w)) {
        return;
    }
    let most = if listed.len() >= 4 { 2 } else { 1 };
    for start in 0..text_words.len() {
        let Some(window) = text_words.get(start..start + listed.len()) else { continue };
        let written: Vec<String> = window.iter().map(|w| fold(&w.2)).collect();
        let initial = |w: &str| w.chars().next();
        let particle = |w: &str| is_particle(&muninn_text::skeleton::to_latin(w));
        let by_first = !particle(&listed[0]);
        let by_second = !particle(&listed[1]) && (long(&listed[0]) || !by_first);
        let keyed = (by_first && written[0] == listed[0] && initial(&written[1]) == initial(&listed[1]))
            || (by_second && written[1] == listed[1] && initial(&written[0]) == initial(&listed[0]));
        let differing = written.iter().zip(&listed).filter(|(w, l)| w != l).count();
        let near = written.iter().zip(&listed).all(|(w, l)| w == l || muninn_text::near_miss_allows(w, l));
        let span = (window[0].0, window[window.len() - 1].1);
        let overlaps = found.iter().any(|f| f.0 == index && f.1 < span.1 && span.0 < f.2);
        if keyed && near && (1..=most).contains(&differing) && !overlaps {
            found.push((index, span.0, span.1, NEAR_MISS));
        }
    }
}

fn name_strategy() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Abu Bakr al-Baghdadi",
        "Абу Бакр",
        "أبو بكر البغدادي",
        "习近平",
        "Harbor Bank Co",
        "Bank",
        "Müller",
        "al Qaeda",
        "Mohammed Khalid",
        "x",
        "",
        "Zhanna Ivanova",
        "Zhanna Ivanova Petrovna Orlova",
    ])
    .prop_map(str::to_owned)
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "Abu",
            "Abou",
            "Bakr",
            "Бакр",
            "Абу",
            "al",
            "аль-",
            "Baghdadi",
            "Bagdhadi",
            "Baghdadis",
            "Bhagdadi",
            "البغدادي",
            "بكر",
            "أبو",
            "习",
            "近",
            "平",
            "Harbor",
            "Bank",
            "Co",
            "Corp",
            "MULLER",
            "Qaeda",
            "Muhammad",
            "Mohamed",
            "Khalid",
            "Khaled",
            "Harbour",
            "Ivanvoa",
            "Халид",
            "Жанна",
            "Ivanova",
            "Иванова",
            ",",
            " ",
            "-",
        ]),
        0..30,
    )
    .prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    /// The matcher finds exactly what the string-based reference finds.
    #[test]
    fn matcher_agrees_with_reference(names in prop::collection::vec(name_strategy(), 1..6), text in text_strategy()) {
        let (matcher, _) = NameMatcher::new(names.iter().enumerate().map(|(i, n)| NameForm::name(i as u32, n)));
        let mut out = Vec::new();
        matcher.find(&text, &mut Scratch::default(), &mut out);
        let method = |m: muninn_text::MatchMethod| match m {
            muninn_text::MatchMethod::Exact => EXACT,
            muninn_text::MatchMethod::Transliteration => TRANSLITERATION,
            muninn_text::MatchMethod::NearMiss => NEAR_MISS,
        };
        let mut got: Vec<(u32, usize, usize, u8)> =
            out.iter().map(|m| (m.form, m.span.start, m.span.end, method(m.method))).collect();
        got.sort();
        prop_assert_eq!(got, reference(&names, &text));
    }
}

#[test]
fn transliteration_needs_words_spelled_nearly_as_listed() {
    check(
        &["Ayman al-Zawahiri"],
        "Aiman al-Zawahri; Айман аз-Завахири; أيمن الظواهري; мне зря; Amin Zaher",
        expect![[r#"
            "Ayman al-Zawahiri" transliteration "Айман аз-Завахири"
            "Ayman al-Zawahiri" transliteration "أيمن الظواهري"
        "#]],
    );
}

#[test]
fn latin_words_that_only_sound_like_a_latin_name_are_not_it() {
    // "market report" has the skeletons of "Marikat Raporti" (m-r-k-t, r-p-r-t) but neither
    // word is spelled as listed: no anchor, no match. One word as listed, or another script,
    // anchors the pair.
    check(
        &["Marikat Raporti"],
        "the market report said; then Marikat Raport; and Марикат Рапорти; MARKET REPORTI",
        expect![[r#"
            "Marikat Raporti" transliteration "Marikat Raport"
            "Marikat Raporti" transliteration "Марикат Рапорти"
        "#]],
    );
}

#[test]
fn one_scratch_serves_matchers_in_turn() {
    // Screening keeps each thread's scratch (and its word cache, which holds a matcher's own
    // flags per word) from batch to batch, across watchlist versions: a matcher must never read
    // the flags another left in the cache. With the same hash seeds, only the matcher's identity
    // tells the two apart.
    let matcher = |names: &[&str]| {
        NameMatcher::with_keys(
            names.iter().enumerate().map(|(i, n)| NameForm::name(i as u32, n)),
            WordKeys::new(3, 5),
        )
        .0
    };
    let (first, second) = (matcher(&["Harbor Bank"]), matcher(&["Bank Harbor"]));
    let text = "Harbor Bank and Bank Harbor";
    let mut scratch = Scratch::default();
    for (matcher, expected) in [(&first, "Harbor Bank"), (&second, "Bank Harbor"), (&first, "Harbor Bank")] {
        let mut out = Vec::new();
        matcher.find(text, &mut scratch, &mut out);
        let found: Vec<&str> = out.iter().map(|m| &text[m.span.clone()]).collect();
        assert_eq!(found, [expected]);
    }
}

#[test]
fn forms_of_a_large_list_keep_their_places() {
    // 20k forms: each keeps its index, and warnings name the right form.
    let mut names: Vec<String> = (0..20_000).map(|i| format!("Person{i:05} Family{i:05}")).collect();
    names.push("x".to_owned());
    names.push("Person12345 Family12345".to_owned());
    let (matcher, warnings) =
        NameMatcher::new(names.iter().enumerate().map(|(i, n)| NameForm::name(i.min(12_345) as u32, n)));
    assert_eq!(
        warnings,
        vec![
            muninn_text::NameWarning::TooShort { form: 20_000 },
            muninn_text::NameWarning::Duplicate { form: 20_001, of: 12_345 }
        ]
    );
    let text = "Person00000 Family00000 met PERSON12345 family12345 and Person19999 Family19999.";
    let mut out = Vec::new();
    matcher.find(text, &mut Scratch::default(), &mut out);
    let found: Vec<(u32, u32, &str)> = out.iter().map(|m| (m.id, m.form, &text[m.span.clone()])).collect();
    assert_eq!(
        found,
        vec![
            (0, 0, "Person00000 Family00000"),
            (12_345, 12_345, "PERSON12345 family12345"),
            (12_345, 19_999, "Person19999 Family19999"),
        ]
    );
}
