//! `/ecrscan schedule`, `schedules`, `pause`, `resume`, `unschedule` against moto's
//! EventBridge Scheduler: what ends up in AWS, what the channel and the user read.

use aws_sdk_scheduler::types::{FlexibleTimeWindowMode, ScheduleState};
use ecrscan::schedule::schedule_name;
use ecrscan::store::AuditLog;
use serde_json::json;

use crate::helpers::{TestApp, USER, spawn_app_with, unique_repository};
use crate::moto;

pub const ROLE: &str = "arn:aws:iam::123456789012:role/ecrscan-scheduler";

/// ecrscan on moto with its own schedule group (moto is shared by every test),
/// the role set, repository `example`, and `extra` settings.
pub async fn spawn(extra: &[(&str, &str)]) -> (TestApp, String) {
    let group = unique_repository("group");
    let mut settings = vec![
        ("ECRSCAN_SCHEDULE_GROUP", group.as_str()),
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ROLE),
        ("ECRSCAN_REPOSITORY", "example"),
    ];
    settings.extend_from_slice(extra);
    let ecr = std::sync::Arc::new(ecrscan::aws::SdkEcr::new(moto::ecr_client()));
    (spawn_app_with(ecr, &settings).await, group)
}

/// Runs a command and waits for its announcement in the channel.
pub async fn run(app: &TestApp, text: &str) -> String {
    let before = app.slack.calls_to("chat.postMessage").len();
    let answer = TestApp::answer(app.command(text).await).await;
    let posts = app.slack.wait_for("chat.postMessage", before + 1).await;
    let failures = app.slack.calls_to("response_url");
    assert!(posts.len() > before, "{text}: {answer} then {failures:?}");
    posts[before].everything()
}

/// The names of the group's schedules in moto.
pub async fn names_in(group: &str) -> Vec<String> {
    let output = moto::scheduler_client()
        .list_schedules()
        .group_name(group)
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = output
        .schedules()
        .iter()
        .filter_map(|s| s.name().map(String::from))
        .collect();
    names.sort();
    names
}

