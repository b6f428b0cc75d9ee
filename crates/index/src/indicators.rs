//! Indicators in the index: what an item's `indicator` and `indicator_type` fields hold, and how
//! a value typed in a query is put in the same canonical form.

use std::collections::BTreeSet;
use std::sync::Arc;

use muninn_extract::Extractor;
use muninn_model::Item;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, Term};

/// The distinct indicators of an item's title and body: their canonical values and their kinds.
pub(crate) fn of_item(extractor: &Extractor, item: &Item) -> (BTreeSet<String>, BTreeSet<&'static str>) {
    let mut values = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let texts = item.title.as_deref().into_iter().chain(std::iter::once(item.body.as_str()));
    for text in texts {
        for indicator in extractor.extract(text).indicators {
            kinds.insert(indicator.kind.name());
            values.insert(indicator.value);
        }
    }
    (values, kinds)
}

/// A value as typed (`hxxp://evil[.]example`, an upper-case digest) in the form the extractor
/// gives it, so that it finds what the index holds: the extractor's value when it finds exactly
/// one indicator in the text, else the text in lower case.
pub(crate) fn normalise(text: &str) -> String {
    let mut found = muninn_extract::indicators(text.trim());
    if found.len() == 1
        && let Some(indicator) = found.pop()
    {
        return indicator.value;
    }
    text.trim().to_lowercase()
}

/// The kind of a value as typed, when the extractor recognises it as exactly one indicator.
pub(crate) fn kind_of(text: &str) -> Option<&'static str> {
    let found = muninn_extract::indicators(text.trim());
    match found.as_slice() {
        [one] => Some(one.kind.name()),
        _ => None,
    }
}

/// The term an indicator value is found by: the first 64 bits of its SHA-256, in the
/// `indicator_key` field. Values are mostly unique (digests, wallets, URLs); as text terms they
/// were a third of each segment's term dictionary, whose automaton builds a node per byte a term
/// does not share with its neighbour (64 for a digest): keys of 8 bytes made indexing ~8%
/// faster. The text of each value stays in the `indicator` column (facets, correlation,
/// wildcards). A key is a cryptographic digest so that nobody can write a value that another,
/// given value's key finds (2^64 work); two values of one key by chance need some 2^32 of them.
pub(crate) fn key(value: &str) -> u64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(value.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The term of `value` in `key_field` (the schema's `indicator_key`).
pub(crate) fn key_term(key_field: Field, value: &str) -> Term {
    Term::from_field_u64(key_field, key(value))
}

/// `indicator:` wildcards and fuzzy terms: in each segment, the values of the `indicator`
/// column that the automaton accepts, and the items holding them found by their keys. Constant
/// score, as tantivy's own automaton queries.
pub(crate) struct PatternQuery<A> {
    automaton: Arc<A>,
    key_field: Field,
    /// What the query was made from, for `Debug`.
    shown: String,
}

impl<A> Clone for PatternQuery<A> {
    fn clone(&self) -> Self {
        PatternQuery {
            automaton: Arc::clone(&self.automaton),
            key_field: self.key_field,
            shown: self.shown.clone(),
        }
    }
}

impl<A> std::fmt::Debug for PatternQuery<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternQuery").field("pattern", &self.shown).finish_non_exhaustive()
    }
}

/// A wildcard's regular expression (already case-insensitive as wanted) over indicator values.
pub(crate) fn pattern_query(
    key_field: Field,
    regex: &str,
) -> Result<PatternQuery<tantivy_fst::Regex>, String> {
    let automaton = tantivy_fst::Regex::new(regex).map_err(|e| e.to_string())?;
    Ok(PatternQuery { automaton: Arc::new(automaton), key_field, shown: regex.to_owned() })
}

/// The indicator values within `distance` edits of `value` (a swap of neighbours is one edit,
/// as in tantivy's fuzzy term queries).
pub(crate) fn fuzzy_query(key_field: Field, value: &str, distance: u8) -> PatternQuery<Levenshtein> {
    let dfa = levenshtein_automata::LevenshteinAutomatonBuilder::new(distance, true).build_dfa(value);
    PatternQuery { automaton: Arc::new(Levenshtein(dfa)), key_field, shown: format!("{value}~{distance}") }
}

/// A Levenshtein automaton as a term-dictionary automaton.
pub(crate) struct Levenshtein(levenshtein_automata::DFA);

impl tantivy_fst::Automaton for Levenshtein {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), levenshtein_automata::Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

impl<A> Query for PatternQuery<A>
where
    A: tantivy_fst::Automaton + Send + Sync + 'static,
    A::State: Clone,
{
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl<A> Weight for PatternQuery<A>
where
    A: tantivy_fst::Automaton + Send + Sync + 'static,
    A::State: Clone,
{
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(column) = reader.fast_fields().str(crate::schema::INDICATOR_COLUMN)? else {
            return Ok(Box::new(EmptyScorer));
        };
        let keys = reader.inverted_index(self.key_field)?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        let mut values = column.dictionary().search(&*self.automaton).into_stream()?;
        while values.advance() {
            let Ok(value) = std::str::from_utf8(values.key()) else { continue };
            let Some(mut postings) =
                keys.read_block_postings(&key_term(self.key_field, value), IndexRecordOption::Basic)?
            else {
                continue;
            };
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("indicator pattern", 1.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match {}",
                self.shown
            )))
        }
    }
}
