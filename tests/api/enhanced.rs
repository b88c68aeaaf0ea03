//! Enhanced scanning, continuously: `Inspector2 Finding` events folded per
//! image into one update in the image's thread, nothing posted twice.

use std::collections::HashMap;
use std::time::Duration;

use ecrscan::scan::findings::Severity;
use ecrscan::scan::inspector::FindingStatus;
use ecrscan::scan::inspector::testing::finding_event;
use serde_json::Value;

use crate::ecr_mock::{ecr, image};
use crate::helpers::{TestApp, spawn_app_with};
use crate::slack_stub::{Call, as_updated, visible};
use crate::sns::{RESULTS, deliver};
use crate::sns_harness::{SnsOrigin, TOPIC, body};

struct Enhanced {
    app: TestApp,
    sns: SnsOrigin,
    sent: usize,
    window: Duration,
}

/// ecrscan gathering each image's finding events for three seconds.
async fn enhanced() -> Enhanced {
    enhanced_with_window(3).await
}

/// ecrscan gathering each image's finding events for `secs` seconds.
async fn enhanced_with_window(secs: u64) -> Enhanced {
    let sns = SnsOrigin::start().await;
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let settings = [
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
        ("ECRSCAN_FINDING_WINDOW_SECS", &secs.to_string()),
    ];
    let app = spawn_app_with(ecr(&[&image()]), &settings).await;
    let window = Duration::from_secs(secs);
    Enhanced {
        app,
        sns,
        sent: 0,
        window,
    }
}

impl Enhanced {
    /// Delivers `event` as a new SNS message; returns its message id.
    async fn send(&mut self, event: &str) -> String {
        self.sent += 1;
        let id = format!("finding-{}", self.sent);
        self.send_as(&id, event).await;
        id
    }

    async fn send_as(&self, message_id: &str, event: &str) {
        let event: Value = serde_json::from_str(event).unwrap();
        let notification = self.sns.notification(message_id, &event);
        let response = deliver(&self.app, "Notification", body(&notification)).await;
        assert_eq!(response.status(), 200);
    }

    /// Waits past the window until Slack's calls stop coming.
    async fn settled(&self) -> (Vec<Call>, Vec<Call>) {
        tokio::time::sleep(self.window).await;
        let mut seen = usize::MAX;
        loop {
            tokio::time::sleep(Duration::from_millis(2500)).await;
            let calls = self.app.slack.calls().len();
            if calls == seen {
                break;
            }
            seen = calls;
        }
        (
            self.app.slack.calls_to("chat.postMessage"),
            self.app.slack.calls_to("chat.update"),
        )
    }
}

