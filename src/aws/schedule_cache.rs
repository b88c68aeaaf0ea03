//! The schedules of the group, read from Scheduler at most once a minute: the App
//! Home shows each image's next scan every time it is opened.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{AwsError, Scheduler};
use crate::schedule::ScanSchedule;

/// How long a read of the schedules is reused.
pub const SCHEDULES_CACHED_FOR: Duration = Duration::from_secs(60);

/// The last read of every schedule in the group, and when it was made.
#[derive(Default)]
pub struct ScheduleCache {
    last: Mutex<Option<(Instant, Vec<ScanSchedule>)>>,
}

impl ScheduleCache {
    /// Every schedule of `group`: the read of the last minute, or a new one
    /// (`ListSchedules`, then `GetSchedule` for each).
    pub async fn schedules(
        &self,
        scheduler: &dyn Scheduler,
        group: &str,
    ) -> Result<Vec<ScanSchedule>, AwsError> {
        if let Some((at, schedules)) = &*self.last.lock().expect("never poisoned")
            && at.elapsed() < SCHEDULES_CACHED_FOR
        {
            return Ok(schedules.clone());
        }
        let mut schedules = Vec::new();
        for name in scheduler.list(group).await? {
            if let Some(schedule) = scheduler.get(group, &name).await? {
                schedules.push(schedule);
            }
        }
        *self.last.lock().expect("never poisoned") = Some((Instant::now(), schedules.clone()));
        Ok(schedules)
    }

    /// Forgets the last read: a schedule was changed from here.
    pub fn forget(&self) {
        *self.last.lock().expect("never poisoned") = None;
    }
}
