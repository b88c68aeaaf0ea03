//! The Slack Web API, through slack-morphism: post, update, publish the App Home,
//! open modals, and answer `response_url`s.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_rustls::HttpsConnectorBuilder;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use url::Url;

use crate::metrics::metrics;
use crate::slack::pace::Pace;

/// Where Slack's `response_url`s live; no other host is ever answered.
const RESPONSE_URL_ORIGIN: &str = "https://hooks.slack.com";

/// Why Slack did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// Slack answered `ok: false` with this error code (`not_in_channel`, `channel_not_found`, ...).
    #[error("Slack refused the message: {0}")]
    Refused(String),
    /// HTTP 429; retry after this long when Slack said.
    #[error("Slack is rate limiting")]
    RateLimited(Option<Duration>),
    /// Network error or 5xx: worth retrying.
    #[error("Slack could not be reached: {0}")]
    Unavailable(String),
    /// A `response_url` not on Slack's host.
    #[error("refused to answer a response_url outside Slack: {0}")]
    ForeignResponseUrl(String),
}

impl PostError {
    /// The bot is not a member of the channel (or cannot see it).
    pub fn is_not_in_channel(&self) -> bool {
        matches!(self, PostError::Refused(code) if matches!(code.as_str(),
            "not_in_channel" | "channel_not_found" | "is_archived"))
    }

    /// The outcome label for metrics: `refused`, `rate_limited` or `unavailable`.
    pub fn outcome(&self) -> &'static str {
        match self {
            PostError::Refused(_) | PostError::ForeignResponseUrl(_) => "refused",
            PostError::RateLimited(_) => "rate_limited",
            PostError::Unavailable(_) => "unavailable",
        }
    }
}

/// A message Slack took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub ts: String,
    /// The conversation it is in.
    pub channel: String,
}

/// A message to post with `chat.postMessage`.
#[derive(Debug, Clone)]
pub struct Post {
    pub channel: String,
    pub content: SlackMessageContent,
    pub thread_ts: Option<String>,
    pub broadcast: bool,
}

impl Post {
    /// A new message in the channel.
    pub fn message(channel: impl Into<String>, content: SlackMessageContent) -> Self {
        Post::in_thread(channel, None, content)
    }

    /// A reply in the thread of `thread_ts`, or a new message when `None`.
    pub fn in_thread(
        channel: impl Into<String>,
        thread_ts: Option<String>,
        content: SlackMessageContent,
    ) -> Self {
        Post {
            channel: channel.into(),
            content,
            thread_ts,
            broadcast: false,
        }
    }

    /// A reply that is also shown in the channel, when `broadcast`.
    pub fn broadcast(self, broadcast: bool) -> Self {
        Post { broadcast, ..self }
    }
}

type Connector = SlackClientHyperConnector<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
>;

/// Who a bot token belongs to, as `auth.test` tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    /// The workspace's name and id (`T…`).
    pub team: String,
    pub team_id: String,
    /// The bot user's name and id (`U…`).
    pub user: String,
    pub user_id: String,
}

/// The bot's Web API client.
#[derive(Clone)]
pub struct SlackWeb {
    client: Arc<slack_morphism::SlackClient<Connector>>,
    token: SlackApiToken,
    api_origin: String,
    pace: Arc<Pace>,
}

impl SlackWeb {
    /// A client for `api_url` (Slack's, or a local stand-in over plain HTTP in tests).
    pub fn new(api_url: &Url, token: &SecretString) -> anyhow::Result<Self> {
        let builder = HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?;
        let connector = if api_url.scheme() == "http" {
            builder.https_or_http().enable_http1().build()
        } else {
            builder.https_only().enable_http1().enable_http2().build()
        };
        let base = api_url.as_str().trim_end_matches('/');
        let connector =
            SlackClientHyperConnector::with_connector(connector).with_slack_api_url(base);
        Ok(SlackWeb {
            client: Arc::new(slack_morphism::SlackClient::new(connector)),
            token: SlackApiToken::new(token.expose_secret().to_string().into()),
            api_origin: api_url.origin().ascii_serialization(),
            pace: Arc::new(Pace::new(NonZeroU32::MIN)),
        })
    }

    /// The client posting `per_second` messages per second to one channel (one
    /// by default, as Slack takes them).
    pub fn with_pace(self, per_second: NonZeroU32) -> Self {
        SlackWeb {
            pace: Arc::new(Pace::new(per_second)),
            ..self
        }
    }

    /// Slack's pace per channel: room for one more message in `channel` now,
    /// or how long until there is ([`Pace::take`]).
    pub fn pace(&self, channel: &str) -> Result<(), Duration> {
        self.pace.take(channel)
    }

    /// Forgets the pace of channels idle for a while.
    pub fn forget_idle_channels(&self) {
        self.pace.forget_idle();
    }

    /// `chat.postMessage`; returns the new message's `ts`.
    pub async fn post(&self, post: &Post) -> Result<String, PostError> {
        Ok(self.post_message(post).await?.ts)
    }

    /// `chat.postMessage`; the new message's `ts` and the conversation it is in
    /// (a direct message's `D…` when `post.channel` is a user id).
    pub async fn post_message(&self, post: &Post) -> Result<Posted, PostError> {
        let request =
            SlackApiChatPostMessageRequest::new(post.channel.clone().into(), post.content.clone())
                .opt_thread_ts(post.thread_ts.clone().map(Into::into))
                .opt_reply_broadcast(post.broadcast.then_some(true));
        let session = self.client.open_session(&self.token);
        let response = timed("chat.postMessage", session.chat_post_message(&request)).await?;
        Ok(Posted {
            ts: response.ts.0,
            channel: response.channel.0,
        })
    }

