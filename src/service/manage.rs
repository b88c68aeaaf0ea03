//! `/ecrscan unschedule|pause|resume IMAGE`: change one image's schedule.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::changes::{announce, audit, refuse_unless_admin};
use super::explain::explain_scheduler;
use super::{Requester, display, resolve_all, respond};
use crate::aws::AwsError;
use crate::scan::image::{ImageId, ImageRef};
use crate::schedule::{ScanSchedule, ScheduleState};
use crate::slack::blocks;
use crate::state::AppState;

/// What to do with an image's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unschedule,
    Pause,
    Resume,
}

impl Change {
    fn word(self) -> &'static str {
        match self {
            Change::Unschedule => "unschedule",
            Change::Pause => "pause",
            Change::Resume => "resume",
        }
    }

    /// The state it sets; `None` for deletion.
    fn state(self) -> Option<ScheduleState> {
        match self {
            Change::Unschedule => None,
            Change::Pause => Some(ScheduleState::Disabled),
            Change::Resume => Some(ScheduleState::Enabled),
        }
    }
}

/// Checks who asks and the image, then changes the schedule in the background.
pub fn start(
    state: &AppState,
    who: Requester,
    change: Change,
    image: &ImageRef,
    span: tracing::Span,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, &who, "change schedules", "schedules") {
        return refusal;
    }
    let image = match resolve_all(state, change.word(), std::slice::from_ref(image)) {
        Ok(mut images) => images.remove(0),
        Err(problem) => return blocks::text(&problem),
    };
    let shown = display(&image.0, &image.1);
    state.spawn(run(state.clone(), who, change, image).instrument(span));
    blocks::text(&format!(
        ":calendar: Changing the schedule of {} ({})…",
        blocks::code(&shown, 300),
        change.word()
    ))
}

async fn run(state: AppState, who: Requester, change: Change, (repository, id): (String, ImageId)) {
    let group = &state.settings.schedule_group;
    let role = state.settings.scheduler_role_arn.as_deref();
    let fail = |error: AwsError| blocks::text(&explain_scheduler(&error, group, role));
    let shown = display(&repository, &id);
    let existing = match state
        .scheduler
        .get(
            group,
            &state.settings.registries.schedule_name(&repository, &id),
        )
        .await
    {
        Ok(Some(existing)) => existing,
        Ok(None) => return respond(&state, &who, blocks::no_schedule(&shown, group)).await,
        Err(error) => return respond(&state, &who, fail(error)).await,
    };
    if change.state() == Some(existing.state) {
        return respond(&state, &who, blocks::unchanged(&existing)).await;
    }
    if let Err(error) = apply(&state, change, &existing).await {
        return respond(&state, &who, fail(error)).await;
    }
    let action = format!("{}: {shown} ({group}/{})", change.word(), existing.name);
    audit(&state, &who, action).await;
    let now = chrono::Utc::now();
    let content = match change {
        Change::Unschedule => blocks::unscheduled(&who.user_id, &existing),
        Change::Pause => blocks::paused(&who.user_id, &existing),
        Change::Resume => blocks::resumed(&who.user_id, &existing, now),
    };
    announce(&state, &who, content).await;
}

async fn apply(state: &AppState, change: Change, schedule: &ScanSchedule) -> Result<(), AwsError> {
    let (group, name) = (&schedule.group, &schedule.name);
    let found = match change.state() {
        None => state.scheduler.delete(group, name).await?,
        Some(wanted) => state
            .scheduler
            .set_state(group, name, wanted)
            .await?
            .is_some(),
    };
    match found {
        true => Ok(()),
        false => Err(AwsError::ResourceNotFound(format!(
            "the schedule {name} was deleted meanwhile"
        ))),
    }
}
