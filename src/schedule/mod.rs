//! Schedules: the WHEN grammar, Scheduler expressions, next runs, schedule names,
//! and the scan schedules ecrscan keeps in EventBridge Scheduler.

mod cron;
mod expr;
mod name;
mod stagger;
pub mod suggest;
mod target;

use chrono::{DateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

pub use cron::Cron;
pub use expr::{Expression, RateUnit};
pub use name::schedule_name;
pub use stagger::stagger;
pub use target::{
    PutOutcome, SCAN_TARGET_ARN, ScanSchedule, ScheduleState, description, image_of, name_for,
    scan_input,
};

/// When a schedule runs: a Scheduler expression and, when given, its timezone.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    pub expression: Expression,
    /// `None` when the command named no `tz`: the caller applies `ECRSCAN_TIMEZONE`.
    pub timezone: Option<Tz>,
}

/// The options of a WHEN as typed (`at 06:10`, `on mon`, `tz Asia/Tokyo`); [`parse_when`]
/// checks them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WhenOptions<'a> {
    pub at: Option<&'a str>,
    pub on: Option<&'a str>,
    pub tz: Option<&'a str>,
}

/// Runs start at 03:00 unless `at` says otherwise.
const DEFAULT_TIME: (u32, u32) = (3, 0);

/// Parses a WHEN from the front of `words` (`weekly`, `every 7 days`, `cron(10 6 ? * MON *)`,
/// ...) with its options, and returns it with the words after it. The problem, when
/// there is one, is a sentence that names the offending word.
pub fn parse_when<'w>(
    words: &'w [String],
    options: &WhenOptions<'_>,
) -> Result<(When, &'w [String]), String> {
    let Some(first) = words.first() else {
        return Err(
            "`schedule` needs a WHEN: daily, weekly, monthly, every N days, rate(...) or cron(...)"
                .into(),
        );
    };
    let lower = first.to_ascii_lowercase();
    let calendar = matches!(lower.as_str(), "daily" | "weekly" | "monthly");
    let shown = match lower.as_str() {
        "every" => words.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
        _ => first.clone(),
    };
    if let (Some(at), false) = (options.at, calendar) {
        return Err(format!(
            "`at {at}` sets the time of daily, weekly and monthly schedules, not of `{shown}`; put the time in a `cron(...)` instead"
        ));
    }
    if let (Some(on), false) = (options.on, lower == "weekly" || lower == "monthly") {
        return Err(format!(
            "`on {on}` picks the day of weekly and monthly schedules, not of `{shown}`"
        ));
    }
    let (hour, minute) = options.at.map_or(Ok(DEFAULT_TIME), parse_time)?;
    let (expression, used) = match lower.as_str() {
        "daily" => (Expression::daily(hour, minute), 1),
        "weekly" => {
            let days = options.on.map_or(Ok(vec![Weekday::Mon]), parse_weekdays)?;
            (Expression::weekly(&days, hour, minute), 1)
        }
        "monthly" => (
            Expression::monthly(options.on.map_or(Ok(1), parse_day_of_month)?, hour, minute),
            1,
        ),
        "every" => (parse_every(words)?, 3),
        _ if lower.starts_with("rate(") || lower.starts_with("cron(") => {
            let expression = Expression::parse_aws(first)?;
            expression.check_at_most_daily()?;
            (expression, 1)
        }
        _ => return Err(unknown_when(first)),
    };
    let timezone = options.tz.map(parse_timezone).transpose()?;
    Ok((
        When {
            expression,
            timezone,
        },
        &words[used..],
    ))
}

/// The next time `expression` fires after `after`, in `tz`. Rate schedules count from
/// their start, which an expression alone does not know: for them this is `None`
/// (see [`next_run_from`]).
pub fn next_run(expression: &Expression, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    next_run_from(expression, tz, None, after)
}

