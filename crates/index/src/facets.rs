//! Facet counts and the daily histogram, counted from the index's columns in blocks of
//! documents.
//!
//! tantivy's aggregations answer this too, but at about 110 ns an item for Muninn's seven facets
//! and the histogram (a hash map per term, a row-id translation per value): a search matching
//! every one of ten million items would spend a second on them. Here each facet is a count per
//! term ordinal, and the values of a block of matches are read with one call per column (a
//! range read when the block's documents follow each other, as they do for broad queries); the
//! four single-valued keyword facets are counted through one combination code per document,
//! and days through each document's decoded day (both worked out by [`SegmentWarmer`]).
//!
//! The facets' values are distinct per item (an item's indicator kinds, indicators and entities
//! are sets when indexed), so counting values counts items.
//!
//! A facet of many values (indicators, entities) counted in an array as large as its dictionary
//! missed the processor's caches at each count: over millions of matches that was most of a
//! query. Such a facet is counted in a map, and beyond [`EXACT_DOCS`] matches of a task in only
//! one block of [`SAMPLE_EVERY`], to choose its candidates; each candidate is then counted
//! exactly from its posting list against the set of matches, and a value shown is recounted so
//! in every segment it was not a candidate of. The counts shown are exact; only a value whose
//! matches all fell outside the sampled blocks could be missed from the list.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Documents read from the columns at once.
const BLOCK: usize = 64;
/// Matches of a segment after which facets of many values are sampled.
pub(crate) const EXACT_DOCS: u32 = 1 << 12;
/// Of the blocks after that, how many for one sampled.
const SAMPLE_EVERY: u32 = 64;
/// Dictionaries up to this many terms are counted in [`LANES`] lanes.
const SMALL_DICTIONARY: usize = 4096;
const LANES: usize = 4;
/// The room a map of counts starts with (growing it was a visible part of a broad query).
const SPARSE_CAPACITY: usize = 1 << 15;
/// Dictionaries of more terms are counted in a map.
const DENSE_TERMS: usize = 1 << 16;

/// One day in seconds: the histogram's bucket.
const DAY_SECONDS: i64 = 86_400;
/// Days a segment's dates may span for a dense day array (beyond, a map).
const DENSE_DAYS: i64 = 200_000;

/// Hashes a term ordinal (a multiply, as FxHash): ordinals are the index's own numbers.
#[derive(Default)]
struct OrdHasher(u64);

impl std::hash::Hasher for OrdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
    }

    fn write_u32(&mut self, value: u32) {
        // The high bits mixed down: the table takes its buckets from the low ones.
        let mixed = u64::from(value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

/// A keyword field to count, and how many of its most frequent values to keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FacetField {
    pub name: &'static str,
    pub size: usize,
    /// For a field of many values, the indexed field whose postings give exact counts of the
    /// candidates a sample chose (`None`: every value is counted).
    pub sampled: Option<Lookup>,
}

/// Where a value of a column is found in the inverted index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup {
    /// As the same text in an indexed field.
    Text(tantivy::schema::Field),
    /// By its indicator key ([`crate::indicators::key`]) in this field.
    IndicatorKey(tantivy::schema::Field),
}

impl Lookup {
    fn field(self) -> tantivy::schema::Field {
        match self {
            Lookup::Text(field) | Lookup::IndicatorKey(field) => field,
        }
    }

    pub(crate) fn term(self, value: &str) -> tantivy::Term {
        match self {
            Lookup::Text(field) => tantivy::Term::from_field_text(field, value),
            Lookup::IndicatorKey(field) => crate::indicators::key_term(field, value),
        }
    }
}

/// Counts `fields` and, if asked, matches per day of `date_field`.
pub(crate) struct FacetCollector {
    pub fields: Vec<FacetField>,
    pub date_field: Option<&'static str>,
    /// What the warmer worked out of each segment (days, combination codes).
    pub segments: std::sync::Arc<SegmentWarmer>,
    /// Matches of a segment after which fields of many values are sampled ([`EXACT_DOCS`]).
    pub exact_docs: u32,
}

/// What a search's matches count: per field its most frequent values (count descending, then
/// value), and matches per day (the day's first second, counts above zero, in order).
#[derive(Debug, Default)]
pub(crate) struct FacetCounts {
    pub fields: Vec<Vec<(String, u64)>>,
    pub days: Vec<(i64, u64)>,
}

pub(crate) struct FacetSegment {
    fields: Vec<FieldCounter>,
    dates: Option<DayCounter>,
    block: [DocId; BLOCK],
    len: usize,
    /// Every match of the segment, when a field may be sampled, and the first and last.
    matched: Option<Matched>,
    span: Option<(DocId, DocId)>,
    exact_docs: u32,
    /// Matches counted so far.
    seen: u32,
    /// Blocks since sampling began.
    blocks_sampled: u32,
    /// The combined fields counted by their documents' codes (see [`SegmentCombos`]).
    combined: Option<ComboCounter>,
}

