//! The scanner: one pass over the (refanged) text, cutting it into tokens and handing each to
//! the recognisers that its bytes allow.
//!
//! A token is a maximal run of bytes that can be part of an indicator (ASCII letters and
//! digits, `. - _ : @ +`, and every non-ASCII byte). Most tokens are words of prose and are
//! dropped after one look at the classes of their bytes, gathered while finding their end. The
//! rest are cut further: at non-ASCII punctuation and between CJK and Latin text (pieces), at
//! `:`, `@` and `+` (segments), and at `.`, `-` and `_` (words). Recognisers look at a bounded
//! neighbourhood only (a URL runs to the next character that cannot be in one), and the
//! scanner never goes back before the end of what it has consumed, so the time is linear in the
//! length of the text.

use std::ops::Range;

use crate::domain;
use crate::refang::Refanged;

mod url;
use crate::{ExtractConfig, IndicatorKind, crypto, net, phone};

const TOKEN: u8 = 1;
const DIGIT: u8 = 2;
const DOT: u8 = 4;
const COLON: u8 = 8;
const AT: u8 = 16;
const NON_ASCII: u8 = 32;
const PLUS: u8 = 64;
const HYPHEN: u8 = 128;

const fn byte_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = if b.is_ascii_digit() {
            TOKEN | DIGIT
        } else if b.is_ascii_alphabetic() || b == b'_' {
            TOKEN
        } else if b == b'-' {
            TOKEN | HYPHEN
        } else if b == b'.' {
            TOKEN | DOT
        } else if b == b':' {
            TOKEN | COLON
        } else if b == b'@' {
            TOKEN | AT
        } else if b == b'+' {
            TOKEN | PLUS
        } else if b >= 0x80 {
            TOKEN | NON_ASCII
        } else {
            0
        };
        byte += 1;
    }
    table
}

static CLASSES: [u8; 256] = byte_classes();

/// The bytes that can make their token worth a look: digits, `.`, `:`, `@` and `A`.
static MAY_MATTER: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_digit() || matches!(b, b'.' | b':' | b'@' | b'A');
        byte += 1;
    }
    table
};

fn class(byte: u8) -> u8 {
    CLASSES.get(usize::from(byte)).copied().unwrap_or(0)
}

/// Words that, just before a dotted quad, make it a version rather than an address.
const VERSION_WORDS: &[&str] = &[
    "version", "versions", "ver", "v", "build", "release", "firmware", "fw", "oid", "rev", "revision",
    "patch",
];

/// An indicator found in the refanged text.
#[derive(Debug)]
pub(crate) struct Found {
    pub(crate) kind: IndicatorKind,
    pub(crate) value: String,
    pub(crate) span: Range<usize>,
}

pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    config: &'a ExtractConfig,
    refanged: &'a Refanged<'a>,
    /// Recognisers that read past their token (URLs, phones, prefixes, `ASN 13335`) move this
    /// forward; the scan resumes from here.
    consumed: usize,
    found: Vec<Found>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(config: &'a ExtractConfig, refanged: &'a Refanged<'a>) -> Scanner<'a> {
        let text = refanged.text();
        Scanner { text, bytes: text.as_bytes(), config, refanged, consumed: 0, found: Vec::new() }
    }

    pub(crate) fn scan(mut self) -> Vec<Found> {
        let bytes = self.bytes;
        let mut at = 0;
        while at < bytes.len() {
            // Only a token with a digit, dot, colon or at sign, or beginning with the `A` of
            // "AS 13335", can hold an indicator (see `token`): the scan leaps to the next such
            // byte and takes the token around it. Going over every word of prose mispredicted the
            // end of nearly each one.
            let Some(skip) =
                bytes.get(at..).and_then(|rest| rest.iter().position(|&b| MAY_MATTER[usize::from(b)]))
            else {
                break;
            };
            let mut start = at + skip;
            while start > at && bytes.get(start - 1).is_some_and(|&b| class(b) & TOKEN != 0) {
                start -= 1;
            }
            let mut flags = 0;
            let mut end = start;
            for &byte in bytes.get(start..).unwrap_or_default() {
                let byte_class = class(byte);
                if byte_class & TOKEN == 0 {
                    break;
                }
                flags |= byte_class;
                end += 1;
            }
            // A control character inside a word (`pay\0pal.com`): neither side is a whole
            // indicator, and the part after it alone (`pal.com`) would be a wrong one.
            let glued = |control: Option<&u8>, neighbour: Option<&u8>| {
                control.is_some_and(|&b| is_hidden_control(b))
                    && neighbour.is_some_and(|&b| class(b) & TOKEN != 0)
            };
            let glued_before = start >= 2 && glued(bytes.get(start - 1), bytes.get(start - 2));
            if !glued_before && !glued(bytes.get(end), bytes.get(end + 1)) {
                self.token(start, end, flags);
            }
            at = end.max(self.consumed);
        }
        self.found.sort_by_key(|found| found.span.start);
        self.found
    }

    fn push(&mut self, kind: IndicatorKind, value: String, span: Range<usize>) {
        self.consumed = self.consumed.max(span.end);
        self.found.push(Found { kind, value, span });
    }

    fn token(&mut self, start: usize, end: usize, flags: u8) {
        if flags & (DIGIT | DOT | COLON | AT) == 0 {
            // Nothing without a digit, dot, colon or at sign is an indicator, except the "AS"
            // of "AS 13335" (the one word of three letters or fewer that `word` acts on).
            if flags & NON_ASCII == 0 && end - start <= 3 && self.bytes.get(start) == Some(&b'A') {
                self.word(start, end);
            }
            return;
        }
        if flags & NON_ASCII != 0 {
            self.pieces(start, end);
        } else {
            self.piece(start, end, flags);
        }
    }

    /// Cuts a token with non-ASCII bytes at non-ASCII punctuation and spaces (`»`, `。`, no-break
    /// space) and where scripts change between letters (see [`Script`]).
    fn pieces(&mut self, start: usize, end: usize) {
        let Some(token) = self.text.get(start..end) else {
            return;
        };
        let mut piece_start = start;
        let mut flags = 0u8;
        // The script of the previous character, if a letter or digit.
        let mut previous_script: Option<Script> = None;
        let mut previous: Option<char> = None;
        // The current piece follows a hidden character inside its word: it is no indicator.
        let mut tainted = false;
        for (offset, character) in token.char_indices() {
            let at = start + offset;
            // A combining mark belongs to its letter: `cafe\u{301}.fr` is `café.fr` in NFD.
            if !character.is_ascii()
                && !is_alphanumeric(character)
                && !unicode_normalization::char::is_combining_mark(character)
            {
                // A joiner or bidirectional control inside a word (`pay\u{200D}pal.com`):
                // neither side is a whole indicator, and `pal.com` alone would be a wrong one.
                let next = token.get(offset + character.len_utf8()..).and_then(|rest| rest.chars().next());
                let glued = is_hidden_format(character)
                    && previous.is_some_and(crate::refang::in_spaced_word)
                    && next.is_some_and(crate::refang::in_spaced_word);
                if !glued && !tainted {
                    self.piece_if_interesting(piece_start, at, flags);
                }
                tainted = glued;
                piece_start = at + character.len_utf8();
                flags = 0;
                previous_script = None;
                previous = Some(character);
                continue;
            }
            let script = script_of(character);
            if script.is_some() && previous_script.is_some() && script != previous_script {
                if !tainted {
                    self.piece_if_interesting(piece_start, at, flags);
                }
                piece_start = at;
                flags = 0;
            }
            previous_script = script;
            previous = Some(character);
            flags |= if character.is_ascii() { class(character as u8) } else { NON_ASCII };
        }
        if !tainted {
            self.piece_if_interesting(piece_start, end, flags);
        }
    }

    fn piece_if_interesting(&mut self, start: usize, end: usize, flags: u8) {
        if start >= end || start < self.consumed {
            return;
        }
        if flags & (DIGIT | DOT | COLON | AT) == 0 {
            if flags & NON_ASCII == 0 && end - start <= 3 {
                self.word(start, end);
            }
            return;
        }
        self.piece(start, end, flags);
    }

    /// A token or piece: URLs and phone numbers first, as they reach past it.
    fn piece(&mut self, start: usize, end: usize, flags: u8) {
        let bytes = self.bytes;
        if flags & COLON != 0
            && bytes.get(end.wrapping_sub(1)) == Some(&b':')
            && bytes.get(end..end + 2) == Some(b"//")
        {
            let letters = bytes
                .get(start..end - 1)
                .map_or(0, |before| before.iter().rev().take_while(|b| b.is_ascii_alphabetic()).count());
            let scheme_start = end - 1 - letters;
            if let Some((url_end, value)) = self.url(scheme_start, end - 1) {
                if scheme_start > start {
                    self.piece_plain(start, scheme_start, flags);
                }
                self.push(IndicatorKind::Url, value, scheme_start..url_end);
                return;
            }
        }
        if flags & PLUS != 0 {
            let mut at = start;
            while let Some(offset) = bytes.get(at..end).and_then(|rest| rest.iter().position(|&b| b == b'+'))
            {
                let plus = at + offset;
                if let Some((phone_end, value)) = phone::phone(bytes, plus) {
                    if plus > start {
                        self.piece_plain(start, plus, flags);
                    }
                    self.push(IndicatorKind::Phone, value, plus..phone_end);
                    return;
                }
                at = plus + 1;
            }
        }
        self.piece_plain(start, end, flags);
    }

    /// A piece without URL or phone: e-mail addresses, then its parts between `:`, `@`, `+`.
    /// `flags` are the classes of the bytes of the piece, or of a longer run that holds it:
    /// they stand for scans of the bytes, which cost much on very long tokens.
    fn piece_plain(&mut self, start: usize, end: usize, flags: u8) {
        // Colons stay for now: "::ffff:192.0.2.9" and "2001:db8::" begin or end with them.
        let Some((start, end)) = self.trim(start, end, b".-_@+") else {
            return;
        };
        if flags & AT != 0 && self.bytes.get(start..end).is_some_and(|piece| piece.contains(&b'@')) {
            self.emails(start, end, flags);
            return;
        }
        if flags & COLON != 0 && self.ipv6(start, end) {
            return;
        }
        if let Some((start, end)) = self.trim(start, end, b".-_:") {
            self.segments(start, end, flags);
        }
    }

    fn trim(&self, mut start: usize, mut end: usize, strip: &[u8]) -> Option<(usize, usize)> {
        while start < end && self.bytes.get(start).is_some_and(|b| strip.contains(b)) {
            start += 1;
        }
        while end > start && self.bytes.get(end - 1).is_some_and(|b| strip.contains(b)) {
            end -= 1;
        }
        (start < end).then_some((start, end))
    }

    fn segments(&mut self, start: usize, end: usize, flags: u8) {
        if flags & (COLON | AT | PLUS) == 0 {
            self.segment(start, end, flags);
            return;
        }
        let mut segment_start = start;
        for at in start..=end {
            if at == end || self.bytes.get(at).is_some_and(|b| matches!(b, b':' | b'@' | b'+')) {
                if segment_start < at {
                    self.segment(segment_start, at, flags);
                }
                segment_start = at + 1;
            }
        }
    }

    /// E-mail addresses in a piece with `@`; what lies around them is cut into segments.
    fn emails(&mut self, start: usize, end: usize, flags: u8) {
        let bytes = self.bytes;
        let mut done = start;
        let mut at = start;
        while let Some(offset) = bytes.get(at..end).and_then(|rest| rest.iter().position(|&b| b == b'@')) {
            let sign = at + offset;
            at = sign + 1;
            let local_len = bytes.get(done..sign).map_or(0, |before| {
                before
                    .iter()
                    .rev()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric()
                            || b >= 0x80
                            || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
                    })
                    .count()
            });
            let mut local_start = sign - local_len;
            while local_start < sign && matches!(bytes.get(local_start), Some(b'.' | b'-' | b'+' | b'_')) {
                local_start += 1;
            }
            let domain_len = bytes.get(sign + 1..end).map_or(0, |after| {
                after
                    .iter()
                    .take_while(|&&b| b.is_ascii_alphanumeric() || b >= 0x80 || matches!(b, b'.' | b'-'))
                    .count()
            });
            let Some((domain_start, domain_end)) = self.trim(sign + 1, sign + 1 + domain_len, b".-") else {
                continue;
            };
            let Some(local) = self.text.get(local_start..sign) else {
                continue;
            };
            if local.is_empty() || local.len() > 64 || local.ends_with('.') || local.contains("..") {
                continue;
            }
            let Some(host) = self.text.get(domain_start..domain_end).and_then(|d| self.host(d)) else {
                continue;
            };
            if local_start > done {
                self.segments(done, local_start, flags);
            }
            let value = format!("{}@{}", local.to_lowercase(), host.ascii);
            self.push(IndicatorKind::Email, value, local_start..domain_end);
            done = domain_end;
            at = domain_end;
        }
        if done < end {
            self.segments(done, end, flags);
        }
    }

    /// An IPv6 address (or network) filling the piece, perhaps after a label such as `IP:`.
    fn ipv6(&mut self, start: usize, end: usize) -> bool {
        let bytes = self.bytes;
        let mut candidate_start = start;
        // Drop up to two leading groups that cannot be hex groups ("ip:", "ipv6:").
        for _ in 0..2 {
            let Some(colon) =
                bytes.get(candidate_start..end).and_then(|rest| rest.iter().position(|&b| b == b':'))
            else {
                break;
            };
            let group = bytes.get(candidate_start..candidate_start + colon).unwrap_or_default();
            if group.len() > 4 || !group.iter().all(u8::is_ascii_hexdigit) {
                candidate_start += colon + 1;
            } else {
                break;
            }
        }
        if let Some((prefix, prefix_end)) = net::prefix_after(bytes, end, 128)
            && let Some(address) = self.text.get(candidate_start..end).and_then(net::ipv6_network)
        {
            self.push(IndicatorKind::Cidr, format!("{address}/{prefix}"), candidate_start..prefix_end);
            return true;
        }
        let mut candidate_end = end;
        let mut address = self.text.get(candidate_start..candidate_end).and_then(net::ipv6);
        if address.is_none()
            && bytes.get(end - 1) == Some(&b':')
            && bytes.get(end.wrapping_sub(2)) != Some(&b':')
        {
            candidate_end = end - 1;
            address = self.text.get(candidate_start..candidate_end).and_then(net::ipv6);
        }
        let Some(address) = address else {
            return false;
        };
        self.push(IndicatorKind::Ipv6, address.to_string(), candidate_start..candidate_end);
        true
    }

    /// A run of letters, digits, `.`, `-` and `_`.
    fn segment(&mut self, start: usize, end: usize, flags: u8) {
        let Some((start, end)) = self.trim(start, end, b".-_") else {
            return;
        };
        let Some(segment) = self.bytes.get(start..end) else {
            return;
        };
        if segment.len() >= 4 && segment.get(..4).is_some_and(|head| head.eq_ignore_ascii_case(b"cve-")) {
            if let Some(value) = cve(segment) {
                self.push(IndicatorKind::Cve, value, start..end);
            }
            return;
        }
        if flags & DOT == 0 || !segment.contains(&b'.') {
            self.words(start, end);
            return;
        }
        if let Some(value) = attack_technique(segment) {
            self.push(IndicatorKind::AttackTechnique, value, start..end);
            return;
        }
        if segment.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
            self.ipv4(start, end);
            return;
        }
        let mut part_start = start;
        for at in start..=end {
            if at == end || self.bytes.get(at) == Some(&b'_') {
                if let Some((s, e)) = self.trim(part_start, at, b".-") {
                    self.dotted(s, e, flags & HYPHEN != 0);
                }
                part_start = at + 1;
            }
        }
    }

    /// Letters, digits, dots and hyphens: a domain, or else its parts (`192.0.2.1-192.0.2.9`,
    /// `<sha256>.exe`). `split_hyphens`: the parts between hyphens are tried first, when there
    /// may be any.
    fn dotted(&mut self, start: usize, end: usize, split_hyphens: bool) {
        let Some(candidate) = self.text.get(start..end) else {
            return;
        };
        if candidate.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            self.ipv4(start, end);
            return;
        }
        if candidate.contains('.') {
            if let Some(host) = self.host(candidate) {
                let defanged = self.refanged.is_defanged(&(start..end));
                let after_path = match start.checked_sub(1).and_then(|at| self.bytes.get(at)) {
                    Some(b'\\') => true,
                    Some(b'/') => start < 2 || self.bytes.get(start - 2) != Some(&b'/'),
                    _ => false,
                };
                if defanged || !(host.file_like || host.capitalised_tld || after_path) {
                    self.push(IndicatorKind::Domain, host.ascii, start..end);
                    return;
                }
            } else if let Some(value) = attack_technique(candidate.as_bytes()) {
                self.push(IndicatorKind::AttackTechnique, value, start..end);
                return;
            }
        }
        let separators: &[u8] = if split_hyphens { b"-" } else { b".-" };
        let mut part_start = start;
        for at in start..=end {
            if at == end || self.bytes.get(at).is_some_and(|b| separators.contains(b)) {
                if let Some((s, e)) = self.trim(part_start, at, b".-") {
                    if separators.len() == 1 {
                        self.dotted(s, e, false);
                    } else {
                        self.word(s, e);
                    }
                }
                part_start = at + 1;
            }
        }
    }

    fn words(&mut self, start: usize, end: usize) {
        let mut word_start = start;
        for at in start..=end {
            if at == end || self.bytes.get(at).is_some_and(|b| matches!(b, b'-' | b'_')) {
                if word_start < at {
                    self.word(word_start, at);
                }
                word_start = at + 1;
            }
        }
    }

    fn ipv4(&mut self, start: usize, end: usize) {
        let Some(address) = self.text.get(start..end).and_then(net::ipv4) else {
            return;
        };
        if self.after_version_word(start) {
            return;
        }
        match net::prefix_after(self.bytes, end, 32) {
            Some((prefix, prefix_end)) => {
                self.push(IndicatorKind::Cidr, format!("{address}/{prefix}"), start..prefix_end)
            }
            None => self.push(IndicatorKind::Ipv4, address.to_string(), start..end),
        }
    }

    /// Whether the word before `at` (past spaces, a colon or a `#`) is one of
    /// [`VERSION_WORDS`].
    fn after_version_word(&self, at: usize) -> bool {
        let before = self.bytes.get(at.saturating_sub(24)..at).unwrap_or_default();
        let mut end = before.len();
        while end > 0 && before.get(end - 1).is_some_and(|b| matches!(b, b' ' | b':' | b'#' | b'=')) {
            end -= 1;
        }
        let letters =
            before.get(..end).map_or(0, |b| b.iter().rev().take_while(|b| b.is_ascii_alphabetic()).count());
        let word = before.get(end - letters..end).unwrap_or_default();
        if letters > 0
            && end - letters > 0
            && before.get(end - letters - 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            return false;
        }
        VERSION_WORDS.iter().any(|version| version.as_bytes().eq_ignore_ascii_case(word))
    }

    fn host(&self, candidate: &str) -> Option<domain::Host> {
        domain::host(candidate, self.config.documentation_tlds)
    }

    /// A run of letters and digits.
    fn word(&mut self, start: usize, end: usize) {
        let Some(word) = self.bytes.get(start..end) else {
            return;
        };
        let Some(&first) = word.first() else {
            return;
        };
        if !word.iter().all(u8::is_ascii_alphanumeric) {
            return;
        }
        let length = word.len();
        match first {
            b'T' if length == 5 => {
                if let Some(value) = attack_technique(word) {
                    self.push(IndicatorKind::AttackTechnique, value, start..end);
                }
                return;
            }
            b'A' if word.starts_with(b"AS") => {
                self.asn(start, end);
                return;
            }
            b'0' if length == 42 => {
                if let Some(text) = self.text.get(start..end)
                    && crypto::is_ethereum(text)
                {
                    self.push(IndicatorKind::Ethereum, text.to_ascii_lowercase(), start..end);
                }
                return;
            }
            b'b' | b'B' if length >= 14 && word.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(b"bc1")) => {
                if let Some(text) = self.text.get(start..end)
                    && crypto::is_bitcoin_bech32(text)
                {
                    self.push(IndicatorKind::Bitcoin, text.to_ascii_lowercase(), start..end);
                    return;
                }
            }
            b'1' | b'3' if (26..=35).contains(&length) => {
                if let Some(text) = self.text.get(start..end)
                    && crypto::is_bitcoin_base58(text)
                {
                    self.push(IndicatorKind::Bitcoin, text.to_owned(), start..end);
                    return;
                }
            }
            b'4' | b'8' if length == 95 || length == 106 => {
                if let Some(text) = self.text.get(start..end)
                    && crypto::is_monero(text)
                {
                    self.push(IndicatorKind::Monero, text.to_owned(), start..end);
                }
                return;
            }
            _ => {}
        }
        let kind = match length {
            32 => IndicatorKind::Md5,
            40 => IndicatorKind::Sha1,
            64 => IndicatorKind::Sha256,
            128 => IndicatorKind::Sha512,
            _ => return,
        };
        // A digest has letters and digits both; 32 decimal digits are a number.
        if word.iter().all(u8::is_ascii_hexdigit)
            && word.iter().any(u8::is_ascii_digit)
            && word.iter().any(u8::is_ascii_alphabetic)
        {
            let value = word.iter().map(|&b| char::from(b.to_ascii_lowercase())).collect();
            self.push(kind, value, start..end);
        }
    }

    /// `AS13335`, `ASN13335`, or the word `AS`/`ASN` followed by a space or a colon and a
    /// number.
    fn asn(&mut self, start: usize, end: usize) {
        let bytes = self.bytes;
        let word = bytes.get(start..end).unwrap_or_default();
        let prefix = if word.starts_with(b"ASN") { 3 } else { 2 };
        let (digits_start, digits_end) = if word.len() == prefix {
            let mut at = end;
            if bytes.get(at) == Some(&b':') {
                at += 1;
            }
            if bytes.get(at) == Some(&b' ') {
                at += 1;
            }
            if at == end {
                return;
            }
            let count = bytes
                .get(at..)
                .map_or(0, |rest| rest.iter().take(11).take_while(|b| b.is_ascii_digit()).count());
            let digits_end = at + count;
            // Not a number that goes on: `AS 1.5`, `AS 1,000`, or a name (`ASN:11.me`, which
            // the domain scanner finds).
            let next = bytes.get(digits_end + 1);
            if bytes.get(digits_end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                || (matches!(bytes.get(digits_end), Some(b'.' | b'-'))
                    && next.is_some_and(|b| b.is_ascii_alphanumeric() || *b >= 0x80))
                || (bytes.get(digits_end) == Some(&b',') && next.is_some_and(u8::is_ascii_digit))
            {
                return;
            }
            (at, digits_end)
        } else {
            (start + prefix, end)
        };
        let digits = bytes.get(digits_start..digits_end).unwrap_or_default();
        if digits.is_empty() || digits.len() > 10 || digits.first() == Some(&b'0') {
            return;
        }
        if !digits.iter().all(u8::is_ascii_digit) {
            return;
        }
        let number = digits.iter().fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'));
        if number > u64::from(u32::MAX) {
            return;
        }
        self.push(IndicatorKind::Asn, format!("AS{number}"), start..digits_end);
    }
}

