//! Cryptocurrency addresses, each accepted only when its checksum holds: Bitcoin base58check
//! (P2PKH, P2SH) and bech32/bech32m (BIP 173, BIP 350), Ethereum with EIP-55 mixed case, and
//! Monero's block base58 with its Keccak-256 checksum.

use sha2::{Digest, Sha256};
use sha3::Keccak256;

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn base58_digit(byte: u8) -> Option<u8> {
    BASE58_ALPHABET.iter().position(|&c| c == byte).map(|at| at as u8)
}

/// Decodes base58 into exactly `size` big-endian bytes; `None` if a character is not base58
/// or the number does not fit.
fn base58_decode(text: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; size];
    for &byte in text {
        let mut carry = u32::from(base58_digit(byte)?);
        for slot in out.iter_mut().rev() {
            carry += u32::from(*slot) * 58;
            *slot = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return None;
        }
    }
    Some(out)
}

/// A legacy Bitcoin address: 25 bytes, version 0 (P2PKH, `1...`) or 5 (P2SH, `3...`), and the
/// first four bytes of double SHA-256 as checksum.
pub(crate) fn is_bitcoin_base58(word: &str) -> bool {
    let bytes = word.as_bytes();
    if !(26..=35).contains(&bytes.len()) {
        return false;
    }
    let Some(decoded) = base58_decode(bytes, 25) else {
        return false;
    };
    // Each leading '1' stands for one leading zero byte, and only they do.
    let leading_ones = bytes.iter().take_while(|&&b| b == b'1').count();
    let leading_zeros = decoded.iter().take_while(|&&b| b == 0).count();
    if leading_ones != leading_zeros {
        return false;
    }
    let version = decoded.first().copied();
    let expected_first = match version {
        Some(0) => b'1',
        Some(5) => b'3',
        _ => return false,
    };
    if bytes.first() != Some(&expected_first) {
        return false;
    }
    let (payload, checksum) = decoded.split_at(21);
    let digest = Sha256::digest(Sha256::digest(payload));
    digest.get(..4) == Some(checksum)
}

fn bech32_polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GENERATORS: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut checksum = 1u32;
    for value in values {
        let top = checksum >> 25;
        checksum = ((checksum & 0x01ff_ffff) << 5) ^ u32::from(value);
        for (bit, generator) in GENERATORS.iter().enumerate() {
            if (top >> bit) & 1 == 1 {
                checksum ^= generator;
            }
        }
    }
    checksum
}

/// A segwit address on Bitcoin's main network: `bc1`, witness version 0 with bech32 and a 20
/// or 32 byte program, or versions 1 to 16 with bech32m and a 2 to 40 byte program. Upper or
/// lower case, not mixed.
pub(crate) fn is_bitcoin_bech32(word: &str) -> bool {
    let bytes = word.as_bytes();
    if !(14..=74).contains(&bytes.len()) {
        return false;
    }
    let has_lower = bytes.iter().any(u8::is_ascii_lowercase);
    let has_upper = bytes.iter().any(u8::is_ascii_uppercase);
    if has_lower && has_upper {
        return false;
    }
    let Some(data_part) = bytes.get(3..) else {
        return false;
    };
    if !bytes.get(..3).is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"bc1")) {
        return false;
    }
    let mut data = Vec::with_capacity(data_part.len());
    for byte in data_part {
        let lower = byte.to_ascii_lowercase();
        let Some(value) = BECH32_CHARSET.iter().position(|&c| c == lower) else {
            return false;
        };
        data.push(value as u8);
    }
    // The human-readable part "bc", expanded: high bits, a zero, low bits.
    let hrp = [3u8, 3, 0, 2, 3];
    let checksum = bech32_polymod(hrp.iter().copied().chain(data.iter().copied()));
    let Some(&version) = data.first() else {
        return false;
    };
    let expected = if version == 0 { 1 } else { 0x2bc8_30a3 };
    if checksum != expected || version > 16 {
        return false;
    }
    let Some(program_groups) = data.get(1..data.len().saturating_sub(6)) else {
        return false;
    };
    // Regroup five-bit values into bytes; leftover bits must be fewer than five and zero.
    let bits = program_groups.len() * 5;
    let program_len = bits / 8;
    let leftover = bits % 8;
    if leftover >= 5 {
        return false;
    }
    if let Some(&last) = program_groups.last()
        && leftover > 0
        && last & ((1 << leftover) - 1) != 0
    {
        return false;
    }
    if version == 0 { program_len == 20 || program_len == 32 } else { (2..=40).contains(&program_len) }
}

