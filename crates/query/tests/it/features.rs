//! Terms, indicators, URLs, keywords, phrases and boolean structure.

use expect_test::expect;

use crate::check;

#[test]
fn empty_and_match_all() {
    check(
        &["", "   \t\n", "*", "* sandworm", "NOT *"],
        expect![[r#"
        > 
        = *
        All

        >    \t\n
        = *
        All

        > *
        = *
        All

        > * sandworm
        = * sandworm
        And
          All
          Term "sandworm"

        > NOT *
        = NOT *
        Not
          All

    "#]],
    );
}

#[test]
fn indicators_are_single_terms() {
    check(
        &[
            "198.51.100.7",
            "10.0.0.1:443",
            "evil.example",
            "evil.example:8080",
            "evil[.]example",
            "admin@evil.example",
            "CVE-2021-44228",
            "cve-2021-44228",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "T1059.001",
            "2001:db8::1",
            "fe80::1%eth0",
            "dead:beef::1/64",
            "aa:bb:cc:dd:ee:ff",
            "C:\\Windows\\System32\\cmd.exe",
            "/etc/passwd",
        ],
        expect![[r#"
            > 198.51.100.7
            = 198.51.100.7
            Term "198.51.100.7"

            > 10.0.0.1:443
            = 10.0.0.1:443
            Term "10.0.0.1:443"

            > evil.example
            = evil.example
            Term "evil.example"

            > evil.example:8080
            = evil.example:8080
            Term "evil.example:8080"

            > evil[.]example
            = evil[.]example
            Term "evil[.]example"

            > admin@evil.example
            = admin@evil.example
            Term "admin@evil.example"

            > CVE-2021-44228
            = CVE-2021-44228
            Term "CVE-2021-44228"

            > cve-2021-44228
            = cve-2021-44228
            Term "cve-2021-44228"

            > e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            Term "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

            > T1059.001
            = T1059.001
            Term "T1059.001"

            > 2001:db8::1
            = 2001:db8::1
            Term "2001:db8::1"

            > fe80::1%eth0
            = fe80::1%eth0
            Term "fe80::1%eth0"

            > dead:beef::1/64
            = dead:beef::1/64
            Term "dead:beef::1/64"

            > aa:bb:cc:dd:ee:ff
            = aa:bb:cc:dd:ee:ff
            Term "aa:bb:cc:dd:ee:ff"

            > C:\Windows\System32\cmd.exe
            = C:\Windows\System32\cmd.exe
            Term "C:\\Windows\\System32\\cmd.exe"

            > /etc/passwd
            = /etc/passwd
            Term "/etc/passwd"

        "#]],
    );
}

/// Field names are lowercase letters and dots; other words with colons are terms.
#[test]
fn colons_that_are_not_fields() {
    check(
        &[
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "x509:serial",
            "12:30",
            "Subject:hello",
            "CVE:2021",
            ":colon",
            "a1:b",
            "www.evil.example:443",
            "face:b00c",
        ],
        expect![[r#"
            > sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            = sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            Term "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

            > x509:serial
            = x509:serial
            Term "x509:serial"

            > 12:30
            = 12:30
            Term "12:30"

            > Subject:hello
            = Subject:hello
            Term "Subject:hello"

            > CVE:2021
            = CVE:2021
            Term "CVE:2021"

            > :colon
            = :colon
            Term ":colon"

            > a1:b
            = a1:b
            Term "a1:b"

            > www.evil.example:443
            = www.evil.example:443
            Term "www.evil.example:443"

            > face:b00c
            = face:b00c
            Term "face:b00c"

        "#]],
    );
}

#[test]
fn urls_are_literal_terms() {
    check(
        &[
            "http://evil.example",
            "https://evil.example/login?user=a&next=*",
            "hxxp://evil[.]example/~admin",
            "hxxps://198.51.100.7:8443/a",
            "ftp://files.evil.example/x",
            "indicator:https://evil.example/a?b",
        ],
        expect![[r#"
            > http://evil.example
            = http://evil.example
            Term "http://evil.example"

            > https://evil.example/login?user=a&next=*
            = https://evil.example/login?user=a&next=*
            Term "https://evil.example/login?user=a&next=*"

            > hxxp://evil[.]example/~admin
            = hxxp://evil[.]example/~admin
            Term "hxxp://evil[.]example/~admin"

            > hxxps://198.51.100.7:8443/a
            = hxxps://198.51.100.7:8443/a
            Term "hxxps://198.51.100.7:8443/a"

            > ftp://files.evil.example/x
            = ftp://files.evil.example/x
            Term "ftp://files.evil.example/x"

            > indicator:https://evil.example/a?b
            = indicator:https://evil.example/a?b
            Term indicator "https://evil.example/a?b"

        "#]],
    );
}

#[test]
fn keywords_are_uppercase_only() {
    check(
        &["sandworm and fancy or bear not x", "ANDROID ORACLE NOTE", "a AND b", "AND-x"],
        expect![[r#"
        > sandworm and fancy or bear not x
        = sandworm and fancy or bear not x
        And
          Term "sandworm"
          Term "and"
          Term "fancy"
          Term "or"
          Term "bear"
          Term "not"
          Term "x"

        > ANDROID ORACLE NOTE
        = ANDROID ORACLE NOTE
        And
          Term "ANDROID"
          Term "ORACLE"
          Term "NOTE"

        > a AND b
        = a b
        And
          Term "a"
          Term "b"

        > AND-x
        = AND-x
        Term "AND-x"

    "#]],
    );
}

#[test]
fn phrases_and_escapes() {
    check(
        &[
            r#""fancy bear""#,
            r#""say \"hi\" twice""#,
            r#""C:\Windows\System32""#,
            r#""\\server\share""#,
            r#""see https://evil.example/?q=1 now""#,
            r#""foo:bar""#,
            r#""AND""#,
        ],
        expect![[r#"
            > "fancy bear"
            = "fancy bear"
            Phrase "fancy bear"

            > "say \"hi\" twice"
            = "say \"hi\" twice"
            Phrase "say \"hi\" twice"

            > "C:\Windows\System32"
            = "C:\Windows\System32"
            Phrase "C:\\Windows\\System32"

            > "\\server\share"
            = "\\server\share"
            Phrase "\\\\server\\share"

            > "see https://evil.example/?q=1 now"
            = "see https://evil.example/?q=1 now"
            Phrase "see https://evil.example/?q=1 now"

            > "foo:bar"
            = "foo:bar"
            Phrase "foo:bar"

            > "AND"
            = "AND"
            Phrase "AND"

        "#]],
    );
}

#[test]
fn boolean_operators_and_precedence() {
    check(
        &[
            "a b c",
            "a AND b",
            "a OR b",
            "a b OR c",
            "a OR b c",
            "NOT a b",
            "NOT a OR b",
            "NOT (a OR b)",
            "-a b",
            "+a b",
            "-\"fancy bear\"",
            "-(a b)",
            "NOT NOT a",
            "NOT -a",
            "(a OR b) (c OR d)",
            "a AND (b AND c) AND ((d))",
            "a OR (b OR c)",
            "(a)",
            "NOT(a)",
        ],
        expect![[r#"
            > a b c
            = a b c
            And
              Term "a"
              Term "b"
              Term "c"

            > a AND b
            = a b
            And
              Term "a"
              Term "b"

            > a OR b
            = a OR b
            Or
              Term "a"
              Term "b"

            > a b OR c
            = a b OR c
            Or
              And
                Term "a"
                Term "b"
              Term "c"

            > a OR b c
            = a OR b c
            Or
              Term "a"
              And
                Term "b"
                Term "c"

            > NOT a b
            = NOT a b
            And
              Not
                Term "a"
              Term "b"

            > NOT a OR b
            = NOT a OR b
            Or
              Not
                Term "a"
              Term "b"

            > NOT (a OR b)
            = NOT (a OR b)
            Not
              Or
                Term "a"
                Term "b"

            > -a b
            = NOT a b
            And
              Not
                Term "a"
              Term "b"

            > +a b
            = a b
            And
              Term "a"
              Term "b"

            > -"fancy bear"
            = NOT "fancy bear"
            Not
              Phrase "fancy bear"

            > -(a b)
            = NOT (a b)
            Not
              And
                Term "a"
                Term "b"

            > NOT NOT a
            = NOT NOT a
            Not
              Not
                Term "a"

            > NOT -a
            = NOT NOT a
            Not
              Not
                Term "a"

            > (a OR b) (c OR d)
            = (a OR b) (c OR d)
            And
              Or
                Term "a"
                Term "b"
              Or
                Term "c"
                Term "d"

            > a AND (b AND c) AND ((d))
            = a b c d
            And
              Term "a"
              Term "b"
              Term "c"
              Term "d"

            > a OR (b OR c)
            = a OR b OR c
            Or
              Term "a"
              Term "b"
              Term "c"

            > (a)
            = a
            Term "a"

            > NOT(a)
            = NOT a
            Not
              Term "a"

        "#]],
    );
}
