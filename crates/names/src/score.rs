//! Scoring one query name against one listed name: parts compared pairwise, aligned by best
//! similarity first (so order does not matter), unmatched parts costing a little (missing
//! middle names) and joined neighbours tried when the part counts differ ("Xi Jin Ping").

use serde::Serialize;

use crate::parse::{NamePart, PartRole, WEIGHTED_PARTICLES};
use crate::phonetic::{edit_distance, jaro_winkler};

/// What an unmatched significant part costs, relative to a matched one.
pub const UNMATCHED_COST: f32 = 0.25;

/// The lowest similarity at which two parts are aligned at all.
pub const MIN_PART_SIMILARITY: f32 = 0.84;

/// How a query part matched a listed part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum How {
    /// Same folded spelling.
    Exact,
    /// Same romanised spelling from another script or spelling ("Виктор" / "Viktor").
    Transliteration,
    /// Same consonant skeleton ("Saleq" / "Salek", "Mohammed" / "Muhammad").
    Skeleton,
    /// Same phonetic code ("Mikhail" / "Michael").
    Phonetic,
    /// Close spelling: edit distance (with transpositions) on the romanised forms.
    Typo {
        /// Edits between the romanised forms.
        distance: u32,
    },
    /// An initial and the name it abbreviates ("V." / "Viktor").
    Initial,
}

impl How {
    /// The method's name, with the distance of a typo.
    pub fn describe(self) -> String {
        match self {
            How::Exact => "exact".to_owned(),
            How::Transliteration => "transliteration".to_owned(),
            How::Skeleton => "skeleton".to_owned(),
            How::Phonetic => "phonetic".to_owned(),
            How::Typo { distance } => {
                format!("typo, {distance} edit{}", if distance == 1 { "" } else { "s" })
            }
            How::Initial => "initial".to_owned(),
        }
    }
}

/// One aligned pair of parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartMatch {
    /// The query's part as written (two parts joined by a space when joined).
    pub query: String,
    /// The listed name's part as written.
    pub listed: String,
    /// How they matched.
    #[serde(flatten)]
    pub how: How,
    /// Their similarity, 0..=1.
    pub similarity: f32,
}

/// The comparison of two names, part by part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameComparison {
    /// 0..=1.
    pub score: f32,
    /// The aligned pairs, in the query's order.
    pub parts: Vec<PartMatch>,
    /// Significant query parts left unmatched.
    pub unmatched_query: Vec<String>,
    /// Significant listed parts left unmatched.
    pub unmatched_listed: Vec<String>,
}

/// A part as the scorer sees it (borrowed from a parsed query or a stored name).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PartView<'a> {
    pub original: &'a str,
    pub latin: &'a str,
    pub skeleton: &'a str,
    pub phonetic: &'a str,
    pub role: PartRole,
    pub transliterated: bool,
    pub abjad: bool,
}

impl<'a> PartView<'a> {
    pub(crate) fn of(part: &'a NamePart) -> PartView<'a> {
        PartView {
            original: &part.original,
            latin: &part.latin,
            skeleton: &part.skeleton,
            phonetic: &part.phonetic,
            role: part.role,
            transliterated: part.transliterated,
            abjad: part.abjad,
        }
    }

    fn weight(&self) -> f32 {
        match self.role {
            PartRole::Initial => 0.5,
            PartRole::Particle if WEIGHTED_PARTICLES.contains(&self.latin) => 0.5,
            role if role.is_significant() => 1.0,
            _ => 0.0,
        }
    }
}

/// A part with owned forms: two neighbours joined.
#[derive(Debug, Clone)]
struct Joined {
    original: String,
    latin: String,
    skeleton: String,
    phonetic: String,
    transliterated: bool,
    abjad: bool,
}

impl Joined {
    fn of(first: &PartView<'_>, second: &PartView<'_>) -> Joined {
        let latin = format!("{}{}", first.latin, second.latin);
        let skeleton = muninn_text::skeleton(&latin);
        let phonetic = crate::phonetic::phonetic(&skeleton);
        Joined {
            original: format!("{} {}", first.original, second.original),
            latin,
            skeleton,
            phonetic,
            transliterated: first.transliterated || second.transliterated,
            abjad: first.abjad || second.abjad,
        }
    }