/// An Ethereum address: `0x` and 40 hex digits; when the letters are of mixed case they must
/// follow EIP-55 (upper case where the Keccak-256 of the lowercase address has a high nibble).
pub(crate) fn is_ethereum(word: &str) -> bool {
    let bytes = word.as_bytes();
    let Some(hex) = bytes.get(2..) else {
        return false;
    };
    if bytes.len() != 42 || !matches!(bytes.get(..2), Some(b"0x" | b"0X")) {
        return false;
    }
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return true;
    }
    let lower: Vec<u8> = hex.iter().map(u8::to_ascii_lowercase).collect();
    let digest = Keccak256::digest(&lower);
    hex.iter().enumerate().all(|(at, byte)| {
        let nibble = digest.get(at / 2).map_or(0, |b| if at % 2 == 0 { b >> 4 } else { b & 0x0f });
        match byte {
            b'a'..=b'f' => nibble < 8,
            b'A'..=b'F' => nibble >= 8,
            _ => true,
        }
    })
}

/// Decoded bytes per encoded block length in Monero's base58 (blocks of 8 bytes, 11 chars).
const MONERO_BLOCK_BYTES: [Option<usize>; 12] =
    [Some(0), None, Some(1), Some(2), None, Some(3), Some(4), Some(5), None, Some(6), Some(7), Some(8)];

/// A Monero address: 95 characters (standard `4...`, subaddress `8...`) or 106 (integrated
/// `4...`), base58 in blocks of 11, decoding to a network byte, two 32-byte keys (and an 8-byte
/// payment id when integrated) and the first four bytes of their Keccak-256.
pub(crate) fn is_monero(word: &str) -> bool {
    let bytes = word.as_bytes();
    let (prefixes, size): (&[u8], usize) = match (bytes.len(), bytes.first()) {
        (95, Some(b'4')) => (&[18], 69),
        (95, Some(b'8')) => (&[42], 69),
        (106, Some(b'4')) => (&[19], 77),
        _ => return false,
    };
    let mut decoded = Vec::with_capacity(size);
    for block in bytes.chunks(11) {
        let Some(Some(block_bytes)) = MONERO_BLOCK_BYTES.get(block.len()).copied() else {
            return false;
        };
        let Some(part) = base58_decode(block, block_bytes) else {
            return false;
        };
        decoded.extend_from_slice(&part);
    }
    if decoded.len() != size || !prefixes.contains(&decoded.first().copied().unwrap_or(0)) {
        return false;
    }
    let (body, checksum) = decoded.split_at(size - 4);
    Keccak256::digest(body).get(..4) == Some(checksum)
}

#[cfg(test)]
pub(crate) mod encode {
    //! Encoders for tests: make valid addresses from bytes.

    use super::*;

    fn base58_encode(bytes: &[u8], width: usize) -> String {
        let mut digits = vec![0u8; width];
        for &byte in bytes {
            let mut carry = u32::from(byte);
            for slot in digits.iter_mut().rev() {
                carry += u32::from(*slot) << 8;
                *slot = (carry % 58) as u8;
                carry /= 58;
            }
        }
        digits.iter().map(|&d| char::from(BASE58_ALPHABET[usize::from(d)])).collect()
    }

    /// A Monero address with this network byte over these 64 (or 72) bytes.
    pub(crate) fn monero(prefix: u8, keys: &[u8]) -> String {
        let mut data = vec![prefix];
        data.extend_from_slice(keys);
        let digest = Keccak256::digest(&data);
        data.extend_from_slice(&digest[..4]);
        let encoded_widths = [0, 2, 3, 5, 6, 7, 9, 10, 11];
        data.chunks(8).map(|block| base58_encode(block, encoded_widths[block.len()])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_addresses() {
        assert!(is_bitcoin_base58("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
        assert!(is_bitcoin_base58("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(is_bitcoin_base58("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!is_bitcoin_base58("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(is_bitcoin_bech32("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        assert!(is_bitcoin_bech32("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"));
        assert!(!is_bitcoin_bech32("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"));
        assert!(is_bitcoin_bech32("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"));
        assert!(is_ethereum("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        assert!(is_ethereum("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"));
        assert!(is_ethereum("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
        assert!(!is_ethereum("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
        let keys: Vec<u8> = (0..64u8).collect();
        let standard = encode::monero(18, &keys);
        assert_eq!(standard.len(), 95);
        assert!(standard.starts_with('4'));
        assert!(is_monero(&standard));
        let sub = encode::monero(42, &keys);
        assert!(sub.starts_with('8') && is_monero(&sub));
        let integrated = encode::monero(19, &(0..72u8).collect::<Vec<_>>());
        assert_eq!(integrated.len(), 106);
        assert!(is_monero(&integrated));
        let mut broken = standard.into_bytes();
        broken[50] = if broken[50] == b'a' { b'b' } else { b'a' };
        assert!(!is_monero(&String::from_utf8(broken).expect("ASCII")));
        assert!(is_monero(
            "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
        ));
    }
}
