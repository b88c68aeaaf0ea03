//! Posting a planned result: message by message, each success recorded, each
//! post carrying an idempotency key so that one whose answer was lost is
//! recognised instead of posted again, each post at Slack's pace for its channel.

use std::time::Duration;

use super::{Delivery, Planned, Progress, digest, to_json};
use crate::jobs::Failure;
use crate::slack::blocks;
use crate::slack::client::{Post, PostError, with_key};
use crate::state::AppState;
use crate::store::Job;

pub(super) async fn deliver(
    state: &AppState,
    job: &Job,
    mut progress: Progress,
) -> Result<(), Failure> {
    // Only the first message not yet recorded can have reached Slack unrecorded
    // (a crash or a lost answer); every later one is surely new.
    let mut resumed = job.attempts > 1;
    for d in 0..progress.deliveries.len() {
        loop {
            let delivery = &progress.deliveries[d];
            let Some(message) = delivery.messages.get(delivery.sent).cloned() else {
                break;
            };
            if head_posted_meanwhile(state, &mut progress, d, &message).await? {
                save(state, job, &progress).await?;
                continue;
            }
            let delivery = &progress.deliveries[d];
            if !matches!(message, Planned::UpdateParent(_))
                && let Err(after) = state.slack.pace(&delivery.channel)
            {
                return Err(Failure::Paced {
                    channel: delivery.channel.clone(),
                    after,
                    progress: to_json(&progress)?,
                });
            }
            let key = format!("{}:{d}:{}", job.id, delivery.sent);
            let resume = std::mem::take(&mut resumed);
            match post_once(state, delivery, message, &key, resume).await? {
                Ok(Some(ts)) if delivery.parent_ts.is_none() => {
                    remember_parent(state, &progress, d, &ts).await?;
                    progress.deliveries[d].parent_ts = Some(ts);
                }
                Ok(_) => {}
                Err(PostError::Refused(code)) if is_gone(&code) => {
                    tracing::warn!(%code, "the thread's parent is gone; posting on");
                }
                Err(PostError::RateLimited(after)) => {
                    let after = after.unwrap_or(Duration::from_secs(1));
                    return Err(Failure::Retry {
                        after,
                        error: "Slack rate limit".into(),
                    });
                }
                Err(PostError::Unavailable(error)) => return Err(Failure::retry(error)),
                Err(error) => {
                    give_up_channel(state, job, &mut progress, d, error.to_string()).await?;
                    break;
                }
            }
            progress.deliveries[d].sent += 1;
            save(state, job, &progress).await?;
        }
    }
    Ok(())
}

async fn save(state: &AppState, job: &Job, progress: &Progress) -> Result<(), Failure> {
    state
        .store
        .save_progress(job.id, &to_json(progress)?)
        .await?;
    Ok(())
}

/// When `message` is a digest's head and another result posted that head since
/// this one was planned (a job that waited for Slack's pace), the delivery
/// threads under the posted head instead and asks for it to be refreshed: the
/// message counts as sent. Whether it did.
async fn head_posted_meanwhile(
    state: &AppState,
    progress: &mut Progress,
    d: usize,
    message: &Planned,
) -> Result<bool, Failure> {
    let delivery = &progress.deliveries[d];
    let (Planned::Parent(_), Some(id), None) = (message, delivery.digest_id, &delivery.parent_ts)
    else {
        return Ok(false);
    };
    let Some(ts) = state.store.digest(id).await?.and_then(|digest| digest.ts) else {
        return Ok(false);
    };
    digest::ask_refresh(state, id).await?;
    let delivery = &mut progress.deliveries[d];
    delivery.parent_ts = Some(ts);
    delivery.sent += 1;
    Ok(true)
}

/// Posts `message`, unless a resumed job finds that an earlier attempt did.
async fn post_once(
    state: &AppState,
    delivery: &Delivery,
    message: Planned,
    key: &str,
    resumed: bool,
) -> Result<Result<Option<String>, PostError>, Failure> {
    if resumed && let Some(ts) = already_posted(state, delivery, &message, key).await? {
        return Ok(Ok(Some(ts)));
    }
    Ok(send(state, delivery, message, key).await)
}

