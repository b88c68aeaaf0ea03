//! `/ecrscan help`.

use slack_morphism::prelude::*;

use super::format::{context, header, message, section};
use crate::language::USAGE;

/// `/ecrscan help`: usage of every command, with examples.
pub fn help() -> SlackMessageContent {
    let mut blocks = vec![
        header("ecrscan: Amazon ECR image scans in Slack"),
        context(
            "IMAGE is `TAG` (in the default repository), `REPO:TAG` or `REPO@sha256:DIGEST`."
                .into(),
        ),
    ];
    blocks.extend(USAGE.iter().map(|usage| {
        section(format!(
            "*`/ecrscan {}`*\n{}\n_Example:_ `/ecrscan {}`",
            usage.form, usage.summary, usage.example
        ))
    }));
    let forms: Vec<String> = USAGE
        .iter()
        .map(|u| format!("/ecrscan {}", u.form))
        .collect();
    message(format!("ecrscan commands: {}", forms.join("; ")), blocks)
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
            "running",
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
