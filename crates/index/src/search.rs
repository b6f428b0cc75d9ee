//! Running a search: the visibility filter inside the query, ranked hits with a stable cursor,
//! total count, facets and a date histogram over exactly the visible matches.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::{Bound, Range};
use std::str::FromStr;

use muninn_model::{ItemId, Timestamp, Tlp};
use tantivy::collector::Count;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, SegmentReader, Term};

use crate::facets::{FacetCollector, FacetField};
use crate::{IndexError, SearchIndex};

/// Which items a caller may see. The access-control layer (`muninn-access`) decides the rule;
/// the index applies it inside every query, so that nothing outside it is counted, faceted or
/// returned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Visibility {
    /// Everything: the local command line, run by the data directory's owner.
    Everything,
    /// What one user may see under TLP 2.0 and need-to-know.
    Audience(Audience),
}

/// A user as the visibility rule sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Audience {
    /// The user's id (the recipients of TLP:RED are named users).
    pub user: String,
    /// The user's organisation.
    pub org: String,
    /// The need-to-know groups the user holds: an item is visible only if the user holds every
    /// compartment it carries.
    pub groups: BTreeSet<String>,
    /// The organisations whose clients the user's organisation is.
    pub client_of: BTreeSet<String>,
}

impl Visibility {
    /// Everything: the local command line, run by the data directory's owner.
    pub fn everything() -> Visibility {
        Visibility::Everything
    }
}

/// The `access` flag of items whose AMBER may reach the originator's clients.
pub(crate) const ACCESS_CLIENTS: &str = "clients";
/// The `access` flag of items the originator restricted to named organisations.
pub(crate) const ACCESS_RESTRICTED: &str = "restricted";

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// The parsed query.
    pub query: &'a muninn_query::Query,
    /// Who is asking.
    pub visibility: &'a Visibility,
    /// Hits per page.
    pub limit: usize,
    /// The `next` cursor of the previous page.
    pub after: Option<Cursor>,
    /// Whether to count facets (source, language, TLP, grade, indicator kinds, the most
    /// frequent indicators and entities).
    pub facets: bool,
    /// Whether to compute a histogram of matches per day.
    pub histogram: bool,
}

/// One hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The item.
    pub id: ItemId,
    /// Its log sequence number.
    pub seq: u64,
    /// Its relevance.
    pub score: f32,
}

/// Counts of the visible matches per value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Facets {
    /// Per source.
    pub source: Vec<(String, u64)>,
    /// Per language.
    pub lang: Vec<(String, u64)>,
    /// Per TLP label.
    pub tlp: Vec<(String, u64)>,
    /// Per Admiralty grade.
    pub grade: Vec<(String, u64)>,
    /// Per indicator kind (`ipv4`, `domain`, `sha256`...): items holding at least one.
    pub indicator_type: Vec<(String, u64)>,
    /// The indicators held by the most matches, at most [`TOP_INDICATORS`].
    pub indicator: Vec<(String, u64)>,
    /// The entities named by the most matches, at most [`TOP_ENTITIES`].
    pub entity: Vec<EntityFacet>,
}

/// How many indicator values the `indicator` facet lists.
pub const TOP_INDICATORS: usize = 20;
/// How many entities the `entity` facet lists.
pub const TOP_ENTITIES: usize = 20;

/// An entity and how many matches name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityFacet {
    /// The entity's id.
    pub id: String,
    /// Its canonical name.
    pub name: String,
    /// Visible matches that name it.
    pub count: u64,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Visible matches in all.
    pub total: u64,
    /// This page, best first; ties in log order.
    pub hits: Vec<Hit>,
    /// Facet counts, when asked for.
    pub facets: Option<Facets>,
    /// Matches per day (start of the day, count), when asked for.
    pub histogram: Vec<(Timestamp, u64)>,
    /// The cursor of the next page, if there may be one.
    pub next: Option<Cursor>,
}

/// Where a page ended: the last hit's score and sequence number. Pages follow the order (score
/// descending, sequence ascending), so a page starts strictly after its cursor whatever was
/// indexed in between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub(crate) score: f32,
    pub(crate) seq: u64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}-{}", self.score.to_bits(), self.seq)
    }
}

