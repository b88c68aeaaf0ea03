//! The checks themselves: settings and answers in, checklist lines out.

use super::{Answers, Check, EcsAnswer, Outcome, RegistryAnswers};
use crate::aws::AwsError;
use crate::aws::ecs::READ_ACTIONS;
use crate::config::{ConfigError, Settings};
use crate::scan::findings::ScanKind;
use crate::slack::blocks::plural;
use crate::slack::client::{BotIdentity, PostError};

const BOT_POLICY: &str = "attach the bot policy to the IAM identity ecrscan runs as \
    (deploy/terraform output bot_policy_arn, or the CloudFormation stack's BotPolicyArn)";

pub(super) fn checklist(settings: &Result<Settings, ConfigError>, answers: &Answers) -> Vec<Check> {
    let settings = match settings {
        Ok(settings) => settings,
        Err(error) => {
            let mut checks = vec![check("Configuration", config_failed(error))];
            let later = ["Slack token", "ECR access", "Repository", "Schedule group"];
            let later = (later.into_iter()).chain([
                "Registry scan type",
                "Scheduler role",
                "SNS topics",
                "ECS access",
            ]);
            checks.extend(later.map(|name| {
                check(
                    name,
                    Outcome::Skipped("not checked: the configuration must load first".into()),
                )
            }));
            return checks;
        }
    };
    let repository = match &settings.repository {
        Some(repository) => format!("Repository {repository}"),
        None => "Repository".to_string(),
    };
    let registries = (answers.registries.iter()).map(|answers| {
        let r = &answers.registry;
        check(
            &format!("Registry {} ({}, {})", r.alias, r.account, r.region),
            registry(answers),
        )
    });
    let checks = vec![
        check("Configuration", Outcome::Pass("every setting loads".into())),
        check("Slack token", slack(settings, answers.slack.as_ref())),
        check(
            "ECR access",
            aws(answers.scan_kind.as_ref(), |_| {
                "GetRegistryScanningConfiguration answers".into()
            }),
        ),
        check(
            &repository,
            repository_check(settings, answers.tags.as_ref()),
        ),
        check(
            &format!("Schedule group {}", settings.schedule_group),
            aws(answers.schedules.as_ref(), |names: &Vec<String>| {
                format!("ListSchedules answers: {}", plural(names.len(), "schedule"))
            }),
        ),
        check("Registry scan type", scan_kind(answers.scan_kind.as_ref())),
        check(
            "Scheduler role",
            scheduler_role(settings.scheduler_role_arn.as_deref()),
        ),
        check("SNS topics", topics(&settings.sns_topic_arns)),
        check("ECS access", ecs_access(answers)),
    ];
    checks.into_iter().chain(registries).collect()
}

/// One registry of `ECRSCAN_REGISTRIES`: its role can be assumed, its ECR read
/// and its schedules listed.
fn registry(answers: &RegistryAnswers) -> Outcome {
    let role = &answers.registry.role_arn;
    let kind = match &answers.scan_kind {
        Ok(ScanKind::Basic) => "basic scanning",
        Ok(ScanKind::Enhanced) => "enhanced scanning",
        Err(AwsError::NoCredentials) => {
            return fail(
                format!("cannot assume {role}"),
                "create the role in that account (deploy/terraform/member, or \
                 deploy/cloudformation/member.yaml) trusting the identity ecrscan runs as",
            );
        }
        Err(error) => return aws_failed(error),
    };
    let names = match &answers.schedules {
        Ok(names) => names,
        Err(error) => return aws_failed(error),
    };
    match &answers.ecs {
        Ok(ecs) => Outcome::Pass(format!(
            "assumed {role}: ECR answers ({kind}), ListSchedules answers: {}, {}",
            plural(names.len(), "schedule"),
            ecs_found(ecs)
        )),
        Err(error) => ecs_failed(error),
    }
}

/// ECS's answers to the reads of `/ecrscan running`, when asked here (not per registry).
fn ecs_access(answers: &Answers) -> Outcome {
    match &answers.ecs {
        None if !answers.registries.is_empty() => {
            Outcome::Skipped("checked in each registry below".into())
        }
        None => Outcome::Skipped("not checked".into()),
        Some(Ok(ecs)) => Outcome::Pass(ecs_found(ecs)),
        Some(Err(error)) => ecs_failed(error),
    }
}

