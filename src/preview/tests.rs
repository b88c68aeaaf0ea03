use percent_encoding::percent_decode_str;

use super::*;
use crate::slack::limits;

fn fixture(path: &str) -> String {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn basic_event() -> String {
    fixture("events/ecr-image-scan.basic.awsdocs.json")
}

/// `event` with other `finding-severity-counts`: to pair the documentation's sample
/// events with the documentation's sample answers, which count other findings.
fn counting(event: &str, counts: serde_json::Value) -> String {
    let mut event: serde_json::Value = serde_json::from_str(event).unwrap();
    event["detail"]["finding-severity-counts"] = counts;
    event.to_string()
}

fn everything(message: &Message) -> String {
    serde_json::to_string(&message.content).unwrap()
}

#[test]
fn with_findings_it_shows_the_summary_then_every_finding_as_replies() {
    let findings = fixture("ecr/describe-image-scan-findings.basic.awsdocs.json");
    let event = counting(&basic_event(), serde_json::json!({ "MEDIUM": 1 }));
    let messages = messages(&event, Some(&findings)).unwrap();

    assert_eq!(messages.len(), 2);
    assert!(messages[0].place.starts_with("the summary, in the channel"));
    assert!(everything(&messages[0]).contains("my-repository-name"));
    assert!(everything(&messages[0]).contains("First scan of this tag"));
    assert_eq!(messages[1].place, "a reply in the thread");
    let details = everything(&messages[1]);
    assert!(
        details.contains("CVE-2019-5188") && details.contains("e2fsprogs"),
        "{details}"
    );
    for message in &messages {
        assert_eq!(limits::check(&message.content), Ok(()), "{}", message.place);
    }
}

#[test]
fn without_findings_it_shows_the_events_counts_and_says_so() {
    let messages = messages(&basic_event(), None).unwrap();

    assert_eq!(messages.len(), 1);
    let summary = everything(&messages[0]);
    assert!(summary.contains("*19 findings*"), "{summary}");
    assert!(summary.contains("Findings not fetched"), "{summary}");
}

#[test]
fn an_enhanced_scan_reads_the_inspector_event_and_findings() {
    let event = fixture("events/inspector2-scan.ecr.awsdocs.json");
    let event = counting(&event, serde_json::json!({ "HIGH": 1, "TOTAL": 1 }));
    let findings = fixture("ecr/describe-image-scan-findings.enhanced.awsdocs.json");
    let messages = messages(&event, Some(&findings)).unwrap();

    let summary = everything(&messages[0]);
    assert!(
        summary.contains("amazon/amazon-ecs-sample:latest"),
        "{summary}"
    );
    assert!(summary.contains("1 finding"), "{summary}");
    assert!(everything(&messages[1]).contains("CVE-2022-49043"));
}

#[test]
fn a_failed_scan_is_shown_failed_even_when_the_findings_say_otherwise() {
    let event = basic_event().replace("COMPLETE", "FAILED");
    let findings = fixture("ecr/describe-image-scan-findings.basic.awsdocs.json");
    let messages = messages(&event, Some(&findings)).unwrap();

    assert_eq!(messages.len(), 1, "no details for a failed scan");
    assert!(everything(&messages[0]).contains("Scan failed"));
}

#[test]
fn an_event_that_is_not_a_scan_result_is_refused_with_a_reason() {
    let push = fixture("events/ecr-image-action.push.awsdocs.json");
    let error = messages(&push, None).unwrap_err().to_string();
    assert!(error.contains("not a scan result"), "{error}");

    let lambda = fixture("events/inspector2-finding.lambda.inspector-docs.json");
    let error = messages(&lambda, None).unwrap_err().to_string();
    assert!(error.contains("not a scan result"), "{error}");

    let error = messages(&basic_event(), Some("{")).unwrap_err();
    assert!(format!("{error:#}").contains("FINDINGS"), "{error:#}");
}

#[test]
fn the_builder_link_carries_the_blocks_url_encoded() {
    let messages = messages(&basic_event(), None).unwrap();
    let link = builder_link(&messages[0].content);

    let encoded = link.strip_prefix(BUILDER_URL).unwrap();
    assert!(!encoded.contains(['{', '"', ' ', '+', '#']), "{encoded}");
    let decoded = percent_decode_str(encoded).decode_utf8().unwrap();
    let json: serde_json::Value = serde_json::from_str(&decoded).unwrap();
    let blocks = serde_json::to_value(&messages[0].content.blocks).unwrap();
    assert_eq!(json, serde_json::json!({ "blocks": blocks }));
}

#[test]
fn the_report_numbers_each_message_with_its_json_and_link() {
    let text = report(&messages(&basic_event(), None).unwrap());
    assert!(text.starts_with("Message 1 of 1: the summary"), "{text}");
    assert!(text.contains("\"blocks\": ["), "{text}");
    assert!(
        text.contains(&format!("Block Kit Builder: {BUILDER_URL}%7B")),
        "{text}"
    );
}

/// The message's blocks as a reader sees them, and its notification text.
fn seen(message: &Message) -> (String, String) {
    let json = serde_json::to_value(&message.content).unwrap();
    let mut texts = Vec::new();
    collect_texts(&json["blocks"], &mut texts);
    (
        texts.join("\n"),
        message.content.text.clone().unwrap_or_default(),
    )
}

fn collect_texts(value: &serde_json::Value, texts: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => map.iter().for_each(|(key, value)| match value {
            serde_json::Value::String(s) if key == "text" => texts.push(s.clone()),
            _ => collect_texts(value, texts),
        }),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_texts(v, texts)),
        _ => {}
    }
}