    /// `chat.update` of an existing message.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        content: SlackMessageContent,
    ) -> Result<(), PostError> {
        let request = SlackApiChatUpdateRequest::new(
            channel.to_string().into(),
            content,
            ts.to_string().into(),
        );
        let session = self.client.open_session(&self.token);
        timed("chat.update", session.chat_update(&request)).await?;
        Ok(())
    }

    /// `views.publish`: `view` becomes `user_id`'s App Home.
    pub async fn publish_home(&self, user_id: &str, view: SlackView) -> Result<(), PostError> {
        let request = SlackApiViewsPublishRequest::new(user_id.to_string().into(), view);
        let session = self.client.open_session(&self.token);
        timed("views.publish", session.views_publish(&request)).await?;
        Ok(())
    }

    /// `views.open`: opens the modal `view` for the click that gave `trigger_id`.
    pub async fn open_modal(&self, trigger_id: &str, view: SlackView) -> Result<(), PostError> {
        let request = SlackApiViewsOpenRequest::new(trigger_id.to_string().into(), view);
        let session = self.client.open_session(&self.token);
        timed("views.open", session.views_open(&request)).await?;
        Ok(())
    }

    /// `auth.test`: whether the token works, and whose it is.
    pub async fn auth_test(&self) -> Result<BotIdentity, PostError> {
        let session = self.client.open_session(&self.token);
        let response = timed("auth.test", session.auth_test()).await?;
        Ok(BotIdentity {
            team: response.team,
            team_id: response.team_id.0,
            user: response.user.unwrap_or_default(),
            user_id: response.user_id.0,
        })
    }

    /// The `ts` of a message this bot already posted with idempotency `key` (in its
    /// metadata): in the thread `thread_ts`, or among the channel's latest messages.
    pub async fn find_posted(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        key: &str,
    ) -> Result<Option<String>, PostError> {
        let session = self.client.open_session(&self.token);
        let mut params = vec![
            ("channel", Some(channel)),
            ("include_all_metadata", Some("true")),
            ("limit", Some("200")),
        ];
        let method = match thread_ts {
            Some(ts) => {
                params.push(("ts", Some(ts)));
                "conversations.replies"
            }
            None => "conversations.history",
        };
        let read = session.http_session_api.http_get(method, &params, None);
        let response: SlackApiConversationsHistoryResponse = timed(method, read).await?;
        Ok(response
            .messages
            .into_iter()
            .find(|m| carries_key(&m.content, key))
            .map(|m| m.origin.ts.0))
    }

    /// Answers a slash command or button through its `response_url` (ephemeral, as Slack defaults).
    pub async fn respond(
        &self,
        response_url: &str,
        content: SlackMessageContent,
    ) -> Result<(), PostError> {
        let url = Url::parse(response_url)
            .ok()
            .filter(|url| {
                let origin = url.origin().ascii_serialization();
                origin == RESPONSE_URL_ORIGIN || origin == self.api_origin
            })
            .ok_or_else(|| PostError::ForeignResponseUrl(response_url.to_string()))?;
        let request = SlackApiPostWebhookMessageRequest::new(content);
        let url = SlackResponseUrl(url);
        timed("response_url", self.client.respond_to_event(&url, &request)).await?;
        Ok(())
    }
}

/// Event type of the metadata that carries a post's idempotency key.
pub const POST_EVENT_TYPE: &str = "ecrscan_post";

/// `content` with `key` in its metadata, so that it can be recognised later.
pub fn with_key(mut content: SlackMessageContent, key: &str) -> SlackMessageContent {
    let payload = std::collections::HashMap::from([("key".to_string(), key.to_string())]);
    content.metadata =
        Some(SlackMessageMetadata::new(POST_EVENT_TYPE.to_string()).with_event_payload(payload));
    content
}

fn carries_key(content: &SlackMessageContent, key: &str) -> bool {
    content.metadata.as_ref().is_some_and(|m| {
        m.event_type == POST_EVENT_TYPE
            && m.event_payload
                .as_ref()
                .and_then(|p| p.get("key"))
                .is_some_and(|k| k == key)
    })
}

/// Awaits one Web API call, recording its outcome and duration under `method`.
async fn timed<T>(
    method: &'static str,
    call: impl Future<Output = Result<T, SlackClientError>>,
) -> Result<T, PostError> {
    let started = Instant::now();
    let result = call.await.map_err(map_error);
    let outcome = result.as_ref().map_or_else(PostError::outcome, |_| "ok");
    metrics().slack_call(method, outcome, started.elapsed());
    result
}

fn map_error(error: SlackClientError) -> PostError {
    match error {
        SlackClientError::ApiError(e) => PostError::Refused(e.code),
        SlackClientError::RateLimitError(e) => PostError::RateLimited(e.retry_after),
        SlackClientError::HttpError(e) if e.status_code.is_client_error() => {
            PostError::Refused(format!("http_{}", e.status_code.as_u16()))
        }
        other => PostError::Unavailable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::PostError;

    #[test]
    fn post_errors_map_to_the_four_fixed_outcomes() {
        assert_eq!(
            PostError::Refused("not_in_channel".into()).outcome(),
            "refused"
        );
        assert_eq!(PostError::RateLimited(None).outcome(), "rate_limited");
        assert_eq!(
            PostError::Unavailable("503".into()).outcome(),
            "unavailable"
        );
        let foreign = PostError::ForeignResponseUrl("https://evil.example/x".into());
        assert_eq!(foreign.outcome(), "refused");
    }
}