impl FromStr for Cursor {
    type Err = IndexError;
    fn from_str(text: &str) -> Result<Cursor, IndexError> {
        let invalid = || IndexError::Cursor(text.to_owned());
        let (bits, seq) = text.split_once('-').ok_or_else(invalid)?;
        let bits = u32::from_str_radix(bits, 16).map_err(|_| invalid())?;
        let score = f32::from_bits(bits);
        if !score.is_finite() {
            return Err(invalid());
        }
        Ok(Cursor { score, seq: seq.parse().map_err(|_| invalid())? })
    }
}

/// A highlighted fragment of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The fragment.
    pub fragment: String,
    /// Byte ranges of the fragment that matched.
    pub highlighted: Vec<Range<usize>>,
}

impl Snippet {
    /// The fragment with each highlighted range between `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.fragment.len() + 8 * self.highlighted.len());
        let mut at = 0;
        for range in &self.highlighted {
            out.push_str(&self.fragment[at..range.start]);
            out.push_str(open);
            out.push_str(&self.fragment[range.clone()]);
            out.push_str(close);
            at = range.end;
        }
        out.push_str(&self.fragment[at..]);
        out
    }
}

pub(crate) fn tlp_rank(tlp: Tlp) -> u64 {
    Tlp::ALL.iter().position(|t| *t == tlp).unwrap_or(4) as u64
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

fn all_of(clauses: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|clause| (Occur::Must, clause)).collect()))
}

fn any_of(clauses: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|clause| (Occur::Should, clause)).collect()))
}

/// The document of item `id`: both halves of the id equal (a scan of the two id columns).
pub(crate) fn id_query(fields: &crate::schema::Fields, id: &ItemId) -> Box<dyn TantivyQuery> {
    let (high, low) = id.0.split_at(8);
    let half = |field, bytes: &[u8]| -> Box<dyn TantivyQuery> {
        let value = u64::from_be_bytes(bytes.try_into().unwrap_or_default());
        let term = Term::from_field_u64(field, value);
        Box::new(RangeQuery::new(Bound::Included(term.clone()), Bound::Included(term)))
    };
    all_of(vec![half(fields.id_high, high), half(fields.id_low, low)])
}