fn inspector_event() -> String {
    fixture("events/inspector2-scan.ecr.awsdocs.json")
}

/// aws/aws-cli#6759: an enhanced registry's answer before Inspector hands ECR the findings.
fn active_without_findings() -> String {
    fixture("ecr/describe-image-scan-findings.enhanced-active.aws-cli-6759.json")
}

fn button_ids(message: &Message) -> Vec<String> {
    let json = serde_json::to_value(&message.content).unwrap();
    let blocks = json["blocks"].as_array().unwrap();
    (blocks.iter().filter(|b| b["type"] == "actions"))
        .flat_map(|b| b["elements"].as_array().unwrap().clone())
        .map(|e| e["action_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_inspector_scan_whose_findings_ecr_does_not_list_yet_shows_the_events_counts() {
    let messages = messages(&inspector_event(), Some(&active_without_findings())).unwrap();

    assert_eq!(messages.len(), 1, "no details reply saying 'no findings'");
    let (blocks, text) = seen(&messages[0]);
    assert!(
        blocks.contains("*130 findings*: :red_circle: 7 critical · :large_orange_circle: 61 high"),
        "{blocks}"
    );
    assert!(blocks.contains("not available yet"), "{blocks}");
    assert!(blocks.contains("AWS console"), "{blocks}");
    assert!(
        blocks.contains("`/ecrscan findings amazon/amazon-ecs-sample:latest`"),
        "{blocks}"
    );
    assert!(!blocks.to_lowercase().contains("no findings"), "{blocks}");
    assert_eq!(
        text,
        "amazon/amazon-ecs-sample:latest: 130 findings (7 critical, 61 high, 62 medium); \
         details not available yet"
    );
    assert_eq!(limits::check(&messages[0].content), Ok(()));
}

#[test]
fn a_failed_scan_event_without_findings_says_failed_in_its_notification_text() {
    let event =
        fixture("events/ecr-image-scan.no-counts.hayao-k.json").replace("COMPLETE", "FAILED");
    let messages = messages(&event, None).unwrap();

    let (blocks, text) = seen(&messages[0]);
    assert!(blocks.contains("Scan failed"), "{blocks}");
    assert!(text.contains("scan failed"), "{text}");
    assert!(!text.contains("no findings"), "{text}");
    assert!(!blocks.contains("No findings"), "{blocks}");
}

#[test]
fn an_event_without_severity_counts_says_it_carries_none() {
    let event = fixture("events/ecr-image-scan.no-counts.hayao-k.json");
    let messages = messages(&event, None).unwrap();

    let (blocks, text) = seen(&messages[0]);
    assert!(
        blocks.contains("The scan event carries no severity counts"),
        "{blocks}"
    );
    assert_eq!(
        text,
        "my-repo@sha256:7f5b2640fe6f: no severity counts in the scan event (findings not fetched)"
    );
    assert!(!blocks.contains("No findings"), "{blocks}");
}

#[test]
fn an_enhanced_scan_has_no_rescan_button_and_says_inspector_rescans_continuously() {
    let with_findings = fixture("ecr/describe-image-scan-findings.enhanced.awsdocs.json");
    let runs = [
        messages(&inspector_event(), Some(&with_findings)).unwrap(),
        messages(&inspector_event(), Some(&active_without_findings())).unwrap(),
        messages(&inspector_event(), None).unwrap(),
    ];
    for messages in &runs {
        let (blocks, _) = seen(&messages[0]);
        assert!(
            blocks.contains("enhanced scan (Amazon Inspector)"),
            "{blocks}"
        );
        assert!(!blocks.contains("basic scan"), "{blocks}");
        assert!(
            blocks.contains("Amazon Inspector rescans this image continuously"),
            "{blocks}"
        );
        assert_eq!(button_ids(&messages[0]), ["all_findings"]);
    }
}

#[test]
fn an_absurd_count_saturates_instead_of_wrapping_to_no_findings() {
    let event = basic_event().replace(r#""CRITICAL": 10"#, r#""CRITICAL": 18446744073709551615"#);
    let messages = messages(&event, None).unwrap();

    let (blocks, text) = seen(&messages[0]);
    assert!(
        blocks.contains(&format!("*{} findings*", usize::MAX)),
        "{blocks}"
    );
    assert!(
        blocks.contains("18446744073709551615 critical · :large_yellow_circle: 9 medium"),
        "{blocks}"
    );
    assert!(!text.contains("no findings"), "{text}");
    assert_eq!(limits::check(&messages[0].content), Ok(()));
}

#[test]
fn a_complete_answer_without_the_findings_yet_is_an_enhanced_scan_with_the_events_counts() {
    // aws/aws-sdk#289: an enhanced registry said COMPLETE before Inspector's findings reached ECR.
    let answer = fixture("ecr/describe-image-scan-findings.enhanced-not-yet.aws-sdk-289.json");
    let messages = messages(&inspector_event(), Some(&answer)).unwrap();

    assert_eq!(messages.len(), 1, "no details reply saying 'no findings'");
    let (blocks, text) = seen(&messages[0]);
    assert!(
        blocks.contains("enhanced scan (Amazon Inspector)"),
        "{blocks}"
    );
    assert!(blocks.contains("*130 findings*"), "{blocks}");
    assert!(text.ends_with("details not available yet"), "{text}");
}

#[test]
fn an_inspector_finding_event_previews_the_update_in_the_thread_and_as_a_new_thread() {
    let finding = fixture("events/inspector2-finding.ecr.inspector-docs.json");
    let messages = messages(&finding, None).unwrap();

    let places: Vec<&str> = messages.iter().map(|m| m.place.as_str()).collect();
    assert!(
        places[0].starts_with("in the image's thread: the thread's first message"),
        "{places:?}"
    );
    assert!(
        places[1].starts_with("in the image's thread: a reply"),
        "{places:?}"
    );
    assert!(
        places[2].starts_with("where the image has no thread yet: the summary"),
        "{places:?}"
    );
    let reply = everything(&messages[1]);
    assert!(
        reply.contains("CVE-2024-6119") && reply.contains("1 new"),
        "{reply}"
    );
    assert!(everything(&messages[2]).contains("inspector2:ubuntu_latest"));
    for message in &messages {
        crate::slack::limits::check(&message.content).unwrap();
    }
}

#[test]
fn a_closed_finding_never_announced_previews_as_nothing_posted() {
    let closed = fixture("events/inspector2-finding.ecr.inspector-docs.json")
        .replace(r#""status": "ACTIVE""#, r#""status": "CLOSED""#);
    let error = messages(&closed, None).unwrap_err().to_string();
    assert!(
        error.contains("CLOSED") && error.contains("posts nothing"),
        "{error}"
    );
}
