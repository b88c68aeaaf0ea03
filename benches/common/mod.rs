//! What the end-to-end benches share: ecrscan started in this process (as the
//! integration tests start it) on a fresh SQLite file, with local stand-ins
//! for Slack (`slack`), ECR (aws-smithy-mocks answering JSON as ECR sends it on
//! the wire) and the SNS certificate origin (the integration tests' own,
//! `sns_harness`, which also signs the notifications); and the figures printed.

// Each bench uses a part of what they share.
#![allow(dead_code)]

pub mod slack;
#[path = "../../tests/api/sns_harness.rs"]
pub mod sns_harness;

use std::sync::Arc;

use aws_smithy_mocks::{Rule, RuleMode, mock_client};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use ecrscan::aws::{Ports, SdkEcr, SdkEcs, SdkScheduler};
use ecrscan::config::Settings;
use ecrscan::startup::Application;
use serde_json::{Value, json};

use self::slack::SlackStandIn;
use self::sns_harness::{SnsOrigin, TOPIC};
/// The channel every result goes to.
pub const CHANNEL: &str = "C0BENCH";
/// When the benches' basic scans completed.
pub const COMPLETED_AT: i64 = 1_795_000_000;

/// `Some(benchmarking)` when this bench is to run: `cargo bench` passes
/// `--bench`; `cargo test NAME` passes NAME on, and a NAME within `bench`, or
/// within one of its `cases`, runs it.
pub fn selected(bench: &str, cases: &[&str]) -> Option<bool> {
    let runs = wanted(bench, "") || cases.iter().any(|case| wanted(bench, case));
    runs.then(|| std::env::args().any(|a| a == "--bench"))
}

/// Whether `case` of `bench` is to run: no NAME was given, or one within
/// `bench` or within `case`.
pub fn wanted(bench: &str, case: &str) -> bool {
    let filters = filters();
    let within = |f: &String| bench.contains(f.as_str()) || case.contains(f.as_str());
    filters.is_empty() || filters.iter().any(within)
}

fn filters() -> Vec<String> {
    let args = std::env::args().skip(1);
    args.filter(|a| !a.starts_with('-')).collect()
}

/// A multi-threaded runtime, as the service has.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// ecrscan serving on a loopback port, with its stand-ins.
pub struct Service {
    pub address: String,
    pub slack: SlackStandIn,
    pub database_url: String,
    sns: SnsOrigin,
    _dir: tempfile::TempDir,
}

impl Service {
    /// Starts ecrscan on a fresh SQLite file, posting to `slack` and reading
    /// findings from `ecr`, with `extra` settings over the benches' own.
    pub async fn start(slack: SlackStandIn, ecr: &[&Rule], extra: &[(&str, &str)]) -> Service {
        let sns = SnsOrigin::start().await;
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}/bench.db", dir.path().display());
        let api_url = format!("{}/api/", slack.origin);
        let cert_origin = sns.origin.as_str().trim_end_matches('/').to_string();
        let mut env = vec![
            ("SLACK_SIGNING_SECRET", "bench-secret"),
            ("SLACK_BOT_TOKEN", "xoxb-bench"),
            ("SLACK_API_URL", api_url.as_str()),
            ("DATABASE_URL", database_url.as_str()),
            ("PORT", "0"),
            ("ECRSCAN_CHANNEL", CHANNEL),
            ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
            ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", cert_origin.as_str()),
        ];
        env.extend_from_slice(extra);
        let lookup = |name: &str| {
            let value = env.iter().rev().find(|(k, _)| *k == name);
            value.map(|(_, v)| v.to_string())
        };
        let settings = Settings::from_lookup(lookup).unwrap();
        let ports = Ports {
            ecr: Arc::new(SdkEcr::new(mock_client!(
                aws_sdk_ecr,
                RuleMode::MatchAny,
                ecr
            ))),
            scheduler: Arc::new(SdkScheduler::new(mock_client!(
                aws_sdk_scheduler,
                RuleMode::MatchAny,
                &[]
            ))),
            ecs: Arc::new(SdkEcs::new(mock_client!(
                aws_sdk_ecs,
                RuleMode::MatchAny,
                &[]
            ))),
            registries: Vec::new(),
        };
        let app = Application::build(settings, ports).await.unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Service {
            address,
            slack,
            database_url,
            sns,
            _dir: dir,
        }
    }

    /// The body SNS POSTs for a notification `id` carrying `event`, signed.
    pub fn notification(&self, id: &str, event: &Value) -> String {
        sns_harness::body(&self.sns.notification(id, event))
    }

    /// POSTs a notification's `body` to `/sns`; the status it was answered with.
    pub async fn deliver(&self, http: &reqwest::Client, body: String) -> u16 {
        let answer = http
            .post(format!("{}/sns", self.address))
            .header("x-amz-sns-message-type", "Notification")
            .body(body)
            .send()
            .await
            .unwrap();
        answer.status().as_u16()
    }
}

/// An `ECR Image Scan` event (COMPLETE) for `repository@digest`, tagged
/// `tag`, with the severity `counts` it announces.
pub fn scan_event(repository: &str, digest: &str, tag: &str, counts: Value) -> Value {
    let mut event = sns_harness::scan_event(repository, digest, &[tag], "COMPLETE");
    event["detail"]["finding-severity-counts"] = counts;
    event
}

/// A basic finding as ECR sends it: `id` in package `libexample<i % 300>`.
pub fn finding(id: &str, severity: &str, i: usize) -> Value {
    json!({
        "name": id,
        "uri": format!("https://security-tracker.debian.org/tracker/{id}"),
        "severity": severity,
        "attributes": [
            { "key": "package_version", "value": format!("1.{}.{}-3+deb12u{}", i % 17, i % 9, i % 4) },
            { "key": "package_name", "value": format!("libexample{}", i % 300) },
            { "key": "CVSS2_VECTOR", "value": "AV:N/AC:L/Au:N/C:P/I:P/A:P" },
            { "key": "CVSS2_SCORE", "value": format!("{:.1}", (i % 100) as f64 / 10.0) },
        ],
    })
}

/// One page of `DescribeImageScanFindings` for `example@digest`, as JSON on the wire.
pub fn findings_page(digest: &str, findings: &[Value], next_token: Option<String>) -> Value {
    let mut page = json!({
        "registryId": "123456789012",
        "repositoryName": "example",
        "imageId": { "imageDigest": digest },
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

/// An HTTP 200 from ECR with `body`.
pub fn ok(body: &str) -> Response {
    Response::new(
        StatusCode::try_from(200).unwrap(),
        SdkBody::from(body.to_string()),
    )
}

/// The median, the 90th percentile and the maximum of `values`.
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), values[values.len() - 1])
}
