//! `schedule WHEN running` and `running sync` on moto's ECS and Scheduler: one
//! schedule per running image digest, staggered over the day, kept in step
//! with what runs, each change announced once; a result names where its image
//! runs. (moto reports no `imageDigest`: the images are named pinned, see
//! `running.rs`.)

use aws_sdk_ecr::types::ImageIdentifier;

use crate::helpers::{CHANNEL, TestApp, spawn_app_with, unique_repository};
use crate::moto;
use crate::running::{REGISTRY, cluster, definition, push, start};
use crate::sns::{RESULTS, deliver};
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

const ROLE: &str = "arn:aws:iam::123456789012:role/ecrscan-scheduler";

/// The schedules in `group`, each as (digest it scans, expression, description).
async fn schedules(group: &str) -> Vec<(String, String, String)> {
    let scheduler = moto::scheduler_client();
    let listed = scheduler
        .list_schedules()
        .group_name(group)
        .send()
        .await
        .unwrap();
    let mut found = Vec::new();
    for summary in listed.schedules() {
        let name = summary.name().unwrap();
        let schedule = scheduler
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .unwrap();
        let input: serde_json::Value =
            serde_json::from_str(schedule.target().unwrap().input().unwrap()).unwrap();
        found.push((
            input["ImageId"]["ImageDigest"]
                .as_str()
                .unwrap_or("no digest")
                .to_string(),
            schedule.schedule_expression().unwrap().to_string(),
            schedule.description().unwrap_or_default().to_string(),
        ));
    }
    found.sort();
    found
}

fn announcements(app: &TestApp) -> Vec<String> {
    (app.slack.calls_to("chat.postMessage").iter())
        .filter(|p| p.body["channel"] == CHANNEL)
        .map(|p| p.everything())
        .collect()
}

#[tokio::test]
async fn the_running_images_keep_one_staggered_schedule_each_in_step_with_what_runs() {
    let repos = ["web", "worker", "api", "newbie"].map(unique_repository);
    let mut digests = Vec::new();
    for repository in &repos {
        digests.push(push(repository, "latest").await);
    }
    let pinned = |n: usize| format!("{REGISTRY}/{}:latest@{}", repos[n], digests[n]);
    let (prod, staging) = (cluster("prod").await, cluster("staging").await);
    let mut defs = Vec::new();
    for n in 0..4 {
        defs.push(definition(&pinned(n)).await);
    }
    let hub = definition("nginx:1.27").await;
    start(&prod, &defs[0], "service:web", 2).await;
    start(&staging, &defs[0], "service:web-canary", 1).await;
    let worker_tasks = start(&prod, &defs[1], "service:worker", 2).await;
    start(&staging, &defs[2], "family:api", 1).await;
    start(&prod, &hub, "service:proxy", 1).await;

    let sns = SnsOrigin::start().await;
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let group = unique_repository("running");
    let settings = [
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ROLE),
        ("ECRSCAN_SCHEDULE_GROUP", group.as_str()),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
    ];
    let ecr = std::sync::Arc::new(ecrscan::aws::SdkEcr::new(moto::ecr_client()));
    let app = spawn_app_with(ecr, &settings).await;

    app.command(&format!("schedule weekly running in {prod} {staging}"))
        .await;
    app.slack.wait_for("chat.postMessage", 1).await;
    let kept = schedules(&group).await;
    let scanned: Vec<&str> = kept.iter().map(|(digest, ..)| digest.as_str()).collect();
    let mut expected = vec![
        digests[0].as_str(),
        digests[1].as_str(),
        digests[2].as_str(),
    ];
    expected.sort();
    assert_eq!(
        scanned, expected,
        "three schedules, by digest; nginx is not ECR's"
    );
    let times: std::collections::BTreeSet<&str> = kept.iter().map(|(_, e, _)| e.as_str()).collect();
    assert_eq!(times.len(), 3, "staggered: {kept:?}");
    assert!(
        kept.iter().all(|(_, e, _)| e.ends_with("? * MON *)")),
        "weekly on Monday: {kept:?}"
    );
    let web = kept.iter().find(|(d, ..)| *d == digests[0]).unwrap();
    assert!(
        web.2.contains(&format!(
            "runs in {prod}/web, 2 tasks; {staging}/web-canary, 1 task"
        )),
        "{web:?}"
    );
    let first = announcements(&app);
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains("scheduled scans of 3 images"),
        "{}",
        first[0]
    );

    // The worker stops; a new service starts.
    for task in &worker_tasks {
        let stop = moto::ecs_client().stop_task().cluster(&prod).task(task);
        stop.send().await.unwrap();
    }
    start(&staging, &defs[3], "service:newbie", 1).await;
    app.command("running sync").await;
    app.slack.wait_for("chat.postMessage", 2).await;
    let kept = schedules(&group).await;
    let scanned: Vec<&str> = kept.iter().map(|(digest, ..)| digest.as_str()).collect();
    let mut expected = vec![
        digests[0].as_str(),
        digests[2].as_str(),
        digests[3].as_str(),
    ];
    expected.sort();
    assert_eq!(scanned, expected, "{kept:?}");
    let second = &announcements(&app)[1];
    assert!(
        second.contains(&format!("{}@{}", repos[3], &digests[3][..19])),
        "{second}"
    );
    assert!(
        second.contains(&format!("runs in {staging}/newbie, 1 task")),
        "{second}"
    );
    assert!(
        second.contains(&format!("{}@{}", repos[1], digests[1]))
            && second.contains("no longer runs"),
        "{second}"
    );

    // Nothing changed since: nothing more is announced.
    app.command("running sync").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    assert!(
        answers[0]
            .text()
            .contains("Nothing changed: 3 running images"),
        "{}",
        answers[0].text()
    );
    assert_eq!(announcements(&app).len(), 2, "each change announced once");

    // A result for a running image says where it runs.
    let id = ImageIdentifier::builder().image_digest(&digests[0]).build();
    let scan = moto::ecr_client()
        .start_image_scan()
        .repository_name(&repos[0])
        .image_id(id);
    scan.send().await.unwrap();
    let event = scan_event(&repos[0], &digests[0], &["latest"], "COMPLETE");
    let notification = sns.notification("running-result", &event);
    assert_eq!(
        deliver(&app, "Notification", body(&notification))
            .await
            .status(),
        200
    );
    let results = app.slack.wait_for("chat.postMessage", 3).await;
    let summary = results[2].everything();
    assert!(
        summary.contains(&format!(
            "Running in {prod}/web, 2 tasks; {staging}/web-canary, 1 task"
        )),
        "{summary}"
    );
    app.slack.assert_all_within_limits();
}
