//! End to end: from an SNS notification arriving to the last Slack message
//! accepted, for an image with 2,000 findings.
//!
//! ecrscan runs in this process (as the integration tests start it), on a fresh
//! SQLite file, with every system it talks to replaced by a local stand-in:
//! ECR by aws-smithy-mocks (the real SDK, answering `DescribeImageScanFindings`
//! from wire-format JSON in two pages of 1,000), Slack's Web API by a small axum
//! server on loopback that takes every message at once, and the SNS certificate
//! origin by another. Measured, per notification: from just before the signed
//! notification is POSTed to `/sns` until the stand-in has taken the last
//! message of the result. That span holds ecrscan's own work (verification, the
//! job stored and claimed, both findings pages parsed by the SDK, the previous
//! scan read, rendering, the plan and every post's progress written to SQLite)
//! plus loopback HTTP and the stand-ins' own (small) time, which is not
//! subtracted.
//!
//! `cargo bench --bench notification` runs 3 warm-ups and 30 measured
//! notifications per case and prints the median, the 90th percentile and the
//! maximum; `cargo test` runs each case once and checks every message arrived.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_ecr::Client;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use ecrscan::aws::Ports;
use ecrscan::aws::{SdkEcr, SdkScheduler, report_from_json};
use ecrscan::config::Settings;
use ecrscan::http::sns::testing::{own_fixture, own_notification, serve_app, sign};
use ecrscan::scan::findings::Severity;
use ecrscan::scan::image::Image;
use ecrscan::service::publish::{Thread, layout, render};
use ecrscan::startup::Application;
use ecrscan::store::ScanRecord;
use serde_json::{Value, json};
use tokio::sync::Notify;

const FINDINGS: usize = 2_000;
const PAGE: usize = 1_000;
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ecr-scan-results";
const DIGEST: &str = "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6";
const CHANNEL: &str = "C0BENCH";
const COMPLETED_AT: i64 = 1_795_000_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    // `cargo test NAME` passes NAME on: run only when it names this bench.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "notification".contains(f.as_str())) {
        return;
    }
    let (warmups, runs) = if benchmarking { (3, 30) } else { (0, 1) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let bench = Bench::start().await;
        println!("notification of an image with {FINDINGS} findings, SNS POST to last Slack message taken:");
        for case in [Case::FirstScan, Case::Rescan] {
            let timings = bench.measure(case, warmups, runs).await;
            report(case, &timings);
        }
    });
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Case {
    /// The tag's first scan: a new thread (summary, then the details as replies).
    FirstScan,
    /// The same 2,000 findings again: the thread's parent refreshed, the
    /// summary and the details as replies, after comparing with the previous scan.
    Rescan,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::FirstScan => "first_scan",
            Case::Rescan => "rescan_same_findings",
        }
    }
}

/// One notification's timings, from just before the POST.
struct Timing {
    acknowledged: Duration,
    first_message: Duration,
    last_message: Duration,
    messages: usize,
}

