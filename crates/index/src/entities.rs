//! Entities: the gazetteer (named things with aliases in any script), finding their names in
//! text, and resolving a name typed in a query to the entities it names.
//!
//! Names are found by [`muninn_text::NameMatcher`] in its exact mode only: whole words, compared
//! after case, width and diacritic folding and Arabic and Cyrillic normalisation; Han text needs
//! no word boundaries (each Han character is a word). Transliteration matches (skeletons) are not
//! used here: an entity tag in the index feeds search, facets and correlation without anyone
//! reviewing it, and a skeleton match is evidence for an analyst to weigh (screening reports
//! it, with its method), not a fact to index. A gazetteer lists the spellings it wants found.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use muninn_text::{NameForm, NameMatch, NameMatcher, Scratch, WordKeys};

use crate::common_words::{Tagging, begins_sentence, tagging_of};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One named thing: a threat actor, an organisation, a person, a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Unique in the gazetteer; what the index's `entity` field holds.
    pub id: String,
    /// The canonical name, shown in facets and summaries.
    pub name: String,
    /// Other names, spellings and renderings in other scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// What it is: `threat-actor`, `organisation`, `person`, `place`...
    pub kind: String,
}

/// A name of an entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityMention {
    /// The entity's id.
    pub entity: String,
    /// Its canonical name.
    pub name: String,
    /// Byte span of the match in the text.
    pub span: Range<usize>,
    /// The name or alias that matched, as the gazetteer lists it.
    pub form: String,
}

/// An entity left out of a gazetteer, or a name of one that cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerWarning {
    /// The entity's id.
    pub entity: String,
    /// What is wrong and what was done.
    pub message: String,
}

impl std::fmt::Display for GazetteerWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entity {}: {}", self.entity, self.message)
    }
}

/// Entities and the compiled matcher of all their names.
#[derive(Debug)]
pub struct Gazetteer {
    /// Sorted by id.
    entities: Vec<Entity>,
    /// For each form given to the matcher: the entity's index, the form as listed and how it
    /// is used to tag text.
    forms: Vec<(u32, String, Tagging)>,
    matcher: NameMatcher,
    by_id: HashMap<String, u32>,
    fingerprint: String,
}

impl Default for Gazetteer {
    fn default() -> Gazetteer {
        Gazetteer::new(Vec::new()).0
    }
}

impl Gazetteer {
    /// Compiles entities. An entity whose id is taken by an earlier one, or whose names
    /// cannot match (no letters or digits, a single character), is left out with a warning; a
    /// name that repeats another of the same entity is dropped silently.
    pub fn new(entities: Vec<Entity>) -> (Gazetteer, Vec<GazetteerWarning>) {
        let mut warnings = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut kept: Vec<Entity> = Vec::with_capacity(entities.len());
        for entity in entities {
            if !seen.insert(entity.id.clone()) {
                warnings.push(GazetteerWarning {
                    entity: entity.id.clone(),
                    message: "the id is taken by an earlier entity; this one is left out".to_owned(),
                });
                continue;
            }
            kept.push(entity);
        }
        kept.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: HashMap<String, u32> =
            kept.iter().enumerate().map(|(index, entity)| (entity.id.clone(), index as u32)).collect();
        let mut forms: Vec<(u32, String, Tagging)> = Vec::new();
        for (index, entity) in kept.iter().enumerate() {
            for name in std::iter::once(&entity.name).chain(&entity.aliases) {
                forms.push((index as u32, name.clone(), tagging_of(name, &entity.kind)));
            }
        }
        let (matcher, matcher_warnings) = NameMatcher::with_keys(
            forms.iter().map(|(entity, text, _)| NameForm::exact(*entity, text)),
            WordKeys::random(),
        );
        for warning in matcher_warnings {
            let form = match warning {
                muninn_text::NameWarning::Duplicate { .. } => continue,
                muninn_text::NameWarning::NoWords { form } | muninn_text::NameWarning::TooShort { form } => {
                    form
                }
            };
            let (entity, text, _) = &forms[form as usize];
            warnings.push(GazetteerWarning {
                entity: kept[*entity as usize].id.clone(),
                message: format!("the name {text:?} cannot be matched: {warning}; it is ignored"),
            });
        }
        let fingerprint = fingerprint(&kept);
        (Gazetteer { entities: kept, forms, matcher, by_id, fingerprint }, warnings)
    }

