//! Scoring one query name against one listed name: parts compared pairwise, aligned by best
//! similarity first (so order does not matter), unmatched parts costing by their role (a
//! missing middle name little, a missing given or family name much) and joined neighbours
//! tried when the part counts differ ("Xi Jin Ping"). A part written in Arabic or Hebrew script
//! is compared with one written otherwise as that script would write it ([`abjad_fit`]).

use serde::Serialize;

use crate::parse::{NamePart, PartRole, WEIGHTED_PARTICLES};
use crate::phonetic::{abjad_fit, abjad_initial, edit_distance, jaro_winkler};

/// What an unmatched significant part costs, relative to a matched one: a word of an
/// organisation's name, an initial or a kinship particle.
pub const UNMATCHED_COST: f32 = 0.25;

/// What an unmatched given or family name costs: "Viktor Lebedev" is not "Ivan Lebedev",
/// and "Lebedev" alone says little about "Hasan Lebedev".
pub const UNMATCHED_NAME_COST: f32 = 0.4;

/// What an unmatched middle name, patronymic or kinship particle (`abu`, `bin`) costs: lists
/// and texts leave them out.
pub const UNMATCHED_MIDDLE_COST: f32 = 0.08;

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
    pub abjad_skeleton: &'a str,
    pub article_skeleton: &'a str,
    pub role: PartRole,
    pub transliterated: bool,
    pub abjad: bool,
    pub vowel_initial: bool,
}

