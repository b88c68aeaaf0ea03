//! `subscribe`, `unsubscribe`, `subscriptions`: which images this channel hears about.

use slack_morphism::prelude::SlackMessageContent;

use super::Requester;
use super::changes::{announce, audit, refuse_unless_admin};
use crate::routing::ImagePattern;
use crate::scan::findings::Severity;
use crate::slack::blocks;
use crate::state::AppState;
use crate::store::Subscription;

/// `subscribe PATTERN [min=SEVERITY]`: admins only when ECRSCAN_ADMINS is set.
pub async fn subscribe(
    state: &AppState,
    who: &Requester,
    pattern: ImagePattern,
    min: Severity,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, who, "change subscriptions", "subscriptions")
    {
        return refusal;
    }
    let subscription = Subscription {
        channel: who.channel_id.clone(),
        pattern: pattern.to_string(),
        min_severity: min,
        created_by: who.user_id.clone(),
    };
    match state.store.subscribe(&subscription).await {
        Ok(new) => {
            audit(state, who, format!("subscribe {pattern} min={min}")).await;
            let news = blocks::subscribed(&who.user_id, pattern.as_str(), min, new);
            state.spawn(announce_later(state.clone(), who.clone(), news));
            blocks::text(&format!(
                ":white_check_mark: Subscribed to {}.",
                blocks::code(pattern.as_str(), 300)
            ))
        }
        Err(error) => failed(error),
    }
}

/// `unsubscribe PATTERN`: admins only when ECRSCAN_ADMINS is set.
pub async fn unsubscribe(
    state: &AppState,
    who: &Requester,
    pattern: ImagePattern,
) -> SlackMessageContent {
    if let Some(refusal) = refuse_unless_admin(state, who, "change subscriptions", "subscriptions")
    {
        return refusal;
    }
    match state
        .store
        .unsubscribe(&who.channel_id, pattern.as_str())
        .await
    {
        Ok(true) => {
            audit(state, who, format!("unsubscribe {pattern}")).await;
            let news = blocks::unsubscribed(&who.user_id, pattern.as_str());
            state.spawn(announce_later(state.clone(), who.clone(), news));
            blocks::text(&format!(
                ":white_check_mark: Unsubscribed from {}.",
                blocks::code(pattern.as_str(), 300)
            ))
        }
        Ok(false) => match state.store.subscriptions(Some(&who.channel_id)).await {
            Ok(list) => blocks::no_such_subscription(pattern.as_str(), &list),
            Err(error) => failed(error),
        },
        Err(error) => failed(error),
    }
}

/// `subscriptions`: this channel's, for everyone.
pub async fn list(state: &AppState, who: &Requester) -> SlackMessageContent {
    match state.store.subscriptions(Some(&who.channel_id)).await {
        Ok(list) => blocks::subscriptions(&list, state.settings.channel.as_deref()),
        Err(error) => failed(error),
    }
}

async fn announce_later(state: AppState, who: Requester, content: SlackMessageContent) {
    announce(&state, &who, content).await;
}

fn failed(error: anyhow::Error) -> SlackMessageContent {
    tracing::error!(error = format!("{error:#}"), "subscription change failed");
    blocks::text(":x: The subscription could not be saved; nothing changed. Try again in a moment.")
}
