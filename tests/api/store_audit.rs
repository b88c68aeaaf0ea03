//! The audit log, on SQLite and PostgreSQL alike: every row committed when
//! acknowledged, and a request's signature recorded once across instances.

use ecrscan::store::{AuditEntry, AuditLog, connect};

use crate::store::stores;

#[tokio::test]
async fn audit_entries_written_at_once_are_each_kept_and_committed_when_acknowledged() {
    for (store, db) in stores().await {
        let entries = help_entries(150);
        let mut written = tokio::task::JoinSet::new();
        for entry in entries.clone() {
            let store = store.clone();
            written.spawn(async move { store.audit(&entry).await });
        }
        for result in written.join_all().await {
            result.unwrap();
        }
        // A store opened afresh reads what the first one acknowledged.
        let other = connect(&db.url).await.unwrap();
        let mut kept = other.recent_audit(200).await.unwrap();
        kept.sort_by_key(|e| e.at);
        assert_eq!(kept, entries, "{}", db.url);
    }
}

#[tokio::test]
async fn a_request_signature_is_audited_once_whichever_instance_sees_it() {
    for (store, db) in stores().await {
        let other = connect(&db.url).await.unwrap();
        let entries = help_entries(3);
        assert!(store.audit_request(&entries[0], "v0=aa").await.unwrap());
        assert!(
            !other.audit_request(&entries[1], "v0=aa").await.unwrap(),
            "{}: the other instance sees the signature taken",
            db.url
        );
        assert!(other.audit_request(&entries[2], "v0=bb").await.unwrap());
        // Rows without a signature (the changes) never conflict.
        store.audit(&entries[1]).await.unwrap();
        store.audit(&entries[1]).await.unwrap();
        let kept = store.recent_audit(10).await.unwrap();
        let actions: Vec<&str> = kept.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "/ecrscan help 1",
                "/ecrscan help 1",
                "/ecrscan help 2",
                "/ecrscan help 0"
            ],
            "{}",
            db.url
        );
    }
}

#[tokio::test]
async fn one_signature_sent_to_both_instances_at_once_is_audited_once() {
    for (store, db) in stores().await {
        let other = connect(&db.url).await.unwrap();
        let mut runs = tokio::task::JoinSet::new();
        for (n, instance) in [store.clone(), other]
            .into_iter()
            .cycle()
            .take(8)
            .enumerate()
        {
            let entry = help_entries(8).remove(n);
            runs.spawn(async move { instance.audit_request(&entry, "v0=cc").await.unwrap() });
        }
        let ran = runs.join_all().await.into_iter().filter(|ran| *ran).count();
        assert_eq!(ran, 1, "{}", db.url);
        assert_eq!(store.recent_audit(10).await.unwrap().len(), 1);
    }
}

/// `n` audit entries of `/ecrscan help`, each from its own user, at times 0..n.
fn help_entries(n: i64) -> Vec<AuditEntry> {
    (0..n)
        .map(|n| AuditEntry {
            team_id: "T".into(),
            user_id: format!("U{n}"),
            channel_id: "C".into(),
            action: format!("/ecrscan help {n}"),
            at: n,
        })
        .collect()
}
