//! Telephone numbers in international form: a `+`, a country code, and groups of digits
//! separated by single spaces, hyphens or dots, with an optional parenthesised group
//! (`+7 (495) 123-45-67`) or trunk zero (`+44 (0)20 7946 0958`). Digit runs without a `+` are
//! never taken: they are too often something else.

/// E.164 allows 15 digits; fewer than 8 (country code included) is too short to be a number
/// rather than a score or an offset.
const MAX_DIGITS: usize = 15;
const MIN_DIGITS: usize = 8;

/// The number starting with the `+` at `plus`: its end and its E.164 form.
pub(crate) fn phone(bytes: &[u8], plus: usize) -> Option<(usize, String)> {
    if bytes.get(plus) != Some(&b'+') {
        return None;
    }
    if plus > 0 && bytes.get(plus - 1).is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.'))
    {
        return None;
    }
    if !bytes.get(plus + 1).is_some_and(|b| matches!(b, b'1'..=b'9')) {
        return None;
    }
    let mut value = String::from("+");
    let mut at = plus + 1;
    let first = digit_run(bytes, at);
    if first == 0 || first > MAX_DIGITS {
        return None;
    }
    push_digits(&mut value, bytes, at, first);
    at += first;
    let mut end = at;
    loop {
        let mut next = at;
        if matches!(bytes.get(next), Some(b' ' | b'-' | b'.')) {
            next += 1;
        }
        let digits_so_far = value.len() - 1;
        if bytes.get(next) == Some(&b'(') {
            let inner = digit_run(bytes, next + 1);
            if inner == 0 || inner > 4 || bytes.get(next + 1 + inner) != Some(&b')') {
                break;
            }
            // "(0)" is the trunk prefix dialled at home only: not part of the number.
            let trunk = inner == 1 && bytes.get(next + 1) == Some(&b'0');
            if !trunk {
                if digits_so_far + inner > MAX_DIGITS {
                    break;
                }
                push_digits(&mut value, bytes, next + 1, inner);
            }
            next += inner + 2;
            end = next;
            at = next;
            continue;
        }
        let run = digit_run(bytes, next);
        if run == 0 || digits_so_far + run > MAX_DIGITS {
            break;
        }
        push_digits(&mut value, bytes, next, run);
        at = next + run;
        end = at;
    }
    let digits = value.len() - 1;
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        return None;
    }
    // Must end at a boundary: not inside a longer number, word or dotted run.
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() || *b == b'_' || *b == b'@' => return None,
        Some(b'.' | b'-' | b'/') if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => return None,
        _ => {}
    }
    Some((end, value))
}

fn digit_run(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .map_or(0, |rest| rest.iter().take(MAX_DIGITS + 1).take_while(|b| b.is_ascii_digit()).count())
}

fn push_digits(value: &mut String, bytes: &[u8], at: usize, count: usize) {
    if let Some(digits) = bytes.get(at..at + count) {
        value.extend(digits.iter().map(|&b| char::from(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(text: &str) -> Option<String> {
        phone(text.as_bytes(), 0).map(|(_, value)| value)
    }

    #[test]
    fn forms() {
        assert_eq!(e164("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(e164("+44 (0)20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(e164("+7 (495) 123-45-67").as_deref(), Some("+74951234567"));
        assert_eq!(e164("+1-202-555-0143.").as_deref(), Some("+12025550143"));
        assert_eq!(e164("+33 1 23 45 67 89").as_deref(), Some("+33123456789"));
        assert_eq!(e164("+20 points"), None);
        assert_eq!(e164("+0 123 456 789"), None);
        assert_eq!(e164("+1234567890123456789"), None);
    }
}
