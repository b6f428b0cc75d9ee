//! Names parsed into parts, rendered one part a line.

use expect_test::{Expect, expect};
use muninn_names::{NameKind, parse_name};

fn check(name: &str, expect: Expect) {
    let rendered = match parse_name(name, NameKind::Unknown) {
        Err(error) => format!("error: {error}\n"),
        Ok(parsed) => {
            let mut out = format!("{:?}{}\n", parsed.kind, if parsed.inverted { ", inverted" } else { "" });
            for part in &parsed.parts {
                out.push_str(&format!(
                    "  {} {:?} latin={} skeleton={} phonetic={}\n",
                    part.role.as_str(),
                    part.original,
                    part.latin,
                    part.skeleton,
                    part.phonetic
                ));
            }
            out
        }
    };
    expect.assert_eq(&rendered);
}

#[test]
fn persons() {
    check(
        "SALEK, ABDULHAI",
        expect![[r#"
        Person, inverted
          given "ABDULHAI" latin=abdulhai skeleton=bdl phonetic=btl
          family "SALEK" latin=salek skeleton=slk phonetic=slk
    "#]],
    );
    check(
        "Sheikh Abd al-Rahman bin Muhammad al-Baghdadi",
        expect![[r#"
        Person
          honorific "Sheikh" latin=sheikh skeleton=s phonetic=s
          given "AbdalRahman" latin=abdalrahman skeleton=bdlrmn phonetic=btlrmn
          particle "bin" latin=bin skeleton=bn phonetic=bn
          middle "Muhammad" latin=muhammad skeleton=md phonetic=mt
          particle "al" latin=al skeleton=l phonetic=l
          family "Baghdadi" latin=baghdadi skeleton=bgd phonetic=bkt
    "#]],
    );
    check(
        "Виктор Петрович Лебедев",
        expect![[r#"
        Person
          given "Виктор" latin=viktor skeleton=ktr phonetic=ktr
          patronymic "Петрович" latin=petrovich skeleton=ptrc phonetic=btrk
          family "Лебедев" latin=lebedev skeleton=lbd phonetic=lbt
    "#]],
    );
    check(
        "V. P. Lebedev",
        expect![[r#"
            Person
              initial "V" latin=v skeleton= phonetic=
              initial "P" latin=p skeleton=p phonetic=b
              family "Lebedev" latin=lebedev skeleton=lbd phonetic=lbt
        "#]],
    );
    check(
        "Ludwig van Beethoven",
        expect![[r#"
        Person
          given "Ludwig" latin=ludwig skeleton=ldg phonetic=ltk
          particle "van" latin=van skeleton=n phonetic=n
          family "Beethoven" latin=beethoven skeleton=btn phonetic=btn
    "#]],
    );
    check(
        "习近平",
        expect![[r#"
            Person
              family "习" latin=xi skeleton=ks phonetic=ks
              given "近平" latin=jinping skeleton=jnpng phonetic=snbnk
        "#]],
    );
    check(
        "Αλέξης Τσίπρας",
        expect![[r#"
        Person
          given "Αλέξης" latin=alexis skeleton=lks phonetic=lks
          family "Τσίπρας" latin=tsipras skeleton=tsprs phonetic=tsbrs
    "#]],
    );
    check(
        "בנימין נתניהו",
        expect![[r#"
        Person
          given "בנימין" latin=bnymyn skeleton=bnmn phonetic=bnmn
          family "נתניהו" latin=ntnyhv skeleton=ntn phonetic=ntn
    "#]],
    );
}

#[test]
fn organisations() {
    check(
        "ООО Ромашка",
        expect![[r#"
        Organization
          legal-form "ООО" latin=ooo skeleton= phonetic=
          word "Ромашка" latin=romashka skeleton=rmsk phonetic=rmsk
    "#]],
    );
    check(
        "Acme, Inc.",
        expect![[r#"
        Organization
          word "Acme" latin=acme skeleton=cm phonetic=km
          legal-form "Inc" latin=inc skeleton=nc phonetic=nk
    "#]],
    );
    check(
        "Harbor Bank Co",
        expect![[r#"
        Organization
          word "Harbor" latin=harbor skeleton=rbr phonetic=rbr
          word "Bank" latin=bank skeleton=bnk phonetic=bnk
          legal-form "Co" latin=co skeleton=c phonetic=k
    "#]],
    );
    check(
        "Siemens GmbH",
        expect![[r#"
        Organization
          word "Siemens" latin=siemens skeleton=smns phonetic=smns
          legal-form "GmbH" latin=gmbh skeleton=gmb phonetic=kmb
    "#]],
    );
}
