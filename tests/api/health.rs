use crate::helpers::{spawn_app, unique_repository};

#[tokio::test]
async fn health_and_readiness_answer_when_the_database_does() {
    let app = spawn_app(&unique_repository("health")).await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .http
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
