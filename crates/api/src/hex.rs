//! Lower-case hexadecimal, the one encoding of the server's random values, MACs and digests.

/// `bytes` as lower-case hexadecimal.
pub fn encode(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// The 32 bytes that `text` (64 hexadecimal digits) writes; `None` for anything else.
pub fn decode_32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..text.len()).step_by(2).map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok()).collect();
    <[u8; 32]>::try_from(bytes?.as_slice()).ok()
}

/// 32 random bytes in hexadecimal.
pub fn random_32() -> Result<String, crate::ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| crate::ApiError::internal(format!("no randomness: {error}")))?;
    Ok(encode(&bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_refuses_what_is_not_32_bytes() {
        let bytes: [u8; 32] = std::array::from_fn(|at| (at * 9) as u8);
        let text = super::encode(&bytes);
        assert_eq!(&text[..6], "000912");
        assert_eq!(super::decode_32(&text), Some(bytes));
        assert_eq!(super::decode_32(&text[2..]), None);
        assert_eq!(super::decode_32(&format!("{}zz", &text[2..])), None);
        assert_eq!(super::decode_32("é".repeat(32).as_str()), None);
    }
}
