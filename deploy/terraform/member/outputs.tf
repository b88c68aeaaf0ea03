output "registry" {
  description = "This account's entry of ECRSCAN_REGISTRIES (entries separated by commas): ALIAS=ACCOUNT/REGION/ROLE_ARN."
  value       = "${coalesce(var.registry_alias, local.account)}=${local.account}/${local.region}/${aws_iam_role.member.arn}"
}

output "role_arn" {
  description = "The role ecrscan assumes in this account (the ROLE_ARN of its ECRSCAN_REGISTRIES entry)."
  value       = aws_iam_role.member.arn
}

output "scheduler_role_arn" {
  description = "The role EventBridge Scheduler assumes here: ECRSCAN_SCHEDULER_ROLE_ARN with this account's id."
  value       = aws_iam_role.scheduler.arn
}

output "schedule_group" {
  description = "The Scheduler group of ecrscan's schedules in this account (ECRSCAN_SCHEDULE_GROUP)."
  value       = aws_scheduler_schedule_group.ecrscan.name
}

output "event_rule_arn" {
  description = "The rule that forwards this account's scan results and findings to the central event bus."
  value       = aws_cloudwatch_event_rule.scans.arn
}
