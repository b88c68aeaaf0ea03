//! The work ecrscan does per request, without I/O: Slack signatures, reading a
//! slash command's form, the command parser, SNS signatures with a cached certificate, EventBridge events, and
//! rendering a large scan into Slack messages.
//!
//! `cargo bench --bench hot_paths`; `cargo test` runs each once (criterion's test mode).

use std::hint::black_box;

use axum::http::{HeaderMap, HeaderValue};
use criterion::{Criterion, criterion_group, criterion_main};
use ecrscan::http::slack::commands::SlashCommand;
use ecrscan::http::slack::verify::{sign, verify};
use ecrscan::http::sns::testing::{AWS_CERT, aws_cert, aws_fixture, aws_message, sent_at};
use ecrscan::http::sns::{Certificate, SnsMessage, verify_signature};
use ecrscan::language::parse;
use ecrscan::scan::events::parse_event;
use ecrscan::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity};
use ecrscan::scan::image::Image;
use ecrscan::service::publish::{Thread, layout, render};
use ecrscan::store::ScanRecord;
use secrecy::SecretString;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// A slash command body as Slack sends it (the example of Slack's guide, with our command).
fn command_body(text: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "xyzz0WbapA4vBCDEFasx0q6G"),
        ("team_id", "T1DC2JH3J"),
        ("team_domain", "testteamnow"),
        ("channel_id", "G8PSS9T3V"),
        ("channel_name", "foobar"),
        ("user_id", "U2CERLKJA"),
        ("user_name", "roadrunner"),
        ("command", "/ecrscan"),
        ("text", text),
        (
            "response_url",
            "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
        ),
        (
            "trigger_id",
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        ),
    ])
    .unwrap()
}

fn slack_signature(c: &mut Criterion) {
    let body = command_body("help");
    let timestamp = "1531420618";
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-slack-request-timestamp",
        HeaderValue::from_static(timestamp),
    );
    let signature = sign(SECRET, timestamp, body.as_bytes());
    headers.insert(
        "x-slack-signature",
        HeaderValue::from_str(&signature).unwrap(),
    );
    let secrets = vec![SecretString::from(SECRET)];
    let now = 1_531_420_618;
    assert_eq!(verify(&secrets, &headers, body.as_bytes(), now), Ok(()));
    c.bench_function("slack_signature/valid", |b| {
        b.iter(|| {
            verify(
                black_box(&secrets),
                &headers,
                black_box(body.as_bytes()),
                now,
            )
        })
    });
    let mut forged = body.clone().into_bytes();
    forged[10] ^= 1;
    c.bench_function("slack_signature/forged", |b| {
        b.iter(|| verify(black_box(&secrets), &headers, black_box(&forged), now))
    });
}

fn command_parsing(c: &mut Criterion) {
    let forms = [
        ("help", "help"),
        ("now_one_tag", "now web-latest"),
        (
            "now_three_images",
            "now web-latest example:proxy-latest other@sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6",
        ),
        (
            "schedule_weekly_options",
            "schedule weekly web-latest at 06:10 tz Asia/Tokyo",
        ),
        (
            "schedule_cron",
            "schedule cron(10 6 ? * MON *) example:web-latest",
        ),
        ("subscribe_min", "subscribe example:web-* min=high"),
        ("typo", "nwo web-latest"),
    ];
    let mut group = c.benchmark_group("command_parse");
    for (name, text) in forms {
        group.bench_function(name, |b| b.iter(|| parse(black_box(text))));
    }
    group.finish();
    let body = command_body("schedule weekly web-latest at 06:10 tz Asia/Tokyo");
    c.bench_function("slash_command_form", |b| {
        b.iter(|| SlashCommand::from_form(black_box(body.as_bytes())))
    });
}

fn sns_signature(c: &mut Criterion) {
    let cert = aws_cert();
    let mut group = c.benchmark_group("sns_verify_cached_cert");
    for (name, fixture) in [
        ("v1_sha1", "test-notification-no-subject.json"),
        ("v2_sha256", "test-notification-signature-v2.json"),
    ] {
        let raw = aws_fixture(fixture);
        let msg = aws_message(fixture);
        let at = sent_at(&msg);
        assert_eq!(verify_signature(&msg, &cert, at), Ok(()));
        group.bench_function(name, |b| {
            b.iter(|| verify_signature(black_box(&msg), &cert, at))
        });
        // What a request costs with the certificate cached: parse the body, then verify.
        group.bench_function(format!("{name}_from_body"), |b| {
            b.iter(|| {
                let msg = SnsMessage::from_json(black_box(&raw)).unwrap();
                verify_signature(&msg, &cert, at)
            })
        });
    }
    group.finish();
    // A cache miss: parsing the PEM certificate.
    let pem = aws_fixture(AWS_CERT);
    c.bench_function("sns_certificate_from_pem", |b| {
        b.iter(|| Certificate::from_pem(black_box(&pem)))
    });
}

