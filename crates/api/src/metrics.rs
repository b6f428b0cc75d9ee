//! Prometheus metrics: requests by route and status class, latency histograms by route,
//! requests shed; and for administrators, gauges of the store, the index, alerts and the audit
//! trail ([`DataGauges`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default, Clone)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
    /// Requests refused because the server was at capacity.
    pub shed: AtomicU64,
}

impl Metrics {
    /// Records one answered request of `route` (its path pattern, never the raw path: ids
    /// would make unbounded label sets).
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else { return };
        let stats = routes.entry(route.to_owned()).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        stats.count += 1;
        stats.sum_seconds += seconds;
        for (bucket, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, uptime_seconds: f64) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP muninn_uptime_seconds Seconds since the server started.");
        let _ = writeln!(out, "# TYPE muninn_uptime_seconds gauge");
        let _ = writeln!(out, "muninn_uptime_seconds {uptime_seconds:.3}");
        let _ = writeln!(out, "# HELP muninn_requests_shed_total Requests refused at capacity (503).");
        let _ = writeln!(out, "# TYPE muninn_requests_shed_total counter");
        let _ = writeln!(out, "muninn_requests_shed_total {}", self.shed.load(Ordering::Relaxed));
        let Ok(routes) = self.routes.lock() else { return out };
        let _ = writeln!(out, "# HELP muninn_http_requests_total Requests answered, by route and status.");
        let _ = writeln!(out, "# TYPE muninn_http_requests_total counter");
        for (route, stats) in routes.iter() {
            for (status, count) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "muninn_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        let _ = writeln!(out, "# HELP muninn_http_request_duration_seconds Request latency by route.");
        let _ = writeln!(out, "# TYPE muninn_http_request_duration_seconds histogram");
        for (route, stats) in routes.iter() {
            for (bucket, bound) in stats.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "muninn_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {bucket}"
                );
            }
            let _ = writeln!(
                out,
                "muninn_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                stats.count
            );
            let _ = writeln!(
                out,
                "muninn_http_request_duration_seconds_sum{{route=\"{route}\"}} {:.6}",
                stats.sum_seconds
            );
            let _ = writeln!(
                out,
                "muninn_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                stats.count
            );
        }
        out
    }
}

/// Gauges of what the server holds. They count every organisation's material, so only
/// administrators get them (anyone may read the request counters): a count is as much an
/// answer about invisible items as a search hit. Each is O(1) or a few file sizes: nothing
/// scans items or alerts, which is why alerts are not counted by state.
#[derive(Debug, Clone, PartialEq)]
pub struct DataGauges {
    /// The store's own figures (items, by TLP, sources, log size, last sequence number).
    pub store: muninn_store::StoreStats,
    /// Documents in the committed index.
    pub index_documents: u64,
    /// The log sequence number the index reaches.
    pub index_last_seq: u64,
    /// Alerts stored, in every state.
    pub alerts: u64,
    /// Entries of the audit trail.
    pub audit_entries: u64,
}

impl DataGauges {
    /// Reads the gauges (blocking: file sizes and record tables).
    pub fn read(state: &crate::AppState) -> crate::ApiResult<DataGauges> {
        let (store, alerts, audit_entries) = state.read_store(|store| {
            let stats = store.stats()?;
            let alerts = store.document_count(crate::catalog::ALERT_TABLE)?;
            let head = crate::state::stored_head(store)?;
            Ok((stats, alerts, head.next_seq))
        })?;
        let (index_documents, index_last_seq) =
            state.read_index(|index| Ok((index.doc_count(), index.last_seq())))?;
        Ok(DataGauges { store, index_documents, index_last_seq, alerts, audit_entries })
    }

    /// Appends the gauges in the Prometheus text format.
    pub fn render_into(&self, out: &mut String) {
        let store = &self.store;
        let gauges: [(&str, &str, u64); 10] = [
            ("muninn_store_items", "Distinct items stored.", store.items),
            ("muninn_store_sources", "Sources defined.", store.sources),
            ("muninn_store_log_bytes", "Bytes in the item log.", store.log_bytes),
            ("muninn_store_log_segments", "Segment files of the item log.", store.log_segments),
            ("muninn_store_last_seq", "The last log sequence number written.", store.last_seq),
            ("muninn_index_documents", "Items in the committed full-text index.", self.index_documents),
            ("muninn_index_last_seq", "The log sequence number the index reaches.", self.index_last_seq),
            (
                "muninn_index_lag_seq",
                "Log entries written that the index has not reached yet.",
                store.last_seq.saturating_sub(self.index_last_seq),
            ),
            ("muninn_alerts", "Alerts stored, in every state.", self.alerts),
            ("muninn_audit_entries", "Entries of the audit trail.", self.audit_entries),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {value}");
        }
        let _ = writeln!(out, "# HELP muninn_store_items_by_tlp Items stored by TLP label.");
        let _ = writeln!(out, "# TYPE muninn_store_items_by_tlp gauge");
        for (tlp, count) in &store.by_tlp {
            let _ = writeln!(out, "muninn_store_items_by_tlp{{tlp=\"{}\"}} {count}", label_value(tlp));
        }
    }
}

/// A label value escaped as the text format requires (backslash, quote, line feed).
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
