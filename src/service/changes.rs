//! What every command that changes something shares: who may, the audit log,
//! and the announcement in the channel.

use slack_morphism::prelude::SlackMessageContent;

use super::{Requester, respond};
use crate::slack::blocks;
use crate::slack::client::Post;
use crate::state::AppState;
use crate::store::AuditEntry;

/// An ephemeral refusal naming who may `what`, when ECRSCAN_ADMINS is set and
/// the requester is not in it; `None` when they may. `list` is the command
/// anyone may run instead.
pub fn refuse_unless_admin(
    state: &AppState,
    who: &Requester,
    what: &str,
    list: &str,
) -> Option<SlackMessageContent> {
    if state.settings.is_admin(&who.user_id) {
        return None;
    }
    let admins: Vec<String> = state
        .settings
        .admins
        .iter()
        .map(|admin| blocks::mention(admin))
        .collect();
    Some(blocks::text(&format!(
        ":no_entry: Only {} may {what} (ECRSCAN_ADMINS); ask one of them. \
         Anyone may list them with `/ecrscan {list}`.",
        or_list(&admins)
    )))
}

/// Writes a change to the audit log; a failure is logged, never shown.
pub async fn audit(state: &AppState, who: &Requester, action: String) {
    let entry = AuditEntry {
        team_id: who.team_id.clone(),
        user_id: who.user_id.clone(),
        channel_id: who.channel_id.clone(),
        action,
        at: chrono::Utc::now().timestamp(),
    };
    if let Err(error) = state.store.audit(&entry).await {
        tracing::error!(
            error = format!("{error:#}"),
            "could not write the audit log"
        );
    }
}

/// Posts a change in the requester's channel; when the bot cannot, tells the
/// requester (the change is made all the same).
pub async fn announce(state: &AppState, who: &Requester, content: SlackMessageContent) {
    announce_in(state, who, None, content).await
}

/// [`announce`], in the thread `ts` of the requester's channel.
pub async fn announce_in_thread(
    state: &AppState,
    who: &Requester,
    ts: &str,
    content: SlackMessageContent,
) {
    announce_in(state, who, Some(ts.to_string()), content).await
}

async fn announce_in(
    state: &AppState,
    who: &Requester,
    thread: Option<String>,
    content: SlackMessageContent,
) {
    let post = Post::in_thread(who.channel_id.clone(), thread, content.clone());
    let Err(error) = state.slack.post(&post).await else {
        return;
    };
    tracing::warn!(%error, "could not announce a change in the channel");
    let hint = if error.is_not_in_channel() {
        ":wave: Done, but I cannot post in this channel, so nobody else was told. \
         Invite me with `/invite @ecrscan`."
            .to_string()
    } else {
        format!(
            ":warning: Done, but Slack did not take my announcement ({}).",
            blocks::escape(&error.to_string())
        )
    };
    respond(state, who, blocks::text(&hint)).await;
    respond(state, who, content).await;
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::or_list;

    #[test]
    fn admins_are_listed_as_a_sentence_says_them() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(or_list(&names(&["<@U1>"])), "<@U1>");
        assert_eq!(or_list(&names(&["<@U1>", "<@U2>"])), "<@U1> or <@U2>");
        assert_eq!(
            or_list(&names(&["<@U1>", "<@U2>", "<@U3>"])),
            "<@U1>, <@U2> or <@U3>"
        );
    }
}
