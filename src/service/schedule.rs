//! `/ecrscan schedule WHEN [IMAGE...]`: one EventBridge Scheduler schedule per image.

use chrono::Utc;
use chrono_tz::Tz;
use slack_morphism::prelude::SlackMessageContent;
use tracing::Instrument;

use super::changes::{announce, audit, refuse_unless_admin};
use super::explain::{explain_scheduler, role_missing, tag_not_found};
use super::{Requester, names, resolve_all, respond};
use crate::aws::AwsError;
use crate::language::parse_image;
use crate::scan::image::{ImageId, ImageRef};
use crate::schedule::{Expression, PutOutcome, ScanSchedule, When, description};
use crate::slack::blocks;
use crate::state::AppState;

/// Checks who asks, the role and the images, then schedules in the background.
pub fn start(
    state: &AppState,
    who: Requester,
    when: When,
    images: &[ImageRef],
    span: tracing::Span,
) -> SlackMessageContent {
    let (images, role) = match check(state, &who, images) {
        Ok(checked) => checked,
        Err(refusal) => return *refusal,
    };
    let shown = names(&images);
    state.spawn(run(state.clone(), who, when, images, role).instrument(span));
    blocks::text(&format!(":calendar: Scheduling scans of {shown}…"))
}

/// The images to schedule, and the scheduler role.
pub type Checked = (Vec<(String, ImageId)>, String);

/// The images to schedule and the scheduler role, or the answer saying why
/// nothing is scheduled: the requester may not, the role is not set, or an
/// image names no repository.
pub fn check(
    state: &AppState,
    who: &Requester,
    images: &[ImageRef],
) -> Result<Checked, Box<SlackMessageContent>> {
    if let Some(refusal) = refuse_unless_admin(state, who, "change schedules", "schedules") {
        return Err(Box::new(refusal));
    }
    let Some(role) = state.settings.scheduler_role_arn.clone() else {
        return Err(Box::new(blocks::text(&role_missing())));
    };
    let images = targets(state, images).map_err(|problem| Box::new(blocks::text(&problem)))?;
    Ok((images, role))
}

/// The images named, or else the watched tags (ECRSCAN_TAGS).
fn targets(state: &AppState, images: &[ImageRef]) -> Result<Vec<(String, ImageId)>, String> {
    if !images.is_empty() {
        return resolve_all(state, "schedule weekly", images);
    }
    if state.settings.tags.is_empty() {
        return Err(":warning: `schedule` needs an image, e.g. \
                    `/ecrscan schedule weekly web-latest`. To schedule the same tags every \
                    time without naming them, set ECRSCAN_TAGS (e.g. `web-latest,proxy-latest`)."
            .into());
    }
    let watched = state
        .settings
        .tags
        .iter()
        .map(|tag| {
            parse_image(tag).map_err(|e| format!(":warning: ECRSCAN_TAGS: {}", blocks::escape(&e)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    resolve_all(state, "schedule weekly", &watched)
}

/// Makes sure of the group, puts one schedule per image (stopping at the first
/// error), and announces what was done.
pub async fn run(
    state: AppState,
    who: Requester,
    when: When,
    images: Vec<(String, ImageId)>,
    role: String,
) {
    let images = existing(&state, &who, images).await;
    if images.is_empty() {
        return;
    }
    let group = &state.settings.schedule_group;
    let tz = when.timezone.unwrap_or(state.settings.timezone);
    let fail = |error: AwsError| blocks::text(&explain_scheduler(&error, group, Some(&role)));
    let mut groups: Vec<String> = (images.iter())
        .map(|(repository, _)| state.settings.registries.scoped(repository, group))
        .collect();
    groups.sort();
    groups.dedup();
    for group in &groups {
        if let Err(error) = state.scheduler.ensure_group(group).await {
            return respond(&state, &who, fail(error)).await;
        }
    }
    let mut done = Vec::new();
    for image in &images {
        match put(&state, &who, image, (&when.expression, tz), &role).await {
            Ok(outcome) => done.push(outcome),
            Err(error) => {
                respond(&state, &who, fail(error)).await;
                break;
            }
        }
    }
    if !done.is_empty() {
        let content = blocks::scheduled(&who.user_id, &done, Utc::now());
        announce(&state, &who, content).await;
    }
}

/// The images to schedule. A tag that ECR says its repository does not have
/// (a typo, say) is answered with the closest tags and left out: its schedule
/// would fail at every run, and nobody would be told. When ECR cannot tell (no
/// such repository in this account, no permission to read it), the schedule is
/// made as asked: Scheduler starts the scan with its own role.
async fn existing(
    state: &AppState,
    who: &Requester,
    images: Vec<(String, ImageId)>,
) -> Vec<(String, ImageId)> {
    let mut kept = Vec::new();
    for (repository, id) in images {
        if let ImageId::Tag(tag) = &id
            && let Err(AwsError::ImageNotFound) = state.ecr.describe_image(&repository, &id).await
        {
            let tags = state.ecr.list_tags(&repository).await.unwrap_or_default();
            let text = format!(
                "{} Nothing was scheduled for it.",
                tag_not_found(&repository, tag, &tags)
            );
            respond(state, who, blocks::text(&text)).await;
            continue;
        }
        kept.push((repository, id));
    }
    kept
}

/// Creates or updates one image's schedule; an update keeps the schedule's
/// state (a paused schedule stays paused) and who created it.
async fn put(
    state: &AppState,
    who: &Requester,
    (repository, id): &(String, ImageId),
    when: (&Expression, Tz),
    role: &str,
) -> Result<(ScanSchedule, PutOutcome), AwsError> {
    let group = &state.settings.schedule_group;
    let name = state.settings.registries.schedule_name(repository, id);
    let existing = state.scheduler.get(group, &name).await?;
    let now = Utc::now();
    let previous = existing.as_ref().map(|s| s.description.as_str());
    let text = description(previous, &who.user_id, now.date_naive());
    let mut schedule = ScanSchedule::for_image(group, (repository, id), when, role, text);
    schedule.name = name;
    if let Some(existing) = &existing {
        schedule.state = existing.state;
        schedule.created_at = existing.created_at;
    }
    let put = state.scheduler.put(&schedule).await?;
    schedule.created_at = schedule.created_at.or(Some(now));
    let verb = match put {
        PutOutcome::Created => "created",
        PutOutcome::Updated => "updated",
    };
    let action = format!(
        "schedule {verb}: {} {} {} ({}/{})",
        schedule.image_name(),
        schedule.expression,
        schedule.timezone,
        group,
        schedule.name
    );
    audit(state, who, action).await;
    Ok((schedule, put))
}
