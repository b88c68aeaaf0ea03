output "sns_topic_arn" {
  description = "Set ECRSCAN_SNS_TOPIC_ARNS to this: ecrscan accepts SNS messages from this topic only."
  value       = aws_sns_topic.scans.arn
}

output "scheduler_role_arn" {
  description = "Set ECRSCAN_SCHEDULER_ROLE_ARN to this: the role EventBridge Scheduler assumes to start scans."
  value       = aws_iam_role.scheduler.arn
}

output "schedule_group" {
  description = "Set ECRSCAN_SCHEDULE_GROUP to this (the default, ecrscan, needs nothing)."
  value       = aws_scheduler_schedule_group.ecrscan.name
}

output "bot_policy_arn" {
  description = "Attach this managed policy to the IAM user or role whose credentials ecrscan runs with."
  value       = aws_iam_policy.bot.arn
}

output "event_rule_arn" {
  description = "The EventBridge rule that forwards scan results and findings of ECR images to the topic."
  value       = aws_cloudwatch_event_rule.scans.arn
}

output "environment" {
  description = "ecrscan's settings from this module, ready for `fly secrets set` or an .env file."
  value = {
    ECRSCAN_SNS_TOPIC_ARNS     = aws_sns_topic.scans.arn
    ECRSCAN_SCHEDULER_ROLE_ARN = aws_iam_role.scheduler.arn
    ECRSCAN_SCHEDULE_GROUP     = aws_scheduler_schedule_group.ecrscan.name
  }
}
