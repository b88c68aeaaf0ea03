//! Where a result goes in one channel: under the "scan started" message, in
//! the image's thread, in a new thread, or, in a burst (more than
//! `ECRSCAN_DIGEST_THRESHOLD` results within the window), quietly: rescans
//! still reply in their own threads but broadcast nothing, first scans are
//! gathered in the channel's digest, and the digest's head names what matters.

use super::render::{Planned, Rendered, Thread, layout};
use super::{Delivery, digest};
use crate::routing::Target;
use crate::scan::burst::{Entry, Outcome, Tally};
use crate::scan::image::Image;
use crate::slack::blocks;
use crate::state::AppState;
use crate::store::Digest;

/// The deliveries of `rendered` to `target`'s channel: one for the image's
/// messages, and one for the digest's head when a burst first has something
/// worth a message.
pub(super) async fn place(
    state: &AppState,
    image: &Image,
    key: &str,
    target: Target,
    rendered: Rendered,
) -> anyhow::Result<Vec<Delivery>> {
    let store = &state.store;
    let channel = target.channel;
    let now = chrono::Utc::now().timestamp();
    let window = state.settings.digest_window.as_secs() as i64;
    let recent = store.count_result(&channel, now, window).await?;
    let burst = target.started_ts.is_none() && recent > i64::from(state.settings.digest_threshold);
    let thread_ts = thread(state, image, key, &channel, target.started_ts).await?;
    let delivery = |parent_ts, messages, digest_id| Delivery {
        channel: channel.clone(),
        parent_ts,
        messages,
        sent: 0,
        refused: None,
        digest_id,
    };
    if !burst {
        let thread = match thread_ts {
            Some(_) => Thread::Existing,
            None => Thread::New,
        };
        return Ok(vec![delivery(
            thread_ts,
            layout(rendered, thread, false),
            None,
        )]);
    }
    let outcome = match thread_ts {
        Some(_) => rendered.outcome,
        None => Outcome::First,
    };
    let entry = Entry::new(image.display_name(), outcome, rendered.criticals.clone())
        .running(rendered.running);
    let digest = store.join_digest(&channel, now, window, &entry).await?;
    let head = unposted_head(state, &digest).await?;
    let Some(thread_ts) = thread_ts else {
        let thread = Thread::Digest {
            head: head.map(Box::new),
        };
        let messages = layout(rendered, thread, true);
        return Ok(vec![delivery(digest.ts, messages, Some(digest.id))]);
    };
    let mut deliveries = Vec::new();
    if let Some(head) = head.filter(|_| entry.outcome != Outcome::Unchanged) {
        deliveries.push(delivery(None, vec![Planned::Parent(head)], Some(digest.id)));
    }
    let messages = layout(rendered, Thread::Existing, true);
    deliveries.push(delivery(Some(thread_ts), messages, None));
    Ok(deliveries)
}

/// The image's thread in `channel`: the "scan started" message of a scan
/// started from Slack (which becomes the thread), or the one it has.
async fn thread(
    state: &AppState,
    image: &Image,
    key: &str,
    channel: &str,
    started_ts: Option<String>,
) -> anyhow::Result<Option<String>> {
    let store = &state.store;
    match started_ts {
        Some(ts) => {
            store
                .save_image_thread(&image.repository, key, channel, &ts)
                .await?;
            Ok(Some(ts))
        }
        None => store.image_thread(&image.repository, key, channel).await,
    }
}

/// The head of `digest` when it is not posted yet; when it is, a refresh of it
/// is asked for instead (one for all the results joining meanwhile).
async fn unposted_head(
    state: &AppState,
    digest: &Digest,
) -> anyhow::Result<Option<slack_morphism::prelude::SlackMessageContent>> {
    if digest.ts.is_some() {
        digest::ask_refresh(state, digest.id).await?;
        return Ok(None);
    }
    let tally = Tally::of(&state.store.digest_entries(digest.id).await?);
    let window = state.settings.digest_window.as_secs();
    Ok(Some(blocks::digest(&tally, window)))
}
