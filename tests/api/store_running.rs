//! The running-images policy in the store, on SQLite and PostgreSQL alike: the
//! last policy stands, one instance at a time takes the re-sync, and kept
//! schedules say where their image runs.

use ecrscan::store::{KeptSchedule, Running, RunningPolicy};

use crate::store::stores;

fn policy(expression: &str) -> RunningPolicy {
    RunningPolicy {
        expression: expression.into(),
        timezone: "Europe/Berlin".into(),
        clusters: vec!["prod".into(), "batch".into()],
        channel: "C1".into(),
        created_by: "U0ALICE".into(),
        updated_at: 1_000,
    }
}

#[tokio::test]
async fn one_instance_at_a_time_takes_the_re_sync_when_it_is_due() {
    for (store, db) in stores().await {
        let url = &db.url;
        assert_eq!(
            store.claim_running_sync(0, 600, true).await.unwrap(),
            None,
            "{url}: no policy"
        );
        store
            .set_running_policy(&policy("cron(0 2 * * ? *)"), 5_000)
            .await
            .unwrap();
        store
            .set_running_policy(&policy("cron(0 3 ? * MON *)"), 5_000)
            .await
            .unwrap();
        let stored = store.running_policy().await.unwrap().unwrap();
        assert_eq!(
            stored,
            policy("cron(0 3 ? * MON *)"),
            "{url}: the last one stands"
        );

        assert_eq!(
            store.claim_running_sync(4_999, 600, false).await.unwrap(),
            None,
            "{url}: not due"
        );
        let claimed = store.claim_running_sync(5_000, 600, false).await.unwrap();
        assert_eq!(claimed.as_ref(), Some(&stored), "{url}");
        assert_eq!(
            store.claim_running_sync(5_001, 600, true).await.unwrap(),
            None,
            "{url}: held by the first, even when asked from Slack"
        );
        assert!(
            store
                .claim_running_sync(5_600, 600, false)
                .await
                .unwrap()
                .is_some(),
            "{url}: a lease that ran out (an instance that died) is taken over"
        );
        store.finish_running_sync(90_000).await.unwrap();
        assert_eq!(
            store.claim_running_sync(6_000, 600, false).await.unwrap(),
            None,
            "{url}"
        );
        assert!(
            store
                .claim_running_sync(6_000, 600, true)
                .await
                .unwrap()
                .is_some(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn kept_schedules_say_where_their_image_runs() {
    for (store, db) in stores().await {
        let url = &db.url;
        let kept = KeptSchedule {
            name: "prod/web-sha256-1-abcd".into(),
            repository: "prod/web".into(),
            digest: "sha256:1".into(),
            place: "prod/web, 3 tasks".into(),
        };
        store.keep_schedule(&kept, 1_000).await.unwrap();
        let moved = KeptSchedule {
            place: "prod/web, 5 tasks".into(),
            ..kept.clone()
        };
        store.keep_schedule(&moved, 2_000).await.unwrap();
        assert_eq!(
            store.kept_schedules().await.unwrap(),
            std::slice::from_ref(&moved),
            "{url}"
        );
        let place = store.running_place("prod/web", "sha256:1").await.unwrap();
        assert_eq!(place.as_deref(), Some("prod/web, 5 tasks"), "{url}");
        assert_eq!(
            store.running_place("prod/web", "sha256:2").await.unwrap(),
            None,
            "{url}"
        );
        store.forget_schedule(&kept.name).await.unwrap();
        assert!(store.kept_schedules().await.unwrap().is_empty(), "{url}");
    }
}
