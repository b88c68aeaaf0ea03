//! Several registries (`ECRSCAN_REGISTRIES`): two accounts on moto, reached
//! through STS AssumeRole, with a repository of the same name in each.

use aws_sdk_ecr::types::ImageIdentifier;
use ecrscan::aws::Ports;
use ecrscan::registry::Registries;
use ecrscan::scan::findings::Severity;
use ecrscan::scan::image::ImageId;
use ecrscan::schedule::name_for;
use ecrscan::store::{Subscription, Subscriptions, Threads, connect};

use crate::helpers::{CHANNEL, TestApp, push_images_to, spawn_app_with_ports, unique_repository};
use crate::moto;
use crate::sns::{RESULTS, deliver, settled_posts};
use crate::sns_harness::{SnsOrigin, TOPIC, body, scan_event};

const PROD: (&str, &str) = ("123456789012", "us-east-1");
const STAGING: (&str, &str) = ("210987654321", "eu-west-1");
const REGISTRIES: &str = "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
     staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/ecrscan";
const SCHEDULER_ROLE: &str = "arn:aws:iam::123456789012:role/ecrscan-scheduler";
const EVERYTHING: &str = "C0EVERYTHING";

/// An ECR client in a registry's account and region, through its role.
async fn ecr_of((account, region): (&str, &str)) -> aws_sdk_ecr::Client {
    let role = format!("arn:aws:iam::{account}:role/ecrscan");
    aws_sdk_ecr::Client::new(&moto::assumed(&role, region).await)
}

async fn scheduler_of((account, region): (&str, &str)) -> aws_sdk_scheduler::Client {
    let role = format!("arn:aws:iam::{account}:role/ecrscan");
    aws_sdk_scheduler::Client::new(&moto::assumed(&role, region).await)
}

/// Creates `repository` in a registry with one image tagged `web-latest`;
/// returns its digest.
async fn push(registry: (&str, &str), repository: &str) -> String {
    let ecr = ecr_of(registry).await;
    push_images_to(&ecr, repository, &["web-latest"])
        .await
        .remove(0)
}

async fn scanned(registry: (&str, &str), repository: &str) -> bool {
    let id = ImageIdentifier::builder().image_tag("web-latest").build();
    (ecr_of(registry).await)
        .describe_image_scan_findings()
        .repository_name(repository)
        .image_id(id)
        .send()
        .await
        .is_ok()
}

/// ecrscan serving both registries, results to RESULTS unless subscribed elsewhere.
async fn spawn(sns: &SnsOrigin, group: &str) -> TestApp {
    let registries = Registries::parse(REGISTRIES).unwrap();
    let ports = Ports::on(&moto::sdk_config().await, &registries).await;
    let origin = sns.origin.as_str().trim_end_matches('/').to_string();
    let settings = [
        ("ECRSCAN_REGISTRIES", REGISTRIES),
        ("ECRSCAN_CHANNEL", RESULTS),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_INSECURE_SNS_CERT_ORIGIN", origin.as_str()),
        ("ECRSCAN_SCHEDULER_ROLE_ARN", SCHEDULER_ROLE),
        ("ECRSCAN_SCHEDULE_GROUP", group),
    ];
    spawn_app_with_ports(ports, &settings).await
}

#[tokio::test]
async fn now_scans_in_the_account_that_an_alias_or_a_pasted_uri_names() {
    let repository = unique_repository("multi-now");
    let prod_digest = push(PROD, &repository).await;
    let staging_digest = push(STAGING, &repository).await;
    let sns = SnsOrigin::start().await;
    let app = spawn(&sns, "ecrscan").await;

    app.command(&format!("now prod/{repository}:web-latest"))
        .await;
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    let started = posts[0].everything();
    assert!(
        started.contains(&format!("prod/{repository}:web-latest")),
        "{started}"
    );
    assert!(started.contains(&prod_digest[..19]), "{started}");
    assert!(scanned(PROD, &repository).await);
    assert!(
        !scanned(STAGING, &repository).await,
        "staging was not scanned"
    );

    let pasted = format!("210987654321.dkr.ecr.eu-west-1.amazonaws.com/{repository}:web-latest");
    app.command(&format!("now {pasted}")).await;
    let posts = app.slack.wait_for("chat.postMessage", 2).await;
    let started = posts[1].everything();
    assert!(
        started.contains(&format!("staging/{repository}:web-latest")),
        "{started}"
    );
    assert!(started.contains(&staging_digest[..19]), "{started}");
    assert!(scanned(STAGING, &repository).await);
    assert!(
        app.slack.calls_to("response_url").is_empty(),
        "no error was reported"
    );
}

#[tokio::test]
async fn an_unknown_registry_is_answered_with_the_known_aliases() {
    let sns = SnsOrigin::start().await;
    let app = spawn(&sns, "ecrscan").await;

    let uri = "999999999999.dkr.ecr.eu-west-1.amazonaws.com/example:web-latest";
    let answer = TestApp::answer(app.command(&format!("now {uri}")).await).await;
    let text = answer.to_string();
    assert!(
        text.contains("999999999999") && text.contains("`prod`, `staging`"),
        "{text}"
    );

    let repository = unique_repository("multi-unknown");
    app.command(&format!("now qa/{repository}:web-latest"))
        .await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let text = answers[0].text();
    assert!(
        text.contains("`prod`, `staging`") && text.contains("ALIAS/REPO:TAG"),
        "{text}"
    );
    assert!(
        app.slack.calls_to("chat.postMessage").is_empty(),
        "no scan started"
    );
}