fn ecs_found(ecs: &EcsAnswer) -> String {
    let listed = format!("ListClusters answers: {}", plural(ecs.clusters, "cluster"));
    match &ecs.first {
        None => format!("{listed} (`/ecrscan running` finds nothing to list)"),
        Some((cluster, 0)) => format!("{listed}; ListTasks answers: no task runs in {cluster}"),
        Some((cluster, n)) => format!(
            "{listed}; ListTasks and DescribeTasks answer: {} in {cluster}",
            plural(*n, "task")
        ),
    }
}

/// A refused ECS read names all three reads `/ecrscan running` needs.
fn ecs_failed(error: &AwsError) -> Outcome {
    match error {
        AwsError::AccessDenied { .. } => fail(
            error.to_string(),
            format!(
                "allow {} (for `/ecrscan running` and `schedule WHEN running`): {BOT_POLICY}; \
                 in a member account, its ecrscan role (deploy/terraform/member)",
                READ_ACTIONS.join(", ")
            ),
        ),
        _ => aws_failed(error),
    }
}

fn check(name: &str, outcome: Outcome) -> Check {
    Check {
        name: name.to_string(),
        outcome,
    }
}

fn fail(problem: impl Into<String>, fix: impl Into<String>) -> Outcome {
    Outcome::Fail {
        problem: problem.into(),
        fix: fix.into(),
    }
}

fn config_failed(error: &ConfigError) -> Outcome {
    fail(
        error.to_string(),
        format!(
            "set {} in the environment, a .env file or `fly secrets set` (README: Configuration)",
            error.variable
        ),
    )
}

fn slack(settings: &Settings, answer: Option<&Result<BotIdentity, PostError>>) -> Outcome {
    let Some(answer) = answer else {
        return Outcome::Skipped("not checked".into());
    };
    match answer {
        Ok(bot) => match &settings.team_id {
            Some(team) if *team != bot.team_id => fail(
                format!(
                    "the token is for workspace {}, but SLACK_TEAM_ID is {team}",
                    bot.team_id
                ),
                "set SLACK_TEAM_ID to the workspace of the token, or unset it: \
                 every request from Slack is refused (403) meanwhile",
            ),
            _ => Outcome::Pass(format!(
                "auth.test answers: bot @{} ({}) in workspace {} ({})",
                bot.user, bot.user_id, bot.team, bot.team_id
            )),
        },
        Err(PostError::Refused(code)) => fail(
            format!("Slack refused the token ({code})"),
            "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…): Slack app \
             → OAuth & Permissions; install the app to the workspace first",
        ),
        Err(error) => fail(
            error.to_string(),
            format!(
                "check the network and SLACK_API_URL ({})",
                settings.slack_api_url
            ),
        ),
    }
}

/// An AWS answer as a check: `found` says what a success shows.
fn aws<T>(answer: Option<&Result<T, AwsError>>, found: impl Fn(&T) -> String) -> Outcome {
    match answer {
        None => Outcome::Skipped("not checked".into()),
        Some(Ok(value)) => Outcome::Pass(found(value)),
        Some(Err(error)) => aws_failed(error),
    }
}

fn aws_failed(error: &AwsError) -> Outcome {
    let fix = match error {
        AwsError::NoCredentials => "give ecrscan an AWS role and AWS_REGION: the task's \
            role on ECS, App Runner or EKS; on fly.io AWS_ROLE_ARN with Fly's OIDC token \
            (README: Deploy); or any other source of the standard chain"
            .to_string(),
        AwsError::AccessDenied { action, .. } => format!("allow {action}: {BOT_POLICY}"),
        AwsError::RepositoryNotFound => "set ECRSCAN_REPOSITORY to a repository of this \
            account in AWS_REGION"
            .to_string(),
        _ => "check AWS_REGION, the network, and AWS_ENDPOINT_URL when it is set".to_string(),
    };
    fail(error.to_string(), fix)
}

