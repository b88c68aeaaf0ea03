//! EventBridge Scheduler: the port ecrscan needs, and its implementation on the AWS SDK.

use async_trait::async_trait;
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use aws_sdk_scheduler::types::{
    FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy, ScheduleState as SdkState, Target,
};

use super::convert::time;
use super::error::{AwsError, call};
use crate::schedule::{PutOutcome, ScanSchedule, ScheduleState};

/// Scheduler may start a scan up to this many minutes after its time.
pub const FLEXIBLE_WINDOW_MINUTES: i32 = 15;
/// A scan Scheduler could not start is retried for up to a day...
pub const MAX_EVENT_AGE_SECONDS: i32 = 86_400;
/// ...and at most this many times (Scheduler's maximum).
pub const MAX_RETRY_ATTEMPTS: i32 = 185;

/// What ecrscan asks of EventBridge Scheduler.
#[async_trait]
pub trait Scheduler: Send + Sync {
    /// Creates the schedule group unless it exists.
    async fn ensure_group(&self, group: &str) -> Result<(), AwsError>;

    /// Updates the schedule of that name when it exists (every field replaced), else
    /// creates it; always with ecrscan's flexible window and retry policy.
    async fn put(&self, schedule: &ScanSchedule) -> Result<PutOutcome, AwsError>;

    /// One schedule; `None` when it (or its group) does not exist.
    async fn get(&self, group: &str, name: &str) -> Result<Option<ScanSchedule>, AwsError>;

    /// The names of every schedule in the group, every page of them, sorted.
    async fn list(&self, group: &str) -> Result<Vec<String>, AwsError>;

    /// Deletes a schedule; `false` when there was none.
    async fn delete(&self, group: &str, name: &str) -> Result<bool, AwsError>;

    /// Enables or disables a schedule, keeping every other field as it is; `None`
    /// when there is none.
    async fn set_state(
        &self,
        group: &str,
        name: &str,
        state: ScheduleState,
    ) -> Result<Option<ScanSchedule>, AwsError>;
}

/// Sets every field ecrscan writes on a Create- or UpdateSchedule request.
macro_rules! fill {
    ($request:expr, $s:expr) => {
        $request
            .group_name(&$s.group)
            .name(&$s.name)
            .schedule_expression(&$s.expression)
            .schedule_expression_timezone(&$s.timezone)
            .description(&$s.description)
            .state(sdk_state($s.state))
            .flexible_time_window(window())
            .target(target($s)?)
    };
}

/// [`Scheduler`] on the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkScheduler {
    client: Client,
    page_size: i32,
}

impl SdkScheduler {
    /// Lists in pages of 100, Scheduler's maximum.
    pub fn new(client: Client) -> Self {
        SdkScheduler {
            client,
            page_size: 100,
        }
    }

    /// Lists in pages of `page_size` (1 to 100), so tests can cross pages cheaply.
    pub fn with_page_size(self, page_size: i32) -> Self {
        SdkScheduler { page_size, ..self }
    }

    async fn get_raw(&self, group: &str, name: &str) -> Result<GetScheduleOutput, AwsError> {
        let request = self.client.get_schedule().group_name(group).name(name);
        call("scheduler:GetSchedule", request.send()).await
    }

    async fn create(&self, s: &ScanSchedule) -> Result<(), AwsError> {
        let request = self.client.create_schedule();
        call("scheduler:CreateSchedule", fill!(request, s).send()).await?;
        Ok(())
    }

    async fn update(&self, s: &ScanSchedule) -> Result<(), AwsError> {
        let request = self.client.update_schedule();
        call("scheduler:UpdateSchedule", fill!(request, s).send()).await?;
        Ok(())
    }
}