fn event(
    image: usize,
    cve: &str,
    severity: Severity,
    status: FindingStatus,
    exploit: bool,
) -> String {
    let digest = format!("sha256:{image:064x}");
    let tag = format!("app-{image:03}");
    finding_event("example", &digest, &tag, cve, severity, status, exploit)
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

#[tokio::test]
async fn sixty_events_for_three_new_images_give_one_visible_message_per_image() {
    // The 60 events arrive within 2 s, well inside the window even on a busy machine.
    let mut s = enhanced_with_window(10).await;
    for n in 0..60 {
        let (image, cve) = (n % 3, format!("CVE-2026-{n:04}"));
        let severity = SEVERITIES[n % 4];
        s.send(&event(image, &cve, severity, FindingStatus::Active, false))
            .await;
    }
    let (posts, _) = s.settled().await;

    let visible = visible(&posts);
    assert_eq!(visible.len(), 3, "{visible:#?}");
    for n in 0..60 {
        let (cve, own) = (
            format!("CVE-2026-{n:04}"),
            format!("example:app-{:03}", n % 3),
        );
        let naming: Vec<&Call> = posts
            .iter()
            .filter(|p| p.everything().contains(&cve))
            .collect();
        assert!(!naming.is_empty(), "{cve} is named");
        assert!(
            naming.len() <= 2,
            "{cve} is named in {} messages",
            naming.len()
        );
        assert!(
            naming.iter().all(|p| p.everything().contains(&own)),
            "{cve} only in {own}'s messages"
        );
    }
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn redelivered_events_and_events_that_change_nothing_post_nothing() {
    let mut s = enhanced().await;
    let first = event(
        0,
        "CVE-2026-0001",
        Severity::High,
        FindingStatus::Active,
        false,
    );
    let id = s.send(&first).await;
    let (opened, updates) = s.settled().await;
    assert_eq!(visible(&opened).len(), 1);

    s.send_as(&id, &first).await;
    s.send(&first).await;
    let mut rescored: Value = serde_json::from_str(&first).unwrap();
    rescored["detail"]["inspectorScore"] = 8.1.into();
    s.send(&rescored.to_string()).await;
    let (posts, later_updates) = s.settled().await;

    assert_eq!(posts.len(), opened.len(), "nothing new is posted");
    assert_eq!(
        later_updates.len(),
        updates.len(),
        "nor any summary refreshed"
    );
}

#[tokio::test]
async fn closing_five_findings_gives_one_reply_naming_all_five() {
    let mut s = enhanced().await;
    for n in 0..8 {
        let cve = format!("CVE-2026-{n:04}");
        s.send(&event(
            0,
            &cve,
            Severity::High,
            FindingStatus::Active,
            false,
        ))
        .await;
    }
    let (opened, _) = s.settled().await;
    let thread = opened[0].ts.clone();

    for n in 0..5 {
        let cve = format!("CVE-2026-{n:04}");
        s.send(&event(
            0,
            &cve,
            Severity::High,
            FindingStatus::Closed,
            false,
        ))
        .await;
    }
    let (posts, updates) = s.settled().await;

    let replies = &posts[opened.len()..];
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert_eq!(replies[0].body["thread_ts"], thread.as_str());
    assert_ne!(replies[0].body["reply_broadcast"], true);
    let reply = replies[0].everything();
    for n in 0..5 {
        assert!(reply.contains(&format!("CVE-2026-{n:04}")), "{reply}");
    }
    assert!(reply.contains("5 fixed · 3 unchanged"), "{reply}");
    let summary = updates.last().expect("the summary is refreshed");
    assert_eq!(summary.body["ts"], thread.as_str());
    assert!(
        summary.everything().contains("*3 findings*"),
        "{}",
        summary.everything()
    );
}

#[tokio::test]
async fn a_new_critical_with_an_exploit_is_broadcast_in_one_reply_naming_it() {
    let mut s = enhanced().await;
    s.send(&event(
        0,
        "CVE-2026-0001",
        Severity::Medium,
        FindingStatus::Active,
        false,
    ))
    .await;
    let (opened, _) = s.settled().await;

    s.send(&event(
        0,
        "CVE-2026-6666",
        Severity::Critical,
        FindingStatus::Active,
        true,
    ))
    .await;
    let (posts, _) = s.settled().await;

    let replies = &posts[opened.len()..];
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert_eq!(replies[0].body["reply_broadcast"], true);
    let reply = replies[0].everything();
    assert!(
        reply.contains("CVE-2026-6666") && reply.contains("exploit available"),
        "{reply}"
    );
    assert!(
        replies[0].text().starts_with("New critical findings."),
        "{}",
        replies[0].text()
    );
}

#[tokio::test]
async fn lambda_and_ec2_findings_post_nothing_and_both_real_ecr_samples_are_posted() {
    let mut s = enhanced().await;
    s.send(&fixture("inspector2-finding.lambda.inspector-docs.json"))
        .await;
    // The ECR sample about an EC2 instance instead, as Inspector sends those.
    let mut ec2: Value =
        serde_json::from_str(&fixture("inspector2-finding.ecr.awsdocs.json")).unwrap();
    let instance = "arn:aws:ec2:us-east-2:123456789012:instance/i-0b22a22eec53b9321";
    ec2["resources"] = serde_json::json!([instance]);
    ec2["detail"]["resources"] = serde_json::json!([{
        "details": { "awsEc2Instance": {
            "imageId": "ami-0ea1b0c2b7a2b1d0c", "platform": "AMAZON_LINUX_2", "type": "t3.micro"
        } },
        "id": "i-0b22a22eec53b9321",
        "partition": "aws",
        "region": "us-east-2",
        "type": "AWS_EC2_INSTANCE"
    }]);
    ec2["detail"]["packageVulnerabilityDetails"]["vulnerabilityId"] = "CVE-2099-0001".into();
    s.send(&ec2.to_string()).await;
    s.send(&fixture("inspector2-finding.ecr.awsdocs.json"))
        .await;
    s.send(&fixture("inspector2-finding.ecr.inspector-docs.json"))
        .await;
    let (posts, _) = s.settled().await;

    let everything: String = posts.iter().map(Call::everything).collect();
    for (cve, image) in [
        ("CVE-2019-17498", "amazon/amazon-ecs-sample:latest"),
        ("CVE-2024-6119", "inspector2:ubuntu_latest"),
    ] {
        assert!(
            everything.contains(cve) && everything.contains(image),
            "{cve} of {image}"
        );
    }
    assert!(
        !everything.contains("CVE-2099-0001"),
        "nothing for the instance"
    );
    assert_eq!(
        visible(&posts).len(),
        2,
        "one thread per ECR image, none for the Lambda function"
    );
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn two_thousand_events_for_200_images_give_at_most_6_visible_messages() {
    let mut s = enhanced().await;
    let mut criticals: HashMap<String, usize> = HashMap::new();
    for image in 0..200 {
        // One base-image CVE in every image, a CRITICAL of its own in two.
        criticals.insert("CVE-2026-0001".into(), image);
        let mut cves = vec![("CVE-2026-0001".to_string(), Severity::Critical)];
        if image == 50 || image == 150 {
            let own = format!("CVE-2026-5{image:03}");
            criticals.insert(own.clone(), image);
            cves.push((own, Severity::Critical));
        }
        while cves.len() < 10 {
            let n = cves.len();
            cves.push((format!("CVE-2025-{n:04}"), SEVERITIES[1 + n % 3]));
        }
        for (cve, severity) in cves {
            s.send(&event(image, &cve, severity, FindingStatus::Active, false))
                .await;
        }
    }
    let (posts, updates) = s.settled().await;

    let visible = visible(&posts);
    assert!(visible.len() <= 6, "{} visible messages", visible.len());
    let said = as_updated(&visible, &updates);
    for cve in criticals.keys() {
        assert!(
            said.contains(cve.as_str()),
            "{cve} is named in a visible message"
        );
    }
    let everything: String = posts.iter().map(Call::everything).collect();
    for image in 0..200 {
        let name = format!("example:app-{image:03}");
        assert!(everything.contains(&name), "{name}'s update is posted");
    }
    s.app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn an_ignored_finding_is_left_out_of_an_update_and_until_fixed_ends_with_a_fix() {
    let mut s = enhanced().await;
    let dated = "ignore CVE-2026-1001 example:app-* for 30 days reason not loaded at run time";
    TestApp::answer(s.app.command(dated).await).await;
    let fixed = "ignore CVE-2026-1003 until fixed reason waiting for the vendor";
    TestApp::answer(s.app.command(fixed).await).await;
    for cve in ["CVE-2026-1001", "CVE-2026-1002", "CVE-2026-1003"] {
        s.send(&event(
            0,
            cve,
            Severity::Critical,
            FindingStatus::Active,
            false,
        ))
        .await;
    }
    let (posts, _) = s.settled().await;

    let results: Vec<&Call> = (posts.iter())
        .filter(|p| p.body["channel"] == RESULTS)
        .collect();
    let said: String = results.iter().map(|p| p.everything()).collect();
    assert!(said.contains("CVE-2026-1002"), "{said}");
    assert!(
        said.contains("CVE-2026-1003"),
        "the event shows a fix, so the until-fixed ignore ended: {said}"
    );
    let parent = results[0].everything();
    assert!(!parent.contains("CVE-2026-1001"), "{parent}");
    assert!(parent.contains("1 ignored"), "{parent}");
    let naming: Vec<&&Call> = (results.iter())
        .filter(|p| p.everything().contains("CVE-2026-1001"))
        .collect();
    assert_eq!(
        naming.len(),
        1,
        "named once, in a thread reply: {naming:#?}"
    );
    assert!(naming[0].body.get("thread_ts").is_some());
    assert!(naming[0].everything().contains("*Ignored*"));

    let list = TestApp::answer(s.app.command("ignores").await)
        .await
        .to_string();
    assert!(
        list.contains("CVE-2026-1001") && !list.contains("CVE-2026-1003"),
        "{list}"
    );
}
