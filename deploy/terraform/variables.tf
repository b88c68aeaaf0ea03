variable "ecrscan_url" {
  description = "Where ecrscan is served, e.g. https://ecrscan.fly.dev. SNS delivers scan results to this URL + /sns over HTTPS. ecrscan must already run with the topic's ARN in ECRSCAN_SNS_TOPIC_ARNS, because it confirms the subscription itself."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+", var.ecrscan_url))
    error_message = "ecrscan_url must be an https:// URL (SNS delivers only to HTTPS endpoints here)."
  }
}

variable "name" {
  description = "Name of the SNS topic, the EventBridge rule and the IAM role and policy (as a prefix). The topic's ARN is arn:aws:sns:REGION:ACCOUNT:NAME, known before you apply."
  type        = string
  default     = "ecrscan"
}

variable "repositories" {
  description = "ECR repository names whose scan results reach ecrscan, and that ecrscan and Scheduler may scan. Empty: every repository in the account and region."
  type        = list(string)
  default     = []
}

variable "schedule_group" {
  description = "EventBridge Scheduler group for ecrscan's schedules; set ECRSCAN_SCHEDULE_GROUP to the same name."
  type        = string
  default     = "ecrscan"
}

variable "bot_user_name" {
  description = "An existing IAM user whose access keys ecrscan runs with; the bot policy is attached to it. Null: attach the policy (output bot_policy_arn) yourself."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
