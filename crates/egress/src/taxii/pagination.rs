//! Pagination of a collection's objects as a pure state machine: what to ask for next, what
//! cursor to persist after a page, and when to stop (done, a budget spent, or a server that
//! would keep the client busy forever).
//!
//! TAXII 2.1 (section 3.5) pages either with the server's opaque `next` or with `added_after`
//! set to the previous page's `X-TAXII-Date-Added-Last`. A server may repeat the same `next`
//! value while its own state advances (the OASIS reference server does: its `next` names a
//! session), so a repeated `next` is only an error when the page it brings repeats too.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::TaxiiError;
use super::resources::Timestamp;
use crate::url::encode_query_value;

/// Where the pull of one collection stands: what a caller persists with each page's objects, so
/// that a later pull resumes after the last page stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The server's `next` for the page after the last one stored, while a query is under way.
    pub next: Option<String>,
    /// The `added_after` filter of the query that `next` belongs to (sent again with `next`,
    /// as the server expects the same filters on every page of a query).
    pub query_added_after: Option<String>,
    /// `X-TAXII-Date-Added-Last` of the last page stored (or an earlier one, if that page had
    /// none): where a new query starts when `next` is gone or no longer valid.
    pub added_after: Option<String>,
    /// Whether the last page stored said there was nothing more.
    pub complete: bool,
}

/// The bounds of one pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullConfig {
    /// Most pages fetched; then the pull stops, resumable.
    pub max_pages: u32,
    /// Most response bytes fetched; then the pull stops, resumable.
    pub max_bytes: u64,
    /// Objects asked for per page (`limit`).
    pub page_limit: u32,
    /// Most consecutive empty pages that say `more: true` (legal once: objects may have been
    /// deleted between pages), beyond which the server is taken to be looping.
    pub max_empty_pages: u32,
}

impl Default for PullConfig {
    /// 10,000 pages, 1 GiB, 1,000 objects a page, 3 empty pages.
    fn default() -> PullConfig {
        PullConfig { max_pages: 10_000, max_bytes: 1 << 30, page_limit: 1000, max_empty_pages: 3 }
    }
}

/// Why a pull stopped without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The server said there was nothing more.
    Complete,
    /// [`PullConfig::max_pages`] pages were fetched.
    MaxPages,
    /// [`PullConfig::max_bytes`] bytes were fetched (or the next page would have passed it).
    MaxBytes,
}

impl StopReason {
    /// `complete`, `max-pages` or `max-bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Complete => "complete",
            StopReason::MaxPages => "max-pages",
            StopReason::MaxBytes => "max-bytes",
        }
    }
}

/// What to ask the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// The page after a `next`, with the filter of its query.
    Next {
        /// The server's `next`.
        next: String,
        /// The query's `added_after`.
        added_after: Option<String>,
    },
    /// A new query: objects added after a time, or all of them.
    Since {
        /// The `added_after` filter.
        added_after: Option<String>,
    },
}

impl Ask {
    /// The URL query for this request, encoded.
    pub fn query(&self, limit: u32) -> String {
        let mut query = format!("limit={limit}");
        let (next, added_after) = match self {
            Ask::Next { next, added_after } => (Some(next), added_after),
            Ask::Since { added_after } => (None, added_after),
        };
        if let Some(added_after) = added_after {
            query.push_str("&added_after=");
            query.push_str(&encode_query_value(added_after));
        }
        if let Some(next) = next {
            query.push_str("&next=");
            query.push_str(&encode_query_value(next));
        }
        query
    }
}

/// What the client learnt from one page.
#[derive(Debug, Clone, Copy)]
pub struct PageMeta<'a> {
    /// The envelope's `more`.
    pub more: bool,
    /// The envelope's `next`.
    pub next: Option<&'a str>,
    /// The `X-TAXII-Date-Added-Last` header.
    pub date_added_last: Option<&'a str>,
    /// Objects in the envelope.
    pub objects: usize,
    /// Response body bytes.
    pub bytes: u64,
    /// A hash of the body: a page seen twice in one pull means the server is looping.
    pub fingerprint: u64,
}

