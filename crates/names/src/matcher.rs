//! The matcher: listed names filed under blocking keys, candidates drawn from the keys a query
//! shares with them, then scored and explained.
//!
//! Keys (hashed to 64 bits, sorted, each with a `u32` posting list of name numbers in one flat
//! array): per significant part its skeleton (its romanised spelling when the skeleton is
//! empty), the skeleton with one consonant deleted (when it has three or more: one wrong
//! consonant on either side still meets), its phonetic code, its romanised spelling, and its
//! skeleton as Arabic script would write it (with the article kept, for an Arabic word that
//! lost one); per pair of parts the two skeletons sorted (order-free), and the two abjad
//! skeletons. A query adds up, per listed name, the weights of the keys they share (rarer keys
//! weigh more, pairs most, pairs of short skeletons less), a little less for each part more or
//! fewer than the query has, scores the [`MAX_CANDIDATES`] best, and keeps the best name per
//! entity; only the names reported are explained.

use serde::Serialize;

use crate::keys::keys_of;
use crate::parse::{NameKind, NamePart, ParsedName, PartRole, parse_name};
use crate::properties::{Properties, PropertyEvidence, compare_properties};
use crate::score::{
    AlignScratch, NameComparison, PartMatch, PartView, compare_names, name_score, significant_only,
};
use crate::{DEFAULT_THRESHOLD, NameError};

/// How many listed names a query scores at most (the best by shared keys).
pub const MAX_CANDIDATES: usize = 100;

/// Keys of single parts with more postings than this are read only while the rarer keys have
/// found fewer than [`MAX_CANDIDATES`] names ("Mohammed" alone says little); pair keys are
/// always read.
pub const MAX_PART_POSTINGS: usize = 4_000;

/// The longest posting list read at all (its first entries, when nothing rarer matched).
pub const MAX_SCANNED_POSTINGS: usize = 50_000;

/// One entity to file: an id, its names (the first is the primary one, the others aliases)
/// and its optional properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entity {
    /// Unique id (a list's reference number).
    pub id: String,
    /// Person, organisation, or decided per name.
    pub kind: NameKind,
    /// Primary name first, then aliases.
    pub names: Vec<String>,
    /// Birth dates, countries, gender.
    pub properties: Properties,
}

/// A name that could not be filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildWarning {
    /// The entity's id.
    pub entity: String,
    /// The name (its first 80 characters).
    pub name: String,
    /// Why.
    pub error: NameError,
}

impl std::fmt::Display for BuildWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entity {:?}, name {:?}: {}", self.entity, self.name, self.error)
    }
}

/// What to look for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The name, in any script and order.
    pub name: String,
    /// Person, organisation, or decided by the name.
    pub kind: NameKind,
    /// Optional properties; each adds or takes evidence when the entity has it too.
    pub properties: Properties,
}

/// How to answer a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchOptions {
    /// Lowest score reported.
    pub threshold: f32,
    /// Most entities reported.
    pub limit: usize,
}

impl Default for MatchOptions {
    fn default() -> MatchOptions {
        MatchOptions { threshold: DEFAULT_THRESHOLD, limit: 10 }
    }
}

/// One entity that matched, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The entity's id.
    pub entity: String,
    /// 0..=1: the name score plus the properties' evidence.
    pub score: f32,
    /// Why.
    pub explanation: Explanation,
}

/// Why an entity matched: which of its names, which parts matched which, how, and what each
/// property contributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The query as compared (romanised significant parts).
    pub query: String,
    /// The entity's name that matched best, as listed.
    pub listed_name: String,
    /// Whether that name is an alias (not the entity's primary name).
    pub alias: bool,
    /// The score of the names alone.
    pub name_score: f32,
    /// Part alignment.
    #[serde(flatten)]
    pub comparison: NameComparison,
    /// Properties' contributions.
    pub properties: Vec<PropertyEvidence>,
}

