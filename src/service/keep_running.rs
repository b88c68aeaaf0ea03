//! `schedule WHEN running [in CLUSTER...]` and `running sync`: one schedule per
//! image digest that ECS runs, kept in step with what runs: an image that
//! starts running gets a schedule, one that no longer runs loses it, and each
//! change is announced once in the channel that asked. The worker re-syncs
//! once a day; with several instances, one at a time.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::changes::{audit, refuse_unless_admin};
use super::explain::{explain_scheduler, role_missing};
use super::running::running_now;
use super::{Requester, respond};
use crate::aws::AwsError;
use crate::running::RunningImage;
use crate::scan::image::ImageId;
use crate::schedule::{Expression, ScanSchedule, When, stagger};
use crate::slack::blocks;
use crate::slack::client::Post;
use crate::state::AppState;
use crate::store::{KeptSchedule, RunningPolicy};

/// How often the running images are re-synced on their own.
pub const RESYNC_EVERY_SECS: i64 = 24 * 60 * 60;
/// How long one instance holds the re-sync before another may take it over.
const LEASE_SECS: i64 = 10 * 60;

/// `schedule WHEN running [in CLUSTER...]`: stores the policy, then syncs.
pub fn schedule(
    state: &AppState,
    who: Requester,
    when: When,
    clusters: Vec<String>,
    span: tracing::Span,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, &who, "change schedules", "schedules") {
        return refusal;
    }
    if state.settings.scheduler_role_arn.is_none() {
        return blocks::text(&role_missing());
    }
    let tz = when.timezone.unwrap_or(state.settings.timezone);
    let policy = RunningPolicy {
        expression: when.expression.to_aws(),
        timezone: tz.name().to_string(),
        clusters,
        channel: who.channel_id.clone(),
        created_by: who.user_id.clone(),
        updated_at: Utc::now().timestamp(),
    };
    let task = {
        let state = state.clone();
        async move {
            // The sync below is the first; the daily one is due a day after.
            let next = Utc::now().timestamp() + RESYNC_EVERY_SECS;
            let stored = state.store.set_running_policy(&policy, next).await;
            if let Err(error) = stored {
                tracing::error!(error = format!("{error:#}"), "could not store the policy");
                let text = ":warning: The running images could not be scheduled: the database did not answer. Try again.";
                return respond(&state, &who, blocks::text(text)).await;
            }
            audit(&state, &who, format!("schedule running: {policy:?}")).await;
            sync_now(&state, &who).await;
        }
    };
    state.spawn(task.instrument(span));
    blocks::text(":calendar: Looking up the images ECS runs, to schedule their scans…")
}

/// `running sync`: re-syncs now (or says why not).
pub fn sync(state: &AppState, who: Requester, span: tracing::Span) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, &who, "change schedules", "schedules") {
        return refusal;
    }
    let task = {
        let state = state.clone();
        async move { sync_now(&state, &who).await }
    };
    state.spawn(task.instrument(span));
    blocks::text(":arrows_counterclockwise: Comparing the schedules with what ECS runs now…")
}

/// Re-syncs when the daily re-sync is due and no other instance holds it
/// (the worker calls it every minute).
pub async fn resync_when_due(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<()> {
    let now = now.timestamp();
    let Some(policy) = state
        .store
        .claim_running_sync(now, LEASE_SECS, false)
        .await?
    else {
        return Ok(());
    };
    let synced = run(state, &policy, None).await;
    let finished = (state.store)
        .finish_running_sync(now + RESYNC_EVERY_SECS)
        .await;
    match synced {
        Ok(Synced {
            announcement: Some(post),
            ..
        }) => announce(state, &post).await,
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "the daily re-sync of the running images failed"),
    }
    finished
}

async fn sync_now(state: &AppState, who: &Requester) {
    let now = Utc::now().timestamp();
    let policy = match state.store.claim_running_sync(now, LEASE_SECS, true).await {
        Ok(Some(policy)) => policy,
        Ok(None) => {
            let content = match state.store.running_policy().await {
                Ok(None) => blocks::no_running_policy(),
                _ => blocks::text(
                    ":hourglass: The running images are being synced right now; try again in a minute.",
                ),
            };
            return respond(state, who, content).await;
        }
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "could not claim the sync");
            return respond(
                state,
                who,
                blocks::text(":warning: The database did not answer. Try again."),
            )
            .await;
        }
    };
    let synced = run(state, &policy, Some(who)).await;
    if let Err(error) = state
        .store
        .finish_running_sync(now + RESYNC_EVERY_SECS)
        .await
    {
        tracing::error!(error = format!("{error:#}"), "could not end the sync");
    }
    match synced {
        Ok(Synced {
            kept,
            announcement: None,
        }) => respond(state, who, blocks::kept_unchanged(kept)).await,
        Ok(Synced {
            announcement: Some(post),
            ..
        }) => announce(state, &post).await,
        Err(text) => respond(state, who, blocks::text(&text)).await,
    }
}

/// What a sync did: how many schedules it keeps, and the announcement of
/// what it changed (`None`: nothing), posted once the sync is let go of.
struct Synced {
    kept: usize,
    announcement: Option<Post>,
}

async fn announce(state: &AppState, post: &Post) {
    if let Err(error) = state.slack.post(post).await {
        tracing::warn!(%error, "could not announce the running images' schedules");
    }
}