    fn view(&self) -> PartView<'_> {
        PartView {
            original: &self.original,
            latin: &self.latin,
            skeleton: &self.skeleton,
            phonetic: &self.phonetic,
            role: PartRole::Middle,
            transliterated: self.transliterated,
            abjad: self.abjad,
        }
    }
}

/// Compares two parts: their similarity and how, or `None` below [`MIN_PART_SIMILARITY`].
pub(crate) fn compare_parts(query: &PartView<'_>, listed: &PartView<'_>) -> Option<(f32, How)> {
    if query.latin == listed.latin {
        let same_spelling = (!query.transliterated && !listed.transliterated)
            || query
                .original
                .chars()
                .flat_map(char::to_lowercase)
                .eq(listed.original.chars().flat_map(char::to_lowercase));
        return Some((1.0, if same_spelling { How::Exact } else { How::Transliteration }));
    }
    let query_initial = query.role == PartRole::Initial;
    let listed_initial = listed.role == PartRole::Initial;
    if query_initial || listed_initial {
        let first = |s: &str| s.chars().next();
        return (first(query.latin) == first(listed.latin)).then_some((0.9, How::Initial));
    }
    let jw = jaro_winkler(query.latin, listed.latin);
    let other_script = query.transliterated != listed.transliterated;
    // One side romanised from a script without short vowels: only its consonants can agree.
    let abjad = query.abjad != listed.abjad;
    if !query.skeleton.is_empty() && query.skeleton == listed.skeleton {
        // Equal skeletons are strong evidence only when the spellings agree too ("Bing" and
        // "Bunheung" share `bng`), or when one side was romanised from a script without short
        // vowels and the skeleton is long enough to say something.
        let long_enough = query.skeleton.len() >= 3 || jw >= 0.9;
        // Across other scripts the spellings must agree a little ("khasan" and "hasan" yes;
        // "khormuz" and "ramzi", "wly" and "ali" no).
        if (long_enough && (jw >= 0.85 || abjad)) || (other_script && jw >= 0.6) {
            return Some((0.95f32.max(jw * 0.97), How::Skeleton));
        }
        if long_enough && jw >= 0.75 {
            return Some((0.85, How::Skeleton));
        }
    }
    // Across scripts the spellings differ by construction (no short vowels in Arabic): equal
    // phonetic codes of three or more classes are enough there, shorter ones with some
    // agreement of the spellings ("кия" / "cia").
    let long_code = query.phonetic.len() >= 3;
    if !query.phonetic.is_empty()
        && query.phonetic == listed.phonetic
        && ((long_code && (jw >= 0.8 || abjad)) || (other_script && jw >= 0.6))
    {
        return Some((0.9f32.max(jw * 0.97), How::Phonetic));
    }
    // Romanised Arabic has no short vowels: compare its consonants instead of its spelling
    // (when there are enough of them to say something).
    let similarity = if abjad && query.skeleton.len() >= 3 && listed.skeleton.len() >= 3 {
        jw.max(consonants_similarity(query, listed) * 0.95)
    } else {
        jw
    } * 0.97;
    if similarity < MIN_PART_SIMILARITY {
        return None;
    }
    let distance = edit_distance(query.latin, listed.latin);
    // In one script a typo is a few edits: one, or one per four letters of the longer word.
    // Across scripts the spellings differ by construction and the consonants decided.
    let longer = query.latin.len().max(listed.latin.len());
    if !abjad && distance > (longer / 4).max(1) {
        return None;
    }
    Some((similarity, How::Typo { distance: distance as u32 }))
}

/// Similarity of the consonant skeletons and phonetic codes (the better).
fn consonants_similarity(query: &PartView<'_>, listed: &PartView<'_>) -> f32 {
    jaro_winkler(query.skeleton, listed.skeleton).max(jaro_winkler(query.phonetic, listed.phonetic))
}