impl Explanation {
    /// The explanation as indented lines (what `muninn match` prints).
    pub fn render(&self) -> String {
        let mut out = format!(
            "name {:.2} against {:?}{}\n",
            self.name_score,
            self.listed_name,
            if self.alias { " (alias)" } else { "" }
        );
        for PartMatch { query, listed, how, similarity } in &self.comparison.parts {
            out.push_str(&format!("  {query} ~ {listed}: {} {similarity:.2}\n", how.describe()));
        }
        if !self.comparison.unmatched_query.is_empty() {
            out.push_str(&format!(
                "  not in the entity's name: {}\n",
                self.comparison.unmatched_query.join(" ")
            ));
        }
        if !self.comparison.unmatched_listed.is_empty() {
            out.push_str(&format!("  not in the query: {}\n", self.comparison.unmatched_listed.join(" ")));
        }
        for evidence in &self.properties {
            out.push_str(&format!(
                "  {} {} ~ {}: {:+.2}\n",
                evidence.property, evidence.query, evidence.listed, evidence.contribution
            ));
        }
        out
    }
}

/// Reusable per-thread working memory for [`Matcher::find`].
#[derive(Debug, Default)]
pub struct Scratch {
    weights: Vec<f32>,
    touched: Vec<u32>,
    keys: Vec<(u64, f32, u16)>,
    /// Per name, the query parts already credited (a part counts once, by its best key).
    credited: Vec<u16>,
    align: AlignScratch,
}

#[derive(Debug)]
struct EntityMeta {
    id: Box<str>,
    properties: Option<Box<Properties>>,
}

#[derive(Debug)]
struct StoredName {
    entity: u32,
    alias: bool,
    text: Box<str>,
    /// The parsed parts, packed: fields split by U+001F, parts by U+001E (control characters
    /// never survive parsing, so they cannot occur in the fields).
    packed: Box<str>,
}

/// The filed names of up to 2^32 entities and their blocking keys. Immutable once built.
#[derive(Debug)]
pub struct Matcher {
    entities: Vec<EntityMeta>,
    names: Vec<StoredName>,
    /// Per name, how many of its parts of two letters or more have keys (for ranking
    /// candidates).
    part_counts: Vec<u8>,
    keys: Vec<u64>,
    offsets: Vec<u32>,
    postings: Vec<u32>,
}

/// What each keyed part more or fewer than the query's takes from a candidate's weight.
const PART_COUNT_WEIGHT: f32 = 1.0;

const PART_SEPARATOR: char = '\u{1E}';
const FIELD_SEPARATOR: char = '\u{1F}';

impl Matcher {
    /// Files the entities' names. A name that does not parse (empty, too long) is left out
    /// with a warning; the entity keeps its other names.
    pub fn build(entities: impl IntoIterator<Item = Entity>) -> (Matcher, Vec<BuildWarning>) {
        let mut matcher = Matcher {
            entities: Vec::new(),
            names: Vec::new(),
            part_counts: Vec::new(),
            keys: Vec::new(),
            offsets: Vec::new(),
            postings: Vec::new(),
        };
        let mut warnings = Vec::new();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        let mut name_keys = Vec::new();
        for entity in entities {
            let Ok(entity_number) = u32::try_from(matcher.entities.len()) else { break };
            for (position, name) in entity.names.iter().enumerate() {
                let parsed = match parse_name(name, entity.kind) {
                    Ok(parsed) => parsed,
                    Err(error) => {
                        warnings.push(BuildWarning {
                            entity: entity.id.clone(),
                            name: name.chars().take(80).collect(),
                            error,
                        });
                        continue;
                    }
                };
                let Ok(name_number) = u32::try_from(matcher.names.len()) else { break };
                name_keys.clear();
                let keyed_parts = keys_of(&parsed, &mut name_keys);
                matcher.part_counts.push(keyed_parts);
                pairs.extend(name_keys.iter().map(|&(key, _, _)| (key, name_number)));
                matcher.names.push(StoredName {
                    entity: entity_number,
                    alias: position > 0,
                    text: name.as_str().into(),
                    packed: pack(&parsed.parts).into(),
                });
            }
            let properties = entity.properties;
            let empty = properties == Properties::default();
            matcher.entities.push(EntityMeta {
                id: entity.id.into(),
                properties: if empty { None } else { Some(Box::new(properties)) },
            });
        }
        pairs.sort_unstable();
        pairs.dedup();
        matcher.postings.reserve_exact(pairs.len());
        for (key, name) in pairs {
            if matcher.keys.last() != Some(&key) {
                matcher.keys.push(key);
                matcher.offsets.push(matcher.postings.len() as u32);
            }
            matcher.postings.push(name);
        }
        matcher.offsets.push(matcher.postings.len() as u32);
        matcher.keys.shrink_to_fit();
        matcher.offsets.shrink_to_fit();
        (matcher, warnings)
    }