/// Counts of the combinations of [`COMBINED_FIELDS`] values, in lanes.
struct ComboCounter {
    facts: std::sync::Arc<SegmentFacts>,
    counts: Vec<u32>,
}

struct FieldCounter {
    size: usize,
    column: Option<StrColumn>,
    /// The postings of a sampled field.
    postings: Option<(Lookup, std::sync::Arc<tantivy::InvertedIndexReader>)>,
    /// Whether some blocks were skipped (the counts are a sample).
    sampled: bool,
    /// Per term ordinal, in [`LANES`] interleaved lanes for small dictionaries: counting one
    /// value after another into the same few counters waits on each increment's store (a
    /// facet of two values counted a million times), and lanes let the increments overlap.
    counts: Vec<u32>,
    lanes: usize,
    /// For a field of many values (or a dictionary of more than [`DENSE_TERMS`] terms), counts
    /// by ordinal in a map instead: an array as large as the dictionary had to be zeroed and
    /// scanned whole for the few values a sample counts.
    sparse: Option<HashMap<u32, u32, std::hash::BuildHasherDefault<OrdHasher>>>,
    /// Scratch: row ids and values of one block.
    rows: Vec<u32>,
    values: Vec<u64>,
}

struct DayCounter {
    column: Column<tantivy::DateTime>,
    decoded: Option<std::sync::Arc<SegmentFacts>>,
    first_day: i64,
    dense: Vec<u64>,
    sparse: HashMap<i64, u64>,
    values: Vec<tantivy::DateTime>,
}

/// One segment's counts: per field its candidates (value, count), and its days.
pub(crate) struct SegmentFacets {
    fields: Vec<Vec<(String, u64)>>,
    days: Vec<(i64, u64)>,
    /// What recounts a value of a field of many values that was not among this segment's
    /// candidates: the matches, their span, and per field its postings.
    recount: Option<Recount>,
}

pub(crate) struct Recount {
    matched: Matched,
    span: std::ops::RangeInclusive<DocId>,
    postings: Vec<Option<(Lookup, std::sync::Arc<tantivy::InvertedIndexReader>)>>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let fast_fields = segment.fast_fields();
        let mut fields = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let column = fast_fields.str(field.name)?;
            // Zeroed by the allocator: the pages of a large dictionary's array that no match
            // touches cost nothing.
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            let lanes = if terms <= SMALL_DICTIONARY { LANES } else { 1 };
            let sparse = (field.sampled.is_some() || terms > DENSE_TERMS)
                .then(|| HashMap::with_capacity_and_hasher(SPARSE_CAPACITY.min(terms), Default::default()));
            let counts = if sparse.is_some() { Vec::new() } else { vec![0u32; terms * lanes] };
            let postings = match field.sampled {
                Some(lookup) => Some((lookup, segment.inverted_index(lookup.field())?)),
                None => None,
            };
            fields.push(FieldCounter {
                size: field.size,
                column,
                postings,
                sampled: false,
                counts,
                lanes,
                sparse,
                rows: Vec::new(),
                values: Vec::new(),
            });
        }
        let matched = fields.iter().any(|f| f.postings.is_some()).then(|| Matched {
            scattered: tantivy::BitSet::with_max_value(segment.max_doc()),
            any_scattered: false,
            runs: Vec::new(),
        });
        let asks_combined =
            self.fields.iter().map(|f| f.name).take(COMBINED_FIELDS.len()).eq(COMBINED_FIELDS);
        let facts = self.segments.get(segment.segment_id());
        let combined = facts.clone().filter(|facts| asks_combined && facts.combos.is_some()).map(|facts| {
            let combos = facts.combos.as_ref().map_or(0, |c| c.combos.len());
            ComboCounter { facts, counts: vec![0; combos * LANES] }
        });
        let dates = match self.date_field {
            Some(name) => {
                let column = fast_fields.date(name)?;
                let first_day = column.min_value().into_timestamp_secs().div_euclid(DAY_SECONDS);
                let last_day = column.max_value().into_timestamp_secs().div_euclid(DAY_SECONDS);
                let span = last_day.saturating_sub(first_day).saturating_add(1);
                let dense = if (1..=DENSE_DAYS).contains(&span) {
                    vec![0; span as usize * LANES]
                } else {
                    Vec::new()
                };
                let decoded = facts.filter(|facts| facts.days.is_some());
                Some(DayCounter {
                    column,
                    decoded,
                    first_day,
                    dense,
                    sparse: HashMap::new(),
                    values: Vec::new(),
                })
            }
            None => None,
        };
        Ok(FacetSegment {
            fields,
            dates,
            block: [0; BLOCK],
            len: 0,
            matched,
            span: None,
            exact_docs: self.exact_docs,
            seen: 0,
            blocks_sampled: 0,
            combined,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentFacets>) -> tantivy::Result<FacetCounts> {
        let mut merged = FacetCounts::default();
        for (position, field) in self.fields.iter().enumerate() {
            let mut sums: HashMap<String, u64> = HashMap::new();
            for segment in &segments {
                for (value, count) in segment.fields.get(position).into_iter().flatten() {
                    *sums.entry(value.clone()).or_default() += count;
                }
            }
            let mut counts: Vec<(String, u64)> = sums.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            counts.truncate(field.size);
            // A value shown is counted in every segment, also those it was not a candidate of.
            for (value, count) in &mut counts {
                for segment in &segments {
                    let Some(recount) = &segment.recount else { continue };
                    let Some(Some((indexed, postings))) = recount.postings.get(position) else { continue };
                    let candidates = segment.fields.get(position).map_or(&[][..], Vec::as_slice);
                    if candidates.iter().any(|(candidate, _)| candidate == value) {
                        continue;
                    }
                    let term = indexed.term(value);
                    *count += exact_count(postings, term, &recount.matched, recount.span.clone())?;
                }
            }
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            merged.fields.push(counts);
        }
        let mut days: HashMap<i64, u64> = HashMap::new();
        for segment in &segments {
            for &(day, count) in &segment.days {
                *days.entry(day).or_default() += count;
            }
        }
        merged.days = days.into_iter().collect();
        merged.days.sort_unstable();
        Ok(merged)
    }
}

