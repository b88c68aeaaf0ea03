//! Jobs waiting for Slack's pace in a channel. They stay claimed, and resume in
//! the order they first waited, each when its channel has room again; jobs
//! for other channels run meanwhile.

use std::time::Duration;

use tokio::time::Instant;

use crate::store::Job;

/// How many jobs may wait at once; no new job is claimed beyond that. Their
/// claims are renewed while they wait.
pub const MAX_WAITING: usize = 16;

struct Parked {
    job: Job,
    channel: String,
    ready: Instant,
}

/// The waiting jobs, in the order they first waited.
#[derive(Default)]
pub struct Waiting {
    parked: Vec<Parked>,
}

impl Waiting {
    /// Parks `job` (with its progress so far) until `channel` has room in
    /// `after`; a job that waited before keeps its place.
    pub fn park(&mut self, mut job: Job, progress: String, channel: String, after: Duration) {
        job.progress = Some(progress);
        let ready = Instant::now() + after;
        match self.parked.iter_mut().find(|p| p.job.id == job.id) {
            Some(parked) => {
                *parked = Parked {
                    job,
                    channel,
                    ready,
                }
            }
            None => self.parked.push(Parked {
                job,
                channel,
                ready,
            }),
        }
    }

    /// The job to resume now, if any: the first to wait among those whose
    /// channel has room. It stays parked until [`Waiting::done`] or another
    /// [`Waiting::park`].
    pub fn ready(&self, now: Instant) -> Option<Job> {
        let first_of_channel = |i: usize| {
            let channel = &self.parked[i].channel;
            !self.parked[..i].iter().any(|p| &p.channel == channel)
        };
        (0..self.parked.len())
            .find(|&i| first_of_channel(i) && self.parked[i].ready <= now)
            .map(|i| self.parked[i].job.clone())
    }

    /// The job no longer waits (it finished, failed or was retried).
    pub fn done(&mut self, job_id: i64) {
        self.parked.retain(|p| p.job.id != job_id);
    }

    /// The ids of the waiting jobs.
    pub fn ids(&self) -> Vec<i64> {
        self.parked.iter().map(|p| p.job.id).collect()
    }

    /// When the next waiting job may resume.
    pub fn next_ready(&self) -> Option<Instant> {
        self.parked.iter().map(|p| p.ready).min()
    }

    /// Whether another job may be claimed.
    pub fn has_room(&self) -> bool {
        self.parked.len() < MAX_WAITING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: i64) -> Job {
        Job {
            id,
            kind: "sns".into(),
            payload: "{}".into(),
            attempts: 1,
            progress: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_resumes_when_its_channel_has_room_with_its_progress() {
        let mut waiting = Waiting::default();
        waiting.park(
            job(1),
            "{\"sent\":2}".into(),
            "C1".into(),
            Duration::from_secs(1),
        );

        assert!(waiting.ready(Instant::now()).is_none());
        tokio::time::advance(Duration::from_secs(1)).await;
        let resumed = waiting.ready(Instant::now()).unwrap();

        assert_eq!(resumed.id, 1);
        assert_eq!(resumed.progress.as_deref(), Some("{\"sent\":2}"));
    }

    #[tokio::test(start_paused = true)]
    async fn jobs_of_one_channel_resume_in_the_order_they_first_waited() {
        let mut waiting = Waiting::default();
        let second = Duration::from_secs(1);
        waiting.park(job(1), "a".into(), "C1".into(), second);
        waiting.park(job(2), "b".into(), "C1".into(), second);
        tokio::time::advance(second).await;

        assert_eq!(waiting.ready(Instant::now()).unwrap().id, 1);
        // Job 1 posted one more message and waits again: it keeps its place.
        waiting.park(job(1), "a2".into(), "C1".into(), second);
        tokio::time::advance(second).await;
        assert_eq!(waiting.ready(Instant::now()).unwrap().id, 1);
        waiting.done(1);
        assert_eq!(waiting.ready(Instant::now()).unwrap().id, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_of_a_channel_with_room_passes_one_still_waiting_elsewhere() {
        let mut waiting = Waiting::default();
        waiting.park(job(1), "a".into(), "C-busy".into(), Duration::from_secs(5));
        waiting.park(job(2), "b".into(), "C-other".into(), Duration::from_secs(1));
        tokio::time::advance(Duration::from_secs(1)).await;

        assert_eq!(waiting.ready(Instant::now()).unwrap().id, 2);
        assert_eq!(waiting.next_ready(), Some(Instant::now()));
    }
}
