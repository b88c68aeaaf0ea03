//! What a posted summary says when ECR's answer and the scan event disagree.

use serde_json::Value;

use crate::ecr_mock::{ecr, findings_fixture};
use crate::helpers::spawn_app_with;
use crate::sns::{RESULTS, deliver, settled_posts};
use crate::sns_harness::{SnsOrigin, TOPIC, body};

fn fixture(path: &str) -> String {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn action_ids(post: &Value) -> Vec<String> {
    let blocks = post["blocks"].as_array().cloned().unwrap_or_default();
    (blocks.iter().filter(|b| b["type"] == "actions"))
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["action_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn an_inspector_scan_whose_findings_ecr_does_not_list_yet_is_posted_with_the_events_counts() {
    let sns = SnsOrigin::start().await;
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let answer = findings_fixture("describe-image-scan-findings.enhanced-active.aws-cli-6759.json");
    let settings = [
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
    ];
    let app = spawn_app_with(ecr(&[&answer]), &settings).await;
    let event: Value =
        serde_json::from_str(&fixture("events/inspector2-scan.ecr.awsdocs.json")).unwrap();

    let msg = sns.notification("msg-inspector", &event);
    assert_eq!(
        deliver(&app, "Notification", body(&msg)).await.status(),
        200
    );

    let posts = settled_posts(&app, 1).await;
    assert_eq!(
        posts.len(),
        1,
        "the summary alone, no 'no findings' reply: {posts:?}"
    );
    let summary = posts[0].everything();
    assert!(summary.contains("130 findings"), "{summary}");
    assert!(summary.contains("7 critical"), "{summary}");
    assert!(summary.contains("not available yet"), "{summary}");
    assert!(!summary.to_lowercase().contains("no findings"), "{summary}");
    assert!(
        summary.contains("enhanced scan (Amazon Inspector)"),
        "{summary}"
    );
    assert_eq!(action_ids(&posts[0].body), ["all_findings"]);
    app.slack.assert_all_within_limits();
}
