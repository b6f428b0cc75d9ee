//! Rules for single words: URLs, the colon rule's exceptions, wildcards and fuzziness.

use crate::{Field, Query, QueryError};

/// Characters that end a word: blanks, parentheses and the phrase quote.
pub(crate) fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

/// A word that starts with `scheme://` (`http://`, `hxxps://`, `ftp://`...) is a URL: it is
/// taken literally, colons, `*`, `?` and `~` included.
pub(crate) fn is_url(word: &[char]) -> bool {
    let Some(first) = word.first() else {
        return false;
    };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    let scheme_len =
        word.iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')).count();
    word.get(scheme_len..).is_some_and(|rest| rest.starts_with(&[':', '/', '/']))
}

/// The length of `name` if `word` starts with `name:`, where `name` is ASCII letters and dots
/// starting with a letter: the shape of field syntax. Whether it *is* a field is decided by the
/// parser (case, known names and the exceptions below).
pub(crate) fn field_name_len(word: &[char]) -> Option<usize> {
    let first = word.first()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let len = word.iter().take_while(|c| c.is_ascii_alphabetic() || **c == '.').count();
    (word.get(len) == Some(&':')).then_some(len)
}

/// A word made of hexadecimal groups and colons (IPv6 and MAC addresses, fingerprints:
/// `fe80::1`, `dead:beef::1/64`, `aa:bb:cc:dd:ee:ff`), with an optional `%zone` and `/prefix`.
/// No field name is made of hexadecimal digits only, so such a word is never field syntax.
pub(crate) fn is_hex_groups(word: &[char]) -> bool {
    let mut end = word.len();
    if let Some(slash) = word.iter().rposition(|c| *c == '/') {
        let digits = word.get(slash + 1..).unwrap_or_default();
        if digits.is_empty() || digits.len() > 3 || !digits.iter().all(char::is_ascii_digit) {
            return false;
        }
        end = slash;
    }
    let before_prefix = word.get(..end).unwrap_or_default();
    if let Some(percent) = before_prefix.iter().position(|c| *c == '%') {
        if percent + 1 == end {
            return false;
        }
        end = percent;
    }
    let core = word.get(..end).unwrap_or_default();
    core.contains(&':') && core.iter().all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.' | '*' | '?'))
}

/// Refuses words that look like syntax this language does not have, rather than searching
/// them as text: a range or comparison without a field, a stray `]`, `!`, `&&`, `||`.
pub(crate) fn check_word(word: &[char], start: usize) -> Result<(), QueryError> {
    let unsupported = |what, hint| Err(QueryError::Unsupported { position: start, what, hint });
    match word {
        ['[' | '{', ..] => unsupported(
            "a range without a field",
            "put a field before it, as in date:[2024-01-01 TO 2024-03-31]",
        ),
        ['<' | '>', ..] => {
            unsupported("a comparison without a field", "put a field before it, as in date:>now-7d")
        }
        [close @ (']' | '}'), ..] => Err(QueryError::Expected {
            position: start,
            expected: "a word, phrase or '('".to_owned(),
            found: format!("'{close}'"),
        }),
        ['!', ..] => unsupported(
            "'!' as an operator",
            "write NOT or '-' to exclude a word, or quote the word to search it",
        ),
        ['&', '&'] => unsupported("'&&'", "write AND"),
        ['|', '|'] => unsupported("'||'", "write OR"),
        _ => Ok(()),
    }
}

/// Turns a text word into a term, wildcard or fuzzy query. `start` is the word's position.
pub(crate) fn classify(field: Option<Field>, word: &[char], start: usize) -> Result<Query, QueryError> {
    let text = || word.iter().collect::<String>();
    if is_url(word) {
        return Ok(Query::Term { field, text: text() });
    }
    if let Some(caret) = word.iter().rposition(|c| *c == '^') {
        let boost = word.get(caret + 1..).unwrap_or_default();
        if !boost.is_empty() && boost.iter().all(|c| c.is_ascii_digit() || *c == '.') {
            return Err(QueryError::Unsupported {
                position: start + caret,
                what: "boosting ('^')",
                hint: "remove it, or quote the word to search it as written",
            });
        }
    }
    let is_wildcard = |c: &char| matches!(c, '*' | '?');
    if let Some(tilde) = word.iter().position(|c| *c == '~') {
        let prefix = word.get(..tilde).unwrap_or_default();
        let suffix = word.get(tilde + 1..).unwrap_or_default();
        if prefix.is_empty() {
            return Err(QueryError::Expected {
                position: start,
                expected: "a word before '~'".to_owned(),
                found: "'~'".to_owned(),
            });
        }
        let distance = fuzzy_distance(suffix, start + tilde + 1)?;
        if prefix.iter().any(is_wildcard) {
            return Err(QueryError::WildcardAndFuzzy { position: start });
        }
        return Ok(Query::Fuzzy { field, text: prefix.iter().collect(), distance });
    }
    if word.iter().any(is_wildcard) {
        let leading = word.first().is_some_and(is_wildcard);
        return Ok(Query::Wildcard { field, pattern: text(), leading });
    }
    Ok(Query::Term { field, text: text() })
}

/// The distance after `~`: nothing means 2.
fn fuzzy_distance(suffix: &[char], position: usize) -> Result<u8, QueryError> {
    let written: String = suffix.iter().collect();
    match written.as_str() {
        "" | "2" => Ok(2),
        "1" => Ok(1),
        _ if suffix.iter().all(char::is_ascii_digit) => {
            Err(QueryError::FuzzyDistance { position, found: written })
        }
        _ => Err(QueryError::Expected {
            position,
            expected: "a fuzzy distance (1 or 2) after '~'".to_owned(),
            found: format!("'{written}'"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn urls_need_a_scheme_and_two_slashes() {
        let cases = [
            ("http://evil.example", true),
            ("hxxps://evil.example/a?b", true),
            ("svn+ssh://host", true),
            ("http:/x", false),
            ("://x", false),
            ("1http://x", false),
            ("http", false),
        ];
        for (word, expected) in cases {
            assert_eq!(is_url(&chars(word)), expected, "{word}");
        }
    }

    #[test]
    fn hex_groups_cover_ipv6_and_mac_addresses() {
        let cases = [
            ("fe80::1", true),
            ("dead:beef::1/64", true),
            ("fe80::1%eth0", true),
            ("aa:bb:cc:dd:ee:ff", true),
            ("dead:beef:*", true),
            ("abcd", false),
            ("dead:beef/", false),
            ("dead:beef/1234", false),
            ("fe80::1%", false),
            ("deaf:cow", false),
        ];
        for (word, expected) in cases {
            assert_eq!(is_hex_groups(&chars(word)), expected, "{word}");
        }
    }

    #[test]
    fn field_names_are_letters_and_dots_before_a_colon() {
        let cases = [
            ("title:x", Some(5)),
            ("indicator.type:ipv4", Some(14)),
            ("Title:x", Some(5)),
            ("t1:x", None),
            (".a:x", None),
            ("title", None),
            ("Багдади:x", None),
        ];
        for (word, expected) in cases {
            assert_eq!(field_name_len(&chars(word)), expected, "{word}");
        }
    }
}