/// One sync: what runs, against what is kept; schedules made and removed,
/// recorded, and the announcement for the policy's channel. The problem, as a line
/// for the requester, when ECS or Scheduler refuses.
async fn run(
    state: &AppState,
    policy: &RunningPolicy,
    who: Option<&Requester>,
) -> Result<Synced, String> {
    let group = &state.settings.schedule_group;
    let role = state
        .settings
        .scheduler_role_arn
        .clone()
        .unwrap_or_default();
    let fail = |error: AwsError| explain_scheduler(&error, group, Some(&role));
    let running = running_now(state, &policy.clusters).await?;
    let kept = (state.store.kept_schedules().await).map_err(|e| format!("{e:#}"))?;
    let wanted: Vec<KeptSchedule> = (running.images.iter())
        .filter_map(|image| kept_for(state, image))
        .collect();
    let plan = sync_plan(&wanted, &kept);
    let expression = Expression::parse_aws(&policy.expression).map_err(|e| e.to_string())?;
    let tz: chrono_tz::Tz = policy.timezone.parse().unwrap_or(state.settings.timezone);
    let now = Utc::now();
    let mut added = Vec::new();
    for new in &plan.added {
        let group = state.settings.registries.scoped(&new.repository, group);
        state.scheduler.ensure_group(&group).await.map_err(fail)?;
        let id = ImageId::Digest(new.digest.clone());
        let description = format!(
            "Scans a running image (ecrscan running): runs in {}",
            new.place
        );
        let mut schedule = ScanSchedule::for_image(
            &state.settings.schedule_group,
            (&new.repository, &id),
            (&stagger(&expression, &new.digest), tz),
            &role,
            truncate(&description, 512),
        );
        schedule.name = new.name.clone();
        state.scheduler.put(&schedule).await.map_err(fail)?;
        record(state, new, now).await?;
        added.push((schedule, new.place.clone()));
    }
    for moved in &plan.moved {
        record(state, moved, now).await?;
    }
    for gone in &plan.removed {
        state
            .scheduler
            .delete(&state.settings.schedule_group, &gone.name)
            .await
            .map_err(fail)?;
        (state.store.forget_schedule(&gone.name).await).map_err(|e| format!("{e:#}"))?;
    }
    let changed = !added.is_empty() || !plan.removed.is_empty();
    let user = who.map(|w| w.user_id.as_str());
    let announcement = changed.then(|| {
        let content = blocks::kept(user, &added, &plan.removed, now);
        Post::message(&policy.channel, content)
    });
    tracing::info!(
        added = added.len(),
        removed = plan.removed.len(),
        kept = wanted.len(),
        "running images synced"
    );
    Ok(Synced {
        kept: wanted.len(),
        announcement,
    })
}

/// The schedule to keep for a running image (of a registry ecrscan serves,
/// named as ecrscan names it): by digest. `None` for an image known by tag only
/// (ECS did not say what runs).
fn kept_for(state: &AppState, image: &RunningImage) -> Option<KeptSchedule> {
    let digest = image.digest.clone()?;
    let id = ImageId::Digest(digest.clone());
    Some(KeptSchedule {
        name: (state.settings.registries).schedule_name(&image.repository, &id),
        repository: image.repository.clone(),
        digest,
        place: image.place_words(),
    })
}

/// What a sync changes: the schedules to make, those whose image runs
/// elsewhere now, and those whose image no longer runs.
#[derive(Debug, Default, PartialEq, Eq)]
struct SyncPlan {
    added: Vec<KeptSchedule>,
    moved: Vec<KeptSchedule>,
    removed: Vec<KeptSchedule>,
}

/// `wanted` (what runs) against `kept` (what is scheduled), by schedule name. Pure.
fn sync_plan(wanted: &[KeptSchedule], kept: &[KeptSchedule]) -> SyncPlan {
    let mut plan = SyncPlan::default();
    for want in wanted {
        match kept.iter().find(|k| k.name == want.name) {
            None => plan.added.push(want.clone()),
            Some(k) if k.place != want.place => plan.moved.push(want.clone()),
            Some(_) => {}
        }
    }
    plan.removed = (kept.iter())
        .filter(|k| !wanted.iter().any(|w| w.name == k.name))
        .cloned()
        .collect();
    plan
}

async fn record(state: &AppState, kept: &KeptSchedule, now: DateTime<Utc>) -> Result<(), String> {
    (state.store.keep_schedule(kept, now.timestamp()).await).map_err(|e| format!("{e:#}"))
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(name: &str, place: &str) -> KeptSchedule {
        KeptSchedule {
            name: name.into(),
            repository: "web".into(),
            digest: format!("sha256:{name}"),
            place: place.into(),
        }
    }

    #[test]
    fn a_sync_adds_what_started_running_and_removes_what_stopped() {
        let before = [
            kept("a", "prod/web, 2 tasks"),
            kept("b", "prod/api, 1 task"),
        ];
        let now = [
            kept("a", "prod/web, 3 tasks"),
            kept("c", "batch (standalone), 1 task"),
        ];
        let plan = sync_plan(&now, &before);
        assert_eq!(plan.added, [now[1].clone()]);
        assert_eq!(
            plan.moved,
            [now[0].clone()],
            "where it runs is kept up to date"
        );
        assert_eq!(plan.removed, [before[1].clone()]);
        assert_eq!(
            sync_plan(&now, &now),
            SyncPlan::default(),
            "nothing changed"
        );
    }
}
