//! The phonetic code of a part and the string similarities the scorer uses.
//!
//! The phonetic code is computed from the consonant skeleton (`muninn_text::skeleton`, which
//! already dropped vowels, `h`, `w`, `y`, `v` and doubled letters) by putting consonants that
//! transliterations confuse into one class, and merging repeats again:
//!
//! | class | letters | why |
//! |-------|---------|-----|
//! | `b` | b p f | Arabic has no `p`; `ph` ~ `f` |
//! | `t` | t d | `ط`, `ت`, `د` and `ض` are rendered `t` or `d` |
//! | `k` | k g c q | `Mikhail` ~ `Michael`, `q` ~ `k` ~ `g` (Persian `گ`) |
//! | `s` | s z j x | `ز`, `ذ`, `ظ` as `z` or `s`; `j` ~ `dj` ~ `zh` |
//! | `l`, `r`, `m`, `n` | themselves | |
//!
//! So "Mikhail" and "Michael" both give `mkl`, "Yusuf" and "Youssef" `sb`.

/// The phonetic code of a skeleton (see the module documentation).
pub fn phonetic(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    let mut last = '\0';
    for c in skeleton.chars() {
        let class = match c {
            'b' | 'p' | 'f' => 'b',
            't' | 'd' => 't',
            'k' | 'g' | 'c' | 'q' => 'k',
            's' | 'z' | 'j' | 'x' => 's',
            c => c,
        };
        if class != last {
            out.push(class);
            last = class;
        }
    }
    out
}

/// The consonant skeleton of a romanised word as Arabic script would write it: the Latin
/// sounds Arabic has no letter for take their nearest letter's place (`v` as `ف` f, `p` as `ب`
/// b, `g` as `ج` j, `c` as `ك` k, `ch` as `تش` tsh; `ph` is f and `gh` stays `غ`), then
/// `muninn_text`'s skeleton rules. "Viktor" gives `fktr` as "فيكتور" does, "Gomez" `jmz` as
/// "جوميز", "Pervez" `brfz`. Applied to the romanisation of an Arabic or Persian word it maps
/// only the Persian letters (`پ`, `گ`, `چ`) and leaves the rest as it is, so both sides of a
/// comparison across scripts meet in one key. The plain skeleton still drops `v` (Persian and
/// Russian write it `و` and `в`), so the matcher uses both.
pub fn abjad_skeleton(latin: &str) -> String {
    let mut projected = String::with_capacity(latin.len() + 2);
    let mut bytes = latin.chars().peekable();
    while let Some(c) = bytes.next() {
        let next_is_h = bytes.peek() == Some(&'h');
        match c {
            'v' => projected.push('f'),
            'p' if next_is_h => {
                bytes.next();
                projected.push('f');
            }
            'p' => projected.push('b'),
            'g' if next_is_h => projected.push('g'),
            'g' => projected.push('j'),
            'c' if next_is_h => {
                bytes.next();
                projected.push_str("tsh");
            }
            'c' => projected.push('k'),
            c => projected.push(c),
        }
    }
    let mut out = String::with_capacity(projected.len());
    muninn_text::skeleton::skeleton_of_latin_into(&projected, &mut out);
    out
}

