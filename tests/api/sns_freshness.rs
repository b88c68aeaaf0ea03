//! A captured SNS notification cannot be replayed: a message whose `Timestamp`
//! is unreadable, from the future, or older than the seen message ids are kept,
//! is refused and nothing is stored.

use chrono::{Duration, SecondsFormat, Utc};
use ecrscan::http::sns::testing::sign;
use ecrscan::store::Jobs;

use crate::sns::{deliver, event, setup};
use crate::sns_harness::body;

#[tokio::test]
async fn a_notification_outside_the_freshness_window_gets_403_and_stores_no_job() {
    let s = setup(1).await;
    let store = ecrscan::store::connect(&s.app.database_url).await.unwrap();
    let at = |offset: Duration| (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Millis, true);
    let refused = [
        ("fifteen days old", at(Duration::days(-15))),
        ("ten minutes ahead", at(Duration::minutes(10))),
        ("unreadable", "yesterday".to_string()),
    ];
    for (n, (what, timestamp)) in refused.into_iter().enumerate() {
        let mut msg = s.sns.notification(&format!("old-{n}"), &event());
        msg.timestamp = timestamp;
        sign(&mut msg, "signing-key.pem");
        let response = deliver(&s.app, "Notification", body(&msg)).await;
        assert_eq!(response.status(), 403, "{what}");
    }
    assert_eq!(
        store.queue_stats().await.unwrap(),
        (0, None),
        "no job stored"
    );

    let mut recent = s.sns.notification("recent", &event());
    recent.timestamp = at(Duration::days(-13));
    sign(&mut recent, "signing-key.pem");
    let response = deliver(&s.app, "Notification", body(&recent)).await;
    assert_eq!(response.status(), 200, "thirteen days old is still fresh");
}