/// Where a letter or digit may touch an indicator with no space between: CJK text has no
/// spaces, and Arabic and Hebrew attach one-letter words ("and", "in") to the next word, Latin
/// ones included (`وT1190`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Cjk,
    Attaching,
    Other,
}

/// `char::is_alphanumeric`, answered without a table search for the basic Cyrillic and Arabic
/// letters (Russian and Arabic words ending a sentence are tokens with a dot, and each of their
/// letters was looked up twice), the common Chinese ideographs and Chinese punctuation (a Chinese
/// sentence with a digit or a dot is one token, cut into pieces character by character).
fn is_alphanumeric(character: char) -> bool {
    match u32::from(character) {
        0x0401 | 0x0410..=0x044F | 0x0451 | 0x0621..=0x063A | 0x0641..=0x064A | 0x4E00..=0x9FFF => true,
        0x3001 | 0x3002 | 0x300A | 0x300B | 0x201C | 0x201D | 0xFF08 | 0xFF09 | 0xFF0C | 0xFF1A | 0xFF1B => {
            false
        }
        _ => character.is_alphanumeric(),
    }
}

/// The script of a letter or digit; `None` for anything else.
fn script_of(character: char) -> Option<Script> {
    if character.is_ascii() {
        return character.is_ascii_alphanumeric().then_some(Script::Other);
    }
    if !is_alphanumeric(character) {
        return None;
    }
    Some(match u32::from(character) {
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF => Script::Attaching,
        _ if is_cjk(character) => Script::Cjk,
        _ => Script::Other,
    })
}

