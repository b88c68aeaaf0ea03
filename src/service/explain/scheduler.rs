//! EventBridge Scheduler failures and set-up, in words that say exactly what to fix.

use serde_json::json;

use crate::aws::AwsError;
use crate::slack::blocks::{code, escape};

/// ECRSCAN_SCHEDULER_ROLE_ARN is not set: the role to create, its policies, and
/// the setting. Said before anything is created.
pub fn role_missing() -> String {
    format!(
        ":key: Nothing was scheduled: scheduled scans need an IAM role that EventBridge \
         Scheduler assumes to call `ecr:StartImageScan`, and `ECRSCAN_SCHEDULER_ROLE_ARN` \
         is not set.\n\
         1. Create a role whose trust policy lets Scheduler assume it:\n```{}```\n\
         2. Give it this permission policy:\n```{}```\n\
         3. Set `ECRSCAN_SCHEDULER_ROLE_ARN` to the role's ARN and restart ecrscan. \
         ecrscan's own identity also needs `iam:PassRole` on that role.",
        pretty(&trust_policy()),
        pretty(&role_policy()),
    )
}

/// A failed Scheduler call on schedule group `group`, with the fix. `role` is the
/// configured scheduler role.
pub fn explain_scheduler(error: &AwsError, group: &str, role: Option<&str>) -> String {
    let role_shown = role.unwrap_or("ECRSCAN_SCHEDULER_ROLE_ARN");
    match error {
        AwsError::AccessDenied { action, message } => {
            let denied = denied_action(message).unwrap_or(action);
            let mut text = format!(
                ":lock: ecrscan's AWS identity is not allowed to call {}. \
                 Add it to the IAM policy of the role or user ecrscan runs as.",
                code(denied, 200)
            );
            let passes_role = matches!(
                *action,
                "scheduler:CreateSchedule" | "scheduler:UpdateSchedule"
            );
            if denied == "iam:PassRole" {
                text.push_str(&format!(
                    " ecrscan hands the role `{role_shown}` to Scheduler, so it needs \
                     `iam:PassRole` on that role."
                ));
            } else if passes_role {
                text.push_str(&format!(" It also needs `iam:PassRole` on `{role_shown}`."));
            }
            text.push_str(&format!(
                "\nEverything scheduled scans need:\n```{}```",
                pretty(&ecrscan_policy(group, role_shown))
            ));
            text
        }
        AwsError::Other { message, .. } if message.to_ascii_lowercase().contains("role") => {
            format!(
                ":key: EventBridge Scheduler cannot use the role `{role_shown}`: {}\n\
                 Its trust policy must let Scheduler assume it:\n```{}```\n\
                 and its permission policy must allow `ecr:StartImageScan`:\n```{}```",
                escape(message),
                pretty(&trust_policy()),
                pretty(&role_policy()),
            )
        }
        AwsError::Other { action, message } => format!(
            ":x: EventBridge Scheduler refused `{action}`: {}",
            escape(message)
        ),
        AwsError::ResourceNotFound(message) => format!(
            ":warning: EventBridge Scheduler found no such schedule or group: {}",
            escape(message)
        ),
        AwsError::Conflict(message) => format!(
            ":warning: Someone changed this schedule at the same time ({}). Try again.",
            escape(message)
        ),
        other => super::explain(other, &format!("schedule group {group}")),
    }
}

/// `iam:PassRole` out of "... is not authorized to perform: iam:PassRole on resource: ...".
fn denied_action(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("perform: ")?;
    let action = rest.split_whitespace().next()?;
    action.contains(':').then_some(action)
}

fn trust_policy() -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "scheduler.amazonaws.com" },
            "Action": "sts:AssumeRole"
        }]
    })
}

fn role_policy() -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "ecr:StartImageScan",
            "Resource": "arn:aws:ecr:*:*:repository/*"
        }]
    })
}

