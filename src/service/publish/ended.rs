//! An ignore ended (its date passed, or a fix appeared): one reply in each
//! thread of every image whose latest result still has the finding, with the
//! ignore's reason. Planned once and delivered as results are.

use super::{Delivery, Planned, Progress, deliver, permanent, to_json};
use crate::jobs::{Failure, IgnoreEnded};
use crate::slack::blocks;
use crate::state::AppState;
use crate::store::{Ended, Job};

/// Runs a [`JobKind::IgnoreEnded`](crate::jobs::JobKind::IgnoreEnded) job.
pub async fn run_ended(state: &AppState, job: &Job) -> Result<(), Failure> {
    let progress = match &job.progress {
        Some(progress) => serde_json::from_str(progress).map_err(permanent)?,
        None => plan_ended(state, job).await?,
    };
    deliver(state, job, progress).await
}

async fn plan_ended(state: &AppState, job: &Job) -> Result<Progress, Failure> {
    let payload: IgnoreEnded = serde_json::from_str(&job.payload).map_err(permanent)?;
    let store = &state.store;
    let Some((ignore, why)) = store.ignore(payload.ignore).await? else {
        return Err(Failure::Permanent(format!("no ignore {}", payload.ignore)));
    };
    let why = why.unwrap_or(Ended::Expired);
    let threads = store.all_image_threads().await?;
    let mut deliveries = Vec::new();
    for history in store.image_histories().await? {
        let latest = &history.latest;
        let image = latest.image();
        let Some(finding) = latest
            .findings
            .iter()
            .find(|f| ignore.hides(f, &image, &state.settings.registries))
        else {
            continue;
        };
        let reply = blocks::ignore_ended(&ignore, why, finding);
        let of_image = (threads.iter())
            .filter(|t| t.repository == latest.repository && t.image_key == latest.image_key);
        deliveries.extend(of_image.map(|thread| Delivery {
            channel: thread.channel.clone(),
            parent_ts: Some(thread.ts.clone()),
            messages: vec![Planned::Reply {
                content: reply.clone(),
                broadcast: false,
            }],
            sent: 0,
            refused: None,
            digest_id: None,
        }));
    }
    tracing::info!(
        ignore = ignore.id,
        threads = deliveries.len(),
        why = why.as_str(),
        "an ignore ended"
    );
    let progress = Progress {
        image: format!("{} (its ignore ended)", ignore.vulnerability),
        repository: String::new(),
        image_key: String::new(),
        deliveries,
    };
    store.save_progress(job.id, &to_json(&progress)?).await?;
    Ok(progress)
}
