//! Schedules: the WHEN grammar's result, Scheduler expressions, schedule names.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// When a schedule runs: a Scheduler expression and, when given, its timezone.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    pub expression: Expression,
    pub timezone: Option<Tz>,
}

/// A Scheduler schedule expression (`rate(7 days)`, `cron(10 6 ? * MON *)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression(String);

impl Expression {
    /// The expression as Scheduler takes it.
    pub fn to_aws(&self) -> String {
        self.0.clone()
    }
}

/// A stable Scheduler name for a repository and tag.
pub fn schedule_name(repository: &str, tag: &str) -> String {
    let _ = (repository, tag);
    unimplemented!("schedule names")
}

/// The next time `expression` fires after `after`, in `tz`.
pub fn next_run(expression: &Expression, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let _ = (expression, tz, after);
    unimplemented!("next run")
}