struct Bench {
    address: String,
    slack: SlackStandIn,
    cert_url: String,
    report_json: String,
    http: reqwest::Client,
    next_id: Mutex<usize>,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn start() -> Bench {
        let slack = SlackStandIn::start().await;
        let sns_origin = serve_app(Router::new().route(
            "/SimpleNotificationService-bench.pem",
            get(|| async { own_fixture("signing-cert.pem") }),
        ))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let env = [
            ("SLACK_SIGNING_SECRET", "bench-secret".to_string()),
            ("SLACK_BOT_TOKEN", "xoxb-bench".to_string()),
            ("SLACK_API_URL", format!("{}/api/", slack.origin)),
            (
                "DATABASE_URL",
                format!("sqlite://{}/bench.db", dir.path().display()),
            ),
            ("PORT", "0".to_string()),
            ("ECRSCAN_CHANNEL", CHANNEL.to_string()),
            ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC.to_string()),
            (
                "ECRSCAN_INSECURE_SNS_CERT_ORIGIN",
                sns_origin.as_str().trim_end_matches('/').to_string(),
            ),
            // Every result in its own thread: no digest folding.
            ("ECRSCAN_DIGEST_THRESHOLD", "1000000".to_string()),
            // ecrscan's own work, not Slack's pace: the stand-in takes every
            // message at once (the bursts bench measures the pace).
            ("ECRSCAN_POSTS_PER_SECOND", "1000000".to_string()),
        ];
        let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone());
        let settings = Settings::from_lookup(lookup).unwrap();
        let pages = findings_pages();
        let first_page = pages[0].clone();
        let second_page = pages[1].clone();
        let first = mock!(Client::describe_image_scan_findings)
            .match_requests(|r| r.next_token().is_none())
            .then_http_response(move || ok(&first_page));
        let second = mock!(Client::describe_image_scan_findings)
            .match_requests(|r| r.next_token().is_some())
            .then_http_response(move || ok(&second_page));
        let ecr = mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &[&first, &second]);
        let scheduler = mock_client!(aws_sdk_scheduler, RuleMode::MatchAny, &[]);
        let ports = Ports {
            ecr: Arc::new(SdkEcr::new(ecr)),
            scheduler: Arc::new(SdkScheduler::new(scheduler)),
        };
        let app = Application::build(settings, ports).await.unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Bench {
            address,
            slack,
            cert_url: format!("{sns_origin}SimpleNotificationService-bench.pem"),
            report_json: all_findings_json(),
            http: reqwest::Client::new(),
            next_id: Mutex::new(0),
            _dir: dir,
        }
    }

    async fn measure(&self, case: Case, warmups: usize, runs: usize) -> Vec<Timing> {
        if case == Case::Rescan {
            // The previous scan of the tag.
            let expected = self.expected(Case::FirstScan, "web-latest");
            self.notify("web-latest", expected).await;
        }
        let mut timings = Vec::new();
        for run in 0..warmups + runs {
            let tag = match case {
                Case::FirstScan => format!("first-{run}"),
                Case::Rescan => "web-latest".to_string(),
            };
            let timing = self.notify(&tag, self.expected(case, &tag)).await;
            if run >= warmups {
                timings.push(timing);
            }
        }
        timings
    }

    /// Posts one signed notification for `tag` and waits for the `expected`
    /// messages of its result.
    async fn notify(&self, tag: &str, expected: usize) -> Timing {
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        let mut msg = own_notification(TOPIC, &self.cert_url);
        msg.message_id = format!("bench-{id}");
        msg.message = scan_event(tag).to_string();
        msg.timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        sign(&mut msg, "signing-key.pem");
        let body = serde_json::to_string(&msg).unwrap();
        self.slack.reset();

        let start = Instant::now();
        let answer = self
            .http
            .post(format!("{}/sns", self.address))
            .header("x-amz-sns-message-type", "Notification")
            .body(body)
            .send()
            .await
            .unwrap();
        let acknowledged = start.elapsed();
        assert_eq!(answer.status(), 200);
        let taken = self.slack.wait_for(expected).await;
        // Nothing more may follow.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let taken_now = self.slack.taken();
        assert_eq!(taken_now.len(), expected, "messages taken for {tag}");
        Timing {
            acknowledged,
            first_message: taken[0].duration_since(start),
            last_message: taken[taken.len() - 1].duration_since(start),
            messages: taken.len(),
        }
    }

    /// How many messages a result for `tag` is: laid out by ecrscan's own pure
    /// functions from the same findings.
    fn expected(&self, case: Case, tag: &str) -> usize {
        let image = Image {
            repository: "example".into(),
            digest: DIGEST.into(),
            tags: vec![tag.into()],
        };
        let report = report_from_json(image, &self.report_json).unwrap();
        let previous = ScanRecord {
            repository: "example".into(),
            image_key: format!("tag:{tag}"),
            digest: DIGEST.into(),
            scanned_at: COMPLETED_AT,
            changed_at: COMPLETED_AT,
            kind: ecrscan::scan::findings::ScanKind::Basic,
            findings: report.findings.clone(),
        };
        let (previous, thread) = match case {
            Case::FirstScan => (None, Thread::New),
            Case::Rescan => (Some(&previous), Thread::Existing),
        };
        let rendered = render(&report, previous, Severity::Undefined).unwrap();
        layout(rendered, thread, false).len()
    }
}

fn report(case: Case, timings: &[Timing]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = |pick: fn(&Timing) -> Duration| {
        let mut values: Vec<f64> = timings.iter().map(|t| ms(pick(t))).collect();
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
        (at(0.5), at(0.9), values[values.len() - 1])
    };
    let (ack50, _, _) = stats(|t| t.acknowledged);
    let (first50, _, _) = stats(|t| t.first_message);
    let (p50, p90, max) = stats(|t| t.last_message);
    println!(
        "{}: {} messages; last message taken: median {p50:.1} ms, p90 {p90:.1} ms, max {max:.1} ms \
         (SNS answered at {ack50:.1} ms, first message at {first50:.1} ms; n={})",
        case.name(),
        timings[0].messages,
        timings.len()
    );
}

/// An `ECR Image Scan` event (COMPLETE) for `example:<tag>`.
fn scan_event(tag: &str) -> Value {
    json!({
        "version": "0",
        "id": "85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        "detail-type": "ECR Image Scan",
        "source": "aws.ecr",
        "account": "123456789012",
        "time": "2026-11-20T02:36:48Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ecr:us-east-1:123456789012:repository/example"],
        "detail": {
            "scan-status": "COMPLETE",
            "repository-name": "example",
            "finding-severity-counts": { "CRITICAL": 100, "HIGH": 400, "MEDIUM": 700, "LOW": 600, "INFORMATIONAL": 100, "UNDEFINED": 100 },
            "image-digest": DIGEST,
            "image-tags": [tag],
        }
    })
}

