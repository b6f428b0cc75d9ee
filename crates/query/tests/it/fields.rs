//! Fields, field groups, wildcards, fuzzy words, dates and TLP ranges.

use expect_test::expect;

use crate::check;

#[test]
fn fields() {
    check(
        &[
            "title:sandworm",
            "body:\"fancy bear\"",
            "source:mandiant-blog",
            "entity:\"Fancy Bear\"",
            "indicator:198.51.100.7",
            "indicator:fe80::1",
            "indicator.type:ipv4",
            "id:3f2a9c",
            "title:foo:bar",
            "title:AND",
            "-title:sandworm",
            "lang:ru",
            "lang:ara",
            "grade:B2",
            "grade:b",
            "tlp:amber",
            "tlp:TLP:AMBER+STRICT",
            "tlp:white",
        ],
        expect![[r#"
            > title:sandworm
            = title:sandworm
            Term title "sandworm"

            > body:"fancy bear"
            = body:"fancy bear"
            Phrase body "fancy bear"

            > source:mandiant-blog
            = source:mandiant-blog
            Term source "mandiant-blog"

            > entity:"Fancy Bear"
            = entity:"Fancy Bear"
            Phrase entity "Fancy Bear"

            > indicator:198.51.100.7
            = indicator:198.51.100.7
            Term indicator "198.51.100.7"

            > indicator:fe80::1
            = indicator:fe80::1
            Term indicator "fe80::1"

            > indicator.type:ipv4
            = indicator.type:ipv4
            Term indicator.type "ipv4"

            > id:3f2a9c
            = id:3f2a9c
            Term id "3f2a9c"

            > title:foo:bar
            = title:foo:bar
            Term title "foo:bar"

            > title:AND
            = title:AND
            Term title "AND"

            > -title:sandworm
            = NOT title:sandworm
            Not
              Term title "sandworm"

            > lang:ru
            = lang:ru
            Term lang "ru"

            > lang:ara
            = lang:ara
            Term lang "ara"

            > grade:B2
            = grade:B2
            Grade B2

            > grade:b
            = grade:B
            Grade B (any credibility)

            > tlp:amber
            = tlp:amber
            Tlp amber

            > tlp:TLP:AMBER+STRICT
            = tlp:amber+strict
            Tlp amber+strict

            > tlp:white
            = tlp:clear
            Tlp clear

        "#]],
    );
}

#[test]
fn field_groups_apply_the_field_to_each_clause() {
    check(
        &[
            "title:(sandworm OR \"fancy bear\")",
            "title:(a b) c",
            "title:(-a sandw* NOT c~1)",
            "title:(foo:bar http://x.example/a)",
            "lang:(ru OR uk)",
            "tlp:(green OR amber)",
            "grade:(A1 OR B)",
            "date:([2024-01-01 TO 2024-01-31] OR >now-1d)",
            "title:(a (b OR c))",
        ],
        expect![[r#"
            > title:(sandworm OR "fancy bear")
            = title:sandworm OR title:"fancy bear"
            Or
              Term title "sandworm"
              Phrase title "fancy bear"

            > title:(a b) c
            = title:a title:b c
            And
              Term title "a"
              Term title "b"
              Term "c"

            > title:(-a sandw* NOT c~1)
            = NOT title:a title:sandw* NOT title:c~1
            And
              Not
                Term title "a"
              Wildcard title "sandw*"
              Not
                Fuzzy title "c" within 1

            > title:(foo:bar http://x.example/a)
            = title:foo:bar title:http://x.example/a
            And
              Term title "foo:bar"
              Term title "http://x.example/a"

            > lang:(ru OR uk)
            = lang:ru OR lang:uk
            Or
              Term lang "ru"
              Term lang "uk"

            > tlp:(green OR amber)
            = tlp:green OR tlp:amber
            Or
              Tlp green
              Tlp amber

            > grade:(A1 OR B)
            = grade:A1 OR grade:B
            Or
              Grade A1
              Grade B (any credibility)

            > date:([2024-01-01 TO 2024-01-31] OR >now-1d)
            = date:[2024-01-01 TO 2024-01-31] OR date:>2024-03-14T12:00:00Z
            Or
              Date from 2024-01-01T00:00:00Z (included) to 2024-02-01T00:00:00Z (excluded)
              Date from 2024-03-14T12:00:00Z (excluded) to * (unbounded)

            > title:(a (b OR c))
            = title:a (title:b OR title:c)
            And
              Term title "a"
              Or
                Term title "b"
                Term title "c"

        "#]],
    );
}

#[test]
fn wildcards() {
    check(
        &["sandw*", "s?ndworm", "*ndworm", "?andworm", "title:*", "body:sand*rm", "**"],
        expect![[r#"
        > sandw*
        = sandw*
        Wildcard "sandw*"

        > s?ndworm
        = s?ndworm
        Wildcard "s?ndworm"

        > *ndworm
        = *ndworm
        Wildcard "*ndworm" (leading wildcard)

        > ?andworm
        = ?andworm
        Wildcard "?andworm" (leading wildcard)

        > title:*
        = title:*
        Wildcard title "*" (leading wildcard)

        > body:sand*rm
        = body:sand*rm
        Wildcard body "sand*rm"

        > **
        = **
        Wildcard "**" (leading wildcard)

    "#]],
    );
}

#[test]
fn fuzzy_words() {
    check(
        &["sandwrm~1", "sandwrm~", "sandwrm~2", "title:sandwrm~1"],
        expect![[r#"
        > sandwrm~1
        = sandwrm~1
        Fuzzy "sandwrm" within 1

        > sandwrm~
        = sandwrm~2
        Fuzzy "sandwrm" within 2

        > sandwrm~2
        = sandwrm~2
        Fuzzy "sandwrm" within 2

        > title:sandwrm~1
        = title:sandwrm~1
        Fuzzy title "sandwrm" within 1

    "#]],
    );
}

#[test]
fn dates_and_ranges() {
    check(
        &[
            "date:2024-03-01",
            "date:2024-03-01T12:00:00+02:00",
            "date:[2024-01-01 TO 2024-03-31]",
            "date:{2024-01-01 TO 2024-03-31}",
            "date:[2024-01-01 TO 2024-03-31}",
            "date:[2024-01-01T06:00:00Z TO 2024-01-02T06:00:00.5Z]",
            "date:[* TO 2024-01-01]",
            "date:[2024-01-01 TO *]",
            "date:[* TO *]",
            "date:>2024-01-01",
            "date:>=2024-01-01",
            "date:<2024-01-01",
            "date:<=2024-01-01",
            "date:>now-7d",
            "date:>=now-36h",
            "date:<now",
            "date:[now-2w TO now]",
            "date:[2024-02-29 TO now+1d}",
        ],
        expect![[r#"
            > date:2024-03-01
            = date:2024-03-01
            Date from 2024-03-01T00:00:00Z (included) to 2024-03-02T00:00:00Z (excluded)

            > date:2024-03-01T12:00:00+02:00
            = date:2024-03-01T10:00:00Z
            Date from 2024-03-01T10:00:00Z (included) to 2024-03-01T10:00:00Z (included)

            > date:[2024-01-01 TO 2024-03-31]
            = date:[2024-01-01 TO 2024-03-31]
            Date from 2024-01-01T00:00:00Z (included) to 2024-04-01T00:00:00Z (excluded)

            > date:{2024-01-01 TO 2024-03-31}
            = date:[2024-01-02 TO 2024-03-30]
            Date from 2024-01-02T00:00:00Z (included) to 2024-03-31T00:00:00Z (excluded)

            > date:[2024-01-01 TO 2024-03-31}
            = date:[2024-01-01 TO 2024-03-30]
            Date from 2024-01-01T00:00:00Z (included) to 2024-03-31T00:00:00Z (excluded)

            > date:[2024-01-01T06:00:00Z TO 2024-01-02T06:00:00.5Z]
            = date:[2024-01-01T06:00:00Z TO 2024-01-02T06:00:00.5Z]
            Date from 2024-01-01T06:00:00Z (included) to 2024-01-02T06:00:00.5Z (included)

            > date:[* TO 2024-01-01]
            = date:<=2024-01-01
            Date from * (unbounded) to 2024-01-02T00:00:00Z (excluded)

            > date:[2024-01-01 TO *]
            = date:>=2024-01-01
            Date from 2024-01-01T00:00:00Z (included) to * (unbounded)

            > date:[* TO *]
            = date:[* TO *]
            Date from * (unbounded) to * (unbounded)

            > date:>2024-01-01
            = date:>=2024-01-02
            Date from 2024-01-02T00:00:00Z (included) to * (unbounded)

            > date:>=2024-01-01
            = date:>=2024-01-01
            Date from 2024-01-01T00:00:00Z (included) to * (unbounded)

            > date:<2024-01-01
            = date:<=2023-12-31
            Date from * (unbounded) to 2024-01-01T00:00:00Z (excluded)

            > date:<=2024-01-01
            = date:<=2024-01-01
            Date from * (unbounded) to 2024-01-02T00:00:00Z (excluded)

            > date:>now-7d
            = date:>2024-03-08T12:00:00Z
            Date from 2024-03-08T12:00:00Z (excluded) to * (unbounded)

            > date:>=now-36h
            = date:>=2024-03-14
            Date from 2024-03-14T00:00:00Z (included) to * (unbounded)

            > date:<now
            = date:<2024-03-15T12:00:00Z
            Date from * (unbounded) to 2024-03-15T12:00:00Z (excluded)

            > date:[now-2w TO now]
            = date:[2024-03-01T12:00:00Z TO 2024-03-15T12:00:00Z]
            Date from 2024-03-01T12:00:00Z (included) to 2024-03-15T12:00:00Z (included)

            > date:[2024-02-29 TO now+1d}
            = date:[2024-02-29 TO 2024-03-16T12:00:00Z}
            Date from 2024-02-29T00:00:00Z (included) to 2024-03-16T12:00:00Z (excluded)

        "#]],
    );
}

#[test]
fn tlp_ranges() {
    check(
        &[
            "tlp:>=amber",
            "tlp:>amber",
            "tlp:<amber",
            "tlp:<=green",
            "tlp:[green TO amber+strict]",
            "tlp:{clear TO red}",
            "tlp:[* TO green]",
            "tlp:[amber TO amber]",
        ],
        expect![[r#"
            > tlp:>=amber
            = tlp:>=amber
            Tlp amber, amber+strict, red

            > tlp:>amber
            = tlp:>=amber+strict
            Tlp amber+strict, red

            > tlp:<amber
            = tlp:<=green
            Tlp clear, green

            > tlp:<=green
            = tlp:<=green
            Tlp clear, green

            > tlp:[green TO amber+strict]
            = tlp:[green TO amber+strict]
            Tlp green, amber, amber+strict

            > tlp:{clear TO red}
            = tlp:[green TO amber+strict]
            Tlp green, amber, amber+strict

            > tlp:[* TO green]
            = tlp:<=green
            Tlp clear, green

            > tlp:[amber TO amber]
            = tlp:amber
            Tlp amber

        "#]],
    );
}
