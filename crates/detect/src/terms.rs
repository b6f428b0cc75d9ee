//! Words and shingles of a text, folded the way every stage compares words.

/// The folded words of a text (letters and digits; each Han character a word).
pub(crate) fn folded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if muninn_text::is_han(ch) {
            flush(&mut current, &mut words);
            words.push(ch.to_string());
        } else if ch.is_alphanumeric() {
            current.push(ch);
        } else if !(ch == '\'' || ch == '’' || ch == '\u{0640}') || current.is_empty() {
            flush(&mut current, &mut words);
        }
    }
    flush(&mut current, &mut words);
    words
}

fn flush(current: &mut String, words: &mut Vec<String>) {
    if !current.is_empty() {
        words.push(muninn_text::fold(current));
        current.clear();
    }
}

/// A 64-bit hash of bytes under a seed (SHA-256 truncated: stable across builds and machines).
pub(crate) fn hash(seed: u64, bytes: &[u8]) -> u64 {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(bytes);
    let digest = hasher.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_han_is_split() {
        assert_eq!(folded_words("Odesa: ПОРТ, l’été 敖德萨!"), ["odesa", "порт", "lete", "敖", "德", "萨"]);
    }
}
