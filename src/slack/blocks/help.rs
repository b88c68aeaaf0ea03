//! `/ecrscan help`.

use slack_morphism::prelude::*;

use super::format::{context, header, message, section};

/// Every command: its form, what it does, and an example.
pub const USAGE: &[(&str, &str, &str)] = &[
    (
        "now IMAGE...",
        "Start a basic scan now. A \"scan started\" message is posted in the channel; the result arrives in its thread.",
        "/ecrscan now web-latest",
    ),
    (
        "findings IMAGE",
        "Show the latest findings of an image without scanning it.",
        "/ecrscan findings example:web-latest",
    ),
    (
        "schedule WHEN [IMAGE...] [on DAY] [at HH:MM] [tz Area/City]",
        "Create or update one schedule per image; without images, for the watched tags. WHEN is daily, weekly, monthly, every N days, every N hours, rate(...) or cron(...). Weekly runs on Monday and at 03:00 unless told otherwise.",
        "/ecrscan schedule weekly web-latest at 06:10 tz Asia/Tokyo",
    ),
    (
        "schedules",
        "List this workspace's schedules with their next run.",
        "/ecrscan schedules",
    ),
    (
        "unschedule IMAGE · pause IMAGE · resume IMAGE",
        "Delete, pause or resume the schedule of an image.",
        "/ecrscan pause web-latest",
    ),
    (
        "subscribe PATTERN [min=SEVERITY]",
        "Post scan results of matching images in this channel. PATTERN is repo or repo:tag, with * globs; min= is critical, high, medium, low or informational.",
        "/ecrscan subscribe example:web-* min=high",
    ),
    (
        "unsubscribe PATTERN",
        "Stop posting results of matching images in this channel.",
        "/ecrscan unsubscribe example:web-*",
    ),
    (
        "subscriptions",
        "List which images this channel hears about.",
        "/ecrscan subscriptions",
    ),
    ("help", "Show this help.", "/ecrscan help"),
];

/// `/ecrscan help`: usage of every command, with examples.
pub fn help() -> SlackMessageContent {
    let mut blocks = vec![
        header("ecrscan: Amazon ECR image scans in Slack"),
        context(
            "IMAGE is `TAG` (in the default repository), `REPO:TAG` or `REPO@sha256:DIGEST`."
                .into(),
        ),
    ];
    blocks.extend(USAGE.iter().map(|(form, description, example)| {
        let forms: Vec<String> = commands(form).map(|c| format!("`{c}`")).collect();
        section(format!(
            "*{}*\n{description}\n_Example:_ `{example}`",
            forms.join(" · ")
        ))
    }));
    let forms: Vec<String> = USAGE.iter().flat_map(|(form, ..)| commands(form)).collect();
    message(format!("ecrscan commands: {}", forms.join("; ")), blocks)
}

/// `/ecrscan pause IMAGE`, ... for each form of one line of [`USAGE`].
fn commands(form: &str) -> impl Iterator<Item = String> + '_ {
    form.split(" · ").map(|f| format!("/ecrscan {f}"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_within_limits;
    use super::*;

    #[test]
    fn help_shows_every_command_with_an_example() {
        let content = help();
        let json = serde_json::to_string(&content).unwrap();

        for command in [
            "now",
            "findings",
            "schedule",
            "schedules",
            "unschedule",
            "pause",
            "resume",
            "subscribe",
            "unsubscribe",
            "subscriptions",
            "help",
        ] {
            assert!(
                json.contains(&format!("/ecrscan {command}")),
                "{command} is missing"
            );
        }
        assert_eq!(
            json.matches("_Example:_").count(),
            USAGE.len(),
            "every command has an example"
        );
        assert_within_limits(&content);
    }
}
