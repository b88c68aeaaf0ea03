//! Enhanced findings in the store, on SQLite and PostgreSQL alike: events staged
//! per image, one batch and job per image, and folds that forget what they
//! folded and remember what they announced (races: `store_findings_races`).

use ecrscan::scan::events::{ScanEvent, parse_event};
use ecrscan::scan::findings::Severity;
use ecrscan::scan::inspector::testing::finding_event;
use ecrscan::scan::inspector::{FindingEvent, FindingStatus};
use ecrscan::store::{
    Database, EnhancedFindings, Fold, Job, Jobs, NewStagedFinding, SqlStore, StagedFinding,
};

use crate::store::stores;

pub const KIND: &str = "findings";

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn event(digest: &str, cve: &str, status: FindingStatus) -> FindingEvent {
    let json = finding_event("example", digest, "v1", cve, Severity::High, status, false);
    match parse_event(&json).unwrap() {
        ScanEvent::Finding(event) => *event,
        other => panic!("not a finding: {other:?}"),
    }
}

pub async fn stage(store: &SqlStore, event: &FindingEvent, now: i64, window: i64) -> bool {
    let staged = NewStagedFinding::from(event);
    store
        .stage_finding(&staged, KIND, now, window)
        .await
        .unwrap()
}

/// Folds everything staged for `digest` under `job`, as a fold job would; returns what it read.
pub async fn fold(store: &SqlStore, job: &Job, digest: &str, now: i64) -> Vec<StagedFinding> {
    let staged = store.staged_findings("example", digest).await.unwrap();
    let states: Vec<(String, String)> = (staged.iter())
        .map(|s| (s.arn.clone(), serde_json::to_string(&s.state).unwrap()))
        .collect();
    let fold = Fold {
        repository: "example",
        digest,
        upto: staged.last().map_or(0, |s| s.id),
        states: &states,
        kind: KIND,
        now,
        window: 0,
    };
    store
        .save_fold(job.id, "{\"planned\":true}", &fold)
        .await
        .unwrap();
    staged
}

#[tokio::test]
async fn the_first_event_of_an_image_opens_its_batch_with_a_job_due_after_the_window() {
    for (store, db) in stores().await {
        let (a1, a2) = (
            event("sha256:a", "CVE-1", FindingStatus::Active),
            event("sha256:a", "CVE-2", FindingStatus::Closed),
        );
        let now = now();
        assert!(stage(&store, &a1, now, 3600).await, "{}", db.url);
        assert!(
            !stage(&store, &a2, now, 3600).await,
            "{}: one batch",
            db.url
        );
        let b1 = event("sha256:b", "CVE-1", FindingStatus::Active);
        assert!(stage(&store, &b1, now, 0).await, "{}: per image", db.url);

        let job = store.claim_job().await.unwrap().expect("the due job of b");
        assert_eq!(job.kind, KIND);
        let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({"repository": "example", "digest": "sha256:b"})
        );
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "{}: a's is due in an hour",
            db.url
        );

        let staged = store.staged_findings("example", "sha256:a").await.unwrap();
        assert_eq!(staged.len(), 2, "{}", db.url);
        assert!(staged[0].id < staged[1].id, "oldest first");
        assert_eq!(
            (staged[0].arn.as_str(), &staged[0].state),
            (a1.arn.as_str(), &a1.state)
        );
        assert_eq!(staged[1].state.status, FindingStatus::Closed);
        assert_eq!(
            (staged[1].tags.clone(), staged[1].received_at),
            (vec!["v1".to_string()], now)
        );
    }
}

