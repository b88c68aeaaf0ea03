//! ECS failures, in words that say what to fix.

use crate::aws::AwsError;
use crate::aws::ecs::READ_ACTIONS;
use crate::slack::blocks::{code, escape};

/// A failed look at what ECS runs, with the fix.
pub fn explain_ecs(error: &AwsError) -> String {
    match error {
        AwsError::AccessDenied { action, .. } => format!(
            ":lock: ecrscan's AWS identity is not allowed to call `{action}`, so it cannot \
             see what ECS runs. Add {} (on resource `*`) to the IAM policy of the role or \
             user ecrscan runs as; the bot policy of deploy/terraform and \
             deploy/cloudformation grants them.",
            actions()
        ),
        AwsError::ResourceNotFound(cluster) => format!(
            ":warning: There is no ECS cluster {} in ecrscan's AWS account and region. \
             `/ecrscan running` without a cluster looks in every cluster.",
            code(cluster, 260)
        ),
        AwsError::Other { action, message } => {
            format!(":x: ECS refused `{action}`: {}", escape(message))
        }
        other => super::explain(other, "ECS"),
    }
}

/// `` `ecs:ListClusters`, `ecs:ListTasks` and `ecs:DescribeTasks` ``.
fn actions() -> String {
    let [list, tasks, describe] = READ_ACTIONS;
    format!("`{list}`, `{tasks}` and `{describe}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_every_action_running_needs() {
        let error = AwsError::AccessDenied {
            action: "ecs:ListTasks",
            message: "User: arn:aws:iam::1:user/bot is not authorized".into(),
        };
        let text = explain_ecs(&error);
        assert!(text.contains("call `ecs:ListTasks`"), "{text}");
        for action in READ_ACTIONS {
            assert!(text.contains(&format!("`{action}`")), "{action}: {text}");
        }
    }

    #[test]
    fn an_unknown_cluster_is_named_escaped() {
        let text = explain_ecs(&AwsError::ResourceNotFound("<!here>".into()));
        assert!(text.contains("`&lt;!here&gt;`"), "{text}");
        let text = explain_ecs(&AwsError::Other {
            action: "ecs:DescribeTasks",
            message: "<!everyone>".into(),
        });
        assert!(!text.contains('<'), "{text}");
    }
}
