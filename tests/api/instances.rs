//! Several instances behind one load balancer, sharing one PostgreSQL database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ecr::types::FindingSeverity;
use ecrscan::aws::Ports;
use ecrscan::aws::{SdkEcs, SdkScheduler};

use crate::databases::postgres;
use crate::ecr_mock::{DIGEST, cve, ecr, findings_pages, image};
use crate::helpers::{TOKEN, TestApp, spawn_app_on};
use crate::slack_stub::SlackStub;
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

async fn instance(
    slack: &SlackStub,
    db: &crate::databases::TestDatabase,
    sns: &SnsOrigin,
) -> TestApp {
    let findings = Arc::new(Mutex::new(vec![cve(1, FindingSeverity::High)]));
    let rules = [image(), findings_pages(findings)];
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let settings = [
        ("ECRSCAN_CHANNEL", "C0RESULTS"),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
        // Each result in its own thread here; digests have their own test.
        ("ECRSCAN_DIGEST_THRESHOLD", "1000000"),
    ];
    let scheduler = Arc::new(SdkScheduler::new(crate::moto::scheduler_client()));
    let ports = Ports {
        ecr: ecr(&[&rules[0], &rules[1]]),
        scheduler,
        ecs: Arc::new(SdkEcs::new(crate::moto::ecs_client())),
        registries: Vec::new(),
    };
    spawn_app_on(slack.clone(), db.shared(), ports, &settings).await
}

#[tokio::test]
async fn two_instances_on_one_postgres_post_every_result_exactly_once() {
    let slack = SlackStub::start(TOKEN).await;
    let db = postgres().await;
    let sns = SnsOrigin::start().await;
    let apps = [
        instance(&slack, &db, &sns).await,
        instance(&slack, &db, &sns).await,
    ];

    const IMAGES: usize = 500;
    for n in 0..IMAGES {
        let tag = format!("web-{n}");
        let msg = sns.notification(
            &format!("multi-{n}"),
            &scan_event("example", DIGEST, &[&tag], "COMPLETE"),
        );
        // SNS delivers to whichever instance the load balancer picks, sometimes twice.
        for app in [&apps[n % 2], &apps[(n + n / 3) % 2]] {
            let response = app
                .http
                .post(format!("{}/sns", app.address))
                .header("x-amz-sns-message-type", "Notification")
                .body(body(&msg))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while slack.calls_to("chat.postMessage").len() < IMAGES * 2
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posts = slack.calls_to("chat.postMessage");
    let mut summaries: HashMap<String, usize> = HashMap::new();
    for post in posts.iter().filter(|p| p.body.get("thread_ts").is_none()) {
        *summaries
            .entry(post.body["blocks"][0]["text"]["text"].to_string())
            .or_default() += 1;
    }
    assert_eq!(
        posts.len(),
        IMAGES * 2,
        "a summary and one detail reply per image"
    );
    assert_eq!(summaries.len(), IMAGES, "{summaries:?}");
    assert!(summaries.values().all(|n| *n == 1), "{summaries:?}");
}
