//! Bursts, end to end: what a registry's worth of results costs ecrscan, and
//! how long they take to reach a channel at Slack's pace.
//!
//! ecrscan runs in this process on a fresh SQLite file for every run, with the
//! stand-ins of `common`. Three cases:
//!
//! - `finding_burst`: 2,000 signed `Inspector2 Finding` events for 200 images
//!   (10 each), POSTed to `/sns` over 16 connections at once. Measured: how
//!   many events are acknowledged per second (each is stored durably before
//!   its 200), and the time from the last acknowledgement until the Slack
//!   stand-in took the last message, with `ECRSCAN_FINDING_WINDOW_SECS=1`
//!   (the window is inside that time, not subtracted).
//! - `rescan_burst`: 200 images scanned before (their threads and scan
//!   history seeded through the store), rescanned: 198 unchanged, 2 with a new
//!   CRITICAL, against a stand-in that holds `chat.postMessage` to Slack's pace
//!   (429 beyond it), ecrscan at its default pace. Measured: the time from the
//!   first notification until the last message (posts and `chat.update`s).
//! - `first_scan_burst`: 30 first scans into one channel, at that pace: what
//!   the pace itself costs (about one post a second).
//!
//! `cargo bench --bench bursts` runs the full sizes several times and prints
//! the median, the 90th percentile and the maximum; `cargo test` runs each
//! case once, scaled down, and checks what a user would notice: every image
//! posted, few messages in the channel, no 429, every message within Slack's
//! limits.

mod common;
#[path = "bursts/findings.rs"]
mod findings;
#[path = "bursts/scans.rs"]
mod scans;

use std::future::Future;
use std::time::Duration;

use common::slack::Taken;
use common::spread;

const CASES: [&str; 3] = ["finding_burst", "rescan_burst", "first_scan_burst"];

fn main() {
    let Some(full) = common::selected("bursts", &CASES) else {
        return;
    };
    let wanted = |case| common::wanted("bursts", case);
    let runs = if full { 5 } else { 1 };
    if wanted("finding_burst") {
        let (images, per_image) = if full { (200, 10) } else { (10, 10) };
        let burst = |pace| move || findings::finding_burst(images, per_image, pace);
        report_findings(&repeat(runs, burst(findings::Pace::Unlimited)));
        if full {
            // At ecrscan's default pace the burst's posts take minutes: once.
            report_findings(&repeat(1, burst(findings::Pace::Default)));
        }
    }
    if wanted("rescan_burst") {
        let images = if full { 200 } else { 20 };
        let runs = repeat(runs, || scans::rescan_burst(images));
        report_scans("rescan_burst", &runs, false);
    }
    if wanted("first_scan_burst") {
        let (scans, runs) = if full { (30, 3) } else { (3, 1) };
        let runs = repeat(runs, || scans::first_scan_burst(scans));
        report_scans("first_scan_burst", &runs, true);
    }
}

/// Runs `case` `runs` times, each in a runtime of its own (dropped after it,
/// with the service it started).
fn repeat<T, F: Future<Output = T>>(runs: usize, case: impl Fn() -> F) -> Vec<T> {
    (0..runs)
        .map(|_| common::runtime().block_on(case()))
        .collect()
}

/// What the channel got from one run.
#[derive(Debug)]
pub struct Channel {
    /// New messages and replies broadcast to the channel.
    pub visible: usize,
    /// `chat.postMessage` calls taken (visible or in a thread).
    pub posts: usize,
    pub updates: usize,
    /// Posts the stand-in refused with 429 for going faster than Slack's pace.
    pub rate_limited: usize,
}

impl Channel {
    pub fn of(taken: &[Taken], rate_limited: usize) -> Channel {
        let posts = taken.iter().filter(|t| t.method == "chat.postMessage");
        Channel {
            visible: taken.iter().filter(|t| t.visible()).count(),
            posts: posts.count(),
            updates: taken.iter().filter(|t| t.method == "chat.update").count(),
            rate_limited,
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} visible messages, {} posts, {} chat.update, {} refused with 429",
            self.visible, self.posts, self.updates, self.rate_limited
        )
    }
}

fn seconds(values: impl Iterator<Item = Duration>) -> String {
    let values: Vec<f64> = values.map(|d| d.as_secs_f64()).collect();
    let (p50, p90, max) = spread(&values);
    format!("median {p50:.2} s, p90 {p90:.2} s, max {max:.2} s")
}

fn report_findings(runs: &[findings::Run]) {
    let first = &runs[0];
    let rates: Vec<f64> = runs.iter().map(|r| r.rate()).collect();
    let (rate50, _, rate_max) = spread(&rates);
    let low = rates.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "finding_burst ({}): {} events for {} images over {} connections: \
         acknowledged at median {rate50:.0} events/s (range {low:.0}–{rate_max:.0}); \
         last acknowledgement to last message taken: {} (window {} s, not subtracted); {}; n={}",
        first.pace.describe(),
        first.events,
        first.images,
        findings::CONNECTIONS,
        seconds(runs.iter().map(|r| r.to_last_message)),
        findings::WINDOW_SECS,
        first.channel.describe(),
        runs.len()
    );
}

/// With `per_post`, also the time per post (what Slack's pace costs).
fn report_scans(name: &str, runs: &[scans::Run], per_post: bool) {
    let first = &runs[0];
    let paced = runs
        .iter()
        .map(|r| r.to_last_message.as_secs_f64() / r.channel.posts as f64);
    let per_post = match per_post {
        true => format!(" ({:.2} s per post at most)", paced.fold(0.0, f64::max)),
        false => String::new(),
    };
    println!(
        "{name}: {} notifications, Slack's pace enforced, ecrscan at its default pace: \
         first notification to last message taken: {}{per_post}; {}; n={}",
        first.notifications,
        seconds(runs.iter().map(|r| r.to_last_message)),
        first.channel.describe(),
        runs.len()
    );
}
