//! Punycode (RFC 3492), the encoding of internationalised labels as `xn--` A-labels.
//!
//! Small enough to own rather than depend on a full IDNA implementation: the extractor needs
//! only the encoding of labels already lowercased and NFC-normalised, and a decoder to check
//! that an `xn--` label is well formed.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points.max(1);
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(value: u32) -> char {
    // 0..25 are a..z, 26..35 are 0..9.
    match value {
        0..=25 => char::from(b'a' + value as u8),
        _ => char::from(b'0' + (value - 26) as u8),
    }
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

/// Encodes a label (without the `xn--` prefix). `None` on arithmetic overflow, which needs
/// labels far longer than DNS allows.
pub(crate) fn encode(label: &str) -> Option<String> {
    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let total = input.len() as u32;
    while handled < total {
        let next = input.iter().copied().filter(|&code| code >= n).min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &code in &input {
            if code < n {
                delta = delta.checked_add(1)?;
            }
            if code == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

/// Decodes a label (without the `xn--` prefix); `None` if it is not valid punycode.
pub(crate) fn decode(encoded: &str) -> Option<String> {
    let (basic, extended) = match encoded.rfind('-') {
        Some(at) => (encoded.get(..at)?, encoded.get(at + 1..)?),
        None => ("", encoded),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let mut n = INITIAL_N;
    let mut i: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut digits = extended.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut weight: u32 = 1;
        let mut k = BASE;
        loop {
            let byte = digits.next()?;
            let value = match byte {
                b'a'..=b'z' => u32::from(byte - b'a'),
                b'A'..=b'Z' => u32::from(byte - b'A'),
                b'0'..=b'9' => u32::from(byte - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(value.checked_mul(weight)?)?;
            let t = threshold(k, bias);
            if value < t {
                break;
            }
            weight = weight.checked_mul(BASE - t)?;
            k += BASE;
        }
        let length = output.len() as u32 + 1;
        bias = adapt(i - old_i, length, old_i == 0);
        n = n.checked_add(i / length)?;
        i %= length;
        let decoded = char::from_u32(n)?;
        if decoded.is_ascii() {
            return None;
        }
        output.insert(i as usize, decoded);
        i += 1;
    }
    Some(output.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_labels() {
        for (unicode, ascii) in [
            ("пример", "e1afmkfd"),
            ("рф", "p1ai"),
            ("bücher", "bcher-kva"),
            ("中国", "fiqs8s"),
            ("例子", "fsqu00a"),
            ("münchen", "mnchen-3ya"),
        ] {
            assert_eq!(encode(unicode).as_deref(), Some(ascii), "{unicode}");
            assert_eq!(decode(ascii).as_deref(), Some(unicode), "{ascii}");
        }
        assert_eq!(decode("!!"), None);
    }
}
