//! What every door and use-case shares: the settings and the ports.

use std::ops::Deref;
use std::sync::Arc;

use tokio_util::task::TaskTracker;

use crate::aws::schedule_cache::ScheduleCache;
use crate::aws::{Ecr, Scheduler};
use crate::config::Settings;
use crate::jobs::Outbox;
use crate::slack::client::SlackWeb;
use crate::store::Store;

/// What every handler and use-case shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts behind [`AppState`].
pub struct Inner {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub slack: SlackWeb,
    pub ecr: Arc<dyn Ecr>,
    pub scheduler: Arc<dyn Scheduler>,
    pub ecs: Arc<dyn crate::aws::Ecs>,
    /// The schedules as last read (for the App Home), at most a minute old.
    pub schedules: ScheduleCache,
    /// Stores jobs and wakes the worker.
    pub outbox: Outbox,
    /// The work that requests leave running in the background (a scan started,
    /// an answer through `response_url`): SIGTERM waits for it, as for the worker.
    pub tasks: TaskTracker,
}

impl AppState {
    /// The state over these parts.
    pub fn new(
        settings: Settings,
        store: Arc<dyn Store>,
        slack: SlackWeb,
        ports: crate::aws::Ports,
    ) -> Self {
        AppState(Arc::new(Inner {
            settings,
            store,
            slack,
            ecr: ports.ecr,
            scheduler: ports.scheduler,
            ecs: ports.ecs,
            schedules: ScheduleCache::default(),
            outbox: Outbox::default(),
            tasks: TaskTracker::new(),
        }))
    }

    /// Runs `task` in the background, tracked so that shutdown waits for it.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(task);
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
