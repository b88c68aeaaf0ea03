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

fn everything(message: &Message) -> String {
    serde_json::to_string(&message.content).unwrap()
}

#[test]
fn with_findings_it_shows_the_summary_then_every_finding_as_replies() {
    let findings = fixture("ecr/describe-image-scan-findings.basic.awsdocs.json");
    let messages = messages(&basic_event(), Some(&findings)).unwrap();

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
    let findings = fixture("ecr/describe-image-scan-findings.enhanced.awsdocs.json");
    let messages = messages(&event, Some(&findings)).unwrap();

    let summary = everything(&messages[0]);
    assert!(
        summary.contains("amazon/amazon-ecs-sample:latest"),
        "{summary}"
    );
    assert!(summary.contains("1 finding"), "{summary}");
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

    let finding = fixture("events/inspector2-finding.ecr.inspector-docs.json");
    let error = messages(&finding, None).unwrap_err().to_string();
    assert!(
        error.contains("`Inspector2 Finding` event about inspector2:ubuntu_latest"),
        "{error}"
    );

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
