//! The `/ecrscan` command language, parsed into a [`Command`].
//!
//! Words are separated by whitespace, except inside parentheses (`cron(10 6 ? * MON *)`
//! is one word). Command words, WHEN words and option names are case-insensitive;
//! images and patterns are not. Options (`at HH:MM`, `on DAY`, `tz Area/City`,
//! `min=SEVERITY`, also written `at=06:10`) may stand anywhere after the command word.

mod ignore;
mod image;
mod options;
mod running;
mod usage;

use crate::routing::ImagePattern;
use crate::scan::findings::Severity;
use crate::scan::image::ImageRef;
use crate::schedule::suggest::closest;
use crate::schedule::{When, WhenOptions, parse_when};
use crate::triage::Duration;

pub use ignore::MAX_REASON;
pub use image::{check_plain, parse_image};
use options::{Options, misplaced_option, split_options};
pub use usage::{USAGE, Usage};

/// The most images one command may name.
pub const MAX_IMAGES: usize = 10;

/// One understood `/ecrscan` command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    /// Distinct images, in the order given; 1 to [`MAX_IMAGES`].
    Now(Vec<ImageRef>),
    Findings(ImageRef),
    /// The ECS clusters to look in, distinct, in the order given; empty for every cluster.
    Running(Vec<String>),
    /// `running sync`: re-sync the schedules of the running images now.
    RunningSync,
    /// `images` is empty when none were named (the watched tags apply); at most [`MAX_IMAGES`].
    Schedule {
        when: When,
        images: Vec<ImageRef>,
    },
    /// `schedule WHEN running [in CLUSTER...]`: keep one schedule per image
    /// digest that ECS runs (in `clusters`; every cluster when empty).
    ScheduleRunning {
        when: When,
        clusters: Vec<String>,
    },
    Schedules,
    Unschedule(ImageRef),
    Pause(ImageRef),
    Resume(ImageRef),
    /// `min` is [`Severity::Undefined`] (everything) unless `min=` says otherwise.
    Subscribe {
        pattern: ImagePattern,
        min: Severity,
    },
    Unsubscribe(ImagePattern),
    Subscriptions,
    /// `scope` is `None` for every image (no pattern, or `*`).
    Ignore {
        vulnerability: String,
        scope: Option<ImagePattern>,
        duration: Duration,
        reason: String,
    },
    Ignores,
    Unignore {
        vulnerability: String,
        scope: Option<ImagePattern>,
    },
}

impl Command {
    /// Whether the command changes or starts something (and so is audited, and
    /// runs once per signed request), rather than only reading.
    pub fn changes_something(&self) -> bool {
        match self {
            Command::Help
            | Command::Findings(_)
            | Command::Running(_)
            | Command::Schedules
            | Command::Subscriptions
            | Command::Ignores => false,
            Command::Now(_)
            | Command::RunningSync
            | Command::Schedule { .. }
            | Command::ScheduleRunning { .. }
            | Command::Unschedule(_)
            | Command::Pause(_)
            | Command::Resume(_)
            | Command::Subscribe { .. }
            | Command::Unsubscribe(_)
            | Command::Ignore { .. }
            | Command::Unignore { .. } => true,
        }
    }
}

/// What was wrong with a command, and the right form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct ParseError {
    /// One sentence that names the offending word.
    pub problem: String,
    /// The right form of the command with an example (see [`Usage::render`]).
    pub usage: String,
}

/// Words people try that are not commands, and the command they mean.
const ALIASES: [(&str, &str); 11] = [
    ("scan", "now"),
    ("start", "now"),
    ("show", "findings"),
    ("results", "findings"),
    ("list", "schedules"),
    ("delete", "unschedule"),
    ("remove", "unschedule"),
    ("watch", "subscribe"),
    ("snooze", "ignore"),
    ("mute", "ignore"),
    ("accept", "ignore"),
];

/// Parses the text after `/ecrscan`; empty text is [`Command::Help`], and `help`
/// ignores whatever follows it.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let words = tokenize(text);
    let Some((first, rest)) = words.split_first() else {
        return Ok(Command::Help);
    };
    let Some(usage) = Usage::of(first) else {
        return Err(unknown_command(first));
    };
    let fail = |problem: String| ParseError {
        problem,
        usage: usage.render(),
    };
    if usage.name == "help" {
        return Ok(Command::Help);
    }
    // A reason is free text: words in it that look like options are its own.
    let (rest, reason) = match usage.name {
        "ignore" => ignore::split_reason(rest),
        _ => (rest, None),
    };
    let (options, args) = split_options(usage.name, rest).map_err(fail)?;
    if usage.name == "ignore" {
        let (vulnerability, scope, duration) = ignore::ignore_args(&args).map_err(fail)?;
        return Ok(Command::Ignore {
            vulnerability,
            scope,
            duration,
            reason: ignore::reason(reason).map_err(fail)?,
        });
    }
    parse_command(usage.name, &options, &args).map_err(fail)
}

