use std::collections::HashMap;

use super::*;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ecrscan";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecrscan-scheduler";

fn settings(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let mut env: HashMap<&str, &str> = HashMap::from([
        ("SLACK_SIGNING_SECRET", "s3cret"),
        ("SLACK_BOT_TOKEN", "xoxb-1-2-abc"),
        ("ECRSCAN_REPOSITORY", "example"),
        ("ECRSCAN_SNS_TOPIC_ARNS", TOPIC),
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ROLE),
    ]);
    env.extend(extra.iter().copied());
    Settings::from_lookup(|name| env.get(name).map(|v| v.to_string()))
}

fn bot() -> BotIdentity {
    BotIdentity {
        team: "Example".into(),
        team_id: "T0001".into(),
        user: "ecrscan".into(),
        user_id: "U0BOT".into(),
    }
}

fn all_well() -> Answers {
    Answers {
        slack: Some(Ok(bot())),
        scan_kind: Some(Ok(ScanKind::Basic)),
        tags: Some(Ok(vec!["web-latest".into()])),
        schedules: Some(Ok(vec![])),
        ecs: Some(Ok(EcsAnswer {
            clusters: 2,
            first: Some(("prod".into(), 5)),
        })),
        registries: Vec::new(),
    }
}

fn outcome<'a>(checks: &'a [Check], name: &str) -> &'a Outcome {
    let check = checks.iter().find(|c| c.name.starts_with(name));
    &check
        .unwrap_or_else(|| panic!("no check {name}: {checks:#?}"))
        .outcome
}

fn fix(checks: &[Check], name: &str) -> String {
    match outcome(checks, name) {
        Outcome::Fail { fix, .. } => fix.clone(),
        other => panic!("{name} did not fail: {other:?}"),
    }
}

#[test]
fn a_working_setup_passes_every_check_in_order() {
    let checks = checklist(&settings(&[]), &all_well());

    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Configuration",
            "Slack token",
            "ECR access",
            "Repository example",
            "Schedule group ecrscan",
            "Registry scan type",
            "Scheduler role",
            "SNS topics",
            "ECS access"
        ]
    );
    assert!(passed(&checks), "{checks:#?}");
    let text = render(&checks);
    assert!(
        text.contains(
            "✓ Slack token: auth.test answers: bot @ecrscan (U0BOT) in workspace Example (T0001)"
        ),
        "{text}"
    );
    assert!(text.ends_with("All checks passed.\n"), "{text}");
}

#[test]
fn a_configuration_that_does_not_load_fails_and_nothing_else_is_checked() {
    let broken = Settings::from_lookup(|_| None);
    let checks = checklist(&broken, &Answers::default());

    assert!(!passed(&checks));
    assert!(fix(&checks, "Configuration").contains("set SLACK_SIGNING_SECRET"));
    let skipped = (checks.iter().skip(1)).all(|c| matches!(c.outcome, Outcome::Skipped(_)));
    assert!(skipped, "{checks:#?}");
    assert!(render(&checks).ends_with("1 check failed.\n"));
}

#[test]
fn a_refused_token_and_a_foreign_workspace_fail_with_their_fix() {
    let mut answers = all_well();
    answers.slack = Some(Err(PostError::Refused("invalid_auth".into())));
    let checks = checklist(&settings(&[]), &answers);
    assert!(fix(&checks, "Slack token").contains("Bot User OAuth Token"));

    let checks = checklist(&settings(&[("SLACK_TEAM_ID", "T9999")]), &all_well());
    assert!(fix(&checks, "Slack token").contains("SLACK_TEAM_ID"));
}

#[test]
fn aws_failures_name_the_permission_or_the_credentials_to_give() {
    let denied = AwsError::AccessDenied {
        action: "ecr:ListImages",
        message: "not authorized".into(),
    };
    let mut answers = all_well();
    answers.tags = Some(Err(denied));
    answers.scan_kind = Some(Err(AwsError::NoCredentials));
    answers.schedules = Some(Err(AwsError::Other {
        action: "scheduler:ListSchedules",
        message: "no answer within 10 s".into(),
    }));
    let checks = checklist(&settings(&[]), &answers);

    assert!(fix(&checks, "Repository").contains("allow ecr:ListImages: attach the bot policy"));
    assert!(fix(&checks, "ECR access").contains("AWS_ROLE_ARN"));
    assert!(fix(&checks, "Schedule group").contains("AWS_REGION"));
    assert!(matches!(
        outcome(&checks, "Registry scan type"),
        Outcome::Skipped(_)
    ));
    let text = render(&checks);
    assert!(
        text.contains("✗ ECR access: no AWS credentials were found\n    fix: "),
        "{text}"
    );
    assert!(text.ends_with("3 checks failed.\n"), "{text}");
}

#[test]
fn the_scan_type_says_what_it_means_for_scans() {
    let mut answers = all_well();
    answers.scan_kind = Some(Ok(ScanKind::Enhanced));
    let checks = checklist(&settings(&[]), &answers);
    let Outcome::Pass(meaning) = outcome(&checks, "Registry scan type") else {
        panic!("{checks:#?}");
    };
    assert!(
        meaning.contains("Inspector") && meaning.contains("refuses"),
        "{meaning}"
    );
}

#[test]
fn without_a_default_repository_its_check_is_skipped_not_failed() {
    let mut answers = all_well();
    answers.tags = None;
    let checks = checklist(&settings(&[("ECRSCAN_REPOSITORY", "")]), &answers);
    assert!(matches!(
        outcome(&checks, "Repository"),
        Outcome::Skipped(_)
    ));
    assert!(passed(&checks));
}

