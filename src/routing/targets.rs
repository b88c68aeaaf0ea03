//! The channels a scan result goes to. Pure.

use crate::registry::Registries;
use crate::scan::findings::Severity;
use crate::scan::image::Image;
use crate::store::{ScanRequest, Subscription};

use super::ImagePattern;

/// One channel that hears about a result, and from which severity up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub channel: String,
    pub min_severity: Severity,
    /// The "scan started" message to thread under, for a scan started from Slack.
    pub started_ts: Option<String>,
}

/// Where a result for `image` goes: the channel that started the scan (if one
/// did), every channel with a matching subscription, and `fallback` when none of
/// these. A channel appears once, with its most permissive severity. Patterns
/// name registries as [`Registries::matches`] says.
pub fn targets(
    registries: &Registries,
    image: &Image,
    request: Option<&ScanRequest>,
    subscriptions: &[Subscription],
    fallback: Option<&str>,
) -> Vec<Target> {
    let mut targets: Vec<Target> = request
        .map(|r| Target {
            channel: r.channel.clone(),
            min_severity: Severity::Undefined,
            started_ts: Some(r.ts.clone()),
        })
        .into_iter()
        .collect();
    let matching = subscriptions
        .iter()
        .filter(|s| ImagePattern::parse(&s.pattern).is_ok_and(|p| registries.matches(&p, image)));
    for subscription in matching {
        match targets
            .iter_mut()
            .find(|t| t.channel == subscription.channel)
        {
            Some(target) => {
                target.min_severity = target.min_severity.max(subscription.min_severity)
            }
            None => targets.push(Target {
                channel: subscription.channel.clone(),
                min_severity: subscription.min_severity,
                started_ts: None,
            }),
        }
    }
    if targets.is_empty()
        && let Some(channel) = fallback
    {
        targets.push(Target {
            channel: channel.to_string(),
            min_severity: Severity::Undefined,
            started_ts: None,
        });
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(tag: &str) -> Image {
        Image {
            repository: "example".into(),
            digest: "sha256:1".into(),
            tags: vec![tag.into()],
        }
    }

    fn subscription(channel: &str, pattern: &str, min: Severity) -> Subscription {
        Subscription {
            channel: channel.into(),
            pattern: pattern.into(),
            min_severity: min,
            created_by: "U1".into(),
        }
    }

    fn channels(targets: &[Target]) -> Vec<&str> {
        targets.iter().map(|t| t.channel.as_str()).collect()
    }

    #[test]
    fn results_go_to_every_matching_channel_and_not_to_the_fallback() {
        let subs = [
            subscription("C-web", "example:web-*", Severity::High),
            subscription("C-all", "example", Severity::Undefined),
            subscription("C-other", "other:*", Severity::Undefined),
        ];
        let got = targets(
            &Registries::default(),
            &image("web-latest"),
            None,
            &subs,
            Some("C-default"),
        );
        assert_eq!(channels(&got), ["C-web", "C-all"]);
        assert_eq!(got[0].min_severity, Severity::High);
    }

    #[test]
    fn the_fallback_channel_hears_what_no_subscription_routes() {
        let subs = [subscription("C-web", "example:web-*", Severity::High)];
        let got = targets(
            &Registries::default(),
            &image("proxy-latest"),
            None,
            &subs,
            Some("C-default"),
        );
        assert_eq!(channels(&got), ["C-default"]);
        assert!(
            targets(
                &Registries::default(),
                &image("proxy-latest"),
                None,
                &subs,
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn the_channel_that_started_a_scan_hears_everything_once() {
        let request = ScanRequest {
            repository: "example".into(),
            digest: "sha256:1".into(),
            channel: "C-web".into(),
            ts: "1.5".into(),
            user_id: "U1".into(),
            requested_at: 0,
        };
        let subs = [subscription("C-web", "example:*", Severity::Critical)];
        let got = targets(
            &Registries::default(),
            &image("web-latest"),
            Some(&request),
            &subs,
            Some("C-default"),
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].min_severity, Severity::Undefined);
        assert_eq!(got[0].started_ts.as_deref(), Some("1.5"));
    }

    #[test]
    fn two_patterns_of_one_channel_take_the_most_permissive_severity() {
        let subs = [
            subscription("C1", "example:web-*", Severity::Critical),
            subscription("C1", "example", Severity::Medium),
        ];
        let got = targets(
            &Registries::default(),
            &image("web-latest"),
            None,
            &subs,
            None,
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].min_severity, Severity::Medium);
    }
}
