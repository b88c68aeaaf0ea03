use chrono::TimeZone;

use super::*;

/// Whitespace-separated words; with a `(` in the text, words separated by ` | ` instead.
fn words(text: &str) -> Vec<String> {
    match text.find('(') {
        Some(_) => text.split(" | ").map(String::from).collect(),
        None => text.split_whitespace().map(String::from).collect(),
    }
}

fn when_with(text: &str, options: WhenOptions<'_>) -> Result<(When, Vec<String>), String> {
    parse_when(&words(text), &options).map(|(when, rest)| (when, rest.to_vec()))
}

/// The AWS expression of a WHEN with options.
fn aws(text: &str, options: WhenOptions<'_>) -> String {
    let (when, _) = when_with(text, options).unwrap_or_else(|e| panic!("{text}: {e}"));
    when.expression.to_aws()
}

fn problem(text: &str, options: WhenOptions<'_>) -> String {
    when_with(text, options).expect_err(text)
}

fn at(time: &str) -> WhenOptions<'_> {
    WhenOptions {
        at: Some(time),
        ..Default::default()
    }
}

fn none() -> WhenOptions<'static> {
    WhenOptions::default()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn daily_runs_every_day_at_three() {
    assert_eq!(aws("daily", none()), "cron(0 3 * * ? *)");
}

#[test]
fn daily_at_six_ten_runs_at_six_ten() {
    assert_eq!(aws("daily", at("06:10")), "cron(10 6 * * ? *)");
    assert_eq!(aws("DAILY", at("6:10")), "cron(10 6 * * ? *)");
}

#[test]
fn weekly_defaults_to_monday_at_three() {
    assert_eq!(aws("weekly", none()), "cron(0 3 ? * MON *)");
}

#[test]
fn weekly_on_a_day_at_a_time() {
    let options = WhenOptions {
        at: Some("06:10"),
        on: Some("Friday"),
        tz: None,
    };
    assert_eq!(aws("weekly", options), "cron(10 6 ? * FRI *)");
}

#[test]
fn weekly_takes_a_list_of_days() {
    let options = WhenOptions {
        on: Some("mon,THU,mon"),
        ..Default::default()
    };
    assert_eq!(aws("weekly", options), "cron(0 3 ? * MON,THU *)");
}

#[test]
fn monthly_runs_on_the_first_unless_told() {
    assert_eq!(aws("monthly", at("06:10")), "cron(10 6 1 * ? *)");
    let options = WhenOptions {
        on: Some("15"),
        ..Default::default()
    };
    assert_eq!(aws("monthly", options), "cron(0 3 15 * ? *)");
}

#[test]
fn every_n_days_is_a_rate() {
    assert_eq!(aws("every 7 days", none()), "rate(7 days)");
    assert_eq!(aws("every 1 day", none()), "rate(1 day)");
    assert_eq!(aws("Every 1 Days", none()), "rate(1 day)");
    assert_eq!(aws("every 2 weeks", none()), "rate(14 days)");
}

#[test]
fn every_n_hours_of_a_day_or_more_is_a_rate() {
    assert_eq!(aws("every 24 hours", none()), "rate(24 hours)");
    assert_eq!(aws("every 36 hours", none()), "rate(36 hours)");
}

#[test]
fn every_few_hours_is_refused_for_the_daily_scan_limit() {
    let problem = problem("every 6 hours", none());
    assert!(
        problem.contains("every 6 hours") && problem.contains("24 hours"),
        "{problem}"
    );
    assert!(super::tests::problem("every 30 minutes", none()).contains("every 30 minutes"));
}

#[test]
fn every_needs_a_positive_number_and_a_unit() {
    assert!(problem("every week", none()).contains("every week"));
    assert!(problem("every", none()).contains("every"));
    assert!(problem("every 0 days", none()).contains("`0`"));
    assert!(problem("every seven days", none()).contains("`seven`"));
    assert!(problem("every 7 fortnights", none()).contains("`fortnights`"));
}

#[test]
fn rate_and_cron_are_taken_as_aws_writes_them() {
    assert_eq!(aws("rate(1 days)", none()), "rate(1 day)");
    assert_eq!(aws("cron(10 6 ? * mon *)", none()), "cron(10 6 ? * MON *)");
    assert_eq!(
        when_with("cron(10 6 ? * MON *) | web", none()).unwrap().1,
        ["web"]
    );
}

