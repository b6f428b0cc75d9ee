//! Compiling watchlists into one [`Screener`]: every name, alias and indicator value of every
//! list goes into one word matcher, patterns into regular expressions with size limits, rules
//! into query trees. Entries that cannot work are left out with a warning that names them;
//! everything else is screened.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use muninn_model::Tlp;
use muninn_query::{Field, Query};
use muninn_text::{NameForm, NameMatcher, NameWarning};
use regex::{Regex, RegexBuilder};

use crate::watchlist::{EntryKind, MAX_ENTRIES_PER_LIST, MAX_ENTRY_TEXT, Severity, Watchlist};

/// Compiled-program limit of one pattern: large enough for any sensible expression, small
/// enough that a list cannot make screening take gigabytes.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
const PATTERN_DFA_LIMIT: usize = 1 << 21;

/// Something wrong with a list or an entry, found while compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenWarning {
    /// The watchlist.
    pub list: String,
    /// The entry, when the warning is about one.
    pub entry: Option<String>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl std::fmt::Display for ScreenWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.entry {
            Some(entry) => write!(f, "watchlist {:?}, entry {:?}: {}", self.list, entry, self.message),
            None => write!(f, "watchlist {:?}: {}", self.list, self.message),
        }
    }
}

/// A list as the screener remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: u64,
    /// Its marking.
    pub tlp: Tlp,
    /// Its owner.
    pub owner: String,
}

/// An entry as the screener remembers it (its text is in the forms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// Index of its list in [`Screener::lists`].
    pub list: u32,
    /// Its id within the list.
    pub id: String,
    /// Its kind: `name`, `indicator`, `pattern` or `rule`.
    pub kind: &'static str,
    /// What it looks for, in one line.
    pub describes: String,
    /// Its severity.
    pub severity: Severity,
    /// Its note.
    pub note: String,
}

/// What a matcher form stands for.
#[derive(Debug)]
pub(crate) struct FormInfo {
    pub(crate) entry: u32,
    /// The form as the entry gives it (an alias, or the indicator value).
    pub(crate) text: String,
    /// For indicator forms, the value every match must refang to (lowercase).
    pub(crate) indicator: Option<String>,
}

#[derive(Debug)]
pub(crate) struct CompiledPattern {
    pub(crate) entry: u32,
    pub(crate) regex: Regex,
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) entry: u32,
    pub(crate) query: Query,
}

/// Watchlists compiled for screening. Immutable: a new version of any list means a new
/// `Screener`, swapped in whole while items flow.
#[derive(Debug)]
pub struct Screener {
    pub(crate) lists: Vec<ListInfo>,
    pub(crate) entries: Vec<EntryInfo>,
    pub(crate) forms: Vec<FormInfo>,
    pub(crate) names: NameMatcher,
    pub(crate) patterns: Vec<CompiledPattern>,
    pub(crate) rules: Vec<CompiledRule>,
    /// The words and phrases rules look for, one matcher for all (ids index `rule_terms`).
    pub(crate) rule_term_matcher: NameMatcher,
    pub(crate) rule_terms: Vec<(Option<Field>, String)>,
    pub(crate) rule_term_index: HashMap<(Option<Field>, String), u32>,
}

impl Screener {
    /// Compiles `lists`. `now` resolves relative dates in rules (`date:>now-7d`).
    pub fn compile(lists: &[Watchlist], now: Timestamp) -> (Screener, Vec<ScreenWarning>) {
        let mut compiler = Compiler::default();
        let mut seen_lists = HashSet::new();
        for list in lists {
            if !seen_lists.insert(list.name.as_str()) {
                compiler.warn(
                    &list.name,
                    None,
                    "a list of this name came earlier; this one is left out".to_owned(),
                );
                continue;
            }
            compiler.add_list(list, now);
        }
        compiler.finish()
    }

    /// An empty screener: nothing hits.
    pub fn empty() -> Screener {
        Screener::compile(&[], Timestamp::UNIX_EPOCH).0
    }

    /// The compiled lists.
    pub fn lists(&self) -> &[ListInfo] {
        &self.lists
    }

    /// Every compiled entry; hits refer to them by index.
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// Whether nothing can hit.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether any entry is a rule (only rules read [`crate::ItemFields::id`]).
    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }
}

#[derive(Default)]
struct Compiler {
    lists: Vec<ListInfo>,
    entries: Vec<EntryInfo>,
    forms: Vec<FormInfo>,
    form_texts: Vec<(String, bool)>,
    patterns: Vec<CompiledPattern>,
    rules: Vec<CompiledRule>,
    rule_terms: Vec<(Option<Field>, String)>,
    rule_term_index: HashMap<(Option<Field>, String), u32>,
    warnings: Vec<ScreenWarning>,
}

