//! Scheduler schedule expressions: `rate(...)`, `cron(...)` and `at(...)`.

use chrono::{Duration, NaiveDateTime, Weekday};

use super::cron::{Cron, Field, Item};

/// The unit of a `rate(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Minutes,
    Hours,
    Days,
}

impl RateUnit {
    /// `minutes`, `hours`, `days`; the singular for a value of 1, as Scheduler requires.
    pub fn word(self, value: u32) -> &'static str {
        match (self, value) {
            (RateUnit::Minutes, 1) => "minute",
            (RateUnit::Minutes, _) => "minutes",
            (RateUnit::Hours, 1) => "hour",
            (RateUnit::Hours, _) => "hours",
            (RateUnit::Days, 1) => "day",
            (RateUnit::Days, _) => "days",
        }
    }

    /// Singular or plural, any case.
    pub fn parse(word: &str) -> Option<RateUnit> {
        match word.to_ascii_lowercase().as_str() {
            "minute" | "minutes" => Some(RateUnit::Minutes),
            "hour" | "hours" => Some(RateUnit::Hours),
            "day" | "days" => Some(RateUnit::Days),
            _ => None,
        }
    }

    fn minutes(self) -> i64 {
        match self {
            RateUnit::Minutes => 1,
            RateUnit::Hours => 60,
            RateUnit::Days => 24 * 60,
        }
    }
}

/// A Scheduler schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    /// `rate(7 days)`: every `value` units from the schedule's start.
    Rate { value: u32, unit: RateUnit },
    /// `cron(10 6 ? * MON *)`, evaluated in the schedule's timezone.
    Cron(Cron),
    /// `at(2030-01-31T06:10:00)`: once, in the schedule's timezone (never created by
    /// ecrscan, but Scheduler may list one).
    At(NaiveDateTime),
}

const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Expression {
    /// Every day at `hour:minute`: `cron(M H * * ? *)`.
    pub fn daily(hour: u32, minute: u32) -> Expression {
        cron([
            minute.to_string(),
            hour.to_string(),
            "*".into(),
            "*".into(),
            "?".into(),
            "*".into(),
        ])
    }

    /// On the given days of the week at `hour:minute`: `cron(M H ? * MON,THU *)`.
    pub fn weekly(days: &[Weekday], hour: u32, minute: u32) -> Expression {
        let days: Vec<String> = days.iter().map(|d| d.to_string().to_uppercase()).collect();
        let days = days.join(",");
        cron([
            minute.to_string(),
            hour.to_string(),
            "?".into(),
            "*".into(),
            days,
            "*".into(),
        ])
    }

    /// On day `day` of every month at `hour:minute`: `cron(M H D * ? *)`.
    pub fn monthly(day: u32, hour: u32, minute: u32) -> Expression {
        let fields = [minute, hour, day].map(|n| n.to_string());
        let [minute, hour, day] = fields;
        cron([minute, hour, day, "*".into(), "?".into(), "*".into()])
    }

    /// The expression as Scheduler takes it (`rate(1 day)`, `cron(10 6 ? * MON *)`).
    pub fn to_aws(&self) -> String {
        match self {
            Expression::Rate { value, unit } => format!("rate({value} {})", unit.word(*value)),
            Expression::Cron(cron) => cron.to_string(),
            Expression::At(at) => format!("at({})", at.format(AT_FORMAT)),
        }
    }

    /// Parses an expression as Scheduler writes it, validating every field. Accepts any
    /// valid expression, however frequent (see [`Expression::check_at_most_daily`]);
    /// `rate(2 day)` is taken as `rate(2 days)`.
    pub fn parse_aws(s: &str) -> Result<Expression, String> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        let body = |prefix: &str| {
            lower
                .starts_with(prefix)
                .then(|| s[prefix.len()..].strip_suffix(')'))
        };
        if let Some(body) = body("rate(") {
            let body = body.ok_or_else(|| unclosed(s))?;
            parse_rate(body).ok_or_else(|| {
                format!("`{s}` is not a rate; write `rate(VALUE UNIT)` with minutes, hours or days, e.g. `rate(7 days)`")
            })
        } else if let Some(body) = body("cron(") {
            Cron::parse(body.ok_or_else(|| unclosed(s))?).map(Expression::Cron)
        } else if let Some(body) = body("at(") {
            let body = body.ok_or_else(|| unclosed(s))?;
            NaiveDateTime::parse_from_str(body.trim(), AT_FORMAT)
                .map(Expression::At)
                .map_err(|_| format!("`{s}` is not a time; write `at(yyyy-mm-ddThh:mm:ss)`"))
        } else {
            Err(format!(
                "`{s}` is not a schedule expression; use `rate(...)`, `cron(...)` or `at(...)`"
            ))
        }
    }

    /// Refuses an expression that could start a scan of one image more than once a day:
    /// ECR basic scanning allows one scan per image every 24 hours.
    pub fn check_at_most_daily(&self) -> Result<(), String> {
        let too_often = match self {
            Expression::Rate { value, unit } => i64::from(*value) * unit.minutes() < 24 * 60,
            Expression::Cron(cron) => cron.time_of_day().is_none(),
            Expression::At(_) => false,
        };
        if too_often {
            let detail = match self {
                Expression::Cron(_) => " (its minutes and hours must be single values)",
                _ => "",
            };
            return Err(format!(
                "`{}` runs more than once a day{detail}; basic scanning allows one scan per image every 24 hours",
                self.to_aws()
            ));
        }
        Ok(())
    }

    /// The length of a rate's period.
    pub fn period(&self) -> Option<Duration> {
        match self {
            Expression::Rate { value, unit } => {
                Some(Duration::minutes(i64::from(*value) * unit.minutes()))
            }
            _ => None,
        }
    }

    /// In words: "every Monday at 06:10", "every day at 03:00", "every 7 days",
    /// "on day 1 of every month at 03:00"; a cron expression with no short description
    /// is given as it is.
    pub fn describe(&self) -> String {
        match self {
            Expression::Rate { value: 1, unit } => format!("every {}", unit.word(1)),
            Expression::Rate { value, unit } => format!("every {value} {}", unit.word(*value)),
            Expression::At(at) => format!(
                "once, on {} at {}",
                at.format("%Y-%m-%d"),
                at.format("%H:%M")
            ),
            Expression::Cron(cron) => describe_cron(cron).unwrap_or_else(|| self.to_aws()),
        }
    }
}

