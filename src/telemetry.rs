//! Logging, set up once: `RUST_LOG` filters, `ECRSCAN_LOG_FORMAT=json` for JSON
//! lines; and the span every request logs in.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,ecrscan=info,aws_config=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let json = std::env::var("ECRSCAN_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The layer that gives every request a span: its method, its route template
/// (never the raw path) and a request id, so that every line a request logs can
/// be told apart from another's.
pub fn request_trace() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http().make_span_with(request_span as RequestSpan)
}

/// How [`request_trace`] makes a request's span.
pub type RequestSpan = fn(&Request<Body>) -> Span;

fn request_span(request: &Request<Body>) -> Span {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id = NEXT_ID.fetch_add(1, Ordering::Relaxed),
    )
}
