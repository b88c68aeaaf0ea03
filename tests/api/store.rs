//! One behaviour suite for the store, run against SQLite and PostgreSQL alike.

use std::collections::HashSet;

use ecrscan::scan::findings::{Finding, Severity};
use ecrscan::store::{
    AuditEntry, AuditLog, Database, Jobs, ScanRecord, ScanRequest, SqlStore, Threads, connect,
};
use sqlx::Connection;

use crate::databases::both;

pub async fn stores() -> Vec<(SqlStore, crate::databases::TestDatabase)> {
    let mut stores = Vec::new();
    for db in both().await {
        stores.push((connect(&db.url).await.unwrap(), db));
    }
    stores
}

#[tokio::test]
async fn a_message_id_is_accepted_once() {
    for (store, db) in stores().await {
        assert!(
            store.accept_message("m-1", "sns", "{}").await.unwrap(),
            "{}",
            db.url
        );
        assert!(
            !store.accept_message("m-1", "sns", "{}").await.unwrap(),
            "{}",
            db.url
        );
        let job = store.claim_job().await.unwrap().expect("one job");
        assert_eq!(job.payload, "{}");
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "{}: only one job",
            db.url
        );
    }
}

#[tokio::test]
async fn jobs_are_claimed_oldest_first_and_resumed_with_their_progress() {
    for (store, db) in stores().await {
        for id in ["a", "b"] {
            store.accept_message(id, "sns", id).await.unwrap();
        }
        let first = store.claim_job().await.unwrap().unwrap();
        assert_eq!(first.payload, "a", "{}", db.url);
        assert_eq!(first.attempts, 1);
        store.save_progress(first.id, "{\"sent\":1}").await.unwrap();
        store
            .retry_job(first.id, 0, "Slack said 503", false)
            .await
            .unwrap();
        let second = store.claim_job().await.unwrap().unwrap();
        let again = store.claim_job().await.unwrap().unwrap();
        assert_eq!(
            (second.payload.as_str(), again.payload.as_str()),
            ("a", "b"),
            "{}: a first",
            db.url
        );
        assert_eq!(second.attempts, 2);
        assert_eq!(second.progress.as_deref(), Some("{\"sent\":1}"));
    }
}

#[tokio::test]
async fn a_job_put_back_with_a_delay_waits_and_a_finished_one_is_gone() {
    for (store, db) in stores().await {
        store.accept_message("later", "sns", "x").await.unwrap();
        let job = store.claim_job().await.unwrap().unwrap();
        store
            .retry_job(job.id, 60, "rate limited", false)
            .await
            .unwrap();
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "{}: not due yet",
            db.url
        );

        store.accept_message("done", "sns", "y").await.unwrap();
        let job = store.claim_job().await.unwrap().unwrap();
        store.finish_job(job.id).await.unwrap();
        assert!(store.claim_job().await.unwrap().is_none(), "{}", db.url);
    }
}

#[tokio::test]
async fn jobs_interrupted_while_running_are_released() {
    for (store, db) in stores().await {
        store.accept_message("crash", "sns", "z").await.unwrap();
        let job = store.claim_job().await.unwrap().unwrap();
        assert_eq!(
            store
                .release_jobs(chrono::Utc::now().timestamp() + 1)
                .await
                .unwrap(),
            1,
            "{}",
            db.url
        );
        assert_eq!(store.claim_job().await.unwrap().unwrap().id, job.id);
    }
}

#[tokio::test]
async fn a_job_whose_claim_is_renewed_is_not_taken_for_dead() {
    for (store, db) in stores().await {
        store.accept_message("m-1", "sns", "{}").await.unwrap();
        store.accept_message("m-2", "sns", "{}").await.unwrap();
        let waiting = store.claim_job().await.unwrap().unwrap();
        let stalled = store.claim_job().await.unwrap().unwrap();
        let later = chrono::Utc::now().timestamp() + 600;

        store.renew_claims(&[waiting.id], later).await.unwrap();
        let released = store.release_jobs(later - 300).await.unwrap();

        assert_eq!(released, 1, "{}: only the job not renewed", db.url);
        let again = store.claim_job().await.unwrap().expect("the stalled job");
        assert_eq!(again.id, stalled.id, "{}", db.url);
        assert!(store.claim_job().await.unwrap().is_none(), "{}", db.url);
    }
}

