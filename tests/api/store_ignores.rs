//! Ignores in the store, on SQLite and PostgreSQL alike: one active ignore per
//! vulnerability and scope, expiry and fixes end each once with one job, and an
//! ended ignore keeps its record.

use ecrscan::store::{Ended, Ignores, Jobs, NewIgnore};
use ecrscan::triage::Until;

use crate::store::stores;

fn new<'a>(vulnerability: &'a str, scope: &'a str, until_at: Option<i64>) -> NewIgnore<'a> {
    NewIgnore {
        vulnerability,
        scope,
        until_at,
        reason: "no fix upstream yet",
        created_by: "U0ALICE",
        channel: "C1",
        created_at: 1_000,
    }
}

#[tokio::test]
async fn an_ignore_is_stored_replaced_listed_and_removed() {
    for (store, db) in stores().await {
        let url = &db.url;
        let (first, replaced) = store
            .add_ignore(&new("CVE-2024-6119", "example:web-*", Some(5_000)))
            .await
            .unwrap();
        assert!(!replaced, "{url}");
        let (everywhere, _) = store
            .add_ignore(&new("CVE-2024-6119", "", None))
            .await
            .unwrap();
        let (second, replaced) = store
            .add_ignore(&new("CVE-2024-6119", "example:web-*", Some(9_000)))
            .await
            .unwrap();
        assert!(replaced, "{url}: same vulnerability and scope");
        assert_ne!(first, second, "{url}");

        let active = store.active_ignores(2_000).await.unwrap();
        let listed: Vec<(i64, &str, Until)> = (active.iter())
            .map(|i| (i.id, i.scope_str(), i.until))
            .collect();
        assert_eq!(
            listed,
            [
                (everywhere, "*", Until::Fixed),
                (second, "example:web-*", Until::At(9_000))
            ],
            "{url}"
        );
        assert_eq!(active[1].reason, "no fix upstream yet", "{url}");
        assert_eq!(active[1].created_by, "U0ALICE", "{url}");
        assert!(
            store.active_ignores(9_000).await.unwrap().len() == 1,
            "{url}: past its date, an ignore is no longer in force"
        );

        assert!(
            store
                .remove_ignore("CVE-2024-6119", "", 3_000)
                .await
                .unwrap()
        );
        assert!(
            !store
                .remove_ignore("CVE-2024-6119", "", 3_000)
                .await
                .unwrap()
        );
        let (removed, why) = store.ignore(everywhere).await.unwrap().unwrap();
        assert_eq!(
            (removed.id, why),
            (everywhere, Some(Ended::Removed)),
            "{url}"
        );
        let (_, why) = store.ignore(first).await.unwrap().unwrap();
        assert_eq!(why, Some(Ended::Replaced), "{url}");
    }
}

#[tokio::test]
async fn expired_and_fixed_ignores_end_once_each_with_one_job() {
    for (store, db) in stores().await {
        let url = &db.url;
        let (soon, _) = store
            .add_ignore(&new("CVE-1", "", Some(2_000)))
            .await
            .unwrap();
        let (later, _) = store
            .add_ignore(&new("CVE-2", "", Some(9_000)))
            .await
            .unwrap();
        let (fixed, _) = store.add_ignore(&new("CVE-3", "", None)).await.unwrap();

        assert!(
            store
                .end_ignores(1_999, &[], "ignore_ended")
                .await
                .unwrap()
                .is_empty()
        );
        let ended = store
            .end_ignores(2_000, &[fixed], "ignore_ended")
            .await
            .unwrap();
        assert_eq!(ended, [soon, fixed], "{url}");
        assert!(
            store
                .end_ignores(2_500, &[fixed], "ignore_ended")
                .await
                .unwrap()
                .is_empty(),
            "{url}: each ends once"
        );
        let (_, why) = store.ignore(soon).await.unwrap().unwrap();
        assert_eq!(why, Some(Ended::Expired), "{url}");
        let (_, why) = store.ignore(fixed).await.unwrap().unwrap();
        assert_eq!(why, Some(Ended::Fixed), "{url}");
        let active: Vec<i64> = (store.active_ignores(2_500).await.unwrap().iter())
            .map(|i| i.id)
            .collect();
        assert_eq!(active, [later], "{url}");

        let mut payloads = Vec::new();
        while let Some(job) = store.claim_job().await.unwrap() {
            assert_eq!(job.kind, "ignore_ended", "{url}");
            payloads.push(job.payload.clone());
            store.finish_job(job.id).await.unwrap();
        }
        payloads.sort();
        let mut expected = vec![
            format!("{{\"ignore\":{soon}}}"),
            format!("{{\"ignore\":{fixed}}}"),
        ];
        expected.sort();
        assert_eq!(payloads, expected, "{url}");
    }
}