fn parse_command(name: &str, options: &Options, args: &[String]) -> Result<Command, String> {
    Ok(match name {
        "now" => Command::Now(images(name, args, 1)?),
        "findings" => Command::Findings(one_image(name, args)?),
        "running" if matches!(args, [word] if word.eq_ignore_ascii_case("sync")) => {
            Command::RunningSync
        }
        "running" => Command::Running(running::listed(args)?),
        "schedule" => {
            let when_options = WhenOptions {
                at: options.at.as_deref(),
                on: options.on.as_deref(),
                tz: options.tz.as_deref(),
            };
            let (when, rest) = parse_when(args, &when_options)?;
            if let Some(hint) = rest.iter().find_map(|word| misplaced_option(word, options)) {
                return Err(hint);
            }
            if let Some(clusters) = running::in_clusters(rest)? {
                return Ok(Command::ScheduleRunning { when, clusters });
            }
            Command::Schedule {
                when,
                images: images(name, rest, 0)?,
            }
        }
        "unschedule" => Command::Unschedule(one_image(name, args)?),
        "pause" => Command::Pause(one_image(name, args)?),
        "resume" => Command::Resume(one_image(name, args)?),
        "subscribe" => Command::Subscribe {
            pattern: one_pattern(name, args)?,
            min: match &options.min {
                Some(min) => min_severity(min)?,
                None => Severity::Undefined,
            },
        },
        "unsubscribe" => Command::Unsubscribe(one_pattern(name, args)?),
        "unignore" => {
            let (vulnerability, scope) = ignore::unignore_args(args)?;
            Command::Unignore {
                vulnerability,
                scope,
            }
        }
        "schedules" | "subscriptions" | "ignores" => {
            if let Some(extra) = args.first() {
                return Err(format!(
                    "`{name}` takes nothing after it, but got `{extra}`"
                ));
            }
            match name {
                "schedules" => Command::Schedules,
                "subscriptions" => Command::Subscriptions,
                _ => Command::Ignores,
            }
        }
        _ => return Err(format!("`{name}` is not a command")),
    })
}

/// The severity of `min=`. `untriaged` is refused: Inspector has not rated such
/// a finding yet, so it is no floor to count up from (it sits with `undefined`
/// at the bottom, and only "all findings" hears it).
fn min_severity(min: &str) -> Result<Severity, String> {
    match min.parse() {
        Ok(Severity::Untriaged) => Err(format!(
            "`min={min}`: untriaged findings have no severity yet, so they cannot be a minimum; leave `min=` out to hear every finding, untriaged ones included"
        )),
        Ok(severity) => Ok(severity),
        Err(e) => Err(format!("`min={min}`: {e}")),
    }
}

/// Whitespace-separated words; a word with an open `(` runs to its `)`.
fn tokenize(text: &str) -> Vec<String> {
    let open = |s: &str| s.matches('(').count() > s.matches(')').count();
    let mut words: Vec<String> = Vec::new();
    let mut group: Option<String> = None;
    for piece in text.split_whitespace() {
        let word = match group.take() {
            Some(started) => format!("{started} {piece}"),
            None => piece.to_string(),
        };
        if open(&word) {
            group = Some(word);
        } else {
            words.push(word);
        }
    }
    words.extend(group);
    words
}

/// Distinct images, at least `min` and at most [`MAX_IMAGES`].
fn images(command: &str, words: &[String], min: usize) -> Result<Vec<ImageRef>, String> {
    let mut images: Vec<ImageRef> = Vec::new();
    for word in words {
        let image = parse_image(word)?;
        if !images.contains(&image) {
            images.push(image);
        }
        if images.len() > MAX_IMAGES {
            return Err(format!(
                "`{command}` takes at most {MAX_IMAGES} images at a time; `{word}` is one too many"
            ));
        }
    }
    if images.len() < min {
        return Err(format!("`{command}` needs an image"));
    }
    Ok(images)
}

fn one_image(command: &str, words: &[String]) -> Result<ImageRef, String> {
    match words {
        [word] => parse_image(word),
        [] => Err(format!("`{command}` needs an image")),
        [_, extra, ..] => Err(format!(
            "`{command}` takes one image; `{extra}` is one too many"
        )),
    }
}

fn one_pattern(command: &str, words: &[String]) -> Result<ImagePattern, String> {
    match words {
        [word] => check_plain(word).and_then(|()| ImagePattern::parse(word)),
        [] => Err(format!(
            "`{command}` needs a pattern such as `example` or `example:web-*`"
        )),
        [_, extra, ..] => Err(format!(
            "`{command}` takes one pattern; `{extra}` is one too many"
        )),
    }
}

fn unknown_command(word: &str) -> ParseError {
    let alias = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(word))
        .map(|(_, command)| *command);
    let suggestion = alias.or_else(|| closest(word, USAGE.iter().map(|usage| usage.name)));
    let (hint, usage) = match suggestion.and_then(Usage::of) {
        Some(usage) => (format!("did you mean `{}`?", usage.name), usage.render()),
        None => {
            let names: Vec<&str> = USAGE.iter().map(|usage| usage.name).collect();
            (
                "`/ecrscan help` shows them all".to_string(),
                format!(
                    "`/ecrscan COMMAND ...`, where COMMAND is one of {}",
                    names.join(", ")
                ),
            )
        }
    };
    ParseError {
        problem: format!("{} is not an ecrscan command; {hint}", quoted(word)),
        usage,
    }
}

/// `word` in backticks, each backtick in it (which would end the span) shown as
/// `ˋ`. Problems are plain text; the answer escapes them as a whole.
fn quoted(word: &str) -> String {
    format!("`{}`", word.replace('`', "ˋ"))
}

#[cfg(test)]
mod tests;
