//! `/ecrscan schedules`: the schedule group's schedules with their next run.

use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::explain::explain_scheduler;
use super::{Requester, respond};
use crate::slack::blocks::{self, MAX_SCHEDULES_SHOWN};
use crate::state::AppState;

/// Lists the schedules in the background; everyone may.
pub fn start(state: &AppState, who: Requester, span: tracing::Span) -> SlackMessageContent {
    state.spawn(run(state.clone(), who).instrument(span));
    blocks::text(":calendar: Looking up the schedules…")
}

/// Lists every page of the group, reads the schedules that fit in one message,
/// and answers (ephemeral).
async fn run(state: AppState, who: Requester) {
    let group = &state.settings.schedule_group;
    let role = state.settings.scheduler_role_arn.as_deref();
    let fail = |error| blocks::text(&explain_scheduler(&error, group, role));
    let names = match state.scheduler.list(group).await {
        Ok(names) => names,
        Err(error) => return respond(&state, &who, fail(error)).await,
    };
    let mut shown = Vec::new();
    for name in names.iter().take(MAX_SCHEDULES_SHOWN) {
        match state.scheduler.get(group, name).await {
            Ok(Some(schedule)) => shown.push(schedule),
            Ok(None) => {} // deleted since it was listed
            Err(error) => return respond(&state, &who, fail(error)).await,
        }
    }
    let more = names.len().saturating_sub(MAX_SCHEDULES_SHOWN);
    let registries = &state.settings.registries;
    let content = blocks::schedules(group, &shown, more, registries, chrono::Utc::now());
    respond(&state, &who, content).await;
}
