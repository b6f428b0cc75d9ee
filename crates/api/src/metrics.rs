//! Prometheus metrics: requests by route and status class, latency histograms by route,
//! requests shed, audit entries written.

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
