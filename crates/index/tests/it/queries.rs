//! Query in, ranked titles and highlighted snippets out, in English, Russian, Arabic and Chinese.
//! Refresh the expectations with `UPDATE_EXPECT=1` after checking the difference is right.

use std::fmt::Write;

use expect_test::{Expect, expect};
use muninn_index::Visibility;
use muninn_store::ItemStore;

use crate::{corpus_index, now};

fn check(query: &str, expected: Expect) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, index) = corpus_index(dir.path());
    let results = crate::search(&index, query, &Visibility::everything());
    let parsed = muninn_query::parse(query, now()).expect("parses");
    let mut out = format!("{} hit(s)\n", results.total);
    for hit in &results.hits {
        let item = store.item(&hit.id).expect("read").expect("present");
        let snippet = index.snippets(&parsed, &[&item.body], 80).expect("snippet").remove(0);
        writeln!(out, "{} | {}", item.title.unwrap_or_default(), snippet.marked("[", "]")).ok();
    }
    expected.assert_eq(&out);
}

#[test]
fn english_terms_stems_and_phrases() {
    check(
        "sandworm",
        expect![[r#"
        3 hit(s)
        Группа Sandworm атаковала энергетику | Хакеры из группировки [Sandworm] атаковали
        Sandworm attacks the grid | [Sandworm] attacked energy companies in Ukraine with a new wiper
        Partner report on Sandworm | Our partner saw [Sandworm] reuse infrastructure at evil.example in Odesa
    "#]],
    );
    check(
        "attacking",
        expect![[r#"
        1 hit(s)
        Sandworm attacks the grid | Sandworm [attacked] energy companies in Ukraine with a new wiper
    "#]],
    );
    check(
        "\"fancy bear\"",
        expect![[r#"
        1 hit(s)
        APT28 phishing wave | [Fancy] [Bear] sent phishing lures to defence ministries from 198.51.100.7
    "#]],
    );
    check(
        "title:lazarus",
        expect![[r#"
        2 hit(s)
        Lazarus Group and crypto exchanges | The Lazarus Group stole funds from exchanges; CVE-2021-44228 was exploited.
        Lazarus 组织盗取加密货币 | Lazarus 组织从交易所盗取了加密货币。
    "#]],
    );
}

#[test]
fn indicators_are_found_whole() {
    check(
        "198.51.100.7",
        expect![[r#"
        2 hit(s)
        Фишинговая рассылка | адрес [198.51.100.7]
        APT28 phishing wave | Fancy Bear sent phishing lures to defence ministries from [198.51.100.7]
    "#]],
    );
    check(
        "CVE-2021-44228",
        expect![[r#"
        1 hit(s)
        Lazarus Group and crypto exchanges | The Lazarus Group stole funds from exchanges; [CVE]-[2021]-[44228] was exploited
    "#]],
    );
    check(
        "evil.example",
        expect![[r#"
        1 hit(s)
        Partner report on Sandworm | Our partner saw Sandworm reuse infrastructure at [evil.example] in Odesa
    "#]],
    );
}

#[test]
fn boolean_operators_and_fields() {
    check(
        "sandworm AND NOT lang:ru",
        expect![[r#"
        2 hit(s)
        Sandworm attacks the grid | [Sandworm] attacked energy companies in Ukraine with a new wiper
        Partner report on Sandworm | Our partner saw [Sandworm] reuse infrastructure at evil.example in Odesa
    "#]],
    );
    check(
        "(apt28 OR turla) source:analyst-notes",
        expect![[r#"
        1 hit(s)
        Note: Turla infrastructure | [Turla] reused the domain update-check.example for Snake command and control
    "#]],
    );
    check(
        "lazarus -lang:zh",
        expect![[r#"
        1 hit(s)
        Lazarus Group and crypto exchanges | The [Lazarus] Group stole funds from exchanges; CVE-2021-44228 was exploited
    "#]],
    );
    check(
        "tlp:>=amber",
        expect![[r#"
        3 hit(s)
        Partner report on Sandworm | Our partner saw Sandworm reuse infrastructure at evil.example in Odesa.
        Named source on APT28 | A named source says APT28 prepared operations against ministries.
        Note: Turla infrastructure | Turla reused the domain update-check.example for Snake command and control.
    "#]],
    );
}

#[test]
fn wildcards_fuzzy_and_dates() {
    check(
        "sandw*",
        expect![[r#"
        3 hit(s)
        Sandworm attacks the grid | Sandworm attacked energy companies in Ukraine with a new wiper.
        Partner report on Sandworm | Our partner saw Sandworm reuse infrastructure at evil.example in Odesa.
        Группа Sandworm атаковала энергетику | Хакеры из группировки Sandworm атаковали энергетические компании Украины.
    "#]],
    );
    check(
        "sandwrm~1",
        expect![[r#"
        3 hit(s)
        Sandworm attacks the grid | Sandworm attacked energy companies in Ukraine with a new wiper.
        Partner report on Sandworm | Our partner saw Sandworm reuse infrastructure at evil.example in Odesa.
        Группа Sandworm атаковала энергетику | Хакеры из группировки Sandworm атаковали энергетические компании Украины.
    "#]],
    );
    check(
        "date:[2026-03-05 TO 2026-03-07]",
        expect![[r#"
        3 hit(s)
        Named source on APT28 | A named source says APT28 prepared operations against ministries.
        Группа Sandworm атаковала энергетику | Хакеры из группировки Sandworm атаковали энергетические компании Украины.
        Фишинговая рассылка | Новая фишинговая рассылка использовала адрес 198.51.100.7.
    "#]],
    );
    check(
        "phishing date:<2026-03-02",
        expect![[r#"
        1 hit(s)
        APT28 phishing wave | Fancy Bear sent [phishing] lures to defence ministries from 198.51.100.7
    "#]],
    );
}

#[test]
fn russian_is_stemmed() {
    check(
        "атаковали",
        expect![[r#"
        1 hit(s)
        Группа Sandworm атаковала энергетику | Хакеры из группировки Sandworm [атаковали]
    "#]],
    );
    check(
        "фишинговые",
        expect![[r#"
        1 hit(s)
        Фишинговая рассылка | Новая [фишинговая] рассылка использовала
    "#]],
    );
}

#[test]
fn arabic_is_normalised() {
    check(
        "البغدادي",
        expect![[r#"
        1 hit(s)
        أبو بكر البغدادي | ذكرت تقارير أن أبو بكر [البغدادي] ظهر في تسجيل
    "#]],
    );
    check(
        "ابو بكر",
        expect![[r#"
        1 hit(s)
        أبو بكر البغدادي | ذكرت تقارير أن [أبو] [بكر] البغدادي ظهر في تسجيل
    "#]],
    );
    check(
        "الطاقه",
        expect![[r#"
        1 hit(s)
        هجوم على شركات الطاقة | استهدفت المجموعة شركات [الطاقة] في أوكرانيا
    "#]],
    );
}

#[test]
fn chinese_is_segmented() {
    check(
        "乌克兰",
        expect![[r#"
        1 hit(s)
        乌克兰能源公司遭到攻击 | 该组织利用网络钓鱼邮件攻击了[乌克兰]的能源公司
    "#]],
    );
    check(
        "能源公司",
        expect![[r#"
        1 hit(s)
        乌克兰能源公司遭到攻击 | 该组织利用网络钓鱼邮件攻击了乌克兰的[能源][公司]
    "#]],
    );
    check(
        "加密货币",
        expect![[r#"
        1 hit(s)
        Lazarus 组织盗取加密货币 | Lazarus 组织从交易所盗取了[加密][货币]
    "#]],
    );
}
