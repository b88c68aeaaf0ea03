//! Test data and the limits assertion shared by the renderers' tests.

use chrono::{TimeZone, Utc};
use slack_morphism::prelude::*;

use crate::scan::findings::{Finding, ScanKind, ScanReport, ScanStatus, Severity};
use crate::scan::image::{Image, ImageId};
use crate::schedule::{Expression, ScanSchedule};
use crate::slack::limits;

/// A finding with a package, a version and a CVE link.
pub fn finding(id: &str, severity: Severity) -> Finding {
    Finding {
        id: id.into(),
        severity,
        package: Some("openssl".into()),
        version: Some("1.1.1k".into()),
        fixed_in: None,
        cvss: None,
        uri: Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
        fix_available: false,
        exploit_available: false,
        epss: None,
    }
}

/// `n` findings, cycling through every severity.
pub fn many(n: usize) -> Vec<Finding> {
    (0..n)
        .map(|i| {
            let severity = Severity::ALL[i % Severity::ALL.len()];
            let mut f = finding(&format!("CVE-2024-{i:05}"), severity);
            f.package = Some(format!("package-{i}"));
            f.cvss = Some((i % 100) as f64 / 10.0);
            f
        })
        .collect()
}

/// A finding whose every field is absurdly long and full of mrkdwn characters.
pub fn absurd(i: usize) -> Finding {
    let long = |s: &str| s.repeat(2000);
    Finding {
        id: format!("{i}{}", long("CVE-<&>")),
        severity: Severity::Critical,
        package: Some(long("pkg<b>&")),
        version: Some(long("1.0&")),
        fixed_in: Some(long("2.0>")),
        cvss: Some(9.8),
        uri: Some(format!("https://example.com/{}", long("a&b"))),
        fix_available: false,
        exploit_available: false,
        epss: None,
    }
}

/// The image `example:web-latest`.
pub fn image() -> Image {
    Image {
        repository: "example".into(),
        digest: "sha256:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b".into(),
        tags: vec!["web-latest".into()],
    }
}

/// A completed basic scan of [`image`] with `findings`.
pub fn report(findings: Vec<Finding>) -> ScanReport {
    ScanReport {
        image: image(),
        kind: ScanKind::Basic,
        status: ScanStatus::Complete,
        completed_at: Some(Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()),
        findings,
    }
}

/// Panics with every problem when `content` breaks one of Slack's limits.
pub fn assert_within_limits(content: &SlackMessageContent) {
    if let Err(problems) = limits::check(content) {
        panic!(
            "the message breaks Slack's limits:\n{}",
            problems.join("\n")
        );
    }
}

/// Panics with every problem when `view` breaks one of Slack's limits.
pub fn assert_view_within_limits(view: &SlackView) {
    if let Err(problems) = limits::check_view(view) {
        panic!("the view breaks Slack's limits:\n{}", problems.join("\n"));
    }
}

/// Every text a reader sees in `content`, in order, joined by newlines.
pub fn visible_text(content: &SlackMessageContent) -> String {
    let json = serde_json::to_value(content).unwrap();
    let mut texts = Vec::new();
    collect_texts(&json["blocks"], &mut texts);
    texts.join("\n")
}

fn collect_texts(value: &serde_json::Value, texts: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("text", serde_json::Value::String(s)) => texts.push(s.clone()),
                    _ => collect_texts(value, texts),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_texts(v, texts)),
        _ => {}
    }
}

/// A weekly schedule of `repository:tag` (Mondays 06:10, Tokyo).
pub fn weekly(repository: &str, tag: &str) -> ScanSchedule {
    let expression = Expression::parse_aws("cron(10 6 ? * MON *)").unwrap();
    ScanSchedule::for_image(
        "ecrscan",
        (repository, &ImageId::Tag(tag.into())),
        (&expression, chrono_tz::Asia::Tokyo),
        "arn:aws:iam::1:role/s",
        "Created from Slack by U1 on 2024-05-01".into(),
    )
}
