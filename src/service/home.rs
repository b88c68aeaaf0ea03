//! The App Home: every image ecrscan knows, published for one user; and the
//! clicks in it (Rescan, Findings, Schedule weekly, Show more). A click in the
//! Home has no channel and no `response_url`: answers go to the user's Messages
//! tab with the app ([`Requester::in_home`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Requester, respond, scans, schedule};
use crate::scan::image::{ImageId, ImageRef};
use crate::scan::posture::Posture;
use crate::schedule::{ScanSchedule, WhenOptions, parse_when};
use crate::slack::blocks::{self, ButtonTarget};
use crate::state::AppState;
use crate::store::{ImageHistory, ImageThread};

/// Publishes page `page` of the Home for `user_id`: from the store, and the
/// schedules as read in the last minute; no other AWS call.
pub async fn publish(state: AppState, user_id: String, page: usize) {
    let postures = match postures(&state).await {
        Ok(postures) => postures,
        Err(error) => {
            let error = format!("{error:#}");
            return tracing::error!(error, "could not read what the App Home shows");
        }
    };
    let view = blocks::home(&postures, page, Utc::now());
    match state.slack.publish_home(&user_id, view).await {
        Ok(()) => {
            tracing::info!(user = %user_id, images = postures.len(), page, "published the App Home")
        }
        Err(error) => tracing::warn!(%error, user = %user_id, "could not publish the App Home"),
    }
}

/// Every image with a result, with its next scheduled scan when the schedules
/// can be read (else without: the Home still opens).
async fn postures(state: &AppState) -> anyhow::Result<Vec<Posture>> {
    let histories = state.store.image_histories().await?;
    let threads = state.store.all_image_threads().await?;
    let group = &state.settings.schedule_group;
    let schedules = match state.schedules.schedules(&*state.scheduler, group).await {
        Ok(schedules) => schedules,
        Err(error) => {
            tracing::warn!(%error, "the App Home shows no next scans: the schedules cannot be read");
            Vec::new()
        }
    };
    Ok(postures_of(histories, &threads, &schedules, Utc::now()))
}

/// What the Home shows of each image: its latest result against the previous
/// one, its next scheduled scan after `now`, and its thread (one in a channel
/// when there is one).
pub fn postures_of(
    histories: Vec<ImageHistory>,
    threads: &[ImageThread],
    schedules: &[ScanSchedule],
    now: DateTime<Utc>,
) -> Vec<Posture> {
    let mut next: HashMap<(String, String), DateTime<Utc>> = HashMap::new();
    for s in schedules {
        let (Some(image), Some(at)) = (s.image(), s.next_run(now)) else {
            continue;
        };
        let Some(repository) = image.repository else {
            continue;
        };
        let key = (repository, key_of(&image.id));
        let soonest = next.get(&key).map_or(at, |other| at.min(*other));
        next.insert(key, soonest);
    }
    let thread_of = |repository: &str, key: &str| {
        let mine = threads
            .iter()
            .filter(|t| t.repository == repository && t.image_key == key);
        let mut mine: Vec<&ImageThread> = mine.collect();
        mine.sort_by_key(|t| !t.channel.starts_with(['C', 'G']));
        mine.first().map(|t| (t.channel.clone(), t.ts.clone()))
    };
    histories
        .into_iter()
        .map(|h| {
            let latest = h.latest;
            let image = latest.image();
            let previous = h.previous.as_ref().map(|p| p.findings.as_slice());
            let mut posture = Posture::new(image, latest.kind, latest.scanned_at, &latest.findings)
                .since(previous);
            let key = (latest.repository.clone(), latest.image_key.clone());
            posture.next_scan = next.get(&key).copied();
            posture.thread = thread_of(&latest.repository, &latest.image_key);
            posture
        })
        .collect()
}

/// `tag:web-latest` or `digest:sha256:…`, as the scan history keys images.
fn key_of(id: &ImageId) -> String {
    match id {
        ImageId::Tag(tag) => format!("tag:{tag}"),
        ImageId::Digest(digest) => format!("digest:{digest}"),
    }
}

fn target_id(target: &ButtonTarget) -> ImageId {
    match &target.tag {
        Some(tag) => ImageId::Tag(tag.clone()),
        None => ImageId::Digest(target.digest.clone()),
    }
}

/// Rescan, as the summary's button does; the answers go to the Messages tab.
pub async fn rescan(state: AppState, who: Requester, target: ButtonTarget) {
    let images = vec![(target.repository.clone(), target_id(&target))];
    scans::run(state, who, images).await;
}

/// Opens the image's latest stored findings in a modal (no AWS call: the
/// click's `trigger_id` lasts only three seconds).
pub async fn open_findings(state: AppState, trigger_id: String, target: ButtonTarget) {
    let id = target_id(&target);
    let shown = super::display(&target.repository, &id);
    let view = match state
        .store
        .last_scan(&target.repository, &key_of(&id))
        .await
    {
        Ok(Some(scan)) => {
            let (report, hidden) = super::ignores::apart(&state, scan.into_report()).await;
            blocks::findings_modal(&report, &hidden)
        }
        Ok(None) => blocks::no_findings_modal(&shown),
        Err(error) => {
            let error = format!("{error:#}");
            return tracing::error!(error, "could not read the findings for a modal");
        }
    };
    if let Err(error) = state.slack.open_modal(&trigger_id, view).await {
        tracing::warn!(%error, "could not open the findings modal");
    }
}

/// Schedules a weekly scan of the image, with the same permission rules as
/// `/ecrscan schedule weekly`; then republishes the Home, whose next scans changed.
pub async fn schedule_weekly(state: AppState, who: Requester, target: ButtonTarget) {
    let image = ImageRef {
        repository: Some(target.repository.clone()),
        id: target_id(&target),
    };
    let (images, role) = match schedule::check(&state, &who, &[image]) {
        Ok(checked) => checked,
        Err(refusal) => return respond(&state, &who, *refusal).await,
    };
    let words = ["weekly".to_string()];
    let Ok((when, _)) = parse_when(&words, &WhenOptions::default()) else {
        return tracing::error!("`weekly` no longer parses");
    };
    schedule::run(state.clone(), who.clone(), when, images, role).await;
    state.schedules.forget();
    publish(state, who.user_id, 0).await;
}

#[cfg(test)]
mod tests;
