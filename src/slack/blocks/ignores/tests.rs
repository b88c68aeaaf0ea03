use chrono::{TimeZone, Utc};

use super::*;
use crate::routing::ImagePattern;
use crate::scan::findings::Severity;
use crate::slack::blocks::testing::{assert_within_limits, finding, visible_text};

fn ignore(vulnerability: &str, until: Until) -> Ignore {
    Ignore {
        id: 1,
        vulnerability: vulnerability.into(),
        scope: Some(ImagePattern::parse("example:web-*").unwrap()),
        until,
        reason: "no fix upstream yet".into(),
        created_by: "U0ALICE".into(),
        channel: "C1".into(),
        created_at: 1_764_633_600,
    }
}

#[test]
fn the_announcement_says_who_what_where_for_how_long_and_why() {
    let jan_1 = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let text = visible_text(&ignored(
        "U0ALICE",
        &ignore("CVE-2024-6119", Until::At(jan_1)),
        Some(Duration::Days(30)),
    ));
    assert!(
        text.contains("<@U0ALICE> ignored *CVE-2024-6119* in `example:web-*` for 30 days (until <!date^1798761600^{date_short}|2027-01-01>): no fix upstream yet"),
        "{text}"
    );
    let fixed = visible_text(&ignored(
        "U0ALICE",
        &ignore("CVE-2024-6119", Until::Fixed),
        None,
    ));
    assert!(
        fixed.contains("until a fix is available: no fix upstream yet"),
        "{fixed}"
    );
}

#[test]
fn the_list_counts_what_each_ignore_hides_and_fits_slack_with_many() {
    let list: Vec<(Ignore, usize)> = (0..120)
        .map(|i| (ignore(&format!("CVE-2024-{i:04}"), Until::Fixed), i % 3))
        .collect();
    let content = ignores(&list);
    assert_within_limits(&content);
    let text = visible_text(&content);
    assert!(text.contains("*Active ignores* (120)"), "{text}");
    assert!(text.contains("hides no current finding"), "{text}");
    assert!(text.contains("hides 1 finding"), "{text}");
    assert!(text.contains("hides 2 findings"), "{text}");
    assert!(text.contains("… and 80 more."), "{text}");
    assert!(visible_text(&ignores(&[])).contains("Nothing is ignored"));
}

#[test]
fn the_ignored_reply_fits_slack_with_a_thousand_hidden_findings() {
    let hidden: Vec<Hidden> = (0..1000)
        .map(|i| Hidden {
            finding: finding(&format!("CVE-2024-{i:04}"), Severity::High),
            ignore: ignore(&format!("CVE-2024-{i:04}"), Until::Fixed),
        })
        .collect();
    let content = super::hidden(&hidden).unwrap();
    assert_within_limits(&content);
    let text = visible_text(&content);
    assert!(text.contains("*Ignored* · 1000 findings"), "{text}");
    assert!(text.contains("… and 900 more."), "{text}");
    assert!(super::hidden(&[]).is_none());
}

#[test]
fn the_modal_offers_at_most_a_hundred_findings_most_severe_first_within_slack_limits() {
    use crate::slack::blocks::testing::{assert_view_within_limits, many, report};
    let mut findings = many(400);
    findings.push(finding("CVE-2024-6119", Severity::Critical));
    let view = ignore_modal(&report(findings), "{\"channel\":\"C1\"}".into());
    assert_view_within_limits(&view);
    let json = serde_json::to_value(&view).unwrap();
    let options = json["blocks"][1]["element"]["options"].as_array().unwrap();
    assert_eq!(options.len(), 100);
    let first = options[0]["text"]["text"].as_str().unwrap();
    assert!(first.contains("· critical"), "most severe first: {first}");
    assert_eq!(json["callback_id"], IGNORE_CALLBACK);
    assert_eq!(json["private_metadata"], "{\"channel\":\"C1\"}");

    let empty = serde_json::to_value(ignore_modal(&report(vec![]), String::new())).unwrap();
    assert!(empty["submit"].is_null(), "nothing to submit: {empty}");
    assert!(empty.to_string().contains("no finding left to ignore"));
}