#[async_trait]
impl Scheduler for SdkScheduler {
    async fn ensure_group(&self, group: &str) -> Result<(), AwsError> {
        let found = self.client.get_schedule_group().name(group).send();
        match call("scheduler:GetScheduleGroup", found).await {
            Err(AwsError::ResourceNotFound(_)) => {}
            other => return other.map(drop),
        }
        let created = self.client.create_schedule_group().name(group).send();
        match call("scheduler:CreateScheduleGroup", created).await {
            Ok(_) | Err(AwsError::Conflict(_)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    async fn put(&self, schedule: &ScanSchedule) -> Result<PutOutcome, AwsError> {
        match self.update(schedule).await {
            Err(AwsError::ResourceNotFound(_)) => {}
            other => return other.map(|()| PutOutcome::Updated),
        }
        match self.create(schedule).await {
            // Created meanwhile by someone else: ours replaces it.
            Err(AwsError::Conflict(_)) => self.update(schedule).await.map(|()| PutOutcome::Updated),
            other => other.map(|()| PutOutcome::Created),
        }
    }

    async fn get(&self, group: &str, name: &str) -> Result<Option<ScanSchedule>, AwsError> {
        match self.get_raw(group, name).await {
            Ok(output) => Ok(Some(schedule(group, name, &output))),
            Err(AwsError::ResourceNotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn list(&self, group: &str) -> Result<Vec<String>, AwsError> {
        let request = self
            .client
            .list_schedules()
            .group_name(group)
            .max_results(self.page_size)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>();
        let mut names: Vec<String> = match call("scheduler:ListSchedules", request).await {
            Ok(summaries) => summaries.into_iter().filter_map(|s| s.name).collect(),
            Err(AwsError::ResourceNotFound(_)) => Vec::new(),
            Err(error) => return Err(error),
        };
        names.sort();
        Ok(names)
    }

    async fn delete(&self, group: &str, name: &str) -> Result<bool, AwsError> {
        let request = self.client.delete_schedule().group_name(group).name(name);
        match call("scheduler:DeleteSchedule", request.send()).await {
            Ok(_) => Ok(true),
            Err(AwsError::ResourceNotFound(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    async fn set_state(
        &self,
        group: &str,
        name: &str,
        state: ScheduleState,
    ) -> Result<Option<ScanSchedule>, AwsError> {
        let current = match self.get_raw(group, name).await {
            Ok(output) => output,
            Err(AwsError::ResourceNotFound(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        // UpdateSchedule replaces every field: send back all of them, the state changed.
        let request = self
            .client
            .update_schedule()
            .group_name(group)
            .name(name)
            .set_schedule_expression(current.schedule_expression.clone())
            .set_schedule_expression_timezone(current.schedule_expression_timezone.clone())
            .set_description(current.description.clone())
            .set_start_date(current.start_date)
            .set_end_date(current.end_date)
            .set_kms_key_arn(current.kms_key_arn.clone())
            .set_flexible_time_window(current.flexible_time_window.clone())
            .set_target(current.target.clone())
            .set_action_after_completion(current.action_after_completion.clone())
            .state(sdk_state(state))
            .send();
        call("scheduler:UpdateSchedule", request).await?;
        let mut changed = schedule(group, name, &current);
        changed.state = state;
        Ok(Some(changed))
    }
}

fn sdk_state(state: ScheduleState) -> SdkState {
    match state {
        ScheduleState::Enabled => SdkState::Enabled,
        ScheduleState::Disabled => SdkState::Disabled,
    }
}

fn window() -> FlexibleTimeWindow {
    FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Flexible)
        .maximum_window_in_minutes(FLEXIBLE_WINDOW_MINUTES)
        .build()
        .expect("the mode is set")
}

fn target(s: &ScanSchedule) -> Result<Target, AwsError> {
    let retry = RetryPolicy::builder()
        .maximum_event_age_in_seconds(MAX_EVENT_AGE_SECONDS)
        .maximum_retry_attempts(MAX_RETRY_ATTEMPTS)
        .build();
    Target::builder()
        .arn(&s.target_arn)
        .role_arn(&s.role_arn)
        .input(&s.input)
        .retry_policy(retry)
        .build()
        .map_err(|e| AwsError::Other {
            action: "scheduler:CreateSchedule",
            message: e.to_string(),
        })
}

fn schedule(group: &str, name: &str, output: &GetScheduleOutput) -> ScanSchedule {
    let target = output.target();
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    ScanSchedule {
        group: output.group_name().unwrap_or(group).to_string(),
        name: output.name().unwrap_or(name).to_string(),
        expression: text(output.schedule_expression()),
        timezone: output
            .schedule_expression_timezone()
            .unwrap_or("UTC")
            .to_string(),
        state: match output.state() {
            Some(SdkState::Disabled) => ScheduleState::Disabled,
            _ => ScheduleState::Enabled,
        },
        target_arn: text(target.map(Target::arn)),
        role_arn: text(target.map(Target::role_arn)),
        input: text(target.and_then(Target::input)),
        description: text(output.description()),
        created_at: output.creation_date().and_then(time),
        start_date: output.start_date().and_then(time),
    }
}