#[tokio::test]
async fn queue_stats_count_pending_and_running_jobs_and_date_the_oldest_pending_one() {
    for (store, db) in stores().await {
        assert_eq!(store.queue_stats().await.unwrap(), (0, None), "{}", db.url);
        for id in ["q1", "q2"] {
            store.accept_message(id, "sns", id).await.unwrap();
        }
        let running = store.claim_job().await.unwrap().unwrap();
        let (depth, oldest) = store.queue_stats().await.unwrap();
        assert_eq!(depth, 2, "{}: one pending, one running", db.url);
        let age = chrono::Utc::now().timestamp() - oldest.expect("a pending job");
        assert!((0..=5).contains(&age), "{}: age {age}", db.url);

        store.finish_job(running.id).await.unwrap();
        let other = store.claim_job().await.unwrap().unwrap();
        store.retry_job(other.id, 0, "gone", true).await.unwrap();
        assert_eq!(store.queue_stats().await.unwrap(), (0, None), "{}", db.url);
    }
}

#[tokio::test]
async fn concurrent_workers_never_claim_the_same_job() {
    for (store, db) in stores().await {
        for n in 0..60 {
            store
                .accept_message(&format!("c-{n}"), "sns", &n.to_string())
                .await
                .unwrap();
        }
        let mut workers = Vec::new();
        for _ in 0..4 {
            // Separate pools, as separate instances would have.
            let store = connect(&db.url).await.unwrap();
            workers.push(tokio::spawn(async move {
                let mut claimed = Vec::new();
                while let Some(job) = store.claim_job().await.unwrap() {
                    claimed.push(job.payload);
                }
                claimed
            }));
        }
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 60, "{}: every job claimed exactly once", db.url);
        assert_eq!(unique.len(), 60, "{}", db.url);
    }
}

#[tokio::test]
async fn threads_scan_requests_scans_and_audit_round_trip() {
    for (store, db) in stores().await {
        store
            .save_image_thread("example", "tag:web", "C1", "1.1")
            .await
            .unwrap();
        store
            .save_image_thread("example", "tag:web", "C1", "1.2")
            .await
            .unwrap();
        assert_eq!(
            store
                .image_thread("example", "tag:web", "C1")
                .await
                .unwrap()
                .as_deref(),
            Some("1.2")
        );
        assert_eq!(
            store
                .image_thread("example", "tag:web", "C2")
                .await
                .unwrap(),
            None,
            "{}",
            db.url
        );

        let request = ScanRequest {
            repository: "example".into(),
            digest: "sha256:1".into(),
            channel: "C1".into(),
            ts: "1.3".into(),
            user_id: "U1".into(),
            requested_at: 5,
        };
        store.save_scan_request(&request).await.unwrap();
        assert_eq!(
            store.scan_request("example", "sha256:1").await.unwrap(),
            Some(request)
        );
        store
            .delete_scan_request("example", "sha256:1")
            .await
            .unwrap();
        assert_eq!(
            store.scan_request("example", "sha256:1").await.unwrap(),
            None
        );

        let finding = Finding {
            id: "CVE-1".into(),
            severity: Severity::High,
            package: Some("openssl".into()),
            version: Some("1".into()),
            fixed_in: None,
            cvss: Some(7.5),
            uri: None,
            fix_available: false,
            exploit_available: false,
            epss: None,
        };
        for (n, findings) in [(1, vec![]), (2, vec![finding])] {
            let record = ScanRecord {
                repository: "example".into(),
                image_key: "tag:web".into(),
                digest: format!("sha256:{n}"),
                scanned_at: n,
                changed_at: n,
                kind: ecrscan::scan::findings::ScanKind::Basic,
                findings,
            };
            store
                .accept_message(&format!("s{n}"), "sns", "")
                .await
                .unwrap();
            let job = store.claim_job().await.unwrap().unwrap();
            store.save_plan(job.id, "{}", Some(&record)).await.unwrap();
        }
        let last = store
            .last_scan("example", "tag:web")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (last.digest.as_str(), last.findings.len()),
            ("sha256:2", 1),
            "{}",
            db.url
        );

        for action in ["/ecrscan help", "/ecrscan now web"] {
            let entry = AuditEntry {
                team_id: "T".into(),
                user_id: "U".into(),
                channel_id: "C".into(),
                action: action.into(),
                at: 1,
            };
            store.audit(&entry).await.unwrap();
        }
        let audit = store.recent_audit(1).await.unwrap();
        assert_eq!(
            audit[0].action, "/ecrscan now web",
            "{}: newest first",
            db.url
        );
        store.ping().await.unwrap();
    }
}