fn cron(fields: [String; 6]) -> Expression {
    Expression::Cron(Cron::from_fields(fields))
}

fn unclosed(s: &str) -> String {
    format!("`{s}` is missing its closing `)`")
}

fn parse_rate(body: &str) -> Option<Expression> {
    let mut words = body.split_whitespace();
    let (value, unit) = (words.next()?, words.next()?);
    if words.next().is_some() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = value.parse().ok().filter(|v| *v > 0)?;
    Some(Expression::Rate {
        value,
        unit: RateUnit::parse(unit)?,
    })
}

fn describe_cron(cron: &Cron) -> Option<String> {
    let (hour, minute) = cron.time_of_day()?;
    let time = format!("{hour:02}:{minute:02}");
    let [_, _, dom, month, dow, year] = cron.fields();
    if month != "*" || year != "*" {
        return None;
    }
    match (dom.as_str(), dow.as_str()) {
        ("*", "?") | ("?", "*") => Some(format!("every day at {time}")),
        ("L", "?") => Some(format!("on the last day of every month at {time}")),
        ("?", _) => Some(format!("every {} at {time}", describe_days(cron)?)),
        (day, "?") => {
            let day: u32 = day.parse().ok()?;
            Some(format!("on day {day} of every month at {time}"))
        }
        _ => None,
    }
}

/// "Monday", "Monday and Thursday", "Monday to Friday".
fn describe_days(cron: &Cron) -> Option<String> {
    let [.., Field::List(items), _] = cron.compiled()? else {
        return None;
    };
    let name = |day: u32| DAY_NAMES.get(day as usize - 1).copied();
    let parts = items
        .iter()
        .map(|item| match *item {
            Item::Range {
                start,
                end,
                step: 1,
            } if start == end => name(start).map(String::from),
            Item::Range {
                start,
                end,
                step: 1,
            } => Some(format!("{} to {}", name(start)?, name(end)?)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(match parts.split_last()? {
        (last, []) => last.clone(),
        (last, rest) => format!("{} and {last}", rest.join(", ")),
    })
}

#[cfg(test)]
mod tests;