    /// How many entities are filed.
    pub fn entities(&self) -> usize {
        self.entities.len()
    }

    /// How many names (primary names and aliases) are filed.
    pub fn names(&self) -> usize {
        self.names.len()
    }

    /// The entities matching `query` at `options.threshold` or above, best first.
    pub fn find(
        &self,
        query: &Query,
        options: &MatchOptions,
        scratch: &mut Scratch,
    ) -> Result<Vec<Match>, NameError> {
        let parsed = parse_name(&query.name, query.kind)?;
        let candidates = self.candidates(&parsed, scratch);
        let mut query_parts: Vec<PartView<'_>> = parsed.parts.iter().map(PartView::of).collect();
        significant_only(&mut query_parts);
        // Per entity its best name: entity, name, score, properties' evidence.
        let mut best: Vec<(u32, u32, f32, Vec<PropertyEvidence>)> = Vec::new();
        let mut listed_parts: Vec<PartView<'_>> = Vec::new();
        for name_number in candidates {
            let stored = &self.names[name_number as usize];
            listed_parts.clear();
            unpack(&stored.packed, &mut listed_parts);
            significant_only(&mut listed_parts);
            let name_score = name_score(&query_parts, &listed_parts, &mut scratch.align);
            if name_score < 0.5 || name_score + 0.2 < options.threshold {
                continue;
            }
            let entity = &self.entities[stored.entity as usize];
            let evidence = match &entity.properties {
                Some(listed) => compare_properties(&query.properties, listed),
                None => Vec::new(),
            };
            let score = (name_score + evidence.iter().map(|e| e.contribution).sum::<f32>()).clamp(0.0, 1.0);
            if score < options.threshold {
                continue;
            }
            match best.iter_mut().find(|b| b.0 == stored.entity) {
                Some(existing) if existing.2 >= score => {}
                Some(existing) => *existing = (stored.entity, name_number, score, evidence),
                None => best.push((stored.entity, name_number, score, evidence)),
            }
        }
        best.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        best.truncate(options.limit);
        let normalised = parsed.normalised();
        Ok(best
            .into_iter()
            .map(|(entity, name_number, score, properties)| {
                let stored = &self.names[name_number as usize];
                listed_parts.clear();
                unpack(&stored.packed, &mut listed_parts);
                significant_only(&mut listed_parts);
                let comparison = compare_names(&query_parts, &listed_parts);
                Match {
                    entity: self.entities[entity as usize].id.to_string(),
                    score,
                    explanation: Explanation {
                        query: normalised.clone(),
                        listed_name: stored.text.to_string(),
                        alias: stored.alias,
                        name_score: comparison.score,
                        comparison,
                        properties,
                    },
                }
            })
            .collect())
    }

