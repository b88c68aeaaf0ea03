//! `rescan_burst` and `first_scan_burst`: basic scan results for many images
//! of one channel, against a Slack stand-in that holds posts to Slack's pace.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_ecr::Client;
use aws_smithy_mocks::{MockResponse, Rule, mock};
use ecrscan::aws::report_from_json;
use ecrscan::scan::image::Image;
use ecrscan::store::{Jobs, ScanRecord, Threads, connect};
use serde_json::{Value, json};

use crate::Channel;
use crate::common::slack::{SlackStandIn, Taken};
use crate::common::{CHANNEL, COMPLETED_AT, Service, finding, findings_page, ok, scan_event};

/// The most messages people may see in the channel for a rescan burst with
/// two new CRITICALs (as the integration test of the same burst holds it).
const VISIBLE_AT_MOST: usize = 3;
/// How long the channel must stay quiet to count as settled: longer than a
/// digest's head waits to be refreshed, and than a post waits for the pace.
const QUIET: Duration = Duration::from_secs(4);

/// One run's figures.
pub struct Run {
    pub notifications: usize,
    /// From just before the first notification until the last message taken.
    pub to_last_message: Duration,
    pub channel: Channel,
}

fn digest_of(i: usize) -> String {
    format!("sha256:{i:064x}")
}

fn tag_of(i: usize) -> String {
    format!("reg-{i:03}")
}

/// Image `i`'s findings as ECR lists them: three HIGH ones every image has,
/// and a CRITICAL of its own when `critical`.
fn findings_json(i: usize, critical: bool) -> String {
    let mut findings: Vec<Value> = (0..3)
        .map(|n| finding(&format!("CVE-2026-{n:05}"), "HIGH", n))
        .collect();
    if critical {
        findings.push(finding(&format!("CVE-2026-9{i:04}"), "CRITICAL", i));
    }
    findings_page(&digest_of(i), &findings, None).to_string()
}

/// `DescribeImageScanFindings` answering each image with its findings.
fn ecr(pages: HashMap<String, String>) -> Rule {
    let pages = Arc::new(pages);
    mock!(Client::describe_image_scan_findings).then_compute_response(move |request| {
        let digest = request.image_id().and_then(|id| id.image_digest());
        MockResponse::Http(ok(&pages[digest.unwrap_or_default()]))
    })
}

/// `images` rescans after a scan of each (a thread in the channel, its three
/// HIGH findings in the scan history); two rescans bring a new CRITICAL.
pub async fn rescan_burst(images: usize) -> Run {
    let changed = [images * 17 / 200, images * 123 / 200];
    let pages = (0..images).map(|i| (digest_of(i), findings_json(i, changed.contains(&i))));
    let rule = ecr(pages.collect());
    let slack = SlackStandIn::start(true).await;
    let service = Service::start(slack, &[&rule], &[]).await;
    scanned_before(&service, images).await;

    let start = notify(&service, images).await;
    let slack = &service.slack;
    let summaries = |taken: &[Taken]| {
        let refreshed = taken.iter().filter(|t| t.method == "chat.update");
        let seeded = refreshed.filter_map(|t| {
            t.body["ts"]
                .as_str()
                .filter(|ts| ts.starts_with("1600000000."))
        });
        seeded.collect::<std::collections::HashSet<_>>().len() == images
    };
    slack.wait_until(Duration::from_secs(300), summaries).await;
    let taken = slack.settled(QUIET).await;
    let channel = Channel::of(&taken, slack.rate_limited());
    assert!(channel.visible <= VISIBLE_AT_MOST, "{channel:?}");
    assert_eq!(channel.rate_limited, 0, "no post went faster than the pace");
    let said: String = (taken.iter().filter(|t| t.visible()))
        .map(|t| now_says(&taken, t))
        .collect();
    for i in changed {
        let (image, cve) = (
            format!("example:{}", tag_of(i)),
            format!("CVE-2026-9{i:04}"),
        );
        assert!(
            said.contains(&cve),
            "{cve} of {image} is named in the channel"
        );
    }
    finish(&service, start, &taken, images, channel)
}

/// `scans` first scans into one channel: every image's summary and details.
pub async fn first_scan_burst(scans: usize) -> Run {
    let pages = (0..scans).map(|i| (digest_of(i), findings_json(i, i == 0)));
    let rule = ecr(pages.collect());
    let service = Service::start(SlackStandIn::start(true).await, &[&rule], &[]).await;

    let start = notify(&service, scans).await;
    let slack = &service.slack;
    let every_image = |taken: &[Taken]| {
        let everything: String = taken.iter().map(Taken::everything).collect();
        let named = |i| everything.contains(&format!("example:{}", tag_of(i)));
        (0..scans).all(named)
    };
    slack
        .wait_until(Duration::from_secs(600), every_image)
        .await;
    let taken = slack.settled(QUIET).await;
    let channel = Channel::of(&taken, slack.rate_limited());
    assert_eq!(channel.rate_limited, 0, "no post went faster than the pace");
    assert!(channel.posts >= 2 * scans.min(5), "{channel:?}");
    finish(&service, start, &taken, scans, channel)
}

fn finish(service: &Service, start: Instant, taken: &[Taken], n: usize, channel: Channel) -> Run {
    service.slack.assert_within_limits();
    let last = taken.iter().map(|t| t.at).max().unwrap();
    Run {
        notifications: n,
        to_last_message: last - start,
        channel,
    }
}

/// What a message says now: its last update, if it had any.
fn now_says(taken: &[Taken], message: &Taken) -> String {
    let mut updates = taken.iter().filter(|t| t.method == "chat.update");
    let last = updates.rfind(|u| u.body["ts"] == message.ts.as_str());
    last.unwrap_or(message).everything()
}

/// One `ECR Image Scan` notification for each of `images`, one after another
/// (signed beforehand); returns when the first was sent.
async fn notify(service: &Service, images: usize) -> Instant {
    let bodies: Vec<String> = (0..images)
        .map(|i| {
            let counts = json!({ "HIGH": 3 });
            let event = scan_event("example", &digest_of(i), &tag_of(i), counts);
            service.notification(&format!("scan-{i}"), &event)
        })
        .collect();
    let http = reqwest::Client::new();
    let start = Instant::now();
    for body in bodies {
        assert_eq!(service.deliver(&http, body).await, 200);
    }
    start
}

/// What an earlier scan of each image left behind: its thread in the
/// channel, and its findings (as ECR listed them) in the scan history.
async fn scanned_before(service: &Service, images: usize) {
    let store = connect(&service.database_url).await.unwrap();
    for i in 0..images {
        let key = format!("tag:{}", tag_of(i));
        let ts = format!("1600000000.{i:06}");
        store
            .save_image_thread("example", &key, CHANNEL, &ts)
            .await
            .unwrap();
        let image = Image {
            repository: "example".into(),
            digest: digest_of(i),
            tags: vec![tag_of(i)],
        };
        let report = report_from_json(image, &findings_json(i, false)).unwrap();
        let record = ScanRecord {
            repository: "example".into(),
            image_key: key,
            digest: digest_of(i),
            scanned_at: COMPLETED_AT - 86_400,
            changed_at: COMPLETED_AT - 7 * 86_400,
            kind: report.kind,
            findings: report.findings,
        };
        store.save_plan(0, "{}", Some(&record)).await.unwrap();
    }
}
