//! `finding_burst`: `Inspector2 Finding` events for many images at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ecrscan::scan::findings::Severity;
use ecrscan::scan::inspector::FindingStatus;
use ecrscan::scan::inspector::testing::finding_event;

use crate::Channel;
use crate::common::Service;
use crate::common::slack::{SlackStandIn, Taken};

/// Connections the events arrive on at once.
pub const CONNECTIONS: usize = 16;
/// `ECRSCAN_FINDING_WINDOW_SECS` for the burst.
pub const WINDOW_SECS: u64 = 1;
/// The most messages people may see in the channel for the whole burst (as
/// the integration test of the same burst holds it).
const VISIBLE_AT_MOST: usize = 6;

/// How fast ecrscan posts to one channel.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// As fast as the stand-in takes them (`ECRSCAN_POSTS_PER_SECOND=1000`, as
    /// in the integration tests): ecrscan's own work.
    Unlimited,
    /// ecrscan's default, Slack's pace (one post a second per channel).
    Default,
}

impl Pace {
    pub fn describe(self) -> &'static str {
        match self {
            Pace::Unlimited => "ECRSCAN_POSTS_PER_SECOND=1000",
            Pace::Default => "ecrscan at its default pace, 1 post/s",
        }
    }
}

/// One run's figures.
pub struct Run {
    pub pace: Pace,
    pub images: usize,
    pub events: usize,
    /// From the first POST until the last 200.
    pub ingest: Duration,
    pub to_last_message: Duration,
    pub channel: Channel,
}

impl Run {
    /// Events acknowledged per second.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.ingest.as_secs_f64()
    }
}

/// `per_image` events for each of `images` new images, delivered over
/// [`CONNECTIONS`] connections; waits until every image's update was taken and
/// nothing more came.
pub async fn finding_burst(images: usize, per_image: usize, pace: Pace) -> Run {
    let window = WINDOW_SECS.to_string();
    let mut settings = vec![("ECRSCAN_FINDING_WINDOW_SECS", window.as_str())];
    if let Pace::Unlimited = pace {
        settings.push(("ECRSCAN_POSTS_PER_SECOND", "1000"));
    }
    let slack = SlackStandIn::start(false).await;
    let service = Arc::new(Service::start(slack, &[], &settings).await);
    // Signed beforehand: signing is SNS's work, not ecrscan's.
    let bodies: Vec<String> = (0..images * per_image)
        .map(|n| {
            let event = event(n / per_image, n % per_image, images);
            service.notification(&format!("finding-{n}"), &event)
        })
        .collect();
    let events = bodies.len();
    let (first_post, last_ack) = deliver(&service, bodies).await;

    let slack = &service.slack;
    let limit = match pace {
        Pace::Unlimited => Duration::from_secs(120),
        Pace::Default => Duration::from_secs(900),
    };
    slack
        .wait_until(limit, |taken| every_image_named(taken, images))
        .await;
    let taken = slack.settled(Duration::from_secs(4)).await;
    let last = taken.iter().map(|t| t.at).max().unwrap();
    let channel = Channel::of(&taken, slack.rate_limited());
    assert!(
        channel.visible <= VISIBLE_AT_MOST,
        "{} visible messages for {images} images",
        channel.visible
    );
    assert!(named(&taken, "CVE-2026-0001"), "the base image's CRITICAL");
    slack.assert_within_limits();
    Run {
        pace,
        images,
        events,
        ingest: last_ack - first_post,
        to_last_message: last - last_ack,
        channel,
    }
}

/// The `n`th event of image `image` of `images`: one CRITICAL in every image
/// (its base image's), a CRITICAL of its own in two of them, and HIGH, MEDIUM
/// and LOW findings.
fn event(image: usize, n: usize, images: usize) -> serde_json::Value {
    let own_critical = image == images / 4 || image == images * 3 / 4;
    let (cve, severity) = match n {
        0 => ("CVE-2026-0001".to_string(), Severity::Critical),
        1 if own_critical => (format!("CVE-2026-5{image:03}"), Severity::Critical),
        _ => {
            let severity = [Severity::High, Severity::Medium, Severity::Low][n % 3];
            (format!("CVE-2025-{n:04}"), severity)
        }
    };
    let digest = format!("sha256:{image:064x}");
    let tag = format!("app-{image:03}");
    let status = FindingStatus::Active;
    let event = finding_event("example", &digest, &tag, &cve, severity, status, false);
    serde_json::from_str(&event).unwrap()
}

fn named(taken: &[Taken], text: &str) -> bool {
    taken.iter().any(|t| t.everything().contains(text))
}

fn every_image_named(taken: &[Taken], images: usize) -> bool {
    let everything: String = taken.iter().map(Taken::everything).collect();
    (0..images).all(|i| everything.contains(&format!("example:app-{i:03}")))
}

/// POSTs every body, [`CONNECTIONS`] at a time, each connection kept alive by
/// a client of its own; every answer must be 200. Returns when the first POST
/// started and when the last answer came.
async fn deliver(service: &Arc<Service>, bodies: Vec<String>) -> (Instant, Instant) {
    let queue = Arc::new(Mutex::new(bodies.into_iter()));
    let start = Instant::now();
    let senders: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (queue, service) = (queue.clone(), service.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut last = None;
                loop {
                    let Some(body) = queue.lock().unwrap().next() else {
                        return last;
                    };
                    let status = service.deliver(&http, body).await;
                    assert_eq!(status, 200, "an event was refused");
                    last = Some(Instant::now());
                }
            })
        })
        .collect();
    let mut last_ack = start;
    for sender in senders {
        last_ack = last_ack.max(sender.await.unwrap().unwrap_or(start));
    }
    (start, last_ack)
}
