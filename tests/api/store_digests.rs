//! Digests in the store, on SQLite and PostgreSQL alike: results join the
//! channel's open digest, its head is refreshed by one job however many join,
//! and "unchanged since" survives a rescan that finds the same.

use ecrscan::scan::burst::{Entry, Outcome, Tally};
use ecrscan::scan::findings::{Finding, Severity};
use ecrscan::store::{Digests, Jobs, ScanRecord, Threads};

use crate::store::stores;

fn entry(image: &str, outcome: Outcome, criticals: &[&str]) -> Entry {
    Entry::new(image, outcome, criticals.iter().copied())
}

#[tokio::test]
async fn results_join_the_open_digest_of_their_channel_and_tally_in_order() {
    for (store, db) in stores().await {
        let first = store
            .join_digest("C1", 1000, 60, &entry("a:1", Outcome::Unchanged, &[]))
            .await
            .unwrap();
        let second = store
            .join_digest("C1", 1030, 60, &entry("a:2", Outcome::Changed, &["CVE-1"]))
            .await
            .unwrap();
        let elsewhere = store
            .join_digest("C2", 1030, 60, &entry("a:3", Outcome::First, &[]))
            .await
            .unwrap();
        let later = store
            .join_digest("C1", 1200, 60, &entry("a:4", Outcome::Failed, &[]))
            .await
            .unwrap();

        assert_eq!(first.id, second.id, "{}", db.url);
        assert_ne!(first.id, elsewhere.id, "{}", db.url);
        assert_ne!(first.id, later.id, "{}: the window closed", db.url);
        let entries = store.digest_entries(first.id).await.unwrap();
        assert_eq!(
            entries,
            [
                entry("a:1", Outcome::Unchanged, &[]),
                entry("a:2", Outcome::Changed, &["CVE-1"])
            ],
            "{}",
            db.url
        );
        let tally = Tally::of(&entries);
        assert_eq!((tally.with_critical, tally.unchanged), (1, 1), "{}", db.url);
    }
}

#[tokio::test]
async fn a_posted_digest_is_refreshed_by_one_job_however_many_results_ask() {
    for (store, db) in stores().await {
        let digest = store
            .join_digest("C1", 1000, 60, &entry("a:1", Outcome::Changed, &[]))
            .await
            .unwrap();
        store.set_digest_ts(digest.id, "1.000001").await.unwrap();
        store.set_digest_ts(digest.id, "9.999999").await.unwrap();

        let mut stored = 0;
        for _ in 0..3 {
            if store
                .request_digest_refresh(digest.id, "digest", 0)
                .await
                .unwrap()
            {
                stored += 1;
            }
        }
        assert_eq!(stored, 1, "{}: one refresh for all", db.url);
        let job = store.claim_job().await.unwrap().expect("the refresh job");
        assert_eq!(job.kind, "digest");
        assert_eq!(job.payload, format!("{{\"digest\":{}}}", digest.id));

        let refreshed = store.digest_to_refresh(digest.id).await.unwrap().unwrap();
        assert_eq!(
            refreshed.ts.as_deref(),
            Some("1.000001"),
            "{}: the first ts wins",
            db.url
        );
        assert_eq!(refreshed.channel, "C1");
        assert!(
            store
                .request_digest_refresh(digest.id, "digest", 0)
                .await
                .unwrap(),
            "{}: a result joining after the refresh began asks for another",
            db.url
        );
    }
}

#[tokio::test]
async fn the_scan_history_keeps_since_when_a_tag_is_unchanged() {
    for (store, db) in stores().await {
        let finding = Finding {
            id: "CVE-1".into(),
            severity: Severity::High,
            package: None,
            version: None,
            fixed_in: None,
            cvss: None,
            uri: None,
            fix_available: true,
            exploit_available: true,
            epss: Some(0.5),
        };
        let record = ScanRecord {
            repository: "example".into(),
            image_key: "tag:web".into(),
            digest: "sha256:1".into(),
            scanned_at: 2000,
            changed_at: 1000,
            kind: ecrscan::scan::findings::ScanKind::Basic,
            findings: vec![finding],
        };
        store.save_plan(0, "{}", Some(&record)).await.unwrap();

        let last = store
            .last_scan("example", "tag:web")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(last, record, "{}", db.url);
    }
}