/// Records the first message posted to a channel as the image's thread there,
/// or as the digest's message when the result was folded into one.
async fn remember_parent(
    state: &AppState,
    progress: &Progress,
    d: usize,
    ts: &str,
) -> Result<(), Failure> {
    let delivery = &progress.deliveries[d];
    let store = &state.store;
    match delivery.digest_id {
        Some(id) => store.set_digest_ts(id, ts).await?,
        None => {
            let (repository, key) = (&progress.repository, &progress.image_key);
            store
                .save_image_thread(repository, key, &delivery.channel, ts)
                .await?
        }
    }
    Ok(())
}

/// Slack refused the channel for good: the rest of its messages are skipped,
/// and the refusal is reported once.
async fn give_up_channel(
    state: &AppState,
    job: &Job,
    progress: &mut Progress,
    d: usize,
    code: String,
) -> Result<(), Failure> {
    let delivery = &mut progress.deliveries[d];
    delivery.refused = Some(code.clone());
    delivery.sent = delivery.messages.len();
    save(state, job, progress).await?;
    let channel = &progress.deliveries[d].channel;
    report_refusal(state, &progress.image, channel, &code).await;
    Ok(())
}

/// The `ts` of `message` when an earlier attempt posted it after all.
async fn already_posted(
    state: &AppState,
    delivery: &Delivery,
    message: &Planned,
    key: &str,
) -> Result<Option<String>, Failure> {
    let thread = match message {
        Planned::UpdateParent(_) => return Ok(None),
        Planned::Parent(_) => None,
        Planned::Reply { .. } => delivery.parent_ts.as_deref(),
    };
    match state
        .slack
        .find_posted(&delivery.channel, thread, key)
        .await
    {
        Ok(found) => Ok(found),
        Err(PostError::Unavailable(error)) => Err(Failure::retry(error)),
        Err(error) => {
            tracing::warn!(%error, "cannot read the channel back; posting anyway");
            Ok(None)
        }
    }
}

/// Posts one planned message (the plain text alone when Slack refuses its blocks);
/// the new message's `ts` when it posted one.
async fn send(
    state: &AppState,
    delivery: &Delivery,
    message: Planned,
    key: &str,
) -> Result<Option<String>, PostError> {
    let channel = delivery.channel.clone();
    let parent = delivery.parent_ts.clone();
    let (content, thread_ts, broadcast) = match message {
        Planned::UpdateParent(content) => {
            let ts = parent.unwrap_or_default();
            return state
                .slack
                .update(&channel, &ts, content)
                .await
                .map(|()| None);
        }
        Planned::Parent(content) => (content, None, false),
        Planned::Reply { content, broadcast } => (content, parent, broadcast),
    };
    let mut post = Post::in_thread(channel, thread_ts, with_key(content, key)).broadcast(broadcast);
    match state.slack.post(&post).await {
        Err(PostError::Refused(code)) if code == "invalid_blocks" => {
            tracing::error!("Slack refused the blocks of a message; posting its text alone");
            post.content.blocks = None;
            state.slack.post(&post).await.map(Some)
        }
        result => result.map(Some),
    }
}

/// Tells `ECRSCAN_CHANNEL` (once) that a channel refused a result for good.
async fn report_refusal(state: &AppState, image: &str, channel: &str, reason: &str) {
    tracing::error!(%channel, %reason, %image, "Slack refused a result for good");
    let Some(report_to) = state.settings.channel.clone().filter(|c| c != channel) else {
        return;
    };
    let text = format!(
        ":warning: I could not post the scan result of {} in {}: {}. \
         If I am not in that channel, invite me with `/invite @ecrscan`; \
         otherwise remove its subscription with `/ecrscan unsubscribe`.",
        blocks::code(image, 300),
        blocks::channel(channel),
        blocks::escape(reason)
    );
    let post = Post::message(report_to, blocks::text(&text));
    if let Err(error) = state.slack.post(&post).await {
        tracing::error!(%error, "could not report a refused result either");
    }
}

/// Slack's answers for a parent message that can no longer be updated.
fn is_gone(code: &str) -> bool {
    matches!(
        code,
        "message_not_found" | "cant_update_message" | "edit_window_closed"
    )
}