#[tokio::test]
async fn a_fold_remembers_what_it_announced_and_forgets_what_it_folded() {
    for (store, db) in stores().await {
        let first = event("sha256:a", "CVE-1", FindingStatus::Active);
        stage(&store, &first, now(), 0).await;
        stage(
            &store,
            &event("sha256:a", "CVE-2", FindingStatus::Active),
            now(),
            0,
        )
        .await;
        let job = store.claim_job().await.unwrap().unwrap();
        assert_eq!(fold(&store, &job, "sha256:a", now()).await.len(), 2);

        assert!(
            store
                .staged_findings("example", "sha256:a")
                .await
                .unwrap()
                .is_empty()
        );
        let known = store.known_findings("example", "sha256:a").await.unwrap();
        assert_eq!(known.len(), 2, "{}", db.url);
        assert!(known[0].0 < known[1].0, "by findingArn");
        assert!(
            store.claim_job().await.unwrap().is_none(),
            "{}: nothing left",
            db.url
        );
        store
            .retry_job(job.id, 0, "Slack said 503", false)
            .await
            .unwrap();
        let again = store.claim_job().await.unwrap().unwrap();
        assert_eq!(
            again.progress.as_deref(),
            Some("{\"planned\":true}"),
            "the plan"
        );
        store.finish_job(again.id).await.unwrap();

        let closed = event("sha256:a", "CVE-1", FindingStatus::Closed);
        assert!(
            stage(&store, &closed, now(), 0).await,
            "{}: a new batch",
            db.url
        );
        let job = store.claim_job().await.unwrap().unwrap();
        fold(&store, &job, "sha256:a", now()).await;
        let known = store.known_findings("example", "sha256:a").await.unwrap();
        let state = &known.iter().find(|(arn, _)| *arn == first.arn).unwrap().1;
        assert!(
            state.contains("\"CLOSED\""),
            "{}: replaced: {state}",
            db.url
        );
        assert_eq!(known.len(), 2);
    }
}

#[tokio::test]
async fn events_staged_during_a_fold_get_the_next_batch_and_its_job() {
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
        let late = event("sha256:a", "CVE-2", FindingStatus::Active);
        assert!(
            !stage(&store, &late, now(), 0).await,
            "{}: the batch is open",
            db.url
        );

        let fold = Fold {
            repository: "example",
            digest: "sha256:a",
            upto: read[0].id,
            states: &[],
            kind: KIND,
            now: now(),
            window: 0,
        };
        store.save_fold(job.id, "{}", &fold).await.unwrap();
        store.finish_job(job.id).await.unwrap();

        let next = store
            .claim_job()
            .await
            .unwrap()
            .expect("the next batch's job");
        assert_eq!(
            (next.kind.as_str(), next.payload.contains("sha256:a")),
            (KIND, true)
        );
        let left = store.staged_findings("example", "sha256:a").await.unwrap();
        assert_eq!(left.len(), 1, "{}", db.url);
        assert_eq!(left[0].arn, late.arn);
        let later = event("sha256:a", "CVE-3", FindingStatus::Active);
        assert!(
            !stage(&store, &later, now(), 0).await,
            "{}: joins it",
            db.url
        );
    }
}

#[tokio::test]
async fn a_batch_whose_job_gave_up_gets_a_new_job_with_its_next_event() {
    for (store, db) in stores().await {
        stage(
            &store,
            &event("sha256:a", "CVE-1", FindingStatus::Active),
            now(),
            0,
        )
        .await;
        let job = store.claim_job().await.unwrap().unwrap();
        store.retry_job(job.id, 0, "refused", true).await.unwrap();

        let next = event("sha256:a", "CVE-2", FindingStatus::Active);
        assert!(
            stage(&store, &next, now(), 0).await,
            "{}: not stranded",
            db.url
        );
        let job = store.claim_job().await.unwrap().expect("a new job");
        assert_eq!(
            fold(&store, &job, "sha256:a", now()).await.len(),
            2,
            "{}",
            db.url
        );
    }
}

#[tokio::test]
async fn pruning_forgets_the_known_findings_of_images_no_longer_folded() {
    for (store, db) in stores().await {
        let long_ago = 1_000;
        for (digest, cve) in [("sha256:old", "CVE-1"), ("sha256:new", "CVE-1")] {
            stage(
                &store,
                &event(digest, cve, FindingStatus::Active),
                long_ago,
                0,
            )
            .await;
            let job = store.claim_job().await.unwrap().unwrap();
            fold(&store, &job, digest, long_ago).await;
            store.finish_job(job.id).await.unwrap();
        }
        // The new image is folded again today, for another finding.
        stage(
            &store,
            &event("sha256:new", "CVE-2", FindingStatus::Active),
            now(),
            0,
        )
        .await;
        let job = store.claim_job().await.unwrap().unwrap();
        fold(&store, &job, "sha256:new", now()).await;

        store.prune(now() - 14 * 24 * 3600).await.unwrap();
        let old = store.known_findings("example", "sha256:old").await.unwrap();
        let new = store.known_findings("example", "sha256:new").await.unwrap();
        assert_eq!((old.len(), new.len()), (0, 2), "{}: per image", db.url);
    }
}
