//! Parsed queries (`muninn_query::Query`) into tantivy queries. Words go through the same
//! analysis as the indexed text, so a query matches what the index holds.

use std::ops::Bound;

use muninn_query::{Field, Query};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery,
    Query as TantivyQuery, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field as TantivyField, IndexRecordOption};
use tantivy::{DateTime, Term};

use crate::analysis::{fold, tokens};
use crate::schema::Fields;
use crate::{Entity, Gazetteer, IndexError, indicators};

/// Title matches count double: a word in the title says more about an item than one in its
/// text.
const TITLE_BOOST: f32 = 2.0;

pub(crate) fn translate(
    query: &Query,
    fields: &Fields,
    gazetteer: &Gazetteer,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    let recurse = |query: &Query| translate(query, fields, gazetteer);
    Ok(match query {
        Query::All => Box::new(AllQuery),
        Query::Term { field, text } | Query::Phrase { field, text } => {
            on_fields(*field, fields, |target| match target {
                Target::Text(field) => Ok(words(field, text)),
                Target::Keyword(field) => Ok(keyword(field, &text.to_lowercase())),
                Target::Indicator => Ok(Box::new(TermQuery::new(
                    indicators::key_term(fields.indicator_key, &indicators::normalise(text)),
                    IndexRecordOption::Basic,
                ))),
                Target::Entity(field) => entities(field, text, gazetteer.lookup(text)),
                Target::ItemId => match text.parse::<muninn_model::ItemId>() {
                    Ok(id) => Ok(crate::search::id_query(fields, &id)),
                    Err(_) => Err(id_error(text)),
                },
            })?
        }
        Query::Wildcard { field, pattern, .. } => on_fields(*field, fields, |target| {
            let (field, folded) = match target {
                Target::ItemId => return Err(id_error(pattern)),
                Target::Entity(field) => return entities(field, pattern, gazetteer.lookup_pattern(pattern)),
                Target::Text(field) => (field, fold(pattern)),
                Target::Keyword(field) => (field, pattern.to_lowercase()),
                Target::Indicator => {
                    // Canonical indicators are mostly lower case, some upper (`CVE-`), some as
                    // written (base58 wallets): the pattern is matched whatever the case.
                    let regex = format!("(?i){}", glob_to_regex(pattern));
                    return indicators::pattern_query(fields.indicator_key, &regex)
                        .map(|query| Box::new(query) as Box<dyn TantivyQuery>)
                        .map_err(|error| IndexError::Query(format!("wildcard {pattern:?}: {error}")));
                }
            };
            let regex = RegexQuery::from_pattern(&glob_to_regex(&folded), field)
                .map(|query| Box::new(query) as Box<dyn TantivyQuery>)
                .map_err(|error| IndexError::Query(format!("wildcard {pattern:?}: {error}")))?;
            Ok(match (target, shortened_start(&folded)) {
                // A digest's start longer than what the index keeps of it: the kept start.
                (Target::Text(_), Some(kept)) => any_of(vec![
                    regex,
                    Box::new(TermQuery::new(Term::from_field_text(field, &kept), IndexRecordOption::Basic)),
                ]),
                _ => regex,
            })
        })?,
        Query::Fuzzy { field, text, distance } => on_fields(*field, fields, |target| {
            let (field, word) = match target {
                Target::ItemId => return Err(id_error(text)),
                Target::Text(field) => {
                    (field, tokens(text).into_iter().next().map(|token| token.text).unwrap_or_default())
                }
                Target::Keyword(field) => (field, text.to_lowercase()),
                Target::Indicator => {
                    let value = indicators::normalise(text);
                    return Ok(Box::new(indicators::fuzzy_query(fields.indicator_key, &value, *distance)));
                }
                Target::Entity(_) => {
                    return Err(IndexError::Query(format!(
                        "entity:{text}~ : entities are looked up by name or alias; fuzzy matching is not supported, use a wildcard (entity:\"fancy*\")"
                    )));
                }
            };
            Ok(Box::new(FuzzyTermQuery::new(Term::from_field_text(field, &word), *distance, true)))
        })?,
        Query::DateRange(range) => {
            let bound = |bound: Bound<jiff::Timestamp>| match bound {
                Bound::Included(at) => Bound::Included(Term::from_field_date(
                    fields.date,
                    DateTime::from_timestamp_secs(at.as_second()),
                )),
                Bound::Excluded(at) => Bound::Excluded(Term::from_field_date(
                    fields.date,
                    DateTime::from_timestamp_secs(at.as_second()),
                )),
                Bound::Unbounded => Bound::Unbounded,
            };
            Box::new(RangeQuery::new(bound(range.lower), bound(range.upper)))
        }
        Query::TlpRange(range) => {
            any_of(range.labels().into_iter().map(|tlp| keyword(fields.tlp, tlp.short())).collect())
        }
        Query::Grade(filter) => {
            let digits: Vec<char> = match filter.credibility() {
                Some(digit) => vec![digit],
                None => ('1'..='6').collect(),
            };
            any_of(
                digits
                    .into_iter()
                    .map(|digit| keyword(fields.grade, &format!("{}{digit}", filter.reliability())))
                    .collect(),
            )
        }
        Query::And(clauses) => {
            let mut subqueries = Vec::with_capacity(clauses.len());
            for clause in clauses {
                match clause {
                    Query::Not(inner) => subqueries.push((Occur::MustNot, recurse(inner)?)),
                    other => subqueries.push((Occur::Must, recurse(other)?)),
                }
            }
            if subqueries.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                subqueries.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(subqueries))
        }
        Query::Or(clauses) => {
            let subqueries = clauses.iter().map(recurse).collect::<Result<Vec<_>, _>>()?;
            any_of(subqueries)
        }
        Query::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (Occur::MustNot, recurse(inner)?),
        ])),
    })
}

