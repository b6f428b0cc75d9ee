//! The blocking keys of a name: what the matcher files listed names under and looks a query
//! up by (see the crate README, "Keys and candidates").

use crate::parse::{NamePart, ParsedName, PartRole};

/// How many parts of a name make pair keys (the first ones).
const MAX_PAIR_PARTS: usize = 8;

// The weight of each kind of key (multiplied by its rarity when a query reads it).
const PART_WEIGHT: f32 = 1.0;
const EXACT_WEIGHT: f32 = 1.0;
const DELETION_WEIGHT: f32 = 0.6;
const PHONETIC_WEIGHT: f32 = 0.5;
const PAIR_WEIGHT: f32 = 2.0;
/// Pair keys of this many skeleton letters or more weigh [`PAIR_WEIGHT`], shorter ones less.
const PAIR_FULL_LETTERS: usize = 5;

fn hash_key(tag: u8, a: &str, b: &str) -> u64 {
    // FNV-1a over tag, a, separator, b; keys are ours, and a collision only adds a candidate.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in std::iter::once(tag).chain(a.bytes()).chain(std::iter::once(0xFF)).chain(b.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// The blocking keys of a parsed name, each with the weight of its kind.
///
/// Each part key carries its part's bit (a listed name is credited once per query part, by the
/// heaviest key they share); pair keys carry none. Returns how many keyed parts have two
/// letters or more (for ranking candidates by length).
pub(crate) fn keys_of(parsed: &ParsedName, out: &mut Vec<(u64, f32, u16)>) -> u8 {
    let parts: Vec<&NamePart> =
        parsed.significant().filter(|p| p.role != PartRole::Initial && !p.latin.is_empty()).collect();
    // One-letter words of organisations ("D.G.D. Investments") count as initials would.
    let keyed_parts = parts.iter().filter(|p| p.latin.chars().nth(1).is_some()).count();
    let keyed_parts = u8::try_from(keyed_parts).unwrap_or(u8::MAX);
    let token = |part: &NamePart| -> String {
        if part.skeleton.is_empty() { format!("~{}", part.latin) } else { part.skeleton.clone() }
    };
    let mut deleted = String::new();
    for (index, part) in parts.iter().enumerate() {
        let bit = 1u16 << index.min(15);
        out.push((hash_key(1, &token(part), ""), PART_WEIGHT, bit));
        out.push((hash_key(4, &part.latin, ""), EXACT_WEIGHT, bit));
        // As Arabic script would write it, under the skeleton's tag: "Viktor" meets "فيكتور".
        for abjad in [&part.abjad_skeleton, &part.article_skeleton] {
            if abjad.len() >= 2 && *abjad != part.skeleton {
                out.push((hash_key(1, abjad, ""), PART_WEIGHT, bit));
            }
        }
        if part.phonetic.len() >= 2 {
            out.push((hash_key(2, &part.phonetic, ""), PHONETIC_WEIGHT, bit));
        }
        let skeleton = part.skeleton.as_bytes();
        if skeleton.len() >= 3 && part.skeleton.is_ascii() {
            for skip in 0..skeleton.len() {
                deleted.clear();
                deleted.extend(
                    skeleton.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, &b)| char::from(b)),
                );
                out.push((hash_key(1, &deleted, ""), DELETION_WEIGHT, bit));
            }
        }
        // Short skeletons say little ("Yare" gives `r`): short words get deletion keys of
        // their spelling instead, so that "Yaire" still meets "Yare".
        let latin = part.latin.as_bytes();
        if skeleton.len() < 3 && (3..=8).contains(&latin.len()) && part.latin.is_ascii() {
            for skip in 0..latin.len() {
                deleted.clear();
                deleted.extend(
                    latin.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, &b)| char::from(b)),
                );
                out.push((hash_key(4, &deleted, ""), DELETION_WEIGHT, bit));
            }
        }
    }
    let limited = &parts[..parts.len().min(MAX_PAIR_PARTS)];
    // Pairs of short skeletons ("Adi Lau": `d` and `l`) are shared by many names that share
    // nothing else: they weigh less, so that they do not crowd out a name sharing one exact
    // part and a close spelling of the other.
    let mut push_pair = |a: &str, b: &str| {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let letters = (a.len() + b.len()).min(PAIR_FULL_LETTERS) as f32;
        out.push((hash_key(3, low, high), PAIR_WEIGHT * letters / PAIR_FULL_LETTERS as f32, 0));
    };
    // As Arabic script writes them too (with the article, when one was stripped), so that a
    // name written in Arabic script meets its Latin spelling by pair.
    let abjad = |part: &NamePart| -> String {
        if part.abjad_skeleton.is_empty() { token(part) } else { part.abjad_skeleton.clone() }
    };
    for (i, first) in limited.iter().enumerate() {
        for second in &limited[i + 1..] {
            let (a, b) = (token(first), token(second));
            push_pair(&a, &b);
            let (abjad_a, abjad_b) = (abjad(first), abjad(second));
            if abjad_a != a || abjad_b != b {
                push_pair(&abjad_a, &abjad_b);
            }
            if !first.article_skeleton.is_empty() {
                push_pair(&first.article_skeleton, &abjad_b);
            }
            if !second.article_skeleton.is_empty() {
                push_pair(&abjad_a, &second.article_skeleton);
            }
        }
    }
    keyed_parts
}
