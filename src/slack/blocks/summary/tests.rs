use super::super::testing::*;
use super::*;
use crate::scan::diff::diff;
use chrono::{TimeZone, Utc};

fn changes(new: Vec<Finding>, fixed: Vec<Finding>, unchanged: usize) -> Changes {
    Changes {
        new,
        fixed,
        unchanged,
        ..Changes::default()
    }
}

fn button_values(content: &SlackMessageContent) -> Vec<(String, String)> {
    let json = serde_json::to_value(content).unwrap();
    let blocks = json["blocks"].as_array().unwrap();
    let actions = blocks.iter().find(|b| b["type"] == "actions").unwrap();
    (actions["elements"].as_array().unwrap().iter())
        .map(|e| {
            let id = e["action_id"].as_str().unwrap().to_string();
            (id, e["value"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn scan_started_names_the_image_its_digest_and_who_started_it() {
    let content = scan_started(&image(), "U123");

    assert_eq!(
        content.text.as_deref(),
        Some("Scan of `example:web-latest` (sha256:1a2b3c4d5e6f) started by <@U123>")
    );
    assert!(visible_text(&content).contains("this thread"));
    assert_within_limits(&content);
}

#[test]
fn scan_started_does_not_let_a_strange_user_id_mention_anyone() {
    let content = scan_started(&image(), "U1> <!channel");

    assert!(!content.text.unwrap().contains("<!channel"));
}

#[test]
fn the_first_scan_of_a_tag_says_there_is_nothing_to_compare_with() {
    let content = summary(
        &report(vec![finding("CVE-1", Severity::High)]),
        None,
        None,
        0,
    );
    let text = visible_text(&content);

    assert!(text.contains("First scan of this tag"));
    assert!(text.contains("Tags: `web-latest` · `sha256:1a2b3c4d5e6f`"));
    assert!(text.contains(":large_orange_circle: 1 high"));
    assert_within_limits(&content);
}

#[test]
fn the_summary_lists_new_findings_most_severe_first_and_counts_fixed_and_unchanged() {
    let previous = vec![
        finding("CVE-KEPT", Severity::Low),
        finding("CVE-GONE", Severity::High),
    ];
    let current = vec![
        finding("CVE-KEPT", Severity::Low),
        finding("CVE-NEW-MEDIUM", Severity::Medium),
        finding("CVE-NEW-CRITICAL", Severity::Critical),
    ];
    let changes = diff(&previous, &current);
    let content = summary(&report(current), Some(&changes), None, 0);
    let text = visible_text(&content);

    assert!(text.contains("*Since the previous scan*: 2 new · 1 fixed · 1 unchanged"));
    let critical = text.find("|CVE-NEW-CRITICAL>").unwrap();
    let medium = text.find("|CVE-NEW-MEDIUM>").unwrap();
    let fixed = text.find(
        "*Fixed*\n:large_orange_circle: <https://nvd.nist.gov/vuln/detail/CVE-GONE|CVE-GONE>",
    );
    assert!(critical < medium && medium < fixed.unwrap(), "{text}");
    assert_eq!(
        content.text.as_deref(),
        Some(
            "New critical findings. example:web-latest: 3 findings (1 critical, 1 medium, 1 low); \
             since the previous scan: 2 new, 1 fixed"
        )
    );
    assert_within_limits(&content);
}

#[test]
fn many_new_and_fixed_findings_are_capped_and_the_rest_counted() {
    let new: Vec<Finding> = (0..25)
        .map(|i| finding(&format!("CVE-N{i}"), Severity::High))
        .collect();
    let fixed: Vec<Finding> = (0..8)
        .map(|i| finding(&format!("CVE-F{i}"), Severity::Low))
        .collect();
    let content = summary(&report(new.clone()), Some(&changes(new, fixed, 3)), None, 0);
    let text = visible_text(&content);

    assert_eq!(text.matches("|CVE-N").count(), 10);
    assert!(text.contains("…and 15 more new (15 high)"), "{text}");
    assert_eq!(text.matches("|CVE-F").count(), 5);
    assert!(text.contains("…and 3 more fixed (3 low)"), "{text}");
}

#[test]
fn a_scan_without_changes_says_when_it_ran_and_since_when_nothing_changed() {
    let current = vec![finding("CVE-1", Severity::High)];
    let since = Utc.with_ymd_and_hms(2024, 4, 1, 6, 0, 0).unwrap();
    let content = summary(
        &report(current),
        Some(&changes(vec![], vec![], 1)),
        Some(since),
        0,
    );
    let text = visible_text(&content);

    assert!(
        text.contains(
            "*Last scanned* <!date^1714564800^{date_short_pretty} at {time}|2024-05-01 12:00 UTC> · \
             *unchanged since* <!date^1711951200^{date_short_pretty} at {time}|2024-04-01 06:00 UTC> \
             (1 unchanged)."
        ),
        "{text}"
    );
}

#[test]
fn the_summary_has_rescan_and_all_findings_buttons_for_the_image() {
    let content = summary(&report(vec![]), None, None, 0);
    let buttons = button_values(&content);

    assert_eq!(buttons[0].0, RESCAN_ACTION);
    assert_eq!(buttons[1].0, ALL_FINDINGS_ACTION);
    let target = ButtonTarget::from_value(&buttons[0].1).unwrap();
    assert_eq!(target, ButtonTarget::of(&image()));
    assert_eq!(target.tag.as_deref(), Some("web-latest"));
}

#[test]
fn a_button_value_leaves_out_a_tag_too_long_to_fit() {
    let mut image = image();
    image.tags = vec!["t".repeat(3000)];
    let value = ButtonTarget::of(&image).to_value().unwrap();

    assert!(value.chars().count() <= MAX_BUTTON_VALUE);
    assert_eq!(ButtonTarget::from_value(&value).unwrap().tag, None);
}

#[test]
fn only_a_new_critical_finding_counts_as_new_critical() {
    let high = changes(vec![finding("CVE-1", Severity::High)], vec![], 0);
    let critical = changes(vec![finding("CVE-2", Severity::Critical)], vec![], 0);
    let fixed_critical = changes(vec![], vec![finding("CVE-3", Severity::Critical)], 0);

    assert!(!has_new_critical(&high));
    assert!(has_new_critical(&critical));
    assert!(!has_new_critical(&fixed_critical));
}

#[test]
fn a_summary_of_two_thousand_absurd_findings_stays_within_limits() {
    let findings: Vec<Finding> = (0..2000).map(absurd).collect();
    let mut report = report(findings.clone());
    report.image.repository = "r<&>".repeat(2000);
    report.image.tags = vec!["t".repeat(3000); 12];
    let changes = changes(findings.clone(), findings, 0);

    for content in [
        summary(&report, Some(&changes), None, 0),
        scan_started(&report.image, "U1"),
    ] {
        assert_within_limits(&content);
    }
}

#[test]
fn a_summary_of_counts_shows_them_and_says_the_findings_were_not_fetched() {
    let counts = [(Severity::Critical, 10), (Severity::Medium, 9)];
    let content = summary_of_counts(&report(vec![]), Some(&counts));

    let text = visible_text(&content);
    assert!(text.contains("*19 findings*"), "{text}");
    assert!(
        text.contains("10 critical") && text.contains("9 medium"),
        "{text}"
    );
    assert!(text.contains("Findings not fetched"), "{text}");
    assert_eq!(
        content.text.as_deref(),
        Some("example:web-latest: 19 findings (10 critical, 9 medium) (findings not fetched)")
    );
    assert_within_limits(&content);
}

#[test]
fn findings_ecr_does_not_list_yet_fit_whatever_the_image_and_name_it_by_digest() {
    let mut pending = report(vec![]);
    pending.image.repository = "r".repeat(256); // ECR's longest repository name
    pending.image.tags = vec![];
    pending.status = ScanStatus::FindingsPending(Severity::ALL.map(|s| (s, usize::MAX)).to_vec());
    let text = visible_text(&summary(&pending, None, None, 0));
    assert!(text.contains("Details not available yet"), "{text}");
    assert!(
        text.contains(&format!(
            "`/ecrscan findings {}@{}`",
            "r".repeat(256),
            image().digest
        )),
        "{text}"
    );

    pending.image.repository = "r<&>".repeat(2000);
    let content = summary(&pending, None, None, 0);
    assert!(visible_text(&content).contains("findings r&lt;&amp;&gt;r"));
    assert_within_limits(&content);
}

#[test]
fn a_summary_of_a_scan_that_did_not_complete_does_not_call_it_a_first_scan() {
    let mut failed = report(vec![]);
    failed.status = ScanStatus::Failed("UnsupportedImageError".into());
    let text = visible_text(&summary(&failed, None, None, 0));

    assert!(text.contains("Scan failed"), "{text}");
    assert!(!text.contains("First scan"), "{text}");
}

#[test]
fn an_enhanced_summary_offers_all_findings_but_no_rescan() {
    let mut enhanced = report(vec![finding("CVE-1", Severity::High)]);
    enhanced.kind = ScanKind::Enhanced;
    let content = summary(&enhanced, None, None, 0);

    let buttons = button_values(&content);
    let actions: Vec<&str> = buttons.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, [ALL_FINDINGS_ACTION, IGNORE_ACTION]);
    assert!(visible_text(&content).contains("rescans this image continuously"));
    assert_within_limits(&content);
}

#[test]
fn ignore_is_offered_only_when_a_result_brings_new_findings() {
    let actions = |content: &SlackMessageContent| -> Vec<String> {
        button_values(content).into_iter().map(|(a, _)| a).collect()
    };
    let found = vec![finding("CVE-1", Severity::High)];
    let first = summary(&report(found.clone()), None, None, 0);
    assert!(actions(&first).contains(&IGNORE_ACTION.to_string()));
    let unchanged = summary(
        &report(found.clone()),
        Some(&changes(vec![], vec![], 1)),
        None,
        0,
    );
    assert!(!actions(&unchanged).contains(&IGNORE_ACTION.to_string()));
    let new = summary(
        &report(found.clone()),
        Some(&changes(found, vec![], 0)),
        None,
        0,
    );
    assert!(actions(&new).contains(&IGNORE_ACTION.to_string()));
    let clean = summary(&report(vec![]), None, None, 0);
    assert!(!actions(&clean).contains(&IGNORE_ACTION.to_string()));
}

#[test]
fn a_summary_says_where_its_image_runs_under_its_heading_and_in_its_notification() {
    let plain = summary(
        &report(vec![finding("CVE-1", Severity::Critical)]),
        None,
        None,
        0,
    );
    let running = running_in(plain.clone(), "prod/web, 3 tasks; <!channel>");
    let blocks = |c: &SlackMessageContent| serde_json::to_value(c.blocks.clone()).unwrap();
    let (before, after) = (blocks(&plain), blocks(&running));
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
    assert_eq!(after[0], before[0], "the heading stays first");
    let line = after[2]["elements"][0]["text"].as_str().unwrap();
    assert_eq!(
        line,
        ":arrow_forward: Running in prod/web, 3 tasks; &lt;!channel&gt;"
    );
    let text = running.text.clone().unwrap();
    assert!(
        text.ends_with("; running in prod/web, 3 tasks; &lt;!channel&gt;"),
        "{text}"
    );
    assert_within_limits(&running);
}
