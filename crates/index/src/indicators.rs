//! Indicators in the index: what an item's `indicator` and `indicator_type` fields hold, and how
//! a value typed in a query is put in the same canonical form.

use std::collections::BTreeSet;

use muninn_extract::Extractor;
use muninn_model::Item;

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
