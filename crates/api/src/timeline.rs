//! The timeline of an entity: how many items mention it per day (the index's `entity` field,
//! under a visibility), and the same counts by week. One function for the entity route and page
//! (under the caller's visibility) and `muninn entity profile` (under the local operator's), so
//! the two cannot count differently.

use muninn_index::{IndexError, SearchIndex, SearchRequest, Visibility};
use muninn_model::Timestamp;
use muninn_query::{Field, Query};

/// Items per day, oldest first: (`YYYY-MM-DD`, count); days without a mention are left out.
pub type Timeline = Vec<(String, u64)>;

/// The days on which the visible items naming the entity `name` (a name or alias of the
/// gazetteer) were dated, with their counts; `None` when the gazetteer has no such entity.
pub fn entity_timeline(
    index: &SearchIndex,
    name: &str,
    visibility: &Visibility,
) -> Result<Option<Timeline>, IndexError> {
    let query = Query::Phrase { field: Some(Field::Entity), text: name.trim().to_owned() };
    let request =
        SearchRequest { query: &query, visibility, limit: 1, after: None, facets: false, histogram: true };
    let results = match index.search(&request) {
        Err(IndexError::UnknownEntity(_)) => return Ok(None),
        other => other?,
    };
    Ok(Some(
        results
            .histogram
            .iter()
            .filter(|(_, count)| *count > 0)
            .map(|(day, count)| (day_of(*day), *count))
            .collect(),
    ))
}

fn day_of(at: Timestamp) -> String {
    jiff::tz::TimeZone::UTC.to_datetime(at).date().to_string()
}

/// The same counts by ISO week (Monday first), each week named by its Monday, oldest first.
/// Days that do not parse are left out.
pub fn by_week(days: &[(String, u64)]) -> Timeline {
    let mut weeks: Timeline = Vec::new();
    for (day, count) in days {
        let Ok(date) = day.parse::<jiff::civil::Date>() else { continue };
        let back = i64::from(date.weekday().to_monday_zero_offset());
        let Ok(monday) = date.checked_sub(jiff::Span::new().days(back)) else { continue };
        let monday = monday.to_string();
        match weeks.iter_mut().find(|(week, _)| *week == monday) {
            Some((_, total)) => *total += count,
            None => weeks.push((monday, *count)),
        }
    }
    weeks.sort();
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_add_up_by_iso_week_named_by_monday() {
        let days: Vec<(String, u64)> = [
            ("2024-12-30", 1), // a Monday, in ISO week 1 of 2025
            ("2025-01-05", 2), // the Sunday of that week
            ("2025-01-06", 4), // the next Monday
            ("2024-02-29", 8), // a Thursday of a leap year
            ("not a day", 16),
        ]
        .iter()
        .map(|(day, n)| ((*day).to_owned(), *n))
        .collect();
        let expected: Vec<(String, u64)> = [("2024-02-26", 8), ("2024-12-30", 3), ("2025-01-06", 4)]
            .iter()
            .map(|(day, n)| ((*day).to_owned(), *n))
            .collect();
        assert_eq!(by_week(&days), expected);
        assert!(by_week(&[]).is_empty());
    }
}
