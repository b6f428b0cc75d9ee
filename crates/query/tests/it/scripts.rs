//! The same features in Russian, Arabic and Chinese: words of any script are terms.

use expect_test::expect;

use crate::check;

#[test]
fn russian() {
    check(
        &[
            "Багдади",
            "\"Песчаный червь\" OR Sandworm",
            "title:(Багдади OR Шойгу) -lang:en",
            "Багдад*",
            "Багдади~1",
            "entity:\"Исламское государство\" date:>now-7d",
            "и или не",
        ],
        expect![[r#"
            > Багдади
            = Багдади
            Term "Багдади"

            > "Песчаный червь" OR Sandworm
            = "Песчаный червь" OR Sandworm
            Or
              Phrase "Песчаный червь"
              Term "Sandworm"

            > title:(Багдади OR Шойгу) -lang:en
            = (title:Багдади OR title:Шойгу) NOT lang:en
            And
              Or
                Term title "Багдади"
                Term title "Шойгу"
              Not
                Term lang "en"

            > Багдад*
            = Багдад*
            Wildcard "Багдад*"

            > Багдади~1
            = Багдади~1
            Fuzzy "Багдади" within 1

            > entity:"Исламское государство" date:>now-7d
            = entity:"Исламское государство" date:>2024-03-08T12:00:00Z
            And
              Phrase entity "Исламское государство"
              Date from 2024-03-08T12:00:00Z (excluded) to * (unbounded)

            > и или не
            = и или не
            And
              Term "и"
              Term "или"
              Term "не"

        "#]],
    );
}

#[test]
fn arabic() {
    check(
        &[
            "البغدادي",
            "\"الدولة الإسلامية\" lang:ar",
            "body:(البغدادي OR داعش) NOT الموصل",
            "البغد*",
            "البغدادى~2",
        ],
        expect![[r#"
            > البغدادي
            = البغدادي
            Term "البغدادي"

            > "الدولة الإسلامية" lang:ar
            = "الدولة الإسلامية" lang:ar
            And
              Phrase "الدولة الإسلامية"
              Term lang "ar"

            > body:(البغدادي OR داعش) NOT الموصل
            = (body:البغدادي OR body:داعش) NOT الموصل
            And
              Or
                Term body "البغدادي"
                Term body "داعش"
              Not
                Term "الموصل"

            > البغد*
            = البغد*
            Wildcard "البغد*"

            > البغدادى~2
            = البغدادى~2
            Fuzzy "البغدادى" within 2

        "#]],
    );
}

#[test]
fn chinese() {
    check(
        &[
            "乌克兰",
            "\"乌克兰 危机\" tlp:green",
            "title:(乌克兰 OR 俄罗斯) -台湾",
            "乌克*",
            "entity:解放军　date:[2024-01-01 TO 2024-03-31]",
        ],
        expect![[r#"
            > 乌克兰
            = 乌克兰
            Term "乌克兰"

            > "乌克兰 危机" tlp:green
            = "乌克兰 危机" tlp:green
            And
              Phrase "乌克兰 危机"
              Tlp green

            > title:(乌克兰 OR 俄罗斯) -台湾
            = (title:乌克兰 OR title:俄罗斯) NOT 台湾
            And
              Or
                Term title "乌克兰"
                Term title "俄罗斯"
              Not
                Term "台湾"

            > 乌克*
            = 乌克*
            Wildcard "乌克*"

            > entity:解放军　date:[2024-01-01 TO 2024-03-31]
            = entity:解放军 date:[2024-01-01 TO 2024-03-31]
            And
              Term entity "解放军"
              Date from 2024-01-01T00:00:00Z (included) to 2024-04-01T00:00:00Z (excluded)

        "#]],
    );
}