/// Where a word is looked for: an analysed text field, a keyword field matched exactly, the
/// indicator field (matched exactly once the value is in the extractor's canonical form), or the
/// entity field (the value is a name looked up in the gazetteer).
#[derive(Clone, Copy)]
enum Target {
    /// An item by its id (`id:`), found in the id columns.
    ItemId,
    Text(TantivyField),
    Keyword(TantivyField),
    /// The indicator values (a column), found by their keys.
    Indicator,
    Entity(TantivyField),
}

/// Runs `make` on the field a clause names, or on title and body (title boosted) for none.
fn on_fields(
    field: Option<Field>,
    fields: &Fields,
    make: impl Fn(Target) -> Result<Box<dyn TantivyQuery>, IndexError>,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    let target = match field {
        None => {
            let title = Box::new(BoostQuery::new(make(Target::Text(fields.title))?, TITLE_BOOST));
            return Ok(any_of(vec![title, make(Target::Text(fields.body))?]));
        }
        Some(Field::Title) => Target::Text(fields.title),
        Some(Field::Body) => Target::Text(fields.body),
        Some(Field::Source) => Target::Keyword(fields.source),
        Some(Field::Lang) => Target::Keyword(fields.lang),
        Some(Field::Id) => Target::ItemId,
        Some(Field::Watchlist) => {
            return Err(IndexError::Query(
                "watchlist: belongs in screening rules; to find the items a watchlist hit, list its alerts (muninn alerts --watchlist NAME)".to_owned(),
            ));
        }
        Some(Field::Indicator) => Target::Indicator,
        Some(Field::IndicatorType) => Target::Keyword(fields.indicator_type),
        Some(Field::Entity) => Target::Entity(fields.entity),
        Some(other @ (Field::Tlp | Field::Grade | Field::Date)) => {
            // The parser turns these into ranges and filters; a bare term cannot reach here.
            return Err(IndexError::Query(format!("{other}: takes a label, grade or date")));
        }
    };
    make(target)
}

/// The words of a text in an analysed field: one word is a term, several a phrase (as
/// `CVE-2021-44228` or `"fancy bear"`), none matches nothing.
fn words(field: TantivyField, text: &str) -> Box<dyn TantivyQuery> {
    let terms: Vec<(usize, Term)> = tokens(text)
        .into_iter()
        .enumerate()
        .map(|(offset, token)| (offset, Term::from_field_text(field, &token.text)))
        .collect();
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 => Box::new(TermQuery::new(terms[0].1.clone(), IndexRecordOption::WithFreqsAndPositions)),
        _ => Box::new(PhraseQuery::new_with_offset(terms)),
    }
}

/// The items that name any of `found`, the entities a value names. A value that names no
/// entity is an error rather than a query that finds nothing: a misspelt name would otherwise
/// look like an entity nobody mentions.
fn entities(
    field: TantivyField,
    value: &str,
    found: Vec<&Entity>,
) -> Result<Box<dyn TantivyQuery>, IndexError> {
    if found.is_empty() {
        return Err(IndexError::UnknownEntity(value.to_owned()));
    }
    Ok(any_of(found.into_iter().map(|entity| keyword(field, &entity.id)).collect()))
}

/// An `id:` value that is not a whole item id.
fn id_error(value: &str) -> IndexError {
    IndexError::Query(format!("id:{value} : an item id is 32 hexadecimal digits, given whole"))
}

fn keyword(field: TantivyField, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

fn any_of(queries: Vec<Box<dyn TantivyQuery>>) -> Box<dyn TantivyQuery> {
    if queries.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(BooleanQuery::new(queries.into_iter().map(|query| (Occur::Should, query)).collect()))
}

/// `*` and `?` to a regular expression over the term dictionary; everything else literal.
/// The term of the random tokens a wildcard's literal start picks out when it is longer than
/// what the index keeps of them ([`crate::analysis::RANDOM_TOKEN_KEPT`] characters): those
/// tokens are found by their kept start alone, the rest of the pattern unread.
fn shortened_start(pattern: &str) -> Option<String> {
    use crate::analysis::{RANDOM_TOKEN_KEPT, RANDOM_TOKEN_MARK};
    let literal = pattern.split(['*', '?']).next().unwrap_or_default();
    let kept = literal.get(..RANDOM_TOKEN_KEPT)?;
    let random = literal.len() > RANDOM_TOKEN_KEPT
        && literal.len() < pattern.len()
        && literal.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    random.then(|| format!("{kept}{RANDOM_TOKEN_MARK}"))
}

fn glob_to_regex(pattern: &str) -> String {
    let mut regex = String::with_capacity(pattern.len() * 2);
    for c in pattern.chars() {
        match c {
            '*' => regex.push_str(".*"),
            '?' => regex.push('.'),
            c if "\\.+()|[]{}^$#&-~".contains(c) => {
                regex.push('\\');
                regex.push(c);
            }
            c => regex.push(c),
        }
    }
    regex
}