/// The visibility filter as a query clause: the same rule as `muninn_access::can_see`, term
/// for term (the server's property test holds the two equal).
pub(crate) fn visibility_filter(
    index: &SearchIndex,
    audience: &Audience,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    let fields = &index.fields;
    let tlp_is = |tlp: Tlp| term(fields.tlp, tlp.short());
    // TLP 2.0: CLEAR and GREEN to the whole community; AMBER to the originator's organisation
    // (and its clients where the originator allows it); AMBER+STRICT to the organisation only;
    // RED to the named recipients only.
    let mut amber_readers = vec![term(fields.originator, &audience.org)];
    for patron in &audience.client_of {
        amber_readers
            .push(all_of(vec![term(fields.originator, patron), term(fields.access, ACCESS_CLIENTS)]));
    }
    let by_tlp = any_of(vec![
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.tlp_rank, 0)),
            Bound::Included(Term::from_field_u64(fields.tlp_rank, tlp_rank(Tlp::Green))),
        )),
        all_of(vec![tlp_is(Tlp::Amber), any_of(amber_readers)]),
        all_of(vec![tlp_is(Tlp::AmberStrict), term(fields.originator, &audience.org)]),
        all_of(vec![tlp_is(Tlp::Red), term(fields.recipient, &audience.user)]),
    ]);
    // The originator's extra restriction: restricted items only for the organisations named.
    let restriction: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
        (
            Occur::MustNot,
            all_of(vec![
                term(fields.access, ACCESS_RESTRICTED),
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TantivyQuery>),
                    (Occur::MustNot, term(fields.only_org, &audience.org)),
                ])),
            ]),
        ),
    ]));
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
        vec![(Occur::Must, by_tlp), (Occur::Must, restriction)];
    // Need-to-know: exclude every item that carries a compartment the caller does not hold.
    let searcher = index.reader.searcher();
    for segment in searcher.segment_readers() {
        let inverted =
            segment.inverted_index(fields.compartment).map_err(|e| IndexError::engine(&index.dir, e))?;
        let mut terms = inverted.terms().stream().map_err(|e| IndexError::engine(&index.dir, e))?;
        while terms.advance() {
            let name = String::from_utf8_lossy(terms.key()).into_owned();
            if !audience.groups.contains(&name) {
                clauses.push((Occur::MustNot, term(fields.compartment, &name)));
            }
        }
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// A query restricted to what a caller may see. Seeing everything needs no filter; any
/// restriction is a clause of the query itself.
pub(crate) fn visible(
    index: &SearchIndex,
    query: Box<dyn TantivyQuery>,
    visibility: &Visibility,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    let Visibility::Audience(audience) = visibility else {
        return Ok(query);
    };
    // The filter decides what matches, never how well: scored, its clauses would add a
    // different constant per way an item is visible (a CLEAR item's range clause, an AMBER
    // item's TLP and originator terms), ranking by marking instead of relevance.
    let filter = ConstScoreQuery::new(visibility_filter(index, audience)?, 0.0);
    Ok(Box::new(BooleanQuery::new(vec![(Occur::Must, query), (Occur::Must, Box::new(filter))])))
}

/// A hit as the page collector ranks it: better is greater (score descending, then sequence
/// ascending: earlier items first among equals).
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    seq: u64,
    address: DocAddress,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> std::cmp::Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Collects one page of hits (the best `limit` after the cursor, in the index's order) and
/// counts every match. A document's sequence number is read only when its score could place
/// it on the page, so the many matches scored below the page cost no column read (reading one
/// per match was a short query's largest cost beyond tantivy's own).
struct PageCollector {
    limit: usize,
    after: Option<Cursor>,
    /// Facts about segments (their runs of rising sequence numbers).
    segments: std::sync::Arc<crate::facets::SegmentWarmer>,
}

struct PageSegment {
    segment: tantivy::SegmentOrdinal,
    seqs: Option<std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>>,
    limit: usize,
    after: Option<Cursor>,
    /// Whether sequence numbers rise with document ids here: hits of equal score then rank
    /// in the order they come (tantivy visits a segment's documents in order).
    seq_rises: bool,
    /// With `seq_rises` and a cursor: the first document after the cursor's sequence number.
    first_after: tantivy::DocId,
    /// The segment's facts (its runs of rising sequence numbers), and the run of the
    /// document last looked at.
    facts: Option<std::sync::Arc<crate::facets::SegmentFacts>>,
    run: std::ops::Range<tantivy::DocId>,
    /// The least sequence number of that run.
    run_least: u64,
    /// The best hits so far, worst on top.
    best: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>>,
    count: u64,
}

impl PageSegment {
    fn seq(&self, doc: tantivy::DocId) -> u64 {
        if let Some(seq) = self.facts.as_ref().and_then(|facts| facts.seq.get(doc)) {
            return seq;
        }
        self.seqs.as_ref().map_or(0, |column| column.get_val(doc))
    }

    /// Whether `earlier` is in the same run of rising sequence numbers as `doc` (documents
    /// come in order, so the run is looked up again only when `doc` has left the last one).
    fn same_run(&mut self, earlier: tantivy::DocId, doc: tantivy::DocId) -> bool {
        self.find_run(doc) && earlier >= self.run.start && earlier < doc
    }

    /// Whether `doc` ranks below a hit of the same score whose sequence number is `worst_seq`
    /// because every sequence number of its run is above it (read from the run, not the doc).
    fn run_ranks_below(&mut self, doc: tantivy::DocId, worst_seq: u64) -> bool {
        self.find_run(doc) && self.run_least > worst_seq
    }

    /// Looks up the run of `doc` (if it has left the last one); false when runs are unknown.
    fn find_run(&mut self, doc: tantivy::DocId) -> bool {
        if self.run.contains(&doc) {
            return true;
        }
        match self.facts.as_ref().and_then(|facts| facts.seq.run_of(doc)) {
            Some((run, least)) => {
                (self.run, self.run_least) = (run, least);
                true
            }
            None => false,
        }
    }
}

impl tantivy::collector::SegmentCollector for PageSegment {
    type Fruit = (Vec<Ranked>, u64);

    fn collect(&mut self, doc: tantivy::DocId, score: Score) {
        self.count += 1;
        let mut seq = None;
        if let Some(cursor) = self.after {
            // Shown on an earlier page: at or before the cursor in the index's order.
            if score > cursor.score {
                return;
            }
            if score == cursor.score {
                if self.seq_rises {
                    if doc < self.first_after {
                        return;
                    }
                } else {
                    let known = self.seq(doc);
                    if known <= cursor.seq {
                        return;
                    }
                    seq = Some(known);
                }
            }
        }
        if self.best.len() >= self.limit
            && let Some(std::cmp::Reverse(worst)) = self.best.peek()
        {
            if score < worst.score {
                return;
            }
            if score == worst.score {
                // The worst hit came earlier in this segment: with rising sequence numbers,
                // this one's is higher, so it ranks below.
                let (worst_doc, worst_seq) = (worst.address.doc_id, worst.seq);
                if self.seq_rises || self.same_run(worst_doc, doc) || self.run_ranks_below(doc, worst_seq) {
                    return;
                }
                let known = *seq.get_or_insert_with(|| self.seq(doc));
                if known >= worst_seq {
                    return;
                }
            }
        }
        let seq = seq.unwrap_or_else(|| self.seq(doc));
        self.best.push(std::cmp::Reverse(Ranked { score, seq, address: DocAddress::new(self.segment, doc) }));
        if self.best.len() > self.limit {
            self.best.pop();
        }
    }

    fn harvest(self) -> (Vec<Ranked>, u64) {
        (self.best.into_iter().map(|std::cmp::Reverse(ranked)| ranked).collect(), self.count)
    }
}

impl tantivy::collector::Collector for PageCollector {
    type Fruit = (Vec<Ranked>, u64);
    type Child = PageSegment;

    fn for_segment(
        &self,
        segment: tantivy::SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<PageSegment> {
        let seqs = reader
            .fast_fields()
            .u64(crate::schema::SEQ_FIELD)
            .ok()
            .map(|column| column.first_or_default_col(0));
        let facts = self.segments.get(reader.segment_id()).filter(|_| seqs.is_some());
        let seq_rises = facts.as_ref().is_some_and(|facts| facts.seq.rises());
        let first_after = match (&seqs, self.after) {
            (Some(seqs), Some(cursor)) if seq_rises => {
                // The first document whose sequence number is above the cursor's.
                let (mut low, mut high) = (0, reader.max_doc());
                while low < high {
                    let middle = low + (high - low) / 2;
                    if seqs.get_val(middle) <= cursor.seq {
                        low = middle + 1;
                    } else {
                        high = middle;
                    }
                }
                low
            }
            _ => 0,
        };
        Ok(PageSegment {
            segment,
            seqs,
            limit: self.limit,
            after: self.after,
            seq_rises,
            first_after,
            facts,
            run: 0..0,
            run_least: 0,
            best: std::collections::BinaryHeap::with_capacity(self.limit + 1),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<(Vec<Ranked>, u64)>) -> tantivy::Result<(Vec<Ranked>, u64)> {
        let count = fruits.iter().map(|(_, count)| count).sum();
        let mut all: Vec<Ranked> = fruits.into_iter().flat_map(|(hits, _)| hits).collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.truncate(self.limit);
        Ok((all, count))
    }
}

/// The most documents of a segment one thread searches: a larger segment is searched as
/// ranges in parallel. tantivy gives each segment one thread, so an index of one large segment
/// and a few small ones (what merging makes) kept one core busy on a broad query while the
/// others idled.
pub(crate) const RANGE_DOCS: u32 = 1 << 20;

/// Runs `collector` over `query`'s matches, each segment of at most `range_docs` documents
/// ([`RANGE_DOCS`]) as one task (tantivy's own loop) and larger ones as ranges of that size, on
/// the index's search threads.
fn search_in_ranges<C: tantivy::collector::Collector>(
    range_docs: u32,
    searcher: &tantivy::Searcher,
    query: &dyn TantivyQuery,
    collector: &C,
    statistics: Option<&dyn tantivy::query::Bm25StatisticsProvider>,
) -> tantivy::Result<C::Fruit> {
    use tantivy::DocSet;
    use tantivy::collector::SegmentCollector;
    use tantivy::query::EnableScoring;
    let scoring = match (collector.requires_scoring(), statistics) {
        (false, _) => EnableScoring::disabled_from_searcher(searcher),
        (true, Some(statistics)) => EnableScoring::enabled_from_statistics_provider(statistics, searcher),
        (true, None) => EnableScoring::enabled_from_searcher(searcher),
    };
    let weight = query.weight(scoring)?;
    let mut tasks = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let docs = segment.max_doc();
        if docs <= range_docs {
            tasks.push((ord as u32, segment, None));
            continue;
        }
        let mut start = 0;
        while start < docs {
            let end = docs.min(start.saturating_add(range_docs.max(1)));
            tasks.push((ord as u32, segment, Some(start..end)));
            start = end;
        }
    }
    let fruits = searcher.index().search_executor().map(
        |(ord, segment, range)| {
            let Some(range) = range else { return collector.collect_segment(weight.as_ref(), ord, segment) };
            let mut child = collector.for_segment(ord, segment)?;
            let mut scorer = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            let mut doc = scorer.doc();
            if doc < range.start {
                doc = scorer.seek(range.start);
            }
            // TERMINATED is above every range's end.
            while doc < range.end {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    child.collect(doc, scorer.score());
                }
                doc = scorer.advance();
            }
            Ok(child.harvest())
        },
        tasks.into_iter(),
    )?;
    collector.merge_fruits(fruits)
}

/// The tantivy query of a request: the user's query under the caller's visibility.
pub(crate) fn request_query(
    index: &SearchIndex,
    request: &SearchRequest<'_>,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    let user_query = crate::query::translate(request.query, &index.fields, &index.gazetteer)?;
    visible(index, user_query, request.visibility)
}

/// Runs a search; with `statistics`, scored by those BM25 statistics (a whole index's, when
/// this one is a shard of it) instead of this index's own.
pub(crate) fn run(
    index: &SearchIndex,
    request: &SearchRequest<'_>,
    statistics: Option<&dyn tantivy::query::Bm25StatisticsProvider>,
) -> Result<SearchResults, IndexError> {
    let engine = |e: tantivy::TantivyError| IndexError::engine(&index.dir, e);
    let query = request_query(index, request)?;
    let searcher = index.reader.searcher();
    let limit = request.limit.clamp(1, 10_000);
    let page = PageCollector { limit, after: request.after, segments: index.segments.clone() };
    let ((top_docs, total), counted) = if request.facets || request.histogram {
        let collector = (page, facet_collector(index, request));
        let (page, counted) =
            search_in_ranges(index.range_docs, &searcher, &*query, &collector, statistics).map_err(engine)?;
        (page, Some(counted))
    } else {
        // Without facets a match costs little: tantivy's own loop over whole segments is
        // faster than ranges (a term query's postings are read in blocks).
        (search_in_ranges(u32::MAX, &searcher, &*query, &page, statistics).map_err(engine)?, None)
    };
    let mut hits = Vec::with_capacity(top_docs.len());
    let mut ids = ItemIds::new(index, &searcher);
    for ranked in top_docs {
        hits.push(Hit { id: ids.get(ranked.address)?, seq: ranked.seq, score: ranked.score });
    }
    let next = (hits.len() == limit)
        .then(|| hits.last().map(|hit| Cursor { score: hit.score, seq: hit.seq }))
        .flatten();
    let counted = counted.unwrap_or_default();
    let mut fields = counted.fields.into_iter();
    let facets = request.facets.then(|| {
        let mut next = || fields.next().unwrap_or_default();
        Facets {
            source: next(),
            lang: next(),
            tlp: next(),
            grade: next(),
            indicator_type: next(),
            indicator: next(),
            entity: next()
                .into_iter()
                .map(|(id, count)| {
                    let name = index.gazetteer.entity(&id).map_or_else(|| id.clone(), |e| e.name.clone());
                    EntityFacet { id, name, count }
                })
                .collect(),
        }
    });
    let histogram = counted
        .days
        .into_iter()
        .filter_map(|(second, count)| Some((Timestamp::from_second(second).ok()?, count)))
        .collect();
    Ok(SearchResults { total, hits, facets, histogram, next })
}

/// What a request counts besides its page: the facets in the order [`run`] reads them, and the
/// daily histogram.
fn facet_collector(index: &SearchIndex, request: &SearchRequest<'_>) -> FacetCollector {
    let mut fields = Vec::new();
    if request.facets {
        // The combined fields first, in their order (the collector counts them by code).
        for name in crate::facets::COMBINED_FIELDS.into_iter().chain(["indicator_type"]) {
            fields.push(FacetField { name, size: 50, sampled: None });
        }
        let many = &index.fields;
        fields.push(FacetField {
            name: crate::schema::INDICATOR_COLUMN,
            size: TOP_INDICATORS,
            sampled: Some(many.indicator_lookup()),
        });
        fields.push(FacetField { name: "entity", size: TOP_ENTITIES, sampled: Some(many.entity_lookup()) });
    }
    FacetCollector {
        fields,
        date_field: request.histogram.then_some(crate::schema::DATE_FIELD),
        segments: index.segments.clone(),
        exact_docs: index.facet_exact_docs,
    }
}

/// The id columns of one segment.
type IdColumns = (
    std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>,
);

/// Reads hits' item ids from the two id columns, opening each segment's columns once (opening
/// one looks it up by name in the segment's column directory: per hit, that was most of a
/// short query's time).
pub(crate) struct ItemIds<'a> {
    index: &'a SearchIndex,
    searcher: &'a tantivy::Searcher,
    columns: Vec<Option<IdColumns>>,
}

impl<'a> ItemIds<'a> {
    pub(crate) fn new(index: &'a SearchIndex, searcher: &'a tantivy::Searcher) -> ItemIds<'a> {
        ItemIds { index, searcher, columns: vec![None; searcher.segment_readers().len()] }
    }

    /// The item id of the document at `address`.
    pub(crate) fn get(&mut self, address: DocAddress) -> Result<ItemId, IndexError> {
        let slot = self
            .columns
            .get_mut(address.segment_ord as usize)
            .ok_or_else(|| IndexError::Query(format!("no segment {}", address.segment_ord)))?;
        if slot.is_none() {
            let fast_fields = self.searcher.segment_reader(address.segment_ord).fast_fields();
            let column = |name: &str| -> Result<_, IndexError> {
                let column = fast_fields.u64(name).map_err(|e| IndexError::engine(&self.index.dir, e))?;
                Ok(column.first_or_default_col(0))
            };
            *slot = Some((column("id_high")?, column("id_low")?));
        }
        let Some((high, low)) = slot.as_ref() else { unreachable!("filled above") };
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&high.get_val(address.doc_id).to_be_bytes());
        id[8..].copy_from_slice(&low.get_val(address.doc_id).to_be_bytes());
        Ok(ItemId(id))
    }
}

