//! Bytes to text: strict UTF-8 unless a byte-order mark or a declared encoding says otherwise.
//! Never a lossy replacement: text that does not decode is refused with the offset of the
//! first bad byte.

use std::fmt;
use std::str::FromStr;

use encoding_rs::Encoding;

/// A text encoding declared by the user (`--encoding latin1`), by a MIME header or an HTML meta.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding(&'static Encoding);

impl TextEncoding {
    /// Looks up a WHATWG encoding label (`utf-8`, `latin1`, `windows-1251`, `koi8-r`, `gbk`...).
    pub fn for_label(label: &str) -> Option<TextEncoding> {
        Encoding::for_label(label.trim().as_bytes()).map(TextEncoding)
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl fmt::Debug for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TextEncoding({})", self.0.name())
    }
}

impl FromStr for TextEncoding {
    type Err = String;
    fn from_str(label: &str) -> Result<TextEncoding, String> {
        TextEncoding::for_label(label).ok_or_else(|| format!("unknown text encoding {label:?}"))
    }
}

/// Why bytes could not become text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// Offset of the first byte that does not decode, relative to the decoded slice.
    pub offset: u64,
    pub message: String,
}

/// Strips a byte-order mark and reports the encoding it names.
pub(crate) fn sniff_bom(bytes: &[u8]) -> (Option<TextEncoding>, &[u8]) {
    match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (Some(TextEncoding(encoding)), &bytes[bom_len..]),
        None => (None, bytes),
    }
}

/// Decodes bytes that carry no BOM: with the declared encoding, or as strict UTF-8.
pub(crate) fn decode(bytes: &[u8], declared: Option<TextEncoding>) -> Result<String, DecodeError> {
    match declared {
        None => utf8(bytes),
        Some(encoding) if encoding.0 == encoding_rs::UTF_8 => utf8(bytes),
        Some(encoding) => encoding
            .0
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
            .ok_or_else(|| DecodeError {
                offset: 0,
                message: format!("bytes are not valid {}", encoding.name()),
            }),
    }
}

/// Decodes a whole document: a BOM wins, then the declared encoding, then strict UTF-8.
pub(crate) fn decode_document(
    bytes: &[u8],
    declared: Option<TextEncoding>,
) -> Result<(String, Option<TextEncoding>), DecodeError> {
    let (bom, rest) = sniff_bom(bytes);
    let offset_shift = (bytes.len() - rest.len()) as u64;
    let encoding = bom.or(declared);
    decode(rest, encoding)
        .map(|text| (text, encoding))
        .map_err(|error| DecodeError { offset: error.offset + offset_shift, ..error })
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(error) => Err(DecodeError {
            offset: error.valid_up_to() as u64,
            message: format!(
                "invalid UTF-8 at byte {}; if the input is Latin-1 or another charset, declare it with --encoding",
                error.valid_up_to()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_refused_unless_declared() {
        let latin1 = b"caf\xe9 cr\xe8me";
        let error = decode_document(latin1, None).expect_err("not UTF-8");
        assert_eq!(error.offset, 3);
        let latin = TextEncoding::for_label("latin1");
        let (text, _) = decode_document(latin1, latin).expect("declared");
        assert_eq!(text, "café crème");
    }

    #[test]
    fn byte_order_marks_win() {
        let utf16 = [0xFF, 0xFE, b'h', 0, b'i', 0];
        assert_eq!(decode_document(&utf16, None).expect("utf-16").0, "hi");
        let utf8 = b"\xEF\xBB\xBFhi";
        assert_eq!(decode_document(utf8, None).expect("utf-8").0, "hi");
    }
}
