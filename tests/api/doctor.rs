//! `ecrscan doctor` against the Slack stand-in and moto, and as a user runs it.

use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;

use aws_sdk_ecs::types::{ContainerDefinition, LaunchType};
use ecrscan::aws::Ports;
use ecrscan::aws::{SdkEcr, SdkEcs, SdkScheduler};
use ecrscan::config::Settings;
use ecrscan::doctor::{self, Outcome};

use crate::helpers::{TOKEN, push_images, unique_repository};
use crate::moto;
use crate::slack_stub::SlackStub;

fn moto_ports() -> Ports {
    Ports {
        ecr: Arc::new(SdkEcr::new(moto::ecr_client())),
        scheduler: Arc::new(SdkScheduler::new(moto::scheduler_client())),
        ecs: Arc::new(SdkEcs::new(moto::ecs_client())),
        registries: Vec::new(),
    }
}

fn settings(slack: &SlackStub, token: &str, repository: &str) -> Settings {
    let env: HashMap<&str, String> = HashMap::from([
        ("SLACK_SIGNING_SECRET", "s3cret".to_string()),
        ("SLACK_BOT_TOKEN", token.to_string()),
        ("SLACK_API_URL", slack.api_url()),
        ("ECRSCAN_REPOSITORY", repository.to_string()),
        ("ECRSCAN_SCHEDULE_GROUP", unique_repository("doctor")),
        (
            "ECRSCAN_SNS_TOPIC_ARNS",
            "arn:aws:sns:us-east-1:123456789012:ecrscan".into(),
        ),
        (
            "ECRSCAN_SCHEDULER_ROLE_ARN",
            "arn:aws:iam::123456789012:role/ecrscan-scheduler".into(),
        ),
    ]);
    Settings::from_lookup(|name| env.get(name).cloned()).unwrap()
}

#[tokio::test]
async fn doctor_passes_every_check_of_a_working_setup() {
    let repository = unique_repository("doctor");
    push_images(&repository, &["web-latest", "proxy-latest"]).await;
    let slack = SlackStub::start(TOKEN).await;
    let settings = Ok(settings(&slack, TOKEN, &repository));

    let answers = doctor::ask(&settings, &moto_ports()).await;
    let checks = doctor::checklist(&settings, &answers);

    let text = doctor::render(&checks);
    assert!(doctor::passed(&checks), "{text}");
    assert!(
        text.contains("✓ Slack token: auth.test answers: bot @ecrscan (U0BOT)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "✓ Repository {repository}: ListImages answers: 2 tags"
        )),
        "{text}"
    );
    assert!(
        text.contains("✓ Registry scan type: basic scanning"),
        "{text}"
    );
    // moto's ECS is shared by the tests running alongside: its count varies.
    assert!(
        text.contains("✓ ECS access: ListClusters answers: "),
        "{text}"
    );
}

#[tokio::test]
async fn doctor_says_how_to_fix_a_token_slack_refuses() {
    let repository = unique_repository("doctor");
    push_images(&repository, &["web-latest"]).await;
    let slack = SlackStub::start(TOKEN).await;
    let settings = Ok(settings(&slack, "xoxb-revoked", &repository));

    let checks = doctor::checklist(&settings, &doctor::ask(&settings, &moto_ports()).await);

    let slack_check = checks.iter().find(|c| c.name == "Slack token").unwrap();
    let Outcome::Fail { problem, fix } = &slack_check.outcome else {
        panic!("{checks:#?}");
    };
    assert!(problem.contains("not_authed"), "{problem}");
    assert!(fix.contains("SLACK_BOT_TOKEN"), "{fix}");
    assert!(!doctor::passed(&checks));
}

#[tokio::test]
async fn doctor_reports_a_repository_that_does_not_exist() {
    let slack = SlackStub::start(TOKEN).await;
    let settings = Ok(settings(&slack, TOKEN, &unique_repository("missing")));

    let checks = doctor::checklist(&settings, &doctor::ask(&settings, &moto_ports()).await);

    let text = doctor::render(&checks);
    assert!(
        text.contains("the repository does not exist\n    fix: set ECRSCAN_REPOSITORY"),
        "{text}"
    );
}

#[test]
fn doctor_without_settings_fails_and_names_the_first_missing_one() {
    let output = Command::new(env!("CARGO_BIN_EXE_ecrscan"))
        .arg("doctor")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("✗ Configuration: SLACK_SIGNING_SECRET: is required but not set\n    fix: set SLACK_SIGNING_SECRET"), "{stdout}");
    assert!(stdout.ends_with("1 check failed.\n"), "{stdout}");
}

#[tokio::test]
async fn doctor_checks_every_registry_through_its_role() {
    let repository = unique_repository("doctor-registries");
    push_images(&repository, &["web-latest"]).await;
    let slack = SlackStub::start(TOKEN).await;
    let registries = "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
                      staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/ecrscan";
    let mut settings = settings(&slack, TOKEN, &repository);
    settings.registries = ecrscan::registry::Registries::parse(registries).unwrap();
    let ports = Ports::on(&moto::sdk_config().await, &settings.registries).await;
    let settings = Ok(settings);

    let answers = doctor::ask(&settings, &ports).await;
    let checks = doctor::checklist(&settings, &answers);

    let text = doctor::render(&checks);
    assert!(doctor::passed(&checks), "{text}");
    for line in [
        "✓ Registry prod (123456789012, us-east-1): assumed arn:aws:iam::123456789012:role/ecrscan: ECR answers (basic scanning)",
        "✓ Registry staging (210987654321, eu-west-1): assumed arn:aws:iam::210987654321:role/ecrscan: ECR answers (basic scanning)",
        "ListImages answers: 1 tag",
        "– ECS access: checked in each registry below",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[tokio::test]
async fn doctor_reads_the_tasks_ecs_runs() {
    // An account of its own, so that its clusters are only this test's.
    let config = moto::assumed("arn:aws:iam::444455556666:role/ecrscan", "us-east-1").await;
    let ecs = aws_sdk_ecs::Client::new(&config);
    let cluster = unique_repository("doctor-ecs");
    ecs.create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .unwrap();
    let container = ContainerDefinition::builder()
        .name("app")
        .image("444455556666.dkr.ecr.us-east-1.amazonaws.com/web:latest")
        .memory(128)
        .build();
    let registered = ecs
        .register_task_definition()
        .family(unique_repository("doctor-family"))
        .container_definitions(container)
        .send()
        .await
        .unwrap();
    let definition = registered.task_definition().unwrap();
    ecs.run_task()
        .cluster(&cluster)
        .task_definition(definition.task_definition_arn().unwrap())
        .launch_type(LaunchType::Fargate)
        .count(2)
        .send()
        .await
        .unwrap();
    let repository = unique_repository("doctor");
    push_images(&repository, &["web-latest"]).await;
    let slack = SlackStub::start(TOKEN).await;
    let settings = Ok(settings(&slack, TOKEN, &repository));
    let ports = Ports {
        ecs: Arc::new(SdkEcs::new(ecs)),
        ..moto_ports()
    };

    let checks = doctor::checklist(&settings, &doctor::ask(&settings, &ports).await);

    let text = doctor::render(&checks);
    assert!(
        text.contains(&format!(
            "✓ ECS access: ListClusters answers: 1 cluster; ListTasks and DescribeTasks answer: 2 tasks in {cluster}\n"
        )),
        "{text}"
    );
}
