use chrono::{TimeZone, Utc};

use super::*;
use crate::scan::findings::{ScanKind, ScanStatus};
use crate::scan::image::Image;

fn finding(id: &str, severity: Severity) -> Finding {
    Finding {
        package: Some("openssl".into()),
        version: Some("3.0.1".into()),
        ..Finding::new(id, severity)
    }
}

fn report(findings: Vec<Finding>) -> ScanReport {
    ScanReport {
        image: Image {
            repository: "example".into(),
            digest: "sha256:1a2b3c4d5e6f7a8b9c0d".into(),
            tags: vec!["web-latest".into()],
        },
        kind: ScanKind::Basic,
        status: ScanStatus::Complete,
        completed_at: Some(Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap()),
        findings,
    }
}

fn previous(findings: Vec<Finding>) -> ScanRecord {
    ScanRecord {
        repository: "example".into(),
        image_key: "tag:web-latest".into(),
        digest: "sha256:1a2b3c4d5e6f7a8b9c0d".into(),
        scanned_at: Utc
            .with_ymd_and_hms(2026, 11, 30, 6, 0, 0)
            .unwrap()
            .timestamp(),
        changed_at: Utc
            .with_ymd_and_hms(2026, 11, 2, 6, 0, 0)
            .unwrap()
            .timestamp(),
        kind: ScanKind::Basic,
        findings,
    }
}

fn forty() -> Vec<Finding> {
    (0..40)
        .map(|i| finding(&format!("CVE-2025-{i:04}"), Severity::Medium))
        .collect()
}

fn texts(messages: &[Planned]) -> Vec<String> {
    messages
        .iter()
        .map(|m| serde_json::to_string(m).unwrap())
        .collect()
}

#[test]
fn an_unchanged_rescan_only_refreshes_the_summary_saying_since_when() {
    let rendered = render(
        &report(forty()),
        Some(&previous(forty())),
        Severity::Undefined,
        &[],
    );
    let rendered = rendered.unwrap();
    assert_eq!(rendered.outcome, Outcome::Unchanged);

    let messages = layout(rendered, Thread::Existing, false);

    assert_eq!(messages.len(), 1, "{:?}", texts(&messages));
    let Planned::UpdateParent(summary) = &messages[0] else {
        panic!("not an update: {:?}", texts(&messages));
    };
    let json = serde_json::to_string(summary).unwrap();
    assert!(
        json.contains("*unchanged since* <!date^1793599200^"),
        "{json}"
    );
}

#[test]
fn a_rescan_with_changes_replies_with_the_changes_only_and_broadcasts_a_new_critical() {
    let mut current = forty();
    current.push(finding("CVE-2026-9999", Severity::Critical));
    let rendered = render(
        &report(current),
        Some(&previous(forty())),
        Severity::Undefined,
        &[],
    );
    let rendered = rendered.unwrap();
    assert_eq!(rendered.outcome, Outcome::Changed);
    assert_eq!(rendered.criticals, ["CVE-2026-9999"]);

    let messages = layout(rendered.clone(), Thread::Existing, false);

    assert_eq!(messages.len(), 2, "{:?}", texts(&messages));
    assert!(matches!(messages[0], Planned::UpdateParent(_)));
    let Planned::Reply { content, broadcast } = &messages[1] else {
        panic!("not a reply");
    };
    assert!(broadcast, "a new CRITICAL is broadcast");
    let reply = serde_json::to_string(content).unwrap();
    assert!(reply.contains("CVE-2026-9999"), "{reply}");
    assert!(reply.contains("1 new · 40 unchanged"), "{reply}");
    assert!(
        !reply.contains("CVE-2025-0001"),
        "unchanged findings are counted, not listed"
    );

    let quiet = layout(rendered, Thread::Existing, true);
    assert!(matches!(
        quiet[1],
        Planned::Reply {
            broadcast: false,
            ..
        }
    ));
}

#[test]
fn a_first_result_opens_its_thread_with_the_summary_and_every_finding() {
    let mut current = forty();
    current.push(finding("CVE-2026-0001", Severity::Critical));
    let rendered = render(&report(current), None, Severity::Undefined, &[]).unwrap();
    assert_eq!(rendered.outcome, Outcome::First);
    assert_eq!(rendered.criticals, ["CVE-2026-0001"]);

    let messages = layout(rendered, Thread::New, false);

    assert!(matches!(messages[0], Planned::Parent(_)));
    let all = texts(&messages).join("\n");
    assert!(all.contains("CVE-2025-0039") && all.contains("Findings 1–41 of 41"));
}

#[test]
fn a_first_result_in_a_burst_goes_under_the_digest_head() {
    let rendered = render(&report(forty()), None, Severity::Undefined, &[]).unwrap();
    let head = Box::new(crate::slack::blocks::text("digest head"));

    let unposted = layout(rendered.clone(), Thread::Digest { head: Some(head) }, true);
    let posted = layout(rendered, Thread::Digest { head: None }, true);

    assert!(matches!(&unposted[0], Planned::Parent(c) if c.text.as_deref() == Some("digest head")));
    assert!(matches!(
        unposted[1],
        Planned::Reply {
            broadcast: false,
            ..
        }
    ));
    assert_eq!(posted.len(), unposted.len() - 1);
    assert!(posted.iter().all(|m| matches!(m, Planned::Reply { .. })));
}

#[test]
fn a_channel_with_a_minimum_sees_no_change_in_findings_below_it() {
    let mut current = forty();
    current.push(finding("CVE-2026-0002", Severity::Low));
    let rendered = render(
        &report(current),
        Some(&previous(forty())),
        Severity::Medium,
        &[],
    );

    assert_eq!(rendered.unwrap().outcome, Outcome::Unchanged);
}

