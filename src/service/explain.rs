//! AWS failures in words a Slack user can act on. Pure functions.

use crate::aws::AwsError;
use crate::schedule::suggest::edit_distance;
use crate::slack::blocks::{code, escape};

mod ecs;
mod scheduler;

pub use ecs::explain_ecs;
pub use scheduler::{explain_scheduler, role_missing};

/// One short paragraph saying what went wrong with `image` and what to do.
/// `image` and AWS's messages are escaped here: the paragraph is mrkdwn.
pub fn explain(error: &AwsError, image: &str) -> String {
    let shown = code(image, 300);
    match error {
        AwsError::RepositoryNotFound => format!(
            ":warning: There is no repository {} in this registry. Check the name \
             (`/ecrscan now REPO:TAG`), the AWS account and the region ecrscan runs in.",
            code(repository_of(image), 300)
        ),
        AwsError::ImageNotFound => format!(":warning: There is no image {shown}."),
        AwsError::LimitExceeded => format!(
            ":hourglass: {shown} was already scanned in the last 24 hours; \
             ECR basic scanning allows one scan per image per day."
        ),
        AwsError::ScanningDisabled => format!(
            ":shield: This registry uses enhanced scanning: Amazon Inspector scans {shown} \
             continuously, so there is no scan to start."
        ),
        AwsError::UnsupportedImage(message) => format!(
            ":no_entry: ECR cannot scan {shown}: its image type or operating system is not \
             supported by basic scanning ({}).",
            escape(message)
        ),
        AwsError::ScanNotFound => format!(
            ":grey_question: {shown} has not been scanned yet. Start a scan with {}.",
            code(&format!("/ecrscan now {image}"), 320)
        ),
        AwsError::AccessDenied { action, .. } => format!(
            ":lock: ecrscan's AWS identity is not allowed to call `{action}`. \
             Add `{action}` to the IAM policy of the role or user ecrscan runs as."
        ),
        AwsError::ResourceNotFound(message) => {
            format!(
                ":warning: AWS found nothing for {shown}: {}",
                escape(message)
            )
        }
        AwsError::Conflict(message) => format!(
            ":warning: {shown} was changed by someone else at the same time ({}). Try again.",
            escape(message)
        ),
        AwsError::NoCredentials => ":key: ecrscan has no AWS credentials. Give it a role, or set \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then try again."
            .to_string(),
        AwsError::Other { action, message } => {
            format!(
                ":x: AWS refused `{action}` for {shown}: {}",
                escape(message)
            )
        }
    }
}

/// The `tag` not found in `repository`, with up to three of its closest existing tags.
pub fn tag_not_found(repository: &str, tag: &str, existing: &[String]) -> String {
    let mut ranked: Vec<&String> = existing.iter().collect();
    ranked.sort_by_key(|candidate| (edit_distance(tag, candidate), candidate.len()));
    ranked.truncate(3);
    let (tag, shown) = (code(tag, 200), code(repository, 300));
    if ranked.is_empty() {
        return format!(":warning: There is no tag {tag} in {shown}, which has no tagged images.");
    }
    let suggestions = ranked
        .iter()
        .map(|t| code(&format!("{repository}:{t}"), 400))
        .collect::<Vec<_>>()
        .join(", ");
    format!(":warning: There is no tag {tag} in {shown}. Closest tags: {suggestions}.")
}

fn repository_of(image: &str) -> &str {
    image.split([':', '@']).next().unwrap_or(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tag_is_named_with_the_closest_existing_tags_first() {
        let existing = ["proxy-latest", "web-latest", "web-1.2", "db"].map(String::from);
        let text = tag_not_found("example", "web-latst", &existing);
        assert!(text.contains("`web-latst`"), "{text}");
        let first = text.find("example:web-latest").unwrap();
        let other = text.find("example:web-1.2").unwrap();
        assert!(first < other, "{text}");
        assert!(
            !text.contains("example:db"),
            "only three are offered: {text}"
        );
    }

    #[test]
    fn a_missing_permission_names_the_action_to_grant() {
        let error = AwsError::AccessDenied {
            action: "ecr:StartImageScan",
            message: "User: arn:aws:iam::1:user/bot is not authorized".into(),
        };
        assert!(explain(&error, "example:web").contains("`ecr:StartImageScan`"));
    }

    const HOSTILE: &str = "<!everyone> <@U0BOSS> <http://evil.test|x> `&";

    /// No `<` but the bot's own, and the hostile text shown escaped.
    fn assert_inert(text: &str) {
        assert!(!text.contains('<'), "Slack would parse part of: {text}");
        assert!(text.contains("&lt;!everyone&gt; &lt;@U0BOSS&gt;"), "{text}");
    }

    #[test]
    fn aws_messages_and_image_names_are_escaped() {
        let message = || HOSTILE.to_string();
        for error in [
            AwsError::UnsupportedImage(message()),
            AwsError::ResourceNotFound(message()),
            AwsError::Conflict(message()),
            AwsError::Other {
                action: "ecr:DescribeImages",
                message: message(),
            },
        ] {
            assert_inert(&explain(&error, "example:web-latest"));
        }
        let text = explain(&AwsError::RepositoryNotFound, "<!everyone>x:y");
        assert!(text.contains("`&lt;!everyone&gt;x`"), "{text}");
        for error in [
            AwsError::ImageNotFound,
            AwsError::LimitExceeded,
            AwsError::ScanNotFound,
        ] {
            let text = explain(&error, HOSTILE);
            assert_inert(&text);
            assert!(
                !text.contains("`&amp;`"),
                "the backtick ends no span: {text}"
            );
        }
    }

    #[test]
    fn a_missing_tag_and_the_closest_tags_are_escaped() {
        let existing = [format!("{HOSTILE}1"), format!("{HOSTILE}2")];
        assert_inert(&tag_not_found(HOSTILE, HOSTILE, &existing));
        assert_inert(&tag_not_found("example", HOSTILE, &[]));
    }

    #[test]
    fn an_unknown_repository_is_named() {
        let text = explain(&AwsError::RepositoryNotFound, "exampel:web-latest");
        assert!(text.contains("`exampel`"), "{text}");
    }
}
