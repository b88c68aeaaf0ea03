//! Enhanced findings when instances stage and fold at once, on SQLite and
//! PostgreSQL alike: no event stranded, none folded twice.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ecrscan::scan::inspector::FindingStatus;
use ecrscan::store::{EnhancedFindings, Fold, Jobs, connect};
use sqlx::Connection;

use crate::store::stores;
use crate::store_findings::{KIND, event, fold, now, stage};

#[tokio::test]
async fn a_fold_waits_for_a_staging_in_flight_and_opens_a_batch_for_its_event() {
    for (store, db) in stores().await {
        stage(
            &store,
            &event("sha256:a", "CVE-1", FindingStatus::Active),
            now(),
            0,
        )
        .await;
        let job = store.claim_job().await.unwrap().unwrap();
        let read = store.staged_findings("example", "sha256:a").await.unwrap();

        // Another instance midway through staging: it holds the batch row and has
        // staged its event, not committed yet (the statements stage_finding runs).
        let mut other = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let mut in_flight = other.begin().await.unwrap();
        sqlx::query(
            "UPDATE finding_batches SET events = events + 1
             WHERE repository = 'example' AND digest = 'sha256:a'",
        )
        .execute(&mut *in_flight)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO staged_findings (repository, digest, arn, state, tags, received_at)
             SELECT repository, digest, 'arn:late', state, tags, received_at FROM staged_findings",
        )
        .execute(&mut *in_flight)
        .await
        .unwrap();

        let folding = {
            let store = connect(&db.url).await.unwrap();
            let upto = read[0].id;
            tokio::spawn(async move {
                let fold = Fold {
                    repository: "example",
                    digest: "sha256:a",
                    upto,
                    states: &[],
                    kind: KIND,
                    now: now(),
                    window: 0,
                };
                store.save_fold(job.id, "{}", &fold).await.unwrap();
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!folding.is_finished(), "{}: the fold waits", db.url);
        in_flight.commit().await.unwrap();
        folding.await.unwrap();

        let next = store.claim_job().await.unwrap();
        assert!(next.is_some(), "{}: the late event has a job", db.url);
        let left = store.staged_findings("example", "sha256:a").await.unwrap();
        assert_eq!(left.len(), 1, "{}", db.url);
        assert_eq!(left[0].arn, "arn:late");
    }
}

#[tokio::test]
async fn instances_staging_and_folding_at_once_fold_every_event_exactly_once() {
    for (_store, db) in stores().await {
        let staging = Arc::new(AtomicBool::new(true));
        let mut stagers = Vec::new();
        for n in 0..4 {
            // Separate pools, as separate instances would have.
            let store = connect(&db.url).await.unwrap();
            stagers.push(tokio::spawn(async move {
                for i in 0..30 {
                    let cve = format!("CVE-{n}-{i}");
                    stage(
                        &store,
                        &event("sha256:a", &cve, FindingStatus::Active),
                        now(),
                        0,
                    )
                    .await;
                }
            }));
        }
        let mut folders = Vec::new();
        for _ in 0..2 {
            let store = connect(&db.url).await.unwrap();
            let staging = staging.clone();
            folders.push(tokio::spawn(async move {
                let mut folded = Vec::new();
                loop {
                    match store.claim_job().await.unwrap() {
                        Some(job) => {
                            folded.extend(fold(&store, &job, "sha256:a", now()).await);
                            store.finish_job(job.id).await.unwrap();
                        }
                        None if staging.load(Ordering::SeqCst) => {
                            tokio::time::sleep(std::time::Duration::from_millis(5)).await
                        }
                        None => return folded,
                    }
                }
            }));
        }
        for stager in stagers {
            stager.await.unwrap();
        }
        staging.store(false, Ordering::SeqCst);
        let mut folded = Vec::new();
        for folder in folders {
            folded.extend(folder.await.unwrap());
        }
        // A fold that finished after the last folder stopped may have opened a batch.
        let store = connect(&db.url).await.unwrap();
        while let Some(job) = store.claim_job().await.unwrap() {
            folded.extend(fold(&store, &job, "sha256:a", now()).await);
        }
        let ids: HashSet<i64> = folded.iter().map(|s| s.id).collect();
        let arns: HashSet<&str> = folded.iter().map(|s| s.arn.as_str()).collect();
        assert_eq!(folded.len(), 120, "{}: every event folded", db.url);
        assert_eq!((ids.len(), arns.len()), (120, 120), "{}: each once", db.url);
        assert!(
            store
                .staged_findings("example", "sha256:a")
                .await
                .unwrap()
                .is_empty()
        );
        let known = store.known_findings("example", "sha256:a").await.unwrap();
        assert_eq!(known.len(), 120, "{}", db.url);
    }
}
