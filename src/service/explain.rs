//! AWS failures in words a Slack user can act on. Pure functions.

use crate::aws::AwsError;
use crate::schedule::suggest::edit_distance;

mod scheduler;

pub use scheduler::{explain_scheduler, role_missing};

/// One short paragraph saying what went wrong with `image` and what to do.
pub fn explain(error: &AwsError, image: &str) -> String {
    match error {
        AwsError::RepositoryNotFound => format!(
            ":warning: There is no repository `{}` in this registry. Check the name \
             (`/ecrscan now REPO:TAG`), the AWS account and the region ecrscan runs in.",
            repository_of(image)
        ),
        AwsError::ImageNotFound => format!(":warning: There is no image `{image}`."),
        AwsError::LimitExceeded => format!(
            ":hourglass: `{image}` was already scanned in the last 24 hours; \
             ECR basic scanning allows one scan per image per day."
        ),
        AwsError::ScanningDisabled => format!(
            ":shield: This registry uses enhanced scanning: Amazon Inspector scans `{image}` \
             continuously, so there is no scan to start."
        ),
        AwsError::UnsupportedImage(message) => format!(
            ":no_entry: ECR cannot scan `{image}`: its image type or operating system is not \
             supported by basic scanning ({message})."
        ),
        AwsError::ScanNotFound => format!(
            ":grey_question: `{image}` has not been scanned yet. Start a scan with `/ecrscan now {image}`."
        ),
        AwsError::AccessDenied { action, .. } => format!(
            ":lock: ecrscan's AWS identity is not allowed to call `{action}`. \
             Add `{action}` to the IAM policy of the role or user ecrscan runs as."
        ),
        AwsError::ResourceNotFound(message) => {
            format!(":warning: AWS found nothing for `{image}`: {message}")
        }
        AwsError::Conflict(message) => format!(
            ":warning: `{image}` was changed by someone else at the same time ({message}). Try again."
        ),
        AwsError::NoCredentials => ":key: ecrscan has no AWS credentials. Give it a role, or set \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then try again."
            .to_string(),
        AwsError::Other { action, message } => {
            format!(":x: AWS refused `{action}` for `{image}`: {message}")
        }
    }
}

/// The `tag` not found in `repository`, with up to three of its closest existing tags.
pub fn tag_not_found(repository: &str, tag: &str, existing: &[String]) -> String {
    let mut ranked: Vec<&String> = existing.iter().collect();
    ranked.sort_by_key(|candidate| (edit_distance(tag, candidate), candidate.len()));
    ranked.truncate(3);
    if ranked.is_empty() {
        return format!(
            ":warning: There is no tag `{tag}` in `{repository}`, which has no tagged images."
        );
    }
    let suggestions = ranked
        .iter()
        .map(|t| format!("`{repository}:{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(":warning: There is no tag `{tag}` in `{repository}`. Closest tags: {suggestions}.")
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

    #[test]
    fn an_unknown_repository_is_named() {
        let text = explain(&AwsError::RepositoryNotFound, "exampel:web-latest");
        assert!(text.contains("`exampel`"), "{text}");
    }
}
