//! Screening one item: one pass of the word matcher over its title and body, patterns, then
//! rules; at most one hit per entry, each explaining itself.

use std::ops::Range;

use jiff::Timestamp;
use muninn_model::{AdmiraltyGrade, Item, Tlp};
use muninn_query::{Field, Query};
use muninn_text::{MatchMethod, NameMatch, Scratch, fold, skeleton};

use crate::compile::{Screener, refang};

/// Which text of an item a hit is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TextField {
    /// The title.
    Title,
    /// The body.
    Body,
}

impl TextField {
    /// The field's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Body => "body",
        }
    }
}

/// How a hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HitMethod {
    /// A name form, folded words equal.
    Exact,
    /// A name form, transliterated skeletons equal.
    Transliteration,
    /// A name form misspelt: a word or two a few edits from the listed ones, confirmed by the
    /// name matcher's part-by-part score.
    NearMiss,
    /// An indicator value, whole (after refanging).
    Indicator,
    /// A regular expression.
    Pattern,
    /// A rule over the item's fields.
    Rule,
}

impl HitMethod {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            HitMethod::Exact => "exact",
            HitMethod::Transliteration => "transliteration",
            HitMethod::NearMiss => "near-miss",
            HitMethod::Indicator => "indicator",
            HitMethod::Pattern => "pattern",
            HitMethod::Rule => "rule",
        }
    }
}

/// One entry that hit an item, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the entry in [`Screener::entries`].
    pub entry: u32,
    /// Where in the item (none for rules).
    pub field: Option<TextField>,
    /// Byte span in that field.
    pub span: Option<Range<usize>>,
    /// The text as the item has it.
    pub matched: String,
    /// The entry's form that matched: the name or alias, the value, the pattern, the rule.
    pub form: String,
    /// What was compared: the folded words, their skeletons, the refanged value.
    pub normalised: String,
    /// How.
    pub method: HitMethod,
}

/// What screening reads of an item.
#[derive(Debug, Clone, Copy)]
pub struct ItemFields<'a> {
    /// Item id, as text.
    pub id: Option<&'a str>,
    /// Title.
    pub title: Option<&'a str>,
    /// Body.
    pub body: &'a str,
    /// Source id.
    pub source: &'a str,
    /// Language code.
    pub lang: Option<&'a str>,
    /// TLP label.
    pub tlp: Tlp,
    /// Admiralty grade.
    pub grade: AdmiraltyGrade,
    /// Event time, else collection time.
    pub date: Timestamp,
}

impl<'a> ItemFields<'a> {
    /// The fields of a stored item (`id` is the caller's text form of its id, if wanted).
    pub fn of(item: &'a Item, id: Option<&'a str>) -> ItemFields<'a> {
        ItemFields {
            id,
            title: item.title.as_deref(),
            body: &item.body,
            source: item.source.as_str(),
            lang: item.language.as_ref().map(|tag| tag.as_str()),
            tlp: item.markings.tlp,
            grade: item.grade,
            date: item.event_time.unwrap_or(item.collected_at),
        }
    }
}

/// Reusable buffers, one per thread.
#[derive(Debug, Default)]
pub struct ScreenScratch {
    words: Scratch,
    /// The rule terms' matcher has its own (a word cache belongs to one matcher).
    rule_words: Scratch,
    matches: Vec<NameMatch>,
}

impl Screener {
    /// The hits of every entry on one item: names, indicators and patterns in title and body,
    /// then rules. At most one hit per entry (its first).
    pub fn screen(&self, item: &ItemFields<'_>, scratch: &mut ScreenScratch) -> Vec<Hit> {
        let mut hits = Vec::new();
        if let Some(title) = item.title {
            self.screen_field(title, TextField::Title, scratch, &mut hits);
        }
        self.screen_field(item.body, TextField::Body, scratch, &mut hits);
        if !self.rules.is_empty() {
            self.screen_rules(item, scratch, &mut hits);
        }
        hits
    }

    /// The hits of names, indicators and patterns in one text (no rules: they need an item).
    pub fn screen_text(&self, text: &str, scratch: &mut ScreenScratch, hits: &mut Vec<Hit>) {
        self.screen_field(text, TextField::Body, scratch, hits);
    }

