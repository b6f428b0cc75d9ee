//! Properties: any text is scanned without panicking, spans are sound, and the time is linear.

use std::time::{Duration, Instant};

use muninn_extract::{indicators, refang};
use proptest::prelude::*;

/// Text built from pieces that exercise the recognisers: digits, dots, colons, hex, brackets
/// of defanging, schemes, at signs, non-ASCII letters and punctuation.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("1".to_owned()),
        Just("192".to_owned()),
        Just(".".to_owned()),
        Just(":".to_owned()),
        Just("::".to_owned()),
        Just("[.]".to_owned()),
        Just("(at)".to_owned()),
        Just(" [dot] ".to_owned()),
        Just("hxxp".to_owned()),
        Just("hxxps:".to_owned()),
        Just("https://".to_owned()),
        Just("@".to_owned()),
        Just("/".to_owned()),
        Just("+".to_owned()),
        Just(" ".to_owned()),
        Just("-".to_owned()),
        Just("com".to_owned()),
        Just("рф".to_owned()),
        Just("пример".to_owned()),
        Just("中国".to_owned()),
        Just("。".to_owned()),
        Just("xn--".to_owned()),
        Just("AS".to_owned()),
        Just("CVE-2024-".to_owned()),
        Just("T1059".to_owned()),
        Just("bc1q".to_owned()),
        Just("0x".to_owned()),
        "[0-9a-f]{1,40}",
        "[a-zA-Z]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spans_are_sound(text in texty()) {
        check_spans(&text)?;
    }

    #[test]
    fn arbitrary_strings_are_sound(text in any::<String>()) {
        check_spans(&text)?;
    }
}

fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let found = indicators(text);
    let mut previous_end = 0;
    for indicator in &found {
        let span = indicator.span.clone();
        prop_assert!(span.start < span.end, "{indicator:?}");
        prop_assert!(span.start >= previous_end, "overlap: {found:?}");
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let source = &text[span];
        // The occurrence is what the value was made from: scanned on its own it gives the same
        // indicator back.
        let again = indicators(source);
        prop_assert!(
            again.iter().any(|other| other.kind == indicator.kind && other.value == indicator.value),
            "{indicator:?} from {source:?} rescanned as {again:?}"
        );
        prop_assert_eq!(indicator.defanged, refang(source) != source);
        previous_end = indicator.span.end;
    }
    Ok(())
}

/// The fastest of three runs over all of `texts`.
fn time(texts: &[String]) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            for text in texts {
                std::hint::black_box(indicators(std::hint::black_box(text)));
            }
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn time_is_linear_on_adversarial_inputs() {
    let patterns: [&str; 12] = [
        "1.1.1.1.",
        "0123456789abcdef",
        ".",
        "a.",
        "a@",
        "[.]",
        "http://a.com/(",
        "+1 ",
        "::",
        "a-",
        "例子.",
        "AS ",
    ];
    for pattern in patterns {
        // Ten distinct 100 KB texts, so that the small ones are no warmer in the caches than
        // the large one: the time of one is a tenth of the time of the ten.
        let small: Vec<String> = (0..10).map(|_| pattern.repeat(100_000 / pattern.len())).collect();
        let large = vec![pattern.repeat(1_000_000 / pattern.len())];
        // The best of three attempts: other tests and builds share the machine, and a
        // quadratic scan would be ~100 times slower on every attempt, not once.
        let mut ratios = Vec::new();
        for _ in 0..3 {
            let one_small = time(&small).as_secs_f64() / 10.0;
            ratios.push(time(&large).as_secs_f64() / one_small.max(1e-7));
            if ratios.iter().any(|&ratio| ratio < 20.0) {
                break;
            }
        }
        eprintln!("{pattern:?} {ratios:.1?}");
        assert!(
            ratios.iter().any(|&ratio| ratio < 20.0),
            "{pattern:?}: 1 MB took {ratios:.1?} times as long as 100 KB"
        );
    }
}

/// Fuzz-found (cargo xtask test, extract target): a local part after a run of underscores kept
/// them inside a longer text but not on its own. Leading underscores, like leading dots, dashes
/// and plus signs, are not part of an address's local part.
#[test]
fn fuzz_found_leading_underscores_in_an_email_local_part() {
    for text in [
        "______________admin[at]vil(.)co",
        "contact the desk at ______________admin[at]vil(.)co today",
        "x_y __admin@vil.co",
    ] {
        let found = indicators(text);
        assert!(found.iter().any(|i| i.value == "admin@vil.co"), "{text:?}: {found:?}");
        check_spans(text).unwrap_or_else(|error| panic!("{text:?}: {error}"));
    }
}
