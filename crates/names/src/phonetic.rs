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
/// characters, over at most the first 64 of each string.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(MAX_CHARS).collect();
    let b: Vec<char> = b.chars().take(MAX_CHARS).collect();
    let width = b.len() + 1;
    let mut before = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_distances() {
        assert_eq!(phonetic("mkl"), "mkl");
        assert_eq!(phonetic("mcl"), "mkl");
        assert_eq!(phonetic("sf"), "sb");
        assert_eq!(edit_distance("salek", "saelk"), 1);
        assert_eq!(edit_distance("salek", "salak"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.01);
        assert_eq!(jaro_winkler("abc", "abc"), 1.0);
        assert_eq!(jaro_winkler("", "abc"), 0.0);
    }
}
