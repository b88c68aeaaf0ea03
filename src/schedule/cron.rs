//! Scheduler's six-field cron expressions: validation and evaluation.
//!
//! `cron(minutes hours day-of-month month day-of-week year)`; days of the week
//! run 1-7 from SUN to SAT; exactly one of the day fields is `?`. `L`, `W` and `#`
//! are accepted where AWS accepts them, each standing alone in its field.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Name, smallest value, largest value and value names of each field, in order.
const FIELDS: [(&str, u32, u32, &[&str]); 6] = [
    ("minutes", 0, 59, &[]),
    ("hours", 0, 23, &[]),
    ("day-of-month", 1, 31, &[]),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, DAYS),
    ("year", 1970, 2199, &[]),
];
const DOM: usize = 2;
const DOW: usize = 4;

/// A validated Scheduler cron expression; its fields are kept as written, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    fields: [String; 6],
}

/// One comma-separated part of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    /// `5`, `1-5`, `*/15`, `10/5`, `MON-FRI`.
    Range { start: u32, end: u32, step: u32 },
    /// `L` in day-of-month: the last day of the month.
    LastDay,
    /// `LW` in day-of-month: the last weekday of the month.
    LastWeekday,
    /// `15W` in day-of-month: the weekday nearest the 15th, within the month.
    NearestWeekday(u32),
    /// `6L` in day-of-week: the last Friday of the month.
    LastOf(u32),
    /// `6#3` in day-of-week: the third Friday of the month.
    Nth(u32, u32),
}

/// A parsed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Field {
    /// `*`
    Any,
    /// `?`
    NoSpecificValue,
    List(Vec<Item>),
}

impl Cron {
    /// Parses the text between `cron(` and `)`.
    pub fn parse(body: &str) -> Result<Cron, String> {
        let words: Vec<String> = body.split_whitespace().map(str::to_uppercase).collect();
        let Ok(fields) = <[String; 6]>::try_from(words) else {
            return Err(format!(
                "`cron({body})` needs 6 fields (minutes hours day-of-month month day-of-week year), e.g. `cron(10 6 ? * MON *)`"
            ));
        };
        let parsed = compile(&fields)?;
        match (&parsed[DOM], &parsed[DOW]) {
            (Field::NoSpecificValue, Field::NoSpecificValue) => Err(format!(
                "`cron({body})` has `?` in both day fields; put it in only one of day-of-month and day-of-week"
            )),
            (Field::NoSpecificValue, _) | (_, Field::NoSpecificValue) => Ok(Cron { fields }),
            _ => Err(format!(
                "`cron({body})` needs `?` in day-of-month or day-of-week, e.g. `cron(10 6 * * ? *)`"
            )),
        }
    }

    /// Builds an expression from fields known to be valid.
    pub(super) fn from_fields(fields: [String; 6]) -> Cron {
        Cron { fields }
    }

    /// The six fields, as in the expression.
    pub fn fields(&self) -> &[String; 6] {
        &self.fields
    }

    /// The minute and hour when both are single values (`10 6 ...`), i.e. when it fires
    /// at most once a day.
    pub fn time_of_day(&self) -> Option<(u32, u32)> {
        Some((self.fields[1].parse().ok()?, self.fields[0].parse().ok()?))
    }

    /// The parsed fields; `None` only for a `Cron` that was never valid.
    pub(super) fn compiled(&self) -> Option<[Field; 6]> {
        compile(&self.fields).ok()
    }

