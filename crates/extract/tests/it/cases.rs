//! Data-driven cases: what the extractor finds in small texts, one line per indicator
//! (`kind value "source text"`, with `defanged` when it was).

use expect_test::{Expect, expect};

fn check(text: &str, expected: Expect) {
    let mut actual = String::new();
    for indicator in muninn_extract::indicators(text) {
        let source = &text[indicator.span.clone()];
        let defanged = if indicator.defanged { " defanged" } else { "" };
        actual.push_str(&format!("{} {} {source:?}{defanged}\n", indicator.kind, indicator.value));
    }
    expected.assert_eq(&actual);
}

#[test]
fn addresses() {
    check(
        "C2 192.0.2.1, 198.51.100.7:443 and 203.0.113.0/24; also 10.0.0.0/8.",
        expect![[r#"
        ipv4 192.0.2.1 "192.0.2.1"
        ipv4 198.51.100.7 "198.51.100.7"
        cidr 203.0.113.0/24 "203.0.113.0/24"
        cidr 10.0.0.0/8 "10.0.0.0/8"
    "#]],
    );
    check(
        "IPv6 2001:DB8:0:0::1 and fe80::1%eth0, net 2001:db8::/32, [2001:db8::5]:443",
        expect![[r#"
            ipv6 2001:db8::1 "2001:DB8:0:0::1"
            ipv6 fe80::1 "fe80::1"
            cidr 2001:db8::/32 "2001:db8::/32"
            ipv6 2001:db8::5 "2001:db8::5"
        "#]],
    );
    check(
        "ip:2001:db8::7 ::ffff:192.0.2.9 range 192.0.2.1-192.0.2.10",
        expect![[r#"
            ipv6 2001:db8::7 "2001:db8::7"
            ipv6 ::ffff:192.0.2.9 "::ffff:192.0.2.9"
            ipv4 192.0.2.1 "192.0.2.1"
            ipv4 192.0.2.10 "192.0.2.10"
        "#]],
    );
}

#[test]
fn not_addresses() {
    check(
        "version 1.2.3.4, v10.0.19041.1, Chrome 120.0.6099.109, 2024.01.15, OID 1.3.6.1.4.1.311, 1.1.1.1.1, 010.1.1.1",
        expect![[""]],
    );
    check(
        "at 12:30:45, MAC 00:1a:2b:3c:4d:5e, std::io::Result, dead::beef, 2024-01-15T10:30:00.123Z",
        expect![[""]],
    );
}

#[test]
fn domains() {
    check(
        "Beacons to evil-update.com and cdn.evil.co.uk; see EXAMPLE.ORG.",
        expect![[r#"
        domain evil-update.com "evil-update.com"
        domain cdn.evil.co.uk "cdn.evil.co.uk"
        domain example.org "EXAMPLE.ORG"
    "#]],
    );
    check(
        "IDN пример.рф = xn--e1afmkfd.xn--p1ai, bücher.de, 例子.中国",
        expect![[r#"
        domain xn--e1afmkfd.xn--p1ai "пример.рф"
        domain xn--e1afmkfd.xn--p1ai "xn--e1afmkfd.xn--p1ai"
        domain xn--bcher-kva.de "bücher.de"
        domain xn--fsqu00a.xn--fiqs8s "例子.中国"
    "#]],
    );
    check(
        "github.io, blogspot.com, co.uk, update-check.example",
        expect![[r#"
        domain github.io "github.io"
        domain blogspot.com "blogspot.com"
        domain update-check.example "update-check.example"
    "#]],
    );
}

#[test]
fn not_domains() {
    check(
        "readme.txt setup.exe config.json file.py invoice.pdf report.docx archive.zip clip.mov README.md main.rs",
        expect![[""]],
    );
    check(
        "System.Net and Socket.IO, the end.In fact, e.g. i.e. U.S. a.m. Node.js",
        expect![[r#"
        domain socket.io "Socket.IO"
    "#]],
    );
    check(
        "C:\\Users\\Public\\evil.com and /var/www/site.com but //cdn.example.com/x",
        expect![[r#"
        domain cdn.example.com "cdn.example.com"
    "#]],
    );
}

#[test]
fn urls() {
    check(
        "Get https://evil.example.com/gate.php?id=1&x=2#frag, then (http://192.0.2.4:8080/a).",
        expect![[r#"
        url https://evil.example.com/gate.php?id=1&x=2#frag "https://evil.example.com/gate.php?id=1&x=2#frag"
        url http://192.0.2.4:8080/a "http://192.0.2.4:8080/a"
    "#]],
    );
    check(
        "hxxps://evil[.]com/path and hxxp[://]bad[.]org/x and http[:]//ex[.]net",
        expect![[r#"
        url https://evil.com/path "hxxps://evil[.]com/path" defanged
        url http://bad.org/x "hxxp[://]bad[.]org/x" defanged
        url http://ex.net "http[:]//ex[.]net" defanged
    "#]],
    );
    // A defanged scheme counts only before what refangs to ":/", so the occurrence of a URL
    // always holds what decided its refanging (a found crash: "...:4hxxps:" ended a URL).
    check(
        "hxxps://evil[.]example/gate.p92:4hxxps: hxxp://a[.]example/r?u=hxxps[:]//b[.]example/ hxxps",
        expect![[r#"
            url https://evil.example/gate.p92:4hxxps "hxxps://evil[.]example/gate.p92:4hxxps" defanged
            url http://a.example/r?u=https://b.example/ "hxxp://a[.]example/r?u=hxxps[:]//b[.]example/" defanged
        "#]],
    );
    check(
        "ftp://user:pw@files.example.net/pub/ http://[2001:db8::1]:8080/x https://пример.рф/путь",
        expect![[r#"
        url ftp://user:pw@files.example.net/pub/ "ftp://user:pw@files.example.net/pub/"
        url http://[2001:db8::1]:8080/x "http://[2001:db8::1]:8080/x"
        url https://xn--e1afmkfd.xn--p1ai/путь "https://пример.рф/путь"
    "#]],
    );
    check(
        "访问https://example.com/path获取 and https://en.wikipedia.org/wiki/Foo_(bar).",
        expect![[r#"
        url https://example.com/path "https://example.com/path"
        url https://en.wikipedia.org/wiki/Foo_(bar) "https://en.wikipedia.org/wiki/Foo_(bar)"
    "#]],
    );
}

#[test]
fn emails() {
    check(
        "Mail john.doe+tag@example.com or admin[at]evil[.]com or ops (at) corp (dot) com.",
        expect![[r#"
        email john.doe+tag@example.com "john.doe+tag@example.com"
        email admin@evil.com "admin[at]evil[.]com" defanged
        email ops@corp.com "ops (at) corp (dot) com" defanged
    "#]],
    );
    check(
        "mailto:x@пример.рф, @handle, user@localhost, a@b.c",
        expect![[r#"
        email x@xn--e1afmkfd.xn--p1ai "x@пример.рф"
    "#]],
    );
}

#[test]
fn hashes() {
    check(
        "md5 d41d8cd98f00b204e9800998ecf8427e sha1 DA39A3EE5E6B4B0D3255BFEF95601890AFD80709 \
         sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        expect![[r#"
            md5 d41d8cd98f00b204e9800998ecf8427e "d41d8cd98f00b204e9800998ecf8427e"
            sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"
            sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        "#]],
    );
    check(
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        expect![[r#"
            sha512 cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        "#]],
    );
    check(
        "d41d8cd98f00b204e9800998ecf8427e.exe and sample_d41d8cd98f00b204e9800998ecf8427e",
        expect![[r#"
        md5 d41d8cd98f00b204e9800998ecf8427e "d41d8cd98f00b204e9800998ecf8427e"
        md5 d41d8cd98f00b204e9800998ecf8427e "d41d8cd98f00b204e9800998ecf8427e"
    "#]],
    );
}

#[test]
fn not_hashes() {
    check(
        "GUID 3f2504e0-4f89-11d3-9a0c-0305e82c3301, {3F2504E0-4F89-11D3-9A0C-0305E82C3301}, \
         d41d8cd98f00b204e9800998ecf8427ea (33), 12345678901234567890123456789012, \
         xd41d8cd98f00b204e9800998ecf8427e, deadbeef",
        expect![[""]],
    );
}

#[test]
fn identifiers() {
    check(
        "CVE-2024-12345 cve-2021-44228 CVE-1990-1234 T1059 T1059.001 T0855 T9999 AS13335 ASN 15169 AS: 8075 ASIA AS 0",
        expect![[r#"
        cve CVE-2024-12345 "CVE-2024-12345"
        cve CVE-2021-44228 "cve-2021-44228"
        attack T1059 "T1059"
        attack T1059.001 "T1059.001"
        attack T0855 "T0855"
        asn AS13335 "AS13335"
        asn AS15169 "ASN 15169"
        asn AS8075 "AS: 8075"
    "#]],
    );
    // A number that goes on into a name is not an AS number (a found crash: the ASN and the
    // domain overlapped); one that ends a sentence is.
    check(
        "ASN:11.me AS 64500-east AS 1,000 ASN 64501. AS 64502, AS 64503-",
        expect![[r#"
            domain 11.me "11.me"
            asn AS64501 "ASN 64501"
            asn AS64502 "AS 64502"
            asn AS64503 "AS 64503"
        "#]],
    );
}

#[test]
fn phones() {
    check(
        "Call +44 20 7946 0958 or +1-202-555-0143, +7 (495) 123-45-67, +44 (0)20 7946 0958.",
        expect![[r#"
        phone +442079460958 "+44 20 7946 0958"
        phone +12025550143 "+1-202-555-0143"
        phone +74951234567 "+7 (495) 123-45-67"
        phone +442079460958 "+44 (0)20 7946 0958"
    "#]],
    );
    check("Not 020 7946 0958, 555-0143, UTC+3, +20 points, C++ 2011, 1+1=2", expect![[""]]);
}

#[test]
fn wallets() {
    check(
        "BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy \
         bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        expect![[r#"
            btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
            btc 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
            btc bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
            btc bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0 "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
        "#]],
    );
    check(
        "ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed bad 0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed \
         XMR 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
        expect![[r#"
            eth 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
            xmr 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
        "#]],
    );
    check(
        "bad BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
        expect![[""]],
    );
}

#[test]
fn defanged() {
    check(
        "198.51.100[.]7 and 192[.]0[.]2[.]1 evil(.)com evil{.}net evil[dot]org example [dot] com",
        expect![[r#"
        ipv4 198.51.100.7 "198.51.100[.]7" defanged
        ipv4 192.0.2.1 "192[.]0[.]2[.]1" defanged
        domain evil.com "evil(.)com" defanged
        domain evil.net "evil{.}net" defanged
        domain evil.org "evil[dot]org" defanged
        domain example.com "example [dot] com" defanged
    "#]],
    );
    check(
        "Контакт: admin@пример.рф; сайт пример.рф。访问192.0.2.1和example.com获取",
        expect![[r#"
        email admin@xn--e1afmkfd.xn--p1ai "admin@пример.рф"
        domain xn--e1afmkfd.xn--p1ai "пример.рф"
        ipv4 192.0.2.1 "192.0.2.1"
        domain example.com "example.com"
    "#]],
    );
    check(
        "التقنيتين T1485 وT1190 وفق، العنوان و192.0.2.1 ومثال.مصر",
        expect![[r#"
        attack T1485 "T1485"
        attack T1190 "T1190"
        ipv4 192.0.2.1 "192.0.2.1"
        domain xn--mgbh0fbo.xn--wgbh1c "ومثال.مصر"
    "#]],
    );
}

/// Unicode tricks (security reference, bad input 9): characters IDNA ignores are removed
/// (`pay\u{200B}pal.com` is `paypal.com`, where a browser goes), a joiner, bidirectional
/// control or control byte inside a word makes no indicator of either side (never `pal.com`),
/// a homoglyph stays its own A-label, and the decomposed and composed forms are one key.
/// Where these characters separate words or runs (a zero-width space between Thai words, a
/// direction mark where Latin starts in Arabic text, a form feed at a page break), the
/// indicator beside them is found as before.
#[test]
fn hidden_characters_and_homoglyphs() {
    check(
        "\u{E04A}\u{E33}\u{200B}example.com \u{645}\u{648}\u{642}\u{639}\u{200F}example.org end evil.net\u{C}Next 198.51.100.4\u{1F}198.51.100.5",
        expect![[r#"
            domain example.com "example.com"
            domain example.org "example.org"
            domain evil.net "evil.net"
            ipv4 198.51.100.4 "198.51.100.4"
            ipv4 198.51.100.5 "198.51.100.5"
        "#]],
    );
    check(
        "pay\u{200B}pal.com exam\u{AD}ple.org pay\u{200D}pal.com evil\u{202E}.com pay\0pal.com 198.51.100.9\0 x",
        expect![[r#"
            domain paypal.com "pay\u{200b}pal.com" defanged
            domain example.org "exam\u{ad}ple.org" defanged
            ipv4 198.51.100.9 "198.51.100.9"
        "#]],
    );
    check(
        "\u{202E}moc.elgoog\u{202C} \u{2066}evil.com\u{2069} p\u{430}ypal.com cafe\u{301}.fr caf\u{e9}.fr",
        expect![[r#"
            domain evil.com "evil.com"
            domain xn--pypal-4ve.com "pаypal.com"
            domain xn--caf-dma.fr "cafe\u{301}.fr"
            domain xn--caf-dma.fr "café.fr"
        "#]],
    );
}
