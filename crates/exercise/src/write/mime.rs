//! MIME encodings for the mbox writer: base64, quoted-printable (RFC 2045) and encoded words
//! (RFC 2047).

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding, no line breaks.
pub(crate) fn base64(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk[0]);
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let triple = (b0 << 16) | (b1 << 8) | b2;
        let symbols = [
            BASE64[(triple >> 18) as usize & 63],
            BASE64[(triple >> 12) as usize & 63],
            BASE64[(triple >> 6) as usize & 63],
            BASE64[triple as usize & 63],
        ];
        let kept = chunk.len() + 1;
        for (position, symbol) in symbols.iter().enumerate() {
            out.push(if position < kept { char::from(*symbol) } else { '=' });
        }
    }
}

/// Base64 in lines of 76 characters, each ended by `\n`, as a MIME body.
pub(crate) fn base64_lines(bytes: &[u8], out: &mut String) {
    // 57 bytes encode to exactly 76 characters.
    for chunk in bytes.chunks(57) {
        base64(chunk, out);
        out.push('\n');
    }
}

/// Quoted-printable: lines of at most 76 characters, soft breaks as `=` at the end, `=`,
/// non-ASCII and control bytes as `=XX`, a blank at the end of a line encoded.
pub(crate) fn quoted_printable(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for line in text.split('\n') {
        let bytes = line.as_bytes();
        let mut width = 0;
        for (position, byte) in bytes.iter().enumerate() {
            let last = position + 1 == bytes.len();
            let literal = match byte {
                b'=' => false,
                b' ' | b'\t' => !last,
                33..=126 => true,
                _ => false,
            };
            let needed = if literal { 1 } else { 3 };
            // Leave room for the soft break's `=`.
            if width + needed > 75 {
                out.push_str("=\n");
                width = 0;
            }
            if literal {
                out.push(char::from(*byte));
            } else {
                out.push('=');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            width += needed;
        }
        out.push('\n');
    }
    // `split` yields a last empty line for text ending in `\n`: drop its extra newline.
    if text.ends_with('\n') {
        out.pop();
    }
}

/// A header value: as is when ASCII, otherwise as RFC 2047 `B` encoded words of at most 75
/// characters, folded onto continuation lines.
pub(crate) fn header_words(value: &str) -> String {
    if value.is_ascii() {
        return value.to_owned();
    }
    // 45 bytes make 60 base64 characters, and `=?UTF-8?B?` + `?=` add 12: 72 per word.
    const MAX_BYTES: usize = 45;
    let mut words = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let mut end = rest.len().min(MAX_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let mut word = String::from("=?UTF-8?B?");
        base64(&rest.as_bytes()[..end], &mut word);
        word.push_str("?=");
        words.push(word);
        rest = &rest[end..];
    }
    words.join("\n ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        let mut out = String::new();
        for input in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            base64(input.as_bytes(), &mut out);
            out.push(' ');
        }
        assert_eq!(out, " Zg== Zm8= Zm9v Zm9vYg== Zm9vYmE= Zm9vYmFy ");
    }

    #[test]
    fn quoted_printable_escapes_and_wraps() {
        let mut out = String::new();
        quoted_printable("a=b ü \nx", &mut out);
        assert_eq!(out, "a=3Db =C3=BC=20\nx\n");
        let mut long = String::new();
        quoted_printable(&"word ".repeat(40), &mut long);
        assert!(long.lines().all(|line| line.len() <= 76));
        assert!(long.contains("=\n"));
    }

    #[test]
    fn encoded_words_stay_short() {
        let header = header_words("Источники сообщают о появлении Абу Бакр аль-Багдади");
        assert!(header.starts_with("=?UTF-8?B?"));
        assert!(header.split("\n ").all(|word| word.len() <= 75));
        assert_eq!(header_words("plain"), "plain");
    }
}