impl Compiler {
    fn warn(&mut self, list: &str, entry: Option<&str>, message: String) {
        self.warnings.push(ScreenWarning { list: list.to_owned(), entry: entry.map(str::to_owned), message });
    }

    fn add_list(&mut self, list: &Watchlist, now: Timestamp) {
        if list.entries.len() > MAX_ENTRIES_PER_LIST {
            let message = format!(
                "{} entries is more than the limit of {MAX_ENTRIES_PER_LIST}; the list is left out (split it)",
                list.entries.len()
            );
            return self.warn(&list.name, None, message);
        }
        let list_index = self.lists.len() as u32;
        self.lists.push(ListInfo {
            name: list.name.clone(),
            version: list.version,
            tlp: list.tlp,
            owner: list.owner.clone(),
        });
        let mut ids = HashSet::new();
        for entry in &list.entries {
            if !ids.insert(entry.id.as_str()) {
                self.warn(
                    &list.name,
                    Some(&entry.id),
                    "duplicate entry id; the later entry is left out".to_owned(),
                );
                continue;
            }
            let entry_index = self.entries.len() as u32;
            let checked = match &entry.kind {
                EntryKind::Name { name, aliases } => self.add_name(entry_index, name, aliases),
                EntryKind::Indicator { value } => self.add_indicator(entry_index, value),
                EntryKind::Pattern { regex } => self.add_pattern(entry_index, regex),
                EntryKind::Rule { query } => self.add_rule(entry_index, query, now),
            };
            match checked {
                Ok(()) => self.entries.push(EntryInfo {
                    list: list_index,
                    id: entry.id.clone(),
                    kind: entry.kind.as_str(),
                    describes: entry.kind.describe(),
                    severity: entry.severity,
                    note: entry.note.clone(),
                }),
                Err(message) => {
                    self.warn(&list.name, Some(&entry.id), format!("{message}; the entry is left out"))
                }
            }
        }
    }

    fn push_form(&mut self, entry: u32, text: &str, indicator: Option<String>) {
        self.form_texts.push((text.to_owned(), indicator.is_none()));
        self.forms.push(FormInfo { entry, text: text.to_owned(), indicator });
    }