#[tokio::test]
async fn pruning_forgets_old_finished_work_but_keeps_what_is_pending_or_failed() {
    for (store, db) in stores().await {
        for id in ["done", "failed", "pending"] {
            store.accept_message(id, "sns", id).await.unwrap();
        }
        let done = store.claim_job().await.unwrap().unwrap();
        store.finish_job(done.id).await.unwrap();
        let failed = store.claim_job().await.unwrap().unwrap();
        store
            .retry_job(failed.id, 0, "refused", true)
            .await
            .unwrap();

        let later = chrono::Utc::now().timestamp() + 10;
        assert!(
            store.prune(later).await.unwrap() >= 4,
            "{}: the done job and three message ids",
            db.url
        );
        assert!(
            store.accept_message("done", "sns", "again").await.unwrap(),
            "{}: the id is forgotten",
            db.url
        );
        let (depth, _) = store.queue_stats().await.unwrap();
        assert_eq!(
            depth, 2,
            "{}: the pending job and the new one remain",
            db.url
        );
    }
}

#[tokio::test]
async fn a_failed_statement_says_what_it_was_doing() {
    for (store, db) in stores().await {
        let mut admin = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query("DROP TABLE jobs")
            .execute(&mut admin)
            .await
            .unwrap();
        let claim = store.claim_job().await.unwrap_err();
        assert!(
            format!("{claim:#}").starts_with("cannot claim a job: "),
            "{}: {claim:#}",
            db.url
        );
        let accept = store.accept_message("m", "sns", "{}").await.unwrap_err();
        assert!(
            format!("{accept:#}").starts_with("cannot store the job of an SNS message: "),
            "{}: {accept:#}",
            db.url
        );
    }
}

#[tokio::test]
async fn the_last_scan_of_a_digest_is_found_whichever_tag_it_was_recorded_under() {
    for (store, db) in stores().await {
        let finding = Finding {
            id: "CVE-1".into(),
            severity: Severity::Critical,
            package: None,
            version: None,
            fixed_in: None,
            cvss: None,
            uri: None,
            fix_available: false,
            exploit_available: false,
            epss: None,
        };
        let scans = [
            ("example", "tag:web-latest", "sha256:a", 1, vec![]),
            ("example", "tag:v1", "sha256:a", 2, vec![finding]),
            ("example", "tag:web-latest", "sha256:b", 3, vec![]),
            ("other", "digest:sha256:c", "sha256:c", 4, vec![]),
        ];
        for (repository, key, digest, at, findings) in scans {
            let record = ScanRecord {
                repository: repository.into(),
                image_key: key.into(),
                digest: digest.into(),
                scanned_at: at,
                changed_at: at,
                kind: ecrscan::scan::findings::ScanKind::Basic,
                findings,
            };
            store.save_plan(0, "{}", Some(&record)).await.unwrap();
        }

        let last = store.last_scan_of_digest("example", "sha256:a").await;
        let last = last.unwrap().expect("scanned");
        assert_eq!(
            (
                last.image_key.as_str(),
                last.scanned_at,
                last.findings.len()
            ),
            ("tag:v1", 2, 1),
            "{}: the latest of the digest, not of the tag",
            db.url
        );
        let untagged = store.last_scan_of_digest("other", "sha256:c").await;
        assert_eq!(untagged.unwrap().unwrap().scanned_at, 4, "{}", db.url);
        for (repository, digest) in [("example", "sha256:c"), ("other", "sha256:a")] {
            let none = store.last_scan_of_digest(repository, digest).await.unwrap();
            assert_eq!(none, None, "{}: {repository}@{digest}", db.url);
        }
    }
}
