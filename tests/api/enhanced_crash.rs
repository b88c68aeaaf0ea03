//! A SIGKILL while finding events are gathered loses none and posts none twice.

use std::collections::HashMap;
use std::time::Duration;

use ecrscan::scan::findings::Severity;
use ecrscan::scan::inspector::FindingStatus;
use ecrscan::scan::inspector::testing::finding_event;

use crate::helpers::TOKEN;
use crate::process::{deliver_until_accepted, environment, serve, wait_ready};
use crate::slack_stub::SlackStub;
use crate::sns_harness::{SnsOrigin, body};

#[tokio::test]
async fn a_sigkill_inside_the_window_loses_nothing_and_posts_nothing_twice() {
    const IMAGES: usize = 10;
    const PER_IMAGE: usize = 10;
    let (slack, sns) = (SlackStub::start(TOKEN).await, SnsOrigin::start().await);
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/e.db", dir.path().display());
    let mut env = environment(&slack, &sns, &database);
    env.insert("ECRSCAN_FINDING_WINDOW_SECS", "10".to_string());
    let http = reqwest::Client::new();
    let log = dir.path().join("ecrscan.log");
    let mut first = serve(&env, &log);
    let port = std::sync::Mutex::new(wait_ready(&http, 0, &log).await);

    let payloads: Vec<String> = (0..IMAGES * PER_IMAGE)
        .map(|n| {
            let (image, cve) = (n % IMAGES, format!("CVE-2026-{n:04}"));
            let digest = format!("sha256:{image:064x}");
            let event = finding_event(
                "example",
                &digest,
                &format!("app-{image}"),
                &cve,
                Severity::High,
                FindingStatus::Active,
                false,
            );
            let event = serde_json::from_str(&event).unwrap();
            body(&sns.notification(&format!("finding-{n}"), &event))
        })
        .collect();
    let half = payloads.len() / 2;
    for payload in &payloads[..half] {
        deliver_until_accepted(&http, &port, payload).await;
    }
    // Killed inside the window: acknowledged events are staged or still jobs.
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        slack.calls_to("chat.postMessage").is_empty(),
        "killed before any update"
    );
    let mut second = serve(&env, &log);
    *port.lock().unwrap() = wait_ready(&http, 1, &log).await;
    for payload in &payloads[half - 5..] {
        deliver_until_accepted(&http, &port, payload).await; // five redelivered, as SNS would
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while slack.calls_to("chat.postMessage").len() < IMAGES * 2
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let posts = slack.calls_to("chat.postMessage");
    let mut threads: HashMap<String, usize> = HashMap::new();
    for post in posts.iter().filter(|p| p.body.get("thread_ts").is_none()) {
        *threads
            .entry(post.body["blocks"][0]["text"]["text"].to_string())
            .or_default() += 1;
    }
    assert_eq!(threads.len(), IMAGES, "{threads:?}");
    assert!(
        threads.values().all(|n| *n == 1),
        "a thread opened twice: {threads:?}"
    );
    for n in 0..IMAGES * PER_IMAGE {
        let cve = format!("CVE-2026-{n:04}");
        let naming = posts
            .iter()
            .filter(|p| p.everything().contains(&cve))
            .count();
        assert!(naming >= 1, "{cve} was lost");
        assert!(naming <= 2, "{cve} was announced {naming} times");
    }
}