    /// The first time after `after` at which it fires, in `tz`. Times skipped by a
    /// daylight-saving change do not fire; repeated ones fire once, the first time (as
    /// Scheduler does). Looks at most about ten years ahead.
    pub fn next_after(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let [minutes, hours, dom, month, dow, year] = self.compiled()?;
        let hours: Vec<u32> = (0..24).filter(|h| contains(&hours, *h)).collect();
        let minutes: Vec<u32> = (0..60).filter(|m| contains(&minutes, *m)).collect();
        let mut date = after.with_timezone(&tz).date_naive();
        for _ in 0..3700 {
            if date.year() > 2199 {
                return None;
            }
            if !contains(&year, date.year() as u32) {
                date = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?;
                continue;
            }
            if !contains(&month, date.month()) {
                date = first_of_next_month(date)?;
                continue;
            }
            if day_matches(&dom, date, true) && day_matches(&dow, date, false) {
                for (hour, minute) in hours.iter().flat_map(|h| minutes.iter().map(|m| (*h, *m))) {
                    let local = date.and_hms_opt(hour, minute, 0)?;
                    let fire = match tz.from_local_datetime(&local) {
                        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
                        LocalResult::None => continue,
                    };
                    if fire.with_timezone(&Utc) > after {
                        return Some(fire.with_timezone(&Utc));
                    }
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

impl std::fmt::Display for Cron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cron({})", self.fields.join(" "))
    }
}

fn compile(fields: &[String; 6]) -> Result<[Field; 6], String> {
    let field = |index: usize| parse_field(index, &fields[index]);
    Ok([
        field(0)?,
        field(1)?,
        field(2)?,
        field(3)?,
        field(4)?,
        field(5)?,
    ])
}

fn parse_field(index: usize, text: &str) -> Result<Field, String> {
    let (name, ..) = FIELDS[index];
    match text {
        "*" => return Ok(Field::Any),
        "?" if index == DOM || index == DOW => return Ok(Field::NoSpecificValue),
        "?" => {
            return Err(format!(
                "`?` is allowed only in day-of-month or day-of-week, not in {name}"
            ));
        }
        _ => {}
    }
    let items = text
        .split(',')
        .map(|item| parse_item(index, item))
        .collect::<Result<Vec<_>, _>>()?;
    let special = items.iter().any(|i| !matches!(i, Item::Range { .. }));
    if special && items.len() > 1 {
        return Err(format!(
            "`{text}` in {name}: `L`, `W` and `#` must stand alone in their field"
        ));
    }
    Ok(Field::List(items))
}

fn parse_item(index: usize, item: &str) -> Result<Item, String> {
    let (name, min, max, _) = FIELDS[index];
    let bad = || format!("`{item}` is not valid in {name} ({min}-{max})");
    if let Some(special) = special_item(index, item) {
        return special.ok_or_else(bad);
    }
    let (base, step) = match item.split_once('/') {
        Some((base, step)) => (
            base,
            Some(
                step.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(bad)?,
            ),
        ),
        None => (item, None),
    };
    let (start, end) = match (base, base.split_once('-')) {
        ("*", _) => (min, max),
        (_, Some((start, end))) => (
            value(index, start).ok_or_else(bad)?,
            value(index, end).ok_or_else(bad)?,
        ),
        (single, None) => {
            let start = value(index, single).ok_or_else(bad)?;
            (start, if step.is_some() { max } else { start })
        }
    };
    if start > end {
        return Err(format!(
            "`{item}` in {name} runs backwards; write the smaller value first"
        ));
    }
    Ok(Item::Range {
        start,
        end,
        step: step.unwrap_or(1),
    })
}

/// The day-of-month (`L`, `LW`, `15W`) and day-of-week (`L`, `5L`, `MON#2`) forms:
/// `None` when `item` is none of them, `Some(None)` when it is one but invalid.
fn special_item(index: usize, item: &str) -> Option<Option<Item>> {
    if index == DOM {
        match item {
            "L" => return Some(Some(Item::LastDay)),
            "LW" => return Some(Some(Item::LastWeekday)),
            _ => {}
        }
        if let Some(day) = item.strip_suffix('W') {
            return Some(value(index, day).map(Item::NearestWeekday));
        }
    }
    if index == DOW {
        if item == "L" {
            return Some(Some(Item::Range {
                start: 7,
                end: 7,
                step: 1,
            }));
        }
        if let Some(day) = item.strip_suffix('L') {
            return Some(value(index, day).map(Item::LastOf));
        }
        if let Some((day, nth)) = item.split_once('#') {
            let nth = nth.parse().ok().filter(|n| (1..=5).contains(n));
            return Some(value(index, day).zip(nth).map(|(d, n)| Item::Nth(d, n)));
        }
    }
    None
}

/// A number or name within the field's range.
fn value(index: usize, text: &str) -> Option<u32> {
    let (_, min, max, names) = FIELDS[index];
    let number = match names.iter().position(|n| *n == text) {
        Some(position) => position as u32 + 1,
        None if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() && text.len() <= 4 => {
            text.parse().ok()?
        }
        None => return None,
    };
    (min..=max).contains(&number).then_some(number)
}

fn contains(field: &Field, value: u32) -> bool {
    match field {
        Field::Any | Field::NoSpecificValue => true,
        Field::List(items) => items.iter().any(|item| match *item {
            Item::Range { start, end, step } => {
                (start..=end).contains(&value) && (value - start).is_multiple_of(step)
            }
            _ => false,
        }),
    }
}

fn day_matches(field: &Field, date: NaiveDate, day_of_month: bool) -> bool {
    let Field::List(items) = field else {
        return true;
    };
    let day = date.day();
    let last = last_day(date);
    let weekday = date.weekday().number_from_sunday();
    items.iter().any(|item| match *item {
        Item::Range { .. } if day_of_month => contains(field, day),
        Item::Range { .. } => contains(field, weekday),
        Item::LastDay => day == last,
        Item::LastWeekday => day == nearest_weekday(last, last, date),
        Item::NearestWeekday(n) => n <= last && day == nearest_weekday(n, last, date),
        Item::LastOf(d) => weekday == d && day + 7 > last,
        Item::Nth(d, n) => weekday == d && (day - 1) / 7 + 1 == n,
    })
}

/// The weekday nearest day `n` of `date`'s month, without leaving the month.
fn nearest_weekday(n: u32, last: u32, date: NaiveDate) -> u32 {
    let Some(target) = date.with_day(n) else {
        return 0;
    };
    match target.weekday().number_from_monday() {
        6 if n == 1 => 3,
        6 => n - 1,
        7 if n == last => n - 2,
        7 => n + 1,
        _ => n,
    }
}

fn first_of_next_month(date: NaiveDate) -> Option<NaiveDate> {
    match date.month() {
        12 => NaiveDate::from_ymd_opt(date.year() + 1, 1, 1),
        month => NaiveDate::from_ymd_opt(date.year(), month + 1, 1),
    }
}

fn last_day(date: NaiveDate) -> u32 {
    first_of_next_month(date)
        .and_then(|next| next.pred_opt())
        .map_or(28, |last| last.day())
}

#[cfg(test)]
mod tests;
