//! URLs: scheme, optional user information, host (domain, IPv4 or bracketed IPv6), port,
//! then path, query and fragment up to the first character that cannot be in a URL, less the
//! punctuation that ends a sentence.

use super::{Scanner, Script, is_cjk, script_of};
use crate::net;

/// URL schemes recognised (compared in lower case).
const SCHEMES: &[&str] = &["http", "https", "ftp", "ftps", "sftp", "ws", "wss", "tcp", "udp", "ssh", "smb"];

impl Scanner<'_> {
    /// A URL whose scheme starts at `scheme_start` and whose `://` starts at `colon`.
    pub(super) fn url(&self, scheme_start: usize, colon: usize) -> Option<(usize, String)> {
        let bytes = self.bytes;
        if scheme_start > 0 && bytes.get(scheme_start - 1).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        let scheme = self.text.get(scheme_start..colon)?.to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            return None;
        }
        let authority_start = colon + 3;
        // User information, if an '@' comes before anything that cannot be in it.
        let userinfo_len = bytes.get(authority_start..)?.iter().take(256).take_while(|&&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-'
                        | b'_'
                        | b'~'
                        | b'%'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                        | b':'
                )
        });
        let userinfo_len = userinfo_len.count();
        let host_start = if bytes.get(authority_start + userinfo_len) == Some(&b'@') && userinfo_len > 0 {
            authority_start + userinfo_len + 1
        } else {
            authority_start
        };
        let (host_value, host_end) = if bytes.get(host_start) == Some(&b'[') {
            let close = bytes.get(host_start..)?.iter().take(48).position(|&b| b == b']')?;
            let address = net::ipv6(self.text.get(host_start + 1..host_start + close)?)?;
            (format!("[{address}]"), host_start + close + 1)
        } else {
            let host_end = self.host_end(host_start);
            let (trimmed_start, trimmed_end) = self.trim(host_start, host_end, b".-")?;
            if trimmed_start != host_start {
                return None;
            }
            let host = self.text.get(host_start..trimmed_end)?;
            let value = if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                net::ipv4(host)?.to_string()
            } else {
                self.host(host)?.ascii
            };
            (value, trimmed_end)
        };
        let mut end = host_end;
        let mut value = format!("{scheme}://");
        if host_start > authority_start {
            value.push_str(self.text.get(authority_start..host_start)?);
        }
        value.push_str(&host_value);
        if bytes.get(end) == Some(&b':') {
            let digits = bytes.get(end + 1..)?.iter().take(6).take_while(|b| b.is_ascii_digit()).count();
            let port = self.text.get(end + 1..end + 1 + digits)?;
            if (1..=5).contains(&digits) && port.parse::<u16>().is_ok() {
                value.push(':');
                value.push_str(port);
                end += 1 + digits;
            }
        }
        if matches!(bytes.get(end), Some(b'/' | b'?' | b'#')) {
            let rest_start = end;
            end = self.path_end(end);
            end = self.trim_url_end(rest_start, end);
            value.push_str(self.text.get(rest_start..end)?);
        }
        Some((end, value))
    }

    /// The end of a host name from `start`: letters, digits, dots, hyphens and non-ASCII
    /// letters, stopping where Latin meets CJK.
    fn host_end(&self, start: usize) -> usize {
        let Some(rest) = self.text.get(start..) else {
            return start;
        };
        let mut previous_script: Option<Script> = None;
        for (offset, character) in rest.char_indices().take(1024) {
            let ok = if character.is_ascii() {
                character.is_ascii_alphanumeric() || matches!(character, '.' | '-')
            } else {
                character.is_alphanumeric()
            };
            let script = script_of(character);
            if !ok || (script.is_some() && previous_script.is_some() && script != previous_script) {
                return start + offset;
            }
            previous_script = script;
        }
        start + rest.len().min(1024)
    }

    /// The end of a URL's path, query and fragment from `start`.
    fn path_end(&self, start: usize) -> usize {
        let Some(rest) = self.text.get(start..) else {
            return start;
        };
        for (offset, character) in rest.char_indices() {
            let ok = if character.is_ascii() {
                character.is_ascii_graphic()
                    && !matches!(character, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
            } else {
                character.is_alphanumeric() && !is_cjk(character)
            };
            if !ok {
                return start + offset;
            }
        }
        start + rest.len()
    }

    /// Drops trailing punctuation that belongs to the sentence, and closing brackets with no
    /// opening one inside the URL.
    fn trim_url_end(&self, start: usize, mut end: usize) -> usize {
        let inside = self.bytes.get(start..end).unwrap_or_default();
        let count = |wanted: u8| inside.iter().filter(|&&b| b == wanted).count();
        let (mut open_round, mut close_round) = (count(b'('), count(b')'));
        let (mut open_square, mut close_square) = (count(b'['), count(b']'));
        while end > start {
            let Some(&last) = self.bytes.get(end - 1) else {
                break;
            };
            match last {
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => {}
                b')' if close_round > open_round => close_round -= 1,
                b']' if close_square > open_square => close_square -= 1,
                b'(' => open_round -= 1,
                b'[' => open_square -= 1,
                _ => break,
            }
            end -= 1;
        }
        end
    }
}