fn event_parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_event");
    for (name, fixture) in [
        ("ecr_image_scan", "ecr-image-scan.basic.awsdocs.json"),
        ("inspector2_scan", "inspector2-scan.ecr.awsdocs.json"),
        (
            "ecr_image_action_other",
            "ecr-image-action.push.awsdocs.json",
        ),
    ] {
        let path = format!(
            "{}/tests/fixtures/events/{fixture}",
            env!("CARGO_MANIFEST_DIR")
        );
        let event = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        parse_event(&event).unwrap();
        group.bench_function(name, |b| b.iter(|| parse_event(black_box(&event))));
    }
    group.finish();
}

/// `n` findings spread over the severities as a large image's are (few critical,
/// many medium and low), each with a package, a version, a score and a link.
fn findings(n: usize, offset: usize) -> Vec<Finding> {
    let severity = |i: usize| match i % 20 {
        0 => Severity::Critical,
        1..=4 => Severity::High,
        5..=11 => Severity::Medium,
        12..=17 => Severity::Low,
        18 => Severity::Informational,
        _ => Severity::Undefined,
    };
    (offset..offset + n)
        .map(|i| Finding {
            id: format!("CVE-2026-{i:05}"),
            severity: severity(i),
            package: Some(format!("libexample{}", i % 300)),
            version: Some(format!("1.{}.{}-3+deb12u{}", i % 17, i % 9, i % 4)),
            fixed_in: (i % 3 == 0).then(|| format!("1.{}.{}-4", i % 17, i % 9 + 1)),
            cvss: Some((i % 100) as f64 / 10.0),
            uri: Some(format!(
                "https://security-tracker.debian.org/tracker/CVE-2026-{i:05}"
            )),
            fix_available: false,
            exploit_available: false,
            epss: None,
        })
        .collect()
}

fn report(findings: Vec<Finding>) -> ScanReport {
    ScanReport {
        image: Image {
            repository: "example".into(),
            digest: "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6"
                .into(),
            tags: vec!["web-latest".into()],
        },
        kind: ScanKind::Basic,
        status: ScanStatus::Complete,
        completed_at: chrono::DateTime::from_timestamp(1_795_000_000, 0),
        findings,
    }
}

fn rendering(c: &mut Criterion) {
    let first = report(findings(2_000, 0));
    // The previous scan: 1,900 of the same findings and 100 since fixed.
    let previous = ScanRecord {
        repository: "example".into(),
        image_key: "tag:web-latest".into(),
        digest: "sha256:0000".into(),
        scanned_at: 1_794_000_000,
        changed_at: 1_794_000_000,
        kind: ScanKind::Basic,
        findings: findings(2_000, 100),
    };
    let messages = layout(
        render(&first, None, Severity::Undefined, &[]).unwrap(),
        Thread::New,
        false,
    );
    assert!(messages.len() > 2, "{} messages", messages.len());
    let mut group = c.benchmark_group("render_2000_findings");
    group.bench_function("first_scan", |b| {
        b.iter(|| {
            let rendered = render(black_box(&first), None, Severity::Undefined, &[]).unwrap();
            layout(rendered, Thread::New, false)
        })
    });
    group.bench_function("rescan_with_changes", |b| {
        b.iter(|| {
            let rendered =
                render(black_box(&first), Some(&previous), Severity::Undefined, &[]).unwrap();
            layout(rendered, Thread::Existing, false)
        })
    });
    group.bench_function("min_high", |b| {
        b.iter(|| {
            let rendered = render(black_box(&first), None, Severity::High, &[]).unwrap();
            layout(rendered, Thread::New, false)
        })
    });
    // The planned messages are stored with the job as JSON before posting.
    group.bench_function("first_scan_to_json", |b| {
        b.iter(|| {
            let rendered = render(black_box(&first), None, Severity::Undefined, &[]).unwrap();
            serde_json::to_string(&layout(rendered, Thread::New, false)).unwrap()
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    slack_signature,
    command_parsing,
    sns_signature,
    event_parsing,
    rendering
);
criterion_main!(benches);