#[test]
fn counts_of_findings_not_listed_yet_keep_to_the_channels_minimum() {
    let mut pending = report(Vec::new());
    pending.status =
        ScanStatus::FindingsPending(vec![(Severity::Critical, 7), (Severity::High, 61)]);

    let critical_only = render(&pending, None, Severity::Critical, &[]).unwrap();
    let json = serde_json::to_string(&critical_only.summary).unwrap();
    assert!(json.contains("*7 findings*"), "{json}");
    assert!(!json.contains("61 high"), "{json}");

    pending.status = ScanStatus::FindingsPending(vec![(Severity::Low, 3)]);
    assert!(render(&pending, None, Severity::High, &[]).is_none());
    let everything = render(&pending, None, Severity::Undefined, &[]).unwrap();
    assert_eq!(everything.outcome, Outcome::Pending);
}

fn ignore(vulnerability: &str, scope: Option<&str>) -> Ignore {
    Ignore {
        id: 7,
        vulnerability: vulnerability.into(),
        scope: scope.map(|s| crate::routing::ImagePattern::parse(s).unwrap()),
        until: crate::triage::Until::Fixed,
        reason: "no fix upstream yet".into(),
        created_by: "U0ALICE".into(),
        channel: "C1".into(),
        created_at: 0,
    }
}

fn visible(messages: &[Planned]) -> Vec<String> {
    use crate::slack::blocks::testing::visible_text;
    messages
        .iter()
        .map(|m| match m {
            Planned::Parent(c) | Planned::UpdateParent(c) | Planned::Reply { content: c, .. } => {
                visible_text(c)
            }
        })
        .collect()
}

#[test]
fn an_ignored_new_critical_is_neither_broadcast_nor_new_and_is_counted_apart() {
    let mut current = forty();
    current.push(finding("CVE-2024-6119", Severity::Critical));
    current.push(finding("CVE-2026-9999", Severity::Critical));
    let ignores = [ignore("CVE-2024-6119", Some("example:web-*"))];
    let rendered = render(
        &report(current.clone()),
        Some(&previous(forty())),
        Severity::Undefined,
        &ignores,
    )
    .unwrap();
    assert_eq!(rendered.criticals, ["CVE-2026-9999"]);
    assert!(
        rendered.new_critical,
        "the other new CRITICAL is still broadcast"
    );
    let messages = layout(rendered, Thread::Existing, false);
    let texts = visible(&messages);
    let Planned::Reply { broadcast, .. } = &messages[1] else {
        panic!("{texts:?}");
    };
    assert!(*broadcast);
    // Broadcast: the changes reply names the other CRITICAL, never the ignored one.
    assert!(texts[1].contains("CVE-2026-9999"), "{}", texts[1]);
    assert!(!texts[1].contains("CVE-2024-6119"), "{}", texts[1]);
    assert!(texts[0].contains("1 new"), "{}", texts[0]);
    assert!(texts[0].contains("· 1 ignored"), "{}", texts[0]);
    assert!(!texts[0].contains("CVE-2024-6119"), "{}", texts[0]);

    // Ignoring the other one too leaves nothing new: the parent is refreshed only.
    let both = [ignores[0].clone(), ignore("CVE-2026-9999", None)];
    let rendered = render(
        &report(current),
        Some(&previous(forty())),
        Severity::Undefined,
        &both,
    )
    .unwrap();
    assert_eq!(rendered.outcome, Outcome::Unchanged);
    assert!(rendered.criticals.is_empty() && !rendered.new_critical);
    let texts = visible(&layout(rendered, Thread::Existing, false));
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("· 2 ignored"), "{}", texts[0]);
}

#[test]
fn a_first_scan_names_ignored_findings_only_in_a_thread_reply_marked_ignored() {
    let findings = vec![
        finding("CVE-2024-6119", Severity::Critical),
        finding("CVE-2025-0001", Severity::High),
    ];
    let ignores = [ignore("CVE-2024-6119", None)];
    let rendered = render(&report(findings), None, Severity::Undefined, &ignores).unwrap();
    assert!(rendered.criticals.is_empty(), "{:?}", rendered.criticals);
    let texts = visible(&layout(rendered, Thread::New, false));
    assert!(
        !texts[0].contains("CVE-2024-6119"),
        "the parent: {}",
        texts[0]
    );
    assert!(texts[0].contains("1 ignored"), "{}", texts[0]);
    let marked: Vec<&String> = texts
        .iter()
        .filter(|t| t.contains("CVE-2024-6119"))
        .collect();
    assert_eq!(marked.len(), 1, "{texts:?}");
    assert!(marked[0].contains("*Ignored*"), "{}", marked[0]);
    assert!(marked[0].contains("no fix upstream yet"), "{}", marked[0]);
    assert!(marked[0].contains("<@U0ALICE>"), "{}", marked[0]);
}

#[test]
fn an_enhanced_update_hides_ignored_findings_too() {
    // Which ignores cover the image is decided before rendering
    // (`ignores::in_force`, with the registries): see the triage tests.
    let findings = vec![finding("CVE-2024-6119", Severity::Critical)];
    let changes = Changes {
        new: findings.clone(),
        fixed: vec![],
        reopened: vec![],
        suppressed: vec![],
        updated: vec![],
        unchanged: 0,
    };
    let ignores = [ignore("CVE-2024-6119", None)];
    let update = render_update(&report(findings), &changes, Severity::Undefined, &ignores);
    assert!(
        update.is_none(),
        "an update whose only change is ignored posts nothing"
    );
}
