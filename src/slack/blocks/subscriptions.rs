//! Subscriptions: the list of a channel's, and the announcements of changes.

use slack_morphism::prelude::*;

use super::format::{channel, code, mention};
use crate::scan::findings::Severity;
use crate::store::Subscription;

/// "all findings", or "HIGH and above".
pub fn severity_floor(min: Severity) -> String {
    match min {
        Severity::Undefined => "all findings".to_string(),
        Severity::Critical => "CRITICAL only".to_string(),
        other => format!("{other} and above"),
    }
}

/// In the channel: who subscribed it to what.
pub fn subscribed(user_id: &str, pattern: &str, min: Severity, new: bool) -> SlackMessageContent {
    let verb = if new {
        "subscribed this channel to"
    } else {
        "changed this channel's subscription to"
    };
    super::text(&format!(
        ":bell: {} {verb} scan results of {} ({}).",
        mention(user_id),
        code(pattern, 300),
        severity_floor(min)
    ))
}

/// In the channel: who unsubscribed it from what.
pub fn unsubscribed(user_id: &str, pattern: &str) -> SlackMessageContent {
    super::text(&format!(
        ":no_bell: {} unsubscribed this channel from scan results of {}.",
        mention(user_id),
        code(pattern, 300)
    ))
}

/// A channel's subscriptions; `fallback` is where unrouted results go.
pub fn subscriptions(list: &[Subscription], fallback: Option<&str>) -> SlackMessageContent {
    if list.is_empty() {
        let elsewhere = match fallback {
            Some(id) => format!("Results no subscription routes go to {}.", channel(id)),
            None => {
                "Results no subscription routes are not posted (ECRSCAN_CHANNEL is not set).".into()
            }
        };
        return super::text(&format!(
            ":bell: This channel has no subscriptions. {elsewhere} \
             Subscribe with `/ecrscan subscribe example:web-* min=high`."
        ));
    }
    let lines: Vec<String> = list
        .iter()
        .take(100)
        .map(|s| {
            format!(
                "• {}: {} (by {})",
                code(&s.pattern, 300),
                severity_floor(s.min_severity),
                mention(&s.created_by)
            )
        })
        .collect();
    let more = list.len().saturating_sub(100);
    let tail = if more > 0 {
        format!("\n…and {more} more")
    } else {
        String::new()
    };
    super::text(&format!(
        ":bell: This channel hears about:\n{}{tail}",
        lines.join("\n")
    ))
}

/// The answer when a pattern is not among a channel's subscriptions, listing them.
pub fn no_such_subscription(pattern: &str, list: &[Subscription]) -> SlackMessageContent {
    let known: Vec<String> = list.iter().map(|s| code(&s.pattern, 300)).collect();
    let known = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    super::text(&format!(
        ":warning: This channel has no subscription {}. Its subscriptions: {known}.",
        code(pattern, 300)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_within_limits;
    use super::*;

    fn subscription(n: usize) -> Subscription {
        Subscription {
            channel: "C1".into(),
            pattern: format!("example:web-{n}-*"),
            min_severity: Severity::High,
            created_by: "U1".into(),
        }
    }

    #[test]
    fn the_list_names_each_pattern_with_its_floor_and_stays_within_limits() {
        let list: Vec<Subscription> = (0..150).map(subscription).collect();
        let content = subscriptions(&list, Some("C9"));
        let text = serde_json::to_string(&content).unwrap();
        assert!(text.contains("example:web-0-*") && text.contains("HIGH and above"));
        assert!(text.contains("and 50 more"));
        assert_within_limits(&content);
    }

    #[test]
    fn an_empty_list_says_where_results_go_instead() {
        let text = serde_json::to_string(&subscriptions(&[], Some("C9"))).unwrap();
        assert!(text.contains("<#C9>"), "{text}");
        let text = serde_json::to_string(&subscriptions(&[], None)).unwrap();
        assert!(text.contains("not posted"), "{text}");
    }

    #[test]
    fn floors_read_naturally() {
        assert_eq!(severity_floor(Severity::Undefined), "all findings");
        assert_eq!(severity_floor(Severity::Critical), "CRITICAL only");
        assert_eq!(severity_floor(Severity::Medium), "MEDIUM and above");
    }
}
