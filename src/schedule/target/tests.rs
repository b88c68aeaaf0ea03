use chrono::TimeZone;

use super::*;

fn weekly_in_tokyo() -> ScanSchedule {
    let expression = Expression::parse_aws("cron(10 6 ? * MON *)").unwrap();
    ScanSchedule::for_image(
        "ecrscan",
        ("example", &ImageId::Tag("web-latest".into())),
        (&expression, chrono_tz::Asia::Tokyo),
        "arn:aws:iam::123456789012:role/ecrscan-scheduler",
        "Created from Slack by U1 on 2024-05-01".into(),
    )
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn a_tag_input_names_the_repository_and_the_tag_as_terraform_writes_it() {
    let input = scan_input("example", &ImageId::Tag("web-latest".into()));
    assert_eq!(
        input,
        r#"{"ImageId":{"ImageTag":"web-latest"},"RepositoryName":"example"}"#
    );
}

#[test]
fn a_digest_input_names_the_digest() {
    let id = ImageId::Digest("sha256:abc".into());
    let input = scan_input("example", &id);
    assert_eq!(
        input,
        r#"{"ImageId":{"ImageDigest":"sha256:abc"},"RepositoryName":"example"}"#
    );
    assert_eq!(image_of(&input).unwrap().to_string(), "example@sha256:abc");
}

#[test]
fn an_input_reads_back_as_the_image_it_names() {
    let image = image_of(&scan_input("team/web", &ImageId::Tag("v1".into()))).unwrap();
    assert_eq!(image.to_string(), "team/web:v1");
}

#[test]
fn an_input_that_names_no_image_reads_as_none() {
    for input in ["", "{}", r#"{"RepositoryName":"x"}"#, r#"{"ImageId":{}}"#] {
        assert_eq!(image_of(input), None, "{input}");
    }
}

#[test]
fn tags_and_digests_of_one_repository_get_different_names() {
    let tag = name_for("example", &ImageId::Tag("web-latest".into()));
    let digest = name_for("example", &ImageId::Digest("sha256:abc".into()));
    assert_eq!(tag, schedule_name("example", "web-latest"));
    assert_ne!(tag, digest);
    assert!(digest.starts_with("example-sha256-abc-"), "{digest}");
}

#[test]
fn a_schedule_for_an_image_carries_every_field_scheduler_needs() {
    let schedule = weekly_in_tokyo();
    assert_eq!(schedule.name, schedule_name("example", "web-latest"));
    assert_eq!(schedule.expression, "cron(10 6 ? * MON *)");
    assert_eq!(schedule.timezone, "Asia/Tokyo");
    assert_eq!(schedule.target_arn, SCAN_TARGET_ARN);
    assert_eq!(schedule.state, ScheduleState::Enabled);
    assert_eq!(schedule.image_name(), "example:web-latest");
    assert_eq!(schedule.describe(), "every Monday at 06:10");
}

#[test]
fn the_next_run_of_a_cron_schedule_is_in_its_timezone() {
    let schedule = weekly_in_tokyo();
    // Monday 2024-05-06 06:10 in Tokyo is 2024-05-05 21:10 UTC.
    let next = schedule.next_run(utc("2024-05-01T00:00:00Z"));
    assert_eq!(next, Some(utc("2024-05-05T21:10:00Z")));
}

#[test]
fn a_paused_schedule_has_no_next_run() {
    let mut schedule = weekly_in_tokyo();
    schedule.state = ScheduleState::Disabled;
    assert_eq!(schedule.next_run(utc("2024-05-01T00:00:00Z")), None);
}

#[test]
fn a_rate_schedule_counts_from_its_creation() {
    let mut schedule = weekly_in_tokyo();
    schedule.expression = "rate(7 days)".into();
    schedule.created_at = Some(utc("2024-05-01T12:00:00Z"));
    let next = schedule.next_run(utc("2024-05-10T00:00:00Z"));
    assert_eq!(next, Some(utc("2024-05-15T12:00:00Z")));
}

#[test]
fn an_unreadable_expression_is_shown_as_it_is() {
    let mut schedule = weekly_in_tokyo();
    schedule.expression = "cron(nonsense)".into();
    assert_eq!(schedule.describe(), "cron(nonsense)");
    assert_eq!(schedule.next_run(utc("2024-05-01T00:00:00Z")), None);
}

#[test]
fn a_new_description_says_who_created_it_from_slack_and_when() {
    let today = Utc
        .with_ymd_and_hms(2024, 5, 1, 9, 0, 0)
        .unwrap()
        .date_naive();
    assert_eq!(
        description(None, "U1", today),
        "Created from Slack by U1 on 2024-05-01"
    );
}

#[test]
fn an_update_keeps_the_creator_and_names_only_the_last_change() {
    let day = |d| NaiveDate::from_ymd_opt(2024, 5, d).unwrap();
    let created = description(None, "U1", day(1));
    let once = description(Some(&created), "U2", day(2));
    let twice = description(Some(&once), "U3", day(3));
    assert_eq!(
        twice,
        "Created from Slack by U1 on 2024-05-01; updated by U3 on 2024-05-03"
    );
}

#[test]
fn a_description_not_written_by_ecrscan_is_replaced() {
    let day = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    assert_eq!(
        description(Some("terraform"), "U1", day),
        "Created from Slack by U1 on 2024-05-01"
    );
}
