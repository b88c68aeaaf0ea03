//! Options (`at HH:MM`, `on DAY`, `tz Area/City`, `min=SEVERITY`): picked out of the
//! words wherever they stand, and words that look like a forgotten option.

use chrono::Weekday;

use super::parse_image;
use crate::scan::image::{ImageId, ImageRef};
use crate::schedule::parse_timezone;

/// Option names and the command each belongs to.
const OPTIONS: [(&str, &str); 4] = [
    ("at", "schedule"),
    ("on", "schedule"),
    ("tz", "schedule"),
    ("min", "subscribe"),
];

/// The options of a command, as typed.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub at: Option<String>,
    pub on: Option<String>,
    pub tz: Option<String>,
    pub min: Option<String>,
}

/// Separates options from the other words, checking that each belongs to `command`
/// and is given once.
pub(super) fn split_options(
    command: &str,
    words: &[String],
) -> Result<(Options, Vec<String>), String> {
    let mut options = Options::default();
    let mut args = Vec::new();
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        let (key, value) = match lower.split_once('=') {
            Some((key, _)) if OPTIONS.iter().any(|(name, _)| *name == key) => {
                (key.to_string(), word[key.len() + 1..].to_string())
            }
            _ if matches!(lower.as_str(), "at" | "on" | "tz") => {
                (lower.clone(), words.next().cloned().unwrap_or_default())
            }
            _ => {
                args.push(word.clone());
                continue;
            }
        };
        let owner = OPTIONS
            .iter()
            .find(|(name, _)| *name == key)
            .map_or("", |(_, owner)| *owner);
        if owner != command {
            return Err(format!(
                "`{key}` is an option of `{owner}`, not of `{command}`"
            ));
        }
        let slot = match key.as_str() {
            "at" => &mut options.at,
            "on" => &mut options.on,
            "tz" => &mut options.tz,
            _ => &mut options.min,
        };
        if value.is_empty() {
            return Err(format!("`{key}` needs a value after it"));
        }
        if slot.is_some() {
            return Err(format!("`{key}` is given twice; give it once"));
        }
        *slot = Some(value);
    }
    Ok((options, args))
}

/// A word after a WHEN that was surely meant as an option: `06:10` (`at`), `mon` (`on`,
/// when not given), `Asia/Tokyo` (`tz`).
pub(super) fn misplaced_option(word: &str, options: &Options) -> Option<String> {
    let hint = |option: &str| {
        Some(format!(
            "`{word}` is read as an image; write `{option} {word}` to mean the {}",
            match option {
                "at" => "time",
                "on" => "day",
                _ => "timezone",
            }
        ))
    };
    let is_time = word.split_once(':').is_some_and(|(h, m)| {
        (1..=2).contains(&h.len())
            && m.len() == 2
            && format!("{h}{m}").bytes().all(|b| b.is_ascii_digit())
    });
    match parse_image(word) {
        _ if is_time && options.at.is_none() => hint("at"),
        Ok(ImageRef {
            repository: None,
            id: ImageId::Tag(tag),
        }) if options.on.is_none() && tag.parse::<Weekday>().is_ok() => hint("on"),
        Err(_) if word.contains('/') && options.tz.is_none() && parse_timezone(word).is_ok() => {
            hint("tz")
        }
        _ => None,
    }
}