async fn get(
    group: &str,
    name: &str,
) -> aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput {
    moto::scheduler_client()
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn schedule_weekly_leaves_exactly_the_schedule_terraform_would_create() {
    let (app, group) = spawn(&[]).await;
    let post = run(&app, "schedule weekly web-latest at 06:10 tz Asia/Tokyo").await;

    let name = schedule_name("example", "web-latest");
    assert_eq!(names_in(&group).await, std::slice::from_ref(&name));
    let schedule = get(&group, &name).await;
    assert_eq!(schedule.group_name(), Some(group.as_str()));
    assert_eq!(schedule.schedule_expression(), Some("cron(10 6 ? * MON *)"));
    assert_eq!(schedule.schedule_expression_timezone(), Some("Asia/Tokyo"));
    assert_eq!(schedule.state(), Some(&ScheduleState::Enabled));
    let window = schedule.flexible_time_window().unwrap();
    assert_eq!(window.mode(), &FlexibleTimeWindowMode::Flexible);
    assert_eq!(window.maximum_window_in_minutes(), Some(15));
    let target = schedule.target().unwrap();
    assert_eq!(
        target.arn(),
        "arn:aws:scheduler:::aws-sdk:ecr:startImageScan"
    );
    assert_eq!(target.role_arn(), ROLE);
    let input: serde_json::Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(
        input,
        json!({"RepositoryName": "example", "ImageId": {"ImageTag": "web-latest"}})
    );
    let retry = target.retry_policy().unwrap();
    assert_eq!(retry.maximum_event_age_in_seconds(), Some(86_400));
    assert_eq!(retry.maximum_retry_attempts(), Some(185));
    let description = schedule.description().unwrap();
    assert!(
        description.starts_with(&format!("Created from Slack by {USER} on 20")),
        "{description}"
    );

    assert!(
        post.contains(&format!(
            "<@{USER}> scheduled scans of `example:web-latest`: every Monday at 06:10 (Asia/Tokyo); next run"
        )),
        "{post}"
    );
    let store = ecrscan::store::connect(&app.database_url).await.unwrap();
    let audit = store.recent_audit(10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action.starts_with("schedule created: example:web-latest")),
        "{audit:?}"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn scheduling_an_image_again_updates_the_same_schedule() {
    let (app, group) = spawn(&[]).await;
    run(&app, "schedule weekly web-latest").await;
    let post = run(&app, "schedule daily web-latest at 04:30").await;

    let name = schedule_name("example", "web-latest");
    assert_eq!(names_in(&group).await, std::slice::from_ref(&name));
    let schedule = get(&group, &name).await;
    assert_eq!(schedule.schedule_expression(), Some("cron(30 4 * * ? *)"));
    assert_eq!(schedule.schedule_expression_timezone(), Some("UTC"));
    assert_eq!(schedule.target().unwrap().role_arn(), ROLE);
    assert!(post.contains("rescheduled"), "{post}");
    assert!(post.contains("every day at 04:30 (UTC)"), "{post}");
}

#[tokio::test]
async fn schedule_without_images_schedules_the_watched_tags() {
    let (app, group) = spawn(&[("ECRSCAN_TAGS", "web-latest,other:proxy-latest")]).await;
    let post = run(&app, "schedule daily").await;

    let mut expected = [
        schedule_name("example", "web-latest"),
        schedule_name("other", "proxy-latest"),
    ];
    expected.sort();
    assert_eq!(names_in(&group).await, expected);
    assert!(post.contains("scans of 2 images"), "{post}");
}

#[tokio::test]
async fn schedule_without_images_or_watched_tags_asks_for_an_image() {
    let (app, group) = spawn(&[]).await;
    let body = TestApp::answer(app.command("schedule daily").await)
        .await
        .to_string();
    assert!(
        body.contains("needs an image") && body.contains("ECRSCAN_TAGS"),
        "{body}"
    );
    assert_nothing_created(&app, &group).await;
}

#[tokio::test]
async fn schedule_names_a_digest_image_by_its_digest() {
    let (app, group) = spawn(&[]).await;
    let digest = format!("sha256:{}", "ab".repeat(32));
    run(&app, &format!("schedule weekly example@{digest}")).await;
    let name = schedule_name("example", &digest);
    let input = get(&group, &name)
        .await
        .target()
        .unwrap()
        .input()
        .unwrap()
        .to_string();
    let input: serde_json::Value = serde_json::from_str(&input).unwrap();
    assert_eq!(input["ImageId"], json!({ "ImageDigest": digest }));
}

#[tokio::test]
async fn pause_leaves_the_schedule_disabled_and_resume_enables_it_again() {
    let (app, group) = spawn(&[]).await;
    run(&app, "schedule weekly web-latest at 06:10").await;
    let name = schedule_name("example", "web-latest");

    let post = run(&app, "pause web-latest").await;
    let paused = get(&group, &name).await;
    assert_eq!(paused.state(), Some(&ScheduleState::Disabled));
    assert_eq!(paused.schedule_expression(), Some("cron(10 6 ? * MON *)"));
    assert_eq!(
        paused
            .target()
            .unwrap()
            .retry_policy()
            .unwrap()
            .maximum_retry_attempts(),
        Some(185)
    );
    assert!(
        post.contains("paused") && post.contains("/ecrscan resume"),
        "{post}"
    );

    let post = run(&app, "resume example:web-latest").await;
    assert_eq!(
        get(&group, &name).await.state(),
        Some(&ScheduleState::Enabled)
    );
    assert!(
        post.contains("resumed") && post.contains("next run"),
        "{post}"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn rescheduling_a_paused_image_keeps_it_paused() {
    let (app, group) = spawn(&[]).await;
    run(&app, "schedule weekly web-latest").await;
    run(&app, "pause web-latest").await;
    let post = run(&app, "schedule daily web-latest").await;
    let schedule = get(&group, &schedule_name("example", "web-latest")).await;
    assert_eq!(schedule.state(), Some(&ScheduleState::Disabled));
    assert!(post.contains("stays paused"), "{post}");
}

#[tokio::test]
async fn unschedule_deletes_the_schedule() {
    let (app, group) = spawn(&[]).await;
    run(&app, "schedule weekly web-latest").await;
    let post = run(&app, "unschedule web-latest").await;
    assert!(names_in(&group).await.is_empty());
    assert!(
        post.contains("removed the scheduled scans of `example:web-latest`"),
        "{post}"
    );
}

#[tokio::test]
async fn pausing_an_image_without_a_schedule_says_so() {
    let (app, _group) = spawn(&[]).await;
    app.command("pause web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    assert!(
        answers[0].text().contains("has no schedule"),
        "{}",
        answers[0].text()
    );
    assert!(app.slack.calls_to("chat.postMessage").is_empty());
}

/// Nothing was posted, and the group (which ecrscan creates first) does not exist.
pub async fn assert_nothing_created(app: &TestApp, group: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.slack.calls_to("chat.postMessage").is_empty());
    let found = moto::scheduler_client()
        .get_schedule_group()
        .name(group)
        .send()
        .await;
    assert!(found.is_err(), "the group {group} was created");
}

#[tokio::test]
async fn a_tag_the_repository_does_not_have_is_not_scheduled_and_the_closest_tags_are_named() {
    let repository = unique_repository("typo");
    crate::helpers::push_images(&repository, &["web-latest", "proxy-latest"]).await;
    let (app, group) = spawn(&[("ECRSCAN_REPOSITORY", repository.as_str())]).await;

    TestApp::answer(app.command("schedule weekly runing").await).await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let said = answers[0].everything();
    assert!(
        said.contains("There is no tag `runing`")
            && said.contains(&format!("`{repository}:web-latest`"))
            && said.contains("Nothing was scheduled for it"),
        "{said}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(names_in(&group).await.is_empty(), "nothing created");
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "nothing announced"
    );

    let post = run(&app, "schedule weekly runing web-latest").await;
    assert!(
        post.contains("web-latest") && !post.contains("runing"),
        "{post}"
    );
    assert_eq!(
        names_in(&group).await,
        [schedule_name(&repository, "web-latest")]
    );
}