#[test]
fn rates_and_crons_more_often_than_daily_are_refused() {
    assert!(problem("rate(12 hours)", none()).contains("rate(12 hours)"));
    let problem = problem("cron(*/5 6 * * ? *)", none());
    assert!(
        problem.contains("cron(*/5 6 * * ? *)") && problem.contains("24 hours"),
        "{problem}"
    );
}

#[test]
fn at_is_refused_with_rates_and_crons() {
    for text in ["every 7 days", "rate(7 days)"] {
        assert!(problem(text, at("06:10")).contains("`at 06:10`"), "{text}");
    }
}

#[test]
fn on_is_refused_with_daily_and_rates() {
    let options = WhenOptions {
        on: Some("mon"),
        ..Default::default()
    };
    assert!(problem("daily", options).contains("`on mon`"));
    assert!(problem("every 7 days", options).contains("`on mon`"));
}

#[test]
fn bad_times_are_named() {
    for time in ["25:00", "6", "06:6", "06:60", "6.10", "noon", "-1:00"] {
        assert!(
            problem("daily", at(time)).contains(&format!("`at {time}`")),
            "{time}"
        );
    }
}

#[test]
fn bad_days_are_named() {
    let options = WhenOptions {
        on: Some("funday"),
        ..Default::default()
    };
    assert!(problem("weekly", options).contains("`on funday`"));
    let options = WhenOptions {
        on: Some("32"),
        ..Default::default()
    };
    assert!(problem("monthly", options).contains("`on 32`"));
}

#[test]
fn timezones_are_checked_against_iana() {
    let options = WhenOptions {
        tz: Some("Asia/Tokyo"),
        ..Default::default()
    };
    let (when, _) = when_with("weekly", options).unwrap();
    assert_eq!(when.timezone, Some(chrono_tz::Asia::Tokyo));
    assert_eq!(when_with("weekly", none()).unwrap().0.timezone, None);
    assert_eq!(parse_timezone("asia/tokyo"), Ok(chrono_tz::Asia::Tokyo));
}

#[test]
fn a_misspelt_timezone_is_named_with_a_suggestion() {
    let problem = parse_timezone("Asia/Tokio").unwrap_err();
    assert!(
        problem.contains("`Asia/Tokio`") && problem.contains("`Asia/Tokyo`"),
        "{problem}"
    );
    let problem = parse_timezone("JST+9").unwrap_err();
    assert!(
        problem.contains("`JST+9`") && problem.contains("tz Asia/Tokyo"),
        "{problem}"
    );
}

#[test]
fn unknown_when_words_are_named_with_a_suggestion() {
    let problem = problem("wekly", none());
    assert!(
        problem.contains("`wekly`") && problem.contains("`weekly`"),
        "{problem}"
    );
    assert!(super::tests::problem("fortnightly", none()).contains("`fortnightly`"));
    assert!(super::tests::problem("rate 7 days", none()).contains("parentheses"));
}

#[test]
fn a_missing_when_is_asked_for() {
    assert!(problem("", none()).contains("WHEN"));
}

#[test]
fn words_after_the_when_are_returned() {
    assert_eq!(
        when_with("weekly web-latest proxy", none()).unwrap().1,
        words("web-latest proxy")
    );
    assert_eq!(
        when_with("every 7 days web", none()).unwrap().1,
        words("web")
    );
}

#[test]
fn weekly_next_run_is_computed_in_the_timezone() {
    let expression = Expression::weekly(&[Weekday::Mon], 6, 10);
    // Monday 09:00 in Tokyo: this week's run has passed.
    let next = next_run(
        &expression,
        chrono_tz::Asia::Tokyo,
        utc("2024-01-01T00:00:00Z"),
    );
    assert_eq!(next, Some(utc("2024-01-07T21:10:00Z")));
}

