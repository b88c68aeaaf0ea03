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
//! maximum; `cargo test` runs each case once and checks every message arrived,
//! each within Slack's limits.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_ecr::Client;
use aws_smithy_mocks::mock;
use ecrscan::aws::report_from_json;
use ecrscan::scan::findings::{ScanKind, Severity};
use ecrscan::scan::image::Image;
use ecrscan::service::publish::{Thread, layout, render};
use ecrscan::store::ScanRecord;
use serde_json::{Value, json};

use common::slack::SlackStandIn;
use common::{COMPLETED_AT, Service, findings_page, ok, spread};

const FINDINGS: usize = 2_000;
const PAGE: usize = 1_000;
const DIGEST: &str = "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6";

fn main() {
    let Some(benchmarking) = common::selected("notification", &[]) else {
        return;
    };
    let (warmups, runs) = if benchmarking { (3, 30) } else { (0, 1) };
    common::runtime().block_on(async {
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
    service: Service,
    report_json: String,
    http: reqwest::Client,
    next_id: Mutex<usize>,
}

impl Bench {
    async fn start() -> Bench {
        let pages = findings_pages();
        let first_page = pages[0].clone();
        let second_page = pages[1].clone();
        let first = mock!(Client::describe_image_scan_findings)
            .match_requests(|r| r.next_token().is_none())
            .then_http_response(move || ok(&first_page));
        let second = mock!(Client::describe_image_scan_findings)
            .match_requests(|r| r.next_token().is_some())
            .then_http_response(move || ok(&second_page));
        let settings = [
            // Every result in its own thread: no digest folding.
            ("ECRSCAN_DIGEST_THRESHOLD", "1000000"),
            // ecrscan's own work, not Slack's pace: the stand-in takes every
            // message at once (the bursts bench measures the pace).
            ("ECRSCAN_POSTS_PER_SECOND", "1000000"),
        ];
        let slack = SlackStandIn::start(false).await;
        Bench {
            service: Service::start(slack, &[&first, &second], &settings).await,
            report_json: all_findings_json(),
            http: reqwest::Client::new(),
            next_id: Mutex::new(0),
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
        let body = self
            .service
            .notification(&format!("bench-{id}"), &scan_event(tag));
        let slack = &self.service.slack;
        slack.reset();

        let start = Instant::now();
        let status = self.service.deliver(&self.http, body).await;
        let acknowledged = start.elapsed();
        assert_eq!(status, 200);
        let taken = slack.wait_for(expected, Duration::from_secs(30)).await;
        // Nothing more may follow.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(slack.taken().len(), expected, "messages taken for {tag}");
        slack.assert_within_limits();
        Timing {
            acknowledged,
            first_message: taken[0].at.duration_since(start),
            last_message: taken[taken.len() - 1].at.duration_since(start),
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
            kind: ScanKind::Basic,
            findings: report.findings.clone(),
        };
        let (previous, thread) = match case {
            Case::FirstScan => (None, Thread::New),
            Case::Rescan => (Some(&previous), Thread::Existing),
        };
        let rendered = render(&report, previous, Severity::Undefined, &[]).unwrap();
        layout(rendered, thread, false).len()
    }
}

fn report(case: Case, timings: &[Timing]) {
    let stats = |pick: fn(&Timing) -> Duration| {
        let values: Vec<f64> = timings
            .iter()
            .map(|t| pick(t).as_secs_f64() * 1000.0)
            .collect();
        spread(&values)
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
    let counts = json!({ "CRITICAL": 100, "HIGH": 400, "MEDIUM": 700, "LOW": 600, "INFORMATIONAL": 100, "UNDEFINED": 100 });
    common::scan_event("example", DIGEST, tag, counts)
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
    common::finding(&format!("CVE-2026-{i:05}"), severity, i)
}

/// The two pages of `DescribeImageScanFindings`, as JSON on the wire.
fn findings_pages() -> Vec<String> {
    let all: Vec<Value> = (0..FINDINGS).map(finding).collect();
    all.chunks(PAGE)
        .enumerate()
        .map(|(n, chunk)| {
            let more = (n + 1) * PAGE < FINDINGS;
            let next = more.then(|| ((n + 1) * PAGE).to_string());
            findings_page(DIGEST, chunk, next).to_string()
        })
        .collect()
}

/// Every finding in one response, for laying out the expected messages.
fn all_findings_json() -> String {
    let all: Vec<Value> = (0..FINDINGS).map(finding).collect();
    findings_page(DIGEST, &all, None).to_string()
}
