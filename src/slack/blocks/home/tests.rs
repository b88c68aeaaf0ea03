use chrono::{TimeZone, Utc};
use serde_json::Value;

use super::*;
use crate::scan::findings::Finding;
use crate::scan::image::Image;
use crate::slack::blocks::testing::{assert_view_within_limits, finding, report};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
}

fn findings(counts: &[(Severity, usize)]) -> Vec<Finding> {
    let mut all = Vec::new();
    for (severity, n) in counts {
        for i in 0..*n {
            all.push(finding(&format!("CVE-{severity}-{i}"), *severity));
        }
    }
    all
}

fn posture(tag: &str, counts: &[(Severity, usize)]) -> Posture {
    let image = Image {
        repository: "example".into(),
        digest: format!("sha256:{:0>64}", tag.len()),
        tags: vec![tag.into()],
    };
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap();
    Posture::new(image, ScanKind::Basic, at.timestamp(), &findings(counts))
}

fn json(view: &SlackView) -> Value {
    serde_json::to_value(view).unwrap()
}

fn sections(view: &Value) -> Vec<String> {
    view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section")
        .map(|b| b["text"]["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_home_lists_images_worst_first_with_every_count_and_the_change() {
    let clean = posture("clean", &[]);
    let high = posture("api-latest", &[(Severity::High, 3), (Severity::Low, 1)]);
    let previous = findings(&[(Severity::High, 7)]);
    let critical = posture(
        "web-latest",
        &[(Severity::Critical, 2), (Severity::High, 2)],
    )
    .since(Some(&previous));
    let view = home(&[clean, high, critical], 0, now());
    assert_view_within_limits(&view);
    let json = json(&view);
    assert_eq!(json["type"], "home");
    let sections = sections(&json);
    assert!(
        sections[0].contains("*3 images*")
            && sections[0].contains("1 with critical findings")
            && sections[0].contains("2 with high findings"),
        "{}",
        sections[0]
    );
    assert!(
        sections[1].starts_with("*`example:web-latest`*"),
        "{}",
        sections[1]
    );
    assert!(sections[1].contains(":red_circle: 2 critical · :large_orange_circle: 2 high"));
    assert!(
        sections[1].contains("↑ 2 critical, ↓ 5 high"),
        "{}",
        sections[1]
    );
    assert!(sections[1].contains("basic scan"));
    assert!(sections[2].starts_with("*`example:api-latest`*"));
    assert!(
        sections[2].contains(":large_blue_circle: 1 low"),
        "every non-zero count: {}",
        sections[2]
    );
    assert!(sections[2].contains("first result"));
    assert!(sections[3].contains("`example:clean`* :white_check_mark: no findings"));
}

#[test]
fn a_row_shows_the_next_scan_the_thread_and_the_buttons_of_its_kind() {
    let mut basic = posture("web-latest", &[(Severity::Medium, 1)]);
    basic.next_scan = Some(Utc.with_ymd_and_hms(2026, 12, 7, 6, 10, 0).unwrap());
    basic.thread = Some(("C0001".into(), "1700000000.000009".into()));
    let mut enhanced = posture("api", &[(Severity::Medium, 1)]);
    enhanced.kind = ScanKind::Enhanced;
    enhanced.thread = Some(("<!here>".into(), "1".into()));
    let json = json(&home(&[basic, enhanced], 0, now()));
    let sections = sections(&json);
    let web = sections.iter().find(|s| s.contains("web-latest")).unwrap();
    assert!(web.contains("next scan <!date^1796623800^"), "{web}");
    assert!(web.contains("<https://slack.com/archives/C0001/p1700000000000009|thread>"));
    let api = sections
        .iter()
        .find(|s| s.contains("`example:api`"))
        .unwrap();
    assert!(api.contains("enhanced scan (continuous)"));
    assert!(!api.contains("thread") && !api.contains("<!here>"), "{api}");
    let actions: Vec<Vec<&str>> = json["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "actions")
        .map(|b| {
            (b["elements"].as_array().unwrap().iter())
                .map(|e| e["action_id"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        actions,
        [
            vec![HOME_FINDINGS_ACTION, SCHEDULE_WEEKLY_ACTION],
            vec![RESCAN_ACTION, HOME_FINDINGS_ACTION, SCHEDULE_WEEKLY_ACTION],
        ]
    );
    let target =
        ButtonTarget::from_value(json["blocks"][6]["elements"][0]["value"].as_str().unwrap())
            .unwrap();
    assert_eq!(target.tag.as_deref(), Some("web-latest"));
}

#[test]
fn three_hundred_images_stay_within_100_blocks_and_page_on_with_show_more() {
    let postures: Vec<Posture> = (0..300)
        .map(|i| posture(&format!("tag-{i:03}"), &[(Severity::High, i % 7)]))
        .collect();
    let first = home(&postures, 0, now());
    assert_view_within_limits(&first);
    let json = json(&first);
    let blocks = json["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 100, "{}", blocks.len());
    assert_eq!(sections(&json).len(), 1 + HOME_ROWS_PER_PAGE);
    let more = &blocks.last().unwrap()["elements"][0];
    assert_eq!(more["text"]["text"], "Show more");
    assert_eq!(more["value"], "1");
    assert!(json.to_string().contains("Showing 1–47 of 300 images"));

    let last = json_of_page(&postures, 6);
    assert!(last.contains("Showing 283–300 of 300 images"), "{last}");
    assert!(!last.contains("Show more") && last.contains("Back to the worst"));
    // Worst first across pages: the first page holds the six-HIGH images.
    assert!(sections(&json)[1].contains("6 high"));
}

fn json_of_page(postures: &[Posture], page: usize) -> String {
    let view = home(postures, page, now());
    assert_view_within_limits(&view);
    json(&view).to_string()
}

#[test]
fn an_empty_home_says_how_results_arrive() {
    let view = home(&[], 0, now());
    assert_view_within_limits(&view);
    let text = json(&view).to_string();
    assert!(text.contains("*0 images*") && text.contains("No scan results yet"));
    assert!(!text.contains("Show more"));
}

#[test]
fn the_findings_modal_fits_a_modal_whatever_the_number_of_findings() {
    let many = findings(&[(Severity::Critical, 400), (Severity::Low, 400)]);
    let view = findings_modal(&report(many), &[]);
    assert_view_within_limits(&view);
    let json = json(&view);
    assert_eq!(json["type"], "modal");
    assert_eq!(json["title"]["text"], "Findings");
    assert!(json.to_string().contains("CVE-CRITICAL-0"));
    assert_view_within_limits(&no_findings_modal("example:<!channel>"));
}
