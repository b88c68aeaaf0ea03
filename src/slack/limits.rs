//! Slack's limits on a message, checked on the JSON Slack would receive.

use slack_morphism::prelude::*;

/// Every way `content` breaks Slack's limits; empty when it fits.
pub fn check(content: &SlackMessageContent) -> Result<(), Vec<String>> {
    let _ = content;
    unimplemented!("limits")
}