/// How well a word written in Arabic or Hebrew script and a word in another script agree
/// letter by letter, as that script would write the other word: 0..=1.
///
/// `written` is the romanisation of the abjad word (with its article when it had one and the
/// caller wants it read), `written_begins_with_vowel` whether it began with an alef, hamza or
/// ayin (which romanise to nothing), `other` the romanisation of the other word. Both become
/// letter classes (`b p`, `k q c`, `j g`, `s z`; `e i y` as `ي`, `o u w` as `و`, a Latin `v`
/// as `ف` or `و`, doubled letters once). The letters of the abjad word should be found in the other word in order
/// (Arabic script writes consonants and long vowels), and the consonants and initial vowel of
/// the other word in the abjad word (short vowels are not written): the smaller of the two
/// shares found (longest common subsequences).
///
/// So "Vahid" fits "فهيد" (`fhyd`) fully and "Fady" half; "Muhammad" fits "محمد" fully and
/// "Ahmad" three quarters.
pub fn abjad_fit(written: &str, written_begins_with_vowel: bool, other: &str) -> f32 {
    // Two equal letters in a row are two consonants in Arabic script (a doubled one is
    // written once), but a rendering letter by letter of a Latin spelling doubles them too:
    // the abjad word is read both ways.
    let mut abjad: Vec<(u8, bool)> = Vec::with_capacity(written.len() + 1);
    if written_begins_with_vowel && !written.starts_with('a') {
        abjad.push((b'a', true));
    }
    for byte in written.bytes() {
        abjad.extend(letter_classes(byte, false).map(|class| (class, true)));
    }
    // A final `ه` is often a ta marbuta, which Latin spellings leave out.
    let letters = abjad.len();
    if let Some(last) = abjad.last_mut()
        && last.0 == b'h'
        && letters > 1
    {
        last.1 = false;
    }
    let mut merged = abjad.clone();
    merged.dedup_by(|next, previous| {
        let same = next.0 == previous.0;
        if same {
            previous.1 |= next.1;
        }
        same
    });
    let mut latin: Vec<(u8, bool)> = Vec::with_capacity(other.len() + 2);
    let bytes = other.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let next = bytes.get(index + 1).copied();
        index += 1;
        if index == 1 && is_vowel(byte) {
            push_class(&mut latin, b'a', true);
            continue;
        }
        if byte == b'p' && next == Some(b'h') {
            index += 1;
            push_class(&mut latin, b'f', true);
            continue;
        }
        if byte == b'c' && next == Some(b'h') {
            index += 1;
            for class in [b't', b's', b'h'] {
                push_class(&mut latin, class, true);
            }
            continue;
        }
        // Consonants are written; so are a first `y` or `w`, and a last `i`, `y`, `o` or `u`
        // ("Ahmadi" is "أحمدي", "Abu" "أبو"); other vowels may be short, and unwritten.
        let last = index == bytes.len();
        let required = (!is_vowel(byte) && (index == 1 || !matches!(byte, b'y' | b'w')))
            || (last && matches!(byte, b'i' | b'y' | b'o' | b'u'));
        for class in letter_classes(byte, true) {
            push_class(&mut latin, class, required);
        }
    }
    let required: Vec<(u8, bool)> = latin.iter().copied().filter(|l| l.1).collect();
    // The abjad word's letters found in the other word, and the other word's consonants (and
    // initial vowel) found in the abjad word.
    let fit = |abjad: &[(u8, bool)]| -> f32 {
        let abjad_required = abjad.iter().filter(|l| l.1).count().max(1);
        let abjad_found = longest_common_subsequence(abjad, &latin) as f32 / abjad_required as f32;
        let latin_found = longest_common_subsequence(abjad, &required) as f32 / required.len().max(1) as f32;
        abjad_found.min(latin_found).min(1.0)
    };
    if merged.len() == abjad.len() { fit(&abjad) } else { fit(&abjad).max(fit(&merged)) }
}

/// The letter class of a word's first letter as an abjad writes it (any vowel as an alef):
/// what an initial is compared by across an abjad ("C." / "ك", "V." / "ف", "E." / "ا").
pub fn abjad_initial(latin: &str) -> Option<u8> {
    let first = *latin.as_bytes().first()?;
    if is_vowel(first) {
        return Some(b'a');
    }
    letter_classes(first, true).next().map(|class| if class == b'v' { b'f' } else { class })
}

