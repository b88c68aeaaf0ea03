//! `ignore CVE-ID [PATTERN] (for N days | until YYYY-MM-DD | until fixed) reason TEXT…`
//! and `unignore CVE-ID [PATTERN]`.

use chrono::NaiveDate;

use super::check_plain;
use crate::routing::ImagePattern;
use crate::triage::{Duration, MAX_DAYS, vulnerability_id};

/// The longest reason kept, in characters: a sentence, not an essay.
pub const MAX_REASON: usize = 300;

/// The right form of a duration, for every refusal that concerns one.
const DURATIONS: &str = "`for N days`, `until YYYY-MM-DD` or `until fixed`";

/// Where the reason starts: the first word `reason` (in any case), if any.
/// Everything after it is the reason, options and all.
pub(super) fn split_reason(words: &[String]) -> (&[String], Option<&[String]>) {
    match words.iter().position(|w| w.eq_ignore_ascii_case("reason")) {
        Some(i) => (&words[..i], Some(&words[i + 1..])),
        None => (words, None),
    }
}

/// The id, the scope (when a pattern is given) and the duration of `ignore`.
pub(super) fn ignore_args(
    args: &[String],
) -> Result<(String, Option<ImagePattern>, Duration), String> {
    let (vulnerability, scope, rest) = target("ignore", args, is_duration_word)?;
    let Some((word, rest)) = rest.split_first() else {
        return Err(format!("`ignore` needs how long: {DURATIONS}"));
    };
    let duration = match (word.to_ascii_lowercase().as_str(), rest) {
        ("for", [n, unit, extra @ ..]) => {
            no_extra(extra)?;
            days(n, unit)?
        }
        ("until", [fixed, extra @ ..]) if fixed.eq_ignore_ascii_case("fixed") => {
            no_extra(extra)?;
            Duration::UntilFixed
        }
        ("until", [date, extra @ ..]) => {
            no_extra(extra)?;
            Duration::Date(NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                format!("`until {date}` is not a date; write it as YYYY-MM-DD, or use {DURATIONS}")
            })?)
        }
        (_, _) => {
            let typed = std::iter::once(word)
                .chain(rest)
                .cloned()
                .collect::<Vec<_>>();
            return Err(format!(
                "`{}` is not a duration; use {DURATIONS}",
                typed.join(" ")
            ));
        }
    };
    Ok((vulnerability, scope, duration))
}

/// The reason of `ignore`: required, at most [`MAX_REASON`] characters.
pub(super) fn reason(words: Option<&[String]>) -> Result<String, String> {
    let text = words.unwrap_or_default().join(" ");
    let text = text.trim();
    if text.is_empty() {
        return Err(
            "`ignore` needs a reason, so that the next person knows why: end it with `reason TEXT`"
                .into(),
        );
    }
    let n = text.chars().count();
    if n > MAX_REASON {
        return Err(format!(
            "the reason is {n} characters long; keep it to {MAX_REASON}"
        ));
    }
    Ok(text.to_string())
}

/// The id and the scope of `unignore`.
pub(super) fn unignore_args(args: &[String]) -> Result<(String, Option<ImagePattern>), String> {
    let (vulnerability, scope, rest) = target("unignore", args, |_| false)?;
    no_extra(rest)?;
    Ok((vulnerability, scope))
}

/// `CVE-ID [PATTERN]`, and the words after them; a word for which `ends` holds
/// is no pattern.
fn target<'a>(
    command: &str,
    args: &'a [String],
    ends: impl Fn(&str) -> bool,
) -> Result<(String, Option<ImagePattern>, &'a [String]), String> {
    let Some((id, rest)) = args.split_first() else {
        return Err(format!(
            "`{command}` needs a vulnerability id, such as `CVE-2024-6119`"
        ));
    };
    let vulnerability = vulnerability_id(id)?;
    match rest.split_first() {
        Some((word, rest)) if !ends(word) => {
            check_plain(word)?;
            let pattern = ImagePattern::parse(word)?;
            let scope = (pattern.as_str() != "*").then_some(pattern);
            Ok((vulnerability, scope, rest))
        }
        _ => Ok((vulnerability, None, rest)),
    }
}

fn is_duration_word(word: &str) -> bool {
    word.eq_ignore_ascii_case("for") || word.eq_ignore_ascii_case("until")
}

/// `N days` (or `N weeks`), 1 day to [`MAX_DAYS`].
fn days(n: &str, unit: &str) -> Result<Duration, String> {
    let per = match unit.to_ascii_lowercase().as_str() {
        "day" | "days" => 1,
        "week" | "weeks" => 7,
        _ => {
            return Err(format!(
                "`for {n} {unit}`: say how many days (or weeks), e.g. `for 30 days`, or use {DURATIONS}"
            ));
        }
    };
    let days = n
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|days| (1..=MAX_DAYS).contains(days))
        .ok_or_else(|| {
            format!(
                "`for {n} {unit}`: an ignore lasts 1 to {MAX_DAYS} days; for longer, use `until fixed`"
            )
        })?;
    Ok(Duration::Days(days))
}

fn no_extra(extra: &[String]) -> Result<(), String> {
    match extra.first() {
        None => Ok(()),
        Some(word) => Err(format!(
            "`{word}` is one word too many; put the reason after `reason`"
        )),
    }
}