#[tokio::test]
async fn results_of_each_account_get_their_own_thread_and_subscriptions_name_registries() {
    let repository = unique_repository("multi-results");
    let digests = [
        push(PROD, &repository).await,
        push(STAGING, &repository).await,
    ];
    for registry in [PROD, STAGING] {
        let id = ImageIdentifier::builder().image_tag("web-latest").build();
        let ecr = ecr_of(registry).await;
        let scan = ecr
            .start_image_scan()
            .repository_name(&repository)
            .image_id(id);
        scan.send().await.unwrap();
    }
    let sns = SnsOrigin::start().await;
    let app = spawn(&sns, "ecrscan").await;
    let answer = TestApp::answer(app.command("subscribe staging/*").await).await;
    assert!(answer.to_string().contains("staging/*"), "{answer}");
    let store = connect(&app.database_url).await.unwrap();
    let everything = Subscription {
        channel: EVERYTHING.into(),
        pattern: format!("{repository}:*"),
        min_severity: Severity::Undefined,
        created_by: "U0BOB".into(),
    };
    store.subscribe(&everything).await.unwrap();

    for (n, ((account, region), digest)) in [PROD, STAGING].iter().zip(&digests).enumerate() {
        let mut event = scan_event(&repository, digest, &["web-latest"], "COMPLETE");
        event["account"] = (*account).into();
        event["region"] = (*region).into();
        let notification = sns.notification(&format!("multi-{n}"), &event);
        assert_eq!(
            deliver(&app, "Notification", body(&notification))
                .await
                .status(),
            200
        );
    }

    let posts = settled_posts(&app, 3).await;
    let to = |channel: &str| -> Vec<String> {
        (posts.iter())
            .filter(|p| p.body["channel"] == channel && p.body["thread_ts"].is_null())
            .map(|p| p.everything())
            .filter(|text| text.contains(&repository))
            .collect()
    };
    let (prod, staging) = (
        format!("prod/{repository}:web-latest"),
        format!("staging/{repository}:web-latest"),
    );
    let everywhere = to(EVERYTHING);
    assert_eq!(
        everywhere.len(),
        2,
        "one thread per registry: {everywhere:?}"
    );
    assert!(
        everywhere.iter().any(|t| t.contains(&prod)),
        "{everywhere:?}"
    );
    assert!(
        everywhere.iter().any(|t| t.contains(&staging)),
        "{everywhere:?}"
    );
    let subscribed = to(CHANNEL);
    assert_eq!(subscribed.len(), 1, "{subscribed:?}");
    assert!(subscribed[0].contains(&staging), "{}", subscribed[0]);
    assert!(to(RESULTS).is_empty(), "every result had a subscription");

    let key = "tag:web-latest";
    for alias in ["prod", "staging"] {
        let threaded = format!("{alias}/{repository}");
        let thread = store
            .image_thread(&threaded, key, EVERYTHING)
            .await
            .unwrap();
        assert!(thread.is_some(), "{alias} has its own thread");
    }
}

#[tokio::test]
async fn a_schedule_is_made_in_the_registry_s_own_account_with_its_scheduler_role() {
    let repository = unique_repository("multi-schedule");
    push(STAGING, &repository).await;
    let group = unique_repository("group");
    let sns = SnsOrigin::start().await;
    let app = spawn(&sns, &group).await;

    app.command(&format!("schedule weekly staging/{repository}:web-latest"))
        .await;
    let posts = app.slack.wait_for("chat.postMessage", 1).await;
    let announced = posts[0].everything();
    assert!(
        announced.contains(&format!("staging/{repository}:web-latest")),
        "{announced}"
    );

    let name = name_for(&repository, &ImageId::Tag("web-latest".into()));
    let staging = scheduler_of(STAGING).await;
    let schedule = staging
        .get_schedule()
        .group_name(&group)
        .name(&name)
        .send()
        .await
        .unwrap();
    let target = schedule.target().unwrap();
    assert_eq!(
        target.role_arn(),
        "arn:aws:iam::210987654321:role/ecrscan-scheduler"
    );
    let input: serde_json::Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(input["RepositoryName"], repository.as_str());
    let prod = scheduler_of(PROD).await;
    let in_prod = prod
        .get_schedule()
        .group_name(&group)
        .name(&name)
        .send()
        .await;
    assert!(in_prod.is_err(), "nothing was scheduled in prod's account");

    app.command("schedules").await;
    let answers = app.slack.wait_for("response_url", 1).await;
    let listed = answers[0].everything();
    assert!(
        listed.contains(&format!("staging/{repository}:web-latest")),
        "{listed}"
    );
    assert!(
        listed.contains("*staging* · account 210987654321 · eu-west-1"),
        "grouped under its registry: {listed}"
    );
}
