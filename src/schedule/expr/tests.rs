use super::*;

fn expression(s: &str) -> Expression {
    Expression::parse_aws(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn aws_expressions_round_trip() {
    for s in [
        "rate(7 days)",
        "rate(1 day)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "cron(10 6 ? * MON *)",
        "cron(0/5 0-1,3-23 * * ? *)",
        "at(2030-01-31T06:10:00)",
    ] {
        assert_eq!(expression(s).to_aws(), s);
    }
}

#[test]
fn rates_get_the_singular_or_plural_aws_requires() {
    assert_eq!(expression("rate(1 days)").to_aws(), "rate(1 day)");
    assert_eq!(expression("RATE(2 Hour)").to_aws(), "rate(2 hours)");
    assert_eq!(expression(" rate( 3  day ) ").to_aws(), "rate(3 days)");
}

#[test]
fn malformed_expressions_are_named() {
    for s in [
        "rate(0 days)",
        "rate(7 weeks)",
        "rate(7)",
        "rate(-1 days)",
        "rate(7 days",
        "cron(10 6 ? * MON *",
        "at(tomorrow)",
        "every 7 days",
    ] {
        let problem = Expression::parse_aws(s).expect_err(s);
        assert!(problem.contains(s), "{s}: {problem}");
    }
}

#[test]
fn builders_make_the_usual_crons() {
    assert_eq!(Expression::daily(6, 10).to_aws(), "cron(10 6 * * ? *)");
    assert_eq!(
        Expression::weekly(&[Weekday::Mon], 6, 10).to_aws(),
        "cron(10 6 ? * MON *)"
    );
    assert_eq!(Expression::monthly(1, 6, 10).to_aws(), "cron(10 6 1 * ? *)");
}

#[test]
fn builders_make_valid_crons() {
    for built in [
        Expression::daily(0, 0),
        Expression::weekly(&[Weekday::Mon, Weekday::Thu], 23, 59),
        Expression::monthly(31, 3, 0),
    ] {
        assert_eq!(expression(&built.to_aws()), built);
    }
}

#[test]
fn expressions_are_described_in_words() {
    for (s, words) in [
        ("cron(10 6 ? * MON *)", "every Monday at 06:10"),
        ("cron(0 3 * * ? *)", "every day at 03:00"),
        ("cron(0 3 ? * * *)", "every day at 03:00"),
        ("cron(0 3 1 * ? *)", "on day 1 of every month at 03:00"),
        (
            "cron(0 3 L * ? *)",
            "on the last day of every month at 03:00",
        ),
        (
            "cron(10 6 ? * MON,THU *)",
            "every Monday and Thursday at 06:10",
        ),
        (
            "cron(10 6 ? * 2,4,6 *)",
            "every Monday, Wednesday and Friday at 06:10",
        ),
        (
            "cron(10 6 ? * MON-FRI *)",
            "every Monday to Friday at 06:10",
        ),
        ("rate(7 days)", "every 7 days"),
        ("rate(1 day)", "every day"),
        ("rate(36 hours)", "every 36 hours"),
        ("at(2030-01-31T06:10:00)", "once, on 2030-01-31 at 06:10"),
    ] {
        assert_eq!(expression(s).describe(), words, "{s}");
    }
}

#[test]
fn unusual_crons_are_described_as_they_are() {
    for s in [
        "cron(0 3 ? * 6#3 *)",
        "cron(0/5 3 * * ? *)",
        "cron(0 3 1 JAN ? *)",
        "cron(0 3 * * ? 2030)",
    ] {
        assert_eq!(expression(s).describe(), s);
    }
}

#[test]
fn anything_more_often_than_daily_is_refused() {
    for s in [
        "rate(23 hours)",
        "rate(1439 minutes)",
        "cron(0 */2 * * ? *)",
        "cron(0,30 3 * * ? *)",
    ] {
        let problem = expression(s).check_at_most_daily().expect_err(s);
        assert!(
            problem.contains(s) && problem.contains("24 hours"),
            "{problem}"
        );
    }
    for s in [
        "rate(1 day)",
        "rate(24 hours)",
        "rate(1440 minutes)",
        "cron(10 6 ? * MON-FRI *)",
    ] {
        assert_eq!(expression(s).check_at_most_daily(), Ok(()), "{s}");
    }
}