/// The pagination state of one pull.
#[derive(Debug, Clone)]
pub struct Pagination {
    config: PullConfig,
    cursor: Cursor,
    resumed_with_next: bool,
    seen: HashSet<u64>,
    empty_run: u32,
    pages: u32,
    bytes: u64,
    objects: u64,
}

impl Pagination {
    /// Starts from a persisted cursor (the default cursor for a first pull).
    pub fn new(start: &Cursor, config: PullConfig) -> Pagination {
        Pagination {
            config,
            cursor: start.clone(),
            resumed_with_next: start.next.is_some(),
            seen: HashSet::new(),
            empty_run: 0,
            pages: 0,
            bytes: 0,
            objects: 0,
        }
    }

    /// What to ask for now.
    pub fn ask(&self) -> Ask {
        match &self.cursor.next {
            Some(next) => {
                Ask::Next { next: next.clone(), added_after: self.cursor.query_added_after.clone() }
            }
            None => Ask::Since { added_after: self.cursor.added_after.clone() },
        }
    }

    /// Whether a budget is spent (checked before each request).
    pub fn spent(&self) -> Option<StopReason> {
        if self.pages >= self.config.max_pages {
            Some(StopReason::MaxPages)
        } else if self.bytes >= self.config.max_bytes {
            Some(StopReason::MaxBytes)
        } else {
            None
        }
    }

    /// Bytes left in the budget.
    pub fn bytes_left(&self) -> u64 {
        self.config.max_bytes.saturating_sub(self.bytes)
    }

    /// The server refused the stored `next` that this pull resumed with (it expired): start a
    /// new query from the stored `added_after` instead. Returns `false` when that does not
    /// apply (the refused `next` was not the stored one, or a page was already received).
    pub fn next_refused(&mut self) -> bool {
        if !self.resumed_with_next || self.pages > 0 {
            return false;
        }
        self.resumed_with_next = false;
        self.cursor.next = None;
        self.cursor.query_added_after = None;
        true
    }