#[test]
fn next_run_is_strictly_after() {
    let daily = Expression::daily(3, 0);
    assert_eq!(
        next_run(&daily, Tz::UTC, utc("2024-03-01T02:00:00Z")),
        Some(utc("2024-03-01T03:00:00Z"))
    );
    assert_eq!(
        next_run(&daily, Tz::UTC, utc("2024-03-01T03:00:00Z")),
        Some(utc("2024-03-02T03:00:00Z"))
    );
}

#[test]
fn a_time_skipped_by_daylight_saving_does_not_run() {
    let daily = Expression::daily(2, 30);
    let berlin = chrono_tz::Europe::Berlin;
    let next = next_run(&daily, berlin, utc("2024-03-30T12:00:00Z"));
    assert_eq!(next, Some(utc("2024-04-01T00:30:00Z")));
}

#[test]
fn a_time_repeated_by_daylight_saving_runs_once() {
    let daily = Expression::daily(2, 30);
    let berlin = chrono_tz::Europe::Berlin;
    let first = next_run(&daily, berlin, utc("2024-10-26T12:00:00Z")).unwrap();
    assert_eq!(first, utc("2024-10-27T00:30:00Z"));
    assert_eq!(
        next_run(&daily, berlin, first),
        Some(utc("2024-10-28T01:30:00Z"))
    );
}

#[test]
fn special_days_of_the_month_are_found() {
    let next = |body: &str, after: &str| {
        let expression = Expression::parse_aws(&format!("cron({body})")).unwrap();
        next_run(&expression, Tz::UTC, utc(after)).map(|t| t.to_rfc3339())
    };
    let at = |date: &str| Some(format!("{date}T03:00:00+00:00"));
    assert_eq!(
        next("0 3 L * ? *", "2024-02-10T00:00:00Z"),
        at("2024-02-29")
    );
    assert_eq!(
        next("0 3 ? * 6#3 *", "2024-01-01T00:00:00Z"),
        at("2024-01-19")
    );
    assert_eq!(
        next("0 3 ? * 6L *", "2024-01-01T00:00:00Z"),
        at("2024-01-26")
    );
    assert_eq!(
        next("0 3 1W * ? *", "2024-05-20T00:00:00Z"),
        at("2024-06-03")
    );
    assert_eq!(
        next("0 3 15W * ? *", "2024-09-01T00:00:00Z"),
        at("2024-09-16")
    );
    assert_eq!(
        next("0 3 LW * ? *", "2024-03-01T00:00:00Z"),
        at("2024-03-29")
    );
    assert_eq!(
        next("0 3 1 1 ? 2030", "2025-06-01T00:00:00Z"),
        at("2030-01-01")
    );
    assert_eq!(
        next("0 3 ? * MON-FRI *", "2024-01-06T00:00:00Z"),
        at("2024-01-08")
    );
}

#[test]
fn a_cron_that_never_fires_has_no_next_run() {
    let never = Expression::parse_aws("cron(0 3 30 2 ? *)").unwrap();
    assert_eq!(next_run(&never, Tz::UTC, utc("2024-01-01T00:00:00Z")), None);
}

#[test]
fn rates_run_from_their_start() {
    let weekly = Expression::parse_aws("rate(7 days)").unwrap();
    let start = utc("2024-01-01T00:00:00Z");
    assert_eq!(next_run(&weekly, Tz::UTC, start), None);
    let next = |after| next_run_from(&weekly, Tz::UTC, Some(start), utc(after));
    assert_eq!(next("2023-12-01T00:00:00Z"), Some(start));
    assert_eq!(
        next("2024-01-10T00:00:00Z"),
        Some(utc("2024-01-15T00:00:00Z"))
    );
    assert_eq!(
        next("2024-01-08T00:00:00Z"),
        Some(utc("2024-01-15T00:00:00Z"))
    );
}

#[test]
fn a_one_time_schedule_runs_once_in_its_timezone() {
    let once = Expression::parse_aws("at(2030-01-31T06:10:00)").unwrap();
    let tokyo = chrono_tz::Asia::Tokyo;
    let expected = tokyo
        .with_ymd_and_hms(2030, 1, 31, 6, 10, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        next_run(&once, tokyo, utc("2030-01-01T00:00:00Z")),
        Some(expected)
    );
    assert_eq!(next_run(&once, tokyo, utc("2030-02-01T00:00:00Z")), None);
}