/// Like [`next_run`], with the schedule's start (its `StartDate`, or else its creation
/// time) for rate schedules: Scheduler fires those at the start and every period after.
pub fn next_run_from(
    expression: &Expression,
    tz: Tz,
    start: Option<DateTime<Utc>>,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match expression {
        Expression::Cron(cron) => cron.next_after(tz, after),
        Expression::At(at) => tz
            .from_local_datetime(at)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > after),
        Expression::Rate { .. } => {
            let (start, period) = (start?, expression.period()?);
            if start > after {
                return Some(start);
            }
            let periods = (after - start).num_seconds() / period.num_seconds() + 1;
            Some(start + period * i32::try_from(periods).ok()?)
        }
    }
}

/// Checks a timezone against the IANA database; the case of the letters does not matter.
pub fn parse_timezone(word: &str) -> Result<Tz, String> {
    if let Ok(tz) = word.parse::<Tz>() {
        return Ok(tz);
    }
    let names = || chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    if let Some(tz) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(word))
    {
        return Ok(*tz);
    }
    let hint = match suggest::closest(word, names()) {
        Some(name) => format!("did you mean `{name}`?"),
        None => "use an IANA name such as `tz Asia/Tokyo` or `tz Europe/Berlin`".into(),
    };
    Err(format!(
        "`{word}` is not a timezone of the IANA database; {hint}"
    ))
}

/// `HH:MM` (or `H:MM`), 00:00 to 23:59.
fn parse_time(word: &str) -> Result<(u32, u32), String> {
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>, max: u32| {
        let ok = len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse().ok()).flatten().filter(|n| *n <= max)
    };
    word.split_once(':')
        .and_then(|(h, m)| Some((digits(h, 1..=2, 23)?, digits(m, 2..=2, 59)?)))
        .ok_or_else(|| {
            format!("`at {word}` is not a time of day; write `at HH:MM`, e.g. `at 06:10`")
        })
}

/// `mon`, `Monday`, or a list such as `mon,thu`.
fn parse_weekdays(word: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in word.split(',') {
        let day: Weekday = part.parse().map_err(|_| {
            format!("`on {part}` is not a day of the week; use mon to sun or monday to sunday, e.g. `on fri`")
        })?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    Ok(days)
}

fn parse_day_of_month(word: &str) -> Result<u32, String> {
    word.parse()
        .ok()
        .filter(|day| (1..=31).contains(day))
        .ok_or_else(|| {
            format!(
                "`on {word}` is not a day of the month; monthly takes 1 to 31, e.g. `monthly on 15`"
            )
        })
}

/// `every N days|hours|weeks`, from the words starting at `every`.
fn parse_every(words: &[String]) -> Result<Expression, String> {
    let usage = "write e.g. `every 7 days`";
    let [_, count, unit_word, ..] = words else {
        return Err(format!(
            "`{}` needs a number and a unit; {usage}",
            words.join(" ")
        ));
    };
    let value: u32 = count
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{count}` is not a positive whole number; {usage}"))?;
    let (value, unit) = match unit_word.to_ascii_lowercase().as_str() {
        "week" | "weeks" => (
            value
                .checked_mul(7)
                .ok_or_else(|| format!("`{count}` weeks is too long"))?,
            RateUnit::Days,
        ),
        word => match RateUnit::parse(word) {
            Some(unit) => (value, unit),
            None => {
                return Err(format!(
                    "`{unit_word}` is not a unit of `every`; use days, hours or weeks, e.g. `every 7 days`"
                ));
            }
        },
    };
    let expression = Expression::Rate { value, unit };
    expression
        .check_at_most_daily()
        .map_err(|_| format!("`every {count} {unit_word}` is too often: basic scanning allows one scan per image every 24 hours"))?;
    Ok(expression)
}

fn unknown_when(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower == "rate" || lower == "cron" {
        return format!(
            "`{word}` needs its expression in parentheses, e.g. `rate(7 days)` or `cron(10 6 ? * MON *)`"
        );
    }
    let words = ["daily", "weekly", "monthly", "every", "rate", "cron"];
    let hint = match suggest::closest(&lower, words) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "start with daily, weekly, monthly, every N days, rate(...) or cron(...)".into(),
    };
    format!("`{word}` is not a WHEN; {hint}")
}

#[cfg(test)]
mod tests;
