//! Queries against the samples: each rendered with the explanation of every match.

use expect_test::{Expect, expect};
use muninn_names::{BirthDate, Properties, Query};

use crate::render;

fn check(name: &str, expect: Expect) {
    expect.assert_eq(&render(&Query { name: name.to_owned(), ..Query::default() }));
}

fn check_with(name: &str, birth: &str, country: &str, expect: Expect) {
    let properties = Properties {
        birth_dates: vec![BirthDate::parse(birth).expect("date")],
        countries: vec![country.to_owned()],
        gender: None,
    };
    expect.assert_eq(&render(&Query { name: name.to_owned(), properties, ..Query::default() }));
}

#[test]
fn exact_reordered_and_inverted() {
    check(
        "ABDULHAI SALEK",
        expect![[r#"
        1.00 T-1: name 1.00 against "ABDULHAI SALEK"
          ABDULHAI ~ ABDULHAI: exact 1.00
          SALEK ~ SALEK: exact 1.00
    "#]],
    );
    check(
        "SALEK, ABDULHAI",
        expect![[r#"
        1.00 T-1: name 1.00 against "ABDULHAI SALEK"
          ABDULHAI ~ ABDULHAI: exact 1.00
          SALEK ~ SALEK: exact 1.00
    "#]],
    );
    check(
        "Salek Abdulhai",
        expect![[r#"
        1.00 T-1: name 1.00 against "ABDULHAI SALEK"
          Salek ~ SALEK: exact 1.00
          Abdulhai ~ ABDULHAI: exact 1.00
    "#]],
    );
}

#[test]
fn spellings_and_scripts() {
    check(
        "Abdul Hai Saleq",
        expect![[r#"
            0.98 T-1: name 0.98 against "ABDULHAI SALEK"
              AbdulHai ~ ABDULHAI: exact 1.00
              Saleq ~ SALEK: skeleton 0.96
        "#]],
    );
    check(
        "عبد الحی سالک",
        expect![[r#"
        1.00 T-1: name 1.00 against "عبد الحی سالک" (alias)
          عبدالحی ~ عبدالحی: exact 1.00
          سالک ~ سالک: exact 1.00
    "#]],
    );
    check(
        "Виктор Лебедев",
        expect![[r#"
            0.96 T-2: name 0.96 against "Viktor Petrovich Lebedev"
              Виктор ~ Viktor: transliteration 1.00
              Лебедев ~ Lebedev: transliteration 1.00
              not in the query: Petrovich
        "#]],
    );
    check(
        "Victor P. Lebedev",
        expect![[r#"
        0.94 T-2: name 0.94 against "Viktor Petrovich Lebedev"
          Victor ~ Viktor: phonetic 0.90
          P ~ Petrovich: initial 0.90
          Lebedev ~ Lebedev: exact 1.00
    "#]],
    );
    check(
        "习近平",
        expect![[r#"
        1.00 T-3: name 1.00 against "Xi Jinping"
          习 ~ Xi: transliteration 1.00
          近平 ~ Jinping: transliteration 1.00
    "#]],
    );
    // Korean in Hangul, romanised by syllable (Revised Romanization): 김정은 is gim jeong eun.
    check(
        "김정은",
        expect![[r#"
        0.92 T-11: name 0.92 against "Kim Jong Un"
          김 ~ Kim: phonetic 0.90
          정 ~ Jong: skeleton 0.96
          은 ~ Un: skeleton 0.90
    "#]],
    );
    // Japanese in kana, romanised in Hepburn (kanji have no reading without a dictionary).
    check(
        "やまだ たろう",
        expect![[r#"
        0.98 T-12: name 0.98 against "Yamada Taro"
          やまだ ~ Yamada: transliteration 1.00
          たろう ~ Taro: skeleton 0.96
    "#]],
    );
    check(
        "ヤマダ・タロウ",
        expect![[r#"
        0.98 T-12: name 0.98 against "Yamada Taro"
          ヤマダ ~ Yamada: transliteration 1.00
          タロウ ~ Taro: skeleton 0.96
    "#]],
    );
    check(
        "Xi Jin Ping",
        expect![[r#"
        1.00 T-3: name 1.00 against "Xi Jinping"
          Xi ~ Xi: exact 1.00
          Jin Ping ~ Jinping: exact 1.00
    "#]],
    );
    check(
        "Hassan Nasrallah",
        expect![[r#"
            0.98 SDN-2686: name 0.98 against "Hasan NASRALLAH"
              Hassan ~ Hasan: skeleton 0.96
              Nasrallah ~ NASRALLAH: exact 1.00
        "#]],
    );
    check(
        "Хасан Насралла",
        expect![[r#"
            0.96 SDN-2686: name 0.96 against "Hasan NASRALLAH"
              Хасан ~ Hasan: skeleton 0.96
              Насралла ~ NASRALLAH: skeleton 0.96
        "#]],
    );
}

#[test]
fn typos_and_missing_parts() {
    check(
        "Abdulhai Saelk",
        expect![[r#"
            0.97 T-1: name 0.97 against "ABDULHAI SALEK"
              Abdulhai ~ ABDULHAI: exact 1.00
              Saelk ~ SALEK: skeleton 0.94
        "#]],
    );
    check(
        "Mousa Abu Marzook",
        expect![[r#"
            0.97 SDN-3754: name 0.97 against "Mousa Mohammed ABU MARZOOK"
              Mousa ~ Mousa: exact 1.00
              Abu ~ ABU: exact 1.00
              Marzook ~ MARZOOK: exact 1.00
              not in the query: Mohammed
        "#]],
    );
    check(
        "Viktor Lebedv",
        expect![[r#"
            0.93 T-2: name 0.93 against "Viktor Petrovich Lebedev"
              Viktor ~ Viktor: exact 1.00
              Lebedv ~ Lebedev: skeleton 0.94
              not in the query: Petrovich
        "#]],
    );
}

#[test]
fn organisations() {
    check(
        "Harbor Bank Ltd",
        expect![[r#"
        1.00 T-5: name 1.00 against "Harbor Bank Co"
          Harbor ~ Harbor: exact 1.00
          Bank ~ Bank: exact 1.00
    "#]],
    );
    check(
        "Харбор Банк",
        expect![[r#"
        1.00 T-5: name 1.00 against "ООО Харбор Банк" (alias)
          Харбор ~ Харбор: exact 1.00
          Банк ~ Банк: exact 1.00
    "#]],
    );
    check(
        "Banco Nacional de Cuba",
        expect![[r#"
        1.00 SDN-306: name 1.00 against "BANCO NACIONAL DE CUBA"
          Banco ~ BANCO: exact 1.00
          Nacional ~ NACIONAL: exact 1.00
          Cuba ~ CUBA: exact 1.00
    "#]],
    );
    check(
        "Aerocaribbean Airlines",
        expect![[r#"
        1.00 SDN-36: name 1.00 against "AEROCARIBBEAN AIRLINES"
          Aerocaribbean ~ AEROCARIBBEAN: exact 1.00
          Airlines ~ AIRLINES: exact 1.00
    "#]],
    );
}

#[test]
fn hard_negatives() {
    check(
        "Hasan Salek",
        expect![[r#"
        no match
    "#]],
    );
    check(
        "Viktor Smirnov",
        expect![[r#"
        no match
    "#]],
    );
    check(
        "Lebedev",
        expect![[r#"
        no match
    "#]],
    );
}

#[test]
fn properties_add_and_take_evidence() {
    check_with(
        "Abdul Hai Saleq",
        "1965-03-02",
        "AF",
        expect![[r#"
            1.00 T-1: name 0.98 against "ABDULHAI SALEK"
              AbdulHai ~ ABDULHAI: exact 1.00
              Saleq ~ SALEK: skeleton 0.96
              birth_date 1965-03-02 ~ 1965-03-02: +0.08
              country AF ~ AF: +0.04
        "#]],
    );
    check_with(
        "Abdul Hai Saleq",
        "1990",
        "PK",
        expect![[r#"
        no match
    "#]],
    );
}

#[test]
fn arabic_script_renderings() {
    check(
        "فيكتور لبدف",
        expect![[r#"
        0.92 T-2: name 0.92 against "Viktor Petrovich Lebedev"
          فيكتور ~ Viktor: skeleton 0.96
          لبدف ~ Lebedev: skeleton 0.96
          not in the query: Petrovich
    "#]],
    );
    check(
        "سانتياغو ألفاريز كاسترو",
        expect![[r#"
        0.96 T-6: name 0.96 against "Santiago ALVAREZ CASTRO"
          سانتياغو ~ Santiago: skeleton 0.95
          ألفاريز ~ ALVAREZ: skeleton 0.96
          كاسترو ~ CASTRO: skeleton 0.96
    "#]],
    );
    check(
        "سانتياغو الفاريز كاسترو",
        expect![[r#"
        0.96 T-6: name 0.96 against "Santiago ALVAREZ CASTRO"
          سانتياغو ~ Santiago: skeleton 0.95
          الفاريز ~ ALVAREZ: skeleton 0.96
          كاسترو ~ CASTRO: skeleton 0.96
    "#]],
    );
    check(
        "حسن نصر الله",
        expect![[r#"
        0.96 SDN-2686: name 0.96 against "Hasan NASRALLAH"
          حسن ~ Hasan: skeleton 0.96
          نصر الله ~ NASRALLAH: skeleton 0.96
    "#]],
    );
    check(
        "پرویز وحیدی",
        expect![[r#"
        0.96 T-10: name 0.96 against "Parviz VAHIDI"
          پرویز ~ Parviz: skeleton 0.96
          وحیدی ~ VAHIDI: skeleton 0.96
    "#]],
    );
    check(
        "Parvez Vahidi",
        expect![[r#"
        0.98 T-10: name 0.98 against "Parviz VAHIDI"
          Parvez ~ Parviz: skeleton 0.96
          Vahidi ~ VAHIDI: exact 1.00
    "#]],
    );
    check(
        "محمد يونس أحمد",
        expect![[r#"
            0.96 T-7: name 0.96 against "Muhammad Yunis AHMAD"
              محمد ~ Muhammad: skeleton 0.96
              يونس ~ Yunis: skeleton 0.96
              أحمد ~ AHMAD: skeleton 0.96
            0.92 T-8: name 0.92 against "MOHAMMAD AHMADI"
              محمد ~ MOHAMMAD: skeleton 0.96
              أحمد ~ AHMADI: skeleton 0.95
              not in the entity's name: يونس
        "#]],
    );
    check(
        "Santiago Alvares Castro",
        expect![[r#"
        0.97 T-6: name 0.97 against "Santiago ALVAREZ CASTRO"
          Santiago ~ Santiago: exact 1.00
          Alvares ~ ALVAREZ: phonetic 0.91
          Castro ~ CASTRO: exact 1.00
    "#]],
    );
    check(
        "الفاريز كاسترو",
        expect![[r#"
        no match
    "#]],
    );
}

#[test]
fn missing_middle_names_and_lone_given_names() {
    check(
        "Muhammad Ahmad",
        expect![[r#"
        0.96 T-7: name 0.96 against "Muhammad Yunis AHMAD"
          Muhammad ~ Muhammad: exact 1.00
          Ahmad ~ AHMAD: exact 1.00
          not in the query: Yunis
        0.95 T-8: name 0.95 against "MOHAMMAD AHMADI"
          Muhammad ~ MOHAMMAD: skeleton 0.96
          Ahmad ~ AHMADI: skeleton 0.94
    "#]],
    );
    check(
        "Ibrahim Hassan",
        expect![[r#"
        no match
    "#]],
    );
    check(
        "P. Ibrahim",
        expect![[r#"
        no match
    "#]],
    );
    check(
        "Ibrahim",
        expect![[r#"
        1.00 QDi.299: name 1.00 against "Dr. Ibrahim" (alias)
          Ibrahim ~ Ibrahim: exact 1.00
        1.00 T-9: name 1.00 against "Dr. Ibrahim" (alias)
          Ibrahim ~ Ibrahim: exact 1.00
    "#]],
    );
    check(
        "Muhammad",
        expect![[r#"
        no match
    "#]],
    );
    check(
        "Santiago Castro",
        expect![[r#"
        0.96 T-6: name 0.96 against "Santiago ALVAREZ CASTRO"
          Santiago ~ Santiago: exact 1.00
          Castro ~ CASTRO: exact 1.00
          not in the query: ALVAREZ
    "#]],
    );
}