/// Basic findings as ECR sends them, spread over the severities as a large
/// image's are (few critical, many medium and low).
fn finding(i: usize) -> Value {
    let severity = match i % 20 {
        0 => "CRITICAL",
        1..=4 => "HIGH",
        5..=11 => "MEDIUM",
        12..=17 => "LOW",
        18 => "INFORMATIONAL",
        _ => "UNDEFINED",
    };
    json!({
        "name": format!("CVE-2026-{i:05}"),
        "uri": format!("https://security-tracker.debian.org/tracker/CVE-2026-{i:05}"),
        "severity": severity,
        "attributes": [
            { "key": "package_version", "value": format!("1.{}.{}-3+deb12u{}", i % 17, i % 9, i % 4) },
            { "key": "package_name", "value": format!("libexample{}", i % 300) },
            { "key": "CVSS2_VECTOR", "value": "AV:N/AC:L/Au:N/C:P/I:P/A:P" },
            { "key": "CVSS2_SCORE", "value": format!("{:.1}", (i % 100) as f64 / 10.0) },
        ],
    })
}

fn response(findings: &[Value], next_token: Option<String>) -> Value {
    let mut page = json!({
        "registryId": "123456789012",
        "repositoryName": "example",
        "imageId": { "imageDigest": DIGEST, "imageTag": "web-latest" },
        "imageScanStatus": { "status": "COMPLETE", "description": "The scan was completed successfully." },
        "imageScanFindings": {
            "imageScanCompletedAt": COMPLETED_AT,
            "vulnerabilitySourceUpdatedAt": COMPLETED_AT - 3600,
            "findings": findings,
            "findingSeverityCounts": {},
        },
    });
    if let Some(token) = next_token {
        page["nextToken"] = json!(token);
    }
    page
}

/// The two pages of `DescribeImageScanFindings`, as JSON on the wire.
fn findings_pages() -> Vec<String> {
    let all: Vec<Value> = (0..FINDINGS).map(finding).collect();
    all.chunks(PAGE)
        .enumerate()
        .map(|(n, chunk)| {
            let more = (n + 1) * PAGE < FINDINGS;
            response(chunk, more.then(|| ((n + 1) * PAGE).to_string())).to_string()
        })
        .collect()
}

/// Every finding in one response, for laying out the expected messages.
fn all_findings_json() -> String {
    let all: Vec<Value> = (0..FINDINGS).map(finding).collect();
    response(&all, None).to_string()
}

fn ok(body: &str) -> Response {
    Response::new(
        StatusCode::try_from(200).unwrap(),
        SdkBody::from(body.to_string()),
    )
}

/// Slack's Web API on loopback: takes every message at once, answering as Slack
/// does, and notes when each was taken.
#[derive(Clone, Default)]
struct SlackStandIn {
    origin: String,
    taken: Arc<Mutex<Vec<Instant>>>,
    arrived: Arc<Notify>,
}

impl SlackStandIn {
    async fn start() -> SlackStandIn {
        let stand_in = SlackStandIn::default();
        let state = stand_in.clone();
        let app = Router::new().route(
            "/api/{method}",
            post(move |Path(method): Path<String>, body: String| {
                let state = state.clone();
                async move { state.take(&method, &body) }
            })
            .get(|| async { axum::Json(json!({ "ok": true, "messages": [], "has_more": false })) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        SlackStandIn { origin, ..stand_in }
    }

    fn take(&self, method: &str, body: &str) -> axum::Json<Value> {
        let at = Instant::now();
        let body: Value = serde_json::from_str(body).unwrap_or_default();
        let count = {
            let mut taken = self.taken.lock().unwrap();
            taken.push(at);
            taken.len()
        };
        self.arrived.notify_one();
        let ts = match method {
            "chat.update" => body["ts"].as_str().unwrap_or_default().to_string(),
            _ => format!("1700000000.{count:06}"),
        };
        let channel = body["channel"].clone();
        let mut message = body;
        message["type"] = json!("message");
        message["ts"] = json!(ts);
        message["user"] = json!("U0BOT");
        message["bot_id"] = json!("B0BOT");
        axum::Json(json!({ "ok": true, "channel": channel, "ts": ts, "message": message }))
    }

    fn reset(&self) {
        self.taken.lock().unwrap().clear();
    }

    fn taken(&self) -> Vec<Instant> {
        self.taken.lock().unwrap().clone()
    }

    /// Waits until `count` messages were taken (at most 30 s).
    async fn wait_for(&self, count: usize) -> Vec<Instant> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let notified = self.arrived.notified();
            let taken = self.taken();
            if taken.len() >= count {
                return taken;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {count} messages within 30 s",
                taken.len()
            );
            let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
        }
    }
}