fn is_vowel(byte: u8) -> bool {
    matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The classes of one romanised letter (none for what is not a letter).
fn letter_classes(byte: u8, latin: bool) -> impl Iterator<Item = u8> {
    let (first, second) = match byte.to_ascii_lowercase() {
        b'a' => (b'a', 0),
        b'e' | b'i' | b'y' => (b'y', 0),
        b'o' | b'u' | b'w' => (b'w', 0),
        // Hebrew vav romanises to `v`.
        b'v' if !latin => (b'w', 0),
        // A Latin `v` is `ف` in Arabic and `و` in Persian: it matches either.
        b'v' => (b'v', 0),
        b'b' | b'p' => (b'b', 0),
        b'f' => (b'f', 0),
        b'k' | b'q' | b'c' => (b'k', 0),
        b'g' | b'j' => (b'j', 0),
        b's' | b'z' => (b's', 0),
        b'x' => (b'k', b's'),
        c if c.is_ascii_lowercase() || c.is_ascii_digit() => (c, 0),
        _ => (0, 0),
    };
    [first, second].into_iter().filter(|&c| c != 0)
}

/// Appends a letter class, merging it with an equal one before it.
fn push_class(letters: &mut Vec<(u8, bool)>, class: u8, required: bool) {
    match letters.last_mut() {
        Some(last) if last.0 == class => last.1 |= required,
        _ => letters.push((class, required)),
    }
}

fn longest_common_subsequence(a: &[(u8, bool)], b: &[(u8, bool)]) -> usize {
    let a = &a[..a.len().min(MAX_CHARS)];
    let b = &b[..b.len().min(MAX_CHARS)];
    let mut previous = [0u8; MAX_CHARS + 1];
    let mut current = [0u8; MAX_CHARS + 1];
    for &(x, _) in a {
        for (j, &(y, _)) in b.iter().enumerate() {
            let same = x == y || (y == b'v' && (x == b'f' || x == b'w'));
            current[j + 1] = if same { previous[j] + 1 } else { previous[j + 1].max(current[j]) };
        }
        previous = current;
    }
    usize::from(previous[b.len()])
}

/// Longest strings compared, in characters (longer ones are cut: bounded work).
const MAX_CHARS: usize = 64;

/// Jaro-Winkler similarity in 0..=1 (prefix scale 0.1, up to four characters).
pub fn jaro_winkler(a: &str, b: &str) -> f32 {
    if a.is_ascii() && b.is_ascii() {
        let a = &a.as_bytes()[..a.len().min(MAX_CHARS)];
        let b = &b.as_bytes()[..b.len().min(MAX_CHARS)];
        return jaro_winkler_slices(a, b);
    }
    let a: Vec<char> = a.chars().take(MAX_CHARS).collect();
    let b: Vec<char> = b.chars().take(MAX_CHARS).collect();
    jaro_winkler_slices(&a, &b)
}

fn jaro_winkler_slices<T: PartialEq + Copy>(a: &[T], b: &[T]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_matched = [false; MAX_CHARS];
    let mut b_matched = [false; MAX_CHARS];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let start = i.saturating_sub(window);
        let end = (i + window + 1).min(b.len());
        for j in start..end {
            if !b_matched[j] && b[j] == ca {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_matched[i] {
            while !b_matched[k] {
                k += 1;
            }
            if ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f32;
    let jaro = (m / a.len() as f32 + m / b.len() as f32 + (m - transpositions as f32 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f32;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), on
/// characters, over at most the first 64 of each string: screening's near-miss rule's own
/// (`muninn_text::osa_distance`), so a typo is the same distance in both.
pub fn edit_distance(a: &str, b: &str) -> usize {
    muninn_text::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_distances() {
        assert_eq!(phonetic("mkl"), "mkl");
        assert_eq!(phonetic("mcl"), "mkl");
        assert_eq!(phonetic("sf"), "sb");
        assert_eq!(abjad_skeleton("viktor"), "fktr");
        assert_eq!(abjad_skeleton("fyktwr"), "fktr");
        assert_eq!(abjad_skeleton("gomez"), "jmz");
        assert_eq!(abjad_skeleton("baghdadi"), "bgd");
        assert_eq!(abjad_skeleton("chaudhry"), "tsdr");
        assert_eq!(abjad_skeleton("tshwdhry"), "tsdr");
        assert_eq!(abjad_skeleton("philip"), "flb");
        assert_eq!(abjad_fit("fhyd", false, "vahid"), 1.0);
        assert_eq!(abjad_fit("fhyd", false, "fady"), 0.5);
        assert_eq!(abjad_fit("mhmd", false, "muhammad"), 1.0);
        assert_eq!(abjad_fit("mhmd", false, "ahmad"), 0.75);
        assert_eq!(abjad_fit("mr", true, "omar"), 1.0);
        assert_eq!(abjad_fit("afn", false, "ivan"), 1.0);
        assert_eq!(abjad_fit("fatmh", false, "fatima"), 1.0);
        assert_eq!(abjad_fit("sw", false, "sosa"), 0.5);
        assert_eq!(abjad_fit("byll", false, "bilal"), 1.0);
        assert_eq!(abjad_fit("mwhmmd", false, "muhammad"), 1.0);
        assert_eq!(abjad_fit("whydy", false, "vahidi"), 1.0);
        assert_eq!(abjad_fit("ahmd", false, "ahmadi"), 0.8);
        assert_eq!(edit_distance("salek", "saelk"), 1);
        assert_eq!(edit_distance("salek", "salak"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.01);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
    }
}