impl FacetSegment {
    fn flush(&mut self) {
        let block = &self.block[..self.len];
        self.len = 0;
        let Some((&first, &last)) = block.first().zip(block.last()) else { return };
        // Blocks of a broad query are runs of consecutive documents: read them as ranges.
        let run = (last - first) as usize + 1 == block.len();
        let mut sample = true;
        self.span = Some(self.span.map_or((first, last), |(start, _)| (start, last)));
        if let Some(matched) = &mut self.matched {
            matched.insert(block, run);
            if self.seen >= self.exact_docs {
                sample = self.blocks_sampled.is_multiple_of(SAMPLE_EVERY);
                self.blocks_sampled += 1;
            }
        }
        self.seen = self.seen.saturating_add(block.len() as u32);
        let mut skip = 0;
        if let Some(combined) = &mut self.combined {
            combined.count(block, run);
            skip = COMBINED_FIELDS.len();
        }
        for field in self.fields.iter_mut().skip(skip) {
            if field.postings.is_some() && !sample {
                field.sampled = true;
                continue;
            }
            field.count(block, run);
        }
        if let Some(dates) = &mut self.dates {
            dates.count(block, run);
        }
    }
}

impl ComboCounter {
    fn count(&mut self, block: &[DocId], run: bool) {
        let Some(combos) = &self.facts.combos else { return };
        let counts = self.counts.as_mut_slice();
        let codes =
            if run { combos.codes.get(block[0] as usize..block[0] as usize + block.len()) } else { None };
        match codes {
            Some(codes) => {
                for (position, &code) in codes.iter().enumerate() {
                    if let Some(count) = counts.get_mut(usize::from(code) * LANES + position % LANES) {
                        *count += 1;
                    }
                }
            }
            None => {
                for (position, &doc) in block.iter().enumerate() {
                    let code = combos.codes.get(doc as usize).copied().unwrap_or(0);
                    if let Some(count) = counts.get_mut(usize::from(code) * LANES + position % LANES) {
                        *count += 1;
                    }
                }
            }
        }
    }

    /// Adds each combination's count to the counts of its fields' values.
    fn spread(self, fields: &mut [FieldCounter]) {
        let Some(combos) = &self.facts.combos else { return };
        for (combo, lanes) in combos.combos.iter().zip(self.counts.chunks_exact(LANES)) {
            let count: u32 = lanes.iter().sum();
            if count == 0 {
                continue;
            }
            for (field, &ord) in fields.iter_mut().zip(combo) {
                if ord != NO_VALUE {
                    field.add(ord, count);
                }
            }
        }
    }
}

impl FieldCounter {
    /// Adds `count` to the value `ord`.
    fn add(&mut self, ord: u32, count: u32) {
        match &mut self.sparse {
            Some(sparse) => *sparse.entry(ord).or_default() += count,
            None => {
                if let Some(counter) = self.counts.get_mut(ord as usize * self.lanes) {
                    *counter += count;
                }
            }
        }
    }

