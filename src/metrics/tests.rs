use super::*;

fn line<'a>(text: &'a str, start: &str) -> Option<&'a str> {
    text.lines().find(|l| l.starts_with(start))
}

#[test]
fn the_oldest_age_counts_from_the_oldest_pending_job_and_is_zero_without_one() {
    assert_eq!(Outbox::at(1_000, 3, Some(940)).oldest_age_secs, 60);
    assert_eq!(Outbox::at(1_000, 2, None).oldest_age_secs, 0);
    assert_eq!(
        Outbox::at(1_000, 1, Some(1_005)).oldest_age_secs,
        0,
        "clock skew"
    );
}

#[test]
fn counters_render_with_their_labels_and_a_total_suffix() {
    let m = Metrics::new();
    m.http_request("/slack/commands", 401, Duration::from_millis(3));
    m.http_request("/slack/commands", 401, Duration::from_millis(3));
    m.signature_failure("slack", "mismatch");
    m.slack_call(
        "chat.postMessage",
        "rate_limited",
        Duration::from_millis(40),
    );
    m.aws_call(
        "ecr:StartImageScan",
        "limit_exceeded",
        Duration::from_millis(90),
    );
    let text = m.render(None);
    for expected in [
        r#"ecrscan_http_requests_total{route="/slack/commands",status="401"} 2"#,
        r#"ecrscan_signature_failures_total{source="slack",reason="mismatch"} 1"#,
        r#"ecrscan_slack_calls_total{method="chat.postMessage",outcome="rate_limited"} 1"#,
        r#"ecrscan_aws_calls_total{operation="ecr:StartImageScan",outcome="limit_exceeded"} 1"#,
        r#"ecrscan_http_request_duration_seconds_count{route="/slack/commands"} 2"#,
    ] {
        assert!(line(&text, expected).is_some(), "{expected} in\n{text}");
    }
    assert!(text.ends_with("# EOF\n"));
}

#[test]
fn the_outbox_gauges_appear_only_when_the_store_answered() {
    let m = Metrics::new();
    let with = m.render(Some(Outbox::at(100, 4, Some(70))));
    assert_eq!(
        line(&with, "ecrscan_outbox_depth "),
        Some("ecrscan_outbox_depth 4")
    );
    assert_eq!(
        line(&with, "ecrscan_outbox_oldest_age_seconds "),
        Some("ecrscan_outbox_oldest_age_seconds 30")
    );
    assert_eq!(with.matches("# EOF").count(), 1, "{with}");
    assert!(line(&m.render(None), "ecrscan_outbox_depth").is_none());
}
