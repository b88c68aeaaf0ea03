//! Scan schedules as ecrscan keeps them in EventBridge Scheduler: what each one
//! targets, its name, its description, and when it runs next. Pure functions.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::{Expression, next_run_from, schedule_name};
use crate::scan::image::{ImageId, ImageRef};

/// Scheduler's universal target that calls ECR `StartImageScan`.
pub const SCAN_TARGET_ARN: &str = "arn:aws:scheduler:::aws-sdk:ecr:startImageScan";

/// What writing a schedule did: it was new, or it replaced one of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    Updated,
}

/// Whether Scheduler runs a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleState {
    Enabled,
    Disabled,
}

/// One schedule, in ecrscan's terms. Written by the Scheduler port's `put`
/// (which ignores `created_at` and `start_date`), read back by `get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanSchedule {
    pub group: String,
    pub name: String,
    /// As Scheduler writes it: `cron(10 6 ? * MON *)`, `rate(7 days)`.
    pub expression: String,
    /// An IANA name, `Asia/Tokyo`.
    pub timezone: String,
    pub state: ScheduleState,
    pub target_arn: String,
    /// The role Scheduler assumes to call the target.
    pub role_arn: String,
    /// The target's input: `{"ImageId": {"ImageTag": …}, "RepositoryName": …}`.
    pub input: String,
    pub description: String,
    pub created_at: Option<DateTime<Utc>>,
    pub start_date: Option<DateTime<Utc>>,
}

impl ScanSchedule {
    /// The schedule that scans `repository`'s image `id` on `expression` in `tz`,
    /// named by [`name_for`], enabled.
    pub fn for_image(
        group: &str,
        (repository, id): (&str, &ImageId),
        (expression, tz): (&Expression, Tz),
        role_arn: &str,
        description: String,
    ) -> ScanSchedule {
        ScanSchedule {
            group: group.to_string(),
            name: name_for(repository, id),
            expression: expression.to_aws(),
            timezone: tz.name().to_string(),
            state: ScheduleState::Enabled,
            target_arn: SCAN_TARGET_ARN.to_string(),
            role_arn: role_arn.to_string(),
            input: scan_input(repository, id),
            description,
            created_at: None,
            start_date: None,
        }
    }

    /// The image the target scans, when the input names one.
    pub fn image(&self) -> Option<ImageRef> {
        image_of(&self.input)
    }

    /// The image as people write it, or the schedule's name when the input names none.
    pub fn image_name(&self) -> String {
        self.image()
            .map_or_else(|| self.name.clone(), |image| image.to_string())
    }

    /// The expression, parsed; `None` when Scheduler holds one ecrscan cannot read.
    pub fn parsed_expression(&self) -> Option<Expression> {
        Expression::parse_aws(&self.expression).ok()
    }

    /// "every Monday at 06:10", or the expression as it is.
    pub fn describe(&self) -> String {
        self.parsed_expression()
            .map_or_else(|| self.expression.clone(), |e| e.describe())
    }

    /// The next run after `now`; rate schedules count from their start date, or else
    /// their creation. `None` when paused, unreadable, or never again.
    pub fn next_run(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.state == ScheduleState::Disabled {
            return None;
        }
        let tz: Tz = self.timezone.parse().ok()?;
        let start = self.start_date.or(self.created_at);
        next_run_from(&self.parsed_expression()?, tz, start, now)
    }
}

/// The schedule name of an image: [`schedule_name`] of its repository and its tag
/// or digest (a digest's `:` cannot occur in a tag, so the two never collide).
pub fn name_for(repository: &str, id: &ImageId) -> String {
    match id {
        ImageId::Tag(tag) => schedule_name(repository, tag),
        ImageId::Digest(digest) => schedule_name(repository, digest),
    }
}

/// The `StartImageScan` input for an image, keys sorted as Terraform's `jsonencode` writes them.
pub fn scan_input(repository: &str, id: &ImageId) -> String {
    let (tag, digest) = match id {
        ImageId::Tag(tag) => (Some(tag.as_str()), None),
        ImageId::Digest(digest) => (None, Some(digest.as_str())),
    };
    let input = Input {
        image_id: InputImageId {
            image_digest: digest,
            image_tag: tag,
        },
        repository_name: repository,
    };
    serde_json::to_string(&input).expect("strings always serialise")
}

/// `StartImageScan`'s input; fields in sorted order (serde keeps struct order).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Input<'a> {
    image_id: InputImageId<'a>,
    repository_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct InputImageId<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    image_digest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_tag: Option<&'a str>,
}

/// The image a `StartImageScan` input names.
pub fn image_of(input: &str) -> Option<ImageRef> {
    let value: Value = serde_json::from_str(input).ok()?;
    let repository = value["RepositoryName"].as_str()?.to_string();
    let image_id = &value["ImageId"];
    let id = match (
        image_id["ImageTag"].as_str(),
        image_id["ImageDigest"].as_str(),
    ) {
        (Some(tag), _) => ImageId::Tag(tag.to_string()),
        (None, Some(digest)) => ImageId::Digest(digest.to_string()),
        (None, None) => return None,
    };
    Some(ImageRef {
        repository: Some(repository),
        id,
    })
}

const CREATED: &str = "Created from Slack by ";
const UPDATED: &str = "; updated by ";

/// "Created from Slack by U1 on 2024-05-01"; an update keeps who created an
/// ecrscan schedule and says who changed it last.
pub fn description(previous: Option<&str>, user: &str, today: NaiveDate) -> String {
    let date = today.format("%Y-%m-%d");
    match previous.filter(|p| p.starts_with(CREATED)) {
        Some(previous) => {
            let created = previous.split(UPDATED).next().unwrap_or(previous);
            format!("{created}{UPDATED}{user} on {date}")
        }
        None => format!("{CREATED}{user} on {date}"),
    }
}

#[cfg(test)]
mod tests;
