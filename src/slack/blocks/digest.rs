//! The digest: one message gathering a burst of results for a channel.

use slack_morphism::prelude::*;

use super::format::code;

/// The digest's parent message, for `results` results so far, the latest being `latest`.
pub fn digest(results: i64, window_secs: u64, latest: &str) -> SlackMessageContent {
    super::text(&format!(
        ":package: *{results} scan results* arrived within {window_secs} s, so they are \
         gathered in this thread instead of one thread each. Latest: {}.",
        code(latest, 400)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_within_limits;
    use super::*;

    #[test]
    fn the_digest_counts_results_and_names_the_latest() {
        let content = digest(12, 60, "example:web-<7>");
        let text = serde_json::to_string(&content).unwrap();
        assert!(
            text.contains("12 scan results") && text.contains("example:web-&lt;7&gt;"),
            "{text}"
        );
        assert_within_limits(&content);
    }
}