/// What ecrscan's own identity needs for schedules in `group`, passing `role`.
fn ecrscan_policy(group: &str, role: &str) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "scheduler:CreateSchedule", "scheduler:UpdateSchedule",
                    "scheduler:GetSchedule", "scheduler:DeleteSchedule"
                ],
                "Resource": format!("arn:aws:scheduler:*:*:schedule/{group}/*")
            },
            {
                "Effect": "Allow",
                "Action": ["scheduler:GetScheduleGroup", "scheduler:CreateScheduleGroup"],
                "Resource": format!("arn:aws:scheduler:*:*:schedule-group/{group}")
            },
            { "Effect": "Allow", "Action": "scheduler:ListSchedules", "Resource": "*" },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": role,
                "Condition": { "StringEquals": { "iam:PassedToService": "scheduler.amazonaws.com" } }
            }
        ]
    })
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(action: &'static str, message: &str) -> AwsError {
        AwsError::AccessDenied {
            action,
            message: message.into(),
        }
    }

    #[test]
    fn a_missing_role_setting_shows_the_trust_and_permission_policies() {
        let text = role_missing();
        for expected in [
            "ECRSCAN_SCHEDULER_ROLE_ARN",
            "scheduler.amazonaws.com",
            "sts:AssumeRole",
            "ecr:StartImageScan",
            "iam:PassRole",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
        assert!(text.chars().count() < 3000, "fits one section");
    }

    #[test]
    fn a_denied_call_names_the_action_and_pass_role_on_the_role() {
        let error = denied("scheduler:CreateSchedule", "not authorized");
        let text = explain_scheduler(&error, "ecrscan", Some("arn:aws:iam::1:role/s"));
        assert!(text.contains("`scheduler:CreateSchedule`"), "{text}");
        assert!(
            text.contains("`iam:PassRole` on `arn:aws:iam::1:role/s`"),
            "{text}"
        );
        assert!(text.contains("schedule/ecrscan/*"), "{text}");
    }

    #[test]
    fn a_denied_pass_role_is_named_as_the_action_to_grant() {
        let message = "User: arn:aws:sts::1:assumed-role/bot/x is not authorized to perform: \
                       iam:PassRole on resource: arn:aws:iam::1:role/s";
        let error = denied("scheduler:CreateSchedule", message);
        let text = explain_scheduler(&error, "ecrscan", Some("arn:aws:iam::1:role/s"));
        assert!(
            text.starts_with(":lock: ecrscan's AWS identity is not allowed to call `iam:PassRole`"),
            "{text}"
        );
    }

    #[test]
    fn a_role_scheduler_cannot_assume_gets_its_trust_policy() {
        let error = AwsError::Other {
            action: "scheduler:CreateSchedule",
            message: "The execution role you provide must allow AWS EventBridge Scheduler \
                      to assume the role."
                .into(),
        };
        let text = explain_scheduler(&error, "ecrscan", Some("arn:aws:iam::1:role/s"));
        assert!(text.contains("scheduler.amazonaws.com"), "{text}");
        assert!(text.contains("arn:aws:iam::1:role/s"), "{text}");
    }

    #[test]
    fn an_action_read_out_of_aws_message_is_escaped() {
        let message = "is not authorized to perform: <!everyone>:`x on resource: y";
        let text = explain_scheduler(&denied("scheduler:GetSchedule", message), "ecrscan", None);
        assert!(!text.contains("<!everyone>"), "{text}");
        assert!(text.contains("`&lt;!everyone&gt;:ˋx`"), "{text}");
    }

    #[test]
    fn other_refusals_name_the_call_and_escape_the_message() {
        let error = AwsError::Other {
            action: "scheduler:ListSchedules",
            message: "<bad> & worse".into(),
        };
        let text = explain_scheduler(&error, "ecrscan", None);
        assert!(text.contains("`scheduler:ListSchedules`"), "{text}");
        assert!(text.contains("&lt;bad&gt; &amp; worse"), "{text}");
    }
}