impl<'a> PartView<'a> {
    pub(crate) fn of(part: &'a NamePart) -> PartView<'a> {
        PartView {
            original: &part.original,
            latin: &part.latin,
            skeleton: &part.skeleton,
            phonetic: &part.phonetic,
            abjad_skeleton: &part.abjad_skeleton,
            article_skeleton: &part.article_skeleton,
            role: part.role,
            transliterated: part.transliterated,
            abjad: part.abjad,
            vowel_initial: part.vowel_initial,
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

    /// What the part costs when the other name has nothing for it; `first` whether it comes
    /// first among the significant parts (an initial there stands for the given name).
    fn unmatched_cost(&self, first: bool) -> f32 {
        self.weight()
            * match self.role {
                PartRole::Given | PartRole::Family => UNMATCHED_NAME_COST,
                PartRole::Initial if first => UNMATCHED_NAME_COST,
                PartRole::Middle | PartRole::Patronymic | PartRole::Particle => UNMATCHED_MIDDLE_COST,
                _ => UNMATCHED_COST,
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
    abjad_skeleton: String,
    transliterated: bool,
    abjad: bool,
    vowel_initial: bool,
}

impl Joined {
    fn of(first: &PartView<'_>, second: &PartView<'_>) -> Joined {
        let latin = format!("{}{}", first.latin, second.latin);
        let skeleton = muninn_text::skeleton(&latin);
        let phonetic = crate::phonetic::phonetic(&skeleton);
        let abjad_skeleton = crate::phonetic::abjad_skeleton(&latin);
        Joined {
            original: format!("{} {}", first.original, second.original),
            latin,
            skeleton,
            phonetic,
            abjad_skeleton,
            transliterated: first.transliterated || second.transliterated,
            abjad: first.abjad || second.abjad,
            vowel_initial: first.vowel_initial,
        }
    }

    fn view(&self) -> PartView<'_> {
        PartView {
            original: &self.original,
            latin: &self.latin,
            skeleton: &self.skeleton,
            phonetic: &self.phonetic,
            abjad_skeleton: &self.abjad_skeleton,
            article_skeleton: "",
            role: PartRole::Middle,
            transliterated: self.transliterated,
            abjad: self.abjad,
            vowel_initial: self.vowel_initial,
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
        let agrees = if query.abjad == listed.abjad {
            first(query.latin) == first(listed.latin)
        } else {
            abjad_initial(query.latin).is_some() && abjad_initial(query.latin) == abjad_initial(listed.latin)
        };
        return agrees.then_some((0.9, How::Initial));
    }
    // One side romanised from a script without short vowels: only its consonants and long
    // vowels can agree.
    if query.abjad != listed.abjad {
        return if query.abjad {
            compare_across_abjad(query, listed)
        } else {
            compare_across_abjad(listed, query)
        };
    }
    let same_skeleton = !query.skeleton.is_empty() && query.skeleton == listed.skeleton;
    let same_phonetic = !query.phonetic.is_empty() && query.phonetic == listed.phonetic;
    let longer = query.latin.len().max(listed.latin.len());
    if !same_skeleton
        && !same_phonetic
        && query.latin.len().abs_diff(listed.latin.len()) > (longer / 4).max(1)
    {
        // Only a typo could match, and the lengths differ by more edits than a typo may make.
        return None;
    }
    let jw = jaro_winkler(query.latin, listed.latin);
    let other_script = query.transliterated != listed.transliterated;
    if same_skeleton {
        // Equal skeletons are strong evidence only when the spellings agree too ("Bing" and
        // "Bunheung" share `bng`).
        let long_enough = query.skeleton.len() >= 3 || jw >= 0.9;
        // Across other scripts the spellings must agree a little ("khasan" and "hasan" yes;
        // "khormuz" and "ramzi" no).
        // A Korean syllable is a part of its own, a few letters long, and Latin renderings
        // differ in its vowels ("eun" / "un", "seok" / "suk"): Jaro-Winkler has no window to
        // see that, the skeleton does.
        let hangul_syllable = |part: &PartView<'_>| {
            part.original.chars().count() == 1
                && part.original.chars().all(muninn_text::east_asian::is_hangul)
        };
        let korean = other_script && (hangul_syllable(query) || hangul_syllable(listed));
        if (long_enough && jw >= 0.85) || (other_script && jw >= 0.6) || korean {
            // A syllable more is another name more often than a spelling ("Ahmad" /
            // "Ahmadi", "Ivan" / "Ivanova").
            let syllables = syllables(query.latin).abs_diff(syllables(listed.latin));
            let similarity = skeleton_similarity(jw) - SYLLABLE_DISCOUNT * syllables.min(3) as f32;
            return Some((similarity, How::Skeleton));
        }
        if long_enough && jw >= 0.75 {
            return Some((0.85, How::Skeleton));
        }
    }
    // Across scripts equal phonetic codes of three or more classes are enough with spellings
    // somewhat alike, shorter ones with some agreement of the spellings ("кия" / "cia").
    let long_code = query.phonetic.len() >= 3;
    if same_phonetic && ((long_code && jw >= 0.8) || (other_script && jw >= 0.6)) {
        return Some((0.9f32.max(jw * 0.97), How::Phonetic));
    }
    let similarity = jw * 0.97;
    if similarity < MIN_PART_SIMILARITY {
        return None;
    }
    // In one script a typo is a few edits: one, or one per four letters of the longer word.
    let distance = edit_distance(query.latin, listed.latin);
    if distance > (longer / 4).max(1) {
        return None;
    }
    Some((similarity, How::Typo { distance: distance as u32 }))
}

/// What a same-skeleton match gets less per syllable one side has more.
const SYLLABLE_DISCOUNT: f32 = 0.02;

/// The number of vowel groups of a romanised word (`y` a vowel after a consonant).
fn syllables(latin: &str) -> usize {
    let mut count = 0;
    let mut in_vowels = false;
    for (index, byte) in latin.bytes().enumerate() {
        let vowel = matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u') || (byte == b'y' && index > 0);
        if vowel && !in_vowels {
            count += 1;
        }
        in_vowels = vowel;
    }
    count
}

/// How well two parts with equal consonant keys must fit letter by letter across an abjad
/// ([`abjad_fit`]) when the key has fewer than three consonants: "افن" is "Ivan", "هميد"
/// (0.75) is not "Ahmad".
const SHORT_KEY_FIT: f32 = 0.8;

/// How well two parts must fit letter by letter across an abjad to match without equal
/// consonant keys (words of vowels and one consonant: "هو" / "Ho", "وي" / "Way").
const FIT_ALONE: f32 = 0.9;

/// Compares a part written in Arabic or Hebrew script (`written`) with one written otherwise:
/// as that script would write the other (`v` as `ف`, no short vowels), the article kept or
/// not ("Alvarez" / "الفرز"), graded by how well the letters fit.
fn compare_across_abjad(written: &PartView<'_>, other: &PartView<'_>) -> Option<(f32, How)> {
    let mut fit = abjad_fit(written.latin, written.vowel_initial, other.latin);
    if !written.article_skeleton.is_empty() {
        fit = fit.max(abjad_fit(&format!("al{}", written.latin), false, other.latin));
    }
    let key = other.abjad_skeleton;
    let keys_equal = !key.is_empty() && (written.abjad_skeleton == key || written.article_skeleton == key);
    // The plain skeletons drop `v`, as Persian writes it (`و`).
    let plain_equal = !written.skeleton.is_empty() && written.skeleton == other.skeleton;
    let long = (keys_equal && key.len() >= 3) || (plain_equal && other.skeleton.len() >= 3);
    if ((keys_equal || plain_equal) && (long || fit >= SHORT_KEY_FIT)) || fit >= FIT_ALONE {
        return Some((skeleton_similarity(fit), How::Skeleton));
    }
    if other.phonetic.len() >= 3 && written.phonetic == other.phonetic {
        return Some((0.86 + 0.05 * fit, How::Phonetic));
    }
    let consonants = if written.skeleton.len() >= 3 && other.skeleton.len() >= 3 {
        consonants_similarity(written, other)
    } else {
        0.0
    };
    let jw = jaro_winkler(written.latin, other.latin);
    let similarity = jw.max(consonants * 0.95).max(fit * 0.95) * 0.97;
    if similarity < MIN_PART_SIMILARITY {
        return None;
    }
    let distance = edit_distance(written.latin, other.latin);
    Some((similarity, How::Typo { distance: distance as u32 }))
}

/// The similarity of two parts with one skeleton: graded by how close their spellings are
/// (Jaro-Winkler `jw`, or [`abjad_fit`] across an abjad), so that of two names meeting by
/// skeleton the closer one ranks first. A different spelling is a variant or another name
/// ("Ahmad" / "Ahmadi"): at most 0.96.
fn skeleton_similarity(closeness: f32) -> f32 {
    0.90 + 0.06 * closeness
}

/// Similarity of the consonant skeletons, abjad skeletons and phonetic codes (the best).
fn consonants_similarity(query: &PartView<'_>, listed: &PartView<'_>) -> f32 {
    let (written, other) = if query.abjad { (query, listed) } else { (listed, query) };
    let mut best =
        jaro_winkler(query.skeleton, listed.skeleton).max(jaro_winkler(query.phonetic, listed.phonetic));
    best = best.max(jaro_winkler(written.abjad_skeleton, other.abjad_skeleton));
    if !written.article_skeleton.is_empty() {
        best = best.max(jaro_winkler(written.article_skeleton, other.abjad_skeleton));
    }
    best
}

/// Reusable working memory for scoring names (one per matcher query).
#[derive(Debug, Default)]
pub(crate) struct AlignScratch {
    /// Every pair of parts that compares, best first.
    pairs: Vec<(f32, usize, usize, How)>,
    /// The pairs aligned: query index, listed index, similarity, how.
    chosen: Vec<(usize, usize, f32, How)>,
}

/// The score of two names given as their significant parts (those of weight > 0, see
/// [`significant_only`]): what [`compare_names`] would say, without building the explanation.
pub(crate) fn name_score(query: &[PartView<'_>], listed: &[PartView<'_>], scratch: &mut AlignScratch) -> f32 {
    best_alignment(query, listed, scratch).0
}

/// Compares two names given as their significant parts, with the explanation.
pub(crate) fn compare_names(query: &[PartView<'_>], listed: &[PartView<'_>]) -> NameComparison {
    let mut scratch = AlignScratch::default();
    let (score, join) = best_alignment(query, listed, &mut scratch);
    let Some(at) = join else {
        align(query, listed, &mut scratch);
        return explain(score, query, listed, &scratch.chosen);
    };
    if query.len() > listed.len() {
        let (joined, merged) = join_at(query, at);
        let merged = with_joined(&merged, at, &joined);
        align(&merged, listed, &mut scratch);
        explain(score, &merged, listed, &scratch.chosen)
    } else {
        let (joined, merged) = join_at(listed, at);
        let merged = with_joined(&merged, at, &joined);
        align(query, &merged, &mut scratch);
        explain(score, query, &merged, &scratch.chosen)
    }
}

/// Compares two parsed names part by part, with the explanation: the name score
/// [`crate::Matcher::find`] ranks a candidate by, for a caller that has found its own candidate
/// (screening's near misses).
pub fn compare(query: &crate::ParsedName, listed: &crate::ParsedName) -> NameComparison {
    let mut query_parts: Vec<PartView<'_>> = query.parts.iter().map(PartView::of).collect();
    let mut listed_parts: Vec<PartView<'_>> = listed.parts.iter().map(PartView::of).collect();
    significant_only(&mut query_parts);
    significant_only(&mut listed_parts);
    compare_names(&query_parts, &listed_parts)
}

/// Only the parts that count in a comparison (not unweighted particles, honorifics or legal
/// forms), in place.
pub(crate) fn significant_only(parts: &mut Vec<PartView<'_>>) {
    parts.retain(|p| p.weight() > 0.0);
}

/// The best score and, when it comes from two neighbours of the longer name joined ("Jin
/// Ping" / "Jinping"), the position of the first of them.
fn best_alignment(
    query: &[PartView<'_>],
    listed: &[PartView<'_>],
    scratch: &mut AlignScratch,
) -> (f32, Option<usize>) {
    let mut best = (align(query, listed, scratch), None);
    if query.len() == listed.len() || best.0 >= 0.97 || best.0 <= 0.4 {
        return best;
    }
    let query_is_longer = query.len() > listed.len();
    let longer = if query_is_longer { query } else { listed };
    for at in 0..longer.len().saturating_sub(1) {
        let (joined, merged) = join_at(longer, at);
        let merged = with_joined(&merged, at, &joined);
        let score =
            if query_is_longer { align(&merged, listed, scratch) } else { align(query, &merged, scratch) };
        // A join counts only when it matches closely: otherwise it would hide a missing part.
        // Skeletons of joined words meet too easily ("Ismail Hilal" gives `sml`, as "Ismail"
        // does): a join must match by spelling, or by skeleton with close spellings.
        let joined_close = scratch.chosen.iter().any(|&(qi, li, similarity, how)| {
            let side = if query_is_longer { qi } else { li };
            let strong = matches!(how, How::Exact | How::Transliteration)
                || (how == How::Skeleton && similarity >= skeleton_similarity(0.99));
            side == at && strong
        });
        if joined_close && score > best.0 {
            best = (score, Some(at));
        }
    }
    best
}

/// The parts at `at` and `at + 1` joined, and the parts before and after them.
fn join_at<'a>(parts: &[PartView<'a>], at: usize) -> (Joined, Vec<PartView<'a>>) {
    let joined = Joined::of(&parts[at], &parts[at + 1]);
    let mut rest = Vec::with_capacity(parts.len() - 1);
    rest.extend_from_slice(&parts[..at]);
    rest.extend_from_slice(&parts[at + 2..]);
    (joined, rest)
}

/// `rest` with the joined part put back at `at`.
fn with_joined<'a>(rest: &[PartView<'a>], at: usize, joined: &'a Joined) -> Vec<PartView<'a>> {
    let mut merged = Vec::with_capacity(rest.len() + 1);
    merged.extend_from_slice(&rest[..at]);
    merged.push(joined.view());
    merged.extend_from_slice(&rest[at..]);
    merged
}

/// Aligns the parts best pair first (each part used once) into `scratch.chosen` and returns
/// the score.
fn align(query: &[PartView<'_>], listed: &[PartView<'_>], scratch: &mut AlignScratch) -> f32 {
    let pairs = &mut scratch.pairs;
    pairs.clear();
    for (qi, q) in query.iter().enumerate() {
        for (li, l) in listed.iter().enumerate() {
            if let Some((similarity, how)) = compare_parts(q, l) {
                pairs.push((similarity, qi, li, how));
            }
        }
    }
    // Best first; ties keep the order of the names (a part matches its counterpart in place).
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1 + a.2).cmp(&(b.1 + b.2))));
    // Names have at most `MAX_PARTS` (32) parts: one bit each.
    let (mut query_used, mut listed_used) = (0u64, 0u64);
    let chosen = &mut scratch.chosen;
    chosen.clear();
    for &(similarity, qi, li, how) in pairs.iter() {
        let (query_bit, listed_bit) = (1u64 << qi.min(63), 1u64 << li.min(63));
        if query_used & query_bit != 0 || listed_used & listed_bit != 0 {
            continue;
        }
        query_used |= query_bit;
        listed_used |= listed_bit;
        chosen.push((qi, li, similarity, how));
    }
    let mut matched_weight = 0.0f32;
    let mut similarity_sum = 0.0f32;
    for &(qi, li, similarity, _) in chosen.iter() {
        let weight = (query[qi].weight() + listed[li].weight()) / 2.0;
        matched_weight += weight;
        similarity_sum += similarity * weight;
    }
    let unmatched = |parts: &[PartView<'_>], used: u64| -> f32 {
        parts
            .iter()
            .enumerate()
            .filter(|(i, _)| used & (1u64 << (*i).min(63)) == 0)
            .map(|(i, p)| p.unmatched_cost(i == 0))
            .sum()
    };
    // Initials alone never make a match: the matched weight must include a whole name part.
    let whole_part_matched = chosen.iter().any(|&(_, _, _, how)| how != How::Initial);
    let denominator = matched_weight + unmatched(query, query_used) + unmatched(listed, listed_used);
    let score = if denominator > 0.0 && whole_part_matched { similarity_sum / denominator } else { 0.0 };
    score.clamp(0.0, 1.0)
}

/// The explanation of an alignment.
fn explain(
    score: f32,
    query: &[PartView<'_>],
    listed: &[PartView<'_>],
    chosen: &[(usize, usize, f32, How)],
) -> NameComparison {
    let mut sorted = chosen.to_vec();
    sorted.sort_by_key(|c| c.0);
    let parts = sorted
        .iter()
        .map(|&(qi, li, similarity, how)| PartMatch {
            query: query[qi].original.to_owned(),
            listed: listed[li].original.to_owned(),
            how,
            similarity,
        })
        .collect();
    let unmatched = |parts: &[PartView<'_>], used: &dyn Fn(usize) -> bool| -> Vec<String> {
        parts.iter().enumerate().filter(|(i, _)| !used(*i)).map(|(_, p)| p.original.to_owned()).collect()
    };
    let unmatched_query = unmatched(query, &|i| chosen.iter().any(|c| c.0 == i));
    let unmatched_listed = unmatched(listed, &|i| chosen.iter().any(|c| c.1 == i));
    NameComparison { score, parts, unmatched_query, unmatched_listed }
}