    /// The listed names sharing the most key weight with the query, at most [`MAX_CANDIDATES`].
    fn candidates(&self, parsed: &ParsedName, scratch: &mut Scratch) -> Vec<u32> {
        if scratch.weights.len() < self.names.len() {
            scratch.weights.resize(self.names.len(), 0.0);
            scratch.credited.resize(self.names.len(), 0);
        }
        scratch.keys.clear();
        let query_parts = keys_of(parsed, &mut scratch.keys);
        scratch.keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        scratch.keys.dedup_by_key(|k| k.0);
        let total = self.names.len().max(1) as f32;
        let mut ranges: Vec<(std::ops::Range<usize>, f32, bool, u16)> = scratch
            .keys
            .iter()
            .filter_map(|&(key, kind_weight, part)| {
                let at = self.keys.binary_search(&key).ok()?;
                let range = self.offsets[at] as usize..self.offsets[at + 1] as usize;
                let idf = (1.0 + total / range.len() as f32).ln();
                let is_pair = part == 0;
                Some((range, kind_weight * idf, is_pair, part))
            })
            .collect();
        // Rarest keys first; a long posting list is read only while the rarer keys have not
        // yet found enough candidates (a misspelt or one-word query), and a very long one only
        // when nothing else matched.
        // Heaviest first, so that the first key crediting a part is its best.
        ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (range, weight, is_pair, part) in ranges {
            let long = !is_pair && range.len() > MAX_PART_POSTINGS;
            if long && scratch.touched.len() >= MAX_CANDIDATES {
                continue;
            }
            if long && range.len() > MAX_SCANNED_POSTINGS && !scratch.touched.is_empty() {
                continue;
            }
            let range = range.start..range.end.min(range.start + MAX_SCANNED_POSTINGS);
            for &name in &self.postings[range] {
                let credited = &mut scratch.credited[name as usize];
                if *credited & part != 0 {
                    continue;
                }
                *credited |= part;
                let slot = &mut scratch.weights[name as usize];
                if *slot == 0.0 {
                    scratch.touched.push(name);
                }
                *slot += weight;
            }
        }
        // Of names sharing as much, those with as many parts as the query come first ("Paris"
        // before "Paris Hilton" for "Patris").
        for &name in &scratch.touched {
            let difference = self.part_counts[name as usize].abs_diff(query_parts);
            scratch.weights[name as usize] -= PART_COUNT_WEIGHT * f32::from(difference.min(3));
        }
        let weights = &scratch.weights;
        let touched = &mut scratch.touched;
        if touched.len() > MAX_CANDIDATES {
            touched.select_nth_unstable_by(MAX_CANDIDATES, |a, b| {
                weights[*b as usize].total_cmp(&weights[*a as usize]).then(a.cmp(b))
            });
        }
        let candidates = touched[..touched.len().min(MAX_CANDIDATES)].to_vec();
        for &name in touched.iter() {
            scratch.weights[name as usize] = 0.0;
            scratch.credited[name as usize] = 0;
        }
        touched.clear();
        candidates
    }
}

fn role_code(role: PartRole) -> char {
    match role {
        PartRole::Given => 'g',
        PartRole::Middle => 'm',
        PartRole::Family => 'f',
        PartRole::Patronymic => 'p',
        PartRole::Initial => 'i',
        PartRole::Word => 'w',
        PartRole::Particle => 'a',
        PartRole::Honorific => 'h',
        PartRole::LegalForm => 'l',
    }
}

fn role_of(code: char) -> PartRole {
    match code {
        'g' => PartRole::Given,
        'm' => PartRole::Middle,
        'f' => PartRole::Family,
        'p' => PartRole::Patronymic,
        'i' => PartRole::Initial,
        'a' => PartRole::Particle,
        'h' => PartRole::Honorific,
        'l' => PartRole::LegalForm,
        _ => PartRole::Word,
    }
}

fn pack(parts: &[NamePart]) -> String {
    let mut out = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.push(PART_SEPARATOR);
        }
        out.push(role_code(part.role));
        out.push(match (part.transliterated, part.abjad, part.vowel_initial) {
            (_, true, true) => '3',
            (_, true, false) => '2',
            (true, false, _) => '1',
            (false, false, _) => '0',
        });
        for field in [
            &part.original,
            &part.latin,
            &part.skeleton,
            &part.phonetic,
            &part.abjad_skeleton,
            &part.article_skeleton,
        ] {
            out.push(FIELD_SEPARATOR);
            out.push_str(field);
        }
    }
    out
}

fn unpack<'a>(packed: &'a str, out: &mut Vec<PartView<'a>>) {
    for part in packed.split(PART_SEPARATOR) {
        let mut fields = part.split(FIELD_SEPARATOR);
        let (Some(head), Some(original), Some(latin), Some(skeleton), Some(phonetic)) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (Some(abjad_skeleton), Some(article_skeleton)) = (fields.next(), fields.next()) else {
            continue;
        };
        let mut head = head.chars();
        let role = role_of(head.next().unwrap_or('w'));
        let script = head.next();
        let transliterated = script != Some('0');
        let abjad = matches!(script, Some('2' | '3'));
        let vowel_initial = script == Some('3');
        out.push(PartView {
            original,
            latin,
            skeleton,
            phonetic,
            abjad_skeleton,
            article_skeleton,
            role,
            transliterated,
            abjad,
            vowel_initial,
        });
    }
}
