//! Prometheus metrics: one process-wide registry, recorded where the work happens,
//! served on `GET /metrics` in the OpenMetrics text format.
//!
//! The registry is a process global ([`metrics()`]) rather than a field of the app
//! state: the Slack client and the AWS ports record into it, and tests build their
//! own ports, so a handle threaded through every constructor would buy nothing.
//! Labels come from fixed sets only: route templates (never raw paths), Web API
//! method and IAM action names, outcomes and refusal reasons, all `&'static str`
//! except the route, which axum takes from the router's own templates.

use std::borrow::Cow;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::app::AppState;

/// What `GET /metrics` answers with.
pub const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The route label of a request that matched no route (never the raw path).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// A route template, as a label value.
type Route = Cow<'static, str>;

/// The routes ecrscan serves, so that labelling a request allocates nothing
/// (any other template is labelled too, with a copy).
const ROUTES: [&str; 6] = [
    "/slack/commands",
    "/slack/interactions",
    "/sns",
    "/healthz",
    "/readyz",
    "/metrics",
];

const PREFIX: &str = "ecrscan";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignatureLabels {
    source: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SlackCallLabels {
    method: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AwsCallLabels {
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// 5 ms to about 20 s, doubling: HTTP answers, Slack and AWS calls alike.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 13))
}

/// The process's metric families and the registry that encodes them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<RequestLabels, Counter>,
    http_duration: Histograms<RouteLabels>,
    signature_failures: Family<SignatureLabels, Counter>,
    slack_calls: Family<SlackCallLabels, Counter>,
    slack_duration: Histograms<MethodLabels>,
    aws_calls: Family<AwsCallLabels, Counter>,
    aws_duration: Histograms<OperationLabels>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process-wide metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix(PREFIX),
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(latency_histogram),
            signature_failures: Family::default(),
            slack_calls: Family::default(),
            slack_duration: Family::new_with_constructor(latency_histogram),
            aws_calls: Family::default(),
            aws_duration: Family::new_with_constructor(latency_histogram),
        };
        let r = &mut m.registry;
        r.register(
            "http_requests",
            "HTTP requests answered, by route template and status",
            m.http_requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by route template",
            Unit::Seconds,
            m.http_duration.clone(),
        );
        r.register(
            "signature_failures",
            "Requests refused by signature verification, by source and reason",
            m.signature_failures.clone(),
        );
        r.register(
            "slack_calls",
            "Slack Web API calls, by method and outcome",
            m.slack_calls.clone(),
        );
        r.register_with_unit(
            "slack_call_duration",
            "Time of a Slack Web API call, by method",
            Unit::Seconds,
            m.slack_duration.clone(),
        );
        r.register(
            "aws_calls",
            "AWS API calls, by IAM action and outcome",
            m.aws_calls.clone(),
        );
        r.register_with_unit(
            "aws_call_duration",
            "Time of an AWS API call (every page and retry), by IAM action",
            Unit::Seconds,
            m.aws_duration.clone(),
        );
        m
    }

    /// One HTTP request answered on `route` (a route template) with `status`.
    pub fn http_request(&self, route: impl Into<Route>, status: u16, elapsed: Duration) {
        let route = route.into();
        self.http_duration
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(elapsed.as_secs_f64());
        self.http_requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
    }

    /// A request refused by the signature check of `source` (`slack`, `sns`).
    pub fn signature_failure(&self, source: &'static str, reason: &'static str) {
        self.signature_failures
            .get_or_create(&SignatureLabels { source, reason })
            .inc();
    }

    /// One Slack Web API call (`chat.postMessage`, ...) and how it went.
    pub fn slack_call(&self, method: &'static str, outcome: &'static str, elapsed: Duration) {
        self.slack_duration
            .get_or_create(&MethodLabels { method })
            .observe(elapsed.as_secs_f64());
        self.slack_calls
            .get_or_create(&SlackCallLabels { method, outcome })
            .inc();
    }

    /// One AWS call (`ecr:StartImageScan`, ...) and how it went.
    pub fn aws_call(&self, operation: &'static str, outcome: &'static str, elapsed: Duration) {
        self.aws_duration
            .get_or_create(&OperationLabels { operation })
            .observe(elapsed.as_secs_f64());
        self.aws_calls
            .get_or_create(&AwsCallLabels { operation, outcome })
            .inc();
    }

    /// The exposition: every family, then the outbox gauges when the store answered.
    pub fn render(&self, outbox: Option<Outbox>) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode_registry(&mut text, &self.registry);
        if let Some(outbox) = outbox {
            let _ = encode_registry(&mut text, &outbox.registry());
        }
        let _ = encode_eof(&mut text);
        text
    }
}

/// The job queue as of one scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outbox {
    /// Jobs pending or running.
    pub depth: u64,
    /// Seconds since the oldest pending job was stored; 0 when none is pending.
    pub oldest_age_secs: i64,
}

impl Outbox {
    /// From [`Jobs::queue_stats`](crate::store::Jobs::queue_stats), at `now` (Unix seconds).
    pub fn at(now: i64, depth: u64, oldest_created_at: Option<i64>) -> Self {
        Outbox {
            depth,
            oldest_age_secs: oldest_created_at.map_or(0, |created| (now - created).max(0)),
        }
    }

    fn registry(&self) -> Registry {
        let mut registry = Registry::with_prefix(PREFIX);
        let depth = Gauge::<i64>::default();
        depth.set(i64::try_from(self.depth).unwrap_or(i64::MAX));
        let age = Gauge::<i64>::default();
        age.set(self.oldest_age_secs);
        registry.register("outbox_depth", "Jobs pending or running", depth);
        registry.register_with_unit(
            "outbox_oldest_age",
            "Age of the oldest pending job (0 when none)",
            Unit::Seconds,
            age,
        );
        registry
    }
}

/// Middleware on every route: counts and times each request by route template and status.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(Cow::Borrowed(UNMATCHED_ROUTE), |path| {
            route_label(path.as_str())
        });
    let started = Instant::now();
    let response = next.run(request).await;
    metrics().http_request(route, response.status().as_u16(), started.elapsed());
    response
}

fn route_label(template: &str) -> Route {
    ROUTES
        .into_iter()
        .find(|route| *route == template)
        .map_or_else(|| Cow::Owned(template.to_string()), Cow::Borrowed)
}

/// `GET /metrics`: the outbox gauges are read from the store at scrape time.
pub async fn serve(State(state): State<AppState>) -> Response {
    let outbox = match state.store.queue_stats().await {
        Ok((depth, oldest)) => Some(Outbox::at(chrono::Utc::now().timestamp(), depth, oldest)),
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "cannot read the job queue for /metrics"
            );
            None
        }
    };
    (
        [(CONTENT_TYPE, CONTENT_TYPE_OPENMETRICS)],
        metrics().render(outbox),
    )
        .into_response()
}

#[cfg(test)]
mod tests;