    fn count(&mut self, block: &[DocId], run: bool) {
        let Some(column) = &self.column else { return };
        let ords = column.ords();
        if matches!(ords.index, ColumnIndex::Full) && self.counts.len() == self.lanes && self.sparse.is_none()
        {
            // One value for every document: nothing to read.
            self.counts[0] += block.len() as u32;
            return;
        }
        let values = &mut self.values;
        match &ords.index {
            ColumnIndex::Empty { .. } => return,
            ColumnIndex::Full => {
                values.resize(block.len(), 0);
                if run {
                    ords.values.get_range(u64::from(block[0]), values);
                } else {
                    ords.values.get_vals(block, values);
                }
            }
            index => {
                let rows = &mut self.rows;
                rows.clear();
                if run {
                    let range = index.docid_range_to_rowids(block[0]..block[block.len() - 1] + 1);
                    values.resize(range.len(), 0);
                    if !range.is_empty() {
                        ords.values.get_range(u64::from(range.start), values);
                    }
                } else {
                    for &doc in block {
                        rows.extend(index.value_row_ids(doc));
                    }
                    values.resize(rows.len(), 0);
                    ords.values.get_vals(rows, values);
                }
            }
        }
        if let Some(sparse) = &mut self.sparse {
            for &ord in values.iter() {
                *sparse.entry(ord as u32).or_default() += 1;
            }
            return;
        }
        // A local slice: the counters' address and length stay in registers.
        let counts = self.counts.as_mut_slice();
        if self.lanes == LANES {
            for (position, &ord) in values.iter().enumerate() {
                if let Some(count) = counts.get_mut(ord as usize * LANES + position % LANES) {
                    *count += 1;
                }
            }
        } else {
            for &ord in values.iter() {
                if let Some(count) = counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    /// The segment's most frequent values, ten times as many as asked (at least 100, which for
    /// the low-cardinality facets is all of them); a value of a field of many values that is
    /// shown but was not among a segment's is recounted there when the segments are merged.
    fn harvest(self, matched: Option<(&Matched, std::ops::RangeInclusive<DocId>)>) -> Vec<(String, u64)> {
        let Some(column) = &self.column else { return Vec::new() };
        // A sampled field keeps fewer: each is counted exactly from its postings, and a value
        // shown that was not kept here is recounted here when the segments are merged.
        let keep = if self.sampled {
            self.size.saturating_mul(2).max(10)
        } else {
            self.size.saturating_mul(10).max(100)
        };
        let mut best: std::collections::BinaryHeap<std::cmp::Reverse<(u32, std::cmp::Reverse<u32>)>> =
            std::collections::BinaryHeap::with_capacity(keep + 1);
        let counted: Box<dyn Iterator<Item = (u32, u32)> + '_> = match &self.sparse {
            Some(sparse) => Box::new(sparse.iter().map(|(&ord, &count)| (ord, count))),
            None => Box::new(
                self.counts
                    .chunks_exact(self.lanes)
                    .enumerate()
                    .map(|(ord, lanes)| (ord as u32, lanes.iter().sum())),
            ),
        };
        for (ord, count) in counted {
            if count == 0 {
                continue;
            }
            if best.len() == keep
                && let Some(std::cmp::Reverse((least, _))) = best.peek()
                && count <= *least
            {
                continue;
            }
            best.push(std::cmp::Reverse((count, std::cmp::Reverse(ord))));
            if best.len() > keep {
                best.pop();
            }
        }
        let mut chosen: Vec<(u64, u32)> = best
            .into_iter()
            .map(|std::cmp::Reverse((count, std::cmp::Reverse(ord)))| (u64::from(ord), count))
            .collect();
        chosen.sort_unstable();
        let ords: Vec<u64> = chosen.iter().map(|&(ord, _)| ord).collect();
        let mut counts = chosen.iter().map(|&(_, count)| u64::from(count));
        let mut out = Vec::with_capacity(chosen.len());
        // Ordinals in order: the dictionary decodes them in one pass.
        let decoded = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            out.push((String::from_utf8_lossy(bytes).into_owned(), counts.next().unwrap_or(0)));
        });
        if !matches!(decoded, Ok(true)) {
            // An unreadable dictionary block: the facet is left empty rather than wrong.
            return Vec::new();
        }
        if let (true, Some((field, postings)), Some((matched, span))) =
            (self.sampled, &self.postings, matched)
        {
            // The sample chose the candidates; their postings give their exact counts.
            for (value, count) in &mut out {
                match exact_count(postings, field.term(value), matched, span.clone()) {
                    Ok(exact) => *count = exact,
                    Err(_) => return Vec::new(),
                }
            }
        }
        out
    }
}

/// The matches of a segment (or a range of it): runs of consecutive documents as ranges (a
/// broad query's are nearly all), the others in a bitset.
pub(crate) struct Matched {
    scattered: tantivy::BitSet,
    /// Whether any document is in `scattered`.
    any_scattered: bool,
    /// Sorted, disjoint, inclusive.
    runs: Vec<(DocId, DocId)>,
}

