use chrono::TimeZone;

use super::super::testing::{assert_within_limits, visible_text, weekly};
use super::*;
use crate::schedule::PutOutcome;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()
}

fn json(content: &SlackMessageContent) -> String {
    serde_json::to_string(content).unwrap()
}

#[test]
fn the_list_shows_image_expression_in_words_timezone_and_next_run() {
    let content = schedules(
        "ecrscan",
        &[weekly("example", "web-latest")],
        0,
        &Registries::default(),
        now(),
    );
    let text = visible_text(&content);
    assert!(text.contains("`example:web-latest`"), "{text}");
    assert!(
        text.contains("every Monday at 06:10 (Asia/Tokyo)"),
        "{text}"
    );
    // Monday 2024-05-06 06:10 in Tokyo.
    let next = Utc.with_ymd_and_hms(2024, 5, 5, 21, 10, 0).unwrap();
    assert!(
        text.contains(&format!("<!date^{}^", next.timestamp())),
        "{text}"
    );
    assert!(text.contains("`ecrscan`"), "{text}");
    assert_within_limits(&content);
}

#[test]
fn a_paused_schedule_is_listed_as_paused_without_a_next_run() {
    let mut schedule = weekly("example", "web-latest");
    schedule.state = ScheduleState::Disabled;
    let text = visible_text(&schedules(
        "ecrscan",
        &[schedule],
        0,
        &Registries::default(),
        now(),
    ));
    assert!(text.contains("paused"), "{text}");
    assert!(!text.contains("next run"), "{text}");
}

#[test]
fn the_list_is_sorted_by_image() {
    let shown = [weekly("example", "web"), weekly("example", "api")];
    let text = visible_text(&schedules(
        "ecrscan",
        &shown,
        0,
        &Registries::default(),
        now(),
    ));
    assert!(
        text.find("example:api") < text.find("example:web"),
        "{text}"
    );
}

#[test]
fn an_empty_group_says_how_to_start() {
    let content = schedules("ecrscan", &[], 0, &Registries::default(), now());
    assert!(json(&content).contains("/ecrscan schedule weekly"));
    assert_within_limits(&content);
}

#[test]
fn the_most_schedules_shown_fit_in_one_message_and_the_rest_are_counted() {
    let long = "r".repeat(256);
    let shown: Vec<ScanSchedule> = (0..MAX_SCHEDULES_SHOWN)
        .map(|i| weekly(&format!("{long}<&>{i}"), &"t".repeat(128)))
        .collect();
    let content = schedules("ecrscan", &shown, 123, &Registries::default(), now());
    assert_within_limits(&content);
    let text = visible_text(&content);
    assert!(text.contains("…and 123 more"), "{text}");
    assert!(!text.contains("<&>"), "escaped");
}

#[test]
fn an_unreadable_schedule_is_shown_with_its_name_and_raw_expression() {
    let mut schedule = weekly("example", "web-latest");
    schedule.input = "{}".into();
    schedule.expression = "cron(odd)".into();
    let text = visible_text(&schedules(
        "ecrscan",
        &[schedule.clone()],
        0,
        &Registries::default(),
        now(),
    ));
    assert!(text.contains(&schedule.name), "{text}");
    assert!(text.contains("cron(odd)"), "{text}");
}

#[test]
fn a_new_schedule_is_announced_with_who_when_and_the_next_run() {
    let done = [(weekly("example", "web-latest"), PutOutcome::Created)];
    let content = scheduled("U1", &done, now());
    let text = visible_text(&content);
    assert!(
        text.starts_with(
            ":calendar: <@U1> scheduled scans of `example:web-latest`: \
             every Monday at 06:10 (Asia/Tokyo); next run <!date^"
        ),
        "{text}"
    );
    assert_within_limits(&content);
}

#[test]
fn an_update_of_a_paused_schedule_says_it_stays_paused() {
    let mut schedule = weekly("example", "web-latest");
    schedule.state = ScheduleState::Disabled;
    let text = visible_text(&scheduled("U1", &[(schedule, PutOutcome::Updated)], now()));
    assert!(text.contains("rescheduled"), "{text}");
    assert!(
        text.contains("/ecrscan resume example:web-latest"),
        "{text}"
    );
}

#[test]
fn several_images_are_announced_in_one_message() {
    let done = [
        (weekly("example", "web-latest"), PutOutcome::Created),
        (weekly("example", "proxy-latest"), PutOutcome::Updated),
    ];
    let content = scheduled("U1", &done, now());
    let text = visible_text(&content);
    assert!(text.contains("scans of 2 images"), "{text}");
    assert!(
        text.contains("`example:proxy-latest` (rescheduled)"),
        "{text}"
    );
    assert_within_limits(&content);
}

#[test]
fn changes_are_announced_with_who_and_the_image() {
    let schedule = weekly("example", "web-latest");
    for content in [
        unscheduled("U1", &schedule),
        paused("U1", &schedule),
        resumed("U1", &schedule, now()),
    ] {
        let text = visible_text(&content);
        assert!(text.contains("<@U1>"), "{text}");
        assert!(text.contains("`example:web-latest`"), "{text}");
        assert!(text.contains("every Monday at 06:10"), "{text}");
        assert_within_limits(&content);
    }
    let resumed = visible_text(&resumed("U1", &schedule, now()));
    assert!(resumed.contains("next run"), "{resumed}");
}

#[test]
fn with_registries_the_list_is_grouped_under_each_registry_in_the_order_configured() {
    let registries = Registries::parse(
        "prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, \
         staging=210987654321/eu-west-1/arn:aws:iam::210987654321:role/ecrscan",
    )
    .unwrap();
    let shown = [
        weekly("staging/example", "web-latest"),
        weekly("prod/zeta", "web-latest"),
        weekly("prod/example", "web-latest"),
    ];
    let content = schedules("ecrscan", &shown, 0, &registries, now());
    assert_within_limits(&content);
    let text = visible_text(&content);

    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    let order = [
        at("*prod* · account 123456789012 · us-east-1"),
        at("`prod/example:web-latest`"),
        at("`prod/zeta:web-latest`"),
        at("*staging* · account 210987654321 · eu-west-1"),
        at("`staging/example:web-latest`"),
    ];
    assert!(order.is_sorted(), "{text}");
    assert_eq!(text.matches("*prod*").count(), 1, "{text}");
}
