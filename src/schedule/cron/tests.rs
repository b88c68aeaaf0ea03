use super::*;

fn cron(body: &str) -> Cron {
    Cron::parse(body).unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn problem(body: &str) -> String {
    Cron::parse(body).expect_err(body)
}

#[test]
fn six_fields_are_required() {
    assert!(problem("0 3 * * ?").contains("6 fields"));
    assert!(problem("0 3 * * ? * *").contains("0 3 * * ? * *"));
}

#[test]
fn fields_are_kept_upper_cased() {
    assert_eq!(
        cron("10 6 ? jan-mar mon-fri *").to_string(),
        "cron(10 6 ? JAN-MAR MON-FRI *)"
    );
}

#[test]
fn exactly_one_day_field_is_a_question_mark() {
    assert!(problem("0 3 ? * ? *").contains("both day fields"));
    assert!(problem("0 3 * * * *").contains("needs `?`"));
    assert!(problem("0 3 1 * MON *").contains("needs `?`"));
    cron("0 3 * * ? *");
    cron("0 3 ? * * *");
}

#[test]
fn a_question_mark_elsewhere_is_refused() {
    assert!(problem("? 3 * * ? *").contains("minutes"));
}

#[test]
fn values_out_of_range_are_named() {
    for (body, word) in [
        ("60 3 * * ? *", "`60`"),
        ("0 24 * * ? *", "`24`"),
        ("0 3 32 * ? *", "`32`"),
        ("0 3 0 * ? *", "`0`"),
        ("0 3 ? 13 * *", "`13`"),
        ("0 3 ? * 8 *", "`8`"),
        ("0 3 ? * MONDAY *", "`MONDAY`"),
        ("0 3 * * ? 1969", "`1969`"),
        ("0 3 * * ? 2200", "`2200`"),
        ("x 3 * * ? *", "`X`"),
    ] {
        assert!(problem(body).contains(word), "{body}: {}", problem(body));
    }
}

#[test]
fn lists_ranges_steps_and_names_are_accepted() {
    cron("0,30 3 * * ? *");
    cron("*/15 3 * * ? *");
    cron("5/10 1-5 * * ? *");
    cron("0 3 ? JAN,JUL MON-FRI 2025-2030");
}

#[test]
fn backwards_ranges_and_zero_steps_are_refused() {
    assert!(problem("0 3 ? * FRI-MON *").contains("`FRI-MON`"));
    assert!(problem("*/0 3 * * ? *").contains("`*/0`"));
}

#[test]
fn l_w_and_hash_are_accepted_where_aws_allows_them() {
    cron("0 3 L * ? *");
    cron("0 3 LW * ? *");
    cron("0 3 15W * ? *");
    cron("0 3 ? * 6L *");
    cron("0 3 ? * FRI#3 *");
    cron("0 3 ? * L *");
}

#[test]
fn l_w_and_hash_are_refused_elsewhere() {
    assert!(problem("0 3 ? L * *").contains("`L`"));
    assert!(problem("0 3 ? * 15W *").contains("`15W`"));
    assert!(problem("0 3 ? * 6#6 *").contains("`6#6`"));
    assert!(problem("0 3 L,15 * ? *").contains("stand alone"));
}

#[test]
fn time_of_day_needs_single_minutes_and_hours() {
    assert_eq!(cron("10 6 ? * MON *").time_of_day(), Some((6, 10)));
    assert_eq!(cron("*/5 6 * * ? *").time_of_day(), None);
    assert_eq!(cron("0 6,18 * * ? *").time_of_day(), None);
}
