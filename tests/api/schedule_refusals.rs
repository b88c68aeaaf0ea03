//! Schedules that are not made: who may not, what is missing, what is malformed,
//! what AWS refuses. Each answer says what to fix, and nothing is created.

use std::sync::Arc;

use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::operation::get_schedule_group::GetScheduleGroupOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use ecrscan::aws::Ports;
use ecrscan::aws::{SdkEcr, SdkEcs, SdkScheduler};

use crate::ecr_mock::aws_error;
use crate::helpers::{TestApp, spawn_app_with_ports};
use crate::moto;
use crate::schedules::{ROLE, assert_nothing_created, run, spawn};

#[tokio::test]
async fn a_user_who_is_not_an_admin_is_refused_and_told_who_may() {
    let (app, group) = spawn(&[("ECRSCAN_ADMINS", "U0009,U0008")]).await;
    for text in [
        "schedule weekly web-latest",
        "pause web-latest",
        "resume web-latest",
        "unschedule web-latest",
    ] {
        let body = TestApp::answer(app.command(text).await).await.to_string();
        assert!(body.contains("<@U0009> or <@U0008>"), "{text}: {body}");
    }
    assert_nothing_created(&app, &group).await;
}

#[tokio::test]
async fn a_user_who_is_not_an_admin_may_still_list_schedules() {
    let (app, _group) = spawn(&[("ECRSCAN_ADMINS", "U0009")]).await;
    app.command("schedules").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    assert!(
        answers[0].text().contains("No scans are scheduled"),
        "{}",
        answers[0].text()
    );
}

#[tokio::test]
async fn a_missing_role_is_explained_with_its_policies_and_nothing_is_created() {
    let (app, group) = spawn(&[("ECRSCAN_SCHEDULER_ROLE_ARN", "")]).await;
    let body = TestApp::answer(app.command("schedule weekly web-latest").await)
        .await
        .to_string();
    for expected in [
        "ECRSCAN_SCHEDULER_ROLE_ARN",
        "scheduler.amazonaws.com",
        "ecr:StartImageScan",
    ] {
        assert!(body.contains(expected), "{expected}: {body}");
    }
    assert_nothing_created(&app, &group).await;
}

#[tokio::test]
async fn every_malformed_when_gets_a_clear_answer_and_nothing_is_created() {
    let (app, group) = spawn(&[]).await;
    for (text, expected) in [
        ("schedule every 2 hours web-latest", "24 hours"),
        (
            "schedule rate(5 minutes) web-latest",
            "more than once a day",
        ),
        (
            "schedule cron(0 * * * ? *) web-latest",
            "more than once a day",
        ),
        ("schedule weekly web-latest tz Mars/Base", "IANA"),
        ("schedule fortnightly web-latest", "not a WHEN"),
    ] {
        let body = TestApp::answer(app.command(text).await).await.to_string();
        assert!(
            body.contains(":warning:") && body.contains(expected),
            "{text}: {body}"
        );
        assert!(
            body.contains("/ecrscan schedule WHEN"),
            "{text} shows the form: {body}"
        );
    }
    assert_nothing_created(&app, &group).await;
}

#[tokio::test]
async fn a_denied_create_schedule_names_the_action_and_the_role_to_pass() {
    let group = mock!(Client::get_schedule_group)
        .then_output(|| GetScheduleGroupOutput::builder().name("ecrscan").build());
    let missing = || aws_error(404, "ResourceNotFoundException", "Schedule does not exist.");
    let get = mock!(Client::get_schedule).then_http_response(missing());
    let update = mock!(Client::update_schedule).then_http_response(missing());
    let denied = "User: arn:aws:sts::123456789012:assumed-role/ecrscan/i is not authorized \
                  to perform: scheduler:CreateSchedule on resource: arn:aws:scheduler:x";
    let create = mock!(Client::create_schedule).then_http_response(aws_error(
        403,
        "AccessDeniedException",
        denied,
    ));
    let client = mock_client!(
        aws_sdk_scheduler,
        RuleMode::MatchAny,
        &[&group, &get, &update, &create]
    );
    let ports = Ports {
        ecr: Arc::new(SdkEcr::new(moto::ecr_client())),
        scheduler: Arc::new(SdkScheduler::new(client)),
        ecs: Arc::new(SdkEcs::new(moto::ecs_client())),
        registries: Vec::new(),
    };
    let settings = [
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ROLE),
        ("ECRSCAN_REPOSITORY", "example"),
    ];
    let app = spawn_app_with_ports(ports, &settings).await;

    app.command("schedule weekly web-latest").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert!(
        text.contains("not allowed to call `scheduler:CreateSchedule`"),
        "{text}"
    );
    assert!(
        text.contains(&format!("`iam:PassRole` on `{ROLE}`")),
        "{text}"
    );
    assert_eq!(create.num_calls(), 1);
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "nothing announced"
    );
    app.slack.assert_all_within_limits();
}

#[tokio::test]
async fn schedules_lists_every_page_of_the_group() {
    let group = crate::helpers::unique_repository("paged");
    let scheduler = SdkScheduler::new(moto::scheduler_client()).with_page_size(2);
    let ports = Ports {
        ecr: Arc::new(SdkEcr::new(moto::ecr_client())),
        scheduler: Arc::new(scheduler),
        ecs: Arc::new(SdkEcs::new(moto::ecs_client())),
        registries: Vec::new(),
    };
    let settings = [
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ROLE),
        ("ECRSCAN_REPOSITORY", "example"),
        ("ECRSCAN_SCHEDULE_GROUP", group.as_str()),
    ];
    let app = spawn_app_with_ports(ports, &settings).await;
    let tags = ["a", "b", "c", "d", "e"];
    run(&app, &format!("schedule weekly {}", tags.join(" "))).await;
    run(&app, "pause c").await;

    app.command("schedules").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].everything();
    for tag in tags {
        assert!(text.contains(&format!("`example:{tag}`")), "{tag}: {text}");
    }
    assert_eq!(
        text.matches("every Monday at 03:00 (UTC)").count(),
        5,
        "{text}"
    );
    assert_eq!(text.matches("next run").count(), 4, "c is paused: {text}");
    assert!(answers[0].text().starts_with("5 scheduled scans"), "{text}");
    app.slack.assert_all_within_limits();
}