    /// The entities, by id.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The names that are common words and how each is used (see [`Tagging`]): (entity, name,
    /// rule), in the order of the entities.
    pub fn guarded_names(&self) -> impl Iterator<Item = (&Entity, &str, Tagging)> {
        self.forms
            .iter()
            .filter(|(_, _, tagging)| *tagging != Tagging::Everywhere)
            .map(|(entity, text, tagging)| (&self.entities[*entity as usize], text.as_str(), *tagging))
    }

    /// Whether there are no entities.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The entity of an id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&index| &self.entities[index as usize])
    }

    /// A digest of the entities (ids, names, aliases, kinds): an index records the one it was
    /// built with, and is rebuilt when the gazetteer's differs. Empty for no entities.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The entities that `name` names: those with a name or alias equal to it, word for word
    /// after the same folding as in texts ("fancy bear", "FANCY  BEAR", "奇幻熊"), or whose id it
    /// is. Sorted by id.
    pub fn lookup(&self, name: &str) -> Vec<&Entity> {
        let name = name.trim();
        if let Some(entity) = self.entity(name) {
            return vec![entity];
        }
        let mut words = Vec::new();
        muninn_text::words(name, self.matcher.keys(), &mut words);
        let (Some(first), Some(last)) = (words.first(), words.last()) else { return Vec::new() };
        let whole = first.start as usize..last.end as usize;
        let mut found: Vec<u32> = self
            .find(name, &mut Scratch::default())
            .into_iter()
            .filter(|found| found.span == whole)
            .map(|found| found.id)
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|index| &self.entities[index as usize]).collect()
    }

    /// The entities with a name or alias that matches a wildcard pattern (`*` any characters,
    /// `?` one), compared after folding. Sorted by id.
    pub fn lookup_pattern(&self, pattern: &str) -> Vec<&Entity> {
        let pattern: Vec<char> = fold_phrase(pattern).chars().collect();
        let mut found: Vec<u32> = self
            .forms
            .iter()
            .filter(|(_, form, _)| glob_matches(&pattern, &fold_phrase(form).chars().collect::<Vec<_>>()))
            .map(|(entity, _, _)| *entity)
            .collect();
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|index| &self.entities[index as usize]).collect()
    }

    /// The matches of every name in `text`, before overlaps are resolved.
    fn find(&self, text: &str, scratch: &mut Scratch) -> Vec<NameMatch> {
        let mut found = Vec::new();
        if !self.entities.is_empty() {
            self.matcher.find(text, scratch, &mut found);
        }
        found
    }

    /// The matches of names in `text` that tag it: [`Gazetteer::find`] less the common words
    /// that are not written as listed or begin a sentence.
    fn find_tags(&self, text: &str, scratch: &mut Scratch) -> Vec<NameMatch> {
        let mut found = self.find(text, scratch);
        found.retain(|found| {
            let (_, form, tagging) = &self.forms[found.form as usize];
            match tagging {
                Tagging::Everywhere => true,
                Tagging::LookupOnly => false,
                Tagging::AsWritten => {
                    text.get(found.span.clone()) == Some(form.as_str())
                        && !begins_sentence(text, found.span.start)
                }
            }
        });
        found
    }

    /// The distinct entities mentioned in `texts`, as indexes into [`Gazetteer::entities`].
    pub(crate) fn entity_indexes<'t>(
        &self,
        texts: impl IntoIterator<Item = &'t str>,
        scratch: &mut Scratch,
    ) -> Vec<u32> {
        let mut found = Vec::new();
        for text in texts {
            found.extend(resolve(self.find_tags(text, scratch)).into_iter().map(|m| m.id));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The entities named in `text`, in the order of the text: each with its id, canonical name,
/// byte span and the listed form that matched. Where names overlap, a match inside a longer
/// one is dropped ("Sandworm" inside "Sandworm Team", "Lazarus" inside "Lazarus Group"), and
/// the same span naming several entities (an alias two clusters share) gives one mention each.
pub fn extract_entities(gazetteer: &Gazetteer, text: &str) -> Vec<EntityMention> {
    resolve(gazetteer.find_tags(text, &mut Scratch::default()))
        .into_iter()
        .map(|found| {
            let entity = &gazetteer.entities[found.id as usize];
            EntityMention {
                entity: entity.id.clone(),
                name: entity.name.clone(),
                span: found.span,
                form: gazetteer.forms[found.form as usize].1.clone(),
            }
        })
        .collect()
}

/// Drops matches strictly inside a longer one and repeats of an entity on the same span;
/// sorts by position.
fn resolve(mut found: Vec<NameMatch>) -> Vec<NameMatch> {
    // Longest first at each start, so that a match is checked against those that may hold it.
    found.sort_by(|a, b| {
        a.span.start.cmp(&b.span.start).then(b.span.end.cmp(&a.span.end)).then(a.id.cmp(&b.id))
    });
    let mut kept: Vec<NameMatch> = Vec::with_capacity(found.len());
    for candidate in found {
        let covered = kept.iter().rev().take_while(|k| k.span.end > candidate.span.start).any(|k| {
            let holds = k.span.start <= candidate.span.start && candidate.span.end <= k.span.end;
            holds && (k.span != candidate.span || k.id == candidate.id)
        });
        if !covered {
            kept.push(candidate);
        }
    }
    kept
}

/// The words of a phrase folded and joined by one space.
fn fold_phrase(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(muninn_text::fold)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `text` matches a pattern of `*` (any run) and `?` (one character); linear in their
/// product.
fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

fn fingerprint(entities: &[Entity]) -> String {
    if entities.is_empty() {
        return String::new();
    }
    let mut hasher = Sha256::new();
    // The rules that decide what tags text are part of what an index was built with.
    hasher.update(crate::common_words::rules_digest());
    for entity in entities {
        for part in std::iter::once(&entity.id)
            .chain(std::iter::once(&entity.name))
            .chain(std::iter::once(&entity.kind))
            .chain(&entity.aliases)
        {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(u64::MAX.to_le_bytes());
    }
    hasher.finalize().iter().take(16).map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entity(id: &str, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            id: id.to_owned(),
            name: name.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            kind: "threat-actor".to_owned(),
        }
    }

    fn gazetteer() -> Gazetteer {
        let (gazetteer, warnings) = Gazetteer::new(vec![
            entity("ta:apt28", "APT28", &["Fancy Bear", "Sofacy", "Фэнси Бэр", "奇幻熊", "Grizzly Steppe"]),
            entity("ta:apt29", "APT29", &["Cozy Bear", "Grizzly Steppe"]),
            entity("ta:sandworm", "Sandworm", &["Sandworm Team"]),
            entity("ta:apt28", "duplicate", &[]),
            entity("ta:x", "X", &["?"]),
        ]);
        let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "entity ta:apt28: the id is taken by an earlier entity; this one is left out",
                "entity ta:x: the name \"X\" cannot be matched: the name is a single character; it is ignored",
                "entity ta:x: the name \"?\" cannot be matched: the name has no letters or digits; it is ignored",
            ]
        );
        gazetteer
    }

    fn mentions(gazetteer: &Gazetteer, text: &str) -> Vec<String> {
        extract_entities(gazetteer, text)
            .into_iter()
            .map(|m| {
                format!(
                    "{} {:?} {}..{} {:?}",
                    m.entity,
                    &text[m.span.clone()],
                    m.span.start,
                    m.span.end,
                    m.form
                )
            })
            .collect()
    }

    #[test]
    fn names_are_found_folded_as_whole_words_in_any_script() {
        let gazetteer = gazetteer();
        assert_eq!(
            mentions(
                &gazetteer,
                "FANCY BEAR (sofacy) и Фэнси Бэр; 据报道奇幻熊发起攻击. Fancy Bears, APT280"
            ),
            [
                "ta:apt28 \"FANCY BEAR\" 0..10 \"Fancy Bear\"",
                "ta:apt28 \"sofacy\" 12..18 \"Sofacy\"",
                "ta:apt28 \"Фэнси Бэр\" 23..40 \"Фэнси Бэр\"",
                "ta:apt28 \"奇幻熊\" 51..60 \"奇幻熊\"",
            ]
        );
    }

    #[test]
    fn overlaps_keep_the_longest_and_shared_aliases_name_both() {
        let gazetteer = gazetteer();
        assert_eq!(
            mentions(&gazetteer, "Sandworm Team and Grizzly Steppe"),
            [
                "ta:sandworm \"Sandworm Team\" 0..13 \"Sandworm Team\"",
                "ta:apt28 \"Grizzly Steppe\" 18..32 \"Grizzly Steppe\"",
                "ta:apt29 \"Grizzly Steppe\" 18..32 \"Grizzly Steppe\"",
            ]
        );
    }

    #[test]
    fn common_word_names_tag_only_as_written_and_still_resolve() {
        let mut cuba = entity("m:cuba", "Cuba", &["COLDDRAW"]);
        cuba.kind = "malware".to_owned();
        let mut island = entity("p:cuba", "Cuba", &[]);
        island.kind = "country".to_owned();
        let (gazetteer, _) = Gazetteer::new(vec![
            entity("ta:turla", "Turla", &["Snake", "Venomous Bear"]),
            entity("t:ping", "ping", &[]),
            cuba,
            island,
        ]);
        assert_eq!(
            mentions(&gazetteer, "Turla, also known as Snake, and a snake; SNAKE too. Snake oil. ping Cuba"),
            [
                "ta:turla \"Turla\" 0..5 \"Turla\"",
                "ta:turla \"Snake\" 21..26 \"Snake\"",
                "p:cuba \"Cuba\" 68..72 \"Cuba\"",
            ]
        );
        let ids = |found: Vec<&Entity>| found.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(gazetteer.lookup("snake")), ["ta:turla"]);
        assert_eq!(ids(gazetteer.lookup("ping")), ["t:ping"]);
        assert_eq!(ids(gazetteer.lookup("Cuba")), ["m:cuba", "p:cuba"]);
        let guarded: Vec<String> =
            gazetteer.guarded_names().map(|(e, name, rule)| format!("{} {name} {rule:?}", e.id)).collect();
        assert_eq!(guarded, ["m:cuba Cuba LookupOnly", "t:ping ping LookupOnly", "ta:turla Snake AsWritten"]);
    }

    #[test]
    fn lookup_takes_names_aliases_ids_and_patterns() {
        let gazetteer = gazetteer();
        let ids = |found: Vec<&Entity>| found.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(gazetteer.lookup("fancy  BEAR")), ["ta:apt28"]);
        assert_eq!(ids(gazetteer.lookup("奇幻熊")), ["ta:apt28"]);
        assert_eq!(ids(gazetteer.lookup("grizzly steppe")), ["ta:apt28", "ta:apt29"]);
        assert_eq!(ids(gazetteer.lookup("ta:sandworm")), ["ta:sandworm"]);
        assert!(gazetteer.lookup("Fancy").is_empty());
        assert!(gazetteer.lookup("Fancy Bear attack").is_empty());
        assert_eq!(ids(gazetteer.lookup_pattern("*bear")), ["ta:apt28", "ta:apt29"]);
        assert_eq!(ids(gazetteer.lookup_pattern("apt2?")), ["ta:apt28", "ta:apt29"]);
        assert!(gazetteer.lookup_pattern("bear").is_empty());
    }

    #[test]
    fn the_fingerprint_follows_the_content_not_the_order() {
        let a = Gazetteer::new(vec![entity("a", "A1", &[]), entity("b", "B1", &[])]).0;
        let b = Gazetteer::new(vec![entity("b", "B1", &[]), entity("a", "A1", &[])]).0;
        let c = Gazetteer::new(vec![entity("b", "B1", &["B2"]), entity("a", "A1", &[])]).0;
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(Gazetteer::default().fingerprint(), "");
    }
}