impl Matched {
    fn insert(&mut self, block: &[DocId], run: bool) {
        let (Some(&first), Some(&last)) = (block.first(), block.last()) else { return };
        if !run {
            self.any_scattered = true;
            for &doc in block {
                self.scattered.insert(doc);
            }
            return;
        }
        match self.runs.last_mut() {
            Some((_, end)) if *end + 1 == first => *end = last,
            _ => self.runs.push((first, last)),
        }
    }

    fn contains(&self, doc: DocId) -> bool {
        if self.scattered.contains(doc) {
            return true;
        }
        let after = self.runs.partition_point(|&(start, _)| start <= doc);
        after > 0 && self.runs[after - 1].1 >= doc
    }
}

/// How many of `matched` (all within `span`) hold `term`.
fn exact_count(
    postings: &tantivy::InvertedIndexReader,
    term: tantivy::Term,
    matched: &Matched,
    span: std::ops::RangeInclusive<DocId>,
) -> std::io::Result<u64> {
    use tantivy::DocSet;
    let Some(mut docs) = postings.read_postings(&term, tantivy::schema::IndexRecordOption::Basic)? else {
        return Ok(0);
    };
    // Every document of the span matched (`*`, broad queries), one run: no document in it is
    // deleted (a deleted one would have split the run), so the postings in the span are the
    // count, and over the whole segment the term's document frequency. Checking each posting
    // against the matches was a sixth of `*` with facets at 10M items.
    let every = !matched.any_scattered && matched.runs.as_slice() == [(*span.start(), *span.end())];
    if every && *span.start() == 0 && *span.end() + 1 == matched.scattered.max_value() {
        return Ok(u64::from(docs.doc_freq()));
    }
    let mut count = 0;
    // A range of a segment searched alone: only the postings in its span.
    let mut doc = docs.doc();
    if doc < *span.start() {
        doc = docs.seek(*span.start());
    }
    while doc <= *span.end() && doc != tantivy::TERMINATED {
        count += u64::from(every || matched.contains(doc));
        doc = docs.advance();
    }
    Ok(count)
}