#[test]
fn a_missing_or_malformed_role_or_topic_fails() {
    let unset = [
        ("ECRSCAN_SCHEDULER_ROLE_ARN", ""),
        ("ECRSCAN_SNS_TOPIC_ARNS", ""),
    ];
    let checks = checklist(&settings(&unset), &all_well());
    assert!(fix(&checks, "Scheduler role").contains("ECRSCAN_SCHEDULER_ROLE_ARN"));
    assert!(fix(&checks, "SNS topics").contains("ECRSCAN_SNS_TOPIC_ARNS"));

    let wrong = [
        ("ECRSCAN_SCHEDULER_ROLE_ARN", "ecrscan-scheduler"),
        (
            "ECRSCAN_SNS_TOPIC_ARNS",
            "arn:aws:sns:us-east-1:123456789012:ok,ecrscan",
        ),
    ];
    let checks = checklist(&settings(&wrong), &all_well());
    let Outcome::Fail { problem, .. } = outcome(&checks, "SNS topics") else {
        panic!("{checks:#?}");
    };
    assert_eq!(
        problem,
        "not SNS topic ARNs (arn:aws:sns:REGION:ACCOUNT:NAME): ecrscan"
    );
    assert!(matches!(
        outcome(&checks, "Scheduler role"),
        Outcome::Fail { .. }
    ));
}

#[test]
fn arns_are_checked_for_their_shape() {
    for good in [ROLE, "arn:aws-cn:iam::123456789012:role/path/name"] {
        assert!(is_role_arn(good), "{good}");
    }
    for bad in [
        "arn:aws:iam::123456789012:user/ecrscan",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam:us-east-1:123456789012:role/x",
        "arn:aws:iam::123456789012:role/",
    ] {
        assert!(!is_role_arn(bad), "{bad}");
    }
    for good in [
        TOPIC,
        "arn:aws-us-gov:sns:us-gov-west-1:123456789012:scans.fifo",
    ] {
        assert!(is_topic_arn(good), "{good}");
    }
    for bad in [
        "arn:aws:sns:us-east-1:123456789012:",
        "arn:aws:sns::123456789012:x",
        "arn:aws:sqs:us-east-1:123456789012:x",
        "arn:aws:sns:us-east-1:123456789012:a:b",
        "arn:aws:sns:us-east-1:123456789012:.fifo",
    ] {
        assert!(!is_topic_arn(bad), "{bad}");
    }
}

#[test]
fn a_registry_whose_role_cannot_be_assumed_fails_with_the_member_role_as_the_fix() {
    let entries = "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
                   staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/ecrscan";
    let settings = settings(&[("ECRSCAN_REGISTRIES", entries)]);
    let registries: Vec<_> = settings
        .as_ref()
        .unwrap()
        .registries
        .iter()
        .cloned()
        .collect();
    let mut answers = all_well();
    answers.registries = vec![
        super::RegistryAnswers {
            registry: registries[0].clone(),
            scan_kind: Ok(ScanKind::Enhanced),
            schedules: Ok(vec!["a".into()]),
            ecs: Ok(EcsAnswer {
                clusters: 0,
                first: None,
            }),
        },
        super::RegistryAnswers {
            registry: registries[1].clone(),
            scan_kind: Err(AwsError::NoCredentials),
            schedules: Err(AwsError::NoCredentials),
            ecs: Err(AwsError::NoCredentials),
        },
    ];
    let checks = checklist(&settings, &answers);
    let text = render(&checks);
    assert!(
        text.contains("✓ Registry prod (123456789012, us-east-1): assumed arn:aws:iam::123456789012:role/ecrscan: ECR answers (enhanced scanning), ListSchedules answers: 1 schedule, ListClusters answers: 0 clusters (`/ecrscan running` finds nothing to list)\n"),
        "{text}"
    );
    assert!(
        text.contains("✗ Registry staging (210987654321, eu-west-1): cannot assume arn:aws:iam::210987654321:role/ecrscan"),
        "{text}"
    );
    assert!(fix(&checks, "Registry staging").contains("deploy/terraform/member"));
    assert!(!passed(&checks));
}

#[test]
fn ecs_reads_that_are_refused_name_all_three_permissions_running_needs() {
    let mut answers = all_well();
    answers.ecs = Some(Err(AwsError::AccessDenied {
        action: "ecs:ListTasks",
        message: "User is not authorized to perform ecs:ListTasks".into(),
    }));
    let checks = checklist(&settings(&[]), &answers);

    let fix = fix(&checks, "ECS access");
    assert!(
        fix.starts_with(
            "allow ecs:ListClusters, ecs:ListTasks, ecs:DescribeTasks (for `/ecrscan running`"
        ),
        "{fix}"
    );
    assert!(fix.contains("bot_policy_arn"), "{fix}");
    assert!(!passed(&checks));

    let mut answers = all_well();
    answers.ecs = Some(Ok(EcsAnswer {
        clusters: 1,
        first: Some(("prod".into(), 0)),
    }));
    let checks = checklist(&settings(&[]), &answers);
    assert_eq!(
        outcome(&checks, "ECS access"),
        &Outcome::Pass(
            "ListClusters answers: 1 cluster; ListTasks answers: no task runs in prod".into()
        )
    );
}
