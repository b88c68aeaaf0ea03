use chrono::TimeZone;

use super::*;
use crate::scan::findings::{Finding, ScanKind, Severity};
use crate::slack::blocks::testing::weekly;
use crate::store::ScanRecord;

fn record(tag: &str, findings: Vec<Finding>) -> ScanRecord {
    ScanRecord {
        repository: "example".into(),
        image_key: format!("tag:{tag}"),
        digest: "sha256:1".into(),
        scanned_at: 1_790_000_000,
        changed_at: 1_790_000_000,
        kind: ScanKind::Basic,
        findings,
    }
}

#[test]
fn each_image_gets_its_next_scheduled_scan_its_change_and_a_channel_thread() {
    let histories = vec![ImageHistory {
        latest: record("web-latest", vec![Finding::new("CVE-1", Severity::High)]),
        previous: Some(record("web-latest", vec![])),
    }];
    let thread = |channel: &str| ImageThread {
        repository: "example".into(),
        image_key: "tag:web-latest".into(),
        channel: channel.into(),
        ts: "1700000000.000001".into(),
    };
    let threads = [thread("U0001"), thread("C0001")];
    let schedules = [weekly("example", "web-latest"), weekly("example", "other")];
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
    let postures = postures_of(histories, &threads, &schedules, now);
    assert_eq!(postures.len(), 1);
    let p = &postures[0];
    assert_eq!(p.image.display_name(), "example:web-latest");
    assert_eq!(p.change, Some(vec![(Severity::High, 1)]));
    assert_eq!(p.thread, Some(("C0001".into(), "1700000000.000001".into())));
    // Mondays 06:10 in Tokyo: Sunday 21:10 UTC.
    let next = Utc.with_ymd_and_hms(2026, 12, 6, 21, 10, 0).unwrap();
    assert_eq!(p.next_scan, Some(next));
}