impl DayCounter {
    fn count(&mut self, block: &[DocId], run: bool) {
        if let Some(decoded) = self.decoded.as_ref().and_then(|facts| facts.days.as_ref()) {
            // Decoded from this segment's column: the same first day, every offset a day of the
            // dense array (a segment's days span at most 65,536 for decoding, fewer than
            // DENSE_DAYS).
            let dense = self.dense.as_mut_slice();
            let offsets = &decoded.offsets;
            let mut bump = |position: usize, offset: u16| {
                if let Some(count) = dense.get_mut(usize::from(offset) * LANES + position % LANES) {
                    *count += 1;
                }
            };
            match offsets.get(block[0] as usize..block[0] as usize + block.len()).filter(|_| run) {
                Some(run) => run.iter().enumerate().for_each(|(position, &offset)| bump(position, offset)),
                None => {
                    for (position, &doc) in block.iter().enumerate() {
                        bump(position, offsets.get(doc as usize).copied().unwrap_or(0));
                    }
                }
            }
            return;
        }
        let column = &self.column;
        let values = &mut self.values;
        values.clear();
        match &column.index {
            ColumnIndex::Empty { .. } => return,
            ColumnIndex::Full => {
                values.resize(block.len(), tantivy::DateTime::MIN);
                if run {
                    column.values.get_range(u64::from(block[0]), values);
                } else {
                    column.values.get_vals(block, values);
                }
            }
            index => {
                for &doc in block {
                    for row in index.value_row_ids(doc) {
                        values.push(column.values.get_val(row));
                    }
                }
            }
        }
        for (position, value) in values.iter().enumerate() {
            let day = value.into_timestamp_secs().div_euclid(DAY_SECONDS);
            let slot = usize::try_from(day - self.first_day).ok().map(|d| d * LANES + position % LANES);
            match slot.and_then(|slot| self.dense.get_mut(slot)) {
                Some(count) => *count += 1,
                None => *self.sparse.entry(day).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> Vec<(i64, u64)> {
        let mut days: Vec<(i64, u64)> = self
            .dense
            .chunks_exact(LANES)
            .map(|lanes| lanes.iter().sum::<u64>())
            .enumerate()
            .filter(|(_, count)| *count > 0)
            .map(|(offset, count)| ((self.first_day + offset as i64) * DAY_SECONDS, count))
            .collect();
        days.extend(self.sparse.into_iter().map(|(day, count)| (day * DAY_SECONDS, count)));
        days
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentFacets;

    #[inline]
    fn collect(&mut self, doc: DocId, _: Score) {
        self.block[self.len] = doc;
        self.len += 1;
        if self.len == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.collect(doc, 0.0);
        }
    }

    fn harvest(mut self) -> SegmentFacets {
        self.flush();
        if let Some(combined) = self.combined.take() {
            combined.spread(&mut self.fields);
        }
        let span = self.span.map(|(first, last)| first..=last);
        let matched = self.matched.as_ref().zip(span.clone());
        let postings: Vec<_> = self.fields.iter().map(|field| field.postings.clone()).collect();
        let fields = self.fields.into_iter().map(|field| field.harvest(matched.clone())).collect();
        let recount = match (self.matched, span) {
            (Some(matched), Some(span)) => Some(Recount { matched, span, postings }),
            _ => None,
        };
        SegmentFacets { fields, days: self.dates.map(DayCounter::harvest).unwrap_or_default(), recount }
    }
}

/// What a search needs of each segment beyond its columns, worked out once when the segment is
/// first searched (a tantivy warmer, run at each reload) and kept while the segment lives.
#[derive(Default)]
pub(crate) struct SegmentWarmer {
    segments: std::sync::RwLock<HashMap<tantivy::index::SegmentId, std::sync::Arc<SegmentFacts>>>,
}

/// One segment's facts.
pub(crate) struct SegmentFacts {
    /// The day of every document: two bytes a document. The date column is compressed with a
    /// codec that decodes one value at a time (blockwise linear, for dates that mostly rise
    /// with the documents), which made reading it most of a broad histogram's time.
    pub days: Option<SegmentDays>,
    /// The runs of rising log sequence numbers.
    pub seq: SeqRuns,
    /// The values of [`COMBINED_FIELDS`] of every document as one code.
    pub combos: Option<SegmentCombos>,
}

/// A segment's runs of documents whose log sequence numbers rise with their ids. A segment as
/// written is one run; a merged one is its parts one after the other. A page's ties in score
/// within a run are in document order, and a tie in a run whose least sequence number is above
/// the page's worst ranks below it: neither needs the sequence number read.
#[derive(Default)]
pub(crate) struct SeqRuns {
    /// The first document of each run (empty: not worked out).
    starts: Vec<DocId>,
    /// The least sequence number of each run (its first).
    least: Vec<u64>,
    /// For a segment of several runs, every document's sequence number as an offset from the
    /// segment's least (four bytes a document): the remaining ties read a plain array rather
    /// than the column, whose codec decodes one value at a time.
    offsets: Option<(u64, Vec<u32>)>,
}

impl SeqRuns {
    /// Whether the whole segment is one run.
    pub(crate) fn rises(&self) -> bool {
        self.starts.len() == 1
    }

    /// The documents of the run `doc` is in, and the run's least sequence number (`None` when
    /// the runs were not worked out).
    pub(crate) fn run_of(&self, doc: DocId) -> Option<(std::ops::Range<DocId>, u64)> {
        let next = self.starts.partition_point(|&start| start <= doc);
        let index = next.checked_sub(1)?;
        let end = self.starts.get(next).copied().unwrap_or(tantivy::TERMINATED);
        Some((self.starts[index]..end, self.least.get(index).copied().unwrap_or(0)))
    }

    /// The sequence number of `doc`, when kept.
    pub(crate) fn get(&self, doc: DocId) -> Option<u64> {
        let (least, offsets) = self.offsets.as_ref()?;
        offsets.get(doc as usize).map(|&offset| least + u64::from(offset))
    }
}

/// The single-valued keyword fields whose values a document carries as one code, in the order
/// a search asks for them: counting the code's combinations and spreading them over the fields
/// at the end reads one two-byte code a match instead of four columns, and counts one value
/// instead of four.
pub(crate) const COMBINED_FIELDS: [&str; 4] = ["source", "lang", "tlp", "grade"];
/// A combination's ordinal of a field the document has no value of.
const NO_VALUE: u32 = u32::MAX;

/// One segment's combinations of [`COMBINED_FIELDS`] values.
pub(crate) struct SegmentCombos {
    /// Per document, its combination.
    codes: Vec<u16>,
    /// Per combination, each field's term ordinal ([`NO_VALUE`]: none).
    combos: Vec<[u32; 4]>,
}

/// Runs of rising sequence numbers a segment may have for [`SeqRuns`].
const MAX_SEQ_RUNS: usize = 4096;

/// One segment's days: each document's day as an offset from the segment's first (the day of
/// its date column's least value).
pub(crate) struct SegmentDays {
    offsets: Vec<u16>,
}

/// Documents decoded at once while warming.
const WARM_CHUNK: usize = 4096;

/// A segment's documents in chunks for warming: (first document, how many).
fn warm_chunks(max_doc: u32) -> impl Iterator<Item = (u32, usize)> {
    (0..max_doc)
        .step_by(WARM_CHUNK)
        .map(move |start| (start, (max_doc - start).min(WARM_CHUNK as u32) as usize))
}

impl SegmentWarmer {
    pub(crate) fn get(&self, segment: tantivy::index::SegmentId) -> Option<std::sync::Arc<SegmentFacts>> {
        self.segments.read().ok()?.get(&segment).cloned()
    }

    /// The days of a segment whose documents all have one date and whose dates span at most
    /// 65,536 days (else the column is read at search time).
    fn days(segment: &SegmentReader, field: &str) -> tantivy::Result<Option<SegmentDays>> {
        let column = segment.fast_fields().date(field)?;
        if !matches!(column.index, ColumnIndex::Full) || segment.max_doc() == 0 {
            return Ok(None);
        }
        let first_day = column.min_value().into_timestamp_secs().div_euclid(DAY_SECONDS);
        let last_day = column.max_value().into_timestamp_secs().div_euclid(DAY_SECONDS);
        if last_day - first_day > i64::from(u16::MAX) {
            return Ok(None);
        }
        let mut offsets = Vec::with_capacity(segment.max_doc() as usize);
        let mut chunk = vec![tantivy::DateTime::MIN; WARM_CHUNK];
        for (start, len) in warm_chunks(segment.max_doc()) {
            column.values.get_range(u64::from(start), &mut chunk[..len]);
            offsets.extend(
                chunk[..len]
                    .iter()
                    .map(|date| (date.into_timestamp_secs().div_euclid(DAY_SECONDS) - first_day) as u16),
            );
        }
        Ok(Some(SegmentDays { offsets }))
    }

    /// The combinations of [`COMBINED_FIELDS`] values of a segment's documents, when every
    /// field holds at most one value a document and there are at most 65,536 combinations.
    fn combos(segment: &SegmentReader) -> tantivy::Result<Option<SegmentCombos>> {
        let mut columns = Vec::with_capacity(COMBINED_FIELDS.len());
        for name in COMBINED_FIELDS {
            match segment.fast_fields().str(name)? {
                Some(column) if !matches!(column.ords().index, ColumnIndex::Multivalued(_)) => {
                    columns.push(column)
                }
                _ => return Ok(None),
            }
        }
        let mut known: HashMap<[u32; 4], u16> = HashMap::new();
        let mut combos = Vec::new();
        let mut codes = Vec::with_capacity(segment.max_doc() as usize);
        let mut values = vec![[NO_VALUE; 4]; WARM_CHUNK];
        let mut docs: Vec<DocId> = Vec::with_capacity(WARM_CHUNK);
        let mut firsts = vec![None; WARM_CHUNK];
        for (start, len) in warm_chunks(segment.max_doc()) {
            docs.clear();
            docs.extend(start..start + len as u32);
            for (field, column) in columns.iter().enumerate() {
                column.ords().first_vals(&docs, &mut firsts[..len]);
                for (value, first) in values.iter_mut().zip(&firsts[..len]) {
                    value[field] = first.map_or(NO_VALUE, |ord| ord as u32);
                }
            }
            for value in &values[..len] {
                let code = match known.get(value) {
                    Some(&code) => code,
                    None => {
                        let Ok(code) = u16::try_from(combos.len()) else { return Ok(None) };
                        known.insert(*value, code);
                        combos.push(*value);
                        code
                    }
                };
                codes.push(code);
            }
        }
        Ok(Some(SegmentCombos { codes, combos }))
    }

    /// The runs of rising sequence numbers of a segment (none when documents lack one, or the
    /// runs are too many to be worth keeping), and with several runs every document's number.
    fn seq_runs(segment: &SegmentReader) -> tantivy::Result<SeqRuns> {
        let column = segment.fast_fields().u64(crate::schema::SEQ_FIELD)?;
        if !matches!(column.index, ColumnIndex::Full) {
            return Ok(SeqRuns::default());
        }
        let least = column.min_value();
        let narrow = column.max_value() - least <= u64::from(u32::MAX);
        let mut runs = SeqRuns::default();
        let mut offsets = Vec::with_capacity(if narrow { segment.max_doc() as usize } else { 0 });
        let mut chunk = vec![0u64; WARM_CHUNK];
        let mut previous: Option<u64> = None;
        for (start, len) in warm_chunks(segment.max_doc()) {
            column.values.get_range(u64::from(start), &mut chunk[..len]);
            for (offset, &seq) in chunk[..len].iter().enumerate() {
                if previous.is_none_or(|p| seq <= p) && runs.starts.len() <= MAX_SEQ_RUNS {
                    runs.starts.push(start + offset as u32);
                    runs.least.push(seq);
                }
                previous = Some(seq);
            }
            if narrow {
                offsets.extend(chunk[..len].iter().map(|&seq| (seq - least) as u32));
            }
        }
        if runs.starts.len() > MAX_SEQ_RUNS {
            return Ok(SeqRuns::default());
        }
        if narrow && runs.starts.len() > 1 {
            runs.offsets = Some((least, offsets));
        }
        Ok(runs)
    }
}

impl tantivy::Warmer for SegmentWarmer {
    fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            if self.get(id).is_some() {
                continue;
            }
            let facts = SegmentFacts {
                days: SegmentWarmer::days(segment, crate::schema::DATE_FIELD)?,
                seq: SegmentWarmer::seq_runs(segment)?,
                combos: SegmentWarmer::combos(segment)?,
            };
            if let Ok(mut segments) = self.segments.write() {
                segments.insert(id, std::sync::Arc::new(facts));
            }
        }
        Ok(())
    }

    fn garbage_collect(&self, live: &[&tantivy::SearcherGeneration]) {
        if let Ok(mut segments) = self.segments.write() {
            segments.retain(|id, _| live.iter().any(|generation| generation.segments().contains_key(id)));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use muninn_model::{AdmiraltyGrade, ItemDraft, LanguageTag, Markings, SourceId, Timestamp, Tlp};
    use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig};

    use crate::{SearchIndex, SearchRequest, Visibility};

    /// Past the threshold, the indicator facet is sampled and its candidates recounted from
    /// their postings: the same list, with the same counts, as counting every match.
    #[test]
    fn sampled_facets_give_exact_counts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = EmbeddedStore::open(&dir.path().join("data"), StoreConfig::default()).expect("store");
        let items = (0..3000u32)
            .map(|n| {
                // Indicator k is carried by one item in k + 1 (k up to 40): a clear order.
                let body: Vec<String> =
                    (0..40u32).filter(|k| n % (k + 1) == 0).map(|k| format!("198.51.100.{k}")).collect();
                ItemDraft {
                    source: SourceId::new("feed").expect("source"),
                    collected_at: Timestamp::from_second(1_780_000_000 + i64::from(n)).expect("time"),
                    event_time: None,
                    title: Some(format!("item {n}")),
                    body: format!("report {}", body.join(" ")),
                    language: LanguageTag::new("en").ok(),
                    markings: Markings::tlp(Tlp::Clear),
                    grade: AdmiraltyGrade::UNASSESSED,
                    raw: None,
                    attributes: BTreeMap::new(),
                }
                .into_item()
            })
            .collect();
        store.append(AppendBatch { items, checkpoints: Vec::new(), ..Default::default() }).expect("append");
        let mut index = SearchIndex::open(&dir.path().join("index")).expect("index");
        index.sync(&store).expect("sync");
        let query =
            muninn_query::parse("*", Timestamp::from_second(1_790_000_000).expect("now")).expect("query");
        let everything = Visibility::everything();
        let request = SearchRequest {
            query: &query,
            visibility: &everything,
            limit: 5,
            after: None,
            facets: true,
            histogram: false,
        };
        let exact = index.search(&request).expect("search").facets.expect("facets");
        index.facet_exact_docs = 128;
        let sampled = index.search(&request).expect("search").facets.expect("facets");
        index.facet_exact_docs = 0;
        let all_sampled = index.search(&request).expect("search").facets.expect("facets");
        assert_eq!(exact.indicator.len(), 20);
        assert_eq!(exact.indicator[0], ("198.51.100.0".to_owned(), 3000));
        assert_eq!(sampled.indicator, exact.indicator);
        assert_eq!(all_sampled.indicator, exact.indicator);
        assert_eq!(sampled.source, exact.source);
        // Every other item matches (no run of consecutive matches): each posting is checked.
        let half = muninn_query::parse(
            "indicator:198.51.100.1",
            Timestamp::from_second(1_790_000_000).expect("now"),
        )
        .expect("query");
        let request_half = SearchRequest { query: &half, ..request };
        index.facet_exact_docs = u32::MAX;
        let exact_half = index.search(&request_half).expect("search").facets.expect("facets");
        index.facet_exact_docs = 0;
        let sampled_half = index.search(&request_half).expect("search").facets.expect("facets");
        assert_eq!(exact_half.indicator[0], ("198.51.100.0".to_owned(), 1500));
        assert_eq!(sampled_half.indicator, exact_half.indicator);

        // Segments searched as ranges of 100 documents on the search threads: the same pages,
        // totals, facets and histogram as one task per segment.
        index.facet_exact_docs = super::EXACT_DOCS;
        let now = Timestamp::from_second(1_790_000_000).expect("now");
        for text in ["*", "report", "198.51.100.3 OR 198.51.100.5", "item -198.51.100.2"] {
            let query = muninn_query::parse(text, now).expect("query");
            let mut after = None;
            loop {
                let request = SearchRequest {
                    query: &query,
                    visibility: &everything,
                    limit: 250,
                    after,
                    facets: true,
                    histogram: true,
                };
                index.range_docs = crate::search::RANGE_DOCS;
                let whole = index.search(&request).expect("search");
                index.range_docs = 100;
                let ranged = index.search(&request).expect("search");
                assert_eq!(ranged, whole, "{text}");
                match whole.next {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
        }
    }
}