impl SearchIndex {
    /// Highlights where `query` matches each of `texts` (titles or bodies from the store),
    /// keeping at most `max_chars` characters around the best passage. The highlighter is built
    /// once for all the texts of a page.
    pub fn snippets(
        &self,
        query: &muninn_query::Query,
        texts: &[&str],
        max_chars: usize,
    ) -> Result<Vec<Snippet>, IndexError> {
        let searcher = self.reader.searcher();
        let tantivy_query = crate::query::translate(query, &self.fields, &self.gazetteer)?;
        let mut generator = SnippetGenerator::create(&searcher, &*tantivy_query, self.fields.body)
            .map_err(|e| IndexError::engine(&self.dir, e))?;
        generator.set_max_num_chars(max_chars);
        Ok(texts
            .iter()
            .map(|text| {
                let snippet = generator.snippet(text);
                if snippet.highlighted().is_empty() {
                    // The match is elsewhere (the title, a date, a pattern): show how the text begins.
                    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(index, _)| index);
                    return Snippet { fragment: text[..end].to_owned(), highlighted: Vec::new() };
                }
                Snippet {
                    fragment: snippet.fragment().to_owned(),
                    highlighted: snippet.highlighted().to_vec(),
                }
            })
            .collect())
    }

    /// The index's segments (each search visits every one).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The number of indexed items.
    pub fn len(&self) -> u64 {
        let searcher = self.reader.searcher();
        searcher.search(&AllQuery, &Count).map(|n| n as u64).unwrap_or(0)
    }

    /// Whether the index holds no item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
