//! SNS messages accepted in a burst, on SQLite and PostgreSQL alike: committed
//! in groups, yet each stored once, and committed before it is answered.

use std::collections::HashMap;

use ecrscan::store::{Jobs, connect};

use crate::store::stores;

#[tokio::test]
async fn a_burst_with_redeliveries_stores_each_message_once_and_answers_after_its_commit() {
    for (store, db) in stores().await {
        // Another instance on the same database.
        let other = connect(&db.url).await.unwrap();
        let mut accepted = tokio::task::JoinSet::new();
        for n in 0..240 {
            // Each of 120 messages delivered twice, at once.
            let (store, other) = (store.clone(), other.clone());
            accepted.spawn(async move {
                let id = format!("burst-{}", n % 120);
                let new = store.accept_message(&id, "sns", &id).await.unwrap();
                let seen_elsewhere = !other.accept_message(&id, "sns", &id).await.unwrap();
                (id, new, seen_elsewhere)
            });
        }
        let mut new_per_id: HashMap<String, usize> = HashMap::new();
        for (id, new, seen_elsewhere) in accepted.join_all().await {
            assert!(
                seen_elsewhere,
                "{}: {id} answered before it was committed",
                db.url
            );
            *new_per_id.entry(id).or_default() += usize::from(new);
        }
        assert_eq!(new_per_id.len(), 120, "{}", db.url);
        assert!(
            new_per_id.values().all(|&n| n == 1),
            "{}: each message is new exactly once: {new_per_id:?}",
            db.url
        );
        let mut jobs = Vec::new();
        while let Some(job) = store.claim_job().await.unwrap() {
            jobs.push(job.payload);
        }
        let messages: std::collections::HashSet<&String> = jobs.iter().collect();
        assert_eq!(jobs.len(), 120, "{}: one job per message", db.url);
        assert_eq!(messages.len(), 120, "{}: every message has its job", db.url);
    }
}