/// Compares two names given as their parts (all parts; roles decide what counts).
pub(crate) fn compare_names(query: &[PartView<'_>], listed: &[PartView<'_>]) -> NameComparison {
    let query: Vec<PartView<'_>> = query.iter().copied().filter(|p| p.weight() > 0.0).collect();
    let listed: Vec<PartView<'_>> = listed.iter().copied().filter(|p| p.weight() > 0.0).collect();
    let mut best = align(&query, &listed);
    if query.len() != listed.len() && best.score < 0.97 && best.score > 0.4 {
        // Two neighbours on the longer side may be one part on the other ("Jin Ping" / "Jinping").
        let (longer, query_is_longer) =
            if query.len() > listed.len() { (&query, true) } else { (&listed, false) };
        for at in 0..longer.len().saturating_sub(1) {
            let joined = Joined::of(&longer[at], &longer[at + 1]);
            let mut merged: Vec<PartView<'_>> = Vec::with_capacity(longer.len() - 1);
            merged.extend_from_slice(&longer[..at]);
            merged.push(joined.view());
            merged.extend_from_slice(&longer[at + 2..]);
            let candidate = if query_is_longer { align(&merged, &listed) } else { align(&query, &merged) };
            // A join counts only when it matches closely: otherwise it would hide a missing part.
            let joined_close = candidate.parts.iter().any(|m| {
                let side = if query_is_longer { &m.query } else { &m.listed };
                // Skeletons of joined words meet too easily ("Ismail Hilal" gives `sml`, as "Ismail"
                // does): a join must match by spelling, or by skeleton with close spellings.
                let strong = matches!(m.how, How::Exact | How::Transliteration)
                    || (m.how == How::Skeleton && m.similarity >= 0.96);
                *side == joined.original && strong && m.similarity >= 0.93
            });
            if joined_close && candidate.score > best.score {
                best = candidate;
            }
        }
    }
    best
}

fn align(query: &[PartView<'_>], listed: &[PartView<'_>]) -> NameComparison {
    let mut pairs: Vec<(f32, usize, usize, How)> = Vec::with_capacity(query.len() * listed.len());
    for (qi, q) in query.iter().enumerate() {
        for (li, l) in listed.iter().enumerate() {
            if let Some((similarity, how)) = compare_parts(q, l) {
                pairs.push((similarity, qi, li, how));
            }
        }
    }
    // Best first; ties keep the order of the names (a part matches its counterpart in place).
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1 + a.2).cmp(&(b.1 + b.2))));
    let mut query_used = vec![false; query.len()];
    let mut listed_used = vec![false; listed.len()];
    let mut chosen: Vec<(usize, usize, f32, How)> = Vec::new();
    for (similarity, qi, li, how) in pairs {
        if query_used[qi] || listed_used[li] {
            continue;
        }
        query_used[qi] = true;
        listed_used[li] = true;
        chosen.push((qi, li, similarity, how));
    }
    chosen.sort_by_key(|c| c.0);
    let mut matched_weight = 0.0f32;
    let mut similarity_sum = 0.0f32;
    let mut parts = Vec::with_capacity(chosen.len());
    for &(qi, li, similarity, how) in &chosen {
        let weight = (query[qi].weight() + listed[li].weight()) / 2.0;
        matched_weight += weight;
        similarity_sum += similarity * weight;
        parts.push(PartMatch {
            query: query[qi].original.to_owned(),
            listed: listed[li].original.to_owned(),
            how,
            similarity,
        });
    }
    let unmatched = |parts: &[PartView<'_>], used: &[bool]| -> (f32, Vec<String>) {
        let mut weight = 0.0;
        let mut names = Vec::new();
        for (part, used) in parts.iter().zip(used) {
            if !used {
                weight += part.weight();
                names.push(part.original.to_owned());
            }
        }
        (weight, names)
    };
    let (query_unmatched, unmatched_query) = unmatched(query, &query_used);
    let (listed_unmatched, unmatched_listed) = unmatched(listed, &listed_used);
    // Initials alone never make a match: the matched weight must include a whole name part.
    let whole_part_matched = chosen.iter().any(|&(_, _, _, how)| how != How::Initial);
    let denominator = matched_weight + UNMATCHED_COST * (query_unmatched + listed_unmatched);
    let score = if denominator > 0.0 && whole_part_matched { similarity_sum / denominator } else { 0.0 };
    NameComparison { score: score.clamp(0.0, 1.0), parts, unmatched_query, unmatched_listed }
}