    fn screen_field(&self, text: &str, field: TextField, scratch: &mut ScreenScratch, hits: &mut Vec<Hit>) {
        scratch.matches.clear();
        self.names.find(text, &mut scratch.words, &mut scratch.matches);
        for found in &scratch.matches {
            let form = &self.forms[found.id as usize];
            if hits.iter().any(|hit| hit.entry == form.entry) {
                continue;
            }
            let matched = &text[found.span.clone()];
            let (method, normalised) = match (&form.indicator, found.method) {
                (Some(value), _) => {
                    if !indicator_whole(text, found.span.clone(), value) {
                        continue;
                    }
                    (HitMethod::Indicator, value.clone())
                }
                (None, MatchMethod::Exact) => {
                    (HitMethod::Exact, normalised_words(matched, MatchMethod::Exact))
                }
                (None, MatchMethod::Transliteration) => {
                    (HitMethod::Transliteration, normalised_words(matched, MatchMethod::Transliteration))
                }
                (None, MatchMethod::NearMiss) => match near_miss_explained(matched, &form.text) {
                    Some(explanation) => (HitMethod::NearMiss, explanation),
                    None => continue,
                },
            };
            hits.push(Hit {
                entry: form.entry,
                field: Some(field),
                span: Some(found.span.clone()),
                matched: matched.to_owned(),
                form: form.text.clone(),
                normalised,
                method,
            });
        }
        for pattern in &self.patterns {
            if hits.iter().any(|hit| hit.entry == pattern.entry) {
                continue;
            }
            if let Some(found) = pattern.regex.find(text) {
                hits.push(Hit {
                    entry: pattern.entry,
                    field: Some(field),
                    span: Some(found.range()),
                    matched: found.as_str().to_owned(),
                    form: pattern.regex.as_str().to_owned(),
                    normalised: found.as_str().to_owned(),
                    method: HitMethod::Pattern,
                });
            }
        }
    }

    fn screen_rules(&self, item: &ItemFields<'_>, scratch: &mut ScreenScratch, hits: &mut Vec<Hit>) {
        let mut in_title = vec![false; self.rule_terms.len()];
        let mut in_body = vec![false; self.rule_terms.len()];
        for (text, found) in [(item.title.unwrap_or_default(), &mut in_title), (item.body, &mut in_body)] {
            scratch.matches.clear();
            self.rule_term_matcher.find(text, &mut scratch.rule_words, &mut scratch.matches);
            scratch.matches.iter().for_each(|m| found[m.id as usize] = true);
        }
        let hit_lists: Vec<&str> = hits
            .iter()
            .map(|hit| self.lists[self.entries[hit.entry as usize].list as usize].name.as_str())
            .collect();
        let context = RuleContext {
            screener: self,
            item,
            in_title: &in_title,
            in_body: &in_body,
            hit_lists: &hit_lists,
        };
        let mut rule_hits = Vec::new();
        for rule in &self.rules {
            if context.eval(&rule.query) {
                let text = rule.query.to_string();
                rule_hits.push(Hit {
                    entry: rule.entry,
                    field: None,
                    span: None,
                    matched: String::new(),
                    form: text.clone(),
                    normalised: text,
                    method: HitMethod::Rule,
                });
            }
        }
        hits.extend(rule_hits);
    }
}

/// What a rule is evaluated against.
struct RuleContext<'a> {
    screener: &'a Screener,
    item: &'a ItemFields<'a>,
    in_title: &'a [bool],
    in_body: &'a [bool],
    /// The lists whose name, indicator and pattern entries hit the item.
    hit_lists: &'a [&'a str],
}

