//! Nothing lost, nothing twice: Slack outages, rate limits, lost answers and
//! refusals while posting results.

use std::collections::HashSet;

use crate::helpers::{CHANNEL, TestApp};
use crate::slack_stub::{Call, Fault};
use crate::sns::{RESULTS, deliver, event, settled_posts, setup};
use crate::sns_harness::body;

/// Every finding id appears once, in order, across `posts`.
fn assert_each_finding_once_in_order(posts: &[Call], count: usize) {
    let all: String = posts.iter().map(|c| c.everything()).collect();
    let mut last = 0;
    for n in 0..count {
        // The id is the text of its link: `<uri|CVE-…>`.
        let id = format!("|CVE-2026-{n:05}>");
        assert_eq!(all.matches(&id).count(), 1, "{id} posted once");
        let at = all.find(&id).unwrap();
        assert!(at >= last, "{id} in order");
        last = at;
    }
}

#[tokio::test]
async fn through_503_and_429_every_message_arrives_exactly_once_in_order() {
    let s = setup(1200).await;
    s.app.slack.fail_next(&[
        Fault::Status(503),
        Fault::RateLimited(1),
        Fault::Status(502),
    ]);
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("flaky", &event())),
    )
    .await;
    // Retries wait (1 s backoff, then Retry-After): wait for the last finding.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !s
        .app
        .slack
        .calls()
        .iter()
        .any(|c| c.everything().contains("CVE-2026-01199"))
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let posts = settled_posts(&s.app, 3).await;
    let parents: Vec<&Call> = posts
        .iter()
        .filter(|p| p.body.get("thread_ts").is_none())
        .collect();
    assert_eq!(parents.len(), 1, "one summary");
    assert!(
        posts[1..]
            .iter()
            .all(|p| p.body["thread_ts"] == parents[0].ts.as_str())
    );
    let texts: HashSet<String> = posts.iter().map(|p| p.body.to_string()).collect();
    assert_eq!(texts.len(), posts.len(), "no message twice");
    assert_each_finding_once_in_order(&posts[1..], 1200);
}

#[tokio::test]
async fn a_post_whose_answer_was_lost_is_recognised_not_repeated() {
    let s = setup(3).await;
    s.app.slack.fail_next(&[Fault::TakenThenStatus(503)]);
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("lost", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 2).await;
    assert_eq!(
        posts.len(),
        2,
        "the summary once, then its details: {posts:#?}"
    );
    assert_eq!(posts[1].body["thread_ts"], posts[0].ts.as_str());
    assert!(
        posts[0].body["metadata"]["event_payload"]["key"].is_string(),
        "posts carry their key"
    );
}

#[tokio::test]
async fn refused_blocks_are_posted_as_plain_text() {
    let s = setup(2).await;
    s.app.slack.fail_next(&[Fault::Error("invalid_blocks")]);
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("blocks", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 2).await;
    assert_eq!(posts.len(), 2);
    assert!(
        posts[0].body.get("blocks").is_none(),
        "the summary's text alone"
    );
    assert!(posts[0].text().contains("example:web-latest"));
}

#[tokio::test]
async fn a_channel_that_refuses_for_good_is_reported_once() {
    let s = setup(2).await;
    TestApp::answer(s.app.command("subscribe example").await).await;
    s.app.slack.wait_for("chat.postMessage", 1).await;
    s.app.slack.refuse_channel(CHANNEL);
    deliver(
        &s.app,
        "Notification",
        body(&s.sns.notification("refused", &event())),
    )
    .await;
    let posts = settled_posts(&s.app, 2).await;
    let reports: Vec<&Call> = posts
        .iter()
        .filter(|p| p.body["channel"] == RESULTS)
        .collect();
    assert_eq!(reports.len(), 1, "{posts:#?}");
    let text = reports[0].text();
    assert!(
        text.contains(&format!("<#{CHANNEL}>")) && text.contains("not_in_channel"),
        "{text}"
    );
    assert!(text.contains("/invite @ecrscan"), "{text}");
}
