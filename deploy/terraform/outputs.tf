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
  description = "The managed policy for ecrscan's own identity: attached to the Fly role (fly_org), or attach it to the role of ecrscan's ECS task, App Runner service or EKS service account."
  value       = aws_iam_policy.bot.arn
}

output "fly_role_arn" {
  description = "Set the Fly secret AWS_ROLE_ARN to this: Fly's init then hands the machine's OIDC token to the AWS SDK, which assumes this role. Null without fly_org."
  value       = one(aws_iam_role.fly[*].arn)
}

output "kms_key_arn" {
  description = "The customer managed KMS key (rotated yearly) that encrypts the topic's messages at rest."
  value       = aws_kms_key.scans.arn
}

output "event_rule_arn" {
  description = "The EventBridge rule that forwards scan results and findings of ECR images to the topic."
  value       = aws_cloudwatch_event_rule.scans.arn
}

output "environment" {
  description = "ecrscan's settings from this module, ready for `fly secrets set` or an .env file (with fly_org, also AWS_ROLE_ARN)."
  value = merge({
    ECRSCAN_SNS_TOPIC_ARNS     = aws_sns_topic.scans.arn
    ECRSCAN_SCHEDULER_ROLE_ARN = aws_iam_role.scheduler.arn
    ECRSCAN_SCHEDULE_GROUP     = aws_scheduler_schedule_group.ecrscan.name
  }, var.fly_org == null ? {} : { AWS_ROLE_ARN = aws_iam_role.fly[0].arn })
}
