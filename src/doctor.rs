//! `ecrscan doctor`: whether ecrscan can work as configured, as a checklist that
//! says how to fix each failure. [`ask`] makes read-only calls to Slack and AWS;
//! [`checklist`] judges the answers and [`render`] prints them, both pure.

use std::future::Future;
use std::time::Duration;

use crate::aws::AwsError;
use crate::aws::Ports;
use crate::aws::ecs::{Ecs, cluster_name};
use crate::config::{ConfigError, Settings};
use crate::registry::Registry;
use crate::scan::findings::ScanKind;
use crate::slack::client::{BotIdentity, PostError, SlackWeb};

mod judge;

pub use judge::{is_role_arn, is_topic_arn};

/// How long one call may take before doctor gives up on it.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked ("Slack token").
    pub name: String,
    pub outcome: Outcome,
}

/// How a check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fine; what was found.
    Pass(String),
    /// Not fine: what is wrong, and how to fix it.
    Fail { problem: String, fix: String },
    /// Not checked, and why (not a failure).
    Skipped(String),
}

/// What Slack and AWS answered; `None` for a call doctor did not make.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// `auth.test`.
    pub slack: Option<Result<BotIdentity, PostError>>,
    /// `GetRegistryScanningConfiguration`.
    pub scan_kind: Option<Result<ScanKind, AwsError>>,
    /// `ListImages` on `ECRSCAN_REPOSITORY`: its tags.
    pub tags: Option<Result<Vec<String>, AwsError>>,
    /// `ListSchedules` in the schedule group: their names.
    pub schedules: Option<Result<Vec<String>, AwsError>>,
    /// `ListClusters`, then `ListTasks` and `DescribeTasks` in the first
    /// cluster; `None` with `ECRSCAN_REGISTRIES` (asked of each registry).
    pub ecs: Option<Result<EcsAnswer, AwsError>>,
    /// With `ECRSCAN_REGISTRIES`: what each registry answered, with its role.
    pub registries: Vec<RegistryAnswers>,
}

/// What ECS answered: how many clusters, and how many tasks run in the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsAnswer {
    pub clusters: usize,
    /// The first cluster's name and its running tasks (`None`: no cluster).
    pub first: Option<(String, usize)>,
}

/// What one registry of `ECRSCAN_REGISTRIES` answered, with the role assumed.
#[derive(Debug, Clone)]
pub struct RegistryAnswers {
    pub registry: Registry,
    /// `GetRegistryScanningConfiguration`, with the registry's role.
    pub scan_kind: Result<ScanKind, AwsError>,
    /// `ListSchedules` in the schedule group of the registry's account.
    pub schedules: Result<Vec<String>, AwsError>,
    /// ECS in the registry's account, as [`Answers::ecs`].
    pub ecs: Result<EcsAnswer, AwsError>,
}

/// Asks Slack and AWS what the checklist needs, each call read-only and bounded by
/// [`CALL_TIMEOUT`]. Nothing is asked when the settings do not load.
pub async fn ask(settings: &Result<Settings, ConfigError>, ports: &Ports) -> Answers {
    let Ok(settings) = settings else {
        return Answers::default();
    };
    let slack = match SlackWeb::new(&settings.slack_api_url, &settings.slack_bot_token) {
        Ok(client) => {
            within(client.auth_test(), || {
                PostError::Unavailable("no answer within 10 s".into())
            })
            .await
        }
        Err(error) => Err(PostError::Unavailable(format!("{error:#}"))),
    };
    let late = |action| {
        move || AwsError::Other {
            action,
            message: "no answer within 10 s".into(),
        }
    };
    // With registries, the default repository is in the first one.
    let default = (settings.registries)
        .qualify(settings.repository.as_deref().unwrap_or_default())
        .unwrap_or_default();
    let scan_kind = within(
        ports.ecr.scan_kind(&default),
        late("ecr:GetRegistryScanningConfiguration"),
    );
    let tags = async {
        match &settings.repository {
            Some(_) => {
                let call = ports.ecr.list_tags(&default);
                Some(within(call, late("ecr:ListImages")).await)
            }
            None => None,
        }
    };
    let registries = async {
        let mut answers = Vec::new();
        for each in &ports.registries {
            let (scan_kind, schedules, ecs) = tokio::join!(
                within(
                    each.ecr.scan_kind(""),
                    late("ecr:GetRegistryScanningConfiguration")
                ),
                within(
                    each.scheduler.list(&settings.schedule_group),
                    late("scheduler:ListSchedules")
                ),
                within(ask_ecs(each.ecs.as_ref()), late("ecs:ListClusters")),
            );
            answers.push(RegistryAnswers {
                registry: each.registry.clone(),
                scan_kind,
                schedules,
                ecs,
            });
        }
        answers
    };
    let schedules = within(
        ports.scheduler.list(&settings.schedule_group),
        late("scheduler:ListSchedules"),
    );
    let ecs = async {
        if ports.registries.is_empty() {
            Some(within(ask_ecs(ports.ecs.as_ref()), late("ecs:ListClusters")).await)
        } else {
            None // asked of each registry
        }
    };
    let (scan_kind, tags, schedules, ecs, registries) =
        tokio::join!(scan_kind, tags, schedules, ecs, registries);
    Answers {
        slack: Some(slack),
        scan_kind: Some(scan_kind),
        tags,
        schedules: Some(schedules),
        ecs,
        registries,
    }
}

/// The three ECS reads of `/ecrscan running`: the clusters, then the tasks of
/// the first (`DescribeTasks` only when some run there).
async fn ask_ecs(ecs: &dyn Ecs) -> Result<EcsAnswer, AwsError> {
    let clusters = ecs.clusters().await?;
    let first = match clusters.first() {
        Some(arn) => {
            let tasks = ecs.running(std::slice::from_ref(arn)).await?;
            Some((cluster_name(arn), tasks.len()))
        }
        None => None,
    };
    Ok(EcsAnswer {
        clusters: clusters.len(),
        first,
    })
}

async fn within<T, E>(
    call: impl Future<Output = Result<T, E>>,
    late: impl FnOnce() -> E,
) -> Result<T, E> {
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Err(late()))
}

/// Judges the settings and the answers, one check per line, in a fixed order.
pub fn checklist(settings: &Result<Settings, ConfigError>, answers: &Answers) -> Vec<Check> {
    judge::checklist(settings, answers)
}

/// Whether every check passed (or was skipped).
pub fn passed(checks: &[Check]) -> bool {
    !checks
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Fail { .. }))
}

/// The checklist as printed: `✓`, `✗` (with the fix below it) or `–` per check,
/// and a last line that counts the failures.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let line = match &check.outcome {
            Outcome::Pass(found) => format!("✓ {}: {found}\n", check.name),
            Outcome::Fail { problem, fix } => {
                format!("✗ {}: {problem}\n    fix: {fix}\n", check.name)
            }
            Outcome::Skipped(why) => format!("– {}: {why}\n", check.name),
        };
        out.push_str(&line);
    }
    let failed = (checks.iter())
        .filter(|c| matches!(c.outcome, Outcome::Fail { .. }))
        .count();
    out.push_str(&match failed {
        0 => "\nAll checks passed.\n".to_string(),
        1 => "\n1 check failed.\n".to_string(),
        n => format!("\n{n} checks failed.\n"),
    });
    out
}

#[cfg(test)]
mod tests;