fn repository_check(
    settings: &Settings,
    answer: Option<&Result<Vec<String>, AwsError>>,
) -> Outcome {
    if settings.repository.is_none() {
        return Outcome::Skipped(
            "ECRSCAN_REPOSITORY is not set: commands must name REPO:TAG".into(),
        );
    }
    aws(answer, |tags: &Vec<String>| {
        format!("ListImages answers: {}", plural(tags.len(), "tag"))
    })
}

fn scan_kind(answer: Option<&Result<ScanKind, AwsError>>) -> Outcome {
    match answer {
        Some(Ok(ScanKind::Basic)) => Outcome::Pass(
            "basic scanning: `/ecrscan now` and schedules start scans, once per image per \
             24 hours; results arrive as `ECR Image Scan` events"
                .into(),
        ),
        Some(Ok(ScanKind::Enhanced)) => Outcome::Pass(
            "enhanced scanning (Amazon Inspector): images are rescanned continuously, so \
             ECR refuses `/ecrscan now` and scheduled scans; results arrive as \
             `Inspector2 Scan` events"
                .into(),
        ),
        Some(Err(_)) => Outcome::Skipped("unknown: GetRegistryScanningConfiguration failed".into()),
        None => Outcome::Skipped("not checked".into()),
    }
}

fn scheduler_role(arn: Option<&str>) -> Outcome {
    const FIX: &str = "create the role (deploy/terraform output scheduler_role_arn) and set \
        ECRSCAN_SCHEDULER_ROLE_ARN to its ARN";
    match arn {
        None => fail(
            "ECRSCAN_SCHEDULER_ROLE_ARN is not set: `/ecrscan schedule` cannot create schedules",
            FIX,
        ),
        Some(arn) if is_role_arn(arn) => Outcome::Pass(arn.to_string()),
        Some(arn) => fail(
            format!("`{arn}` is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"),
            FIX,
        ),
    }
}

fn topics(arns: &[String]) -> Outcome {
    const FIX: &str = "set ECRSCAN_SNS_TOPIC_ARNS to the topic's ARN (deploy/terraform output \
        sns_topic_arn), several separated by commas";
    let malformed: Vec<&str> = (arns.iter().map(String::as_str))
        .filter(|arn| !is_topic_arn(arn))
        .collect();
    match (arns.len(), malformed.is_empty()) {
        (0, _) => fail(
            "ECRSCAN_SNS_TOPIC_ARNS is empty: every SNS message is refused, so no scan result \
             is posted",
            FIX,
        ),
        (_, false) => fail(
            format!(
                "not SNS topic ARNs (arn:aws:sns:REGION:ACCOUNT:NAME): {}",
                malformed.join(", ")
            ),
            FIX,
        ),
        (1, true) => Outcome::Pass(format!("1 accepted: {}", arns[0])),
        (n, true) => Outcome::Pass(format!("{n} accepted: {}", arns.join(", "))),
    }
}

/// The parts of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, when `arn` has them
/// with an AWS partition and a 12-digit account.
fn arn_parts(arn: &str) -> Option<[&str; 4]> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return None;
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (prefix == "arn" && partition.starts_with("aws") && account_ok)
        .then_some([service, region, account, resource])
}

/// `arn:aws:iam::123456789012:role/NAME` (a path may come before the name).
pub fn is_role_arn(arn: &str) -> bool {
    matches!(arn_parts(arn), Some(["iam", "", _, resource])
        if resource.strip_prefix("role/").is_some_and(|name| !name.is_empty() && !name.ends_with('/')))
}

/// `arn:aws:sns:REGION:123456789012:NAME` (NAME of letters, digits, `-` and `_`,
/// up to 256, with `.fifo` for a FIFO topic).
pub fn is_topic_arn(arn: &str) -> bool {
    let Some(["sns", region, _, name]) = arn_parts(arn) else {
        return false;
    };
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    let region_ok = !region.is_empty()
        && (region.bytes()).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    region_ok
        && !base.is_empty()
        && (1..=256).contains(&name.len())
        && (base.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