    /// Takes in a page: checks that the server is making progress and returns the cursor to
    /// persist with the page's objects, and whether to go on.
    pub fn advance(&mut self, page: &PageMeta<'_>) -> Result<(Cursor, Option<StopReason>), TaxiiError> {
        let asked_next = self.cursor.next.clone();
        if !self.seen.insert(page.fingerprint) {
            return Err(TaxiiError::RepeatingNext {
                next: page.next.or(asked_next.as_deref()).unwrap_or("").to_owned(),
            });
        }
        let date_added_last = match page.date_added_last {
            Some(text) => Some(Timestamp::parse(text).ok_or_else(|| TaxiiError::Header {
                name: "X-TAXII-Date-Added-Last",
                value: crate::error::truncate(text, 60),
            })?),
            None => None,
        };
        if page.more && page.objects == 0 {
            self.empty_run += 1;
            if self.empty_run > self.config.max_empty_pages {
                return Err(TaxiiError::EmptyPages { count: self.empty_run });
            }
        } else {
            self.empty_run = 0;
        }
        let mut cursor = self.cursor.clone();
        let previous_since = cursor.added_after.as_deref().and_then(Timestamp::parse);
        if let Some(last) = &date_added_last
            && previous_since.as_ref().is_none_or(|since| last >= since)
        {
            cursor.added_after = Some(last.as_str().to_owned());
        }
        cursor.complete = !page.more;
        match (page.more, page.next) {
            (false, _) => {
                cursor.next = None;
                cursor.query_added_after = None;
            }
            (true, Some(next)) => {
                if asked_next.is_none() {
                    cursor.query_added_after = self.cursor.added_after.clone();
                }
                cursor.next = Some(next.to_owned());
            }
            (true, None) => {
                let progressed = match (&date_added_last, &previous_since) {
                    (Some(last), Some(since)) => last > since,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if !progressed {
                    return Err(TaxiiError::NoProgress);
                }
                cursor.next = None;
                cursor.query_added_after = None;
            }
        }
        self.pages += 1;
        self.bytes += page.bytes;
        self.objects += page.objects as u64;
        self.cursor = cursor.clone();
        let stop = if page.more { self.spent() } else { Some(StopReason::Complete) };
        Ok((cursor, stop))
    }

    /// The cursor after the last page taken in.
    pub fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    /// Pages taken in.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Bytes taken in.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Objects taken in.
    pub fn objects(&self) -> u64 {
        self.objects
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::{Cursor, PageMeta, Pagination, PullConfig};

    /// A scripted page: more, next, X-TAXII-Date-Added-Last, objects, body (its fingerprint).
    type Scripted = (bool, Option<&'static str>, Option<&'static str>, usize, u64);

    /// Runs scripted pages through the state machine: one line per request (the query asked)
    /// and what became of the page, until it stops or errs.
    fn check(start: &Cursor, config: PullConfig, pages: &[Scripted], expected: Expect) {
        let mut pagination = Pagination::new(start, config);
        let mut lines = Vec::new();
        for (more, next, last, objects, body) in pages {
            if let Some(stop) = pagination.spent() {
                lines.push(format!("stop before asking: {}", stop.as_str()));
                break;
            }
            let query = pagination.ask().query(config.page_limit);
            let meta = PageMeta {
                more: *more,
                next: *next,
                date_added_last: *last,
                objects: *objects,
                bytes: 100,
                fingerprint: *body,
            };
            match pagination.advance(&meta) {
                Ok((cursor, stop)) => {
                    lines.push(format!(
                        "{query} -> {objects} objects; persist next={:?} query_added_after={:?} added_after={:?} complete={}{}",
                        cursor.next,
                        cursor.query_added_after,
                        cursor.added_after,
                        cursor.complete,
                        stop.map(|stop| format!("; stop: {}", stop.as_str())).unwrap_or_default()
                    ));
                    if stop.is_some() {
                        break;
                    }
                }
                Err(error) => {
                    lines.push(format!("{query} -> error: {error}"));
                    break;
                }
            }
        }
        expected.assert_eq(&(lines.join("\n") + "\n"));
    }

    fn config(max_pages: u32) -> PullConfig {
        PullConfig { max_pages, max_bytes: 10_000, page_limit: 100, max_empty_pages: 2 }
    }

    const T1: Option<&str> = Some("2024-01-01T00:00:01Z");
    const T2: Option<&str> = Some("2024-01-01T00:00:02.5Z");
    const T3: Option<&str> = Some("2024-01-01T00:00:03Z");

    #[test]
    fn a_session_next_that_repeats_while_pages_progress_is_followed() {
        // The OASIS reference server's `next` names a session: the same value on every page.
        check(
            &Cursor::default(),
            config(10),
            &[(true, Some("s"), T1, 100, 1), (true, Some("s"), T2, 100, 2), (false, None, T3, 40, 3)],
            expect![[r#"
                limit=100 -> 100 objects; persist next=Some("s") query_added_after=None added_after=Some("2024-01-01T00:00:01Z") complete=false
                limit=100&next=s -> 100 objects; persist next=Some("s") query_added_after=None added_after=Some("2024-01-01T00:00:02.5Z") complete=false
                limit=100&next=s -> 40 objects; persist next=None query_added_after=None added_after=Some("2024-01-01T00:00:03Z") complete=true; stop: complete
            "#]],
        );
    }

    #[test]
    fn a_resumed_pull_repeats_the_query_filter_with_next_and_stops_at_max_pages() {
        let stored = Cursor {
            next: Some("n/2+".into()),
            query_added_after: Some("2023-12-31T00:00:00Z".into()),
            added_after: T1.map(str::to_owned),
            complete: false,
        };
        check(
            &stored,
            config(1),
            &[(true, Some("n3"), T2, 100, 1), (true, Some("n4"), T3, 100, 2)],
            expect![[r#"
                limit=100&added_after=2023-12-31T00%3A00%3A00Z&next=n%2F2%2B -> 100 objects; persist next=Some("n3") query_added_after=Some("2023-12-31T00:00:00Z") added_after=Some("2024-01-01T00:00:02.5Z") complete=false; stop: max-pages
            "#]],
        );
    }

    #[test]
    fn a_complete_cursor_asks_for_what_was_added_after_its_last_page() {
        let done = Cursor { added_after: T2.map(str::to_owned), complete: true, ..Cursor::default() };
        check(
            &done,
            config(10),
            &[(true, Some("x"), T3, 1, 1), (false, None, None, 0, 2)],
            expect![[r#"
                limit=100&added_after=2024-01-01T00%3A00%3A02.5Z -> 1 objects; persist next=Some("x") query_added_after=Some("2024-01-01T00:00:02.5Z") added_after=Some("2024-01-01T00:00:03Z") complete=false
                limit=100&added_after=2024-01-01T00%3A00%3A02.5Z&next=x -> 0 objects; persist next=None query_added_after=None added_after=Some("2024-01-01T00:00:03Z") complete=true; stop: complete
            "#]],
        );
    }

    #[test]
    fn paging_by_added_after_needs_the_date_to_advance() {
        check(
            &Cursor::default(),
            config(10),
            &[(true, None, T1, 100, 1), (true, None, T2, 100, 2), (true, None, T2, 100, 3)],
            expect![[r#"
                limit=100 -> 100 objects; persist next=None query_added_after=None added_after=Some("2024-01-01T00:00:01Z") complete=false
                limit=100&added_after=2024-01-01T00%3A00%3A01Z -> 100 objects; persist next=None query_added_after=None added_after=Some("2024-01-01T00:00:02.5Z") complete=false
                limit=100&added_after=2024-01-01T00%3A00%3A02.5Z -> error: the server says there is more but gives neither a next nor a later X-TAXII-Date-Added-Last: stopped
            "#]],
        );
    }

    #[test]
    fn hostile_servers_are_stopped() {
        // The same page again and again behind the same `next`.
        check(
            &Cursor::default(),
            config(100),
            &[(true, Some("loop"), T1, 5, 7), (true, Some("loop"), T1, 5, 7)],
            expect![[r#"
                limit=100 -> 5 objects; persist next=Some("loop") query_added_after=None added_after=Some("2024-01-01T00:00:01Z") complete=false
                limit=100&next=loop -> error: the server repeats the same page (next "loop"): stopped
            "#]],
        );
        // Empty pages that say there is more, each with a fresh `next`.
        check(
            &Cursor::default(),
            config(100),
            &[(true, Some("a"), None, 0, 1), (true, Some("b"), None, 0, 2), (true, Some("c"), None, 0, 3)],
            expect![[r#"
                limit=100 -> 0 objects; persist next=Some("a") query_added_after=None added_after=None complete=false
                limit=100&next=a -> 0 objects; persist next=Some("b") query_added_after=None added_after=None complete=false
                limit=100&next=b -> error: the server sent 3 empty pages in a row, each saying more: true: stopped
            "#]],
        );
        // More, but no `next` and no date.
        check(
            &Cursor::default(),
            config(100),
            &[(true, None, None, 3, 1)],
            expect![[r#"
                limit=100 -> error: the server says there is more but gives neither a next nor a later X-TAXII-Date-Added-Last: stopped
            "#]],
        );
        // A header that is no timestamp (or a huge one).
        check(
            &Cursor::default(),
            config(100),
            &[(true, Some("a"), Some("yesterday, more or less, give or take a few hours and minutes"), 3, 1)],
            expect![[r#"
                limit=100 -> error: invalid X-TAXII-Date-Added-Last header "yesterday, more or less, give or take a few hours and minute..."
            "#]],
        );
    }

    #[test]
    fn a_refused_stored_next_falls_back_to_added_after_once() {
        let stored =
            Cursor { next: Some("old".into()), added_after: T1.map(str::to_owned), ..Cursor::default() };
        let mut pagination = Pagination::new(&stored, config(10));
        assert_eq!(pagination.ask().query(100), "limit=100&next=old");
        assert!(pagination.next_refused());
        assert_eq!(pagination.ask().query(100), "limit=100&added_after=2024-01-01T00%3A00%3A01Z");
        assert!(!pagination.next_refused(), "only the stored next, only once");
    }
}