    fn add_name(&mut self, entry: u32, name: &str, aliases: &[String]) -> Result<(), String> {
        let mut added = 0;
        let mut seen = HashSet::new();
        for form in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
            let form = form.trim();
            if form.len() > MAX_ENTRY_TEXT {
                return Err(format!("a name is {} bytes, more than {MAX_ENTRY_TEXT}", form.len()));
            }
            if form.is_empty() || !seen.insert(form) {
                continue;
            }
            self.push_form(entry, form, None);
            added += 1;
        }
        if added == 0 { Err("the entry has no name".to_owned()) } else { Ok(()) }
    }

    fn add_indicator(&mut self, entry: u32, value: &str) -> Result<(), String> {
        let value = refang(value.trim());
        if value.is_empty() {
            return Err("the indicator value is empty".to_owned());
        }
        if value.len() > MAX_ENTRY_TEXT {
            return Err(format!("the indicator value is {} bytes, more than {MAX_ENTRY_TEXT}", value.len()));
        }
        let canonical = value.to_ascii_lowercase();
        self.push_form(entry, &value, Some(canonical.clone()));
        // Defanged spellings that change the words: `hxxp://` and `user[at]domain`.
        if let Some(rest) = canonical.strip_prefix("http") {
            self.push_form(entry, &format!("hxxp{rest}"), Some(canonical.clone()));
        }
        if canonical.contains('@') {
            self.push_form(entry, &canonical.replace('@', " at "), Some(canonical.clone()));
        }
        Ok(())
    }

    fn add_pattern(&mut self, entry: u32, pattern: &str) -> Result<(), String> {
        if pattern.len() > MAX_ENTRY_TEXT {
            return Err(format!("the pattern is {} bytes, more than {MAX_ENTRY_TEXT}", pattern.len()));
        }
        let regex = RegexBuilder::new(pattern)
            .size_limit(PATTERN_SIZE_LIMIT)
            .dfa_size_limit(PATTERN_DFA_LIMIT)
            .build()
            .map_err(|error| match error {
                regex::Error::CompiledTooBig(limit) => {
                    format!("the pattern compiles to more than {limit} bytes; simplify it or split it")
                }
                other => format!("the pattern does not compile: {}", one_line(&other.to_string())),
            })?;
        if regex.is_match("") {
            return Err("the pattern matches empty text, so it would hit every item".to_owned());
        }
        self.patterns.push(CompiledPattern { entry, regex });
        Ok(())
    }

    fn add_rule(&mut self, entry: u32, text: &str, now: Timestamp) -> Result<(), String> {
        let query =
            muninn_query::parse(text, now).map_err(|error| format!("the rule does not parse: {error}"))?;
        check_rule(&query)?;
        let mut terms = Vec::new();
        collect_terms(&query, &mut terms);
        for term in terms {
            let next = self.rule_terms.len() as u32;
            if let std::collections::hash_map::Entry::Vacant(vacant) =
                self.rule_term_index.entry(term.clone())
            {
                vacant.insert(next);
                self.rule_terms.push(term);
            }
        }
        self.rules.push(CompiledRule { entry, query });
        Ok(())
    }

    fn finish(mut self) -> (Screener, Vec<ScreenWarning>) {
        let forms = self.form_texts.iter().enumerate().map(|(index, (text, transliterate))| NameForm {
            id: index as u32,
            text,
            transliterate: *transliterate,
            near_misses: *transliterate,
        });
        let (names, name_warnings) = NameMatcher::new(forms);
        for warning in name_warnings {
            let form = match warning {
                NameWarning::NoWords { form }
                | NameWarning::TooShort { form }
                | NameWarning::Duplicate { form, .. } => form,
            };
            let Some(info) = self.forms.get(form as usize) else { continue };
            let entry = &self.entries[info.entry as usize];
            let list = self.lists[entry.list as usize].name.clone();
            let id = entry.id.clone();
            let message = format!("{:?} is left out: {warning}", info.text);
            self.warn(&list, Some(&id), message);
        }
        let term_forms =
            self.rule_terms.iter().enumerate().map(|(i, (_, text))| NameForm::exact(i as u32, text));
        let (rule_term_matcher, _) = NameMatcher::new(term_forms);
        let screener = Screener {
            lists: self.lists,
            entries: self.entries,
            forms: self.forms,
            names,
            patterns: self.patterns,
            rules: self.rules,
            rule_term_matcher,
            rule_terms: self.rule_terms,
            rule_term_index: self.rule_term_index,
        };
        (screener, self.warnings)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rules test what screening knows of an item: its words and phrases, source, language, TLP,
/// grade, date, id and the lists it hit.
fn check_rule(query: &Query) -> Result<(), String> {
    match query {
        Query::Term { field, .. } | Query::Phrase { field, .. } => match field {
            None
            | Some(Field::Title | Field::Body | Field::Source | Field::Lang | Field::Id | Field::Watchlist) => {
                Ok(())
            }
            Some(other) => Err(format!("rules cannot test {other}: (yet)")),
        },
        Query::Wildcard { .. } | Query::Fuzzy { .. } => {
            Err("rules take whole words and phrases, not wildcards or fuzzy terms (use a pattern entry)"
                .to_owned())
        }
        Query::All | Query::DateRange(_) | Query::TlpRange(_) | Query::Grade(_) => Ok(()),
        Query::And(clauses) | Query::Or(clauses) => clauses.iter().try_for_each(check_rule),
        Query::Not(inner) => check_rule(inner),
    }
}

/// The text words and phrases of a rule, each looked for once per item.
fn collect_terms(query: &Query, out: &mut Vec<(Option<Field>, String)>) {
    match query {
        Query::Term { field: field @ (None | Some(Field::Title | Field::Body)), text }
        | Query::Phrase { field: field @ (None | Some(Field::Title | Field::Body)), text } => {
            out.push((*field, text.clone()));
        }
        Query::And(clauses) | Query::Or(clauses) => {
            clauses.iter().for_each(|clause| collect_terms(clause, out))
        }
        Query::Not(inner) => collect_terms(inner, out),
        _ => {}
    }
}

/// The plain form of a defanged indicator: `hxxp` → `http`, `[.]`, `(.)`, `{.}` → `.`,
/// `[:]` → `:`, `[at]`, `(at)`, `[@]` → `@`.
pub fn refang(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let lower_prefix =
            |prefix: &str| rest.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
        let replaced = [
            ("hxxps", "https"),
            ("hxxp", "http"),
            ("[.]", "."),
            ("(.)", "."),
            ("{.}", "."),
            ("[:]", ":"),
            ("[://]", "://"),
            ("[at]", "@"),
            ("(at)", "@"),
            ("[@]", "@"),
        ]
        .into_iter()
        .find(|(from, _)| lower_prefix(from));
        match replaced {
            Some((from, to)) => {
                out.push_str(to);
                rest = &rest[from.len()..];
            }
            None => {
                let Some(c) = rest.chars().next() else { break };
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}