impl RuleContext<'_> {
    fn eval(&self, query: &Query) -> bool {
        match query {
            Query::All => true,
            Query::Term { field, text } | Query::Phrase { field, text } => self.term(*field, text),
            // Refused when the rule was compiled.
            Query::Wildcard { .. } | Query::Fuzzy { .. } => false,
            Query::DateRange(range) => range.contains(self.item.date),
            Query::TlpRange(range) => range.contains(self.item.tlp),
            Query::Grade(filter) => {
                let grade = self.item.grade.to_string();
                let mut letters = grade.chars();
                match (letters.next(), letters.next()) {
                    (Some(reliability), Some(credibility)) => filter.matches(reliability, credibility),
                    _ => false,
                }
            }
            Query::And(clauses) => clauses.iter().all(|clause| self.eval(clause)),
            Query::Or(clauses) => clauses.iter().any(|clause| self.eval(clause)),
            Query::Not(inner) => !self.eval(inner),
        }
    }

    fn term(&self, field: Option<Field>, text: &str) -> bool {
        let text_term = |found: &[bool]| {
            self.screener
                .rule_term_index
                .get(&(field, text.to_owned()))
                .is_some_and(|&index| found[index as usize])
        };
        match field {
            None => text_term(self.in_title) || text_term(self.in_body),
            Some(Field::Title) => text_term(self.in_title),
            Some(Field::Body) => text_term(self.in_body),
            Some(Field::Source) => self.item.source.eq_ignore_ascii_case(text),
            Some(Field::Lang) => self.item.lang.is_some_and(|lang| lang.eq_ignore_ascii_case(text)),
            Some(Field::Id) => self.item.id.is_some_and(|id| id.eq_ignore_ascii_case(text)),
            Some(Field::Watchlist) => self.hit_lists.iter().any(|list| list.eq_ignore_ascii_case(text)),
            // Refused when the rule was compiled.
            Some(_) => false,
        }
    }
}

/// Whether an indicator form's match is the whole value: the matched text refangs to it and,
/// refanged too, what stands next to it does not continue it into a longer value
/// (`sub.evil.example`, `1.2.3.45`, `sub[.]evil.example`).
fn indicator_whole(text: &str, span: Range<usize>, value: &str) -> bool {
    if !refang(&text[span.clone()]).eq_ignore_ascii_case(value) {
        return false;
    }
    // A defanged separator is at most six bytes (`[dot]`, `[://]`), so eight bytes either side
    // refang to at least the two characters the rule needs.
    let mut before_start = span.start.saturating_sub(8);
    while !text.is_char_boundary(before_start) {
        before_start -= 1;
    }
    let mut after_end = (span.end + 8).min(text.len());
    while !text.is_char_boundary(after_end) {
        after_end += 1;
    }
    let before = refang(&text[before_start..span.start]);
    let after = refang(&text[span.end..after_end]);
    let mut before_chars = before.chars().rev();
    let mut after_chars = after.chars();
    let (b1, b2) = (before_chars.next(), before_chars.next());
    let (a1, a2) = (after_chars.next(), after_chars.next());
    !continues_value(b1, b2, &['.', '-']) && !continues_value(a1, a2, &['.', '-', '@'])
}

/// Whether `c` (followed, away from the value, by `next`) would make a value longer: a letter,
/// digit or underscore, or one of `separators` followed by one. An `@` before a value does not
/// continue it: a watched domain is hit by an address at that domain.
fn continues_value(c: Option<char>, next: Option<char>, separators: &[char]) -> bool {
    match c {
        Some(c) if c.is_alphanumeric() || c == '_' => true,
        Some(c) if separators.contains(&c) => next.is_some_and(char::is_alphanumeric),
        _ => false,
    }
}

/// The words of a matched span as they were compared (folded words, or the skeletons of the
/// words that are not particles), joined by spaces: what the alert shows.
/// The name matcher's verdict on a near miss the word matcher found: the part-by-part
/// comparison when it scores at the matcher's default threshold or above with every listed
/// part matched, as "written ~ listed: how" per part and the score; else none (the candidate
/// is dropped).
fn near_miss_explained(matched: &str, listed: &str) -> Option<String> {
    let kind = muninn_names::NameKind::Unknown;
    let written = muninn_names::parse_name(matched, kind).ok()?;
    let listed = muninn_names::parse_name(listed, kind).ok()?;
    let comparison = muninn_names::compare(&written, &listed);
    if comparison.score < muninn_names::DEFAULT_THRESHOLD || !comparison.unmatched_listed.is_empty() {
        return None;
    }
    let parts: Vec<String> = comparison
        .parts
        .iter()
        .map(|part| format!("{} ~ {}: {}", part.query, part.listed, part.how.describe()))
        .collect();
    Some(format!("{}; score {:.2}", parts.join("; "), comparison.score))
}

fn normalised_words(matched: &str, method: MatchMethod) -> String {
    let keys = muninn_text::WordKeys::new(0, 0);
    let mut words = Vec::new();
    muninn_text::words(matched, &keys, &mut words);
    words
        .iter()
        .filter(|w| method == MatchMethod::Exact || !w.particle)
        .map(|w| {
            let word = &matched[w.start as usize..w.end as usize];
            if method == MatchMethod::Exact { fold(word) } else { skeleton(word) }
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