/// Invisible characters that IDNA does not simply ignore (those are removed by refanging):
/// joiners, bidirectional marks, embeddings, overrides and isolates, invisible operators,
/// Hangul fillers, annotation and tag characters.
fn is_hidden_format(character: char) -> bool {
    matches!(character,
        '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{180E}' | '\u{200C}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2061}'..='\u{2063}' | '\u{2066}'..='\u{206F}' | '\u{3164}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

/// ASCII control bytes but those that separate text: tab, line ends, vertical tab, form feed
/// (page breaks in text taken from PDFs) and the file, group, record and unit separators.
fn is_hidden_control(byte: u8) -> bool {
    matches!(byte, 0..=8 | 0x0E..=0x1B | 0x7F)
}

fn is_cjk(character: char) -> bool {
    matches!(u32::from(character),
        0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// `CVE-YYYY-NNNN` with four to seven digits after the year, in upper case.
fn cve(segment: &[u8]) -> Option<String> {
    let year = segment.get(4..8)?;
    let number = segment.get(9..)?;
    if segment.get(8) != Some(&b'-') || !year.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !(4..=7).contains(&number.len()) || !number.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !(b"1999".as_slice()..=b"2099".as_slice()).contains(&year) {
        return None;
    }
    let mut value = String::from("CVE-");
    value.extend(year.iter().map(|&b| char::from(b)));
    value.push('-');
    value.extend(number.iter().map(|&b| char::from(b)));
    Some(value)
}

/// `T1059` or `T1059.001`: enterprise and mobile techniques are T1xxx, ICS ones T08xx.
fn attack_technique(text: &[u8]) -> Option<String> {
    let (technique, sub) = match text.len() {
        5 => (text, None),
        9 if text.get(5) == Some(&b'.') => (text.get(..5)?, Some(text.get(6..)?)),
        _ => return None,
    };
    let digits = technique.get(1..)?;
    if technique.first() != Some(&b'T') || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !(digits.first() == Some(&b'1') || digits.get(..2) == Some(b"08")) {
        return None;
    }
    if let Some(sub) = sub
        && (!sub.iter().all(u8::is_ascii_digit) || sub == b"000")
    {
        return None;
    }
    std::str::from_utf8(text).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fast_alphanumeric_test_agrees_with_the_standard_one() {
        for character in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(character), character.is_alphanumeric(), "{character:?}");
        }
    }
}
