//! Prometheus-mätvärden / metrics in the Prometheus text format: request counts by route template
//! and status, a latency histogram by route, and the age of the latest indicator run.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Histogram bucket upper bounds, seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request metrics.
#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

impl Metrics {
    /// Count one request.
    pub fn record(&self, route: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests.entry((route.to_owned(), status)).or_default() += 1;
        let h = m.latency.entry(route.to_owned()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The exposition text; `run_age` is the latest run's age in seconds, if there is a run.
    pub fn render(&self, run_age: Option<f64>) -> String {
        let mut out = String::new();
        let Ok(m) = self.inner.lock() else {
            return out;
        };
        out.push_str("# HELP vardhub_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE vardhub_http_requests_total counter\n");
        for ((route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "vardhub_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP vardhub_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE vardhub_http_request_duration_seconds histogram\n");
        for (route, h) in &m.latency {
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "vardhub_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "vardhub_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "vardhub_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "vardhub_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP vardhub_latest_run_age_seconds Age of the latest indicator run (absent: no run).\n",
        );
        out.push_str("# TYPE vardhub_latest_run_age_seconds gauge\n");
        if let Some(age) = run_age {
            let _ = writeln!(out, "vardhub_latest_run_age_seconds {age}");
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_are_cumulative() {
        let m = Metrics::default();
        m.record("/health", 200, 0.002);
        m.record("/health", 200, 0.2);
        m.record("/health", 503, 0.2);
        let t = m.render(Some(12.5));
        assert!(t.contains("vardhub_http_requests_total{route=\"/health\",status=\"200\"} 2"));
        assert!(t.contains("le=\"0.005\"} 1"));
        assert!(t.contains("le=\"0.25\"} 3"));
        assert!(t.contains("le=\"+Inf\"} 3"));
        assert!(t.contains("vardhub_latest_run_age_seconds 12.5"));
    }
}
