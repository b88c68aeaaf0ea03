use super::*;
use crate::scan::findings::Severity;

fn finding(id: &str, severity: Severity) -> Finding {
    Finding {
        package: Some("openssl".into()),
        cvss: Some(7.5),
        ..Finding::new(id, severity)
    }
}

fn state(id: &str, severity: Severity, status: FindingStatus, at: i64) -> FindingState {
    FindingState {
        status,
        finding: finding(id, severity),
        updated_at: Some(at),
    }
}

fn event(id: &str, severity: Severity, status: FindingStatus, at: i64) -> (String, FindingState) {
    (format!("arn:{id}"), state(id, severity, status, at))
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

use FindingStatus::{Active, Closed, Suppressed};

#[test]
fn findings_never_announced_are_new_most_severe_first_and_closed_unknown_ones_are_silent() {
    let events = [
        event("CVE-M", Severity::Medium, Active, 1),
        event("CVE-C", Severity::Critical, Active, 1),
        event("CVE-GONE", Severity::High, Closed, 1),
    ];

    let folded = fold(&[], &events, &[]);

    assert_eq!(ids(&folded.changes.new), ["CVE-C", "CVE-M"]);
    assert!(folded.changes.fixed.is_empty());
    assert_eq!(ids(&folded.current), ["CVE-C", "CVE-M"]);
    assert_eq!(
        folded.states.len(),
        3,
        "every finding's state is remembered"
    );
}

#[test]
fn an_update_a_user_cannot_see_is_no_change_and_one_they_can_is() {
    let known = [
        event("CVE-1", Severity::High, Active, 1),
        event("CVE-2", Severity::High, Active, 1),
    ];
    let mut rescored = event("CVE-1", Severity::High, Active, 2);
    rescored.1.finding.cvss = Some(8.8);
    let mut exploited = event("CVE-2", Severity::High, Active, 2);
    exploited.1.finding.exploit_available = true;

    let quiet = fold(&known, &[rescored.clone()], &[]);
    let loud = fold(&known, &[rescored, exploited], &[]);

    assert!(quiet.changes.is_empty(), "{:?}", quiet.changes);
    assert_eq!(quiet.changes.unchanged, 2);
    assert_eq!(ids(&loud.changes.updated), ["CVE-2"]);
    assert!(loud.changes.updated[0].exploit_available);
}

#[test]
fn closing_suppressing_and_reopening_are_named_as_such() {
    let known = [
        event("CVE-A", Severity::High, Active, 1),
        event("CVE-B", Severity::Low, Active, 1),
        event("CVE-C", Severity::Critical, Closed, 1),
        event("CVE-D", Severity::Medium, Active, 1),
    ];
    let events = [
        event("CVE-A", Severity::High, Closed, 2),
        event("CVE-B", Severity::Low, Suppressed, 2),
        event("CVE-C", Severity::Critical, Active, 2),
    ];

    let folded = fold(&known, &events, &[]);

    assert_eq!(ids(&folded.changes.fixed), ["CVE-A"]);
    assert_eq!(ids(&folded.changes.suppressed), ["CVE-B"]);
    assert_eq!(ids(&folded.changes.reopened), ["CVE-C"]);
    assert_eq!(ids(&folded.current), ["CVE-C", "CVE-D"]);
    assert_eq!(folded.changes.unchanged, 1);
}

#[test]
fn a_finding_the_scan_result_listed_is_not_new_and_its_closing_is_news() {
    let scan = [
        finding("CVE-1", Severity::High),
        finding("CVE-2", Severity::Medium),
    ];
    let events = [
        event("CVE-1", Severity::High, Active, 1),
        event("CVE-2", Severity::Medium, Closed, 1),
        event("CVE-3", Severity::Critical, Active, 1),
    ];

    let folded = fold(&[], &events, &scan);

    assert_eq!(ids(&folded.changes.new), ["CVE-3"]);
    assert_eq!(ids(&folded.changes.fixed), ["CVE-2"]);
    assert_eq!(ids(&folded.current), ["CVE-3", "CVE-1"]);
}

#[test]
fn the_state_inspector_updated_last_wins_whatever_the_order_of_arrival() {
    let events = [
        event("CVE-1", Severity::High, Closed, 20),
        event("CVE-1", Severity::High, Active, 10),
    ];

    let folded = fold(&[], &events, &[]);

    assert!(folded.changes.new.is_empty(), "closed at 20 is the latest");
    assert_eq!(folded.states[0].1.status, Closed);
}

#[test]
fn the_same_events_folded_again_change_nothing() {
    let events = [
        event("CVE-1", Severity::Critical, Active, 1),
        event("CVE-2", Severity::Low, Closed, 1),
    ];
    let first = fold(&[], &events, &[]);

    let again = fold(&first.states, &events, &[]);

    assert_eq!(first.changes.new.len(), 1);
    assert!(again.changes.is_empty(), "{:?}", again.changes);
}

#[test]
fn an_event_older_than_what_was_announced_is_ignored() {
    let known = [event("CVE-1", Severity::High, Closed, 20)];
    let late = [event("CVE-1", Severity::High, Active, 10)];

    let folded = fold(&known, &late, &[]);

    assert!(folded.changes.is_empty(), "{:?}", folded.changes);
    assert!(folded.states.is_empty());
    assert!(folded.current.is_empty());
}
