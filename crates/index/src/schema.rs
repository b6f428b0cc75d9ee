//! The index schema, version 8. Documented in the crate README; a change of fields or analysis
//! is a new version, and an index of another version is rebuilt from the log.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::analysis::TEXT_ANALYZER;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 8;

/// The index's fields.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    /// The item id's two halves as numbers: hits are read from these columns, not from stored
    /// documents (reading a stored document decompresses a block per hit), and an `id:` query
    /// scans them (an indexed term per item was a tenth of indexing: random ids share no
    /// prefixes in the term dictionary).
    pub id_high: Field,
    pub id_low: Field,
    pub seq: Field,
    pub title: Field,
    pub body: Field,
    pub source: Field,
    pub lang: Field,
    pub tlp: Field,
    pub tlp_rank: Field,
    pub grade: Field,
    pub compartment: Field,
    /// The originating organisation (the boundary of AMBER and AMBER+STRICT).
    pub originator: Field,
    /// For RED, the users it is addressed to.
    pub recipient: Field,
    /// The organisations of the originator's extra restriction (`only_orgs`, with the
    /// originator), present only on restricted items.
    pub only_org: Field,
    /// Flags of the access rule: `clients` (AMBER may reach the originator's clients),
    /// `restricted` (only `only_org` may see).
    pub access: Field,
    pub date: Field,
    /// The distinct indicators extracted from title and body, in canonical form: a column only
    /// (facets, correlation, wildcards read it); items are found by `indicator_key`.
    pub indicator: Field,
    /// Each indicator's key ([`crate::indicators::key`]): what `indicator:` and correlation
    /// look values up by.
    pub indicator_key: Field,
    /// Their kinds (`ipv4`, `domain`, `sha256`...).
    pub indicator_type: Field,
    /// The ids of the gazetteer entities named in title and body.
    pub entity: Field,
    /// Their canonical names.
    pub entity_name: Field,
}

/// The name of the field of an item's log sequence number.
pub(crate) const SEQ_FIELD: &str = "seq";
impl Fields {
    /// How an indicator value of the column is found in the inverted index: by its key.
    pub(crate) fn indicator_lookup(&self) -> crate::facets::Lookup {
        crate::facets::Lookup::IndicatorKey(self.indicator_key)
    }

    /// How an entity id of the column is found in the inverted index: as written.
    pub(crate) fn entity_lookup(&self) -> crate::facets::Lookup {
        crate::facets::Lookup::Text(self.entity)
    }
}

/// The name of the column of an item's indicator values.
pub(crate) const INDICATOR_COLUMN: &str = "indicator";
/// The name of the field of an item's date (its event time, else when it was collected).
pub(crate) const DATE_FIELD: &str = "date";

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Keywords and keys filter and count; none is scored by its length, so no field norms (a
    // byte per document and field, written for each of a dozen fields).
    let keyword_only = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    );
    let keyword = keyword_only.clone() | FAST;
    let indexed_number = NumericOptions::default().set_indexed();
    // A column only: tantivy runs a range over a fast field on its column, so a term per item
    // (every second is a new term: a third of the terms each segment's dictionary had to build)
    // served nothing.
    let date = DateOptions::default().set_fast().set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        id_high: builder.add_u64_field("id_high", FAST),
        id_low: builder.add_u64_field("id_low", FAST),
        // Fast only: read by the page collector and the cursor; a term per item (indexed) or a
        // stored document per item would be built for nothing.
        seq: builder.add_u64_field(SEQ_FIELD, FAST),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
        source: builder.add_text_field("source", keyword.clone()),
        lang: builder.add_text_field("lang", keyword.clone()),
        tlp: builder.add_text_field("tlp", keyword.clone()),
        tlp_rank: builder.add_u64_field("tlp_rank", indexed_number.clone() | FAST),
        grade: builder.add_text_field("grade", keyword.clone()),
        compartment: builder.add_text_field("compartment", keyword_only.clone()),
        originator: builder.add_text_field("originator", keyword_only.clone()),
        recipient: builder.add_text_field("recipient", keyword_only.clone()),
        only_org: builder.add_text_field("only_org", keyword_only.clone()),
        access: builder.add_text_field("access", keyword_only.clone()),
        date: builder.add_date_field(DATE_FIELD, date),
        indicator: builder.add_text_field(INDICATOR_COLUMN, TextOptions::default() | FAST),
        indicator_key: builder.add_u64_field("indicator_key", indexed_number),
        indicator_type: builder.add_text_field("indicator_type", keyword.clone()),
        entity: builder.add_text_field("entity", keyword.clone()),
        entity_name: builder.add_text_field("entity_name", keyword),
    };
    (builder.build(), fields)
}
